/**
 * How the Commerce ⇄ Teams engine (and its CLI commands) reach the two services: a Commerce headquarters client
 * and a Microsoft Graph client, built either
 *  - from two connection profiles of the console's data folder (`--profile NAME` twice: one `commerce-hq`, one
 *    `graph`, told apart by kind), signing in with the profile's app credentials through main/connections; or
 *  - from `--sandbox-info FILE`: the first JSON line of `d365ic sandbox` (client-credentials tokens at
 *    identity.tokenEndpoint with clients.graph / clients.commerce and graph.scope / commerce.scope; graph.caFile
 *    trusted for the Graph origin only, through fetchTrustingCa).
 *
 * Shared by `d365ic teams check|plan|apply` and `d365ic teams mapping|hierarchy`:
 *   const { conn, rest } = parseTeamsConnectionArgs(argv);      // pulls --profile (repeated), --sandbox-info, --data-dir
 *   const c = await openTeamsConnection(conn, { env: io.env });  // TeamsConnection: { commerce, graph, close() }
 */
import { demoSandboxNotRunning, readDemoSandboxInfo, SANDBOX_AUTHORITY_HOST } from '../../connections/demo-sandbox';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ConnectionProfile } from '../../../preload/contract/core/connections';
import { CommerceClient } from '../../clients/commerce';
import { GraphClient, fetchTrustingCa } from '../../clients/graph';
import type { Connections } from '../../connections';
import { createConnections } from '../../connections';
import { isUserFlow } from '../../connections/model';
import { MsalAuth } from '../../auth/msal-auth';
import type { AuthorityRoute } from '../../auth';
import { openDatabase, type Db } from '../../db/database';
import { HttpClient, type FetchLike, type TokenProvider } from '../../http/client';
import { databaseFile, defaultDataDir, keyFile } from '../../platform/paths';
import type { Clock, Logger } from '../../ports';
import { systemClock } from '../../ports';
import { AppFailure } from '../../rpc/errors';
import { DbSecretStore } from '../../secrets/store';
import { KeyFileCipher } from '../../secrets/key-file-cipher';

/** The part of the `d365ic sandbox` JSON line the engine needs (other keys are ignored). */
export const teamsSandboxInfoSchema = z.object({
  identity: z.object({ tokenEndpoint: z.string().url() }).passthrough(),
  graph: z.object({ url: z.string().url(), scope: z.string().min(1), caFile: z.string().min(1).optional() }).passthrough(),
  commerce: z.object({ url: z.string().url(), scope: z.string().min(1) }).passthrough(),
  clients: z.object({
    graph: z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }),
    commerce: z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }),
  }).passthrough(),
}).passthrough();
export type TeamsSandboxInfo = z.infer<typeof teamsSandboxInfoSchema>;

export interface TeamsConnectionArgs {
  /** Names given with --profile (one Commerce headquarters and one Graph profile, any order). */
  profiles: string[];
  /** --sandbox-info FILE. */
  sandboxInfo: string | null;
  /** --data-dir DIR (profiles and the console database); default D365IC_DATA_DIR or the OS app-data folder. */
  dataDir: string | null;
}

export interface TeamsConnection {
  commerce: CommerceClient;
  graph: GraphClient;
  /** The Graph bearer header (the pre-flight reads the token's roles). */
  graphAuthorization(): Promise<string>;
  /** Where the clients point, for messages. */
  source: { kind: 'profiles'; commerce: string; graph: string } | { kind: 'sandbox-info'; file: string | null };
  /** The data folder (console database for the engine's own tables). */
  dataDir: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  env?: Record<string, string | undefined>;
  /** Waits between retries/polls (tests advance a sandbox clock instead of waiting). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  clock?: Clock;
  logger?: Logger;
  /** Graph client tuning (tests). */
  graph?: { pollStartMs?: number; pollMaxMs?: number; provisioningTimeoutMs?: number };
  /** Give up on a Retry-After longer than this (ms). Default 5 min. */
  maxRetryAfterMs?: number;
  /** Profiles: authority hosts answered by a loopback identity service (the sandbox). */
  routes?: AuthorityRoute[];
  /** Profiles: the fetch for Graph calls only (e.g. one trusting the Graph sandbox's CA). */
  graphFetch?: FetchLike;
}

