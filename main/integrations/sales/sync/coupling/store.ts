/**
 * Coupling cache ("CRM Integration Record", E.1) and option couplings ("CRM Option Mapping"). Every query is a
 * prepared statement on an index; lists are keyset-paged so no caller ever holds a whole table.
 *
 * The sync engine's hot path uses the batch forms (`bySources`: one statement per batch of source ids; `insert`
 * without a read-back; direction-specific success updates): at 100,000+ records per run the per-row statements
 * were more than half of the engine's CPU.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../../db/database';

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

interface CouplingRow {
  id: number; table_id: number; dv_entity: string; bc_id: string | null; dv_id: string; pending: number; idempotency_key: string | null;
  bc_modified_on: number; dv_modified_on: number; result_from: SyncResult; result_to: SyncResult; job_from: string | null;
  job_to: string | null; error_from: string | null; error_to: string | null; skipped: number;
}

const toCoupling = (r: CouplingRow): Coupling => ({
  rowId: r.id, tableId: r.table_id, dvEntity: r.dv_entity, bcId: r.bc_id, dvId: r.dv_id, pending: r.pending === 1,
  idempotencyKey: r.idempotency_key, bcModifiedOn: r.bc_modified_on, dvModifiedOn: r.dv_modified_on, resultFrom: r.result_from,
  resultTo: r.result_to, jobFrom: r.job_from, jobTo: r.job_to, errorFrom: r.error_from, errorTo: r.error_to, skipped: r.skipped === 1,
});

/**
 * A new Dataverse primary id chosen by the engine: a version-7 (time-ordered) GUID, RFC 9562 layout, with the
 * 12-bit `rand_a` field as a counter so ids from one process are strictly increasing. The coupling index on dv_id
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

/** Ids per `json_each` lookup: bounded so one statement never carries an unbounded JSON text. */
const LOOKUP_CHUNK = 1000;

/** The repeatable-failure rule's message (E.7). */
export const SKIPPED_NOTE = 'The record will be skipped for further synchronization due to a repeatable failure.';

export interface OptionCouplingRow { mapping: string; bcCode: string; optionValue: number; optionCaption: string; skipped: boolean; resultTo: SyncResult; bcModifiedOn: number }

