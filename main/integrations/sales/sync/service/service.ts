/**
 * SyncService: the console's sync operations over one SyncEngine (reference §E): runs in the background with
 * progress pushed as events, the job log, the job queue and the manual actions. Built from ports (Db, Clock, a
 * SidesFactory), so the app, the CLI and the tests share it.
 *
 * Runs are serialised per BC table (the engine refuses a second concurrent run of the same table, because
 * couplings are per table); different tables may run at the same time.
 *
 * This class is the facade the handlers, the CLI and the tests use; the work is in the modules beside it, over one
 * SyncContext (context.ts: connection, engine, leases, runs in flight): runs.ts, review.ts, queue-jobs.ts,
 * manual.ts, status.ts, with catalog.ts (what runs), dto.ts (statements, DTOs), failures.ts and cancel.ts.
 */
import type { SyncPassDirection } from '../../../../../preload/contract/sales/sync';
import type { JobQueue, TickReport } from '../../../../kernel/jobs/queue';
import type { TableLeases } from '../../../../kernel/runs/lease';
import type { Catalog } from './catalog';
import { SyncContext, type Started, type SyncServiceDeps } from './context';
import { ManualActions } from './manual';
import { QueueJobs } from './queue-jobs';
import { Review } from './review';
import { Runs } from './runs';
import { SyncStatusReader } from './status';

export { cancellable } from './cancel';
export { mappingSupport, RULED_MAPPINGS, type MappingSupport } from './catalog';
export type { SyncEvents, SyncServiceDeps } from './context';

export class SyncService {
  readonly queue: JobQueue;
  /** This service's hold on BC tables in the database, shared by every engine it makes (jobs/lease.ts). */
  readonly leases: TableLeases;
  private readonly c: SyncContext;
  private readonly runs: Runs;
  private readonly reviews: Review;
  private readonly jobQueue: QueueJobs;
  private readonly manual: ManualActions;
  private readonly reader: SyncStatusReader;

  constructor(d: SyncServiceDeps) {
    this.c = new SyncContext(d);
    this.queue = this.c.queue;
    this.leases = this.c.leases;
    this.runs = new Runs(this.c);
    this.jobQueue = new QueueJobs(this.c, (mapping, entry) => this.runs.start([this.c.mapping(mapping)], false, entry));
    this.reviews = new Review(this.c);
    this.manual = new ManualActions(this.c);
    this.reader = new SyncStatusReader(this.c, this.jobQueue);
  }

  /** Every default mapping for the setup's options, and the ones the engine can run (catalog.ts). */
  catalog(): Catalog {
    return this.c.catalog();
  }

  // ---- runs (runs.ts) ------------------------------------------------------------------------------
  run(mapping: string | null, full: boolean): Promise<Started> {
    return this.runs.run(mapping, full);
  }
  cancel(runId: string): boolean {
    return this.runs.cancel(runId);
  }

  // ---- full synchronization review (review.ts) -----------------------------------------------------
  review(refresh: boolean) {
    return this.reviews.review(refresh);
  }
  retryReviewLine(name: string) {
    return this.reviews.retryReviewLine(name);
  }
  startReview(): Promise<Started> {
    return this.reviews.startReview();
  }

  // ---- status, job log (status.ts) -----------------------------------------------------------------
  status() {
    return this.reader.status();
  }
  releaseInitialHold(): { resumed: string[] } {
    return this.reader.releaseInitialHold();
  }
  jobErrorGroups(jobId: string) {
    return this.reader.jobErrorGroups(jobId);
  }
  jobs(mapping: string | null, offset: number, limit: number) {
    return this.reader.jobs(mapping, offset, limit);
  }
  jobErrors(jobId: string, afterNo: number, limit: number) {
    return this.reader.jobErrors(jobId, afterNo, limit);
  }
  skipped(mapping: string, afterRowId: number, limit: number) {
    return this.reader.skipped(mapping, afterRowId, limit);
  }

  // ---- job queue (queue-jobs.ts) -------------------------------------------------------------------
  queueList() {
    return this.jobQueue.queueList();
  }
  queueSet(name: string, status: 'On Hold' | 'Ready') {
    return this.jobQueue.queueSet(name, status);
  }
  tick(): Promise<TickReport> {
    return this.jobQueue.tick();
  }
  queueRun(name: string): Promise<Started> {
    return this.jobQueue.queueRun(name);
  }

  // ---- manual actions (manual.ts) ------------------------------------------------------------------
  syncRecords(mapping: string, ids: readonly string[], dir: SyncPassDirection, create: boolean) {
    return this.manual.syncRecords(mapping, ids, dir, create);
  }
  couple(mapping: string, bcId: string, dvId: string, syncNow: SyncPassDirection | null) {
    return this.manual.couple(mapping, bcId, dvId, syncNow);
  }
  uncouple(mapping: string, bcIds: readonly string[]) {
    return this.manual.uncouple(mapping, bcIds);
  }
  matchCouple(mapping: string, bcIds: readonly string[] | null) {
    return this.manual.matchCouple(mapping, bcIds);
  }
  restoreSkipped(mapping: string, bcIds: readonly string[] | 'all', sync: SyncPassDirection | null) {
    return this.manual.restoreSkipped(mapping, bcIds, sync);
  }
  deleteFailedCouplings(mapping: string, jobId: string) {
    return this.manual.deleteFailedCouplings(mapping, jobId);
  }
}
