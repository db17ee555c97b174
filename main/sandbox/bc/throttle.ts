/**
 * BC online operational limits, per user: a sliding request window (6,000 per 5 minutes → 429 with
 * Retry-After), 5 requests processed concurrently with the rest queued (queue full → 429; waited too long →
 * 503 with Retry-After). Numbers are overridable so tests can reach them quickly.
 */
import { BcError } from './odata';

export interface BcLimits {
  requestsPerWindow: number;
  windowSeconds: number;
  concurrent: number;
  maxQueue: number;
  /** How long a queued request may wait for a slot before 503 (real BC: 8 minutes). */
  queueTimeoutMs: number;
}

export const DEFAULT_BC_LIMITS: BcLimits = { requestsPerWindow: 6000, windowSeconds: 300, concurrent: 5, maxQueue: 95, queueTimeoutMs: 8 * 60_000 };

interface UserState {
  hits: number[];
  head: number;
  active: number;
  queue: { resolve: () => void; timer: ReturnType<typeof setTimeout> }[];
}

export class Throttle {
  private users = new Map<string, UserState>();
  constructor(
    public limits: BcLimits,
    private clock: () => number,
  ) {}

  private state(user: string): UserState {
    let s = this.users.get(user);
    if (!s) {
      s = { hits: [], head: 0, active: 0, queue: [] };
      this.users.set(user, s);
    }
    return s;
  }

  /** Count `n` requests against the user's window; throws 429 when the window is full. */
  count(user: string, n = 1): void {
    const s = this.state(user);
    const now = this.clock();
    const windowMs = this.limits.windowSeconds * 1000;
    while (s.head < s.hits.length && s.hits[s.head]! <= now - windowMs) s.head++;
    if (s.head > 4096) {
      s.hits = s.hits.slice(s.head);
      s.head = 0;
    }
    const inWindow = s.hits.length - s.head;
    if (inWindow + n > this.limits.requestsPerWindow) {
      const oldest = s.hits[s.head] ?? now;
      const retry = Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
      throw new BcError(
        429,
        'Application_TooManyRequests',
        `Too many requests reached. Actual (${inWindow + n}). Maximum (${this.limits.requestsPerWindow}). Wait ${retry} seconds (Retry-After) and retry with backoff.`,
        { 'Retry-After': String(retry) },
      );
    }
    for (let i = 0; i < n; i++) s.hits.push(now);
  }

  /** Wait for one of the user's concurrent slots. Resolves to a release function. */
  async acquire(user: string): Promise<() => void> {
    const s = this.state(user);
    const release = () => {
      const next = s.queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.resolve();
      } else s.active--;
    };
    if (s.active < this.limits.concurrent) {
      s.active++;
      return release;
    }
    if (s.queue.length >= this.limits.maxQueue)
      throw new BcError(429, 'Application_TooManyRequests', `Too many concurrent requests: ${this.limits.concurrent} are being processed and ${s.queue.length} are queued for this user. Reduce parallelism.`, { 'Retry-After': '1' });
    await new Promise<void>((resolve, reject) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          const i = s.queue.indexOf(entry);
          if (i >= 0) s.queue.splice(i, 1);
          reject(new BcError(503, 'Internal_ServiceUnavailable', `The request waited ${this.limits.queueTimeoutMs} ms in the queue without being processed. Retry after the indicated delay with fewer parallel requests.`, { 'Retry-After': '5' }));
        }, this.limits.queueTimeoutMs),
      };
      s.queue.push(entry);
    });
    // The slot is handed over by release() without decrementing `active`.
    return release;
  }
}
