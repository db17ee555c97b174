/**
 * The document-line code posted sales invoices (invoices.ts) and sales orders (orders.ts) share: BC lines → the
 * Dataverse lines they should be, the product check before a document is written, the lines of written headers
 * (afterWrite), the lines of coupled headers when the line mapping runs alone, and that delegated run's job.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { DelegatedRun, WrittenRecord } from '../engine/hooks';
import { zeroCounters, type Counters, type SyncJob } from '../jobs/log';
import type { Row } from '../ports';
import { code, coupledDvId, isWriteIn, money, syncDvLines, TABLE, text, type BcByNumber, type DesiredLine, type DvLineTable, type LineSet } from './documents';
import type { RuleDeps } from './types';

/** Records a failed header of a line run (counted unless the line sync counted its lines already). */
export type FailLine = (row: Row, message: string, count?: boolean) => void;

/** Loads the items and resources the BC lines name (resources only when a line has one). */
export async function loadLineProducts(items: BcByNumber, resources: BcByNumber, lines: readonly Row[]): Promise<void> {
  const of = (type: string) => lines.filter((l) => text(l.values.Type) === type).map((l) => l.values['No.']);
  await Promise.all([items.load(of('Item')), lines.some((l) => text(l.values.Type) === 'Resource') ? resources.load(of('Resource')) : Promise.resolve()]);
}

/** How a document says a line's product is missing, blocked or not coupled. */
export interface LineProductTexts {
  /** "line 10000 of posted sales invoice 103001" */
  where: (line: Row) => string;
  /** Say "could not be found" / "is blocked" (posted invoices); otherwise a missing record counts as not coupled. */
  strict: boolean;
  /** What follows "Couple or synchronize it (ITEM-PRODUCT) first" ("." or "; the invoice is created by the next run."). */
  then: string;
}

/**
 * Every item / resource line must point at a coupled product (BC checks this before it sends a document); write-in
 * lines are left to the write-in product. Fills `products` (BC line id → product id); the first problem as a message.
 */
export function checkLineProducts(
  deps: RuleDeps, look: { items: BcByNumber; resources: BcByNumber }, lines: readonly Row[], products: Map<string, string>, say: LineProductTexts,
): string | null {
  for (const l of lines) {
    const type = text(l.values.Type);
    if (type !== 'Item' && type !== 'Resource') continue;
    if (isWriteIn(deps.settings.writeInProduct, type, l.values['No.'])) continue; // a write-in line in Sales
    const no = code(l.values['No.']);
    const rec = (type === 'Item' ? look.items : look.resources).get(no);
    const what = `${type} ${no} on ${say.where(l)}`;
    if (say.strict && !rec) return `${what} could not be found in Business Central.`;
    if (say.strict && rec?.values.Blocked === true) return `${what} is blocked. Unblock it and synchronize it to Dataverse, then the invoice is created by the next run.`;
    const product = rec ? coupledDvId(deps.couplings, type === 'Item' ? TABLE.item : TABLE.resource, rec.id) : null;
    if (!product) return `${what} is not coupled to a Dataverse product. Couple or synchronize it (${type === 'Item' ? 'ITEM-PRODUCT' : 'RESOURCE-PRODUCT'}) first${say.then}`;
    products.set(l.id, product);
  }
  return null;
}

/**
 * The Dataverse lines BC's lines should be (comment and blank lines carry no amounts and are left out): the coupled
 * product, else a write-in line; amounts are BC's, with the tax (Amount Including VAT − Amount) when `withTax`.
 */
export function desiredDvLines(lines: readonly Row[], products: ReadonlyMap<string, string>, currency: unknown, withTax: boolean): DesiredLine[] {
  const out: DesiredLine[] = [];
  for (const l of lines) {
    const v = l.values;
    const type = text(v.Type);
    if (type === '' || type === 'Comment') continue;
    const amount = money(v.Amount);
    const withVat = money(v['Amount Including VAT']);
    const values: Record<string, unknown> = {
      lineitemnumber: Number(v['Line No.'] ?? 0), quantity: Number(v.Quantity ?? 0), priceperunit: money(v['Unit Price']),
      manualdiscountamount: money(v['Line Discount Amount']), baseamount: amount, extendedamount: withVat, ...(withTax ? { tax: money(withVat - amount) } : {}),
      ispriceoverridden: true,
    };
    const product = products.get(l.id);
    if (product) Object.assign(values, { productid: product, isproductoverridden: false });
    else Object.assign(values, { productid: null, isproductoverridden: true, productdescription: (text(v.Description) || `${type} ${text(v['No.'])}`).slice(0, 500) });
    if (typeof currency === 'string' && currency !== '') values.transactioncurrencyid = currency;
    out.push({ bcId: l.id, values, label: `line ${text(v['Line No.'])}` });
  }
  return out;
}

/** The Dataverse header a document's lines go under. */
export interface DvHeader {
  /** BC table of the header couplings (TABLE.invoice, TABLE.order). */
  tableId: number;
  /** Dataverse entity set of the headers ('invoices', 'salesorders'). */
  set: string;
  lines: DvLineTable;
}

/**
 * The header's afterWrite (To): the lines of every written header read in beforeBatch are made equal to BC's. Lines
 * carry the header's currency; an update / retry only wrote what changed, so the rest is read back.
 */
