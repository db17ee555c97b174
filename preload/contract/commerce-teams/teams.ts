/**
 * teams.* — Commerce ⇄ Teams provisioning from the console (issue 14; reference commerce-teams-integration.md
 * A.3–A.5, B.3–B.8, C.1–C.5): configuration (profiles, data-sharing consent, enable/disable), pre-flight with
 * one-click fixes (preview first), plan, apply as a background run with progress events, cancel, resume after a
 * crash, run history, retry failed stores, and the job-queue entry "sync teams and members".
 *
 * Main sends codes + params; the renderer translates them from renderer/i18n/locales/commerce-teams/provision
 * (namespace `teamsProvision`): `effect.<code>`, `fix.<code>`, `phase.<phase>`, `state.<state>`, `trigger.<t>`,
 * `operation.<status>`, `finding.<code>`, `reason.<reason>`; errors (AppFailure codes) under `errors.<code>` of the
 * common namespace (merged from the same catalog). Codes never change once released.
 */
import { z } from 'zod';
import { Empty, method } from '../core/rpc';
import { TEAMS_PLAN_REASONS, TeamsFindingSchema, TeamsPlanSchema } from './findings';

const ProfileId = z.string().min(1).max(100);
const RunId = z.string().min(1).max(100);
const StoreNumber = z.string().min(1).max(40);
const Params = z.record(z.string(), z.union([z.string(), z.number()]));

/** A text as a code with parameters (the renderer translates; `message` is English for logs and copy). */
export const TeamsMessageSchema = z.object({ code: z.string(), params: Params });
export type TeamsMessage = z.infer<typeof TeamsMessageSchema>;

/** Error codes teams.* methods fail with (AppFailure; translated under common `errors.<code>`). */
export const TEAMS_ERROR_CODES = [
  /** Commerce or Graph profile not chosen (params: missing = 'commerce' | 'graph' | 'both'). */
  'TEAMS_NOT_CONFIGURED',
  /** The chosen profile id does not exist (params: profileId). */
  'TEAMS_CONFIG_PROFILE_NOT_FOUND',
  /** The chosen profile is another kind of service (params: profile, kind, expected). */
  'TEAMS_CONFIG_PROFILE_WRONG_KIND',
  /** Enable needs the data-sharing consent accepted first (no params). */
  'TEAMS_CONSENT_REQUIRED',
  /** Apply / sync / schedule run refused while the integration is disabled (no params). */
  'TEAMS_DISABLED',
  /** Another apply or sync run is under way (params: runId). */
  'TEAMS_RUN_ACTIVE',
  /** No run with this id (params: runId). */
  'TEAMS_RUN_NOT_FOUND',
  /** Retry failed: the run has no failed store (params: runId). */
  'TEAMS_RUN_NOTHING_TO_RETRY',
  /** Resume: the run finished; nothing to resume (params: runId, state). */
  'TEAMS_RUN_NOT_RESUMABLE',
  /** The fix no longer applies: the finding is gone or its data changed (params: fixId). */
  'TEAMS_FIX_NOT_APPLICABLE',
  /** Commerce refused the write the fix makes (params: entity, message). */
  'TEAMS_FIX_WRITE_FAILED',
] as const;
export type TeamsErrorCode = (typeof TEAMS_ERROR_CODES)[number];

/** What enabling starts and disabling stops (teams.enable / teams.disable `effects`). */
export const TEAMS_EFFECT_CODES = [
  /** Apply and sync may run (no params). */
  'TEAMS_ENABLE_RUNS_ALLOWED',
  /** The scheduled "sync teams and members" entry is Ready (params: everyMinutes). */
  'TEAMS_ENABLE_SCHEDULE_READY',
  /** The schedule stays off: it was not turned on (no params). */
  'TEAMS_ENABLE_SCHEDULE_OFF',
  /** Apply and sync are refused until enabled again (no params). */
  'TEAMS_DISABLE_NO_RUNS',
  /** The scheduled sync entry is set On Hold (params: entry). */
  'TEAMS_DISABLE_SCHEDULE_ON_HOLD',
  /** The run under way is cancelled after the store it is on (params: runId). */
  'TEAMS_DISABLE_RUN_CANCELLED',
  /** Teams, owners and members already made stay in Microsoft Teams: nothing is deleted (no params). */
  'TEAMS_DISABLE_TEAMS_KEPT',
  /** The store → team links and Commerce's Teams mapping stay, so enabling again adopts the same teams (no params). */
  'TEAMS_DISABLE_LINKS_KEPT',
] as const;
export type TeamsEffectCode = (typeof TEAMS_EFFECT_CODES)[number];

