/**
 * *Publish an HQ task list to store plans* (issue 15, `d365ic tasks publish`) against startSandbox over real
 * HTTP(S): the Teams engine provisions and maps the demo stores' teams, `tasks link --create-missing` gives each a
 * plan, then task lists are published to stores and to a hierarchy region — Planner tasks with due dates, details,
 * assignments; Commerce process + status rows; couplings and baselines — with the guards (not mapped, not linked,
 * 2,400 active tasks, 20 assignees) refusing before anything is written, reruns creating nothing twice (also after a
 * crash between create and confirm), 429s under the throttle-heavy fault, and the CLI's contract line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphError, type GraphBatchRequest } from '../../../main/clients/graph';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { deleteMappings, mappingCollection } from '../../../main/integrations/commerce-teams/mapping/directory';
import { TaskBaselineStore } from '../../../main/integrations/commerce-teams/tasks/baselines';
import { linkStorePlans } from '../../../main/integrations/commerce-teams/tasks/link';
import { NEW_ORDER_HINT, TASKS_INTEGRATION, TASKS_MAPPING, TaskRunCancelledError, statusKey } from '../../../main/integrations/commerce-teams/tasks/model';
import { planPublication, publicationProcessId, publishContract, publishTaskList, referenceKey, type PublishDeps } from '../../../main/integrations/commerce-teams/tasks/publish';
import { CouplingStore } from '../../../main/kernel/couplings/store';
import { COMMERCE_REGIONS, COMMERCE_STORES, FINDING_CASES } from '../../../main/sandbox/commerce-teams-personas';
import type { PTask } from '../../../main/sandbox/graph/state';
import { TasksPublishResultSchema } from '../../../preload/contract/commerce-teams/tasks-publish';
import { startEngineHarness, type EngineHarness } from './engine-harness';
import { runCliProcess } from '../../support/cli';

const MAPPINGS = 'RetailTeamsSourceTeamMappings';
let h: EngineHarness;
let conn: ReturnType<typeof connectSandboxInfo>;
let dir: string;
let info: string;
/** store number → plan id after linking. */
let planOf: Map<string, string>;

const deps = (extra: Partial<PublishDeps> = {}): PublishDeps => ({ commerce: conn.commerce, graph: conn.graph, db: h.db, clock: h.clock, ...extra });
const tasksIn = (planId: string): PTask[] => [...h.sb.graph.state.tasks.values()].filter((t) => t.planId === planId);
const couplings = () => new CouplingStore(h.db, TASKS_INTEGRATION, () => h.clock.now());
async function statusRows(processId: string) {
  return conn.commerce.list<{ ProcessId: string; TaskId: string; StoreNumber: string; Status: string; DueDate: string; TaskName: string; PlannerTaskId: string | null; AssignedToPersonnelNumber: string | null }>('RetailTaskStoreStatuses', { filter: `ProcessId eq '${processId}'` });
}
async function processRows(processId: string) {
  return conn.commerce.list<{ ProcessId: string; TaskListId: string; TargetDate: string }>('RetailTaskProcesses', { filter: `ProcessId eq '${processId}'` });
}
/** A task list in Commerce (the task entities are writable). */
async function taskList(id: string, tasks: { TaskId: string; Name: string; DueDateOffsetDays?: number; Notes?: string | null; TaskLinkType?: string; TaskLink?: string | null; AssignedTo?: string | null }[]) {
  await conn.commerce.create('RetailTaskLists', { TaskListId: id, Name: `List ${id}`, Description: 'test', Owner: 'rm1' });
  for (const t of tasks) await conn.commerce.create('RetailTaskListTasks', { TaskListId: id, DueDateOffsetDays: 0, Notes: null, TaskLinkType: 'None', TaskLink: null, AssignedTo: null, ContactPerson: null, ...t });
}

const cli = (args: string[]) => runCliProcess(args, dir);

