/**
 * Glue between the job queue and the engine: what a mapping job runs, and the cheap wake-up probes (E.10).
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { SyncEngine } from '../engine/engine';
import { DV_SELECTION_SLACK_MS } from '../engine/time';
import type { QueueEntry, SchedulerDeps } from '../../../../kernel/jobs/queue';

export type MappingLookup = (name: string) => TableMapping | undefined;

const mappingOf = (entry: QueueEntry, find: MappingLookup): TableMapping => {
  const m = entry.mapping === null ? undefined : find(entry.mapping);
  if (!m) throw new Error(`Job "${entry.name}" refers to table mapping "${entry.mapping ?? ''}", which does not exist. Recreate the job queue entries from the mappings.`);
  return m;
};

/** Runs a mapping job: one engine run of its mapping. Feature jobs (no mapping) need their own runner. */
export function mappingRunner(engine: SyncEngine, find: MappingLookup): SchedulerDeps['run'] {
  return async (entry) => ({ changed: (await engine.runMapping(mappingOf(entry, find))).changed });
}

/**
 * Line tables carry no modification stamp (BC lists lines per document only): a line mapping has work when its
 * document table changed (POSTEDSALESLINE-INV re-pushes the lines of changed invoices, rules/invoices.ts).
 */
const DOCUMENT_OF_LINES: Readonly<Record<string, string>> = { 'Sales Invoice Line': 'Sales Invoice Header', 'Sales Line': 'Sales Header' };

/** "Anything to do?" per side: rows modified after the mapping's watermark within its filter. */
export function mappingProbe(engine: SyncEngine, find: MappingLookup): SchedulerDeps['probe'] {
  return async (entry, side) => {
    if (entry.mapping === null) return false;
    const m = mappingOf(entry, find);
    const wm = engine.watermarks(m.name);
    if (side === 'bc') {
      if (m.direction === 'FromIntegrationTable') return false;
      const document = DOCUMENT_OF_LINES[m.bcTable];
      return engine.sides.bc.hasChangesSince(document ?? m.bcTable, document ? { conditions: [] } : m.tableFilter, wm.bc === 0 ? null : wm.bc);
    }
    if (m.direction === 'ToIntegrationTable') return false;
    return engine.sides.dataverse.hasChangesSince(m.dataverseEntitySet, m.integrationTableFilter, wm.dv === 0 ? null : wm.dv - DV_SELECTION_SLACK_MS);
  };
}
