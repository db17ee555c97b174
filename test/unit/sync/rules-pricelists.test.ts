/**
 * Price lists with the in-memory sides (reference §E.9, §C.4): customer price groups / price list headers →
 * pricelevels, sales prices / price list lines → productpricelevels with coupled lookups, currency price lists.
 */
import { describe, expect, it } from 'vitest';
import core from '../../../main/db/migrations/0001_core';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import type { MappingOptions, TableMapping } from '../../../preload/contract/sales/mapping-model';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import type { RuleDeps, RuleSettings } from '../../../main/integrations/sales/sync/rules/index';
import { clearDefaultPriceList, dvDate, priceListForCurrency, priceListRules, rememberedDefaultPriceList } from '../../../main/integrations/sales/sync/rules/pricelists';
import { world, type World } from './fakes';

const NOK = '11111111-0000-4000-8000-00000000000a';
const EUR = '11111111-0000-4000-8000-00000000000b';
const PRODUCT = 'cccccccc-0000-4000-8000-000000000001';
const UOM_PCS = 'bbbbbbbb-0000-4000-8000-000000000001';
const SCHED_PCS = 'aaaaaaaa-0000-4000-8000-000000000001';

interface Setup {
  w: World;
  deps: RuleDeps;
  couplings: CouplingStore;
  run(mapping: TableMapping): ReturnType<World['engine']['runMapping']>;
  errors(jobId: string): string[];
}

function setup(settings: Partial<RuleSettings> = {}): Setup {
  const w = world();
  w.db.exec(core.sql);
  const couplings = new CouplingStore(w.db, w.clock.now);
  const deps: RuleDeps = {
    db: w.db, clock: { now: w.clock.now }, sides: { bc: w.bc, dataverse: w.dv }, couplings,
    settings: { ownershipModel: 'person', lcyCode: 'NOK', unitGroupMapping: true, ...settings },
  };
  w.dv.put('transactioncurrencies', NOK, { isocurrencycode: 'NOK' });
  w.dv.put('transactioncurrencies', EUR, { isocurrencycode: 'EUR' });
  w.bc.put('Currency', 'cur-eur', { Code: 'EUR', Description: 'Euro' });
  couplings.insert({ tableId: 4, dvEntity: 'transactioncurrency', bcId: 'cur-eur', dvId: EUR });
  w.bc.put('Item', 'item-1', { 'No.': 'I1', Description: 'Bike', 'Base Unit of Measure': 'PCS' });
  couplings.insert({ tableId: 27, dvEntity: 'product', bcId: 'item-1', dvId: PRODUCT });
  w.bc.put('Item Unit of Measure', 'iu-pcs', { 'Item No.': 'I1', Code: 'PCS', 'Qty. per Unit of Measure': 1 });
  couplings.insert({ tableId: 5404, dvEntity: 'uom', bcId: 'iu-pcs', dvId: UOM_PCS });
  const engine = w.newEngine({ rules: priceListRules(deps) });
  return {
    w, deps, couplings,
    run: (mapping) => engine.runMapping(mapping, { ignoreSynchOnlyCoupled: true, only: 'to' }),
    errors: (jobId) => engine.log.errors(jobId).map((e) => e.message),
  };
}

const mapping = (name: string, o: Partial<MappingOptions> = {}) => defaultMappings(o).find((m) => m.name === name)!;