beforeAll(async () => {
  h = await startEngineHarness({ teamProvisioningMs: 0 });
  const sleep = async (ms: number) => h.clock.advance(ms);
  conn = connectSandboxInfo(h.sb.info, { sleep, clock: h.clock, graph: { pollStartMs: 1000 } });
  const applied = await h.engine().apply();
  expect(applied.failed).toEqual([]);
  const linked = await linkStorePlans({ commerce: conn.commerce, graph: conn.graph, clock: h.clock }, { createMissing: true });
  planOf = new Map(linked.stores.filter((s) => s.planId).map((s) => [s.storeNumber, s.planId!]));
  expect(planOf.size).toBeGreaterThanOrEqual(29);
  dir = mkdtempSync(path.join(tmpdir(), 'd365ic-tasks-publish-'));
  info = path.join(dir, 'sandbox.json');
  writeFileSync(info, `${JSON.stringify(h.sb.info)}\nstarted\n`);
}, 240_000);
afterAll(async () => {
  await conn?.close();
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('publishing a task list to stores', () => {
  it('the preview shows tasks with due dates from the target date and per store its plan; nothing is written', async () => {
    const tasksBefore = h.sb.graph.state.tasks.size;
    const p = await planPublication(deps(), { list: 'Store opening checklist', stores: ['001001', '001002'], targetDate: '2026-12-14' });
    expect(p.list).toMatchObject({ taskListId: 'TL-OPEN', name: 'Store opening checklist' });
    expect(p.tasks.map((t) => [t.taskId, t.dueDate])).toEqual([['T1', '2026-12-14'], ['T2', '2026-12-14'], ['T3', '2026-12-13']]);
    expect(p.tasks[2]!.references).toEqual([{ url: 'https://intranet.nordlys.example/campaigns', alias: 'Read the weekly campaign brief' }]);
    expect(p.stores).toEqual([
      expect.objectContaining({ storeNumber: '001001', planId: planOf.get('001001'), toCreate: 3, activeTasks: tasksIn(planOf.get('001001')!).length, skip: null }),
      expect.objectContaining({ storeNumber: '001002', planId: planOf.get('001002'), toCreate: 3, skip: null }),
    ]);
    expect(p.toCreate).toBe(6);
    expect(h.sb.graph.state.tasks.size).toBe(tasksBefore);
    expect(await processRows(p.processId)).toEqual([]);
    expect(couplings().count(TASKS_MAPPING)).toBe(0);
  });

  it('publishes one Planner task per task per store: due dates, description, reference; process, status rows, couplings and baselines', async () => {
    const stores = ['001001', '001002'];
    const progress: string[] = [];
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores, targetDate: '2026-12-14', onProgress: (p) => progress.push(p.phase) });
    expect(publishContract(r)).toEqual({ tasksCreated: 6, stores: 2, skipped: [] });
    expect(r.processId).toBe(publicationProcessId('TL-OPEN', '2026-12-14', stores));
    expect(progress).toEqual(expect.arrayContaining(['reading', 'counting', 'creating', 'statuses']));
    for (const s of stores) {
      const inPlan = tasksIn(planOf.get(s)!);
      expect(inPlan.map((t) => [t.title, t.dueDateTime]).sort()).toEqual([
        ['Open the cash drawer', '2026-12-14T00:00:00.000Z'], ['Read the weekly campaign brief', '2026-12-13T00:00:00.000Z'], ['Unlock doors and disarm alarm', '2026-12-14T00:00:00.000Z'],
      ]);
      const t1 = inPlan.find((t) => t.title.startsWith('Unlock'))!;
      expect(t1.details.description).toBe('Before 08:45');
      const t3 = inPlan.find((t) => t.title.startsWith('Read'))!;
      expect(Object.keys(t3.details.references)).toEqual([referenceKey('https://intranet.nordlys.example/campaigns')]);
      expect(referenceKey('https://intranet.nordlys.example/campaigns')).toBe('https%3A//intranet%2Enordlys%2Eexample/campaigns');
      expect(t3.details.references[Object.keys(t3.details.references)[0]!]).toMatchObject({ alias: 'Read the weekly campaign brief' });
    }
    expect(await processRows(r.processId)).toEqual([expect.objectContaining({ ProcessId: r.processId, TaskListId: 'TL-OPEN', TargetDate: '2026-12-14' })]);
    const rows = await statusRows(r.processId);
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      const t = h.sb.graph.state.tasks.get(row.PlannerTaskId!)!;
      expect(t.planId).toBe(planOf.get(row.StoreNumber));
      expect(row).toMatchObject({ Status: 'NotStarted', TaskName: t.title, DueDate: t.dueDateTime!.slice(0, 10) });
      const c = couplings().byId('a', TASKS_MAPPING, statusKey(r.processId, row.TaskId, row.StoreNumber))!;
      expect(c).toMatchObject({ bId: t.id, pendingTo: null, resultToB: 'Success', resultToA: 'Success' });
      expect(c.bEtag).toMatch(/^W\/"/);
      expect(new TaskBaselineStore(h.db).get(c.rowId)).toMatchObject({ planId: t.planId, title: t.title, status: 'NotStarted', dueDate: row.DueDate, adhoc: false });
    }
    const pub = h.db.prepare('SELECT state, tasks_created, stores FROM ct_task_publications WHERE process_id = ?').get(r.processId);
    expect(pub).toEqual({ state: 'done', tasks_created: 6, stores: JSON.stringify(stores) });
  });

  it('a rerun of the same publication creates nothing and writes nothing twice', async () => {
    const before = h.sb.graph.state.tasks.size;
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores: ['001002', '001001'], targetDate: '2026-12-14' });
    expect(publishContract(r)).toEqual({ tasksCreated: 0, stores: 2, skipped: [] });
    expect(h.sb.graph.state.tasks.size).toBe(before);
    expect(await statusRows(r.processId)).toHaveLength(6);
    expect(await processRows(r.processId)).toHaveLength(1);
    expect(couplings().count(TASKS_MAPPING)).toBe(6);
  });

  it('assignments: AssignedTo workers → plannerAssignment keyed by their Entra object id, sent with a new order hint (never a server one)', async () => {
    const workers = await conn.commerce.list<{ PersonnelNumber: string; IdentityEmail: string | null }>('Workers', { select: ['PersonnelNumber', 'IdentityEmail'] });
    const users = [...h.sb.graph.state.users.values()];
    const withUser = workers.map((w) => ({ w, u: users.find((u) => u.userPrincipalName.toLowerCase() === String(w.IdentityEmail ?? '').toLowerCase()) })).filter((x) => x.u).slice(0, 2);
    expect(withUser).toHaveLength(2);
    await taskList('TL-ASSIGN', [
      { TaskId: 'A1', Name: 'Count the safe', AssignedTo: `${withUser[0]!.w.PersonnelNumber};${withUser[1]!.w.PersonnelNumber}`, Notes: 'See https://intranet.nordlys.example/safe\n[ ] Open the safe\n[ ] Count twice' },
      { TaskId: 'A2', Name: 'Check the ghost worker', AssignedTo: 'NO-SUCH-WORKER' },
    ]);
    const sent: GraphBatchRequest[] = [];
    const graph = { batch: async (reqs: readonly GraphBatchRequest[]) => (sent.push(...reqs), conn.graph.batch(reqs)) };
    const r = await publishTaskList(deps({ graph }), { list: 'TL-ASSIGN', stores: ['001003'], targetDate: '2026-12-15' });
    expect(publishContract(r)).toEqual({ tasksCreated: 2, stores: 1, skipped: [] });
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'TASKS_PUBLISH_ASSIGNEE_UNRESOLVED', params: { taskId: 'A2', personnelNumber: 'NO-SUCH-WORKER' } })]);
    const ids = withUser.map((x) => x.u!.id).sort();
    const post = sent.find((q) => q.method === 'POST' && (q.body as { title?: string }).title === 'Count the safe')!;
    const assignments = (post.body as { assignments: Record<string, { '@odata.type': string; orderHint: string }> }).assignments;
    expect(Object.keys(assignments).sort()).toEqual(ids);
    for (const a of Object.values(assignments)) expect(a).toEqual({ '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: NEW_ORDER_HINT });
    const task = tasksIn(planOf.get('001003')!).find((t) => t.title === 'Count the safe')!;
    expect(Object.keys(task.assignments).sort()).toEqual(ids);
    for (const a of Object.values(task.assignments)) expect(a.orderHint).not.toBe(NEW_ORDER_HINT);
    expect(Object.values(task.details.checklist).map((c) => c.title).sort()).toEqual(['Count twice', 'Open the safe']);
    expect(Object.keys(task.details.references)).toEqual([referenceKey('https://intranet.nordlys.example/safe')]);
    expect(Object.keys(tasksIn(planOf.get('001003')!).find((t) => t.title === 'Check the ghost worker')!.assignments)).toEqual([]);
    const rows = await statusRows(r.processId);
    expect(rows.find((x) => x.TaskId === 'A1')!.AssignedToPersonnelNumber).toBe(withUser[0]!.w.PersonnelNumber);
  });

  it('to a hierarchy region: every store under the node; an unmapped store in it is skipped with the reason', async () => {
    const region = COMMERCE_REGIONS.find((x) => x.id === 'NO-OSLO')!;
    const inRegion = COMMERCE_STORES.filter((s) => s.region === 'NO-OSLO').map((s) => s.storeNumber).sort();
    const unmapped = '001004';
    expect(inRegion).toContain(unmapped);
    const row = (await conn.commerce.list<{ SourceId: string; TeamId: string; PlanId: string }>(MAPPINGS)).find((x) => x.SourceId === unmapped)!;
    await deleteMappings(conn.commerce, await mappingCollection(conn.commerce), [unmapped]);
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', hierarchyNode: region.name.toUpperCase(), targetDate: '2026-12-16' });
    expect(r.skipped).toEqual([expect.objectContaining({ storeNumber: unmapped, reason: 'TASKS_PUBLISH_NOT_MAPPED', params: { storeNumber: unmapped } })]);
    expect(r.skipped[0]!.fix).toMatch(/not mapped to a team/);
    expect(r.stores).toBe(inRegion.length - 1);
    expect(r.tasksCreated).toBe(3 * (inRegion.length - 1));
    const rows = await statusRows(r.processId);
    expect([...new Set(rows.map((x) => x.StoreNumber))].sort()).toEqual(inRegion.filter((s) => s !== unmapped));
    for (const s of inRegion.filter((x) => x !== unmapped)) expect(tasksIn(planOf.get(s)!).filter((t) => t.dueDateTime?.startsWith('2026-12-16'))).toHaveLength(2);
    await expect(planPublication(deps(), { list: 'TL-OPEN', hierarchyNode: 'Atlantis', targetDate: '2026-12-16' })).rejects.toMatchObject({ code: 'TASKS_PUBLISH_NODE_NOT_FOUND', params: { node: 'Atlantis' } });
    // The store mapped (and linked) again: publishing to the region again resumes the same process and adds its tasks only.
    await conn.commerce.create(MAPPINGS, { SourceType: 'RetailStore', SourceId: unmapped, TeamId: row.TeamId, PlanId: row.PlanId });
    const again = await publishTaskList(deps(), { list: 'TL-OPEN', hierarchyNode: region.name, targetDate: '2026-12-16' });
    expect(again).toMatchObject({ processId: r.processId, tasksCreated: 3, stores: inRegion.length, skipped: [] });
    expect(tasksIn(planOf.get(unmapped)!).filter((t) => t.dueDateTime?.startsWith('2026-12-16'))).toHaveLength(2);
    expect(await statusRows(r.processId)).toHaveLength(3 * inRegion.length);
    // The hierarchy's own name is its root: every store.
    const all = await planPublication(deps(), { list: 'TL-OPEN', hierarchyNode: 'Retail Stores by Region', targetDate: '2026-12-16' });
    expect(all.stores.length).toBe(COMMERCE_STORES.length);
  });

  it('skips unlinked, unmapped and unknown stores with codes, params and fixes; the others are published', async () => {
    const unlinked = '001005';
    await conn.commerce.update(MAPPINGS, { SourceType: 'RetailStore', SourceId: unlinked }, { PlanId: null });
    const noTeam = FINDING_CASES.storeWithoutManager;
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores: [unlinked, noTeam, '999999', '001006'], targetDate: '2026-12-17' });
    expect(publishContract(r)).toEqual({
      tasksCreated: 3, stores: 1,
      skipped: [{ storeNumber: unlinked, reason: 'TASKS_PUBLISH_NOT_LINKED' }, { storeNumber: noTeam, reason: 'TASKS_PUBLISH_NOT_MAPPED' }, { storeNumber: '999999', reason: 'TASKS_PUBLISH_UNKNOWN_STORE' }],
    });
    expect(r.skipped[0]!.fix).toMatch(/d365ic tasks link/);
    expect(r.skipped[0]!.params).toEqual({ storeNumber: unlinked, teamId: expect.any(String) });
    expect(new Set((await statusRows(r.processId)).map((x) => x.StoreNumber))).toEqual(new Set(['001006']));
    await conn.commerce.update(MAPPINGS, { SourceType: 'RetailStore', SourceId: unlinked }, { PlanId: planOf.get(unlinked)! });
  });
});

