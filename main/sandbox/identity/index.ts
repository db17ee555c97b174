/**
 * Sandbox identity service: an Entra-ID-shaped OAuth 2.0 / OpenID Connect authority on 127.0.0.1, a service on the
 * sandbox kernel's host (registered as 'identity'; the host owns listening, body limits, the Date header and close).
 * See docs/sandbox.md for endpoints, users, knobs and why it speaks plain HTTP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ZodError } from 'zod';
import type { Authenticate } from '../auth';
import { adminHostAllowed, WRONG_HOST_MESSAGE } from '../kernel/admin-host';
import { registerService, startHost } from '../kernel';
import type { KernelContext, SandboxService } from '../kernel';
import { findUserByUsername } from '../directory';
import type { AuthorizeRequest, IdentityKnobs } from './authority';
import { SandboxAuthority } from './authority';
import { AadError, errorBody } from './errors';
import { adminConsentPage, deviceLoginPage, errorPage, formPostPage, signInPage, signedOutPage } from './pages';
import { parseScopes } from './scopes';

export { SandboxAuthority } from './authority';
export type { IdentityKnobs, TokenResponse, DeviceCodeResponse } from './authority';
export { httpsAliasBridge } from './https-bridge';
export type { HttpsAliasBridge, NetworkClient } from './https-bridge';

export interface IdentityOptions {
  port?: number;
  tokenLifetimeSeconds?: number;
  clock?: () => number;
  /** Initial failure/timing knobs (also settable at GET/PATCH /_sandbox/identity). */
  knobs?: Partial<IdentityKnobs>;
  /** PEM public keys or certificates for confidential clients (private_key_jwt). */
  clientCertificates?: { clientId: string; pem: string; thumbprintSha256?: string }[];
}

export interface IdentityService {
  url: string;
  authority: string;
  tokenEndpoint: string;
  authenticate: Authenticate;
  close(): Promise<void>;
  /** In-process handle on the authority (knobs, certificate registration, device approval) for tests and the orchestrator. */
  authorityState: SandboxAuthority;
}

const MAX_BODY = 1 << 20;

/** The identity service as the kernel runs it; `state` is the authority behind it. */
export interface IdentitySandboxService extends SandboxService {
  state: SandboxAuthority;
}

/** Request bodies as the kernel read them (size-checked), for the form and JSON readers below. */
const bodies = new WeakMap<IncomingMessage, Buffer>();

export function createIdentity(ctx: KernelContext, opts: Omit<IdentityOptions, 'port' | 'clock'> = {}): IdentitySandboxService {
  const state = new SandboxAuthority(ctx.origin, () => ctx.clock.now(), {
    ...opts.knobs,
    ...(opts.tokenLifetimeSeconds !== undefined ? { tokenLifetimeSeconds: opts.tokenLifetimeSeconds } : {}),
  });
  for (const c of opts.clientCertificates ?? []) state.registerClientCertificate(c.clientId, c.pem, c.thumbprintSha256);
  return {
    name: 'identity',
    state,
    adminPaths: ['/_sandbox/identity'],
    // Entra's faults are the authority knobs (/_sandbox/identity); the host's random faults would hit every sign-in.
    injectsOwnFaults: true,
    tooLarge: (req, res) =>
      sendJson(res, 413, (req.url ?? '').startsWith('/_sandbox/')
        ? { error: 'invalid_request', message: 'Request body too large (limit 1 MB).' }
        : { error: 'invalid_request', error_description: 'Request body too large (limit 1 MB).' }),
    handle: async (req, res, body) => {
      bodies.set(req, body);
      await handle(state, req, res).catch((x: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: `Sandbox identity failed: ${(x as Error).message}` });
        else res.destroy();
      });
    },
  };
}
registerService('identity', createIdentity);

