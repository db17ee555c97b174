import type { Result } from '../../preload/contract';

/** What every transport provides: Electron IPC (preload), the browser host's WebSocket, or the in-memory fake. */
export interface Transport {
  readonly kind: 'electron' | 'browser' | 'memory';
  invoke(method: string, payload: unknown): Promise<Result<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /**
   * The browser host's link to its process: 'lost' once an open connection closed and could not be opened again
   * (the host stopped), 'open' while connected. Hosts without such a link (Electron, in-memory) omit it.
   */
  onConnection?(listener: (state: ConnectionState) => void): () => void;
}

export type ConnectionState = 'open' | 'lost';

/** Shape the preload exposes on window.d365ic. */
export interface PreloadBridge {
  invoke(method: string, payload: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    d365ic?: PreloadBridge;
  }
}
