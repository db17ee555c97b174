/**
 * Full synchronization review (E.12, page "CRM Full Synch. Review"): which mappings get a line, the Initial Synch
 * Recommendation from record counts, and the dependency cascade that decides what starts when.
 */
import type { Direction, TableMapping } from '../../mappings/model';

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
}

export interface ReviewLine {
  name: string;
  dependencyFilter: string[];
  direction: Direction;
  recommendation: Recommendation;
  jobStatus: LineJobStatus;
}

const UNIT_MAPPINGS = new Set(['UNIT OF MEASURE', 'UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM']);
const OPTION_MAPPINGS = new Set(['PAYMENT TERMS', 'SHIPPING AGENT', 'SHIPMENT METHOD']);

export function recommend(name: string, c: ReviewCounts): Recommendation {
  if (name === 'SALESPEOPLE') return 'Full Synchronization';
  if (name === 'CURRENCY') return c.dvSingleCurrencyRateOne ? 'Full Synchronization' : 'Couple Records';
  if (UNIT_MAPPINGS.has(name)) {
    const groups = c.dvUnitGroups ?? c.dv;
    if (c.bc === 0 && groups <= 1) return 'No Records Found';
    if (c.bc > 0 && groups > 1) return 'Couple Records';
    return 'Full Synchronization';
  }
  if (OPTION_MAPPINGS.has(name)) return c.bc === 0 ? 'No Records Found' : 'Couple Records';
  // CUSTOMER / VENDOR / CONTACT and every other mapping share this rule.
  if (c.bc === 0 && c.dv === 0) return 'No Records Found';
  if (c.bc > 0 && c.dv > 0) return 'Couple Records';
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

export function reviewLines(mappings: readonly TableMapping[], o: Parameters<typeof reviewMappings>[1], counts: (m: TableMapping) => ReviewCounts): ReviewLine[] {
  return reviewMappings(mappings, o).map((m) => ({
    name: m.name, dependencyFilter: [...m.dependencyFilter], direction: m.direction, recommendation: recommend(m.name, counts(m)), jobStatus: '',
  }));
}

/** A dependency is satisfied when its line finished, has nothing to sync, or has no line at all (excluded mapping). */
function satisfied(name: string, byName: Map<string, ReviewLine>): boolean {
  const l = byName.get(name);
  return !l || l.jobStatus === 'Success' || l.recommendation === 'No Records Found';
}

/** Lines to start now: blank job status, something to do, every dependency satisfied. */
export function nextToStart(lines: readonly ReviewLine[]): ReviewLine[] {
  const byName = new Map(lines.map((l) => [l.name, l]));
  return lines.filter((l) => l.jobStatus === '' && l.recommendation !== 'No Records Found' && l.dependencyFilter.every((d) => satisfied(d, byName)));
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
    .filter((l) => l.jobStatus === '' && l.recommendation !== 'No Records Found')
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
