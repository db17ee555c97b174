/**
 * Sales orders (reference §C.4 SALESORDER-ORDER / SOLINE-ORDERDETAIL, §E.14). `settings.salesOrderMode` picks one of
 * two mutually exclusive integrations:
 *
 * - **legacy**: Sales users submit orders; `createSalesOrdersFromSubmitted` (the "Automatically create sales orders"
 *   job / "Create in Business Central") makes a BC sales order from every submitted, not yet coupled Dataverse order:
 *   DV name → External Document No., the account's coupled customer, ship-to and requested delivery date, one BC line
 *   per Sales line (write-in products become lines of the S&R Setup write-in item/resource; text over 100 characters
 *   continues on Comment lines). The SALESORDER-ORDER mapping is To-only then and updates only those coupled orders.
 *   When BC has posted an order (it is gone from BC), `settlePostedOrders` marks the Sales order Fulfilled and deletes
 *   the coupling.
 * - **bidirectional**: SALESORDER-ORDER both ways. Released BC orders → Submitted Sales orders with their lines
 *   (customer, price list of the order's currency, totals); submitted Sales orders → BC orders with their lines. Lines
 *   are coupled (BC table 37) so each side's line finds its counterpart; a line deleted on one side is deleted on the
 *   other. Couplings are kept after posting.
 *
 * Lines are written in the header's afterWrite (see documents.ts); ids are derived from the other side's line id, so
 * a retried follow-up rewrites the same lines.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { idFromKey } from '../adapters/common';
import type { PassDirection } from '../coupling/store';
import { setIfChanged, type DelegatedRun, type MappingRules, type RuleContext, type WrittenRecord } from '../engine/hooks';
import { MappingConfigError } from '../engine/engine';
import type { Counters, SyncJob } from '../jobs/log';
import type { Row, WriteOp } from '../ports';
import {
  BcByNumber, bcDate, code, coupledBcId, coupledDvId, linesOf, money, normalizeDates, sameValue, TABLE, text, type DesiredLine,
} from './documents';
import { checkLineProducts, desiredDvLines, jobChanged, loadLineProducts, pushDvLines, runLinePass, writeDvLinesAfter, type DvHeader, type FailLine } from './document-lines';
import type { RuleDeps } from './types';
import { lcyCurrencyId, priceListForCurrency } from './pricelists';

export const ORDER_MAPPING = 'SALESORDER-ORDER';
/** Dataverse salesorder states (statecode / statuscode of the Sales metadata). */
export const ORDER_STATE = {
  active: { statecode: 0, statuscode: 1 },
  submitted: { statecode: 1, statuscode: 3 },
  fulfilled: { statecode: 3, statuscode: 100001 },
} as const;

const NS_ORDER = 'd365ic:salesorder';
const NS_LINE = 'd365ic:salesline';
/** BC line Description length (Sales Line.Description is Text[100]). */
const DESCRIPTION_MAX = 100;
const HEADER: DvHeader = {
  tableId: TABLE.order, set: 'salesorders',
  lines: { set: 'salesorderdetails', logicalName: 'salesorderdetail', parentAttr: 'salesorderid', tableId: TABLE.orderLine, namespace: 'd365ic:salesorderdetail' },
};

const isOrderMapping = (m: TableMapping) => m.bcTable === 'Sales Header' && m.dataverseEntity === 'salesorder';
const guid = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);

export type OrderMode = 'legacy' | 'bidirectional';

export function orderRules(deps: RuleDeps): (mapping: TableMapping) => MappingRules | null {
  return (mapping) => {
    if (!isOrderMapping(mapping)) return null;
    const mode = deps.settings.salesOrderMode ?? 'none';
    const mappingMode: OrderMode = mapping.direction === 'Bidirectional' ? 'bidirectional' : 'legacy';
    if (mode !== mappingMode) {
      const msg = mode === 'none'
        ? `Sales order integration is turned off, but the ${ORDER_MAPPING} mapping is ${mappingMode === 'legacy' ? 'set up for legacy order integration' : 'bidirectional'}. ` +
          'Turn on sales order integration in the connection setup, or remove the mapping.'
        : `Sales order integration is set to ${mode === 'legacy' ? 'legacy' : 'bidirectional'} mode, but the ${ORDER_MAPPING} mapping is ` +
          `${mappingMode === 'legacy' ? 'the legacy (To) one' : 'bidirectional'}. The two modes are mutually exclusive: reset the mapping to the defaults of the chosen mode.`;
      return { prepare: () => msg };
    }
    return new OrderPass(deps, mode).rules();
  };
}

