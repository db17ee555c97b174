/**
 * Option mappings (E.13: PAYMENT TERMS, SHIPMENT METHOD, SHIPPING AGENT): BC code records ⇄ the values of a
 * Dataverse option set, coupled in "CRM Option Mapping". Never Bidirectional. Option sets are small (tens of
 * values), so one pass holds the option list in memory; BC records are still read page by page.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { zeroCounters, type Counters, type JobLog, type SyncJob } from '../jobs/log';
import type { Row, SyncSides } from '../ports';
import type { CouplingStore } from '../coupling/store';
import { ID_CHUNK, MappingConfigError } from './common';
import { matchesBcFilter } from './filters';

export interface OptionValue {
  value: number;
  label: string;
}

/** Option-set metadata of a Dataverse attribute (the adapter uses the metadata API: InsertOptionValue, UpdateOptionValue). */
export interface OptionSetPort {
  listOptions(entity: string, attribute: string): Promise<OptionValue[]>;
  insertOption(entity: string, attribute: string, label: string): Promise<number>;
  updateOptionLabel(entity: string, attribute: string, value: number, label: string): Promise<void>;
}

/** The side as an OptionSetPort, when it implements one (the Dataverse HTTP adapter and the test fakes do). */
export function optionSetPort(side: unknown): OptionSetPort | null {
  const s = side as Partial<OptionSetPort> | null;
  return s && typeof s.listOptions === 'function' && typeof s.insertOption === 'function' && typeof s.updateOptionLabel === 'function'
    ? { listOptions: (e, a) => s.listOptions!(e, a), insertOption: (e, a, l) => s.insertOption!(e, a, l), updateOptionLabel: (e, a, v, l) => s.updateOptionLabel!(e, a, v, l) }
    : null;
}

export interface OptionRunResult {
  to: SyncJob | null;
  from: SyncJob | null;
  changed: boolean;
}

/** BC matches option captions on their first 10 characters, so those must be unique (case-insensitive). */
const prefix = (s: string) => s.slice(0, 10).toLowerCase();

function codeField(m: TableMapping): string {
  const f = m.fields.find((x) => x.status === 'Enabled' && x.bcField !== null && x.dataverseField === m.integrationUidField);
  if (!f?.bcField) throw new MappingConfigError(`${m.name} has no enabled field mapping from a BC field to ${m.integrationUidField}: add the Code → ${m.integrationUidField} field mapping.`);
  return f.bcField;
}

/** What one To run did per BC code (match-based coupling reports it like record coupling does). */
export interface OptionCouplingReport { coupled: { code: string; value: number }[]; created: string[]; unmatched: string[] }

/** What an option mapping run uses of the SyncEngine (structural: options.ts does not import engine.ts). */
export interface OptionRunEngine {
  readonly couplings: CouplingStore;
  readonly log: JobLog;
  readonly sides: SyncSides;
  watermarks(mapping: string): { bc: number; dv: number };
  advanceWatermark(mapping: string, side: 'bc' | 'dv', value: number): void;
}

