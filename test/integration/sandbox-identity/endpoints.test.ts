/**
 * The identity service over real HTTP, protocol level: discovery, JWKS, token grants and their Entra error shapes,
 * device-code semantics, PKCE, refresh rotation/expiry, knobs (clock skew, disabled user, Conditional Access).
 * A controllable clock makes expiry tests instant.
 */
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAuthFailure } from '../../../main/sandbox/auth';
import { SANDBOX_CLIENTS, SANDBOX_TENANT_DOMAIN, SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../../main/sandbox/directory';
import type { IdentityService } from '../../../main/sandbox/identity';
import { startIdentity } from '../../../main/sandbox/identity';
import { DEFAULT_IDENTITY_KNOBS } from '../../../main/sandbox/identity/authority';
import { decodeJwt, verifySignature } from '../../../main/sandbox/identity/jwt';

const pub = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
const conf = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!;
const admin = SANDBOX_USERS.find((u) => u.kind === 'admin')!;
const sales = SANDBOX_USERS.find((u) => u.kind === 'salesperson')!;
const DV = 'http://127.0.0.1:48001';

let now = Date.UTC(2026, 10, 23, 10, 0, 0);
let id: IdentityService;
beforeAll(async () => {
  id = await startIdentity({ clock: () => now, knobs: { deviceCodeIntervalSeconds: 5, deviceCodeLifetimeSeconds: 900, refreshTokenLifetimeSeconds: 3600 } });
});
afterAll(() => id.close());
beforeEach(() => {
  id.authorityState.setKnobs({ clockSkewSeconds: 0, consentMissing: [], disabledUsers: [], conditionalAccessBlocked: [], mfaRequired: [] });
});

const JSON_HEADERS = { 'content-type': 'application/json' };
const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
async function token(fields: Record<string, string>) {
  const r = await fetch(id.tokenEndpoint, form(fields));
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}
const claims = (jwt: unknown) => decodeJwt(String(jwt))!.payload;

/** Sign in through the authorize endpoint's sandbox shortcut and return the code. */
async function authCode(extra: Record<string, string> = {}, user = admin) {
  const verifier = randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    client_id: pub.clientId, response_type: 'code', redirect_uri: 'http://localhost:53111', scope: `${DV}/user_impersonation openid profile offline_access`,
    state: 's-1', response_mode: 'query', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    login_hint: user.username, sandbox_password: user.password, nonce: 'n-1', ...extra,
  });
  const r = await fetch(`${id.authority}/oauth2/v2.0/authorize?${q}`, { redirect: 'manual' });
  expect(r.status).toBe(302);
  const loc = new URL(r.headers.get('location')!);
  return { code: loc.searchParams.get('code'), state: loc.searchParams.get('state'), error: loc.searchParams.get('error'), verifier };
}

