import { ResultSchema, TransportErrorCodes, type Result } from '../../preload/contract';
import type { PreloadBridge, Transport } from './types';

export function electronTransport(bridge: PreloadBridge): Transport {
  return {
    kind: 'electron',
    async invoke(method, payload) {
      try {
        const raw = await bridge.invoke(method, payload);
        const parsed = ResultSchema.safeParse(raw);
        return parsed.success ? (parsed.data as Result<unknown>) : { ok: false, error: { code: TransportErrorCodes.badResponse, message: 'Malformed answer from the console.' } };
      } catch (x) {
        return { ok: false, error: { code: TransportErrorCodes.disconnected, message: (x as Error).message } };
      }
    },
    on: (event, listener) => bridge.on(event, listener),
  };
}