describe('legacy pricing: CUSTPRCGRP-PRICE and SALESPRC-PRODPRICE', () => {
  it('makes a price list per customer price group in LCY and prices its items with coupled product, unit and currency', async () => {
    const s = setup({ companyId: 'eeeeeeee-0000-4000-8000-000000000001' });
    s.w.bc.put('Customer Price Group', 'cpg-1', { Code: 'RETAIL', Description: 'Retail' });
    const r1 = await s.run(mapping('CUSTPRCGRP-PRICE'));
    expect(r1.to).toMatchObject({ inserted: 1, failed: 0 });
    const [list] = s.w.dv.all('pricelevels');
    expect(list!.values).toMatchObject({ name: 'RETAIL', transactioncurrencyid: NOK, bcbi_companyid: 'eeeeeeee-0000-4000-8000-000000000001' });

    s.w.bc.put('Sales Price', 'sp-1', { 'Item No.': 'I1', 'Sales Type': 'Customer Price Group', 'Sales Code': 'RETAIL', 'Currency Code': '', 'Unit Price': 95.5, 'Unit of Measure Code': 'PCS' });
    // Not a customer price group price: outside the mapping's table filter.
    s.w.bc.put('Sales Price', 'sp-2', { 'Item No.': 'I1', 'Sales Type': 'Customer', 'Sales Code': 'C1', 'Currency Code': '', 'Unit Price': 90 });
    const r2 = await s.run(mapping('SALESPRC-PRODPRICE'));
    expect(s.errors(r2.to!.id)).toEqual([]);
    expect(r2.to).toMatchObject({ inserted: 1, failed: 0 });
    const [row] = s.w.dv.all('productpricelevels');
    expect(row!.values).toMatchObject({
      pricelevelid: list!.id, productid: PRODUCT, productnumber: 'I1', transactioncurrencyid: NOK, uomid: UOM_PCS, amount: 95.5, pricingmethodcode: 1,
    });

    // A price change updates the same row; a negative price becomes 0.
    s.w.bc.edit('Sales Price', 'sp-1', { 'Unit Price': -1 });
    const r3 = await s.run(mapping('SALESPRC-PRODPRICE'));
    expect(r3.to).toMatchObject({ modified: 1, inserted: 0 });
    expect(s.w.dv.all('productpricelevels').map((x) => x.values.amount)).toEqual([0]);
  });

  it('says which mapping to synchronize first when the group or the item is not coupled', async () => {
    const s = setup();
    s.w.bc.put('Customer Price Group', 'cpg-1', { Code: 'RETAIL' });
    s.w.bc.put('Sales Price', 'sp-1', { 'Item No.': 'I1', 'Sales Type': 'Customer Price Group', 'Sales Code': 'RETAIL', 'Unit Price': 10, 'Unit of Measure Code': 'PCS' });
    const r1 = await s.run(mapping('SALESPRC-PRODPRICE'));
    expect(s.errors(r1.to!.id)).toEqual(['Customer price group RETAIL is not coupled to a Dynamics 365 Sales record. Synchronize CUSTPRCGRP-PRICE first.']);
    await s.run(mapping('CUSTPRCGRP-PRICE'));
    s.w.bc.put('Sales Price', 'sp-2', { 'Item No.': 'I2', 'Sales Type': 'Customer Price Group', 'Sales Code': 'RETAIL', 'Unit Price': 10 });
    s.w.bc.put('Item', 'item-2', { 'No.': 'I2', Description: 'Helmet' });
    const r2 = await s.run(mapping('SALESPRC-PRODPRICE'));
    expect(s.errors(r2.to!.id)).toContain('Item I2 is not coupled to a Dynamics 365 Sales record. Synchronize ITEM-PRODUCT first.');
    expect(s.w.dv.all('productpricelevels')).toHaveLength(1);
  });

  it('refuses a price whose currency is not the price list currency', async () => {
    const s = setup();
    s.w.bc.put('Customer Price Group', 'cpg-1', { Code: 'RETAIL' });
    await s.run(mapping('CUSTPRCGRP-PRICE'));
    s.w.bc.put('Sales Price', 'sp-1', { 'Item No.': 'I1', 'Sales Type': 'Customer Price Group', 'Sales Code': 'RETAIL', 'Currency Code': 'EUR', 'Unit Price': 9, 'Unit of Measure Code': 'PCS' });
    const r = await s.run(mapping('SALESPRC-PRODPRICE'));
    expect(r.to?.failed).toBe(1);
    expect(s.errors(r.to!.id)[0]).toContain('A Sales price list holds one currency');
  });
});

