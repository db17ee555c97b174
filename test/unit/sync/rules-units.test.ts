/**
 * Legacy units of measure (E.9, F.13) with the in-memory sides: NAV <CODE> groups with exactly one base unit of
 * quantity 1 (created, repaired, never duplicated), implicit match to an existing group, and resolveUnitGroup's
 * errors for missing / multiple / inactive groups.
 */
import { describe, expect, it } from 'vitest';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import type { RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import { masterDataImplicitMatch } from '../../../main/integrations/sales/sync/rules/currency';
import { baseUnitId, resolveUnitGroup, unitRules } from '../../../main/integrations/sales/sync/rules/units';
import { world } from './fakes';

const G_ESKE = 'e0000000-0000-0000-0000-000000000001';
const G_PALL = 'e0000000-0000-0000-0000-000000000002';

function setup(implicit = true) {
  const w = world();
  const deps: RuleDeps = {
    db: w.db, clock: { now: w.clock.now }, sides: { bc: w.bc, dataverse: w.dv }, couplings: new CouplingStore(w.db, w.clock.now),
    settings: { ownershipModel: 'team', lcyCode: 'NOK', unitGroupMapping: false },
  };
  for (const code of ['STK', 'ESKE', 'PALL']) w.bc.put('Unit of Measure', `u-${code}`, { Code: code, Description: code.toLowerCase() });
  // ESKE: a group made by hand in Sales, its unit still called "Primary Unit". PALL: a group with two units.
  w.dv.put('uomschedules', G_ESKE, { name: 'NAV ESKE', baseuomname: 'Primary Unit', statecode: 0 });
  w.dv.put('uoms', 'f0000000-0000-0000-0000-000000000001', { name: 'Primary Unit', quantity: 1, isschedulebaseuom: true, uomscheduleid: G_ESKE });
  w.dv.put('uomschedules', G_PALL, { name: 'NAV PALL', baseuomname: 'PALL', statecode: 0 });
  w.dv.put('uoms', 'f0000000-0000-0000-0000-000000000002', { name: 'PALL', quantity: 1, isschedulebaseuom: true, uomscheduleid: G_PALL });
  w.dv.put('uoms', 'f0000000-0000-0000-0000-000000000003', { name: 'HALV', quantity: 0.5, isschedulebaseuom: false, uomscheduleid: G_PALL });
  const rules = (m: TableMapping) => unitRules(deps)(m);
  return { w, deps, engine: w.newEngine({ rules, ...(implicit ? { implicitMatch: masterDataImplicitMatch(deps) } : {}) }) };
}

const unitsIn = (w: ReturnType<typeof setup>['w'], group: string) => w.dv.all('uoms').filter((u) => u.values.uomscheduleid === group);

describe('UNIT OF MEASURE (legacy)', () => {
  const m = adapterMappings({ unitGroups: false }, ['UNIT OF MEASURE'], { withRules: true })[0]!;

  it('creates NAV <CODE> groups with one base unit, couples and repairs existing ones, and refuses a group with several units', async () => {
    const { w, engine } = setup();
    const r = await engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(r.to).toMatchObject({ coupled: 2, inserted: 1, modified: 1, failed: 1 });
    const stk = engine.couplings.byBc(204, 'u-STK')!.dvId;
    expect(w.dv.get('uomschedules', stk)?.values).toMatchObject({ name: 'NAV STK', baseuomname: 'STK' });
    expect(unitsIn(w, stk).map((u) => [u.id, u.values])).toEqual([[baseUnitId(stk), { name: 'STK', quantity: 1, isschedulebaseuom: true, uomscheduleid: stk }]]);
    // ESKE: coupled to the existing group (not a second one), its only unit renamed to the code.
    expect(engine.couplings.byBc(204, 'u-ESKE')?.dvId).toBe(G_ESKE);
    expect(w.dv.all('uomschedules').filter((g) => g.values.name === 'NAV ESKE')).toHaveLength(1);
    expect(unitsIn(w, G_ESKE).map((u) => u.values.name)).toEqual(['ESKE']);
    expect(w.dv.get('uomschedules', G_ESKE)?.values.baseuomname).toBe('ESKE');
    expect(engine.log.errors(r.to!.id).map((e) => [e.sourceId, e.message])).toEqual([
      ['u-PALL', "Multiple units of measure were found in the unit group 'NAV PALL'. A NAV unit group must contain exactly one unit (PALL); delete the others in Dataverse."],
    ]);

    // Idempotent follow-up: a forced resync of everything leaves exactly one unit per group.
    w.dv.delete('uoms', 'f0000000-0000-0000-0000-000000000003');
    const again = await engine.runMapping(m, { only: 'to', ignoreWatermarks: true, force: true });
    expect(again.to?.failed).toBe(0);
    for (const g of [stk, G_ESKE, G_PALL]) expect(unitsIn(w, g)).toHaveLength(1);
  });

  it('never creates a second group of the same name when the existing one is not matched', async () => {
    const { w, engine } = setup(false);
    const r = await engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(r.to?.inserted).toBe(1);
    expect(engine.log.errors(r.to!.id).map((e) => e.message)).toEqual(expect.arrayContaining([
      expect.stringContaining("A unit group named 'NAV ESKE' already exists in Dataverse. Couple it"),
    ]));
    expect(w.dv.all('uomschedules')).toHaveLength(3);
  });

  it('refuses to update an inactive group', async () => {
    const { w, engine } = setup();
    await engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true });
    w.dv.edit('uomschedules', G_ESKE, { statecode: 1 });
    w.bc.edit('Unit of Measure', 'u-ESKE', { Description: 'x' });
    const r = await engine.runMapping(m, { only: 'to', force: true, ids: ['u-ESKE'] });
    expect(engine.log.errors(r.to!.id).map((e) => e.message)).toEqual(["The unit group 'NAV ESKE' is inactive in Dataverse. Activate it, then synchronize again."]);
  });
});