describe('guards refuse before anything is written', () => {
  it('a plan that would pass 2,400 active tasks: that store is refused (preview shows the count), the other store is published', async () => {
    const full = '001007';
    const planId = planOf.get(full)!;
    const seed = await conn.graph.createTask({ planId, title: 'Filler' });
    const proto = h.sb.graph.state.tasks.get(seed.id)!;
    const ids = h.sb.graph.state.tasksByPlan.get(planId)!;
    // Fill the plan cheaply in the sandbox state: 2,398 active tasks and some completed ones (those do not count).
    for (let i = ids.size; i < 2398; i++) {
      const id = `fill${String(i).padStart(24, '0')}`;
      h.sb.graph.state.tasks.set(id, { ...structuredClone(proto), id });
      ids.add(id);
    }
    for (let i = 0; i < 5; i++) {
      const id = `done${String(i).padStart(24, '0')}`;
      h.sb.graph.state.tasks.set(id, { ...structuredClone(proto), id, percentComplete: 100 });
      ids.add(id);
    }
    const preview = await planPublication(deps(), { list: 'TL-OPEN', stores: [full, '001008'], targetDate: '2026-12-18' });
    expect(preview.stores[0]).toMatchObject({ storeNumber: full, activeTasks: 2398, totalTasks: 2403, toCreate: 0, skip: { code: 'TASKS_PUBLISH_ACTIVE_LIMIT', params: { storeNumber: full, active: 2398, adding: 3, limit: 2400 } } });
    const before = h.sb.graph.state.tasks.size;
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores: [full, '001008'], targetDate: '2026-12-18' });
    expect(publishContract(r)).toEqual({ tasksCreated: 3, stores: 1, skipped: [{ storeNumber: full, reason: 'TASKS_PUBLISH_ACTIVE_LIMIT' }] });
    expect(h.sb.graph.state.tasks.size).toBe(before + 3);
    expect(ids.size).toBe(2403);
    expect((await statusRows(r.processId)).every((x) => x.StoreNumber === '001008')).toBe(true);
    expect(couplings().byId('a', TASKS_MAPPING, statusKey(r.processId, 'T1', full))).toBeUndefined();
    expect(r.skipped[0]!.fix).toMatch(/2400 active tasks/);
  });

  it('a task with more than 20 assignees: every store refused, no process, no task, no coupling', async () => {
    await taskList('TL-CROWD', [{ TaskId: 'C1', Name: 'Everyone count stock', AssignedTo: Array.from({ length: 21 }, (_, i) => `P-${i}`).join(';') }]);
    const before = h.sb.graph.state.tasks.size;
    const couplingsBefore = couplings().count(TASKS_MAPPING);
    const r = await publishTaskList(deps(), { list: 'TL-CROWD', stores: ['001009', '001010'], targetDate: '2026-12-19' });
    expect(publishContract(r)).toEqual({ tasksCreated: 0, stores: 0, skipped: [{ storeNumber: '001009', reason: 'TASKS_PUBLISH_TOO_MANY_ASSIGNEES' }, { storeNumber: '001010', reason: 'TASKS_PUBLISH_TOO_MANY_ASSIGNEES' }] });
    expect(r.skipped[0]!.params).toEqual({ storeNumber: '001009', taskId: 'C1', assignees: 21, limit: 20 });
    expect(h.sb.graph.state.tasks.size).toBe(before);
    expect(couplings().count(TASKS_MAPPING)).toBe(couplingsBefore);
    expect(await processRows(r.processId)).toEqual([]);
  });
});

