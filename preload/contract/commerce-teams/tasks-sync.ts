/**
 * Commerce ⇄ Teams task management (issue 15): `d365ic tasks sync --json` — keeping statuses, due dates, assignees
 * and titles in step between Commerce's per-store task statuses and the store plans in Planner (a contract used by
 * scripted checks — keep it exactly): `{"toPlanner":{"created","updated"},"toCommerce":{"created","updated"},
 * "conflicts":[…],"failed":[…]}`.
 */
import { z } from 'zod';

export const TASK_SYNC_FIELDS = ['status', 'dueDate', 'assignee', 'title'] as const;
export const TaskSyncFieldSchema = z.enum(TASK_SYNC_FIELDS);

const count = z.number().int().nonnegative();
const value = z.string().nullable();

/**
 * The same field changed on both sides to different values since the last sync: nothing was written for that field.
 * Values as the user reads them: status as Commerce's status name (Planner's percentComplete mapped), due date
 * YYYY-MM-DD, assignee as the worker's personnel number (a Planner assignee who is not a Commerce worker: the Entra
 * object id), title as text. Listed by every sync until resolved (`d365ic tasks sync --resolve ID=commerce|planner`).
 */
export const TaskSyncConflictSchema = z.object({
  id: z.number().int().positive(),
  storeNumber: z.string().min(1),
  processId: z.string().min(1),
  taskId: z.string().min(1),
  plannerTaskId: z.string().min(1),
  title: z.string(),
  field: TaskSyncFieldSchema,
  baseValue: value,
  commerceValue: value,
  plannerValue: value,
  detectedAt: z.string(),
}).strict();
export type TaskSyncConflict = z.infer<typeof TaskSyncConflictSchema>;

/**
 * Sync problem codes: main sends the code + params, the renderer translates (renderer/i18n/locales/commerce-teams/
 * tasks-sync: `codes.<CODE>`, namespace teamsTasksSync).
 */
export const TASKS_SYNC_CODES = [
  /** Reading a store plan's tasks failed; the store is retried next sync (params: storeNumber, planId, message). */
  'TASKS_SYNC_PLAN_READ_FAILED',
  /** Reading Commerce's task statuses failed (params: message). */
  'TASKS_SYNC_COMMERCE_READ_FAILED',
  /** Commerce does not expose the task status entity (params: entity). */
  'TASKS_SYNC_ENTITY_MISSING',
  /** Updating the Planner task failed (params: storeNumber, taskId, message). */
  'TASKS_SYNC_PLANNER_WRITE_FAILED',
  /** Creating the Planner task for an HQ task failed (params: storeNumber, taskId, message). */
  'TASKS_SYNC_PLANNER_CREATE_FAILED',
  /** Updating the Commerce task status row failed (params: storeNumber, taskId, message). */
  'TASKS_SYNC_COMMERCE_WRITE_FAILED',
  /** Creating the Commerce row of an ad-hoc POS task failed (params: storeNumber, taskId, message). */
  'TASKS_SYNC_COMMERCE_CREATE_FAILED',
  /** The Planner task kept changing under the sync (412 after re-reading three times) (params: storeNumber, taskId). */
  'TASKS_SYNC_CONCURRENT_EDITS',
  /** The assigned worker has no Microsoft Entra user (Workers.IdentityEmail) (params: storeNumber, taskId, personnelNumber). */
  'TASKS_SYNC_ASSIGNEE_NO_USER',
  /** The Planner assignee is not a Commerce worker (params: storeNumber, taskId, userId). */
  'TASKS_SYNC_ASSIGNEE_NOT_WORKER',
  /** Planner refused the change for one of its limits (403) (params: storeNumber, taskId, limit). */
  'TASKS_SYNC_PLANNER_LIMIT',
] as const;
export type TasksSyncCode = (typeof TASKS_SYNC_CODES)[number];
export const TasksSyncCodeSchema = z.enum(TASKS_SYNC_CODES);

export const TaskSyncFailureSchema = z.object({
  storeNumber: z.string(),
  taskId: z.string(),
  code: TasksSyncCodeSchema,
  message: z.string(),
}).strict();
export type TaskSyncFailure = z.infer<typeof TaskSyncFailureSchema>;

/** `d365ic tasks sync --json` → the last stdout line. */
export const TasksSyncResultSchema = z.object({
  toPlanner: z.object({ created: count, updated: count }).strict(),
  toCommerce: z.object({ created: count, updated: count }).strict(),
  conflicts: z.array(TaskSyncConflictSchema),
  failed: z.array(TaskSyncFailureSchema),
}).strict();
export type TasksSyncResult = z.infer<typeof TasksSyncResultSchema>;

/** `--resolve ID=commerce|planner` / the console's resolve call. */
export const TaskConflictResolutionSchema = z.object({ id: z.number().int().positive(), keep: z.enum(['commerce', 'planner']) }).strict();
export type TaskConflictResolution = z.infer<typeof TaskConflictResolutionSchema>;