export class CouplingStore {
  private readonly s;

  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      byBc: p('SELECT * FROM sync_couplings WHERE table_id = ? AND bc_id = ?'),
      byDv: p('SELECT * FROM sync_couplings WHERE table_id = ? AND dv_id = ?'),
      byRow: p('SELECT * FROM sync_couplings WHERE id = ?'),
      insert: p(`INSERT INTO sync_couplings (table_id, dv_entity, bc_id, dv_id, pending, idempotency_key, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)`),
      del: p('DELETE FROM sync_couplings WHERE id = ?'),
      // Per direction, and without bc_id unless a BC insert confirmed one: SQLite maintains an index for every
      // indexed column named in SET, even when the value does not change, and bc ids sit at random index pages.
      successTo: p(`UPDATE sync_couplings SET pending = 0, bc_modified_on = ?, dv_modified_on = ?,
                    result_to = 'Success', job_to = ?, error_to = NULL, updated_at = ? WHERE id = ?`),
      successFrom: p(`UPDATE sync_couplings SET pending = 0, bc_modified_on = ?, dv_modified_on = ?,
                      result_from = 'Success', job_from = ?, error_from = NULL, updated_at = ? WHERE id = ?`),
      setBcId: p('UPDATE sync_couplings SET bc_id = ? WHERE id = ? AND bc_id IS NOT ?'),
      // Batch forms over a JSON array (one statement per batch instead of one per row).
      insertMany: p(`INSERT INTO sync_couplings (table_id, dv_entity, bc_id, dv_id, pending, idempotency_key, updated_at)
                     SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, ? FROM json_each(?) RETURNING id, table_id, dv_id`),
      successManyTo: p(`UPDATE sync_couplings SET pending = 0, bc_modified_on = j.value->>1, dv_modified_on = j.value->>2,
                        result_to = 'Success', job_to = ?, error_to = NULL, updated_at = ? FROM json_each(?) AS j WHERE sync_couplings.id = j.value->>0`),
      successManyFrom: p(`UPDATE sync_couplings SET pending = 0, bc_modified_on = j.value->>1, dv_modified_on = j.value->>2,
                          result_from = 'Success', job_from = ?, error_from = NULL, updated_at = ? FROM json_each(?) AS j WHERE sync_couplings.id = j.value->>0`),
      // json_each: one statement for a whole batch; each id is still an index probe on (table_id, bc_id | dv_id).
      manyByBc: p('SELECT * FROM sync_couplings WHERE table_id = ? AND bc_id IN (SELECT value FROM json_each(?))'),
      manyByDv: p('SELECT * FROM sync_couplings WHERE table_id = ? AND dv_id IN (SELECT value FROM json_each(?))'),
      restamp: p('UPDATE sync_couplings SET bc_modified_on = MAX(bc_modified_on, ?), dv_modified_on = MAX(dv_modified_on, ?), updated_at = ? WHERE id = ?'),
      failTo: p('UPDATE sync_couplings SET result_to = \'Failure\', job_to = ?, error_to = ?, skipped = ?, updated_at = ? WHERE id = ?'),
      failFrom: p('UPDATE sync_couplings SET result_from = \'Failure\', job_from = ?, error_from = ?, skipped = ?, updated_at = ? WHERE id = ?'),
      failedTo: p(`SELECT * FROM sync_couplings WHERE table_id = ? AND result_to = 'Failure' AND skipped = 0 AND id > ? ORDER BY id LIMIT ?`),
      failedFrom: p(`SELECT * FROM sync_couplings WHERE table_id = ? AND result_from = 'Failure' AND skipped = 0 AND id > ? ORDER BY id LIMIT ?`),
      skippedPage: p('SELECT * FROM sync_couplings WHERE skipped = 1 AND table_id = ? AND id > ? ORDER BY id LIMIT ?'),
      setSkipped: p('UPDATE sync_couplings SET skipped = ?, updated_at = ? WHERE id = ?'),
      countSkipped: p('SELECT COUNT(*) AS n FROM sync_couplings WHERE skipped = 1 AND table_id = ?'),
      count: p('SELECT COUNT(*) AS n FROM sync_couplings WHERE table_id = ?'),
      countCoupled: p('SELECT COUNT(*) AS n FROM sync_couplings WHERE table_id = ? AND pending = 0'),
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
    const r = this.s.byBc.get(tableId, bcId) as CouplingRow | undefined;
    return r && toCoupling(r);
  }
  byDv(tableId: number, dvId: string): Coupling | undefined {
    const r = this.s.byDv.get(tableId, dvId.toLowerCase()) as CouplingRow | undefined;
    return r && toCoupling(r);
  }
  byRowId(rowId: number): Coupling | undefined {
    const r = this.s.byRow.get(rowId) as CouplingRow | undefined;
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
    const stmt = dir === 'to' ? this.s.manyByBc : this.s.manyByDv;
    const keys = dir === 'to' ? ids : ids.map((i) => i.toLowerCase());
    const found = new Map<string, Coupling>();
    for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
      for (const r of stmt.all(tableId, JSON.stringify(keys.slice(i, i + LOOKUP_CHUNK))) as CouplingRow[]) {
        const c = toCoupling(r);
        found.set(dir === 'to' ? c.bcId! : c.dvId, c);
      }
    }
    ids.forEach((id, i) => {
      const c = found.get(keys[i]!);
      if (c) out.set(id, c);
    });
    return out;
  }

  /**
   * Low-level insert. Callers enforce E.1's one-to-one rules (see coupling/rules.ts); the unique indexes are the
   * backstop. A pending coupling is written BEFORE the create request so a retried or resumed run upserts.
   * The returned coupling is built from what was inserted (every other column has its default), not read back.
   */
  insert(c: { tableId: number; dvEntity: string; bcId: string | null; dvId: string; pending?: boolean; idempotencyKey?: string | null }): Coupling {
    const dvId = c.dvId.toLowerCase();
    const pending = c.pending === true;
    const idempotencyKey = c.idempotencyKey ?? null;
    const info = this.s.insert.run(c.tableId, c.dvEntity, c.bcId, dvId, pending ? 1 : 0, idempotencyKey, this.now());
    return {
      rowId: Number(info.lastInsertRowid), tableId: c.tableId, dvEntity: c.dvEntity, bcId: c.bcId, dvId, pending, idempotencyKey,
      bcModifiedOn: 0, dvModifiedOn: 0, resultFrom: '', resultTo: '', jobFrom: null, jobTo: null, errorFrom: null, errorTo: null, skipped: false,
    };
  }
  /**
   * `insert` for a batch, in one statement per LOOKUP_CHUNK rows; couplings returned in input order. A unique-index
   * violation fails the whole call (callers run it inside their batch transaction, so nothing of it stays).
   */
  insertMany(rows: readonly { tableId: number; dvEntity: string; bcId: string | null; dvId: string; pending?: boolean; idempotencyKey?: string | null }[]): Coupling[] {
    const out: Coupling[] = [];
    const now = this.now();
    for (let i = 0; i < rows.length; i += LOOKUP_CHUNK) {
      const part = rows.slice(i, i + LOOKUP_CHUNK).map((c) => ({
        c, dvId: c.dvId.toLowerCase(), pending: c.pending === true, idempotencyKey: c.idempotencyKey ?? null,
      }));
      const json = JSON.stringify(part.map((x) => [x.c.tableId, x.c.dvEntity, x.c.bcId, x.dvId, x.pending ? 1 : 0, x.idempotencyKey]));
      // RETURNING order is unspecified: match rows back on (table_id, dv_id), which the unique index guarantees.
      const ids = new Map<string, number>();
      for (const r of this.s.insertMany.all(now, json) as { id: number; table_id: number; dv_id: string }[]) ids.set(`${r.table_id}:${r.dv_id}`, r.id);
      for (const x of part) {
        out.push({
          rowId: ids.get(`${x.c.tableId}:${x.dvId}`)!, tableId: x.c.tableId, dvEntity: x.c.dvEntity, bcId: x.c.bcId, dvId: x.dvId, pending: x.pending,
          idempotencyKey: x.idempotencyKey, bcModifiedOn: 0, dvModifiedOn: 0, resultFrom: '', resultTo: '', jobFrom: null, jobTo: null,
          errorFrom: null, errorTo: null, skipped: false,
        });
      }
    }
    return out;
  }
  remove(rowId: number): void {
    this.s.del.run(rowId);
  }

  /** Stamps after a successful write (E.4 step 10); `bcId` fills in the SystemId of a confirmed BC insert. */
  markSuccess(rowId: number, dir: PassDirection, jobId: string, stamps: { bc: number; dv: number }, bcId: string | null = null): void {
    const run = () => (dir === 'to' ? this.s.successTo : this.s.successFrom).run(stamps.bc, stamps.dv, jobId, this.now(), rowId);
    if (bcId === null) run();
    else this.transaction(() => {
      this.s.setBcId.run(bcId, rowId, bcId);
      run();
    });
  }
  /**
   * `markSuccess` for many couplings of one direction and job (no BC id to fill in). Each row id at most once per
   * call: the UPDATE … FROM form applies one match per row.
   */
  markSuccessMany(dir: PassDirection, jobId: string, items: readonly { rowId: number; bc: number; dv: number }[]): void {
    const stmt = dir === 'to' ? this.s.successManyTo : this.s.successManyFrom;
    const now = this.now();
    for (let i = 0; i < items.length; i += LOOKUP_CHUNK) {
      stmt.run(jobId, now, JSON.stringify(items.slice(i, i + LOOKUP_CHUNK).map((x) => [x.rowId, x.bc, x.dv])));
    }
  }
  /** Re-stamp an unchanged record (only ever raises the stamps). */
  restamp(rowId: number, stamps: { bc: number; dv: number }): void {
    this.s.restamp.run(stamps.bc, stamps.dv, this.now(), rowId);
  }
  /**
   * SetLastSynchResultFailed (E.7): a second identical, non-empty error in the same direction right after a
   * failure skips the record. Returns whether the coupling is now skipped.
   */
  markFailure(rowId: number, dir: PassDirection, jobId: string, message: string, transient = false): boolean {
    const c = this.byRowId(rowId);
    if (!c) return false;
    const prevResult = dir === 'to' ? c.resultTo : c.resultFrom;
    const prevMessage = dir === 'to' ? c.errorTo : c.errorFrom;
    // A transient failure (throttling, timeouts, resets) says nothing about the record: it stays failed, so it is
    // retried first next time, but it never counts toward "skip after the same error twice" (E.7).
    const skip = c.skipped || (!transient && prevResult === 'Failure' && message !== '' && prevMessage === message);
    (dir === 'to' ? this.s.failTo : this.s.failFrom).run(jobId, message, skip ? 1 : 0, this.now(), rowId);
    return skip;
  }

  /** Keyset page of failed, not skipped couplings of one direction (failed-first retry, E.3 b / 4a). */
  failedPage(dir: PassDirection, tableId: number, afterRowId: number, limit: number): Coupling[] {
    return ((dir === 'to' ? this.s.failedTo : this.s.failedFrom).all(tableId, afterRowId, limit) as CouplingRow[]).map(toCoupling);
  }
  skippedPage(tableId: number, afterRowId: number, limit: number): Coupling[] {
    return (this.s.skippedPage.all(tableId, afterRowId, limit) as CouplingRow[]).map(toCoupling);
  }
  setSkipped(rowId: number, skipped: boolean): void {
    this.s.setSkipped.run(skipped ? 1 : 0, this.now(), rowId);
  }
  countSkipped(tableId: number): number {
    return (this.s.countSkipped.get(tableId) as { n: number }).n;
  }
  /** Every coupling row of the table, pending creates included (see countCoupled for what a user calls coupled). */
  count(tableId: number): number {
    return (this.s.count.get(tableId) as { n: number }).n;
  }
  /**
   * Records really coupled: a pending coupling is a create not confirmed yet (under way, or failed and kept for the
   * crash-safe retry), so "8 failed" never shows as "8 coupled". Option mappings count their option couplings.
   */
  countCoupled(m: { bcTableId: number; name: string; isOptionMapping: boolean }): number {
    return m.isOptionMapping ? (this.s.countOptions.get(m.name) as { n: number }).n : (this.s.countCoupled.get(m.bcTableId) as { n: number }).n;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
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
