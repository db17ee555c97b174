import { TransportErrorCodes, isMethodName, methods, type MethodName, type MethodOutput, type MethodParsedInput } from '../../preload/contract';
import type { ConnectionState, Transport } from './types';

export type FakeHandlers = { [M in MethodName]?: (input: MethodParsedInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>> };

/**
 * In-memory transport for component tests and previews: validates input and output against the same contract
 * as main, so a component cannot pass a test by sending something main would refuse. Records every call.
 */
export function fakeTransport(handlers: FakeHandlers) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: { method: string; payload: unknown }[] = [];
  const connection = new Set<(s: ConnectionState) => void>();
  const transport: Transport & { calls: typeof calls; push(event: string, payload: unknown): void; connection(state: ConnectionState): void } = {
    kind: 'memory',
    calls,
    async invoke(method, payload) {
      calls.push({ method, payload });
      if (!isMethodName(method)) return { ok: false, error: { code: TransportErrorCodes.unknownMethod, message: `Unknown method: ${method}` } };
      const input = methods[method].input.safeParse(payload ?? {});
      if (!input.success) return { ok: false, error: { code: TransportErrorCodes.badRequest, message: input.error.message } };
      const h = handlers[method] as ((i: unknown) => unknown) | undefined;
      if (!h) return { ok: false, error: { code: TransportErrorCodes.unknownMethod, message: `No fake for ${method}` } };
      try {
        const value = methods[method].output.parse(await h(input.data));
        return { ok: true, value };
      } catch (x) {
        const e = x as { code?: string; message: string };
        return { ok: false, error: { code: e.code ?? TransportErrorCodes.internal, message: e.message } };
      }
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    push(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    onConnection(listener) {
      connection.add(listener);
      return () => connection.delete(listener);
    },
    /** Simulate the host's link going up or down (browser host). */
    connection(state) {
      for (const l of connection) l(state);
    },
  };
  return transport;
}
