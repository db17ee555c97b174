/**
 * Commerce ⇄ Teams task management (issue 15): the shapes of `d365ic tasks … --json` (a contract used by scripted
 * checks — keep it exactly). `tasks link`: per mapped store its team, the Planner plan it is linked to (null when
 * there is none or it is ambiguous) and the state.
 */
import { z } from 'zod';

export const TASKS_LINK_STATES = ['linked', 'missing', 'ambiguous'] as const;
export const TasksLinkStateSchema = z.enum(TASKS_LINK_STATES);
export type TasksLinkState = z.infer<typeof TasksLinkStateSchema>;

export const TasksLinkStoreSchema = z.object({
  storeNumber: z.string().min(1),
  teamId: z.string().min(1),
  /** Planner plan ids are 28-character case-sensitive strings. */
  planId: z.string().min(1).nullable(),
  state: TasksLinkStateSchema,
}).strict().superRefine((s, ctx) => {
  if ((s.state === 'linked') !== (s.planId !== null)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'planId is set exactly when the store is linked', path: ['planId'] });
});
export type TasksLinkStore = z.infer<typeof TasksLinkStoreSchema>;

/** `d365ic tasks link --json` → the last stdout line. */
export const TasksLinkResultSchema = z.object({ stores: z.array(TasksLinkStoreSchema) }).strict();
export type TasksLinkResult = z.infer<typeof TasksLinkResultSchema>;

/**
 * Why a store is not linked, with what fixes it; main sends the code + params, the renderer translates
 * (renderer/i18n/locales/commerce-teams/tasks: `codes.<CODE>`, namespace teamsTasks).
 */
export const TASKS_LINK_CODES = [
  /** The store's team has no Planner plan (params: storeNumber, teamId). */
  'TASKS_LINK_NO_PLAN',
  /** Several plans, none clearly the one holding published tasks (params: storeNumber, teamId, plans). */
  'TASKS_LINK_SEVERAL_PLANS',
  /** The mapped team does not exist in Microsoft Graph (params: storeNumber, teamId). */
  'TASKS_LINK_TEAM_NOT_FOUND',
  /** Graph failed reading the team's plans or tasks (params: storeNumber, message). */
  'TASKS_LINK_GRAPH_FAILED',
  /** Creating the plan failed (params: storeNumber, message). */
  'TASKS_LINK_PLAN_NOT_CREATED',
  /** Commerce did not save the plan id on the mapping row (params: storeNumber, message). */
  'TASKS_LINK_NOT_SAVED',
] as const;
export type TasksLinkCode = (typeof TASKS_LINK_CODES)[number];
