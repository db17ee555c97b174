/**
 * Manual operations (E.7, E.8): synchronize now, couple / uncouple, match-based coupling, restore skipped,
 * delete couplings of failed records. Each is a plain function over the engine, so the job queue, the RPC
 * handlers and the CLI call the same code.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { coupleRecords } from '../coupling/rules';
import type { Coupling, PassDirection } from '../coupling/store';
import { zeroCounters, type SyncJob } from '../jobs/log';
import type { MatchCondition, Row } from '../ports';
import { ID_CHUNK, MappingConfigError, type RunResult, type SyncEngine } from './engine';
import { matchesBcFilter, matchesDvFilter } from './filters';
import { optionSetPort, runOptionMapping, type OptionCouplingReport } from './options';

const target = (m: TableMapping) => ({ tableId: m.bcTableId, bcTable: m.bcTable, dvEntity: m.dataverseEntity, bcEntity: m.bcTable });

function checkDirection(m: TableMapping, dir: PassDirection): void {
  const ok = m.direction === 'Bidirectional' || (dir === 'to' ? m.direction === 'ToIntegrationTable' : m.direction === 'FromIntegrationTable');
  if (!ok)
    throw new MappingConfigError(
      `${m.name} synchronizes ${m.direction === 'ToIntegrationTable' ? 'from BC to Dataverse' : 'from Dataverse to BC'} only: ` +
        `choose "${m.direction === 'ToIntegrationTable' ? 'Send data update to Dataverse' : 'Get data update from Dataverse'}".`,
    );
}

/**
 * Synchronize Now for one record or a selection: ForceModify, one direction, selection pinned to the given
 * source ids (BC SystemIds when sending, Dataverse ids when getting). `create` = "Create in Dataverse" /
 * "Create from Dataverse" (ignores Synch. Only Coupled Records).
 */
export async function synchronizeNow(engine: SyncEngine, m: TableMapping, dir: PassDirection, ids: readonly string[], create = false): Promise<RunResult> {
  checkDirection(m, dir);
  return engine.runMapping(m, { only: dir, ids, force: true, ignoreSynchOnlyCoupled: create });
}

/** "Synchronize Modified Records" order: SALESPEOPLE, CURRENCY, units, CUSTOMER, CONTACT, items, resources, the rest. */
const PRIORITY = ['SALESPEOPLE', 'CURRENCY', 'UNIT OF MEASURE', 'UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM', 'CUSTOMER', 'CONTACT', 'ITEM-PRODUCT', 'RESOURCE-PRODUCT'];

/**
 * Every mapping in dependency order (a mapping after every mapping its Dependency Filter names, when that one is in
 * the list), BC's priority order among those that are free, then list order. Option mappings and child mappings
 * (POSTEDSALESLINE-INV) are included: "Run all" runs every default mapping. Full-sync copies (Parent Name set) are
 * not. A dependency cycle cannot be ordered: its mappings come last, in priority order.
 */
export function dependencyOrder(mappings: readonly TableMapping[]): TableMapping[] {
  const rank = (m: TableMapping) => {
    const i = PRIORITY.indexOf(m.name);
    return i < 0 ? PRIORITY.length : i;
  };
  const left = mappings.filter((m) => m.parentName === null).map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map((x) => x.m);
  const names = new Set(left.map((m) => m.name));
  const done = new Set<string>();
  const out: TableMapping[] = [];
  while (left.length > 0) {
    const k = left.findIndex((m) => m.dependencyFilter.every((d) => done.has(d) || !names.has(d) || d === m.name));
    const next = left.splice(k < 0 ? 0 : k, 1)[0]!;
    done.add(next.name);
    out.push(next);
  }
  return out;
}

/** "Run all": every mapping, dependencies first (see dependencyOrder). */
export function modifiedRecordsOrder(mappings: readonly TableMapping[]): TableMapping[] {
  return dependencyOrder(mappings);
}

/** Synchronize all modified records of every mapping, in BC's priority order; one mapping's failure does not stop the rest. */
export async function synchronizeAllModified(engine: SyncEngine, mappings: readonly TableMapping[]): Promise<{ mapping: string; result: RunResult | null; error: string | null }[]> {
  const out: { mapping: string; result: RunResult | null; error: string | null }[] = [];
  for (const m of modifiedRecordsOrder(mappings)) {
    try {
      out.push({ mapping: m.name, result: await engine.runMapping(m), error: null });
    } catch (x) {
      if (!(x instanceof MappingConfigError)) throw x;
      out.push({ mapping: m.name, result: null, error: x.message });
    }
  }
  return out;
}

