/**
 * *Link POS and Teams* (issue 15, `d365ic tasks link`) against startSandbox over real HTTP(S): the Teams engine
 * provisions the demo stores' teams (it maps them in Commerce), then plans are arranged in Graph per store and the
 * link decides linked / missing / ambiguous, persists the plan id on the Commerce mapping row, creates missing
 * plans on request (idempotently), and the CLI's last stdout line parses with the contract schema.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { linkContract, linkStorePlans, type LinkResult } from '../../../main/integrations/commerce-teams/tasks/link';
import { TasksLinkResultSchema } from '../../../preload/contract/commerce-teams/tasks';
import { startEngineHarness, type EngineHarness } from './engine-harness';
import { runCliProcess } from '../../support/cli';

const MAPPINGS = 'RetailTeamsSourceTeamMappings';
let h: EngineHarness;
let conn: ReturnType<typeof connectSandboxInfo>;
let dir: string;
let info: string;
/** store number → team id, as the engine mapped them. */
let teamOf: Map<string, string>;

const deps = () => ({ commerce: conn.commerce, graph: conn.graph, clock: h.clock });
const byStore = (r: LinkResult) => new Map(r.stores.map((s) => [s.storeNumber, s]));
const plansOfGroup = (groupId: string) => [...h.sb.graph.state.plans.values()].filter((p) => p.groupId === groupId);
async function rows(): Promise<Map<string, { TeamId: string; PlanId: string | null; PlanLinkedDateTime: string | null }>> {
  const all = await conn.commerce.list<{ SourceId: string; TeamId: string; PlanId: string | null; PlanLinkedDateTime: string | null }>(MAPPINGS);
  return new Map(all.map((r) => [r.SourceId, r]));
}

const cli = (args: string[]) => runCliProcess(args, dir);

