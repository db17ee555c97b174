/**
 * Price lists (reference §E.9, §C.4 CUSTPRCGRP-PRICE / SALESPRC-PRODPRICE / PLHEADER-PRICE / PLLINE-PRODPRICE) and
 * the helpers the product rules share:
 *
 * - the LCY transaction currency (isocurrencycode = General Ledger Setup "LCY Code") and currency codes through the
 *   CURRENCY couplings;
 * - the default price list "<product name> Default Price List" in LCY (or "<product name> <LCY> Default Price List"
 *   when the first name is taken by a list in another currency): found or created once per pass, created on an id
 *   derived from its name and currency (so a crash between create and remember cannot make a second one), and its id
 *   remembered in the settings table like BC's CRM Connection Setup "Default CRM Price List ID";
 * - "Price List in <CUR>" for documents in a foreign currency (used by the document rules);
 * - rules for price-list headers (customer price groups / price list headers → pricelevel) and their lines
 *   (sales prices / price list lines → productpricelevel): lookups resolved through couplings, never by name.
 */
import type { Db } from '../../../../db/database';
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { idFromKey } from '../adapters/common';
import type { MappingRules, RuleContext } from '../engine/hooks';
import { setIfChanged } from '../engine/hooks';
import { SideError, type Row } from '../ports';
import type { RuleDeps, RuleModule } from './types';

/** BC table ids of the couplings the rules read. */
export const TABLE = {
  currency: 4, customerPriceGroup: 6, item: 27, resource: 156, unitOfMeasure: 204, resourceUom: 205,
  unitGroup: 5400, itemUom: 5404, priceListHeader: 7000, priceListLine: 7001, salesPrice: 7002,
} as const;

/** Namespace of the ids this module derives (never collides with BcSide's company-scoped insert ids). */
const NS = 'd365ic:price-lists';
/** settings key: { id, name, currencyId } of the default price list (CRM Connection Setup "Default CRM Price List ID"). */
export const DEFAULT_PRICE_LIST_SETTING = 'sync.defaultPriceList';
/** productpricelevel.pricingmethodcode "Currency Amount" (the mappings' constant 'CurrencyAmount'). */
export const PRICING_CURRENCY_AMOUNT = 1;

const NO_FILTER = { conditions: [] } as never;
const norm = (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : '');
const guidOf = (v: unknown) => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);

export class RuleFailure extends Error {}

/** Per-engine caches (a RuleDeps lives as long as its engine); `resetPass` clears what must be re-read per pass. */
interface Shared {
  lcy: Promise<string> | null;
  defaultList: Promise<PriceList> | null;
  currencyLists: Map<string, Promise<PriceList>>;
  currencyByCode: Map<string, Promise<string>>;
}
const SHARED = new WeakMap<RuleDeps, Shared>();
function shared(deps: RuleDeps): Shared {
  let s = SHARED.get(deps);
  if (!s) SHARED.set(deps, (s = { lcy: null, defaultList: null, currencyLists: new Map(), currencyByCode: new Map() }));
  return s;
}
/** Forget per-run lookups (called when a pass asks for its rules): a list deleted in Sales is found missing and made again. */
export function resetPass(deps: RuleDeps): void {
  SHARED.delete(deps);
}

/** A memoized promise that is dropped again when it fails (a transient failure must not stick for the whole pass). */
function memo<T>(get: () => Promise<T> | null, set: (p: Promise<T> | null) => void, make: () => Promise<T>): Promise<T> {
  const cur = get();
  if (cur) return cur;
  const p = make();
  set(p);
  p.catch(() => set(null));
  return p;
}

/** The transactioncurrency of BC's local currency (LCY Code), by ISO code. */
export function lcyCurrencyId(deps: RuleDeps): Promise<string> {
  const s = shared(deps);
  return memo(() => s.lcy, (p) => void (s.lcy = p), async () => {
    const lcy = deps.settings.lcyCode.trim().toUpperCase();
    if (!lcy) throw new RuleFailure('The local currency code (LCY Code in General Ledger Setup) is empty. Fill it in Business Central and set it in the connection setup, then synchronize again.');
    const found = await deps.sides.dataverse.findMatches('transactioncurrencies', [{ field: 'isocurrencycode', value: lcy, caseSensitive: false }], NO_FILTER, 2);
    if (found.length === 0) {
      throw new RuleFailure(`Dynamics 365 Sales has no currency with ISO code ${lcy} (the Business Central local currency). ` +
        `Add ${lcy} under Settings > Business Management > Currencies in Sales, then synchronize again.`);
    }
    return found[0]!.id.toLowerCase();
  });
}

