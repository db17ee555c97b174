/**
 * Posted sales invoices → Dataverse invoices (POSTEDSALESINV-INV, To; reference §C.4, §E.14, §F.15).
 *
 * Header (prepare): the customer is the account coupled to the Sell-to customer; name = invoice No.; the price list is
 * the default price list, or "Price List in <CUR>" for a foreign currency (E.9, rules/pricelists.ts); totals are
 * BC's (totalamount = Amount Including VAT, discountamount = Invoice Discount Amount, totaltax = Amount Including
 * VAT − Amount, totallineitemamount = Amount + Invoice Discount Amount, so Dataverse's own identity total = lines −
 * discount + tax holds); the state follows the payments (remaining amount): Billed → Paid Partial → Complete.
 * Owner and currency come from the owner / currency rules (field mappings Salesperson Code → ownerid and Currency
 * Code → transactioncurrencyid).
 *
 * Lines (afterWrite): one invoicedetail per posted line (comment lines carry no amounts and are left out), under an id
 * derived from the BC line's SystemId: item / resource lines point at the coupled product, others are write-in lines
 * (productdescription + isproductoverridden). As in BC, before an invoice is created every item / resource on it
 * must exist, be unblocked and be coupled (§F.15 "Posted invoice not created in Sales"); the invoice then waits for
 * the next run. The invoice keeps its link to the Sales order the BC order came from (salesorderid). Lines are pushed
 * on insert and when the invoice's last run failed (its lines may be incomplete); a posted invoice's lines never
 * change afterwards.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { PassDirection } from '../coupling/store';
import { setIfChanged, type DelegatedRun, type MappingRules, type RuleContext, type WrittenRecord } from '../engine/hooks';
import type { Counters, SyncJob } from '../jobs/log';
import type { Row } from '../ports';
import { checkLineProducts, desiredDvLines, jobChanged, loadLineProducts, pushDvLines, runLinePass, writeDvLinesAfter, type DvHeader, type FailLine } from './document-lines';
import { BcByNumber, code, coupledDvId, linesOf, money, NO_DV_FILTER, normalizeDates, pool, TABLE, text, type DesiredLine } from './documents';
import type { RuleDeps } from './types';
import { priceListForCurrency } from './pricelists';

export const INVOICE_MAPPING = 'POSTEDSALESINV-INV';

/**
 * Invoice state / status pairs. statuscode must belong to statecode; these pairs follow the Dataverse metadata the
 * sandbox serves (invoice states: 0 Active, 1 Closed {4 Billed, 7 Partial, 100001 Complete}, 2 Paid {100002
 * Partial}, 3 Canceled {100003}). BC's own code sets Billed, Paid/Partial and Paid/Complete.
 */
export const INVOICE_STATE = {
  billed: { statecode: 1, statuscode: 4 },
  partial: { statecode: 2, statuscode: 100002 },
  complete: { statecode: 1, statuscode: 100001 },
  canceled: { statecode: 3, statuscode: 100003 },
} as const;
export type InvoiceState = keyof typeof INVOICE_STATE;

/** State from the payments: nothing paid → Billed, part → Paid Partial, all (remaining 0) → Complete. */
export function invoiceState(v: Record<string, unknown>): InvoiceState {
  if (text(v.Status) === 'Canceled') return 'canceled';
  const total = money(v['Amount Including VAT']);
  const remaining = money(v['Remaining Amount']);
  if (remaining === 0) return 'complete';
  return remaining === total ? 'billed' : 'partial';
}

export interface InvoiceOptions {
  /** Price list for a document currency (default: rules/pricelists.ts — the default list for LCY, "Price List in <CUR>"). */
  priceList?: (deps: RuleDeps, currencyCode: string) => Promise<string>;
}

const defaultPriceListFor = async (deps: RuleDeps, currencyCode: string): Promise<string> => (await priceListForCurrency(deps, currencyCode)).id;

const HEADER: DvHeader = {
  tableId: TABLE.invoice, set: 'invoices',
  lines: { set: 'invoicedetails', logicalName: 'invoicedetail', parentAttr: 'invoiceid', tableId: TABLE.invoiceLine, namespace: 'd365ic:invoicedetail' },
};

/** The line mapping: its lines are written by the header's rule (afterWrite); run alone it re-pushes coupled headers' lines. */
export const INVOICE_LINE_MAPPING = 'POSTEDSALESLINE-INV';

