/**
 * Unit-group mode (reference §E.9, §C.4 UNIT GROUP / ITEM UOM / RESOURCE UOM; settings.unitGroupMapping): every
 * item and resource has its own BC Unit Group ↔ Dataverse uomschedule, and its units of measure ↔ uoms in that group.
 *
 * - UNIT GROUP (BC → DV): name = the BC unit group code ("ITEM UNIT GROUP 1000"), baseuomname = the item's /
 *   resource's base unit of measure. afterWrite makes sure the group has its base unit (Dataverse creates it with
 *   the group from baseuomname; the sandbox does not), on an id derived from the group (idempotent).
 * - ITEM UOM / RESOURCE UOM (BC → DV): `unitGroupUomImplicitMatch` (the engine's implicitMatch) couples an uncoupled BC
 *   unit to the unit of the same name already in its group — the base unit above, or one made in Sales — instead of
 *   creating a duplicate; prepare sets uomscheduleid = the coupled group of the unit's item/resource, the base unit
 *   as the group's base (isschedulebaseuom, quantity 1), other units pointing at the group's base unit (baseuom) with
 *   their quantity. A unit never moves to another group. Without the implicit match wired, creating a unit whose
 *   name is already in the group is refused with a hint to couple it.
 * - `productUnitGroup` resolves a product's group, base unit and priced units for the product rules, in either mode
 *   (legacy: `resolveUnitGroup` of units.ts, the "NAV <CODE>" group).
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { SideError, type Row } from '../ports';
import type { PassDirection } from '../coupling/store';
import type { MappingRules, RuleContext } from '../engine/hooks';
import { setIfChanged } from '../engine/hooks';
import type { RuleDeps, RuleModule } from './types';
import { RuleFailure, TABLE } from './pricelists';
import { baseUnitId, resolveUnitGroup, type UnitGroupRef } from './units';

const NO_FILTER = { conditions: [] } as never;
const code = (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : '');
const guidOf = (v: unknown) => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);

export type SourceKind = 'item' | 'resource';

export interface ProductUnits {
  scheduleId: string;
  /** For messages. */
  scheduleName: string | null;
  /** The product's default unit (its BC base unit of measure). */
  baseUomId: string;
  /** Every coupled unit of the group with its quantity (price-list rows); legacy: the one unit. */
  units: { uomId: string; quantity: number }[];
}

const UNIT_TABLE = {
  item: { bc: 'Item Unit of Measure', owner: 'Item No.', tableId: TABLE.itemUom, mapping: 'ITEM UOM', source: 'Item', sourceTableId: TABLE.item },
  resource: { bc: 'Resource Unit of Measure', owner: 'Resource No.', tableId: TABLE.resourceUom, mapping: 'RESOURCE UOM', source: 'Resource', sourceTableId: TABLE.resource },
} as const;

/**
 * Lookups shared by the rules and the implicit match within one pass (reset whenever a pass asks for its rules):
 * an item with five units costs one unit-group read, one item read and one read of its Dataverse group's units.
 */
const CACHE = new WeakMap<RuleDeps, Map<string, Promise<unknown>>>();
function cached<T>(deps: RuleDeps, key: string, make: () => Promise<T>): Promise<T> {
  let m = CACHE.get(deps);
  if (!m) CACHE.set(deps, (m = new Map()));
  let p = m.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    const mine = p;
    // A failure is not kept: the next record asks again (a transient error must not stick for the pass).
    p.catch(() => void (m.get(key) === mine && m.delete(key)));
    m.set(key, p);
  }
  return p;
}
/** Forget the pass's lookups (called when a pass asks for its rules). */
export function resetUnitPass(deps: RuleDeps): void {
  CACHE.delete(deps);
}

/** The BC unit group of an item/resource (Source Type, Source No.). */
function bcUnitGroup(deps: RuleDeps, kind: SourceKind, no: string): Promise<Row | null> {
  return cached(deps, `ug|${kind}|${no.toUpperCase()}`, () => readUnitGroup(deps, kind, no));
}
async function readUnitGroup(deps: RuleDeps, kind: SourceKind, no: string): Promise<Row | null> {
  const rows = await deps.sides.bc.findMatches('Unit Group', [
    { field: 'Source Type', value: kind === 'item' ? 'Item' : 'Resource', caseSensitive: false },
    { field: 'Source No.', value: no, caseSensitive: false },
  ], NO_FILTER, 2);
  return rows[0] ?? null;
}

