import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LimiterTimers } from '../../../main/clients/concurrency';
import { AdaptiveLimiter } from '../../../main/clients/concurrency';
import { ServiceError } from '../../../main/http/errors';

/** Deterministic virtual time: timers fire in order, and promise chains settle between timers. */
class FakeTimers implements LimiterTimers {
  t = 0;
  private q: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  private seq = 0;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const e = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.q.push(e);
    return () => {
      e.live = false;
    };
  }
  async run(done: () => boolean): Promise<void> {
    for (let i = 0; i < 200_000; i++) {
      await flush();
      if (done()) return;
      this.q = this.q.filter((e) => e.live);
      if (this.q.length === 0) throw new Error('deadlock: nothing scheduled but work is not done');
      this.q.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const e = this.q.shift()!;
      this.t = Math.max(this.t, e.at);
      e.fn();
    }
    throw new Error('simulation did not finish');
  }
}
const flush = () => new Promise<void>((r) => setImmediate(r));

type Event = { kind: 'start'; t: number; inFlight: number; limit: number } | { kind: '429'; t: number; retryAfterMs: number };

/**
 * A service that answers after `latency`, throttles (429 + Retry-After) when more than `capacity` requests are in
 * flight, and additionally injects 429s from a fixed fault sequence.
 */
function fakeService(timers: FakeTimers, limiter: () => AdaptiveLimiter, o: { capacity: number; latency: number[]; faults: boolean[]; retryAfterMs: number }) {
  const log: Event[] = [];
  let inFlight = 0;
  let n = 0;
  const call = () => {
    const i = n++;
    inFlight++;
    log.push({ kind: 'start', t: timers.now(), inFlight, limit: limiter().limit });
    const throttle = inFlight > o.capacity || o.faults[i % Math.max(1, o.faults.length)] === true;
    return new Promise<number>((resolve, reject) => {
      timers.setTimeout(() => {
        inFlight--;
        if (throttle) {
          log.push({ kind: '429', t: timers.now(), retryAfterMs: o.retryAfterMs });
          reject(new ServiceError(429, 'THROTTLED', 'Too many requests', { retryAfterMs: o.retryAfterMs }));
        } else resolve(i);
      }, o.latency[i % o.latency.length]!);
    });
  };
  return { log, call };
}

