/**
 * Microsoft Graph sandbox (directory, Teams, Planner) on the sandbox kernel. See docs/sandbox-graph.md.
 *
 *   const host = await startHost({ https: { dataDir }, authenticate: identity.authenticate });
 *   const graph = await startGraph(host, { seed: 'demo' });   // mounts /v1.0, /beta and /_sandbox/graph
 *
 * Importing this module registers the service as 'graph' in the kernel registry.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAuthFailure } from '../auth';
import { registerService, sendJson } from '../kernel';
import type { KernelContext, SandboxHost, SandboxService } from '../kernel';
import { routeDirectory } from './directory';
import type { DirectoryEnv } from './directory';
import { routePlanner } from './planner';
import { GraphState, seedGraph } from './state';
import { GraphFault, errorBody, fault, newId, segments } from './wire';
import type { Call, Reply } from './wire';

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
export const GRAPH_SCOPE = `${GRAPH_AUDIENCE}/.default`;
export const GRAPH_PREFIXES = ['/v1.0', '/beta', '/_sandbox/graph'];

export interface GraphOptions {
  seed?: 'demo' | 'empty';
  /** Team provisioning time (ms of sandbox time) for POST /teams operations. Default 5000. */
  teamProvisioningMs?: number;
  /** Route throttling with Graph's published figures. Default true. */
  throttling?: boolean;
}

export interface GraphService extends SandboxService {
  state: GraphState;
  settings: { teamProvisioningMs: number; throttling: boolean };
  /** Requests answered 429 by the route buckets. */
  stats: { throttled: number };
}

/** Graph's published limits, per app (and per team where Graph says so). */
export const THROTTLE_RULES = {
  teamCreate: { capacity: 6, windowMs: 1000, what: 'team creation (6 requests per second per app per tenant)' },
  perTeam: { capacity: 4, windowMs: 1000, what: 'requests to one team (4 per second per app)' },
  teamsApp: { capacity: 15000, windowMs: 10_000, what: 'Teams requests (15,000 per 10 seconds per app per tenant)' },
  directoryWrite: { capacity: 3000, windowMs: 150_000, what: 'directory writes (3,000 per 150 seconds per app per tenant)' },
  global: { capacity: 2000, windowMs: 1000, what: 'all requests (2,000 per second per app)' },
} as const;

class Buckets {
  private tokens = new Map<string, { tokens: number; at: number; blockedUntil: number }>();
  /** 0 = allowed, else seconds to wait. A request inside a Retry-After window extends it (early-retry punishment). */
  take(key: string, capacity: number, windowMs: number, now: number): number {
    const b = this.tokens.get(key) ?? { tokens: capacity, at: now, blockedUntil: 0 };
    this.tokens.set(key, b);
    // Retrying more than 100 ms before Retry-After has passed is "early" (timers may fire a hair before the second).
    if (now < b.blockedUntil - 100) {
      b.blockedUntil += 1000;
      return Math.ceil((b.blockedUntil - now) / 1000);
    }
    b.tokens = Math.min(capacity, b.tokens + ((now - b.at) * capacity) / windowMs);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    const wait = Math.max(1, Math.ceil(((1 - b.tokens) * windowMs) / capacity / 1000));
    b.blockedUntil = now + wait * 1000;
    return wait;
  }
  clear(): void {
    this.tokens.clear();
  }
}

function defineProfiles(ctx: KernelContext): void {
  const d = ctx.faults.define;
  d({ name: 'replication-lag', description: 'A newly created group is 404 to the Teams endpoints for N seconds (directory replication).', defaults: { seconds: 60 } });
  d({ name: 'lying-404', description: 'Teamifying a group answers 404 but succeeds; the retry gets 409 "Team already exists".', defaults: {} });
  d({ name: 'throttle-heavy', description: "Graph's throttling limits divided by a factor (429 + Retry-After much sooner).", defaults: { factor: 10 } });
  d({ name: 'members-add-502', description: 'POST /teams/{id}/members/add answers 502 "Failed to execute backend request." (single adds still work).', defaults: {} });
  d({ name: 'licence-missing', description: 'Adding a user without a Teams licence to a team fails ("Failed to retrieve appliable Sku categories for the user").', defaults: {} });
}

