/**
 * Job queue (reference §D, §E.3 6, §E.10): persisted entries, recurrence, inactivity timeout, attempts and rerun
 * delay, and a scheduler driven by an injected Clock so tests are deterministic. Entries survive restarts; an
 * entry found "In Process" at start-up was interrupted and counts as a failed attempt.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database';
import type { Clock } from '../../ports';

/** A recurring entry an integration installs (Sales: integrations/sales/mappings/jobs.ts `defaultJobs`). */
export interface RecurringJobDefinition {
  name: string;
  mapping: string | null;
  description: string;
  category: string | null;
  everyMinutes: number;
  inactivityTimeoutMinutes: number | null;
  initialStatus: string;
  maxAttempts: number;
  rerunDelaySeconds: number;
}

export const QUEUE_STATUSES = ['Ready', 'In Process', 'Error', 'On Hold', 'On Hold with Inactivity Timeout', 'Finished'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

export interface QueueEntry {
  id: string;
  name: string;
  mapping: string | null;
  description: string;
  category: string | null;
  recurring: boolean;
  everyMinutes: number | null;
  inactivityTimeoutMinutes: number | null;
  status: QueueStatus;
  maxAttempts: number;
  attempts: number;
  rerunDelaySeconds: number;
  earliestStart: number;
  disableEventResch: boolean;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastError: string | null;
}

const MIN = 60_000;

function toEntry(r: Record<string, unknown>): QueueEntry {
  return {
    id: r.id as string, name: r.name as string, mapping: r.mapping as string | null, description: r.description as string,
    category: r.category as string | null, recurring: r.recurring === 1, everyMinutes: r.every_minutes as number | null,
    inactivityTimeoutMinutes: r.inactivity_timeout_minutes as number | null, status: r.status as QueueStatus,
    maxAttempts: r.max_attempts as number, attempts: r.attempts as number, rerunDelaySeconds: r.rerun_delay_seconds as number,
    earliestStart: r.earliest_start as number, disableEventResch: r.disable_event_resch === 1, lastStartedAt: r.last_started_at as number | null,
    lastFinishedAt: r.last_finished_at as number | null, lastError: r.last_error as string | null,
  };
}

export class JobQueue {
  private readonly s;
  constructor(db: Db, private readonly clock: Clock) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert: p(`INSERT INTO sync_job_queue (id, name, mapping, description, category, recurring, every_minutes, inactivity_timeout_minutes,
                 status, max_attempts, rerun_delay_seconds, earliest_start, disable_event_resch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (name) DO NOTHING`),
      get: p('SELECT * FROM sync_job_queue WHERE name = ?'),
      all: p('SELECT * FROM sync_job_queue ORDER BY earliest_start, name'),
      byStatus: p('SELECT * FROM sync_job_queue WHERE status = ? ORDER BY earliest_start, name'),
      due: p(`SELECT * FROM sync_job_queue WHERE status = 'Ready' AND earliest_start <= ? ORDER BY earliest_start, name`),
      set: p(`UPDATE sync_job_queue SET status = ?, earliest_start = ?, attempts = ?, last_started_at = ?, last_finished_at = ?, last_error = ?
              WHERE name = ?`),
      setStatus: p('UPDATE sync_job_queue SET status = ?, earliest_start = ?, attempts = 0 WHERE name = ?'),
      remove: p('DELETE FROM sync_job_queue WHERE name = ?'),
    };
  }

  /** Installs the default recurring entries (mappings/jobs.ts); existing entries keep their state. */
  installDefaults(jobs: readonly RecurringJobDefinition[]): void {
    const now = this.clock.now();
    for (const j of jobs) {
      const timeout = j.inactivityTimeoutMinutes;
      const start = j.initialStatus === 'Ready' ? now : now + (timeout ?? j.everyMinutes) * MIN;
      this.s.insert.run(randomUUID(), j.name, j.mapping, j.description, j.category, 1, j.everyMinutes, timeout, j.initialStatus, j.maxAttempts,
        j.rerunDelaySeconds, start, 0);
    }
  }

  /** One-off job (Synchronize Now, full sync, coupling): starts 1 s from now, 2 attempts, 30 s rerun delay. */
  enqueueOneOff(name: string, mapping: string | null, description: string, category = 'BCI INTEG'): QueueEntry {
    const existing = this.get(name);
    if (existing && existing.status !== 'Finished' && existing.status !== 'Error')
      throw new Error(`A job named "${name}" is already queued (${existing.status}). Wait for it to finish or remove it first.`);
    if (existing) this.s.remove.run(name);
    this.s.insert.run(randomUUID(), name, mapping, description, category, 0, null, null, 'Ready', 2, 30, this.clock.now() + 1000, 0);
    return this.get(name)!;
  }

  get(name: string): QueueEntry | undefined {
    const r = this.s.get.get(name) as Record<string, unknown> | undefined;
    return r && toEntry(r);
  }
  list(): QueueEntry[] {
    return (this.s.all.all() as Record<string, unknown>[]).map(toEntry);
  }
  withStatus(status: QueueStatus): QueueEntry[] {
    return (this.s.byStatus.all(status) as Record<string, unknown>[]).map(toEntry);
  }
  due(now: number): QueueEntry[] {
    return (this.s.due.all(now) as Record<string, unknown>[]).map(toEntry);
  }
  /** User actions "Set On Hold" / "Set Status to Ready" (ready = run now, attempts reset). */
  setStatus(name: string, status: 'On Hold' | 'Ready'): void {
    if (!this.get(name)) throw new Error(`There is no job queue entry named "${name}".`);
    this.s.setStatus.run(status, this.clock.now(), name);
  }
  remove(name: string): void {
    this.s.remove.run(name);
  }
  update(e: QueueEntry): void {
    this.s.set.run(e.status, e.earliestStart, e.attempts, e.lastStartedAt, e.lastFinishedAt, e.lastError, e.name);
  }
}

