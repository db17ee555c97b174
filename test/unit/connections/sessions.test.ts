import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionFields } from '../../../preload/contract/core/connections';
import type { Auth, AuthAccount, AuthTarget, TokenResult } from '../../../main/auth/port';
import { createConnections } from '../../../main/connections/handlers';
import { explain } from '../../../main/connections/tester';
import type { FetchLike } from '../../../main/http/client';
import { ServiceError } from '../../../main/http/errors';
import { AppFailure } from '../../../main/rpc/errors';
import { quiet, recorder, tempStore, type TestStore } from './support';

const account: AuthAccount = { homeAccountId: 'uid.tid', username: 'ingrid@nordlys.example', name: 'Ingrid', tenantId: 'tid' };

/** An Auth whose silent path is scripted: 'ok' hands out a token, 'required' throws AUTH_REQUIRED. */
class FakeAuth implements Auth {
  silent: ('ok' | 'required' | 'error')[] = [];
  calls: string[] = [];
  private n = 0;
  private approvals: (() => void)[] = [];
  /** The user approves the pending device code. */
  approveDeviceCode(): void {
    for (const approve of this.approvals.splice(0)) approve();
  }
  private token(target: AuthTarget, acc: AuthAccount | null): TokenResult {
    return { accessToken: `tok-${++this.n}`, expiresOn: new Date(Date.now() + 3_600_000), scopes: target.scopes, account: acc };
  }
  async signInInteractive(target: AuthTarget, opts: { openBrowser: (u: string) => Promise<void>; signal?: AbortSignal }) {
    this.calls.push('interactive');
    await opts.openBrowser('https://login.example/authorize');
    if (opts.signal?.aborted) throw new AppFailure('AUTH_CANCELLED', 'cancelled');
    return this.token(target, account);
  }
  async signInDeviceCode(target: AuthTarget, opts: { onCode: (p: { userCode: string; verificationUri: string; expiresAt: Date; message: string }) => void; signal?: AbortSignal }) {
    this.calls.push('device');
    opts.onCode({ userCode: 'ABCD-EFGH', verificationUri: 'https://microsoft.com/devicelogin', expiresAt: new Date(Date.now() + 900_000), message: 'Enter ABCD-EFGH' });
    // Signed in when the test approves the code (as a user would on the verification page), or cancelled.
    await new Promise<void>((resolve, reject) => {
      this.approvals.push(resolve);
      opts.signal?.addEventListener('abort', () => reject(new AppFailure('AUTH_CANCELLED', 'cancelled')));
    });
    return this.token(target, account);
  }
  async acquireSilent(target: AuthTarget) {
    this.calls.push('silent');
    const next = this.silent.shift() ?? 'ok';
    if (next === 'required') throw new AppFailure('AUTH_REQUIRED', 'sign in again');
    if (next === 'error') throw new AppFailure('AUTH_NETWORK', 'offline');
    return this.token(target, account);
  }
  async acquireForApp(target: AuthTarget) {
    this.calls.push('app');
    return this.token(target, null);
  }
  async signOut() {
    this.calls.push('signOut');
  }
  async accounts() {
    return [account];
  }
}

const stores: TestStore[] = [];
afterEach(() => {
  while (stores.length) stores.pop()!.cleanup();
});

const profile: ConnectionFields = {
  name: 'Sales',
  kind: 'dataverse',
  url: 'https://contoso.crm4.dynamics.com',
  environmentName: null,
  company: null,
  tier: 'test',
  colour: '#1565c0',
  authMethod: 'interactive',
  app: { clientId: '7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60', tenantId: 'contoso.onmicrosoft.com', redirectUri: null, authorityHost: 'https://login.microsoftonline.com' },
  userName: null,
  certificateThumbprint: null,
};

function setup(fetch?: FetchLike) {
  const s = tempStore();
  stores.push(s);
  const auth = new FakeAuth();
  const rec = recorder();
  const opened: string[] = [];
  const c = createConnections({ db: s.db, secrets: s.secrets, auth, browser: { openExternal: async (u) => void opened.push(u) }, logger: quiet, emit: rec.emit, fetch });
  return { ...c, auth, rec, opened };
}

