/**
 * Coupling cache ("CRM Integration Record", E.1) and option couplings ("CRM Option Mapping") of the Sales integration.
 * The couplings live in the kernel's coupling store (kernel/couplings/store.ts, table kernel_couplings) bound here:
 * integration 'sales', mapping = the BC table id as text (BC keeps one DV id <-> one BC record per BC TABLE, whatever
 * mapping wrote the row, E.1), side a = Business Central, side b = Dataverse. A pass 'to' (BC → Dataverse) writes
 * side b, 'from' writes side a. Dataverse ids are kept lower-case. Option couplings stay Sales' own table.
 *
 * The sync engine's hot path uses the batch forms (`bySources`: one statement per batch of source ids; `insertMany`
 * without a read-back; `markSuccessMany`): at 100,000+ records per run the per-row statements were more than half of
 * the engine's CPU.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../../db/database';
import { CouplingStore as KernelCouplingStore, type CouplingRecord, type CouplingSide, type NewCoupling } from '../../../../kernel/couplings/store';

/** Pass direction: 'to' = BC → Dataverse ("CRM" result/job columns), 'from' = Dataverse → BC. */
export type PassDirection = 'to' | 'from';
export type SyncResult = '' | 'Success' | 'Failure';

export interface Coupling {
  rowId: number;
  tableId: number;
  dvEntity: string;
  bcId: string | null;
  dvId: string;
  pending: boolean;
  idempotencyKey: string | null;
  /** Last Synch. Modified On (BC SystemModifiedAt at last sync), 0 = never. */
  bcModifiedOn: number;
  /** Last Synch. CRM Modified On. */
  dvModifiedOn: number;
  resultFrom: SyncResult;
  resultTo: SyncResult;
  jobFrom: string | null;
  jobTo: string | null;
  errorFrom: string | null;
  errorTo: string | null;
  skipped: boolean;
}

/**
 * A new Dataverse primary id chosen by the engine: a version-7 (time-ordered) GUID, RFC 9562 layout, with the
 * 12-bit `rand_a` field as a counter so ids from one process are strictly increasing. The coupling index on the Dataverse id
 * then grows at its right edge instead of at random pages (random v4 ids made every insert touch a cold index
 * page); Dataverse itself prefers sequential GUIDs for the same reason. 62 random bits remain per id.
 */