/**
 * transactioncurrency for a BC currency code: blank or the LCY code → LCY currency; otherwise the Dataverse currency
 * coupled to the BC Currency with that code (CURRENCY mapping).
 */
export function currencyIdForCode(deps: RuleDeps, code: unknown): Promise<string> {
  const c = norm(code);
  if (c === '' || c === deps.settings.lcyCode.trim().toUpperCase()) return lcyCurrencyId(deps);
  const s = shared(deps);
  return memo(() => s.currencyByCode.get(c) ?? null, (p) => void (p ? s.currencyByCode.set(c, p) : s.currencyByCode.delete(c)), async () => {
    const rows = await deps.sides.bc.findMatches('Currency', [{ field: 'Code', value: c, caseSensitive: false }], NO_FILTER, 2);
    if (rows.length === 0) throw new RuleFailure(`The currency ${c} could not be found in Business Central. Check the Currency Code.`);
    const coupling = deps.couplings.byBc(TABLE.currency, rows[0]!.id);
    if (!coupling || coupling.pending) {
      throw new RuleFailure(`The currency ${c} is not coupled to a Dynamics 365 Sales currency. Synchronize the CURRENCY table mapping first (it is a dependency of this mapping).`);
    }
    return coupling.dvId.toLowerCase();
  });
}

export interface PriceList {
  id: string;
  name: string;
  currencyId: string;
}