/** One-click fixes the console can make (B.3–B.5); each finding that has one carries its descriptor. */
export const TEAMS_FIX_IDS = [
  /** Assign the Retail task manager role to a regional manager's HQ user (SecurityUserRoles) — R6/R7. */
  'assign-task-role',
  /** Remove a Teams mapping row that names a team that no longer exists, so the store gets a team again. */
  'clear-stale-mapping',
  /** Map the store to the existing team that holds its mail nickname (Teams mapping between source and team). */
  'map-store-to-team',
] as const;
export type TeamsFixId = (typeof TEAMS_FIX_IDS)[number];

/** What a fix will do / did (teams.previewFix `changes`, teams.applyFix `applied`). */
export const TEAMS_FIX_CHANGE_CODES = [
  /** params: userId, upn, role */
  'TEAMS_FIX_ASSIGN_TASK_ROLE',
  /** params: storeNumber, teamId */
  'TEAMS_FIX_CLEAR_MAPPING',
  /** params: storeNumber, teamId, teamName */
  'TEAMS_FIX_MAP_STORE',
] as const;
export type TeamsFixChangeCode = (typeof TEAMS_FIX_CHANGE_CODES)[number];

export const TeamsFixSchema = z.object({
  fixId: z.enum(TEAMS_FIX_IDS),
  /** What the fix acts on (userId/upn, storeNumber/teamId); sent back unchanged to previewFix/applyFix. */
  params: z.record(z.string(), z.string()),
  /** Codes of what previewFix will show (the button's tooltip before the preview). */
  previewCodes: z.array(z.enum(TEAMS_FIX_CHANGE_CODES)),
});
export type TeamsFix = z.infer<typeof TeamsFixSchema>;

/** A pre-flight finding with its one-click fix, when the console can make one. */
export const TeamsConsoleFindingSchema = TeamsFindingSchema.extend({ fix: TeamsFixSchema.optional() });
export type TeamsConsoleFinding = z.infer<typeof TeamsConsoleFindingSchema>;

export const TeamsConfigSchema = z.object({
  enabled: z.boolean(),
  enabledAt: z.number().nullable(),
  commerceProfileId: z.string().nullable(),
  graphProfileId: z.string().nullable(),
  /** The data-sharing consent (A.3: Commerce shares store, worker and task data with Microsoft Teams). */
  dataSharingConsent: z.object({ accepted: z.boolean(), acceptedAt: z.number().nullable() }),
  /** The "remove members no longer in Commerce" option's default (off unless turned on). */
  pruneDefault: z.boolean(),
});
export type TeamsConfig = z.infer<typeof TeamsConfigSchema>;

export const TeamsSetConfigInputSchema = z.strictObject({
  commerceProfileId: ProfileId.nullable().optional(),
  graphProfileId: ProfileId.nullable().optional(),
  /** true accepts the consent now (the time is recorded); false withdraws it (and disables the integration). */
  dataSharingConsent: z.boolean().optional(),
  pruneDefault: z.boolean().optional(),
});

/** Where a run is, per store and overall (teams.progress `phase`). */
export const TEAMS_PROGRESS_PHASES = [
  'planning',
  'creating-group',
  'waiting-replication',
  'creating-team',
  'adding-members',
  'removing-members',
  'writing-mapping',
  'throttled',
  'store-done',
  'store-failed',
  'done',
  'failed',
  'cancelled',
] as const;
export type TeamsProgressPhase = (typeof TEAMS_PROGRESS_PHASES)[number];

/** Graph's teamsAsyncOperation status while a team is made (teams.progress `operationStatus`). */
export const TEAMS_OPERATION_STATUSES = ['notStarted', 'inProgress', 'succeeded', 'failed', 'unknown'] as const;

export const TEAMS_RUN_STATES = ['running', 'succeeded', 'partial', 'failed', 'cancelled', 'interrupted'] as const;
export type TeamsRunState = (typeof TEAMS_RUN_STATES)[number];
export const TEAMS_RUN_TRIGGERS = ['manual', 'schedule', 'retry', 'resume'] as const;
export type TeamsRunTrigger = (typeof TEAMS_RUN_TRIGGERS)[number];
export const TEAMS_STORE_STATES = ['pending', 'done', 'failed', 'skipped'] as const;

