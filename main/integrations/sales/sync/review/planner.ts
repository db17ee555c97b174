/**
 * Full synchronization review (E.12, page "CRM Full Synch. Review"): which mappings get a line, the Initial Synch
 * Recommendation from record counts, and the dependency cascade that decides what starts when.
 */
import type { Direction, TableMapping } from '../../../../../preload/contract/sales/mapping-model';

export type Recommendation = 'Full Synchronization' | 'Couple Records' | 'No Records Found';
export type LineJobStatus = '' | 'Success' | 'In Process' | 'Error';

export interface ReviewCounts {
  /** Records in BC within the Table Filter. */
  bc: number;
  /** Rows in Dataverse within the Integration Table Filter. */
  dv: number;
  /** CURRENCY: DV holds exactly one currency in the filter and its exchange rate is 1.00. */
  dvSingleCurrencyRateOne?: boolean;
  /** Unit mappings: number of DV uomschedules. */
  dvUnitGroups?: number;
  /** Records of `bc` / `dv` that are not coupled (undefined: unknown, taken as all of them). */
  bcUncoupled?: number;
  dvUncoupled?: number;
}

export interface ReviewLine {
  name: string;
  dependencyFilter: string[];
  direction: Direction;
  recommendation: Recommendation;
  jobStatus: LineJobStatus;
  /** Couple Records, but the mapping marks no field for match-based coupling: it cannot start until they are set. */
  needsMatchFields?: boolean;
  /** False: the engine cannot run this mapping; the line never starts (and its dependants wait). */
  runnable?: boolean;
  /**
   * The line's job ran to its end (BC: Job Queue Entry Status Finished). Some records may have failed — the line
   * then says Error — but its dependants start all the same: BC's review (AreAllParentalJobsFinished) waits for the
   * parents' job queue entries to finish, not for every record to succeed. A job that could not run does not finish.
   */
  jobFinished?: boolean;
}

const UNIT_MAPPINGS = new Set(['UNIT OF MEASURE', 'UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM']);
const OPTION_MAPPINGS = new Set(['PAYMENT TERMS', 'SHIPPING AGENT', 'SHIPMENT METHOD']);

export function recommend(name: string, c: ReviewCounts): Recommendation {
  // A full synchronization writes every uncoupled source record as a new destination record: with uncoupled
  // records on both sides that makes duplicates (reference troubleshooting 16), whatever the table. Couple first.
  const bothUncoupled = (c.bcUncoupled ?? c.bc) > 0 && (c.dvUncoupled ?? c.dv) > 0;
  if (name === 'SALESPEOPLE') return bothUncoupled ? 'Couple Records' : 'Full Synchronization';
  // CURRENCY and the legacy units are matched implicitly by the engine (ISO code, "NAV <code>"), so BC's own rules stay.
  if (name === 'CURRENCY') return c.dvSingleCurrencyRateOne ? 'Full Synchronization' : 'Couple Records';
  if (UNIT_MAPPINGS.has(name)) {
    const groups = c.dvUnitGroups ?? c.dv;
    if (c.bc === 0 && groups <= 1) return 'No Records Found';
    if (c.bc > 0 && groups > 1) return 'Couple Records';
    return 'Full Synchronization';
  }
  if (OPTION_MAPPINGS.has(name)) return c.bc === 0 ? 'No Records Found' : 'Couple Records';
  // CUSTOMER / VENDOR / CONTACT and every other mapping share this rule. Both sides non-empty means Couple in BC;
  // when one side's records are all coupled already there is nothing to match, and a full sync duplicates nothing.
  if (c.bc === 0 && c.dv === 0) return 'No Records Found';
  if (bothUncoupled) return 'Couple Records';
  if (c.bc > 0 && c.dv > 0 && c.bcUncoupled === undefined && c.dvUncoupled === undefined) return 'Couple Records';
  return 'Full Synchronization';
}

