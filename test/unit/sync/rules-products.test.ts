/**
 * Items / resources → products with the in-memory sides (reference §E.9): product type, currency, units, the default
 * price list and one price-list row per unit kept in sync, unit-group guards, Blocked ↔ state.
 */
import { describe, expect, it } from 'vitest';
import core from '../../../main/db/migrations/0001_core';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import type { RuleDeps, RuleSettings } from '../../../main/integrations/sales/sync/rules/index';
import { DEFAULT_PRICE_LIST_SETTING, rememberedDefaultPriceList } from '../../../main/integrations/sales/sync/rules/pricelists';
import { makeProductRules, priceRowId, PRODUCT_STATE, PRODUCT_TYPE } from '../../../main/integrations/sales/sync/rules/products';
import { unitGroupRules, unitGroupUomImplicitMatch } from '../../../main/integrations/sales/sync/rules/unitgroups';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import { world, type World } from './fakes';

const NOK = '11111111-0000-4000-8000-00000000000a';
const EUR = '11111111-0000-4000-8000-00000000000b';
const SCHED = 'aaaaaaaa-0000-4000-8000-000000000001';
const SCHED_2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const UOM_PCS = 'bbbbbbbb-0000-4000-8000-000000000001';
const UOM_BOX = 'bbbbbbbb-0000-4000-8000-000000000002';
const UOM_HOUR = 'bbbbbbbb-0000-4000-8000-000000000003';

/** Field mappings the product rules do not own (vendor lookups) are left out, as adapterMappings does. */
function productMapping(name: 'ITEM-PRODUCT' | 'RESOURCE-PRODUCT', unitGroups: boolean): TableMapping {
  const m = defaultMappings({ unitGroups }).find((x) => x.name === name)!;
  return { ...m, fields: m.fields.filter((f) => f.dataverseField !== 'vendorid' && f.dataverseField !== 'vendorpartnumber') };
}

interface Setup {
  w: World;
  deps: RuleDeps;
  couplings: CouplingStore;
  run(mapping: TableMapping, o?: { only?: 'to' | 'from' }): ReturnType<World['engine']['runMapping']>;
}

function setup(settings: Partial<RuleSettings> = {}): Setup {
  const w = world();
  w.db.exec(core.sql);
  const couplings = new CouplingStore(w.db, w.clock.now);
  const deps: RuleDeps = {
    db: w.db, clock: { now: w.clock.now }, sides: { bc: w.bc, dataverse: w.dv }, couplings,
    settings: { ownershipModel: 'person', lcyCode: 'NOK', unitGroupMapping: true, ...settings },
  };
  w.dv.put('transactioncurrencies', NOK, { isocurrencycode: 'NOK', currencyname: 'Krone' });
  w.dv.put('transactioncurrencies', EUR, { isocurrencycode: 'EUR', currencyname: 'Euro' });
  const engine = w.newEngine({ rules: makeProductRules()(deps) });
  return { w, deps, couplings, run: (mapping, o = {}) => engine.runMapping(mapping, { ignoreSynchOnlyCoupled: true, ...(o.only ? { only: o.only } : {}) }) };
}

/** An item with its own unit group (coupled to SCHED) and units PCS (base) and BOX (12) coupled to uoms. */
function itemWithUnits(s: Setup, o: { id?: string; no?: string; price?: number; inventory?: number; sched?: string; blocked?: boolean } = {}): string {
  const id = o.id ?? 'item-1';
  const no = o.no ?? 'I1';
  s.w.bc.put('Item', id, { 'No.': no, Description: `Bike ${no}`, 'Unit Price': o.price ?? 100, 'Unit Cost': 50, Inventory: o.inventory ?? 4, 'Base Unit of Measure': 'PCS', Blocked: o.blocked ?? false });
  s.w.bc.put('Unit Group', `ug-${id}`, { 'Source Type': 'Item', 'Source No.': no, 'Source Id': id, Code: `ITEM UNIT GROUP ${no}` });
  s.couplings.insert({ tableId: 5400, dvEntity: 'uomschedule', bcId: `ug-${id}`, dvId: o.sched ?? SCHED });
  s.w.bc.put('Item Unit of Measure', `pcs-${id}`, { 'Item No.': no, Code: 'PCS', 'Qty. per Unit of Measure': 1 });
  s.w.bc.put('Item Unit of Measure', `box-${id}`, { 'Item No.': no, Code: 'BOX', 'Qty. per Unit of Measure': 12 });
  if (!s.couplings.byDv(5404, UOM_PCS)) {
    s.couplings.insert({ tableId: 5404, dvEntity: 'uom', bcId: `pcs-${id}`, dvId: UOM_PCS });
    s.couplings.insert({ tableId: 5404, dvEntity: 'uom', bcId: `box-${id}`, dvId: UOM_BOX });
  }
  return id;
}

