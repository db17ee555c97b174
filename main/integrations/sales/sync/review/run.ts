/**
 * Running a full synchronization review (E.12): Full lines run a temporary mapping copy that force-writes every
 * source record and creates uncoupled ones; Couple lines run match-based coupling; finished lines release their
 * dependants (the cascade) until nothing more can start.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { RunResult, SyncEngine } from '../engine/engine';
import { matchBasedCouple, synchronizeNow, type MatchOutcome } from '../engine/manual';
import type { SyncJob } from '../jobs/log';
import { fullSyncMapping, nextToStart, type ReviewLine } from './planner';

/** One full synchronization of a mapping: filters only, no watermark, Synch. Only Coupled Records off. */
export function runFullSync(engine: SyncEngine, m: TableMapping): Promise<RunResult> {
  return engine.runMapping(fullSyncMapping(m), { force: true, ignoreWatermarks: true, ignoreSynchOnlyCoupled: true });
}

/**
 * Match-based coupling for the initial synchronization (review Couple lines, the CLI's initial sync): couple (E.8),
 * then synchronize the newly coupled records once To Dataverse, as BC does with "Synch. After Match-Based Coupling".
 * A record coupled on both sides but never synchronized reads as changed on both sides, so without this the first
 * run of a bidirectional mapping would report an update conflict for each of them. Skipped where matchBasedCouple
 * already synchronized (the mapping's own Synch. After Bulk Coupling), for option mappings (values, not records) and
 * for mappings From Dataverse only (SALESPEOPLE: a salesperson is never overwritten from a coupled user here).
 */
export async function coupleAndSynchronize(engine: SyncEngine, m: TableMapping): Promise<MatchOutcome & { synchronized: SyncJob | null }> {
  const c = await matchBasedCouple(engine, m);
  let synchronized: SyncJob | null = null;
  if (!m.isOptionMapping && !m.synchAfterBulkCoupling && m.direction !== 'FromIntegrationTable' && c.coupled.length > 0) {
    synchronized = (await synchronizeNow(engine, m, 'to', c.coupled.map((x) => x.bcId), false)).to;
  }
  return { ...c, synchronized };
}

export interface ReviewProgress {
  line: string;
  status: 'Success' | 'Error';
  /** English (logs, CLI). */
  message: string;
  /** The outcome as a code the console translates (results / coupleResults); null for an error's own text. */
  result: { code: 'results'; params: { inserted: number; modified: number; failed: number } } | { code: 'coupleResults'; params: { coupled: number; created: number; unmatched: number } } | null;
}

/**
 * Drives the cascade to the end, one wave after the other (lines of a wave run one by one: the side ports are
 * the bottleneck, not this loop). `lines` is updated in place so a UI can render it between waves; a line whose
 * records failed is marked Error but its job finished, so its dependants start (BC waits for the parents' job queue
 * entries, not for every record); a line whose job could not run (configuration, exception) stops its dependants.
 */
export async function runReview(
  engine: SyncEngine,
  lines: ReviewLine[],
  mappingOf: (name: string) => TableMapping | undefined,
  onProgress: (p: ReviewProgress) => void = () => undefined,
): Promise<void> {
  for (let wave = nextToStart(lines); wave.length > 0; wave = nextToStart(lines)) {
    for (const line of wave) {
      const m = mappingOf(line.name);
      line.jobStatus = 'In Process';
      let ok: boolean;
      // The job ran to its end (record failures included): dependants may start, as in BC.
      let finished = false;
      let message: string;
      let result: ReviewProgress['result'] = null;
      try {
        if (!m) throw new Error(`Table mapping ${line.name} no longer exists: refresh the review.`);
        if (line.recommendation === 'Couple Records') {
          const r = await coupleAndSynchronize(engine, m);
          ok = r.job.failed === 0 && (r.synchronized?.failed ?? 0) === 0;
          finished = true;
          message = `${r.job.coupled} coupled, ${r.created.length} created, ${r.unmatched.length} without a unique match.`;
          result = { code: 'coupleResults', params: { coupled: r.job.coupled, created: r.created.length, unmatched: r.unmatched.length } };
        } else {
          const r = await runFullSync(engine, m);
          const failed = (r.to?.failed ?? 0) + (r.from?.failed ?? 0);
          const config = [r.to?.message, r.from?.message].find((x) => x && failed === 0) ?? '';
          ok = failed === 0 && config === '';
          finished = config === '';
          const inserted = (r.to?.inserted ?? 0) + (r.from?.inserted ?? 0);
          const modified = (r.to?.modified ?? 0) + (r.from?.modified ?? 0);
          message = config || `${inserted} inserted, ${modified} modified, ${failed} failed.`;
          if (!config) result = { code: 'results', params: { inserted, modified, failed } };
        }
      } catch (x) {
        ok = false;
        message = x instanceof Error ? x.message : String(x);
      }
      line.jobStatus = ok ? 'Success' : 'Error';
      line.jobFinished = finished;
      onProgress({ line: line.name, status: line.jobStatus, message, result });
    }
  }
}
