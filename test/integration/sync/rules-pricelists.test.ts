/**
 * Price lists against the sandbox over real HTTP: customer price groups and sales prices (legacy pricing), price list
 * headers and lines (extended pricing, one list in EUR through the CURRENCY coupling), and "Price List in <CUR>".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import { startSandbox, type Sandbox } from '../../../main/sandbox/index';
import { CURRENCY_IDS } from '../../../main/sandbox/dataverse/seed';
import { PRODUCT_MAPPINGS, adapterMappings, type ConnectedSides, connectSandbox } from '../../../main/integrations/sales/sync/adapters/connect';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import { combineRules } from '../../../main/integrations/sales/sync/engine/hooks';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import type { RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import { priceListForCurrency, priceListRules } from '../../../main/integrations/sales/sync/rules/pricelists';
import { productRules } from '../../../main/integrations/sales/sync/rules/products';
import { unitGroupRules, unitGroupUomImplicitMatch } from '../../../main/integrations/sales/sync/rules/unitgroups';
import { tempDir } from '../../support/app';

const tmp = tempDir('d365ic-rules-prices-');
let sb: Sandbox;
let c: ConnectedSides;
let engine: SyncEngine;
let deps: RuleDeps;
const mappings = new Map<string, TableMapping>();
const ALL = { conditions: [] } as never;
const NOK = CURRENCY_IDS.NOK.toLowerCase();
const EUR = CURRENCY_IDS.EUR.toLowerCase();
/** Items (numbers) synced as products for the price tests. */
let items: Row[] = [];

async function all(side: ConnectedSides['bc'] | ConnectedSides['dataverse'], entity: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const p of side.queryModified(entity, { filter: ALL, since: null, pageSize: 5000 })) out.push(...p);
  return out;
}
async function run(name: string, ids: string[]): Promise<{ errors: string[]; inserted: number; failed: number }> {
  const r = await engine.runMapping(mappings.get(name)!, { ignoreSynchOnlyCoupled: true, ids, only: 'to' });
  return { errors: engine.log.errors(r.to!.id).map((e) => e.message), inserted: r.to!.inserted, failed: r.to!.failed };
}

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 'demo' });
  c = await connectSandbox(sb.info, { retryBaseMs: 20 });
  // Both pricing modes' mappings (legacy and extended), unit-group mode.
  for (const pricing of ['legacy', 'pricelists'] as const)
    for (const m of adapterMappings({ unitGroups: true, pricing }, ['ITEM-PRODUCT', ...PRODUCT_MAPPINGS], { withRules: true })) mappings.set(m.name, m);
  const { db } = openDatabase(`${tmp.dir}/p.sqlite`);
  deps = { db, clock: { now: () => Date.now() }, sides: c.sides, couplings: new CouplingStore(db), settings: { ownershipModel: 'person', lcyCode: 'NOK', unitGroupMapping: true } };
  const modules = [unitGroupRules(deps), productRules(deps), priceListRules(deps)];
  engine = new SyncEngine(db, c.sides, { now: () => Date.now() }, {
    integrationUserId: c.integrationUserId, retryDelayMs: 20,
    rules: (m) => combineRules(...modules.map((f) => f(m))),
    implicitMatch: (m, dir, row) => unitGroupUomImplicitMatch(deps, m, dir, row),
  });

  // CURRENCY coupling for EUR (the CURRENCY mapping's job; made directly here).
  const eurBc = (await c.bc.findMatches('Currency', [{ field: 'Code', value: 'EUR', caseSensitive: false }], ALL, 1))[0]!;
  deps.couplings.insert({ tableId: 4, dvEntity: 'transactioncurrency', bcId: eurBc.id, dvId: EUR });

  // Two items that have legacy sales prices and no product in Sales yet, as products with their units.
  const existing = new Set((await all(c.dataverse, 'products')).map((p) => p.values.productnumber));
  const salesPrices = await all(c.bc, 'Sales Price');
  const priced = new Set(salesPrices.map((s) => s.values['Item No.']));
  const inEur = new Set(salesPrices.filter((s) => s.values['Currency Code'] === 'EUR').map((s) => s.values['Item No.']));
  const candidates = (await all(c.bc, 'Item')).filter((i) => i.values.Blocked === false && priced.has(i.values['No.']) && !existing.has(i.values['No.']));
  // One item with a price in EUR (refused on a NOK list), one without.
  items = [candidates.find((i) => inEur.has(i.values['No.']))!, candidates.find((i) => !inEur.has(i.values['No.']))!];
  const nos = new Set(items.map((i) => i.values['No.']));
  const groups = (await all(c.bc, 'Unit Group')).filter((g) => g.values['Source Type'] === 'Item' && nos.has(g.values['Source No.']));
  const units = (await all(c.bc, 'Item Unit of Measure')).filter((u) => nos.has(u.values['Item No.']));
  for (const [name, ids] of [['UNIT GROUP', groups], ['ITEM UOM', units], ['ITEM-PRODUCT', items]] as const) {
    const r = await run(name, ids.map((x) => x.id));
    if (r.errors.length) throw new Error(`${name}: ${r.errors.join('; ')}`);
  }
}, 40_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

