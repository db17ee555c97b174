/** Bench plumbing: the sandbox child process, connected sides, a SQLite file for the engine, RSS sampling. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { SandboxInfo } from '../../main/sandbox/index';
import { spawnLineChild, type LineChild } from './line-child';
import { BC_RESOURCE, clientCredentials, connectSides, type ConnectedSides } from '../../main/integrations/sales/sync/adapters/connect';

export { argNumber, TSX_ARGS } from './line-child';

/** The Sales sandbox child; `command` = one preparation command (see sandbox-child.ts). */
export type SandboxChild = LineChild<SandboxInfo>;

export async function startSandboxChild(args: string[]): Promise<SandboxChild> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sandbox-child.ts');
  return spawnLineChild<SandboxInfo>(script, args, 'The sandbox process');
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

