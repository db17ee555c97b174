import type { Result } from '../../preload/contract';

/** What every transport provides: Electron IPC (preload), the browser host's WebSocket, or the in-memory fake. */
export interface Transport {
  readonly kind: 'electron' | 'browser' | 'memory';
  invoke(method: string, payload: unknown): Promise<Result<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

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