describe('resolveUnitGroup (for products)', () => {
  it('returns the group and its unit, or BC\'s errors for missing, multiple and inactive groups', async () => {
    const { w, deps, engine } = setup();
    await engine.runMapping(adapterMappings({ unitGroups: false }, ['UNIT OF MEASURE'], { withRules: true })[0]!, { only: 'to', ignoreSynchOnlyCoupled: true });
    const stk = engine.couplings.byBc(204, 'u-STK')!.dvId;
    const cache = new Map();
    expect(await resolveUnitGroup(deps, ' stk', cache)).toEqual({ code: 'STK', scheduleId: stk, uomId: baseUnitId(stk) });
    expect(cache.size).toBe(1);
    expect(await resolveUnitGroup(deps, 'KG')).toEqual({ error: "Cannot find the unit group 'NAV KG'. Synchronize the UNIT OF MEASURE mapping first, so unit of measure KG exists in Dataverse." });
    expect(await resolveUnitGroup(deps, 'PALL')).toEqual({ error: expect.stringMatching(/^Multiple units of measure were found in the unit group 'NAV PALL'/) });
    expect(await resolveUnitGroup(deps, '')).toEqual({ error: expect.stringContaining('has no Base Unit of Measure') });
    w.dv.put('uomschedules', 'e0000000-0000-0000-0000-00000000000a', { name: 'NAV DAG', statecode: 0 });
    w.dv.put('uomschedules', 'e0000000-0000-0000-0000-00000000000b', { name: 'nav dag', statecode: 0 });
    expect(await resolveUnitGroup(deps, 'DAG')).toEqual({ error: expect.stringMatching(/^Multiple unit groups named 'NAV DAG' were found/) });
    w.dv.edit('uomschedules', stk, { statecode: 1 });
    expect(await resolveUnitGroup(deps, 'STK')).toEqual({ error: "The unit group 'NAV STK' is inactive in Dataverse. Activate it, then synchronize again." });
  });
});