export async function startIdentity(opts: IdentityOptions = {}): Promise<IdentityService> {
  const { port, clock, ...rest } = opts;
  const host = await startHost({ port: port ?? 0, maxBodyBytes: MAX_BODY, ...(clock ? { clock } : {}) });
  const { state } = (await host.start('identity', rest)) as IdentitySandboxService;
  const url = host.origin;
  return {
    url,
    authority: `${url}/${state.tenantId}`,
    tokenEndpoint: `${url}/${state.tenantId}/oauth2/v2.0/token`,
    authenticate: state.authenticate,
    authorityState: state,
    // The host destroys keep-alive sockets (MSAL's fetch, browsers), which would hold close() open indefinitely.
    close: () => host.close(),
  };
}

// ------------------------------------------------------------------------------------------------------------ routing

async function handle(a: SandboxAuthority, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const u = new URL(req.url ?? '/', a.url);
  const method = req.method ?? 'GET';
  const segs = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const base = publicBase(a, req);

  if (segs[0] === '_sandbox') return admin(a, req, res, segs.slice(1), method);
  if (segs[0] === 'devicelogin' && segs.length === 1) return deviceLogin(a, req, res, method, u);
  if (segs[0] === 'common' && segs[1] === 'discovery' && segs[2] === 'instance' && method === 'GET') {
    // Instance discovery (MSAL asks unless the host is in knownAuthorities): this host is its own single-alias cloud.
    const host = hostOf(u.searchParams.get('authorization_endpoint')) ?? new URL(base).host;
    return sendJson(res, 200, {
      tenant_discovery_endpoint: `${base}/${a.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }
  const tenant = segs[0];
  if (!tenant) return sendJson(res, 200, { service: 'Integration Console sandbox identity', tenantId: a.tenantId, openidConfiguration: `${base}/${a.tenantId}/v2.0/.well-known/openid-configuration` });
  const rest = segs.slice(1).join('/');
  const correlationId = header(req, 'client-request-id');
  if (!a.isKnownTenant(tenant)) {
    if (['v2.0/.well-known/openid-configuration', '.well-known/openid-configuration', 'oauth2/v2.0/token', 'oauth2/v2.0/devicecode', 'oauth2/v2.0/authorize', 'discovery/v2.0/keys'].includes(rest))
      return sendAadError(a, res, new AadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`), correlationId);
    return notFound(res, u.pathname);
  }
  try {
    switch (`${method} ${rest}`) {
      case 'GET v2.0/.well-known/openid-configuration':
      case 'GET .well-known/openid-configuration':
        return sendJson(res, 200, a.openIdConfiguration(tenant, base));
      case 'GET discovery/v2.0/keys':
      case 'GET discovery/keys':
        return sendJson(res, 200, a.jwks());
      case 'POST oauth2/v2.0/token': {
        const form = await readForm(req);
        const endpoints = [...new Set([base, a.url])].flatMap((b) => [`${b}/${tenant}/oauth2/v2.0/token`, `${b}/${a.tenantId}/oauth2/v2.0/token`]);
        return sendJson(res, 200, a.token(form, header(req, 'authorization'), endpoints));
      }
      case 'POST oauth2/v2.0/devicecode': {
        const form = new URLSearchParams([...u.searchParams, ...(await readForm(req))]);
        // The verification page is for a person's browser, which never goes through the https alias bridge.
        return sendJson(res, 200, a.startDeviceCode(form, `${a.url}/devicelogin`));
      }
      case 'GET oauth2/v2.0/token':
      case 'GET oauth2/v2.0/devicecode':
        throw new AadError(400, 'invalid_request', 900561, 'The endpoint only accepts POST requests. Received a GET request.');
      case 'GET oauth2/v2.0/authorize':
      case 'POST oauth2/v2.0/authorize':
        return authorize(a, req, res, method, u, tenant);
      case 'GET adminconsent':
      case 'POST adminconsent':
      case 'GET v2.0/adminconsent':
      case 'POST v2.0/adminconsent':
        return adminConsent(a, req, res, method, u, tenant, rest.startsWith('v2.0/'));
      case 'GET oauth2/v2.0/logout': {
        const target = u.searchParams.get('post_logout_redirect_uri');
        // Only loopback targets: an open redirect on a sign-out URL is a phishing aid even in a sandbox.
        if (target && /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(target)) {
          res.writeHead(302, { location: target });
          return void res.end();
        }
        return sendHtml(res, 200, signedOutPage());
      }
      default:
        return notFound(res, u.pathname);
    }
  } catch (x) {
    if (x instanceof AadError) return sendAadError(a, res, x, correlationId);
    if (x instanceof BodyError) return sendJson(res, x.status, { error: 'invalid_request', error_description: x.message });
    throw x;
  }
}

