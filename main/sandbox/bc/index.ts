/**
 * Business Central sandbox: a service on the sandbox kernel's host (registered as 'business-central') that behaves
 * like BC's API (online and on-premises URL forms), backed by better-sqlite3. The host owns listening, the body
 * limit, the Date header, latency and the seeded random faults (drawn here after routing and the credential check,
 * in BC's error shape). See docs/sandbox-bc.md for the routes and entities.
 */
import type http from 'node:http';
import type { AuthFailure, Authenticate, SandboxPrincipal } from '../auth';
import { isAuthFailure } from '../auth';
import { adminHostAllowed, WRONG_HOST_MESSAGE } from '../kernel/admin-host';
import type { Knobs, KnobStore } from '../kernel/knobs';
import { registerService, startHost } from '../kernel';
import type { KernelContext, SandboxService } from '../kernel';
import { findUserByUsername, SANDBOX_TENANT_DOMAIN, SANDBOX_TENANT_ID } from '../directory';
import { loadSeed } from './seed';
import type { ApiContext, ApiRequest, ApiResponse, BcVersion } from './api';
import { dispatch, errorBody, errorResponse, MAX_BATCH_OPERATIONS, responseBody, route } from './api';
import { BcError } from './odata';
import { BcStore } from './store';
import type { BcLimits } from './throttle';
import { DEFAULT_BC_LIMITS, Throttle } from './throttle';

export const BC_AUDIENCE = 'https://api.businesscentral.dynamics.com';
export const BC_MAX_PAGE_SIZE = 20_000;
const MAX_BODY_BYTES = 350 * 1024 * 1024;

export interface BusinessCentralOptions {
  port?: number;
  authenticate: Authenticate;
  knobs?: Partial<Knobs>;
  seed?: 'demo' | 'bench' | 'empty';
  records?: number;
  seedValue?: number;
  version?: 14 | 15 | 16 | 24;
  tenant?: string;
  environment?: string;
  dbPath?: string;
  clock?: () => number;
  /** Service-protection limits (defaults: BC online per-user limits). Also adjustable at /_sandbox/limits. */
  limits?: Partial<BcLimits>;
  /** The companion extension (api/d365ic/integration/v1.0) is installed (default true). Also at /_sandbox/extensions. */
  companionExtension?: boolean;
}

export interface BusinessCentralService {
  url: string;
  apiBase: string;
  onPremApiBase: string;
  tenant: string;
  environment: string;
  companyId: string;
  knobs: KnobStore;
  /** Install (true) or remove (false) the companion extension: its API group answers 404 and the automation API no longer lists it. */
  setCompanionExtension(installed: boolean): void;
  readonly companionExtension: boolean;
  /** The backing store, for in-process test and benchmark preparation (bench/support/sandbox-child.ts). */
  store: BcStore;
  close(): Promise<void>;
}

export { type BcLimits } from './throttle';

const isLoopback = (addr: string | undefined) => addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';

function send(res: http.ServerResponse, r: ApiResponse): void {
  const text = r.raw ?? r.json ?? (r.body === undefined ? '' : JSON.stringify(r.body));
  // Encoded once: byteLength and then end(string) would each walk a multi-megabyte page.
  const payload = Buffer.from(text, 'utf8');
  res.writeHead(r.status, { ...r.headers, ...(payload.length ? { 'Content-Length': payload.length } : {}) });
  res.end(payload);
}

/** The request body as JSON (undefined when empty); the host has already checked its size. */
function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BcError(400, 'BadRequest', 'The request body is not valid JSON.');
  }
}

