/**
 * sync.* — running the BC ⇄ Dataverse synchronization from the console (issue 7): status per mapping, runs with
 * progress pushed as events, the job log with its errors, the job queue and the manual actions of reference §E.7/E.8
 * (synchronize now, couple, uncouple, match-based coupling, restore skipped, delete couplings of failed records).
 */
import { z } from 'zod';
import { Empty, method } from '../core/rpc';

const Name = z.string().min(1).max(100);
/** BC SystemId or Dataverse primary id. */
const RecordId = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID');
/** 'to' = BC → Dataverse, 'from' = Dataverse → BC. */
export const SyncPassDirection = z.enum(['to', 'from']);
export type SyncPassDirection = z.infer<typeof SyncPassDirection>;
const MappingDirection = z.enum(['ToIntegrationTable', 'FromIntegrationTable', 'Bidirectional']);

/**
 * A runtime text as a code with parameters: main keeps the English `message` for logs and the CLI, the renderer
 * translates `code` (sync:msg.<code>) with `params` and falls back to the message for codes it does not know.
 */
export const SyncMessageCodeSchema = z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) });
export type SyncMessageCode = z.infer<typeof SyncMessageCodeSchema>;

export const SyncCountersSchema = z.object({
  inserted: z.number().int(),
  modified: z.number().int(),
  deleted: z.number().int(),
  unchanged: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  uncoupled: z.number().int(),
  coupled: z.number().int(),
});
export type SyncCounters = z.infer<typeof SyncCountersSchema>;

/** "Integration Synch. Job" (5338). Times are epoch ms UTC. */
export const SyncJobSchema = SyncCountersSchema.extend({
  id: z.string(),
  mapping: z.string(),
  type: z.enum(['Synchronization', 'Coupling', 'Uncoupling']),
  direction: MappingDirection,
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  message: z.string(),
  /** The message as a code (null: empty message, or one without a code). */
  messageCode: SyncMessageCodeSchema.nullable(),
});
export type SyncJobDto = z.infer<typeof SyncJobSchema>;

export const SyncJobErrorSchema = z.object({
  no: z.number().int(),
  jobId: z.string(),
  sourceSide: z.enum(['bc', 'dataverse']),
  sourceId: z.string().nullable(),
  destinationId: z.string().nullable(),
  message: z.string(),
  detail: z.string().nullable(),
  at: z.number(),
});
export type SyncJobErrorDto = z.infer<typeof SyncJobErrorSchema>;

export const SyncQueueStatus = z.enum(['Ready', 'In Process', 'Error', 'On Hold', 'On Hold with Inactivity Timeout', 'Finished']);
export const SyncQueueEntrySchema = z.object({
  name: z.string(),
  mapping: z.string().nullable(),
  description: z.string(),
  recurring: z.boolean(),
  everyMinutes: z.number().nullable(),
  inactivityTimeoutMinutes: z.number().nullable(),
  status: SyncQueueStatus,
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  earliestStart: z.number(),
  lastStartedAt: z.number().nullable(),
  lastFinishedAt: z.number().nullable(),
  lastError: z.string().nullable(),
  /** Set when the entry does not run now although it is due (or never will): why, as a code. */
  blockedBy: SyncMessageCodeSchema.nullable().default(null),
});
export type SyncQueueEntryDto = z.infer<typeof SyncQueueEntrySchema>;

export const SyncPhase = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type SyncPhase = z.infer<typeof SyncPhase>;

/** Where the sync connects: the enabled setup's profiles, or the demo sandbox profiles while setup is not enabled. */
export const SyncSourceSchema = z.object({
  kind: z.enum(['setup', 'demo', 'none']),
  dataverse: z.object({ profileId: z.string(), name: z.string() }).nullable(),
  bc: z.object({ profileId: z.string(), name: z.string() }).nullable(),
  /** Why nothing can run (kind 'none'), in English; the UI shows `sync:source.none`. */
  message: z.string().nullable(),
});
export type SyncSource = z.infer<typeof SyncSourceSchema>;

