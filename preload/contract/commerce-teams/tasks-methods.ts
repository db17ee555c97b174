/**
 * tasks.* — Commerce ⇄ Teams task management from the console (issue 15; reference commerce-teams-integration.md
 * A.6–A.7, B.4–B.5, D.4–D.9): enable/disable (requires the Teams integration enabled), Link POS and Teams (plans per
 * store team, dry run first), HQ task lists, publish (preview with skip reasons and Planner's limits, then progress
 * events and the result), the two-way status sync (run now, conflicts with both values, resolve), the completion
 * report (per list, per store, rolled up country → region, drill-down) with XLSX export, and the job-queue entry
 * that runs the sync on a schedule.
 *
 * Main sends codes + params; the renderer translates them from renderer/i18n/locales/commerce-teams/tasks-pages
 * (namespace `teamsTasksPages`): `effect.<code>`, `phase.<phase>`, `field.<field>`; link codes from namespace
 * `teamsTasks` (`codes.<code>`, `states.<state>`), publish codes from `teamsTasksPublish` (`codes.<code>`); errors (AppFailure codes) under common `errors.<code>`.
 * No secret, token or server order hint ever reaches the renderer (the router validates every output).
 */
import { z } from 'zod';
import { Empty, method } from '../core/rpc';
import { TASKS_LINK_CODES, TasksLinkStateSchema } from './tasks';
import { TaskReportSchema } from './tasks-report';

export type { TaskReport, TaskReportCounts, TaskReportRow, TaskReportList } from './tasks-report';

const Params = z.record(z.string(), z.union([z.string(), z.number()]));
const StoreNumber = z.string().min(1).max(40);
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const Counts = z.object({ created: z.number().int(), updated: z.number().int() });

export const TasksMessageSchema = z.object({ code: z.string(), params: Params });
export type TasksMessage = z.infer<typeof TasksMessageSchema>;

/** Error codes tasks.* methods fail with (AppFailure; translated under common `errors.<code>`). */
export const TASKS_ERROR_CODES = [
  /** Enabling task management needs the Commerce ⇄ Teams integration enabled first (no params). */
  'TASKS_TEAMS_DISABLED',
  /** Publish / sync / schedule refused while task management is disabled (no params). */
  'TASKS_DISABLED',
  /** A publish or sync is under way (params: operation). */
  'TASKS_BUSY',
  /** The publish or sync was stopped on request (tasks.cancel); what it wrote stays, a rerun finishes it (params: operation). */
  'TASKS_CANCELLED',
  /** No task list with this id has tasks at stores (params: list, available). */
  'TASKS_LIST_NOT_FOUND',
  /** Publish: neither stores nor a hierarchy node, or both (no params). */
  'TASKS_TARGET_REQUIRED',
  /** No open conflict with this id (params: id). */
  'TASKS_CONFLICT_NOT_FOUND',
  /** This step's engine is not in this build yet (params: operation). */
  'TASKS_ENGINE_UNAVAILABLE',
  /** The report could not be written to the exports folder (params: message). */
  'TASKS_EXPORT_FAILED',
  /** A publish or sync failed as a whole (params: message). */
  'TASKS_RUN_FAILED',
] as const;
export type TasksErrorCode = (typeof TASKS_ERROR_CODES)[number];

/** What enabling starts and disabling stops (tasks.setEnabled `effects`). */
export const TASKS_EFFECT_CODES = [
  /** Publishing and the status sync may run (no params). */
  'TASKS_ENABLE_RUNS_ALLOWED',
  /** The scheduled sync entry is Ready (params: everyMinutes). */
  'TASKS_ENABLE_SCHEDULE_READY',
  /** The schedule stays off (no params). */
  'TASKS_ENABLE_SCHEDULE_OFF',
  /** Publish and sync are refused until enabled again (no params). */
  'TASKS_DISABLE_NO_RUNS',
  /** The scheduled sync entry is set On Hold (params: entry). */
  'TASKS_DISABLE_SCHEDULE_ON_HOLD',
  /** Statuses changed in POS or Teams no longer reach Commerce, and HQ changes no longer reach Planner (no params). */
  'TASKS_DISABLE_STATUSES_STOP',
  /** Tasks already in Planner and statuses in Commerce stay; nothing is deleted (no params). */
  'TASKS_DISABLE_TASKS_KEPT',
  /** Store → team → plan links stay, so enabling again continues where it stopped (no params). */
  'TASKS_DISABLE_LINKS_KEPT',
] as const;

