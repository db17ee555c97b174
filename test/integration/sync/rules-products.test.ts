/**
 * Items / resources → products against the sandbox over real HTTP (unit-group mode, the default): UNIT GROUP and
 * ITEM UOM / RESOURCE UOM first, then ITEM-PRODUCT / RESOURCE-PRODUCT with the default price list and one price-list
 * row per unit kept in sync, and Blocked back from the product state.
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
import { priceListRules } from '../../../main/integrations/sales/sync/rules/pricelists';
import { PRODUCT_STATE, PRODUCT_TYPE, productRules } from '../../../main/integrations/sales/sync/rules/products';
import { unitGroupRules, unitGroupUomImplicitMatch } from '../../../main/integrations/sales/sync/rules/unitgroups';
import { tempDir } from '../../support/app';

const tmp = tempDir('d365ic-rules-products-');
let sb: Sandbox;
let c: ConnectedSides;
let engine: SyncEngine;
let deps: RuleDeps;
const mappings = new Map<string, TableMapping>();
const ALL = { conditions: [] } as never;

async function all(side: ConnectedSides['bc'] | ConnectedSides['dataverse'], entity: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const p of side.queryModified(entity, { filter: ALL, since: null, pageSize: 5000 })) out.push(...p);
  return out;
}
const run = (name: string, ids: string[], o: { only?: 'to' | 'from'; force?: boolean } = {}) =>
  engine.runMapping(mappings.get(name)!, { ignoreSynchOnlyCoupled: true, ids, only: o.only ?? 'to', ...(o.force ? { force: true } : {}) });

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 'demo' });
  c = await connectSandbox(sb.info, { retryBaseMs: 20 });
  for (const m of adapterMappings({ unitGroups: true }, ['ITEM-PRODUCT', ...PRODUCT_MAPPINGS], { withRules: true })) mappings.set(m.name, m);
  const { db } = openDatabase(`${tmp.dir}/p.sqlite`);
  deps = { db, clock: { now: () => Date.now() }, sides: c.sides, couplings: new CouplingStore(db), settings: { ownershipModel: 'person', lcyCode: 'NOK', unitGroupMapping: true } };
  const modules = [unitGroupRules(deps), productRules(deps), priceListRules(deps)];
  engine = new SyncEngine(db, c.sides, { now: () => Date.now() }, {
    integrationUserId: c.integrationUserId, retryDelayMs: 20,
    rules: (m) => combineRules(...modules.map((f) => f(m))),
    implicitMatch: (m, dir, row) => unitGroupUomImplicitMatch(deps, m, dir, row),
  });
}, 30_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

describe('products against the sandbox (unit-group mode)', () => {
  it('creates unit groups, units and products with the default price list and a price row per unit; a price change updates the rows', async () => {
    const existing = new Set((await all(c.dataverse, 'products')).map((p) => p.values.productnumber));
    const items = (await all(c.bc, 'Item')).filter((i) => i.values.Blocked === false && i.values.Type === 'Inventory' && !existing.has(i.values['No.'])).slice(0, 3);
    expect(items).toHaveLength(3);
    const nos = new Set(items.map((i) => i.values['No.']));
    const groups = (await all(c.bc, 'Unit Group')).filter((g) => g.values['Source Type'] === 'Item' && nos.has(g.values['Source No.']));
    const units = (await all(c.bc, 'Item Unit of Measure')).filter((u) => nos.has(u.values['Item No.']));
    expect(groups).toHaveLength(3);

    const g = await run('UNIT GROUP', groups.map((x) => x.id));
    expect(engine.log.errors(g.to!.id)).toEqual([]);
    const u = await run('ITEM UOM', units.map((x) => x.id));
    expect(engine.log.errors(u.to!.id)).toEqual([]);
    // The base units were made with their groups and coupled, not created twice.
    expect(u.to?.coupled).toBe(3);
    const p = await run('ITEM-PRODUCT', items.map((x) => x.id));
    expect(engine.log.errors(p.to!.id)).toEqual([]);
    expect(p.to?.inserted).toBe(3);

    const list = (await c.dataverse.findMatches('pricelevels', [{ field: 'name', value: 'Business Central Default Price List', caseSensitive: false }], ALL, 5));
    expect(list).toHaveLength(1);
    expect(list[0]!.values.transactioncurrencyid).toBe(CURRENCY_IDS.NOK.toLowerCase());
    for (const item of items) {
      const productId = deps.couplings.byBc(27, item.id)!.dvId;
      const product = (await c.dataverse.getByIds('products', [productId]))[0]!;
      const group = deps.couplings.byBc(5400, groups.find((x) => x.values['Source No.'] === item.values['No.'])!.id)!.dvId;
      expect(product.values).toMatchObject({
        producttypecode: PRODUCT_TYPE.salesInventory, transactioncurrencyid: CURRENCY_IDS.NOK.toLowerCase(), defaultuomscheduleid: group,
        pricelevelid: list[0]!.id, statecode: PRODUCT_STATE.active, price: item.values['Unit Price'],
      });
      const own = units.filter((x) => x.values['Item No.'] === item.values['No.']);
      const rows = await c.dataverse.findMatches('productpricelevels', [{ field: 'productid', value: productId, caseSensitive: false }], ALL, 50);
      expect(rows.map((r) => r.values.amount).sort((a, b) => Number(a) - Number(b)))
        .toEqual(own.map((x) => Math.round(Number(item.values['Unit Price']) * Number(x.values['Qty. per Unit of Measure']) * 10_000) / 10_000).sort((a, b) => a - b));
      const base = own.find((x) => x.values.Code === item.values['Base Unit of Measure'])!;
      expect(product.values.defaultuomid).toBe(deps.couplings.byBc(5404, base.id)!.dvId);
    }

    // Price change in BC → the same rows get the new amounts.
    const first = items[0]!;
    const [w] = await c.bc.write('Item', [{ kind: 'update', id: first.id, values: { 'Unit Price': 1234.5 }, validate: [] }]);
    expect(w?.ok).toBe(true);
    const productId = deps.couplings.byBc(27, first.id)!.dvId;
    const before = (await c.dataverse.findMatches('productpricelevels', [{ field: 'productid', value: productId, caseSensitive: false }], ALL, 50)).map((r) => r.id).sort();
    const p2 = await run('ITEM-PRODUCT', [first.id]);
    expect(engine.log.errors(p2.to!.id)).toEqual([]);
    expect(p2.to?.modified).toBe(1);
    const after = await c.dataverse.findMatches('productpricelevels', [{ field: 'productid', value: productId, caseSensitive: false }], ALL, 50);
    expect(after.map((r) => r.id).sort()).toEqual(before);
    expect(after.map((r) => r.values.amount)).toContain(1234.5);
    expect((await c.dataverse.getByIds('products', [productId]))[0]!.values.price).toBe(1234.5);

    // Retired in Sales → Blocked in BC (DV → BC always sets Blocked from the state).
    const [retire] = await c.dataverse.write('products', [{ kind: 'update', id: productId, values: { statecode: PRODUCT_STATE.retired }, validate: [] }]);
    expect(retire?.ok).toBe(true);
    // The default Integration Table Filter selects Active products only; a user who wants retirements in BC drops that condition.
    const m = mappings.get('ITEM-PRODUCT')!;
    const widened = { ...m, integrationTableFilter: { ...m.integrationTableFilter, conditions: m.integrationTableFilter.conditions.filter((x) => x.attribute !== 'statecode') } };
    const back = await engine.runMapping(widened, { ids: [productId], only: 'from', force: true });
    expect(engine.log.errors(back.from!.id)).toEqual([]);
    expect((await c.bc.getByIds('Item', [first.id]))[0]!.values.Blocked).toBe(true);
  }, 30_000);

  it('makes resources Services products (RESOURCE-PRODUCT through the companion API)', async () => {
    const res = (await all(c.bc, 'Resource')).filter((r) => r.values.Blocked === false).slice(0, 1);
    const no = res[0]!.values['No.'];
    const group = (await all(c.bc, 'Unit Group')).filter((g) => g.values['Source Type'] === 'Resource' && g.values['Source No.'] === no);
    const units = (await all(c.bc, 'Resource Unit of Measure')).filter((u) => u.values['Resource No.'] === no);
    expect(engine.log.errors((await run('UNIT GROUP', group.map((x) => x.id))).to!.id)).toEqual([]);
    expect(engine.log.errors((await run('RESOURCE UOM', units.map((x) => x.id))).to!.id)).toEqual([]);
    const r = await run('RESOURCE-PRODUCT', res.map((x) => x.id));
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    const product = (await c.dataverse.getByIds('products', [deps.couplings.byBc(156, res[0]!.id)!.dvId]))[0]!;
    expect(product.values).toMatchObject({ producttypecode: PRODUCT_TYPE.services, productnumber: no, quantityonhand: res[0]!.values.Capacity });
    const rows = await c.dataverse.findMatches('productpricelevels', [{ field: 'productid', value: product.id, caseSensitive: false }], ALL, 50);
    expect(rows).toHaveLength(units.length);
  }, 20_000);
});
