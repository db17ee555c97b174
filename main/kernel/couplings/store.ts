/**
 * The coupling store ("CRM Integration Record", E.1, made generic): which record on side a is the same thing as which
 * record on side b, for one integration and one mapping, and how the last synchronization of the pair went.
 * Table `kernel_couplings` (migration 12). Each integration binds it: it names its integration, what a mapping key is
 * and which system is side a and which side b (Sales: integrations/sales/sync/coupling/store.ts — mapping = the BC
 * table id as text, a = Business Central, b = Dataverse). The kernel imports no integration.
 *
 * Rules the store keeps:
 *  - one coupling per (integration, mapping, a id) and per (integration, mapping, b id) (unique indexes; NULL ids,
 *    i.e. creates not confirmed yet, do not collide); two integrations or two mappings never collide;
 *  - crash-safe creates: `insert` with `pendingTo` (and an idempotency key when the target side cannot take an id
 *    chosen here) is committed BEFORE the create request goes out; `markSuccess` with the created id confirms it.
 *    A run that died in between finds the row in `pendingPage` and upserts (same id / key) instead of creating twice.
 *    Idempotency keys are unique per integration;
 *  - per target side: the last result, job and error; a second identical non-transient error in a row skips the
 *    record (E.7, `markFailure`);
 *  - per side: the modified-on stamp of the last sync (0 = never) and the ETag the side gave (NULL when the side has
 *    none; given ETags replace the stored one, omitted / NULL ones keep it).
 *
 * Every query is a prepared statement on an index; lists are keyset-paged on the row id. The batch forms (`byIds`,
 * `insertMany`, `markSuccessMany`) take one statement per chunk of rows: at 100,000+ records per run the per-row
 * statements were more than half of the Sales engine's CPU.
 */
import type { Db } from '../../db/database';

/** The two sides of a coupling. A "target" is the side a write went to. */
export type CouplingSide = 'a' | 'b';
export type CouplingResult = '' | 'Success' | 'Failure';

export interface CouplingRecord {
  rowId: number;
  integration: string;
  mapping: string;
  aEntity: string;
  bEntity: string;
  /** NULL only while a create on that side is pending (`pendingTo`). */
  aId: string | null;
  bId: string | null;
  /** The side whose create was written down before the request went out; null once confirmed. */
  pendingTo: CouplingSide | null;
  idempotencyKey: string | null;
  /** Modified-on of each side at the last sync (epoch ms), 0 = never. */
  aModifiedOn: number;
  bModifiedOn: number;
  aEtag: string | null;
  bEtag: string | null;
  resultToA: CouplingResult;
  resultToB: CouplingResult;
  jobToA: string | null;
  jobToB: string | null;
  errorToA: string | null;
  errorToB: string | null;
  skipped: boolean;
  updatedAt: number;
}

export interface NewCoupling {
  mapping: string;
  aId: string | null;
  bId: string | null;
  aEntity?: string;
  bEntity?: string;
  /** Set for a create not sent yet: the side it goes to. */
  pendingTo?: CouplingSide | null;
  idempotencyKey?: string | null;
  aEtag?: string | null;
  bEtag?: string | null;
}

/** Stamps after a write: both sides' modified-on, and the ETags when the sides have them. */
export interface CouplingStamps {
  a: number;
  b: number;
  aEtag?: string | null;
  bEtag?: string | null;
}

/** A row as selected (`COLS`, in raw mode: an array, not an object per row — half the cost of a lookup). */
type Row = [
  id: number, integration: string, mapping: string, aEntity: string, bEntity: string, aId: string | null, bId: string | null,
  pendingTo: CouplingSide | null, idempotencyKey: string | null, aModifiedOn: number, bModifiedOn: number, aEtag: string | null,
  bEtag: string | null, resultToA: CouplingResult, resultToB: CouplingResult, jobToA: string | null, jobToB: string | null,
  errorToA: string | null, errorToB: string | null, skipped: number, updatedAt: number,
];

