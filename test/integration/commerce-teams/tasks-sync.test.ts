/**
 * `tasks sync` (issue 15, keeping statuses in step) against startSandbox over real HTTP(S): two demo stores linked
 * to a plan each. Statuses both ways (0 / 37 / 100 ⇄ Not started / In progress / Completed, In progress written as
 * 50), Canceled kept Commerce-side, assignments both ways (plannerAssignment with the client's order hint, removal),
 * ad-hoc POS tasks → HQ rows, HQ-only rows → Planner tasks, the 412 merge, conflicts listed and resolved, a second
 * sync doing nothing, crash safety, and the CLI's contract line. Also the Commerce sandbox's system stamp.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADHOC_PROCESS_ID, NEW_ORDER_HINT, plannerAssignment, statusKey, TaskRunCancelledError, TASKS_MAPPING } from '../../../main/integrations/commerce-teams/tasks/model';
import { resolveConflict, syncContract } from '../../../main/integrations/commerce-teams/tasks/sync';
import { TasksSyncResultSchema } from '../../../preload/contract/commerce-teams/tasks-sync';
import { counts, startTasksSync, STATUSES, ZERO, type StatusRow, type TasksSyncHarness } from './tasks-sync-harness';

const ROOT = path.resolve(__dirname, '../../..');
const A = '001001';
const B = '001002';
let h: TasksSyncHarness;

beforeAll(async () => {
  h = await startTasksSync([A, B]);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** PATCH bodies the sync sent to one Planner task. */
const patchesTo = (id: string) => h.sent.filter((r) => r.method === 'PATCH' && r.url === `/planner/tasks/${id}`);

