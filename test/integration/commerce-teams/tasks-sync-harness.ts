/**
 * The task bridge's sync against startSandbox over real HTTP(S): store groups with a Planner plan each, linked on
 * the Commerce mapping row (what `tasks link` saves), a console database in memory, and helpers that create a
 * coupled task the way a publication does (Planner task + Commerce status row + coupling + baseline), read and
 * change either side as a store (Planner) or HQ (Commerce) would.
 */
import * as sandbox from '../../../main/sandbox';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import type { GraphBatchRequest, GraphBatchResult } from '../../../main/clients/graph';
import { openDatabase, type Db } from '../../../main/db/database';
import { CouplingStore } from '../../../main/kernel/couplings/store';
import { TaskBaselineStore } from '../../../main/integrations/commerce-teams/tasks/baselines';
import { COMMERCE_TASK_ENTITY, PLANNER_TASK_ENTITY, TASKS_INTEGRATION, TASKS_MAPPING, dueOfDate, percentFromStatus, statusKey, type CommerceTaskStatus } from '../../../main/integrations/commerce-teams/tasks/model';
import { syncTasks, type SyncOptions, type SyncResult } from '../../../main/integrations/commerce-teams/tasks/sync';
import { testClock, type TestClock } from '../../support/clock';

export const STATUSES = 'RetailTaskStoreStatuses';
export type StatusRow = { ProcessId: string; TaskId: string; StoreNumber: string; TaskName: string | null; Status: CommerceTaskStatus; AssignedToPersonnelNumber: string | null; DueDate: string | null; PlannerTaskId: string | null; ModifiedDateTime: string | null };
export type PlannerTask = { id: string; planId: string; title: string; percentComplete: number; dueDateTime: string | null; assignments: Record<string, { orderHint: string; '@odata.type': string }>; '@odata.etag': string };

export type Sandbox = Awaited<ReturnType<typeof sandbox.startSandbox>>;
type Coupled = { processId: string; taskId: string; storeNumber: string; plannerId: string; key: string };

export interface TasksSyncHarness {
  sb: Sandbox;
  conn: ReturnType<typeof connectSandboxInfo>;
  db: Db;
  clock: TestClock;
  /** store number → its linked plan id. */
  plans: Map<string, string>;
  sent: GraphBatchRequest[];
  statuses: number[];
  couplings: CouplingStore;
  baselines: TaskBaselineStore;
  userOf(pn: string): string;
  sync(o?: SyncOptions): Promise<SyncResult>;
  row(processId: string, taskId: string, storeNumber: string): Promise<StatusRow | undefined>;
  task(id: string): Promise<PlannerTask>;
  tasksOf(store: string): Promise<PlannerTask[]>;
  planner(id: string, patch: Record<string, unknown>): Promise<void>;
  commerce(processId: string, taskId: string, storeNumber: string, patch: Record<string, unknown>): Promise<void>;
  coupled(storeNumber: string, taskId: string, f: { title: string; status?: CommerceTaskStatus; dueDate?: string | null; pn?: string | null; processId?: string }): Promise<Coupled>;
  close(): Promise<void>;
}

