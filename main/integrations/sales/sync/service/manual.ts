/**
 * The manual actions of the Sync page and the CLI (reference E.6–E.8): synchronize records now, couple / uncouple,
 * match-based coupling, restore skipped records, delete the couplings of a failed job. Each takes the same per-table
 * lock as a run, in the database too, because it writes that table's couplings.
 */
import type { SyncPassDirection } from '../../../../../preload/contract/sales/sync';
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { AppFailure } from '../../../../rpc/errors';
import type { SyncEngine } from '../engine/engine';
import * as manual from '../engine/manual';
import type { SyncContext } from './context';
import { toDto } from './dto';
import { rethrow } from './failures';

export class ManualActions {
  constructor(private readonly c: SyncContext) {}

  /** Manual actions take the same per-table lock as runs (they write couplings of that table), in the database too. */
  private async locked<T>(mappingName: string, fn: (engine: SyncEngine, m: TableMapping) => Promise<T> | T): Promise<T> {
    const m = this.c.mapping(mappingName);
    this.c.refuseBusy([m]);
    const { engine } = await this.c.current().catch(rethrow);
    return this.c.leases.with(m.bcTableId, m.name, m.bcTable, () => fn(engine, m)).catch(rethrow);
  }

  syncRecords(mapping: string, ids: readonly string[], dir: SyncPassDirection, create: boolean) {
    return this.locked(mapping, async (e, m) => {
      const r = await manual.synchronizeNow(e, m, dir, ids, create);
      return { to: r.to && toDto(r.to), from: r.from && toDto(r.from) };
    });
  }
  couple(mapping: string, bcId: string, dvId: string, syncNow: SyncPassDirection | null) {
    return this.locked(mapping, async (e, m) => {
      const c = await manual.couple(e, m, bcId, dvId, syncNow ?? undefined);
      return { bcId: c.bcId, dataverseId: c.dvId };
    });
  }
  uncouple(mapping: string, bcIds: readonly string[]) {
    return this.locked(mapping, (e, m) => toDto(manual.uncouple(e, m, bcIds)));
  }
  matchCouple(mapping: string, bcIds: readonly string[] | null) {
    return this.locked(mapping, async (e, m) => {
      const r = await manual.matchBasedCouple(e, m, bcIds ?? undefined);
      return { job: toDto(r.job), coupled: r.coupled.length, created: r.created.length, unmatched: r.unmatched.length };
    });
  }
  restoreSkipped(mapping: string, bcIds: readonly string[] | 'all', sync: SyncPassDirection | null) {
    return this.locked(mapping, async (e, m) => ({ restored: await manual.restoreSkipped(e, m, bcIds, sync ?? undefined) }));
  }
  deleteFailedCouplings(mapping: string, jobId: string) {
    return this.locked(mapping, (e, m) => {
      const owner = this.c.q.job.get(jobId) as { mapping: string } | undefined;
      if (!owner) throw new AppFailure('SYNC_JOB_NOT_FOUND', 'That synchronization job is no longer in the log (it may have been deleted). Refresh the job log.');
      if (owner.mapping !== m.name)
        throw new AppFailure('SYNC_JOB_OTHER_MAPPING', `That job belongs to ${owner.mapping}, not ${m.name}.`, { mapping: owner.mapping });
      return { removed: manual.deleteCouplingsOfFailed(e, m, jobId) };
    });
  }
}