describe('Commerce sandbox: ModifiedDateTime of task statuses is a system stamp', () => {
  it('set on insert and on PATCH (whole seconds, whatever the client sent), so $filter=ModifiedDateTime ge … finds changed rows only', async () => {
    const before = await h.row('PR-0001', 'T2', '001003');
    expect(before?.ModifiedDateTime).toBe('2026-12-07T07:00:00Z'); // the seed's stamp stays
    h.clock.advance(5_000);
    const now = new Date(Math.floor(h.clock.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    await h.commerce('PR-0001', 'T2', '001003', { Status: 'InProgress', ModifiedDateTime: '2001-01-01T00:00:00Z' });
    expect((await h.row('PR-0001', 'T2', '001003'))?.ModifiedDateTime).toBe(now);
    await h.conn.commerce.create(STATUSES, { ProcessId: 'PR-STAMP', TaskId: 'X', StoreNumber: '001004', TaskName: 'x', Status: 'NotStarted', ModifiedDateTime: '2001-01-01T00:00:00Z' });
    expect((await h.row('PR-STAMP', 'X', '001004'))?.ModifiedDateTime).toBe(now);
    const changed = await h.conn.commerce.list<StatusRow>(STATUSES, { filter: `ModifiedDateTime ge ${now}` });
    expect(changed.map((r) => `${r.ProcessId}/${r.TaskId}/${r.StoreNumber}`).sort()).toEqual(['PR-0001/T2/001003', 'PR-STAMP/X/001004']);
    await h.commerce('PR-0001', 'T2', '001003', { Status: 'NotStarted' });
  });
});

describe('tasks sync', () => {
  it('HQ-only rows of linked stores (PR-0001, PlannerTaskId empty) become Planner tasks; unlinked stores are left alone; a second sync changes nothing', async () => {
    const seeded = (await h.conn.commerce.list<StatusRow>(STATUSES, { filter: "ProcessId eq 'PR-0001'" })).filter((r) => r.StoreNumber === A || r.StoreNumber === B);
    expect(seeded.length).toBeGreaterThan(0);
    const r = await h.sync();
    expect(r.failed).toEqual([]);
    expect(counts(r)).toEqual({ toPlanner: { created: seeded.length, updated: 0 }, toCommerce: { created: 0, updated: 0 } });
    for (const s of seeded) {
      const row = (await h.row('PR-0001', s.TaskId, s.StoreNumber))!;
      expect(row.PlannerTaskId).toBeTruthy();
      const t = await h.task(row.PlannerTaskId!);
      expect(t.planId).toBe(h.plans.get(s.StoreNumber));
      expect(t.title).toBe(s.TaskName);
      expect(t.percentComplete).toBe(s.Status === 'Completed' ? 100 : 0);
      expect(t.dueDateTime?.slice(0, 10)).toBe(s.DueDate);
    }
    expect((await h.tasksOf(A)).length).toBe(seeded.filter((s) => s.StoreNumber === A).length);
    // Store 001003 is not linked: its rows got no Planner task.
    expect((await h.row('PR-0001', 'T1', '001003'))?.PlannerTaskId).toBeNull();
    const again = await h.sync();
    expect(counts(again)).toEqual(ZERO);
    expect(again.conflicts).toEqual([]);
    expect(again.failed).toEqual([]);
    expect(syncContract(again)).toEqual({ ...ZERO, conflicts: [], failed: [] });
  });

  it('a new HQ row (assigned to a worker) in a linked store gets a Planner task with the worker assigned', async () => {
    await h.conn.commerce.create(STATUSES, { ProcessId: 'PR-HQ', TaskId: 'H1', StoreNumber: A, TaskListId: 'TL-OPEN', TaskName: 'Check the fire exits', Status: 'InProgress', AssignedToPersonnelNumber: 'NR-000100', DueDate: '2026-12-09' });
    const r = await h.sync();
    expect(counts(r)).toEqual({ toPlanner: { created: 1, updated: 0 }, toCommerce: { created: 0, updated: 0 } });
    const row = (await h.row('PR-HQ', 'H1', A))!;
    const t = await h.task(row.PlannerTaskId!);
    expect(t).toMatchObject({ title: 'Check the fire exits', percentComplete: 50, dueDateTime: '2026-12-09T00:00:00.000Z' });
    expect(Object.keys(t.assignments)).toEqual([h.userOf('NR-000100')]);
    const post = h.sent.find((x) => x.method === 'POST' && (x.body as { title?: string }).title === 'Check the fire exits')!;
    expect((post.body as { assignments: unknown }).assignments).toEqual({ [h.userOf('NR-000100')]: plannerAssignment() });
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('Planner → Commerce: percentComplete 0 / 37 / 100 → NotStarted / InProgress / Completed', async () => {
    const a = await h.coupled(A, 'S1', { title: 'Restock endcap', status: 'InProgress' });
    const b = await h.coupled(A, 'S2', { title: 'Clean windows' });
    const c = await h.coupled(B, 'S3', { title: 'Count the safe' });
    await h.planner(a.plannerId, { percentComplete: 0 });
    await h.planner(b.plannerId, { percentComplete: 37 });
    await h.planner(c.plannerId, { percentComplete: 100 });
    const r = await h.sync();
    expect(r.failed).toEqual([]);
    expect(counts(r)).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 3 } });
    expect((await h.row('PR-T', 'S1', A))?.Status).toBe('NotStarted');
    expect((await h.row('PR-T', 'S2', A))?.Status).toBe('InProgress');
    expect((await h.row('PR-T', 'S3', B))?.Status).toBe('Completed');
    // 37 stays 37 in Planner (In progress both sides: nothing to write back).
    expect((await h.task(b.plannerId)).percentComplete).toBe(37);
    await h.planner(b.plannerId, { percentComplete: 60 });
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('Commerce → Planner: InProgress writes 50, Completed 100, NotStarted 0 (If-Match with the etag read, return=representation)', async () => {
    const a = await h.coupled(B, 'C1', { title: 'Price check' });
    const b = await h.coupled(B, 'C2', { title: 'Sweep the floor' });
    const c = await h.coupled(B, 'C3', { title: 'Empty bins', status: 'Completed' });
    await h.commerce('PR-T', 'C1', B, { Status: 'InProgress' });
    await h.commerce('PR-T', 'C2', B, { Status: 'Completed' });
    await h.commerce('PR-T', 'C3', B, { Status: 'NotStarted' });
    const r = await h.sync();
    expect(r.failed).toEqual([]);
    expect(counts(r)).toEqual({ toPlanner: { created: 0, updated: 3 }, toCommerce: { created: 0, updated: 0 } });
    expect((await h.task(a.plannerId)).percentComplete).toBe(50);
    expect((await h.task(b.plannerId)).percentComplete).toBe(100);
    expect((await h.task(c.plannerId)).percentComplete).toBe(0);
    const p = patchesTo(a.plannerId)[0]!;
    expect(p.body).toEqual({ percentComplete: 50 });
    expect(p.headers?.['If-Match']).toMatch(/^W\/"/);
    expect(p.headers?.Prefer).toBe('return=representation');
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('Canceled is kept Commerce-side: not written to Planner, not revived by a Planner change (reported); other fields still flow', async () => {
    const t = await h.coupled(A, 'X1', { title: 'Build the display', status: 'InProgress' });
    await h.commerce('PR-T', 'X1', A, { Status: 'Canceled' });
    const r1 = await h.sync();
    expect(counts(r1)).toEqual(ZERO);
    expect((await h.task(t.plannerId)).percentComplete).toBe(50);
    expect(patchesTo(t.plannerId)).toEqual([]);
    await h.planner(t.plannerId, { percentComplete: 100, dueDateTime: '2026-12-24T00:00:00Z' });
    const r2 = await h.sync();
    expect(counts(r2)).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 1 } });
    expect(r2.stats.canceledKept).toBe(1);
    expect(r2.notices).toEqual([{ storeNumber: A, taskId: 'X1', kind: 'canceled-kept' }]);
    const row = (await h.row('PR-T', 'X1', A))!;
    expect(row.Status).toBe('Canceled');
    expect(row.DueDate).toBe('2026-12-24');
    // Un-canceling in Commerce writes the status again.
    await h.commerce('PR-T', 'X1', A, { Status: 'NotStarted' });
    const r3 = await h.sync();
    expect(counts(r3)).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 0 } });
    expect((await h.task(t.plannerId)).percentComplete).toBe(0);
  });

  it('a task deleted in Planner: its Commerce row becomes Canceled and the coupling ends; nothing recreates it, a second sync does nothing', async () => {
    const t = await h.coupled(B, 'D1', { title: 'Rotate the milk', status: 'InProgress' });
    const kept = await h.coupled(B, 'D2', { title: 'Face the shelves' });
    const before = await h.task(t.plannerId);
    await h.conn.graph.deleteTask(t.plannerId, before['@odata.etag']);
    const r = await h.sync();
    expect(r.failed).toEqual([]);
    expect(counts(r)).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 1 } });
    expect(r.stats.deletedInPlanner).toBe(1);
    expect(r.notices).toEqual([{ storeNumber: B, taskId: 'D1', kind: 'deleted-in-planner' }]);
    expect((await h.row('PR-T', 'D1', B))?.Status).toBe('Canceled');
    expect(h.couplings.byId('a', TASKS_MAPPING, t.key)).toBeUndefined();
    // Confirmed by id before anything was written: one GET of the missing task, answered 404.
    expect(h.sent.filter((x) => x.method === 'GET' && x.url === `/planner/tasks/${t.plannerId}`)).toHaveLength(1);
    // The canceled row is not published again, and the task next to it is untouched.
    const again = await h.sync();
    expect(counts(again)).toEqual(ZERO);
    expect(again.stats.deletedInPlanner).toBe(0);
    expect((await h.tasksOf(B)).some((x) => x.title === 'Rotate the milk')).toBe(false);
    expect((await h.task(kept.plannerId)).title).toBe('Face the shelves');
    expect(h.couplings.byId('a', TASKS_MAPPING, kept.key)).toBeTruthy();
  });

  it('stopped (signal) after Planner was read: nothing written, TaskRunCancelledError; the next run carries the change', async () => {
    const t = await h.coupled(A, 'Q1', { title: 'Dust the shelves' });
    await h.planner(t.plannerId, { percentComplete: 100 });
    const abort = new AbortController();
    const sent = h.sent.length;
    await expect(h.sync({ signal: abort.signal, onProgress: (p) => void (p.phase === 'plans' && abort.abort()) })).rejects.toBeInstanceOf(TaskRunCancelledError);
    expect(h.sent.slice(sent).filter((r) => r.method !== 'GET')).toEqual([]);
    expect((await h.row('PR-T', 'Q1', A))?.Status).toBe('NotStarted');
    const r = await h.sync();
    expect(counts(r)).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 1 } });
    expect((await h.row('PR-T', 'Q1', A))?.Status).toBe('Completed');
  });

  it('assignments both ways through the worker\'s Entra object id: plannerAssignment with the client hint (never the server\'s), reassignment removes the old one, removal', async () => {
    const [u1, u2, u3] = ['NR-000100', 'NR-000101', 'NR-000102'].map((pn) => h.userOf(pn));
    const t = await h.coupled(A, 'AS1', { title: 'Unpack delivery' });
    await h.commerce('PR-T', 'AS1', A, { AssignedToPersonnelNumber: 'NR-000100' });
    expect(counts(await h.sync())).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 0 } });
    const after1 = await h.task(t.plannerId);
    expect(Object.keys(after1.assignments)).toEqual([u1]);
    const serverHint = after1.assignments[u1!]!.orderHint;
    expect(serverHint).not.toBe(NEW_ORDER_HINT);
    expect(patchesTo(t.plannerId).at(-1)!.body).toEqual({ assignments: { [u1!]: plannerAssignment() } });

    await h.commerce('PR-T', 'AS1', A, { AssignedToPersonnelNumber: 'NR-000101' });
    expect(counts(await h.sync())).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 0 } });
    expect(Object.keys((await h.task(t.plannerId)).assignments)).toEqual([u2]);
    const body = patchesTo(t.plannerId).at(-1)!.body as { assignments: Record<string, unknown> };
    expect(body.assignments).toEqual({ [u1!]: null, [u2!]: plannerAssignment() });
    expect(JSON.stringify(body)).not.toContain(serverHint);

    // Planner → Commerce: the store reassigns in Teams.
    await h.planner(t.plannerId, { assignments: { [u2!]: null, [u3!]: plannerAssignment() } });
    expect(counts(await h.sync())).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 1 } });
    expect((await h.row('PR-T', 'AS1', A))?.AssignedToPersonnelNumber).toBe('NR-000102');

    // Removal in Commerce removes the Planner assignment.
    await h.commerce('PR-T', 'AS1', A, { AssignedToPersonnelNumber: null });
    expect(counts(await h.sync())).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 0 } });
    expect((await h.task(t.plannerId)).assignments).toEqual({});
    expect(patchesTo(t.plannerId).at(-1)!.body).toEqual({ assignments: { [u3!]: null } });

    // Removal in Planner clears the Commerce assignee.
    await h.commerce('PR-T', 'AS1', A, { AssignedToPersonnelNumber: 'NR-000100' });
    await h.sync();
    await h.planner(t.plannerId, { assignments: { [u1!]: null } });
    expect(counts(await h.sync())).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 1 } });
    expect((await h.row('PR-T', 'AS1', A))?.AssignedToPersonnelNumber).toBeNull();
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('an ad-hoc task created in the store plan (POS) becomes an HQ row of the ad-hoc process (once), with status, due date and assignee', async () => {
    const u1 = h.userOf('NR-000100');
    const t = await h.conn.graph.createTask({ planId: h.plans.get(A)!, title: 'Fix the freezer door', dueDateTime: '2026-12-11T00:00:00Z', percentComplete: 37, assignees: [u1] });
    const r = await h.sync();
    expect(r.failed).toEqual([]);
    expect(counts(r)).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 1, updated: 0 } });
    const row = (await h.row(ADHOC_PROCESS_ID, t.id, A))!;
    expect(row).toMatchObject({ TaskName: 'Fix the freezer door', Status: 'InProgress', DueDate: '2026-12-11', AssignedToPersonnelNumber: 'NR-000100', PlannerTaskId: t.id });
    const processes = await h.conn.commerce.list('RetailTaskProcesses', { filter: `ProcessId eq '${ADHOC_PROCESS_ID}'` });
    expect(processes).toHaveLength(1);
    // A second ad-hoc task: the process is not created again; the first one now follows Planner like any task.
    const t2 = await h.conn.graph.createTask({ planId: h.plans.get(B)!, title: 'Replace a price label' });
    await h.planner(t.id, { percentComplete: 100 });
    const r2 = await h.sync();
    expect(counts(r2)).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 1, updated: 1 } });
    expect((await h.row(ADHOC_PROCESS_ID, t.id, A))?.Status).toBe('Completed');
    expect((await h.row(ADHOC_PROCESS_ID, t2.id, B))?.Status).toBe('NotStarted');
    expect(await h.conn.commerce.list('RetailTaskProcesses', { filter: `ProcessId eq '${ADHOC_PROCESS_ID}'` })).toHaveLength(1);
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('the POS simulator (a store worker with a delegated token): an ad-hoc task it creates reaches HQ assigned to that worker; tasks it starts and completes reach HQ', async () => {
    await h.sync(); // whatever earlier tests left is settled first
    const a = await h.coupled(A, 'P1', { title: 'POS: face the shelves', dueDate: '2026-12-10' });
    const b = await h.coupled(A, 'P2', { title: 'POS: check the fridge temperatures', dueDate: '2026-12-11' });
    const created = await h.sb.pos.createTask(A, { title: 'POS: light out in aisle 3', dueDate: '2026-12-13' });
    await h.sb.pos.start(A, { taskIds: [a.plannerId] });
    await h.sb.pos.complete(A, { taskIds: [b.plannerId] });
    const r = await h.sync();
    expect(r.failed).toEqual([]);
    expect(counts(r)).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 1, updated: 2 } });
    expect(await h.row(ADHOC_PROCESS_ID, created.created.id, A)).toMatchObject({ TaskName: 'POS: light out in aisle 3', Status: 'NotStarted', DueDate: '2026-12-13', AssignedToPersonnelNumber: created.user.personnelNumber });
    expect((await h.row('PR-T', 'P1', A))?.Status).toBe('InProgress');
    expect((await h.row('PR-T', 'P2', A))?.Status).toBe('Completed');
    // HQ completes the ad-hoc task; the POS sees it completed.
    await h.commerce(ADHOC_PROCESS_ID, created.created.id, A, { Status: 'Completed' });
    expect(counts(await h.sync())).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 0 } });
    expect((await h.sb.pos.listTasks(A)).tasks.find((t) => t.id === created.created.id)?.status).toBe('Completed');
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('409/412: status changed in Planner between the read and the write, due date changed in Commerce — re-read, merged, both survive', async () => {
    const t = await h.coupled(B, 'M1', { title: 'Set up the promo table', dueDate: '2026-12-15' });
    await h.commerce('PR-T', 'M1', B, { DueDate: '2026-12-18' });
    const seen412 = h.statuses.length;
    const r = await h.sync({
      hooks: {
        // The store completes the task in POS (a client that sends the due date along) after the sync read it.
        afterRead: async () => {
          const cur = await h.task(t.plannerId);
          await h.conn.graph.updateTask(t.plannerId, cur['@odata.etag'], { percentComplete: 100, dueDateTime: cur.dueDateTime });
        },
      },
    });
    expect(h.statuses.slice(seen412)).toContain(412);
    expect(r.failed).toEqual([]);
    expect(r.conflicts).toEqual([]);
    expect(counts(r)).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 1 } });
    const task = await h.task(t.plannerId);
    expect(task.percentComplete).toBe(100);
    expect(task.dueDateTime?.slice(0, 10)).toBe('2026-12-18');
    expect(await h.row('PR-T', 'M1', B)).toMatchObject({ Status: 'Completed', DueDate: '2026-12-18' });
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('a change Planner accepted beside ours (no 412: other fields) is taken to Commerce in the same run', async () => {
    const t = await h.coupled(B, 'M2', { title: 'Water the plants' });
    await h.commerce('PR-T', 'M2', B, { TaskName: 'Water the plants (all)' });
    const r = await h.sync({ hooks: { afterRead: () => h.planner(t.plannerId, { percentComplete: 20 }) } });
    expect(counts(r)).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 1 } });
    expect(await h.row('PR-T', 'M2', B)).toMatchObject({ Status: 'InProgress', TaskName: 'Water the plants (all)' });
    expect(await h.task(t.plannerId)).toMatchObject({ title: 'Water the plants (all)', percentComplete: 20 });
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('the same field changed on both sides is a conflict: nothing written for it, listed with both values until resolved; the other fields still flow', async () => {
    const t = await h.coupled(A, 'K1', { title: 'Count the till', dueDate: '2026-12-16' });
    await h.commerce('PR-T', 'K1', A, { TaskName: 'Count the till (HQ)', DueDate: '2026-12-17', Status: 'InProgress' });
    await h.planner(t.plannerId, { title: 'Count the till (store)', dueDateTime: '2026-12-19T00:00:00Z' });
    const r = await h.sync();
    expect(r.failed).toEqual([]);
    expect(counts(r)).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 0 } });
    expect((await h.task(t.plannerId)).percentComplete).toBe(50);
    const byField = new Map(r.conflicts.map((c) => [c.field, c]));
    expect(byField.get('title')).toMatchObject({ storeNumber: A, processId: 'PR-T', taskId: 'K1', plannerTaskId: t.plannerId, baseValue: 'Count the till', commerceValue: 'Count the till (HQ)', plannerValue: 'Count the till (store)' });
    expect(byField.get('dueDate')).toMatchObject({ baseValue: '2026-12-16', commerceValue: '2026-12-17', plannerValue: '2026-12-19' });
    expect(r.conflicts).toHaveLength(2);
    expect((await h.row('PR-T', 'K1', A))?.TaskName).toBe('Count the till (HQ)');
    expect((await h.task(t.plannerId)).title).toBe('Count the till (store)');
    expect(TasksSyncResultSchema.parse(JSON.parse(JSON.stringify(syncContract(r)))).conflicts).toHaveLength(2);

    // Still listed (same ids) by the next sync; nothing written.
    const again = await h.sync();
    expect(counts(again)).toEqual(ZERO);
    expect(again.conflicts.map((c) => c.id).sort()).toEqual(r.conflicts.map((c) => c.id).sort());

    expect(resolveConflict(h.db, byField.get('title')!.id, 'planner')).toBe(true);
    expect(resolveConflict(h.db, byField.get('dueDate')!.id, 'commerce')).toBe(true);
    expect(resolveConflict(h.db, byField.get('dueDate')!.id, 'planner')).toBe(false);
    const resolved = await h.sync();
    expect(resolved.conflicts).toEqual([]);
    expect(counts(resolved)).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 1 } });
    expect((await h.row('PR-T', 'K1', A))?.TaskName).toBe('Count the till (store)');
    const task = await h.task(t.plannerId);
    expect(task.title).toBe('Count the till (store)');
    expect(task.dueDateTime?.slice(0, 10)).toBe('2026-12-17');
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('a conflict whose sides meet again resolves itself', async () => {
    const t = await h.coupled(B, 'K2', { title: 'Fold sweaters' });
    await h.commerce('PR-T', 'K2', B, { Status: 'Completed' });
    await h.planner(t.plannerId, { percentComplete: 30 });
    const r = await h.sync();
    expect(r.conflicts.map((c) => [c.taskId, c.field, c.commerceValue, c.plannerValue])).toEqual([['K2', 'status', 'Completed', 'InProgress']]);
    await h.planner(t.plannerId, { percentComplete: 100 });
    const r2 = await h.sync();
    expect(r2.conflicts).toEqual([]);
    expect(counts(r2)).toEqual(ZERO);
    expect(counts(await h.sync())).toEqual(ZERO);
  });

  it('crash safety: killed after the writes and before recording them — the rerun converges, writes nothing twice, creates no duplicate', async () => {
    const t = await h.coupled(A, 'Z1', { title: 'Mop the entrance', dueDate: '2026-12-12' });
    await h.commerce('PR-T', 'Z1', A, { Status: 'Completed' });
    await h.planner(t.plannerId, { dueDateTime: '2026-12-13T00:00:00Z' });
    await h.conn.commerce.create(STATUSES, { ProcessId: 'PR-HQ', TaskId: 'Z2', StoreNumber: B, TaskName: 'Order bags', Status: 'NotStarted', DueDate: '2026-12-14' });
    const adhoc = await h.conn.graph.createTask({ planId: h.plans.get(B)!, title: 'Broken shelf', percentComplete: 0 });
    const kill = () => {
      throw new Error('killed');
    };
    await expect(h.sync({ hooks: { beforeSave: kill } })).rejects.toThrow('killed');
    // Everything reached both sides; nothing is recorded yet.
    expect((await h.task(t.plannerId)).percentComplete).toBe(100);
    expect((await h.row('PR-T', 'Z1', A))?.DueDate).toBe('2026-12-13');
    expect(h.couplings.byId('a', 'tasks', statusKey('PR-HQ', 'Z2', B))?.pendingTo).toBe('b');
    expect(h.couplings.byId('b', 'tasks', adhoc.id)?.pendingTo).toBe('a');
    // Killed again at the same point: still converging, no duplicate.
    await expect(h.sync({ hooks: { beforeSave: kill } })).rejects.toThrow('killed');
    // Meanwhile the store starts the ad-hoc task.
    await h.planner(adhoc.id, { percentComplete: 40 });

    const r = await h.sync();
    expect(r.failed).toEqual([]);
    expect(r.conflicts).toEqual([]);
    expect(r.toPlanner).toEqual({ created: 0, updated: 0 }); // the Planner task of Z2 was found, not created again
    expect((await h.tasksOf(B)).filter((x) => x.title === 'Order bags')).toHaveLength(1);
    expect((await h.conn.commerce.list<StatusRow>(STATUSES, { filter: `ProcessId eq '${ADHOC_PROCESS_ID}' and TaskId eq '${adhoc.id}'` }))).toHaveLength(1);
    expect(h.couplings.byId('a', 'tasks', statusKey('PR-HQ', 'Z2', B))).toMatchObject({ pendingTo: null });
    expect(h.couplings.byId('b', 'tasks', adhoc.id)).toMatchObject({ pendingTo: null });
    expect(await h.row('PR-T', 'Z1', A)).toMatchObject({ Status: 'Completed', DueDate: '2026-12-13' });
    expect((await h.row(ADHOC_PROCESS_ID, adhoc.id, B))?.Status).toBe('InProgress');
    expect((await h.task(adhoc.id)).percentComplete).toBe(40);
    const task = await h.task(t.plannerId);
    expect(task.percentComplete).toBe(100);
    expect(task.dueDateTime?.slice(0, 10)).toBe('2026-12-13');
    const quiet = await h.sync();
    expect(counts(quiet)).toEqual(ZERO);
    expect(quiet.failed).toEqual([]);
    // And the healed tasks follow later changes.
    const z2 = (await h.tasksOf(B)).find((x) => x.title === 'Order bags')!;
    await h.planner(z2.id, { percentComplete: 100 });
    expect(counts(await h.sync())).toEqual({ toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 1 } });
    expect((await h.row('PR-HQ', 'Z2', B))?.Status).toBe('Completed');
  });

  it('a publication that died before writing its status rows: its uncoupled Planner task is not taken for an ad-hoc task', async () => {
    const key = statusKey('PR-PUB', 'P1', A);
    const pending = h.couplings.insert({ mapping: 'tasks', aId: key, bId: null, pendingTo: 'b', idempotencyKey: key });
    const t = await h.conn.graph.createTask({ planId: h.plans.get(A)!, title: 'Published, row not written yet', dueDateTime: '2026-12-21T00:00:00Z' });
    const r = await h.sync();
    expect(counts(r)).toEqual(ZERO);
    expect(await h.row(ADHOC_PROCESS_ID, t.id, A)).toBeUndefined();
    expect(h.couplings.byId('b', 'tasks', t.id)).toBeUndefined();
    // The publication's rerun writes the row: the sync then confirms the pending create with that task (no second task).
    await h.conn.commerce.create(STATUSES, { ProcessId: 'PR-PUB', TaskId: 'P1', StoreNumber: A, TaskName: 'Published, row not written yet', Status: 'NotStarted', DueDate: '2026-12-21' });
    const r2 = await h.sync();
    expect(counts(r2)).toEqual(ZERO);
    expect(h.couplings.byRowId(pending.rowId)).toMatchObject({ pendingTo: null, bId: t.id });
    expect((await h.tasksOf(A)).filter((x) => x.title === 'Published, row not written yet')).toHaveLength(1);
    expect((await h.row('PR-PUB', 'P1', A))?.PlannerTaskId).toBe(t.id);
  });

  it('with faults on (5xx, connection resets, 429 bursts on Graph and Commerce) repeated syncs converge: every change through, nothing twice', async () => {
    const t = await h.coupled(A, 'R1', { title: 'Check the tills' });
    const u = await h.coupled(B, 'R2', { title: 'Dust the shelves' });
    await h.commerce('PR-T', 'R1', A, { Status: 'Completed' });
    await h.planner(u.plannerId, { percentComplete: 45, title: 'Dust all shelves' });
    await h.conn.commerce.create(STATUSES, { ProcessId: 'PR-HQ', TaskId: 'R3', StoreNumber: A, TaskName: 'Call the landlord', Status: 'NotStarted', DueDate: '2026-12-22' });
    const adhoc = await h.conn.graph.createTask({ planId: h.plans.get(B)!, title: 'Leaking tap' });
    const hosts = [h.sb.graph.host, h.sb.commerce.host];
    let runs = 0;
    let clean = false;
    let died = 0;
    try {
      for (const host of hosts) host.knobs.set({ faultRate: 0.5, faultSeed: 7 });
      while (!clean && runs < 25) {
        runs++;
        try {
          clean = (await h.sync()).failed.length === 0;
        } catch {
          died++;
        }
      }
    } finally {
      for (const host of hosts) host.knobs.set({ faultRate: 0 });
    }
    expect(clean).toBe(true);
    expect(died).toBe(0); // failures are reported per task or store, the run never dies of them
    const settle = await h.sync();
    expect(settle.failed).toEqual([]);
    expect(settle.conflicts).toEqual([]);
    expect((await h.task(t.plannerId)).percentComplete).toBe(100);
    expect(await h.row('PR-T', 'R2', B)).toMatchObject({ Status: 'InProgress', TaskName: 'Dust all shelves' });
    expect((await h.tasksOf(A)).filter((x) => x.title === 'Call the landlord')).toHaveLength(1);
    expect((await h.row('PR-HQ', 'R3', A))?.PlannerTaskId).toBeTruthy();
    expect(await h.conn.commerce.list(STATUSES, { filter: `ProcessId eq '${ADHOC_PROCESS_ID}' and TaskId eq '${adhoc.id}'` })).toHaveLength(1);
    expect(counts(await h.sync())).toEqual(ZERO);
    console.log(`faults: converged after ${runs} run(s), ${died} died`);
  });

  it('a plan that cannot be read is reported and retried next run; its Commerce changes are not lost', async () => {
    const t = await h.coupled(B, 'F1', { title: 'Polish the counter' });
    await h.commerce('PR-T', 'F1', B, { Status: 'InProgress' });
    const plan = h.sb.graph.state.plans.get(h.plans.get(B)!)!;
    h.sb.graph.state.plans.delete(plan.id);
    const r = await h.sync();
    h.sb.graph.state.plans.set(plan.id, plan);
    expect(r.failed).toEqual([expect.objectContaining({ storeNumber: B, code: 'TASKS_SYNC_PLAN_READ_FAILED' })]);
    expect(counts(r)).toEqual(ZERO);
    h.clock.advance(3_000);
    const r2 = await h.sync();
    expect(r2.failed).toEqual([]);
    expect(counts(r2)).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 0 } });
    expect((await h.task(t.plannerId)).percentComplete).toBe(50);
  });
});