export const TASKS_OPERATIONS = ['link', 'publish', 'sync'] as const;
export const TASKS_PHASES = ['starting', 'reading', 'planning', 'writing', 'throttled', 'done', 'failed'] as const;
export const TASKS_CONFLICT_FIELDS = ['status', 'dueDate', 'assignee', 'title'] as const;
export const TASKS_ENGINES = ['publish', 'sync', 'report'] as const;

export const TasksScheduleSchema = z.object({
  entry: z.string(),
  enabled: z.boolean(),
  everyMinutes: z.number().int(),
  status: z.enum(['Ready', 'In Process', 'Error', 'On Hold', 'On Hold with Inactivity Timeout', 'Finished']).nullable(),
  nextRunAt: z.number().nullable(),
  lastStartedAt: z.number().nullable(),
  lastFinishedAt: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type TasksSchedule = z.infer<typeof TasksScheduleSchema>;

export const TasksSyncOutcomeSchema = z.object({
  toPlanner: Counts,
  toCommerce: Counts,
  conflicts: z.number().int(),
  failed: z.array(z.object({ key: z.string(), code: z.string(), message: z.string(), params: Params })),
  at: z.number(),
});
export type TasksSyncOutcome = z.infer<typeof TasksSyncOutcomeSchema>;

export const TasksSettingsSchema = z.object({
  enabled: z.boolean(),
  enabledAt: z.number().nullable(),
  /** The Commerce ⇄ Teams integration (enabling task management requires it). */
  teamsEnabled: z.boolean(),
  /** The Teams configuration's profiles by name (null: not chosen). */
  profiles: z.object({ commerce: z.string().nullable(), graph: z.string().nullable() }),
  lastSyncAt: z.number().nullable(),
  /** The last sync this console ran (null until one ran since start). */
  lastSync: TasksSyncOutcomeSchema.nullable(),
  schedule: TasksScheduleSchema,
  /** Which engines this build carries (a page says so instead of offering a button that cannot work). */
  engines: z.object({ publish: z.boolean(), sync: z.boolean(), report: z.boolean() }),
  /** The operation under way, if any. */
  busy: z.enum(TASKS_OPERATIONS).nullable(),
});
export type TasksSettings = z.infer<typeof TasksSettingsSchema>;

export const TasksLinkRowSchema = z.object({
  storeNumber: z.string(),
  teamId: z.string(),
  planId: z.string().nullable(),
  state: TasksLinkStateSchema,
  previousPlanId: z.string().nullable(),
  plans: z.array(z.object({ id: z.string(), title: z.string(), tasks: z.number().int().nullable() })),
  created: z.boolean(),
  persisted: z.boolean(),
  code: z.enum(TASKS_LINK_CODES).nullable(),
  params: Params,
});
export type TasksLinkRow = z.infer<typeof TasksLinkRowSchema>;
export const TasksLinkOutputSchema = z.object({ stores: z.array(TasksLinkRowSchema), plansCreated: z.number().int(), rowsWritten: z.number().int(), dryRun: z.boolean() });
export type TasksLinkOutput = z.infer<typeof TasksLinkOutputSchema>;

export const TasksListSchema = z.object({
  taskListId: z.string(),
  name: z.string(),
  description: z.string(),
  tasks: z.array(z.object({ taskId: z.string(), name: z.string(), dueDateOffsetDays: z.number().int(), notes: z.string(), linkType: z.string(), link: z.string() })),
});
export type TasksList = z.infer<typeof TasksListSchema>;
export const TasksListsOutputSchema = z.object({
  lists: z.array(TasksListSchema),
  /** The stores mapped to a team (publish targets), with their name and linked plan. */
  stores: z.array(z.object({ storeNumber: z.string(), name: z.string(), planId: z.string().nullable() })),
  /** The Retail reporting hierarchy's nodes above the stores (publish targets), with how many stores each holds. */
  nodes: z.array(z.object({ name: z.string(), depth: z.number().int(), parent: z.string().nullable(), stores: z.number().int() })),
  hierarchy: z.string().nullable(),
});
export type TasksListsOutput = z.infer<typeof TasksListsOutputSchema>;

const PublishInput = z.strictObject({
  taskListId: z.string().min(1).max(60),
  stores: z.array(StoreNumber).min(1).max(5000).optional(),
  hierarchyNode: z.string().min(1).max(100).optional(),
  targetDate: IsoDate,
});
export type TasksPublishInput = z.infer<typeof PublishInput>;

export const TasksPreviewSchema = z.object({
  taskListId: z.string(),
  targetDate: z.string(),
  stores: z.array(z.object({ storeNumber: z.string(), planId: z.string(), tasks: z.number().int(), activeTasks: z.number().int().nullable() })),
  skipped: z.array(z.object({ storeNumber: z.string(), code: z.string(), params: Params })),
  tasksToCreate: z.number().int(),
  limits: z.object({ activeTasksPerPlan: z.number().int(), assignees: z.number().int(), checklist: z.number().int(), references: z.number().int() }),
  /** The publication goes on, with these left out (unresolved assignees, links or checklist items over Planner's limits). */
  warnings: z.array(TasksMessageSchema),
  processId: z.string(),
});
export type TasksPreview = z.infer<typeof TasksPreviewSchema>;

export const TasksPublishOutcomeSchema = z.object({
  processId: z.string().nullable(),
  tasksCreated: z.number().int(),
  stores: z.number().int(),
  skipped: z.array(z.object({ storeNumber: z.string(), code: z.string(), params: Params })),
  failed: z.array(z.object({ storeNumber: z.string(), code: z.string(), message: z.string(), params: Params })),
});
export type TasksPublishOutcome = z.infer<typeof TasksPublishOutcomeSchema>;

export const TasksConflictSchema = z.object({
  id: z.number().int(),
  storeNumber: z.string(),
  processId: z.string(),
  taskId: z.string(),
  title: z.string(),
  field: z.enum(TASKS_CONFLICT_FIELDS),
  baseValue: z.string().nullable(),
  commerceValue: z.string().nullable(),
  plannerValue: z.string().nullable(),
  detectedAt: z.number(),
});
export type TasksConflict = z.infer<typeof TasksConflictSchema>;

/** The completion report (./tasks-report: per list, per store, rollup, tree, drill-down rows) and when it was made. */
export const TasksReportSchema = TaskReportSchema.extend({ generatedAt: z.number() });
export type TasksReport = z.infer<typeof TasksReportSchema>;

const Label = z.string().min(1).max(200);
const labels = <K extends string>(keys: readonly K[]) => z.strictObject(Object.fromEntries(keys.map((k) => [k, Label])) as Record<K, typeof Label>);
/** The XLSX's sheet names, headers and status names in the console user's language (the renderer sends its catalog's). */
export const TasksXlsxLabelsSchema = z.strictObject({
  sheets: labels(['summary', 'stores', 'tasks'] as const),
  columns: labels([
    'list', 'level', 'name', 'parent', 'storeNumber', 'store', 'country', 'region', 'total', 'completed', 'inProgress', 'notStarted', 'overdue', 'canceled',
    'completionPercent', 'task', 'status', 'dueDate', 'assignee', 'assigneeName', 'adhoc', 'processId', 'taskId', 'plannerTaskId',
  ] as const),
  levels: labels(['list', 'country', 'region'] as const),
  status: labels(['NotStarted', 'InProgress', 'Completed', 'Canceled'] as const),
  yes: Label,
  no: Label,
  /** {{asOf}} and {{hierarchy}} are replaced. */
  title: Label,
});
export type TasksXlsxLabels = z.infer<typeof TasksXlsxLabelsSchema>;

export const tasksMethods = {
  'tasks.getSettings': method(Empty, TasksSettingsSchema, 'Task management: enabled, the Teams integration, profiles, last sync, schedule, engines present.'),
  'tasks.setEnabled': method(
    z.strictObject({ enabled: z.boolean(), dryRun: z.boolean().default(false) }),
    z.object({ settings: TasksSettingsSchema, effects: z.array(TasksMessageSchema), applied: z.boolean() }),
    'Enable (requires the Teams integration enabled) or disable task management; says what it starts or stops (dryRun: only say).',
  ),
  'tasks.link': method(
    z.strictObject({ createMissing: z.boolean().default(false), dryRun: z.boolean().default(true), stores: z.array(StoreNumber).min(1).max(5000).optional() }),
    TasksLinkOutputSchema,
    'Link POS and Teams: per store team, plan, state with the reason; dryRun (default) writes nothing; createMissing creates the missing plans.',
  ),
  'tasks.lists': method(Empty, TasksListsOutputSchema, 'HQ task lists with their tasks, the stores and hierarchy nodes a list can be published to.'),
  'tasks.previewPublish': method(PublishInput, TasksPreviewSchema, 'What publishing a list would create per store, the stores skipped with why, Planner limits (nothing is written).'),
  'tasks.publish': method(PublishInput, TasksPublishOutcomeSchema, 'Publish a list: one Planner task per task per store plan; progress as tasks.progress.'),
  'tasks.sync': method(Empty, TasksSyncOutcomeSchema, 'Run the status sync now (both ways): counts, conflicts, failures; progress as tasks.progress.'),
  'tasks.cancel': method(Empty, z.object({ cancelled: z.boolean() }), 'Stop the publish or sync under way at its next safe point; it then fails with TASKS_CANCELLED (what it wrote stays; a rerun finishes it).'),
  'tasks.conflicts': method(Empty, z.object({ conflicts: z.array(TasksConflictSchema) }), 'Open conflicts: the same field changed in Commerce and in Planner, with both values.'),
  'tasks.resolveConflict': method(
    z.strictObject({ id: z.number().int().min(1), keep: z.enum(['commerce', 'planner']) }),
    z.object({ conflicts: z.array(TasksConflictSchema) }),
    'Keep the Commerce or the Planner value of a conflict (written to the other side); answers the open conflicts left.',
  ),
  'tasks.report': method(
    z.strictObject({ taskListId: z.string().min(1).max(60).optional(), store: StoreNumber.optional() }),
    TasksReportSchema,
    'Completion per list, per store and rolled up country → region; with store, that store\'s tasks.',
  ),
  'tasks.exportReport': method(
    z.strictObject({ taskListId: z.string().min(1).max(60).optional(), labels: TasksXlsxLabelsSchema.optional() }),
    z.object({ path: z.string(), fileName: z.string() }),
    'Write the completion report as XLSX to the exports folder; answers its path.',
  ),
  'tasks.getSchedule': method(Empty, TasksScheduleSchema, 'The job-queue entry that runs the status sync.'),
  'tasks.setSchedule': method(
    z.strictObject({ enabled: z.boolean(), everyMinutes: z.number().int().min(1).max(7 * 24 * 60) }),
    TasksScheduleSchema,
    'Turn the scheduled status sync on (Ready, while task management is enabled) or off (On Hold) and set its interval.',
  ),
};

export const TasksProgressSchema = z.object({
  operation: z.enum(TASKS_OPERATIONS),
  phase: z.enum(TASKS_PHASES),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  /** throttled: Planner's Retry-After in seconds. */
  retryAfterSeconds: z.number().int().min(0).optional(),
  at: z.number(),
});
export type TasksProgress = z.infer<typeof TasksProgressSchema>;

export const TASKS_CHANGED = ['settings', 'schedule', 'conflicts', 'report', 'links'] as const;
export const TasksChangedSchema = z.object({ what: z.array(z.enum(TASKS_CHANGED)).min(1) });

export const tasksEvents = {
  'tasks.progress': TasksProgressSchema,
  'tasks.changed': TasksChangedSchema,
};
