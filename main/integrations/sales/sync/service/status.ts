/**
 * What the Sync page reads: the status of every listed mapping (last jobs, watermarks, queue entry, the run in
 * flight, couplings, skipped records), the job log and its errors (grouped by cause, with the fix a message names),
 * the skipped records, and the initial hold of the queue.
 */
import type { SyncErrorGroupDto, SyncJobDto, SyncJobErrorDto, SyncMappingStatus, SyncSkippedDto, SyncStatus } from '../../../../../preload/contract/sales/sync';
import { AppFailure } from '../../../../rpc/errors';
import type { SyncContext } from './context';
import { JOB_DIRECTION, rowToJob } from './dto';
import { releaseInitialHold } from './initial-hold';
import { causeKey, fixOf, messageCode, stripSkippedNote } from './messages';
import type { QueueJobs } from './queue-jobs';

export class SyncStatusReader {
  constructor(private readonly c: SyncContext, private readonly qj: QueueJobs) {}

  async status(): Promise<SyncStatus> {
    const source = await this.c.d.sides.source();
    const entries = this.qj.queueEntries(source);
    const cat = this.c.catalog();
    const mappings = cat.listed.map((m): SyncMappingStatus => {
      const last = (dir: 'to' | 'from') => {
        const r = this.c.q.last.get(m.name, JOB_DIRECTION[dir]) as Record<string, unknown> | undefined;
        return r ? rowToJob(r) : null;
      };
      const wm = this.c.q.state.get(m.name) as { bc: number; dv: number } | undefined;
      const a = this.c.active.get(m.name);
      const entry = entries.find((e) => e.mapping === m.name) ?? null;
      return {
        name: m.name, direction: m.direction, bcTable: m.bcTable, dataverseEntity: m.dataverseEntity,
        lastTo: m.direction === 'FromIntegrationTable' ? null : last('to'),
        lastFrom: m.direction === 'ToIntegrationTable' ? null : last('from'),
        watermarks: { bc: wm && wm.bc > 0 ? wm.bc : null, dataverse: wm && wm.dv > 0 ? wm.dv : null },
        queue: entry,
        running: a ? { runId: a.run.id, phase: a.item.phase, direction: a.item.direction, counters: { ...a.item.counters }, written: a.item.written, full: a.run.full } : null,
        // Real couplings only (a pending one is a create not confirmed yet), plus the mapping's option couplings.
        couplings: this.c.couplings.countForStatus(m),
        skipped: this.c.couplings.countSkipped(m.bcTableId),
        runnable: !cat.reasons.has(m.name), reason: cat.reasons.get(m.name) ?? null,
      };
    });
    return { source, mappings, heldForInitialSync: this.qj.heldNames() };
  }

  /** Resume now what enabling held for the initial synchronization (the administrator decides not to wait for the review). */
  releaseInitialHold(): { resumed: string[] } {
    const resumed = releaseInitialHold(this.c.d.db, this.c.queue, this.c.d.clock);
    this.c.d.events.changed?.({ what: ['queue'] });
    return { resumed };
  }

  /**
   * One job's errors grouped by cause (record ids and numbers stripped, or the message's code and params), largest
   * group first, each with the action that fixes it when the message names one.
   */
  jobErrorGroups(jobId: string): { groups: SyncErrorGroupDto[]; total: number } {
    const job = this.c.q.job.get(jobId) as { mapping: string } | undefined;
    if (!job) throw new AppFailure('SYNC_JOB_NOT_FOUND', 'That synchronization job is no longer in the log (it may have been deleted). Refresh the job log.');
    const rows = this.c.q.errorMessages.all(jobId) as { message: string; n: number; first: number }[];
    const known = new Set(this.c.catalog().listed.map((m) => m.name));
    const groups = new Map<string, SyncErrorGroupDto>();
    let total = 0;
    for (const r of rows) {
      total += r.n;
      const key = causeKey(r.message);
      const g = groups.get(key);
      if (g) {
        g.count += r.n;
        if (r.first < g.firstNo) Object.assign(g, { firstNo: r.first, message: stripSkippedNote(r.message) });
        continue;
      }
      const text = stripSkippedNote(r.message);
      groups.set(key, { key, count: r.n, message: text, messageCode: messageCode(text), firstNo: r.first, fix: fixOf(text, known, job.mapping) });
    }
    return { groups: [...groups.values()].sort((a, b) => b.count - a.count || a.firstNo - b.firstNo), total };
  }

  jobs(mapping: string | null, offset: number, limit: number): { jobs: SyncJobDto[]; total: number } {
    const rows = (mapping === null ? this.c.q.jobsAll.all(limit, offset) : this.c.q.jobsOf.all(mapping, limit, offset)) as Record<string, unknown>[];
    const total = ((mapping === null ? this.c.q.countAll.get() : this.c.q.countOf.get(mapping)) as { n: number }).n;
    return { jobs: rows.map(rowToJob), total };
  }

  jobErrors(jobId: string, afterNo: number, limit: number): { errors: SyncJobErrorDto[]; next: number | null } {
    if (!this.c.q.job.get(jobId)) throw new AppFailure('SYNC_JOB_NOT_FOUND', 'That synchronization job is no longer in the log (it may have been deleted). Refresh the job log.');
    // One more than asked tells whether there is a next page without a COUNT.
    const page = this.c.log.errors(jobId, afterNo, limit + 1);
    const errors = page.slice(0, limit).map((e): SyncJobErrorDto => ({
      no: e.no, jobId: e.jobId, sourceSide: e.sourceSide, sourceId: e.sourceId, destinationId: e.destinationId, message: e.message, detail: e.detail, at: e.at,
    }));
    return { errors, next: page.length > limit ? errors[errors.length - 1]!.no : null };
  }

  skipped(mapping: string, afterRowId: number, limit: number): { records: SyncSkippedDto[]; next: number | null } {
    const m = this.c.mapping(mapping);
    const rows = this.c.couplings.skippedPage(m.bcTableId, afterRowId, limit + 1);
    const records = rows.slice(0, limit).map((r) => ({ rowId: r.rowId, bcId: r.bcId, dataverseId: r.dvId, errorTo: r.errorTo, errorFrom: r.errorFrom }));
    return { records, next: rows.length > limit ? records[records.length - 1]!.rowId : null };
  }
}
