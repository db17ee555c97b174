/**
 * The task bridge's shared model (issue 15): how an HQ task at a store and a Planner task are coupled, and how their
 * fields map. Publish (publish.ts), sync (sync.ts), the report (report.ts) and the console all read this one file.
 *
 * Coupling (kernel_couplings, integration 'commerce-teams', mapping 'tasks'):
 *  - side a = Commerce, `RetailTaskStoreStatuses` row, id = `statusKey(processId, taskId, storeNumber)`;
 *  - side b = Planner, a `plannerTask`, id = the Planner task id, `bEtag` = the task's @odata.etag at the last sync.
 *  A create in Planner is written down first (`pendingTo: 'b'`, idempotency key = the status key) and confirmed with
 *  the created id; a run that died in between finds the task by title + due date in the plan instead of creating it
 *  twice. The agreed field values at the last sync (the merge base) are in `ct_task_baselines` (migration 13).
 *
 * Status mapping (documented in docs/commerce-teams-tasks.md):
 *   Planner percentComplete 0 → NotStarted, 1–99 → InProgress, 100 → Completed;
 *   Commerce NotStarted → 0, InProgress → 50, Completed → 100;
 *   Commerce Canceled is kept Commerce-side: nothing is written to Planner, later Planner changes do not revive it,
 *   and the report shows it apart.
 * Assignments: Commerce `AssignedToPersonnelNumber` ⇄ Planner `assignments` keyed by the worker's Entra object id
 * (Workers.IdentityEmail → Graph user), written as `{'@odata.type':'#microsoft.graph.plannerAssignment',
 * orderHint:' !'}` — never echoing an order hint the server gave.
 * Ad-hoc POS tasks: a task in a linked store plan with no coupling becomes a status row of process `ADHOC_PROCESS_ID`
 * (TaskId = the Planner task id) so HQ's per-store task view shows it.
 */
export const TASKS_INTEGRATION = 'commerce-teams';
export const TASKS_MAPPING = 'tasks';
export const COMMERCE_TASK_ENTITY = 'RetailTaskStoreStatus';
export const PLANNER_TASK_ENTITY = 'plannerTask';
/** The process id ad-hoc POS tasks are filed under in RetailTaskStoreStatuses. */
export const ADHOC_PROCESS_ID = 'POS-ADHOC';
export const ADHOC_TASK_LIST_ID = 'POS-ADHOC';

/** Planner's limits a publication is checked against before anything is written (reference D.7). */
export const PLANNER_TASK_LIMITS = { activeTasksPerPlan: 2400, tasksPerPlan: 9000, assignees: 20, checklist: 20, references: 10 } as const;

export const COMMERCE_TASK_STATUSES = ['NotStarted', 'InProgress', 'Completed', 'Canceled'] as const;
export type CommerceTaskStatus = (typeof COMMERCE_TASK_STATUSES)[number];

/** The fields the bridge keeps in step (the merge compares them one by one). */
export interface TaskFields {
  title: string;
  status: CommerceTaskStatus;
  /** YYYY-MM-DD (Commerce DueDate; Planner dueDateTime at 00:00Z... the date part). */
  dueDate: string | null;
  /** The assignee's Entra object id (Planner) — Commerce side resolved from the personnel number. */
  assignee: string | null;
}
export const TASK_FIELDS = ['status', 'dueDate', 'assignee', 'title'] as const;
export type TaskField = (typeof TASK_FIELDS)[number];

const SEP = '|';
/** The Commerce-side coupling id of a task at a store. Ids never contain '|' (validated where they are read). */
export function statusKey(processId: string, taskId: string, storeNumber: string): string {
  for (const p of [processId, taskId, storeNumber]) if (!p || p.includes(SEP)) throw new Error(`A task key part may not be empty or contain '${SEP}': "${p}"`);
  return `${processId}${SEP}${taskId}${SEP}${storeNumber}`;
}
export function parseStatusKey(key: string): { processId: string; taskId: string; storeNumber: string } {
  const p = key.split(SEP);
  if (p.length !== 3 || p.some((x) => !x)) throw new Error(`Not a task key: "${key}"`);
  return { processId: p[0]!, taskId: p[1]!, storeNumber: p[2]! };
}

/** Commerce status → Planner percentComplete; Canceled → null (kept Commerce-side, nothing written). */
export function percentFromStatus(s: CommerceTaskStatus): number | null {
  return s === 'NotStarted' ? 0 : s === 'InProgress' ? 50 : s === 'Completed' ? 100 : null;
}
/** Planner percentComplete → Commerce status. */
export function statusFromPercent(p: number): Exclude<CommerceTaskStatus, 'Canceled'> {
  if (!Number.isFinite(p) || p <= 0) return 'NotStarted';
  return p >= 100 ? 'Completed' : 'InProgress';
}

/** Planner dueDateTime (ISO) → YYYY-MM-DD; a date → Planner's dueDateTime (the end of that day is not used: 00:00Z). */
export function dateOfDue(due: string | null | undefined): string | null {
  return due ? due.slice(0, 10) : null;
}
export function dueOfDate(date: string | null): string | null {
  return date ? `${date}T00:00:00Z` : null;
}

/** YYYY-MM-DD + n days (publishing: target date + the task's DueDateOffsetDays). */
export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t)) throw new Error(`Not a date: "${date}"`);
  return new Date(t + days * 86_400_000).toISOString().slice(0, 10);
}

/** The order hint a client sends for a new assignment / checklist item (the server computes the real one). */
export const NEW_ORDER_HINT = ' !';
export function plannerAssignment(): { '@odata.type': '#microsoft.graph.plannerAssignment'; orderHint: string } {
  return { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: NEW_ORDER_HINT };
}

/**
 * A publish or sync stopped on request at its next safe point. What it wrote stays and is recorded as a crash would
 * leave it (pending creates, unchanged watermark), so running it again finishes the work without duplicates.
 */
export class TaskRunCancelledError extends Error {
  override name = 'TaskRunCancelledError';
  constructor(readonly operation: 'publish' | 'sync') {
    super(`The ${operation} was stopped. What it wrote stays; run the ${operation} again to finish it.`);
  }
}
export function throwIfCancelled(signal: AbortSignal | undefined, operation: 'publish' | 'sync'): void {
  if (signal?.aborted) throw new TaskRunCancelledError(operation);
}