/** The bidirectional order lines: written by SALESORDER-ORDER's rule; run alone they follow their coupled orders. */
export const ORDER_LINE_MAPPING = 'SOLINE-ORDERDETAIL';

/** Rule module for SOLINE-ORDERDETAIL (bidirectional sales order integration only): its delegated run. */
export function orderLineRules(deps: RuleDeps): (mapping: TableMapping) => MappingRules | null {
  return (mapping) => {
    if (mapping.name !== ORDER_LINE_MAPPING && !(mapping.bcTable === 'Sales Line' && mapping.dataverseEntity === 'salesorderdetail')) return null;
    return { runInstead: (m, run) => runOrderLines(deps, m, run) };
  };
}

/**
 * SOLINE-ORDERDETAIL on its own (BC syncs it with its order): for every coupled order changed since the last run
 * (everything in a full synchronization), BC → Sales the Sales lines are made equal to BC's, and Sales → BC the BC lines
 * to the Sales lines, counted per line in one job per direction. Orders not coupled yet are left to SALESORDER-ORDER.
 */
async function runOrderLines(deps: RuleDeps, m: TableMapping, run: DelegatedRun): Promise<{ to: SyncJob | null; from: SyncJob | null; changed: boolean }> {
  if ((deps.settings.salesOrderMode ?? 'none') !== 'bidirectional')
    throw new MappingConfigError(`${m.name} runs only with bidirectional sales order integration. Turn it on in the connection setup, or leave the mapping out.`);
  const linePass = new OrderPass(deps, 'bidirectional');
  const pass = (dir: 'to' | 'from'): Promise<SyncJob> => runLinePass(deps, m, run, {
    dir, headers: dir === 'to' ? 'Sales Header' : 'salesorders',
    coupled: (r) => {
      const c = dir === 'to' ? deps.couplings.byBc(TABLE.order, r.id) : deps.couplings.byDv(TABLE.order, r.id);
      return !!c && !c.pending && c.bcId !== null;
    },
    push: (coupled, counts, fail) => (dir === 'to' ? linePass.pushLinesTo(coupled, counts, fail) : linePass.pushLinesFrom(coupled, counts, fail)),
  });
  const to = await pass('to');
  const from = await pass('from');
  const changed = [to, from].some(jobChanged);
  return { to, from, changed };
}

/** What one batch needs to translate orders and lines between the sides. */
class Lookups {
  readonly customers: BcByNumber;
  readonly items: BcByNumber;
  readonly resources: BcByNumber;
  /** BC rows by SystemId: customers coupled to accounts, items / resources coupled to products, currencies. */
  readonly bcById = new Map<string, Row>();
  readonly priceLists = new Map<string, { id: string } | { error: string }>();
  lcy: string | null | undefined;

  constructor(private readonly deps: RuleDeps) {
    this.customers = new BcByNumber(deps.sides.bc, 'Customer');
    this.items = new BcByNumber(deps.sides.bc, 'Item');
    this.resources = new BcByNumber(deps.sides.bc, 'Resource');
  }

  /** Loads the BC rows coupled to these Dataverse ids (per BC table) into bcById. */
  async coupledBc(tableId: number, entity: string, dvIds: Iterable<string | null>): Promise<void> {
    const ids = [...new Set([...dvIds].filter((x): x is string => !!x).map((id) => coupledBcId(this.deps.couplings, tableId, id)))]
      .filter((x): x is string => x !== null && !this.bcById.has(x.toLowerCase()));
    for (let i = 0; i < ids.length; i += 400) for (const r of await this.deps.sides.bc.getByIds(entity, ids.slice(i, i + 400))) this.bcById.set(r.id.toLowerCase(), r);
  }
  bcFor(tableId: number, dvId: unknown): Row | null {
    const id = guid(dvId);
    const bcId = id ? coupledBcId(this.deps.couplings, tableId, id) : null;
    return bcId ? (this.bcById.get(bcId.toLowerCase()) ?? null) : null;
  }