/** The Dataverse uomschedule coupled to the BC unit group of an item/resource, or a RuleFailure. */
async function coupledGroup(deps: RuleDeps, kind: SourceKind, no: string): Promise<{ id: string; name: string }> {
  const ug = await bcUnitGroup(deps, kind, no);
  if (!ug) throw new RuleFailure(`The ${kind} ${no} has no unit group in Business Central. Unit-group mapping needs one per item and resource; open the ${kind} card once so Business Central creates it.`);
  const c = deps.couplings.byBc(TABLE.unitGroup, ug.id);
  if (!c || c.pending) throw new RuleFailure(`The unit group ${String(ug.values.Code ?? no)} of ${kind} ${no} is not coupled to a Dynamics 365 Sales unit group. Synchronize the UNIT GROUP table mapping first.`);
  return { id: c.dvId.toLowerCase(), name: String(ug.values.Code ?? '') || `${kind.toUpperCase()} UNIT GROUP ${no}` };
}

/**
 * A product's unit group and units. Unit-group mode: the item's coupled group, its units coupled through ITEM UOM /
 * RESOURCE UOM (quantity = Qty. per Unit of Measure); legacy: the "NAV <base unit>" group and its one unit.
 */
export async function productUnitGroup(deps: RuleDeps, kind: SourceKind, source: Row, legacyCache?: Map<string, Promise<UnitGroupRef | { error: string }>>): Promise<ProductUnits> {
  const v = source.values;
  const no = String(v['No.'] ?? '').trim();
  const base = code(v['Base Unit of Measure']);
  if (!base) throw new RuleFailure(`The ${kind} ${no} has no Base Unit of Measure. Set one in Business Central, then synchronize again.`);
  if (!deps.settings.unitGroupMapping) {
    const r = await resolveUnitGroup(deps, base, legacyCache);
    if ('error' in r) throw new RuleFailure(r.error);
    return { scheduleId: r.scheduleId, scheduleName: `NAV ${base}`, baseUomId: r.uomId, units: [{ uomId: r.uomId, quantity: 1 }] };
  }
  const t = UNIT_TABLE[kind];
  const group = await coupledGroup(deps, kind, no);
  const bcUnits = await deps.sides.bc.findMatches(t.bc, [{ field: t.owner, value: no, caseSensitive: false }], NO_FILTER, 200);
  const units: ProductUnits['units'] = [];
  let baseUomId: string | null = null;
  for (const u of bcUnits) {
    const c = deps.couplings.byBc(t.tableId, u.id);
    if (!c || c.pending) continue;
    const q = Number(u.values['Qty. per Unit of Measure'] ?? 1);
    units.push({ uomId: c.dvId.toLowerCase(), quantity: Number.isFinite(q) && q > 0 ? q : 1 });
    if (code(u.values.Code) === base) baseUomId = c.dvId.toLowerCase();
  }
  if (!baseUomId) {
    throw new RuleFailure(`The base unit of measure ${base} of ${kind} ${no} is not coupled to a unit in Dynamics 365 Sales unit group ${group.name}. ` +
      `Synchronize the ${t.mapping} table mapping first.`);
  }
  units.sort((a, b) => a.uomId.localeCompare(b.uomId));
  return { scheduleId: group.id, scheduleName: group.name, baseUomId, units };
}

// ---- UNIT GROUP / ITEM UOM / RESOURCE UOM rules ---------------------------------------------------------------------

type UnitMapping = { k: 'group' } | { k: 'unit'; kind: SourceKind };
function unitMapping(m: TableMapping): UnitMapping | null {
  if (m.bcTable === 'Unit Group' && m.dataverseEntitySet === 'uomschedules') return { k: 'group' };
  if (m.dataverseEntitySet !== 'uoms') return null;
  if (m.bcTable === 'Item Unit of Measure') return { k: 'unit', kind: 'item' };
  if (m.bcTable === 'Resource Unit of Measure') return { k: 'unit', kind: 'resource' };
  return null;
}

async function guarded(fn: () => Promise<string | null>): Promise<string | null> {
  try {
    return await fn();
  } catch (x) {
    // Transient side failures end the pass (resumed from the unchanged watermark); they say nothing about the record.
    if (x instanceof SideError && x.transient) throw x;
    return x instanceof Error ? x.message : String(x);
  }
}