describe('sign-in state', () => {
  it('goes signing-in → signed-in, remembers the account, and reports expiry', async () => {
    const t = setup();
    const p = await t.handlers['connections.save'](profile);
    expect((await t.handlers['auth.status']({ profileId: p.id }))[0]!.state).toBe('signed-out');
    const s = await t.handlers['auth.signIn']({ profileId: p.id });
    expect(s).toMatchObject({ state: 'signed-in', account: { username: account.username } });
    expect(s.expiresInSeconds).toBeGreaterThan(3500);
    expect(t.opened).toEqual(['https://login.example/authorize']);
    expect((await t.store.get(p.id)).homeAccountId).toBe('uid.tid');
    expect(t.rec.statuses().map((x) => x.state)).toEqual(['signing-in', 'signed-in']);
  });

  it('an expired sign-in becomes auth-required once, and never opens a browser by itself', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('ok' as const, 'required' as const, 'error' as const), { minLength: 1, maxLength: 12 }), async (script) => {
        const t = setup();
        const p = await t.handlers['connections.save'](profile);
        await t.handlers['auth.signIn']({ profileId: p.id });
        t.opened.length = 0;
        t.auth.silent = [...script];
        const before = t.rec.statuses().length;
        for (const step of script) {
          const r = await t.sessions.authorization(p.id).then(
            (h) => h,
            (x: AppFailure) => x.code,
          );
          expect(r).toEqual(step === 'ok' ? expect.stringMatching(/^Bearer tok-/) : step === 'required' ? 'AUTH_REQUIRED' : 'AUTH_NETWORK');
          const last = (await t.handlers['auth.status']({ profileId: p.id }))[0]!;
          expect(last.state).toBe(step === 'ok' ? 'signed-in' : step === 'required' ? 'auth-required' : 'error');
        }
        // One event per state change (or new expiry), not one per request.
        const emitted = t.rec.statuses().slice(before);
        for (let i = 1; i < emitted.length; i++) {
          const a = emitted[i - 1]!;
          const b = emitted[i]!;
          expect(a.state !== b.state || a.expiresAt !== b.expiresAt || a.error?.code !== b.error?.code).toBe(true);
        }
        expect(t.opened).toEqual([]);
        expect(t.auth.calls.filter((c) => c === 'interactive')).toHaveLength(1);
        stores.pop()!.cleanup();
      }),
      { numRuns: 25 },
    );
  });

  it('device code: emits the code, can be cancelled, refuses a second concurrent sign-in', async () => {
    const t = setup();
    const p = await t.handlers['connections.save']({ ...profile, authMethod: 'device-code' });
    const first = t.handlers['auth.signIn']({ profileId: p.id });
    await expect(t.handlers['auth.signIn']({ profileId: p.id })).rejects.toMatchObject({ code: 'AUTH_IN_PROGRESS' });
    expect(t.rec.events.find((e) => e.name === 'auth.deviceCode')?.payload).toMatchObject({ profileId: p.id, userCode: 'ABCD-EFGH' });
    expect(await t.handlers['auth.cancel']({ profileId: p.id })).toEqual({ cancelled: true });
    await expect(first).rejects.toMatchObject({ code: 'AUTH_CANCELLED' });
    expect((await t.handlers['auth.status']({ profileId: p.id }))[0]!.state).toBe('signed-out');
    const second = t.handlers['auth.signIn']({ profileId: p.id });
    await t.rec.deviceCode(2);
    t.auth.approveDeviceCode();
    expect((await second).state).toBe('signed-in');
  });

  it('sign-out clears the account for every profile sharing it in the same app cache', async () => {
    const t = setup();
    const a = await t.handlers['connections.save'](profile);
    const b = await t.handlers['connections.save']({ ...profile, name: 'Sales UAT', url: 'https://contoso-uat.crm4.dynamics.com' });
    await t.handlers['auth.signIn']({ profileId: a.id });
    await t.handlers['auth.signIn']({ profileId: b.id });
    await t.handlers['auth.signOut']({ profileId: a.id });
    expect(t.auth.calls).toContain('signOut');
    expect((await t.store.get(b.id)).homeAccountId).toBeNull();
    expect((await t.handlers['auth.status']({ profileId: b.id }))[0]!.state).toBe('signed-out');
  });

  it('duplicate copies fields but not secrets or sign-in; delete removes everything', async () => {
    const t = setup();
    const p = await t.handlers['connections.save']({ ...profile, authMethod: 'client-secret', secrets: { clientSecret: 'abc' } });
    const copy = await t.handlers['connections.duplicate']({ id: p.id });
    expect(copy.name).toBe('Sales (copy)');
    expect(copy.secretsSet).toEqual([]);
    expect(copy.secretsMissing).toEqual(['clientSecret']);
    expect((await t.handlers['connections.duplicate']({ id: p.id })).name).toBe('Sales (copy 2)');
    expect(await t.handlers['connections.delete']({ id: p.id })).toEqual({ deleted: true });
    expect((await t.handlers['connections.list']({})).map((x) => x.name)).toEqual(['Sales (copy 2)', 'Sales (copy)']);
  });

  it('import renames clashing profiles and reports the secrets still needed', async () => {
    const t = setup();
    await t.handlers['connections.save']({ ...profile, authMethod: 'client-secret', secrets: { clientSecret: 'abc' } });
    const { json } = await t.handlers['connections.export']({});
    const r = await t.handlers['connections.import']({ json });
    expect(r.renamed).toEqual([['Sales', 'Sales (imported)']]);
    expect(r.imported[0]!.secretsMissing).toEqual(['clientSecret']);
  });
});

