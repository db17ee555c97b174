import { ResultSchema, TransportErrorCodes, type Result } from '../../preload/contract';
import type { ConnectionState, Transport } from './types';

const TOKEN_KEY = 'd365ic.token';
const PROTOCOL_PREFIX = 'd365ic-token.';

/**
 * The per-launch secret arrives in the URL fragment (never sent to the server in a request line or logged);
 * it is moved to sessionStorage and removed from the address bar.
 */
export function takeLaunchToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string | null {
  const m = /(?:^#|&)token=([0-9a-f]+)/i.exec(loc.hash);
  if (m) {
    storage.setItem(TOKEN_KEY, m[1]!);
    history.replaceState(null, '', loc.pathname + loc.search);
    return m[1]!;
  }
  return storage.getItem(TOKEN_KEY);
}

interface Pending {
  resolve: (r: Result<unknown>) => void;
}

/** Browser-host transport: one WebSocket to 127.0.0.1, reconnecting with backoff; calls fail fast while down. */
export function wsTransport(url: string, token: string): Transport {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retry = 250;
  let opening: Promise<WebSocket> | null = null;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState | null = null;
  const setState = (next: ConnectionState) => {
    if (state === next) return;
    state = next;
    for (const l of connectionListeners) l(next);
  };

  const failAll = (message: string) => {
    for (const [id, p] of pending) {
      p.resolve({ ok: false, error: { code: TransportErrorCodes.disconnected, message } });
      pending.delete(id);
    }
  };

  const open = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, [PROTOCOL_PREFIX + token]);
      ws.onopen = () => {
        socket = ws;
        retry = 250;
        opening = null;
        setState('open');
        resolve(ws);
      };
      ws.onerror = () => {
        opening = null;
        // Never connected, or the host refused us: either way nothing answers here any more.
        if (state !== null) setState('lost');
        reject(new Error('The console service is not reachable. Is "npm start" still running?'));
      };
      ws.onclose = () => {
        const wasOpen = socket === ws;
        if (wasOpen) socket = null;
        failAll('The connection to the console service was lost.');
        if (wasOpen) setState('lost');
        if (listeners.size > 0 || connectionListeners.size > 0) setTimeout(() => void open().catch(() => undefined), (retry = Math.min(retry * 2, 5000)));
      };
      ws.onmessage = (ev) => {
        let msg: { id?: number; result?: unknown; event?: string; payload?: unknown };
        try {
          msg = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        if (typeof msg.event === 'string') {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
          return;
        }
        const p = typeof msg.id === 'number' ? pending.get(msg.id) : undefined;
        if (!p) return;
        pending.delete(msg.id!);
        const parsed = ResultSchema.safeParse(msg.result);
        p.resolve(parsed.success ? (parsed.data as Result<unknown>) : { ok: false, error: { code: TransportErrorCodes.badResponse, message: 'Malformed answer.' } });
      };
    });
    return opening;
  };

  return {
    kind: 'browser',
    async invoke(method, payload) {
      let ws: WebSocket;
      try {
        ws = await open();
      } catch (x) {
        return { ok: false, error: { code: TransportErrorCodes.disconnected, message: (x as Error).message } };
      }
      const id = nextId++;
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, { resolve });
        ws.send(JSON.stringify({ id, method, payload }));
      });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      void open().catch(() => undefined);
      return () => set.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      if (state) listener(state);
      void open().catch(() => undefined);
      return () => connectionListeners.delete(listener);
    },
  };
}
