/**
 * Customer statistics (reference §D job f1 "Customer Statistics - Dynamics 365 Sales synchronization job", the
 * "Update Account Statistics" action, §E.14): per coupled customer one `nav_accountstatistics` row with the figures of
 * BC's customer statistics, linked from the account (`nav_accountstatisticsid`); the same job brings the state of
 * coupled invoices up to date with their payments (a payment changes the customer ledger entry, not the posted
 * invoice's own modification time, so the invoice mapping alone would not see it in BC).
 *
 * Figures (LCY, as BC's API reports the documents):
 * - balance: the customer's Balance (LCY);
 * - outstanding orders: the not yet shipped part of open sales orders, shipped not invoiced: shipped but not yet
 *   invoiced (both from the order lines, including VAT, pro rata of the line amount);
 * - outstanding invoices: remaining amount of posted invoices, split into invoices due (due date today or later) and
 *   overdue amount (due date before today); payments received: invoiced minus remaining; total sales: posted
 *   invoice amounts excluding VAT.
 *
 * Idempotent: every statistics row lives under an id derived from the BC customer's SystemId and only values that
 * differ are written, so a repeated or interrupted job converges to the same rows.
 */
import { idFromKey } from '../adapters/common';
import type { Row, WriteOp } from '../ports';
import { code, linesOf, money, sameValue, TABLE, text } from './documents';
import type { RuleDeps } from './types';
import { INVOICE_STATE, invoiceState } from './invoices';
import { lcyCurrencyId } from './pricelists';

export const STATISTICS_SET = 'nav_accountstatisticses';
const NS = 'd365ic:nav_accountstatistics';
const CHUNK = 400;

/** Id of the statistics row of a BC customer. */
export const statisticsId = (bcCustomerId: string): string => idFromKey(NS, bcCustomerId.toLowerCase());

export interface StatisticsOptions {
  /** Only these BC customers ("Update Account Statistics" on a selection); default: every coupled customer. */
  customerIds?: readonly string[];
  /** Today (YYYY-MM-DD) for due / overdue; default: the deps clock's date (UTC). */
  today?: string;
}

export interface StatisticsResult {
  customers: number;
  /** Statistics rows created or changed. */
  written: number;
  unchanged: number;
  /** Accounts whose link to their statistics row was set. */
  linked: number;
  failures: { customerNo: string; message: string }[];
  invoices: InvoiceStateResult;
}

interface Figures {
  outstandingOrders: number;
  shippedNotInvoiced: number;
  outstandingInvoices: number;
  invoicesDue: number;
  overdue: number;
  paymentsReceived: number;
  totalSales: number;
}
const zero = (): Figures => ({ outstandingOrders: 0, shippedNotInvoiced: 0, outstandingInvoices: 0, invoicesDue: 0, overdue: 0, paymentsReceived: 0, totalSales: 0 });

/** Coupled (not pending) couplings of a BC table, in keyset pages. */
function* coupledPages(deps: RuleDeps, tableId: number): Generator<{ bcId: string; dvId: string }[]> {
  for (const page of deps.couplings.coupledPages(tableId, CHUNK)) yield page.map(({ bcId, dvId }) => ({ bcId, dvId }));
}

async function scan(side: RuleDeps['sides']['bc'], entity: string, each: (r: Row) => void): Promise<void> {
  for await (const page of side.queryModified(entity, { filter: { conditions: [] }, since: null, pageSize: 5000 })) page.forEach(each);
}

