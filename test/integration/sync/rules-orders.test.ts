/**
 * Sales orders against the sandbox over HTTP: bidirectional (a released BC order → a submitted Sales order with its
 * lines; a submitted Sales order → a BC order with its lines, write-ins on the write-in item) and legacy (a submitted
 * Sales order → a BC order; once BC posted it, the Sales order is fulfilled and the coupling removed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusinessCentralClient } from '../../../main/clients/bc';
import type { BcRow } from '../../../main/clients/bc';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import { combineRules } from '../../../main/integrations/sales/sync/engine/hooks';
import type { RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import { createSalesOrdersFromSubmitted, ORDER_MAPPING, ORDER_STATE, orderRules, settlePostedOrders } from '../../../main/integrations/sales/sync/rules/orders';
import { tempDir } from '../../support/app';
import { coupleNew, engineWith, startDocSandbox, type DocSandbox } from './documents-support';

const tmp = tempDir('d365ic-rules-orders-');
let sb: DocSandbox;
let v2: BusinessCentralClient;
let company: string;
let customer: BcRow;
let items: BcRow[];
beforeAll(async () => {
  sb = await startDocSandbox(tmp.dir);
  v2 = (sb.c.bc as unknown as { v2: BusinessCentralClient }).v2;
  company = sb.bc.companyId;
  const released = await v2.listAll(company, 'salesOrders', { filter: "status eq 'Released' and currencyCode eq ''" as never, top: 1 });
  customer = (await v2.listAll(company, 'customers', { filter: `number eq '${String(released[0]!.customerNumber)}'` as never }))[0]!;
  items = await v2.listAll(company, 'items', { filter: 'blocked eq false' as never });
}, 30_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

const OTHER_RULES = new Set(['ownerid', 'owneridtype', 'transactioncurrencyid', 'paymenttermscode']);
const mappingFor = (orders: 'legacy' | 'bidirectional') => {
  const m = adapterMappings({ orders }, [ORDER_MAPPING])[0]!;
  return { ...m, fields: m.fields.filter((f) => !OTHER_RULES.has(f.dataverseField ?? '')) };
};
const ACCOUNT = '5d000000-0000-4000-8000-000000000001';
const productId = (k: number) => `5e000000-0000-4000-8000-${String(k).padStart(12, '0')}`;

/** Couples the customer and every item (fresh Dataverse rows) in this engine's database. */
async function coupleMasterData(deps: RuleDeps): Promise<void> {
  await coupleNew(sb, deps, 18, 'accounts', 'account', String(customer.id), ACCOUNT, { name: String(customer.displayName) }).catch(async () => {
    // The account exists from an earlier test in this file: couple only.
    deps.couplings.insert({ tableId: 18, dvEntity: 'account', bcId: String(customer.id), dvId: ACCOUNT });
  });
  for (const [k, it] of items.entries()) {
    const id = productId(k + 1);
    const [r] = await sb.c.dataverse.write('products', [{ kind: 'insert', id, values: { name: String(it.displayName), productnumber: `O-${String(it.number)}` }, idempotencyKey: id, validate: [], template: null }]);
    expect(r?.ok).toBe(true);
    deps.couplings.insert({ tableId: 27, dvEntity: 'product', bcId: String(it.id), dvId: id });
  }
}

const dvLinesOf = (order: string) => sb.c.dataverse.findMatches('salesorderdetails', [{ field: 'salesorderid', value: order, caseSensitive: false }], { conditions: [], companyScoped: false }, 100);

