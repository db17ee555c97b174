/**
 * Apply under the Graph sandbox's fault profiles (lying-404, replication-lag, members-add-502, throttling) and
 * interrupted mid-way: every run still ends with exactly one team per store, and the next plan has only none/skip.
 * No sleeps: every wait the engine and its clients ask for advances the sandboxes' test clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EngineInterrupted } from '../../../main/integrations/commerce-teams/engine';
import { COMMERCE_TEAMS_PERSONAS } from '../../../main/sandbox/commerce-teams-personas';
import { startEngineHarness, type EngineHarness } from './engine-harness';

const STORES = Array.from({ length: 29 }, (_, i) => `0010${String(i + 1).padStart(2, '0')}`);
let h: EngineHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function expectConverged(x: EngineHarness) {
  for (const s of STORES) expect(x.groupsOfStore(s), `store ${s}`).toHaveLength(1);
  const teams = [...x.sb.graph.state.groups.values()].filter((g) => g.team);
  expect(teams).toHaveLength(30);
  const plan = await x.engine().plan();
  expect(plan.stores.filter((s) => s.action !== 'none' && s.action !== 'skip')).toEqual([]);
  expect(plan.communicationsTeam.action).toBe('none');
}

describe('apply with Graph fault profiles', () => {
  it('lying-404: the teamify answers 404 but succeeds; the retry gets 409 and counts as success after re-reading', async () => {
    h = await startEngineHarness();
    h.sb.graph.host.faults.enable('lying-404');
    const r = await h.engine().apply();
    expect(r.failed).toEqual([]);
    expect(r.teamsCreated).toBe(30);
    expect(h.sleeps.filter((ms) => ms >= 10_000).length).toBeGreaterThanOrEqual(30); // one replication back-off per team
    h.sb.graph.host.faults.disable('lying-404');
    await expectConverged(h);
  });

  it('replication-lag: new groups are 404 to Teams for 60 s; the engine waits it out', async () => {
    h = await startEngineHarness();
    h.sb.graph.host.faults.enable('replication-lag', { seconds: 60 });
    const t0 = h.clock.now();
    const r = await h.engine().apply();
    expect(r.failed).toEqual([]);
    expect(r.teamsCreated).toBe(30);
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(60_000);
    await expectConverged(h);
  });

  it('members-add-502: the bulk add fails, single adds take over; every member is added', async () => {
    h = await startEngineHarness();
    h.sb.graph.host.faults.enable('members-add-502');
    const r = await h.engine().apply();
    expect(r).toMatchObject({ failed: [], membersAdded: 91 });
    await expectConverged(h);
  });

  it("throttling (Graph's limits divided by 2): 429s are waited out for their Retry-After", async () => {
    h = await startEngineHarness({ throttling: true });
    h.sb.graph.host.faults.enable('throttle-heavy', { factor: 2 });
    const r = await h.engine({ concurrency: 8 }).apply();
    expect(r.failed).toEqual([]);
    expect(h.sb.graph.stats.throttled).toBeGreaterThan(0);
    await expectConverged(h);
  });
});

describe('per-member results', () => {
  it('a 207 from members/add reports each failed member next to its Commerce worker; the rest of the team is made', async () => {
    h = await startEngineHarness();
    const gone = COMMERCE_TEAMS_PERSONAS.find((p) => p.personnelNumber === 'NR-000402')!;
    const x = h;
    const r = await h.engine({
      onStep: (store, step) => {
        // The Entra user disappears between the plan and the member add (deleted in Entra meanwhile).
        if (store === '001004' && step === 'team') x.sb.graph.state.users.delete(gone.objectId);
      },
    }).apply();
    expect(r.failed).toEqual([{ storeNumber: '001004', code: 'NotFound', message: expect.stringContaining(gone.upn), userId: gone.objectId, personnelNumber: 'NR-000402' }]);
    expect(r.teamsCreated).toBe(30);
    const team = x.sb.graph.state.groups.get(x.groupsOfStore('001004')[0]!)!;
    expect(team.members.size).toBe(2);
  });
});

describe('kill and resume', () => {
  it('an apply interrupted after the link is persisted (before/after the group, after the team) resumes without a duplicate', async () => {
    h = await startEngineHarness();
    const stops: Record<string, string> = { '001002': 'group-created', '001003': 'team', '001004': 'reserved', '001007': 'group' };
    const crashing = h.engine({
      concurrency: 1,
      onStep: (store, step) => {
        if (stops[store] === step) throw new EngineInterrupted(`killed at ${store}/${step}`);
      },
    });
    await expect(crashing.apply()).rejects.toBeInstanceOf(EngineInterrupted);
    // The link was written before the group: 001002's group exists while its link has no group id yet.
    const link = h.db.prepare<[string], { state: string; group_id: string | null }>("SELECT state, group_id FROM commerce_teams_links WHERE source_id = ?").get('001002');
    expect(link).toMatchObject({ state: 'pending', group_id: null });
    expect(h.groupsOfStore('001002')).toHaveLength(1);
    const plan = await h.engine().plan();
    expect(plan.stores.find((s) => s.storeNumber === '001002')).toMatchObject({ action: 'create', reason: 'teamify-pending', teamId: h.groupsOfStore('001002')[0] });
    const r = await h.engine().apply();
    expect(r.failed).toEqual([]);
    await expectConverged(h);
  });
});
