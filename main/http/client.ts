import { randomUUID } from 'node:crypto';
import { redact } from '../platform/logger';
import type { Clock, Logger } from '../ports';
import { systemClock } from '../ports';
import { parseErrorBody, ServiceError } from './errors';
import { insecureUrlReason } from './url';

/**
 * Supplies the Authorization header value ("Bearer …" or "Basic …"). `forceRefresh` is set once after a 401 so
 * the provider skips its cache (the token may have been revoked or the clock may be off).
 */
export interface TokenProvider {
  authorization(opts: { forceRefresh: boolean; signal?: AbortSignal }): Promise<string>;
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<Response>;

export interface HttpClientOptions {
  /** Base URL the relative paths resolve against (kept with its path, e.g. https://org/api/data/v9.2/). */
  baseUrl: string;
  auth?: TokenProvider;
  fetch?: FetchLike;
  logger?: Logger;
  clock?: Clock;
  /** Per attempt. Dataverse's own limit is 2 minutes; a hung socket must not hold a sync forever. */
  timeoutMs?: number;
  /** Retries after 429/503 (and network errors on GET) before giving up. */
  maxRetries?: number;
  /** First back-off step when the service sends no Retry-After. */
  retryBaseMs?: number;
  /** The longest Retry-After we wait for; above it we fail with THROTTLED and say when to try again. */
  maxRetryAfterMs?: number;
  defaultHeaders?: Record<string, string>;
  /** Injectable for tests: 0..1. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to baseUrl, or absolute (must stay on the base URL's origin, see below). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Serialized as JSON. */
  json?: unknown;
  signal?: AbortSignal;
  /** Reuse a correlation id across calls of one logical operation. */
  correlationId?: string;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  body: T;
  correlationId: string;
  durationMs: number;
  attempts: number;
}

const RETRY_STATUSES = new Set([429, 503]);

export const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * The HTTP client every service client uses. Rules:
 *  - https only, plain http only to loopback; absolute URLs (e.g. @odata.nextLink) must stay on the base origin so
 *    a bearer token is never handed to another host;
 *  - bearer injection from the TokenProvider; one forced refresh and retry after a 401;
 *  - 429/503 retried honouring Retry-After, else exponential back-off with full jitter;
 *  - a timeout per attempt; `x-ms-client-request-id` on every request (same id across retries);
 *  - log lines carry method, redacted URL, status, duration and correlation id; never headers or bodies.
 */
export class HttpClient {
  readonly baseUrl: URL;
  private readonly fetchImpl: FetchLike;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly opts: HttpClientOptions) {
    const reason = insecureUrlReason(opts.baseUrl);
    if (reason) throw new ServiceError(null, 'INSECURE_URL', reason, { url: opts.baseUrl });
    this.baseUrl = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : opts.baseUrl + '/');
    this.fetchImpl = opts.fetch ?? ((url, init) => fetch(url, init));
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  resolve(path: string, query?: RequestOptions['query']): URL {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl);
    if (url.origin !== this.baseUrl.origin) {
      throw new ServiceError(null, 'FOREIGN_ORIGIN', `Refusing to call ${url.origin}: this client only talks to ${this.baseUrl.origin}.`, { url: url.origin });
    }
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  async get<T>(path: string, opts: Omit<RequestOptions, 'path' | 'method'> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...opts, path, method: 'GET' });
  }

  async request<T>(req: RequestOptions): Promise<HttpResponse<T>> {
    const method = req.method ?? 'GET';
    const url = this.resolve(req.path, req.query);
    const correlationId = req.correlationId ?? randomUUID();
    const safeUrl = redact(`${url.origin}${url.pathname}${url.search}`);
    const maxRetries = this.opts.maxRetries ?? 4;
    const started = this.clock.now();
    let refreshed = false;
    let attempts = 0;
    let retries = 0;
    for (;;) {
      attempts++;
      const headers: Record<string, string> = {
        Accept: 'application/json',
        'x-ms-client-request-id': correlationId,
        ...this.opts.defaultHeaders,
        ...req.headers,
      };
      if (req.json !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
      if (this.opts.auth) headers.Authorization = await this.opts.auth.authorization({ forceRefresh: refreshed, signal: req.signal });

      const timeoutMs = this.opts.timeoutMs ?? 100_000;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let res: Response;
      const t0 = this.clock.now();
      try {
        res = await this.fetchImpl(url.toString(), { method, headers, body: req.json === undefined ? undefined : JSON.stringify(req.json), signal });
      } catch (x) {
        if (req.signal?.aborted) throw new ServiceError(null, 'CANCELLED', 'The request was cancelled.', { correlationId, url: safeUrl, method });
        const timedOut = timeout.aborted;
        const err = timedOut
          ? new ServiceError(null, 'TIMEOUT', `${url.host} did not answer within ${Math.round(timeoutMs / 1000)} s. Check the URL and your network, then try again.`, { correlationId, url: safeUrl, method })
          : new ServiceError(null, 'NETWORK', `Could not reach ${url.host}: ${networkReason(x)}. Check the URL, proxy and network.`, { correlationId, url: safeUrl, method });
        this.log('warn', `${method} ${safeUrl} ${err.code} after ${this.clock.now() - t0} ms`, correlationId);
        // Only GET is safe to resend after a failure in flight: a POST may have been applied.
        if (method === 'GET' && !timedOut && retries < maxRetries) {
          retries++;
          await this.sleep(this.backoff(retries), req.signal);
          continue;
        }
        throw err;
      }
      const ms = this.clock.now() - t0;
      this.log(res.ok ? 'info' : 'warn', `${method} ${safeUrl} ${res.status} ${ms} ms`, correlationId);

      if (res.status === 401 && this.opts.auth && !refreshed) {
        await res.body?.cancel();
        refreshed = true;
        continue;
      }
      if (RETRY_STATUSES.has(res.status)) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'), this.clock.now());
        const cap = this.opts.maxRetryAfterMs ?? 300_000;
        if (retries < maxRetries && (retryAfter === null || retryAfter <= cap)) {
          await res.body?.cancel();
          retries++;
          await this.sleep(retryAfter ?? this.backoff(retries), req.signal);
          continue;
        }
        const text = await res.text();
        const parsed = parseErrorBody(res.status, text);
        const wait = retryAfter !== null ? ` Try again in ${Math.ceil(retryAfter / 1000)} s.` : ' Try again in a few minutes.';
        throw new ServiceError(res.status, 'THROTTLED', `${url.host} is limiting requests (${parsed.message}).${wait}`, {
          correlationId, requestId: requestIdOf(res.headers), url: safeUrl, method, retryAfterMs: retryAfter ?? undefined, body: parsed.body,
        });
      }
      const text = await res.text();
      if (!res.ok) {
        const parsed = parseErrorBody(res.status, text);
        throw new ServiceError(res.status, parsed.code, parsed.message, { correlationId, requestId: requestIdOf(res.headers), url: safeUrl, method, body: parsed.body });
      }
      let body: unknown = text;
      if (text && (res.headers.get('content-type') ?? '').includes('json')) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ServiceError(res.status, 'BAD_JSON', `${url.host} sent a response that is not valid JSON.`, { correlationId, url: safeUrl, method });
        }
      } else if (!text) body = null;
      return { status: res.status, headers: res.headers, body: body as T, correlationId, durationMs: this.clock.now() - started, attempts };
    }
  }

  /**
   * Every page of an OData collection, following @odata.nextLink verbatim (Dataverse forbids $skip; the link
   * carries the paging cookie). `maxPageSize` goes into Prefer: odata.maxpagesize.
   */
  async *pages<T>(path: string, opts: Omit<RequestOptions, 'path' | 'method'> & { maxPageSize?: number; maxPages?: number } = {}): AsyncGenerator<T[]> {
    const { maxPageSize, maxPages = 100_000, ...rest } = opts;
    const headers = { ...rest.headers, ...(maxPageSize ? { Prefer: `odata.maxpagesize=${maxPageSize}` } : {}) };
    let next: string | null = path;
    let query = rest.query;
    let count = 0;
    const seen = new Set<string>();
    while (next) {
      if (++count > maxPages) throw new ServiceError(null, 'TOO_MANY_PAGES', `Stopped after ${maxPages} pages of ${path}.`);
      const res: HttpResponse<{ value?: T[]; '@odata.nextLink'?: string }> = await this.request({ ...rest, headers, path: next, query });
      yield res.body?.value ?? [];
      const link = res.body?.['@odata.nextLink'];
      query = undefined; // the link already contains the query
      if (link && seen.has(link)) throw new ServiceError(null, 'PAGING_LOOP', `The service returned the same next page link twice for ${path}.`);
      if (link) seen.add(link);
      next = link ?? null;
    }
  }

  async collect<T>(path: string, opts: Parameters<HttpClient['pages']>[1] = {}): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages<T>(path, opts)) all.push(...page);
    return all;
  }

  /** Full jitter (AWS architecture blog): spreads retries of many clients instead of synchronising them. */
  private backoff(retry: number): number {
    const base = this.opts.retryBaseMs ?? 1000;
    return Math.round(this.random() * Math.min(60_000, base * 2 ** (retry - 1)));
  }

  private log(level: 'info' | 'warn', message: string, correlationId: string) {
    this.opts.logger?.[level](`${message} [${correlationId}]`);
  }
}

/** Retry-After is either delta-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function requestIdOf(h: Headers): string | undefined {
  return h.get('x-ms-service-request-id') ?? h.get('request-id') ?? h.get('x-ms-request-id') ?? h.get('x-ms-correlation-request-id') ?? undefined;
}

function networkReason(x: unknown): string {
  const cause = (x as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host name not found';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code && code.startsWith('CERT') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'SELF_SIGNED_CERT_IN_CHAIN') return `certificate problem (${code})`;
  return redact(cause?.message ?? (x as Error)?.message ?? 'unknown error');
}