describe('sales orders (sandbox)', () => {
  it('bidirectional: released BC order → submitted Sales order with lines; submitted Sales order → BC order with lines', async () => {
    const writeIn = items[items.length - 1]!;
    const { engine, deps } = engineWith(`${tmp.dir}/bidi.sqlite`, sb, (d) => (m) => combineRules(orderRules(d)(m)),
      { salesOrderMode: 'bidirectional', writeInProduct: { type: 'Item', no: String(writeIn.number) } });
    await coupleMasterData(deps);
    const mapping = mappingFor('bidirectional');

    const released = await v2.listAll(company, 'salesOrders', { filter: `status eq 'Released' and customerNumber eq '${String(customer.number)}'` as never, top: 1, expand: 'salesOrderLines' } as never);
    const bcOrder = released[0]! as BcRow & { salesOrderLines: BcRow[] };
    const r = await engine.runMapping(mapping, { only: 'to', ids: [String(bcOrder.id)], ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    const dvId = deps.couplings.byBc(36, String(bcOrder.id))!.dvId;
    const [so] = await sb.c.dataverse.getByIds('salesorders', [dvId]);
    expect(so!.values).toMatchObject({ name: bcOrder.number, customerid: ACCOUNT, ...ORDER_STATE.submitted, totalamount: bcOrder.totalAmountIncludingTax });
    const itemLines = bcOrder.salesOrderLines.filter((l) => l.lineType === 'Item');
    const lines = await dvLinesOf(dvId);
    expect(lines).toHaveLength(itemLines.length);
    expect(lines.map((l) => l.values.extendedamount).sort()).toEqual(itemLines.map((l) => l.amountIncludingTax).sort());

    // A submitted Sales order with a product line and a write-in line.
    const dvOrder = '5f000000-0000-4000-8000-000000000001';
    const [h] = await sb.c.dataverse.write('salesorders', [{ kind: 'insert', id: dvOrder, idempotencyKey: dvOrder, validate: [], template: null,
      values: { name: 'Nettbestilling 42', ordernumber: 'ORD-42', customerid: ACCOUNT, customeridtype: 'account', ...ORDER_STATE.submitted } }]);
    expect(h?.ok).toBe(true);
    const [l1, l2] = await sb.c.dataverse.write('salesorderdetails', [
      { kind: 'insert', id: '5f000000-0000-4000-8000-000000000011', idempotencyKey: 'l1', validate: [], template: null, values: { salesorderid: dvOrder, productid: productId(1), quantity: 3, priceperunit: 120, lineitemnumber: 1 } },
      { kind: 'insert', id: '5f000000-0000-4000-8000-000000000012', idempotencyKey: 'l2', validate: [], template: null, values: { salesorderid: dvOrder, isproductoverridden: true, productdescription: 'Montering', quantity: 2, priceperunit: 450, lineitemnumber: 2 } },
    ]);
    expect(l1?.ok && l2?.ok).toBe(true);
    const r2 = await engine.runMapping(mapping, { only: 'from', ids: [dvOrder], ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r2.from!.id)).toEqual([]);
    const bcId = deps.couplings.byDv(36, dvOrder)!.bcId!;
    const made = await v2.get<BcRow & { salesOrderLines: BcRow[] }>(company, 'salesOrders', bcId, { expand: 'salesOrderLines' });
    expect(made).toMatchObject({ customerNumber: customer.number, externalDocumentNumber: 'ORD-42' });
    expect(made.salesOrderLines.map((l) => [l.lineObjectNumber, l.quantity, l.unitPrice, l.description]).sort()).toEqual([
      [items[0]!.number, 3, 120, items[0]!.displayName], [writeIn.number, 2, 450, 'Montering'],
    ].sort());
    // Running again changes nothing in BC.
    await engine.runMapping(mapping, { only: 'from', ids: [dvOrder] });
    const again = await v2.get<BcRow & { salesOrderLines: BcRow[] }>(company, 'salesOrders', bcId, { expand: 'salesOrderLines' });
    expect(again.salesOrderLines).toHaveLength(2);
  }, 30_000);

  it('legacy: a submitted Sales order becomes a BC order once; after BC posted it, the Sales order is fulfilled and uncoupled', async () => {
    const { deps } = engineWith(`${tmp.dir}/legacy.sqlite`, sb, (d) => (m) => combineRules(orderRules(d)(m)), { salesOrderMode: 'legacy' });
    await coupleMasterData(deps);
    const dvOrder = '5f000000-0000-4000-8000-000000000002';
    await sb.c.dataverse.write('salesorders', [{ kind: 'insert', id: dvOrder, idempotencyKey: dvOrder, validate: [], template: null,
      values: { name: 'Telefonordre 7', customerid: ACCOUNT, customeridtype: 'account', ...ORDER_STATE.submitted } }]);
    await sb.c.dataverse.write('salesorderdetails', [{ kind: 'insert', id: '5f000000-0000-4000-8000-000000000021', idempotencyKey: 'l3', validate: [], template: null,
      values: { salesorderid: dvOrder, productid: productId(2), quantity: 1, priceperunit: 99 } }]);
    const r = await createSalesOrdersFromSubmitted(deps, { ids: [dvOrder] });
    expect(r.failures).toEqual([]);
    const bcId = r.created[0]!.bcId;
    const made = await v2.get<BcRow & { salesOrderLines: BcRow[] }>(company, 'salesOrders', bcId, { expand: 'salesOrderLines' });
    expect(made).toMatchObject({ externalDocumentNumber: 'Telefonordre 7', customerNumber: customer.number });
    expect(made.salesOrderLines.map((l) => [l.lineObjectNumber, l.quantity, l.unitPrice])).toEqual([[items[1]!.number, 1, 99]]);
    expect(await createSalesOrdersFromSubmitted(deps, { ids: [dvOrder] })).toEqual({ created: [], failures: [] });

    // BC ships and invoices the order: it is posted and gone from the order list.
    const [posted] = await v2.batch([{ method: 'POST', url: `${v2.entityUrl(company, 'salesOrders', bcId)}/Microsoft.NAV.shipAndInvoice` }]);
    expect(posted!.status).toBe(204);
    expect(await settlePostedOrders(deps)).toEqual({ settled: 1, failures: [] });
    expect((await sb.c.dataverse.getByIds('salesorders', [dvOrder]))[0]!.values).toMatchObject(ORDER_STATE.fulfilled);
    expect(deps.couplings.byDv(36, dvOrder)).toBeUndefined();
  }, 30_000);
});