const productOf = (s: Setup, bcId: string, table = 27) => s.w.dv.get('products', s.couplings.byBc(table, bcId)!.dvId)!;
const lists = (s: Setup) => s.w.dv.all('pricelevels');
const rows = (s: Setup) => s.w.dv.all('productpricelevels');

describe('ITEM-PRODUCT rules (unit-group mode)', () => {
  it('creates the product with type, LCY currency, its unit group and base unit, clamps negatives, and prices every unit in the default list', async () => {
    const s = setup();
    itemWithUnits(s, { inventory: -3, price: 100 });
    const r = await s.run(productMapping('ITEM-PRODUCT', true), { only: 'to' });
    expect(r.to).toMatchObject({ inserted: 1, failed: 0 });
    const p = productOf(s, 'item-1');
    expect(p.values).toMatchObject({
      productnumber: 'I1', name: 'Bike I1', price: 100, quantityonhand: 0, producttypecode: PRODUCT_TYPE.salesInventory, transactioncurrencyid: NOK,
      defaultuomscheduleid: SCHED, defaultuomid: UOM_PCS, quantitydecimal: 2, statecode: PRODUCT_STATE.active,
    });
    // One default list, in NOK, created on a derived id and remembered.
    expect(lists(s)).toHaveLength(1);
    const list = lists(s)[0]!;
    expect(list.values).toMatchObject({ name: 'Business Central Default Price List', transactioncurrencyid: NOK });
    expect(p.values.pricelevelid).toBe(list.id);
    expect(rememberedDefaultPriceList(s.w.db)).toEqual({ id: list.id, name: 'Business Central Default Price List', currencyId: NOK });
    // Dataverse refuses pricelevelid on create: it must have come in a later update, not in the insert.
    const insert = s.w.dv.writeCalls.find((c) => c.entity === 'products' && c.ops[0]?.kind === 'insert')!;
    expect(insert.ops[0]!.kind === 'insert' && insert.ops[0]!.values).not.toHaveProperty('pricelevelid');
    const ppl = rows(s).map((x) => ({ id: x.id, uom: x.values.uomid, amount: x.values.amount })).sort((a, b) => a.amount as number - (b.amount as number));
    expect(ppl).toEqual([
      { id: priceRowId(list.id, p.id, UOM_PCS), uom: UOM_PCS, amount: 100 },
      { id: priceRowId(list.id, p.id, UOM_BOX), uom: UOM_BOX, amount: 1200 },
    ]);
    expect(rows(s)[0]!.values).toMatchObject({ pricelevelid: list.id, productid: p.id, transactioncurrencyid: NOK, pricingmethodcode: 1 });
  });

  it('updates the existing price rows when the price changes, never adds rows, and writes nothing when nothing changed', async () => {
    const s = setup();
    const mapping = productMapping('ITEM-PRODUCT', true);
    itemWithUnits(s);
    await s.run(mapping, { only: 'to' });
    const before = rows(s).map((x) => x.id).sort();
    s.w.bc.edit('Item', 'item-1', { 'Unit Price': 150 });
    const r = await s.run(mapping, { only: 'to' });
    expect(r.to).toMatchObject({ modified: 1, failed: 0 });
    expect(rows(s).map((x) => x.id).sort()).toEqual(before);
    expect(rows(s).map((x) => x.values.amount).sort((a, b) => (a as number) - (b as number))).toEqual([150, 1800]);
    expect(lists(s)).toHaveLength(1);

    const writes = s.w.dv.writeCalls.length;
    const r3 = await s.run(mapping, { only: 'to' });
    expect(r3.to).toMatchObject({ modified: 0, inserted: 0 });
    expect(s.w.dv.writeCalls.length).toBe(writes);
  });

  it('retries a failed price-row write first and never duplicates it', async () => {
    const s = setup();
    const mapping = productMapping('ITEM-PRODUCT', true);
    itemWithUnits(s);
    // The product's id is chosen by the engine: fail every productpricelevel write of the first run.
    const orig = s.w.dv.write.bind(s.w.dv);
    let failRows = true;
    s.w.dv.write = async (entity, ops) => (entity === 'productpricelevels' && failRows ? ops.map(() => ({ ok: false as const, error: 'Price list is locked.' })) : orig(entity, ops));
    const r1 = await s.run(mapping, { only: 'to' });
    expect(r1.to).toMatchObject({ failed: 1 });
    expect(s.w.engine.log.errors(r1.to!.id)[0]?.message).toContain("Updating the product's price in the price list failed: Price list is locked.");
    expect(rows(s)).toHaveLength(0);
    failRows = false;
    const r2 = await s.run(mapping, { only: 'to' });
    expect(r2.to).toMatchObject({ failed: 0, inserted: 0 });
    expect(rows(s)).toHaveLength(2);
    const p = productOf(s, 'item-1');
    expect(p.values.pricelevelid).toBe(lists(s)[0]!.id);
    // A third forced pass rewrites nothing and adds nothing.
    await s.run(mapping, { only: 'to' });
    expect(rows(s)).toHaveLength(2);
  });

  it('refuses to move a product to another unit group, quoting the E.9 procedure', async () => {
    const s = setup();
    const mapping = productMapping('ITEM-PRODUCT', true);
    itemWithUnits(s);
    await s.run(mapping, { only: 'to' });
    const c = s.couplings.byBc(5400, 'ug-item-1')!;
    s.couplings.remove(c.rowId);
    s.couplings.insert({ tableId: 5400, dvEntity: 'uomschedule', bcId: 'ug-item-1', dvId: SCHED_2 });
    s.w.bc.edit('Item', 'item-1', { Description: 'Bike, new group' });
    const r = await s.run(mapping, { only: 'to' });
    expect(r.to?.failed).toBe(1);
    const msg = s.w.engine.log.errors(r.to!.id)[0]!.message;
    expect(msg).toContain('Dynamics 365 Sales cannot change the unit group of a product');
    expect(msg).toContain('restart ITEM-PRODUCT and RESOURCE-PRODUCT');
    expect(productOf(s, 'item-1').values.defaultuomscheduleid).toBe(SCHED);
  });

  it('does not let one unit group back two products', async () => {
    const s = setup();
    // A product made in Sales already uses the group the item's unit group is coupled to.
    s.w.dv.put('products', 'dddddddd-0000-4000-8000-000000000001', { productnumber: 'SALES-1', name: 'Made in Sales', defaultuomscheduleid: SCHED });
    itemWithUnits(s);
    const r = await s.run(productMapping('ITEM-PRODUCT', true), { only: 'to' });
    expect(r.to).toMatchObject({ inserted: 0, failed: 1 });
    const msg = s.w.engine.log.errors(r.to!.id)[0]!.message;
    expect(msg).toContain('already backs the product SALES-1');
    expect(msg).toContain('the same unit group cannot back several products');
    expect(s.w.dv.all('products')).toHaveLength(1);
  });

  it('fails with what to synchronize first when the unit group is not coupled', async () => {
    const s = setup();
    s.w.bc.put('Item', 'item-9', { 'No.': 'I9', Description: 'Loose', 'Unit Price': 5, 'Base Unit of Measure': 'PCS', Blocked: false });
    s.w.bc.put('Unit Group', 'ug-9', { 'Source Type': 'Item', 'Source No.': 'I9', Code: 'ITEM UNIT GROUP I9' });
    const r = await s.run(productMapping('ITEM-PRODUCT', true), { only: 'to' });
    expect(r.to?.failed).toBe(1);
    expect(s.w.engine.log.errors(r.to!.id)[0]!.message).toContain('Synchronize the UNIT GROUP table mapping first');
    expect(s.w.dv.all('products')).toHaveLength(0);
  });

  it('creates a blocked item as a Retired product; later BC changes of Blocked do not touch the state', async () => {
    const s = setup();
    // Blocked items are outside the default Table Filter; a user may widen it (or force a Synchronize Now).
    const mapping = { ...productMapping('ITEM-PRODUCT', true), tableFilter: { conditions: [] } };
    itemWithUnits(s, { blocked: true });
    await s.run(mapping, { only: 'to' });
    expect(productOf(s, 'item-1').values.statecode).toBe(PRODUCT_STATE.retired);
    s.w.bc.edit('Item', 'item-1', { Blocked: false, Description: 'Unblocked' });
    await s.run(mapping, { only: 'to' });
    expect(productOf(s, 'item-1').values).toMatchObject({ name: 'Unblocked', statecode: PRODUCT_STATE.retired });
  });

  it('sets Blocked in BC from the product state on every Dataverse change, and the base unit back as a code', async () => {
    const s = setup();
    // Without the statecode = Active integration filter, so a retired product is selected too.
    const mapping = { ...productMapping('ITEM-PRODUCT', true), integrationTableFilter: { conditions: [], companyScoped: false } };
    itemWithUnits(s);
    s.w.dv.put('uoms', UOM_BOX, { name: 'BOX', uomscheduleid: SCHED, quantity: 12 });
    await s.run(mapping, { only: 'to' });
    const p = productOf(s, 'item-1');
    s.w.dv.edit('products', p.id, { statecode: PRODUCT_STATE.retired, defaultuomid: UOM_BOX });
    const r = await s.run(mapping, { only: 'from' });
    expect(r.from).toMatchObject({ modified: 1, failed: 0 });
    expect(s.w.bc.get('Item', 'item-1')!.values).toMatchObject({ Blocked: true, 'Base Unit of Measure': 'BOX' });
    s.w.dv.edit('products', p.id, { statecode: PRODUCT_STATE.active, name: 'Back in stock' });
    await s.run(mapping, { only: 'from' });
    expect(s.w.bc.get('Item', 'item-1')!.values).toMatchObject({ Blocked: false, Description: 'Back in stock' });
  });

  it('does not report our own follow-up update of a new product as a Sales change (no false update conflict)', async () => {
    const s = setup();
    const mapping = productMapping('ITEM-PRODUCT', true);
    itemWithUnits(s);
    await s.run(mapping);
    s.w.bc.edit('Item', 'item-1', { Description: 'Renamed in BC' });
    const r = await s.run(mapping);
    expect(r.to).toMatchObject({ modified: 1, failed: 0 });
    expect(productOf(s, 'item-1').values.name).toBe('Renamed in BC');
  });
});

