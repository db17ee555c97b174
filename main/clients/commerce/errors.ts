/**
 * Finance and Operations (Commerce headquarters) error bodies → a readable CommerceError.
 *
 * F&O differs from Graph/Dataverse (reference §1.9): `error.innererror` is lower-case, `error.code` is usually
 * empty and `error.message` is the useless "An error has occurred."; the real reason (the Infolog text of a write
 * failure, the token check that failed) is in `innererror.message`. So the message shown is the inner one when the
 * outer one is generic, and the code is `HTTP_<status>` when F&O sent none.
 */
import { isServiceError, ServiceError } from '../../http/errors';

export class CommerceError extends ServiceError {
  /** innererror.type, e.g. Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException. */
  readonly innerType?: string;

  constructor(status: number | null, code: string, message: string, details: ServiceError['details'], innerType?: string) {
    super(status, code, message, details);
    this.name = 'CommerceError';
    if (innerType) this.innerType = innerType;
  }
}

export const isCommerceError = (x: unknown): x is CommerceError => x instanceof CommerceError;

const GENERIC = /^(An error has occurred\.?|)$/i;

/** `{error:{code,message,innererror:{message,type}}}` → code + best message. */
export function commerceErrorInfo(status: number, body: unknown): { code: string; message: string; innerType?: string } {
  const e = (body as { error?: { code?: unknown; message?: unknown; innererror?: { message?: unknown; type?: unknown }; innerError?: { message?: unknown } } } | null)?.error;
  if (!e || typeof e !== 'object') return { code: `HTTP_${status}`, message: `HTTP ${status}` };
  const code = typeof e.code === 'string' && e.code ? e.code : `HTTP_${status}`;
  const outer = typeof e.message === 'string' ? e.message.trim() : '';
  const innerObj = e.innererror ?? e.innerError;
  const inner = typeof innerObj?.message === 'string' ? innerObj.message.split(/\r?\n/)[0]!.trim() : '';
  const message = GENERIC.test(outer) ? inner || outer || `HTTP ${status}` : inner && inner !== outer ? `${outer} ${inner}` : outer;
  const innerType = typeof (e.innererror as { type?: unknown } | undefined)?.type === 'string' ? String((e.innererror as { type: string }).type) : undefined;
  return { code, message, ...(innerType ? { innerType } : {}) };
}

export function toCommerceError(x: unknown): unknown {
  if (!isServiceError(x) || x instanceof CommerceError) return x;
  if (x.status === null || x.code === 'THROTTLED') {
    const err = new CommerceError(x.status, x.code, x.serviceMessage, x.details);
    err.stack = x.stack;
    return err;
  }
  const info = commerceErrorInfo(x.status, x.details.body);
  const err = new CommerceError(x.status, info.code, info.message, x.details, info.innerType);
  err.stack = x.stack;
  return err;
}
