/**
 * Dataverse Web API v9.2 sandbox: a service on the sandbox kernel's host (registered as 'dataverse') in front of
 * `DataverseCore`. The host owns listening, the body limit, the Date header, latency and the seeded random faults;
 * this layer owns what only exists on Dataverse's wire: bearer-token → systemuser mapping, disabled users,
 * administration mode, service protection limits, Dataverse-shaped faults and `/_sandbox/knobs` (the host's knobs
 * plus limits, admin mode and change-tracking expiry).
 */
import type http from 'node:http';
import { adminHostAllowed, WRONG_HOST_MESSAGE } from '../kernel/admin-host';
import { registerService, startHost } from '../kernel';
import type { KernelContext, SandboxService } from '../kernel';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import type { Authenticate } from '../auth';
import { isAuthFailure } from '../auth';
import { SANDBOX_TENANT_ID } from '../directory';
import type { Knobs, KnobStore } from '../kernel/knobs';
import { DataverseCore } from './core';
import { errorResponse } from './handlers/shared';
import type { DvResponse } from './handlers/shared';
import { CODES, DvError } from './errors';
import { DvStore } from './store';
import { ORGANIZATION_ID, seedDataverse } from './seed';
import type { MasterData } from './seed';
import type { Caller, Limits } from './security';
import { DEFAULT_LIMITS, ROLE_BY_NAME, ServiceProtection, nameGuid, privilegesOf } from './security';

export interface DataverseOptions {
  port?: number; authenticate: Authenticate; knobs?: Partial<Knobs>;
  limits?: Partial<{ requestsPerWindow: number; windowSeconds: number; concurrent: number; executionMsPerWindow: number }>;
  seed?: 'demo' | 'empty'; dbPath?: string; solutionImported?: boolean; clock?: () => number;
  /** Authority advertised in the 401 WWW-Authenticate challenge (tenant discovery). Defaults to Entra's public URL. */
  authority?: string;
  /** Extra rows to seed per entity set, e.g. `generateDataverseDemoData()` from main/sandbox/seed (first start only). */
  masterData?: MasterData;
}

export interface DataverseService {
  url: string; apiBase: string; knobs: KnobStore; setAdminMode(on: boolean): void; close(): Promise<void>;
  /** Sandbox extras (not part of the orchestrator contract). */
  setLimits(limits: Partial<Limits>): void;
  /** Make every delta token issued so far expired (as if older than expirechangetrackingindays). */
  expireChangeTokens(): void;
  core: DataverseCore;
}

const KnobsPatch = z.strictObject({
  latencyMs: z.number().min(0).max(60_000).optional(),
  faultRate: z.number().min(0).max(1).optional(),
  faultSeed: z.number().int().optional(),
  faultKinds: z.array(z.enum(['5xx', 'reset', '429'])).optional(),
  burstLength: z.number().int().min(1).optional(),
  limits: z.strictObject({
    requestsPerWindow: z.number().int().positive().optional(), windowSeconds: z.number().positive().optional(),
    concurrent: z.number().int().positive().optional(), executionMsPerWindow: z.number().positive().optional(),
  }).optional(),
  adminMode: z.boolean().optional(),
  expireChangeTracking: z.boolean().optional(),
});

const API_PREFIX = /^\/api\/data\/v9\.[0-2](\/|$|\?)/i;
const MAX_BODY = 128 * 1024 * 1024;

/** The Dataverse service as the kernel runs it, with the sandbox extras `DataverseService` exposes. */
export interface DataverseSandboxService extends SandboxService, Omit<DataverseService, 'url' | 'apiBase' | 'knobs' | 'close'> {}