export class TeamsUsageError extends Error {}

/** Pulls --profile (repeatable), --sandbox-info and --data-dir out of argv; the rest is the command's. */
export function parseTeamsConnectionArgs(argv: readonly string[]): { conn: TeamsConnectionArgs; rest: string[] } {
  const conn: TeamsConnectionArgs = { profiles: [], sandboxInfo: null, dataDir: null };
  const rest: string[] = [];
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new TeamsUsageError(`--${name} needs a value.`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq > 0 ? a.slice(2, eq) : a.slice(2)) : '';
    if (name === 'profile' || name === 'sandbox-info' || name === 'data-dir') {
      const v = eq > 0 ? a.slice(eq + 1) : value(i, name);
      if (eq < 0) i++;
      if (name === 'profile') conn.profiles.push(v);
      else if (name === 'sandbox-info') conn.sandboxInfo = v;
      else conn.dataDir = v;
    } else rest.push(a);
  }
  if (conn.sandboxInfo && conn.profiles.length) throw new TeamsUsageError('Use either --profile (twice) or --sandbox-info FILE, not both.');
  if (!conn.sandboxInfo && conn.profiles.length === 0) throw new TeamsUsageError('Say where to connect: --profile NAME twice (a Commerce headquarters and a Microsoft Graph profile) or --sandbox-info FILE (the first line of "d365ic sandbox").');
  if (conn.profiles.length > 2) throw new TeamsUsageError('Give at most two --profile options: one Commerce headquarters and one Microsoft Graph profile.');
  return { conn, rest };
}

export function dataDirOf(conn: Pick<TeamsConnectionArgs, 'dataDir'>, env: Record<string, string | undefined> = process.env): string {
  return conn.dataDir ?? env.D365IC_DATA_DIR ?? defaultDataDir(env);
}

export async function openTeamsConnection(conn: TeamsConnectionArgs, o: ConnectOptions = {}): Promise<TeamsConnection> {
  const dataDir = dataDirOf(conn, o.env);
  if (conn.sandboxInfo) {
    let text: string;
    try {
      text = readFileSync(conn.sandboxInfo, 'utf8');
    } catch (x) {
      throw new TeamsUsageError(`Cannot read --sandbox-info ${conn.sandboxInfo}: ${(x as Error).message}`);
    }
    return { ...connectSandboxInfo(parseSandboxInfo(text), o), source: { kind: 'sandbox-info', file: conn.sandboxInfo }, dataDir };
  }
  return connectProfileNames(conn.profiles, dataDir, o);
}

/** The first JSON line of the file (what `d365ic sandbox` prints first), validated. */
export function parseSandboxInfo(text: string): TeamsSandboxInfo {
  const line = text.split(/\r?\n/).find((l) => l.trim().startsWith('{'));
  let json: unknown;
  try {
    json = JSON.parse(line ?? '');
  } catch {
    throw new TeamsUsageError('The --sandbox-info file does not start with the JSON line "d365ic sandbox" prints.');
  }
  const r = teamsSandboxInfoSchema.safeParse(json);
  if (!r.success) throw new TeamsUsageError(`The --sandbox-info file lacks ${r.error.issues.map((i) => i.path.join('.')).join(', ')}.`);
  return r.data;
}

/** Client-credentials tokens from a token endpoint, cached until a minute before they expire. */
export function clientCredentials(tokenEndpoint: string, client: { clientId: string; clientSecret: string }, scope: string, clock: Clock = systemClock): TokenProvider {
  let cached: { header: string; until: number } | null = null;
  return {
    authorization: async ({ forceRefresh }) => {
      if (cached && !forceRefresh && cached.until > clock.now()) return cached.header;
      const r = await fetch(tokenEndpoint, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope }) });
      const b = (await r.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error_description?: string };
      if (!b.access_token) throw new AppFailure('AUTH_FAILED', `The token request for ${scope} failed: ${b.error_description ?? `HTTP ${r.status}`}`);
      cached = { header: `Bearer ${b.access_token}`, until: clock.now() + Math.max(0, (b.expires_in ?? 3600) - 60) * 1000 };
      return cached.header;
    },
  };
}

