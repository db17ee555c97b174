/** Bench plumbing: the sandbox child process, connected sides, a SQLite file for the engine, RSS sampling. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { SandboxInfo } from '../../main/sandbox/index';
import { BC_RESOURCE, clientCredentials, connectSides, type ConnectedSides } from '../../main/integrations/sales/sync/adapters/connect';

export const TSX_ARGS = ['--import', 'tsx'];

export interface SandboxChild {
  info: SandboxInfo;
  child: ChildProcess;
  /** One preparation command (see sandbox-child.ts), answered by one JSON line; throws the child's error. */
  command<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export async function startSandboxChild(args: string[]): Promise<SandboxChild> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sandbox-child.ts');
  const child = spawn(process.execPath, [...TSX_ARGS, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  // Every stdout line is one answer: the first is the SandboxInfo, then one per command, in order.
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
  const info = await new Promise<SandboxInfo>((resolve, reject) => {
    waiting.push((line) => resolve(JSON.parse(line) as SandboxInfo));
    child.once('exit', (code) => reject(new Error(`The sandbox process exited (${code}) before it was ready.`)));
  });
  const command = <T,>(cmd: Record<string, unknown>) => new Promise<T>((resolve, reject) => {
    waiting.push((line) => {
      const a = JSON.parse(line) as T & { error?: string };
      if (a.error) reject(new Error(`The sandbox could not run ${JSON.stringify(cmd)}: ${a.error}`));
      else resolve(a);
    });
    child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  });
  return {
    info, child, command,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export function sandboxSides(info: SandboxInfo, http: Record<string, unknown> = {}): Promise<ConnectedSides> {
  const cred = (r: string) => clientCredentials(info.identity.tokenEndpoint, info.clients.integration.clientId, info.clients.integration.clientSecret, r);
  return connectSides({
    dataverseApiBase: info.dataverse.apiBase, bcApiBase: info.businessCentral.apiBase, bcCompanyId: info.businessCentral.companyId,
    dataverseAuth: cred(info.dataverse.url), bcAuth: cred(BC_RESOURCE), http,
  });
}

export async function patchKnobs(url: string, knobs: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/_sandbox/knobs`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(knobs) });
  if (!res.ok) throw new Error(`Setting sandbox knobs failed: ${res.status} ${await res.text()}`);
}

/** Peak RSS of this process, sampled every 50 ms (and on demand). */
export function rssSampler(): { peakMB(): number; stop(): void } {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak && process.env.BENCH_RSS_DEBUG) process.stderr.write(`[rss] ${JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 1048576)])))}\n`);
    peak = Math.max(peak, m.rss);
  }, 50);
  t.unref();
  return { peakMB: () => Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576), stop: () => clearInterval(t) };
}

export function argNumber(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a number ≥ 0; got ${process.argv[i + 1] ?? 'nothing'}.`);
  return v;
}