beforeAll(async () => {
  h = await startEngineHarness({ teamProvisioningMs: 0 });
  const sleep = async (ms: number) => h.clock.advance(ms);
  conn = connectSandboxInfo(h.sb.info, { sleep, clock: h.clock, graph: { pollStartMs: 1000 } });
  const applied = await h.engine().apply();
  expect(applied.failed).toEqual([]);
  teamOf = new Map([...(await rows())].map(([s, r]) => [s, r.TeamId.toLowerCase()]));
  dir = mkdtempSync(path.join(tmpdir(), 'd365ic-tasks-link-'));
  info = path.join(dir, 'sandbox.json');
  writeFileSync(info, `${JSON.stringify(h.sb.info)}\nstarted\n`);
}, 240_000);
afterAll(async () => {
  await conn?.close();
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tasks link (Setup task management)', () => {
  it('after provisioning every mapped store team is missing a plan; the fix says a first publication creates one; nothing is written', async () => {
    expect(teamOf.size).toBeGreaterThanOrEqual(29);
    const r = await linkStorePlans(deps());
    expect(r.stores.map((s) => s.storeNumber).sort()).toEqual([...teamOf.keys()].sort());
    for (const s of r.stores) {
      expect(s).toMatchObject({ teamId: teamOf.get(s.storeNumber), planId: null, state: 'missing', code: 'TASKS_LINK_NO_PLAN', persisted: false });
      expect(s.fix).toMatch(/first publication creates the plan/);
      expect(s.fix).toMatch(/--create-missing/);
    }
    expect(r).toMatchObject({ plansCreated: 0, rowsWritten: 0 });
    expect([...(await rows()).values()].every((x) => x.PlanId === null)).toBe(true);
    TasksLinkResultSchema.parse(linkContract(r));
  });

  it('one plan → linked and saved on the mapping row; two plans, one holding tasks → that one; two empty plans → ambiguous', async () => {
    const [one, two, empty] = ['001001', '001002', '001003'];
    const p1 = await conn.graph.createPlan(teamOf.get(one)!, 'Store tasks');
    const unused = await conn.graph.createPlan(teamOf.get(two)!, 'Old plan');
    const published = await conn.graph.createPlan(teamOf.get(two)!, 'Published lists');
    await conn.graph.createTask({ planId: published.id, title: 'Testing Teams integration' });
    const e1 = await conn.graph.createPlan(teamOf.get(empty)!, 'A');
    const e2 = await conn.graph.createPlan(teamOf.get(empty)!, 'B');

    const r = byStore(await linkStorePlans(deps()));
    expect(r.get(one)).toMatchObject({ state: 'linked', planId: p1.id, persisted: true, code: null, fix: null });
    expect(r.get(two)).toMatchObject({ state: 'linked', planId: published.id, persisted: true });
    expect(r.get(two)!.plans.map((p) => [p.id, p.tasks]).sort()).toEqual([[unused.id, 0], [published.id, 1]].sort());
    expect(r.get(empty)).toMatchObject({ state: 'ambiguous', planId: null, persisted: false, code: 'TASKS_LINK_SEVERAL_PLANS', params: { storeNumber: empty, teamId: teamOf.get(empty), plans: 2 } });
    expect(r.get(empty)!.plans.map((p) => p.id).sort()).toEqual([e1.id, e2.id].sort());
    expect(r.get('001004')).toMatchObject({ state: 'missing', planId: null });

    const saved = await rows();
    expect(saved.get(one)).toMatchObject({ PlanId: p1.id, TeamId: expect.stringMatching(new RegExp(teamOf.get(one)!, 'i')) });
    expect(saved.get(one)!.PlanLinkedDateTime).not.toBeNull();
    expect(saved.get(two)!.PlanId).toBe(published.id);
    expect(saved.get(empty)!.PlanId).toBeNull();

    // A second run changes nothing.
    const again = await linkStorePlans(deps());
    expect(again.rowsWritten).toBe(0);
    expect(byStore(again).get(one)).toMatchObject({ state: 'linked', planId: p1.id, persisted: false });
  });

  it('a plan deleted in Teams clears the stale plan id; --dry-run writes nothing', async () => {
    const store = '001005';
    const p = await conn.graph.createPlan(teamOf.get(store)!, 'Short-lived');
    expect(byStore(await linkStorePlans(deps(), { stores: [store] })).get(store)).toMatchObject({ state: 'linked', persisted: true });
    h.sb.graph.state.plans.delete(p.id);
    const dry = await linkStorePlans(deps(), { stores: [store], dryRun: true });
    expect(dry.stores).toHaveLength(1);
    expect(dry.rowsWritten).toBe(0);
    expect((await rows()).get(store)!.PlanId).toBe(p.id);
    const r = byStore(await linkStorePlans(deps(), { stores: [store] })).get(store)!;
    expect(r).toMatchObject({ state: 'missing', planId: null, previousPlanId: p.id, persisted: true });
    expect((await rows()).get(store)!.PlanId).toBeNull();
  });

  it('createMissing creates exactly one plan per store without one (none for linked or ambiguous stores); a second run creates none', async () => {
    const before = await linkStorePlans(deps());
    const missing = before.stores.filter((s) => s.state === 'missing').map((s) => s.storeNumber);
    const ambiguous = before.stores.filter((s) => s.state === 'ambiguous').map((s) => s.storeNumber);
    expect(missing.length).toBeGreaterThan(20);
    const plansBefore = h.sb.graph.state.plans.size;

    const r = await linkStorePlans(deps(), { createMissing: true });
    expect(r.plansCreated).toBe(missing.length);
    expect(h.sb.graph.state.plans.size).toBe(plansBefore + missing.length);
    for (const s of missing) {
      const plans = plansOfGroup(teamOf.get(s)!);
      expect(plans).toHaveLength(1);
      expect(byStore(r).get(s)).toMatchObject({ state: 'linked', planId: plans[0]!.id, created: true, persisted: true });
      expect(plans[0]!.title).toBe(h.sb.graph.state.groups.get(teamOf.get(s)!)!.displayName);
    }
    for (const s of ambiguous) expect(byStore(r).get(s)).toMatchObject({ state: 'ambiguous', created: false });
    const saved = await rows();
    for (const s of missing) expect(saved.get(s)!.PlanId).toBe(byStore(r).get(s)!.planId);

    const second = await linkStorePlans(deps(), { createMissing: true });
    expect(second).toMatchObject({ plansCreated: 0, rowsWritten: 0 });
    expect(h.sb.graph.state.plans.size).toBe(plansBefore + missing.length);
    expect(second.stores.filter((s) => s.state === 'missing')).toEqual([]);
  });

  it('an ambiguous store whose row already names one of its plans keeps that plan (the user\'s choice)', async () => {
    const store = '001003';
    const [a] = plansOfGroup(teamOf.get(store)!);
    await conn.commerce.update(MAPPINGS, { SourceType: 'RetailStore', SourceId: store }, { PlanId: a!.id });
    const r = byStore(await linkStorePlans(deps(), { stores: [store] })).get(store)!;
    expect(r).toMatchObject({ state: 'linked', planId: a!.id, persisted: false });
  });
});

