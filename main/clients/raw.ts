/**
 * Non-JSON requests (multipart $batch). HttpClient only sends JSON bodies and parses JSON answers, so this wraps
 * the same rules for a text body: origin check through `http.resolve`, the TokenProvider's Authorization header with
 * one forced refresh after a 401, Retry-After honoured on 429/503, per-attempt timeout, correlation id, and the
 * service's error body turned into a ServiceError. (Requested from the HTTP engineer: a `body: string` option on
 * HttpClient.request would make this file unnecessary.)
 */
import { randomUUID } from 'node:crypto';
import type { FetchLike, HttpClient, TokenProvider } from '../http/client';
import { defaultSleep, parseRetryAfter } from '../http/client';
import { parseErrorBody, ServiceError } from '../http/errors';

export interface RawRequest {
  method: 'POST' | 'GET' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body: string;
  correlationId?: string;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  correlationId: string;
}

export type RawSend = (req: RawRequest) => Promise<RawResponse>;

export interface RawTransportOptions {
  http: HttpClient;
  auth?: TokenProvider;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** 0 lets a bulk caller's limiter see the 429 itself. */
  maxRetries?: number;
  maxRetryAfterMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  defaultHeaders?: Record<string, string>;
}

export function rawTransport(opts: RawTransportOptions): RawSend {
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const sleep = opts.sleep ?? defaultSleep;
  return async (req) => {
    const url = opts.http.resolve(req.path);
    const correlationId = req.correlationId ?? randomUUID();
    const maxRetries = opts.maxRetries ?? 4;
    let refreshed = false;
    let retries = 0;
    for (;;) {
      const headers: Record<string, string> = { 'x-ms-client-request-id': correlationId, ...opts.defaultHeaders, ...req.headers };
      if (opts.auth) headers.Authorization = await opts.auth.authorization({ forceRefresh: refreshed, signal: req.signal });
      const timeoutMs = opts.timeoutMs ?? 120_000;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await doFetch(url.toString(), { method: req.method, headers, body: req.body, signal });
      } catch (x) {
        if (req.signal?.aborted) throw new ServiceError(null, 'CANCELLED', 'The request was cancelled.', { correlationId, url: url.pathname, method: req.method });
        if (timeout.aborted) throw new ServiceError(null, 'TIMEOUT', `${url.host} did not answer within ${Math.round(timeoutMs / 1000)} s. Send smaller batches or check the network.`, { correlationId, url: url.pathname, method: req.method });
        throw new ServiceError(null, 'NETWORK', `Could not reach ${url.host}: ${(x as Error).message}. Check the URL, proxy and network.`, { correlationId, url: url.pathname, method: req.method });
      }
      if (res.status === 401 && opts.auth && !refreshed) {
        await res.body?.cancel();
        refreshed = true;
        continue;
      }
      if (res.status === 429 || res.status === 503) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'), Date.now());
        if (retries < maxRetries && (retryAfter === null || retryAfter <= (opts.maxRetryAfterMs ?? 300_000))) {
          await res.body?.cancel();
          retries++;
          await sleep(retryAfter ?? Math.round(Math.random() * 1000 * 2 ** (retries - 1)), req.signal);
          continue;
        }
        const parsed = parseErrorBody(res.status, await res.text());
        throw new ServiceError(res.status, 'THROTTLED', `${url.host} is limiting requests (${parsed.message}).`, {
          correlationId, url: url.pathname, method: req.method, retryAfterMs: retryAfter ?? undefined, body: parsed.body,
        });
      }
      const text = await res.text();
      // A $batch answers 200 even when parts fail; 4xx here means the envelope itself was rejected... except that
      // Dataverse answers 400 with a multipart body when a change set fails without continue-on-error. Callers get
      // that body to parse, so only non-multipart errors become exceptions.
      if (!res.ok && !(res.headers.get('content-type') ?? '').startsWith('multipart/')) {
        const parsed = parseErrorBody(res.status, text);
        throw new ServiceError(res.status, parsed.code, parsed.message, { correlationId, url: url.pathname, method: req.method, body: parsed.body });
      }
      return { status: res.status, headers: res.headers, text, correlationId };
    }
  };
}