export const SyncRunningSchema = z.object({
  runId: z.string(),
  phase: SyncPhase,
  direction: SyncPassDirection.nullable(),
  counters: SyncCountersSchema,
  /** Records written so far by this run (both sides). */
  written: z.number().int(),
  full: z.boolean(),
});

export const SyncMappingStatusSchema = z.object({
  name: z.string(),
  direction: MappingDirection,
  bcTable: z.string(),
  dataverseEntity: z.string(),
  lastTo: SyncJobSchema.nullable(),
  lastFrom: SyncJobSchema.nullable(),
  /** Last selected modifiedOn per side (ms), null = never synchronized. */
  watermarks: z.object({ bc: z.number().nullable(), dataverse: z.number().nullable() }),
  queue: SyncQueueEntrySchema.nullable(),
  running: SyncRunningSchema.nullable(),
  couplings: z.number().int(),
  skipped: z.number().int(),
  /** False when the engine cannot run this mapping: `reason` says why (the row shows it; Run is disabled). */
  runnable: z.boolean(),
  reason: SyncMessageCodeSchema.nullable(),
});
export type SyncMappingStatus = z.infer<typeof SyncMappingStatusSchema>;

export const SyncStatusSchema = z.object({
  source: SyncSourceSchema,
  mappings: z.array(SyncMappingStatusSchema),
  /**
   * Job queue entries that enabling the connection left On Hold until the initial synchronization (the full
   * synchronization review) is done; empty (or absent) when nothing waits for it.
   */
  heldForInitialSync: z.array(z.string()).optional(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

const RunResultSchema = z.object({ to: SyncJobSchema.nullable(), from: SyncJobSchema.nullable() });

export const SyncSkippedSchema = z.object({
  rowId: z.number().int(),
  bcId: z.string().nullable(),
  dataverseId: z.string(),
  errorTo: z.string().nullable(),
  errorFrom: z.string().nullable(),
});
export type SyncSkippedDto = z.infer<typeof SyncSkippedSchema>;

const Ids = z.array(RecordId).min(1).max(1000);

/** Full synchronization review (E.12, "CRM Full Synch. Review"). */
export const SyncReviewRecommendation = z.enum(['Full Synchronization', 'Couple Records', 'No Records Found']);
export const SyncReviewJobStatus = z.enum(['', 'Success', 'In Process', 'Error']);
export const SyncReviewLineSchema = z.object({
  name: z.string(),
  dependencyFilter: z.array(z.string()),
  direction: MappingDirection,
  recommendation: SyncReviewRecommendation,
  /** Records within the Table Filter (bc) and the Integration Table Filter (dv), counted up to `countCap`. */
  counts: z.object({ bc: z.number().int().min(0), dv: z.number().int().min(0) }),
  jobStatus: SyncReviewJobStatus,
  /** The job's outcome (English, from the engine), or why counting failed. */
  message: z.string(),
  /** The message as a code the renderer translates. */
  messageCode: SyncMessageCodeSchema.nullable(),
  /** Records in each side that are not coupled yet (up to `countCap`): a full synchronization would duplicate them when both are > 0. */
  uncoupled: z.object({ bc: z.number().int().min(0), dv: z.number().int().min(0) }),
  /** Couple Records recommended but the mapping has no field marked Use for match-based coupling: set them first. */
  needsMatchFields: z.boolean(),
  /** False when the engine cannot run this mapping (`reason` says why): the line never starts. */
  runnable: z.boolean(),
  reason: SyncMessageCodeSchema.nullable(),
});
export type SyncReviewLineDto = z.infer<typeof SyncReviewLineSchema>;
export const SyncReviewSchema = z.object({
  lines: z.array(SyncReviewLineSchema),
  /** Lines that would start now. */
  startable: z.array(z.string()),
  /** Lines that cannot start: a dependency failed, is in a cycle or waits for such a line. */
  blocked: z.array(z.object({ name: z.string(), waitingFor: z.array(z.string()) })),
  /** Counting stops here: a count equal to the cap means "at least". Only emptiness (and 1 vs more) decides. */
  countCap: z.number().int().min(1),
  /** The cascade under way, if any. */
  runId: z.string().nullable(),
  /** When the last cascade ended (epoch ms): Synch. Only Coupled Records was cleared only for its jobs. */
  finishedAt: z.number().nullable(),
  cancelled: z.boolean(),
});
export type SyncReview = z.infer<typeof SyncReviewSchema>;

/** Errors of one job grouped by cause, with the action that fixes the cause where one is known. */
export const SyncErrorGroupSchema = z.object({
  /** Normalised cause (record ids and numbers stripped). */
  key: z.string(),
  count: z.number().int(),
  /** The first error's English message (logs, copy). */
  message: z.string(),
  messageCode: SyncMessageCodeSchema.nullable(),
  /** No. of the first error of the group. */
  firstNo: z.number().int(),
  /** run: synchronize the dependency mapping first; couple: open that mapping's coupling (review / match fields). */
  fix: z.object({ kind: z.enum(['run', 'couple', 'matchFields']), mapping: z.string() }).nullable(),
});
export type SyncErrorGroupDto = z.infer<typeof SyncErrorGroupSchema>;

export const syncMethods = {
  'sync.status': method(Empty, SyncStatusSchema, 'Per mapping: last job per direction, watermarks, queue entry, running run; and which profiles sync uses.'),
  'sync.run': method(
    z.strictObject({ mapping: Name.nullable(), full: z.boolean().default(false) }),
    z.object({ runId: z.string() }),
    'Start a run of one mapping (or all, in dependency order); answers at once, progress arrives as sync.progress events.',
  ),
  'sync.cancel': method(z.strictObject({ runId: z.string().min(1).max(100) }), z.object({ cancelled: z.boolean() }), 'Stop a run between batches (what was written stays written).'),
  'sync.jobs': method(
    z.strictObject({ mapping: Name.nullable().default(null), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(50) }),
    z.object({ jobs: z.array(SyncJobSchema), total: z.number().int() }),
    'The job log, newest first, paged.',
  ),
  'sync.jobErrors': method(
    z.strictObject({ jobId: z.string().min(1).max(100), afterNo: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }),
    z.object({ errors: z.array(SyncJobErrorSchema), next: z.number().int().nullable() }),
    'One job\'s errors in full, keyset-paged (next = afterNo for the following page).',
  ),
  'sync.jobErrorGroups': method(
    z.strictObject({ jobId: z.string().min(1).max(100) }),
    z.object({ groups: z.array(SyncErrorGroupSchema), total: z.number().int() }),
    'One job\'s errors grouped by cause, largest group first, with the action that fixes each cause.',
  ),
  'sync.releaseInitialHold': method(Empty, z.object({ resumed: z.array(z.string()) }), 'Resume the job queue entries that enabling left On Hold until the initial synchronization.'),
  'sync.queue': method(Empty, z.array(SyncQueueEntrySchema), 'Job queue entries (installs the defaults into an empty queue).'),
  'sync.queueHold': method(z.strictObject({ name: Name }), SyncQueueEntrySchema, 'Set a job queue entry On Hold.'),
  'sync.queueResume': method(z.strictObject({ name: Name }), SyncQueueEntrySchema, 'Set a job queue entry Ready (attempts reset).'),
  'sync.queueRun': method(z.strictObject({ name: Name }), z.object({ runId: z.string() }), 'Run a job queue entry now; progress as for sync.run.'),
  'sync.syncRecords': method(
    z.strictObject({ mapping: Name, ids: Ids, direction: SyncPassDirection, create: z.boolean().default(false) }),
    RunResultSchema,
    'Synchronize Now for records (BC SystemIds when sending, Dataverse ids when getting).',
  ),
  'sync.couple': method(
    z.strictObject({ mapping: Name, bcId: RecordId, dataverseId: RecordId, syncNow: SyncPassDirection.nullable().default(null) }),
    z.object({ bcId: z.string().nullable(), dataverseId: z.string() }),
    'Couple a BC record to a Dataverse row (one-to-one rules), optionally synchronizing the pair.',
  ),
  'sync.uncouple': method(z.strictObject({ mapping: Name, bcIds: Ids }), SyncJobSchema, 'Remove the couplings of BC records (logged as an Uncoupling job).'),
  'sync.matchCouple': method(
    z.strictObject({ mapping: Name, bcIds: Ids.nullable().default(null) }),
    z.object({ job: SyncJobSchema, coupled: z.number().int(), created: z.number().int(), unmatched: z.number().int() }),
    'Match-based coupling of uncoupled BC records (all, or the given ones).',
  ),
  'sync.restoreSkipped': method(
    z.strictObject({ mapping: Name, bcIds: z.union([Ids, z.literal('all')]), sync: SyncPassDirection.nullable().default(null) }),
    z.object({ restored: z.number().int() }),
    'Clear Skipped on records (Restore), and with sync also synchronize them now (Retry).',
  ),
  'sync.deleteFailedCouplings': method(
    z.strictObject({ mapping: Name, jobId: z.string().min(1).max(100) }),
    z.object({ removed: z.number().int() }),
    'Remove the couplings of the records that failed in a job.',
  ),
  'sync.review': method(
    z.strictObject({ refresh: z.boolean().default(false) }),
    SyncReviewSchema,
    'The full synchronization review: lines with counts, recommendation and job status. refresh recounts and resets the statuses (ignored while the cascade runs).',
  ),
  'sync.retryReviewLine': method(
    z.strictObject({ name: Name }),
    SyncReviewSchema,
    'Retry one review line: count it again, follow the new recommendation and clear its status so Start runs it (refused while the cascade runs).',
  ),
  'sync.startReview': method(
    Empty,
    z.object({ runId: z.string() }),
    'Start the review cascade in the background: every eligible line runs, dependants start when their dependencies finished; progress as sync.progress per line.',
  ),
  'sync.skipped': method(
    z.strictObject({ mapping: Name, afterRowId: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }),
    z.object({ records: z.array(SyncSkippedSchema), next: z.number().int().nullable() }),
    'Skipped records of a mapping, keyset-paged.',
  ),
};

export const SyncProgressSchema = z.object({
  runId: z.string(),
  mapping: z.string(),
  direction: SyncPassDirection.nullable(),
  phase: SyncPhase,
  counters: SyncCountersSchema,
  written: z.number().int(),
  done: z.boolean(),
});
export type SyncProgress = z.infer<typeof SyncProgressSchema>;

export const SyncFinishedSchema = z.object({
  runId: z.string(),
  cancelled: z.boolean(),
  results: z.array(
    z.object({
      mapping: z.string(),
      to: SyncJobSchema.nullable(),
      from: SyncJobSchema.nullable(),
      error: z.object({ code: z.string(), message: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).nullable(),
    }),
  ),
});
export type SyncFinished = z.infer<typeof SyncFinishedSchema>;

/** Data main changed that the Sync page shows: the job log, the job queue, the full synchronization review. */
export const SYNC_CHANGED = ['jobs', 'queue', 'review'] as const;
export type SyncChangedWhat = (typeof SYNC_CHANGED)[number];
/**
 * Main says what changed (a job finished, the queue changed, review lines moved on) and the renderer reloads that
 * part; the page never polls. Sent after the sync.progress / sync.finished event that caused it.
 */
export const SyncChangedSchema = z.object({ what: z.array(z.enum(SYNC_CHANGED)).min(1) });
export type SyncChanged = z.infer<typeof SyncChangedSchema>;

export const syncEvents = {
  'sync.progress': SyncProgressSchema,
  'sync.finished': SyncFinishedSchema,
  'sync.changed': SyncChangedSchema,
};
