/**
 * Items and resources → products (reference §E.9, §C.4 ITEM-PRODUCT / RESOURCE-PRODUCT), as BC's CRM integration
 * subscribers do them:
 *
 * BC → Dataverse (prepare): producttypecode Sales Inventory (items) / Services (resources); price and quantity on
 * hand never negative; transactioncurrencyid = the LCY currency; defaultuomscheduleid / defaultuomid from the unit
 * rules (legacy "NAV <CODE>" group, or in unit-group mode the item's own coupled unit group and base unit); on
 * modify pricelevelid = the default price list. The unit group of an existing product never changes (Sales refuses
 * it; the message says the E.9 procedure), and in unit-group mode one unit group never backs two products.
 * BC → Dataverse (afterWrite): one productpricelevel per unit of the product's unit group in the default price list
 * (amount = price × unit quantity; legacy: one row at the price) upserted on ids derived from (list, product, unit)
 * or onto the row already there, so a retry never duplicates and a price change updates the rows; after an insert
 * the product gets its default price list and its state (Retired when the item is blocked) — Dataverse does not take
 * pricelevelid on create.
 * Dataverse → BC (prepare): Blocked = (statecode ≠ Active), always; the base unit of measure back as a BC code.
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { idFromKey } from '../adapters/common';
import type { PassDirection } from '../coupling/store';
import type { MappingRules, RuleContext, WrittenRecord } from '../engine/hooks';
import { setIfChanged } from '../engine/hooks';
import { SideError, type Row, type WriteOp } from '../ports';
import type { RuleDeps, RuleModule } from './types';
import { defaultPriceList, lcyCurrencyId, PRICING_CURRENCY_AMOUNT, resetPass, RuleFailure, TABLE } from './pricelists';
import { productUnitGroup, resetUnitPass, type ProductUnits } from './unitgroups';
import type { UnitGroupRef } from './units';

export const PRODUCT_TYPE = { salesInventory: 1, services: 3 } as const;
export const PRODUCT_STATE = { active: 0, retired: 1 } as const;
const NS = 'd365ic:product-prices';
const NO_FILTER = { conditions: [] } as never;

type Kind = 'item' | 'resource';
function kindOf(m: TableMapping): Kind | null {
  if (m.dataverseEntitySet !== 'products') return null;
  return m.bcTable === 'Item' ? 'item' : m.bcTable === 'Resource' ? 'resource' : null;
}

/** Rounds money to 2 decimals without binary noise (Dataverse money keeps 4; BC prices are rounded to 2–5). */
const money = (n: number) => Math.round(n * 10_000) / 10_000;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v ?? 0) || 0);
const nonNegative = (v: unknown) => Math.max(0, num(v));
const guidOf = (v: unknown) => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);
const failMessage = (x: unknown) => (x instanceof Error ? x.message : String(x));

/** Id of the productpricelevel of (price list, product, unit): derived, so a retry upserts the same row. */
export const priceRowId = (listId: string, productId: string, uomId: string): string => idFromKey(NS, `${listId.toLowerCase()}|${productId.toLowerCase()}|${uomId.toLowerCase()}`);

/** The E.9 procedure, quoted whenever a product's unit group would have to change. */
export const UNIT_GROUP_PROCEDURE = 'Dynamics 365 Sales cannot change the unit group of a product. To move products to another unit group ' +
  '(or switch unit-group mapping on or off): uncouple the items and resources, rename or retire the old products in Sales, run a full ' +
  'synchronization of UNIT GROUP, ITEM UOM and RESOURCE UOM (or UNIT OF MEASURE), then restart ITEM-PRODUCT and RESOURCE-PRODUCT so new products are created.';

/** Resolves the Dataverse unit group / units of a product (legacy rule or unit-group mode). Injectable for tests. */
export type UnitResolver = (deps: RuleDeps, kind: Kind, source: Row, legacyCache?: Map<string, Promise<UnitGroupRef | { error: string }>>) => Promise<ProductUnits>;

