import type { z } from 'zod';
import {
  TransportErrorCodes as E,
  isMethodName,
  methods,
  type AppError,
  type Methods,
  type Result,
} from '../../preload/contract';
import { AppFailure } from './errors';
import type { CallContext, HandlersOf } from './handlers';

export type { CallContext, HandlersOf } from './handlers';

/** One handler per contract method: the domains' handler modules, spread together by the composition root. */
export type Handlers = HandlersOf<Methods>;

export interface RouterLog {
  error(message: string, detail?: unknown): void;
}

const limit = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : undefined);
/** Path, English message, and the issue code with its limits (the renderer words the problem from these). */
const issuesOf = (error: z.ZodError) =>
  error.issues.map((i) => {
    const minimum = 'minimum' in i ? limit(i.minimum) : undefined;
    const maximum = 'maximum' in i ? limit(i.maximum) : undefined;
    return {
      path: i.path.map(String).join('.') || '(root)', message: i.message, code: i.code,
      ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}),
    };
  });

export interface Router {
  /** Validate, dispatch and wrap. Never throws: every outcome is a Result. */
  call(method: unknown, payload: unknown, ctx: CallContext): Promise<Result<unknown>>;
}

/**
 * The one dispatcher behind every transport (Electron IPC, browser host, in-memory fake, CLI):
 * unknown methods and malformed payloads are refused before any service runs; outputs are validated too,
 * so a service can never leak a field the contract does not declare (e.g. a token).
 */
export function createRouter(handlers: Handlers, log: RouterLog = { error: (m, d) => console.error(m, d) }): Router {
  return {
    async call(method, payload, ctx) {
      // Everything inside one try: a hostile `method` (an object whose toString throws, a 200k-deep array whose
      // String() overflows the stack) or payload must come back as a Result, never as an exception.
      try {
        return await dispatch(method, payload, ctx);
      } catch (x) {
        log.error('router refused a request it could not even describe', x instanceof Error ? x.message : typeof x);
        return err({ code: E.badRequest, message: 'The request could not be read.' });
      }
    },
  };

  async function dispatch(method: unknown, payload: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (typeof method !== 'string') {
      return err({ code: E.badRequest, message: `The method name must be a string (got ${describeType(method)}).` });
    }
    if (!isMethodName(method)) {
      return err({ code: E.unknownMethod, message: `Unknown method: ${method.slice(0, 100)}` });
    }
    const spec = methods[method];
    let input: ReturnType<typeof spec.input.safeParse>;
    try {
      input = spec.input.safeParse(payload ?? {});
    } catch {
      return err({ code: E.badRequest, message: `Invalid input for ${method}: the payload could not be read.` });
    }
    if (!input.success) {
      return err({ code: E.badRequest, message: `Invalid input for ${method}.`, issues: issuesOf(input.error) });
    }
    let value: unknown;
    try {
      const handler = handlers[method] as (i: unknown, c: CallContext) => unknown;
      value = await handler(input.data, ctx);
    } catch (x) {
      if (x instanceof AppFailure) return err(x.toData());
      log.error(`${method} failed`, x);
      return err({ code: E.internal, message: 'Something went wrong in the console. The details were written to the log.' });
    }
    const output = spec.output.safeParse(value);
    if (!output.success) {
      log.error(`${method} returned data that does not match the contract`, issuesOf(output.error));
      return err({ code: E.badResponse, message: `The console produced an invalid answer for ${method}.` });
    }
    return { ok: true, value: output.data };
  }
}

/** The kind of a value, without calling anything on it (no toString/valueOf of hostile input). */
function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

function err(error: AppError): Result<never> {
  return { ok: false, error };
}