describe('AdaptiveLimiter (AIMD) against a fake service and clock', () => {
  it('properties: in flight ≤ current limit at every start; nothing starts during a Retry-After pause; all work completes', async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({
        tasks: fc.integer({ min: 1, max: 60 }),
        capacity: fc.integer({ min: 1, max: 20 }),
        max: fc.integer({ min: 1, max: 52 }),
        initial: fc.integer({ min: 1, max: 10 }),
        latency: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        // Injected 429 pattern (cycled over calls); the trailing successes guarantee progress.
        faults: fc.array(fc.boolean(), { maxLength: 20 }).map((a) => [...a, false, false]),
        retryAfterMs: fc.integer({ min: 0, max: 2000 }),
      }),
      async (p) => {
        const timers = new FakeTimers();
        const limiter: AdaptiveLimiter = new AdaptiveLimiter({ initial: p.initial, max: p.max, timers, maxThrottleRetries: 1000 });
        const svc = fakeService(timers, () => limiter, p);
        let settled = 0;
        const results: number[] = [];
        const failures: unknown[] = [];
        for (let i = 0; i < p.tasks; i++) {
          void limiter.run(svc.call).then((v) => results.push(v), (e: unknown) => failures.push(e)).finally(() => settled++);
        }
        await timers.run(() => settled === p.tasks);
        expect(failures).toEqual([]);
        expect(results).toHaveLength(p.tasks);
        svc.log.forEach((e, i) => {
          if (e.kind === 'start') {
            expect(e.inFlight).toBeLessThanOrEqual(e.limit);
            expect(e.limit).toBeLessThanOrEqual(p.max);
            return;
          }
          // Every request that starts after this 429 was seen waits until its Retry-After has elapsed.
          for (const later of svc.log.slice(i + 1)) if (later.kind === 'start') expect(later.t).toBeGreaterThanOrEqual(e.t + e.retryAfterMs);
        });
      },
    ), { numRuns: 60 });
  });

  it('grows by one per round of successes up to max, halves once per congestion event', async () => {
    const timers = new FakeTimers();
    const limiter = new AdaptiveLimiter({ initial: 2, max: 6, timers });
    const adjustments: number[] = [];
    const ok = () => new Promise<void>((r) => timers.setTimeout(r, 10));
    let done = 0;
    for (let i = 0; i < 40; i++) void limiter.run(ok).then(() => done++);
    await timers.run(() => done === 40);
    expect(limiter.limit).toBe(6);
    // Now 6 requests in flight all get a 429 at the same moment: one halving (6 → 3), not six.
    const limiter2 = new AdaptiveLimiter({ initial: 6, max: 6, timers, onAdjust: (e) => adjustments.push(e.limit), maxThrottleRetries: 0 });
    const fail = () => new Promise<void>((_, rej) => timers.setTimeout(() => rej(new ServiceError(429, 'THROTTLED', 'x', { retryAfterMs: 100 })), 10));
    let failed = 0;
    for (let i = 0; i < 6; i++) void limiter2.run(fail).catch(() => failed++);
    await timers.run(() => failed === 6);
    expect(limiter2.limit).toBe(3);
    expect(adjustments).toEqual([3]);
    expect(limiter2.stats()).toMatchObject({ throttles: 6, decreases: 1 });
  });

  it('re-runs a throttled task after the pause and passes other errors through untouched', async () => {
    const timers = new FakeTimers();
    const limiter = new AdaptiveLimiter({ initial: 1, timers });
    let calls = 0;
    const starts: number[] = [];
    const flaky = () => {
      starts.push(timers.now());
      calls++;
      return calls === 1 ? Promise.reject(new ServiceError(503, 'THROTTLED', 'busy', { retryAfterMs: 5000 })) : Promise.resolve('ok');
    };
    let value: string | undefined;
    void limiter.run(flaky).then((v) => (value = v));
    await timers.run(() => value !== undefined);
    expect(value).toBe('ok');
    expect(starts).toEqual([0, 5000]);

    const boom = new ServiceError(400, '0x80040203', 'bad');
    let caught: unknown;
    let tries = 0;
    void limiter.run(() => {
      tries++;
      return Promise.reject(boom);
    }).catch((e: unknown) => (caught = e));
    await timers.run(() => caught !== undefined);
    expect(caught).toBe(boom);
    expect(tries).toBe(1);
  });

  it('without Retry-After, backs off exponentially and gives up after maxThrottleRetries with the last error', async () => {
    const timers = new FakeTimers();
    const limiter = new AdaptiveLimiter({ initial: 1, timers, backoffBaseMs: 100, maxThrottleRetries: 3 });
    const starts: number[] = [];
    let caught: unknown;
    void limiter.run(() => {
      starts.push(timers.now());
      return Promise.reject(new ServiceError(429, 'THROTTLED', 'slow down'));
    }).catch((e: unknown) => (caught = e));
    await timers.run(() => caught !== undefined);
    expect(starts).toEqual([0, 100, 300, 700]);
    expect((caught as ServiceError).status).toBe(429);
  });

  it('an aborted signal drops queued work without starting it', async () => {
    const timers = new FakeTimers();
    const limiter = new AdaptiveLimiter({ initial: 1, timers });
    const ac = new AbortController();
    let started = 0;
    const slow = () => {
      started++;
      return new Promise<void>((r) => timers.setTimeout(r, 100));
    };
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) void limiter.run(slow, { signal: ac.signal }).then(() => outcomes.push('ok'), () => outcomes.push('aborted'));
    await flush();
    ac.abort(new Error('user cancelled'));
    await timers.run(() => outcomes.length === 3);
    expect(started).toBe(1);
    expect(outcomes.sort()).toEqual(['aborted', 'aborted', 'ok']);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });
});