  async priceList(currencyCode: string): Promise<void> {
    if (this.priceLists.has(currencyCode)) return;
    try {
      this.priceLists.set(currencyCode, { id: (await priceListForCurrency(this.deps, currencyCode)).id });
    } catch (x) {
      this.priceLists.set(currencyCode, { error: x instanceof Error ? x.message : String(x) });
    }
  }

  /** BC currency code of a Dataverse transactioncurrency ('' = LCY), or an error. */
  async currencyCode(dvId: unknown): Promise<{ code: string } | { error: string }> {
    const id = guid(dvId);
    if (!id) return { code: '' };
    if (this.lcy === undefined) this.lcy = await lcyCurrencyId(this.deps).catch(() => null);
    if (id === this.lcy) return { code: '' };
    await this.coupledBc(4, 'Currency', [id]);
    const cur = this.bcFor(4, id);
    return cur ? { code: text(cur.values.Code) } : { error: `The currency of the order is not coupled to a Business Central currency. Synchronize CURRENCY first.` };
  }
}

/** BC line values for one Sales line (without Document Id); null + message when it cannot be made. */
function bcLineFor(deps: RuleDeps, look: Lookups, dvLine: Row, label: string): { values: Record<string, unknown>; extra: string[] } | { error: string } {
  const v = dvLine.values;
  const product = guid(v.productid);
  let type: string;
  let no: string;
  let description = text(v.productdescription) || text(v.description);
  if (product && v.isproductoverridden !== true) {
    const item = look.bcFor(TABLE.item, product);
    const resource = item ? null : look.bcFor(TABLE.resource, product);
    const rec = item ?? resource;
    if (!rec) return { error: `The product on ${label} is not coupled to a Business Central item or resource. Couple it (ITEM-PRODUCT / RESOURCE-PRODUCT) first.` };
    type = item ? 'Item' : 'Resource';
    no = text(rec.values['No.']);
    description ||= text(rec.values.Description ?? rec.values.Name);
  } else {
    const w = deps.settings.writeInProduct;
    if (!w || !w.no) {
      return { error: `${label} is a write-in product, but no write-in product is set up in Business Central. ` +
        'Fill in Write-in Product Type and Write-in Product No. in Sales & Receivables Setup (and in the connection setup), then synchronize again.' };
    }
    type = w.type;
    no = w.no;
  }
  const values: Record<string, unknown> = {
    Type: type, 'No.': no, Description: description.slice(0, DESCRIPTION_MAX), Quantity: Number(v.quantity ?? 0), 'Unit Price': money(v.priceperunit),
    'Line Discount Amount': money(v.manualdiscountamount),
  };
  const extra: string[] = [];
  for (let i = DESCRIPTION_MAX; i < description.length; i += DESCRIPTION_MAX) extra.push(description.slice(i, i + DESCRIPTION_MAX));
  return { values, extra };
}

export interface BcLineSet {
  index: number;
  bcOrderId: string;
  label: string;
  dvLines: Row[];
  /** The BC order was just created: no lines to compare with; long descriptions get Comment lines. */
  fresh: boolean;
}

