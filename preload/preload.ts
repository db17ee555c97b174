import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_NAMES, METHOD_NAMES } from './contract';

/**
 * The only bridge between the sandboxed renderer and main. It exposes exactly the contract's method and
 * event names — never ipcRenderer itself. Main validates every payload again; this check just fails fast.
 */
const RPC_CHANNEL = 'd365ic:rpc';
const EVENT_CHANNEL = 'd365ic:event';
const methodNames = new Set<string>(METHOD_NAMES);
const eventNames = new Set<string>(EVENT_NAMES);
type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, name: string, payload: unknown) => {
  for (const l of listeners.get(name) ?? []) l(payload);
});

contextBridge.exposeInMainWorld('d365ic', {
  invoke(method: string, payload: unknown): Promise<unknown> {
    if (!methodNames.has(method)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method: ${method}` } });
    }
    return ipcRenderer.invoke(RPC_CHANNEL, method, payload);
  },
  on(event: string, listener: Listener): () => void {
    if (!eventNames.has(event)) return () => {};
    const set = listeners.get(event) ?? new Set<Listener>();
    set.add(listener);
    listeners.set(event, set);
    return () => set.delete(listener);
  },
});
