/**
 * Commerce ⇄ Teams task management (issue 15): publishing an HQ task list to store plans. The shape of
 * `d365ic tasks publish --json` (a contract used by scripted checks — keep it exactly) and the codes main sends
 * (translated in renderer/i18n/locales/commerce-teams/tasks-publish, namespace teamsTasksPublish, `codes.<CODE>`).
 */
import { z } from 'zod';

/**
 * Every code of a publication, with the params main sends (the translations' placeholders are exactly these).
 *  - store skip reasons (a store the publication does not reach; `skipped[].reason`);
 *  - preview warnings (the publication goes on);
 *  - failures of the whole publication (AppFailure codes: nothing is written).
 */
export const TASKS_PUBLISH_SKIP_CODES = [
  /** No such store number in Commerce (storeNumber). */
  'TASKS_PUBLISH_UNKNOWN_STORE',
  /** The store is not mapped to a team (storeNumber). */
  'TASKS_PUBLISH_NOT_MAPPED',
  /** The store's team is not linked to a plan: run `d365ic tasks link` (storeNumber, teamId). */
  'TASKS_PUBLISH_NOT_LINKED',
  /** The linked plan could not be read (storeNumber, planId, message). */
  'TASKS_PUBLISH_PLAN_UNREADABLE',
  /** The plan would pass 2,400 active tasks (storeNumber, active, adding, limit). */
  'TASKS_PUBLISH_ACTIVE_LIMIT',
  /** The plan would pass 9,000 tasks (storeNumber, total, adding, limit). */
  'TASKS_PUBLISH_TASK_LIMIT',
  /** A task would have more than 20 assignees (storeNumber, taskId, assignees, limit). */
  'TASKS_PUBLISH_TOO_MANY_ASSIGNEES',
  /** Planner answered 403 MaximumActiveTasksInProject while creating (storeNumber). */
  'TASKS_PUBLISH_REFUSED_ACTIVE_TASKS',
  /** Planner answered 403 MaximumTasksInProject (storeNumber). */
  'TASKS_PUBLISH_REFUSED_TASKS',
  /** Planner answered 403 MaximumAssigneesInTasks (storeNumber). */
  'TASKS_PUBLISH_REFUSED_ASSIGNEES',
  /** Planner answered 403 MaximumChecklistItemsOnTask (storeNumber). */
  'TASKS_PUBLISH_REFUSED_CHECKLIST',
  /** Planner answered 403 MaximumReferencesOnTask (storeNumber). */
  'TASKS_PUBLISH_REFUSED_REFERENCES',
  /** Planner answered 403 with another limit, e.g. MaximumTasksAssignedToUser (storeNumber, limit = Graph's code). */
  'TASKS_PUBLISH_REFUSED_OTHER_LIMIT',
  /** Creating or completing a task failed otherwise (storeNumber, message). */
  'TASKS_PUBLISH_CREATE_FAILED',
  /** Commerce did not save the store's task status rows (storeNumber, message). */
  'TASKS_PUBLISH_STATUS_NOT_SAVED',
] as const;
export type TasksPublishSkipCode = (typeof TASKS_PUBLISH_SKIP_CODES)[number];

export const TASKS_PUBLISH_WARNING_CODES = [
  /** AssignedTo names a worker whose Entra user was not found; the task is published without them (taskId, personnelNumber). */
  'TASKS_PUBLISH_ASSIGNEE_UNRESOLVED',
  /** More links than Planner's 10 references per task; the rest are left out (taskId, count, limit). */
  'TASKS_PUBLISH_REFERENCES_TRUNCATED',
  /** More checklist items than Planner's 20 per task; the rest are left out (taskId, count, limit). */
  'TASKS_PUBLISH_CHECKLIST_TRUNCATED',
] as const;
export type TasksPublishWarningCode = (typeof TASKS_PUBLISH_WARNING_CODES)[number];

export const TASKS_PUBLISH_FAILURE_CODES = [
  /** The target date is not a date YYYY-MM-DD (date). */
  'TASKS_PUBLISH_BAD_DATE',
  /** No task list with that id or name (list). */
  'TASKS_PUBLISH_LIST_NOT_FOUND',
  /** The task list has no tasks (list). */
  'TASKS_PUBLISH_LIST_EMPTY',
  /** Neither stores nor a hierarchy node, or both (no params). */
  'TASKS_PUBLISH_NO_TARGET',
  /** No Retail reporting hierarchy to find the node in (message). */
  'TASKS_PUBLISH_NO_HIERARCHY',
  /** No node of that name in the hierarchy (node, hierarchy). */
  'TASKS_PUBLISH_NODE_NOT_FOUND',
  /** The node has no stores under it (node, hierarchy). */
  'TASKS_PUBLISH_NODE_EMPTY',
  /** Commerce did not save the task management process (processId, message). */
  'TASKS_PUBLISH_PROCESS_NOT_SAVED',
] as const;
export type TasksPublishFailureCode = (typeof TASKS_PUBLISH_FAILURE_CODES)[number];

export const TASKS_PUBLISH_CODES = [...TASKS_PUBLISH_SKIP_CODES, ...TASKS_PUBLISH_WARNING_CODES, ...TASKS_PUBLISH_FAILURE_CODES] as const;
export type TasksPublishCode = (typeof TASKS_PUBLISH_CODES)[number];

export const TasksPublishSkippedSchema = z.object({
  storeNumber: z.string().min(1),
  reason: z.enum(TASKS_PUBLISH_SKIP_CODES),
}).strict();

/** `d365ic tasks publish --json` → the last stdout line. */
export const TasksPublishResultSchema = z.object({
  tasksCreated: z.number().int().nonnegative(),
  stores: z.number().int().nonnegative(),
  skipped: z.array(TasksPublishSkippedSchema),
}).strict();
export type TasksPublishResult = z.infer<typeof TasksPublishResultSchema>;