describe('discovery and keys', () => {
  it('serves Entra-shaped OIDC metadata at the v2.0 and plain paths, also by tenant domain', async () => {
    for (const path of [`${SANDBOX_TENANT_ID}/v2.0/.well-known/openid-configuration`, `${SANDBOX_TENANT_DOMAIN}/.well-known/openid-configuration`]) {
      const doc = (await (await fetch(`${id.url}/${path}`)).json()) as Record<string, string>;
      expect(doc.issuer).toBe(`${id.url}/${SANDBOX_TENANT_ID}/v2.0`);
      expect(doc.token_endpoint).toMatch(/\/oauth2\/v2\.0\/token$/);
      expect(doc.device_authorization_endpoint).toMatch(/\/oauth2\/v2\.0\/devicecode$/);
    }
    const common = (await (await fetch(`${id.url}/common/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(common.issuer).toBe(`${id.url}/{tenantid}/v2.0`);
  });

  it('answers an unknown tenant with AADSTS90002', async () => {
    const r = await fetch(`${id.url}/contoso.example/oauth2/v2.0/token`, form({ grant_type: 'client_credentials' }));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
  });

  it('publishes the JWKS key that verifies issued tokens', async () => {
    const jwks = (await (await fetch(`${id.authority}/discovery/v2.0/keys`)).json()) as { keys: (Record<string, string> & { kid: string })[] };
    const t = await token({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: conf.clientSecret!, scope: `${DV}/.default` });
    const jwt = decodeJwt(String(t.body.access_token))!;
    const key = jwks.keys.find((k) => k.kid === jwt.header.kid)!;
    expect(verifySignature(jwt, createPublicKey({ key: { kty: key.kty!, n: key.n!, e: key.e! }, format: 'jwk' }))).toBe(true);
  });

  it('answers instance discovery with the asking host as its own alias', async () => {
    const r = (await (await fetch(`${id.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.sandbox.localhost/x/oauth2/v2.0/authorize`)).json()) as { metadata: { aliases: string[] }[] };
    expect(r.metadata[0]!.aliases).toEqual(['login.sandbox.localhost']);
  });
});

describe('client credentials', () => {
  it('issues an app token with the Entra claims and the standard response', async () => {
    const t = await token({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: conf.clientSecret!, scope: `${DV}/.default` });
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ token_type: 'Bearer', expires_in: DEFAULT_IDENTITY_KNOBS.tokenLifetimeSeconds, scope: `${DV}/.default` });
    expect(t.body.refresh_token).toBeUndefined();
    const c = claims(t.body.access_token);
    expect(c).toMatchObject({ aud: DV, tid: SANDBOX_TENANT_ID, appid: conf.clientId, azp: conf.clientId, appidacr: '1', oid: SANDBOX_USERS.find((u) => u.kind === 'application')!.objectId, iat: now / 1000, nbf: now / 1000 });
    expect(c.exp).toBe(now / 1000 + DEFAULT_IDENTITY_KNOBS.tokenLifetimeSeconds);
  });

  it('accepts HTTP Basic client authentication', async () => {
    const basic = Buffer.from(`${conf.clientId}:${conf.clientSecret}`).toString('base64');
    const r = await fetch(id.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` }, body: new URLSearchParams({ grant_type: 'client_credentials', scope: `${DV}/.default` }) });
    expect(r.status).toBe(200);
  });

  it.each([
    [{ client_secret: 'nope' }, 401, 'invalid_client', 7000215],
    [{ client_secret: '' }, 401, 'invalid_client', 7000218],
    [{ scope: `${DV}/user_impersonation` }, 400, 'invalid_scope', 1002012],
    [{ scope: 'https://unknown.example/.default' }, 400, 'invalid_resource', 500011],
    [{ scope: `${DV}/.default https://api.businesscentral.dynamics.com/.default` }, 400, 'invalid_request', 28000],
    [{ client_id: '11111111-2222-3333-4444-555555555555' }, 400, 'unauthorized_client', 700016],
  ])('rejects %o with %i %s AADSTS%i in the Entra error shape', async (override, status, error, code) => {
    const t = await token({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: conf.clientSecret!, scope: `${DV}/.default`, ...override });
    expect(t.status).toBe(status);
    expect(t.body).toMatchObject({ error, error_codes: [code] });
    expect(String(t.body.error_description)).toMatch(new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: `));
    expect(t.body).toHaveProperty('trace_id');
    expect(t.body).toHaveProperty('correlation_id');
    expect(t.body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  });

  it('answers GET on the token endpoint with AADSTS900561', async () => {
    const r = await fetch(id.tokenEndpoint);
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: 'invalid_request', error_codes: [900561] });
  });

  it('echoes the client-request-id header as correlation_id', async () => {
    const cid = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
    const r = await fetch(id.tokenEndpoint, { ...form({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: 'x', scope: `${DV}/.default` }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'client-request-id': cid } });
    expect(((await r.json()) as { correlation_id: string }).correlation_id).toBe(cid);
  });
});

describe('authorization code + PKCE', () => {
  it('redeems once, with id_token (nonce), client_info and a refresh token', async () => {
    const { code, state, verifier } = await authCode();
    expect(state).toBe('s-1');
    const ok = await token({ grant_type: 'authorization_code', client_id: pub.clientId, code: code!, redirect_uri: 'http://localhost:53111', code_verifier: verifier, client_info: '1', scope: `${DV}/user_impersonation openid profile offline_access` });
    expect(ok.status).toBe(200);
    expect(claims(ok.body.id_token)).toMatchObject({ aud: pub.clientId, nonce: 'n-1', oid: admin.objectId, preferred_username: admin.username, tid: SANDBOX_TENANT_ID });
    expect(JSON.parse(Buffer.from(String(ok.body.client_info), 'base64url').toString())).toEqual({ uid: admin.objectId, utid: SANDBOX_TENANT_ID });
    expect(claims(ok.body.access_token)).toMatchObject({ scp: 'user_impersonation', upn: admin.username, appidacr: '0' });
    expect(ok.body.refresh_token).toEqual(expect.any(String));
    const again = await token({ grant_type: 'authorization_code', client_id: pub.clientId, code: code!, redirect_uri: 'http://localhost:53111', code_verifier: verifier, scope: `${DV}/user_impersonation` });
    expect(again.body.error_codes).toEqual([54005]);
  });

  it('rejects a wrong code_verifier (AADSTS501481) and an expired code (AADSTS70008)', async () => {
    const a = await authCode();
    const bad = await token({ grant_type: 'authorization_code', client_id: pub.clientId, code: a.code!, redirect_uri: 'http://localhost:53111', code_verifier: 'x'.repeat(43), scope: `${DV}/user_impersonation` });
    expect(bad.body).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    const b = await authCode();
    now += 11 * 60_000;
    const late = await token({ grant_type: 'authorization_code', client_id: pub.clientId, code: b.code!, redirect_uri: 'http://localhost:53111', code_verifier: b.verifier, scope: `${DV}/user_impersonation` });
    expect(late.body).toMatchObject({ error: 'invalid_grant', error_codes: [70008] });
  });

  it('shows the sign-in form with the AADSTS message on a wrong password, disabled user or CA block', async () => {
    const q = (pw: string, user = admin) => new URLSearchParams({ client_id: pub.clientId, response_type: 'code', redirect_uri: 'http://localhost', scope: `${DV}/.default openid`, response_mode: 'form_post', login_hint: user.username, sandbox_password: pw });
    const wrong = await (await fetch(`${id.authority}/oauth2/v2.0/authorize?${q('nope')}`)).text();
    expect(wrong).toContain('AADSTS50126');
    expect(wrong).toContain('name="password"');
    id.authorityState.setKnobs({ disabledUsers: [sales.username] });
    expect(await (await fetch(`${id.authority}/oauth2/v2.0/authorize?${q(sales.password, sales)}`)).text()).toContain('AADSTS50057');
    id.authorityState.setKnobs({ disabledUsers: [], conditionalAccessBlocked: ['*'] });
    expect(await (await fetch(`${id.authority}/oauth2/v2.0/authorize?${q(admin.password)}`)).text()).toContain('AADSTS53003');
  });

  it('refuses an unregistered redirect URI on its own error page (never redirects there)', async () => {
    const q = new URLSearchParams({ client_id: pub.clientId, response_type: 'code', redirect_uri: 'https://evil.example/cb', scope: `${DV}/.default` });
    const r = await fetch(`${id.authority}/oauth2/v2.0/authorize?${q}`, { redirect: 'manual' });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('AADSTS50011');
  });

  it('reports bad scopes to the redirect URI (the client and redirect are valid)', async () => {
    expect((await authCode({ scope: 'https://unknown.example/.default' })).error).toBe('invalid_resource');
    expect((await authCode({ scope: `${DV}/.default https://api.businesscentral.dynamics.com/.default` })).error).toBe('invalid_request');
    expect((await authCode({ response_type: 'token' })).error).toBe('unsupported_response_type');
  });

  it('answers prompt=none with login_required (the sandbox keeps no SSO session)', async () => {
    const r = await authCode({ prompt: 'none' });
    expect(r.error).toBe('login_required');
    expect(r.state).toBe('s-1');
  });

  it('sends consent_required (AADSTS65001) to the redirect URI when consent is missing', async () => {
    id.authorityState.setKnobs({ consentMissing: [pub.clientId] });
    const r = await authCode();
    expect(r.error).toBe('consent_required');
    expect(r.code).toBeNull();
  });
});

describe('refresh token', () => {
  it('rotates (old token spent), and expires after the configured lifetime with AADSTS700082', async () => {
    const a = await authCode();
    const first = await token({ grant_type: 'authorization_code', client_id: pub.clientId, code: a.code!, redirect_uri: 'http://localhost:53111', code_verifier: a.verifier, scope: `${DV}/user_impersonation offline_access` });
    const rt1 = String(first.body.refresh_token);
    const second = await token({ grant_type: 'refresh_token', client_id: pub.clientId, refresh_token: rt1, scope: 'https://api.businesscentral.dynamics.com/.default offline_access' });
    expect(second.status).toBe(200);
    expect(claims(second.body.access_token)).toMatchObject({ aud: 'https://api.businesscentral.dynamics.com', scp: 'Financials.ReadWrite.All user_impersonation' });
    expect(second.body.refresh_token).not.toBe(rt1);
    expect((await token({ grant_type: 'refresh_token', client_id: pub.clientId, refresh_token: rt1, scope: `${DV}/.default` })).body.error_codes).toEqual([70000]);
    now += 3601_000;
    const expired = await token({ grant_type: 'refresh_token', client_id: pub.clientId, refresh_token: String(second.body.refresh_token), scope: `${DV}/.default` });
    expect(expired.body).toMatchObject({ error: 'invalid_grant', error_codes: [700082], suberror: 'bad_token' });
  });

  it('re-checks the account on refresh: disabled → AADSTS50057, MFA now required → interaction_required; the refresh token survives both', async () => {
    const a = await authCode({}, sales);
    const first = await token({ grant_type: 'authorization_code', client_id: pub.clientId, code: a.code!, redirect_uri: 'http://localhost:53111', code_verifier: a.verifier, scope: `${DV}/user_impersonation offline_access` });
    id.authorityState.setKnobs({ disabledUsers: [sales.username] });
    const rt = String(first.body.refresh_token);
    expect((await token({ grant_type: 'refresh_token', client_id: pub.clientId, refresh_token: rt, scope: `${DV}/.default` })).body.error_codes).toEqual([50057]);
    id.authorityState.setKnobs({ disabledUsers: [], mfaRequired: ['*'] });
    expect((await token({ grant_type: 'refresh_token', client_id: pub.clientId, refresh_token: rt, scope: `${DV}/.default` })).body).toMatchObject({ error: 'interaction_required', error_codes: [50076] });
    id.authorityState.setKnobs({ mfaRequired: [] });
    expect((await token({ grant_type: 'refresh_token', client_id: pub.clientId, refresh_token: rt, scope: `${DV}/.default` })).status).toBe(200);
  });
});

describe('resource owner password (ROPC)', () => {
  it('issues a user token for directory credentials; wrong password 50126; MFA requirement 50076 interaction_required', async () => {
    const ok = await token({ grant_type: 'password', client_id: pub.clientId, username: 'NORDLYS\\admin', password: admin.password, scope: `${DV}/user_impersonation openid` });
    expect(ok.status).toBe(200);
    expect(id.authenticate(`Bearer ${String(ok.body.access_token)}`, DV)).toMatchObject({ kind: 'user', objectId: admin.objectId });
    expect((await token({ grant_type: 'password', client_id: pub.clientId, username: admin.username, password: 'x', scope: `${DV}/.default` })).body).toMatchObject({ error: 'invalid_grant', error_codes: [50126] });
    expect((await token({ grant_type: 'password', client_id: pub.clientId, username: 'integration-app@nordlys.example', password: '', scope: `${DV}/.default` })).body.error_codes).toEqual([50126]);
    id.authorityState.setKnobs({ mfaRequired: [admin.username] });
    expect((await token({ grant_type: 'password', client_id: pub.clientId, username: admin.username, password: admin.password, scope: `${DV}/.default` })).body).toMatchObject({ error: 'interaction_required', error_codes: [50076] });
  });
});

describe('device code', () => {
  async function start() {
    const r = await fetch(`${id.authority}/oauth2/v2.0/devicecode`, form({ client_id: pub.clientId, scope: `${DV}/user_impersonation openid offline_access` }));
    expect(r.status).toBe(200);
    return (await r.json()) as { device_code: string; user_code: string; verification_uri: string; interval: number; expires_in: number; message: string };
  }
  const poll = (device_code: string) => token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: pub.clientId, device_code });

  it('pending → slow_down when polled too fast → approved on the verification page → token once', async () => {
    const d = await start();
    expect(d).toMatchObject({ interval: 5, expires_in: 900, verification_uri: `${id.url}/devicelogin` });
    expect((await poll(d.device_code)).body).toMatchObject({ error: 'authorization_pending', error_codes: [70016] });
    now += 1000;
    expect((await poll(d.device_code)).body.error).toBe('slow_down');
    now += 10_000;
    expect((await poll(d.device_code)).body.error).toBe('authorization_pending');
    const page = await fetch(`${id.url}/devicelogin`, form({ user_code: d.user_code.toLowerCase(), username: admin.username, password: admin.password, decision: 'approve' }));
    expect(await page.text()).toContain('You have signed in');
    now += 10_000;
    const ok = await poll(d.device_code);
    expect(ok.status).toBe(200);
    expect(isAuthFailure(id.authenticate(`Bearer ${String(ok.body.access_token)}`, DV))).toBe(false);
    expect((await poll(d.device_code)).body.error).toBe('invalid_grant');
  });

  it('access_denied when the user declines; expired_token after the lifetime', async () => {
    const d = await start();
    const deny = await fetch(`${id.url}/_sandbox/identity/devicecodes/deny`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ userCode: d.user_code }) });
    expect(deny.status).toBe(200);
    expect((await poll(d.device_code)).body).toMatchObject({ error: 'access_denied', error_codes: [65004] });
    const e = await start();
    now += 901_000;
    expect((await poll(e.device_code)).body).toMatchObject({ error: 'expired_token', error_codes: [70020] });
  });

  it('the verification page reports a wrong password and keeps the code pending', async () => {
    const d = await start();
    const page = await (await fetch(`${id.url}/devicelogin`, form({ user_code: d.user_code, username: admin.username, password: 'bad', decision: 'approve' }))).text();
    expect(page).toContain('AADSTS50126');
    const pending = (await (await fetch(`${id.url}/_sandbox/identity/devicecodes`)).json()) as { value: { userCode: string }[] };
    expect(pending.value.map((p) => p.userCode)).toContain(d.user_code);
  });

  it('the verification page lists the demo users and their passwords (and says the console lists them too)', async () => {
    const page = await (await fetch(`${id.url}/devicelogin`)).text();
    for (const u of SANDBOX_USERS.filter((x) => x.password && x.accountEnabled)) {
      expect(page).toContain(u.username);
      expect(page).toContain(u.password);
    }
    expect(page).toContain('Demo sandbox page');
  });

  it('refuses device code for a confidential client', async () => {
    const r = await fetch(`${id.authority}/oauth2/v2.0/devicecode`, form({ client_id: conf.clientId, scope: `${DV}/.default` }));
    expect(((await r.json()) as { error_codes: number[] }).error_codes).toEqual([7000218]);
  });
});

