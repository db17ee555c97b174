/**
 * One recurring entry of the kernel job queue that a service owns alone (Commerce ⇄ Teams' "sync teams and
 * members", task management's "sync task statuses"): installed with the user's interval, Ready while the schedule is
 * on and the integration enabled, On Hold otherwise, run through the kernel Scheduler's bookkeeping (attempts, rerun
 * delay, next start) by a heartbeat or by tests moving the clock. The service keeps its own settings; this keeps the
 * queue side of them.
 */
import type { Db } from '../../db/database';
import type { Clock } from '../../ports';
import { JobQueue, Scheduler, type QueueEntry, type QueueStatus } from './queue';

export interface ScheduledEntryDefinition {
  name: string;
  description: string;
  category: string;
  maxAttempts?: number;
  rerunDelaySeconds?: number;
}

/** What a schedule card shows of the entry (null before it was first installed). */
export interface ScheduledEntryState {
  status: QueueStatus | null;
  nextRunAt: number | null;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastError: string | null;
}

/** The kernel queue as this entry's Scheduler sees it: this entry only (never a Sales job or another service's). */
class OwnEntryQueue extends JobQueue {
  constructor(db: Db, clock: Clock, private readonly own: string) {
    super(db, clock);
  }
  override withStatus(status: QueueStatus): QueueEntry[] {
    return super.withStatus(status).filter((e) => e.name === this.own);
  }
  override due(now: number): QueueEntry[] {
    return super.due(now).filter((e) => e.name === this.own);
  }
}

export class ScheduledEntry {
  private readonly queue: OwnEntryQueue;
  private ticking = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(db: Db, private readonly clock: Clock, private readonly def: ScheduledEntryDefinition) {
    this.queue = new OwnEntryQueue(db, clock, def.name);
    // An entry left In Process by a dead process: the kernel scheduler counts the attempt as failed.
    this.scheduler(async () => undefined);
  }

  get name(): string {
    return this.def.name;
  }

  entry(): QueueEntry | undefined {
    return this.queue.get(this.def.name);
  }

  /** Running now (its attempt is In Process). */
  running(): boolean {
    return this.entry()?.status === 'In Process';
  }

  /** Would holding it change anything (it exists and is not On Hold already)? */
  holdable(): boolean {
    const e = this.entry();
    return !!e && e.status !== 'On Hold';
  }

  /**
   * Ready (`ready`) or On Hold, every `everyMinutes`. A changed interval re-installs the entry (its next start follows
   * the new interval) and keeps its last start, finish and error.
   */
  set(ready: boolean, everyMinutes: number): void {
    this.install(everyMinutes);
    this.queue.setStatus(this.def.name, ready ? 'Ready' : 'On Hold');
  }

  /** On Hold, unless it is running now (that attempt finishes and the scheduler books it). */
  hold(): void {
    const e = this.entry();
    if (e && e.status !== 'On Hold' && e.status !== 'In Process') this.queue.setStatus(this.def.name, 'On Hold');
  }

  state(): ScheduledEntryState {
    const e = this.entry();
    return {
      status: e?.status ?? null,
      nextRunAt: e && e.status === 'Ready' ? e.earliestStart : null,
      lastStartedAt: e?.lastStartedAt ?? null, lastFinishedAt: e?.lastFinishedAt ?? null, lastError: e?.lastError ?? null,
    };
  }

  /**
   * One scheduler step: when the entry is due, `run` runs once (a throw is a failed attempt). Steps do not overlap;
   * `ran`/`failed` name the entry when it ran.
   */
  async tick(run: () => Promise<void>): Promise<{ ran: string[]; failed: string[] }> {
    if (this.ticking) return { ran: [], failed: [] };
    this.ticking = true;
    try {
      const report = await this.scheduler(run).tick();
      return { ran: report.ran, failed: report.failed };
    } finally {
      this.ticking = false;
    }
  }

  /** Calls `step` every `intervalMs` (0: never; tests call tick themselves); a failure goes to `onError`. */
  startHeartbeat(intervalMs: number, step: () => Promise<unknown>, onError: (x: unknown) => void): void {
    this.stopHeartbeat();
    if (intervalMs <= 0) return;
    this.heartbeat = setInterval(() => void step().catch(onError), intervalMs);
    this.heartbeat.unref?.();
  }

  stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private scheduler(run: () => Promise<void>): Scheduler {
    return new Scheduler({
      queue: this.queue, clock: this.clock, probe: async () => false,
      run: async () => {
        await run();
        return { changed: true };
      },
    });
  }

  private install(everyMinutes: number): void {
    const e = this.entry();
    if (e && e.everyMinutes === everyMinutes) return;
    if (e) this.queue.remove(this.def.name);
    this.queue.installDefaults([{
      name: this.def.name, mapping: null, description: this.def.description, category: this.def.category, everyMinutes,
      inactivityTimeoutMinutes: null, initialStatus: 'On Hold', maxAttempts: this.def.maxAttempts ?? 3, rerunDelaySeconds: this.def.rerunDelaySeconds ?? 300,
    }]);
    if (e) this.queue.update({ ...this.entry()!, lastStartedAt: e.lastStartedAt, lastFinishedAt: e.lastFinishedAt, lastError: e.lastError });
  }
}