/** Makes the BC lines of each order equal to its Sales lines (one bulk write); failures by set index. */
export async function syncBcLines(
  deps: RuleDeps, look: Lookups, sets: readonly BcLineSet[],
  /** Counted per line when given (SOLINE-ORDERDETAIL run on its own). */
  counts?: Pick<Counters, 'inserted' | 'modified' | 'deleted' | 'unchanged' | 'failed'>,
): Promise<Map<number, string>> {
  const failures = new Map<number, string>();
  const { bc } = deps.sides;
  const existing = await linesOf(bc, 'Sales Line', 'Document Id', sets.filter((s) => !s.fresh).map((s) => ({ key: s.bcOrderId, value: s.bcOrderId })));
  const ops: WriteOp[] = [];
  const touched: { set: BcLineSet; dvId: string | null; bcId: string; op: number; label: string }[] = [];
  const push = (op: WriteOp) => ops.push(op) - 1;
  for (const s of sets) {
    const have = new Map((existing.get(s.bcOrderId) ?? []).map((r) => [r.id.toLowerCase(), r]));
    const keep = new Set<string>();
    const opsStart = ops.length;
    const touchedStart = touched.length;
    const lines = [...s.dvLines].sort((a, b) => Number(a.values.lineitemnumber ?? 0) - Number(b.values.lineitemnumber ?? 0));
    let failed = false;
    for (const [k, l] of lines.entries()) {
      const label = `line ${k + 1} of sales order ${s.label}`;
      const made = bcLineFor(deps, look, l, label);
      if ('error' in made) {
        failures.set(s.index, made.error);
        failed = true;
        break;
      }
      const bcId = (coupledBcId(deps.couplings, TABLE.orderLine, l.id) ?? idFromKey(NS_LINE, l.id.toLowerCase())).toLowerCase();
      keep.add(bcId);
      const cur = have.get(bcId);
      if (cur) {
        const values: Record<string, unknown> = {};
        for (const f of ['Quantity', 'Unit Price', 'Line Discount Amount', 'Description'] as const) if (!sameValue(made.values[f], cur.values[f])) values[f] = made.values[f];
        if (Object.keys(values).length) touched.push({ set: s, dvId: l.id, bcId, op: push({ kind: 'update', id: bcId, values, validate: [] }), label });
        else if (!deps.couplings.byDv(TABLE.orderLine, l.id)) touched.push({ set: s, dvId: l.id, bcId, op: -1, label });
        else if (counts) counts.unchanged++;
      } else {
        touched.push({ set: s, dvId: l.id, bcId, label, op: push({ kind: 'insert', id: bcId, values: { 'Document Id': s.bcOrderId, ...made.values }, idempotencyKey: `${NS_LINE}:${l.id}`, validate: [], template: null }) });
        // Long write-in texts continue on Comment lines, as BC does (only when the order is made).
        if (s.fresh) {
          made.extra.forEach((t, j) => {
            const id = idFromKey(NS_LINE, `${l.id.toLowerCase()}:${j + 1}`);
            push({ kind: 'insert', id, values: { 'Document Id': s.bcOrderId, Type: 'Comment', Description: t }, idempotencyKey: `${NS_LINE}:${l.id}:${j + 1}`, validate: [], template: null });
          });
        }
      }
    }
    if (failed) {
      // Nothing of this order is written: its ops are the last ones pushed.
      ops.length = opsStart;
      touched.length = touchedStart;
      continue;
    }
    // BC lines coupled to a Sales line that is gone: delete (BC-only lines such as comments stay).
    for (const [id] of have) {
      if (keep.has(id)) continue;
      const c = deps.couplings.byBc(TABLE.orderLine, id);
      if (c) touched.push({ set: s, dvId: null, bcId: id, label: `a line deleted in Sales (sales order ${s.label})`, op: push({ kind: 'delete', id }) });
    }
  }
  const results = ops.length ? await bc.write('Sales Line', ops) : [];
  deps.couplings.transaction(() => {
    for (const t of touched) {
      const r = t.op >= 0 ? results[t.op] : null;
      if (r && !r.ok) {
        if (counts) counts.failed++;
        if (!failures.has(t.set.index)) failures.set(t.set.index, `Business Central refused ${t.label}: ${r.error}`);
        continue;
      }
      if (counts) {
        const kind = t.op >= 0 ? ops[t.op]!.kind : null;
        if (kind === null) counts.unchanged++;
        else if (kind === 'insert') counts.inserted++;
        else if (kind === 'update') counts.modified++;
        else counts.deleted++;
      }
      if (t.dvId === null) {
        const c = deps.couplings.byBc(TABLE.orderLine, t.bcId);
        if (c) deps.couplings.remove(c.rowId);
      } else if (!deps.couplings.byDv(TABLE.orderLine, t.dvId) && !deps.couplings.byBc(TABLE.orderLine, t.bcId)) {
        deps.couplings.insert({ tableId: TABLE.orderLine, dvEntity: 'salesorderdetail', bcId: t.bcId, dvId: t.dvId });
      }
    }
  });
  return failures;
}

class OrderPass {
  private readonly look: Lookups;
  /** BC lines (to) / Sales lines (from) of the batch's orders, by source id. */
  private readonly lines = new Map<string, Row[]>();
  /** BC line SystemId → coupled product (to). */
  private readonly products = new Map<string, string>();