/** Set Up Coupling (E.8), with the E.1 one-to-one rules; optionally synchronizes the pair right away. */
export async function couple(engine: SyncEngine, m: TableMapping, bcId: string, dvId: string, syncNow?: PassDirection): Promise<Coupling> {
  const c = await coupleRecords(engine.couplings, engine.sides.bc, target(m), bcId, dvId);
  if (syncNow) await synchronizeNow(engine, m, syncNow, [syncNow === 'to' ? bcId : c.dvId]);
  return engine.couplings.byRowId(c.rowId) ?? c;
}

/** Uncouple / Delete Coupling for BC records; logged as an Uncoupling job. */
export function uncouple(engine: SyncEngine, m: TableMapping, bcIds: readonly string[]): SyncJob {
  const jobId = engine.log.start(m.name, 'Uncoupling', m.direction);
  const counters = zeroCounters();
  engine.couplings.transaction(() => {
    for (const id of bcIds) {
      const c = engine.couplings.byBc(m.bcTableId, id);
      if (!c) continue;
      engine.couplings.remove(c.rowId);
      counters.uncoupled++;
    }
  });
  engine.log.finish(jobId, counters);
  return engine.log.get(jobId)!;
}

/** Retry / Retry All on skipped records: clears Skipped (and with `sync`, synchronizes them now). */
export async function restoreSkipped(engine: SyncEngine, m: TableMapping, bcIds: readonly string[] | 'all', sync?: PassDirection): Promise<number> {
  const restored: Coupling[] = [];
  if (bcIds === 'all') {
    let after = 0;
    for (;;) {
      const page = engine.couplings.skippedPage(m.bcTableId, after, 500);
      if (page.length === 0) break;
      after = page[page.length - 1]!.rowId;
      engine.couplings.transaction(() => page.forEach((c) => engine.couplings.setSkipped(c.rowId, false)));
      restored.push(...page);
    }
  } else {
    engine.couplings.transaction(() => {
      for (const id of bcIds) {
        const c = engine.couplings.byBc(m.bcTableId, id);
        if (c?.skipped) {
          engine.couplings.setSkipped(c.rowId, false);
          restored.push(c);
        }
      }
    });
  }
  if (sync && restored.length > 0) {
    const ids = restored.map((c) => (sync === 'to' ? c.bcId : c.dvId)).filter((x): x is string => x !== null);
    await synchronizeNow(engine, m, sync, ids);
  }
  return restored.length;
}

/** Job Errors → "Delete Couplings": uncouples the source records of a job's errors. */
export function deleteCouplingsOfFailed(engine: SyncEngine, m: TableMapping, jobId: string): number {
  let removed = 0;
  let after = 0;
  for (;;) {
    const errors = engine.log.errors(jobId, after, 500);
    if (errors.length === 0) break;
    after = errors[errors.length - 1]!.no;
    engine.couplings.transaction(() => {
      for (const e of errors) {
        if (!e.sourceId) continue;
        const c = e.sourceSide === 'bc' ? engine.couplings.byBc(m.bcTableId, e.sourceId) : engine.couplings.byDv(m.bcTableId, e.sourceId);
        if (c) {
          engine.couplings.remove(c.rowId);
          removed++;
        }
      }
    });
  }
  return removed;
}

/**
 * "CDS Int. Option Couple": every BC code couples to the option value with the same label; Create New in Case of No
 * Match adds the codes without one as new option values (E.13). Runs the option algorithm To Dataverse from the start.
 */
async function optionCouple(engine: SyncEngine, m: TableMapping): Promise<MatchOutcome> {
  const port = optionSetPort(engine.sides.dataverse);
  if (!port) throw new MappingConfigError(`${m.name} is an option mapping, and this Dataverse connection cannot read or extend option sets.`);
  const report: OptionCouplingReport = { coupled: [], created: [], unmatched: [] };
  engine.resetWatermarks(m.name);
  const r = await runOptionMapping(engine, { ...m, direction: 'ToIntegrationTable', synchOnlyCoupled: !m.createNewInCaseOfNoMatch }, port, report);
  return {
    job: r.to!, coupled: report.coupled.map((x) => ({ bcId: x.code, dvId: String(x.value) })), created: report.created, unmatched: report.unmatched,
  };
}

export interface MatchOutcome {
  job: SyncJob;
  coupled: { bcId: string; dvId: string }[];
  created: string[];
  unmatched: string[];
}

const isText = (v: unknown): v is string => typeof v === 'string';
const emptyValue = (v: unknown) => v === null || v === undefined || (isText(v) && v.trim() === '');

