import type { tasksMethods } from '../../../../../preload/contract/commerce-teams/tasks-methods';
import type { HandlersOf } from '../../../../rpc/handlers';
import type { TasksConsoleService } from './service';

export type TasksHandlers = HandlersOf<typeof tasksMethods>;

/** Binds the tasks.* contract to the task console service. */
export function createTasksHandlers(svc: TasksConsoleService): TasksHandlers {
  return {
    'tasks.getSettings': async () => svc.getSettings(),
    'tasks.setEnabled': async ({ enabled, dryRun }) => svc.setEnabled(enabled, dryRun),
    'tasks.link': async ({ createMissing, dryRun, stores }) => svc.link({ createMissing, dryRun, stores }),
    'tasks.lists': async () => svc.lists(),
    'tasks.previewPublish': async (input) => svc.previewPublish(input),
    'tasks.publish': async (input) => svc.publish(input),
    'tasks.sync': async () => svc.sync(),
    'tasks.cancel': async () => svc.cancel(),
    'tasks.conflicts': async () => ({ conflicts: svc.conflicts() }),
    'tasks.resolveConflict': async ({ id, keep }) => ({ conflicts: await svc.resolveConflict(id, keep) }),
    'tasks.report': async (input) => svc.report(input),
    'tasks.exportReport': async (input) => svc.exportReport(input),
    'tasks.getSchedule': async () => svc.getSchedule(),
    'tasks.setSchedule': async ({ enabled, everyMinutes }) => svc.setSchedule({ enabled, everyMinutes }),
  };
}
