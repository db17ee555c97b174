/**
 * *Keeping statuses in step* (issue 15, `d365ic tasks sync`): the bridge between Commerce's per-store task statuses
 * (`RetailTaskStoreStatuses`) and the tasks in the linked store plans in Planner. The mapping is model.ts's; the
 * merge base per coupled task is `ct_task_baselines`; couplings (with Planner's etag) are the kernel's coupling store.
 *
 * One run:
 *  1. Planner, cheap polling (v1.0 has no delta): every linked plan's tasks in Graph `$batch` GETs (20 per POST,
 *     several POSTs in flight). A coupled task whose @odata.etag equals the coupling's is unchanged and is not looked
 *     at further; a changed one is compared field by field against the baseline. A task with no coupling in a linked
 *     plan is an **ad-hoc POS task** (or a create of ours whose confirmation a crash lost: matched first, by title +
 *     due date, against the creates written down as pending).
 *  2. Commerce: the rows whose system stamp `ModifiedDateTime` is at or after the watermark (F&O stamps in whole
 *     seconds, so `ge` re-reads the last second; a row read again equals its baseline and does nothing), the rows of
 *     tasks with a conflict still open, and every row of a store that has no coupled task yet (newly linked).
 *  3. Three-way merge per field (status, due date, assignee, title) of base / Commerce / Planner: a field changed on
 *     one side only wins; the same field changed on both sides to different values is a **conflict** (nothing is
 *     written for it; a row in `ct_task_conflicts` with the three values, listed until resolved); Commerce's
 *     *Canceled* is kept Commerce-side (not written to Planner, not revived by Planner).
 *  4. Writes: Planner PATCHes in `$batch` with If-Match = the etag read this run and `Prefer: return=representation`;
 *     a 412/409 re-reads the task (`$batch` GET) and merges again (up to 3 rounds); a success whose answer shows a
 *     field someone else changed meanwhile is merged again too (that change goes to Commerce in the same run).
 *     Creates: Planner tasks for HQ rows of linked stores with no coupling (written down first with `pendingTo: 'b'`
 *     and the status key as idempotency key), Commerce rows for ad-hoc POS tasks (`pendingTo: 'a'`, a deterministic
 *     key: a rerun that finds the row existing takes it). Commerce writes: `$batch` of independent PATCHes / POSTs.
 *  5. SQLite, one transaction: couplings (etags), baselines, conflicts, the watermark — after the writes.
 *
 * Deleted in Planner: a coupled task missing from its plan (read in full) is read once more by id; a 404 makes its
 * Commerce row Canceled and ends the coupling (with its baseline and conflicts), so nothing recreates it. A row
 * deleted in Commerce is not detected (the changed-only read does not see deletions): its task stays in Planner.
 *
 * Crash safety: nothing is stamped before it is written, so a run killed anywhere is redone by the next one: a field
 * written to one side but not yet recorded shows as "changed on both sides to the same value" and only settles the
 * base; a create is found again through its pending coupling; the Commerce watermark only moves after the save and
 * never past a row whose change is not through.
 *
 * Conflicts: `resolveConflict(db, id, 'commerce' | 'planner')` records the choice; the NEXT sync re-reads both sides
 * of the task and writes the chosen side's current value to the other one, then marks the conflict resolved. A
 * conflict whose sides meet again (or one side goes back to the base) resolves itself.
 */
import type { TaskSyncConflict, TaskSyncFailure, TasksSyncCode } from '../../../../preload/contract/commerce-teams/tasks-sync';
import type { CommerceClient, CommerceRow } from '../../../clients/commerce';
import { keySegment } from '../../../clients/commerce';
import type { GraphBatchRequest, GraphBatchResult, GraphClient } from '../../../clients/graph';
import { filter } from '../../../clients/odata';
import type { Db } from '../../../db/database';
import type { CouplingRecord } from '../../../kernel/couplings/store';
import { CouplingStore } from '../../../kernel/couplings/store';
import type { Clock } from '../../../ports';
import { systemClock } from '../../../ports';
import { MappingUnavailableError, mappingCollection, readMappings } from '../mapping/directory';
import type { TaskBaseline } from './baselines';
import { TaskBaselineStore } from './baselines';
import type { CommerceTaskStatus, TaskField, TaskFields } from './model';
import {
  ADHOC_PROCESS_ID, ADHOC_TASK_LIST_ID, COMMERCE_TASK_ENTITY, PLANNER_TASK_ENTITY, TASK_FIELDS, TASKS_INTEGRATION, TASKS_MAPPING,
  dateOfDue, dueOfDate, parseStatusKey, percentFromStatus, plannerAssignment, statusFromPercent, statusKey, TaskRunCancelledError, throwIfCancelled,
} from './model';

export const TASK_STATUS_ENTITY = 'RetailTaskStoreStatusEntity';
export const TASK_PROCESS_ENTITY = 'RetailTaskProcessEntity';
export const WORKER_ENTITY = 'HcmWorkerEntity';
/** Planner PATCH rounds per task (a 412 re-reads and merges again). */
const MAX_ROUNDS = 3;
const COMMERCE_BATCH = 100;
const KEYS_PER_FILTER = 10;

export interface SyncDeps {
  commerce: Pick<CommerceClient, 'list' | 'listWhereIn' | 'collectionFor' | 'batch'>;
  graph: Pick<GraphClient, 'batch'>;
  db: Db;
  clock?: Clock;
}

export type SyncPhase = 'plans' | 'commerce' | 'people' | 'planner-writes' | 'planner-creates' | 'commerce-writes' | 'saving';

export interface SyncOptions {
  /** Graph `$batch` POSTs in flight at once (default 8). */
  concurrency?: number;
  jobId?: string;
  onProgress?: (p: { phase: SyncPhase; done: number; total: number }) => void;
  /**
   * Stops the run at its next safe point (before a Graph `$batch` or a Commerce `$batch` goes out): TaskRunCancelledError.
   * What was written is not recorded, as after a kill: the next run settles it (see "Crash safety").
   */
  signal?: AbortSignal;
  /**
   * Test seams: `afterRead` runs after both sides were read and before anything is written (change a task there to
   * see the 412 path); `beforeSave` runs after every write and before SQLite records them (throw there = a kill).
   */
  hooks?: { afterRead?: () => Promise<void> | void; beforeSave?: () => void };
}

export interface SyncNotice {
  storeNumber: string;
  taskId: string;
  /**
   * `canceled-kept`: a Planner change to the status of a task canceled in Commerce, not applied (Canceled is kept
   * Commerce-side). `deleted-in-planner`: the coupled Planner task was deleted (Graph answers 404); its Commerce row is
   * now Canceled and the coupling ended, so nothing recreates the task.
   */
  kind: 'canceled-kept' | 'deleted-in-planner';
}

export interface SyncResult {
  toPlanner: { created: number; updated: number };
  toCommerce: { created: number; updated: number };
  /** Every conflict not resolved yet (this run's and earlier ones). */
  conflicts: TaskSyncConflict[];
  failed: (TaskSyncFailure & { params: Record<string, string | number>; transient: boolean })[];
  notices: SyncNotice[];
  /** Tasks seen in linked plans, coupled tasks whose Planner etag changed, Commerce rows read. */
  stats: { plans: number; plannerTasks: number; plannerChanged: number; commerceRows: number; canceledKept: number; deletedInPlanner: number; graphRequests: number };
  watermark: string | null;
}

/** The `d365ic tasks sync --json` shape (preload/contract/commerce-teams/tasks-sync.ts). */
export function syncContract(r: SyncResult): { toPlanner: { created: number; updated: number }; toCommerce: { created: number; updated: number }; conflicts: TaskSyncConflict[]; failed: TaskSyncFailure[] } {
  return {
    toPlanner: { created: r.toPlanner.created, updated: r.toPlanner.updated },
    toCommerce: { created: r.toCommerce.created, updated: r.toCommerce.updated },
    conflicts: r.conflicts,
    failed: r.failed.map((f) => ({ storeNumber: f.storeNumber, taskId: f.taskId, code: f.code, message: f.message })),
  };
}

