/**
 * Graph failures as one typed error the UI can show: Graph's own `code` (e.g. Request_ResourceNotFound, Conflict,
 * or '' for Planner's "The If-Match header contains an invalid value."), the HTTP status, and the ids Microsoft
 * support asks for (`request-id`, `client-request-id`, `date` from `error.innerError`, camel-case as Graph sends it).
 *
 * GraphError extends ServiceError, so the shared helpers (isConcurrencyConflict, isNotFound, the limiter's throttle
 * classifier, the connection tester's explain()) keep working on it.
 */
import { isServiceError, ServiceError } from '../../http/errors';

export interface GraphErrorInfo {
  requestId?: string;
  clientRequestId?: string;
  /** innerError.date (UTC, no zone suffix, as Graph sends it). */
  date?: string;
  /** A nested innerError code when Graph sent one (some workloads put the real reason there). */
  innerCode?: string;
}

export class GraphError extends ServiceError {
  readonly requestId?: string;
  readonly clientRequestId?: string;
  readonly date?: string;
  readonly innerCode?: string;

  constructor(status: number | null, code: string, message: string, details: ServiceError['details'], info: GraphErrorInfo = {}) {
    super(status, code, message, { ...details, ...(info.requestId ? { requestId: info.requestId } : {}) });
    this.name = 'GraphError';
    this.requestId = info.requestId ?? details.requestId;
    this.clientRequestId = info.clientRequestId;
    this.date = info.date;
    this.innerCode = info.innerCode;
  }

  /** What a status line / toast in the UI shows: status, code (or a stand-in when Graph sent none) and the ids. */
  toView(): { status: number | null; code: string; message: string; requestId: string | null; clientRequestId: string | null; date: string | null } {
    return {
      status: this.status,
      code: this.code || `HTTP_${this.status ?? 0}`,
      message: this.serviceMessage,
      requestId: this.requestId ?? null,
      clientRequestId: this.clientRequestId ?? null,
      date: this.date ?? null,
    };
  }
}

export const isGraphError = (x: unknown): x is GraphError => x instanceof GraphError;

interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown; innerError?: Record<string, unknown> & { innerError?: Record<string, unknown> } };
}

/** Graph's error envelope → GraphError fields. Works on a top-level body and on a `$batch` item's body. */
export function graphErrorInfo(body: unknown): { code: string | null; message: string | null; info: GraphErrorInfo } {
  const e = (body as GraphErrorBody | null)?.error;
  if (!e || typeof e !== 'object') return { code: null, message: null, info: {} };
  const inner = e.innerError && typeof e.innerError === 'object' ? e.innerError : undefined;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const nested = inner?.innerError && typeof inner.innerError === 'object' ? inner.innerError : undefined;
  const info: GraphErrorInfo = {};
  const rid = str(inner?.['request-id']);
  const crid = str(inner?.['client-request-id']);
  const date = str(inner?.date);
  const innerCode = str(inner?.code) ?? str(nested?.code);
  if (rid) info.requestId = rid;
  if (crid) info.clientRequestId = crid;
  if (date) info.date = date;
  if (innerCode) info.innerCode = innerCode;
  return { code: typeof e.code === 'string' ? e.code : null, message: typeof e.message === 'string' ? e.message : null, info };
}

/** A ServiceError from the shared HTTP client → GraphError (keeps Graph's empty code: it means something in Planner). */
export function toGraphError(x: unknown, clientRequestId?: string): unknown {
  if (!isServiceError(x) || x instanceof GraphError) return x;
  const parsed = graphErrorInfo(x.details.body);
  const code = parsed.code !== null ? parsed.code : x.code;
  const info = { ...parsed.info };
  if (!info.clientRequestId && clientRequestId) info.clientRequestId = clientRequestId;
  const err = new GraphError(x.status, code, x.serviceMessage, x.details, info);
  err.stack = x.stack;
  return err;
}

/** A `$batch` item's failed response → GraphError (the same shape a direct call would throw). */
export function batchItemError(status: number, body: unknown, headers: Record<string, string>, url: string, method: string): GraphError {
  const parsed = graphErrorInfo(body);
  const retry = headers['retry-after'] ?? headers['Retry-After'];
  return new GraphError(status, parsed.code ?? `HTTP_${status}`, parsed.message || `HTTP ${status}`, {
    url, method, body, ...(retry && /^\d+$/.test(retry) ? { retryAfterMs: Number(retry) * 1000 } : {}),
  }, parsed.info);
}
