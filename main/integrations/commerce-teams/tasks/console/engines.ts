/**
 * The task bridge's engines bound to the console's ports (./ports.ts): publish (../publish.ts), report
 * (../report.ts + ../report-xlsx.ts) and sync (../sync.ts) when this build carries it. An engine left out makes the
 * service answer TASKS_ENGINE_UNAVAILABLE and the pages say so.
 */
import type { TasksPreview, TasksPublishOutcome, TasksSyncOutcome } from '../../../../../preload/contract/commerce-teams/tasks-methods';
import { AppFailure } from '../../../../rpc/errors';
import { PLANNER_TASK_LIMITS, TaskRunCancelledError } from '../model';
import { planPublication, publishTaskList, type PublishPhase } from '../publish';
import { buildTaskReport, ReportListNotFoundError } from '../report';
import { reportWorkbook } from '../report-xlsx';
import { listTaskConflicts, resolveConflictNow, syncTasks, TasksSyncUnavailableError, type SyncPhase, type SyncResult } from '../sync';
import type { PublishPort, ReportPort, SyncPort, TaskEngineContext, TaskEngines, TaskProgress } from './ports';

/** A run stopped on request (tasks.cancel) → TASKS_CANCELLED, which the pages translate. */
async function cancellable<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (x) {
    if (x instanceof TaskRunCancelledError) throw new AppFailure('TASKS_CANCELLED', x.message, { operation: x.operation });
    throw x;
  }
}

const phaseOf = (p: PublishPhase): TaskProgress['phase'] => (p === 'reading' || p === 'counting' ? 'reading' : 'writing');

export const publishPort: PublishPort = {
  async preview(ctx, input): Promise<TasksPreview> {
    const p = await planPublication({ commerce: ctx.commerce, graph: ctx.graph, db: ctx.db, clock: ctx.clock }, {
      list: input.taskListId, targetDate: input.targetDate, ...(input.stores ? { stores: input.stores } : {}), ...(input.hierarchyNode ? { hierarchyNode: input.hierarchyNode } : {}),
    });
    return {
      taskListId: p.list.taskListId,
      targetDate: p.targetDate,
      processId: p.processId,
      stores: p.stores.filter((s) => !s.skip && s.planId).map((s) => ({ storeNumber: s.storeNumber, planId: s.planId!, tasks: s.toCreate, activeTasks: s.activeTasks })),
      skipped: p.stores.filter((s) => s.skip).map((s) => ({ storeNumber: s.storeNumber, code: s.skip!.code, params: s.skip!.params })),
      tasksToCreate: p.toCreate,
      limits: { activeTasksPerPlan: PLANNER_TASK_LIMITS.activeTasksPerPlan, assignees: PLANNER_TASK_LIMITS.assignees, checklist: PLANNER_TASK_LIMITS.checklist, references: PLANNER_TASK_LIMITS.references },
      warnings: p.warnings.map((w) => ({ code: w.code, params: w.params })),
    };
  },
  async publish(ctx, input): Promise<TasksPublishOutcome> {
    const r = await cancellable(() => publishTaskList({ commerce: ctx.commerce, graph: ctx.graph, db: ctx.db, clock: ctx.clock }, {
      list: input.taskListId, targetDate: input.targetDate, ...(input.stores ? { stores: input.stores } : {}), ...(input.hierarchyNode ? { hierarchyNode: input.hierarchyNode } : {}),
      ...(ctx.onProgress ? { onProgress: (p: { phase: PublishPhase; done: number; total: number }) => ctx.onProgress!({ phase: phaseOf(p.phase), done: p.done, total: p.total }) } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }));
    return {
      processId: r.processId,
      tasksCreated: r.tasksCreated,
      stores: r.stores,
      skipped: r.skipped.map((s) => ({ storeNumber: s.storeNumber, code: s.reason, params: s.params })),
      failed: [],
    };
  },
};

async function report(ctx: TaskEngineContext, o: Parameters<typeof buildTaskReport>[1]) {
  try {
    return await buildTaskReport({ commerce: ctx.commerce, clock: ctx.clock }, { ...o, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (x) {
    if (x instanceof ReportListNotFoundError) throw new AppFailure('TASKS_LIST_NOT_FOUND', x.message, { list: x.list, available: x.available.join(', ') });
    throw x;
  }
}

export const reportPort: ReportPort = {
  async report(ctx, input) {
    return report(ctx, { ...(input.taskListId ? { taskListId: input.taskListId } : {}), rows: input.store ? { store: input.store } : 'none' });
  },
  async xlsx(ctx, input) {
    const r = await report(ctx, { ...(input.taskListId ? { taskListId: input.taskListId } : {}), rows: 'all' });
    return reportWorkbook(r, input.labels);
  },
};

const syncPhaseOf = (p: SyncPhase): TaskProgress['phase'] => (p === 'plans' || p === 'commerce' || p === 'people' ? 'reading' : 'writing');

async function sync<T>(ctx: TaskEngineContext, run: (d: Parameters<typeof syncTasks>[0], o: Parameters<typeof syncTasks>[1]) => Promise<T>): Promise<T> {
  try {
    return await cancellable(() => run({ commerce: ctx.commerce, graph: ctx.graph, db: ctx.db, clock: ctx.clock }, {
      ...(ctx.onProgress ? { onProgress: (p: { phase: SyncPhase; done: number; total: number }) => ctx.onProgress!({ phase: syncPhaseOf(p.phase), done: p.done, total: p.total }) } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }));
  } catch (x) {
    if (x instanceof TasksSyncUnavailableError) throw new AppFailure('TASKS_RUN_FAILED', x.message, { message: x.message });
    throw x;
  }
}

const outcome = (r: SyncResult): Omit<TasksSyncOutcome, 'at'> => ({
  toPlanner: { created: r.toPlanner.created, updated: r.toPlanner.updated },
  toCommerce: { created: r.toCommerce.created, updated: r.toCommerce.updated },
  conflicts: r.conflicts.length,
  failed: r.failed.map((f) => ({ key: `${f.storeNumber} · ${f.taskId}`, code: f.code, message: f.message, params: f.params })),
});

export const syncPort: SyncPort = {
  async sync(ctx) {
    return outcome(await sync(ctx, (d, o) => syncTasks(d, o)));
  },
  async resolve(ctx, id, keep) {
    return (await sync(ctx, (d, o) => resolveConflictNow(d, id, keep, o))).resolved;
  },
  conflicts(db) {
    return listTaskConflicts(db).map((c) => ({
      id: c.id, storeNumber: c.storeNumber, processId: c.processId, taskId: c.taskId, title: c.title, field: c.field,
      baseValue: c.baseValue, commerceValue: c.commerceValue, plannerValue: c.plannerValue, detectedAt: Date.parse(c.detectedAt),
    }));
  },
};

export function taskEngines(): TaskEngines {
  return { publish: publishPort, sync: syncPort, report: reportPort };
}