function readSetting(db: Db, key: string): string | null {
  return (db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
}
function writeSetting(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** "Use Default Synchronization Setup" clears the remembered default price list (E.9). */
export function clearDefaultPriceList(db: Db): void {
  db.prepare('DELETE FROM settings WHERE key = ?').run(DEFAULT_PRICE_LIST_SETTING);
}

/** The remembered default price list, if any (for diagnostics and the setup pages). */
export function rememberedDefaultPriceList(db: Db): PriceList | null {
  const raw = readSetting(db, DEFAULT_PRICE_LIST_SETTING);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<PriceList>;
    return typeof v.id === 'string' && typeof v.name === 'string' && typeof v.currencyId === 'string' ? { id: v.id, name: v.name, currencyId: v.currencyId } : null;
  } catch {
    return null;
  }
}

async function listsNamed(deps: RuleDeps, name: string): Promise<Row[]> {
  return deps.sides.dataverse.findMatches('pricelevels', [{ field: 'name', value: name, caseSensitive: false }], NO_FILTER, 50);
}

/** Upserts a price list on an id derived from (name, currency): a retry or a second process writes the same row. */
async function createList(deps: RuleDeps, name: string, currencyId: string, description: string): Promise<PriceList> {
  const id = idFromKey(NS, `pricelevel|${name.toLowerCase()}|${currencyId}`);
  const [res] = await deps.sides.dataverse.write('pricelevels', [{
    kind: 'insert', id, idempotencyKey: id, validate: [], template: null,
    values: { name, transactioncurrencyid: currencyId, description },
  }]);
  if (!res?.ok) throw new RuleFailure(`Creating the price list "${name}" in Dynamics 365 Sales failed: ${res && !res.ok ? res.error : 'no answer'}.`);
  return { id, name, currencyId };
}

/**
 * E.9 default price list, once per pass: the remembered one if it still exists in LCY; else the list named
 * "<product> Default Price List" in LCY; else (that name taken in another currency) "<product> <LCY> Default Price
 * List"; else a new one. Remembered in the settings table.
 */
export function defaultPriceList(deps: RuleDeps): Promise<PriceList> {
  const s = shared(deps);
  return memo(() => s.defaultList, (p) => void (s.defaultList = p), async () => {
    const lcyId = await lcyCurrencyId(deps);
    const product = (deps.settings.productName ?? '').trim() || 'Business Central';
    const lcy = deps.settings.lcyCode.trim().toUpperCase();
    const candidates = [`${product} Default Price List`, `${product} ${lcy} Default Price List`];
    const remembered = rememberedDefaultPriceList(deps.db);
    // A remembered list counts only while it still fits the settings (product name, LCY) and still exists in LCY.
    if (remembered && remembered.currencyId === lcyId && candidates.some((n) => n.toLowerCase() === remembered.name.toLowerCase())) {
      const row = (await deps.sides.dataverse.getByIds('pricelevels', [remembered.id]))[0];
      if (row && guidOf(row.values.transactioncurrencyid) === lcyId) return remembered;
    }
    let list: PriceList | null = null;
    for (const name of candidates) {
      const rows = await listsNamed(deps, name);
      const inLcy = rows.filter((r) => guidOf(r.values.transactioncurrencyid) === lcyId).sort((a, b) => a.id.localeCompare(b.id))[0];
      if (inLcy) {
        list = { id: inLcy.id.toLowerCase(), name: String(inLcy.values.name ?? name), currencyId: lcyId };
        break;
      }
      if (rows.length === 0) {
        list = await createList(deps, name, lcyId, `Prices of the items and resources synchronized from ${product}. Do not edit: the integration keeps it in sync.`);
        break;
      }
      // The name is taken by a list in another currency: try the LCY-qualified name.
    }
    if (!list) {
      throw new RuleFailure(`The price lists "${candidates.join('" and "')}" exist in Dynamics 365 Sales in a currency other than ${lcy}. ` +
        `Rename one of them or change its currency to ${lcy}, then synchronize again.`);
    }
    writeSetting(deps.db, DEFAULT_PRICE_LIST_SETTING, JSON.stringify(list));
    return list;
  });
}

/**
 * Price list for a document currency (E.9 "Price List in <CUR>"): the default price list for LCY / blank, otherwise
 * "Price List in <CUR>" in the coupled transactioncurrency, found or created (derived id).
 */
export function priceListForCurrency(deps: RuleDeps, currencyCode: unknown): Promise<PriceList> {
  const c = norm(currencyCode);
  if (c === '' || c === deps.settings.lcyCode.trim().toUpperCase()) return defaultPriceList(deps);
  const s = shared(deps);
  return memo(() => s.currencyLists.get(c) ?? null, (p) => void (p ? s.currencyLists.set(c, p) : s.currencyLists.delete(c)), async () => {
    const currencyId = await currencyIdForCode(deps, c);
    const name = `Price List in ${c}`;
    const hit = (await listsNamed(deps, name)).find((r) => guidOf(r.values.transactioncurrencyid) === currencyId);
    if (hit) return { id: hit.id.toLowerCase(), name, currencyId };
    return createList(deps, name, currencyId, `Prices in ${c} for documents synchronized from Business Central.`);
  });
}

// ---- price-list rules -------------------------------------------------------------------------------------------

type HeaderKind = 'customer price group' | 'price list header';
type LineKind = 'sales price' | 'price list line';

function headerKind(m: TableMapping): HeaderKind | null {
  if (m.dataverseEntitySet !== 'pricelevels') return null;
  if (m.bcTable === 'Customer Price Group') return 'customer price group';
  if (m.bcTable === 'Price List Header') return 'price list header';
  return null;
}
function lineKind(m: TableMapping): LineKind | null {
  if (m.dataverseEntitySet !== 'productpricelevels') return null;
  if (m.bcTable === 'Sales Price') return 'sales price';
  if (m.bcTable === 'Price List Line') return 'price list line';
  return null;
}

/** BC date → Dataverse date-time (UTC midnight); BC's 0001-01-01 is an empty date. */
export function dvDate(v: unknown): string | null {
  if (typeof v !== 'string' || v === '' || v.startsWith('0001-01-01')) return null;
  return `${v.slice(0, 10)}T00:00:00Z`;
}

/** A rule's failure as the record's message; transient side failures end the pass instead (resumed next run). */
function failMessage(x: unknown): string {
  if (x instanceof SideError && x.transient) throw x;
  return x instanceof Error ? x.message : String(x);
}

/**
 * Headers → pricelevel (To only): name = Code (a BC code, upper case as BC shows it), currency = the coupled
 * currency of the header's Currency Code (customer price groups have none: LCY), company id on insert.
 */
function headerRules(deps: RuleDeps, kind: HeaderKind): MappingRules {
  return {
    async prepare(ctx: RuleContext, values) {
      if (ctx.dir !== 'to') return null;
      try {
        const v = ctx.source.values;
        setIfChanged(values, ctx.dest, 'name', String(v.Code ?? '').trim());
        const currencyId = await currencyIdForCode(deps, kind === 'price list header' ? v['Currency Code'] : '');
        setIfChanged(values, ctx.dest, 'transactioncurrencyid', currencyId);
        if (kind === 'price list header') {
          // BC's "0001-01-01" is an empty date.
          for (const [bc, dv] of [['Starting Date', 'begindate'], ['Ending Date', 'enddate']] as const) {
            if (!(dv in values)) continue;
            setIfChanged(values, ctx.dest, dv, dvDate(v[bc]));
          }
        }
        if (!ctx.dest && deps.settings.companyId) values.bcbi_companyid = deps.settings.companyId.toLowerCase();
        return null;
      } catch (x) {
        return failMessage(x);
      }
    },
  };
}

/** The coupled Dataverse id of the BC record with `code` in `table` (lookups of price lines), or a message. */
async function coupledByCode(deps: RuleDeps, table: string, tableId: number, conditions: { field: string; value: unknown }[], what: string, fix: string): Promise<string> {
  const rows = await deps.sides.bc.findMatches(table, conditions.map((c) => ({ ...c, caseSensitive: false })), NO_FILTER, 2);
  if (rows.length === 0) throw new RuleFailure(`${what} could not be found in Business Central.`);
  const c = deps.couplings.byBc(tableId, rows[0]!.id);
  if (!c || c.pending) throw new RuleFailure(`${what} is not coupled to a Dynamics 365 Sales record. ${fix}`);
  return c.dvId.toLowerCase();
}

/** The Dataverse unit for a price line's unit of measure code: unit-group mode → the coupled item/resource unit. */
async function lineUnit(deps: RuleDeps, assetType: 'Item' | 'Resource', assetNo: string, uomCode: string): Promise<{ uomId: string | null; scheduleId: string | null }> {
  if (deps.settings.unitGroupMapping) {
    const uomId = await coupledByCode(deps, assetType === 'Item' ? 'Item Unit of Measure' : 'Resource Unit of Measure', assetType === 'Item' ? TABLE.itemUom : TABLE.resourceUom,
      [{ field: assetType === 'Item' ? 'Item No.' : 'Resource No.', value: assetNo }, { field: 'Code', value: uomCode }],
      `The unit of measure ${uomCode} of ${assetType.toLowerCase()} ${assetNo}`, `Synchronize ${assetType === 'Item' ? 'ITEM UOM' : 'RESOURCE UOM'} first.`);
    return { uomId, scheduleId: null };
  }
  const schedules = await deps.sides.dataverse.findMatches('uomschedules', [{ field: 'name', value: `NAV ${uomCode}`, caseSensitive: false }], NO_FILTER, 2);
  if (schedules.length !== 1) {
    throw new RuleFailure(schedules.length === 0
      ? `The Dynamics 365 Sales unit group NAV ${uomCode} does not exist. Synchronize the UNIT OF MEASURE table mapping first.`
      : `There are several Dynamics 365 Sales unit groups named NAV ${uomCode}. Delete or rename the extra ones, then synchronize again.`);
  }
  const scheduleId = schedules[0]!.id.toLowerCase();
  const units = await deps.sides.dataverse.findMatches('uoms', [{ field: 'uomscheduleid', value: scheduleId, caseSensitive: false }, { field: 'name', value: uomCode, caseSensitive: false }], NO_FILTER, 2);
  return { uomId: units[0]?.id.toLowerCase() ?? null, scheduleId };
}

/**
 * Lines → productpricelevel (To only): price list, product, unit and currency are lookups resolved through the
 * couplings; pricing method Currency Amount; amount never negative. A sales price whose currency differs from its
 * group's list is refused (Dataverse price lists are single-currency).
 */
interface LineLookups {
  listId: string;
  productId: string;
  currencyId: string;
  uomId: string | null;
  scheduleId: string | null;
}

function lineRules(deps: RuleDeps, kind: LineKind): MappingRules {
  // Per pass: one lookup per distinct code (a price list has thousands of lines over a few lists and units).
  const byCode = new Map<string, Promise<string>>();
  const lists = new Map<string, Promise<Row | undefined>>();
  const units = new Map<string, Promise<{ uomId: string | null; scheduleId: string | null }>>();
  const perRow = new Map<string, Promise<LineLookups | string>>();
  const once = <T>(m: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> => {
    let p = m.get(key);
    if (!p) {
      p = make();
      p.catch(() => undefined);
      m.set(key, p);
    }
    return p;
  };
  const coupled = (table: string, tableId: number, conditions: { field: string; value: unknown }[], what: string, fix: string) =>
    once(byCode, `${table}|${JSON.stringify(conditions)}`.toUpperCase(), () => coupledByCode(deps, table, tableId, conditions, what, fix));

  const resolve = (row: Row): Promise<LineLookups | string> => once(perRow, row.id, async () => {
    const v = row.values;
    const listCode = String((kind === 'sales price' ? v['Sales Code'] : v['Price List Code']) ?? '').trim();
    const assetType = kind === 'price list line' && norm(v['Asset Type']) === 'RESOURCE' ? 'Resource' : 'Item';
    const assetNo = String((kind === 'sales price' ? v['Item No.'] : v['Asset No.']) ?? '').trim();
    const [listId, productId, currencyId] = await Promise.all([
      kind === 'sales price'
        ? coupled('Customer Price Group', TABLE.customerPriceGroup, [{ field: 'Code', value: listCode }], `Customer price group ${listCode}`, 'Synchronize CUSTPRCGRP-PRICE first.')
        : coupled('Price List Header', TABLE.priceListHeader, [{ field: 'Code', value: listCode }], `Price list ${listCode}`, 'Synchronize PLHEADER-PRICE first.'),
      coupled(assetType, assetType === 'Item' ? TABLE.item : TABLE.resource, [{ field: 'No.', value: assetNo }],
        `${assetType} ${assetNo}`, `Synchronize ${assetType === 'Item' ? 'ITEM-PRODUCT' : 'RESOURCE-PRODUCT'} first.`),
      currencyIdForCode(deps, v['Currency Code']),
    ]);
    const list = await once(lists, listId, async () => (await deps.sides.dataverse.getByIds('pricelevels', [listId]))[0]);
    const listCurrency = list ? guidOf(list.values.transactioncurrencyid) : null;
    if (listCurrency && listCurrency !== currencyId) {
      return `The price for ${assetNo} is in currency ${norm(v['Currency Code']) || deps.settings.lcyCode} but the Dynamics 365 Sales price list ${String(list?.values.name ?? listCode)} ` +
        'is in another currency. A Sales price list holds one currency: put prices in other currencies on a price list in that currency.';
    }
    // No unit on the line: the item's / resource's base unit, as BC prices it.
    let uomCode = norm(v['Unit of Measure Code']);
    if (!uomCode) {
      const asset = (await deps.sides.bc.findMatches(assetType, [{ field: 'No.', value: assetNo, caseSensitive: false }], NO_FILTER, 1))[0];
      uomCode = norm(asset?.values['Base Unit of Measure']);
    }
    if (!uomCode) return { listId, productId, currencyId, uomId: null, scheduleId: null };
    const unit = await once(units, `${assetType}|${assetNo}|${uomCode}`, () => lineUnit(deps, assetType, assetNo, uomCode));
    if (!unit.uomId) return `The unit ${uomCode} does not exist in the Dynamics 365 Sales unit group NAV ${uomCode}. Synchronize the UNIT OF MEASURE table mapping first.`;
    return { listId, productId, currencyId, ...unit };
  });

  return {
    async beforeBatch(_m, dir, rows) {
      // The engine prepares rows one after the other: start every row's lookups now so they overlap.
      if (dir === 'to') for (const r of rows) void resolve(r);
    },
    async prepare(ctx: RuleContext, values) {
      if (ctx.dir !== 'to') return null;
      try {
        const l = await resolve(ctx.source);
        if (typeof l === 'string') return l;
        setIfChanged(values, ctx.dest, 'pricelevelid', l.listId);
        setIfChanged(values, ctx.dest, 'productid', l.productId);
        setIfChanged(values, ctx.dest, 'transactioncurrencyid', l.currencyId);
        if (l.uomId) setIfChanged(values, ctx.dest, 'uomid', l.uomId);
        else delete values.uomid;
        if (l.scheduleId) setIfChanged(values, ctx.dest, 'uomscheduleid', l.scheduleId);
        else delete values.uomscheduleid;
        if ('pricingmethodcode' in values || !ctx.dest) setIfChanged(values, ctx.dest, 'pricingmethodcode', PRICING_CURRENCY_AMOUNT);
        const amount = Number(ctx.source.values['Unit Price'] ?? 0);
        setIfChanged(values, ctx.dest, 'amount', Number.isFinite(amount) && amount > 0 ? amount : 0);
        return null;
      } catch (x) {
        return failMessage(x);
      }
    },
  };
}

/** Registered in rules/index.ts. */
export const priceListRules: RuleModule = (deps) => (mapping) => {
  const h = headerKind(mapping);
  if (h) {
    resetPass(deps);
    return headerRules(deps, h);
  }
  const l = lineKind(mapping);
  if (l) {
    resetPass(deps);
    return lineRules(deps, l);
  }
  return null;
};
