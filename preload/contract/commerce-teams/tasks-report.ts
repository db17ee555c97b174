/**
 * The completion report of Commerce ⇄ Teams task management (issue 15): per task list, per store, rolled up the
 * Retail reporting hierarchy (country → region → store).
 *
 * `d365ic tasks report [--list NAME] --json` prints `TasksReportCliSchema` as the last stdout line — a contract used
 * by scripted checks, keep it exactly. The richer `TaskReport` (hierarchy rollup, tree, drill-down rows, canceled and
 * completion %) is what main/integrations/commerce-teams/tasks/report.ts computes and the console shows.
 *
 * Counting: `total` = completed + inProgress + notStarted (the active tasks); Commerce *Canceled* tasks are counted
 * apart in `canceled` and are never overdue; `overdue` = due date before today (the report's clock, UTC date) and
 * not completed; `completionPercent` = completed / total × 100 rounded to one decimal, null when total is 0.
 */
import { z } from 'zod';

const N = z.number().int().min(0);

/** One store of one list in `d365ic tasks report --json`. */
export const TasksReportCliStoreSchema = z.object({
  storeNumber: z.string().min(1),
  total: N,
  completed: N,
  inProgress: N,
  notStarted: N,
  overdue: N,
}).strict().superRefine((s, ctx) => {
  if (s.completed + s.inProgress + s.notStarted !== s.total) ctx.addIssue({ code: 'custom', message: 'total is completed + inProgress + notStarted', path: ['total'] });
  if (s.overdue > s.inProgress + s.notStarted) ctx.addIssue({ code: 'custom', message: 'only open tasks can be overdue', path: ['overdue'] });
});
export type TasksReportCliStore = z.infer<typeof TasksReportCliStoreSchema>;

/** `d365ic tasks report [--list NAME] --json` → the last stdout line. */
export const TasksReportCliSchema = z.object({
  lists: z.array(z.object({ name: z.string().min(1), stores: z.array(TasksReportCliStoreSchema) }).strict()),
}).strict();
export type TasksReportCli = z.infer<typeof TasksReportCliSchema>;

export const TASK_REPORT_STATUSES = ['NotStarted', 'InProgress', 'Completed', 'Canceled'] as const;
export const TaskReportStatusSchema = z.enum(TASK_REPORT_STATUSES);
export type TaskReportStatus = z.infer<typeof TaskReportStatusSchema>;

export const TaskReportCountsSchema = z.object({
  total: N,
  completed: N,
  inProgress: N,
  notStarted: N,
  overdue: N,
  canceled: N,
  /** completed / total × 100 (one decimal); null when there is no active task. */
  completionPercent: z.number().min(0).max(100).nullable(),
}).strict();
export type TaskReportCounts = z.infer<typeof TaskReportCountsSchema>;

export const TaskReportStoreSchema = TaskReportCountsSchema.extend({
  storeNumber: z.string(),
  name: z.string(),
  /** The store's first and second hierarchy levels (null: the store is not in the Retail reporting hierarchy). */
  country: z.string().nullable(),
  region: z.string().nullable(),
}).strict();
export type TaskReportStore = z.infer<typeof TaskReportStoreSchema>;

export const TASK_REPORT_LEVELS = ['country', 'region', 'node', 'store'] as const;
export type TaskReportLevel = (typeof TASK_REPORT_LEVELS)[number];

/** The flat rollup (country and region rows) a chart and the table show. */
export const TaskReportRollupSchema = TaskReportCountsSchema.extend({
  level: z.enum(['country', 'region']),
  name: z.string(),
  partyNumber: z.string(),
  /** The country's name for a region; null for a country. */
  parent: z.string().nullable(),
}).strict();
export type TaskReportRollup = z.infer<typeof TaskReportRollupSchema>;

/** A hierarchy node with its stores' counts summed; stores are the leaves (level 'store'). */
export interface TaskReportNode extends TaskReportCounts {
  name: string;
  partyNumber: string | null;
  level: TaskReportLevel;
  storeNumber: string | null;
  children: TaskReportNode[];
}
export const TaskReportNodeSchema: z.ZodType<TaskReportNode> = z.lazy(() =>
  TaskReportCountsSchema.extend({
    name: z.string(),
    partyNumber: z.string().nullable(),
    level: z.enum(TASK_REPORT_LEVELS),
    storeNumber: z.string().nullable(),
    children: z.array(TaskReportNodeSchema),
  }).strict(),
);

export const TaskReportListSchema = z.object({
  taskListId: z.string(),
  name: z.string(),
  /** The list of ad-hoc tasks created in POS (process POS-ADHOC). */
  adhoc: z.boolean(),
  totals: TaskReportCountsSchema,
  stores: z.array(TaskReportStoreSchema),
  rollup: z.array(TaskReportRollupSchema),
  /** Country → region → store; stores outside the hierarchy are not in the tree (they are in `stores`). */
  tree: z.array(TaskReportNodeSchema),
}).strict();
export type TaskReportList = z.infer<typeof TaskReportListSchema>;

/** One task at one store (the drill-down and the XLSX Tasks sheet). */
export const TaskReportRowSchema = z.object({
  processId: z.string(),
  taskId: z.string(),
  taskListId: z.string(),
  listName: z.string(),
  storeNumber: z.string(),
  storeName: z.string(),
  title: z.string(),
  status: TaskReportStatusSchema,
  dueDate: z.string().nullable(),
  overdue: z.boolean(),
  adhoc: z.boolean(),
  /** The assignee's personnel number, and the worker's name when Commerce knows it. */
  assignee: z.string().nullable(),
  assigneeName: z.string().nullable(),
  plannerTaskId: z.string().nullable(),
}).strict();
export type TaskReportRow = z.infer<typeof TaskReportRowSchema>;

export const TaskReportSchema = z.object({
  /** Today for the overdue test (YYYY-MM-DD, UTC). */
  asOf: z.string(),
  /** The Retail reporting hierarchy rolled up (null: none could be picked — see hierarchyProblem). */
  hierarchy: z.string().nullable(),
  hierarchyProblem: z.object({ code: z.string(), params: z.record(z.string(), z.string()), message: z.string() }).strict().nullable(),
  lists: z.array(TaskReportListSchema),
  /** The drill-down rows asked for (one store's, every store's for the XLSX, or none). */
  rows: z.array(TaskReportRowSchema),
}).strict();
export type TaskReport = z.infer<typeof TaskReportSchema>;
