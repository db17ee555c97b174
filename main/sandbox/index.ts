/**
 * Sandbox orchestrator: starts the identity service first (the others need its `authenticate`), then Dataverse,
 * Business Central, Microsoft Graph (HTTPS, sandbox CA) and Commerce headquarters, and describes the result as
 * `SandboxInfo` — the exact JSON object `d365ic sandbox` prints.
 * Port N means identity on N, Dataverse on N+1, Business Central on N+2, Graph on N+3, Commerce on N+4; 0 picks
 * free ports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { Knobs } from './kernel/knobs';
import { COMMERCE_TEAMS_PERSONAS, FINDING_CASES } from './commerce-teams-personas';
import { COMMERCE_CLIENT, GRAPH_CLIENT, PERSONA_USERS, SANDBOX_CLIENTS, SANDBOX_USERS } from './directory';
import type { SandboxUser } from './directory';
import type { DataverseService } from './dataverse';
import { startDataverse } from './dataverse';
import type { IdentityService } from './identity';
import { startIdentity } from './identity';
import type { BusinessCentralService } from './bc';
import { startBusinessCentral } from './bc';
import { generateDataverseDemoData } from './seed';
import { startHost } from './kernel';
import type { SandboxHost } from './kernel';
import { GRAPH_SCOPE, startGraph } from './graph';
import type { GraphService } from './graph';
// Importing the module registers the 'commerce' service in the kernel registry.
import type { CommerceService } from './commerce';
import './commerce';
import { createPosSimulator } from './pos';
import type { PosSimulator } from './pos';
import { OPERATIONS_RESOURCE } from './identity/scopes';
import type { Clock } from '../ports';

const clientSchema = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict();

export const sandboxInfoSchema = z
  .object({
    identity: z.object({ authority: z.url(), tokenEndpoint: z.url() }).strict(),
    dataverse: z.object({ url: z.url(), apiBase: z.url().refine((s) => s.endsWith('/api/data/v9.2'), 'must end in /api/data/v9.2') }).strict(),
    businessCentral: z.object({ apiBase: z.url(), tenant: z.string().min(1), environment: z.string().min(1), companyId: z.string().min(1) }).strict(),
    graph: z.object({
      url: z.url().refine((s) => s.startsWith('https://') && s.endsWith('/v1.0'), 'must be https:// and end in /v1.0'),
      betaUrl: z.url().refine((s) => s.startsWith('https://') && s.endsWith('/beta'), 'must be https:// and end in /beta'),
      scope: z.string().endsWith('/.default'),
      caFile: z.string().refine((s) => isAbsolute(s), 'must be an absolute path'),
    }).strict(),
    commerce: z.object({ url: z.url(), scope: z.string().endsWith('/.default') }).strict(),
    clients: z.object({ integration: clientSchema, graph: clientSchema, commerce: clientSchema }).strict(),
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
  /** Time of all services (token lifetimes, modifiedon/SystemModifiedAt stamps); tests pass one they can advance. */
  clock?: Clock;
  /**
   * Data folder: the Graph sandbox's CA lives in `<dataDir>/sandbox-tls/` and is reused across runs (trust its
   * `caFile` once). Without one, a fresh temporary folder holds a new CA for this run and is removed on close.
   */
  dataDir?: string;
  /** Commerce headquarters seed: the demo retailer (default) or the bench seed of 1,000 stores × 30 workers. */
  commerceSeed?: 'demo' | 'bench';
}

export interface Sandbox {
  info: SandboxInfo;
  identity: IdentityService;
  dataverse: DataverseService;
  businessCentral: BusinessCentralService;
  /** Microsoft Graph (directory, Teams, Planner) on its own HTTPS host (`graph.host.caPem` is the CA to trust). */
  graph: GraphService & { host: SandboxHost };
  /** Commerce headquarters (F&O OData) on its own loopback HTTP host; `url` is the environment URL (token audience). */
  commerce: CommerceService & { host: SandboxHost; url: string };
  /** A store's POS with Planner, as a store user (main/sandbox/pos; admin routes /_sandbox/pos on the Commerce host). */
  pos: PosSimulator;
  close(): Promise<void>;
}

/** Personas shown with the demo users (the JSON line and the Demo sandbox page); every persona can sign in. */
export const DEMO_PERSONAS: SandboxUser[] = [
  COMMERCE_TEAMS_PERSONAS.find((p) => p.kind === 'regional-manager')!.upn,
  FINDING_CASES.regionalManagerWithoutRole,
  COMMERCE_TEAMS_PERSONAS.find((p) => p.kind === 'store-manager')!.upn,
  COMMERCE_TEAMS_PERSONAS.find((p) => p.kind === 'worker' && p.accountEnabled && p.teamsLicensed)!.upn,
].map((upn) => PERSONA_USERS.find((u) => u.username === upn)!);