export function createDataverse(ctx: KernelContext, opts: Omit<DataverseOptions, 'port' | 'knobs' | 'clock' | 'authenticate'>): DataverseSandboxService {
  const clock = () => ctx.clock.now();
  const url = ctx.origin;
  const apiBase = `${url}/api/data/v9.2`;
  const store = new DvStore(opts.dbPath);
  const protection = new ServiceProtection({ ...DEFAULT_LIMITS, ...opts.limits }, clock);
  let adminMode = false;
  const callerCache = new Map<string, { epoch: number; caller: Caller | DvError }>();

  function resolveCaller(kind: 'user' | 'app', key: string): Caller | DvError {
    const c = core;
    const cacheKey = `${kind}:${key}`;
    const hit = callerCache.get(cacheKey);
    if (hit && hit.epoch === c.securityEpoch) return hit.caller;
    const attr = kind === 'app' ? 'applicationid' : 'azureactivedirectoryobjectid';
    const rows = c.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'systemuser' AND json_extract(data,'$.${attr}') = ? LIMIT 1`, [key.toLowerCase()]);
    let result: Caller | DvError;
    const u = rows[0];
    if (!u) {
      result = new DvError(403, CODES.userNotInOrg, kind === 'app'
        ? `The application with id ${key} is not registered as an application user in this environment. Create an application user for it and assign a security role.`
        : 'The user is not a member of the organization.');
    } else if (u.data.isdisabled === true) {
      result = new DvError(403, CODES.userDisabled,
        `The user with SystemUserId=${u.id} in OrganizationContext=${ORGANIZATION_ID} is disabled. Disabled users cannot access the system. Consider enabling this user. Also, users are disabled if they don't have a license or if the user account is not in the environment's security group.`);
    } else {
      const roleIds = c.store.rolesOf(u.id);
      const admin = ROLE_BY_NAME.get('System Administrator')?.roleid;
      result = {
        systemuserid: u.id, businessunitid: (u.data.businessunitid as string | undefined) ?? c.rootBusinessUnit(), roleIds,
        privileges: privilegesOf(roleIds), isAdmin: admin !== undefined && roleIds.includes(admin), accessMode: (u.data.accessmode as number | undefined) ?? 0,
      };
    }
    callerCache.set(cacheKey, { epoch: c.securityEpoch, caller: result });
    return result;
  }

  /**
   * `CallerObjectId: <aad oid>` / `MSCRMCallerID: <systemuserid>` impersonation. Needs
   * prvActOnBehalfOfAnotherUser, which only System Administrators hold in the sandbox's role model.
   */
  function impersonate(caller: Caller, headers: http.IncomingHttpHeaders): Caller | DvError {
    const oid = headers['callerobjectid'];
    const sid = headers['mscrmcallerid'];
    if (typeof oid !== 'string' && typeof sid !== 'string') return caller;
    if (!caller.isAdmin) {
      return new DvError(403, CODES.privilegeDenied, `Principal user (Id=${caller.systemuserid}, type=8, roleCount=${caller.roleIds.length}, privilegeCount=${caller.privileges.size}, accessMode=${caller.accessMode}), is missing prvActOnBehalfOfAnotherUser privilege (Id=${nameGuid('privilege:prvActOnBehalfOfAnotherUser')}). Assign the Delegate or System Administrator role to impersonate.`);
    }
    if (typeof oid === 'string') return resolveCaller('user', oid);
    const row = core.store.get('systemuser', String(sid).toLowerCase());
    const target = row?.data.azureactivedirectoryobjectid;
    if (typeof target !== 'string') return new DvError(404, CODES.objectDoesNotExist, `systemuser With Id = ${String(sid)} Does Not Exist`);
    return resolveCaller('user', target);
  }

  function send(res: http.ServerResponse, r: DvResponse): void {
    const headers: Record<string, string | number> = { ...r.headers };
    if (r.body !== undefined) headers['Content-Length'] = Buffer.byteLength(r.body);
    res.writeHead(r.status, headers);
    res.end(r.body);
  }

  function faultResponse(kind: '5xx' | '429'): DvResponse {
    if (kind === '429') {
      return errorResponse(new DvError(429, CODES.throttleRequests, `Number of requests exceeded the limit of ${protection.limits.requestsPerWindow} over time window of ${protection.limits.windowSeconds} seconds.`, { 'Retry-After': '1' }));
    }
    return errorResponse(new DvError(503, CODES.unexpected, 'The service is temporarily unavailable (sandbox fault injection). Retry the request.'));
  }

  async function handleKnobs(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const remote = req.socket.remoteAddress ?? '';
    if (!/^(127\.|::1$|::ffff:127\.)/.test(remote)) { send(res, errorResponse(new DvError(403, CODES.privilegeDenied, 'Sandbox knobs are only reachable from loopback.'))); return; }
    if (!adminHostAllowed(req)) { send(res, errorResponse(new DvError(421, CODES.privilegeDenied, WRONG_HOST_MESSAGE))); return; }
    const path = (req.url ?? '').split('?')[0];
    if (path === '/_sandbox/knobs' && req.method === 'GET') { send(res, { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...ctx.knobs(), limits: protection.limits, adminMode }) }); return; }
    if (path === '/_sandbox/knobs' && req.method === 'PATCH') {
      let patch: Record<string, unknown>;
      try { patch = JSON.parse(body || '{}') as Record<string, unknown>; } catch { send(res, errorResponse(new DvError(400, CODES.payloadError, 'Knobs PATCH body must be JSON, e.g. {"latencyMs":50}.'))); return; }
      const parsed = KnobsPatch.safeParse(patch);
      if (!parsed.success) {
        send(res, errorResponse(new DvError(400, CODES.payloadError, `Invalid knobs: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`)));
        return;
      }
      const { limits, adminMode: am, expireChangeTracking, ...rest } = parsed.data;
      if (limits) protection.limits = { ...protection.limits, ...limits };
      if (typeof am === 'boolean') adminMode = am;
      if (expireChangeTracking === true) core.expireChangeTokens();
      const k = ctx.setKnobs(rest);
      send(res, { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...k, limits: protection.limits, adminMode }) });
      return;
    }
    send(res, errorResponse(new DvError(404, CODES.resourceNotFound, `Unknown sandbox endpoint ${req.method} ${path}. Use GET/PATCH /_sandbox/knobs.`)));
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const rawUrl = req.url ?? '/';
    if (rawUrl.startsWith('/_sandbox/')) return handleKnobs(req, res, body);
    if (!API_PREFIX.test(rawUrl)) {
      send(res, errorResponse(new DvError(404, CODES.resourceNotFound, `Resource not found for the segment '${rawUrl.split('?')[0].replace(/^\//, '')}'. The Web API lives under /api/data/v9.2/.`)));
      return;
    }
    const fault = ctx.nextFault();
    if (fault === 'reset') { req.socket.destroy(); return; }
    if (fault) { send(res, faultResponse(fault)); return; }

    const principal = ctx.authenticate(req, url);
    if (isAuthFailure(principal)) {
      const authority = opts.authority ?? `https://login.microsoftonline.com/${SANDBOX_TENANT_ID}`;
      send(res, errorResponse(new DvError(401, '0x80072560', `Bearer token is invalid or missing (${principal.description}). Acquire a token for the resource ${url}.`, {
        'WWW-Authenticate': `Bearer authorization_uri=${authority}/oauth2/authorize, resource_id=${url}/`,
      })));
      return;
    }
    const authenticated = resolveCaller(principal.kind, principal.kind === 'app' ? principal.appId : principal.objectId);
    if (authenticated instanceof DvError) { send(res, errorResponse(authenticated)); return; }
    const caller = impersonate(authenticated, req.headers);
    if (caller instanceof DvError) { send(res, errorResponse(caller)); return; }
    if (adminMode && !caller.isAdmin) {
      send(res, errorResponse(new DvError(403, CODES.adminMode, 'The organization is in administration mode (admin only mode). Only users with the System Administrator or System Customizer role can sign in. Try again after an administrator turns off administration mode.')));
      return;
    }
    let done: (ms: number) => void;
    try {
      done = protection.admit(caller.systemuserid);
    } catch (err) {
      send(res, errorResponse(err as DvError));
      return;
    }
    const started = performance.now();
    try {
      await ctx.delay();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const r = core.handle({ method: req.method ?? 'GET', url: rawUrl, headers, body }, caller);
      r.headers['REQ_ID'] ??= randomUUID();
      // The $batch envelope was admitted as one request; its inner operations count too (api-limits.md).
      if (r.innerCount) protection.charge(caller.systemuserid, r.innerCount - 1);
      send(res, r);
    } finally {
      done(performance.now() - started);
    }
  }

  const core = new DataverseCore(store, { url, apiBase, clock, organizationId: ORGANIZATION_ID });
  const seed = opts.seed ?? 'demo';
  try {
    seedDataverse(core, seed, opts.solutionImported ?? seed === 'demo', opts.masterData);
  } catch (err) {
    // Do not leave an open database behind a failed start (the caller closes the host).
    store.close();
    throw err;
  }

  return {
    name: 'dataverse',
    core,
    // Faults come after the API path check, in Dataverse's error shape; latency after service protection admits the call.
    injectsOwnFaults: true,
    adminPaths: ['/_sandbox/knobs'],
    // A body over the limit resets the connection, as the Dataverse sandbox always did.
    tooLarge: (req) => req.socket.destroy(),
    handle: async (req, res, body) => {
      await onRequest(req, res, body.toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent) send(res, errorResponse(new DvError(500, CODES.unexpected, `Unexpected sandbox failure: ${err instanceof Error ? err.message : String(err)}`)));
      });
    },
    setAdminMode(on) { adminMode = on; },
    setLimits(l) { protection.limits = { ...protection.limits, ...l }; },
    expireChangeTokens() { core.expireChangeTokens(); },
    close: async () => { store.close(); },
  };
}
registerService('dataverse', createDataverse);

export async function startDataverse(opts: DataverseOptions): Promise<DataverseService> {
  const { port, knobs, clock, authenticate, ...rest } = opts;
  const host = await startHost({ port: port ?? 0, authenticate, maxBodyBytes: MAX_BODY, keepAliveTimeoutMs: 60_000, ...(knobs ? { knobs } : {}), ...(clock ? { clock } : {}) });
  let dv: DataverseSandboxService;
  try {
    dv = (await host.start('dataverse', rest)) as DataverseSandboxService;
  } catch (err) {
    await host.close();
    throw err;
  }
  return {
    url: host.origin, apiBase: `${host.origin}/api/data/v9.2`, knobs: host.knobs, core: dv.core,
    setAdminMode: (on) => dv.setAdminMode(on),
    setLimits: (l) => dv.setLimits(l),
    expireChangeTokens: () => dv.expireChangeTokens(),
    close: () => host.close(),
  };
}
