/**
 * Runs (issue 7): one mapping, every mapping in dependency order, or a job queue entry's mapping, in the background;
 * the run id answers at once, progress and the end arrive as events, cancel is cooperative (cancel.ts).
 */
import type { SyncFinished, SyncJobDto, SyncMessageCode } from '../../../../../preload/contract/sales/sync';
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { AppFailure } from '../../../../rpc/errors';
import type { SyncEngine } from '../engine/engine';
import * as manual from '../engine/manual';
import type { SyncJob } from '../jobs/log';
import { runFullSync } from '../review/run';
import type { Run, Started, SyncContext } from './context';
import { pick, toDto } from './dto';
import { explain, rethrow } from './failures';
import { runQueueEntry } from './queue-jobs';

export class Runs {
  constructor(private readonly c: SyncContext) {}

  /**
   * Starts a run of one mapping, or of every mapping in dependency order (`null`), and answers with its id at
   * once; connection problems are reported here, record and mapping failures in the events and the job log.
   */
  async run(mapping: string | null, full: boolean): Promise<Started> {
    if (mapping !== null) return this.start([this.c.mapping(mapping)], full, null);
    // Run all: every listed mapping in dependency order; one the engine cannot run ends failed with its reason.
    const cat = this.c.catalog();
    return this.start(manual.modifiedRecordsOrder(cat.listed), full, null, cat.reasons);
  }

  /** Starts these mappings as one run; with `queueEntry` through the job queue's bookkeeping (queue-jobs.ts). */
  async start(wanted: TableMapping[], full: boolean, queueEntry: string | null, reasons: ReadonlyMap<string, SyncMessageCode> = new Map()): Promise<Started> {
    this.c.refuseBusy(wanted);
    const { engine } = await this.c.current().catch(rethrow);
    this.c.refuseBusy(wanted); // connecting awaited: another run may have started meanwhile
    const run = this.c.newRun(wanted, full, reasons);
    run.done = this.execute(engine, run, queueEntry);
    return { runId: run.id, done: run.done };
  }

  private async execute(engine: SyncEngine, run: Run, queueEntry: string | null): Promise<SyncFinished> {
    const results: SyncFinished['results'] = [];
    const job = (j: SyncJob | null): SyncJobDto | null => j && toDto(j);
    // Let the caller receive the run id before the first event.
    await Promise.resolve();
    for (const item of run.items) {
      const m = item.mapping;
      if (run.cancelled) {
        item.phase = 'cancelled';
        this.c.endItem(run, item);
        continue;
      }
      if (item.reason) {
        item.phase = 'failed';
        results.push({
          mapping: m.name, to: null, from: null,
          error: { code: 'SYNC_MAPPING_NOT_RUNNABLE', message: `${m.name} cannot be synchronized by the console yet (${item.reason.code}).`, params: { mapping: m.name, reason: item.reason.code, ...item.reason.params } },
        });
        this.c.endItem(run, item);
        continue;
      }
      item.phase = 'running';
      this.c.progress(run, item, false);
      try {
        const r = queueEntry !== null
          ? await runQueueEntry(this.c, engine, queueEntry)
          : run.full ? await runFullSync(engine, m) : await engine.runMapping(m);
        item.phase = run.cancelled ? 'cancelled' : 'done';
        const last = r.from ?? r.to;
        if (last) item.counters = pick(last);
        results.push({ mapping: m.name, to: job(r.to), from: job(r.from), error: null });
      } catch (x) {
        const e = explain(x);
        item.phase = 'failed';
        if (!(e instanceof AppFailure)) this.c.d.logger?.error(`Synchronization of ${m.name} failed`, (e as Error).message);
        results.push({
          mapping: m.name, to: null, from: null,
          error: e instanceof AppFailure ? { code: e.code, message: e.message, ...(e.params ? { params: e.params } : {}) } : { code: 'SYNC_RUN_FAILED', message: (e as Error).message || String(e) },
        });
      }
      this.c.endItem(run, item);
    }
    return this.c.finishRun(run, results);
  }

  /** Cooperative: the running pass stops selecting after the current page; remaining mappings do not start. */
  cancel(runId: string): boolean {
    const run = this.c.runs.get(runId);
    if (!run || run.cancelled) return false;
    run.cancelled = true;
    return true;
  }
}