function groupRules(deps: RuleDeps): MappingRules {
  return {
    async beforeBatch(_m, dir, rows) {
      if (dir !== 'to') return;
      for (const r of rows) {
        const kind: SourceKind = code(r.values['Source Type']) === 'RESOURCE' ? 'resource' : 'item';
        void ownerRow(deps, kind, r.values['Source Id'], String(r.values['Source No.'] ?? '').trim()).catch(() => undefined);
      }
    },
    prepare: (ctx: RuleContext, values) => guarded(async () => {
      if (ctx.dir !== 'to') return null;
      const v = ctx.source.values;
      const kind: SourceKind = code(v['Source Type']) === 'RESOURCE' ? 'resource' : 'item';
      const no = String(v['Source No.'] ?? '').trim();
      const name = String(v.Code ?? '').trim() || `${kind.toUpperCase()} UNIT GROUP ${no}`;
      setIfChanged(values, ctx.dest, 'name', name);
      const owner = await ownerRow(deps, kind, v['Source Id'], no);
      const base = owner ? code(owner.values['Base Unit of Measure']) : '';
      if (!base) return `The ${kind} ${no} of unit group ${name} has no Base Unit of Measure (or does not exist). Set one in Business Central, then synchronize again.`;
      setIfChanged(values, ctx.dest, 'baseuomname', base);
      return null;
    }),
    async afterWrite(_m, dir, records) {
      const out = new Map<number, string>();
      if (dir !== 'to') return out;
      const ops: { i: number; id: string; values: Record<string, unknown> }[] = [];
      await Promise.all(records.map(async (r, i) => {
        try {
          const scheduleId = r.destId.toLowerCase();
          const units = await unitsIn(deps, scheduleId, true);
          if (units.some((u) => u.values.isschedulebaseuom === true)) return;
          const owner = await ownerRow(deps, code(r.source.values['Source Type']) === 'RESOURCE' ? 'resource' : 'item', r.source.values['Source Id'], String(r.source.values['Source No.'] ?? ''));
          const base = owner ? code(owner.values['Base Unit of Measure']) : '';
          if (!base) return;
          const id = baseUnitId(scheduleId);
          ops.push({ i, id, values: { name: base, quantity: 1, isschedulebaseuom: true, uomscheduleid: scheduleId } });
        } catch (x) {
          if (x instanceof SideError && x.transient) throw x;
          out.set(i, x instanceof Error ? x.message : String(x));
        }
      }));
      if (ops.length) {
        const res = await deps.sides.dataverse.write('uoms', ops.map((o) => ({ kind: 'insert' as const, id: o.id, idempotencyKey: o.id, values: o.values, validate: [], template: null })));
        res.forEach((x, k) => {
          if (!x.ok) out.set(ops[k]!.i, `Creating the base unit ${String(ops[k]!.values.name)} of the unit group failed: ${x.error}`);
        });
      }
      return out;
    },
  };
}

/** The units of a Dataverse unit group; `fresh` skips the pass cache (after our own writes into the group). */
function unitsIn(deps: RuleDeps, scheduleId: string, fresh = false): Promise<Row[]> {
  const read = () => deps.sides.dataverse.findMatches('uoms', [{ field: 'uomscheduleid', value: scheduleId, caseSensitive: false }], NO_FILTER, 500);
  return fresh ? read() : cached(deps, `units|${scheduleId.toLowerCase()}`, read);
}

/**
 * The engine's implicitMatch for ITEM UOM / RESOURCE UOM (BC's OnFindUncoupledDestinationRecord): the not yet coupled
 * unit with the same name in the item's / resource's coupled unit group. Compose it with the other implicit matches
 * (currency, legacy units) where the engine is built.
 */
export async function unitGroupUomImplicitMatch(deps: RuleDeps, mapping: TableMapping, dir: PassDirection, source: Row): Promise<string | null> {
  const u = unitMapping(mapping);
  if (dir !== 'to' || !u || u.k !== 'unit') return null;
  const t = UNIT_TABLE[u.kind];
  const name = code(source.values.Code);
  if (!name) return null;
  let group: { id: string };
  try {
    group = await coupledGroup(deps, u.kind, String(source.values[t.owner] ?? '').trim());
  } catch (x) {
    if (x instanceof RuleFailure) return null;
    throw x;
  }
  const free = (await unitsIn(deps, group.id)).filter((r) => code(r.values.name) === name && !deps.couplings.byDv(mapping.bcTableId, r.id));
  return free.length === 1 ? free[0]!.id.toLowerCase() : null;
}