  constructor(private readonly deps: RuleDeps, private readonly mode: OrderMode) {
    this.look = new Lookups(deps);
  }

  rules(): MappingRules {
    return {
      beforeBatch: (_m, dir, rows) => this.beforeBatch(dir, rows),
      prepare: (ctx, values) => (ctx.dir === 'to' ? this.prepareTo(ctx, values) : this.prepareFrom(ctx, values)),
      afterWrite: (_m, dir, records) => (dir === 'to' ? this.afterWriteTo(records) : this.afterWriteFrom(records)),
    };
  }

  private async beforeBatch(dir: PassDirection, rows: readonly Row[]): Promise<void> {
    const { bc, dataverse } = this.deps.sides;
    if (dir === 'to') {
      const read = await linesOf(bc, 'Sales Line', 'Document Id', rows.map((r) => ({ key: r.id, value: r.id })));
      for (const [k, v] of read) this.lines.set(k, v);
      await this.look.customers.load(rows.map((r) => r.values['Sell-to Customer No.']));
      await loadLineProducts(this.look.items, this.look.resources, [...read.values()].flat());
      for (const cur of new Set(rows.map((r) => code(r.values['Currency Code'])))) await this.look.priceList(cur);
    } else {
      const read = await linesOf(dataverse, 'salesorderdetails', 'salesorderid', rows.map((r) => ({ key: r.id, value: r.id })));
      for (const [k, v] of read) this.lines.set(k, v);
      const products = [...read.values()].flat().map((l) => guid(l.values.productid));
      await this.look.coupledBc(TABLE.customer, 'Customer', rows.map((r) => guid(r.values.customerid)));
      await this.look.coupledBc(TABLE.item, 'Item', products);
      if (products.some((p) => p && coupledBcId(this.deps.couplings, TABLE.resource, p))) await this.look.coupledBc(TABLE.resource, 'Resource', products);
    }
  }

  /** SOLINE-ORDERDETAIL BC → Sales: the Sales lines of coupled orders made equal to BC's. */
  async pushLinesTo(orders: readonly Row[], counts: Counters, fail: FailLine): Promise<void> {
    await this.beforeBatch('to', orders);
    await pushDvLines(this.deps, HEADER, orders, counts, fail,
      (no) => `The Sales order of sales order ${no} was deleted. Synchronize SALESORDER-ORDER (or remove the coupling) first.`,
      (r, no, currency) => {
        const lines = this.lines.get(r.id) ?? [];
        return this.checkProducts(no, lines) ?? this.dvLines(lines, currency);
      });
  }

  /** SOLINE-ORDERDETAIL Sales → BC: the BC lines of coupled orders made equal to the Sales lines. */
  async pushLinesFrom(orders: readonly Row[], counts: Counters, fail: FailLine): Promise<void> {
    await this.beforeBatch('from', orders);
    const sets: BcLineSet[] = orders.map((r, index) => ({
      index, bcOrderId: this.deps.couplings.byDv(TABLE.order, r.id)!.bcId!.toLowerCase(), label: text(r.values.name), dvLines: this.lines.get(r.id) ?? [], fresh: false,
    }));
    for (const [i, msg] of await syncBcLines(this.deps, this.look, sets, counts)) {
      // A line that could not be made (product not coupled) stops its order before anything is counted.
      fail(orders[i]!, msg, !/^Business Central refused/.test(msg));
    }
  }

  /** Every item / resource line must point at a coupled product (BC checks this before it sends an order). */
  private checkProducts(no: string, lines: readonly Row[]): string | null {
    return checkLineProducts(this.deps, this.look, lines, this.products, { where: (l) => `line ${text(l.values['Line No.'])} of sales order ${no}`, strict: false, then: '.' });
  }

