/** Helpers shared by the HTTP side adapters. */
import { createHash } from 'node:crypto';
import { isServiceError } from '../../../../http/errors';

/**
 * A failure worth retrying later: throttling that outlasted the limiter's retries, 5xx, timeouts and dropped
 * connections (a POST is not retried by HttpClient itself, so a reset surfaces here as NETWORK).
 */
export function isTransient(err: unknown): boolean {
  if (!isServiceError(err)) return false;
  if (err.status === null) return err.code === 'NETWORK' || err.code === 'TIMEOUT';
  return err.status === 429 || err.status >= 500 || err.code === 'THROTTLED';
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A GUID derived from an idempotency key (name-based, SHA-1, RFC 4122 version-5 layout). The same key always
 * gives the same SystemId, so a retried or resumed insert targets the record the first attempt created.
 */
export function idFromKey(namespace: string, key: string): string {
  const h = createHash('sha1').update(namespace).update('\u0000').update(key).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Cut fetched pages (fetched at the API's maximum page size) into the engine's page size. */
export function* slices<T>(rows: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

export function parseTime(v: unknown): number {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Server time from a Date header (second precision), or null. */
export function serverDate(headers: Headers): number | null {
  const d = headers.get('date');
  const t = d ? Date.parse(d) : NaN;
  return Number.isFinite(t) ? t : null;
}

/**
 * Re-sends an idempotent write after a transient failure (a reset connection is not retried by HttpClient for a
 * POST). Only for requests that are safe to repeat: UpsertMultiple / UpdateMultiple on fixed ids, BC $batch of
 * POSTs with key-derived SystemIds and PATCHes. Leaving this to the engine alone is not enough: a record whose
 * write fails twice with the same message becomes Skipped (E.7), even when the cause was the network.
 */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 5, baseMs = 100, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i + 1 >= attempts || !isTransient(err)) throw err;
      await sleep(baseMs * 2 ** i);
    }
  }
}
