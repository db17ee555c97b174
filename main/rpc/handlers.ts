import type { z } from 'zod';
import type { MethodSpec } from '../../preload/contract/core/rpc';

/** Who is calling: transports fill this in after their own origin/sender checks. */
export interface CallContext {
  transport: 'electron' | 'browser' | 'memory' | 'cli';
}

/**
 * The handlers of a group of contract methods (`HandlersOf<typeof syncMethods>`): one function per method, taking the
 * input as the router passes it (parsed by the method's zod schema, defaults filled) and answering a promise of the
 * output. Every domain module declares its handlers with this type, so a method the contract gains and the domain
 * forgets is a type error in that domain; the composition root (main/app/create-app.ts) spreads the domains into
 * `Handlers`. `ctx` is optional so tests can call a handler directly.
 *
 * `Side = 'input'` types the input on the schema's input side (defaults still optional): wider than what the router
 * passes, so such a map still fits `Handlers`, and tests may call it with unparsed input (the connections.* map).
 */
export type HandlersOf<T extends Record<string, MethodSpec>, Side extends 'parsed' | 'input' = 'parsed'> = {
  [K in keyof T]: (input: Side extends 'input' ? z.input<T[K]['input']> : z.output<T[K]['input']>, ctx?: CallContext) => Promise<z.output<T[K]['output']>>;
};

/** Contract methods the map has no function for (the composition root refuses to start with one; the type says so first). */
export function missingHandlers(names: readonly string[], handlers: Readonly<Record<string, unknown>>): string[] {
  return names.filter((n) => typeof handlers[n] !== 'function');
}