const AGS_DIAGNOSTIC = JSON.stringify({ ServerInfo: { DataCenter: 'Sandbox', Slice: 'E', Ring: '1', ScaleUnit: '000', RoleInstance: 'LOCAL' } });
const READ_DIR = ['Directory.Read.All', 'Directory.ReadWrite.All'];
/** Application permissions (any one suffices) per route family, as Graph's permission tables list them. */
export function requiredAppRoles(method: string, segs: string[]): string[] | null {
  const write = method !== 'GET';
  const [a, , c] = segs;
  if (a === '$batch' || a === 'me') return null;
  if (a === 'organization') return write ? ['Organization.ReadWrite.All', 'Directory.ReadWrite.All'] : ['Organization.Read.All', 'Organization.ReadWrite.All', ...READ_DIR];
  if (a === 'planner' || c === 'planner') return ['Tasks.ReadWrite.All', 'Group.ReadWrite.All'];
  if (a === 'users') return write ? ['User.ReadWrite.All', 'Directory.ReadWrite.All'] : ['User.Read.All', 'User.ReadWrite.All', ...READ_DIR];
  if (a === 'groups' && c === 'team') return write ? ['Team.Create', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'] : ['Team.ReadBasic.All', 'Group.Read.All', 'Group.ReadWrite.All', ...READ_DIR];
  if (a === 'groups') return write ? [...(segs.length === 1 && method === 'POST' ? ['Group.Create'] : []), 'Group.ReadWrite.All', 'Directory.ReadWrite.All'] : ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', ...READ_DIR];
  if (a === 'teams' && segs.length === 1 && write) return ['Team.Create', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];
  if (a === 'teams' && c === 'members') return write ? ['TeamMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'] : ['TeamMember.Read.All', 'TeamMember.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', ...READ_DIR];
  if (a === 'teams' && c === 'channels') return write ? ['Channel.Create', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'] : ['Channel.ReadBasic.All', 'Group.Read.All', 'Group.ReadWrite.All', ...READ_DIR];
  if (a === 'teams') return write ? ['TeamSettings.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'] : ['Team.ReadBasic.All', 'TeamSettings.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', ...READ_DIR];
  return null;
}

/** App tokens must carry one of the route's application roles (`roles` claim); delegated tokens are not checked yet. */
function checkRoles(call: Call): void {
  if (call.principal.kind !== 'app') return;
  const need = requiredAppRoles(call.method, call.segs);
  if (!need || need.some((r) => call.principal.scopes.includes(r))) return;
  throw fault(403, 'Authorization_RequestDenied', `Insufficient privileges to complete the operation. The application needs one of these application permissions with admin consent: ${need.join(', ')}.`);
}

async function createGraph(ctx: KernelContext, opts: GraphOptions = {}): Promise<GraphService> {
  const state = new GraphState();
  if ((opts.seed ?? 'demo') === 'demo') seedGraph(state, ctx.clock.now());
  const settings = { teamProvisioningMs: opts.teamProvisioningMs ?? 5000, throttling: opts.throttling ?? true };
  defineProfiles(ctx);
  const buckets = new Buckets();
  /** Requests answered 429 by the route buckets (so tests can see that a client retried). */
  const stats = { throttled: 0 };
  const env: DirectoryEnv = { state, now: () => ctx.clock.now(), faults: ctx.faults, provisioningMs: () => settings.teamProvisioningMs };

  function throttle(call: Call): void {
    if (!settings.throttling) return;
    const heavy = ctx.faults.active('throttle-heavy');
    const factor = heavy ? Math.max(1, Number(heavy.factor)) : 1;
    const app = call.principal.appId || call.principal.objectId;
    const now = ctx.clock.now();
    const s = call.segs;
    const checks: [string, { capacity: number; windowMs: number; what: string }][] = [[`g:${app}`, THROTTLE_RULES.global]];
    const write = call.method !== 'GET';
    if ((s[0] === 'teams' && s.length === 1 && call.method === 'POST') || (s[0] === 'groups' && s[2] === 'team' && call.method === 'PUT')) checks.push([`tc:${app}`, THROTTLE_RULES.teamCreate]);
    if (s[0] === 'teams' && s[1]) checks.push([`t:${app}:${s[1]}`, THROTTLE_RULES.perTeam]);
    if (s[0] === 'teams') checks.push([`ta:${app}`, THROTTLE_RULES.teamsApp]);
    if (write && (s[0] === 'users' || s[0] === 'groups')) checks.push([`dw:${app}`, THROTTLE_RULES.directoryWrite]);
    for (const [key, rule] of checks) {
      const wait = buckets.take(key, Math.max(1, Math.floor(rule.capacity / factor)), rule.windowMs, now);
      if (wait > 0) stats.throttled++;
      if (wait > 0) throw fault(429, 'TooManyRequests', `Too many requests: the limit for ${rule.what} was exceeded. Retry after ${wait} seconds (Retry-After); an earlier retry extends the wait.`, { 'Retry-After': String(wait) });
    }
  }

  async function dispatch(call: Call): Promise<Reply> {
    checkRoles(call);
    throttle(call);
    if (call.segs[0] === '$batch') return batch(call);
    const r = routePlanner(env, call) ?? routeDirectory(env, call);
    if (r) return r;
    throw fault(400, 'BadRequest', `Resource not found for the segment '${call.segs[0] ?? ''}' or method ${call.method} (the Graph sandbox implements users, groups, teams, planner and $batch).`);
  }

  async function run(call: Call): Promise<Reply> {
    try {
      return await dispatch(call);
    } catch (x) {
      if (x instanceof GraphFault) return { status: x.status, headers: x.headers, body: { error: { code: x.code, message: x.message } } };
      throw x;
    }
  }

  async function batch(call: Call): Promise<Reply> {
    if (call.method !== 'POST') throw fault(405, 'BadRequest', 'Use POST for $batch.');
    const b = call.body as { requests?: unknown };
    if (typeof b !== 'object' || b === null || !Array.isArray(b.requests)) throw fault(400, 'BadRequest', "Send {'requests': [ {id, method, url, headers?, body?, dependsOn?} ]}.");
    const reqs = b.requests as Record<string, unknown>[];
    if (reqs.length === 0) throw fault(400, 'BadRequest', 'The batch contains no requests.');
    if (reqs.length > 20) throw fault(400, 'BadRequest', 'The batch contains more than 20 requests: send at most 20 per $batch.');
    const ids = new Set<string>();
    for (const r of reqs) {
      if (typeof r !== 'object' || r === null || typeof r.id !== 'string' || typeof r.method !== 'string' || typeof r.url !== 'string')
        throw fault(400, 'BadRequest', 'Each batch request needs string id, method and url.');
      if (ids.has(r.id)) throw fault(400, 'BadRequest', `Batch request ids must be unique: '${r.id}' appears more than once.`);
      ids.add(r.id);
      const h = (r.headers ?? {}) as Record<string, string>;
      if (r.body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
        throw fault(400, 'BadRequest', `Request '${r.id}': a body requires a Content-Type header in the request's headers.`);
      for (const dep of (r.dependsOn ?? []) as string[]) if (!reqs.some((o) => o.id === dep)) throw fault(400, 'BadRequest', `Request '${r.id}' depends on unknown request '${dep}'.`);
    }
    const results = new Map<string, { id: string; status: number; headers: Record<string, string>; body?: unknown }>();
    const pending = [...reqs];
    while (pending.length) {
      const i = pending.findIndex((r) => ((r.dependsOn ?? []) as string[]).every((d) => results.has(d)));
      if (i < 0) throw fault(400, 'BadRequest', 'The batch has a dependency cycle.');
      const r = pending.splice(i, 1)[0]!;
      const id = r.id as string;
      const failedDep = ((r.dependsOn ?? []) as string[]).find((d) => results.get(d)!.status >= 400);
      if (failedDep) {
        results.set(id, { id, status: 424, headers: { 'Content-Type': 'application/json' }, body: { error: { code: 'FailedDependency', message: `Dependent request '${failedDep}' failed; this request was not run.` } } });
        continue;
      }
      const headers = Object.fromEntries(Object.entries((r.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), String(v)]));
      const url = new URL((r.url as string).replace(/^https?:\/\/[^/]+/, '').replace(/^\/?(v1\.0|beta)(?=\/)/, ''), 'http://x/');
      const inner: Call = { method: (r.method as string).toUpperCase(), segs: segments(url.pathname), path: url.pathname, query: url.searchParams, headers, body: r.body, principal: call.principal, base: call.base };
      const rep = await run(inner);
      const out: { id: string; status: number; headers: Record<string, string>; body?: unknown } = { id, status: rep.status, headers: { ...(rep.headers ?? {}) } };
      if (rep.body !== undefined) {
        out.headers['Content-Type'] = 'application/json';
        out.body = rep.status >= 400 ? withInner(rep.body, call) : rep.body;
      }
      results.set(id, out);
    }
    return { status: 200, body: { responses: [...results.values()] } };
  }

  const withInner = (body: unknown, call: Call) => {
    const e = (body as { error?: { code: string; message: string } }).error;
    if (!e) return body;
    return errorBody(e.code, e.message, call.headers['request-id'] ?? newId(), call.headers['client-request-id'] ?? '', new Date(ctx.clock.now()).toISOString().replace(/\.\d+Z$/, ''));
  };

  async function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const u = new URL(req.url ?? '/', ctx.origin);
    if (u.pathname.startsWith('/_sandbox/graph')) return admin(req, res, raw);
    const requestId = newId();
    const clientRequestId = (req.headers['client-request-id'] as string | undefined) ?? newId();
    const date = new Date(ctx.clock.now());
    const common: Record<string, string> = {
      'request-id': requestId,
      'client-request-id': clientRequestId,
      'x-ms-ags-diagnostic': AGS_DIAGNOSTIC,
      'Strict-Transport-Security': 'max-age=31536000',
      Date: date.toUTCString(),
    };
    const fail = (status: number, code: string, message: string, extra: Record<string, string> = {}) =>
      sendJson(res, status, errorBody(code, message, requestId, clientRequestId, date.toISOString().replace(/\.\d+Z$/, '')), { ...common, ...extra });
    const vm = /^\/(v1\.0|beta)(\/.*)?$/.exec(u.pathname);
    if (!vm) return fail(404, 'BadRequest', `Invalid version: the path must start with /v1.0 or /beta.`);
    const principal = ctx.authenticate(req, GRAPH_AUDIENCE);
    if (isAuthFailure(principal)) {
      const empty = principal.error === 'missing_token';
      return fail(401, 'InvalidAuthenticationToken', empty ? 'Access token is empty.' : principal.description, { 'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token"` });
    }
    let body: unknown;
    if (raw.length > 0) {
      const ct = String(req.headers['content-type'] ?? '');
      if (!/json/i.test(ct)) return fail(415, 'BadRequest', 'Send the request body as JSON with Content-Type: application/json.');
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return fail(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
      }
    }
    const path = vm[2] ?? '/';
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    const call: Call = { method: req.method ?? 'GET', segs: segments(path), path, query: u.searchParams, headers: { ...headers, 'request-id': requestId, 'client-request-id': clientRequestId }, body, principal, base: `${ctx.origin}/${vm[1]}` };
    const rep = await run(call);
    if (rep.status >= 400) {
      const e = (rep.body as { error: { code: string; message: string } }).error;
      return fail(rep.status, e.code, e.message, rep.headers ?? {});
    }
    if (rep.emptyJson) {
      res.writeHead(rep.status, { ...common, ...rep.headers, 'Content-Type': 'application/json', 'Content-Length': '0' });
      return void res.end();
    }
    if (rep.body === undefined) {
      res.writeHead(rep.status, { ...common, ...rep.headers });
      return void res.end();
    }
    sendJson(res, rep.status, rep.body, { ...common, ...rep.headers, 'Content-Type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8' });
  }

  /** GET /_sandbox/graph (state summary, settings), PATCH /_sandbox/graph {teamProvisioningMs, throttling}, POST /_sandbox/graph/reset-throttling. */
  async function admin(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const u = new URL(req.url ?? '/', ctx.origin);
    const summary = () => ({
      settings,
      stats,
      counts: { users: state.users.size, groups: state.groups.size, teams: [...state.groups.values()].filter((g) => g.team).length, plans: state.plans.size, tasks: state.tasks.size },
      faultProfiles: ctx.faults.defined().map((d) => ({ ...d, active: ctx.faults.active(d.name) ?? null })),
      throttleRules: THROTTLE_RULES,
    });
    if (u.pathname === '/_sandbox/graph' && req.method === 'GET') return sendJson(res, 200, summary());
    if (u.pathname === '/_sandbox/graph' && req.method === 'PATCH') {
      let p: Record<string, unknown>;
      try {
        p = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return sendJson(res, 400, { error: { code: 'BadRequest', message: 'Send a JSON object.' } });
      }
      for (const k of Object.keys(p)) if (!['teamProvisioningMs', 'throttling'].includes(k)) return sendJson(res, 400, { error: { code: 'BadRequest', message: `Unknown setting '${k}'. Settings: teamProvisioningMs, throttling.` } });
      if (p.teamProvisioningMs !== undefined) {
        if (typeof p.teamProvisioningMs !== 'number' || p.teamProvisioningMs < 0) return sendJson(res, 400, { error: { code: 'BadRequest', message: 'teamProvisioningMs must be a non-negative number.' } });
        settings.teamProvisioningMs = p.teamProvisioningMs;
      }
      if (p.throttling !== undefined) {
        if (typeof p.throttling !== 'boolean') return sendJson(res, 400, { error: { code: 'BadRequest', message: 'throttling must be true or false.' } });
        settings.throttling = p.throttling;
      }
      return sendJson(res, 200, summary());
    }
    if (u.pathname === '/_sandbox/graph/reset-throttling' && req.method === 'POST') {
      buckets.clear();
      return sendJson(res, 200, summary());
    }
    sendJson(res, 404, { error: { code: 'NotFound', message: `No sandbox administration route ${req.method} ${u.pathname}.` } });
  }

  return { name: 'graph', state, settings, stats, handle };
}

registerService<GraphOptions>('graph', createGraph);

/** Start the Graph service on a host (mounted on /v1.0, /beta and /_sandbox/graph). */
export async function startGraph(host: SandboxHost, opts: GraphOptions = {}): Promise<GraphService> {
  return (await host.start<GraphOptions>('graph', opts, { prefixes: GRAPH_PREFIXES })) as GraphService;
}

export type { GraphState } from './state';
export { COMMERCE_TEAMS_PERSONAS } from '../commerce-teams-personas';