export function newDataverseId(): string {
  let ms = Date.now();
  if (ms <= lastIdMs) {
    ms = lastIdMs;
    if (++idCounter > 0xfff) {
      ms = ++lastIdMs;
      idCounter = 0;
    }
  } else {
    lastIdMs = ms;
    idCounter = 0;
  }
  const t = ms.toString(16).padStart(12, '0');
  // randomUUID's tail (from its 4th group) already carries the RFC 4122 variant bits and 62 random bits.
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${idCounter.toString(16).padStart(3, '0')}-${randomUUID().slice(19)}`;
}
let lastIdMs = 0;
let idCounter = 0;

/** The repeatable-failure rule's message (E.7). */
export const SKIPPED_NOTE = 'The record will be skipped for further synchronization due to a repeatable failure.';

/** How Sales binds the kernel's coupling store. */
export const SALES_COUPLINGS = { integration: 'sales', bc: 'a', dataverse: 'b' } as const;
/** The side a pass writes: 'to' (BC → Dataverse) writes Dataverse (b), 'from' writes BC (a). */
const target = (dir: PassDirection): CouplingSide => (dir === 'to' ? 'b' : 'a');
const key = (tableId: number): string => String(tableId);

const toCoupling = (r: CouplingRecord): Coupling => ({
  rowId: r.rowId, tableId: Number(r.mapping), dvEntity: r.bEntity, bcId: r.aId, dvId: r.bId!, pending: r.pendingTo !== null,
  idempotencyKey: r.idempotencyKey, bcModifiedOn: r.aModifiedOn, dvModifiedOn: r.bModifiedOn, resultFrom: r.resultToA, resultTo: r.resultToB,
  jobFrom: r.jobToA, jobTo: r.jobToB, errorFrom: r.errorToA, errorTo: r.errorToB, skipped: r.skipped,
});

type NewSalesCoupling = { tableId: number; dvEntity: string; bcId: string | null; dvId: string; pending?: boolean; idempotencyKey?: string | null };
/** A pending Sales coupling without a BC id is a DV → BC insert (its target is BC); with one, a BC → DV insert. */
const toNew = (c: NewSalesCoupling): NewCoupling => ({
  mapping: key(c.tableId), bEntity: c.dvEntity, aId: c.bcId, bId: c.dvId.toLowerCase(),
  pendingTo: c.pending === true ? (c.bcId === null ? 'a' : 'b') : null, idempotencyKey: c.idempotencyKey ?? null,
});

export interface OptionCouplingRow { mapping: string; bcCode: string; optionValue: number; optionCaption: string; skipped: boolean; resultTo: SyncResult; bcModifiedOn: number }

export class CouplingStore {
  /** The kernel store this binds (integration 'sales'). */
  readonly kernel: KernelCouplingStore;
  private readonly s;

  constructor(db: Db, now: () => number = Date.now) {
    this.kernel = new KernelCouplingStore(db, SALES_COUPLINGS.integration, now);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      countOptions: p('SELECT COUNT(*) AS n FROM sync_option_couplings WHERE mapping = ?'),
      optGet: p('SELECT * FROM sync_option_couplings WHERE mapping = ? AND bc_code = ?'),
      optByValue: p('SELECT * FROM sync_option_couplings WHERE mapping = ? AND option_value = ?'),
      optUpsert: p(`INSERT INTO sync_option_couplings (mapping, bc_code, option_value, option_caption) VALUES (?, ?, ?, ?)
                    ON CONFLICT (mapping, bc_code) DO UPDATE SET option_value = excluded.option_value, option_caption = excluded.option_caption`),
      optDelete: p('DELETE FROM sync_option_couplings WHERE mapping = ? AND bc_code = ?'),
      optResult: p('UPDATE sync_option_couplings SET result_to = ?, bc_modified_on = MAX(bc_modified_on, ?) WHERE mapping = ? AND bc_code = ?'),
      optFailed: p(`SELECT bc_code FROM sync_option_couplings WHERE mapping = ? AND result_to = 'Failure' AND skipped = 0 AND bc_code > ? ORDER BY bc_code LIMIT ?`),
    };
  }

  byBc(tableId: number, bcId: string): Coupling | undefined {
    const r = this.kernel.byId('a', key(tableId), bcId);
    return r && toCoupling(r);
  }
  byDv(tableId: number, dvId: string): Coupling | undefined {
    const r = this.kernel.byId('b', key(tableId), dvId.toLowerCase());
    return r && toCoupling(r);
  }
  byRowId(rowId: number): Coupling | undefined {
    const r = this.kernel.byRowId(rowId);
    return r && toCoupling(r);
  }
  /** Source-side lookup for a pass: BC id for 'to', DV id for 'from'. */
  bySource(dir: PassDirection, tableId: number, id: string): Coupling | undefined {
    return dir === 'to' ? this.byBc(tableId, id) : this.byDv(tableId, id);
  }
  /**
   * `bySource` for a whole batch: the couplings found, keyed by the id as given (BC ids match exactly like
   * `byBc`; DV ids case-insensitively like `byDv`). Ids without a coupling are absent.
   */
  bySources(dir: PassDirection, tableId: number, ids: readonly string[]): Map<string, Coupling> {
    const out = new Map<string, Coupling>();
    if (ids.length === 0) return out;
    const keys = dir === 'to' ? ids : ids.map((i) => i.toLowerCase());
    const found = this.kernel.byIds(dir === 'to' ? 'a' : 'b', key(tableId), keys);
    ids.forEach((id, i) => {
      const r = found.get(keys[i]!);
      if (r) out.set(id, toCoupling(r));
    });
    return out;
  }
  /** Creates of a pass written down but not confirmed (finished first by every run): the source id and the row id. */
  pendingSources(dir: PassDirection, tableId: number, afterRowId: number, limit: number): { id: string; rowId: number }[] {
    return this.kernel.pendingPage(target(dir), key(tableId), afterRowId, limit).map((r) => ({ id: (dir === 'to' ? r.aId : r.bId)!, rowId: r.rowId }));
  }
  /** Confirmed couplings of a BC table (both ids known), in keyset pages of `size` (BC id order). */
  *coupledPages(tableId: number, size = 1000): Generator<{ rowId: number; bcId: string; dvId: string }[]> {
    for (let after = ''; ;) {
      const page = this.kernel.coupledPage(key(tableId), after, size);
      if (page.length === 0) return;
      after = page[page.length - 1]!.aId!;
      yield page.map((r) => ({ rowId: r.rowId, bcId: r.aId!, dvId: r.bId! }));
    }
  }

  /**
   * Low-level insert. Callers enforce E.1's one-to-one rules (see coupling/rules.ts); the unique indexes are the
   * backstop. A pending coupling is written BEFORE the create request so a retried or resumed run upserts.
   * The returned coupling is built from what was inserted (every other column has its default), not read back.
   */
  insert(c: NewSalesCoupling): Coupling {
    return toCoupling(this.kernel.insert(toNew(c)));
  }
  /**
   * `insert` for a batch, in one statement per chunk of rows; couplings returned in input order. A unique-index
   * violation fails the whole call (callers run it inside their batch transaction, so nothing of it stays).
   */
  insertMany(rows: readonly NewSalesCoupling[]): Coupling[] {
    return this.kernel.insertMany(rows.map(toNew)).map(toCoupling);
  }
  remove(rowId: number): void {
    this.kernel.remove(rowId);
  }

  /** Stamps after a successful write (E.4 step 10); `bcId` fills in the SystemId of a confirmed BC insert. */
  markSuccess(rowId: number, dir: PassDirection, jobId: string, stamps: { bc: number; dv: number }, bcId: string | null = null): void {
    this.kernel.markSuccess(rowId, target(dir), jobId, { a: stamps.bc, b: stamps.dv }, bcId);
  }
  /**
   * `markSuccess` for many couplings of one direction and job (no BC id to fill in). Each row id at most once per
   * call: the UPDATE … FROM form applies one match per row.
   */
  markSuccessMany(dir: PassDirection, jobId: string, items: readonly { rowId: number; bc: number; dv: number }[]): void {
    this.kernel.markSuccessMany(target(dir), jobId, items.map((x) => ({ rowId: x.rowId, a: x.bc, b: x.dv })));
  }
  /** Re-stamp an unchanged record (only ever raises the stamps). */
  restamp(rowId: number, stamps: { bc: number; dv: number }): void {
    this.kernel.restamp(rowId, { a: stamps.bc, b: stamps.dv });
  }
  /**
   * SetLastSynchResultFailed (E.7): a second identical, non-empty error in the same direction right after a
   * failure skips the record. Returns whether the coupling is now skipped. A transient failure (throttling,
   * timeouts, resets) stays failed but never counts toward the skip.
   */
  markFailure(rowId: number, dir: PassDirection, jobId: string, message: string, transient = false): boolean {
    return this.kernel.markFailure(rowId, target(dir), jobId, message, transient);
  }

  /** Keyset page of failed, not skipped couplings of one direction (failed-first retry, E.3 b / 4a). */
  failedPage(dir: PassDirection, tableId: number, afterRowId: number, limit: number): Coupling[] {
    return this.kernel.failedPage(target(dir), key(tableId), afterRowId, limit).map(toCoupling);
  }
  skippedPage(tableId: number, afterRowId: number, limit: number): Coupling[] {
    return this.kernel.skippedPage(key(tableId), afterRowId, limit).map(toCoupling);
  }
  setSkipped(rowId: number, skipped: boolean): void {
    this.kernel.setSkipped(rowId, skipped);
  }
  countSkipped(tableId: number): number {
    return this.kernel.countSkipped(key(tableId));
  }
  /** Every coupling row of the table, pending creates included (see countCoupled for what a user calls coupled). */
  count(tableId: number): number {
    return this.kernel.count(key(tableId));
  }
  /**
   * Records really coupled: a pending coupling is a create not confirmed yet (under way, or failed and kept for the
   * crash-safe retry), so "8 failed" never shows as "8 coupled". Option mappings count their option couplings.
   */
  countCoupled(m: { bcTableId: number; name: string; isOptionMapping: boolean }): number {
    return m.isOptionMapping ? (this.s.countOptions.get(m.name) as { n: number }).n : this.kernel.countCoupled(key(m.bcTableId));
  }
  /** The sync status's figure: record couplings of the table (not pending) plus the mapping's option couplings. */
  countForStatus(m: { bcTableId: number; name: string }): number {
    return this.kernel.countCoupled(key(m.bcTableId)) + (this.s.countOptions.get(m.name) as { n: number }).n;
  }

  transaction<T>(fn: () => T): T {
    return this.kernel.transaction(fn);
  }

  // ---- CRM Option Mapping ----
  optionByCode(mapping: string, bcCode: string): OptionCouplingRow | undefined {
    const r = this.s.optGet.get(mapping, bcCode) as
      | { mapping: string; bc_code: string; option_value: number; option_caption: string; skipped: number; result_to: SyncResult; bc_modified_on: number }
      | undefined;
    return r && {
      mapping: r.mapping, bcCode: r.bc_code, optionValue: r.option_value, optionCaption: r.option_caption, skipped: r.skipped === 1,
      resultTo: r.result_to, bcModifiedOn: r.bc_modified_on,
    };
  }
  optionByValue(mapping: string, value: number): OptionCouplingRow | undefined {
    const r = this.s.optByValue.get(mapping, value) as { bc_code: string } | undefined;
    return r && this.optionByCode(mapping, r.bc_code);
  }
  /** Couples a BC code to an option value; one value per code and one code per value within a mapping. */
  coupleOption(mapping: string, bcCode: string, optionValue: number, caption: string): void {
    const other = this.optionByValue(mapping, optionValue);
    if (other && other.bcCode !== bcCode)
      throw new CouplingError(`Option value ${optionValue} (${caption}) is already coupled to ${other.bcCode} in ${mapping}. Uncouple ${other.bcCode} first.`);
    this.s.optUpsert.run(mapping, bcCode, optionValue, caption);
  }
  uncoupleOption(mapping: string, bcCode: string): void {
    this.s.optDelete.run(mapping, bcCode);
  }
  /** Result of the last BC → DV push of an option coupling (and the BC SystemModifiedAt it reflects). */
  setOptionResult(mapping: string, bcCode: string, result: 'Success' | 'Failure', bcModifiedOn = 0): void {
    this.s.optResult.run(result, bcModifiedOn, mapping, bcCode);
  }
  failedOptionCodes(mapping: string, afterCode: string, limit: number): string[] {
    return (this.s.optFailed.all(mapping, afterCode, limit) as { bc_code: string }[]).map((r) => r.bc_code);
  }
}

export class CouplingError extends Error {
  override name = 'CouplingError';
}
