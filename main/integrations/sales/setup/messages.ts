import type { SetupMessage } from '../../../../preload/contract/sales/setup';

export type Params = Record<string, string | number>;

/**
 * A user-facing text as data: the renderer translates `setup.<code>` with the params, the English text is the
 * fallback and what logs show. `{name}` placeholders in `text` are filled from params here so both stay in step.
 */
export function msg(code: string, text: string, params: Params = {}): SetupMessage {
  const filled = text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
  return { code, params, text: filled };
}
