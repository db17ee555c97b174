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

/** Any failure of a call as the contract's AppError (a refused call carries main's; anything else is INTERNAL). */
export const asAppError = (x: unknown): AppError => (x instanceof RpcError ? x.error : { code: 'INTERNAL', message: x instanceof Error ? x.message : String(x) });

/** A store's push-event subscriptions: made on the current transport, made again when the transport changes. */
export interface Subscription {
  /** Subscribes on the current transport (once; again after the transport changed). */
  ensure(): void;
  /** Drops the subscriptions (tests, between renders). */
  reset(): void;
}

/**
 * Events are per transport and tests swap transports, so every store that listens re-subscribes when the transport
 * changes: `listen` subscribes on the given transport and returns the unsubscribe functions.
 */
export function subscription(listen: (t: Transport) => (() => void)[]): Subscription {
  let current: { to: Transport; off: (() => void)[] } | null = null;
  const reset = () => {
    for (const off of current?.off ?? []) off();
    current = null;
  };
  return {
    ensure() {
      const t = transport();
      if (current?.to === t) return;
      reset();
      current = { to: t, off: listen(t) };
    },
    reset,
  };
}

/** Contract field names the catalogs name in their own words (common: errors.request.field.<name>); others: "A value". */
export const REQUEST_FIELDS = ['name', 'values', 'value', 'field', 'attribute', 'expression', 'reviewer', 'comment', 'fileName', 'url', 'conditions'] as const;
/** zod issue codes the catalogs word (common: errors.request.issue.<code>); others: "is not valid". */
export const REQUEST_ISSUES = ['invalid_type', 'too_small', 'too_big', 'invalid_format', 'invalid_value', 'unrecognized_keys', 'custom'] as const;

/**
 * The one place a refused request (BAD_REQUEST: the router's "Invalid input for <method>.") becomes something a user
 * can act on: params naming the first problem's field and kind, which every page's errors.<code> lookup
 * turns into a translated, field-specific sentence. The method name stays in `message` (logs), never on screen.
 */
export function withRequestParams(e: AppError): AppError {
  if (e.code !== 'BAD_REQUEST') return e;
  const issue = e.issues?.[0];
  const name = issue ? [...issue.path.split('.')].reverse().find((s) => s !== '(root)' && !/^\d+$/.test(s)) : undefined;
  const position = issue ? issue.path.split('.').filter((s) => /^\d+$/.test(s)).map((n) => Number(n) + 1).join('.') : '';
  return {
    ...e,
    params: {
      ...(e.params ?? {}),
      field: name && (REQUEST_FIELDS as readonly string[]).includes(name) ? name : 'other',
      issue: issue?.code && (REQUEST_ISSUES as readonly string[]).includes(issue.code) ? issue.code : 'other',
      position,
      minimum: issue?.minimum ?? 0,
      maximum: issue?.maximum ?? 0,
    },
  };
}

export async function invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>> {
  const r = (await transport().invoke(method, input)) as Result<MethodOutput<M>>;
  return r.ok ? r : { ok: false, error: withRequestParams(r.error) };
}

export async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const r = await invoke(method, input);
  if (!r.ok) throw new RpcError(r.error);
  return r.value;
}