/** Mappings that get a review line: Dataverse/Sales mappings run by codeunit 5340, minus child and mode-specific ones. */
export function reviewMappings(mappings: readonly TableMapping[], o: { ownership: 'person' | 'team'; orders: 'none' | 'legacy' | 'bidirectional' }): TableMapping[] {
  return mappings.filter((m) => {
    if (m.parentName !== null || m.deleteAfterSynchronization) return false;
    if (m.name === 'SOLINE-ORDERDETAIL' || m.name === 'POSTEDSALESLINE-INV') return false;
    if (m.name === 'SALESORDER-ORDER' && o.orders !== 'bidirectional') return false;
    if (m.name === 'SALESPEOPLE' && o.ownership === 'team') return false;
    return true;
  });
}

/** The mapping marks at least one enabled field for match-based coupling (E.8 needs one). */
export function hasMatchFields(m: TableMapping): boolean {
  return m.fields.some((f) => f.status === 'Enabled' && f.useForMatchBasedCoupling && f.bcField !== null && f.dataverseField !== null);
}

export function reviewLines(
  mappings: readonly TableMapping[], o: Parameters<typeof reviewMappings>[1], counts: (m: TableMapping) => ReviewCounts, runnable: (m: TableMapping) => boolean = () => true,
): ReviewLine[] {
  return reviewMappings(mappings, o).map((m) => {
    const recommendation = recommend(m.name, counts(m));
    return {
      name: m.name, dependencyFilter: [...m.dependencyFilter], direction: m.direction, recommendation, jobStatus: '',
      // Option mappings couple through CRM Option Mapping by their code, not through match fields.
      needsMatchFields: recommendation === 'Couple Records' && !m.isOptionMapping && !hasMatchFields(m),
      runnable: runnable(m),
    };
  });
}

/** A line that can never start as it is: the engine cannot run it, or it must couple without match fields. */
const stuck = (l: ReviewLine) => l.runnable === false || l.needsMatchFields === true;

/** A dependency is satisfied when its line's job finished (even with failed records), has nothing to sync, or has no line at all (excluded mapping). */
function satisfied(name: string, byName: Map<string, ReviewLine>): boolean {
  const l = byName.get(name);
  return !l || l.jobStatus === 'Success' || l.jobFinished === true || l.recommendation === 'No Records Found';
}

/** Lines to start now: blank job status, something to do, every dependency satisfied. */
export function nextToStart(lines: readonly ReviewLine[]): ReviewLine[] {
  const byName = new Map(lines.map((l) => [l.name, l]));
  return lines.filter((l) => l.jobStatus === '' && l.recommendation !== 'No Records Found' && !stuck(l) && l.dependencyFilter.every((d) => satisfied(d, byName)));
}

/**
 * The start order if every job succeeds: waves of lines started together. Lines that can never start (a
 * dependency cycle, or a dependency whose job failed) are returned as `blocked` with the reason.
 */
export function startOrder(lines: readonly ReviewLine[]): { waves: string[][]; blocked: { name: string; waitingFor: string[] }[] } {
  const sim = lines.map((l) => ({ ...l }));
  const waves: string[][] = [];
  for (;;) {
    const next = nextToStart(sim);
    if (next.length === 0) break;
    waves.push(next.map((l) => l.name));
    for (const l of next) l.jobStatus = 'Success';
  }
  const byName = new Map(sim.map((l) => [l.name, l]));
  const blocked = sim
    .filter((l) => l.jobStatus === '' && l.recommendation !== 'No Records Found' && !stuck(l))
    .map((l) => ({ name: l.name, waitingFor: l.dependencyFilter.filter((d) => !satisfied(d, byName)) }));
  return { waves, blocked };
}

/**
 * The temporary mapping copy a Full Synchronization line runs (EnqueueFullSyncJob): Synch. Only Coupled Records
 * off, Delete After Synchronization, Parent Name = the original; run it with force + ignoreWatermarks.
 */
export function fullSyncMapping(m: TableMapping): TableMapping {
  return { ...m, synchOnlyCoupled: false, deleteAfterSynchronization: true, parentName: m.name };
}