describe('d365ic tasks sync (CLI)', () => {
  let c: TasksSyncHarness;
  let dir: string;
  let info: string;
  const run = (args: string[]) => new Promise<{ code: number; stdout: string; last: unknown }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'main/cli/bin.mjs'), 'tasks', 'sync', '--sandbox-info', info, '--db', path.join(dir, 'console.sqlite'), ...args], { cwd: ROOT, env: { ...process.env, D365IC_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let last: unknown;
      try {
        last = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
      } catch {
        last = null;
      }
      resolve({ code: code ?? -1, stdout, last });
    });
  });
  beforeAll(async () => {
    c = await startTasksSync([A]);
    dir = mkdtempSync(path.join(tmpdir(), 'd365ic-tasks-sync-'));
    info = path.join(dir, 'sandbox.json');
    writeFileSync(info, `${JSON.stringify(c.sb.info)}\nstarted\n`);
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--json: the contract line (creates, then nothing), a conflict listed with both values in text mode, --resolve applies it; exit 2 for a bad --resolve', async () => {
    const first = await run(['--json']);
    expect(first.code).toBe(0);
    const parsed = TasksSyncResultSchema.parse(first.last);
    expect(Object.keys(first.last as object)).toEqual(['toPlanner', 'toCommerce', 'conflicts', 'failed']);
    expect(parsed.toPlanner.created).toBeGreaterThan(0);
    const second = await run(['--json']);
    expect(TasksSyncResultSchema.parse(second.last)).toEqual({ ...ZERO, conflicts: [], failed: [] });

    const row = (await c.row('PR-0001', 'T2', A))!;
    await c.commerce('PR-0001', 'T2', A, { TaskName: 'HQ wording' });
    await c.planner(row.PlannerTaskId!, { title: 'Store wording' });
    const text = await run([]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/conflict \d+ +store 001001 +PR-0001\/T2 .*title: Commerce HQ wording +≠ +Planner Store wording/);
    const listed = TasksSyncResultSchema.parse((await run(['--json'])).last).conflicts;
    expect(listed).toHaveLength(1);
    expect((await run(['--resolve', `${listed[0]!.id}=nope`])).code).toBe(2);
    const resolved = await run(['--resolve', `${listed[0]!.id}=commerce`, '--json']);
    expect(resolved.code).toBe(0);
    expect(TasksSyncResultSchema.parse(resolved.last)).toEqual({ toPlanner: { created: 0, updated: 1 }, toCommerce: { created: 0, updated: 0 }, conflicts: [], failed: [] });
    expect((await c.task(row.PlannerTaskId!)).title).toBe('HQ wording');
  }, 240_000);
});
