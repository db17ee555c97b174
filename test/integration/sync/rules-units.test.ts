/**
 * Legacy units of measure against the sandbox over real HTTP: UNIT OF MEASURE creates one "NAV <CODE>" unit group per
 * BC unit with exactly one base unit of quantity 1, couples (and repairs) a group made by hand instead of creating a
 * second one, stays idempotent on a forced resync, and resolveUnitGroup gives products the ids (or BC's errors).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { startSandbox, type Sandbox } from '../../../main/sandbox/index';
import { adapterMappings, type ConnectedSides, connectSandbox } from '../../../main/integrations/sales/sync/adapters/connect';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import { domainRules, type RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import { masterDataImplicitMatch, masterDataLookups } from '../../../main/integrations/sales/sync/rules/currency';
import { resolveUnitGroup } from '../../../main/integrations/sales/sync/rules/units';
import { tempDir } from '../../support/app';

let sb: Sandbox;
let c: ConnectedSides;
const tmp = tempDir('d365ic-rules-units-');
const ALL = { conditions: [] } as never;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 'demo' });
  c = await connectSandbox(sb.info, { retryBaseMs: 20 });
}, 30_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

async function all(side: ConnectedSides['bc'] | ConnectedSides['dataverse'], entity: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const p of side.queryModified(entity, { filter: ALL, since: null, pageSize: 5000 })) out.push(...p);
  return out;
}

describe('UNIT OF MEASURE (legacy) over HTTP', () => {
  it('keeps one NAV <CODE> group with exactly one base unit per BC unit of measure', async () => {
    const { db } = openDatabase(`${tmp.dir}/units.sqlite`);
    const clock = { now: () => Date.now() };
    const deps: RuleDeps = { db, clock, sides: c.sides, couplings: new CouplingStore(db, clock.now), settings: { ownershipModel: 'team', lcyCode: 'NOK', unitGroupMapping: false } };
    const engine = new SyncEngine(db, c.sides, clock, { rules: domainRules(deps), implicitMatch: masterDataImplicitMatch(deps), lookups: masterDataLookups(deps), integrationUserId: c.integrationUserId, retryDelayMs: 20 });
    const m = adapterMappings({ unitGroups: false }, ['UNIT OF MEASURE'], { withRules: true })[0]!;

    // Made by hand in Sales before the integration: "NAV KG" whose only unit still has the platform's default name.
    const handGroup = '0e000000-0000-0000-0000-0000000000a1';
    const handUnit = '0e000000-0000-0000-0000-0000000000a2';
    expect((await c.dataverse.write('uomschedules', [{ kind: 'insert', id: handGroup, idempotencyKey: handGroup, validate: [], template: null, values: { name: 'NAV KG', baseuomname: 'Primary Unit' } }]))[0]?.ok).toBe(true);
    expect((await c.dataverse.write('uoms', [{ kind: 'insert', id: handUnit, idempotencyKey: handUnit, validate: [], template: null, values: { name: 'Primary Unit', quantity: 1, isschedulebaseuom: true, uomscheduleid: handGroup } }]))[0]?.ok).toBe(true);

    const bcUnits = await all(c.bc, 'Unit of Measure');
    const r = await engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    expect(r.to).toMatchObject({ inserted: bcUnits.length - 1, coupled: 1 });

    const groups = await all(c.dataverse, 'uomschedules');
    const units = await all(c.dataverse, 'uoms');
    for (const u of bcUnits) {
      const code = String(u.values.Code);
      const g = groups.filter((x) => x.values.name === `NAV ${code}`);
      expect(g, code).toHaveLength(1);
      expect(g[0]!.values.baseuomname).toBe(code);
      expect(engine.couplings.byBc(204, u.id)?.dvId).toBe(g[0]!.id);
      const inGroup = units.filter((x) => x.values.uomscheduleid === g[0]!.id);
      expect(inGroup.map((x) => [x.values.name, x.values.quantity, x.values.isschedulebaseuom])).toEqual([[code, 1, true]]);
    }
    expect(groups.find((g) => g.values.name === 'NAV KG')?.id).toBe(handGroup);
    expect(units.find((x) => x.id === handUnit)?.values.name).toBe('KG');

    // A forced resync (full sync) neither duplicates units nor rewrites anything that is in order.
    const before = units.length;
    const again = await engine.runMapping(m, { only: 'to', force: true, ignoreWatermarks: true });
    expect(again.to).toMatchObject({ failed: 0, inserted: 0, modified: 0 });
    expect(await all(c.dataverse, 'uoms')).toHaveLength(before);

    // Products resolve their unit group through the rule (R2's ITEM-PRODUCT).
    const stk = await resolveUnitGroup(deps, 'STK');
    expect(stk).toEqual({ code: 'STK', scheduleId: engine.couplings.byBc(204, bcUnits.find((u) => u.values.Code === 'STK')!.id)!.dvId, uomId: expect.any(String) });
    expect(await resolveUnitGroup(deps, 'LITER')).toEqual({ error: expect.stringMatching(/^Cannot find the unit group 'NAV LITER'/) });
    // A second unit added to a group by hand: the product cannot use it, and the next UOM run reports it.
    const extra = '0e000000-0000-0000-0000-0000000000a3';
    await c.dataverse.write('uoms', [{ kind: 'insert', id: extra, idempotencyKey: extra, validate: [], template: null, values: { name: 'HALV', quantity: 0.5, isschedulebaseuom: false, uomscheduleid: handGroup } }]);
    expect(await resolveUnitGroup(deps, 'KG')).toEqual({ error: expect.stringMatching(/^Multiple units of measure were found in the unit group 'NAV KG'/) });
    const kg = bcUnits.find((u) => u.values.Code === 'KG')!;
    const r3 = await engine.runMapping(m, { only: 'to', ids: [kg.id] });
    expect(engine.log.errors(r3.to!.id).map((e) => e.message)).toEqual([expect.stringMatching(/^Multiple units of measure were found in the unit group 'NAV KG'/)]);
  }, 20_000);
});