  private prepareTo(ctx: RuleContext, values: Record<string, unknown>): string | null {
    const v = ctx.source.values;
    const no = text(v['No.']);
    if (this.mode === 'legacy' && !ctx.dest) {
      return `Sales order ${no} was not created from Dynamics 365 Sales. In legacy sales order integration only orders submitted in Sales ` +
        'and created in Business Central are synchronized back; switch to bidirectional sales order integration to send BC orders to Sales.';
    }
    const custNo = text(v['Sell-to Customer No.']);
    const cust = this.look.customers.get(custNo);
    if (!cust) return `Customer ${custNo || '(blank)'} on sales order ${no} could not be found in Business Central.`;
    const account = coupledDvId(this.deps.couplings, TABLE.customer, cust.id);
    if (!account) return `Customer ${custNo} must be coupled to a Dataverse account before sales order ${no} can be synchronized. Couple the customer (or synchronize CUSTOMER) first.`;
    const lineError = this.checkProducts(no, this.lines.get(ctx.source.id) ?? []);
    if (lineError) return lineError;
    const list = this.look.priceLists.get(code(v['Currency Code']));
    if (list && 'error' in list) return list.error;
    normalizeDates('to', values, ctx.dest);
    if (!ctx.dest) values.name = `${no}`;
    setIfChanged(values, ctx.dest, 'customerid', account);
    if ('customerid' in values) values.customeridtype = 'account';
    if (list) setIfChanged(values, ctx.dest, 'pricelevelid', list.id);
    const amount = money(v.Amount);
    const discount = money(v['Invoice Discount Amount']);
    setIfChanged(values, ctx.dest, 'totalamount', money(v['Amount Including VAT']));
    setIfChanged(values, ctx.dest, 'totallineitemamount', money(amount + discount));
    if (this.mode === 'bidirectional' && text(v.Status) === 'Released') {
      // BC Released ↔ Sales Submitted.
      const s = ORDER_STATE.submitted;
      if (!ctx.dest || ctx.dest.values.statecode !== s.statecode) Object.assign(values, s);
    }
    return null;
  }

  private afterWriteTo(records: readonly WrittenRecord[]): Promise<Map<number, string>> {
    return writeDvLinesAfter(this.deps, HEADER, records, this.lines, (lines, currency) => this.dvLines(lines, currency), () => false);
  }

  private dvLines(lines: readonly Row[], currency: unknown): DesiredLine[] {
    return desiredDvLines(lines, this.products, currency, false);
  }

  private prepareFrom(ctx: RuleContext, values: Record<string, unknown>): string | null {
    const v = ctx.source.values;
    const name = text(v.name) || text(v.ordernumber);
    const cust = (v.customeridtype ?? 'account') === 'account' ? this.look.bcFor(TABLE.customer, v.customerid) : null;
    if (!cust) {
      return `The customer of Sales order "${name}" must be an account coupled to a Business Central customer. ` +
        'Couple the account (CUSTOMER) or choose a coupled account as the order\'s customer, then synchronize again.';
    }
    for (const l of this.lines.get(ctx.source.id) ?? []) {
      const made = bcLineFor(this.deps, this.look, l, `a line of Sales order "${name}"`);
      if ('error' in made) return made.error;
    }
    normalizeDates('from', values, ctx.dest);
    setIfChanged(values, ctx.dest, 'Sell-to Customer No.', cust.values['No.']);
    if (!ctx.dest) values['External Document No.'] = (text(v.ordernumber) || name).slice(0, 35);
    return null;
  }

  private async afterWriteFrom(records: readonly WrittenRecord[]): Promise<Map<number, string>> {
    const sets: BcLineSet[] = [];
    records.forEach((r, index) => {
      const lines = this.lines.get(r.source.id);
      if (lines) sets.push({ index, bcOrderId: r.destId.toLowerCase(), label: text(r.source.values.name), dvLines: lines, fresh: r.kind === 'insert' && !this.deps.couplings.byDv(TABLE.order, r.source.id)?.resultFrom });
    });
    return syncBcLines(this.deps, this.look, sets);
  }
}

// ---- legacy: create BC orders from submitted Sales orders ---------------------------------------------------------

export interface CreateOrdersResult {
  created: { dvId: string; bcId: string; name: string }[];
  failures: { dvId: string; name: string; message: string }[];
}

const HEADER_FROM_DV: [string, string][] = [
  ['shipto_name', 'Ship-to Name'], ['shipto_line1', 'Ship-to Address'], ['shipto_city', 'Ship-to City'], ['shipto_postalcode', 'Ship-to Post Code'],
  ['shipto_country', 'Ship-to Country/Region Code'],
];

