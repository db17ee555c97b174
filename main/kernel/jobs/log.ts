/**
 * Job log: "Integration Synch. Job" (5338) with its counters and "Integration Synch. Job Errors" (5339).
 * Generic over an integration's direction and side names: each integration binds them (Sales:
 * integrations/sales/sync/jobs/log.ts binds `Direction` and `Side`). The kernel imports no integration.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database';

export type JobType = 'Synchronization' | 'Coupling' | 'Uncoupling';
export const COUNTERS = ['inserted', 'modified', 'deleted', 'unchanged', 'skipped', 'failed', 'uncoupled', 'coupled'] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Record<Counter, number>;
export const zeroCounters = (): Counters => ({ inserted: 0, modified: 0, deleted: 0, unchanged: 0, skipped: 0, failed: 0, uncoupled: 0, coupled: 0 });

export interface SyncJob<Direction extends string = string> extends Counters {
  id: string;
  mapping: string;
  type: JobType;
  direction: Direction;
  startedAt: number;
  finishedAt: number | null;
  message: string;
}
export interface JobError<Side extends string = string> {
  no: number;
  jobId: string;
  tableId: number;
  sourceSide: Side;
  sourceId: string | null;
  destinationId: string | null;
  message: string;
  detail: string | null;
  at: number;
}

/** BC's Message is Text[250]; keep the log readable in list views. */
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export class JobLog<Direction extends string = string, Side extends string = string> {
  private readonly s;
  /** `owner`: the lease owner (jobs/lease.ts) stamped on the jobs this log starts, so only a dead owner's jobs are closed. */
  constructor(db: Db, private readonly now: () => number = Date.now, private readonly owner: string | null = null) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      start: p('INSERT INTO sync_jobs (id, mapping, type, direction, started_at, owner) VALUES (?, ?, ?, ?, ?, ?)'),
      finish: p(`UPDATE sync_jobs SET finished_at = ?, message = ?, inserted = ?, modified = ?, deleted = ?, unchanged = ?, skipped = ?,
                 failed = ?, uncoupled = ?, coupled = ? WHERE id = ?`),
      get: p('SELECT * FROM sync_jobs WHERE id = ?'),
      byMapping: p('SELECT * FROM sync_jobs WHERE mapping = ? ORDER BY started_at DESC, rowid DESC LIMIT ?'),
      error: p(`INSERT INTO sync_job_errors (job_id, table_id, source_side, source_id, destination_id, message, detail, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      errors: p('SELECT * FROM sync_job_errors WHERE job_id = ? AND no > ? ORDER BY no LIMIT ?'),
      deleteOlder: p('DELETE FROM sync_jobs WHERE finished_at IS NOT NULL AND finished_at < ? AND (failed = 0 OR ?)'),
      count: p('SELECT COUNT(*) AS n FROM sync_jobs'),
    };
  }
  /** Jobs in the log (0: this sync database never ran anything). */
  count(): number {
    return (this.s.count.get() as { n: number }).n;
  }

  start(mapping: string, type: JobType, direction: Direction): string {
    const id = randomUUID();
    this.s.start.run(id, mapping, type, direction, this.now(), this.owner);
    return id;
  }
  finish(id: string, counters: Counters, message = ''): void {
    const c = counters;
    this.s.finish.run(this.now(), clip(message, 250), c.inserted, c.modified, c.deleted, c.unchanged, c.skipped, c.failed, c.uncoupled, c.coupled, id);
  }
  error(e: Omit<JobError<Side>, 'no' | 'at'>): void {
    this.s.error.run(e.jobId, e.tableId, e.sourceSide, e.sourceId, e.destinationId, clip(e.message, 2048), e.detail, this.now());
  }
  get(id: string): SyncJob<Direction> | undefined {
    const r = this.s.get.get(id) as Record<string, unknown> | undefined;
    return r && toJob<Direction>(r);
  }
  recent(mapping: string, limit = 50): SyncJob<Direction>[] {
    return (this.s.byMapping.all(mapping, limit) as Record<string, unknown>[]).map((r) => toJob<Direction>(r));
  }
  /** Keyset page of a job's errors. */
  errors(jobId: string, afterNo = 0, limit = 500): JobError<Side>[] {
    return (this.s.errors.all(jobId, afterNo, limit) as Record<string, unknown>[]).map((r) => ({
      no: r.no as number, jobId: r.job_id as string, tableId: r.table_id as number, sourceSide: r.source_side as Side,
      sourceId: r.source_id as string | null, destinationId: r.destination_id as string | null, message: r.message as string,
      detail: r.detail as string | null, at: r.at as number,
    }));
  }
  /** "Delete Entries Older than N Days": jobs with failures are kept unless `includeFailed`. Errors cascade. */
  deleteOlderThan(days: number, includeFailed = false): number {
    return this.s.deleteOlder.run(this.now() - days * 86_400_000, includeFailed ? 1 : 0).changes;
  }
}

function toJob<Direction extends string>(r: Record<string, unknown>): SyncJob<Direction> {
  return {
    id: r.id as string, mapping: r.mapping as string, type: r.type as JobType, direction: r.direction as Direction,
    startedAt: r.started_at as number, finishedAt: r.finished_at as number | null, message: r.message as string,
    inserted: r.inserted as number, modified: r.modified as number, deleted: r.deleted as number, unchanged: r.unchanged as number,
    skipped: r.skipped as number, failed: r.failed as number, uncoupled: r.uncoupled as number, coupled: r.coupled as number,
  };
}