export async function startTasksSync(stores: readonly string[]): Promise<TasksSyncHarness> {
  const clock = testClock();
  const sb = await sandbox.startSandbox({ port: 0, clock });
  sb.graph.settings.throttling = false;
  const conn = connectSandboxInfo(sb.info, { sleep: async (ms) => clock.advance(ms), clock });
  const db: Db = openDatabase(':memory:').db;
  const plans = new Map<string, string>();
  for (const s of stores) {
    const g = await conn.graph.createGroup({ displayName: `Store ${s}`, mailNickname: `store${s}` });
    const plan = await conn.graph.createPlan(g.id, `Store ${s}`);
    plans.set(s, plan.id);
    await conn.commerce.create('RetailTeamsSourceTeamMappings', { SourceType: 'RetailStore', SourceId: s, TeamId: g.id, PlanId: plan.id });
  }
  /** Every Graph $batch request the sync sent, and the statuses it got. */
  const sent: GraphBatchRequest[] = [];
  const statuses: number[] = [];
  const graph = {
    batch: async (r: readonly GraphBatchRequest[]): Promise<GraphBatchResult[]> => {
      sent.push(...r);
      const out = await conn.graph.batch(r);
      statuses.push(...out.map((x) => x.status));
      return out;
    },
  };
  const couplings = new CouplingStore(db, TASKS_INTEGRATION);
  const baselines = new TaskBaselineStore(db);

  const workers = await conn.commerce.list<{ PersonnelNumber: string; IdentityEmail: string }>('Workers', { select: ['PersonnelNumber', 'IdentityEmail'] });
  const users = await conn.graph.resolveUsers(workers.map((w) => w.IdentityEmail).filter(Boolean));
  /** Entra object id of a worker. */
  const userOf = (pn: string): string => {
    const w = workers.find((x) => x.PersonnelNumber === pn);
    const u = w && users.get(w.IdentityEmail);
    if (!u) throw new Error(`worker ${pn} has no Graph user`);
    return u.id;
  };

  const h: TasksSyncHarness = {
    sb, conn, db, clock, plans, sent, statuses, couplings, baselines, userOf,
    sync: (o = {}) => syncTasks({ commerce: conn.commerce, graph, db, clock }, o),
    async row(processId, taskId, storeNumber) {
      const rows = await conn.commerce.list<StatusRow>(STATUSES, { filter: `ProcessId eq '${processId}' and TaskId eq '${taskId}' and StoreNumber eq '${storeNumber}'` });
      return rows[0];
    },
    task: async (id) => (await conn.graph.getTask(id)) as unknown as PlannerTask,
    tasksOf: async (store) => (await conn.graph.planTasks(plans.get(store)!)) as unknown as PlannerTask[],
    /** A change in Planner (as the store's POS / Teams would make it), with the task's current etag. */
    async planner(id, patch) {
      const t = await conn.graph.getTask(id);
      await conn.graph.updateTask(id, t['@odata.etag'], patch);
    },
    /** A change in Commerce HQ. */
    commerce: (processId, taskId, storeNumber, patch) => conn.commerce.update(STATUSES, { ProcessId: processId, TaskId: taskId, StoreNumber: storeNumber }, patch),
    /**
     * A coupled task as a publication leaves it: the Planner task, the Commerce status row (PlannerTaskId), the
     * coupling with the task's etag and the baseline.
     */
    async coupled(storeNumber, taskId, f) {
      const processId = f.processId ?? 'PR-T';
      const status = f.status ?? 'NotStarted';
      const dueDate = f.dueDate === undefined ? '2026-12-20' : f.dueDate;
      const assignee = f.pn ? userOf(f.pn) : null;
      const planId = plans.get(storeNumber)!;
      const t = await conn.graph.createTask({ planId, title: f.title, ...(dueDate ? { dueDateTime: dueOfDate(dueDate)! } : {}), percentComplete: percentFromStatus(status) ?? 0, ...(assignee ? { assignees: [assignee] } : {}) });
      await conn.commerce.create(STATUSES, { ProcessId: processId, TaskId: taskId, StoreNumber: storeNumber, TaskListId: 'TL-OPEN', TaskName: f.title, Status: status, AssignedToPersonnelNumber: f.pn ?? null, DueDate: dueDate, PlannerTaskId: t.id });
      const key = statusKey(processId, taskId, storeNumber);
      const c = couplings.insert({ mapping: TASKS_MAPPING, aId: key, bId: null, aEntity: COMMERCE_TASK_ENTITY, bEntity: PLANNER_TASK_ENTITY, pendingTo: 'b', idempotencyKey: key });
      couplings.markSuccess(c.rowId, 'b', 'test-publish', { a: clock.now(), b: clock.now(), bEtag: t['@odata.etag'] }, t.id);
      baselines.upsertMany([{ couplingId: c.rowId, processId, taskId, storeNumber, planId, title: f.title, status, dueDate, assignee, adhoc: false }]);
      return { processId, taskId, storeNumber, plannerId: t.id, key };
    },
    close: async () => {
      db.close();
      await conn.close();
      await sb.close();
    },
  };
  return h;
}

/** The four counts of a sync. */
export const counts = (r: { toPlanner: { created: number; updated: number }; toCommerce: { created: number; updated: number } }) => ({
  toPlanner: { ...r.toPlanner }, toCommerce: { ...r.toCommerce },
});
export const ZERO = { toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 0 } };
