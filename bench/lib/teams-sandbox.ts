/** Start bench/lib/teams-sandbox-child.ts as a child process and talk to it (one JSON line per command). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TeamsSandboxInfo } from '../../main/integrations/commerce-teams/connect';
import type { TeamsVerification } from './teams-verify';

export type TeamsBenchInfo = TeamsSandboxInfo & { bench: { stores: number; workers: number; users: number; domain: string; graphAdmin: string } };

export interface TeamsSandboxChild {
  info: TeamsBenchInfo;
  child: ChildProcess;
  command<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T>;
  setFaults(profiles: Record<string, Record<string, number | string>>): Promise<void>;
  verify(): Promise<TeamsVerification>;
  stop(): Promise<void>;
}

export async function startTeamsSandbox(o: { stores: number; workers: number; latencyMs: number; provisioningMs?: number }): Promise<TeamsSandboxChild> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'teams-sandbox-child.ts');
  const args = ['--stores', String(o.stores), '--workers', String(o.workers), '--latency-ms', String(o.latencyMs), ...(o.provisioningMs !== undefined ? ['--provisioning-ms', String(o.provisioningMs)] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: string) => void)[] = [];
  let buf = '';
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  const info = await new Promise<TeamsBenchInfo>((resolve, reject) => {
    waiting.push((line) => resolve(JSON.parse(line) as TeamsBenchInfo));
    child.once('exit', (code) => reject(new Error(`The Teams bench sandbox exited (${code}) before it was ready.`)));
  });
  const command = <T,>(cmd: Record<string, unknown>) => new Promise<T>((resolve, reject) => {
    waiting.push((line) => {
      const a = JSON.parse(line) as T & { error?: string };
      if (a && typeof a === 'object' && a.error) reject(new Error(`The sandbox could not run ${JSON.stringify(cmd)}: ${a.error}`));
      else resolve(a);
    });
    child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  });
  return {
    info, child, command,
    setFaults: async (profiles) => void (await command({ faults: profiles })),
    verify: () => command<TeamsVerification>({ verify: true }),
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