/** Both clients from the sandbox JSON line (the Graph CA trusted for the Graph origin only). */
export function connectSandboxInfo(info: TeamsSandboxInfo, o: ConnectOptions = {}): Omit<TeamsConnection, 'source' | 'dataDir'> & { source: TeamsConnection['source'] } {
  const clock = o.clock ?? systemClock;
  const graphFetch: FetchLike | undefined = info.graph.caFile ? fetchTrustingCa(readFileSync(info.graph.caFile, 'utf8')) : undefined;
  const graphAuth = clientCredentials(info.identity.tokenEndpoint, info.clients.graph, info.graph.scope, clock);
  const commerceAuth = clientCredentials(info.identity.tokenEndpoint, info.clients.commerce, info.commerce.scope, clock);
  return {
    ...buildClients(
      new HttpClient({ baseUrl: info.commerce.url, auth: commerceAuth, ...httpCommon(o) }),
      commerceAuth,
      new HttpClient({ baseUrl: info.graph.url, auth: graphAuth, ...(graphFetch ? { fetch: graphFetch } : {}), ...httpCommon(o) }),
      o,
    ),
    graphAuthorization: () => graphAuth.authorization({ forceRefresh: false }),
    source: { kind: 'sandbox-info', file: null },
    close: async () => undefined,
  };
}

function httpCommon(o: ConnectOptions) {
  return {
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    maxRetryAfterMs: o.maxRetryAfterMs ?? 5 * 60_000,
    timeoutMs: 60_000,
  };
}

function buildClients(commerceHttp: HttpClient, commerceAuth: TokenProvider, graphHttp: HttpClient, o: ConnectOptions): { commerce: CommerceClient; graph: GraphClient } {
  return {
    commerce: new CommerceClient({ http: commerceHttp, auth: commerceAuth, ...(o.sleep ? { sleep: o.sleep } : {}) }),
    graph: new GraphClient({ http: graphHttp, ...(o.sleep ? { sleep: o.sleep } : {}), ...(o.clock ? { clock: o.clock } : {}), ...o.graph }),
  };
}

/** Which profile is Commerce and which is Graph: told apart by kind. */
export function chooseTeamsProfiles(all: readonly ConnectionProfile[], names: readonly string[]): { commerce: ConnectionProfile; graph: ConnectionProfile } {
  let commerce: ConnectionProfile | undefined;
  let graph: ConnectionProfile | undefined;
  for (const name of names) {
    const p = all.find((x) => x.name === name) ?? all.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!p) throw new AppFailure('TEAMS_PROFILE_NOT_FOUND', `There is no connection profile named "${name}". Profiles: ${all.map((x) => `"${x.name}"`).join(', ') || 'none'}.`, { profile: name });
    if (p.kind === 'commerce-hq') {
      if (commerce && commerce.id !== p.id) throw new AppFailure('TEAMS_PROFILE_WRONG_KIND', `Both "${commerce.name}" and "${p.name}" are Commerce headquarters profiles: give one Commerce and one Microsoft Graph profile.`, { profile: p.name });
      commerce = p;
    } else if (p.kind === 'graph') {
      if (graph && graph.id !== p.id) throw new AppFailure('TEAMS_PROFILE_WRONG_KIND', `Both "${graph.name}" and "${p.name}" are Microsoft Graph profiles: give one Commerce and one Microsoft Graph profile.`, { profile: p.name });
      graph = p;
    } else throw new AppFailure('TEAMS_PROFILE_WRONG_KIND', `Connection "${p.name}" is a ${p.kind} profile; Teams commands need one Commerce headquarters and one Microsoft Graph profile.`, { profile: p.name });
  }
  if (!commerce || !graph) throw new AppFailure('TEAMS_PROFILE_NOT_FOUND', `Give a ${!commerce ? 'Commerce headquarters' : 'Microsoft Graph'} profile too (--profile NAME).`, { profile: '' });
  return { commerce, graph };
}

