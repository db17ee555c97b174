import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SANDBOX_TENANT_ID } from '../../../main/sandbox/directory';
import { httpsAliasBridge } from '../../../main/sandbox/identity/https-bridge';

describe('httpsAliasBridge', () => {
  it('maps only the https alias origin onto the loopback server, keeping path and query', () => {
    const b = httpsAliasBridge('http://127.0.0.1:4321');
    fc.assert(
      fc.property(fc.webPath(), fc.webQueryParameters(), (path, query) => {
        const url = `https://login.sandbox.localhost${path.startsWith('/') ? path : `/${path}`}${query ? `?${query}` : ''}`;
        const mapped = new URL(b.toLoopback(url));
        const original = new URL(url);
        expect(mapped.origin).toBe('http://127.0.0.1:4321');
        expect(mapped.pathname).toBe(original.pathname);
        expect(mapped.search).toBe(original.search);
      }),
    );
    for (const other of ['https://login.microsoftonline.com/x', 'http://login.sandbox.localhost/x', 'https://login.sandbox.localhost.evil.example/x'])
      expect(b.toLoopback(other)).toBe(other);
  });

  it('gives MSAL https metadata for the tenant and forwards requests with proxy headers', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ ok: true }), { status: 200, headers: { 'x-ms-request-id': 'r1' } });
    }) as unknown as typeof fetch;
    const b = httpsAliasBridge('http://127.0.0.1:4321', { host: 'login.test.localhost', fetch: fakeFetch });
    expect(b.authority).toBe(`https://login.test.localhost/${SANDBOX_TENANT_ID}`);
    const meta = JSON.parse(b.authorityMetadata) as Record<string, string>;
    for (const key of ['token_endpoint', 'authorization_endpoint', 'jwks_uri', 'issuer']) expect(meta[key]!.startsWith(b.authority)).toBe(true);
    expect(JSON.parse(b.cloudDiscoveryMetadata)).toMatchObject({ metadata: [{ aliases: ['login.test.localhost'] }] });

    const r = await b.networkClient.sendPostRequestAsync<{ ok: boolean }>(`${b.authority}/oauth2/v2.0/token`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(r).toEqual({ status: 200, body: { ok: true }, headers: expect.objectContaining({ 'x-ms-request-id': 'r1' }) });
    expect(calls[0]!.url).toBe(`http://127.0.0.1:4321/${SANDBOX_TENANT_ID}/oauth2/v2.0/token`);
    expect(calls[0]!.init).toMatchObject({ method: 'POST', body: 'a=1', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'login.test.localhost', 'content-type': 'application/x-www-form-urlencoded' } });

    await b.networkClient.sendGetRequestAsync('https://elsewhere.example/x');
    expect(calls[1]!.init.headers).not.toHaveProperty('x-forwarded-host');
  });

  it('explains a non-JSON answer (wrong port / not the sandbox)', async () => {
    const fakeFetch = (async () => new Response('<html>', { status: 404 })) as unknown as typeof fetch;
    const b = httpsAliasBridge('http://127.0.0.1:4321', { fetch: fakeFetch });
    await expect(b.networkClient.sendGetRequestAsync(`${b.authority}/x`)).rejects.toThrow(/non-JSON body; is the sandbox running on http:\/\/127\.0\.0\.1:4321/);
  });
});