/** Rule module: the invoice rules for POSTEDSALESINV-INV, the delegated run of POSTEDSALESLINE-INV, nothing for others. */
export function invoiceRules(deps: RuleDeps, opts: InvoiceOptions = {}): (mapping: TableMapping) => MappingRules | null {
  return (mapping) => {
    if (mapping.name === INVOICE_MAPPING) return new InvoicePass(deps, opts).rules();
    if (mapping.name === INVOICE_LINE_MAPPING || (mapping.bcTable === 'Sales Invoice Line' && mapping.dataverseEntity === 'invoicedetail'))
      return { runInstead: (m, run) => runInvoiceLines(deps, opts, m, run) };
    return null;
  };
}

/**
 * POSTEDSALESLINE-INV on its own (BC syncs it from the header): for every posted invoice changed since the last run
 * (all of them in a full synchronization) whose header is coupled, the Dataverse lines are made equal to BC's —
 * missing ones created and coupled, changed ones updated, extra ones deleted — and counted per line in one job.
 * Invoices not coupled yet are left to POSTEDSALESINV-INV, which writes their lines when it creates them.
 */
async function runInvoiceLines(deps: RuleDeps, opts: InvoiceOptions, m: TableMapping, run: DelegatedRun): Promise<{ to: SyncJob | null; from: SyncJob | null; changed: boolean }> {
  const pass = new InvoicePass(deps, opts);
  const job = await runLinePass(deps, m, run, {
    dir: 'to', headers: 'Sales Invoice Header',
    coupled: (r) => {
      const c = deps.couplings.byBc(TABLE.invoice, r.id);
      return !!c && !c.pending && c.resultTo === 'Success';
    },
    push: (coupled, counts, fail) => pass.pushLines(coupled, counts, fail),
  });
  return { to: job, from: null, changed: jobChanged(job) };
}

class InvoicePass {
  private readonly customers: BcByNumber;
  private readonly items: BcByNumber;
  private readonly resources: BcByNumber;
  /** Posted lines of the invoices whose lines are (re)pushed in this pass, by invoice SystemId. */
  private readonly lines = new Map<string, Row[]>();
  /** BC line SystemId → coupled product id (checked in prepare, used in afterWrite). */
  private readonly products = new Map<string, string>();
  /** BC order No. → the Sales order it came from (null: none found). */
  private readonly orders = new Map<string, string | null>();
  /** Currency code → price list id, or the message why there is none. */
  private readonly priceLists = new Map<string, { id: string } | { error: string }>();

  constructor(private readonly deps: RuleDeps, private readonly opts: InvoiceOptions) {
    this.customers = new BcByNumber(deps.sides.bc, 'Customer');
    this.items = new BcByNumber(deps.sides.bc, 'Item');
    this.resources = new BcByNumber(deps.sides.bc, 'Resource');
  }

  rules(): MappingRules {
    return {
      beforeBatch: (m, dir, rows) => this.beforeBatch(m, dir, rows),
      prepare: (ctx, values) => this.prepare(ctx, values),
      afterWrite: (m, dir, records) => this.afterWrite(m, dir, records),
    };
  }

  /** Lines are needed for a new invoice and for one whose last run failed (its lines may be half written). */
  private needsLines(row: Row): boolean {
    const c = this.deps.couplings.byBc(TABLE.invoice, row.id);
    return !c || c.pending || c.resultTo === 'Failure';
  }

  private async beforeBatch(_m: TableMapping, dir: PassDirection, rows: readonly Row[]): Promise<void> {
    if (dir !== 'to') return;
    const todo = rows.filter((r) => this.needsLines(r));
    const read = await linesOf(this.deps.sides.bc, 'Sales Invoice Line', 'Document Id', todo.map((r) => ({ key: r.id, value: r.id })));
    for (const [id, lines] of read) this.lines.set(id, lines);
    await Promise.all([this.customers.load(rows.map((r) => r.values['Sell-to Customer No.'])), loadLineProducts(this.items, this.resources, [...read.values()].flat())]);
    await this.loadOrders(todo.map((r) => code(r.values['Order No.'])).filter((n) => n !== '' && !this.orders.has(n)));
    const getList = this.opts.priceList ?? defaultPriceListFor;
    for (const cur of new Set(rows.map((r) => code(r.values['Currency Code'])))) {
      if (this.priceLists.has(cur)) continue;
      try {
        this.priceLists.set(cur, { id: await getList(this.deps, cur) });
      } catch (x) {
        // A missing currency / price list fails the invoices that need it, not the whole batch.
        this.priceLists.set(cur, { error: x instanceof Error ? x.message : String(x) });
      }
    }
  }

