/** Sales orders with the in-memory sides: bidirectional headers + lines both ways, legacy creation, posting, mode checks. */
import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import { idFromKey } from '../../../main/integrations/sales/sync/adapters/common';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import type { RuleDeps, RuleSettings } from '../../../main/integrations/sales/sync/rules/index';
import { createSalesOrdersFromSubmitted, ORDER_MAPPING, ORDER_STATE, orderRules, settlePostedOrders } from '../../../main/integrations/sales/sync/rules/orders';
import { world } from './fakes';

const ACCOUNT = 'aaaaaaaa-0000-4000-8000-000000000001';
const PRODUCT = 'bbbbbbbb-0000-4000-8000-000000000001';
const NOK = 'dddddddd-0000-4000-8000-000000000001';
const DV_ORDER = 'eeeeeeee-0000-4000-8000-000000000001';

const OTHER_RULES = new Set(['ownerid', 'owneridtype', 'customerid', 'customeridtype', 'transactioncurrencyid', 'paymenttermscode', 'shippingmethodcode', 'freighttermscode']);
function orderMapping(orders: 'legacy' | 'bidirectional'): TableMapping {
  const m = defaultMappings({ orders }).find((x) => x.name === ORDER_MAPPING)!;
  return { ...m, fields: m.fields.filter((f) => !OTHER_RULES.has(f.dataverseField ?? '')) };
}