describe('price lists against the sandbox', () => {
  it('legacy pricing: a price list per customer price group and its item prices; prices in another currency are refused', async () => {
    const cpg = await all(c.bc, 'Customer Price Group');
    const g = await run('CUSTPRCGRP-PRICE', cpg.map((x) => x.id));
    expect(g.errors).toEqual([]);
    expect(g.inserted).toBe(cpg.length);
    const lists = new Map<string, string>();
    for (const grp of cpg) {
      const dv = (await c.dataverse.getByIds('pricelevels', [deps.couplings.byBc(6, grp.id)!.dvId]))[0]!;
      expect(dv.values).toMatchObject({ name: grp.values.Code, transactioncurrencyid: NOK });
      lists.set(String(grp.values.Code), dv.id);
    }

    const nos = new Set(items.map((i) => i.values['No.']));
    const prices = (await all(c.bc, 'Sales Price')).filter((s) => nos.has(s.values['Item No.']));
    const r = await run('SALESPRC-PRODPRICE', prices.map((x) => x.id));
    const foreign = prices.filter((p) => p.values['Currency Code'] !== '');
    expect(foreign.length).toBeGreaterThan(0);
    expect(r.inserted).toBe(prices.length - foreign.length);
    expect(r.errors).toHaveLength(foreign.length);
    for (const e of r.errors) expect(e).toContain('A Sales price list holds one currency');
    for (const p of prices.filter((x) => x.values['Currency Code'] === '')) {
      const item = items.find((i) => i.values['No.'] === p.values['Item No.'])!;
      const row = (await c.dataverse.getByIds('productpricelevels', [deps.couplings.byBc(7002, p.id)!.dvId]))[0]!;
      expect(row.values).toMatchObject({
        pricelevelid: lists.get(String(p.values['Sales Code'])), productid: deps.couplings.byBc(27, item.id)!.dvId, amount: p.values['Unit Price'],
        transactioncurrencyid: NOK, pricingmethodcode: 1,
      });
      expect(row.values.uomid).toBeTruthy();
    }
  }, 20_000);

  it('extended pricing: price list headers in their coupled currency, and their lines', async () => {
    const headers = (await all(c.bc, 'Price List Header')).filter((h) => h.values.Code === 'S00001' || h.values.Code === 'S00003');
    const h = await run('PLHEADER-PRICE', headers.map((x) => x.id));
    expect(h.errors).toEqual([]);
    for (const hd of headers) {
      const dv = (await c.dataverse.getByIds('pricelevels', [deps.couplings.byBc(7000, hd.id)!.dvId]))[0]!;
      expect(dv.values).toMatchObject({ name: hd.values.Code, description: hd.values.Description, transactioncurrencyid: hd.values['Currency Code'] === 'EUR' ? EUR : NOK });
      expect(String(dv.values.begindate)).toMatch(/^2026-01-01/);
    }
    const nos = new Set(items.map((i) => i.values['No.']));
    const lines = (await all(c.bc, 'Price List Line')).filter((l) => nos.has(l.values['Asset No.']) && (l.values['Price List Code'] === 'S00001' || l.values['Price List Code'] === 'S00003'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const r = await run('PLLINE-PRODPRICE', lines.map((x) => x.id));
    expect(r.errors).toEqual([]);
    expect(r.inserted).toBe(lines.length);
    const eurLine = lines.find((l) => l.values['Price List Code'] === 'S00003')!;
    const row = (await c.dataverse.getByIds('productpricelevels', [deps.couplings.byBc(7001, eurLine.id)!.dvId]))[0]!;
    expect(row.values).toMatchObject({ transactioncurrencyid: EUR, amount: eurLine.values['Unit Price'] });
  }, 20_000);

  it('"Price List in EUR" is created once in the coupled currency; LCY documents use the default list', async () => {
    const eur = await priceListForCurrency(deps, 'EUR');
    expect(eur).toMatchObject({ name: 'Price List in EUR', currencyId: EUR });
    const lcy = await priceListForCurrency(deps, '');
    expect(lcy.name).toBe('Business Central Default Price List');
    const found = await c.dataverse.findMatches('pricelevels', [{ field: 'name', value: 'Price List in EUR', caseSensitive: false }], ALL, 5);
    expect(found.map((f) => [f.id, f.values.transactioncurrencyid])).toEqual([[eur.id, EUR]]);
  });
});