describe('default price list', () => {
  it('uses "<product> <LCY> Default Price List" when the plain name is taken in another currency, and reuses an existing LCY list', async () => {
    const s = setup({ productName: 'Business Central' });
    s.w.dv.put('pricelevels', 'cccccccc-0000-4000-8000-000000000001', { name: 'Business Central Default Price List', transactioncurrencyid: EUR });
    itemWithUnits(s);
    await s.run(productMapping('ITEM-PRODUCT', true), { only: 'to' });
    const names = lists(s).map((l) => `${String(l.values.name)}:${String(l.values.transactioncurrencyid)}`).sort();
    expect(names).toEqual([`Business Central Default Price List:${EUR}`, `Business Central NOK Default Price List:${NOK}`]);

    // A second engine (new process) with the remembered id forgotten finds the same list instead of making another.
    s.w.db.prepare('DELETE FROM settings WHERE key = ?').run(DEFAULT_PRICE_LIST_SETTING);
    const s2engine = s.w.newEngine({ rules: makeProductRules()(s.deps) });
    s.w.bc.edit('Item', 'item-1', { 'Unit Price': 120 });
    const r = await s2engine.runMapping(productMapping('ITEM-PRODUCT', true), { only: 'to' });
    expect(s2engine.log.errors(r.to!.id)).toEqual([]);
    expect(r.to?.modified).toBe(1);
    expect(lists(s)).toHaveLength(2);
    expect(rememberedDefaultPriceList(s.w.db)?.name).toBe('Business Central NOK Default Price List');
  });

  it('fails the records with a clear message when the LCY currency is missing in Sales', async () => {
    const s = setup({ lcyCode: 'DKK' });
    itemWithUnits(s);
    const r = await s.run(productMapping('ITEM-PRODUCT', true), { only: 'to' });
    expect(r.to?.failed).toBe(1);
    expect(s.w.engine.log.errors(r.to!.id)[0]!.message).toContain('no currency with ISO code DKK');
  });
});