describe('connection test against a local stub', () => {
  const stub: FetchLike = async (url, init) => {
    const auth = init.headers.Authorization ?? '';
    const u = new URL(url);
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', date: new Date().toUTCString() } });
    if (!auth.startsWith('Bearer tok-')) return json(401, { error: { code: '0x80072560', message: 'The user is not a member of the organization.' } });
    if (u.pathname.endsWith('/v1.0/me')) return json(200, { userPrincipalName: 'ingrid@nordlys.example' });
    if (u.pathname.endsWith('/v1.0/organization')) return json(200, { value: [{ id: 'o', displayName: 'Nordlys' }] });
    if (u.pathname.endsWith('/companies')) return json(200, { value: [{ id: 'c1', name: 'CRONUS' }] });
    return json(404, { error: { code: 'NoEnvironment', message: 'Environment not found' } });
  };

  it('Graph (/me), BC company check, and a 404 explained with what to check', async () => {
    const t = setup(stub);
    const graph = await t.handlers['connections.save']({ ...profile, name: 'Teams', kind: 'graph', url: null });
    await t.handlers['auth.signIn']({ profileId: graph.id });
    const r = await t.handlers['connections.test']({ profileId: graph.id });
    expect(r).toMatchObject({ ok: true, user: 'ingrid@nordlys.example', error: null });
    const bc = await t.handlers['connections.save']({ ...profile, name: 'BC', kind: 'bc-online', url: null, environmentName: 'Production', company: 'Nope Ltd' });
    await t.handlers['auth.signIn']({ profileId: bc.id });
    const r2 = await t.handlers['connections.test']({ profileId: bc.id });
    expect(r2.error).toMatchObject({ code: 'CONNECTION_COMPANY_NOT_FOUND' });
    expect(r2.error?.message).toContain('CRONUS');
    const hq = await t.handlers['connections.save']({ ...profile, name: 'HQ', kind: 'commerce-hq', url: 'https://hq.example' });
    await t.handlers['auth.signIn']({ profileId: hq.id });
    const r3 = await t.handlers['connections.test']({ profileId: hq.id });
    expect(r3.error?.code).toBe('CONNECTION_NOT_FOUND_REMOTE');
  });

  it('maps service answers to actionable codes', async () => {
    const t = setup();
    const p = (await t.handlers['connections.save']({ ...profile, authMethod: 'client-secret' }));
    expect(explain(new ServiceError(401, 'x', 'no'), p).message).toMatch(/application user/);
    expect(explain(new ServiceError(403, '0x80040220', 'missing privilege'), p).code).toBe('CONNECTION_FORBIDDEN');
    expect(explain(new ServiceError(401, '0x80040225', 'The user with SystemUserId=… is disabled'), p).code).toBe('CONNECTION_USER_DISABLED');
    expect(explain(new ServiceError(null, 'NETWORK', 'Could not reach host'), p).code).toBe('CONNECTION_UNREACHABLE');
    expect(explain(new ServiceError(429, 'THROTTLED', 'slow'), p).code).toBe('CONNECTION_THROTTLED');
  });
});
