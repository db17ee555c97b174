import { InteractionRequiredAuthError, ServerError, type TokenCacheContext } from '@azure/msal-node';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheSecretName, SecretStoreCachePlugin } from '../../../main/auth/cache-plugin';
import { tokenClockSkewSeconds } from '../../../main/auth/claims';
import { mapAuthError } from '../../../main/auth/errors';
import { certificateCredential } from '../../../main/auth/msal-auth';
import { LoopbackNetworkClient, checkRoute, offlineAuthorityMetadata, rewrite, type FetchFn } from '../../../main/auth/network';
import { authorityFor, scopesFor } from '../../../main/auth/scopes';
import { ServiceError } from '../../../main/http/errors';
import { AppFailure } from '../../../main/rpc/errors';
import { UnavailableCipher } from '../../../main/secrets/store';
import { tempStore } from '../connections/support';

const fixture = (n: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', n), 'utf8');

describe('scopes and authority', () => {
  it('derives one resource scope per kind and flow', () => {
    expect(scopesFor('dataverse', 'https://contoso.crm4.dynamics.com/main.aspx', 'delegated')).toEqual(['https://contoso.crm4.dynamics.com/user_impersonation']);
    expect(scopesFor('dataverse', 'https://contoso.crm4.dynamics.com/', 'app')).toEqual(['https://contoso.crm4.dynamics.com/.default']);
    expect(scopesFor('bc-online', null, 'delegated')).toEqual(['https://api.businesscentral.dynamics.com/.default']);
    expect(scopesFor('graph', null, 'delegated')).toEqual(['https://graph.microsoft.com/User.Read']);
    expect(scopesFor('graph', null, 'app')).toEqual(['https://graph.microsoft.com/.default']);
    expect(scopesFor('commerce-hq', 'https://hq.operations.dynamics.com', 'delegated')).toEqual(['https://hq.operations.dynamics.com/.default']);
    expect(() => scopesFor('bc-onprem', 'https://bc', 'delegated')).toThrow(/access key/);
    expect(() => scopesFor('dataverse', 'http://contoso.crm.dynamics.com', 'delegated')).toThrow(/plain http/);
    expect(() => scopesFor('dataverse', null, 'delegated')).toThrow(/environment URL/);
  });

  it('any Dataverse URL yields exactly one scope on its origin', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['https'], withQueryParameters: false, withFragments: false }), fc.constantFrom('delegated' as const, 'app' as const), (url, flow) => {
        const [scope, ...rest] = scopesFor('dataverse', url, flow);
        return rest.length === 0 && scope!.startsWith(new URL(url).origin + '/') && /\/(user_impersonation|\.default)$/.test(scope!);
      }),
    );
  });

  it('builds authorities and refuses http', () => {
    expect(authorityFor(null, null)).toBe('https://login.microsoftonline.com/organizations');
    expect(authorityFor('https://login.microsoftonline.us/', 'contoso.onmicrosoft.com')).toBe('https://login.microsoftonline.us/contoso.onmicrosoft.com');
    expect(() => authorityFor('http://login.example', 't')).toThrow(AppFailure);
  });
});

describe('error mapping', () => {
  // Built the way msal-common's ResponseHandler builds it from an Entra error body.
  const server = (code: number, error = 'invalid_grant', sub?: string) =>
    new ServerError(error, 'corr-1', `Error(s): ${code} - Timestamp: 2026-11-23 10:00:00Z - Description: AADSTS${code}: something happened.\r\nTrace ID: abc\r\nCorrelation ID: def - Correlation ID: def - Trace ID: abc`, sub, String(code), 400);
  const cases: [number, string][] = [
    [90002, 'AUTH_WRONG_TENANT'],
    [65001, 'AUTH_CONSENT_MISSING'],
    [53003, 'AUTH_CONDITIONAL_ACCESS'],
    [700024, 'AUTH_CLOCK_SKEW'],
    [700027, 'AUTH_CERTIFICATE_INVALID'],
    [7000222, 'AUTH_CLIENT_SECRET_EXPIRED'],
    [7000215, 'AUTH_CLIENT_SECRET_INVALID'],
    [50057, 'AUTH_USER_DISABLED'],
    [50126, 'AUTH_BAD_CREDENTIALS'],
    [700016, 'AUTH_APP_NOT_FOUND'],
    [50011, 'AUTH_REDIRECT_MISMATCH'],
    [1002012, 'AUTH_SCOPE_INVALID'],
    [700082, 'AUTH_REQUIRED'],
    [70043, 'AUTH_REQUIRED'],
    [70020, 'AUTH_DEVICE_CODE_EXPIRED'],
  ];
  it.each(cases)('AADSTS%i → %s with an instruction and the first line only', (code, expected) => {
    const f = mapAuthError(server(code));
    expect(f.code).toBe(expected);
    expect(f.message).toContain(`AADSTS${code}`);
    expect(f.message).not.toContain('Trace ID');
    expect(f.params?.aadsts).toBe(code);
    expect(f.params?.detail).toBe(`AADSTS${code}: something happened.`);
  });

  it('falls back on error/suberror names and MSAL error classes', () => {
    expect(mapAuthError(new InteractionRequiredAuthError('no_tokens_found', 'none')).code).toBe('AUTH_REQUIRED');
    expect(mapAuthError(new ServerError('invalid_grant', 'c', 'Provided grant is invalid', 'bad_token')).code).toBe('AUTH_REQUIRED');
    expect(mapAuthError(new ServerError('consent_required', 'c', 'no consent')).code).toBe('AUTH_CONSENT_MISSING');
    expect(mapAuthError(new ServiceError(null, 'NETWORK', 'Could not reach x')).code).toBe('AUTH_NETWORK');
    expect(mapAuthError(new Error('weird')).code).toBe('AUTH_FAILED');
    const same = new AppFailure('X', 'y');
    expect(mapAuthError(same)).toBe(same);
  });

  it('never echoes a token that appears in an error text', () => {
    const f = mapAuthError(new ServerError('invalid_request', 'c', 'bad assertion=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl'));
    expect(JSON.stringify(f.toData())).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\./);
  });
});