export interface SchedulerDeps {
  queue: JobQueue;
  clock: Clock;
  /** Runs the entry's work; `changed` = inserted/modified/deleted/failed something (E.3 6). */
  run: (entry: QueueEntry) => Promise<{ changed: boolean }>;
  /** Cheap probe: has `side` rows for the entry's mapping modified since its watermark? (E.10) */
  probe: (entry: QueueEntry, side: 'bc' | 'dataverse') => Promise<boolean>;
}

/** What one tick did, for logs and tests. */
export interface TickReport {
  ran: string[];
  woken: string[];
  failed: string[];
}

/**
 * E.10 wake-up: entries "On Hold with Inactivity Timeout" become Ready on a BC change (unless event rescheduling is
 * disabled) or, once their timeout elapsed, only if Dataverse has rows to pull; otherwise the timeout restarts.
 * Returns the names of the entries woken.
 */
export async function wakeInactive(queue: JobQueue, probe: SchedulerDeps['probe'], now: number): Promise<string[]> {
  const woken: string[] = [];
  for (const e of queue.withStatus('On Hold with Inactivity Timeout')) {
    let wake = !e.disableEventResch && (await probe(e, 'bc'));
    if (!wake && now >= e.earliestStart) {
      wake = await probe(e, 'dataverse');
      if (!wake) queue.update({ ...e, earliestStart: now + (e.inactivityTimeoutMinutes ?? e.everyMinutes ?? 30) * MIN });
    }
    if (wake) {
      queue.update({ ...e, status: 'Ready', earliestStart: now });
      woken.push(e.name);
    }
  }
  return woken;
}

export class Scheduler {
  constructor(private readonly d: SchedulerDeps) {
    this.recoverAfterRestart();
  }

  /** Entries left "In Process" by a dead process: the attempt counts as failed and the usual retry rules apply. */
  private recoverAfterRestart(): void {
    const now = this.d.clock.now();
    for (const e of this.d.queue.withStatus('In Process')) this.failed(e, now, 'Interrupted: the console stopped while this job was running.');
  }

  private failed(e: QueueEntry, now: number, message: string): void {
    const attempts = e.attempts + 1;
    const exhausted = attempts >= e.maxAttempts;
    this.d.queue.update({
      ...e, attempts, status: exhausted ? 'Error' : 'Ready',
      earliestStart: exhausted ? e.earliestStart : now + e.rerunDelaySeconds * 1000, lastFinishedAt: now, lastError: message.slice(0, 2048),
    });
  }

  /**
   * One scheduler step. Inactive entries are re-activated by a BC change (unless event rescheduling is
   * disabled) or, once the timeout elapsed, only if Dataverse has rows to pull; then due entries run in order.
   */
  async tick(): Promise<TickReport> {
    const now = this.d.clock.now();
    const report: TickReport = { ran: [], woken: await wakeInactive(this.d.queue, this.d.probe, now), failed: [] };
    for (const e of this.d.queue.due(now)) {
      const started = this.d.clock.now();
      this.d.queue.update({ ...e, status: 'In Process', lastStartedAt: started });
      let outcome: { changed: boolean };
      try {
        outcome = await this.d.run(e);
      } catch (x) {
        this.failed({ ...e, lastStartedAt: started }, this.d.clock.now(), x instanceof Error ? x.message : String(x));
        report.failed.push(e.name);
        continue;
      }
      const end = this.d.clock.now();
      const base = { ...e, attempts: 0, lastStartedAt: started, lastFinishedAt: end, lastError: null };
      if (!e.recurring) this.d.queue.update({ ...base, status: 'Finished' });
      else if (!outcome.changed && e.inactivityTimeoutMinutes !== null)
        this.d.queue.update({ ...base, status: 'On Hold with Inactivity Timeout', earliestStart: end + e.inactivityTimeoutMinutes * MIN });
      else this.d.queue.update({ ...base, status: 'Ready', earliestStart: started + (e.everyMinutes ?? 30) * MIN });
      report.ran.push(e.name);
    }
    return report;
  }
}
