/**
 * End to end of the orchestrator: identity + Dataverse + Business Central started together, tokens from the
 * identity service accepted by both resource servers, port layout N/N+1/N+2, clean-up on a failed start.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { SANDBOX_CLIENTS, SANDBOX_USERS } from '../../../main/sandbox/directory';
import * as mod from '../../../main/sandbox';

// A static import: if a sandbox module does not load, this file fails (it never skips itself).
type Sandbox = Awaited<ReturnType<typeof mod.startSandbox>>;

async function freePortBlock(): Promise<number> {
  // A base port whose N..N+2 are free right now (good enough on a test machine; retried by the caller's luck).
  for (let i = 0; i < 20; i++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const ok = await Promise.all([0, 1, 2].map((d) => canListen(base + d)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free block of 3 ports found');
}
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function clientCredentials(info: Sandbox['info'], scope: string): Promise<string> {
  const r = await fetch(info.identity.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: info.clients.integration.clientId, client_secret: info.clients.integration.clientSecret, scope }),
  });
  const body = (await r.json()) as { access_token: string; token_type: string; expires_in: number };
  expect(r.status).toBe(200);
  expect(body.token_type).toBe('Bearer');
  expect(body.expires_in).toBeGreaterThan(0);
  return body.access_token;
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
    expect(info.users.map((u) => u.username)).toEqual(SANDBOX_USERS.filter((u) => u.kind !== 'application').map((u) => u.username));
    expect(Object.keys(info)).toEqual(['identity', 'dataverse', 'businessCentral', 'clients', 'users']);
  });

  it('a client-credentials token works for Dataverse WhoAmI as the application user', async () => {
    const token = await clientCredentials(sb.info, `${sb.info.dataverse.url}/.default`);
    const r = await fetch(`${sb.info.dataverse.apiBase}/WhoAmI`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    expect(r.status).toBe(200);
    const who = (await r.json()) as { UserId: string };
    expect(who.UserId).toBe(SANDBOX_USERS.find((u) => u.kind === 'application')!.systemUserId);
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
    expect(who.UserId).toBe(admin.systemUserId);
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
  it('puts identity on N, Dataverse on N+1, Business Central on N+2, and frees them on close', async () => {
    const base = await freePortBlock();
    const sb = await mod.startSandbox({ port: base });
    try {
      expect(new URL(sb.info.identity.authority).port).toBe(String(base));
      expect(new URL(sb.info.dataverse.url).port).toBe(String(base + 1));
      expect(new URL(sb.info.businessCentral.apiBase).port).toBe(String(base + 2));
    } finally {
      await sb.close();
    }
    expect(await canListen(base)).toBe(true);
    expect(await canListen(base + 2)).toBe(true);
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

  it('rejects impossible options before starting anything', async () => {
    await expect(mod.startSandbox({ port: 65534 })).rejects.toThrow(/N\+1 and N\+2/);
    await expect(mod.startSandbox({ faultRate: 1.5 })).rejects.toThrow(/between 0 and 1/);
  });
});