/** Verify the caller. Online: bearer only. On-premises: Basic user:webServiceAccessKey, or bearer. */
function authenticate(bearer: () => SandboxPrincipal | AuthFailure, header: string | undefined, online: boolean): SandboxPrincipal | BcError {
  const challenge = online ? `Bearer authorization_uri="https://login.microsoftonline.com/${SANDBOX_TENANT_ID}/oauth2/authorize", resource_id="${BC_AUDIENCE}"` : 'Basic realm=""';
  const fail = (msg: string) => new BcError(401, 'Authentication_InvalidCredentials', msg, { 'WWW-Authenticate': challenge });
  if (header?.startsWith('Basic ')) {
    if (online) return fail('Basic authentication with web service access keys is not supported online. Use an OAuth bearer token for https://api.businesscentral.dynamics.com.');
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = i < 0 ? undefined : findUserByUsername(decoded.slice(0, i));
    const key = user?.bc?.webServiceAccessKey;
    if (!user || !key || key !== decoded.slice(i + 1))
      return fail('The server has rejected the client credentials. Use the user name and its Web Service Access Key (not the password).');
    return { kind: 'user', objectId: user.objectId, appId: '', audience: BC_AUDIENCE, scopes: [], username: user.username };
  }
  if (!header) return fail(online ? 'No bearer token. Request a token for https://api.businesscentral.dynamics.com/.default.' : 'Authentication is required: send Basic credentials (user name and Web Service Access Key) or a bearer token.');
  const p = bearer();
  if (isAuthFailure(p)) return fail(`The credentials provided are incorrect: ${p.description}`);
  return p;
}

/** The BC service as the kernel runs it, with what `BusinessCentralService` exposes besides the host's URL and knobs. */
export interface BusinessCentralSandboxService extends SandboxService, Omit<BusinessCentralService, 'url' | 'apiBase' | 'onPremApiBase' | 'knobs' | 'close'> {}