describe('extended pricing: PLHEADER-PRICE and PLLINE-PRODPRICE', () => {
  it('makes a price list in the coupled currency with its dates, and its lines (legacy units: the NAV group)', async () => {
    const s = setup({ unitGroupMapping: false });
    s.w.dv.put('uomschedules', SCHED_PCS, { name: 'NAV PCS', statecode: 0 });
    s.w.dv.put('uoms', UOM_PCS, { name: 'PCS', uomscheduleid: SCHED_PCS, quantity: 1 });
    s.w.bc.put('Price List Header', 'plh-1', {
      Code: 'S00003', Description: 'Euro prices', 'Price Type': 'Sale', 'Amount Type': 'Price', 'Currency Code': 'EUR', 'Starting Date': '2026-01-01', 'Ending Date': '0001-01-01',
    });
    const r1 = await s.run(mapping('PLHEADER-PRICE', { pricing: 'pricelists', unitGroups: false }));
    expect(s.errors(r1.to!.id)).toEqual([]);
    const [list] = s.w.dv.all('pricelevels');
    expect(list!.values).toMatchObject({ name: 'S00003', description: 'Euro prices', transactioncurrencyid: EUR, begindate: '2026-01-01T00:00:00Z', enddate: null });

    s.w.bc.put('Price List Line', 'pll-1', {
      'Price List Code': 'S00003', 'Asset Type': 'Item', 'Asset No.': 'I1', 'Unit of Measure Code': 'PCS', 'Currency Code': 'EUR', 'Minimum Quantity': 0, 'Unit Price': 8.7,
      'Price Type': 'Sale', 'Amount Type': 'Price',
    });
    const r2 = await s.run(mapping('PLLINE-PRODPRICE', { pricing: 'pricelists', unitGroups: false }));
    expect(s.errors(r2.to!.id)).toEqual([]);
    expect(s.w.dv.all('productpricelevels')[0]!.values).toMatchObject({ pricelevelid: list!.id, productid: PRODUCT, uomid: UOM_PCS, uomscheduleid: SCHED_PCS, transactioncurrencyid: EUR, amount: 8.7 });
  });

  it('fails a header whose currency is not coupled, naming the CURRENCY mapping', async () => {
    const s = setup();
    s.w.bc.put('Currency', 'cur-usd', { Code: 'USD' });
    s.w.bc.put('Price List Header', 'plh-2', { Code: 'S00009', 'Price Type': 'Sale', 'Amount Type': 'Price', 'Currency Code': 'USD' });
    const r = await s.run(mapping('PLHEADER-PRICE', { pricing: 'pricelists' }));
    expect(s.errors(r.to!.id)).toEqual(['The currency USD is not coupled to a Dynamics 365 Sales currency. Synchronize the CURRENCY table mapping first (it is a dependency of this mapping).']);
  });
});

describe('price lists by currency', () => {
  it('gives the default list for LCY and one "Price List in <CUR>" per foreign currency, created once', async () => {
    const s = setup();
    const lcy = await priceListForCurrency(s.deps, '');
    expect(lcy).toMatchObject({ name: 'Business Central Default Price List', currencyId: NOK });
    expect(await priceListForCurrency(s.deps, 'nok')).toEqual(lcy);
    const eur = await priceListForCurrency(s.deps, 'EUR');
    expect(eur).toMatchObject({ name: 'Price List in EUR', currencyId: EUR });
    clearDefaultPriceList(s.w.db);
    expect(rememberedDefaultPriceList(s.w.db)).toBeNull();
    // A new engine run (fresh caches) finds the same lists.
    const again = priceListRules(s.deps);
    again(mapping('CUSTPRCGRP-PRICE'));
    expect(await priceListForCurrency(s.deps, 'EUR')).toEqual(eur);
    expect((await priceListForCurrency(s.deps, '')).id).toBe(lcy.id);
    expect(s.w.dv.all('pricelevels').map((l) => l.values.name).sort()).toEqual(['Business Central Default Price List', 'Price List in EUR']);
  });

  it('does not keep a remembered list that no longer fits the product name, and finds a deleted one missing', async () => {
    const s = setup();
    const first = await priceListForCurrency(s.deps, '');
    const renamed: RuleDeps = { ...s.deps, settings: { ...s.deps.settings, productName: 'Dynamics 365 Business Central' } };
    const second = await priceListForCurrency(renamed, '');
    expect(second.name).toBe('Dynamics 365 Business Central Default Price List');
    expect(second.id).not.toBe(first.id);
    expect(rememberedDefaultPriceList(s.w.db)?.id).toBe(second.id);
    // Deleted in Sales: made again on the same derived id (nothing else points at a stale id).
    s.w.dv.delete('pricelevels', second.id);
    const fresh: RuleDeps = { ...renamed };
    expect((await priceListForCurrency(fresh, '')).id).toBe(second.id);
    expect(s.w.dv.get('pricelevels', second.id)?.values).toMatchObject({ name: 'Dynamics 365 Business Central Default Price List', transactioncurrencyid: NOK });
  });

  it('turns BC dates into Dataverse dates and the empty date into null', () => {
    expect(dvDate('2026-03-01')).toBe('2026-03-01T00:00:00Z');
    expect(dvDate('0001-01-01')).toBeNull();
    expect(dvDate('')).toBeNull();
  });
});
