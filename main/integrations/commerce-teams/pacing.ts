/**
 * Client-side pacing for the Teams engine, so bulk provisioning runs at Graph's published rates instead of finding
 * them by 429s. Graph answers a request sent inside a Retry-After window with another 429 and a longer window, so
 * many workers each retrying on their own can keep a route blocked; the engine therefore paces the throttled routes
 * itself and lets only one team creation be in flight (its HTTP retries then never meet a sibling's).
 *
 * `Pacer` is a GCRA token bucket (burst, then one every 1/rate s) on the engine's clock and sleep (tests advance a
 * test clock). `Gate` = one call at a time through a pacer: a 429 the HTTP client waits out inside the call holds
 * the gate, so no sibling request lands inside the Retry-After window (which would extend it).
 */
import type { Clock } from '../../ports';

export class Pacer {
  private tat = 0;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new Error('A pacer needs a rate > 0 and a burst ≥ 1.');
  }

  /** Wait until `n` more requests may go (n > burst waits as if the burst were n). */
  async take(n = 1): Promise<void> {
    const interval = 1000 / this.perSecond;
    const now = this.clock.now();
    const tat = Math.max(this.tat, now) + n * interval;
    this.tat = tat;
    const wait = tat - Math.max(this.burst, n) * interval - now;
    if (wait > 0) await this.sleep(Math.ceil(wait));
  }
}

export class Gate {
  private tail: Promise<void> = Promise.resolve();
  constructor(readonly pacer: Pacer) {}

  /** Run `fn` alone and paced; its own failures pass through unchanged. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.tail.then(async () => {
      await this.pacer.take();
      return fn();
    });
    this.tail = turn.then(() => undefined, () => undefined);
    return turn;
  }
}
