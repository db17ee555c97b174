import { z } from 'zod';

/**
 * Errors travel as data: every call answers `{ ok: true, value }` or `{ ok: false, error }`.
 * `code` is stable (UI looks up `errors.<code>` in its catalogs), `message` is English fallback text,
 * `params` fill placeholders in translated messages, `issues` list input-validation problems.
 */
export const AppErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** code/minimum/maximum: the zod issue's kind and limits, so the UI can word the problem in its language. */
  issues: z.array(z.object({
    path: z.string(), message: z.string(), code: z.string().optional(), minimum: z.number().optional(), maximum: z.number().optional(),
  })).optional(),
});
export type AppError = z.infer<typeof AppErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: AppErrorSchema }),
]);

/** Standard error codes produced by the transports and the router themselves. */
export const TransportErrorCodes = {
  unknownMethod: 'UNKNOWN_METHOD',
  badRequest: 'BAD_REQUEST',
  forbidden: 'FORBIDDEN',
  internal: 'INTERNAL',
  badResponse: 'BAD_RESPONSE',
  disconnected: 'DISCONNECTED',
  /** The message is over the transport's size limit (params: size, limit in bytes). */
  messageTooLarge: 'MESSAGE_TOO_LARGE',
} as const;

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** One line for docs and the method catalogue. */
  summary: string;
}

export function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, summary: string): MethodSpec<I, O> {
  return { input, output, summary };
}

export const Empty = z.object({}).strict();