export function createBusinessCentral(kernel: KernelContext, opts: Omit<BusinessCentralOptions, 'port' | 'knobs' | 'clock' | 'authenticate'>): BusinessCentralSandboxService {
  const clock = () => kernel.clock.now();
  const version: BcVersion = opts.version ?? 24;
  const tenant = opts.tenant ?? SANDBOX_TENANT_ID;
  const environment = opts.environment ?? 'production';
  const store = new BcStore(opts.dbPath, clock);
  const seeded = store.companies();
  const companyId = seeded.length > 0 ? seeded[0]!.id : loadSeed(store, { kind: opts.seed ?? 'demo', records: opts.records, seedValue: opts.seedValue });
  const throttle = new Throttle({ ...DEFAULT_BC_LIMITS, ...opts.limits }, clock);
  const ctx: ApiContext = {
    store, version, tenant, tenantDomain: SANDBOX_TENANT_DOMAIN, environment, instance: 'BC', baseUrl: kernel.origin, maxPageSize: BC_MAX_PAGE_SIZE,
    companionExtension: opts.companionExtension ?? true,
  };

  async function sandboxControl(req: http.IncomingMessage, res: http.ServerResponse, path: string, raw: Buffer): Promise<void> {
    if (!isLoopback(req.socket.remoteAddress)) return send(res, errorResponse(new BcError(403, 'Authorization_Forbidden', 'Sandbox controls are loopback-only.')));
    const json = (status: number, body: unknown) => send(res, { status, headers: { 'Content-Type': 'application/json' }, body });
    if (req.method === 'GET') return json(200, path === '/_sandbox/knobs' ? kernel.knobs() : throttle.limits);
    if (req.method !== 'PATCH') return json(405, errorBody('BadRequest_MethodNotAllowed', 'Use GET or PATCH.'));
    const body = parseBody(raw);
    if (typeof body !== 'object' || body === null) return json(400, errorBody('BadRequest', 'Send a JSON object with the fields to change.'));
    const patch = body as Record<string, unknown>;
    const allowed: Record<string, (v: unknown) => boolean> =
      path === '/_sandbox/knobs'
        ? {
            latencyMs: (v) => typeof v === 'number' && v >= 0,
            faultRate: (v) => typeof v === 'number' && v >= 0 && v <= 1,
            faultSeed: (v) => typeof v === 'number' && Number.isInteger(v),
            faultKinds: (v) => Array.isArray(v) && v.every((k) => k === '5xx' || k === 'reset' || k === '429'),
            burstLength: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
          }
        : Object.fromEntries(Object.keys(DEFAULT_BC_LIMITS).map((k) => [k, (v: unknown) => typeof v === 'number' && v >= 0]));
    for (const [k, v] of Object.entries(patch))
      if (!allowed[k]?.(v)) return json(400, errorBody('BadRequest', `Invalid value for '${k}'. Allowed fields: ${Object.keys(allowed).join(', ')}.`));
    if (path === '/_sandbox/knobs') return json(200, kernel.setKnobs(patch as Partial<Knobs>));
    throttle.limits = { ...throttle.limits, ...(patch as Partial<BcLimits>) };
    return json(200, throttle.limits);
  }

  /** GET/PATCH /_sandbox/extensions {"companionExtension": boolean}: install or remove the companion extension. */
  async function extensionsControl(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    const json = (status: number, body: unknown) => send(res, { status, headers: { 'Content-Type': 'application/json' }, body });
    if (!isLoopback(req.socket.remoteAddress)) return send(res, errorResponse(new BcError(403, 'Authorization_Forbidden', 'Sandbox controls are loopback-only.')));
    if (req.method === 'GET') return json(200, { companionExtension: ctx.companionExtension !== false });
    if (req.method !== 'PATCH') return json(405, errorBody('BadRequest_MethodNotAllowed', 'Use GET or PATCH.'));
    const body = parseBody(raw) as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Object.keys(body).some((k) => k !== 'companionExtension') || typeof body.companionExtension !== 'boolean')
      return json(400, errorBody('BadRequest', 'Send {"companionExtension": true} to install the companion extension or false to remove it.'));
    ctx.companionExtension = body.companionExtension;
    return json(200, { companionExtension: ctx.companionExtension });
  }

  async function runBatch(apiReq: ApiRequest, root: string): Promise<ApiResponse> {
    const body = apiReq.body as { requests?: unknown } | undefined;
    if (!body || !Array.isArray(body.requests)) throw new BcError(400, 'BadRequest', 'A JSON $batch body must be {"requests":[{"id","method","url","headers","body"}…]}.');
    const ops = body.requests as { id?: string; method?: string; url?: string; headers?: Record<string, string>; body?: unknown; atomicityGroup?: string }[];
    if (ops.length > MAX_BATCH_OPERATIONS)
      throw new BcError(400, 'BadRequest', `The batch contains ${ops.length} operations; at most ${MAX_BATCH_OPERATIONS} are allowed. Split it into smaller batches.`);
    const snapshot = (apiReq.headers.isolation ?? '').toLowerCase() === 'snapshot';
    const runOp = (op: (typeof ops)[number]): ApiResponse => {
      if (typeof op.url !== 'string' || typeof op.method !== 'string')
        return errorResponse(new BcError(400, 'BadRequest', 'Each batch request needs "method" and "url".'));
      let u = op.url;
      if (/^https?:\/\//i.test(u)) {
        const parsed = new URL(u);
        u = parsed.pathname + parsed.search;
      } else if (!u.startsWith('/')) u = `${root}/${u}`;
      const qi = u.indexOf('?');
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(op.headers ?? {})) headers[k.toLowerCase()] = v;
      const r = dispatch(ctx, { method: op.method, path: qi < 0 ? u : u.slice(0, qi), query: qi < 0 ? '' : u.slice(qi + 1), headers, body: op.body });
      return r;
    };
    const shape = (op: (typeof ops)[number], r: ApiResponse) => ({
      id: op.id,
      status: r.status,
      headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])),
      ...(r.json !== undefined || r.body !== undefined ? { body: responseBody(r) } : {}),
    });
    if (!snapshot) return { status: 200, headers: { 'Content-Type': 'application/json', 'OData-Version': '4.0' }, body: { responses: ops.map((op) => shape(op, runOp(op))) } };
    // Isolation: snapshot — one transaction; the first failure rolls everything back.
    const results: ApiResponse[] = [];
    let failedAt = -1;
    class Rollback extends Error {}
    try {
      store.transaction(() => {
        for (let i = 0; i < ops.length; i++) {
          const r = runOp(ops[i]!);
          results.push(r);
          if (r.status >= 400) {
            failedAt = i;
            throw new Rollback();
          }
        }
      });
    } catch (e) {
      if (!(e instanceof Rollback)) throw e;
    }
    const responses = ops.map((op, i) => {
      if (failedAt < 0 || i === failedAt) return shape(op, results[i]!);
      return shape(op, errorResponse(new BcError(424, 'BadRequest_BatchRolledBack', `Operation ${op.id ?? i} was rolled back because operation ${ops[failedAt]!.id ?? failedAt} in the same Isolation: snapshot batch failed.`)));
    });
    return { status: 200, headers: { 'Content-Type': 'application/json', 'OData-Version': '4.0' }, body: { responses } };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    if (path.startsWith('/_sandbox/') && !adminHostAllowed(req)) return send(res, errorResponse(new BcError(421, 'Authorization_Forbidden', WRONG_HOST_MESSAGE)));
    if (path === '/_sandbox/knobs' || path === '/_sandbox/limits') return sandboxControl(req, res, path, raw);
    if (path === '/_sandbox/extensions') return extensionsControl(req, res, raw);
    let release: (() => void) | undefined;
    try {
      const r = route(ctx, path);
      if (r.kind === 'none') throw new BcError(404, 'BadRequest_NotFound', `No HTTP resource was found that matches the request URI '${path}'. Check the API version and route.`);
      const who = authenticate(() => kernel.authenticate(req, BC_AUDIENCE), req.headers.authorization, r.online);
      if (who instanceof BcError) throw who;
      const user = who.objectId || who.username || 'anonymous';
      const fault = kernel.nextFault();
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault === '429') throw new BcError(429, 'Application_TooManyRequests', 'Too many requests reached (injected fault). Retry after the indicated delay.', { 'Retry-After': '1' });
      if (fault === '5xx') throw new BcError(503, 'Internal_ServiceUnavailable', 'The service is temporarily unavailable (injected fault). Retry after the indicated delay.', { 'Retry-After': '1' });
      throttle.count(user);
      release = await throttle.acquire(user);
      const body = parseBody(raw);
      await kernel.delay();
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const apiReq: ApiRequest = { method: req.method ?? 'GET', path, query: qi < 0 ? '' : url.slice(qi + 1), headers, body };
      if (r.kind === 'api' && r.rest.length === 1 && r.rest[0] === '$batch') {
        if (apiReq.method !== 'POST') throw new BcError(405, 'BadRequest_MethodNotAllowed', '$batch accepts POST only.');
        const n = Array.isArray((body as { requests?: unknown[] } | undefined)?.requests) ? (body as { requests: unknown[] }).requests.length : 0;
        if (n > 0) throttle.count(user, Math.min(n, MAX_BATCH_OPERATIONS));
        return send(res, await runBatch(apiReq, r.root));
      }
      send(res, dispatch(ctx, apiReq));
    } catch (e) {
      send(res, errorResponse(e));
    } finally {
      release?.();
    }
  }

  return {
    name: 'business-central',
    tenant,
    environment,
    companyId,
    store,
    injectsOwnFaults: true,
    adminPaths: ['/_sandbox/knobs', '/_sandbox/limits', '/_sandbox/extensions'],
    tooLarge: (_req, res) => send(res, errorResponse(new BcError(413, 'BadRequest_RequestTooLarge', 'The request body exceeds 350 MB. Send smaller batches.'))),
    handle: (req, res, body) =>
      handle(req, res, body).catch((e: unknown) => {
        if (!res.headersSent) send(res, errorResponse(e));
        else res.destroy();
      }),
    setCompanionExtension: (installed: boolean) => void (ctx.companionExtension = installed),
    get companionExtension() {
      return ctx.companionExtension !== false;
    },
    close: async () => store.close(),
  };
}
registerService('business-central', createBusinessCentral);

export async function startBusinessCentral(opts: BusinessCentralOptions): Promise<BusinessCentralService> {
  const { port, knobs, clock, authenticate, ...rest } = opts;
  const host = await startHost({ port: port ?? 0, authenticate, maxBodyBytes: MAX_BODY_BYTES, ...(knobs ? { knobs } : {}), ...(clock ? { clock } : {}) });
  let bc: BusinessCentralSandboxService;
  try {
    bc = (await host.start('business-central', rest)) as BusinessCentralSandboxService;
  } catch (err) {
    await host.close();
    throw err;
  }
  const url = host.origin;
  return {
    url,
    apiBase: `${url}/v2.0/${bc.tenant}/${bc.environment}/api/v2.0`,
    onPremApiBase: `${url}/BC/api/v2.0`,
    tenant: bc.tenant,
    environment: bc.environment,
    companyId: bc.companyId,
    knobs: host.knobs,
    store: bc.store,
    setCompanionExtension: (installed: boolean) => bc.setCompanionExtension(installed),
    get companionExtension() {
      return bc.companionExtension;
    },
    close: () => host.close(),
  };
}