export const TeamsRunCountsSchema = z.object({
  storesPlanned: z.number().int(),
  storesDone: z.number().int(),
  storesFailed: z.number().int(),
  teamsCreated: z.number().int(),
  ownersAdded: z.number().int(),
  membersAdded: z.number().int(),
  membersRemoved: z.number().int(),
});
export type TeamsRunCounts = z.infer<typeof TeamsRunCountsSchema>;

export const TeamsRunErrorSchema = z.object({
  storeNumber: z.string(),
  code: z.string(),
  message: z.string(),
  userId: z.string().optional(),
  personnelNumber: z.string().optional(),
});
export type TeamsRunError = z.infer<typeof TeamsRunErrorSchema>;

export const TeamsRunSchema = z.object({
  runId: z.string(),
  trigger: z.enum(TEAMS_RUN_TRIGGERS),
  prune: z.boolean(),
  /** The stores asked for (null = all, with the communications team). */
  storeNumbers: z.array(z.string()).nullable(),
  /** The run this one resumes or retries. */
  parentRunId: z.string().nullable(),
  state: z.enum(TEAMS_RUN_STATES),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  counts: TeamsRunCountsSchema,
  /** Per-store (and per-member) errors; storeNumber 'communications' = the communications team. */
  errors: z.array(TeamsRunErrorSchema),
  /** Why the whole run failed (no store reached), when it did. */
  error: z.object({ code: z.string(), message: z.string(), params: Params.optional() }).nullable(),
});
export type TeamsRun = z.infer<typeof TeamsRunSchema>;

export const TeamsRunStoreSchema = z.object({
  storeNumber: z.string(),
  action: z.enum(['create', 'update', 'none', 'skip']),
  reason: z.string().optional(),
  state: z.enum(TEAMS_STORE_STATES),
  teamId: z.string().nullable(),
  /** The last phase seen for the store. */
  phase: z.enum(TEAMS_PROGRESS_PHASES).nullable(),
  owners: z.object({ add: z.array(z.string()), remove: z.array(z.string()) }),
  members: z.object({ add: z.array(z.string()), remove: z.array(z.string()) }),
});
export const TeamsRunDetailSchema = TeamsRunSchema.extend({ stores: z.array(TeamsRunStoreSchema) });
export type TeamsRunDetail = z.infer<typeof TeamsRunDetailSchema>;

export const TeamsScheduleSchema = z.object({
  /** The job-queue entry's name. */
  entry: z.string(),
  enabled: z.boolean(),
  everyMinutes: z.number().int(),
  prune: z.boolean(),
  /** Job-queue status of the entry (null = no entry yet). */
  status: z.enum(['Ready', 'In Process', 'Error', 'On Hold', 'On Hold with Inactivity Timeout', 'Finished']).nullable(),
  nextRunAt: z.number().nullable(),
  lastStartedAt: z.number().nullable(),
  lastFinishedAt: z.number().nullable(),
  lastRunId: z.string().nullable(),
  lastError: z.string().nullable(),
});
export type TeamsSchedule = z.infer<typeof TeamsScheduleSchema>;

export const TeamsPlanResultSchema = TeamsPlanSchema.extend({
  findings: z.array(TeamsConsoleFindingSchema),
  plannedAt: z.number(),
  prune: z.boolean(),
});
export type TeamsPlanResult = z.infer<typeof TeamsPlanResultSchema>;

const FixInput = z.strictObject({ fixId: z.enum(TEAMS_FIX_IDS), params: z.record(z.string().max(100), z.string().max(400)) });

