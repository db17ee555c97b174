import type { AppError, MethodInput, MethodName, MethodOutput, Result } from '../../preload/contract';
import { electronTransport } from './electron';
import type { Transport } from './types';
import { takeLaunchToken, wsTransport } from './ws';

/** Error raised by `call` when main answers `{ ok: false }`; carries the contract's AppError. */
export class RpcError extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

let current: Transport | null = null;

export function setTransport(t: Transport): void {
  current = t;
}

/** Pick the transport for this host: the preload bridge in Electron, the loopback WebSocket in a browser. */
export function detectTransport(): Transport {
  if (window.d365ic) return electronTransport(window.d365ic);
  const token = takeLaunchToken();
  if (!token) throw new Error('This page was opened without its launch token. Open the address printed by "npm start".');
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return wsTransport(`${scheme}://${window.location.host}/rpc`, token);
}

export function transport(): Transport {
  if (!current) current = detectTransport();
  return current;
}

export async function invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>> {
  return (await transport().invoke(method, input)) as Result<MethodOutput<M>>;
}

export async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const r = await invoke(method, input);
  if (!r.ok) throw new RpcError(r.error);
  return r.value;
}
