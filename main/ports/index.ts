/**
 * Ports: what main-process services need from the outside world. Electron adapters live in main/electron/,
 * plain-Node adapters next to the services, fakes in test/support/. Services never import electron.
 */

export interface SecretStoreStatus {
  kind: 'os' | 'key-file' | 'memory' | 'unavailable';
  available: boolean;
  /** Why secrets cannot be stored (shown to the user), null when available. */
  reason: string | null;
  /** Key-file location for the browser host's visible notice. */
  location: string | null;
}

/** Encrypted at rest, always. Implementations refuse (throw) rather than fall back to plaintext. */
export interface SecretStore {
  status(): SecretStoreStatus;
  set(name: string, value: string): Promise<void>;
  get(name: string): Promise<string | null>;
  delete(name: string): Promise<void>;
  /** Names only — never values — for status displays. */
  list(prefix?: string): Promise<string[]>;
  /** Names stored under a key this host no longer has (secret.key deleted or replaced): to be entered again. */
  lost?(prefix?: string): Promise<string[]>;
}

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface Logger {
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

/** Opens a URL outside the app (system browser). */
export interface Browser {
  openExternal(url: string): Promise<void>;
}
