/**
 * Rate-limited event delivery for one run: at most one event per `intervalMs` (200 ms = 5/s). Intermediate
 * progress for a mapping replaces its previous undelivered update (only the latest counters matter); terminal
 * events (a mapping done, the run finished) are never dropped and keep their order.
 */
export interface PumpItem {
  /** Same key + `replaceable` = a newer version of an undelivered item. */
  key: string;
  replaceable: boolean;
  send: () => void;
}

export class EventPump {
  private readonly queue: PumpItem[] = [];
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private idle: (() => void)[] = [];

  constructor(private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  push(item: PumpItem): void {
    if (item.replaceable) {
      // Only an update queued after the key's last terminal event may be replaced, so order is kept.
      const fence = this.queue.findLastIndex((q) => !q.replaceable && q.key === item.key);
      const i = this.queue.findIndex((q, j) => j > fence && q.replaceable && q.key === item.key);
      if (i >= 0) {
        this.queue[i] = item;
        return;
      }
    }
    this.queue.push(item);
    this.drain();
  }

  /** Resolves when every queued event has been sent. */
  flushed(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private drain(): void {
    if (this.timer) return;
    const wait = this.last + this.intervalMs - this.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.drain();
      }, wait);
      return;
    }
    const item = this.queue.shift();
    if (!item) return;
    this.last = this.now();
    item.send();
    if (this.queue.length > 0) this.drain();
    else for (const r of this.idle.splice(0)) r();
  }
}
