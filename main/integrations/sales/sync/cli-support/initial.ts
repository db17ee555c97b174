/**
 * The initial synchronization of a new sync database (reference E.12 "Full synchronization review"), for the CLI's
 * throw-away demo sandbox (`d365ic sync run --sandbox`): every mapping in dependency order, what exists on both sides
 * coupled first, then a full synchronization of the rest.
 *
 * - Option mappings (E.12: BC not empty → Couple): every BC code couples to the option with the same label; Create
 *   New in Case of No Match adds the others as option values.
 * - Mappings with match fields: match-based coupling (E.8), the coupled records synchronized To Dataverse right away
 *   ("synchronize after coupling": a coupled record that never synchronized reads as changed on both sides), then a
 *   full synchronization creates what had no match. The console asks the administrator for match fields (the mapping
 *   editor); for the demo company the CLI uses MATCH_FIELDS below, the fields the two demo data sets share.
 * - SALESPEOPLE: coupled by e-mail (as the setup guide proposes the pairs), never created from users.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { SyncJob } from '../jobs/log';
import type { SyncEngine } from '../engine/engine';
import { dependencyOrder } from '../engine/manual';
import { coupleAndSynchronize, runFullSync } from '../review/run';

/** Match fields for the demo company's mappings that BC's defaults leave without any (BC field names). */
export const MATCH_FIELDS: Readonly<Record<string, readonly string[]>> = {
  SALESPEOPLE: ['E-Mail'], CUSTOMER: ['Name'], VENDOR: ['Name'], CONTACT: ['E-Mail'], 'ITEM-PRODUCT': ['No.'], 'RESOURCE-PRODUCT': ['No.'],
};

export function withMatchFields(m: TableMapping, fields: readonly string[] | undefined = MATCH_FIELDS[m.name]): TableMapping {
  if (!fields || m.fields.some((f) => f.status === 'Enabled' && f.useForMatchBasedCoupling)) return m;
  return { ...m, fields: m.fields.map((f) => (f.bcField !== null && fields.includes(f.bcField) ? { ...f, useForMatchBasedCoupling: true } : f)) };
}

export interface InitialStep {
  mapping: string;
  /** Jobs of the step (coupling, synchronization), in order. */
  jobs: SyncJob[];
  error: string | null;
}

export async function initialSynchronization(engine: SyncEngine, mappings: readonly TableMapping[], onStep?: (s: InitialStep) => void): Promise<InitialStep[]> {
  const out: InitialStep[] = [];
  for (const base of dependencyOrder(mappings)) {
    const m = withMatchFields(base);
    const step: InitialStep = { mapping: m.name, jobs: [], error: null };
    try {
      const matchable = m.isOptionMapping || m.fields.some((f) => f.status === 'Enabled' && f.useForMatchBasedCoupling);
      if (matchable) {
        const c = await coupleAndSynchronize(engine, m);
        step.jobs.push(c.job);
        if (c.synchronized) step.jobs.push(c.synchronized);
      }
      if (m.isOptionMapping || m.name === 'SALESPEOPLE') {
        const r = await engine.runMapping(m);
        for (const j of [r.to, r.from]) if (j) step.jobs.push(j);
      } else {
        const r = await runFullSync(engine, m);
        for (const j of [r.to, r.from]) if (j) step.jobs.push(j);
      }
    } catch (x) {
      step.error = x instanceof Error ? x.message : String(x);
    }
    out.push(step);
    onStep?.(step);
  }
  return out;
}