const PERSONA_ROLE: Record<string, string> = { 'regional-manager': 'Commerce regional manager', 'store-manager': 'Commerce store manager', worker: 'Commerce store worker' };

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const base = opts.port ?? 0;
  if (!Number.isInteger(base) || base < 0 || base > 65531) throw new Error(`Sandbox port must be 0 (random) or a number from 1 to 65531 (it uses N to N+4: identity, Dataverse, Business Central, Graph, Commerce); got ${base}.`);
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

    // Graph: HTTPS with the per-data-folder CA (the official Graph client only talks to https:// hosts).
    const tlsDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'd365ic-sandbox-'));
    if (!opts.dataDir) started.unshift({ close: async () => rmSync(tlsDir, { recursive: true, force: true }) });
    const hostClock = opts.clock ? { clock: () => opts.clock!.now() } : {};
    const graphHost = await part('Microsoft Graph', portFor(3), () => startHost({ port: portFor(3), https: { dataDir: tlsDir }, authenticate: identity.authenticate, knobs, ...hostClock }));
    started.push(graphHost);
    const graph = Object.assign(await startGraph(graphHost, { seed: 'demo' }), { host: graphHost });

    // Commerce headquarters: plain HTTP on loopback (the contract allows it); the environment URL is the host origin.
    const commerceHost = await part('Commerce headquarters', portFor(4), () => startHost({ port: portFor(4), authenticate: identity.authenticate, knobs, ...hostClock }));
    started.push(commerceHost);
    const commerceService = (await commerceHost.start('commerce', { seed: opts.commerceSeed ?? 'demo' })) as CommerceService;
    const commerce = Object.assign(commerceService, { host: commerceHost, url: commerceHost.origin });
    // Its tokens carry the F&O delegated permissions (AX.FullAccess, Odata.FullAccess, …) rather than Dataverse's.
    identity.authorityState.registerResource(commerce.url, OPERATIONS_RESOURCE);

    const integration = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential' && c.clientSecret);
    if (!integration?.clientSecret) throw new Error('directory.ts has no confidential client with a secret; the sandbox cannot offer client-credentials sign-in.');
    const info = sandboxInfoSchema.parse({
      identity: { authority: identity.authority, tokenEndpoint: identity.tokenEndpoint },
      dataverse: { url: dataverse.url, apiBase: dataverse.apiBase },
      businessCentral: { apiBase: businessCentral.apiBase, tenant: businessCentral.tenant, environment: businessCentral.environment, companyId: businessCentral.companyId },
      graph: { url: `${graphHost.origin}/v1.0`, betaUrl: `${graphHost.origin}/beta`, scope: GRAPH_SCOPE, caFile: graphHost.caFile! },
      commerce: { url: commerce.url, scope: `${commerce.url}/.default` },
      clients: {
        integration: { clientId: integration.clientId, clientSecret: integration.clientSecret },
        graph: { clientId: GRAPH_CLIENT.clientId, clientSecret: GRAPH_CLIENT.clientSecret! },
        commerce: { clientId: COMMERCE_CLIENT.clientId, clientSecret: COMMERCE_CLIENT.clientSecret! },
      },
      users: [
        ...SANDBOX_USERS.filter((u) => u.kind !== 'application' && u.password).map((u) => ({ username: u.username, password: u.password, roles: [...(u.dataverse?.roles ?? [])] })),
        ...DEMO_PERSONAS.map((u) => ({ username: u.username, password: u.password, roles: [PERSONA_ROLE[u.kind]!] })),
      ],
    } satisfies SandboxInfo);
    const pos = createPosSimulator({ store: commerce.store, tokenEndpoint: info.identity.tokenEndpoint, graphUrl: info.graph.url, graphCaPem: graphHost.caPem! });
    commerceHost.mount(pos.service, ['/_sandbox/pos']);
    return { info, identity, dataverse, businessCentral, graph, commerce, pos, close: closeAll };
  } catch (x) {
    await closeAll().catch(() => undefined);
    throw x;
  }
}

/** Name the part and port in start failures: "port in use" alone does not say which of the services failed. */
async function part<T>(name: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (x) {
    const where = port === 0 ? 'a free port' : `port ${port}`;
    throw new Error(`The sandbox ${name} could not start on ${where}: ${(x as Error).message}`, { cause: x });
  }
}