  /**
   * The Sales order an invoiced BC order came from, to keep the invoice → order link (C.4). Legacy orders carry the
   * BC number in ordernumber (SALESORDER-ORDER To: No. → ordernumber); orders sent from BC are named by it.
   */
  private async loadOrders(numbers: readonly string[]): Promise<void> {
    const dv = this.deps.sides.dataverse;
    await pool([...new Set(numbers)], 4, async (no) => {
      let hit = await dv.findMatches('salesorders', [{ field: 'ordernumber', value: no, caseSensitive: false }], NO_DV_FILTER, 2);
      if (hit.length !== 1) hit = await dv.findMatches('salesorders', [{ field: 'name', value: no, caseSensitive: false }], NO_DV_FILTER, 2);
      this.orders.set(no, hit.length === 1 ? hit[0]!.id.toLowerCase() : null);
    });
  }

  private prepare(ctx: RuleContext, values: Record<string, unknown>): string | null {
    if (ctx.dir !== 'to') return null;
    const v = ctx.source.values;
    const no = text(v['No.']);
    const custNo = text(v['Sell-to Customer No.']);
    const cust = this.customers.get(custNo);
    if (!cust) return `Customer ${custNo || '(blank)'} on posted sales invoice ${no} could not be found in Business Central.`;
    const account = coupledDvId(this.deps.couplings, TABLE.customer, cust.id);
    if (!account) {
      return `Customer ${custNo} must be coupled to a Dataverse account before posted sales invoice ${no} can be created in Dataverse. ` +
        'Couple the customer (or synchronize CUSTOMER) first; the invoice is created by the next run.';
    }
    const lines = this.lines.get(ctx.source.id);
    if (lines) {
      const err = this.checkLines(no, lines);
      if (err) return err;
    }
    const list = this.priceLists.get(code(v['Currency Code']));
    if (!list) return `The price list for posted sales invoice ${no} was not prepared; synchronize again.`;
    if ('error' in list) return list.error;
    normalizeDates('to', values, ctx.dest);
    setIfChanged(values, ctx.dest, 'name', no);
    setIfChanged(values, ctx.dest, 'customerid', account);
    if ('customerid' in values || !ctx.dest) values.customeridtype = 'account';
    setIfChanged(values, ctx.dest, 'pricelevelid', list.id);
    const order = this.orders.get(code(v['Order No.']));
    if (order) setIfChanged(values, ctx.dest, 'salesorderid', order);
    const amount = money(v.Amount);
    const withVat = money(v['Amount Including VAT']);
    const discount = money(v['Invoice Discount Amount']);
    setIfChanged(values, ctx.dest, 'totalamount', withVat);
    setIfChanged(values, ctx.dest, 'discountamount', discount);
    setIfChanged(values, ctx.dest, 'totaltax', money(withVat - amount));
    setIfChanged(values, ctx.dest, 'totallineitemamount', money(amount + discount));
    const state = INVOICE_STATE[invoiceState(v)];
    // Both or neither: a status is only valid together with its state.
    if (!ctx.dest || ctx.dest.values.statecode !== state.statecode || ctx.dest.values.statuscode !== state.statuscode) {
      values.statecode = state.statecode;
      values.statuscode = state.statuscode;
    }
    return null;
  }

  /** Every item / resource on the invoice must exist, be unblocked and be coupled (BC checks this before insert). */
  private checkLines(invoiceNo: string, lines: readonly Row[]): string | null {
    return checkLineProducts(this.deps, { items: this.items, resources: this.resources }, lines, this.products, {
      where: (l) => `line ${text(l.values['Line No.'])} of posted sales invoice ${invoiceNo}`, strict: true, then: '; the invoice is created by the next run.',
    });
  }

  /** POSTEDSALESLINE-INV run alone: the lines of coupled invoice headers, counted per line. */
  async pushLines(headers: readonly Row[], counts: Counters, fail: FailLine): Promise<void> {
    const read = await linesOf(this.deps.sides.bc, 'Sales Invoice Line', 'Document Id', headers.map((r) => ({ key: r.id, value: r.id })));
    await loadLineProducts(this.items, this.resources, [...read.values()].flat());
    await pushDvLines(this.deps, HEADER, headers, counts, fail,
      (no) => `The Dataverse invoice of posted sales invoice ${no} was deleted. Synchronize POSTEDSALESINV-INV (or remove the coupling) first.`,
      (r, no, currency) => {
        const lines = read.get(r.id) ?? [];
        return this.checkLines(no, lines) ?? this.desired(lines, currency);
      });
  }

  private async afterWrite(_m: TableMapping, dir: PassDirection, records: readonly WrittenRecord[]): Promise<Map<number, string>> {
    if (dir !== 'to') return new Map();
    return writeDvLinesAfter(this.deps, HEADER, records, this.lines, (lines, currency) => this.desired(lines, currency),
      (r) => r.kind === 'insert' && !this.deps.couplings.byBc(TABLE.invoice, r.source.id)?.resultTo);
  }

  private desired(lines: readonly Row[], currency: unknown): DesiredLine[] {
    return desiredDvLines(lines, this.products, currency, true);
  }
}
