/**
 * The BC sandbox's record store: storage (./storage.ts: SQLite rows, stamps, versions, number series, natural keys),
 * the OData → SQL compiler (./sql.ts: filters, ordering, keyset paging, JSON projection) and the business rules and
 * posting simulation (./posting.ts: lookups, line amounts and document totals, Microsoft.NAV.post and
 * shipAndInvoice) behind one object the API layer uses.
 */
import type { Exposure, TableDef } from './entities';
import * as posting from './posting';
import { compilePage, jsonProjection } from './sql';
import type { ListQuery, ListResult, RawListResult } from './sql';
import { BcStorage } from './storage';
import type { RawRow, Row, StoredRow } from './storage';

export class BcStore extends BcStorage {
  /** One page of rows. Keyset pagination on (order values…, seq) so concurrent writes never shift pages. */
  list(exp: Exposure, company: string, q: ListQuery): ListResult {
    const raw = this.listRaw(exp, company, q);
    const result: ListResult = { rows: raw.rows.map((r) => this.hydrate(r)) };
    if (raw.next) result.next = raw.next;
    if (raw.count !== undefined) result.count = raw.count;
    return result;
  }

  /**
   * `list` without hydration: rows keep their stored JSON text, for callers that serialise straight from it (the
   * API's collection reads, where parsing, normalising and projecting each row into objects dominated the cost).
   */
  listRaw(exp: Exposure, company: string, q: ListQuery): RawListResult {
    return this.page<RawRow>(exp, company, q, 'seq, tbl, id, company, parent, ver, modified, data');
  }

  /**
   * One page as the JSON text of each row, exactly what `project` + JSON.stringify give for the exposure and $select
   * (same names, order, defaults, etag and date format), built by SQLite's json_object from the stored JSON. The
   * collection reads of the sync (6,000-row pages) spent most of the BC sandbox's CPU parsing, normalising,
   * projecting and re-serialising rows in JS, and most of the rest in GC and flattening the strings built that way.
   * Not for the v1.0 nested address shape.
   */
  listJson(exp: Exposure, company: string, q: ListQuery, select?: string[]): { rows: string[]; next?: unknown[]; count?: number } {
    const res = this.page<{ j: string }>(exp, company, q, `${jsonProjection(exp, select)} AS j`);
    const rows = new Array<string>(res.rows.length);
    for (let i = 0; i < rows.length; i++) rows[i] = res.rows[i]!.j;
    return { rows, ...(res.next ? { next: res.next } : {}), ...(res.count !== undefined ? { count: res.count } : {}) };
  }

  private page<T>(exp: Exposure, company: string, q: ListQuery, columns: string): { rows: T[]; next?: unknown[]; count?: number } {
    const c = compilePage(exp, company, q, columns);
    const raw = this.stmt(c.sql).all(...c.params) as (T & Record<string, unknown>)[];
    const more = raw.length > q.limit;
    if (more) raw.length = q.limit;
    const result: { rows: T[]; next?: unknown[]; count?: number } = { rows: raw };
    if (more && raw.length > 0) {
      const last = raw[raw.length - 1]!;
      result.next = Array.from({ length: c.keys }, (_, i) => last[`k${i}`]);
    }
    if (q.count) result.count = (this.stmt(c.countSql).get(...c.countParams) as { c: number }).c;
    return result;
  }

  /** Insert through an API page (body already mapped to table field names and type-checked). */
  create(exp: Exposure, company: string, body: Row, parentId?: string, lines?: Row[]): StoredRow {
    return posting.create(this, exp, company, body, parentId, lines);
  }

  update(exp: Exposure, row: StoredRow, body: Row, ifMatch: string | undefined): StoredRow {
    return posting.update(this, exp, row, body, ifMatch);
  }

  remove(exp: Exposure, row: StoredRow, ifMatch: string | undefined): void {
    posting.remove(this, exp, row, ifMatch);
  }

  checkEtag(row: StoredRow, ifMatch: string | undefined): void {
    posting.checkEtag(row, ifMatch);
  }

  /** Recompute header totals from its lines and stamp the header (BC's header changes when a line does). */
  recalcTotals(headerTable: TableDef, header: StoredRow): StoredRow {
    return posting.recalcTotals(this, headerTable, header);
  }

  /** Microsoft.NAV.post on a draft sales invoice: number from the posted series, status Open, balances and inventory move. */
  postInvoice(row: StoredRow): StoredRow {
    return posting.postInvoice(this, row);
  }

  /** Microsoft.NAV.shipAndInvoice on a sales order: posts an invoice for its lines and removes the fully handled order. */
  shipAndInvoice(order: StoredRow): StoredRow {
    return posting.shipAndInvoice(this, order);
  }
}