export async function runOptionMapping(engine: OptionRunEngine, m: TableMapping, port: OptionSetPort, report?: OptionCouplingReport): Promise<OptionRunResult> {
  if (!m.isOptionMapping) throw new MappingConfigError(`${m.name} is not an option mapping: run it with SyncEngine.runMapping.`);
  if (m.direction === 'Bidirectional') throw new MappingConfigError(`${m.name}: option mappings cannot be Bidirectional. Choose To or From Integration Table.`);
  const field = codeField(m);
  const entity = m.dataverseEntity;
  const attr = m.integrationUidField;
  const options = await port.listOptions(entity, attr);
  const byValue = new Map(options.map((o) => [o.value, o]));
  const store = engine.couplings;
  const dir = m.direction === 'ToIntegrationTable' ? 'ToIntegrationTable' : 'FromIntegrationTable';
  const jobId = engine.log.start(m.name, 'Synchronization', dir);
  const c: Counters = zeroCounters();
  const error = (sourceId: string, message: string, side: 'bc' | 'dataverse') => {
    c.failed++;
    engine.log.error({ jobId, tableId: m.bcTableId, sourceSide: side, sourceId, destinationId: null, message, detail: null });
  };

  if (dir === 'ToIntegrationTable') {
    const cap = await engine.sides.bc.now();
    const pushOne = async (row: Row) => {
      const code = String(row.values[field] ?? '').trim();
      if (code === '' || !matchesBcFilter(row, m.tableFilter)) return;
      const coupling = store.optionByCode(m.name, code);
      if (coupling?.skipped) {
        c.skipped++;
        return;
      }
      if (code.includes(',')) {
        error(code, `The ${m.bcTable} code "${code}" contains a comma, which option values cannot hold. Rename the code in BC.`, 'bc');
        if (coupling) store.setOptionResult(m.name, code, 'Failure');
        return;
      }
      try {
        if (coupling && byValue.has(coupling.optionValue)) {
          const current = byValue.get(coupling.optionValue)!;
          if (current.label === code) c.unchanged++;
          else {
            await port.updateOptionLabel(entity, attr, current.value, code);
            byValue.set(current.value, { value: current.value, label: code });
            store.coupleOption(m.name, code, current.value, code);
            c.modified++;
          }
          store.setOptionResult(m.name, code, 'Success', row.modifiedOn);
          return;
        }
        if (coupling) {
          // Coupled to an option value that was deleted in Dataverse (E.4 step 3 semantics).
          if (m.deletionConflictResolution === 'Remove Coupling') {
            store.uncoupleOption(m.name, code);
            c.uncoupled++;
            return;
          }
          if (m.deletionConflictResolution === 'None') {
            error(code, `The ${m.bcTable} record ${code} cannot be updated because it is coupled to a deleted option value (${coupling.optionValue}). Restore or remove the coupling.`, 'bc');
            store.setOptionResult(m.name, code, 'Failure');
            return;
          }
          store.uncoupleOption(m.name, code);
        }
        const same = [...byValue.values()].find((o) => o.label.toLowerCase() === code.toLowerCase() && !store.optionByValue(m.name, o.value));
        if (same) {
          store.coupleOption(m.name, code, same.value, same.label);
          store.setOptionResult(m.name, code, 'Success', row.modifiedOn);
          c.coupled++;
          report?.coupled.push({ code, value: same.value });
          return;
        }
        if (m.synchOnlyCoupled) {
          report?.unmatched.push(code);
          return;
        }
        const clash = [...byValue.values()].find((o) => prefix(o.label) === prefix(code));
        if (clash) {
          error(code, `Cannot add "${code}" to ${attr}: its first 10 characters match the existing option "${clash.label}". Make the first 10 characters unique.`, 'bc');
          return;
        }
        const value = await port.insertOption(entity, attr, code);
        byValue.set(value, { value, label: code });
        store.coupleOption(m.name, code, value, code);
        store.setOptionResult(m.name, code, 'Success', row.modifiedOn);
        c.inserted++;
        report?.created.push(code);
      } catch (x) {
        error(code, `Updating the ${attr} option set failed because of the following error: ${x instanceof Error ? x.message : String(x)}`, 'bc');
        if (store.optionByCode(m.name, code)) store.setOptionResult(m.name, code, 'Failure');
      }
    };
    // Failed first, by code (couplings keyed by code), then BC records modified after the watermark.
    const failed = new Set<string>();
    for (let after = ''; ; ) {
      const codes = store.failedOptionCodes(m.name, after, ID_CHUNK);
      if (codes.length === 0) break;
      after = codes[codes.length - 1]!;
      codes.forEach((x) => failed.add(x));
    }
    const wm = engine.watermarks(m.name).bc;
    let max = 0;
    const retry: Row[] = [];
    for await (const page of engine.sides.bc.queryModified(m.bcTable, { filter: m.tableFilter, since: failed.size > 0 ? null : wm || null, pageSize: 500 })) {
      for (const row of page) {
        const code = String(row.values[field] ?? '').trim();
        const isFailed = failed.has(code);
        if (!isFailed && wm > 0 && row.modifiedOn <= wm) continue;
        if (row.modifiedOn > max) max = row.modifiedOn;
        if (isFailed) retry.push(row);
        else await pushOne(row);
      }
    }
    for (const row of retry) await pushOne(row);
    if (max > 0) engine.advanceWatermark(m.name, 'bc', Math.min(max, cap));
  } else {
    // From: every DV option value; uncoupled ones become BC records unless Synch. Only Coupled Records.
    for (const o of byValue.values()) {
      const coupled = store.optionByValue(m.name, o.value);
      if (coupled) {
        c.unchanged++;
        continue;
      }
      if (m.synchOnlyCoupled) {
        c.skipped++;
        continue;
      }
      const code = o.label.trim().toUpperCase().slice(0, 10);
      if (code === '' || o.label.includes(',')) {
        error(String(o.value), `Option ${o.value} ("${o.label}") cannot become a ${m.bcTable} code: it is empty or contains a comma. Rename it in Dataverse.`, 'dataverse');
        continue;
      }
      const [res] = await engine.sides.bc.write(m.bcTable, [{ kind: 'insert', id: null, values: { [field]: code }, idempotencyKey: `${m.name}:${o.value}`, validate: [], template: m.tableConfigTemplateCode }]);
      if (!res || !res.ok) {
        error(String(o.value), `Inserting ${m.bcTable} ${code} failed because of the following error: ${res && !res.ok ? res.error : 'no result'}`, 'dataverse');
        continue;
      }
      store.coupleOption(m.name, code, o.value, o.label);
      c.inserted++;
    }
    engine.advanceWatermark(m.name, 'dv', await engine.sides.dataverse.now());
  }
  engine.log.finish(jobId, c, c.failed > 0 ? `${c.failed} record(s) failed: open the job's errors to see why.` : '');
  const job = engine.log.get(jobId)!;
  const changed = job.inserted + job.modified + job.failed + job.uncoupled + job.coupled > 0;
  return dir === 'ToIntegrationTable' ? { to: job, from: null, changed } : { to: null, from: job, changed };
}
