import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheSecretName } from '../../../main/auth/cache-plugin';
import { authorityFor } from '../../../main/auth/scopes';
import { SANDBOX_TENANT_ID } from '../../../main/sandbox/directory';
import { AppFailure } from '../../../main/rpc/errors';
import { UnavailableCipher } from '../../../main/secrets/store';
import { testClock } from '../../support/clock';
import { tempStore, type TestStore } from '../../unit/connections/support';
import { ADMIN, ALIAS, CONFIDENTIAL_CLIENT, INTEGRATION, PUBLIC_CLIENT, countingFetch, dataverseProfile, headlessBrowser, startSandboxes, wire, type Sandboxes } from './harness';

const VALID_PEM = readFileSync(path.join(import.meta.dirname, '../../unit/auth/fixtures/valid.pem'), 'utf8');

let sb: Sandboxes;
const stores: TestStore[] = [];
const newStore = () => {
  const s = tempStore();
  stores.push(s);
  return s;
};

/** The identity service's time: refresh-token expiry is reached by advancing it, not by sleeping. */
const clock = testClock();
beforeAll(async () => {
  sb = await startSandboxes({ clock });
});
afterAll(async () => {
  await sb?.close();
  for (const s of stores) s.cleanup();
});

async function expectFailure(p: Promise<unknown>, code: string): Promise<AppFailure> {
  const x = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(x).toBeInstanceOf(AppFailure);
  expect((x as AppFailure).code).toBe(code);
  return x as AppFailure;
}

