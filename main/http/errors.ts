/**
 * A failed call to a remote service (Dataverse, Business Central, Graph, identity), carrying what the service said.
 * `code` is the service's own code when it sent one (e.g. Dataverse 0x80040217, BC Internal_RecordNotFound,
 * OAuth invalid_grant), otherwise one of ours: TIMEOUT, NETWORK, THROTTLED, HTTP_<status>, INSECURE_URL, CANCELLED.
 */
export class ServiceError extends Error {
  constructor(
    readonly status: number | null,
    readonly code: string,
    /** The service's message (first line), or ours. Never contains request headers. */
    readonly serviceMessage: string,
    readonly details: {
      correlationId?: string;
      /** Server-side request id (x-ms-service-request-id / request-id) to quote in a support ticket. */
      requestId?: string;
      url?: string;
      method?: string;
      retryAfterMs?: number;
      /** The parsed error body, for callers that need more than code + message. */
      body?: unknown;
    } = {},
  ) {
    super(`${details.method ?? ''} ${details.url ?? ''} failed: ${status ?? '-'} ${code}: ${serviceMessage}`.trim());
    this.name = 'ServiceError';
  }
}

export const isServiceError = (x: unknown): x is ServiceError => x instanceof ServiceError;

/**
 * Pull code + message out of the error bodies our services send:
 *  - OData v4 (Dataverse, BC, Graph): { error: { code, message, innererror? } }
 *  - OAuth2 / Entra:                  { error: "invalid_grant", error_description: "AADSTS…\r\nTrace ID…" }
 *  - anything else: the first line of the text.
 */
export function parseErrorBody(status: number, text: string): { code: string; message: string; body: unknown } {
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON; keep the text
  }
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const e = b.error;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      return { code: String(o.code ?? `HTTP_${status}`), message: firstLine(String(o.message ?? '')) || statusText(status), body };
    }
    if (typeof e === 'string') {
      return { code: e, message: firstLine(String(b.error_description ?? '')) || e, body };
    }
    if (typeof b.Message === 'string') return { code: `HTTP_${status}`, message: firstLine(b.Message), body };
  }
  const line = firstLine(typeof text === 'string' ? text.replace(/<[^>]*>/g, ' ') : '').slice(0, 300);
  return { code: `HTTP_${status}`, message: line || statusText(status), body };
}

function firstLine(s: string): string {
  return s.split(/\r?\n/)[0]!.trim();
}

function statusText(status: number): string {
  const known: Record<number, string> = {
    400: 'Bad request',
    401: 'Not authenticated',
    403: 'Access denied',
    404: 'Not found',
    409: 'Conflict',
    412: 'Precondition failed (the record changed since it was read)',
    429: 'Too many requests',
    500: 'Internal server error',
    502: 'Bad gateway',
    503: 'Service unavailable',
    504: 'Gateway timeout',
  };
  return known[status] ?? `HTTP ${status}`;
}