/**
 * Legacy "Create in Business Central" / the "Automatically create sales orders" job: every submitted Sales order not
 * yet coupled (or whose lines failed last time) becomes a BC sales order. Idempotent: the BC order's SystemId is
 * derived from the Sales order id, so a rerun after a crash updates the order it made instead of making another.
 */
export async function createSalesOrdersFromSubmitted(deps: RuleDeps, opts: { ids?: readonly string[]; jobId?: string } = {}): Promise<CreateOrdersResult> {
  if ((deps.settings.salesOrderMode ?? 'none') !== 'legacy') {
    throw new Error('Creating sales orders from submitted Sales orders belongs to legacy sales order integration, which is not turned on. ' +
      'Turn it on in the connection setup (it excludes bidirectional sales order integration).');
  }
  const { bc, dataverse } = deps.sides;
  const out: CreateOrdersResult = { created: [], failures: [] };
  const submitted: Row[] = [];
  if (opts.ids) submitted.push(...(await dataverse.getByIds('salesorders', opts.ids)));
  else {
    for await (const page of dataverse.queryModified('salesorders', { filter: { conditions: [{ attribute: 'statecode', op: 'eq', values: [ORDER_STATE.submitted.statecode] }], companyScoped: false }, since: null, pageSize: 500 })) submitted.push(...page);
  }
  const todo = submitted.filter((o) => o.values.statecode === ORDER_STATE.submitted.statecode).filter((o) => {
    const c = deps.couplings.byDv(TABLE.order, o.id);
    return !c || c.pending || c.resultFrom === 'Failure';
  });
  if (todo.length === 0) return out;
  const look = new Lookups(deps);
  const lines = await linesOf(dataverse, 'salesorderdetails', 'salesorderid', todo.map((o) => ({ key: o.id, value: o.id })));
  const products = [...lines.values()].flat().map((l) => guid(l.values.productid));
  await look.coupledBc(TABLE.customer, 'Customer', todo.map((o) => guid(o.values.customerid)));
  await look.coupledBc(TABLE.item, 'Item', products);
  if (products.some((p) => p && coupledBcId(deps.couplings, TABLE.resource, p))) await look.coupledBc(TABLE.resource, 'Resource', products);

  const inserts: { o: Row; op: WriteOp }[] = [];
  /** Orders created before whose lines failed: only the lines are redone. */
  const made: { o: Row; bcId: string; fresh: boolean }[] = [];
  const fail = (o: Row, message: string) => out.failures.push({ dvId: o.id, name: text(o.values.name), message });
  for (const o of todo) {
    const v = o.values;
    const name = text(v.name);
    const cust = (v.customeridtype ?? 'account') === 'account' ? look.bcFor(TABLE.customer, v.customerid) : null;
    if (!cust) {
      fail(o, `The customer of Sales order "${name}" must be an account coupled to a Business Central customer. Couple the account (CUSTOMER) first.`);
      continue;
    }
    const bad = (lines.get(o.id) ?? []).map((l, k) => bcLineFor(deps, look, l, `line ${k + 1} of Sales order "${name}"`)).find((x) => 'error' in x);
    if (bad && 'error' in bad) {
      fail(o, bad.error);
      continue;
    }
    const c = deps.couplings.byDv(TABLE.order, o.id);
    if (c && !c.pending && c.bcId) {
      made.push({ o, bcId: c.bcId.toLowerCase(), fresh: false });
      continue;
    }
    const currency = await look.currencyCode(v.transactioncurrencyid);
    if ('error' in currency) {
      fail(o, currency.error);
      continue;
    }
    const values: Record<string, unknown> = { 'Sell-to Customer No.': cust.values['No.'], 'External Document No.': name.slice(0, 35), 'Currency Code': currency.code };
    for (const [dv, f] of HEADER_FROM_DV) if (text(v[dv]) !== '') values[f] = text(v[dv]);
    if (v.requestdeliveryby) values['Requested Delivery Date'] = bcDate(v.requestdeliveryby);
    inserts.push({ o, op: { kind: 'insert', id: idFromKey(NS_ORDER, o.id.toLowerCase()), values, idempotencyKey: `${NS_ORDER}:${o.id}`, validate: [], template: null } });
  }
  const res = inserts.length ? await bc.write('Sales Header', inserts.map((x) => x.op)) : [];
  inserts.forEach((x, k) => {
    const r = res[k]!;
    if (r.ok) made.push({ o: x.o, bcId: r.id.toLowerCase(), fresh: true });
    else fail(x.o, `Business Central refused the sales order for Sales order "${text(x.o.values.name)}": ${r.error}`);
  });
  const jobId = opts.jobId ?? 'create-sales-orders';
  const sets: BcLineSet[] = made.map((m, index) => ({ index, bcOrderId: m.bcId, label: text(m.o.values.name), dvLines: lines.get(m.o.id) ?? [], fresh: m.fresh }));
  deps.couplings.transaction(() => {
    for (const m of made) {
      const c = deps.couplings.byDv(TABLE.order, m.o.id) ?? deps.couplings.insert({ tableId: TABLE.order, dvEntity: 'salesorder', bcId: m.bcId, dvId: m.o.id });
      deps.couplings.markSuccess(c.rowId, 'from', jobId, { bc: 0, dv: m.o.modifiedOn });
    }
  });
  const lineFailures = await syncBcLines(deps, look, sets);
  for (const s of sets) {
    const o = made[s.index]!.o;
    const msg = lineFailures.get(s.index);
    const c = deps.couplings.byDv(TABLE.order, o.id)!;
    if (msg) {
      // The order exists; its lines are retried by the next call (the coupling's From result is Failure).
      deps.couplings.markFailure(c.rowId, 'from', jobId, msg);
      fail(o, msg);
    } else out.created.push({ dvId: o.id, bcId: s.bcOrderId, name: text(o.values.name) });
  }
  return out;
}

