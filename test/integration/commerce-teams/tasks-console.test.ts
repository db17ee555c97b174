/**
 * tasks.* as the console wires them (createApp with the embedded demo sandbox and its demo profiles), through the
 * app's router: enabling task management needs the Teams integration enabled; Link POS and Teams previews first and
 * writes nothing, then creates the missing plans with progress on the event bus; the task lists and publish targets
 * come from Commerce; the scheduled status sync is a kernel job-queue entry held On Hold while task management is
 * disabled; the open conflicts show both values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { TASKS_SYNC_ENTRY } from '../../../main/integrations/commerce-teams/tasks/console/service';
import { keyFile } from '../../../main/platform/paths';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { readFileSync } from 'node:fs';
import type { TasksLinkOutput, TasksListsOutput, TasksPreview, TasksProgress, TasksPublishOutcome, TasksReport, TasksSchedule, TasksSettings, TasksSyncOutcome, TasksConflict, TeamsProgress } from '../../../preload/contract';
import { quietLogger, tempDir } from '../../support/app';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let dir: ReturnType<typeof tempDir>;
const STORES = 2;
let stores: string[];

async function call<T>(method: string, payload: unknown = {}): Promise<T> {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), r.error);
  return r.value as T;
}
async function failure(method: string, payload: unknown = {}): Promise<{ code: string; params?: Record<string, unknown> }> {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (r.ok) throw new Error(`${method} answered ok`);
  return r.error;
}
const entryStatus = () => (app.db.prepare('SELECT status FROM sync_job_queue WHERE name = ?').get(TASKS_SYNC_ENTRY) as { status: string } | undefined)?.status ?? null;

beforeAll(async () => {
  dir = tempDir('d365ic-tasks-app-');
  sandbox = await EmbeddedSandbox.start({ port: 0 });
  sandbox.handle!.graph.settings.teamProvisioningMs = 1;
  app = createApp({ host: 'memory', dataDir: dir.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
});
afterAll(async () => {
  app?.close();
  await sandbox?.handle?.close();
  dir?.cleanup();
});

describe('tasks.* in the app', () => {
  it('task management cannot be enabled, nor sync run, before the Teams integration is enabled', async () => {
    expect(await failure('tasks.setEnabled', { enabled: true })).toMatchObject({ code: 'TASKS_TEAMS_DISABLED' });
    expect(await failure('tasks.sync')).toMatchObject({ code: 'TASKS_DISABLED' });
    const s = await call<TasksSettings>('tasks.getSettings');
    expect(s).toMatchObject({ enabled: false, teamsEnabled: false, busy: null, profiles: { commerce: null, graph: null } });
  });

  it('with Teams enabled and store teams provisioned, enabling says what it starts', async () => {
    const profiles = await app.connections.store.list();
    const commerce = profiles.find((p) => p.kind === 'commerce-hq')!;
    const graph = profiles.find((p) => p.kind === 'graph' && p.authMethod === 'client-secret')!;
    await call('teams.setConfig', { commerceProfileId: commerce.id, graphProfileId: graph.id, dataSharingConsent: true });
    await call('teams.enable');
    const plan = await call<{ stores: { storeNumber: string; action: string }[] }>('teams.plan', {});
    stores = plan.stores.filter((s) => s.action === 'create').slice(0, STORES).map((s) => s.storeNumber);
    expect(stores).toHaveLength(STORES);
    const ended = new Promise<void>((resolve) => app.events.subscribe((name, p) => {
      if (name === 'teams.progress' && (p as TeamsProgress).storeNumber === null && ['done', 'failed', 'cancelled'].includes((p as TeamsProgress).phase)) resolve();
    }));
    await call('teams.apply', { storeNumbers: stores });
    await ended;

    const dry = await call<{ effects: { code: string }[]; applied: boolean; settings: TasksSettings }>('tasks.setEnabled', { enabled: true, dryRun: true });
    expect(dry.applied).toBe(false);
    expect(dry.settings.enabled).toBe(false);
    const on = await call<{ effects: { code: string }[]; applied: boolean; settings: TasksSettings }>('tasks.setEnabled', { enabled: true });
    expect(on.effects.map((e) => e.code)).toEqual(['TASKS_ENABLE_RUNS_ALLOWED', 'TASKS_ENABLE_SCHEDULE_OFF']);
    expect(on.settings).toMatchObject({ enabled: true, teamsEnabled: true, profiles: { commerce: commerce.name, graph: graph.name } });
  });

  it('link previews first (nothing written), then creates the missing plans with progress and persists them', async () => {
    const dry = await call<TasksLinkOutput>('tasks.link', {});
    expect(dry.dryRun).toBe(true);
    const mine = dry.stores.filter((s) => stores.includes(s.storeNumber));
    expect(mine.map((s) => [s.state, s.code])).toEqual(stores.map(() => ['missing', 'TASKS_LINK_NO_PLAN']));
    expect(mine[0]!.params).toMatchObject({ storeNumber: mine[0]!.storeNumber, teamId: mine[0]!.teamId });
    expect(dry.rowsWritten).toBe(0);
    expect(sandbox.handle!.graph.state.plans.size).toBe(0);

    const events: TasksProgress[] = [];
    const off = app.events.subscribe((name, p) => name === 'tasks.progress' && events.push(p as TasksProgress));
    const r = await call<TasksLinkOutput>('tasks.link', { createMissing: true, dryRun: false, stores });
    off();
    expect(r.plansCreated).toBe(STORES);
    expect(r.stores.map((s) => [s.storeNumber, s.state, s.created, s.persisted])).toEqual(stores.map((s) => [s, 'linked', true, true]));
    expect(events[0]).toMatchObject({ operation: 'link', phase: 'starting' });
    expect(events.at(-1)).toMatchObject({ operation: 'link', phase: 'done' });

    // A second preview finds the same plans and would write nothing.
    const again = await call<TasksLinkOutput>('tasks.link', { stores });
    expect(again.stores.map((s) => [s.state, s.planId])).toEqual(r.stores.map((s) => ['linked', s.planId]));
  });

  it('lists the HQ task lists with their tasks, the mapped stores with their plans and the hierarchy nodes', async () => {
    const l = await call<TasksListsOutput>('tasks.lists');
    const open = l.lists.find((x) => x.taskListId === 'TL-OPEN')!;
    expect(open.name).toBe('Store opening checklist');
    expect(open.tasks.map((t) => [t.taskId, t.dueDateOffsetDays])).toEqual([['T1', 0], ['T2', 0], ['T3', -1]]);
    expect(l.stores.map((s) => s.storeNumber).sort()).toEqual([...stores].sort());
    expect(l.stores.every((s) => s.planId)).toBe(true);
    expect(l.hierarchy).toBeTruthy();
    expect(l.nodes.length).toBeGreaterThan(0);
    // Every node counts the mapped stores under it; the top holds them all.
    expect(Math.max(...l.nodes.map((n) => n.stores))).toBe(STORES);
  });

  it('the status sync schedule is a job-queue entry that is Ready only while task management is enabled', async () => {
    const s = await call<TasksSchedule>('tasks.setSchedule', { enabled: true, everyMinutes: 30 });
    expect(s).toMatchObject({ entry: TASKS_SYNC_ENTRY, enabled: true, everyMinutes: 30, status: 'Ready' });
    // Sales lists only its own entries.
    expect((await call<{ name: string }[]>('sync.queue')).map((e) => e.name)).not.toContain(TASKS_SYNC_ENTRY);

    const dry = await call<{ effects: { code: string; params: Record<string, unknown> }[]; applied: boolean }>('tasks.setEnabled', { enabled: false, dryRun: true });
    expect(dry.effects.map((e) => e.code)).toEqual(['TASKS_DISABLE_NO_RUNS', 'TASKS_DISABLE_SCHEDULE_ON_HOLD', 'TASKS_DISABLE_STATUSES_STOP', 'TASKS_DISABLE_TASKS_KEPT', 'TASKS_DISABLE_LINKS_KEPT']);
    expect(entryStatus()).toBe('Ready');
    await call('tasks.setEnabled', { enabled: false });
    expect(entryStatus()).toBe('On Hold');
    expect(await failure('tasks.publish', { taskListId: 'TL-OPEN', stores, targetDate: '2026-12-08' })).toMatchObject({ code: 'TASKS_DISABLED' });
    // Turning the schedule on while disabled keeps it On Hold; enabling makes it Ready again.
    expect((await call<TasksSchedule>('tasks.setSchedule', { enabled: true, everyMinutes: 20 })).status).toBe('On Hold');
    const on = await call<{ effects: { code: string; params: Record<string, unknown> }[] }>('tasks.setEnabled', { enabled: true });
    expect(on.effects[1]).toEqual({ code: 'TASKS_ENABLE_SCHEDULE_READY', params: { everyMinutes: 20 } });
    expect(entryStatus()).toBe('Ready');
  });

  it('publish needs exactly one target', async () => {
    expect(await failure('tasks.previewPublish', { taskListId: 'TL-OPEN', targetDate: '2026-12-08' })).toMatchObject({ code: 'TASKS_TARGET_REQUIRED' });
    expect(await failure('tasks.previewPublish', { taskListId: 'TL-OPEN', stores, hierarchyNode: 'Norway', targetDate: '2026-12-08' })).toMatchObject({ code: 'TASKS_TARGET_REQUIRED' });
    expect(await failure('tasks.previewPublish', { taskListId: 'TL-OPEN', stores, targetDate: '8.12.2026' })).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('publish: the preview says what it creates per store, then publishing creates it with progress; the report and its export follow', async () => {
    const totalOf = (r: TasksReport, sn: string) => r.lists.find((l) => l.taskListId === 'TL-OPEN')?.stores.find((x) => x.storeNumber === sn)?.total ?? 0;
    const before = await call<TasksReport>('tasks.report', { taskListId: 'TL-OPEN' }).catch(() => null);
    const input = { taskListId: 'TL-OPEN', stores, targetDate: '2026-12-08' };
    const preview = await call<TasksPreview>('tasks.previewPublish', input);
    expect(preview.stores.map((x) => [x.storeNumber, x.tasks]).sort()).toEqual(stores.map((x) => [x, 3]).sort());
    expect(preview).toMatchObject({ tasksToCreate: 3 * STORES, skipped: [], limits: { activeTasksPerPlan: 2400, assignees: 20 } });
    const tasksIn = () => [...sandbox.handle!.graph.state.tasks.values()].length;
    const created0 = tasksIn();

    const events: TasksProgress[] = [];
    const off = app.events.subscribe((name, p) => name === 'tasks.progress' && events.push(p as TasksProgress));
    const r = await call<TasksPublishOutcome>('tasks.publish', input);
    off();
    expect(r).toMatchObject({ tasksCreated: 3 * STORES, stores: STORES, skipped: [], failed: [] });
    expect(tasksIn() - created0).toBe(3 * STORES);
    expect(events.at(-1)).toMatchObject({ operation: 'publish', phase: 'done' });
    expect(events.some((e) => e.phase === 'writing')).toBe(true);
    // Publishing again creates nothing more.
    expect((await call<TasksPreview>('tasks.previewPublish', input)).tasksToCreate).toBe(0);

    const after = await call<TasksReport>('tasks.report', { taskListId: 'TL-OPEN' });
    for (const sn of stores) expect(totalOf(after, sn) - (before ? totalOf(before, sn) : 0)).toBe(3);
    const drill = await call<TasksReport>('tasks.report', { taskListId: 'TL-OPEN', store: stores[0] });
    expect(drill.rows.filter((x) => x.processId === r.processId).map((x) => [x.taskId, x.status, x.dueDate]).sort()).toEqual([['T1', 'NotStarted', '2026-12-08'], ['T2', 'NotStarted', '2026-12-08'], ['T3', 'NotStarted', '2026-12-07']]);

    const file = await call<{ path: string; fileName: string }>('tasks.exportReport', { taskListId: 'TL-OPEN' });
    expect(file.path.startsWith(dir.dir)).toBe(true);
    expect(readFileSync(file.path).subarray(0, 2).toString()).toBe('PK');
  });

  it('sync: tasks a store worker completes in POS reach Commerce and move the report; nothing else changes', async () => {
    const store = stores[0]!;
    const done = (r: TasksReport) => r.lists.find((l) => l.taskListId === 'TL-OPEN')!.stores.find((x) => x.storeNumber === store)!.completed;
    const before = await call<TasksReport>('tasks.report', { taskListId: 'TL-OPEN' });
    // HQ rows with no Planner task yet (the seeded process at these stores) are created in the plans by the sync.
    let hqOnly = 0;
    for (const sn of stores) hqOnly += (await call<TasksReport>('tasks.report', { store: sn })).rows.filter((x) => !x.plannerTaskId && x.status !== 'Canceled').length;
    await call('sandbox.posAction', { storeNumber: store, action: 'complete', count: 2 });

    const events: TasksProgress[] = [];
    const off = app.events.subscribe((name, p) => name === 'tasks.progress' && events.push(p as TasksProgress));
    const r = await call<TasksSyncOutcome>('tasks.sync');
    off();
    expect(r).toMatchObject({ toCommerce: { created: 0, updated: 2 }, toPlanner: { created: hqOnly, updated: 0 }, conflicts: 0, failed: [] });
    expect(events.at(-1)).toMatchObject({ operation: 'sync', phase: 'done' });
    const s = await call<TasksSettings>('tasks.getSettings');
    expect(s.lastSync).toMatchObject({ toCommerce: { updated: 2 } });
    expect(s.lastSyncAt).toBe(r.at);
    expect(done(await call<TasksReport>('tasks.report', { taskListId: 'TL-OPEN' })) - done(before)).toBe(2);
    // A second sync finds nothing changed.
    expect(await call<TasksSyncOutcome>('tasks.sync')).toMatchObject({ toCommerce: { created: 0, updated: 0 }, toPlanner: { created: 0, updated: 0 } });
    expect(await call<{ conflicts: unknown[] }>('tasks.conflicts')).toEqual({ conflicts: [] });
  });

  it('Stop: tasks.cancel stops the sync under way (TASKS_CANCELLED, a failed progress end); nothing to stop when idle; the next sync carries the change', async () => {
    expect(await call('tasks.cancel')).toEqual({ cancelled: false });
    await call('sandbox.posAction', { storeNumber: stores[1]!, action: 'complete', count: 1 });
    const events: TasksProgress[] = [];
    const started = new Promise<void>((resolve) => {
      const off = app.events.subscribe((name, p) => {
        if (name !== 'tasks.progress') return;
        events.push(p as TasksProgress);
        if ((p as TasksProgress).phase === 'starting') resolve();
        if (['done', 'failed'].includes((p as TasksProgress).phase)) off();
      });
    });
    const running = failure('tasks.sync');
    await started;
    expect(await call('tasks.cancel')).toEqual({ cancelled: true });
    expect(await running).toMatchObject({ code: 'TASKS_CANCELLED', params: { operation: 'sync' } });
    expect(events.at(-1)).toMatchObject({ operation: 'sync', phase: 'failed' });
    expect((await call<TasksSettings>('tasks.getSettings')).busy).toBeNull();
    expect(await call<TasksSyncOutcome>('tasks.sync')).toMatchObject({ toCommerce: { created: 0, updated: 1 }, failed: [] });
  });

  it('a due date changed in Commerce and in Planner is a conflict shown with both values; Keep Planner writes it to Commerce', async () => {
    const store = stores[1]!;
    const conn = connectSandboxInfo(sandbox.handle!.info as Parameters<typeof connectSandboxInfo>[0]);
    try {
      const row = (await call<TasksReport>('tasks.report', { taskListId: 'TL-OPEN', store })).rows.find((x) => x.taskId === 'T1' && x.plannerTaskId)!;
      const key = { ProcessId: row.processId, TaskId: row.taskId, StoreNumber: store };
      await conn.commerce.update('RetailTaskStoreStatuses', key, { DueDate: '2026-12-20' });
      const task = await conn.graph.getTask(row.plannerTaskId!);
      await conn.graph.updateTask(row.plannerTaskId!, task['@odata.etag'], { dueDateTime: '2026-12-21T00:00:00Z' });

      expect((await call<TasksSyncOutcome>('tasks.sync')).conflicts).toBe(1);
      const { conflicts } = await call<{ conflicts: TasksConflict[] }>('tasks.conflicts');
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({ storeNumber: store, processId: row.processId, taskId: 'T1', title: row.title, field: 'dueDate', commerceValue: '2026-12-20', plannerValue: '2026-12-21' });

      expect(await call<{ conflicts: TasksConflict[] }>('tasks.resolveConflict', { id: conflicts[0]!.id, keep: 'planner' })).toEqual({ conflicts: [] });
      const after = await conn.commerce.list<{ DueDate: string | null }>('RetailTaskStoreStatuses', { filter: `ProcessId eq '${row.processId}' and TaskId eq 'T1' and StoreNumber eq '${store}'` });
      expect(after[0]!.DueDate?.slice(0, 10)).toBe('2026-12-21');
      expect(await failure('tasks.resolveConflict', { id: conflicts[0]!.id, keep: 'commerce' })).toMatchObject({ code: 'TASKS_CONFLICT_NOT_FOUND' });
    } finally {
      await conn.close();
    }
  });
});