describe('RESOURCE-PRODUCT and legacy units', () => {
  it('makes resources Services products priced per unit of their unit group', async () => {
    const s = setup();
    s.w.bc.put('Resource', 'res-1', { 'No.': 'R1', Name: 'Fitter', 'Unit Price': 900, 'Unit Cost': 450, Capacity: 37.5, 'Base Unit of Measure': 'HOUR', Blocked: false });
    s.w.bc.put('Unit Group', 'ug-r1', { 'Source Type': 'Resource', 'Source No.': 'R1', Code: 'RESOURCE UNIT GROUP R1' });
    s.couplings.insert({ tableId: 5400, dvEntity: 'uomschedule', bcId: 'ug-r1', dvId: SCHED_2 });
    s.w.bc.put('Resource Unit of Measure', 'ru-h', { 'Resource No.': 'R1', Code: 'HOUR', 'Qty. per Unit of Measure': 1 });
    s.couplings.insert({ tableId: 205, dvEntity: 'uom', bcId: 'ru-h', dvId: UOM_HOUR });
    const r = await s.run(productMapping('RESOURCE-PRODUCT', true), { only: 'to' });
    expect(r.to).toMatchObject({ inserted: 1, failed: 0 });
    const p = productOf(s, 'res-1', 156);
    expect(p.values).toMatchObject({ producttypecode: PRODUCT_TYPE.services, quantityonhand: 37.5, defaultuomscheduleid: SCHED_2, defaultuomid: UOM_HOUR });
    expect(rows(s).map((x) => x.values.amount)).toEqual([900]);
  });

  it('legacy mode: the "NAV <CODE>" group and one price row at the product price', async () => {
    const s = setup({ unitGroupMapping: false });
    s.w.dv.put('uomschedules', SCHED, { name: 'NAV PCS', baseuomname: 'PCS', statecode: 0 });
    s.w.dv.put('uoms', UOM_PCS, { name: 'PCS', uomscheduleid: SCHED, quantity: 1, isschedulebaseuom: true });
    s.w.bc.put('Item', 'item-1', { 'No.': 'I1', Description: 'Bike', 'Unit Price': -5, Inventory: 2, 'Base Unit of Measure': 'pcs', Blocked: false });
    const r = await s.run(productMapping('ITEM-PRODUCT', false), { only: 'to' });
    expect(r.to).toMatchObject({ inserted: 1, failed: 0 });
    const p = productOf(s, 'item-1');
    expect(p.values).toMatchObject({ defaultuomscheduleid: SCHED, defaultuomid: UOM_PCS, price: 0 });
    expect(rows(s).map((x) => x.values)).toEqual([expect.objectContaining({ uomid: UOM_PCS, uomscheduleid: SCHED, amount: 0 })]);
  });

  it('legacy mode: a missing NAV group fails the record with what to synchronize', async () => {
    const s = setup({ unitGroupMapping: false });
    s.w.bc.put('Item', 'item-1', { 'No.': 'I1', Description: 'Bike', 'Unit Price': 5, 'Base Unit of Measure': 'KG', Blocked: false });
    const r = await s.run(productMapping('ITEM-PRODUCT', false), { only: 'to' });
    expect(r.to?.failed).toBe(1);
    expect(s.w.engine.log.errors(r.to!.id)[0]!.message).toContain("Cannot find the unit group 'NAV KG'");
  });
});