export interface ProductRuleOptions {
  units?: UnitResolver;
}

class ProductPass {
  /** Units resolved per BC SystemId for this pass (prefetched in beforeBatch, read by prepare and afterWrite). */
  private readonly units = new Map<string, Promise<ProductUnits>>();
  /** Products already on a unit group, per uomschedule id (the "one group, one product" check on inserts). */
  private readonly groupUsers = new Map<string, Promise<Row[]>>();
  /** Legacy "NAV <CODE>" lookups, one per code per pass. */
  readonly legacyCache = new Map<string, Promise<UnitGroupRef | { error: string }>>();
  constructor(private readonly deps: RuleDeps, private readonly kind: Kind, private readonly resolve: UnitResolver) {}

  private unitsOf(source: Row): Promise<ProductUnits> {
    let hit = this.units.get(source.id);
    if (!hit) {
      hit = this.resolve(this.deps, this.kind, source, this.legacyCache);
      // Settled here so an unawaited prefetch never surfaces as an unhandled rejection; callers still see the error.
      hit.catch(() => undefined);
      this.units.set(source.id, hit);
    }
    return hit;
  }

  private usersOf(scheduleId: string): Promise<Row[]> {
    let hit = this.groupUsers.get(scheduleId);
    if (!hit) {
      hit = this.deps.sides.dataverse.findMatches('products', [{ field: 'defaultuomscheduleid', value: scheduleId, caseSensitive: false }], NO_FILTER, 5);
      hit.catch(() => undefined);
      this.groupUsers.set(scheduleId, hit);
    }
    return hit;
  }

  /**
   * The engine decides the rows of a batch one after the other; the lookups behind `prepare` (unit group, units,
   * products on the group) are started here for the whole batch at once, so they overlap under the adapters'
   * concurrency limiters instead of costing one round trip after another per product.
   */
  prefetch(dir: PassDirection, rows: readonly Row[]): void {
    if (dir !== 'to') return;
    const tableId = this.kind === 'item' ? TABLE.item : TABLE.resource;
    for (const r of rows) {
      const u = this.unitsOf(r);
      const c = this.deps.couplings.byBc(tableId, r.id);
      if (this.deps.settings.unitGroupMapping && (!c || c.pending)) u.then((x) => this.usersOf(x.scheduleId), () => undefined);
    }
  }

  async prepareTo(ctx: RuleContext, values: Record<string, unknown>): Promise<string | null> {
    const d = this.deps;
    const v = ctx.source.values;
    const no = String(v['No.'] ?? '');
    // Clamp before comparing with the destination: a negative BC price over a product at 0 is "unchanged".
    if ('price' in values) setIfChanged(values, ctx.dest, 'price', nonNegative(values.price));
    if ('quantityonhand' in values) setIfChanged(values, ctx.dest, 'quantityonhand', nonNegative(values.quantityonhand));
    setIfChanged(values, ctx.dest, 'producttypecode', this.kind === 'item' ? PRODUCT_TYPE.salesInventory : PRODUCT_TYPE.services);
    setIfChanged(values, ctx.dest, 'transactioncurrencyid', await lcyCurrencyId(d));

    const u = await this.unitsOf(ctx.source);
    const current = ctx.dest ? guidOf(ctx.dest.values.defaultuomscheduleid) : null;
    if (current && current !== u.scheduleId) {
      return `The ${this.kind} ${no} now belongs to unit group ${u.scheduleName ?? u.scheduleId} in Dynamics 365 Sales, but its product uses another unit group. ${UNIT_GROUP_PROCEDURE}`;
    }
    if (!current && d.settings.unitGroupMapping) {
      // "The same unit group cannot back several products" (E.9): another product already on this group blocks the insert.
      const self = ctx.dest?.id ?? ctx.coupling?.dvId ?? null;
      const users = await this.usersOf(u.scheduleId);
      const other = users.find((r) => r.id.toLowerCase() !== self?.toLowerCase());
      if (other) {
        return `The unit group ${u.scheduleName ?? u.scheduleId} already backs the product ${String(other.values.productnumber ?? other.id)} in Dynamics 365 Sales; ` +
          `the same unit group cannot back several products. Give ${this.kind} ${no} its own unit group (or uncouple the other product), then synchronize again.`;
      }
    }
    setIfChanged(values, ctx.dest, 'defaultuomscheduleid', u.scheduleId);
    setIfChanged(values, ctx.dest, 'defaultuomid', u.baseUomId);

    if (ctx.dest) {
      setIfChanged(values, ctx.dest, 'pricelevelid', (await defaultPriceList(d)).id);
    } else {
      // Dataverse does not take pricelevelid on create: set after the insert (afterWrite), with the state.
      delete values.pricelevelid;
      delete values.statecode;
      values.quantitydecimal = 2;
      if (d.settings.companyId) values.bcbi_companyid = d.settings.companyId.toLowerCase();
    }
    return null;
  }

