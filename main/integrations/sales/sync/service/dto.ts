/**
 * The sync service's reads of the job log (prepared statements) and the DTOs the `sync.*` contract
 * answers with (jobs, queue entries).
 */
import type { SyncCounters, SyncJobDto, SyncMessageCode, SyncQueueEntryDto } from '../../../../../preload/contract/sales/sync';
import type Database from 'better-sqlite3';
import type { Db } from '../../../../db/database';
import type { QueueEntry } from '../../../../kernel/jobs/queue';
import type { Counters, SyncJob } from '../jobs/log';
import { messageCode } from './messages';

/** A prepared statement of the console's database. */
export type Statement = Database.Statement;

export type SyncStatements = Record<'last' | 'jobsAll' | 'jobsOf' | 'countAll' | 'countOf' | 'job' | 'state' | 'errorMessages', Statement>;

/** The statements the status, the job log pages and the manual actions read with. */
export function syncStatements(db: Db): SyncStatements {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    last: p(`SELECT * FROM sync_jobs WHERE mapping = ? AND type = 'Synchronization' AND direction = ? ORDER BY started_at DESC, rowid DESC LIMIT 1`),
    jobsAll: p('SELECT * FROM sync_jobs ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?'),
    jobsOf: p('SELECT * FROM sync_jobs WHERE mapping = ? ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?'),
    countAll: p('SELECT COUNT(*) AS n FROM sync_jobs'),
    countOf: p('SELECT COUNT(*) AS n FROM sync_jobs WHERE mapping = ?'),
    job: p('SELECT mapping FROM sync_jobs WHERE id = ?'),
    state: p('SELECT bc_watermark AS bc, dv_watermark AS dv FROM sync_mapping_state WHERE mapping = ?'),
    // Couplings (counts, skipped records) are read through the Sales binding of the kernel's coupling store (context.couplings).
    errorMessages: p('SELECT message, COUNT(*) AS n, MIN(no) AS first FROM sync_job_errors WHERE job_id = ? GROUP BY message'),
  };
}

export const JOB_DIRECTION = { to: 'ToIntegrationTable', from: 'FromIntegrationTable' } as const;

/** Records an engine pass wrote (its progress counters): what progress reports as `written`. */
export const writtenOf = (c: Counters): number => c.inserted + c.modified + c.deleted;

export const pick = (j: SyncCounters): SyncCounters => ({
  inserted: j.inserted, modified: j.modified, deleted: j.deleted, unchanged: j.unchanged, skipped: j.skipped, failed: j.failed, uncoupled: j.uncoupled, coupled: j.coupled,
});

export const toDto = (j: SyncJob): SyncJobDto => ({
  ...pick(j), id: j.id, mapping: j.mapping, type: j.type, direction: j.direction, startedAt: j.startedAt, finishedAt: j.finishedAt, message: j.message, messageCode: messageCode(j.message),
});

export function rowToJob(r: Record<string, unknown>): SyncJobDto {
  return {
    id: r.id as string, mapping: r.mapping as string, type: r.type as SyncJobDto['type'], direction: r.direction as SyncJobDto['direction'],
    startedAt: r.started_at as number, finishedAt: r.finished_at as number | null, message: r.message as string, messageCode: messageCode(r.message as string),
    inserted: r.inserted as number, modified: r.modified as number, deleted: r.deleted as number, unchanged: r.unchanged as number,
    skipped: r.skipped as number, failed: r.failed as number, uncoupled: r.uncoupled as number, coupled: r.coupled as number,
  };
}

export const queueDto = (e: QueueEntry, blockedBy: SyncMessageCode | null = null): SyncQueueEntryDto => ({
  name: e.name, mapping: e.mapping, description: e.description, recurring: e.recurring, everyMinutes: e.everyMinutes,
  inactivityTimeoutMinutes: e.inactivityTimeoutMinutes, status: e.status, attempts: e.attempts, maxAttempts: e.maxAttempts,
  earliestStart: e.earliestStart, lastStartedAt: e.lastStartedAt, lastFinishedAt: e.lastFinishedAt, lastError: e.lastError, blockedBy,
});