export class TasksSyncUnavailableError extends Error {
  readonly code = 'TASKS_SYNC_ENTITY_MISSING' as const;
  constructor(readonly entity: string) {
    super(`Commerce does not expose the data entity "${entity}" on OData (missing or not enabled for the data service). Enable it in Data management > Data entities, then sync again.`);
  }
}

// ------------------------------------------------------------------------------------------- wire shapes

interface PlannerTaskJson {
  id: string;
  planId: string;
  title: string;
  percentComplete?: number;
  dueDateTime?: string | null;
  assignments?: Record<string, unknown>;
  '@odata.etag': string;
}

interface StatusRow {
  '@odata.etag'?: string;
  ProcessId: string;
  TaskId: string;
  StoreNumber: string;
  TaskListId?: string | null;
  TaskName?: string | null;
  Status: CommerceTaskStatus;
  AssignedToPersonnelNumber?: string | null;
  DueDate?: string | null;
  PlannerTaskId?: string | null;
  ModifiedDateTime?: string | null;
}
const STATUS_SELECT = ['ProcessId', 'TaskId', 'StoreNumber', 'TaskListId', 'TaskName', 'Status', 'AssignedToPersonnelNumber', 'DueDate', 'PlannerTaskId', 'ModifiedDateTime'];

// ------------------------------------------------------------------------------------------- problems

/** The params each code carries (the translations' placeholders: renderer/i18n/locales/commerce-teams/tasks-sync). */
export const SYNC_CODE_PARAMS: Record<TasksSyncCode, readonly string[]> = {
  TASKS_SYNC_PLAN_READ_FAILED: ['storeNumber', 'planId', 'message'],
  TASKS_SYNC_COMMERCE_READ_FAILED: ['message'],
  TASKS_SYNC_ENTITY_MISSING: ['entity'],
  TASKS_SYNC_PLANNER_WRITE_FAILED: ['storeNumber', 'taskId', 'message'],
  TASKS_SYNC_PLANNER_CREATE_FAILED: ['storeNumber', 'taskId', 'message'],
  TASKS_SYNC_COMMERCE_WRITE_FAILED: ['storeNumber', 'taskId', 'message'],
  TASKS_SYNC_COMMERCE_CREATE_FAILED: ['storeNumber', 'taskId', 'message'],
  TASKS_SYNC_CONCURRENT_EDITS: ['storeNumber', 'taskId'],
  TASKS_SYNC_ASSIGNEE_NO_USER: ['storeNumber', 'taskId', 'personnelNumber'],
  TASKS_SYNC_ASSIGNEE_NOT_WORKER: ['storeNumber', 'taskId', 'userId'],
  TASKS_SYNC_PLANNER_LIMIT: ['storeNumber', 'taskId', 'limit', 'message'],
};

/**
 * A code's params (only the ones it carries) and its English text (the CLI, logs); the renderer translates code +
 * params (namespace teamsTasksSync).
 */
export function syncProblem(code: TasksSyncCode, given: Record<string, string | number>): { params: Record<string, string | number>; message: string } {
  const params: Record<string, string | number> = {};
  for (const k of SYNC_CODE_PARAMS[code]) params[k] = given[k] ?? '';
  const { storeNumber: s, taskId: t, message: m } = params;
  const message = {
    TASKS_SYNC_PLAN_READ_FAILED: `Reading the tasks of store ${s}'s plan ${params.planId} failed (${m}). The store is synchronized at the next run; nothing of it was changed.`,
    TASKS_SYNC_COMMERCE_READ_FAILED: `Reading the task statuses from Commerce failed (${m}). Run the sync again; it is safe to repeat.`,
    TASKS_SYNC_ENTITY_MISSING: `Commerce does not expose the data entity ${params.entity} on OData. Enable it in Data management > Data entities, then sync again.`,
    TASKS_SYNC_PLANNER_WRITE_FAILED: `Updating the Planner task of ${t} at store ${s} failed (${m}). The next sync tries again.`,
    TASKS_SYNC_PLANNER_CREATE_FAILED: `Creating the Planner task for ${t} at store ${s} failed (${m}). The next sync tries again without creating it twice.`,
    TASKS_SYNC_COMMERCE_WRITE_FAILED: `Updating the Commerce task status of ${t} at store ${s} failed (${m}). The next sync tries again.`,
    TASKS_SYNC_COMMERCE_CREATE_FAILED: `Creating the Commerce row for the ad-hoc POS task ${t} at store ${s} failed (${m}). The next sync tries again.`,
    TASKS_SYNC_CONCURRENT_EDITS: `The Planner task of ${t} at store ${s} kept changing while it was being synchronized. The next sync tries again.`,
    TASKS_SYNC_ASSIGNEE_NO_USER: `Task ${t} at store ${s} is assigned to worker ${params.personnelNumber}, who has no Microsoft Entra user (the worker's identity e-mail). Fix the worker's identity e-mail; the assignment was not written to Planner.`,
    TASKS_SYNC_ASSIGNEE_NOT_WORKER: `Task ${t} at store ${s} is assigned in Planner to user ${params.userId}, who is not a Commerce worker (no worker has that identity e-mail). The assignment was not written to Commerce.`,
    TASKS_SYNC_PLANNER_LIMIT: `Planner refused a change of task ${t} at store ${s} for its limit ${params.limit} (${m}). Free capacity in the plan, then sync again.`,
  }[code];
  return { params, message };
}

const TRANSIENT = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

// ------------------------------------------------------------------------------------------- the merge

/** A Commerce assignee whose worker has no Entra user: kept as this marker (never written to Planner). */
const UNRESOLVED = '?';
const unresolvedPn = (v: string | null) => (v && v.startsWith(UNRESOLVED) ? v.slice(1) : null);

export interface MergeOutcome {
  toPlanner: Partial<TaskFields>;
  toCommerce: Partial<TaskFields>;
  /** The new base (a field in conflict keeps the old one). */
  next: TaskFields;
  conflicts: { field: TaskField; commerce: string | null; planner: string | null }[];
  /** Fields whose open / decided conflict is settled by this merge. */
  settled: TaskField[];
  /** Planner changed the status of a task Commerce canceled (ignored). */
  canceledKept: boolean;
}

/**
 * The field-by-field three-way merge (pure). `decided` are conflicts the user resolved (the chosen side's current
 * value wins); `open` are conflicts still open (settled when the sides meet again or one goes back to the base).
 */
export function mergeTask(base: TaskFields, c: TaskFields, p: TaskFields, o: { decided?: ReadonlyMap<TaskField, 'commerce' | 'planner'>; open?: ReadonlySet<TaskField>; plannerChanged?: boolean } = {}): MergeOutcome {
  const out: MergeOutcome = { toPlanner: {}, toCommerce: {}, next: { ...base }, conflicts: [], settled: [], canceledKept: false };
  const set = <K extends TaskField>(target: Partial<TaskFields>, f: K, v: TaskFields[K]) => {
    target[f] = v;
  };
  for (const f of TASK_FIELDS) {
    let pv = p[f];
    const cv = c[f];
    const bv = base[f];
    if (f === 'status') {
      // Canceled is Commerce's: Planner's status of a canceled task is not read back, and Canceled is not written.
      if (bv === 'Canceled' || cv === 'Canceled') {
        if (o.plannerChanged && pv !== bv && bv === 'Canceled') out.canceledKept = true;
        pv = bv;
      }
    }
    const decided = o.decided?.get(f);
    if (decided) {
      const v = decided === 'commerce' ? cv : pv;
      if (decided === 'commerce' && pv !== v && !(f === 'status' && v === 'Canceled')) set(out.toPlanner, f, v);
      if (decided === 'planner' && cv !== v) set(out.toCommerce, f, v);
      set(out.next, f, v);
      out.settled.push(f);
      continue;
    }
    const cc = cv !== bv;
    const pc = pv !== bv;
    if (cc && pc && cv !== pv) {
      out.conflicts.push({ field: f, commerce: cv, planner: pv });
      continue;
    }
    if (o.open?.has(f)) out.settled.push(f);
    if (cc && !pc) {
      if (!(f === 'status' && cv === 'Canceled')) set(out.toPlanner, f, cv);
      set(out.next, f, cv);
    } else if (pc && !cc) {
      set(out.toCommerce, f, pv);
      set(out.next, f, pv);
    } else if (cc && pc) {
      set(out.next, f, cv);
    }
  }
  return out;
}