/** The statistics job: one pass over posted invoices and open orders, then upserts per coupled customer. */
export async function updateAccountStatistics(deps: RuleDeps, opts: StatisticsOptions = {}): Promise<StatisticsResult> {
  const { bc, dataverse: dv } = deps.sides;
  const today = opts.today ?? new Date(deps.clock.now()).toISOString().slice(0, 10);
  const result: StatisticsResult = { customers: 0, written: 0, unchanged: 0, linked: 0, failures: [], invoices: { checked: 0, updated: 0, failures: [] } };

  const pairs: { bcId: string; dvId: string }[] = [];
  const only = opts.customerIds ? new Set(opts.customerIds.map((x) => x.toLowerCase())) : null;
  for (const page of coupledPages(deps, TABLE.customer)) pairs.push(...page.filter((p) => !only || only.has(p.bcId.toLowerCase())));
  if (pairs.length === 0) {
    result.invoices = await updateInvoiceStates(deps);
    return result;
  }
  const customers = new Map<string, Row>();
  for (let i = 0; i < pairs.length; i += CHUNK) for (const r of await bc.getByIds('Customer', pairs.slice(i, i + CHUNK).map((p) => p.bcId))) customers.set(r.id.toLowerCase(), r);
  const wanted = new Set([...customers.values()].map((c) => code(c.values['No.'])));

  // Posted invoices and open orders, once for all customers (cheaper than one query per customer).
  const figures = new Map<string, Figures>();
  const of = (no: unknown) => {
    const k = code(no);
    let f = figures.get(k);
    if (!f) figures.set(k, (f = zero()));
    return f;
  };
  await scan(bc, 'Sales Invoice Header', (inv) => {
    const v = inv.values;
    if (!wanted.has(code(v['Sell-to Customer No.'])) || text(v.Status) === 'Canceled') return;
    const f = of(v['Sell-to Customer No.']);
    const remaining = money(v['Remaining Amount']);
    f.totalSales += money(v.Amount);
    f.outstandingInvoices += remaining;
    f.paymentsReceived += money(v['Amount Including VAT']) - remaining;
    if (remaining !== 0) {
      if (text(v['Due Date']) !== '' && text(v['Due Date']) < today) f.overdue += remaining;
      else f.invoicesDue += remaining;
    }
  });
  const orders: Row[] = [];
  await scan(bc, 'Sales Header', (o) => {
    if (wanted.has(code(o.values['Sell-to Customer No.']))) orders.push(o);
  });
  const lines = await linesOf(bc, 'Sales Line', 'Document Id', orders.map((o) => ({ key: o.id, value: o.id })));
  for (const o of orders) {
    const f = of(o.values['Sell-to Customer No.']);
    for (const l of lines.get(o.id) ?? []) {
      const qty = Number(l.values.Quantity ?? 0);
      if (!qty) continue;
      const perUnit = money(l.values['Amount Including VAT']) / qty;
      const shipped = Number(l.values['Quantity Shipped'] ?? 0);
      const invoiced = Number(l.values['Quantity Invoiced'] ?? 0);
      f.outstandingOrders += perUnit * (qty - shipped);
      f.shippedNotInvoiced += perUnit * Math.max(0, shipped - invoiced);
    }
  }

  const currency = await lcyCurrencyId(deps).catch(() => null);
  // Statistics rows and accounts as they are, to write only what differs.
  const statIds = pairs.map((p) => statisticsId(p.bcId));
  const existing = new Map<string, Row>();
  const accounts = new Map<string, Row>();
  for (let i = 0; i < pairs.length; i += CHUNK) {
    for (const r of await dv.getByIds(STATISTICS_SET, statIds.slice(i, i + CHUNK))) existing.set(r.id.toLowerCase(), r);
    for (const r of await dv.getByIds('accounts', pairs.slice(i, i + CHUNK).map((p) => p.dvId))) accounts.set(r.id.toLowerCase(), r);
  }
  const ops: WriteOp[] = [];
  const opCustomer: string[] = [];
  const links: { accountId: string; statId: string; customerNo: string }[] = [];
  for (const p of pairs) {
    const cust = customers.get(p.bcId.toLowerCase());
    const account = accounts.get(p.dvId.toLowerCase());
    if (!cust || !account) {
      result.failures.push({
        customerNo: text(cust?.values['No.']) || p.bcId,
        message: !cust ? `The coupled customer ${p.bcId} no longer exists in Business Central. Remove the coupling or restore the customer.`
          : `The account coupled to customer ${text(cust.values['No.'])} no longer exists in Dataverse. Restore it or remove the coupling.`,
      });
      continue;
    }
    result.customers++;
    const no = text(cust.values['No.']);
    const f = figures.get(code(no)) ?? zero();
    const statId = statisticsId(p.bcId);
    const want: Record<string, unknown> = {
      nav_name: text(cust.values.Name) || no, nav_customerno: no, nav_accountid: p.dvId.toLowerCase(),
      nav_balance: money(cust.values['Balance (LCY)']), nav_outstandingorders: money(f.outstandingOrders), nav_shippednotinvoiced: money(f.shippedNotInvoiced),
      nav_outstandinginvoices: money(f.outstandingInvoices), nav_salesinvoicesdue: money(f.invoicesDue), nav_overdueamount: money(f.overdue),
      nav_paymentsreceived: money(f.paymentsReceived), nav_totalsales: money(f.totalSales),
      ...(currency ? { transactioncurrencyid: currency } : {}),
    };
    const cur = existing.get(statId);
    if (cur) {
      for (const k of Object.keys(want)) if (sameValue(want[k], cur.values[k])) delete want[k];
      if (Object.keys(want).length === 0) result.unchanged++;
      else {
        ops.push({ kind: 'update', id: statId, values: want, validate: [] });
        opCustomer.push(no);
      }
    } else {
      ops.push({ kind: 'insert', id: statId, values: want, idempotencyKey: statId, validate: [], template: null });
      opCustomer.push(no);
    }
    if (!sameValue(account.values.nav_accountstatisticsid, statId)) links.push({ accountId: p.dvId, statId, customerNo: no });
  }
  const written = ops.length ? await dv.write(STATISTICS_SET, ops) : [];
  const failedNos = new Set<string>();
  written.forEach((r, i) => {
    if (r.ok) result.written++;
    else {
      failedNos.add(opCustomer[i]!);
      result.failures.push({ customerNo: opCustomer[i]!, message: `Updating the account statistics of customer ${opCustomer[i]!} failed: ${r.error}` });
    }
  });
  // Link only rows that exist (a failed insert would leave the account pointing at nothing).
  const toLink = links.filter((l) => !failedNos.has(l.customerNo));
  const linked = toLink.length ? await dv.write('accounts', toLink.map((l) => ({ kind: 'update' as const, id: l.accountId, values: { nav_accountstatisticsid: l.statId }, validate: [] }))) : [];
  linked.forEach((r, i) => {
    if (r.ok) result.linked++;
    else result.failures.push({ customerNo: toLink[i]!.customerNo, message: `Linking the account of customer ${toLink[i]!.customerNo} to its statistics failed: ${r.error}` });
  });
  result.invoices = await updateInvoiceStates(deps);
  return result;
}