describe('network shim', () => {
  it('only reroutes the configured https host, only onto loopback', () => {
    const routes = [checkRoute({ authorityHost: 'https://login.sandbox.d365ic.localhost', target: 'http://127.0.0.1:4000' })];
    expect(rewrite(routes, 'https://login.sandbox.d365ic.localhost/t/oauth2/v2.0/token?x=1')).toBe('http://127.0.0.1:4000/t/oauth2/v2.0/token?x=1');
    expect(rewrite(routes, 'https://login.sandbox.d365ic.localhost.evil.com/t')).toBeNull();
    expect(rewrite(routes, 'https://login.microsoftonline.com/t')).toBeNull();
    expect(() => checkRoute({ authorityHost: 'https://login.x', target: 'http://10.0.0.5:80' })).toThrow(/only be redirected to this computer/);
    expect(() => checkRoute({ authorityHost: 'http://login.x', target: 'http://127.0.0.1:80' })).toThrow(/must be https/);
    fc.assert(
      fc.property(fc.webPath(), (p) => {
        const out = rewrite(routes, `https://login.sandbox.d365ic.localhost${p.startsWith('/') ? p : '/' + p}`);
        return out !== null && out.startsWith('http://127.0.0.1:4000/');
      }),
    );
  });

  it('forwards the public name, parses JSON and refuses unrouted hosts', async () => {
    const seen: { url: string; headers?: Record<string, string> }[] = [];
    const f: FetchFn = async (url, init) => {
      seen.push({ url, headers: init.headers });
      return new Response('{"token_type":"Bearer"}', { status: 200, headers: { 'Content-Type': 'application/json', 'X-Ms-Request-Id': 'r1' } });
    };
    const client = new LoopbackNetworkClient([{ authorityHost: 'https://login.sandbox.d365ic.localhost', target: 'http://127.0.0.1:4000' }], f);
    const res = await client.sendPostRequestAsync<{ token_type: string }>('https://login.sandbox.d365ic.localhost/t/oauth2/v2.0/token', { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.body.token_type).toBe('Bearer');
    expect(res.headers['x-ms-request-id']).toBe('r1');
    expect(seen[0]!.headers!['x-forwarded-host']).toBe('login.sandbox.d365ic.localhost');
    await expect(client.sendGetRequestAsync('https://login.microsoftonline.com/common/discovery/instance')).rejects.toThrow(/not the configured sandbox authority/);
    expect(seen).toHaveLength(1);
    const meta = JSON.parse(offlineAuthorityMetadata('https://login.sandbox.d365ic.localhost/tid').authorityMetadata) as Record<string, string>;
    expect(meta.token_endpoint).toBe('https://login.sandbox.d365ic.localhost/tid/oauth2/v2.0/token');
  });
});

describe('encrypted token cache plugin', () => {
  function fakeContext(initial: string | null, changed: boolean) {
    let data = initial ?? '';
    const ctx = {
      cacheHasChanged: changed,
      tokenCache: { deserialize: (s: string) => void (data = s), serialize: () => data },
    } as unknown as TokenCacheContext;
    return { ctx, read: () => data, write: (s: string) => void (data = s) };
  }

  it('stores the cache encrypted, reads it back, and writes only on change', async () => {
    const s = tempStore();
    try {
      const name = cacheSecretName('7D1F4E2A-3C5B-4A69-8E0D-1B2C3D4E5F60', 'https://login.microsoftonline.com/contoso');
      expect(name).toMatch(/^auth\.cache\.7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60\.[0-9a-f]{16}$/);
      const plugin = new SecretStoreCachePlugin(s.secrets, name);
      const body = JSON.stringify({ RefreshToken: { k: { secret: 'refresh-token-value-123' } } });
      const c1 = fakeContext(null, true);
      c1.write(body);
      await plugin.afterCacheAccess(c1.ctx);
      const row = s.db.prepare('SELECT ciphertext FROM secrets WHERE name = ?').get(name) as { ciphertext: Buffer };
      expect(row.ciphertext.toString('latin1')).not.toContain('refresh-token-value');
      const c2 = fakeContext(null, false);
      await plugin.beforeCacheAccess(c2.ctx);
      expect(c2.read()).toBe(body);
      const c3 = fakeContext('{"changed":false}', false);
      await plugin.afterCacheAccess(c3.ctx);
      expect(await s.secrets.get(name)).toBe(body);
    } finally {
      s.cleanup();
    }
  });

  it('refuses to persist without encryption (nothing written) and survives an unreadable cache', async () => {
    const s = tempStore(() => new UnavailableCipher('no keyring'));
    try {
      const plugin = new SecretStoreCachePlugin(s.secrets, 'auth.cache.x.y');
      const c = fakeContext('{"RefreshToken":{}}', true);
      await expect(plugin.afterCacheAccess(c.ctx)).rejects.toMatchObject({ code: 'SECRETS_UNAVAILABLE' });
      expect(s.db.prepare('SELECT count(*) AS n FROM secrets').get()).toEqual({ n: 0 });
    } finally {
      s.cleanup();
    }
    const ok = tempStore();
    try {
      await ok.secrets.set('auth.cache.a.b', 'not json {');
      const warnings: string[] = [];
      const plugin = new SecretStoreCachePlugin(ok.secrets, 'auth.cache.a.b', { info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined });
      const c = { cacheHasChanged: false, tokenCache: { deserialize: (t: string) => JSON.parse(t) as unknown } } as unknown as TokenCacheContext;
      await plugin.beforeCacheAccess(c);
      expect(warnings[0]).toMatch(/damaged; a new sign-in will be needed/);
    } finally {
      ok.cleanup();
    }
  });
});

describe('certificate credential', () => {
  const valid = fixture('valid.pem');
  const shortLived = fixture('short-lived.pem');
  it('computes the SHA-256 thumbprint from the certificate and checks a given one', () => {
    const c = certificateCredential(valid, null, Date.now());
    expect(c.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(certificateCredential(valid, c.thumbprintSha256!.toUpperCase(), Date.now()).thumbprintSha256).toBe(c.thumbprintSha256);
    expect(() => certificateCredential(valid, 'a'.repeat(64), Date.now())).toThrow(/does not belong/);
  });

  it('refuses an expired certificate before asking the identity service', () => {
    const later = Date.now() + 400 * 86_400_000;
    try {
      certificateCredential(shortLived, null, later);
      expect.unreachable();
    } catch (x) {
      expect((x as AppFailure).code).toBe('AUTH_CERTIFICATE_EXPIRED');
      expect((x as AppFailure).message).toMatch(/expired on \d{4}-\d{2}-\d{2}/);
    }
  });

  it('needs a private key, and a thumbprint when only the key is pasted', () => {
    const keyOnly = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(valid)![0];
    const certOnly = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(valid)![0];
    expect(() => certificateCredential(certOnly, null, Date.now())).toThrow(/no private key/);
    expect(() => certificateCredential(keyOnly, null, Date.now())).toThrow(/Enter the certificate thumbprint/);
    expect(certificateCredential(keyOnly, 'ab'.repeat(20), Date.now())).toMatchObject({ thumbprint: 'ab'.repeat(20) });
  });
});

describe('token clock skew', () => {
  const jwt = (claims: object) => `Bearer eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
  it('compares iat (or nbf) with the local clock and ignores opaque tokens', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), fc.integer({ min: -86_400, max: 86_400 }), (now, skew) => {
        return tokenClockSkewSeconds(jwt({ iat: now + skew }), now * 1000) === skew && tokenClockSkewSeconds(jwt({ nbf: now + skew }), now * 1000) === skew;
      }),
    );
    expect(tokenClockSkewSeconds('Bearer opaque-token', 0)).toBeNull();
    expect(tokenClockSkewSeconds('Basic dXNlcjprZXk=', 0)).toBeNull();
    expect(tokenClockSkewSeconds(jwt({ sub: 'x' }), 0)).toBeNull();
  });
});