/** The one assignee the bridge sees in Planner: the base's when still assigned, else the first by id, else none. */
function plannerAssignee(t: PlannerTaskJson, base: string | null): string | null {
  const ids = Object.keys(t.assignments ?? {}).filter((k) => (t.assignments ?? {})[k] !== null).sort();
  if (base && ids.includes(base)) return base;
  return ids[0] ?? null;
}

function plannerFields(t: PlannerTaskJson, baseAssignee: string | null): TaskFields {
  return { title: t.title ?? '', status: statusFromPercent(t.percentComplete ?? 0), dueDate: dateOfDue(t.dueDateTime), assignee: plannerAssignee(t, baseAssignee) };
}

// ------------------------------------------------------------------------------------------- helpers

async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  const worker = async () => {
    while (i < items.length) await fn(items[i++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const errMessage = (x: unknown) => (x instanceof Error ? x.message : String(x));

/** The worker ⇄ Entra user map of one run (Workers.IdentityEmail ⇄ the Graph user's UPN), filled on demand. */
class People {
  private readonly userOfPn = new Map<string, string | null>();
  private readonly pnOfUser = new Map<string, string | null>();
  constructor(private readonly d: SyncDeps, private readonly workers: string, private readonly send: (r: GraphBatchRequest[]) => Promise<GraphBatchResult[]>) {}

  userOf(pn: string): string | null {
    return this.userOfPn.get(pn) ?? null;
  }
  pnOf(userId: string): string | null {
    return this.pnOfUser.get(userId.toLowerCase()) ?? null;
  }

  async load(pns: Iterable<string>, userIds: Iterable<string>): Promise<void> {
    const needPn = [...new Set(pns)].filter((p) => !this.userOfPn.has(p));
    const needUser = [...new Set([...userIds].map((u) => u.toLowerCase()))].filter((u) => !this.pnOfUser.has(u));
    // Personnel numbers → identity e-mails → Graph users.
    const emailOfPn = new Map<string, string>();
    if (needPn.length) {
      const rows = await this.d.commerce.listWhereIn<{ PersonnelNumber: string; IdentityEmail: string | null }>(this.workers, 'PersonnelNumber', needPn, { select: ['PersonnelNumber', 'IdentityEmail'] });
      for (const r of rows) if (r.IdentityEmail) emailOfPn.set(String(r.PersonnelNumber), String(r.IdentityEmail));
    }
    const emails = [...new Set(emailOfPn.values())];
    const userOfEmail = new Map<string, string>();
    const res = await this.send([
      ...emails.map((e, i) => ({ id: `e${i}`, method: 'GET' as const, url: `/users/${encodeURIComponent(e)}?$select=id,userPrincipalName` })),
      ...needUser.map((u, i) => ({ id: `u${i}`, method: 'GET' as const, url: `/users/${encodeURIComponent(u)}?$select=id,userPrincipalName` })),
    ]);
    const upnOfUser = new Map<string, string>();
    for (const r of res) {
      const b = r.ok ? (r.body as { id?: string; userPrincipalName?: string } | null) : null;
      if (r.id.startsWith('e') && b?.id) userOfEmail.set(emails[Number(r.id.slice(1))]!.toLowerCase(), b.id);
      if (r.id.startsWith('u') && b?.userPrincipalName) upnOfUser.set(needUser[Number(r.id.slice(1))]!, b.userPrincipalName);
    }
    for (const pn of needPn) {
      const e = emailOfPn.get(pn);
      const id = e ? (userOfEmail.get(e.toLowerCase()) ?? null) : null;
      this.userOfPn.set(pn, id);
      if (id) this.pnOfUser.set(id.toLowerCase(), pn);
    }
    // Graph users → identity e-mails → personnel numbers.
    const upns = [...new Set(upnOfUser.values())];
    const pnOfEmail = new Map<string, string>();
    if (upns.length) {
      const rows = await this.d.commerce.listWhereIn<{ PersonnelNumber: string; IdentityEmail: string | null }>(this.workers, 'IdentityEmail', upns, { select: ['PersonnelNumber', 'IdentityEmail'] });
      for (const r of rows) if (r.IdentityEmail) pnOfEmail.set(String(r.IdentityEmail).toLowerCase(), String(r.PersonnelNumber));
    }
    for (const u of needUser) {
      if (this.pnOfUser.has(u)) continue;
      const upn = upnOfUser.get(u);
      const pn = upn ? (pnOfEmail.get(upn.toLowerCase()) ?? null) : null;
      this.pnOfUser.set(u, pn);
      if (pn) this.userOfPn.set(pn, u);
    }
  }
}

// ------------------------------------------------------------------------------------------- settings + conflicts

type ConflictRow = { id: number; coupling_id: number; field: TaskField; base_value: string | null; commerce_value: string | null; planner_value: string | null; detected_at: number; resolution: 'commerce' | 'planner' | null };

function taskStatements(db: Db) {
  return {
    ensureSettings: db.prepare('INSERT INTO ct_task_settings (id, updated_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING'),
    settings: db.prepare('SELECT commerce_watermark AS watermark FROM ct_task_settings WHERE id = 1'),
    saveSettings: db.prepare('UPDATE ct_task_settings SET commerce_watermark = ?, last_sync_at = ?, updated_at = ? WHERE id = 1'),
    unresolved: db.prepare('SELECT id, coupling_id, field, base_value, commerce_value, planner_value, detected_at, resolution FROM ct_task_conflicts WHERE resolved_at IS NULL'),
    insertConflict: db.prepare('INSERT INTO ct_task_conflicts (coupling_id, field, base_value, commerce_value, planner_value, detected_at) VALUES (?, ?, ?, ?, ?, ?)'),
    updateConflict: db.prepare('UPDATE ct_task_conflicts SET base_value = ?, commerce_value = ?, planner_value = ? WHERE id = ? AND resolved_at IS NULL'),
    settleConflict: db.prepare('UPDATE ct_task_conflicts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL'),
    listOpen: db.prepare(`SELECT c.id, c.field, c.base_value, c.commerce_value, c.planner_value, c.detected_at, b.store_number, b.process_id, b.task_id, b.title, k.b_id
      FROM ct_task_conflicts c JOIN ct_task_baselines b ON b.coupling_id = c.coupling_id JOIN kernel_couplings k ON k.id = c.coupling_id
      WHERE c.resolved_at IS NULL AND c.resolution IS NULL ORDER BY c.id`),
    storesWithBaselines: db.prepare('SELECT DISTINCT store_number AS s FROM ct_task_baselines'),
  };
}

/** Conflicts not resolved yet, as the contract lists them. */
export function listTaskConflicts(db: Db): TaskSyncConflict[] {
  type R = { id: number; field: TaskField; base_value: string | null; commerce_value: string | null; planner_value: string | null; detected_at: number; store_number: string; process_id: string; task_id: string; title: string; b_id: string | null };
  return (taskStatements(db).listOpen.all() as R[]).map((r) => ({
    id: r.id, storeNumber: r.store_number, processId: r.process_id, taskId: r.task_id, plannerTaskId: r.b_id ?? '', title: r.title, field: r.field,
    baseValue: r.base_value, commerceValue: r.commerce_value, plannerValue: r.planner_value, detectedAt: new Date(r.detected_at).toISOString(),
  }));
}

/**
 * The user's choice for a conflict: the NEXT sync re-reads both sides of the task, writes the chosen side's current
 * value to the other side and marks the conflict resolved. False when there is no open conflict with that id.
 */
export function resolveConflict(db: Db, id: number, keep: 'commerce' | 'planner'): boolean {
  return db.prepare('UPDATE ct_task_conflicts SET resolution = ? WHERE id = ? AND resolved_at IS NULL AND resolution IS NULL').run(keep, id).changes > 0;
}

/**
 * `resolveConflict` and a sync right away (the console's "keep this value" button): the chosen value is written to
 * the other side now. `resolved` is false when the conflict was not open (then no sync runs).
 */
export async function resolveConflictNow(d: SyncDeps, id: number, keep: 'commerce' | 'planner', o: SyncOptions = {}): Promise<{ resolved: boolean; result: SyncResult | null }> {
  if (!resolveConflict(d.db, id, keep)) return { resolved: false, result: null };
  return { resolved: true, result: await syncTasks(d, o) };
}

// ------------------------------------------------------------------------------------------- the run

interface Work {
  coupling: CouplingRecord;
  base: TaskBaseline;
  storeNumber: string;
  planId: string;
  task: PlannerTaskJson;
  /** The etag the Planner side had at the last sync. */
  plannerChanged: boolean;
  row: StatusRow | null;
  c: TaskFields;
  p: TaskFields;
  decided: Map<TaskField, 'commerce' | 'planner'>;
  open: Map<TaskField, ConflictRow>;
  merge: MergeOutcome;
  rounds: number;
  /** Planner written this run (the etag to store). */
  plannerEtag: string | null;
  plannerWritten: boolean;
  commerceWritten: boolean;
  failed: boolean;
}

export async function syncTasks(d: SyncDeps, o: SyncOptions = {}): Promise<SyncResult> {
  const clock = d.clock ?? systemClock;
  const jobId = o.jobId ?? `tasks-sync-${clock.now()}`;
  const concurrency = Math.max(1, o.concurrency ?? 8);
  const couplings = new CouplingStore(d.db, TASKS_INTEGRATION, () => clock.now());
  const baselines = new TaskBaselineStore(d.db, () => clock.now());
  const st = taskStatements(d.db);
  st.ensureSettings.run(clock.now());
  const oldWatermark = (st.settings.get() as { watermark: string | null }).watermark;
  const result: SyncResult = {
    toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 0 }, conflicts: [], failed: [], notices: [],
    stats: { plans: 0, plannerTasks: 0, plannerChanged: 0, commerceRows: 0, canceledKept: 0, deletedInPlanner: 0, graphRequests: 0 }, watermark: oldWatermark,
  };
  const fail = (code: TasksSyncCode, given: Record<string, string | number>, transient: boolean) => {
    const { params, message } = syncProblem(code, given);
    result.failed.push({ storeNumber: String(given.storeNumber ?? ''), taskId: String(given.taskId ?? ''), code, message, params, transient });
  };
  const progress = (phase: SyncPhase, done: number, total: number) => o.onProgress?.({ phase, done, total });

  /** Graph `$batch` with 20 per POST and `concurrency` POSTs in flight; results in request order. */
  const graphBatch = async (requests: GraphBatchRequest[]): Promise<GraphBatchResult[]> => {
    throwIfCancelled(o.signal, 'sync');
    const parts = chunks(requests, 20);
    const out: GraphBatchResult[][] = new Array(parts.length);
    await pool(parts.map((p, i) => [p, i] as const), concurrency, async ([p, i]) => {
      result.stats.graphRequests++;
      try {
        out[i] = await d.graph.batch(p);
      } catch (x) {
        const status = (x as { status?: number }).status ?? 0;
        out[i] = p.map((r) => ({ id: r.id, status, headers: {}, body: null, ok: false, attempts: 1, error: x as GraphBatchResult['error'] }));
      }
    });
    return out.flat();
  };
  const graphMessage = (r: GraphBatchResult) => r.error?.message ?? `HTTP ${r.status}`;

  // ---------------------------------------------------------------- collections, linked plans
  let sets: (string | null)[];
  let mappings: { storeNumber: string; planId: string | null }[];
  try {
    sets = await Promise.all([d.commerce.collectionFor(TASK_STATUS_ENTITY), d.commerce.collectionFor(TASK_PROCESS_ENTITY), d.commerce.collectionFor(WORKER_ENTITY)]);
    if (!sets[0]) throw new TasksSyncUnavailableError(TASK_STATUS_ENTITY);
    if (!sets[1]) throw new TasksSyncUnavailableError(TASK_PROCESS_ENTITY);
    if (!sets[2]) throw new TasksSyncUnavailableError(WORKER_ENTITY);
    mappings = (await readMappings(d.commerce, await mappingCollection(d.commerce))).filter((m) => m.planId);
  } catch (x) {
    if (x instanceof TasksSyncUnavailableError || x instanceof MappingUnavailableError) throw x;
    // Commerce could not be read (after the client's own retries): nothing was written; the next run does it all.
    fail('TASKS_SYNC_COMMERCE_READ_FAILED', { message: errMessage(x) }, true);
    result.conflicts = listTaskConflicts(d.db);
    return result;
  }
  const [statusSet, processSet, workerSet] = sets as [string, string, string];
  const planOfStore = new Map(mappings.map((m) => [m.storeNumber, m.planId!]));
  const storeOfPlan = new Map(mappings.map((m) => [m.planId!, m.storeNumber]));
  result.stats.plans = storeOfPlan.size;

  // ---------------------------------------------------------------- 1. Planner: every linked plan's tasks
  const tasksOfPlan = new Map<string, PlannerTaskJson[]>();
  const failedPlans = new Set<string>();
  {
    let todo = [...storeOfPlan.keys()].map((planId) => ({ planId, url: `/planner/plans/${encodeURIComponent(planId)}/tasks` }));
    let done = 0;
    while (todo.length) {
      const res = await graphBatch(todo.map((t, i) => ({ id: String(i), method: 'GET', url: t.url })));
      const next: typeof todo = [];
      res.forEach((r, i) => {
        const t = todo[i]!;
        if (!r.ok) {
          failedPlans.add(t.planId);
          tasksOfPlan.delete(t.planId);
          fail('TASKS_SYNC_PLAN_READ_FAILED', { storeNumber: storeOfPlan.get(t.planId)!, planId: t.planId, message: graphMessage(r) }, TRANSIENT(r.status));
          return;
        }
        const body = r.body as { value?: PlannerTaskJson[]; '@odata.nextLink'?: string };
        const list = tasksOfPlan.get(t.planId) ?? [];
        list.push(...(body.value ?? []));
        tasksOfPlan.set(t.planId, list);
        const link = body['@odata.nextLink'];
        if (link) next.push({ planId: t.planId, url: link.replace(/^https:\/\/[^/]+\/(v1\.0|beta)/, '') });
      });
      done += todo.length - next.length;
      progress('plans', done, storeOfPlan.size);
      todo = next;
    }
  }
  const taskById = new Map<string, PlannerTaskJson>();
  for (const list of tasksOfPlan.values()) for (const t of list) taskById.set(t.id, t);
  result.stats.plannerTasks = taskById.size;
  const byB = couplings.byIds('b', TASKS_MAPPING, [...taskById.keys()]);

  // Coupled tasks missing from their plan (read in full this run): each is read once more by id, and a 404 is a task
  // deleted in Planner (by the store or the plan's owners). Its Commerce row becomes Canceled (kept and shown in HQ,
  // counted apart in the report) and the coupling ends, so no later run recreates the task. Found elsewhere (moved to
  // a plan this bridge does not read) or not readable now: left as it is.
  const deleted: { coupling: CouplingRecord; base: TaskBaseline; ok: boolean }[] = [];
  {
    const seen = new Set([...byB.values()].map((c) => c.rowId));
    const missing: { coupling: CouplingRecord; base: TaskBaseline }[] = [];
    for (const planId of storeOfPlan.keys()) {
      if (failedPlans.has(planId)) continue;
      for (const base of baselines.byPlan(planId)) {
        if (seen.has(base.couplingId)) continue;
        const c = couplings.byRowId(base.couplingId);
        if (c && !c.pendingTo && c.bId && !taskById.has(c.bId)) missing.push({ coupling: c, base });
      }
    }
    if (missing.length) {
      const res = await graphBatch(missing.map((m, i) => ({ id: String(i), method: 'GET', url: `/planner/tasks/${encodeURIComponent(m.coupling.bId!)}` })));
      res.forEach((r, i) => {
        if (r.status === 404) deleted.push({ ...missing[i]!, ok: false });
      });
    }
  }

  // Creates written down but not confirmed (a run died): to Planner (pending 'b') and to Commerce (pending 'a').
  const pendingB: CouplingRecord[] = [];
  const pendingA: CouplingRecord[] = [];
  for (const [side, into] of [['b', pendingB], ['a', pendingA]] as const) {
    for (let after = 0; ;) {
      const page = couplings.pendingPage(side, TASKS_MAPPING, after, 1000);
      into.push(...page);
      if (page.length < 1000) break;
      after = page[page.length - 1]!.rowId;
    }
  }

  // Conflicts not settled: their tasks are compared in full (both sides re-read).
  const unresolved = st.unresolved.all() as ConflictRow[];
  const conflictsOf = new Map<number, ConflictRow[]>();
  for (const c of unresolved) conflictsOf.set(c.coupling_id, [...(conflictsOf.get(c.coupling_id) ?? []), c]);
  const recheck = new Map<number, CouplingRecord>();
  if (conflictsOf.size) for (const c of [...byB.values()]) if (conflictsOf.has(c.rowId)) recheck.set(c.rowId, c);

  // ---------------------------------------------------------------- 2. Commerce: changed rows (+ rechecks, new stores)
  const rows = new Map<string, StatusRow>();
  const stamp = { max: null as string | null };
  const take = (list: StatusRow[]) => {
    for (const r of list) {
      rows.set(statusKey(String(r.ProcessId), String(r.TaskId), String(r.StoreNumber)), r);
      const s = r.ModifiedDateTime ?? null;
      if (s && (!stamp.max || Date.parse(s) > Date.parse(stamp.max))) stamp.max = s;
    }
  };
  try {
    take(await d.commerce.list<StatusRow>(statusSet, { select: STATUS_SELECT, ...(oldWatermark ? { filter: filter.ge('ModifiedDateTime', new Date(oldWatermark)) } : {}) }));
    // Stores with no coupled task yet (newly linked): all their rows (a first sync reads everything anyway).
    if (oldWatermark) {
      const known = new Set((st.storesWithBaselines.all() as { s: string }[]).map((x) => x.s));
      const fresh = [...planOfStore.keys()].filter((s) => !known.has(s));
      if (fresh.length) take(await d.commerce.listWhereIn<StatusRow>(statusSet, 'StoreNumber', fresh, { select: STATUS_SELECT }));
    }
    const byKeys = [...recheck.values(), ...pendingB].map((c) => c.aId!).filter((k) => !rows.has(k));
    for (const part of chunks(byKeys, KEYS_PER_FILTER)) {
      const f = filter.or(...part.map((k) => {
        const p = parseStatusKey(k);
        return filter.and(filter.eq('ProcessId', p.processId), filter.eq('TaskId', p.taskId), filter.eq('StoreNumber', p.storeNumber));
      }));
      const got = await d.commerce.list<StatusRow>(statusSet, { select: STATUS_SELECT, filter: f });
      take(got);
    }
  } catch (x) {
    fail('TASKS_SYNC_COMMERCE_READ_FAILED', { message: errMessage(x) }, true);
    result.conflicts = listTaskConflicts(d.db);
    return result;
  }
  result.stats.commerceRows = rows.size;
  progress('commerce', rows.size, rows.size);
  const byA = couplings.byIds('a', TASKS_MAPPING, [...rows.keys()]);
  /** Stamps of Commerce rows whose change is not through: the watermark stays at or before the earliest. */
  const held: string[] = [];
  const hold = (r: StatusRow | null | undefined) => {
    if (r?.ModifiedDateTime) held.push(r.ModifiedDateTime);
  };

  // ---------------------------------------------------------------- which couplings need a look
  const work = new Map<number, Work>();
  const candidates = new Map<number, { coupling: CouplingRecord; row: StatusRow | null }>();
  for (const c of byB.values()) {
    if (c.pendingTo) continue;
    const t = taskById.get(c.bId!)!;
    const changed = c.bEtag !== t['@odata.etag'];
    if (changed) result.stats.plannerChanged++;
    if (changed || recheck.has(c.rowId)) candidates.set(c.rowId, { coupling: c, row: rows.get(c.aId!) ?? null });
  }
  for (const [key, c] of byA) {
    if (c.pendingTo) continue;
    const r = rows.get(key)!;
    const prev = candidates.get(c.rowId);
    if (prev) prev.row = r;
    else candidates.set(c.rowId, { coupling: c, row: r });
  }
  const bases = baselines.many([...candidates.keys()]);
  for (const [rowId, { coupling, row }] of candidates) {
    const base = bases.get(rowId);
    if (!base) continue;
    const task = coupling.bId ? taskById.get(coupling.bId) : undefined;
    if (!task) {
      // The plan was not read (retried next run: the watermark waits), or the store is no longer linked to that plan,
      // or the task is gone from Planner (left as it is).
      if (failedPlans.has(base.planId)) hold(row);
      continue;
    }
    const open = new Map<TaskField, ConflictRow>();
    const decided = new Map<TaskField, 'commerce' | 'planner'>();
    for (const k of conflictsOf.get(rowId) ?? []) {
      open.set(k.field, k);
      if (k.resolution) decided.set(k.field, k.resolution);
    }
    work.set(rowId, {
      coupling, base, storeNumber: base.storeNumber, planId: base.planId, task, plannerChanged: coupling.bEtag !== task['@odata.etag'], row,
      c: base, p: base, decided, open, merge: mergeTask(base, base, base), rounds: 0, plannerEtag: null, plannerWritten: false, commerceWritten: false, failed: false,
    });
  }

  // HQ rows of linked stores with no coupling → Planner creates; pending creates → found again or created.
  const creates: { key: string; row: StatusRow; coupling: CouplingRecord | null }[] = [];
  for (const [key, r] of rows) {
    if (byA.has(key)) continue;
    const planId = planOfStore.get(String(r.StoreNumber));
    if (!planId || r.ProcessId === ADHOC_PROCESS_ID || r.Status === 'Canceled') continue;
    if (failedPlans.has(planId)) {
      hold(r);
      continue;
    }
    creates.push({ key, row: r, coupling: null });
  }
  for (const c of pendingB) {
    const r = rows.get(c.aId!);
    if (!r) continue; // the row is gone from Commerce: nothing to create (the pending coupling stays harmless)
    const planId = planOfStore.get(String(r.StoreNumber));
    if (!planId || failedPlans.has(planId)) {
      hold(r);
      continue;
    }
    const i = creates.findIndex((x) => x.key === c.aId);
    if (i >= 0) creates[i]!.coupling = c;
    else creates.push({ key: c.aId!, row: r, coupling: c });
  }

  // Tasks in linked plans with no coupling: a pending create of ours (same plan, title, due date) or an ad-hoc POS task.
  const uncoupled = [...taskById.values()].filter((t) => !byB.has(t.id) && storeOfPlan.has(t.planId));
  const adopted = new Map<string, PlannerTaskJson>();
  const taken = new Set<string>();
  for (const cr of creates) {
    if (!cr.coupling && !cr.row.PlannerTaskId) continue;
    const planId = planOfStore.get(String(cr.row.StoreNumber))!;
    const due = cr.row.DueDate ? String(cr.row.DueDate).slice(0, 10) : null;
    const hit = (cr.row.PlannerTaskId && uncoupled.find((t) => t.id === cr.row.PlannerTaskId && !taken.has(t.id)))
      || uncoupled.find((t) => !taken.has(t.id) && t.planId === planId && t.title === (cr.row.TaskName ?? '') && dateOfDue(t.dueDateTime) === due);
    if (hit) {
      adopted.set(cr.key, hit);
      taken.add(hit.id);
    }
  }
  // A create written down whose status row is not in Commerce (a publication that died before writing its rows):
  // its task may be among the uncoupled ones, so that store's uncoupled tasks wait (the publication's rerun
  // confirms them) instead of becoming ad-hoc rows.
  const unsure = new Set(pendingB.filter((c) => !rows.has(c.aId!)).map((c) => parseStatusKey(c.aId!).storeNumber));
  const adhoc = uncoupled.filter((t) => !taken.has(t.id) && !unsure.has(storeOfPlan.get(t.planId)!));
  const adhocResume = new Map(pendingA.filter((c) => c.bId && taskById.has(c.bId)).map((c) => [c.bId!, c]));
  const adhocAll = [...adhoc, ...[...adhocResume.keys()].filter((id) => !adhoc.some((t) => t.id === id)).map((id) => taskById.get(id)!)];

  // ---------------------------------------------------------------- people
  const people = new People(d, workerSet, graphBatch);
  {
    const pns = new Set<string>();
    const users = new Set<string>();
    for (const w of work.values()) {
      if (w.row?.AssignedToPersonnelNumber) pns.add(String(w.row.AssignedToPersonnelNumber));
      if (w.plannerChanged || w.open.size) for (const u of Object.keys(w.task.assignments ?? {})) users.add(u);
    }
    for (const cr of creates) if (cr.row.AssignedToPersonnelNumber) pns.add(String(cr.row.AssignedToPersonnelNumber));
    for (const t of adhocAll) for (const u of Object.keys(t.assignments ?? {})) users.add(u);
    try {
      if (pns.size || users.size) await people.load(pns, users);
    } catch (x) {
      if (x instanceof TaskRunCancelledError) throw x;
      // Nothing is written without the assignees: the next run reads everything again (the watermark stays).
      fail('TASKS_SYNC_COMMERCE_READ_FAILED', { message: errMessage(x) }, true);
      result.conflicts = listTaskConflicts(d.db);
      return result;
    }
    progress('people', pns.size + users.size, pns.size + users.size);
  }
  const commerceFields = (r: StatusRow): TaskFields => {
    const pn = r.AssignedToPersonnelNumber ? String(r.AssignedToPersonnelNumber) : null;
    return { title: String(r.TaskName ?? ''), status: r.Status, dueDate: r.DueDate ? String(r.DueDate).slice(0, 10) : null, assignee: pn ? (people.userOf(pn) ?? `${UNRESOLVED}${pn}`) : null };
  };
  const remerge = (w: Work) => {
    w.merge = mergeTask(w.base, w.c, w.p, { decided: w.decided, open: new Set(w.open.keys()), plannerChanged: w.plannerChanged });
    const cpn = unresolvedPn(w.merge.toPlanner.assignee ?? null);
    if (cpn !== null) {
      delete w.merge.toPlanner.assignee;
      w.merge.next.assignee = w.base.assignee;
      fail('TASKS_SYNC_ASSIGNEE_NO_USER', { storeNumber: w.storeNumber, taskId: w.base.taskId, personnelNumber: cpn }, false);
    }
    const pu = w.merge.toCommerce.assignee;
    if (pu && !people.pnOf(pu)) {
      delete w.merge.toCommerce.assignee;
      w.merge.next.assignee = w.base.assignee;
      fail('TASKS_SYNC_ASSIGNEE_NOT_WORKER', { storeNumber: w.storeNumber, taskId: w.base.taskId, userId: pu }, false);
    }
  };
  for (const w of work.values()) {
    w.c = w.row ? commerceFields(w.row) : w.base;
    w.p = w.plannerChanged || w.open.size ? plannerFields(w.task, w.base.assignee) : w.base;
    remerge(w);
  }

  await o.hooks?.afterRead?.();

  // ---------------------------------------------------------------- 3. Planner updates (If-Match, 412 → re-read, merge)
  const plannerPatch = (w: Work): Record<string, unknown> => {
    const t = w.merge.toPlanner;
    const body: Record<string, unknown> = {};
    if (t.title !== undefined) body.title = t.title;
    if (t.status !== undefined) body.percentComplete = percentFromStatus(t.status);
    if (t.dueDate !== undefined) body.dueDateTime = dueOfDate(t.dueDate);
    if (t.assignee !== undefined) {
      const a: Record<string, unknown> = {};
      const current = w.p.assignee;
      if (current && current !== t.assignee && w.task.assignments?.[current] !== undefined) a[current] = null;
      if (t.assignee) a[t.assignee] = plannerAssignment();
      body.assignments = a;
    }
    return body;
  };
  {
    let queue = [...work.values()].filter((w) => Object.keys(w.merge.toPlanner).length > 0);
    const total = queue.length;
    let done = 0;
    while (queue.length) {
      const res = await graphBatch(queue.map((w, i) => ({
        id: String(i), method: 'PATCH', url: `/planner/tasks/${encodeURIComponent(w.task.id)}`, body: plannerPatch(w),
        headers: { 'If-Match': w.task['@odata.etag'], Prefer: 'return=representation' },
      })));
      const reread: Work[] = [];
      const again: Work[] = [];
      res.forEach((r, i) => {
        const w = queue[i]!;
        w.rounds++;
        if (r.ok) {
          w.plannerWritten = true;
          const fresh = r.body as PlannerTaskJson | null;
          if (fresh?.['@odata.etag']) {
            // Merge again against what Planner now holds: a field someone else changed meanwhile goes to Commerce.
            w.task = fresh;
            w.p = plannerFields(fresh, w.base.assignee);
            w.plannerChanged = true;
            remerge(w);
            w.plannerEtag = fresh['@odata.etag'];
            if (Object.keys(w.merge.toPlanner).length && w.rounds < MAX_ROUNDS) again.push(w);
          } else {
            // 204 without the representation: the etag is unknown; keep the old one so the next run compares again.
            w.plannerEtag = null;
          }
          return;
        }
        if ((r.status === 412 || r.status === 409) && w.rounds < MAX_ROUNDS) {
          reread.push(w);
          return;
        }
        w.failed = true;
        hold(w.row);
        if (r.status === 412 || r.status === 409) fail('TASKS_SYNC_CONCURRENT_EDITS', { storeNumber: w.storeNumber, taskId: w.base.taskId }, true);
        else if (r.status === 403) fail('TASKS_SYNC_PLANNER_LIMIT', { storeNumber: w.storeNumber, taskId: w.base.taskId, limit: r.error?.code ?? '', message: graphMessage(r) }, false);
        else fail('TASKS_SYNC_PLANNER_WRITE_FAILED', { storeNumber: w.storeNumber, taskId: w.base.taskId, message: graphMessage(r) }, TRANSIENT(r.status));
      });
      if (reread.length) {
        const got = await graphBatch(reread.map((w, i) => ({ id: String(i), method: 'GET', url: `/planner/tasks/${encodeURIComponent(w.task.id)}` })));
        got.forEach((r, i) => {
          const w = reread[i]!;
          if (!r.ok) {
            w.failed = true;
            hold(w.row);
            fail('TASKS_SYNC_PLANNER_WRITE_FAILED', { storeNumber: w.storeNumber, taskId: w.base.taskId, message: graphMessage(r) }, TRANSIENT(r.status));
            return;
          }
          w.task = r.body as PlannerTaskJson;
          w.p = plannerFields(w.task, w.base.assignee);
          w.plannerChanged = true;
          remerge(w);
          if (Object.keys(w.merge.toPlanner).length) again.push(w);
          else w.plannerEtag = w.task['@odata.etag'];
        });
      }
      done += queue.length - again.length;
      progress('planner-writes', done, total);
      queue = again;
    }
  }
  for (const w of work.values()) {
    if (w.merge.canceledKept) {
      result.stats.canceledKept++;
      result.notices.push({ storeNumber: w.storeNumber, taskId: w.base.taskId, kind: 'canceled-kept' });
    }
  }

  // ---------------------------------------------------------------- 4a. Planner creates for HQ rows (crash-safe)
  type Created = { key: string; row: StatusRow; coupling: CouplingRecord; task: PlannerTaskJson | null; fields: TaskFields; adopted: boolean };
  const created: Created[] = [];
  {
    const fresh = creates.filter((cr) => !cr.coupling);
    const inserted = fresh.length
      ? couplings.transaction(() => couplings.insertMany(fresh.map((cr) => ({
        mapping: TASKS_MAPPING, aId: cr.key, bId: null, aEntity: COMMERCE_TASK_ENTITY, bEntity: PLANNER_TASK_ENTITY, pendingTo: 'b' as const, idempotencyKey: cr.key,
      }))))
      : [];
    fresh.forEach((cr, i) => (cr.coupling = inserted[i]!));
    const toSend: Created[] = [];
    for (const cr of creates) {
      const f = commerceFields(cr.row);
      const pn = unresolvedPn(f.assignee);
      if (pn !== null) {
        fail('TASKS_SYNC_ASSIGNEE_NO_USER', { storeNumber: String(cr.row.StoreNumber), taskId: String(cr.row.TaskId), personnelNumber: pn }, false);
        f.assignee = null;
      }
      const hit = adopted.get(cr.key);
      const c: Created = { key: cr.key, row: cr.row, coupling: cr.coupling!, task: hit ?? null, fields: f, adopted: !!hit };
      created.push(c);
      if (!hit) toSend.push(c);
    }
    const res = await graphBatch(toSend.map((c, i) => ({
      id: String(i), method: 'POST', url: '/planner/tasks',
      body: {
        planId: planOfStore.get(String(c.row.StoreNumber))!, title: c.fields.title,
        ...(c.fields.dueDate ? { dueDateTime: dueOfDate(c.fields.dueDate) } : {}),
        percentComplete: percentFromStatus(c.fields.status) ?? 0,
        ...(c.fields.assignee ? { assignments: { [c.fields.assignee]: plannerAssignment() } } : {}),
      },
    })));
    res.forEach((r, i) => {
      const c = toSend[i]!;
      if (r.ok && (r.body as PlannerTaskJson | null)?.id) c.task = r.body as PlannerTaskJson;
      else {
        hold(c.row);
        if (r.status === 403) fail('TASKS_SYNC_PLANNER_LIMIT', { storeNumber: String(c.row.StoreNumber), taskId: String(c.row.TaskId), limit: r.error?.code ?? '', message: graphMessage(r) }, false);
        else fail('TASKS_SYNC_PLANNER_CREATE_FAILED', { storeNumber: String(c.row.StoreNumber), taskId: String(c.row.TaskId), message: graphMessage(r) }, TRANSIENT(r.status));
      }
    });
    progress('planner-creates', created.length, created.length);
  }

  // ---------------------------------------------------------------- 4b. Ad-hoc POS tasks → Commerce rows (crash-safe)
  type Adhoc = { task: PlannerTaskJson; storeNumber: string; key: string; coupling: CouplingRecord; fields: TaskFields; ok: boolean };
  const adhocs: Adhoc[] = [];
  if (adhocAll.length) {
    const fresh = adhocAll.filter((t) => !adhocResume.has(t.id));
    const inserted = fresh.length
      ? couplings.transaction(() => couplings.insertMany(fresh.map((t) => ({
        mapping: TASKS_MAPPING, aId: statusKey(ADHOC_PROCESS_ID, t.id, storeOfPlan.get(t.planId)!), bId: t.id, aEntity: COMMERCE_TASK_ENTITY, bEntity: PLANNER_TASK_ENTITY, pendingTo: 'a' as const,
      }))))
      : [];
    const couplingOf = new Map<string, CouplingRecord>([...adhocResume, ...fresh.map((t, i) => [t.id, inserted[i]!] as const)]);
    for (const t of adhocAll) {
      const f = plannerFields(t, null);
      if (f.assignee && !people.pnOf(f.assignee)) {
        fail('TASKS_SYNC_ASSIGNEE_NOT_WORKER', { storeNumber: storeOfPlan.get(t.planId)!, taskId: t.id, userId: f.assignee }, false);
        f.assignee = null;
      }
      const storeNumber = storeOfPlan.get(t.planId)!;
      adhocs.push({ task: t, storeNumber, key: statusKey(ADHOC_PROCESS_ID, t.id, storeNumber), coupling: couplingOf.get(t.id)!, fields: f, ok: false });
    }
    // The ad-hoc process row, once.
    const have = await d.commerce.list(processSet, { select: ['ProcessId'], filter: filter.eq('ProcessId', ADHOC_PROCESS_ID) }).catch(() => null);
    // (Checked again by every run that files ad-hoc tasks, so a failure here only delays the process row.)
    if (have && have.length === 0) {
      await d.commerce.batch([{ method: 'POST', url: processSet, body: { ProcessId: ADHOC_PROCESS_ID, Name: 'Ad-hoc POS tasks', TaskListId: ADHOC_TASK_LIST_ID, Recurrence: 'No', RecurrenceTargetDateOffsetDays: 0 } }]).catch(() => null);
    }
  }

  // ---------------------------------------------------------------- 4c. Commerce writes ($batch of PATCHes / POSTs)
  type Op = { method: 'PATCH' | 'POST'; url: string; body: CommerceRow; headers?: Record<string, string>; done: (ok: boolean, status: number, message: string) => void };
  const ops: Op[] = [];
  const url = (r: { ProcessId: string; TaskId: string; StoreNumber: string }) => `${statusSet}(${keySegment({ ProcessId: r.ProcessId, TaskId: r.TaskId, StoreNumber: r.StoreNumber })})`;
  const commercePatch = (f: Partial<TaskFields>): CommerceRow => {
    const body: CommerceRow = {};
    if (f.title !== undefined) body.TaskName = f.title;
    if (f.status !== undefined) body.Status = f.status;
    if (f.dueDate !== undefined) body.DueDate = f.dueDate;
    if (f.assignee !== undefined) body.AssignedToPersonnelNumber = f.assignee ? people.pnOf(f.assignee) : null;
    return body;
  };
  for (const w of work.values()) {
    const fields = Object.keys(w.merge.toCommerce).length > 0;
    // A row whose Planner task id did not get written back (an earlier run failed at that step) gets it now.
    const idFix = !!w.row && w.row.PlannerTaskId !== w.task.id;
    if (w.failed || (!fields && !idFix)) continue;
    const k = parseStatusKey(w.coupling.aId!);
    ops.push({
      method: 'PATCH', url: url({ ProcessId: k.processId, TaskId: k.taskId, StoreNumber: k.storeNumber }),
      body: { ...commercePatch(w.merge.toCommerce), ...(idFix ? { PlannerTaskId: w.task.id } : {}) },
      headers: { 'If-Match': w.row?.['@odata.etag'] ?? '*' },
      done: (ok, status, message) => {
        if (ok) w.commerceWritten = fields;
        else if (!fields) hold(w.row);
        else {
          w.failed = true;
          hold(w.row);
          fail('TASKS_SYNC_COMMERCE_WRITE_FAILED', { storeNumber: w.storeNumber, taskId: w.base.taskId, message }, TRANSIENT(status) || status === 412);
        }
      },
    });
  }
  for (const c of created) {
    if (!c.task || c.row.PlannerTaskId === c.task.id) continue;
    // The Planner task id on the HQ row (HQ's per-store view); the coupling is what the bridge relies on.
    // Not written: the row is read again next run (the watermark stays before it) and gets the id then.
    ops.push({ method: 'PATCH', url: url(c.row), body: { PlannerTaskId: c.task.id }, headers: { 'If-Match': '*' }, done: (ok) => (ok ? undefined : hold(c.row)) });
  }
  for (const x of deleted) {
    const k = parseStatusKey(x.coupling.aId!);
    ops.push({
      method: 'PATCH', url: url({ ProcessId: k.processId, TaskId: k.taskId, StoreNumber: k.storeNumber }), body: { Status: 'Canceled' }, headers: { 'If-Match': '*' },
      // A row gone from Commerce too: nothing left to cancel, the coupling ends all the same.
      done: (ok, status, message) => {
        if (ok || status === 404) x.ok = true;
        else fail('TASKS_SYNC_COMMERCE_WRITE_FAILED', { storeNumber: k.storeNumber, taskId: k.taskId, message }, TRANSIENT(status));
      },
    });
  }
  for (const a of adhocs) {
    const f = a.fields;
    const fields = { TaskName: f.title, Status: f.status, AssignedToPersonnelNumber: f.assignee ? people.pnOf(f.assignee) : null, DueDate: f.dueDate, PlannerTaskId: a.task.id };
    const done = (ok: boolean, status: number, message: string) => {
      // A rerun after a crash may find the row it created: "already exists" is the create done.
      if (ok || (a.coupling.pendingTo === 'a' && /already exists/i.test(message))) a.ok = true;
      else fail('TASKS_SYNC_COMMERCE_CREATE_FAILED', { storeNumber: a.storeNumber, taskId: a.task.id, message }, TRANSIENT(status));
    };
    // The row a crashed run created is among the rows read (its stamp is past the watermark, which did not move):
    // brought up to the task as it is now, so a change the store made meanwhile is not undone by the old row.
    if (rows.has(a.key)) ops.push({ method: 'PATCH', url: url({ ProcessId: ADHOC_PROCESS_ID, TaskId: a.task.id, StoreNumber: a.storeNumber }), body: fields, headers: { 'If-Match': '*' }, done });
    else ops.push({ method: 'POST', url: statusSet, body: { ProcessId: ADHOC_PROCESS_ID, TaskId: a.task.id, StoreNumber: a.storeNumber, TaskListId: ADHOC_TASK_LIST_ID, ...fields }, done });
  }
  {
    let done = 0;
    for (const part of chunks(ops, COMMERCE_BATCH)) {
      throwIfCancelled(o.signal, 'sync');
      try {
        const res = await d.commerce.batch(part.map((op) => ({ method: op.method, url: op.url, body: op.body, ...(op.headers ? { headers: op.headers } : {}) })));
        part.forEach((op, i) => {
          const r = res.find((x) => x.item === i);
          op.done(!!r?.ok, r?.status ?? 0, r?.ok ? '' : (r?.error?.message ?? `HTTP ${r?.status ?? 0}`));
        });
      } catch (x) {
        for (const op of part) op.done(false, (x as { status?: number }).status ?? 0, errMessage(x));
      }
      done += part.length;
      progress('commerce-writes', done, ops.length);
    }
  }

  o.hooks?.beforeSave?.();

  // ---------------------------------------------------------------- 5. SQLite: couplings, baselines, conflicts, watermark
  const now = clock.now();
  couplings.transaction(() => {
    const toB: ({ rowId: number } & { a: number; b: number; bEtag?: string | null })[] = [];
    const toA: { rowId: number; a: number; b: number }[] = [];
    const newBases: Omit<TaskBaseline, 'updatedAt'>[] = [];
    const same = (a: TaskFields, b: TaskFields) => a.title === b.title && a.status === b.status && a.dueDate === b.dueDate && a.assignee === b.assignee;
    for (const w of work.values()) {
      if (w.failed) continue;
      // Read again but nothing moved (a row re-read in the watermark's last second): nothing to record.
      if (!w.plannerChanged && !w.plannerWritten && !w.commerceWritten && !w.open.size && same(w.merge.next, w.base)) continue;
      const etag = w.plannerEtag ?? (w.plannerWritten ? null : w.task['@odata.etag']);
      toB.push({ rowId: w.coupling.rowId, a: now, b: now, bEtag: etag });
      if (w.commerceWritten) toA.push({ rowId: w.coupling.rowId, a: now, b: now });
      if (w.plannerWritten) result.toPlanner.updated++;
      if (w.commerceWritten) result.toCommerce.updated++;
      newBases.push({ ...w.base, ...w.merge.next });
      // Conflicts: new ones written, existing ones refreshed, settled ones closed.
      const display = (f: TaskField, v: string | null, side: 'commerce' | 'planner') =>
        f !== 'assignee' || v === null ? v : side === 'commerce' ? (unresolvedPn(v) ?? people.pnOf(v) ?? v) : (people.pnOf(v) ?? v);
      for (const k of w.merge.conflicts) {
        const cv = display(k.field, k.commerce, 'commerce');
        const pv = display(k.field, k.planner, 'planner');
        const bv = display(k.field, w.base[k.field], 'planner');
        const open = w.open.get(k.field);
        if (open) st.updateConflict.run(bv, cv, pv, open.id);
        else st.insertConflict.run(w.coupling.rowId, k.field, bv, cv, pv, now);
      }
      for (const f of w.merge.settled) {
        const open = w.open.get(f);
        if (open) st.settleConflict.run(now, open.id);
      }
    }
    for (const c of created) {
      if (!c.task) continue;
      couplings.markSuccess(c.coupling.rowId, 'b', jobId, { a: now, b: now, bEtag: c.task['@odata.etag'] }, c.task.id);
      newBases.push({
        couplingId: c.coupling.rowId, processId: String(c.row.ProcessId), taskId: String(c.row.TaskId), storeNumber: String(c.row.StoreNumber),
        planId: planOfStore.get(String(c.row.StoreNumber))!, adhoc: false, ...c.fields,
      });
      // An adopted task (a create a crash left unconfirmed) may have moved on since it was created from these
      // fields: no etag is stored, so the next run compares it field by field against them.
      if (c.adopted) couplings.setEtag(c.coupling.rowId, 'b', null);
      else result.toPlanner.created++;
    }
    for (const a of adhocs) {
      if (!a.ok) continue;
      couplings.markSuccess(a.coupling.rowId, 'a', jobId, { a: now, b: now, bEtag: a.task['@odata.etag'] });
      newBases.push({ couplingId: a.coupling.rowId, processId: ADHOC_PROCESS_ID, taskId: a.task.id, storeNumber: a.storeNumber, planId: a.task.planId, adhoc: true, ...a.fields });
      result.toCommerce.created++;
    }
    for (const x of deleted) {
      if (!x.ok) continue;
      couplings.remove(x.coupling.rowId); // its baseline and conflicts go with it (ON DELETE CASCADE)
      result.toCommerce.updated++;
      result.stats.deletedInPlanner++;
      result.notices.push({ storeNumber: x.base.storeNumber, taskId: x.base.taskId, kind: 'deleted-in-planner' });
    }
    if (toB.length) couplings.markSuccessMany('b', jobId, toB);
    if (toA.length) couplings.markSuccessMany('a', jobId, toA);
    baselines.upsertMany(newBases);
    const earliestHeld = held.length ? held.reduce((m, s) => (Date.parse(s) < Date.parse(m) ? s : m)) : null;
    const watermark = earliestHeld ?? stamp.max ?? oldWatermark;
    result.watermark = watermark;
    st.saveSettings.run(watermark, now, now);
  });
  progress('saving', 1, 1);
  result.conflicts = listTaskConflicts(d.db);
  const seen = new Set<string>();
  result.failed = result.failed.filter((f) => {
    const k = `${f.code}\0${f.storeNumber}\0${f.taskId}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  return result;
}