export interface InvoiceStateResult {
  checked: number;
  updated: number;
  failures: { invoiceNo: string; message: string }[];
}

/**
 * Billed → Paid Partial → Complete for every coupled invoice whose payments changed (E.14: done by the statistics job
 * and "Update Account Statistics"). Reads BC and Dataverse in ≤ 400-id chunks and PATCHes only changed states.
 */
export async function updateInvoiceStates(deps: RuleDeps): Promise<InvoiceStateResult> {
  const { bc, dataverse: dv } = deps.sides;
  const out: InvoiceStateResult = { checked: 0, updated: 0, failures: [] };
  for (const page of coupledPages(deps, TABLE.invoice)) {
    const [bcRows, dvRows] = await Promise.all([bc.getByIds('Sales Invoice Header', page.map((p) => p.bcId)), dv.getByIds('invoices', page.map((p) => p.dvId))]);
    const bcById = new Map(bcRows.map((r) => [r.id.toLowerCase(), r]));
    const dvById = new Map(dvRows.map((r) => [r.id.toLowerCase(), r]));
    const ops: WriteOp[] = [];
    const nos: string[] = [];
    for (const p of page) {
      const src = bcById.get(p.bcId.toLowerCase());
      const dst = dvById.get(p.dvId.toLowerCase());
      if (!src || !dst) continue;
      out.checked++;
      const s = INVOICE_STATE[invoiceState(src.values)];
      if (dst.values.statecode === s.statecode && dst.values.statuscode === s.statuscode) continue;
      ops.push({ kind: 'update', id: dst.id, values: { ...s }, validate: [] });
      nos.push(text(src.values['No.']));
    }
    const res = ops.length ? await dv.write('invoices', ops) : [];
    res.forEach((r, i) => {
      if (r.ok) out.updated++;
      else out.failures.push({ invoiceNo: nos[i]!, message: `Updating the state of invoice ${nos[i]!} failed: ${r.error}` });
    });
  }
  return out;
}
