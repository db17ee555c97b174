/**
 * Units of measure, legacy mode (reference §C.4 "UNIT OF MEASURE", §E.9, §F.13): every BC Unit of Measure ↔ one
 * Dataverse unit group (uomschedule) named `NAV <CODE>` holding exactly one unit (uom) named `<CODE>`, the base
 * unit, quantity 1.
 *
 * - prepare (BC → DV): the group name is forced to `NAV <CODE>`; a second group of that name is never created (an
 *   uncoupled existing one is coupled by `unitImplicitMatch` instead); an inactive group is refused.
 * - afterWrite: creates the group's unit when missing (real Dataverse creates the base unit itself from
 *   baseuomname; the sandbox does not), renames it / makes it the base unit with quantity 1 when it differs, and
 *   refuses a group with several units. Idempotent: the unit's id is derived from the group id.
 * - `resolveUnitGroup(deps, code)` gives products (ITEM-PRODUCT / RESOURCE-PRODUCT rules, engineer R2) the group and
 *   its unit for an item's Base Unit of Measure, with BC's errors for missing / multiple / inactive groups.
 */
import type { DvFilter, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { idFromKey } from '../adapters/common';
import type { MappingRules, WrittenRecord } from '../engine/hooks';
import { setIfChanged } from '../engine/hooks';
import type { Row, WriteOp } from '../ports';
import type { RuleDeps, RuleModule } from './types';

export const UOM_TABLE_ID = 204;
const NO_FILTER: DvFilter = { conditions: [], companyScoped: false };

/** The Dataverse unit group name BC uses for a unit of measure code (legacy mode). */
export const unitGroupName = (code: string): string => `NAV ${normCode(code)}`;
const normCode = (v: unknown): string => (typeof v === 'string' ? v.trim().toUpperCase() : '');

export const isLegacyUomMapping = (m: TableMapping): boolean => m.bcTable === 'Unit of Measure' && m.dataverseEntity === 'uomschedule';

export interface UnitGroupRef {
  code: string;
  /** uomschedule id (→ product.defaultuomscheduleid). */
  scheduleId: string;
  /** The group's only unit (→ product.defaultuomid, productpricelevel.uomid). */
  uomId: string;
}

const INACTIVE = 1;

async function groupsNamed(deps: RuleDeps, code: string): Promise<Row[]> {
  return deps.sides.dataverse.findMatches('uomschedules', [{ field: 'name', value: unitGroupName(code), caseSensitive: false }], NO_FILTER, 5);
}

async function unitsOf(deps: RuleDeps, scheduleId: string): Promise<Row[]> {
  return deps.sides.dataverse.findMatches('uoms', [{ field: 'uomscheduleid', value: scheduleId, caseSensitive: false }], NO_FILTER, 5);
}

/**
 * The unit group and unit of a BC unit of measure code (legacy mode), or BC's error as text. Uses one cache per
 * caller-supplied map (pass the same Map for a whole pass so a page of products costs one lookup per code).
 */
export async function resolveUnitGroup(deps: RuleDeps, code: string, cache?: Map<string, Promise<UnitGroupRef | { error: string }>>): Promise<UnitGroupRef | { error: string }> {
  const c = normCode(code);
  if (!c) return { error: 'The item or resource has no Base Unit of Measure. Set one in Business Central, then synchronize again.' };
  const hit = cache?.get(c);
  if (hit) return hit;
  const p = (async (): Promise<UnitGroupRef | { error: string }> => {
    const name = unitGroupName(c);
    const groups = await groupsNamed(deps, c);
    if (groups.length === 0) return { error: `Cannot find the unit group '${name}'. Synchronize the UNIT OF MEASURE mapping first, so unit of measure ${c} exists in Dataverse.` };
    if (groups.length > 1) return { error: `Multiple unit groups named '${name}' were found in Dataverse. Keep one, delete or rename the others, then synchronize again.` };
    const g = groups[0]!;
    if (g.values.statecode === INACTIVE) return { error: `The unit group '${name}' is inactive in Dataverse. Activate it, then synchronize again.` };
    const units = await unitsOf(deps, g.id);
    if (units.length === 0) return { error: `The unit group '${name}' contains no unit. Synchronize the UNIT OF MEASURE mapping again to create unit ${c}.` };
    if (units.length > 1) return { error: multipleUnits(c) };
    return { code: c, scheduleId: g.id.toLowerCase(), uomId: units[0]!.id.toLowerCase() };
  })();
  cache?.set(c, p);
  return p;
}

/**
 * OnFindUncoupledDestinationRecord for UNIT OF MEASURE: an uncoupled BC unit couples to the one existing, not yet
 * coupled `NAV <CODE>` group instead of creating a second one.
 */
export async function unitImplicitMatch(deps: RuleDeps, mapping: TableMapping, source: Row): Promise<string | null> {
  const code = normCode(source.values.Code);
  if (!code) return null;
  const free = (await groupsNamed(deps, code)).filter((g) => !deps.couplings.byDv(mapping.bcTableId, g.id));
  return free.length === 1 ? free[0]!.id.toLowerCase() : null;
}

const multipleUnits = (code: string): string =>
  `Multiple units of measure were found in the unit group '${unitGroupName(code)}'. A NAV unit group must contain exactly one unit (${code}); delete the others in Dataverse.`;

const unitInOrder = (u: Row, code: string): boolean => u.values.name === code && Number(u.values.quantity) === 1 && u.values.isschedulebaseuom === true;

/** The unit id written into a group: derived from the group id, so a repeated afterWrite upserts the same row. */
export const baseUnitId = (scheduleId: string): string => idFromKey(scheduleId.toLowerCase(), 'd365ic:base-uom');

function legacyUomRules(deps: RuleDeps): MappingRules {
  return {
    async prepare(ctx, values) {
      if (ctx.dir !== 'to') return null;
      const code = normCode(ctx.source.values.Code);
      if (!code) return 'The unit of measure has no code.';
      const name = unitGroupName(code);
      if (ctx.dest) {
        if (ctx.dest.values.statecode === INACTIVE) return `The unit group '${name}' is inactive in Dataverse. Activate it, then synchronize again.`;
        const units = await unitsOf(deps, ctx.dest.id);
        if (units.length > 1) return multipleUnits(code);
        // The group's own fields may be in order while its unit is not (missing, renamed, not the base unit): write
        // baseuomname anyway so the record goes through afterWrite, which repairs the unit.
        if (units.length === 0 || !unitInOrder(units[0]!, code)) values.baseuomname = code;
      } else {
        // Never a second group of the same name: products are resolved by name.
        const existing = await groupsNamed(deps, code);
        if (existing.length > 0) {
          return `A unit group named '${name}' already exists in Dataverse${existing.length > 1 ? ` (${existing.length} of them)` : ''}. ` +
            'Couple it to this unit of measure (match-based coupling) or remove the duplicates, then synchronize again.';
        }
      }
      setIfChanged(values, ctx.dest, 'name', name);
      if (!('baseuomname' in values)) setIfChanged(values, ctx.dest, 'baseuomname', code);
      return null;
    },
    async afterWrite(_m, dir, records) {
      const out = new Map<number, string>();
      if (dir !== 'to') return out;
      const ops: { i: number; op: WriteOp }[] = [];
      await Promise.all(records.map(async (r: WrittenRecord, i) => {
        const code = normCode(r.source.values.Code);
        const units = await unitsOf(deps, r.destId);
        if (units.length > 1) {
          out.set(i, multipleUnits(code));
          return;
        }
        const want = { name: code, quantity: 1, isschedulebaseuom: true };
        if (units.length === 0) {
          ops.push({ i, op: { kind: 'insert', id: baseUnitId(r.destId), idempotencyKey: baseUnitId(r.destId), validate: [], template: null, values: { ...want, uomscheduleid: r.destId.toLowerCase() } } });
          return;
        }
        const u = units[0]!;
        const fix: Record<string, unknown> = {};
        if (u.values.name !== code) fix.name = code;
        if (Number(u.values.quantity) !== 1) fix.quantity = 1;
        if (u.values.isschedulebaseuom !== true) fix.isschedulebaseuom = true;
        if (Object.keys(fix).length) ops.push({ i, op: { kind: 'update', id: u.id, values: fix, validate: [] } });
      }));
      if (ops.length) {
        const res = await deps.sides.dataverse.write('uoms', ops.map((o) => o.op));
        res.forEach((x, k) => {
          if (x.ok) return;
          const code = normCode(records[ops[k]!.i]!.source.values.Code);
          out.set(ops[k]!.i, `The unit ${code} of unit group '${unitGroupName(code)}' could not be written in Dataverse: ${x.error}`);
        });
      }
      return out;
    },
  };
}

/** Rule module: the legacy UNIT OF MEASURE mapping (Unit Group Mapping off). */
export const unitRules: RuleModule = (deps) => (mapping) => (isLegacyUomMapping(mapping) ? legacyUomRules(deps) : null);