describe('knobs and authenticate', () => {
  it('GET/PATCH /_sandbox/identity validates and applies knobs', async () => {
    const bad = await fetch(`${id.url}/_sandbox/identity`, { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ clockSkewSeconds: 'soon' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/clockSkewSeconds/);
    const unknown = await fetch(`${id.url}/_sandbox/identity`, { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ nope: 1 }) });
    expect(unknown.status).toBe(400);
    const ok = await fetch(`${id.url}/_sandbox/identity`, { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ clockSkewSeconds: 600 }) });
    expect(((await ok.json()) as { clockSkewSeconds: number }).clockSkewSeconds).toBe(600);
    expect(((await (await fetch(`${id.url}/_sandbox/identity`)).json()) as { clockSkewSeconds: number }).clockSkewSeconds).toBe(600);
    // Browser-borne requests from other origins, and non-JSON bodies (cross-site forms), are refused.
    const cross = await fetch(`${id.url}/_sandbox/identity`, { method: 'PATCH', headers: { ...JSON_HEADERS, origin: 'https://evil.example' }, body: '{"clockSkewSeconds":0}' });
    expect(cross.status).toBe(403);
    const formPost = await fetch(`${id.url}/_sandbox/identity/devicecodes/approve`, form({ userCode: 'X', username: admin.username }));
    expect(formPost.status).toBe(415);
  });

  it('clock skew beyond 5 minutes makes authenticate reject the token with a clock message; within 5 minutes it passes', async () => {
    id.authorityState.setKnobs({ clockSkewSeconds: 600 });
    const skewed = await token({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: conf.clientSecret!, scope: `${DV}/.default` });
    const f = id.authenticate(`Bearer ${String(skewed.body.access_token)}`, DV);
    expect(isAuthFailure(f) && f.description).toMatch(/clocks/);
    id.authorityState.setKnobs({ clockSkewSeconds: 240 });
    const mild = await token({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: conf.clientSecret!, scope: `${DV}/.default` });
    expect(isAuthFailure(id.authenticate(`Bearer ${String(mild.body.access_token)}`, DV))).toBe(false);
  });

  it('authenticate rejects expired tokens (beyond tolerance), other audiences, and missing headers', async () => {
    const t = await token({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: conf.clientSecret!, scope: `${DV}/.default` });
    const header = `Bearer ${String(t.body.access_token)}`;
    expect(id.authenticate(undefined, DV)).toMatchObject({ error: 'missing_token' });
    expect(id.authenticate(header, 'http://127.0.0.1:1')).toMatchObject({ error: 'invalid_token' });
    expect(isAuthFailure(id.authenticate(header, `${DV}/`))).toBe(false);
    now += (DEFAULT_IDENTITY_KNOBS.tokenLifetimeSeconds + 299) * 1000;
    expect(isAuthFailure(id.authenticate(header, DV))).toBe(false);
    now += 2000;
    expect(id.authenticate(header, DV)).toMatchObject({ error: 'invalid_token', description: expect.stringMatching(/expired/) });
  });
});
