/**
 * Record counts behind the full synchronization review's Initial Synch Recommendation (E.12), read from the real
 * sides through the SidePorts. The recommendation only needs emptiness (and, for CURRENCY and the unit mappings,
 * "exactly one" vs "more"), so counting stops at COUNT_CAP: a count equal to the cap means "at least that many".
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { matchesBcFilter, matchesDvFilter } from '../engine/filters';
import type { SidePort, SyncSides } from '../ports';
import type { ReviewCounts } from '../review/planner';

export const COUNT_CAP = 100;

const UNIT_MAPPINGS = new Set(['UNIT OF MEASURE', 'UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM']);
const NO_DV_FILTER = { conditions: [], companyScoped: false };

/** BC records within the Table Filter, up to `cap`. */
export async function countBc(bc: SidePort, m: TableMapping, cap = COUNT_CAP): Promise<number> {
  // Without a Table Filter the first `cap` rows answer it in one request.
  if (m.tableFilter.conditions.length === 0) return Math.min(cap, (await bc.findMatches(m.bcTable, [], m.tableFilter, cap)).length);
  // The BC adapter does not push the Table Filter down (the engine re-checks it locally, so must we): read pages
  // until `cap` rows match or the table ends. Leaving the loop early ends the selection.
  let n = 0;
  for await (const page of bc.queryModified(m.bcTable, { filter: m.tableFilter, since: null, pageSize: cap })) {
    for (const r of page) if (matchesBcFilter(r, m.tableFilter) && ++n >= cap) return cap;
  }
  return n;
}

/** Dataverse rows within the Integration Table Filter, up to `cap` (the rows themselves: CURRENCY reads the rate). */
async function dvRows(dv: SidePort, m: TableMapping, cap: number) {
  const rows = await dv.findMatches(m.dataverseEntitySet, [], m.integrationTableFilter, cap);
  // The adapter pushes the filter down; the local re-check keeps the count right if it could not express a part.
  return rows.filter((r) => matchesDvFilter(r, m.integrationTableFilter)).slice(0, cap);
}

/** Reads at most this many rows per side looking for uncoupled ones (a fully coupled big table is not read to its end). */
export const UNCOUPLED_SCAN_LIMIT = 10_000;

/** Which records are coupled already (the coupling table), to count the uncoupled ones. */
export interface CouplingProbe {
  /** Couplings of the mapping's table: 0 means every record counted is uncoupled (no read needed). */
  count: number;
  bc(id: string): boolean;
  dv(id: string): boolean;
}

/** Records within the side's filter that are not coupled, up to `cap` (a lower bound past UNCOUPLED_SCAN_LIMIT rows). */
async function countUncoupled(side: SidePort, entity: string, m: TableMapping, which: 'bc' | 'dv', coupled: (id: string) => boolean, cap: number): Promise<number> {
  const filter = which === 'bc' ? m.tableFilter : m.integrationTableFilter;
  let n = 0;
  let read = 0;
  for await (const page of side.queryModified(entity, { filter, since: null, pageSize: 500 })) {
    for (const r of page) {
      const inside = which === 'bc' ? matchesBcFilter(r, m.tableFilter) : matchesDvFilter(r, m.integrationTableFilter);
      if (inside && !coupled(r.id) && ++n >= cap) return cap;
    }
    read += page.length;
    if (read >= UNCOUPLED_SCAN_LIMIT) return n;
  }
  return n;
}

/** Everything `recommend` needs for one review line; with `coupled`, also how many records on each side are not coupled. */
export async function reviewCounts(sides: SyncSides, m: TableMapping, cap = COUNT_CAP, coupled?: CouplingProbe): Promise<ReviewCounts> {
  const [bc, dv] = await Promise.all([countBc(sides.bc, m, cap), dvRows(sides.dataverse, m, cap)]);
  const counts: ReviewCounts = { bc, dv: dv.length };
  if (coupled) {
    if (coupled.count === 0) Object.assign(counts, { bcUncoupled: bc, dvUncoupled: dv.length });
    else {
      const [bu, du] = await Promise.all([
        bc === 0 ? 0 : countUncoupled(sides.bc, m.bcTable, m, 'bc', coupled.bc, cap),
        dv.length === 0 ? 0 : countUncoupled(sides.dataverse, m.dataverseEntitySet, m, 'dv', coupled.dv, cap),
      ]);
      Object.assign(counts, { bcUncoupled: bu, dvUncoupled: du });
    }
  }
  if (m.name === 'CURRENCY') counts.dvSingleCurrencyRateOne = dv.length === 1 && Number(dv[0]!.values.exchangerate) === 1;
  if (UNIT_MAPPINGS.has(m.name)) counts.dvUnitGroups = (await sides.dataverse.findMatches('uomschedules', [], NO_DV_FILTER, cap)).length;
  return counts;
}