// ---------------------------------------------------------------------------------------------------------- authorize

const AUTHORIZE_PARAMS = ['client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'login_hint', 'prompt', 'client_info'];

async function authorize(a: SandboxAuthority, req: IncomingMessage, res: ServerResponse, method: string, u: URL, tenant: string): Promise<void> {
  const params = method === 'POST' ? await readForm(req) : u.searchParams;
  let request: AuthorizeRequest;
  try {
    request = a.validateAuthorize(params);
  } catch (x) {
    // Entra shows errors about the client or redirect URI on its own page: the redirect URI is not trusted yet.
    if (x instanceof AadError) return sendHtml(res, 400, errorPage('Sign-in error', x.message));
    throw x;
  }
  try {
    a.checkAuthorizeParameters(params, request);
  } catch (x) {
    if (x instanceof AadError) return respond(a, res, request, { error: x.error, error_description: x.message });
    throw x;
  }
  const carried: Record<string, string> = {};
  for (const k of AUTHORIZE_PARAMS) {
    const v = params.get(k);
    if (v !== null) carried[k] = v;
  }
  const resource = parseScopes(request.scope).resource;
  const showForm = (status: number, error?: string, username?: string) =>
    sendHtml(res, status, signInPage({ action: `/${tenant}/oauth2/v2.0/authorize`, clientName: request.client.displayName, resource, params: carried, username: username ?? request.loginHint, error }));

  let username: string | undefined;
  let password: string | undefined;
  if (method === 'POST') {
    username = params.get('username') ?? undefined;
    password = params.get('password') ?? undefined;
  } else if (params.get('sandbox_password') !== null && request.loginHint) {
    // Sandbox-only shortcut for scripted tests: login_hint + sandbox_password signs in without showing the form.
    username = request.loginHint;
    password = params.get('sandbox_password') ?? '';
  }
  // No SSO session cookie in the sandbox: a silent (prompt=none) request can never be satisfied.
  if (params.get('prompt') === 'none' && method === 'GET')
    return respond(a, res, request, { error: 'login_required', error_description: 'AADSTS50058: A silent sign-in request was sent but no user is signed in.' });
  if (username === undefined || password === undefined) return showForm(200);
  let user;
  try {
    user = a.signIn(username, password);
  } catch (x) {
    if (!(x instanceof AadError)) throw x;
    // Bad password / disabled / blocked: Entra keeps the user on its page and shows the message.
    return showForm(200, x.message, username);
  }
  if (a.getKnobs().consentMissing.includes(request.client.clientId))
    return respond(a, res, request, { error: 'consent_required', error_description: `AADSTS65001: The user or administrator has not consented to use the application with ID '${request.client.clientId}' named '${request.client.displayName}'.` });
  return respond(a, res, request, { code: a.issueAuthCode(request, user) });
}

function respond(a: SandboxAuthority, res: ServerResponse, r: AuthorizeRequest, result: Record<string, string | undefined>): void {
  const fields = { ...result, state: r.state, session_state: randomUUID() };
  if (r.responseMode === 'form_post') return sendHtml(res, 200, formPostPage(r.redirectUri, fields));
  const target = new URL(r.redirectUri);
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) target.searchParams.set(k, v);
  res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' });
  res.end();
}