export async function writeDvLinesAfter(
  deps: RuleDeps, h: DvHeader, records: readonly WrittenRecord[], lines: ReadonlyMap<string, Row[]>,
  desired: (lines: readonly Row[], currency: unknown) => DesiredLine[], fresh: (r: WrittenRecord) => boolean,
): Promise<Map<number, string>> {
  const todo = records.map((r, index) => ({ r, index })).filter((x) => lines.has(x.r.source.id));
  if (todo.length === 0) return new Map();
  const missing = todo.filter((x) => !('transactioncurrencyid' in x.r.values)).map((x) => x.r.destId);
  const headers = new Map((missing.length ? await deps.sides.dataverse.getByIds(h.set, missing) : []).map((x) => [x.id.toLowerCase(), x]));
  const sets: LineSet[] = todo.map(({ r, index }) => {
    const currency = 'transactioncurrencyid' in r.values ? r.values.transactioncurrencyid : headers.get(r.destId.toLowerCase())?.values.transactioncurrencyid;
    return { index, parentDvId: r.destId.toLowerCase(), fresh: fresh(r), lines: desired(lines.get(r.source.id)!, currency) };
  });
  return syncDvLines(deps.sides.dataverse, deps.couplings, h.lines, sets);
}

/**
 * The line mapping run alone (To): the Dataverse lines of coupled BC headers made equal to BC's, counted per line.
 * `lines` answers a header's desired lines (given its Dataverse header's currency) or why they cannot be written.
 */
export async function pushDvLines(
  deps: RuleDeps, h: DvHeader, headers: readonly Row[], counts: Counters, fail: FailLine,
  missingHeader: (no: string) => string, lines: (header: Row, no: string, currency: unknown) => DesiredLine[] | string,
): Promise<void> {
  const dvIds = headers.map((r) => deps.couplings.byBc(h.tableId, r.id)!.dvId.toLowerCase());
  const dvHeaders = new Map((await deps.sides.dataverse.getByIds(h.set, dvIds)).map((x) => [x.id.toLowerCase(), x]));
  const sets: LineSet[] = [];
  headers.forEach((r, index) => {
    const no = text(r.values['No.']);
    const head = dvHeaders.get(dvIds[index]!);
    if (!head) return fail(r, missingHeader(no));
    const made = lines(r, no, head.values.transactioncurrencyid);
    if (typeof made === 'string') return fail(r, made);
    sets.push({ index, parentDvId: dvIds[index]!, fresh: false, lines: made });
  });
  // syncDvLines counts every failed line; the job error names the header (once).
  for (const [i, msg] of await syncDvLines(deps.sides.dataverse, deps.couplings, h.lines, sets, counts)) fail(headers[i]!, msg, false);
}

/** One direction of a line mapping run alone: which headers, which of them are coupled, how their lines are pushed. */
export interface LinePass {
  dir: 'to' | 'from';
  /** The header entity on the source side ('Sales Invoice Header', 'Sales Header', 'salesorders'). */
  headers: string;
  coupled: (header: Row) => boolean;
  push: (coupled: readonly Row[], counts: Counters, fail: FailLine) => Promise<void>;
}

/**
 * One job of a line mapping run on its own: every header changed since the last run (all of them in a full
 * synchronization) whose coupling is in place has its lines pushed; the watermark follows the headers read.
 */
export async function runLinePass(deps: RuleDeps, m: TableMapping, run: DelegatedRun, p: LinePass): Promise<SyncJob> {
  const jobId = run.log.start(m.name, 'Synchronization', p.dir === 'to' ? 'ToIntegrationTable' : 'FromIntegrationTable');
  const counts: Counters = zeroCounters();
  const fail: FailLine = (row, message, count = true) => {
    if (count) counts.failed++;
    run.log.error({ jobId, tableId: m.bcTableId, sourceSide: p.dir === 'to' ? 'bc' : 'dataverse', sourceId: row.id, destinationId: null, message, detail: null });
  };
  let message = '';
  try {
    const side = p.dir === 'to' ? deps.sides.bc : deps.sides.dataverse;
    const cap = await side.now();
    const wm = run.watermarks(m.name)[p.dir === 'to' ? 'bc' : 'dv'];
    const since = run.all || !wm ? null : wm;
    const filter = p.dir === 'to' ? { conditions: [] } : { conditions: [], companyScoped: false };
    let max = 0;
    for await (const page of side.queryModified(p.headers, { filter, since, pageSize: 200 })) {
      for (const r of page) if (r.modifiedOn > max) max = r.modifiedOn;
      const coupled = page.filter(p.coupled);
      if (coupled.length) await p.push(coupled, counts, fail);
    }
    if (max > 0) run.advanceWatermark(m.name, p.dir === 'to' ? 'bc' : 'dv', Math.min(max, cap));
    if (counts.failed > 0) message = `${counts.failed} record(s) failed: open the job's errors to see why.`;
  } catch (x) {
    counts.failed++;
    message = `The synchronization stopped: ${x instanceof Error ? x.message : String(x)} Run it again; it resumes where it stopped.`;
  }
  run.log.finish(jobId, counts, message);
  return run.log.get(jobId)!;
}

/** Whether a line job wrote or failed anything (the delegated run's `changed`). */
export const jobChanged = (j: SyncJob): boolean => j.inserted + j.modified + j.deleted + j.failed > 0;