  /** Dataverse → BC: Blocked from the state (always), the default unit back as a BC unit-of-measure code. */
  async prepareFrom(ctx: RuleContext, values: Record<string, unknown>): Promise<string | null> {
    const v = ctx.source.values;
    if (v.statecode !== undefined && v.statecode !== null) setIfChanged(values, ctx.dest, 'Blocked', num(v.statecode) !== PRODUCT_STATE.active);
    if (!('Base Unit of Measure' in values)) return null;
    const raw = values['Base Unit of Measure'];
    const id = guidOf(raw);
    if (!id) {
      delete values['Base Unit of Measure'];
      return null;
    }
    const legacy = !this.deps.settings.unitGroupMapping;
    const row = (await this.deps.sides.dataverse.getByIds(legacy ? 'uomschedules' : 'uoms', [id]))[0];
    const code = row ? String((legacy ? row.values.baseuomname : row.values.name) ?? '').trim().toUpperCase() : '';
    if (!code) {
      return `The ${legacy ? 'unit group' : 'unit'} ${id} of product ${String(v.productnumber ?? v.name ?? ctx.source.id)} does not exist in Dynamics 365 Sales, ` +
        'so the Base Unit of Measure cannot be set in Business Central. Choose an existing default unit on the product.';
    }
    setIfChanged(values, ctx.dest, 'Base Unit of Measure', code);
    return null;
  }

