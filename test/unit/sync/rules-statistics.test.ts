/** Customer statistics job with the in-memory sides: figures per coupled customer, account link, idempotency, invoice states. */
import { describe, expect, it } from 'vitest';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import type { RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import { INVOICE_STATE } from '../../../main/integrations/sales/sync/rules/invoices';
import { STATISTICS_SET, statisticsId, updateAccountStatistics, updateInvoiceStates } from '../../../main/integrations/sales/sync/rules/statistics';
import { world } from './fakes';

const ACCOUNT = 'aaaaaaaa-0000-4000-8000-000000000001';
const NOK = 'dddddddd-0000-4000-8000-000000000001';
const TODAY = '2026-11-23';

function setup() {
  const w = world();
  const couplings = new CouplingStore(w.db, w.clock.now);
  const deps: RuleDeps = { db: w.db, clock: { now: w.clock.now }, sides: { bc: w.bc, dataverse: w.dv }, couplings, settings: { ownershipModel: 'person', lcyCode: 'NOK' } };
  w.dv.put('transactioncurrencies', NOK, { isocurrencycode: 'NOK' });
  w.bc.put('Customer', 'cust-1', { 'No.': 'C1', Name: 'Contoso', 'Balance (LCY)': 175 });
  w.bc.put('Customer', 'cust-2', { 'No.': 'C2', Name: 'Not coupled', 'Balance (LCY)': 999 });
  w.dv.put('accounts', ACCOUNT, { name: 'Contoso' });
  couplings.insert({ tableId: 18, dvEntity: 'account', bcId: 'cust-1', dvId: ACCOUNT });
  const inv = (id: string, cust: string, amount: number, remaining: number, due: string) =>
    w.bc.put('Sales Invoice Header', id, { 'No.': id.toUpperCase(), 'Sell-to Customer No.': cust, Amount: amount, 'Amount Including VAT': amount * 1.25, 'Remaining Amount': remaining, 'Due Date': due, Status: remaining ? 'Open' : 'Paid' });
  inv('inv-1', 'C1', 100, 125, '2026-11-01'); // overdue
  inv('inv-2', 'C1', 200, 50, '2026-12-10'); // partly paid, not yet due
  inv('inv-3', 'C1', 40, 0, '2026-10-01'); // paid
  inv('inv-4', 'C2', 1000, 1250, '2026-11-01'); // another customer
  w.bc.put('Sales Header', 'ord-1', { 'No.': 'S-ORD1', 'Sell-to Customer No.': 'c1' });
  w.bc.put('Sales Line', 'ol-1', { 'Document Id': 'ord-1', Quantity: 4, 'Quantity Shipped': 1, 'Quantity Invoiced': 0, 'Amount Including VAT': 100 });
  w.bc.put('Sales Line', 'ol-2', { 'Document Id': 'ord-1', Quantity: 2, 'Quantity Shipped': 2, 'Quantity Invoiced': 2, 'Amount Including VAT': 50 });
  return { w, deps };
}

describe('customer statistics job', () => {
  it('writes one statistics row per coupled customer with BC\'s figures and links it from the account', async () => {
    const { w, deps } = setup();
    const r = await updateAccountStatistics(deps, { today: TODAY });
    expect(r).toMatchObject({ customers: 1, written: 1, unchanged: 0, linked: 1, failures: [] });
    const rows = w.dv.all(STATISTICS_SET);
    expect(rows.map((x) => x.id)).toEqual([statisticsId('cust-1')]);
    expect(rows[0]!.values).toEqual({
      nav_name: 'Contoso', nav_customerno: 'C1', nav_accountid: ACCOUNT, transactioncurrencyid: NOK,
      nav_balance: 175, nav_outstandinginvoices: 175, nav_overdueamount: 125, nav_salesinvoicesdue: 50,
      nav_paymentsreceived: 250 - 50 + 50, nav_totalsales: 340,
      // ol-1: 3 of 4 units unshipped (75), 1 shipped not invoiced (25); ol-2 fully invoiced.
      nav_outstandingorders: 75, nav_shippednotinvoiced: 25,
    });
    expect(w.dv.get('accounts', ACCOUNT)!.values.nav_accountstatisticsid).toBe(statisticsId('cust-1'));
  });

  it('is idempotent: a second run writes nothing, a payment updates only what changed', async () => {
    const { w, deps } = setup();
    await updateAccountStatistics(deps, { today: TODAY });
    const calls = w.dv.writeCalls.length;
    const again = await updateAccountStatistics(deps, { today: TODAY });
    expect(again).toMatchObject({ written: 0, unchanged: 1, linked: 0 });
    expect(w.dv.writeCalls.length).toBe(calls);
    w.bc.edit('Sales Invoice Header', 'inv-1', { 'Remaining Amount': 0, Status: 'Paid' });
    w.bc.edit('Customer', 'cust-1', { 'Balance (LCY)': 50 });
    const after = await updateAccountStatistics(deps, { today: TODAY });
    expect(after.written).toBe(1);
    const patch = w.dv.writeCalls.filter((c) => c.entity === STATISTICS_SET).at(-1)!.ops[0]!;
    expect(patch).toMatchObject({ kind: 'update', values: { nav_balance: 50, nav_outstandinginvoices: 50, nav_overdueamount: 0, nav_paymentsreceived: 375 } });
    expect(Object.keys((patch as { values: object }).values).sort()).toEqual(['nav_balance', 'nav_outstandinginvoices', 'nav_overdueamount', 'nav_paymentsreceived']);
  });

  it('reports a coupled account that was deleted instead of failing the job, and can be limited to chosen customers', async () => {
    const { w, deps } = setup();
    w.dv.delete('accounts', ACCOUNT);
    const r = await updateAccountStatistics(deps, { today: TODAY });
    expect(r.customers).toBe(0);
    expect(r.failures[0]?.message).toContain('The account coupled to customer C1 no longer exists in Dataverse');
    const none = await updateAccountStatistics(deps, { today: TODAY, customerIds: ['cust-2'] });
    expect(none).toMatchObject({ customers: 0, written: 0, failures: [] });
  });

  it('moves coupled invoices along with their payments (Billed → Paid Partial → Complete)', async () => {
    const { w, deps } = setup();
    const dvInv = 'eeeeeeee-0000-4000-8000-000000000001';
    w.dv.put('invoices', dvInv, { ...INVOICE_STATE.billed });
    deps.couplings.insert({ tableId: 112, dvEntity: 'invoice', bcId: 'inv-2', dvId: dvInv });
    w.bc.edit('Sales Invoice Header', 'inv-2', { 'Remaining Amount': 250 });
    expect(await updateInvoiceStates(deps)).toMatchObject({ checked: 1, updated: 0 });
    w.bc.edit('Sales Invoice Header', 'inv-2', { 'Remaining Amount': 50 });
    expect(await updateInvoiceStates(deps)).toMatchObject({ checked: 1, updated: 1 });
    expect(w.dv.get('invoices', dvInv)!.values).toMatchObject(INVOICE_STATE.partial);
    w.bc.edit('Sales Invoice Header', 'inv-2', { 'Remaining Amount': 0 });
    const r = await updateAccountStatistics(deps, { today: TODAY });
    expect(r.invoices.updated).toBe(1);
    expect(w.dv.get('invoices', dvInv)!.values).toMatchObject(INVOICE_STATE.complete);
  });
});