describe('crash safety and throttling', () => {
  it('a pending coupling whose task was created but not confirmed: the rerun finds it, creates no duplicate', async () => {
    const store = '001011';
    const stores = [store];
    const processId = publicationProcessId('TL-OPEN', '2026-12-20', stores);
    // What a run killed right after Planner answered leaves behind: the pending row, and the task in the plan.
    const key = statusKey(processId, 'T2', store);
    couplings().insert({ mapping: TASKS_MAPPING, aId: key, bId: null, aEntity: 'RetailTaskStoreStatus', bEntity: 'plannerTask', pendingTo: 'b', idempotencyKey: key });
    h.clock.advance(1000);
    const made = await conn.graph.createTask({ planId: planOf.get(store)!, title: 'Open the cash drawer', dueDateTime: '2026-12-20T00:00:00Z' });
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores, targetDate: '2026-12-20' });
    expect(r).toMatchObject({ tasksCreated: 2, recovered: 1, stores: 1, skipped: [] });
    const dated = tasksIn(planOf.get(store)!).filter((t) => t.dueDateTime?.startsWith('2026-12-20'));
    expect(dated.map((t) => t.title).sort()).toEqual(['Open the cash drawer', 'Unlock doors and disarm alarm']);
    expect(couplings().byIdempotencyKey(key)).toMatchObject({ bId: made.id, pendingTo: null });
    expect((await statusRows(processId)).find((x) => x.TaskId === 'T2')!.PlannerTaskId).toBe(made.id);
  });

  it('killed after the create batch went out (nothing confirmed): the rerun recovers every task, creates none, finishes the rows', async () => {
    const stores = ['001012', '001013', '001014'];
    const killing = {
      batch: async (reqs: readonly GraphBatchRequest[]) => {
        const res = await conn.graph.batch(reqs);
        if (reqs.some((q) => q.method === 'POST' && q.url === '/planner/tasks')) throw new Error('killed');
        return res;
      },
    };
    await expect(publishTaskList(deps({ graph: killing }), { list: 'TL-OPEN', stores, targetDate: '2026-12-21', concurrency: 1 })).rejects.toThrow('killed');
    const processId = publicationProcessId('TL-OPEN', '2026-12-21', stores);
    const pendingRows = couplings().pendingPage('b', TASKS_MAPPING, 0, 100).filter((c) => c.aId!.startsWith(processId));
    expect(pendingRows).toHaveLength(9);
    expect(await statusRows(processId)).toEqual([]);
    const before = h.sb.graph.state.tasks.size;
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores, targetDate: '2026-12-21' });
    expect(r).toMatchObject({ tasksCreated: 0, recovered: 9, stores: 3, skipped: [] });
    expect(h.sb.graph.state.tasks.size).toBe(before);
    for (const s of stores) expect(tasksIn(planOf.get(s)!).filter((t) => t.dueDateTime?.startsWith('2026-12-2'))).toHaveLength(3);
    expect(await statusRows(processId)).toHaveLength(9);
    // The details were written on the rerun.
    const t1 = tasksIn(planOf.get('001012')!).find((t) => t.title.startsWith('Unlock') && t.dueDateTime?.startsWith('2026-12-21'))!;
    expect(t1.details.description).toBe('Before 08:45');
  });

  it('stopped (signal) once the creates are answered: no further $batch goes out, TaskRunCancelledError; the rerun finishes without a duplicate', async () => {
    const stores = ['001012', '001013', '001014'];
    const abort = new AbortController();
    let afterStop = 0;
    const stopping = {
      batch: async (reqs: readonly GraphBatchRequest[]) => {
        if (abort.signal.aborted) afterStop++;
        const res = await conn.graph.batch(reqs);
        // The user presses Stop while the create $batch is out (its answer still counts).
        if (reqs.some((q) => q.method === 'POST' && q.url === '/planner/tasks')) abort.abort();
        return res;
      },
    };
    const processId = publicationProcessId('TL-OPEN', '2026-12-28', stores);
    const before = h.sb.graph.state.tasks.size;
    const mine = () => couplings().coupledPage(TASKS_MAPPING, '', 100_000).filter((c) => c.aId!.startsWith(processId)).map((c) => h.sb.graph.state.tasks.get(c.bId!)!);
    await expect(publishTaskList(deps({ graph: stopping }), { list: 'TL-OPEN', stores, targetDate: '2026-12-28', concurrency: 1, signal: abort.signal }))
      .rejects.toBeInstanceOf(TaskRunCancelledError);
    expect(afterStop).toBe(0);
    // The 9 creates of that $batch were answered and recorded; details and status rows were not written yet.
    expect(mine()).toHaveLength(9);
    expect(h.sb.graph.state.tasks.size).toBe(before + 9);
    expect(couplings().pendingPage('b', TASKS_MAPPING, 0, 1000).filter((c) => c.aId!.startsWith(processId))).toEqual([]);
    expect(await statusRows(processId)).toEqual([]);
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores, targetDate: '2026-12-28' });
    expect(r).toMatchObject({ tasksCreated: 0, stores: 3, skipped: [] });
    expect(h.sb.graph.state.tasks.size).toBe(before + 9);
    expect(await statusRows(processId)).toHaveLength(9);
    expect(mine().find((t) => t.title.startsWith('Unlock'))!.details.description).toBe('Before 08:45');
  });

  it('killed after Commerce saved the status rows but before the baselines: the rerun creates nothing and patches the rows it finds', async () => {
    const stores = ['001024', '001025'];
    const dying = {
      list: conn.commerce.list.bind(conn.commerce), collectionFor: conn.commerce.collectionFor.bind(conn.commerce),
      batch: async (items: Parameters<typeof conn.commerce.batch>[0]) => {
        const res = await conn.commerce.batch(items);
        if (items.some((i) => 'url' in i && i.url === 'RetailTaskStoreStatuses')) throw new Error('killed');
        return res;
      },
    };
    await expect(publishTaskList(deps({ commerce: dying }), { list: 'TL-OPEN', stores, targetDate: '2026-12-24' })).rejects.toThrow('killed');
    const processId = publicationProcessId('TL-OPEN', '2026-12-24', stores);
    expect(await statusRows(processId)).toHaveLength(6);
    const before = h.sb.graph.state.tasks.size;
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores, targetDate: '2026-12-24' });
    expect(r).toMatchObject({ tasksCreated: 0, recovered: 0, stores: 2, skipped: [] });
    expect(h.sb.graph.state.tasks.size).toBe(before);
    const rows = await statusRows(processId);
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      const c = couplings().byId('a', TASKS_MAPPING, statusKey(processId, row.TaskId, row.StoreNumber))!;
      expect(row.PlannerTaskId).toBe(c.bId);
      expect(new TaskBaselineStore(h.db).get(c.rowId)).toBeDefined();
    }
    expect(await publishTaskList(deps(), { list: 'TL-OPEN', stores, targetDate: '2026-12-24' })).toMatchObject({ tasksCreated: 0, stores: 2 });
  });

  it('a $batch whose answer is lost after Planner applied it (504): those stores are reported, the rerun finds the tasks and creates none', async () => {
    const stores = ['001026', '001027'];
    let lost = 0;
    const losing = {
      batch: async (reqs: readonly GraphBatchRequest[]) => {
        const res = await conn.graph.batch(reqs);
        if (lost === 0 && reqs.some((q) => q.method === 'POST')) {
          lost++;
          throw new GraphError(504, 'GatewayTimeout', 'The gateway timed out.', { method: 'POST', url: '$batch' } as never);
        }
        return res;
      },
    };
    const first = await publishTaskList(deps({ graph: losing }), { list: 'TL-OPEN', stores, targetDate: '2026-12-25' });
    expect(publishContract(first)).toEqual({ tasksCreated: 0, stores: 0, skipped: stores.map((s) => ({ storeNumber: s, reason: 'TASKS_PUBLISH_CREATE_FAILED' })) });
    expect(first.skipped[0]!.params).toEqual({ storeNumber: '001026', message: expect.stringContaining('The gateway timed out.') });
    const before = h.sb.graph.state.tasks.size;
    const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores, targetDate: '2026-12-25' });
    expect(r).toMatchObject({ tasksCreated: 0, recovered: 6, stores: 2, skipped: [] });
    expect(h.sb.graph.state.tasks.size).toBe(before);
    expect(await statusRows(r.processId)).toHaveLength(6);
  });

  it('429s under the throttle-heavy fault are waited out: every task exactly once', async () => {
    h.sb.graph.settings.throttling = true;
    h.sb.graph.host.faults.enable('throttle-heavy', { factor: 200 });
    try {
      const throttledBefore = h.sb.graph.stats.throttled;
      const stores = ['001015', '001016', '001017', '001018'];
      const r = await publishTaskList(deps(), { list: 'TL-OPEN', stores, targetDate: '2026-12-22', concurrency: 4 });
      expect(publishContract(r)).toEqual({ tasksCreated: 12, stores: 4, skipped: [] });
      expect(h.sb.graph.stats.throttled).toBeGreaterThan(throttledBefore);
      for (const s of stores) expect(tasksIn(planOf.get(s)!).filter((t) => t.dueDateTime?.startsWith('2026-12-2'))).toHaveLength(3);
    } finally {
      h.sb.graph.host.faults.disable('throttle-heavy');
      h.sb.graph.settings.throttling = false;
    }
  });

  it('Planner refusing with a 403 limit code: that store is skipped with the translated code, the others finish', async () => {
    const store = '001019';
    const planId = planOf.get(store)!;
    const refusing = {
      batch: async (reqs: readonly GraphBatchRequest[]) => {
        const res = await conn.graph.batch(reqs.filter((q) => !(q.method === 'POST' && (q.body as { planId?: string }).planId === planId)));
        return reqs.map((q) => res.find((x) => x.id === q.id) ?? { id: q.id, status: 403, headers: {}, body: null, ok: false, attempts: 1, error: Object.assign(new Error('A plan can contain at most 2400 active (not completed) tasks.'), { status: 403, code: 'MaximumActiveTasksInProject' }) as never });
      },
    };
    const r = await publishTaskList(deps({ graph: refusing }), { list: 'TL-OPEN', stores: [store, '001020'], targetDate: '2026-12-23' });
    expect(publishContract(r)).toEqual({ tasksCreated: 3, stores: 1, skipped: [{ storeNumber: store, reason: 'TASKS_PUBLISH_REFUSED_ACTIVE_TASKS' }] });
    expect(new Set((await statusRows(r.processId)).map((x) => x.StoreNumber))).toEqual(new Set(['001020']));
    // The refused creates stay written down; once Planner takes them, a rerun creates exactly those.
    const again = await publishTaskList(deps(), { list: 'TL-OPEN', stores: [store, '001020'], targetDate: '2026-12-23' });
    expect(publishContract(again)).toEqual({ tasksCreated: 3, stores: 2, skipped: [] });
    expect(tasksIn(planId).filter((t) => t.dueDateTime?.startsWith('2026-12-2'))).toHaveLength(3);
  });
});