// -------------------------------------------------------------------------------------------------------- devicelogin

async function deviceLogin(a: SandboxAuthority, req: IncomingMessage, res: ServerResponse, method: string, u: URL): Promise<void> {
  const action = '/devicelogin';
  if (method === 'GET') return sendHtml(res, 200, deviceLoginPage({ action, userCode: u.searchParams.get('otc') ?? undefined }));
  if (method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed', error_description: 'Use GET to show the page or POST to submit it.' });
  const f = await readForm(req);
  const userCode = f.get('user_code') ?? '';
  const username = f.get('username') ?? '';
  try {
    if (f.get('decision') === 'deny') {
      a.denyDevice(userCode);
      return sendHtml(res, 200, deviceLoginPage({ action, done: 'You have declined to sign in to the application on your device.' }));
    }
    const user = a.signIn(username, f.get('password') ?? '');
    const { clientName } = a.approveDevice(userCode, user);
    return sendHtml(res, 200, deviceLoginPage({ action, done: `You have signed in to ${clientName} on your device as ${user.username}.` }));
  } catch (x) {
    const message = x instanceof Error ? x.message : String(x);
    return sendHtml(res, 200, deviceLoginPage({ action, userCode, username, error: message }));
  }
}

// ------------------------------------------------------------------------------------------------------- admin consent

/**
 * Entra's admin consent endpoint (`/{tenant}/adminconsent?client_id&redirect_uri&state`, v2.0 also `scope`): a tenant
 * administrator signs in and grants the app every application permission it asks for (v1: of every resource it is
 * configured for — here Microsoft Graph; v2.0: of the resource named by `scope=<resource>/.default`). The browser is
 * then sent to the redirect URI (loopback only in the sandbox) with `admin_consent=True&tenant=…&state=…`, or shown a
 * done page when there is none.
 */
async function adminConsent(a: SandboxAuthority, req: IncomingMessage, res: ServerResponse, method: string, u: URL, tenant: string, v2: boolean): Promise<void> {
  const params = method === 'POST' ? await readForm(req) : u.searchParams;
  const clientId = params.get('client_id') ?? '';
  const redirect = params.get('redirect_uri') ?? '';
  const state = params.get('state') ?? undefined;
  const scope = params.get('scope') ?? '';
  if (redirect && !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(redirect))
    return sendHtml(res, 400, errorPage('Sign in', `AADSTS50011: The redirect URI '${redirect}' is not registered for the application (the sandbox accepts loopback redirect URIs only).`));
  let resource = 'https://graph.microsoft.com';
  if (v2) {
    const parsed = parseScopes(scope || 'https://graph.microsoft.com/.default');
    if (!parsed.resource) return sendHtml(res, 400, errorPage('Sign in', `AADSTS70011: The provided value for the input parameter 'scope' is not valid: '${scope}'.`));
    resource = parsed.resource;
  }
  const action = u.pathname;
  const fields: Record<string, string> = { client_id: clientId, ...(redirect ? { redirect_uri: redirect } : {}), ...(state ? { state } : {}), ...(v2 && scope ? { scope } : {}) };
  if (method === 'GET') return sendHtml(res, 200, adminConsentPage({ action, clientId, resource, params: fields }));
  try {
    const admin = a.signIn(params.get('username') ?? '', params.get('password') ?? '');
    const { clientName, roles } = a.grantAdminConsent(clientId, resource, admin);
    if (redirect) {
      const target = new URL(redirect);
      target.searchParams.set('admin_consent', 'True');
      target.searchParams.set('tenant', tenant);
      if (state) target.searchParams.set('state', state);
      res.writeHead(302, { location: target.toString() });
      return void res.end();
    }
    return sendHtml(res, 200, adminConsentPage({ action, clientId, resource, params: fields, done: `${admin.displayName} granted ${clientName} these application permissions of ${resource} for the organization: ${roles.join(', ')}.` }));
  } catch (x) {
    const message = x instanceof Error ? x.message : String(x);
    return sendHtml(res, 200, adminConsentPage({ action, clientId, resource, params: fields, username: params.get('username') ?? '', error: message }));
  }
}

// -------------------------------------------------------------------------------------------------------------- admin

/**
 * Sandbox administration (loopback only, no auth, never part of the Entra surface):
 *  GET/PATCH /_sandbox/identity                       knobs
 *  POST /_sandbox/identity/clients/{id}/certificates  {"pem": "...", "thumbprintSha256"?: "hex"}
 *  GET  /_sandbox/identity/devicecodes                pending device codes
 *  POST /_sandbox/identity/devicecodes/approve        {"userCode","username"}  (approve without the page)
 *  POST /_sandbox/identity/devicecodes/deny           {"userCode"}
 *  GET  /_sandbox/identity/clients/{id}/consent?resource=R   the admin-consented application roles
 *  PUT  /_sandbox/identity/clients/{id}/consent       {"resource", "roles": [..] | null}  (revoke/grant; null = all)
 */
async function admin(a: SandboxAuthority, req: IncomingMessage, res: ServerResponse, segs: string[], method: string): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) return sendJson(res, 403, { error: 'forbidden', message: 'Sandbox administration is only available from this computer (loopback).' });
  if (!adminHostAllowed(req)) return sendJson(res, 421, { error: 'misdirected_request', message: WRONG_HOST_MESSAGE });
  // A web page open in the user's browser can reach 127.0.0.1 too: refuse cross-origin callers and require a JSON
  // content type for changes (a cross-site form cannot send one without a CORS preflight, which is never granted).
  const origin = header(req, 'origin');
  if (origin && origin !== a.url) return sendJson(res, 403, { error: 'forbidden', message: `Sandbox administration does not accept cross-origin requests (Origin ${origin}).` });
  if (method !== 'GET' && !/^application\/json\b/i.test(header(req, 'content-type') ?? ''))
    return sendJson(res, 415, { error: 'unsupported_media_type', message: 'Send the request body as JSON with "Content-Type: application/json".' });
  if (segs[0] !== 'identity') return notFound(res, `/_sandbox/${segs.join('/')}`);
  const path = segs.slice(1);
  try {
    if (path.length === 0 && method === 'GET') return sendJson(res, 200, a.getKnobs());
    if (path.length === 0 && method === 'PATCH') return sendJson(res, 200, a.setKnobs(await readJson(req)));
    if (path[0] === 'clients' && path[2] === 'certificates' && path.length === 3 && method === 'POST') {
      const body = (await readJson(req)) as { pem?: unknown; thumbprintSha256?: unknown };
      if (typeof body.pem !== 'string') return sendJson(res, 400, { error: 'invalid_request', message: 'Send {"pem": "<PEM public key or certificate>"}.' });
      const thumb = typeof body.thumbprintSha256 === 'string' ? body.thumbprintSha256 : undefined;
      if (thumb !== undefined && !/^[0-9a-fA-F]{64}$/.test(thumb)) return sendJson(res, 400, { error: 'invalid_request', message: 'thumbprintSha256 must be 64 hex characters.' });
      return sendJson(res, 201, a.registerClientCertificate(path[1]!, body.pem, thumb));
    }
    if (path[0] === 'clients' && path[2] === 'consent' && path.length === 3 && (method === 'GET' || method === 'PUT')) {
      if (method === 'GET') {
        const resource = new URL(req.url ?? '/', a.url).searchParams.get('resource') ?? 'https://graph.microsoft.com';
        return sendJson(res, 200, { clientId: path[1], resource, roles: a.consentedRoles(path[1]!, resource) });
      }
      const body = (await readJson(req)) as { resource?: unknown; roles?: unknown };
      const roles = body.roles === null ? null : Array.isArray(body.roles) && body.roles.every((r) => typeof r === 'string') ? (body.roles as string[]) : undefined;
      if (typeof body.resource !== 'string' || roles === undefined)
        return sendJson(res, 400, { error: 'invalid_request', message: 'Send {"resource": "https://graph.microsoft.com", "roles": ["User.Read.All", …]} (roles null: every role).' });
      return sendJson(res, 200, a.setAppConsent(path[1]!, body.resource, roles));
    }
    if (path[0] === 'devicecodes' && path.length === 1 && method === 'GET') return sendJson(res, 200, { value: a.pendingDeviceCodes() });
    if (path[0] === 'devicecodes' && path.length === 2 && method === 'POST' && (path[1] === 'approve' || path[1] === 'deny')) {
      const body = (await readJson(req)) as { userCode?: unknown; username?: unknown };
      if (typeof body.userCode !== 'string') return sendJson(res, 400, { error: 'invalid_request', message: 'Send {"userCode": "...", "username": "..."}.' });
      if (path[1] === 'deny') {
        a.denyDevice(body.userCode);
        return sendJson(res, 200, { userCode: body.userCode, status: 'denied' });
      }
      const user = typeof body.username === 'string' ? findUserByUsername(body.username) : undefined;
      if (!user || user.kind === 'application') return sendJson(res, 400, { error: 'invalid_request', message: `Unknown user "${String(body.username)}": use a username from the sandbox directory.` });
      a.approveDevice(body.userCode, user);
      return sendJson(res, 200, { userCode: body.userCode, status: 'approved', username: user.username });
    }
    return notFound(res, `/_sandbox/identity/${path.join('/')}`);
  } catch (x) {
    if (x instanceof ZodError) return sendJson(res, 400, { error: 'invalid_request', message: `Invalid knobs: ${x.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}` });
    if (x instanceof BodyError) return sendJson(res, x.status, { error: 'invalid_request', message: x.message });
    if (x instanceof AadError) return sendJson(res, x.status, { error: x.error, message: x.message });
    if (x instanceof Error) return sendJson(res, 400, { error: 'invalid_request', message: x.message });
    throw x;
  }
}