describe('interactive sign-in (system browser + loopback form_post)', () => {
  it('signs in headlessly, tests the Dataverse connection, survives a restart and refreshes an expired token silently', async () => {
    let store = newStore();
    const b = headlessBrowser(ADMIN);
    const counted = countingFetch();
    let app = wire(store, sb, b.browser, { fetchFn: counted.fetchFn });
    const profile = await app.handlers['connections.save'](dataverseProfile(sb));

    const status = await app.handlers['auth.signIn']({ profileId: profile.id, method: 'interactive' });
    expect(b.errors).toEqual([]);
    expect(status.state).toBe('signed-in');
    expect(status.account?.username).toBe(ADMIN.username);
    expect(status.expiresInSeconds).toBeGreaterThan(60);
    expect(status.scopes.join(' ')).toContain('user_impersonation');
    // The browser was sent to the loopback sandbox, not to the alias host it cannot resolve.
    expect(b.opened[0]).toMatch(new RegExp(`^${sb.identity.url}/${SANDBOX_TENANT_ID}/oauth2/v2.0/authorize\\?`));
    expect(new URL(b.opened[0]!).searchParams.get('response_mode')).toBe('form_post');
    expect(app.rec.statuses().map((s) => s.state)).toEqual(['signing-in', 'signed-in']);

    const report = await app.handlers['connections.test']({ profileId: profile.id });
    expect(report.error).toBeNull();
    expect(report.ok).toBe(true);
    expect(report.user).toBeTruthy();
    expect(report.details.fullName).toBe(ADMIN.displayName);
    expect(report.version).toMatch(/^9\./);
    expect(report.latencyMs).toBeGreaterThanOrEqual(0);
    expect(counted.grants).toEqual(['authorization_code']);

    // Restart: close the database, open it again with a new Auth instance; the encrypted cache answers silently.
    store = store.reopen();
    stores.push(store);
    const again = countingFetch();
    app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser, { fetchFn: again.fetchFn });
    expect((await app.handlers['auth.status']({ profileId: profile.id }))[0]!.state).toBe('signed-in');
    const second = await app.handlers['connections.test']({ profileId: profile.id });
    expect(second.ok).toBe(true);
    expect(again.grants).toEqual([]);

    // Expire the access token inside the persisted cache (as if the console had been closed for two hours).
    const name = cacheSecretName(PUBLIC_CLIENT.clientId, authorityFor(ALIAS, SANDBOX_TENANT_ID));
    const cache = JSON.parse((await store.secrets.get(name))!) as { AccessToken: Record<string, { expires_on: string; extended_expires_on?: string; secret: string }> };
    const oldSecrets = Object.values(cache.AccessToken).map((t) => t.secret);
    for (const t of Object.values(cache.AccessToken)) t.expires_on = t.extended_expires_on = String(Math.floor(Date.now() / 1000) - 60);
    await store.secrets.set(name, JSON.stringify(cache));
    store = store.reopen();
    stores.push(store);
    const third = countingFetch();
    app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser, { fetchFn: third.fetchFn });
    const refreshed = await app.handlers['connections.test']({ profileId: profile.id });
    expect(refreshed.ok).toBe(true);
    expect(third.grants).toEqual(['refresh_token']);
    const after = JSON.parse((await store.secrets.get(name))!) as typeof cache;
    expect(Object.values(after.AccessToken).some((t) => !oldSecrets.includes(t.secret))).toBe(true);
    // Nothing of the cache is readable in the database file itself.
    const raw = store.db.prepare('SELECT ciphertext FROM secrets WHERE name = ?').get(name) as { ciphertext: Buffer };
    expect(raw.ciphertext.toString('latin1')).not.toContain('RefreshToken');
  });

  it('an expired refresh token turns into auth-required (reconnect banner), never into a new browser prompt', async () => {
    const store = newStore();
    const b = headlessBrowser(ADMIN);
    const app = wire(store, sb, b.browser);
    sb.identity.authorityState.setKnobs({ refreshTokenLifetimeSeconds: 1 });
    try {
      const profile = await app.handlers['connections.save'](dataverseProfile(sb, { name: 'Idle 90 days' }));
      await app.handlers['auth.signIn']({ profileId: profile.id });
      const name = cacheSecretName(PUBLIC_CLIENT.clientId, authorityFor(ALIAS, SANDBOX_TENANT_ID));
      const cache = JSON.parse((await store.secrets.get(name))!) as { AccessToken: Record<string, { expires_on: string; extended_expires_on?: string }> };
      for (const t of Object.values(cache.AccessToken)) t.expires_on = t.extended_expires_on = String(Math.floor(Date.now() / 1000) - 60);
      await store.secrets.set(name, JSON.stringify(cache));
      const fresh = wire(store, sb, b.browser); // new Auth instance reads the edited cache
      clock.advance(1100); // past the refresh token's 1 s lifetime, on the authority's clock
      const report = await fresh.handlers['connections.test']({ profileId: profile.id });
      expect(report.ok).toBe(false);
      expect(report.error?.code).toBe('AUTH_REQUIRED');
      expect(report.error?.message).toMatch(/Reconnect/);
      expect(fresh.rec.statuses().at(-1)).toMatchObject({ state: 'auth-required', error: { code: 'AUTH_REQUIRED' } });
      expect(b.opened).toHaveLength(1);
    } finally {
      sb.identity.authorityState.setKnobs({ refreshTokenLifetimeSeconds: 90 * 86_400 });
    }
  });

  it('can be cancelled: the loopback listener is released and the state returns to signed-out', async () => {
    const store = newStore();
    const b = headlessBrowser(ADMIN, 'ignore');
    const app = wire(store, sb, b.browser);
    const profile = await app.handlers['connections.save'](dataverseProfile(sb, { name: 'Cancel me' }));
    const pending = app.handlers['auth.signIn']({ profileId: profile.id });
    const redirect = new URL(new URL(await b.firstOpened).searchParams.get('redirect_uri')!);
    expect(await app.handlers['auth.cancel']({ profileId: profile.id })).toEqual({ cancelled: true });
    await expectFailure(pending, 'AUTH_CANCELLED');
    expect((await app.handlers['auth.status']({ profileId: profile.id }))[0]!.state).toBe('signed-out');
    const probe = await fetch(`http://127.0.0.1:${redirect.port}/`).then(
      () => 'open',
      () => 'closed',
    );
    expect(probe).toBe('closed');
    expect(await app.handlers['auth.cancel']({ profileId: profile.id })).toEqual({ cancelled: false });
  });

  it('listens on the loopback port registered on the app when the redirect names one', async () => {
    const free = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const store = newStore();
    const b = headlessBrowser(ADMIN);
    const app = wire(store, sb, b.browser);
    const profile = await app.handlers['connections.save'](dataverseProfile(sb, { name: 'Fixed port', app: { clientId: PUBLIC_CLIENT.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: `http://localhost:${free}`, authorityHost: ALIAS } }));
    expect((await app.handlers['auth.signIn']({ profileId: profile.id })).state).toBe('signed-in');
    expect(new URL(b.opened[0]!).searchParams.get('redirect_uri')).toBe(`http://localhost:${free}`);
  });

  it('times out with a clear message when the browser never comes back', async () => {
    const store = newStore();
    const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser, { interactiveTimeoutMs: 300 });
    const profile = await app.handlers['connections.save'](dataverseProfile(sb, { name: 'Slow' }));
    const f = await expectFailure(app.handlers['auth.signIn']({ profileId: profile.id }), 'AUTH_TIMEOUT');
    expect(f.message).toMatch(/not completed in the browser/);
    expect((await app.handlers['auth.status']({ profileId: profile.id }))[0]!.state).toBe('error');
  });

  it('maps a missing consent to AUTH_CONSENT_MISSING', async () => {
    const store = newStore();
    sb.identity.authorityState.setKnobs({ consentMissing: [PUBLIC_CLIENT.clientId] });
    try {
      const app = wire(store, sb, headlessBrowser(ADMIN).browser);
      const profile = await app.handlers['connections.save'](dataverseProfile(sb, { name: 'No consent' }));
      const f = await expectFailure(app.handlers['auth.signIn']({ profileId: profile.id }), 'AUTH_CONSENT_MISSING');
      expect(f.message).toMatch(/admin consent/);
    } finally {
      sb.identity.authorityState.setKnobs({ consentMissing: [] });
    }
  });
});