describe('tasks link when a service fails', () => {
  it('a Graph failure for one team: that store reports TASKS_LINK_GRAPH_FAILED and its saved plan id stays', async () => {
    const store = '001010';
    const savedBefore = (await rows()).get(store)!.PlanId;
    expect(savedBefore).not.toBeNull();
    const team = teamOf.get(store)!;
    const graph = {
      batch: async (reqs: Parameters<typeof conn.graph.batch>[0]) => {
        const res = await conn.graph.batch(reqs);
        return res.map((x, i) => (reqs[i]!.url.includes(team) ? { ...x, ok: false, status: 503, body: null, error: Object.assign(new Error('Service unavailable'), { status: 503 }) as never } : x));
      },
    };
    const r = await linkStorePlans({ ...deps(), graph });
    const s = byStore(r).get(store)!;
    expect(s).toMatchObject({ state: 'missing', planId: null, code: 'TASKS_LINK_GRAPH_FAILED', params: { storeNumber: store, message: 'Service unavailable' }, persisted: false });
    expect(r.rowsWritten).toBe(0);
    expect((await rows()).get(store)!.PlanId).toBe(savedBefore);
    expect(r.stores.filter((x) => x.code === 'TASKS_LINK_GRAPH_FAILED')).toHaveLength(1);
  });

  it('a crash after creating a plan and before saving it: the next run links that plan and creates no second one', async () => {
    const store = '001011';
    for (const p of plansOfGroup(teamOf.get(store)!)) h.sb.graph.state.plans.delete(p.id);
    const commerce = { list: conn.commerce.list.bind(conn.commerce), collectionFor: conn.commerce.collectionFor.bind(conn.commerce), batch: async () => Promise.reject(new Error('killed')) };
    await expect(linkStorePlans({ ...deps(), commerce }, { createMissing: true })).rejects.toThrow('killed');
    const created = plansOfGroup(teamOf.get(store)!);
    expect(created).toHaveLength(1);
    const r = byStore(await linkStorePlans(deps(), { createMissing: true })).get(store)!;
    expect(r).toMatchObject({ state: 'linked', planId: created[0]!.id, created: false, persisted: true });
    expect(plansOfGroup(teamOf.get(store)!)).toHaveLength(1);
    expect((await rows()).get(store)!.PlanId).toBe(created[0]!.id);
  });

  it('Commerce refusing a row: TASKS_LINK_NOT_SAVED for that store, the row unchanged', async () => {
    const store = '001012';
    const before = (await rows()).get(store)!.PlanId;
    const other = await conn.graph.createPlan(teamOf.get(store)!, 'Published lists');
    await conn.graph.createTask({ planId: other.id, title: 'Count the till' });
    const commerce = {
      list: conn.commerce.list.bind(conn.commerce), collectionFor: conn.commerce.collectionFor.bind(conn.commerce),
      batch: async (items: Parameters<typeof conn.commerce.batch>[0]) => items.map((_, item) => ({ item, index: 0, status: 500, ok: false, body: null, headers: {}, applied: false, error: Object.assign(new Error('boom'), { status: 500 }) as never })),
    };
    const r = byStore(await linkStorePlans({ ...deps(), commerce }, { stores: [store] })).get(store)!;
    expect(r).toMatchObject({ state: 'linked', planId: other.id, persisted: false, code: 'TASKS_LINK_NOT_SAVED', params: { storeNumber: store, message: 'boom' } });
    expect((await rows()).get(store)!.PlanId).toBe(before);
    expect(byStore(await linkStorePlans(deps(), { stores: [store] })).get(store)).toMatchObject({ planId: other.id, persisted: true, code: null });
  });
});

describe('d365ic tasks link (child process)', () => {
  it('--json: the contract line, every store linked after --create-missing, exit 0', async () => {
    const r = await cli(['tasks', 'link', '--sandbox-info', info, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = TasksLinkResultSchema.parse(r.last);
    expect(out.stores.map((s) => s.storeNumber).sort()).toEqual([...teamOf.keys()].sort());
    for (const s of out.stores) expect(Object.keys(s)).toEqual(['storeNumber', 'teamId', 'planId', 'state']);
    const saved = await rows();
    for (const s of out.stores) expect(s.planId).toBe(saved.get(s.storeNumber)!.PlanId);
    expect(out.stores.every((s) => s.state === 'linked')).toBe(true);
  }, 120_000);

  it('--create-missing creates a plan for a store that lost its plan; text output names states and the fix', async () => {
    const store = '001006';
    for (const p of plansOfGroup(teamOf.get(store)!)) h.sb.graph.state.plans.delete(p.id);
    const text = await cli(['tasks', 'link', '--sandbox-info', info, '--stores', store]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`${store}\\s+missing`));
    expect(text.stdout).toMatch(/--create-missing/);
    const r = await cli(['tasks', 'link', '--sandbox-info', info, '--create-missing', '--json']);
    expect(r.code).toBe(0);
    const out = TasksLinkResultSchema.parse(r.last);
    const plans = plansOfGroup(teamOf.get(store)!);
    expect(plans).toHaveLength(1);
    expect(out.stores.find((s) => s.storeNumber === store)).toEqual({ storeNumber: store, teamId: teamOf.get(store), planId: plans[0]!.id, state: 'linked' });
  }, 120_000);

  it('exit 2 for bad usage; exit 1 when a mapped team does not exist in Graph (that store is missing)', async () => {
    expect((await cli(['tasks', 'link', '--sandbox-info', info, '--bogus'])).code).toBe(2);
    expect((await cli(['tasks', 'nope'])).code).toBe(2);
    expect((await cli(['tasks', 'link', '--sandbox-info', info, '--create-missing', '--dry-run'])).code).toBe(2);
    const ghost = '0b1e5e0c-0000-4000-8000-000000000001';
    await conn.commerce.create(MAPPINGS, { SourceType: 'RetailStore', SourceId: '009999', TeamId: ghost });
    const r = await cli(['tasks', 'link', '--sandbox-info', info, '--json']);
    expect(r.code).toBe(1);
    const out = TasksLinkResultSchema.parse(r.last);
    expect(out.stores.find((s) => s.storeNumber === '009999')).toEqual({ storeNumber: '009999', teamId: ghost, planId: null, state: 'missing' });
  }, 120_000);
});
