/**
 * Shared pieces of the sales-document rules (reference §C.4 POSTEDSALESINV-INV / SALESORDER-ORDER / OPPORTUNITY,
 * §E.14): resolving BC numbers (customer, item, resource, contact) to the coupled Dataverse rows, reading a document's
 * lines, and keeping Dataverse child rows (invoice / order lines) in step with BC's lines.
 *
 * Lines are child tables (POSTEDSALESLINE-INV, SOLINE-ORDERDETAIL): BC synchronizes them inside the header's run
 * and never stamps them (E.4 step 10). Here they are written in the header mapping's `afterWrite`, because a line
 * needs the header's Dataverse id and the header's totals need the lines (so they are read once, in `beforeBatch`,
 * and used by both). Every Dataverse line id is derived from the BC line's SystemId (or taken from its coupling),
 * so a retried follow-up upserts the same rows instead of adding new ones.
 */
import { idFromKey } from '../adapters/common';
import { setIfChanged } from '../engine/hooks';
import type { CouplingStore } from '../coupling/store';
import type { Counters } from '../jobs/log';
import type { DvFilter } from '../../../../../preload/contract/sales/mapping-model';
import type { Row, SidePort, WriteOp, WriteResult } from '../ports';

/** BC table ids of the couplings the document rules read and write. */
export const TABLE = {
  customer: 18, contact: 5050, item: 27, resource: 156, invoice: 112, invoiceLine: 113, order: 36, orderLine: 37, opportunity: 5092,
} as const;

export const NO_DV_FILTER: DvFilter = { conditions: [], companyScoped: false };

/** Money as BC stores it: 2 decimals (sums of floats are rounded the same way). */
export const money = (v: unknown): number => {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? Math.round((n + Number.EPSILON) * 100) / 100 : 0;
};
export const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trim());
/** BC Code comparison: upper-cased, trimmed. */
export const code = (v: unknown): string => text(v).toUpperCase();

/** `fn` over `items`, at most `limit` at once (the side adapters queue behind their own limiters too). */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * BC records by their number (No.), one `findMatches` per distinct number, remembered for the pass (a rule object
 * lives for one pass of one mapping, so a renumbered record is seen again by the next run).
 */
export class BcByNumber {
  private readonly cache = new Map<string, Row | null>();
  constructor(private readonly bc: SidePort, readonly table: string, private readonly field = 'No.') {}

  async load(numbers: Iterable<unknown>): Promise<void> {
    const todo = [...new Set([...numbers].map(code))].filter((n) => n !== '' && !this.cache.has(n));
    await pool(todo, 4, async (n) => {
      const rows = await this.bc.findMatches(this.table, [{ field: this.field, value: n, caseSensitive: false }], { conditions: [] }, 2);
      this.cache.set(n, rows.find((r) => code(r.values[this.field]) === n) ?? null);
    });
  }
  /** The row (null: no such record; undefined: not loaded). */
  get(no: unknown): Row | null | undefined {
    return this.cache.get(code(no));
  }
}

/** The S&R Setup write-in item / resource: never a product in Sales, its lines are write-in lines there. */
export function isWriteIn(writeIn: { type: string; no: string } | null | undefined, type: string, no: unknown): boolean {
  return !!writeIn && writeIn.no !== '' && writeIn.type === type && code(no) === code(writeIn.no);
}

/** Dataverse id coupled to a BC record, or null (a pending create is not a usable target yet). */
export function coupledDvId(couplings: CouplingStore, tableId: number, bcId: string): string | null {
  const c = couplings.byBc(tableId, bcId);
  return c && !c.pending ? c.dvId : null;
}

/** BC SystemId coupled to a Dataverse row, or null. */
export function coupledBcId(couplings: CouplingStore, tableId: number, dvId: string): string | null {
  const c = couplings.byDv(tableId, dvId);
  return c && !c.pending && c.bcId ? c.bcId : null;
}

/** Lines of each document, read per document (BC lists lines only with a document filter), at most 4 at once. */
export async function linesOf(side: SidePort, entity: string, parentField: string, parents: readonly { key: string; value: string }[], limit = 5000): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>();
  const filter = side.side === 'bc' ? { conditions: [] } : NO_DV_FILTER;
  await pool(parents, 4, async (p) => {
    const rows = await side.findMatches(entity, [{ field: parentField, value: p.value, caseSensitive: false }], filter, limit);
    out.set(p.key, rows);
  });
  return out;
}

/** Values compare equal for change detection: numbers by value, GUIDs/text case-insensitively, empty = null. */
export function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === undefined || v === '' ? null : typeof v === 'string' ? v.toLowerCase() : v);
  const x = norm(a);
  const y = norm(b);
  if (typeof x === 'number' || typeof y === 'number') return Number(x ?? 0) === Number(y ?? 0) && (x === null) === (y === null);
  return x === y;
}

export interface DesiredLine {
  /** The BC line's SystemId. */
  bcId: string;
  /** What the Dataverse line should hold (without the parent lookup and the primary id). */
  values: Record<string, unknown>;
  /** Shown in failure messages ("line 20000"). */
  label: string;
}

export interface LineSet {
  /** Index of the header record in the caller's batch (failures are reported against it). */
  index: number;
  parentDvId: string;
  lines: DesiredLine[];
  /** The header was just created: it has no lines yet (saves the read). */
  fresh: boolean;
}

