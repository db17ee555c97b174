/**
 * E.1 one-to-one coupling rules (CoupleRecordIdToCRMID / CoupleCRMIDToRecordRef) on top of the store.
 */
import type { SidePort } from '../ports';
import { CouplingError, type Coupling, type CouplingStore } from './store';

export interface CoupleTarget {
  tableId: number;
  bcTable: string;
  dvEntity: string;
  bcEntity: string;
}

/**
 * Couples BC record `bcId` to Dataverse row `dvId`:
 *  - the BC record already coupled to another DV id → error;
 *  - the DV id coupled to another BC record of the same table → that old coupling is removed silently only if
 *    its BC record no longer exists, else error;
 *  - coupling an already-coupled pair again is a no-op.
 * A fresh coupling row starts with 0DT stamps, so the next run treats the pair as modified on both sides.
 */
export async function coupleRecords(store: CouplingStore, bc: SidePort, t: CoupleTarget, bcId: string, dvId: string): Promise<Coupling> {
  const dv = dvId.toLowerCase();
  const mine = store.byBc(t.tableId, bcId);
  if (mine && mine.dvId === dv && !mine.pending) return mine;
  if (mine && mine.dvId !== dv)
    throw new CouplingError(
      `Cannot couple ${t.bcTable} ${bcId} to Dataverse ${t.dvEntity} ${dv}: it is already coupled to ${mine.dvId}. Uncouple it first.`,
    );
  const theirs = store.byDv(t.tableId, dv);
  if (theirs && theirs.bcId !== null && theirs.bcId !== bcId) {
    const alive = await bc.exists(t.bcEntity, [theirs.bcId]);
    if (alive.has(theirs.bcId))
      throw new CouplingError(
        `Cannot couple ${t.bcTable} ${bcId} to Dataverse ${t.dvEntity} ${dv}: that row is already coupled to ${t.bcTable} ${theirs.bcId}. Uncouple it first.`,
      );
  }
  return store.transaction(() => {
    if (theirs) store.remove(theirs.rowId);
    if (mine) store.remove(mine.rowId);
    return store.insert({ tableId: t.tableId, dvEntity: t.dvEntity, bcId, dvId: dv });
  });
}
