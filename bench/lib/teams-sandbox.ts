/** Start bench/lib/teams-sandbox-child.ts as a child process and talk to it (one JSON line per command). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TeamsSandboxInfo } from '../../main/integrations/commerce-teams/connect';
import { spawnLineChild, type LineChild } from '../support/line-child';
import type { TeamsVerification } from './teams-verify';

export type TeamsBenchInfo = TeamsSandboxInfo & { bench: { stores: number; workers: number; users: number; domain: string; graphAdmin: string } };

export interface TeamsSandboxChild extends LineChild<TeamsBenchInfo> {
  setFaults(profiles: Record<string, Record<string, number | string>>): Promise<void>;
  verify(): Promise<TeamsVerification>;
}

export async function startTeamsSandbox(o: { stores: number; workers: number; latencyMs: number; provisioningMs?: number }): Promise<TeamsSandboxChild> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'teams-sandbox-child.ts');
  const args = ['--stores', String(o.stores), '--workers', String(o.workers), '--latency-ms', String(o.latencyMs), ...(o.provisioningMs !== undefined ? ['--provisioning-ms', String(o.provisioningMs)] : [])];
  const c = await spawnLineChild<TeamsBenchInfo>(script, args, 'The Teams bench sandbox');
  return {
    ...c,
    setFaults: async (profiles) => void (await c.command({ faults: profiles })),
    verify: () => c.command<TeamsVerification>({ verify: true }),
  };
}