describe('device code', () => {
  it('shows the code, signs in when the user approves, and sign-out removes the account and its tokens', async () => {
    const store = newStore();
    const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser);
    sb.identity.authorityState.setKnobs({ deviceCodeIntervalSeconds: 1 });
    const profile = await app.handlers['connections.save'](dataverseProfile(sb, { name: 'Device', authMethod: 'device-code' }));
    const pending = app.handlers['auth.signIn']({ profileId: profile.id, method: 'deviceCode' });
    const code = await app.rec.deviceCode();
    expect(code.verificationUri).toBe(`${sb.identity.url}/devicelogin`);
    expect(Date.parse(code.expiresAt)).toBeGreaterThan(Date.now());
    // The user types the code on the verification page and signs in.
    const page = await fetch(`${code.verificationUri}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_code: code.userCode, username: INTEGRATION.username, password: INTEGRATION.password, decision: 'approve' }).toString(),
    });
    expect(await page.text()).toContain('You have signed in');
    const status = await pending;
    expect(status.state).toBe('signed-in');
    expect(status.account?.username).toBe(INTEGRATION.username);
    expect((await app.handlers['connections.test']({ profileId: profile.id })).ok).toBe(true);

    const name = cacheSecretName(PUBLIC_CLIENT.clientId, authorityFor(ALIAS, SANDBOX_TENANT_ID));
    expect(await store.secrets.get(name)).toContain('RefreshToken');
    const out = await app.handlers['auth.signOut']({ profileId: profile.id });
    expect(out.state).toBe('signed-out');
    const cache = JSON.parse((await store.secrets.get(name))!) as Record<string, Record<string, unknown>>;
    expect(Object.keys(cache.Account ?? {})).toEqual([]);
    expect(Object.keys(cache.RefreshToken ?? {})).toEqual([]);
    expect(Object.keys(cache.AccessToken ?? {})).toEqual([]);
    // After sign-out a test fails with "sign in", it does not open a browser.
    const report = await app.handlers['connections.test']({ profileId: profile.id });
    expect(report.ok).toBe(false);
    expect(report.error?.code).toBe('AUTH_REQUIRED');
    // Signed out is "not signed in", not "expired": the UI words it so.
    expect(report.error?.params).toEqual({ reason: 'not-signed-in' });
    expect(app.rec.statuses().at(-1)!.state).toBe('auth-required');
  });

  it('a profile never signed in is reported as not signed in (not as an expired sign-in)', async () => {
    const store = newStore();
    const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser);
    const profile = await app.handlers['connections.save'](dataverseProfile(sb, { name: 'Never signed in', authMethod: 'interactive' }));
    const report = await app.handlers['connections.test']({ profileId: profile.id });
    expect(report.error).toMatchObject({ code: 'AUTH_REQUIRED', params: { reason: 'not-signed-in' } });
    expect(report.error?.message).not.toMatch(/expired/i);
    expect(app.rec.statuses().at(-1)).toMatchObject({ state: 'auth-required', error: { params: { reason: 'not-signed-in' } } });
  });

  it('approval through the sandbox admin endpoint works too, and cancel stops polling at once', async () => {
    const store = newStore();
    const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser);
    const profile = await app.handlers['connections.save'](dataverseProfile(sb, { name: 'Device 2', authMethod: 'device-code' }));
    const first = app.handlers['auth.signIn']({ profileId: profile.id });
    const waitCode = (n: number) => app.rec.deviceCode(n);
    const c1 = await waitCode(1);
    const t0 = Date.now();
    await app.handlers['auth.cancel']({ profileId: profile.id });
    await expectFailure(first, 'AUTH_CANCELLED');
    expect(Date.now() - t0).toBeLessThan(500);
    expect(c1.userCode).toBeTruthy();

    const second = app.handlers['auth.signIn']({ profileId: profile.id });
    const c2 = await waitCode(2);
    const approve = await fetch(`${sb.identity.url}/_sandbox/identity/devicecodes/approve`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userCode: c2.userCode, username: ADMIN.username }),
    });
    expect(approve.status).toBe(200);
    expect((await second).account?.username).toBe(ADMIN.username);
  });
});

describe('application sign-in (client secret, certificate) and BC', () => {
  it('client secret: signs in and tests Dataverse as the application user; a wrong secret is explained', async () => {
    const store = newStore();
    const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser);
    const profile = await app.handlers['connections.save']({
      ...dataverseProfile(sb, { name: 'App user', authMethod: 'client-secret' }),
      app: { clientId: CONFIDENTIAL_CLIENT.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: ALIAS },
      secrets: { clientSecret: CONFIDENTIAL_CLIENT.clientSecret! },
    });
    expect(profile.secretsSet).toEqual(['clientSecret']);
    const status = await app.handlers['auth.signIn']({ profileId: profile.id });
    expect(status.state).toBe('signed-in');
    expect(status.scopes.join(' ')).toContain('/.default');
    // "Signed in as" names the app (the token's app_displayname), not only its client id.
    expect(status.account).toEqual({ username: CONFIDENTIAL_CLIENT.clientId, name: CONFIDENTIAL_CLIENT.displayName });
    const report = await app.handlers['connections.test']({ profileId: profile.id });
    expect(report.error).toBeNull();
    expect(report.details.fullName).toContain('Business Central Integration');

    await app.handlers['connections.save']({ ...profile, secrets: { clientSecret: 'not-the-secret' } });
    const f = await expectFailure(app.handlers['auth.signIn']({ profileId: profile.id }), 'AUTH_CLIENT_SECRET_INVALID');
    expect(f.message).toMatch(/value \(not its id\)/);
    expect(f.message).not.toContain('not-the-secret');
  });

  it('certificate: signs a client assertion the sandbox accepts once the certificate is registered', async () => {
    const store = newStore();
    const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser);
    const profile = await app.handlers['connections.save']({
      ...dataverseProfile(sb, { name: 'App cert', authMethod: 'certificate' }),
      app: { clientId: CONFIDENTIAL_CLIENT.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: ALIAS },
      secrets: { certificatePem: VALID_PEM },
    });
    await expectFailure(app.handlers['auth.signIn']({ profileId: profile.id }), 'AUTH_CERTIFICATE_INVALID');
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(VALID_PEM)![0];
    sb.identity.authorityState.registerClientCertificate(CONFIDENTIAL_CLIENT.clientId, cert);
    expect((await app.handlers['auth.signIn']({ profileId: profile.id })).state).toBe('signed-in');
    expect((await app.handlers['connections.test']({ profileId: profile.id })).ok).toBe(true);
  });

  it('BC online with a client secret lists companies; BC on-premises uses the web service access key', async () => {
    const store = newStore();
    const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser);
    const online = await app.handlers['connections.save']({
      ...dataverseProfile(sb, { name: 'BC online', kind: 'bc-online', url: sb.bc.url, environmentName: sb.bc.environment, authMethod: 'client-secret' }),
      app: { clientId: CONFIDENTIAL_CLIENT.clientId, tenantId: sb.bc.tenant, redirectUri: null, authorityHost: ALIAS },
      secrets: { clientSecret: CONFIDENTIAL_CLIENT.clientSecret! },
    });
    const r1 = await app.handlers['connections.test']({ profileId: online.id });
    expect(r1.error).toBeNull();
    expect(Number(r1.details.companies)).toBeGreaterThan(0);

    const onprem = await app.handlers['connections.save']({
      ...dataverseProfile(sb, { name: 'BC onprem', kind: 'bc-onprem', url: `${sb.bc.url}/BC`, authMethod: 'bc-access-key', app: null, userName: ADMIN.username }),
      secrets: { accessKey: ADMIN.bc!.webServiceAccessKey! },
    });
    expect((await app.handlers['auth.signIn']({ profileId: onprem.id })).state).toBe('signed-in');
    const r2 = await app.handlers['connections.test']({ profileId: onprem.id });
    expect(r2.error).toBeNull();
    expect(r2.user).toBe(ADMIN.username);

    await app.handlers['connections.save']({ ...onprem, secrets: { accessKey: 'wrong-key' } });
    const r3 = await app.handlers['connections.test']({ profileId: onprem.id });
    expect(r3.error?.code).toBe('CONNECTION_UNAUTHORIZED');
    expect(r3.error?.message).toMatch(/Web Service Access Key/);
  });

  it('a clock difference beyond 5 minutes is reported as AUTH_CLOCK_SKEW, not as a bare 401', async () => {
    const store = newStore();
    sb.identity.authorityState.setKnobs({ clockSkewSeconds: 3600 });
    try {
      const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser);
      const profile = await app.handlers['connections.save']({
        ...dataverseProfile(sb, { name: 'Skewed', authMethod: 'client-secret' }),
        app: { clientId: CONFIDENTIAL_CLIENT.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: ALIAS },
        secrets: { clientSecret: CONFIDENTIAL_CLIENT.clientSecret! },
      });
      const report = await app.handlers['connections.test']({ profileId: profile.id });
      expect(report.ok).toBe(false);
      expect(report.error?.code).toBe('AUTH_CLOCK_SKEW');
      expect(report.details.clockSkew).toMatch(/about 60 minutes/);
    } finally {
      sb.identity.authorityState.setKnobs({ clockSkewSeconds: 0 });
    }
  });

  it('a wrong tenant is reported as AUTH_WRONG_TENANT', async () => {
    const store = newStore();
    const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser);
    const profile = await app.handlers['connections.save']({
      ...dataverseProfile(sb, { name: 'Wrong tenant', authMethod: 'client-secret' }),
      app: { clientId: CONFIDENTIAL_CLIENT.clientId, tenantId: 'fabrikam.example', redirectUri: null, authorityHost: ALIAS },
      secrets: { clientSecret: CONFIDENTIAL_CLIENT.clientSecret! },
    });
    const f = await expectFailure(app.handlers['auth.signIn']({ profileId: profile.id }), 'AUTH_WRONG_TENANT');
    expect(f.message).toMatch(/tenant/);
  });
});

describe('refusing plaintext', () => {
  it('refuses to sign in or store secrets when OS encryption is unavailable, and writes nothing', async () => {
    const store = tempStore(() => new UnavailableCipher('No OS key store (libsecret) is available on this Linux desktop'));
    stores.push(store);
    const app = wire(store, sb, headlessBrowser(ADMIN).browser);
    const profile = await app.handlers['connections.save'](dataverseProfile(sb, { name: 'No vault' }));
    const f = await expectFailure(app.handlers['auth.signIn']({ profileId: profile.id }), 'AUTH_CACHE_UNAVAILABLE');
    expect(f.message).toContain('libsecret');
    expect(f.message).toMatch(/Nothing was saved in plain text/);
    await expectFailure(app.handlers['connections.save']({ ...profile, authMethod: 'client-secret', secrets: { clientSecret: 'abc' } }), 'SECRETS_UNAVAILABLE');
    expect(store.db.prepare('SELECT count(*) AS n FROM secrets').get()).toEqual({ n: 0 });
    expect((await app.handlers['connections.list']({}))[0]!.authMethod).toBe('interactive');
  });
});

describe('httpClientFor', () => {
  it('gives sync services a client bound to the profile: token injected, paging across the sandbox', async () => {
    const store = newStore();
    const app = wire(store, sb, headlessBrowser(ADMIN, 'ignore').browser);
    const profile = await app.handlers['connections.save']({
      ...dataverseProfile(sb, { name: 'Sync app', authMethod: 'client-secret' }),
      app: { clientId: CONFIDENTIAL_CLIENT.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: ALIAS },
      secrets: { clientSecret: CONFIDENTIAL_CLIENT.clientSecret! },
    });
    const http = await app.httpClientFor(profile.id);
    let pages = 0;
    const users: { fullname: string }[] = [];
    for await (const page of http.pages<{ fullname: string }>('systemusers', { query: { $select: 'fullname' }, maxPageSize: 2 })) {
      pages++;
      users.push(...page);
    }
    expect(users.length).toBeGreaterThanOrEqual(4);
    expect(pages).toBe(Math.ceil(users.length / 2));
    expect(users.map((u) => u.fullname)).toContain(ADMIN.displayName);
  });
});
