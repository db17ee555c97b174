/**
 * The Demo sandbox's "changes in Commerce headquarters" (a worker joins a store, a new store manager, a new store)
 * as the Teams engine sees them: made once (a second time changes nothing), picked up by the next plan, applied,
 * and the plan after lists nothing to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMERCE_TEAMS_PERSONAS } from '../../../main/sandbox/commerce-teams-personas';
import { applyHqChange, NEW_STORE } from '../../../main/sandbox/commerce/hq-changes';
import { startEngineHarness, type EngineHarness } from './engine-harness';

const upn = (pn: string) => COMMERCE_TEAMS_PERSONAS.find((p) => p.personnelNumber === pn)!.upn;

describe('changes in Commerce headquarters, picked up by the next plan', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(() => h?.close());

  it('a worker joins, a new store manager, a new store: planned, applied, then nothing to do', async () => {
    expect((await h.engine().apply()).failed).toEqual([]);
    expect((await h.engine().plan()).stores.find((s) => s.storeNumber === NEW_STORE.storeNumber)).toBeUndefined();
    const store = h.sb.commerce.store;
    for (const c of ['worker-joins', 'manager-change', 'new-store'] as const) expect(applyHqChange(store, c).applied).toBe(true);
    for (const c of ['worker-joins', 'manager-change', 'new-store'] as const) expect(applyHqChange(store, c).applied).toBe(false);

    const plan = await h.engine().plan();
    expect(plan.stores.find((s) => s.storeNumber === '001001')).toMatchObject({ action: 'update', owners: { add: [upn('NR-000101')], remove: [] }, members: { add: [upn('NR-000203')], remove: [] } });
    expect(plan.stores.find((s) => s.storeNumber === NEW_STORE.storeNumber)).toMatchObject({ action: 'create', teamId: null, owners: { add: [upn('NR-000100')] }, members: { add: [upn('NR-000102')] } });

    const r = await h.engine().apply();
    expect(r).toMatchObject({ teamsCreated: 1, ownersAdded: 2, failed: [] });
    expect(h.groupsOfStore(NEW_STORE.storeNumber)).toHaveLength(1);
    const after = await h.engine().plan();
    expect(after.stores.filter((s) => s.action === 'create' || s.action === 'update')).toEqual([]);
  });
});