describe('unit-group mode: UNIT GROUP, ITEM UOM', () => {
  function uomWorld(implicit: boolean) {
    const s = setup();
    const engine = s.w.newEngine({
      rules: unitGroupRules(s.deps),
      ...(implicit ? { implicitMatch: (m: TableMapping, dir: 'to' | 'from', row: Row) => unitGroupUomImplicitMatch(s.deps, m, dir, row) } : {}),
    });
    const run = (name: string) => engine.runMapping(defaultMappings({ unitGroups: true }).find((m) => m.name === name)!, { ignoreSynchOnlyCoupled: true, only: 'to' });
    s.w.bc.put('Item', 'item-1', { 'No.': 'I1', Description: 'Bike', 'Base Unit of Measure': 'PCS' });
    s.w.bc.put('Unit Group', 'ug-1', { 'Source Type': 'Item', 'Source No.': 'I1', 'Source Id': 'item-1', Code: 'ITEM UNIT GROUP I1' });
    s.w.bc.put('Item Unit of Measure', 'iu-box', { 'Item No.': 'I1', Code: 'BOX', 'Qty. per Unit of Measure': 12 });
    s.w.bc.put('Item Unit of Measure', 'iu-pcs', { 'Item No.': 'I1', Code: 'PCS', 'Qty. per Unit of Measure': 1 });
    return { s, engine, run };
  }

  it('names the group after the BC unit group with its base unit, couples the base unit and points the others at it', async () => {
    const { s, engine, run } = uomWorld(true);
    const g = await run('UNIT GROUP');
    expect(g.to).toMatchObject({ inserted: 1, failed: 0 });
    const [sched] = s.w.dv.all('uomschedules');
    expect(sched!.values).toMatchObject({ name: 'ITEM UNIT GROUP I1', baseuomname: 'PCS' });
    // The group's base unit exists right away (as Dataverse creates it with the group), once even when re-run.
    await engine.runMapping(defaultMappings({ unitGroups: true }).find((m) => m.name === 'UNIT GROUP')!, { ignoreSynchOnlyCoupled: true, only: 'to', force: true, ids: ['ug-1'] });
    expect(s.w.dv.all('uoms').map((u) => u.values.name)).toEqual(['PCS']);

    const u = await run('ITEM UOM');
    expect(engine.log.errors(u.to!.id)).toEqual([]);
    expect(u.to).toMatchObject({ inserted: 1, coupled: 1, failed: 0 });
    const pcs = s.w.dv.all('uoms').find((x) => x.values.name === 'PCS')!;
    const box = s.w.dv.all('uoms').find((x) => x.values.name === 'BOX')!;
    expect(s.couplings.byBc(5404, 'iu-pcs')?.dvId).toBe(pcs.id);
    expect(pcs.values).toMatchObject({ uomscheduleid: sched!.id, quantity: 1, isschedulebaseuom: true });
    expect(box.values).toMatchObject({ uomscheduleid: sched!.id, quantity: 12, baseuom: pcs.id, isschedulebaseuom: false });
    expect(s.w.dv.all('uoms')).toHaveLength(2);
  });

  it('without the implicit match, refuses to create a unit that is already in the group (couple it instead)', async () => {
    const { s, engine, run } = uomWorld(false);
    await run('UNIT GROUP');
    const r = await run('ITEM UOM');
    const msgs = engine.log.errors(r.to!.id).map((e) => e.message);
    expect(msgs).toEqual([expect.stringContaining('Unit PCS already exists in Dynamics 365 Sales unit group ITEM UNIT GROUP I1. Couple it')]);
    expect(s.w.dv.all('uoms').map((x) => x.values.name).sort()).toEqual(['BOX', 'PCS']);
  });
});