const toRecord = (r: Row): CouplingRecord => ({
  rowId: r[0], integration: r[1], mapping: r[2], aEntity: r[3], bEntity: r[4], aId: r[5], bId: r[6], pendingTo: r[7], idempotencyKey: r[8],
  aModifiedOn: r[9], bModifiedOn: r[10], aEtag: r[11], bEtag: r[12], resultToA: r[13], resultToB: r[14], jobToA: r[15], jobToB: r[16],
  errorToA: r[17], errorToB: r[18], skipped: r[19] === 1, updatedAt: r[20],
});

/** Ids per `json_each` statement: bounded so one statement never carries an unbounded JSON text. */
export const COUPLING_CHUNK = 1000;

const COLS = 'id, integration, mapping, a_entity, b_entity, a_id, b_id, pending_to, idempotency_key, a_modified_on, b_modified_on, a_etag, b_etag, result_to_a, result_to_b, job_to_a, job_to_b, error_to_a, error_to_b, skipped, updated_at';
const T = 'kernel_couplings';

function statements(db: Db) {
  const p = (sql: string) => db.prepare(sql);
  // Lookups return rows as arrays in COLS order (see Row).
  const q = (sql: string) => db.prepare(sql).raw(true);
  const K = 'integration = ? AND mapping = ?';
  // Per target side: SQLite maintains an index for every indexed column named in SET, even when the value does not
  // change — so the success / failure updates never name an id column, and the failed-page indexes are partial.
  const perSide = (s: CouplingSide) => ({
    byId: q(`SELECT ${COLS} FROM ${T} WHERE ${K} AND ${s}_id = ?`),
    byIds: q(`SELECT ${COLS} FROM ${T} WHERE ${K} AND ${s}_id IN (SELECT value FROM json_each(?))`),
    success: p(`UPDATE ${T} SET pending_to = NULL, a_modified_on = ?, b_modified_on = ?, a_etag = IFNULL(?, a_etag), b_etag = IFNULL(?, b_etag),
                result_to_${s} = 'Success', job_to_${s} = ?, error_to_${s} = NULL, updated_at = ? WHERE id = ? AND integration = ?`),
    successMany: p(`UPDATE ${T} SET pending_to = NULL, a_modified_on = j.value->>1, b_modified_on = j.value->>2,
                    a_etag = IFNULL(j.value->>3, a_etag), b_etag = IFNULL(j.value->>4, b_etag),
                    result_to_${s} = 'Success', job_to_${s} = ?, error_to_${s} = NULL, updated_at = ? FROM json_each(?) AS j WHERE ${T}.id = j.value->>0`),
    // The same for a batch without ETags (Sales' sides have none): the etag columns are left alone.
    successManyPlain: p(`UPDATE ${T} SET pending_to = NULL, a_modified_on = j.value->>1, b_modified_on = j.value->>2,
                         result_to_${s} = 'Success', job_to_${s} = ?, error_to_${s} = NULL, updated_at = ? FROM json_each(?) AS j WHERE ${T}.id = j.value->>0`),
    setId: p(`UPDATE ${T} SET ${s}_id = ?, updated_at = ? WHERE id = ? AND integration = ? AND ${s}_id IS NOT ?`),
    setEtag: p(`UPDATE ${T} SET ${s}_etag = ?, updated_at = ? WHERE id = ? AND integration = ?`),
    fail: p(`UPDATE ${T} SET result_to_${s} = 'Failure', job_to_${s} = ?, error_to_${s} = ?, skipped = ?, updated_at = ? WHERE id = ? AND integration = ?`),
    failedPage: q(`SELECT ${COLS} FROM ${T} WHERE ${K} AND result_to_${s} = 'Failure' AND skipped = 0 AND id > ? ORDER BY id LIMIT ?`),
    pendingPage: q(`SELECT ${COLS} FROM ${T} WHERE ${K} AND pending_to = '${s}' AND id > ? ORDER BY id LIMIT ?`),
  });
  return {
    a: perSide('a'),
    b: perSide('b'),
    byRow: q(`SELECT ${COLS} FROM ${T} WHERE id = ? AND integration = ?`),
    byKey: q(`SELECT ${COLS} FROM ${T} WHERE integration = ? AND idempotency_key = ?`),
    insert: p(`INSERT INTO ${T} (integration, mapping, a_entity, b_entity, a_id, b_id, pending_to, idempotency_key, a_etag, b_etag, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertMany: p(`INSERT INTO ${T} (integration, mapping, a_entity, b_entity, a_id, b_id, pending_to, idempotency_key, a_etag, b_etag, updated_at)
                   SELECT ?, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, ?
                   FROM json_each(?) RETURNING id, mapping, a_id, b_id`),
    del: p(`DELETE FROM ${T} WHERE id = ? AND integration = ?`),
    restamp: p(`UPDATE ${T} SET a_modified_on = MAX(a_modified_on, ?), b_modified_on = MAX(b_modified_on, ?), updated_at = ? WHERE id = ? AND integration = ?`),
    skippedPage: q(`SELECT ${COLS} FROM ${T} WHERE skipped = 1 AND ${K} AND id > ? ORDER BY id LIMIT ?`),
    setSkipped: p(`UPDATE ${T} SET skipped = ?, updated_at = ? WHERE id = ? AND integration = ?`),
    countSkipped: p(`SELECT COUNT(*) AS n FROM ${T} WHERE skipped = 1 AND ${K}`),
    count: p(`SELECT COUNT(*) AS n FROM ${T} WHERE ${K}`),
    countCoupled: p(`SELECT COUNT(*) AS n FROM ${T} WHERE ${K} AND pending_to IS NULL`),
    // Keyset on the a id, in the order of the unique index: no sort of all the mapping's couplings per page.
    coupledPage: q(`SELECT ${COLS} FROM ${T} WHERE ${K} AND a_id > ? AND pending_to IS NULL AND b_id IS NOT NULL ORDER BY a_id LIMIT ?`),
  };
}

export class CouplingStoreError extends Error {
  override name = 'CouplingStoreError';
}

/** The coupling store of one integration: every call is scoped to it. */
export class CouplingStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: Db, readonly integration: string, private readonly now: () => number = Date.now) {
    if (integration === '') throw new CouplingStoreError('A coupling store needs the name of its integration.');
    this.s = statements(db);
  }

  byId(side: CouplingSide, mapping: string, id: string): CouplingRecord | undefined {
    const r = this.s[side].byId.get(this.integration, mapping, id) as Row | undefined;
    return r && toRecord(r);
  }
  byRowId(rowId: number): CouplingRecord | undefined {
    const r = this.s.byRow.get(rowId, this.integration) as Row | undefined;
    return r && toRecord(r);
  }
  byIdempotencyKey(key: string): CouplingRecord | undefined {
    const r = this.s.byKey.get(this.integration, key) as Row | undefined;
    return r && toRecord(r);
  }
  /** `byId` for a batch, one statement per COUPLING_CHUNK ids; keyed by the side's id as stored. Ids without a coupling are absent. */
  byIds(side: CouplingSide, mapping: string, ids: readonly string[]): Map<string, CouplingRecord> {
    const out = new Map<string, CouplingRecord>();
    const stmt = this.s[side].byIds;
    for (let i = 0; i < ids.length; i += COUPLING_CHUNK) {
      for (const r of stmt.all(this.integration, mapping, JSON.stringify(ids.slice(i, i + COUPLING_CHUNK))) as Row[]) {
        const c = toRecord(r);
        out.set((side === 'a' ? c.aId : c.bId)!, c);
      }
    }
    return out;
  }

  /**
   * Low-level insert (callers enforce their one-to-one rules; the unique indexes are the backstop). With `pendingTo`
   * this is the first half of a crash-safe create: commit it before the request, confirm with `markSuccess`.
   * The record returned is built from what was inserted (every other column has its default), not read back.
   */
  insert(c: NewCoupling): CouplingRecord {
    const v = this.values(c);
    const now = this.now();
    const info = this.s.insert.run(this.integration, ...v, now);
    return this.fresh(Number(info.lastInsertRowid), c, now);
  }
  /**
   * `insert` for a batch, one statement per COUPLING_CHUNK rows; records in input order. A unique-index violation
   * fails the whole call (run it inside a transaction and nothing of it stays).
   */
  insertMany(rows: readonly NewCoupling[]): CouplingRecord[] {
    const out: CouplingRecord[] = [];
    const now = this.now();
    // RETURNING order is unspecified: rows are matched back on a unique key, (mapping, b id) or else (mapping, a id).
    const key = (mapping: string, aId: string | null, bId: string | null) => (bId !== null ? `b\0${mapping}\0${bId}` : `a\0${mapping}\0${aId}`);
    for (let i = 0; i < rows.length; i += COUPLING_CHUNK) {
      const part = rows.slice(i, i + COUPLING_CHUNK);
      const ids = new Map<string, number>();
      const json = JSON.stringify(part.map((c) => this.values(c)));
      for (const r of this.s.insertMany.all(this.integration, now, json) as { id: number; mapping: string; a_id: string | null; b_id: string | null }[]) {
        ids.set(key(r.mapping, r.a_id, r.b_id), r.id);
      }
      for (const c of part) out.push(this.fresh(ids.get(key(c.mapping, c.aId, c.bId))!, c, now));
    }
    return out;
  }
  remove(rowId: number): void {
    this.s.del.run(rowId, this.integration);
  }

  /**
   * Stamps after a successful write to `target` (E.4 step 10): clears `pendingTo`, records both modified-on stamps
   * (and ETags given). `createdId` fills in the id the target gave a record this store could not choose (the second
   * half of a crash-safe create).
   */
  markSuccess(rowId: number, target: CouplingSide, jobId: string, stamps: CouplingStamps, createdId: string | null = null): void {
    const s = this.s[target];
    const run = () => s.success.run(stamps.a, stamps.b, stamps.aEtag ?? null, stamps.bEtag ?? null, jobId, this.now(), rowId, this.integration);
    if (createdId === null) run();
    else this.transaction(() => {
      s.setId.run(createdId, this.now(), rowId, this.integration, createdId);
      run();
    });
  }
  /**
   * `markSuccess` for many couplings of one target side and job (no ids to fill in); each row id at most once per call.
   * Row ids must come from this store: the statement does not test the integration (a second term on the joined
   * table made SQLite walk the integration's whole index once per batch instead of probing the primary key).
   */
  markSuccessMany(target: CouplingSide, jobId: string, items: readonly ({ rowId: number } & CouplingStamps)[]): void {
    const now = this.now();
    for (let i = 0; i < items.length; i += COUPLING_CHUNK) {
      const part = items.slice(i, i + COUPLING_CHUNK);
      if (part.some((x) => (x.aEtag ?? null) !== null || (x.bEtag ?? null) !== null)) {
        this.s[target].successMany.run(jobId, now, JSON.stringify(part.map((x) => [x.rowId, x.a, x.b, x.aEtag ?? null, x.bEtag ?? null])));
      } else {
        this.s[target].successManyPlain.run(jobId, now, JSON.stringify(part.map((x) => [x.rowId, x.a, x.b])));
      }
    }
  }
  /** Sets a side's id (e.g. a record re-created under a new id); a no-op when it is that id already. */
  setId(rowId: number, side: CouplingSide, id: string): void {
    this.s[side].setId.run(id, this.now(), rowId, this.integration, id);
  }
  /** Records the ETag a side last gave (NULL clears it). */
  setEtag(rowId: number, side: CouplingSide, etag: string | null): void {
    this.s[side].setEtag.run(etag, this.now(), rowId, this.integration);
  }
  /** Re-stamp an unchanged pair: only ever raises the stamps. */
  restamp(rowId: number, stamps: { a: number; b: number }): void {
    this.s.restamp.run(stamps.a, stamps.b, this.now(), rowId, this.integration);
  }
  /**
   * SetLastSynchResultFailed (E.7): a second identical, non-empty, non-transient error to the same target right after
   * a failure skips the record. A transient failure (throttling, timeouts) keeps it failed — retried first next time —
   * but never counts toward the skip. Returns whether the coupling is now skipped.
   */
  markFailure(rowId: number, target: CouplingSide, jobId: string, message: string, transient = false): boolean {
    const c = this.byRowId(rowId);
    if (!c) return false;
    const prevResult = target === 'a' ? c.resultToA : c.resultToB;
    const prevMessage = target === 'a' ? c.errorToA : c.errorToB;
    const skip = c.skipped || (!transient && prevResult === 'Failure' && message !== '' && prevMessage === message);
    this.s[target].fail.run(jobId, message, skip ? 1 : 0, this.now(), rowId, this.integration);
    return skip;
  }

  /** Keyset page of failed, not skipped couplings to one target side (failed-first retry, E.3 b / 4a). */
  failedPage(target: CouplingSide, mapping: string, afterRowId: number, limit: number): CouplingRecord[] {
    return (this.s[target].failedPage.all(this.integration, mapping, afterRowId, limit) as Row[]).map(toRecord);
  }
  /** Keyset page of creates to `target` written down but not confirmed (what a run finishes first). */
  pendingPage(target: CouplingSide, mapping: string, afterRowId: number, limit: number): CouplingRecord[] {
    return (this.s[target].pendingPage.all(this.integration, mapping, afterRowId, limit) as Row[]).map(toRecord);
  }
  /** Keyset page of confirmed couplings (both ids known, nothing pending) in a-id order; start with `afterAId` = ''. */
  coupledPage(mapping: string, afterAId: string, limit: number): CouplingRecord[] {
    return (this.s.coupledPage.all(this.integration, mapping, afterAId, limit) as Row[]).map(toRecord);
  }
  skippedPage(mapping: string, afterRowId: number, limit: number): CouplingRecord[] {
    return (this.s.skippedPage.all(this.integration, mapping, afterRowId, limit) as Row[]).map(toRecord);
  }
  setSkipped(rowId: number, skipped: boolean): void {
    this.s.setSkipped.run(skipped ? 1 : 0, this.now(), rowId, this.integration);
  }
  countSkipped(mapping: string): number {
    return (this.s.countSkipped.get(this.integration, mapping) as { n: number }).n;
  }
  /** Every coupling row of the mapping, pending creates included. */
  count(mapping: string): number {
    return (this.s.count.get(this.integration, mapping) as { n: number }).n;
  }
  /** Couplings not pending: what a user calls coupled ("8 failed creates" never show as "8 coupled"). */
  countCoupled(mapping: string): number {
    return (this.s.countCoupled.get(this.integration, mapping) as { n: number }).n;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private values(c: NewCoupling): [string, string, string, string | null, string | null, CouplingSide | null, string | null, string | null, string | null] {
    return [c.mapping, c.aEntity ?? '', c.bEntity ?? '', c.aId, c.bId, c.pendingTo ?? null, c.idempotencyKey ?? null, c.aEtag ?? null, c.bEtag ?? null];
  }
  private fresh(rowId: number, c: NewCoupling, now: number): CouplingRecord {
    return {
      rowId, integration: this.integration, mapping: c.mapping, aEntity: c.aEntity ?? '', bEntity: c.bEntity ?? '', aId: c.aId, bId: c.bId,
      pendingTo: c.pendingTo ?? null, idempotencyKey: c.idempotencyKey ?? null, aModifiedOn: 0, bModifiedOn: 0, aEtag: c.aEtag ?? null,
      bEtag: c.bEtag ?? null, resultToA: '', resultToB: '', jobToA: null, jobToB: null, errorToA: null, errorToB: null, skipped: false, updatedAt: now,
    };
  }
}
