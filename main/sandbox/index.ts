/**
 * Sandbox orchestrator: starts the identity service first (the others need its `authenticate`), then Dataverse and
 * Business Central, and describes the result as `SandboxInfo` — the exact JSON object `d365ic sandbox` prints.
 * Port N means identity on N, Dataverse on N+1, Business Central on N+2; 0 picks free ports.
 */
import { z } from 'zod';
import type { Knobs } from './common/knobs';
import { SANDBOX_CLIENTS, SANDBOX_USERS } from './directory';
import type { DataverseService } from './dataverse';
import { startDataverse } from './dataverse';
import type { IdentityService } from './identity';
import { startIdentity } from './identity';
import type { BusinessCentralService } from './bc';
import { startBusinessCentral } from './bc';
import { generateDataverseDemoData } from './seed';
import type { Clock } from '../ports';

export const sandboxInfoSchema = z
  .object({
    identity: z.object({ authority: z.url(), tokenEndpoint: z.url() }).strict(),
    dataverse: z.object({ url: z.url(), apiBase: z.url().refine((s) => s.endsWith('/api/data/v9.2'), 'must end in /api/data/v9.2') }).strict(),
    businessCentral: z.object({ apiBase: z.url(), tenant: z.string().min(1), environment: z.string().min(1), companyId: z.string().min(1) }).strict(),
    clients: z.object({ integration: z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict() }).strict(),
    users: z.array(z.object({ username: z.string().min(1), password: z.string().min(1), roles: z.array(z.string()) }).strict()),
  })
  .strict();
export type SandboxInfo = z.infer<typeof sandboxInfoSchema>;

export interface SandboxOptions {
  port?: number;
  seed?: 'demo' | 'bench';
  records?: number;
  latencyMs?: number;
  faultRate?: number;
  faultSeed?: number;
  bcVersion?: 14 | 15 | 16 | 24;
  /** Time of all three services (token lifetimes, modifiedon/SystemModifiedAt stamps); tests pass one they can advance. */
  clock?: Clock;
}

export interface Sandbox {
  info: SandboxInfo;
  identity: IdentityService;
  dataverse: DataverseService;
  businessCentral: BusinessCentralService;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const base = opts.port ?? 0;
  if (!Number.isInteger(base) || base < 0 || base > 65533) throw new Error(`Sandbox port must be 0 (random) or a number from 1 to 65533 (it uses N, N+1 and N+2); got ${base}.`);
  if (opts.faultRate !== undefined && !(opts.faultRate >= 0 && opts.faultRate <= 1)) throw new Error(`Fault rate must be between 0 and 1; got ${opts.faultRate}.`);
  if (opts.latencyMs !== undefined && !(Number.isInteger(opts.latencyMs) && opts.latencyMs >= 0)) throw new Error(`Latency must be a whole number of milliseconds ≥ 0; got ${opts.latencyMs}.`);
  const portFor = (offset: number) => (base === 0 ? 0 : base + offset);
  const clock = opts.clock ? { clock: () => opts.clock!.now() } : {};
  const knobs: Partial<Knobs> = {
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.faultRate !== undefined ? { faultRate: opts.faultRate } : {}),
    ...(opts.faultSeed !== undefined ? { faultSeed: opts.faultSeed } : {}),
  };

  const started: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    // Reverse order: resource servers first, the authority last.
    const results = await Promise.allSettled(started.reverse().map((s) => s.close()));
    started.length = 0;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    const identity = await part('identity service', portFor(0), () => startIdentity({ port: portFor(0), ...clock }));
    started.push(identity);
    const dataverse = await part('Dataverse', portFor(1), () => startDataverse({
      port: portFor(1), authenticate: identity.authenticate, knobs, authority: identity.authority, ...clock,
      // Dataverse has no benchmark generator of its own: a bench run still needs the demo users and roles.
      seed: 'demo',
      // The demo Sales org already has some of the retailer's customers (same names) and a few Sales-only accounts,
      // so match-based coupling and "both sides have data" recommendations can be tried.
      ...(opts.seed !== 'bench' ? { masterData: generateDataverseDemoData(1) as never } : {}),
    }));
    started.push(dataverse);
    const businessCentral = await part('Business Central', portFor(2), () => startBusinessCentral({
      port: portFor(2), authenticate: identity.authenticate, knobs, seed: opts.seed ?? 'demo', ...clock,
      ...(opts.records !== undefined ? { records: opts.records } : {}),
      ...(opts.bcVersion !== undefined ? { version: opts.bcVersion } : {}),
    }));
    started.push(businessCentral);

    const integration = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential' && c.clientSecret);
    if (!integration?.clientSecret) throw new Error('directory.ts has no confidential client with a secret; the sandbox cannot offer client-credentials sign-in.');
    const info = sandboxInfoSchema.parse({
      identity: { authority: identity.authority, tokenEndpoint: identity.tokenEndpoint },
      dataverse: { url: dataverse.url, apiBase: dataverse.apiBase },
      businessCentral: { apiBase: businessCentral.apiBase, tenant: businessCentral.tenant, environment: businessCentral.environment, companyId: businessCentral.companyId },
      clients: { integration: { clientId: integration.clientId, clientSecret: integration.clientSecret } },
      users: SANDBOX_USERS.filter((u) => u.kind !== 'application' && u.password).map((u) => ({ username: u.username, password: u.password, roles: [...u.roles] })),
    } satisfies SandboxInfo);
    return { info, identity, dataverse, businessCentral, close: closeAll };
  } catch (x) {
    await closeAll().catch(() => undefined);
    throw x;
  }
}

/** Name the part and port in start failures: "port in use" alone does not say which of the three services failed. */
async function part<T>(name: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (x) {
    const where = port === 0 ? 'a free port' : `port ${port}`;
    throw new Error(`The sandbox ${name} could not start on ${where}: ${(x as Error).message}`, { cause: x });
  }
}