// ------------------------------------------------------------------------------------------------------------ helpers

class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return Promise.resolve((bodies.get(req) ?? Buffer.alloc(0)).toString('utf8'));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const body = await readBody(req);
  if (body && type !== 'application/x-www-form-urlencoded')
    throw new BodyError(415, "This endpoint only accepts a body with Content-Type 'application/x-www-form-urlencoded'.");
  return new URLSearchParams(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  try {
    return body ? JSON.parse(body) : {};
  } catch {
    throw new BodyError(400, 'The body is not valid JSON.');
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The origin clients reached us through. The https alias bridge (see https-bridge.ts) behaves like a TLS-terminating
 * proxy and sends X-Forwarded-Proto/Host, so discovery documents and assertion audiences use the https alias the
 * client was configured with. Only trusted from loopback peers (the server listens on loopback only anyway).
 */
function publicBase(a: SandboxAuthority, req: IncomingMessage): string {
  const proto = header(req, 'x-forwarded-proto');
  const host = header(req, 'x-forwarded-host');
  if (proto && host && isLoopback(req.socket.remoteAddress) && /^https?$/.test(proto) && /^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) return `${proto}://${host}`;
  return a.url;
}

function isLoopback(addr: string | undefined): boolean {
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

function hostOf(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store, no-cache',
    pragma: 'no-cache',
    'x-ms-request-id': randomUUID(),
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

function sendAadError(a: SandboxAuthority, res: ServerResponse, e: AadError, correlationId: string | undefined): void {
  sendJson(res, e.status, errorBody(e, a.nowMs(), correlationId));
}

function notFound(res: ServerResponse, path: string): void {
  sendJson(res, 404, { error: 'not_found', error_description: `No sandbox identity endpoint at ${path}. Endpoints live under /{tenant}/oauth2/v2.0/ and /{tenant}/v2.0/.well-known/openid-configuration.` });
}