function ownerRow(deps: RuleDeps, kind: SourceKind, sourceId: unknown, no: string): Promise<Row | null> {
  return cached(deps, `owner|${kind}|${no.toUpperCase()}`, () => readOwner(deps, kind, sourceId, no));
}
async function readOwner(deps: RuleDeps, kind: SourceKind, sourceId: unknown, no: string): Promise<Row | null> {
  const table = UNIT_TABLE[kind].source;
  const id = guidOf(sourceId);
  if (id) {
    const r = (await deps.sides.bc.getByIds(table, [id]))[0];
    if (r) return r;
  }
  return (await deps.sides.bc.findMatches(table, [{ field: 'No.', value: no, caseSensitive: false }], NO_FILTER, 1))[0] ?? null;
}

function unitRulesFor(deps: RuleDeps, kind: SourceKind): MappingRules {
  const t = UNIT_TABLE[kind];
  return {
    async beforeBatch(_m, dir, rows) {
      // Rows are decided one after the other: start the lookups of the batch's items/resources at once.
      if (dir !== 'to') return;
      const settle = (p: Promise<unknown>) => void p.catch(() => undefined);
      for (const no of new Set(rows.map((r) => String(r.values[t.owner] ?? '').trim()))) {
        settle(ownerRow(deps, kind, null, no));
        settle(bcUnitGroup(deps, kind, no).then((ug) => {
          const c = ug ? deps.couplings.byBc(TABLE.unitGroup, ug.id) : undefined;
          return c && !c.pending ? unitsIn(deps, c.dvId) : null;
        }));
      }
    },
    prepare: (ctx: RuleContext, values) => guarded(async () => {
      if (ctx.dir !== 'to') return null;
      const v = ctx.source.values;
      const no = String(v[t.owner] ?? '').trim();
      const unit = code(v.Code);
      const group = await coupledGroup(deps, kind, no);
      const current = ctx.dest ? guidOf(ctx.dest.values.uomscheduleid) : null;
      if (current && current !== group.id) {
        return `The unit ${unit} of ${kind} ${no} belongs to another unit group in Dynamics 365 Sales; a unit cannot move to unit group ${group.name}. ` +
          'Uncouple it and synchronize again to create it in the right group.';
      }
      const owner = await ownerRow(deps, kind, null, no);
      const isBase = !!owner && code(owner.values['Base Unit of Measure']) === unit;
      setIfChanged(values, ctx.dest, 'name', unit);
      setIfChanged(values, ctx.dest, 'uomscheduleid', group.id);
      if (!ctx.dest) {
        const same = (await deps.sides.dataverse.findMatches('uoms', [{ field: 'uomscheduleid', value: group.id, caseSensitive: false }, { field: 'name', value: unit, caseSensitive: false }], NO_FILTER, 2))
          .filter((r) => r.id.toLowerCase() !== ctx.coupling?.dvId.toLowerCase());
        if (same.length) {
          return `Unit ${unit} already exists in Dynamics 365 Sales unit group ${group.name}. Couple it to this ${kind} unit of measure (match-based coupling on ${t.mapping}) instead of creating a second one.`;
        }
      }
      if (isBase) {
        setIfChanged(values, ctx.dest, 'quantity', 1);
        setIfChanged(values, ctx.dest, 'isschedulebaseuom', true);
        return null;
      }
      const q = Number(v['Qty. per Unit of Measure'] ?? 0);
      if (!(q > 0)) return `The unit ${unit} of ${kind} ${no} has no Qty. per Unit of Measure. Set it in Business Central, then synchronize again.`;
      setIfChanged(values, ctx.dest, 'quantity', q);
      // Other units are expressed in the group's base unit (made with the group, see UNIT GROUP afterWrite).
      const baseUnit = (await unitsIn(deps, group.id)).find((r) => r.values.isschedulebaseuom === true);
      if (!baseUnit) {
        return `The unit group ${group.name} of ${kind} ${no} has no base unit in Dynamics 365 Sales. Synchronize the UNIT GROUP table mapping again ` +
          '(it creates the base unit), then this unit.';
      }
      setIfChanged(values, ctx.dest, 'baseuom', baseUnit.id.toLowerCase());
      if (!ctx.dest) values.isschedulebaseuom = false;
      return null;
    }),
  };
}

/** Registered in rules/index.ts. */
export const unitGroupRules: RuleModule = (deps) => (mapping) => {
  const u = unitMapping(mapping);
  if (!u) return null;
  resetUnitPass(deps);
  return u.k === 'group' ? groupRules(deps) : unitRulesFor(deps, u.kind);
};
