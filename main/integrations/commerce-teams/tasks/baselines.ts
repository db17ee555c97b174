/**
 * The merge base of every coupled task (table `ct_task_baselines`, migration 13): the field values Commerce and
 * Planner agreed on at the last sync (or at publication). One row per kernel coupling row. Prepared statements only;
 * batch forms take one statement per chunk (json_each), as the kernel's coupling store does.
 */
import type { Db } from '../../../db/database';
import type { CommerceTaskStatus, TaskFields } from './model';

export interface TaskBaseline extends TaskFields {
  couplingId: number;
  processId: string;
  taskId: string;
  storeNumber: string;
  planId: string;
  adhoc: boolean;
  updatedAt: number;
}

type Row = { coupling_id: number; process_id: string; task_id: string; store_number: string; plan_id: string; title: string; status: CommerceTaskStatus; due_date: string | null; assignee: string | null; adhoc: number; updated_at: number };
const toBaseline = (r: Row): TaskBaseline => ({
  couplingId: r.coupling_id, processId: r.process_id, taskId: r.task_id, storeNumber: r.store_number, planId: r.plan_id,
  title: r.title, status: r.status, dueDate: r.due_date, assignee: r.assignee, adhoc: r.adhoc === 1, updatedAt: r.updated_at,
});
const CHUNK = 1000;

export class TaskBaselineStore {
  private readonly s;
  constructor(db: Db, private readonly now: () => number = Date.now) {
    const cols = 'coupling_id, process_id, task_id, store_number, plan_id, title, status, due_date, assignee, adhoc, updated_at';
    this.s = {
      get: db.prepare(`SELECT ${cols} FROM ct_task_baselines WHERE coupling_id = ?`),
      many: db.prepare(`SELECT ${cols} FROM ct_task_baselines WHERE coupling_id IN (SELECT value FROM json_each(?))`),
      upsertMany: db.prepare(`INSERT INTO ct_task_baselines (${cols})
        SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, ? FROM json_each(?) WHERE true
        ON CONFLICT (coupling_id) DO UPDATE SET plan_id = excluded.plan_id, title = excluded.title, status = excluded.status,
          due_date = excluded.due_date, assignee = excluded.assignee, adhoc = excluded.adhoc, updated_at = excluded.updated_at`),
      byStore: db.prepare(`SELECT ${cols} FROM ct_task_baselines WHERE store_number = ? ORDER BY process_id, task_id`),
      byPlan: db.prepare(`SELECT ${cols} FROM ct_task_baselines WHERE plan_id = ?`),
      page: db.prepare(`SELECT ${cols} FROM ct_task_baselines WHERE coupling_id > ? ORDER BY coupling_id LIMIT ?`),
      count: db.prepare('SELECT COUNT(*) AS n FROM ct_task_baselines'),
      remove: db.prepare('DELETE FROM ct_task_baselines WHERE coupling_id = ?'),
    };
  }

  get(couplingId: number): TaskBaseline | undefined {
    const r = this.s.get.get(couplingId) as Row | undefined;
    return r && toBaseline(r);
  }

  many(couplingIds: readonly number[]): Map<number, TaskBaseline> {
    const out = new Map<number, TaskBaseline>();
    for (let i = 0; i < couplingIds.length; i += CHUNK)
      for (const r of this.s.many.all(JSON.stringify(couplingIds.slice(i, i + CHUNK))) as Row[]) out.set(r.coupling_id, toBaseline(r));
    return out;
  }

  /** Insert or replace the base of each coupling (after a publication or a sync that settled the fields). */
  upsertMany(rows: readonly Omit<TaskBaseline, 'updatedAt'>[]): void {
    const now = this.now();
    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK).map((b) => [b.couplingId, b.processId, b.taskId, b.storeNumber, b.planId, b.title, b.status, b.dueDate, b.assignee, b.adhoc ? 1 : 0]);
      this.s.upsertMany.run(now, JSON.stringify(part));
    }
  }

  byStore(storeNumber: string): TaskBaseline[] {
    return (this.s.byStore.all(storeNumber) as Row[]).map(toBaseline);
  }

  byPlan(planId: string): TaskBaseline[] {
    return (this.s.byPlan.all(planId) as Row[]).map(toBaseline);
  }

  /** Keyset page on the coupling id. */
  page(afterCouplingId: number, limit: number): TaskBaseline[] {
    return (this.s.page.all(afterCouplingId, limit) as Row[]).map(toBaseline);
  }

  count(): number {
    return (this.s.count.get() as { n: number }).n;
  }

  remove(couplingId: number): void {
    this.s.remove.run(couplingId);
  }
}
