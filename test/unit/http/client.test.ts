import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpClient, parseRetryAfter, type FetchLike } from '../../../main/http/client';
import { parseErrorBody, ServiceError } from '../../../main/http/errors';
import { insecureUrlReason } from '../../../main/http/url';
import type { Logger } from '../../../main/ports';

type Call = { url: string; method: string; headers: Record<string, string>; body?: string };

/** A scripted fetch: answers in order, records each request. */
function scripted(...answers: (Response | ((c: Call, signal: AbortSignal) => Promise<Response>))[]) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const call = { url, method: init.method, headers: init.headers, body: init.body };
    calls.push(call);
    const a = answers.shift();
    if (!a) throw new Error(`unexpected request ${url}`);
    return typeof a === 'function' ? a(call, init.signal) : a;
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function recordingLogger() {
  const lines: string[] = [];
  const l = (m: string, d?: unknown) => lines.push(m + (d === undefined ? '' : JSON.stringify(d)));
  const logger: Logger = { info: l, warn: l, error: l };
  return { logger, lines };
}

function tokens(values = ['eyJhbGciOiJSUzI1NiJ9.first-token-payload.sig', 'eyJhbGciOiJSUzI1NiJ9.second-token-payload.sig']) {
  const requests: boolean[] = [];
  return {
    requests,
    provider: {
      authorization: async ({ forceRefresh }: { forceRefresh: boolean }) => {
        requests.push(forceRefresh);
        return `Bearer ${forceRefresh ? values[1] : values[0]}`;
      },
    },
  };
}

const noSleep = () => {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
};