function setup(settings: Partial<RuleSettings> = {}) {
  const w = world();
  // The default price list is remembered in the app's settings table (rules/pricelists.ts).
  w.db.exec('CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const couplings = new CouplingStore(w.db, w.clock.now);
  const deps: RuleDeps = {
    db: w.db, clock: { now: w.clock.now }, sides: { bc: w.bc, dataverse: w.dv }, couplings,
    settings: { ownershipModel: 'person', lcyCode: 'NOK', salesOrderMode: 'bidirectional', writeInProduct: { type: 'Item', no: 'WRITEIN' }, ...settings },
  };
  const engine = w.newEngine({ rules: orderRules(deps) });
  w.dv.put('transactioncurrencies', NOK, { isocurrencycode: 'NOK' });
  w.bc.put('Customer', 'cust-1', { 'No.': 'C1', Name: 'Contoso' });
  couplings.insert({ tableId: 18, dvEntity: 'account', bcId: 'cust-1', dvId: ACCOUNT });
  w.bc.put('Item', 'item-1', { 'No.': 'I1', Description: 'Bike' });
  couplings.insert({ tableId: 27, dvEntity: 'product', bcId: 'item-1', dvId: PRODUCT });
  return { w, deps, engine };
}

const dvLines = (w: ReturnType<typeof setup>['w'], order: string) => w.dv.all('salesorderdetails').filter((l) => l.values.salesorderid === order);
const bcLines = (w: ReturnType<typeof setup>['w'], order: string) => w.bc.all('Sales Line').filter((l) => l.values['Document Id'] === order);

describe('bidirectional sales orders', () => {
  it('a released BC order becomes a submitted Sales order with its lines; line changes and deletions follow', async () => {
    const { w, engine } = setup();
    const mapping = orderMapping('bidirectional');
    w.bc.put('Sales Header', 'ord-1', {
      'Document Type': 'Order', 'No.': 'S-ORD1', 'Sell-to Customer No.': 'C1', Status: 'Released', 'Currency Code': '', Amount: 290, 'Amount Including VAT': 362.5,
      'Invoice Discount Amount': 0, 'Requested Delivery Date': '2026-12-01', 'Ship-to City': 'Oslo',
    });
    w.bc.put('Sales Line', 'ol-1', { 'Document Id': 'ord-1', 'Line No.': 10000, Type: 'Item', 'No.': 'I1', Quantity: 2, 'Unit Price': 100, 'Line Discount Amount': 10, Amount: 190, 'Amount Including VAT': 237.5 });
    w.bc.put('Sales Line', 'ol-2', { 'Document Id': 'ord-1', 'Line No.': 20000, Type: 'Resource', 'No.': 'R9', Description: 'Assembly', Quantity: 1, 'Unit Price': 100, Amount: 100, 'Amount Including VAT': 125 });
    w.bc.put('Resource', 'res-9', { 'No.': 'R9', Name: 'Assembly' });
    w.bc.put('Sales Line', 'ol-3', { 'Document Id': 'ord-1', 'Line No.': 30000, Type: 'Comment', Description: 'Ring first' });
    const r0 = await engine.runMapping(mapping, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r0.to!.id)[0]?.message).toContain('Resource R9 on line 20000 of sales order S-ORD1 is not coupled to a Dataverse product');
    new CouplingStore(w.db).insert({ tableId: 156, dvEntity: 'product', bcId: 'res-9', dvId: 'bbbbbbbb-0000-4000-8000-000000000009' });
    const r = await engine.runMapping(mapping, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    const [so] = w.dv.all('salesorders');
    expect(so!.values).toMatchObject({
      name: 'S-ORD1', customerid: ACCOUNT, customeridtype: 'account', ...ORDER_STATE.submitted, totalamount: 362.5, totallineitemamount: 290,
      requestdeliveryby: '2026-12-01T00:00:00Z', shipto_city: 'Oslo',
    });
    const [list] = w.dv.all('pricelevels');
    expect(list!.values).toMatchObject({ name: 'Business Central Default Price List', transactioncurrencyid: NOK });
    expect(so!.values.pricelevelid).toBe(list!.id);
    const lines = dvLines(w, so!.id).sort((a, b) => Number(a.values.lineitemnumber) - Number(b.values.lineitemnumber));
    expect(lines.map((l) => [l.values.productid, l.values.quantity, l.values.extendedamount])).toEqual([[PRODUCT, 2, 237.5], ['bbbbbbbb-0000-4000-8000-000000000009', 1, 125]]);

    // BC changes a quantity and deletes the resource line.
    w.bc.edit('Sales Line', 'ol-1', { Quantity: 5, Amount: 490, 'Amount Including VAT': 612.5 });
    w.bc.delete('Sales Line', 'ol-2');
    w.bc.edit('Sales Header', 'ord-1', { Amount: 490, 'Amount Including VAT': 612.5 });
    const r2 = await engine.runMapping(mapping, { only: 'to' });
    expect(r2.to?.modified).toBe(1);
    const after = dvLines(w, so!.id);
    expect(after.map((l) => [l.values.quantity, l.values.extendedamount])).toEqual([[5, 612.5]]);
    expect(w.dv.get('salesorders', so!.id)!.values.totalamount).toBe(612.5);
    expect(new CouplingStore(w.db).byBc(37, 'ol-2')).toBeUndefined();
  });

  it('a submitted Sales order becomes a BC order with its lines (write-in → the S&R write-in item); a rerun writes nothing', async () => {
    const { w, engine } = setup();
    const mapping = orderMapping('bidirectional');
    w.dv.put('salesorders', DV_ORDER, { name: 'Web order 7', ordernumber: 'ORD-01007', customerid: ACCOUNT, customeridtype: 'account', ...ORDER_STATE.submitted, requestdeliveryby: '2026-12-24T00:00:00Z' });
    w.dv.put('salesorderdetails', 'dl-1', { salesorderid: DV_ORDER, lineitemnumber: 1, productid: PRODUCT, quantity: 3, priceperunit: 90, manualdiscountamount: 0 });
    w.dv.put('salesorderdetails', 'dl-2', { salesorderid: DV_ORDER, lineitemnumber: 2, productid: null, isproductoverridden: true, productdescription: 'Installation on site', quantity: 1, priceperunit: 500 });
    const r = await engine.runMapping(mapping, { only: 'from', ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.from!.id)).toEqual([]);
    expect(r.from?.inserted).toBe(1);
    const [order] = w.bc.all('Sales Header');
    expect(order!.values).toMatchObject({ 'Sell-to Customer No.': 'C1', 'External Document No.': 'ORD-01007', 'Requested Delivery Date': '2026-12-24' });
    const lines = bcLines(w, order!.id);
    expect(lines.map((l) => l.id).sort()).toEqual([idFromKey('d365ic:salesline', 'dl-1'), idFromKey('d365ic:salesline', 'dl-2')].sort());
    expect(lines.map((l) => [l.values.Type, l.values['No.'], l.values.Quantity, l.values['Unit Price'], l.values.Description]).sort()).toEqual([
      ['Item', 'I1', 3, 90, 'Bike'], ['Item', 'WRITEIN', 1, 500, 'Installation on site'],
    ]);
    const calls = w.bc.writeCalls.length;
    await engine.runMapping(mapping, { only: 'from', ignoreSynchOnlyCoupled: true });
    expect(w.bc.writeCalls.length).toBe(calls);

    // Sales changes a quantity: only that line's Quantity goes to BC.
    w.dv.edit('salesorderdetails', 'dl-1', { quantity: 4 });
    w.dv.edit('salesorders', DV_ORDER, { description: 'changed' });
    await engine.runMapping(mapping, { only: 'from', ignoreSynchOnlyCoupled: true });
    const lineWrite = w.bc.writeCalls.filter((c) => c.entity === 'Sales Line').at(-1)!;
    expect(lineWrite.ops).toEqual([{ kind: 'update', id: idFromKey('d365ic:salesline', 'dl-1'), values: { Quantity: 4 }, validate: [] }]);
  });

  it('round trip: an order made in Sales and released in BC comes back onto the same Sales lines (no duplicates)', async () => {
    const { w, engine } = setup();
    const mapping = orderMapping('bidirectional');
    w.dv.put('salesorders', DV_ORDER, { name: 'Web order 7', customerid: ACCOUNT, customeridtype: 'account', ...ORDER_STATE.submitted });
    w.dv.put('salesorderdetails', 'dl-1', { salesorderid: DV_ORDER, lineitemnumber: 1, productid: PRODUCT, quantity: 3, priceperunit: 90 });
    w.dv.put('salesorderdetails', 'dl-2', { salesorderid: DV_ORDER, lineitemnumber: 2, isproductoverridden: true, productdescription: 'Setup', quantity: 1, priceperunit: 50 });
    await engine.runMapping(mapping, { only: 'from', ignoreSynchOnlyCoupled: true });
    const [order] = w.bc.all('Sales Header');
    // BC releases the order and computes the amounts; the next run sends it back to Sales.
    for (const l of bcLines(w, order!.id)) {
      const net = Number(l.values.Quantity) * Number(l.values['Unit Price']);
      w.bc.edit('Sales Line', l.id, { 'Line No.': l.id === idFromKey('d365ic:salesline', 'dl-1') ? 10000 : 20000, Amount: net, 'Amount Including VAT': net * 1.25 });
    }
    w.bc.edit('Sales Header', order!.id, { 'Document Type': 'Order', 'No.': 'S-ORD7', Status: 'Released', Amount: 320, 'Amount Including VAT': 400 });
    const r = await engine.runMapping(mapping, { only: 'to' });
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    expect(r.to?.modified).toBe(1);
    const lines = dvLines(w, DV_ORDER).sort((a, b) => a.id.localeCompare(b.id));
    expect(lines.map((l) => l.id)).toEqual(['dl-1', 'dl-2']);
    expect(lines.map((l) => l.values.extendedamount)).toEqual([337.5, 62.5]);
    expect(w.dv.get('salesorders', DV_ORDER)!.values).toMatchObject({ totalamount: 400, name: 'Web order 7' });
  });

  it('a BC line refused on the first try fails the order; the next run re-pushes the lines without duplicates', async () => {
    const { w, engine } = setup();
    const mapping = orderMapping('bidirectional');
    w.dv.put('salesorders', DV_ORDER, { name: 'Web order 7', customerid: ACCOUNT, customeridtype: 'account', ...ORDER_STATE.submitted });
    w.dv.put('salesorderdetails', 'dl-1', { salesorderid: DV_ORDER, lineitemnumber: 1, productid: PRODUCT, quantity: 3, priceperunit: 90 });
    w.dv.put('salesorderdetails', 'dl-2', { salesorderid: DV_ORDER, lineitemnumber: 2, productid: PRODUCT, quantity: 1, priceperunit: 90 });
    w.bc.failOn.set(idFromKey('d365ic:salesline', 'dl-2'), "Blocked must be equal to 'No' in Item: No.=I1.");
    const r = await engine.runMapping(mapping, { only: 'from', ignoreSynchOnlyCoupled: true });
    expect(r.from?.failed).toBe(1);
    expect(engine.log.errors(r.from!.id)[0]?.message).toContain("Business Central refused line 2 of sales order Web order 7: Blocked must be equal to 'No'");
    const [order] = w.bc.all('Sales Header');
    expect(bcLines(w, order!.id)).toHaveLength(1);
    w.bc.failOn.clear();
    const r2 = await engine.runMapping(mapping, { only: 'from' });
    expect(r2.from?.failed).toBe(0);
    expect(w.bc.all('Sales Header')).toHaveLength(1);
    expect(bcLines(w, order!.id).map((l) => l.id).sort()).toEqual([idFromKey('d365ic:salesline', 'dl-1'), idFromKey('d365ic:salesline', 'dl-2')].sort());
  });

  it('refuses a write-in line when no write-in product is set up, and a customer that is not a coupled account', async () => {
    const { w, engine } = setup({ writeInProduct: null });
    const mapping = orderMapping('bidirectional');
    w.dv.put('salesorders', DV_ORDER, { name: 'Web order 8', customerid: ACCOUNT, customeridtype: 'account', ...ORDER_STATE.submitted });
    w.dv.put('salesorderdetails', 'dl-9', { salesorderid: DV_ORDER, productdescription: 'Consulting', isproductoverridden: true, quantity: 1 });
    const r = await engine.runMapping(mapping, { only: 'from', ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.from!.id)[0]?.message).toContain('is a write-in product, but no write-in product is set up in Business Central');
    expect(w.bc.all('Sales Header')).toHaveLength(0);
    w.dv.put('salesorders', 'eeeeeeee-0000-4000-8000-000000000002', { name: 'Contact order', customerid: 'cccccccc-0000-4000-8000-000000000001', customeridtype: 'contact', ...ORDER_STATE.submitted });
    const r2 = await engine.runMapping(mapping, { only: 'from', ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r2.from!.id).map((e) => e.message).join('\n')).toContain('The customer of Sales order "Contact order" must be an account coupled to a Business Central customer');
  });

  it('legacy and bidirectional are mutually exclusive: a mapping of the other mode is refused with what to do', async () => {
    const { w, engine } = setup({ salesOrderMode: 'legacy' });
    w.dv.put('salesorders', DV_ORDER, { name: 'Web order', customerid: ACCOUNT, ...ORDER_STATE.submitted });
    const r = await engine.runMapping(orderMapping('bidirectional'), { only: 'from', ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.from!.id)[0]?.message).toContain('Sales order integration is set to legacy mode, but the SALESORDER-ORDER mapping is bidirectional');
    await expect(createSalesOrdersFromSubmitted({ ...setup().deps })).rejects.toThrow(/legacy sales order integration, which is not turned on/);
  });
});

describe('legacy sales orders', () => {
  it('creates a BC order from a submitted Sales order once (DV name → External Document No., long text → Comment lines)', async () => {
    const { w, deps } = setup({ salesOrderMode: 'legacy' });
    const long = `Special build: ${'x'.repeat(150)}`;
    w.dv.put('salesorders', DV_ORDER, { name: 'Web order 9 for the spring campaign with a long name', customerid: ACCOUNT, customeridtype: 'account', ...ORDER_STATE.submitted, shipto_city: 'Bergen', transactioncurrencyid: NOK });
    w.dv.put('salesorderdetails', 'dl-1', { salesorderid: DV_ORDER, lineitemnumber: 1, productid: PRODUCT, quantity: 2, priceperunit: 100 });
    w.dv.put('salesorderdetails', 'dl-2', { salesorderid: DV_ORDER, lineitemnumber: 2, isproductoverridden: true, productdescription: long, quantity: 1, priceperunit: 10 });
    w.dv.put('salesorders', 'eeeeeeee-0000-4000-8000-000000000003', { name: 'Draft', customerid: ACCOUNT, ...ORDER_STATE.active });
    const r = await createSalesOrdersFromSubmitted(deps);
    expect(r.failures).toEqual([]);
    expect(r.created.map((c) => c.dvId)).toEqual([DV_ORDER]);
    const [order] = w.bc.all('Sales Header');
    expect(order!.id).toBe(idFromKey('d365ic:salesorder', DV_ORDER));
    expect(order!.values).toMatchObject({ 'Sell-to Customer No.': 'C1', 'External Document No.': 'Web order 9 for the spring campaign', 'Currency Code': '', 'Ship-to City': 'Bergen' });
    const lines = bcLines(w, order!.id);
    expect(lines.map((l) => [l.values.Type, l.values.Description])).toEqual([
      ['Item', 'Bike'], ['Item', long.slice(0, 100)], ['Comment', long.slice(100)],
    ]);
    const again = await createSalesOrdersFromSubmitted(deps);
    expect(again).toEqual({ created: [], failures: [] });
    expect(w.bc.all('Sales Header')).toHaveLength(1);
  });

  it('after BC posted the order, the Sales order is Fulfilled and the coupling is gone (legacy); kept in bidirectional mode', async () => {
    for (const mode of ['legacy', 'bidirectional'] as const) {
      const { w, deps } = setup({ salesOrderMode: mode });
      w.dv.put('salesorders', DV_ORDER, { name: 'Web order', ...ORDER_STATE.submitted });
      w.dv.put('salesorderdetails', 'dl-1', { salesorderid: DV_ORDER, productid: PRODUCT, quantity: 1 });
      w.bc.put('Sales Header', 'ord-9', { 'No.': 'S-ORD9' });
      deps.couplings.insert({ tableId: 36, dvEntity: 'salesorder', bcId: 'ord-9', dvId: DV_ORDER });
      deps.couplings.insert({ tableId: 37, dvEntity: 'salesorderdetail', bcId: 'ol-9', dvId: 'dl-1' });
      expect(await settlePostedOrders(deps)).toEqual({ settled: 0, failures: [] });
      w.bc.delete('Sales Header', 'ord-9');
      expect(await settlePostedOrders(deps)).toEqual({ settled: 1, failures: [] });
      expect(w.dv.get('salesorders', DV_ORDER)!.values).toMatchObject(ORDER_STATE.fulfilled);
      expect(deps.couplings.byDv(36, DV_ORDER) === undefined).toBe(mode === 'legacy');
      expect(deps.couplings.byDv(37, 'dl-1') === undefined).toBe(mode === 'legacy');
    }
  });

  it('the legacy To mapping updates orders created from Sales and refuses BC-only orders', async () => {
    const { w, deps, engine } = setup({ salesOrderMode: 'legacy' });
    const mapping = orderMapping('legacy');
    w.bc.put('Sales Header', 'ord-1', { 'Document Type': 'Order', 'No.': 'S-ORD1', 'Sell-to Customer No.': 'C1', Status: 'Released', Amount: 100, 'Amount Including VAT': 125 });
    w.dv.put('salesorders', DV_ORDER, { name: 'Web order', ...ORDER_STATE.submitted });
    deps.couplings.insert({ tableId: 36, dvEntity: 'salesorder', bcId: 'ord-1', dvId: DV_ORDER });
    w.bc.put('Sales Header', 'ord-2', { 'Document Type': 'Order', 'No.': 'S-ORD2', 'Sell-to Customer No.': 'C1', Status: 'Released' });
    const r = await engine.runMapping(mapping, { ignoreSynchOnlyCoupled: true });
    expect(r.to?.modified).toBe(1);
    expect(w.dv.get('salesorders', DV_ORDER)!.values).toMatchObject({ ordernumber: 'S-ORD1', totalamount: 125, customerid: ACCOUNT });
    expect(engine.log.errors(r.to!.id)[0]?.message).toContain('Sales order S-ORD2 was not created from Dynamics 365 Sales');
  });
});
