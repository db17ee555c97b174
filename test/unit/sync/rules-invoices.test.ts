/** Posted sales invoices → Dataverse invoices with the in-memory sides: header, lines, totals, state from payments. */
import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import { idFromKey } from '../../../main/integrations/sales/sync/adapters/common';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import { INVOICE_MAPPING, INVOICE_STATE, invoiceRules, invoiceState } from '../../../main/integrations/sales/sync/rules/invoices';
import { domainRules, type RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import { world, type World } from './fakes';

const OTHER_RULES = new Set(['ownerid', 'owneridtype', 'transactioncurrencyid', 'paymenttermscode', 'shippingmethodcode']);
function invoiceMapping(): TableMapping {
  const m = defaultMappings().find((x) => x.name === INVOICE_MAPPING)!;
  return { ...m, fields: m.fields.filter((f) => !OTHER_RULES.has(f.dataverseField ?? '')) };
}

const ACCOUNT = 'aaaaaaaa-0000-4000-8000-000000000001';
const PRODUCT = 'bbbbbbbb-0000-4000-8000-000000000001';

function setup(): { w: World; deps: RuleDeps; mapping: TableMapping; run: (o?: { ids?: string[] }) => ReturnType<World['engine']['runMapping']> } {
  const w = world();
  const couplings = new CouplingStore(w.db, w.clock.now);
  const deps: RuleDeps = { db: w.db, clock: { now: w.clock.now }, sides: { bc: w.bc, dataverse: w.dv }, couplings, settings: { ownershipModel: 'person', lcyCode: 'NOK' } };
  const lists: string[] = [];
  const engine = w.newEngine({ rules: invoiceRules(deps, { priceList: async (_d, cur) => (lists.push(cur), cur === '' ? 'cccccccc-0000-4000-8000-00000000000a' : Promise.reject(new Error(`No price list for ${cur}.`))) }) });
  w.bc.put('Customer', 'cust-1', { 'No.': 'C1', Name: 'Contoso' });
  couplings.insert({ tableId: 18, dvEntity: 'account', bcId: 'cust-1', dvId: ACCOUNT });
  w.bc.put('Item', 'item-1', { 'No.': 'I1', Description: 'Bike', Blocked: false });
  couplings.insert({ tableId: 27, dvEntity: 'product', bcId: 'item-1', dvId: PRODUCT });
  w.bc.put('Sales Invoice Header', 'inv-1', {
    'No.': 'PS-INV1', 'Sell-to Customer No.': 'C1', 'Currency Code': '', Amount: 290, 'Amount Including VAT': 362.5, 'Invoice Discount Amount': 10,
    'Remaining Amount': 362.5, Status: 'Open', 'Due Date': '2026-12-01',
  });
  const line = (id: string, values: Record<string, unknown>) => w.bc.put('Sales Invoice Line', id, { 'Document Id': 'inv-1', 'Document No.': 'PS-INV1', ...values });
  line('line-1', { 'Line No.': 10000, Type: 'Item', 'No.': 'I1', Description: 'Bike', Quantity: 2, 'Unit Price': 100, 'Line Discount Amount': 10, Amount: 190, 'Amount Including VAT': 237.5 });
  line('line-2', { 'Line No.': 20000, Type: 'Account', 'No.': '6100', Description: 'Freight', Quantity: 1, 'Unit Price': 100, 'Line Discount Amount': 0, Amount: 100, 'Amount Including VAT': 125 });
  line('line-3', { 'Line No.': 30000, Type: 'Comment', Description: 'Thank you' });
  const mapping = invoiceMapping();
  return { w, deps, mapping, run: (o = {}) => engine.runMapping(mapping, { ignoreSynchOnlyCoupled: true, ...(o.ids ? { ids: o.ids } : {}) }) };
}

const lineId = (bcLine: string) => idFromKey('d365ic:invoicedetail', bcLine);

describe('invoice state from payments', () => {
  it('is Billed while nothing is paid, Paid Partial after a part, Complete at zero remaining, Canceled when BC cancelled it', () => {
    const v = (remaining: number, status = 'Open') => ({ 'Amount Including VAT': 125, 'Remaining Amount': remaining, Status: status });
    expect(invoiceState(v(125))).toBe('billed');
    expect(invoiceState(v(25.5))).toBe('partial');
    expect(invoiceState(v(0, 'Paid'))).toBe('complete');
    expect(invoiceState(v(125, 'Canceled'))).toBe('canceled');
  });
});

describe('POSTEDSALESINV-INV rules', () => {
  it('creates the invoice with the coupled account, price list, BC totals, Billed state and one line per posted line', async () => {
    const { w, run } = setup();
    const r = await run();
    expect(r.to?.inserted).toBe(1);
    expect(r.to?.failed).toBe(0);
    const [inv] = w.dv.all('invoices');
    expect(inv!.values).toMatchObject({
      invoicenumber: 'PS-INV1', name: 'PS-INV1', customerid: ACCOUNT, customeridtype: 'account', pricelevelid: 'cccccccc-0000-4000-8000-00000000000a',
      totalamount: 362.5, discountamount: 10, totaltax: 72.5, totallineitemamount: 300, ...INVOICE_STATE.billed, duedate: '2026-12-01T00:00:00Z',
    });
    // Dataverse's own identity: lines − discount + tax = total.
    const v = inv!.values as Record<string, number>;
    expect(v.totallineitemamount! - v.discountamount! + v.totaltax!).toBe(v.totalamount);
    const lines = w.dv.all('invoicedetails').sort((a, b) => Number(a.values.lineitemnumber) - Number(b.values.lineitemnumber));
    expect(lines.map((l) => l.id)).toEqual([lineId('line-1'), lineId('line-2')]);
    expect(lines[0]!.values).toMatchObject({ invoiceid: inv!.id, productid: PRODUCT, isproductoverridden: false, quantity: 2, priceperunit: 100, manualdiscountamount: 10, baseamount: 190, extendedamount: 237.5, tax: 47.5 });
    expect(lines[1]!.values).toMatchObject({ invoiceid: inv!.id, productid: null, isproductoverridden: true, productdescription: 'Freight', baseamount: 100, extendedamount: 125 });
    // Line amounts add up to the header's.
    expect(lines.reduce((s, l) => s + Number(l.values.extendedamount), 0)).toBe(362.5);
    const store = new CouplingStore(w.db);
    expect(store.byBc(113, 'line-1')?.dvId).toBe(lineId('line-1'));
    expect(store.byBc(113, 'line-3')).toBeUndefined();

    // Nothing changed: the next run writes nothing.
    const writes = w.dv.writeCalls.length;
    const again = await run();
    expect(again.to).toMatchObject({ inserted: 0, modified: 0, failed: 0 });
    expect(w.dv.writeCalls.length).toBe(writes);
  });

  it('a payment in BC moves the state to Paid Partial and then Complete without rewriting the lines', async () => {
    const { w, run } = setup();
    await run();
    const lineWrites = () => w.dv.writeCalls.filter((c) => c.entity === 'invoicedetails').length;
    const before = lineWrites();
    w.bc.edit('Sales Invoice Header', 'inv-1', { 'Remaining Amount': 100 });
    const r1 = await run();
    expect(r1.to?.modified).toBe(1);
    expect(w.dv.all('invoices')[0]!.values).toMatchObject(INVOICE_STATE.partial);
    w.bc.edit('Sales Invoice Header', 'inv-1', { 'Remaining Amount': 0, Status: 'Paid' });
    await run();
    expect(w.dv.all('invoices')[0]!.values).toMatchObject(INVOICE_STATE.complete);
    // The state update is a minimal PATCH and the lines were not touched.
    const last = w.dv.writeCalls.filter((c) => c.entity === 'invoices').at(-1)!;
    expect(last.ops[0]).toMatchObject({ kind: 'update', values: INVOICE_STATE.complete });
    expect(lineWrites()).toBe(before);
  });

  it('waits for an uncoupled item with BC\'s reason, then creates the invoice once the item is coupled', async () => {
    const { w, deps, run } = setup();
    w.bc.put('Item', 'item-2', { 'No.': 'I2', Description: 'Helmet', Blocked: false });
    w.bc.put('Sales Invoice Line', 'line-4', { 'Document Id': 'inv-1', 'Line No.': 40000, Type: 'Item', 'No.': 'I2', Quantity: 1, 'Unit Price': 0, Amount: 0, 'Amount Including VAT': 0 });
    const r = await run();
    expect(r.to?.failed).toBe(1);
    expect(w.engine.log.errors(r.to!.id)[0]?.message).toContain('Item I2 on line 40000 of posted sales invoice PS-INV1 is not coupled to a Dataverse product');
    expect(w.dv.all('invoices')).toHaveLength(0);
    deps.couplings.insert({ tableId: 27, dvEntity: 'product', bcId: 'item-2', dvId: 'bbbbbbbb-0000-4000-8000-000000000002' });
    const r2 = await run();
    expect(r2.to?.inserted).toBe(1);
    expect(w.dv.all('invoicedetails')).toHaveLength(3);
  });

  it('fails with a clear message when the customer is not coupled, and when an item is blocked', async () => {
    const { w, deps, run } = setup();
    deps.couplings.remove(deps.couplings.byBc(18, 'cust-1')!.rowId);
    const r = await run();
    expect(w.engine.log.errors(r.to!.id)[0]?.message).toContain('Customer C1 must be coupled to a Dataverse account before posted sales invoice PS-INV1');
    deps.couplings.insert({ tableId: 18, dvEntity: 'account', bcId: 'cust-1', dvId: ACCOUNT });
    w.bc.edit('Item', 'item-1', { Blocked: true });
    w.bc.edit('Sales Invoice Header', 'inv-1', {});
    const r2 = await run();
    expect(w.engine.log.errors(r2.to!.id)[0]?.message).toContain('Item I1 on line 10000 of posted sales invoice PS-INV1 is blocked');
  });

  it('links the invoice to the Sales order its BC order came from', async () => {
    const { w, run } = setup();
    const so = 'eeeeeeee-0000-4000-8000-000000000001';
    w.dv.put('salesorders', so, { name: 'Web order', ordernumber: 'S-ORD101' });
    w.dv.put('salesorders', 'eeeeeeee-0000-4000-8000-000000000002', { name: 'Other', ordernumber: 'S-ORD102' });
    w.bc.edit('Sales Invoice Header', 'inv-1', { 'Order No.': 'S-ORD101' });
    await run();
    expect(w.dv.all('invoices')[0]!.values.salesorderid).toBe(so);
  });

  it('a foreign-currency invoice without a price list fails with the price-list message', async () => {
    const { w, run } = setup();
    w.bc.edit('Sales Invoice Header', 'inv-1', { 'Currency Code': 'EUR' });
    const r = await run();
    expect(w.engine.log.errors(r.to!.id)[0]?.message).toContain('No price list for EUR.');
  });

  it('composes with the other domain rules: the currency rule fills the header\'s currency and the lines inherit it', async () => {
    const { w, deps } = setup();
    const nok = 'dddddddd-0000-4000-8000-000000000001';
    w.dv.put('transactioncurrencies', nok, { isocurrencycode: 'NOK' });
    w.db.exec('CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const base = defaultMappings().find((x) => x.name === INVOICE_MAPPING)!;
    const mapping = { ...base, fields: base.fields.filter((f) => !['ownerid', 'owneridtype', 'paymenttermscode', 'shippingmethodcode'].includes(f.dataverseField ?? '')) };
    const engine = w.newEngine({ rules: domainRules(deps) });
    const r = await engine.runMapping(mapping, { ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    const [inv] = w.dv.all('invoices');
    expect(inv!.values.transactioncurrencyid).toBe(nok);
    // The real default price list (rules/pricelists.ts), created in LCY.
    expect(w.dv.get('pricelevels', String(inv!.values.pricelevelid))!.values).toMatchObject({ name: 'Business Central Default Price List', transactioncurrencyid: nok });
    expect(w.dv.all('invoicedetails').map((l) => l.values.transactioncurrencyid)).toEqual([nok, nok]);
  });

  it('a failed line write fails the invoice; the next run re-pushes the lines onto the same ids (no duplicates)', async () => {
    const { w, run } = setup();
    w.dv.failOn.set(lineId('line-2'), 'The productdescription is too long.');
    const r = await run();
    expect(r.to?.failed).toBe(1);
    expect(w.engine.log.errors(r.to!.id)[0]?.message).toContain('The invoicedetail for line 20000 could not be written: The productdescription is too long.');
    expect(w.dv.all('invoices')).toHaveLength(1);
    w.dv.failOn.clear();
    const r2 = await run();
    expect(r2.to?.failed).toBe(0);
    expect(w.dv.all('invoicedetails').map((l) => l.id).sort()).toEqual([lineId('line-1'), lineId('line-2')].sort());
    // Settled: the coupling is no longer failed, so a third run does not touch the lines.
    const n = w.dv.writeCalls.length;
    await run();
    expect(w.dv.writeCalls.length).toBe(n);
  });
});