/** Both clients over existing console connections (the app's services use this; the CLI goes through connectProfileNames). */
export async function connectProfiles(connections: Connections, commerce: ConnectionProfile, graph: ConnectionProfile, o: ConnectOptions = {}): Promise<Pick<TeamsConnection, 'commerce' | 'graph' | 'graphAuthorization'>> {
  for (const p of [commerce, graph]) {
    const { homeAccountId } = await connections.store.get(p.id);
    if (isUserFlow(p.authMethod) && !homeAccountId)
      throw new AppFailure('TEAMS_PROFILE_SIGN_IN_REQUIRED', `Connection "${p.name}" signs in as a user and is not signed in. Sign in once in the console, or use a profile with a client secret or certificate.`, { profile: p.name });
  }
  const commerceUrl = (commerce.url ?? '').replace(/\/+$/, '').replace(/\/data$/i, '');
  const graphRoot = `${(graph.url ?? 'https://graph.microsoft.com').replace(/\/+$/, '').replace(/\/v1\.0$/, '')}/v1.0`;
  const commerceHttp = await connections.httpClientFor(commerce.id, { baseUrl: commerceUrl, ...httpCommon(o) });
  const graphHttp = await connections.httpClientFor(graph.id, { baseUrl: graphRoot, ...httpCommon(o), ...(o.graphFetch ? { fetch: o.graphFetch } : {}) });
  const graphAuth = connections.sessions.tokenProvider(graph.id);
  return {
    ...buildClients(commerceHttp, connections.sessions.tokenProvider(commerce.id), graphHttp, o),
    graphAuthorization: () => graphAuth.authorization({ forceRefresh: false }),
  };
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Profiles by name from the console's data folder (its SQLite store and key-file secrets, as `d365ic host` uses). */
export async function connectProfileNames(names: readonly string[], dataDir: string, o: ConnectOptions = {}): Promise<TeamsConnection> {
  if (!existsSync(databaseFile(dataDir)))
    throw new AppFailure('TEAMS_PROFILE_NOT_FOUND', `There is no console data in ${dataDir}. Create the connections in the console first, or pass --data-dir with the folder it uses.`, { profile: '' });
  // The "Demo sandbox · …" profiles sign in through an authority host only the running console maps onto its
  // sandbox (and its Graph speaks HTTPS with the data folder's CA): the console says where in demo-sandbox.json.
  const demo = o.routes ? null : readDemoSandboxInfo(dataDir);
  const routes = o.routes ?? (demo ? [{ authorityHost: SANDBOX_AUTHORITY_HOST, target: demo.identityUrl }] : undefined);
  const { db } = openDatabase(databaseFile(dataDir));
  try {
    const secrets = new DbSecretStore(db, new KeyFileCipher(keyFile(dataDir)));
    const logger = o.logger ?? quiet;
    const connections = createConnections({
      db, secrets, logger,
      auth: new MsalAuth({ secrets, logger, ...(routes ? { routes } : {}) }),
      browser: { openExternal: async () => { throw new AppFailure('AUTH_REQUIRED', 'The CLI never opens a sign-in window.'); } },
      emit: (() => undefined) as never,
      ...(o.clock ? { clock: o.clock } : {}),
    });
    const chosen = chooseTeamsProfiles(await connections.store.list(), names);
    let graphFetch = o.graphFetch;
    for (const p of [chosen.commerce, chosen.graph]) {
      if (p.app?.authorityHost !== SANDBOX_AUTHORITY_HOST || o.routes) continue;
      if (!demo) throw new AppFailure('SYNC_DEMO_SANDBOX_NOT_RUNNING', demoSandboxNotRunning(p.name, dataDir), { profile: p.name });
      if (p === chosen.graph && !graphFetch && demo.graphCaFile) graphFetch = fetchTrustingCa(readFileSync(demo.graphCaFile, 'utf8'));
    }
    const clients = await connectProfiles(connections, chosen.commerce, chosen.graph, { ...o, ...(graphFetch ? { graphFetch } : {}) });
    return { ...clients, source: { kind: 'profiles', commerce: chosen.commerce.name, graph: chosen.graph.name }, dataDir, close: async () => void db.close() };
  } catch (x) {
    db.close();
    throw x;
  }
}

/** The engine's database: --db FILE, else the console's own database in the data folder (created when missing). */
export function openTeamsDatabase(file: string | null, dataDir: string): Db {
  const target = file ?? databaseFile(dataDir);
  if (!file) mkdirSync(dataDir, { recursive: true });
  return openDatabase(target).db;
}