/**
 * Orders BC has posted (gone from BC, a posted invoice carries their number): the Sales order becomes Fulfilled. In
 * legacy mode the coupling is deleted afterwards; in bidirectional mode it is kept (E.14).
 */
export async function settlePostedOrders(deps: RuleDeps): Promise<{ settled: number; failures: string[] }> {
  const mode = deps.settings.salesOrderMode ?? 'none';
  const out = { settled: 0, failures: [] as string[] };
  if (mode === 'none') return out;
  const rows = [...deps.couplings.coupledPages(TABLE.order)].flat();
  for (let i = 0; i < rows.length; i += 400) {
    const page = rows.slice(i, i + 400);
    const present = await deps.sides.bc.exists('Sales Header', page.map((r) => r.bcId));
    const gone = page.filter((r) => !present.has(r.bcId));
    if (gone.length === 0) continue;
    const dvRows = new Map((await deps.sides.dataverse.getByIds('salesorders', gone.map((g) => g.dvId))).map((r) => [r.id.toLowerCase(), r]));
    const ops: WriteOp[] = [];
    const which: { g: (typeof gone)[number]; op: number | null }[] = [];
    for (const g of gone) {
      const dv = dvRows.get(g.dvId.toLowerCase());
      if (!dv) continue;
      if (dv.values.statecode !== ORDER_STATE.fulfilled.statecode) which.push({ g, op: ops.push({ kind: 'update', id: dv.id, values: { ...ORDER_STATE.fulfilled }, validate: [] }) - 1 });
      else if (mode === 'legacy') which.push({ g, op: null });
    }
    const res = ops.length ? await deps.sides.dataverse.write('salesorders', ops) : [];
    // Legacy: the order's line couplings go with it (found through its Sales lines).
    const settled = which.filter((w) => w.op === null || res[w.op]?.ok);
    const dvLines = mode === 'legacy' ? await linesOf(deps.sides.dataverse, 'salesorderdetails', 'salesorderid', settled.map((w) => ({ key: w.g.dvId, value: w.g.dvId }))) : new Map<string, Row[]>();
    deps.couplings.transaction(() => {
      for (const w of which) {
        const r = w.op === null ? null : res[w.op];
        if (r && !r.ok) {
          out.failures.push(`Marking Sales order ${w.g.dvId} fulfilled failed: ${r.error}`);
          continue;
        }
        out.settled++;
        if (mode !== 'legacy') continue;
        deps.couplings.remove(w.g.rowId);
        for (const l of dvLines.get(w.g.dvId) ?? []) {
          const c = deps.couplings.byDv(TABLE.orderLine, l.id);
          if (c) deps.couplings.remove(c.rowId);
        }
      }
    });
  }
  return out;
}
