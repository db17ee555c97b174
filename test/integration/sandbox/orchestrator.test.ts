/**
 * End to end of the orchestrator: identity + Dataverse + Business Central + Graph (HTTPS) + Commerce started
 * together, tokens from the identity service accepted by the resource servers, port layout N..N+4, clean-up on a
 * failed start.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { COMMERCE_CLIENT, GRAPH_CLIENT, PERSONA_PASSWORD, PERSONA_USERS, SANDBOX_CLIENTS, SANDBOX_USERS } from '../../../main/sandbox/directory';
import { FINDING_CASES } from '../../../main/sandbox/commerce-teams-personas';
import * as mod from '../../../main/sandbox';

// A static import: if a sandbox module does not load, this file fails (it never skips itself).
type Sandbox = Awaited<ReturnType<typeof mod.startSandbox>>;

async function freePortBlock(): Promise<number> {
  // A base port whose N..N+4 are free right now (good enough on a test machine; retried by the caller's luck).
  for (let i = 0; i < 20; i++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const ok = await Promise.all([0, 1, 2, 3, 4].map((d) => canListen(base + d)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free block of 5 ports found');
}
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function clientCredentials(info: Sandbox['info'], scope: string, client = info.clients.integration): Promise<string> {
  const r = await fetch(info.identity.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope }),
  });
  const body = (await r.json()) as { access_token: string; token_type: string; expires_in: number };
  expect(r.status).toBe(200);
  expect(body.token_type).toBe('Bearer');
  expect(body.expires_in).toBeGreaterThan(0);
  return body.access_token;
}

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** GET over HTTPS trusting only the sandbox CA file (no global TLS change). */
function httpsGet(url: string, caFile: string, token: string): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: readFileSync(caFile, 'utf8'), headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startSandbox', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await mod.startSandbox({ port: 0 });
  });
  afterAll(() => sb?.close());

  it('describes itself with the CLI contract object', () => {
    const info = mod.sandboxInfoSchema.parse(sb.info);
    expect(info.dataverse.apiBase).toBe(`${info.dataverse.url}/api/data/v9.2`);
    expect(info.identity.tokenEndpoint.startsWith(info.identity.authority)).toBe(true);
    expect(info.users.map((u) => u.username)).toEqual([...SANDBOX_USERS.filter((u) => u.kind !== 'application').map((u) => u.username), ...mod.DEMO_PERSONAS.map((u) => u.username)]);
    expect(Object.keys(info)).toEqual(['identity', 'dataverse', 'businessCentral', 'graph', 'commerce', 'clients', 'users']);
    expect(info.graph).toEqual({ url: `${sb.graph.host.origin}/v1.0`, betaUrl: `${sb.graph.host.origin}/beta`, scope: 'https://graph.microsoft.com/.default', caFile: sb.graph.host.caFile });
    expect(info.graph.url.startsWith('https://127.0.0.1:')).toBe(true);
    expect(readFileSync(info.graph.caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(info.commerce).toEqual({ url: sb.commerce.url, scope: `${sb.commerce.url}/.default` });
    expect(info.clients.graph).toEqual({ clientId: GRAPH_CLIENT.clientId, clientSecret: GRAPH_CLIENT.clientSecret });
    expect(info.clients.commerce).toEqual({ clientId: COMMERCE_CLIENT.clientId, clientSecret: COMMERCE_CLIENT.clientSecret });
    expect(new Set(Object.values(info.clients).map((c) => c.clientId)).size).toBe(3);
  });

  it('the Graph client gets app roles for graph.scope and reads users over HTTPS trusting caFile', async () => {
    const token = await clientCredentials(sb.info, sb.info.graph.scope, sb.info.clients.graph);
    const c = claims(token);
    expect(c.aud).toBe('https://graph.microsoft.com');
    expect(c.roles).toEqual(expect.arrayContaining(['Group.ReadWrite.All', 'User.Read.All', 'Tasks.ReadWrite.All']));
    expect(c.oid).toBe(GRAPH_CLIENT.servicePrincipalObjectId);
    const r = await httpsGet(`${sb.info.graph.url}/users?$top=1`, sb.info.graph.caFile, token);
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(1);
    // Without the CA the certificate is not trusted: nothing was trusted globally.
    await expect(fetch(`${sb.info.graph.url}/users?$top=1`, { headers: { authorization: `Bearer ${token}` } })).rejects.toThrow();
  });

  it('the Commerce client is registered in F&O and reads RetailStores with a token for commerce.scope', async () => {
    const token = await clientCredentials(sb.info, sb.info.commerce.scope, sb.info.clients.commerce);
    expect(claims(token).aud).toBe(sb.info.commerce.url);
    const r = await fetch(`${sb.info.commerce.url}/data/RetailStores?$top=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { value: unknown[] }).value).toHaveLength(1);
    // The Graph app is not on the Microsoft Entra applications page: F&O refuses it with the reason.
    const graphApp = await clientCredentials(sb.info, sb.info.commerce.scope, sb.info.clients.graph);
    const refused = await fetch(`${sb.info.commerce.url}/data/RetailStores?$top=1`, { headers: { authorization: `Bearer ${graphApp}` } });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('not registered in Finance and Operations');
  });

  it('the admin gets delegated Graph scopes; personas sign in (a disabled one cannot)', async () => {
    const admin = SANDBOX_USERS.find((u) => u.kind === 'admin')!;
    const pub = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
    const ropc = (username: string, password: string, scope: string) =>
      fetch(sb.info.identity.tokenEndpoint, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: pub.clientId, username, password, scope }) });
    const r = await ropc(admin.username, admin.password, 'https://graph.microsoft.com/.default');
    expect(r.status).toBe(200);
    const adminToken = ((await r.json()) as { access_token: string }).access_token;
    const scp = String(claims(adminToken).scp).split(' ');
    expect(scp).toEqual(expect.arrayContaining(['User.Read', 'Group.ReadWrite.All', 'Tasks.ReadWrite']));
    const me = await httpsGet(`${sb.info.graph.url}/me`, sb.info.graph.caFile, adminToken);
    expect(me.status).toBe(200);
    expect(me.json.userPrincipalName).toBe(admin.username);
    const appToken = await clientCredentials(sb.info, sb.info.graph.scope, sb.info.clients.graph);
    expect((await httpsGet(`${sb.info.graph.url}/me`, sb.info.graph.caFile, appToken)).status).toBe(400);
    const org = await httpsGet(`${sb.info.graph.url}/organization`, sb.info.graph.caFile, appToken);
    expect(org.status).toBe(200);
    expect(org.json.value[0].id).toBe(claims(appToken).tid);
    const manager = PERSONA_USERS.find((u) => u.kind === 'store-manager')!;
    const m = await ropc(manager.username, PERSONA_PASSWORD, `${sb.info.commerce.url}/.default`);
    expect(m.status).toBe(200);
    expect(String(claims(((await m.json()) as { access_token: string }).access_token).scp)).toContain('Odata.FullAccess');
    const disabled = await ropc(FINDING_CASES.disabledUpn, PERSONA_PASSWORD, 'https://graph.microsoft.com/User.Read');
    expect(disabled.status).toBe(400);
    expect(await disabled.text()).toMatch(/AADSTS50057/);
  });

  it('a client-credentials token works for Dataverse WhoAmI as the application user', async () => {
    const token = await clientCredentials(sb.info, `${sb.info.dataverse.url}/.default`);
    const r = await fetch(`${sb.info.dataverse.apiBase}/WhoAmI`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    expect(r.status).toBe(200);
    const who = (await r.json()) as { UserId: string };
    expect(who.UserId).toBe(SANDBOX_USERS.find((u) => u.kind === 'application')!.dataverse!.systemUserId);
    const bcWithDvToken = await fetch(`${sb.info.businessCentral.apiBase}/companies`, { headers: { authorization: `Bearer ${token}` } });
    expect(bcWithDvToken.status).toBe(401);
  });

  it('a delegated user token (authorization code + PKCE) is WhoAmI as that user in Dataverse and accepted by BC', async () => {
    const admin = SANDBOX_USERS.find((u) => u.kind === 'admin')!;
    const pub = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
    const verifier = randomBytes(32).toString('base64url');
    const q = new URLSearchParams({
      client_id: pub.clientId, response_type: 'code', redirect_uri: 'http://localhost:5999', response_mode: 'query',
      scope: `${sb.info.dataverse.url}/user_impersonation openid offline_access`, code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256', login_hint: admin.username, sandbox_password: admin.password,
    });
    const auth = await fetch(`${sb.info.identity.authority}/oauth2/v2.0/authorize?${q}`, { redirect: 'manual' });
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
    const redeem = async (fields: Record<string, string>) =>
      (await (await fetch(sb.info.identity.tokenEndpoint, { method: 'POST', body: new URLSearchParams({ client_id: pub.clientId, ...fields }) })).json()) as { access_token: string; refresh_token: string };
    const dv = await redeem({ grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:5999', code_verifier: verifier, scope: `${sb.info.dataverse.url}/user_impersonation offline_access` });
    const who = (await (await fetch(`${sb.info.dataverse.apiBase}/WhoAmI`, { headers: { authorization: `Bearer ${dv.access_token}` } })).json()) as { UserId: string };
    expect(who.UserId).toBe(admin.dataverse!.systemUserId);
    const bc = await redeem({ grant_type: 'refresh_token', refresh_token: dv.refresh_token, scope: 'https://api.businesscentral.dynamics.com/Financials.ReadWrite.All' });
    const companies = await fetch(`${sb.info.businessCentral.apiBase}/companies`, { headers: { authorization: `Bearer ${bc.access_token}` } });
    expect(companies.status).toBe(200);
  });

  it('a Business Central token lists the advertised company', async () => {
    const token = await clientCredentials(sb.info, 'https://api.businesscentral.dynamics.com/.default');
    const r = await fetch(`${sb.info.businessCentral.apiBase}/companies`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { value: { id: string }[] };
    expect(body.value.map((c) => c.id)).toContain(sb.info.businessCentral.companyId);
  });
});

describe('startSandbox ports', () => {
  it('puts identity on N, Dataverse on N+1, Business Central on N+2, Graph on N+3, Commerce on N+4, and frees them on close', async () => {
    const base = await freePortBlock();
    const sb = await mod.startSandbox({ port: base });
    try {
      expect(new URL(sb.info.identity.authority).port).toBe(String(base));
      expect(new URL(sb.info.dataverse.url).port).toBe(String(base + 1));
      expect(new URL(sb.info.businessCentral.apiBase).port).toBe(String(base + 2));
      expect(new URL(sb.info.graph.url).port).toBe(String(base + 3));
      expect(new URL(sb.info.commerce.url).port).toBe(String(base + 4));
    } finally {
      await sb.close();
    }
    for (const d of [0, 2, 3, 4]) expect(await canListen(base + d)).toBe(true);
  });

  it('fails clearly when a port is taken and closes what it already started', async () => {
    const base = await freePortBlock();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(base + 1, '127.0.0.1', () => r()));
    try {
      await expect(mod.startSandbox({ port: base })).rejects.toThrow(new RegExp(`sandbox Dataverse could not start on port ${base + 1}`));
      expect(await canListen(base)).toBe(true);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it('names Microsoft Graph when its port (N+3) is taken, and frees the ones before it', async () => {
    const base = await freePortBlock();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(base + 3, '127.0.0.1', () => r()));
    try {
      await expect(mod.startSandbox({ port: base })).rejects.toThrow(new RegExp(`sandbox Microsoft Graph could not start on port ${base + 3}`));
      for (const d of [0, 1, 2]) expect(await canListen(base + d)).toBe(true);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it('keeps the Graph CA in <dataDir>/sandbox-tls across runs; without a data folder it is temporary', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'd365ic-orch-'));
    try {
      const a = await mod.startSandbox({ dataDir });
      const first = { caFile: a.info.graph.caFile, pem: readFileSync(a.info.graph.caFile, 'utf8') };
      await a.close();
      expect(first.caFile).toBe(join(dataDir, 'sandbox-tls', 'ca.pem'));
      const b = await mod.startSandbox({ dataDir });
      try {
        expect(readFileSync(b.info.graph.caFile, 'utf8')).toBe(first.pem);
      } finally {
        await b.close();
      }
      const t = await mod.startSandbox({});
      const tempCa = t.info.graph.caFile;
      expect(existsSync(tempCa)).toBe(true);
      await t.close();
      expect(existsSync(tempCa)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects impossible options before starting anything', async () => {
    await expect(mod.startSandbox({ port: 65532 })).rejects.toThrow(/N to N\+4/);
    await expect(mod.startSandbox({ faultRate: 1.5 })).rejects.toThrow(/between 0 and 1/);
  });
});