  /** Price-list rows and (after inserts) pricelevelid + state; failures by record index. */
  async afterWrite(records: readonly WrittenRecord[]): Promise<Map<number, string>> {
    const d = this.deps;
    const out = new Map<number, string>();
    let list: { id: string };
    let lcy: string;
    try {
      [list, lcy] = await Promise.all([defaultPriceList(d), lcyCurrencyId(d)]);
    } catch (x) {
      records.forEach((_, i) => out.set(i, failMessage(x)));
      return out;
    }
    const ppl: { i: number; op: WriteOp }[] = [];
    const productUpdates: { i: number; op: WriteOp }[] = [];
    await Promise.all(records.map(async (r, i) => {
      try {
        const u = await this.unitsOf(r.source);
        const productId = r.destId.toLowerCase();
        const price = nonNegative(r.source.values['Unit Price']);
        // Rows already in the list (a first attempt, an earlier tool, BC itself): update those, never add a second.
        const existing = r.kind === 'insert'
          ? []
          : await d.sides.dataverse.findMatches('productpricelevels', [{ field: 'pricelevelid', value: list.id, caseSensitive: false }, { field: 'productid', value: productId, caseSensitive: false }], NO_FILTER, 500);
        const byUom = new Map(existing.map((e) => [guidOf(e.values.uomid) ?? '', e]));
        const units = d.settings.unitGroupMapping ? u.units : [{ uomId: u.baseUomId, quantity: 1 }];
        for (const unit of units) {
          const values: Record<string, unknown> = {
            pricelevelid: list.id, productid: productId, uomid: unit.uomId, uomscheduleid: u.scheduleId, transactioncurrencyid: lcy,
            amount: money(price * unit.quantity), pricingmethodcode: PRICING_CURRENCY_AMOUNT, productnumber: String(r.source.values['No.'] ?? ''),
          };
          const old = byUom.get(unit.uomId);
          if (old && Object.entries(values).every(([k, x]) => sameValue(old.values[k], x))) continue;
          const id = old?.id.toLowerCase() ?? priceRowId(list.id, productId, unit.uomId);
          ppl.push({ i, op: { kind: 'insert', id, idempotencyKey: id, values, validate: [], template: null } });
        }
        if (r.kind === 'insert') {
          const blocked = r.source.values.Blocked === true || r.source.values.Blocked === 'Yes';
          productUpdates.push({ i, op: { kind: 'update', id: productId, validate: [], values: { pricelevelid: list.id, statecode: blocked ? PRODUCT_STATE.retired : PRODUCT_STATE.active } } });
        }
      } catch (x) {
        out.set(i, failMessage(x));
      }
    }));
    const failed = (i: number) => out.has(i);
    const pplOps = ppl.filter((p) => !failed(p.i));
    if (pplOps.length) {
      const res = await d.sides.dataverse.write('productpricelevels', pplOps.map((p) => p.op));
      res.forEach((x, k) => {
        if (!x.ok && !out.has(pplOps[k]!.i)) out.set(pplOps[k]!.i, `Updating the product's price in the price list failed: ${x.error}`);
      });
    }
    // The list rows first: a product's default price list should hold the product.
    const upd = productUpdates.filter((p) => !failed(p.i));
    if (upd.length) {
      const res = await d.sides.dataverse.write('products', upd.map((p) => p.op));
      res.forEach((x, k) => {
        const rec = records[upd[k]!.i]!;
        if (!x.ok) out.set(upd[k]!.i, `Setting the default price list and state of the new product failed: ${x.error}`);
        // Our own follow-up write: the engine stamps the coupling with it, so the next run does not see a user edit.
        else rec.destModifiedOn = x.modifiedOn;
      });
    }
    return out;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  const n = (v: unknown) => (v === undefined || v === '' ? null : typeof v === 'string' ? v.toLowerCase() : v);
  if (typeof a === 'number' || typeof b === 'number') return num(a) === num(b);
  return n(a) === n(b);
}


export function makeProductRules(options: ProductRuleOptions = {}): RuleModule {
  return (deps) => {
    const resolve = options.units ?? productUnitGroup;
    return (mapping) => {
      const kind = kindOf(mapping);
      if (!kind) return null;
      resetPass(deps);
      resetUnitPass(deps);
      const pass = new ProductPass(deps, kind, resolve);
      const guard = async (fn: () => Promise<string | null>) => {
        try {
          return await fn();
        } catch (x) {
          // Transient side failures end the pass (resumed from the unchanged watermark): they say nothing about the record.
          if (x instanceof SideError && x.transient) throw x;
          return x instanceof RuleFailure || x instanceof Error ? x.message : String(x);
        }
      };
      const rules: MappingRules = {
        beforeBatch: async (_m, dir, rows) => {
          pass.prefetch(dir, rows);
        },
        prepare: (ctx, values) => guard(() => (ctx.dir === 'to' ? pass.prepareTo(ctx, values) : pass.prepareFrom(ctx, values))),
        afterWrite: async (_m: TableMapping, dir: PassDirection, records) => (dir === 'to' ? pass.afterWrite(records) : new Map()),
      };
      return rules;
    };
  };
}

/** Registered in rules/index.ts. */
export const productRules: RuleModule = makeProductRules();