describe('d365ic tasks publish (child process)', () => {
  it('--json: the contract line; --dry-run writes nothing; a rerun creates nothing; exit 1 when a store is skipped', async () => {
    const db = path.join(dir, 'console.sqlite');
    const base = ['tasks', 'publish', '--sandbox-info', info, '--db', db, '--list', 'TL-OPEN', '--target-date', '2027-01-04'];
    const before = h.sb.graph.state.tasks.size;
    const dry = await cli([...base, '--stores', '001021,001022', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run: 6 task\(s\) would be created in 2 store plan\(s\)/);
    expect(h.sb.graph.state.tasks.size).toBe(before);
    const r = await cli([...base, '--stores', '001021,001022', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(TasksPublishResultSchema.parse(r.last)).toEqual({ tasksCreated: 6, stores: 2, skipped: [] });
    expect(Object.keys(r.last as object)).toEqual(['tasksCreated', 'stores', 'skipped']);
    expect(h.sb.graph.state.tasks.size).toBe(before + 6);
    const again = await cli([...base, '--stores', '001021,001022', '--json']);
    expect(TasksPublishResultSchema.parse(again.last)).toEqual({ tasksCreated: 0, stores: 2, skipped: [] });
    const skipped = await cli([...base, '--stores', `001023,${FINDING_CASES.storeWithoutManager}`, '--json']);
    expect(skipped.code).toBe(1);
    expect(TasksPublishResultSchema.parse(skipped.last)).toEqual({ tasksCreated: 3, stores: 1, skipped: [{ storeNumber: FINDING_CASES.storeWithoutManager, reason: 'TASKS_PUBLISH_NOT_MAPPED' }] });
  }, 120_000);

  it('exit 2 for bad usage: a bad date, both or neither target, no list', async () => {
    const base = ['tasks', 'publish', '--sandbox-info', info, '--list', 'TL-OPEN'];
    expect((await cli([...base, '--stores', '001001', '--target-date', '2026-13-01'])).code).toBe(2);
    expect((await cli([...base, '--stores', '001001', '--target-date', '14.12.2026'])).code).toBe(2);
    expect((await cli([...base, '--stores', '001001', '--hierarchy-node', 'Vestlandet', '--target-date', '2026-12-14'])).code).toBe(2);
    expect((await cli([...base, '--target-date', '2026-12-14'])).code).toBe(2);
    expect((await cli(['tasks', 'publish', '--sandbox-info', info, '--stores', '001001', '--target-date', '2026-12-14'])).code).toBe(2);
  }, 60_000);
});
