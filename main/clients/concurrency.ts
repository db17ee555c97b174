/**
 * Adaptive concurrency for bulk work against Dataverse / Business Central service protection limits.
 *
 * AIMD, as TCP congestion control: the limit grows by one after a full "round" of successes (as many successes as
 * the current limit) and halves when the service throttles (429/503). A throttle also pauses EVERY worker until the
 * Retry-After the service asked for has elapsed: Dataverse counts requests per user across all connections, so
 * one worker waiting while the others keep firing would just earn more 429s and a longer penalty.
 *
 * Only one halving per congestion event: when 20 in-flight requests all come back 429 at once, that is one signal,
 * not 20 (otherwise the limit collapses to 1). A throttled request only halves the limit if it started after the
 * previous decrease.
 */
import { isServiceError } from '../http/errors';

export interface LimiterTimers {
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel function. */
  setTimeout(fn: () => void, ms: number): () => void;
}

export const realTimers: LimiterTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export interface ThrottleSignal {
  /** How long the service asked us to wait; undefined when it did not say. */
  retryAfterMs?: number;
}

export interface AdaptiveLimiterOptions {
  /** Starting concurrency (default 4). */
  initial?: number;
  /** Never below this (default 1). */
  min?: number;
  /** Never above this. Dataverse allows 52 concurrent requests per user; BC processes 5 and queues the rest. */
  max?: number;
  /** How often a throttled task is re-queued before its error is surfaced (default 8). */
  maxThrottleRetries?: number;
  /** Pause when a throttle carries no Retry-After: base * 2^(consecutive throttles - 1), capped at 60 s. */
  backoffBaseMs?: number;
  /** Recognises a throttle in a task's rejection; default: ServiceError with status 429/503 or code THROTTLED. */
  classify?: (err: unknown) => ThrottleSignal | null;
  timers?: LimiterTimers;
  /** Observability hook (log lines, the UI's "adapting to service limits" badge). */
  onAdjust?: (e: { limit: number; reason: 'increase' | 'throttled'; pauseMs?: number }) => void;
}

export const DATAVERSE_MAX_CONCURRENCY = 52;
export const BC_MAX_CONCURRENCY = 5;

export function defaultThrottleClassifier(err: unknown): ThrottleSignal | null {
  if (!isServiceError(err)) return null;
  if (err.status === 429 || err.status === 503 || err.code === 'THROTTLED') return { retryAfterMs: err.details.retryAfterMs };
  return null;
}

interface Waiter {
  start: () => void;
}

export interface LimiterStats {
  limit: number;
  inFlight: number;
  queued: number;
  pausedUntil: number;
  throttles: number;
  decreases: number;
  maxLimitSeen: number;
}

export class AdaptiveLimiter {
  private current: number;
  private readonly min: number;
  private readonly max: number;
  private active = 0;
  private successesThisRound = 0;
  private epoch = 0;
  private pauseUntil = 0;
  private consecutiveThrottles = 0;
  private cancelWake: (() => void) | null = null;
  private readonly queue: Waiter[] = [];
  private readonly timers: LimiterTimers;
  private readonly classify: (err: unknown) => ThrottleSignal | null;
  private throttleCount = 0;
  private decreaseCount = 0;
  private maxSeen: number;

  constructor(private readonly opts: AdaptiveLimiterOptions = {}) {
    this.min = Math.max(1, Math.floor(opts.min ?? 1));
    this.max = Math.max(this.min, Math.floor(opts.max ?? DATAVERSE_MAX_CONCURRENCY));
    this.current = clamp(Math.floor(opts.initial ?? 4), this.min, this.max);
    this.maxSeen = this.current;
    this.timers = opts.timers ?? realTimers;
    this.classify = opts.classify ?? defaultThrottleClassifier;
  }

  get limit(): number {
    return this.current;
  }
  get inFlight(): number {
    return this.active;
  }
  get pausedUntil(): number {
    return this.pauseUntil;
  }
  stats(): LimiterStats {
    return {
      limit: this.current, inFlight: this.active, queued: this.queue.length, pausedUntil: this.pauseUntil,
      throttles: this.throttleCount, decreases: this.decreaseCount, maxLimitSeen: this.maxSeen,
    };
  }

  /**
   * Runs `task` when a slot is free and the limiter is not paused. A throttled task is re-run (a 429/503 means the
   * service did not execute it) up to `maxThrottleRetries` times; any other failure is passed through untouched.
   */
  async run<T>(task: () => Promise<T>, opts: { signal?: AbortSignal } = {}): Promise<T> {
    const maxRetries = this.opts.maxThrottleRetries ?? 8;
    for (let attempt = 0; ; attempt++) {
      const startedEpoch = await this.acquire(opts.signal);
      try {
        const value = await task();
        this.onSuccess();
        return value;
      } catch (err) {
        const signal = this.classify(err);
        if (!signal) throw err;
        this.onThrottle(signal, startedEpoch);
        if (attempt >= maxRetries) throw err;
      } finally {
        this.active--;
        this.pump();
      }
    }
  }

  /** Runs `fn` over every item with adaptive concurrency; results keep the input order. */
  async map<I, O>(items: readonly I[], fn: (item: I, index: number) => Promise<O>, opts: { signal?: AbortSignal } = {}): Promise<O[]> {
    return Promise.all(items.map((item, i) => this.run(() => fn(item, i), opts)));
  }

  /** Waits for a slot. A cancelled sync must not leave queued work behind: an abort removes the waiter. */
  private acquire(signal?: AbortSignal): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal!.reason as Error);
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve(this.epoch);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  private pump(): void {
    const now = this.timers.now();
    if (now < this.pauseUntil) {
      this.scheduleWake(this.pauseUntil - now);
      return;
    }
    while (this.active < this.current && this.queue.length > 0) this.queue.shift()!.start();
  }

  private scheduleWake(ms: number): void {
    this.cancelWake?.();
    this.cancelWake = this.timers.setTimeout(() => {
      this.cancelWake = null;
      this.pump();
    }, ms);
  }

  private onSuccess(): void {
    this.consecutiveThrottles = 0;
    if (++this.successesThisRound >= this.current) {
      this.successesThisRound = 0;
      if (this.current < this.max) {
        this.current++;
        this.maxSeen = Math.max(this.maxSeen, this.current);
        this.opts.onAdjust?.({ limit: this.current, reason: 'increase' });
      }
    }
  }

  private onThrottle(signal: ThrottleSignal, startedEpoch: number): void {
    this.throttleCount++;
    this.consecutiveThrottles++;
    const base = this.opts.backoffBaseMs ?? 1000;
    const pauseMs = signal.retryAfterMs ?? Math.min(60_000, base * 2 ** (this.consecutiveThrottles - 1));
    this.pauseUntil = Math.max(this.pauseUntil, this.timers.now() + pauseMs);
    if (startedEpoch === this.epoch) {
      this.epoch++;
      this.decreaseCount++;
      this.current = Math.max(this.min, Math.floor(this.current / 2));
      this.successesThisRound = 0;
      this.opts.onAdjust?.({ limit: this.current, reason: 'throttled', pauseMs });
    }
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