export const teamsMethods = {
  'teams.getConfig': method(Empty, TeamsConfigSchema, 'The Commerce ⇄ Teams configuration: profiles, consent, enabled, prune default (no secrets).'),
  'teams.setConfig': method(TeamsSetConfigInputSchema, TeamsConfigSchema, 'Change the profiles (checked: a Commerce headquarters and a Microsoft Graph profile), the consent, the prune default.'),
  'teams.enable': method(Empty, z.object({ config: TeamsConfigSchema, effects: z.array(TeamsMessageSchema) }), 'Enable provisioning (needs both profiles and the consent); says what it starts.'),
  'teams.disable': method(
    z.strictObject({ dryRun: z.boolean().default(false) }),
    z.object({ config: TeamsConfigSchema, effects: z.array(TeamsMessageSchema), applied: z.boolean() }),
    'Disable provisioning (dryRun: only say what it would stop): runs refused, schedule on hold, a run under way cancelled; teams stay.',
  ),
  'teams.check': method(Empty, z.object({ findings: z.array(TeamsConsoleFindingSchema), checkedAt: z.number() }), 'The pre-flight: findings with cause and fix, a one-click fix where the console can make it.'),
  'teams.previewFix': method(FixInput, z.object({ fixId: z.enum(TEAMS_FIX_IDS), changes: z.array(TeamsMessageSchema) }), 'What a one-click fix will change (nothing is written).'),
  'teams.applyFix': method(FixInput, z.object({ applied: z.array(TeamsMessageSchema), findings: z.array(TeamsConsoleFindingSchema) }), 'Make a one-click fix, then re-run the pre-flight.'),
  'teams.plan': method(z.strictObject({ prune: z.boolean().optional() }), TeamsPlanResultSchema, 'Desired state diffed against Teams: per store create/update/none/skip with owners and members to add (and remove with prune).'),
  'teams.apply': method(
    z.strictObject({ prune: z.boolean().optional(), storeNumbers: z.array(StoreNumber).min(1).max(5000).optional() }),
    z.object({ runId: z.string() }),
    'Start an apply run (all stores and the communications team, or the given stores); answers at once, progress as teams.progress.',
  ),
  'teams.cancel': method(z.strictObject({ runId: RunId }), z.object({ cancelled: z.boolean() }), 'Stop a run after the steps in flight (what was made stays; resume picks up).'),
  'teams.resume': method(z.strictObject({ runId: RunId }), z.object({ runId: z.string() }), 'Resume an interrupted or cancelled run as a new run over the same stores.'),
  'teams.runs': method(z.strictObject({ limit: z.number().int().min(1).max(200).default(20) }), z.object({ runs: z.array(TeamsRunSchema) }), 'Run history, newest first.'),
  'teams.run': method(z.strictObject({ runId: RunId }), TeamsRunDetailSchema, 'One run with its stores: planned action, state, last phase, errors.'),
  'teams.retryFailed': method(z.strictObject({ runId: RunId }), z.object({ runId: z.string() }), 'Start a run over the stores that failed in a run.'),
  'teams.getSchedule': method(Empty, TeamsScheduleSchema, 'The job-queue entry that runs "sync teams and members".'),
  'teams.setSchedule': method(
    z.strictObject({ enabled: z.boolean(), everyMinutes: z.number().int().min(5).max(7 * 24 * 60), prune: z.boolean().default(false) }),
    TeamsScheduleSchema,
    'Turn the scheduled sync on (Ready) or off (On Hold) and set its interval and prune option.',
  ),
};

export const TeamsProgressSchema = z.object({
  runId: z.string(),
  /** null = the run as a whole; 'communications' = the communications team. */
  storeNumber: z.string().nullable(),
  phase: z.enum(TEAMS_PROGRESS_PHASES),
  /** creating-team: Graph's operation status. */
  operationStatus: z.enum(TEAMS_OPERATION_STATUSES).optional(),
  /** waiting-replication: seconds until the next try (countdown). */
  secondsLeft: z.number().int().min(0).optional(),
  /** throttled: Graph's Retry-After in seconds (countdown). */
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** adding-members / removing-members: how many. */
  count: z.number().int().min(0).optional(),
  /** store-failed / failed: why. */
  error: TeamsRunErrorSchema.optional(),
  counts: TeamsRunCountsSchema,
  at: z.number(),
});
export type TeamsProgress = z.infer<typeof TeamsProgressSchema>;

export const TEAMS_CHANGED = ['config', 'runs', 'schedule', 'findings'] as const;
export const TeamsChangedSchema = z.object({ what: z.array(z.enum(TEAMS_CHANGED)).min(1) });
export type TeamsChanged = z.infer<typeof TeamsChangedSchema>;

export const teamsEvents = {
  'teams.progress': TeamsProgressSchema,
  'teams.changed': TeamsChangedSchema,
};

/** Plan reasons (re-exported for the catalog test). */
export const TEAMS_PLAN_REASON_CODES = [...TEAMS_PLAN_REASONS, 'no-task-managers'] as const;