function sameMatch(a: unknown, b: unknown, caseSensitive: boolean): boolean {
  if (isText(a) && isText(b)) return caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/**
 * Match-based coupling (E.8). For each uncoupled BC record (Table Filter applies through the selection), try
 * the match priorities in ascending order (0 first); a priority couples only when exactly one UNCOUPLED
 * Dataverse row matches all its fields (text case-insensitive unless Case-Sensitive Matching; empty text values
 * are left out). No unique match → error, or a new row when Create New in Case of No Match.
 */
export async function matchBasedCouple(engine: SyncEngine, m: TableMapping, bcIds?: readonly string[]): Promise<MatchOutcome> {
  if (m.isOptionMapping) return optionCouple(engine, m);
  const fields = m.fields.filter((f) => f.status === 'Enabled' && f.useForMatchBasedCoupling && f.bcField !== null && f.dataverseField !== null);
  if (fields.length === 0)
    throw new MappingConfigError(`You must specify which fields to use for match-based coupling of ${m.name}: set "Use For Match-Based Coupling" on at least one field mapping.`);
  const priorities = [...new Set(fields.map((f) => f.matchPriority))].sort((a, b) => a - b);
  const { bc, dataverse } = engine.sides;
  const jobId = engine.log.start(m.name, 'Coupling', m.direction);
  const counters = zeroCounters();
  const out: Omit<MatchOutcome, 'job'> = { coupled: [], created: [], unmatched: [] };

  const handle = async (rows: readonly Row[]) => {
    for (const row of rows) {
      if (!matchesBcFilter(row, m.tableFilter) || engine.couplings.byBc(m.bcTableId, row.id)) continue;
      let matched: string | null = null;
      for (const prio of priorities) {
        const conds: MatchCondition[] = fields
          .filter((f) => f.matchPriority === prio && !emptyValue(row.values[f.bcField!]))
          .map((f) => ({ field: f.dataverseField!, value: row.values[f.bcField!], caseSensitive: f.caseSensitiveMatching }));
        if (conds.length === 0) continue;
        const found = (await dataverse.findMatches(m.dataverseEntitySet, conds, m.integrationTableFilter, 50)).filter(
          (r) => matchesDvFilter(r, m.integrationTableFilter) && conds.every((c) => sameMatch(r.values[c.field], c.value, c.caseSensitive)),
        );
        const uncoupled = found.filter((r) => !engine.couplings.byDv(m.bcTableId, r.id));
        if (uncoupled.length === 1) {
          matched = uncoupled[0]!.id;
          break;
        }
      }
      if (matched) {
        await coupleRecords(engine.couplings, bc, target(m), row.id, matched);
        counters.coupled++;
        out.coupled.push({ bcId: row.id, dvId: matched });
      } else if (m.createNewInCaseOfNoMatch) {
        out.created.push(row.id);
      } else {
        counters.failed++;
        out.unmatched.push(row.id);
        engine.log.error({
          jobId, tableId: m.bcTableId, sourceSide: 'bc', sourceId: row.id, destinationId: null, detail: null,
          message: `There is no unique uncoupled matching ${m.dataverseEntity} row for ${m.bcTable} ${row.id}. Couple it manually, ` +
            'add match fields, or turn on Create New in Case of No Match.',
        });
      }
    }
  };

  if (bcIds) {
    for (let i = 0; i < bcIds.length; i += ID_CHUNK) await handle(await bc.getByIds(m.bcTable, bcIds.slice(i, i + ID_CHUNK)));
  } else {
    for await (const page of bc.queryModified(m.bcTable, { filter: m.tableFilter, since: null, pageSize: 500 })) await handle(page);
  }
  for (let i = 0; i < out.created.length; i += ID_CHUNK)
    await engine.runMapping(m, { only: 'to', ids: out.created.slice(i, i + ID_CHUNK), force: true, ignoreSynchOnlyCoupled: true });
  engine.log.finish(jobId, counters, counters.failed > 0 ? `${counters.failed} record(s) had no unique uncoupled match.` : '');
  if (m.synchAfterBulkCoupling && out.coupled.length > 0) {
    const dir: PassDirection = m.direction === 'FromIntegrationTable' ? 'from' : 'to';
    const ids = out.coupled.map((c) => (dir === 'to' ? c.bcId : c.dvId));
    for (let i = 0; i < ids.length; i += ID_CHUNK) await engine.runMapping(m, { only: dir, ids: ids.slice(i, i + ID_CHUNK), force: true });
  }
  return { job: engine.log.get(jobId)!, ...out };
}