export interface DvLineTable {
  /** Dataverse entity set of the lines (invoicedetails, salesorderdetails). */
  set: string;
  logicalName: string;
  /** Lookup from the line to its header (invoiceid, salesorderid). */
  parentAttr: string;
  /** BC line table id for the line couplings (113, 37). */
  tableId: number;
  /** Namespace of the derived Dataverse line ids. */
  namespace: string;
}

/**
 * Makes the Dataverse lines of each header equal to `lines`: inserts missing ones under derived ids, updates the
 * values that differ, deletes lines no longer in BC; couples each line (BC table `tableId`). One bulk write for
 * the whole batch. Returns failure messages by header index.
 */
export async function syncDvLines(
  dv: SidePort, couplings: CouplingStore, t: DvLineTable, sets: readonly LineSet[],
  /** Counted per line when given (a line mapping run on its own logs them). */
  counts?: Pick<Counters, 'inserted' | 'modified' | 'deleted' | 'unchanged' | 'failed'>,
): Promise<Map<number, string>> {
  const failures = new Map<number, string>();
  const existing = await linesOf(dv, t.set, t.parentAttr, sets.filter((s) => !s.fresh).map((s) => ({ key: s.parentDvId, value: s.parentDvId })));
  const ops: WriteOp[] = [];
  /** Per line touched: its header, the op index (null = already right, only the coupling is missing). */
  const touched: { set: LineSet; label: string; bcId: string | null; dvId: string; op: number | null }[] = [];
  const push = (op: WriteOp) => ops.push(op) - 1;
  for (const s of sets) {
    const have = new Map((existing.get(s.parentDvId) ?? []).map((r) => [r.id.toLowerCase(), r]));
    const keep = new Set<string>();
    for (const l of s.lines) {
      const dvId = (coupledDvId(couplings, t.tableId, l.bcId) ?? idFromKey(t.namespace, l.bcId)).toLowerCase();
      keep.add(dvId);
      const cur = have.get(dvId);
      const values: Record<string, unknown> = { ...l.values, [t.parentAttr]: s.parentDvId };
      let op: number | null;
      if (cur) {
        for (const k of Object.keys(values)) if (sameValue(values[k], cur.values[k])) delete values[k];
        op = Object.keys(values).length === 0 ? null : push({ kind: 'update', id: dvId, values, validate: [] });
      } else {
        op = push({ kind: 'insert', id: dvId, values, idempotencyKey: `${t.namespace}:${l.bcId}`, validate: [], template: null });
      }
      touched.push({ set: s, label: l.label, bcId: l.bcId, dvId, op });
    }
    for (const id of have.keys()) {
      if (keep.has(id)) continue;
      touched.push({ set: s, label: 'a line no longer in Business Central', bcId: null, dvId: id, op: push({ kind: 'delete', id }) });
    }
  }
  const results: WriteResult[] = ops.length ? await dv.write(t.set, ops) : [];
  couplings.transaction(() => {
    for (const o of touched) {
      const res = o.op === null ? null : results[o.op];
      if (o.op !== null && (!res || !res.ok)) {
        if (counts) counts.failed++;
        if (!failures.has(o.set.index)) failures.set(o.set.index, `The ${t.logicalName} for ${o.label} could not be written: ${res && !res.ok ? res.error : 'no result'}`);
        continue;
      }
      if (counts) {
        const kind = o.op === null ? null : ops[o.op]!.kind;
        if (kind === null) counts.unchanged++;
        else if (kind === 'insert') counts.inserted++;
        else if (kind === 'update') counts.modified++;
        else counts.deleted++;
      }
      if (o.bcId === null) {
        const c = couplings.byDv(t.tableId, o.dvId);
        if (c) couplings.remove(c.rowId);
      } else if (!couplings.byBc(t.tableId, o.bcId) && !couplings.byDv(t.tableId, o.dvId)) {
        couplings.insert({ tableId: t.tableId, dvEntity: t.logicalName, bcId: o.bcId, dvId: o.dvId });
      }
    }
  });
  return failures;
}

/** BC date (YYYY-MM-DD; 0001-01-01 is empty) → Dataverse date-time at UTC midnight, or null. */
export function dvDate(v: unknown): string | null {
  if (typeof v !== 'string' || v === '' || v.startsWith('0001-01-01')) return null;
  return `${v.slice(0, 10)}T00:00:00Z`;
}
/** Dataverse date-time → BC date (empty → 0001-01-01). */
export function bcDate(v: unknown): string {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : '0001-01-01';
}

/** Date attributes of the document mappings (Dataverse side) and date fields (BC side). */
const DV_DATES = new Set(['requestdeliveryby', 'datefulfilled', 'duedate', 'datedelivered', 'estimatedclosedate']);
const BC_DATES = new Set(['Requested Delivery Date', 'Estimated Closing Date', 'Due Date', 'Shipment Date', 'Last Shipment Date']);

/**
 * BC dates and Dataverse date-times differ in form ("2026-12-01" vs "2026-12-01T00:00:00Z"): put the destination's
 * form into `values` and drop what the destination already holds, so an unchanged date is not rewritten.
 */
export function normalizeDates(dir: 'to' | 'from', values: Record<string, unknown>, dest: Row | null): void {
  for (const k of Object.keys(values)) {
    if (dir === 'to' && DV_DATES.has(k)) setIfChanged(values, dest, k, dvDate(values[k]));
    else if (dir === 'from' && BC_DATES.has(k)) setIfChanged(values, dest, k, bcDate(values[k]));
  }
}