describe('HttpClient', () => {
  it('injects the bearer token and a correlation id, parses JSON', async () => {
    const { fetch, calls } = scripted(json(200, { UserId: 'u1' }));
    const t = tokens();
    const http = new HttpClient({ baseUrl: 'https://org.crm4.dynamics.com/api/data/v9.2', auth: t.provider, fetch });
    const res = await http.get<{ UserId: string }>('WhoAmI');
    expect(res.body.UserId).toBe('u1');
    expect(calls[0]!.url).toBe('https://org.crm4.dynamics.com/api/data/v9.2/WhoAmI');
    expect(calls[0]!.headers.Authorization).toMatch(/^Bearer eyJ/);
    expect(calls[0]!.headers['x-ms-client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.correlationId).toBe(calls[0]!.headers['x-ms-client-request-id']);
  });

  it('refreshes the token once after a 401 and retries; a second 401 fails', async () => {
    const ok = scripted(json(401, { error: { code: '0x8006088a', message: 'expired' } }), json(200, { ok: 1 }));
    const t = tokens();
    const http = new HttpClient({ baseUrl: 'https://x.example', auth: t.provider, fetch: ok.fetch });
    await http.get('a');
    expect(t.requests).toEqual([false, true]);
    expect(ok.calls[1]!.headers.Authorization).toContain('second-token');

    const twice = scripted(json(401, { error: { code: 'A', message: 'no' } }), json(401, { error: { code: 'B', message: 'still no' } }));
    const t2 = tokens();
    const http2 = new HttpClient({ baseUrl: 'https://x.example', auth: t2.provider, fetch: twice.fetch });
    const err = await http2.get('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).status).toBe(401);
    expect((err as ServiceError).code).toBe('B');
    expect(t2.requests).toEqual([false, true]);
  });

  it('honours Retry-After on 429 and keeps the correlation id across retries', async () => {
    const s = noSleep();
    const { fetch, calls } = scripted(json(429, { error: { code: '0x80072322', message: 'Number of requests exceeded' } }, { 'Retry-After': '7' }), json(200, {}));
    const http = new HttpClient({ baseUrl: 'https://x.example', fetch, sleep: s.sleep });
    const res = await http.get('a');
    expect(s.waits).toEqual([7000]);
    expect(res.attempts).toBe(2);
    expect(calls[0]!.headers['x-ms-client-request-id']).toBe(calls[1]!.headers['x-ms-client-request-id']);
  });

  it('backs off with full jitter on 503 without Retry-After, then gives up with THROTTLED', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 3, maxLength: 3 }), async (rands) => {
        const s = noSleep();
        const r = [...rands];
        const { fetch } = scripted(...Array.from({ length: 4 }, () => json(503, { error: { code: 'ServiceUnavailable', message: 'busy' } })));
        const http = new HttpClient({ baseUrl: 'https://x.example', fetch, sleep: s.sleep, random: () => r.shift()!, maxRetries: 3, retryBaseMs: 1000 });
        const err = (await http.get('a').catch((e: unknown) => e)) as ServiceError;
        expect(err.code).toBe('THROTTLED');
        expect(err.serviceMessage).toContain('busy');
        expect(s.waits).toHaveLength(3);
        s.waits.forEach((w, i) => {
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(1000 * 2 ** i);
          expect(w).toBe(Math.round(rands[i]! * 1000 * 2 ** i));
        });
      }),
      { numRuns: 30 },
    );
  });

  it('fails fast with the wait time when Retry-After is beyond the cap', async () => {
    const s = noSleep();
    const { fetch } = scripted(json(429, { error: { code: 'x', message: 'slow down' } }, { 'Retry-After': '3600' }));
    const http = new HttpClient({ baseUrl: 'https://x.example', fetch, sleep: s.sleep, maxRetryAfterMs: 60_000 });
    const err = (await http.get('a').catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe('THROTTLED');
    expect(err.details.retryAfterMs).toBe(3_600_000);
    expect(err.serviceMessage).toMatch(/Try again in 3600 s/);
    expect(s.waits).toEqual([]);
  });

  it('times out a hung request with TIMEOUT', async () => {
    const hang = (_: Call, signal: AbortSignal) => new Promise<Response>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const { fetch } = scripted(hang);
    const http = new HttpClient({ baseUrl: 'https://x.example', fetch, timeoutMs: 50 });
    const err = (await http.get('a').catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe('TIMEOUT');
    expect(err.serviceMessage).toMatch(/did not answer/);
  });

  it('does not resend a POST after a network failure, but retries a GET', async () => {
    const boom = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    };
    const post = scripted(boom);
    const s = noSleep();
    const http = new HttpClient({ baseUrl: 'https://x.example', fetch: post.fetch, sleep: s.sleep });
    const err = (await http.request({ method: 'POST', path: 'accounts', json: { name: 'A' } }).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe('NETWORK');
    expect(post.calls).toHaveLength(1);

    const get = scripted(boom, json(200, { v: 1 }));
    const http2 = new HttpClient({ baseUrl: 'https://x.example', fetch: get.fetch, sleep: s.sleep });
    expect((await http2.get<{ v: number }>('a')).body.v).toBe(1);
  });

  it('refuses plain http except to loopback, and never follows a link to another origin', async () => {
    expect(() => new HttpClient({ baseUrl: 'http://org.crm.dynamics.com' })).toThrow(/plain http/);
    expect(() => new HttpClient({ baseUrl: 'http://127.0.0.1:5555/api' })).not.toThrow();
    const { fetch, calls } = scripted(json(200, { value: [1], '@odata.nextLink': 'https://evil.example/steal?page=2' }));
    const http = new HttpClient({ baseUrl: 'https://org.example/api/', fetch, auth: tokens().provider });
    const err = await http.collect('accounts').catch((e: unknown) => e);
    expect((err as ServiceError).code).toBe('FOREIGN_ORIGIN');
    expect(calls).toHaveLength(1);
  });

  it('follows @odata.nextLink verbatim until the last page', async () => {
    const base = 'https://org.example/api/data/v9.2/';
    const { fetch, calls } = scripted(
      json(200, { value: [{ n: 1 }, { n: 2 }], '@odata.nextLink': `${base}accounts?$select=name&$skiptoken=%3Ccookie%20page%3D%222%22%3E` }),
      json(200, { value: [{ n: 3 }], '@odata.nextLink': `${base}accounts?$select=name&$skiptoken=p3` }),
      json(200, { value: [{ n: 4 }] }),
    );
    const http = new HttpClient({ baseUrl: base, fetch });
    const all = await http.collect<{ n: number }>('accounts', { query: { $select: 'name' }, maxPageSize: 2 });
    expect(all.map((r) => r.n)).toEqual([1, 2, 3, 4]);
    expect(calls[0]!.url).toBe(`${base}accounts?%24select=name`);
    expect(calls[1]!.url).toBe(`${base}accounts?$select=name&$skiptoken=%3Ccookie%20page%3D%222%22%3E`);
    expect(calls[0]!.headers.Prefer).toBe('odata.maxpagesize=2');
  });

  it('stops a paging loop', async () => {
    const base = 'https://org.example/';
    const page = () => json(200, { value: [1], '@odata.nextLink': `${base}a?page=2` });
    const { fetch } = scripted(page(), page(), page());
    const err = await new HttpClient({ baseUrl: base, fetch }).collect('a').catch((e: unknown) => e);
    expect((err as ServiceError).code).toBe('PAGING_LOOP');
  });

  it('logs method, URL, status and correlation id but never the token or secrets in the query', async () => {
    const { logger, lines } = recordingLogger();
    const { fetch } = scripted(json(500, { error: { code: '0x80040216', message: 'An unexpected error occurred.' } }));
    const http = new HttpClient({ baseUrl: 'https://x.example', fetch, logger, auth: tokens().provider });
    const err = (await http.get('a', { query: { client_secret: 'hunter2-very-secret' } }).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe('0x80040216');
    expect(err.serviceMessage).toBe('An unexpected error occurred.');
    const text = lines.join('\n');
    expect(text).toMatch(/GET https:\/\/x\.example\/a.* 500 .*\[[0-9a-f-]{36}\]/);
    expect(text).not.toContain('first-token');
    expect(text).not.toContain('hunter2');
    expect(err.message).not.toContain('hunter2');
  });
});

describe('parseErrorBody', () => {
  it('reads OData, OAuth and plain-text error bodies', () => {
    expect(parseErrorBody(404, JSON.stringify({ error: { code: 'Internal_RecordNotFound', message: 'The Customer does not exist.\nCorrelationId: x' } }))).toMatchObject({
      code: 'Internal_RecordNotFound',
      message: 'The Customer does not exist.',
    });
    expect(parseErrorBody(400, JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS70008: expired.\r\nTrace ID: 1' }))).toMatchObject({
      code: 'invalid_grant',
      message: 'AADSTS70008: expired.',
    });
    expect(parseErrorBody(502, '<html><body><h1>Bad Gateway</h1></body></html>')).toMatchObject({ code: 'HTTP_502', message: 'Bad Gateway' });
    expect(parseErrorBody(503, '')).toMatchObject({ code: 'HTTP_503', message: 'Service unavailable' });
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), (n) => parseRetryAfter(String(n), 0) === n * 1000));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), (delta, nowSec) => {
        const now = nowSec * 1000;
        return parseRetryAfter(new Date(now + delta * 1000).toUTCString(), now) === delta * 1000;
      }),
    );
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter(null, 0)).toBeNull();
  });
});

describe('insecureUrlReason', () => {
  it('allows https anywhere and http only to loopback', () => {
    fc.assert(
      fc.property(fc.domain(), fc.boolean(), (host, https) => {
        const reason = insecureUrlReason(`${https ? 'https' : 'http'}://${host}/`);
        return https ? reason === null : host === 'localhost' ? reason === null : typeof reason === 'string' && reason.includes('https');
      }),
    );
    expect(insecureUrlReason('http://127.0.0.1:8080')).toBeNull();
    expect(insecureUrlReason('http://[::1]:8080')).toBeNull();
    expect(insecureUrlReason('ftp://x')).toMatch(/not supported/);
    expect(insecureUrlReason('not a url')).toMatch(/not a valid URL/);
  });
});
