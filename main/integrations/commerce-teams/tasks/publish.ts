/**
 * *Publish an HQ task list to store plans* (issue 15; reference commerce-teams-integration.md A.6–A.7, D.4–D.6):
 * what Teams' task publishing does, from HQ — one Planner task per task per store plan, due date = target date +
 * the task's DueDateOffsetDays, Notes → the task details' description, a URL task link (and URLs in the notes) →
 * references (≤ 10), `[ ]` lines of the notes → checklist items (≤ 20), AssignedTo (personnel numbers) →
 * assignments keyed by the worker's Entra object id (Workers.IdentityEmail → Graph user), typed
 * `plannerAssignment` with a new order hint.
 *
 * `planPublication` reads and decides, writing nothing: the list, its tasks, the target stores (given, or every
 * store under a node of the Retail reporting hierarchy), per store its plan or why it is skipped. The guards run
 * for every store before anything is written: not mapped / not linked / unknown store, the plan would pass 2,400
 * active (or 9,000) tasks (counted from GET /planner/plans/{id}/tasks through Graph $batch), a task would have more
 * than 20 assignees.
 *
 * `publishTaskList` then writes, crash-safe and idempotent:
 *  1. a RetailTaskProcesses row whose ProcessId is derived from list + target date + stores (a rerun of the same
 *     publication reuses it), recorded in `ct_task_publications`;
 *  2. every (store, task) without a coupling gets a kernel coupling row (`pendingTo: 'b'`, idempotency key = the
 *     status key) committed BEFORE any create goes out;
 *  3. Planner tasks are created through Graph $batch (20 per POST, several POSTs in flight; inner 429s are resent
 *     after Retry-After by the client) and each is confirmed at once (`markSuccess` with the task id + etag);
 *     then the details (description, references, checklist) are PATCHed with If-Match of the details etag;
 *  4. the RetailTaskStoreStatuses rows (NotStarted, DueDate, TaskName, PlannerTaskId) go through Commerce $batch
 *     (100 per request), then the merge bases (`ct_task_baselines`): a baseline is the "finished" marker.
 * A rerun after a kill at any point: a pending coupling is resolved by the task in the plan (read anyway for the
 * guard) with the same title and due date, created at or after the pending row was written, that no coupling
 * claims — created once only; a confirmed coupling without a baseline gets its details, status row and baseline;
 * a coupling with a baseline is done. So nothing is created or written twice.
 */
import { createHash } from 'node:crypto';
import type { TasksPublishCode, TasksPublishFailureCode, TasksPublishSkipCode, TasksPublishWarningCode } from '../../../../preload/contract/commerce-teams/tasks-publish';
import type { CommerceClient, CommerceRow } from '../../../clients/commerce';
import { keySegment } from '../../../clients/commerce';
import type { GraphBatchRequest, GraphBatchResult, GraphClient } from '../../../clients/graph';
import { filter } from '../../../clients/odata';
import type { Db } from '../../../db/database';
import { isServiceError } from '../../../http/errors';
import { CouplingStore, type CouplingRecord } from '../../../kernel/couplings/store';
import type { Clock } from '../../../ports';
import { systemClock } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';
import { pickHierarchy } from '../hierarchy/build';
import { listHierarchies, readEdges } from '../hierarchy/service';
import { mappingCollection, readMappings, readStores } from '../mapping/directory';
import { TaskBaselineStore } from './baselines';
import {
  COMMERCE_TASK_ENTITY, PLANNER_TASK_ENTITY, PLANNER_TASK_LIMITS, TASKS_INTEGRATION, TASKS_MAPPING, TaskRunCancelledError, addDays, dueOfDate, plannerAssignment, statusKey,
  throwIfCancelled,
} from './model';

// ------------------------------------------------------------------------------------------------ types

export interface PublishDeps {
  commerce: Pick<CommerceClient, 'list' | 'collectionFor' | 'batch'>;
  graph: Pick<GraphClient, 'batch'>;
  db: Db;
  clock?: Clock;
  /** Waits of the request pacing (default: real timers). */
  sleep?: (ms: number) => Promise<void>;
}

export interface PublishTarget {
  /** The task list's TaskListId or Name. */
  list: string;
  /** Store numbers (exactly one of stores / hierarchyNode). */
  stores?: readonly string[];
  /** A node of the Retail reporting hierarchy (a region, a country, or the hierarchy's name for all stores). */
  hierarchyNode?: string;
  /** YYYY-MM-DD. */
  targetDate: string;
}

export type PublishPhase = 'reading' | 'counting' | 'creating' | 'details' | 'statuses';
export interface PublishOptions extends PublishTarget {
  /** Graph $batch requests in flight at once (each up to 20 requests). Default 8. */
  concurrency?: number;
  /**
   * Graph requests per second this publication sends at most (each $batch POST and each request in it count): Graph's
   * documented per-app limit is 2,000 per second (reference D.6), and a throttled app is blocked for whole seconds —
   * so the pump paces itself just under it. Default 1,800; burst 1,000.
   */
  requestsPerSecond?: number;
  onProgress?: (p: { phase: PublishPhase; done: number; total: number }) => void;
  /** Stops the publication at its next safe point (no new $batch goes out; those in flight are answered and recorded): TaskRunCancelledError. */
  signal?: AbortSignal;
  /** The job id recorded on the couplings. Default `publish:<processId>`. */
  jobId?: string;
}

export interface Problem<C extends TasksPublishCode = TasksPublishCode> {
  code: C;
  params: Record<string, string | number>;
  /** The same in English, with what fixes it (CLI, logs). */
  fix: string;
}

export interface PreviewTask {
  taskId: string;
  title: string;
  dueDate: string;
  description: string;
  references: { url: string; alias: string }[];
  checklist: string[];
  /** Personnel numbers named by AssignedTo. */
  assignedTo: string[];
  /** Their Entra object ids (the ones that resolved). */
  assignees: string[];
}

export interface PreviewStore {
  storeNumber: string;
  teamId: string | null;
  planId: string | null;
  /** Tasks this publication creates in the plan (0 when skipped or already published). */
  toCreate: number;
  /** Tasks of this publication already in the plan (an earlier run). */
  published: number;
  /** Active tasks (percentComplete < 100) now in the plan; null when not read. */
  activeTasks: number | null;
  totalTasks: number | null;
  skip: Problem<TasksPublishSkipCode> | null;
}

export interface PublicationPreview {
  processId: string;
  list: { taskListId: string; name: string; description: string };
  targetDate: string;
  hierarchy: { name: string; node: string } | null;
  tasks: PreviewTask[];
  stores: PreviewStore[];
  warnings: Problem<TasksPublishWarningCode>[];
  /** Tasks the publication would create over all stores. */
  toCreate: number;
}

export interface PublishSkipped {
  storeNumber: string;
  reason: TasksPublishSkipCode;
  params: Record<string, string | number>;
  fix: string;
}

export interface PublishResult {
  processId: string;
  tasksCreated: number;
  /** Pending creates of an earlier run found in the plan (not created again). */
  recovered: number;
  /** Stores the list is published to (every task in the plan, statuses saved). */
  stores: number;
  skipped: PublishSkipped[];
  warnings: Problem<TasksPublishWarningCode>[];
}

// ------------------------------------------------------------------------------------------------ codes

type P = Record<string, string | number>;
/** A code with its params and the English text (the translations say the same: renderer/i18n/locales/commerce-teams/tasks-publish). */
export function publishProblem<C extends TasksPublishCode>(code: C, params: P): Problem<C> {
  const v = (k: string) => String(params[k] ?? '');
  const s = v('storeNumber');
  const texts: Record<TasksPublishCode, [string[], string]> = {
    TASKS_PUBLISH_UNKNOWN_STORE: [['storeNumber'], `There is no store ${s} in Commerce. Check the store number.`],
    TASKS_PUBLISH_NOT_MAPPED: [['storeNumber'], `Store ${s} is not mapped to a team. Provision or map the store's team (d365ic teams), link it (d365ic tasks link), then publish again.`],
    TASKS_PUBLISH_NOT_LINKED: [['storeNumber', 'teamId'], `The team ${v('teamId')} of store ${s} is not linked to a Planner plan. Run d365ic tasks link (with --create-missing when the team has no plan), then publish again.`],
    TASKS_PUBLISH_PLAN_UNREADABLE: [['storeNumber', 'planId', 'message'], `The plan ${v('planId')} of store ${s} could not be read (${v('message')}). Run d365ic tasks link to check the plan, then publish again; it is safe to repeat.`],
    TASKS_PUBLISH_ACTIVE_LIMIT: [['storeNumber', 'active', 'adding', 'limit'], `The plan of store ${s} has ${v('active')} active tasks; ${v('adding')} more would pass Planner's limit of ${v('limit')} active tasks per plan. Complete or delete tasks in the plan, then publish again.`],
    TASKS_PUBLISH_TASK_LIMIT: [['storeNumber', 'total', 'adding', 'limit'], `The plan of store ${s} has ${v('total')} tasks; ${v('adding')} more would pass Planner's limit of ${v('limit')} tasks per plan. Delete old tasks in the plan, then publish again.`],
    TASKS_PUBLISH_TOO_MANY_ASSIGNEES: [['storeNumber', 'taskId', 'assignees', 'limit'], `Task ${v('taskId')} would have ${v('assignees')} assignees in store ${s}'s plan; Planner allows ${v('limit')}. Shorten the task's Assigned to, then publish again.`],
    TASKS_PUBLISH_REFUSED_ACTIVE_TASKS: [['storeNumber'], `Planner refused a task for store ${s}: the plan has reached its limit of active tasks. Complete or delete tasks in the plan, then publish again (finished tasks are not created twice).`],
    TASKS_PUBLISH_REFUSED_TASKS: [['storeNumber'], `Planner refused a task for store ${s}: the plan has reached its limit of tasks. Delete old tasks in the plan, then publish again.`],
    TASKS_PUBLISH_REFUSED_ASSIGNEES: [['storeNumber'], `Planner refused a task for store ${s}: too many assignees. Shorten the task's Assigned to, then publish again.`],
    TASKS_PUBLISH_REFUSED_CHECKLIST: [['storeNumber'], `Planner refused the checklist of a task for store ${s}: too many checklist items. Shorten the task's notes, then publish again.`],
    TASKS_PUBLISH_REFUSED_REFERENCES: [['storeNumber'], `Planner refused the links of a task for store ${s}: too many references. Shorten the task's links, then publish again.`],
    TASKS_PUBLISH_REFUSED_OTHER_LIMIT: [['storeNumber', 'limit'], `Planner refused a task for store ${s} with the limit ${v('limit')}. Free capacity as the limit says, then publish again.`],
    TASKS_PUBLISH_CREATE_FAILED: [['storeNumber', 'message'], `Creating the tasks for store ${s} failed (${v('message')}). Publish again; it is safe to repeat.`],
    TASKS_PUBLISH_STATUS_NOT_SAVED: [['storeNumber', 'message'], `Commerce did not save the task statuses of store ${s} (${v('message')}). Publish again; it is safe to repeat.`],
    TASKS_PUBLISH_ASSIGNEE_UNRESOLVED: [['taskId', 'personnelNumber'], `Task ${v('taskId')} is assigned to worker ${v('personnelNumber')}, who has no Microsoft Entra user (Workers.IdentityEmail); the task is published without that assignee.`],
    TASKS_PUBLISH_REFERENCES_TRUNCATED: [['taskId', 'count', 'limit'], `Task ${v('taskId')} has ${v('count')} links; Planner keeps ${v('limit')} references per task, the rest are left out.`],
    TASKS_PUBLISH_CHECKLIST_TRUNCATED: [['taskId', 'count', 'limit'], `Task ${v('taskId')} has ${v('count')} checklist items; Planner keeps ${v('limit')} per task, the rest are left out.`],
    TASKS_PUBLISH_BAD_DATE: [['date'], `"${v('date')}" is not a date: give the target date as YYYY-MM-DD.`],
    TASKS_PUBLISH_LIST_NOT_FOUND: [['list'], `There is no task list "${v('list')}" (by id or name) in Commerce. Check Task management > Task lists.`],
    TASKS_PUBLISH_LIST_EMPTY: [['list'], `The task list "${v('list')}" has no tasks. Add tasks to it, then publish.`],
    TASKS_PUBLISH_NO_TARGET: [[], 'Say where to publish: a list of stores or one hierarchy node, not both.'],
    TASKS_PUBLISH_NO_HIERARCHY: [['message'], `No Retail reporting hierarchy to find the node in: ${v('message')}`],
    TASKS_PUBLISH_NODE_NOT_FOUND: [['node', 'hierarchy'], `There is no node "${v('node')}" in the hierarchy ${v('hierarchy')}. Give a region, a country or the hierarchy's name.`],
    TASKS_PUBLISH_NODE_EMPTY: [['node', 'hierarchy'], `No store is under "${v('node')}" in the hierarchy ${v('hierarchy')}.`],
    TASKS_PUBLISH_PROCESS_NOT_SAVED: [['processId', 'message'], `Commerce did not save the task management process ${v('processId')} (${v('message')}). Publish again; it is safe to repeat.`],
  };
  const [keys, fix] = texts[code];
  return { code, params: Object.fromEntries(keys.map((k) => [k, params[k] ?? ''])), fix };
}

const failure = (code: TasksPublishFailureCode, params: P): AppFailure => {
  const p = publishProblem(code, params);
  return new AppFailure(code, p.fix, p.params);
};

/** A Planner 403 code → the skip code it is reported as. */
export function limitCode(graphCode: string): TasksPublishSkipCode {
  return ({
    MaximumActiveTasksInProject: 'TASKS_PUBLISH_REFUSED_ACTIVE_TASKS', MaximumTasksInProject: 'TASKS_PUBLISH_REFUSED_TASKS', MaximumAssigneesInTasks: 'TASKS_PUBLISH_REFUSED_ASSIGNEES',
    MaximumChecklistItemsOnTask: 'TASKS_PUBLISH_REFUSED_CHECKLIST', MaximumReferencesOnTask: 'TASKS_PUBLISH_REFUSED_REFERENCES',
  } as Record<string, TasksPublishSkipCode>)[graphCode] ?? 'TASKS_PUBLISH_REFUSED_OTHER_LIMIT';
}

// ------------------------------------------------------------------------------------------------ helpers

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export function isIsoDate(s: string): boolean {
  return DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
}

/**
 * The process id of a publication: the same list, target date and target give the same id (a rerun resumes it).
 * The target is the set of stores, or the hierarchy node by name — so publishing to a region again after a store
 * joined it resumes the same process and adds the new store's tasks only.
 */
export function publicationProcessId(taskListId: string, targetDate: string, stores: readonly string[], hierarchyNode?: { hierarchy: string; node: string }): string {
  const target = hierarchyNode ? `node:${hierarchyNode.hierarchy.toLowerCase()}/${hierarchyNode.node.trim().toLowerCase()}` : [...new Set(stores)].sort();
  const h = createHash('sha256').update(JSON.stringify([taskListId, targetDate, target])).digest('hex');
  return `PUB-${targetDate.replace(/-/g, '')}-${h.slice(0, 10).toUpperCase()}`;
}

/** Runs `fn` over items with at most `n` at once; results in input order. */
async function pool<T, R>(items: readonly T[], n: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

const chunks = <T>(a: readonly T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < a.length; i += n) out.push(a.slice(i, i + n));
  return out;
};

/** Graph GETs in $batch requests of 20, `concurrency` in flight. */
async function batchGets(graph: PublishDeps['graph'], urls: readonly string[], concurrency: number): Promise<GraphBatchResult[]> {
  const parts = await pool(chunks(urls, 20), concurrency, (part) => graph.batch(part.map((url, i) => ({ id: String(i), method: 'GET' as const, url }))));
  return parts.flat();
}

const URL_RE = /\bhttps?:\/\/[^\s<>"')]+/gi;
const CHECK_RE = /^\s*(?:[-*]\s*)?\[\s?\]\s*(.+)$/;

/** Planner's reference key: the URL with `%`, `.`, `:`, `@`, `#` percent-encoded (reference D.4). */
export function referenceKey(url: string): string {
  return url.replace(/[%.:@#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A stable GUID-shaped checklist key (the same item gets the same key on every run: a rerun PATCH adds nothing). */
function checklistKey(taskId: string, i: number): string {
  const h = createHash('sha256').update(`${taskId}\0${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface TaskListRow { TaskListId: string; Name?: string; Description?: string }
interface TaskRow { TaskListId: string; TaskId: string; Name?: string; DueDateOffsetDays?: number; Notes?: string | null; TaskLinkType?: string; TaskLink?: string | null; AssignedTo?: string | null }
interface PlanTask { id: string; title: string; dueDateTime: string | null; percentComplete: number; createdDateTime: string; '@odata.etag': string }

/** Internal: what planning found, kept for the writing phase (never in the preview JSON). */
interface Planned {
  preview: PublicationPreview;
  /** Store number → the tasks now in its plan. */
  planTasks: Map<string, PlanTask[]>;
  /** Status key → its coupling (existing). */
  couplings: Map<string, CouplingRecord>;
  /** Coupling row ids with a baseline (finished). */
  finished: Set<number>;
  hierarchyType: string;
}

// ------------------------------------------------------------------------------------------------ planning

async function resolveTargets(d: PublishDeps, t: PublishTarget, now: Date): Promise<{ stores: string[]; known: Set<string>; hierarchy: { name: string; node: string } | null }> {
  const all = await readStores(d.commerce);
  const known = new Set(all.map((s) => s.storeNumber));
  if (t.stores) return { stores: [...new Set(t.stores)], known, hierarchy: null };
  const node = t.hierarchyNode!.trim();
  const pick = pickHierarchy(await listHierarchies(d.commerce));
  if (!pick.ok) throw failure('TASKS_PUBLISH_NO_HIERARCHY', { message: pick.message });
  const hName = pick.hierarchy.name;
  const edges = await readEdges(d.commerce, hName, now);
  const lower = node.toLowerCase();
  const children = new Map<string | null, string[]>();
  for (const e of edges) children.set(e.parentPartyNumber, [...(children.get(e.parentPartyNumber) ?? []), e.partyNumber]);
  const starts = hName.toLowerCase() === lower ? edges.filter((e) => e.parentPartyNumber === null).map((e) => e.partyNumber) : edges.filter((e) => e.name.toLowerCase() === lower).map((e) => e.partyNumber);
  if (!starts.length) throw failure('TASKS_PUBLISH_NODE_NOT_FOUND', { node, hierarchy: hName });
  const under = new Set<string>();
  const stack = [...starts];
  while (stack.length) {
    const p = stack.pop()!;
    if (under.has(p)) continue;
    under.add(p);
    stack.push(...(children.get(p) ?? []));
  }
  const stores = all.filter((s) => s.partyNumber && under.has(s.partyNumber)).map((s) => s.storeNumber);
  if (!stores.length) throw failure('TASKS_PUBLISH_NODE_EMPTY', { node, hierarchy: hName });
  return { stores, known, hierarchy: { name: hName, node } };
}

async function readList(d: PublishDeps, list: string): Promise<{ list: TaskListRow; tasks: TaskRow[] }> {
  const listsSet = (await d.commerce.collectionFor('RetailTaskLists')) ?? 'RetailTaskLists';
  const tasksSet = (await d.commerce.collectionFor('RetailTaskListTasks')) ?? 'RetailTaskListTasks';
  let rows = await d.commerce.list<TaskListRow>(listsSet, { filter: filter.eq('TaskListId', list) });
  if (!rows.length) rows = await d.commerce.list<TaskListRow>(listsSet, { filter: filter.eq('Name', list) });
  if (!rows.length) {
    const lower = list.trim().toLowerCase();
    rows = (await d.commerce.list<TaskListRow>(listsSet)).filter((r) => String(r.Name ?? '').toLowerCase() === lower || r.TaskListId.toLowerCase() === lower);
  }
  if (!rows.length) throw failure('TASKS_PUBLISH_LIST_NOT_FOUND', { list });
  const l = rows.sort((a, b) => a.TaskListId.localeCompare(b.TaskListId))[0]!;
  const tasks = (await d.commerce.list<TaskRow>(tasksSet, { filter: filter.eq('TaskListId', l.TaskListId) })).sort((a, b) => a.TaskId.localeCompare(b.TaskId));
  if (!tasks.length) throw failure('TASKS_PUBLISH_LIST_EMPTY', { list: l.Name ?? l.TaskListId });
  return { list: l, tasks };
}

/** Personnel numbers → Entra object ids (Workers.IdentityEmail → GET /users/{upn} in $batch); unknown → absent. */
async function resolveWorkers(d: PublishDeps, personnel: readonly string[], concurrency: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!personnel.length) return out;
  const set = (await d.commerce.collectionFor('Workers')) ?? 'Workers';
  const emails = new Map<string, string>();
  for (const part of chunks([...new Set(personnel)], 25)) {
    for (const w of await d.commerce.list<{ PersonnelNumber: string; IdentityEmail?: string | null }>(set, { filter: filter.in('PersonnelNumber', part), select: ['PersonnelNumber', 'IdentityEmail'] }))
      if (w.IdentityEmail) emails.set(w.PersonnelNumber, w.IdentityEmail);
  }
  const upns = [...new Set(emails.values())];
  const res = await batchGets(d.graph, upns.map((u) => `/users/${encodeURIComponent(u)}?$select=id,userPrincipalName`), concurrency);
  const idOf = new Map<string, string>();
  res.forEach((r, i) => {
    const id = r.ok ? (r.body as { id?: string } | null)?.id : undefined;
    if (id) idOf.set(upns[i]!.toLowerCase(), id);
  });
  for (const [pn, mail] of emails) {
    const id = idOf.get(mail.toLowerCase());
    if (id) out.set(pn, id);
  }
  return out;
}

function previewTask(t: TaskRow, targetDate: string, ids: Map<string, string>, warnings: Problem<TasksPublishWarningCode>[]): PreviewTask {
  const notes = String(t.Notes ?? '');
  const urls: string[] = [];
  if (t.TaskLinkType === 'Url' && t.TaskLink) urls.push(t.TaskLink.trim());
  for (const m of notes.matchAll(URL_RE)) urls.push(m[0]);
  const uniq = [...new Set(urls)];
  if (uniq.length > PLANNER_TASK_LIMITS.references) warnings.push(publishProblem('TASKS_PUBLISH_REFERENCES_TRUNCATED', { taskId: t.TaskId, count: uniq.length, limit: PLANNER_TASK_LIMITS.references }));
  const checks = notes.split(/\r?\n/).map((l) => CHECK_RE.exec(l)?.[1]?.trim()).filter((x): x is string => !!x);
  if (checks.length > PLANNER_TASK_LIMITS.checklist) warnings.push(publishProblem('TASKS_PUBLISH_CHECKLIST_TRUNCATED', { taskId: t.TaskId, count: checks.length, limit: PLANNER_TASK_LIMITS.checklist }));
  const assignedTo = [...new Set(String(t.AssignedTo ?? '').split(/[;,]/).map((x) => x.trim()).filter(Boolean))];
  const assignees: string[] = [];
  for (const pn of assignedTo) {
    const id = ids.get(pn);
    if (id) assignees.push(id);
    else warnings.push(publishProblem('TASKS_PUBLISH_ASSIGNEE_UNRESOLVED', { taskId: t.TaskId, personnelNumber: pn }));
  }
  return {
    taskId: t.TaskId, title: String(t.Name ?? t.TaskId).slice(0, 255), dueDate: addDays(targetDate, Number(t.DueDateOffsetDays ?? 0)), description: notes,
    references: uniq.slice(0, PLANNER_TASK_LIMITS.references).map((url) => ({ url, alias: t.TaskLinkType === 'Url' && url === t.TaskLink?.trim() ? String(t.Name ?? url).slice(0, 255) : url })),
    checklist: checks.slice(0, PLANNER_TASK_LIMITS.checklist), assignedTo, assignees: [...new Set(assignees)],
  };
}

/**
 * A token bucket on this side (requests granted in order): `take(n)` waits until n requests may go out. AIMD on the
 * rate: `throttled()` (the service answered 429 anyway — it is shared, or its limit is lower than documented) halves
 * the rate, empties the bucket and pauses a second; `ok()` after a clean $batch grows it back by 2 % of the maximum.
 */
export class RequestPacer {
  private tokens: number;
  private at: number;
  private rate: number;
  private pauseUntil = 0;
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly maxRate: number, private readonly burst: number, private readonly now: () => number, private readonly sleep: (ms: number) => Promise<void>) {
    this.rate = maxRate;
    this.tokens = burst;
    this.at = now();
  }
  get currentRate(): number {
    return this.rate;
  }
  take(n: number): Promise<void> {
    const need = Math.min(n, this.burst);
    const p = this.chain.then(async () => {
      for (;;) {
        const t = this.now();
        if (t < this.pauseUntil) {
          await this.sleep(this.pauseUntil - t);
          continue;
        }
        this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) * this.rate) / 1000);
        this.at = t;
        if (this.tokens >= need) {
          this.tokens -= need;
          return;
        }
        await this.sleep(Math.max(1, Math.ceil(((need - this.tokens) * 1000) / this.rate)));
      }
    });
    this.chain = p.catch(() => undefined);
    return p;
  }
  throttled(pauseMs = 1000): void {
    this.rate = Math.max(1, this.rate / 2);
    this.tokens = Math.min(this.tokens, 0);
    this.pauseUntil = Math.max(this.pauseUntil, this.now() + pauseMs);
  }
  ok(): void {
    this.rate = Math.min(this.maxRate, this.rate + this.maxRate * 0.02);
  }
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The deps with Graph paced (every $batch POST takes its requests + 1 from the pacer). */
function paced(d: PublishDeps, o: PublishOptions): PublishDeps & { pacer: RequestPacer } {
  const clock = d.clock ?? systemClock;
  const pacer = new RequestPacer(Math.max(1, o.requestsPerSecond ?? 1800), 1000, () => clock.now(), d.sleep ?? realSleep);
  const graph: PublishDeps['graph'] = {
    batch: async (reqs) => {
      await pacer.take(reqs.length + Math.ceil(reqs.length / 20));
      let res: GraphBatchResult[];
      try {
        res = await d.graph.batch(reqs);
      } catch (x) {
        if (isServiceError(x) && x.status === 429) pacer.throttled(x.details.retryAfterMs ?? 1000);
        throw x;
      }
      if (res.some((r) => r.attempts > 1 || r.status === 429)) pacer.throttled();
      else pacer.ok();
      return res;
    },
  };
  return { ...d, graph, pacer };
}

async function plan(d: PublishDeps, o: PublishOptions): Promise<Planned> {
  if (!isIsoDate(o.targetDate)) throw failure('TASKS_PUBLISH_BAD_DATE', { date: o.targetDate });
  if ((o.stores === undefined) === (o.hierarchyNode === undefined) || (o.stores && !o.stores.length) || (o.hierarchyNode !== undefined && !o.hierarchyNode.trim())) throw failure('TASKS_PUBLISH_NO_TARGET', {});
  const clock = d.clock ?? systemClock;
  const concurrency = Math.max(1, o.concurrency ?? 8);
  const [{ list, tasks: rows }, targets, mappings] = await Promise.all([
    readList(d, o.list),
    resolveTargets(d, o, new Date(clock.now())),
    mappingCollection(d.commerce).then((set) => readMappings(d.commerce, set)),
  ]);
  o.onProgress?.({ phase: 'reading', done: 1, total: 1 });
  const warnings: Problem<TasksPublishWarningCode>[] = [];
  const ids = await resolveWorkers(d, rows.flatMap((t) => String(t.AssignedTo ?? '').split(/[;,]/).map((x) => x.trim()).filter(Boolean)), concurrency);
  const tasks = rows.map((t) => previewTask(t, o.targetDate, ids, warnings));
  const processId = publicationProcessId(list.TaskListId, o.targetDate, targets.stores, targets.hierarchy ? { hierarchy: targets.hierarchy.name, node: targets.hierarchy.node } : undefined);

  // What an earlier run of this publication did.
  const couplingStore = new CouplingStore(d.db, TASKS_INTEGRATION, () => clock.now());
  const keys = targets.stores.flatMap((s) => tasks.map((t) => statusKey(processId, t.taskId, s)));
  const couplings = couplingStore.byIds('a', TASKS_MAPPING, keys);
  const finished = new Set(new TaskBaselineStore(d.db).many([...couplings.values()].map((c) => c.rowId)).keys());

  const mapOf = new Map(mappings.map((m) => [m.storeNumber, m]));
  const tooMany = tasks.find((t) => t.assignedTo.length > PLANNER_TASK_LIMITS.assignees);
  const stores: PreviewStore[] = targets.stores.map((s) => {
    const m = mapOf.get(s);
    const published = tasks.filter((t) => couplings.get(statusKey(processId, t.taskId, s))?.bId).length;
    const base = { storeNumber: s, teamId: m?.teamId ?? null, planId: m?.planId ?? null, toCreate: 0, published, activeTasks: null, totalTasks: null };
    if (!targets.known.has(s)) return { ...base, skip: publishProblem('TASKS_PUBLISH_UNKNOWN_STORE', { storeNumber: s }) };
    if (!m) return { ...base, skip: publishProblem('TASKS_PUBLISH_NOT_MAPPED', { storeNumber: s }) };
    if (!m.planId) return { ...base, skip: publishProblem('TASKS_PUBLISH_NOT_LINKED', { storeNumber: s, teamId: m.teamId }) };
    if (tooMany) return { ...base, skip: publishProblem('TASKS_PUBLISH_TOO_MANY_ASSIGNEES', { storeNumber: s, taskId: tooMany.taskId, assignees: tooMany.assignedTo.length, limit: PLANNER_TASK_LIMITS.assignees }) };
    return { ...base, toCreate: tasks.length - published, skip: null };
  });

  // The tasks now in each linked plan (the 2,400 guard, and how a pending create of an earlier run is found).
  const reading = stores.filter((s) => !s.skip);
  const planTasks = new Map<string, PlanTask[]>();
  let done = 0;
  await pool(chunks(reading, 20), concurrency, async (part) => {
    const res = await d.graph.batch(part.map((s, i) => ({ id: String(i), method: 'GET' as const, url: `/planner/plans/${encodeURIComponent(s.planId!)}/tasks` })));
    part.forEach((s, i) => {
      const r = res.find((x) => x.id === String(i));
      if (!r?.ok) {
        s.skip = publishProblem('TASKS_PUBLISH_PLAN_UNREADABLE', { storeNumber: s.storeNumber, planId: s.planId!, message: r?.error?.message ?? `HTTP ${r?.status ?? 0}` });
        s.toCreate = 0;
        return;
      }
      const list = ((r.body as { value?: PlanTask[] } | null)?.value ?? []);
      planTasks.set(s.storeNumber, list);
      s.activeTasks = list.filter((t) => (t.percentComplete ?? 0) < 100).length;
      s.totalTasks = list.length;
      // Conservative: a pending create of an earlier run that did reach the plan is counted in both numbers.
      if (s.activeTasks + s.toCreate > PLANNER_TASK_LIMITS.activeTasksPerPlan && s.toCreate > 0)
        s.skip = publishProblem('TASKS_PUBLISH_ACTIVE_LIMIT', { storeNumber: s.storeNumber, active: s.activeTasks, adding: s.toCreate, limit: PLANNER_TASK_LIMITS.activeTasksPerPlan });
      else if (s.totalTasks + s.toCreate > PLANNER_TASK_LIMITS.tasksPerPlan && s.toCreate > 0)
        s.skip = publishProblem('TASKS_PUBLISH_TASK_LIMIT', { storeNumber: s.storeNumber, total: s.totalTasks, adding: s.toCreate, limit: PLANNER_TASK_LIMITS.tasksPerPlan });
      if (s.skip) s.toCreate = 0;
    });
    done += part.length;
    o.onProgress?.({ phase: 'counting', done, total: reading.length });
  });

  const preview: PublicationPreview = {
    processId, list: { taskListId: list.TaskListId, name: String(list.Name ?? list.TaskListId), description: String(list.Description ?? '') }, targetDate: o.targetDate,
    hierarchy: targets.hierarchy, tasks, stores, warnings, toCreate: stores.reduce((n, s) => n + s.toCreate, 0),
  };
  return { preview, planTasks, couplings, finished, hierarchyType: targets.hierarchy?.name ?? '' };
}

/** The preview of a publication: the list, its tasks with due dates, per store its plan or why it is skipped. Writes nothing. */
export async function planPublication(d: PublishDeps, o: PublishOptions): Promise<PublicationPreview> {
  return (await plan(paced(d, o), o)).preview;
}

// ------------------------------------------------------------------------------------------------ publishing

interface Work {
  store: PreviewStore;
  task: PreviewTask;
  key: string;
  coupling: CouplingRecord;
  /** Set once the Planner task exists. */
  plannerId: string | null;
  etag: string | null;
  createdAt: number;
}

function taskBody(planId: string, t: PreviewTask): Record<string, unknown> {
  return {
    planId, title: t.title, dueDateTime: dueOfDate(t.dueDate),
    ...(t.assignees.length ? { assignments: Object.fromEntries(t.assignees.map((id) => [id, plannerAssignment()])) } : {}),
  };
}

function detailsBody(t: PreviewTask): Record<string, unknown> | null {
  if (!t.description && !t.references.length && !t.checklist.length) return null;
  return {
    ...(t.description ? { description: t.description } : {}),
    ...(t.references.length ? { references: Object.fromEntries(t.references.map((r) => [referenceKey(r.url), { '@odata.type': '#microsoft.graph.plannerExternalReference', alias: r.alias, type: 'Other', previewPriority: ' !' }])) } : {}),
    ...(t.checklist.length ? { checklist: Object.fromEntries(t.checklist.map((c, i) => [checklistKey(t.taskId, i), { '@odata.type': '#microsoft.graph.plannerChecklistItem', title: c.slice(0, 100), isChecked: false, orderHint: ' !' }])) } : {}),
    previewType: t.checklist.length ? 'checklist' : t.description ? 'description' : 'reference',
  };
}

const THROTTLED_REQUEUES = 8;

/** One Graph request of the pump; `done` may return follow-ups (sent before anything else queued). */
interface Op {
  req: Omit<GraphBatchRequest, 'id'>;
  /** A create for this store (dropped once the store failed). */
  store?: string;
  /** Times it came back 429 after the client's own retries (then it is queued again, up to THROTTLED_REQUEUES). */
  throttled?: number;
  done(r: GraphBatchResult): Op[] | void;
}

/**
 * Sends the ops in $batch requests of 20, at most `max` in flight; follow-ups go to the front. AIMD on throttling:
 * a $batch whose items were throttled (the client resent them after Retry-After) halves the number in flight, a
 * clean one adds one back — so concurrent $batch POSTs do not keep hitting a Retry-After window.
 */
async function pumpBatches(graph: PublishDeps['graph'], initial: Op[], max: number, failedStores: ReadonlySet<string>, atomically: (fn: () => void) => void = (fn) => fn(), signal?: AbortSignal): Promise<void> {
  const queue = [...initial];
  let active = 0;
  let limit = max;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const kick = () => {
      if (failed) return;
      // Stopped: nothing new goes out; once the $batches in flight are answered (and recorded), the pump ends.
      if (signal?.aborted) {
        if (active === 0) {
          failed = true;
          reject(new TaskRunCancelledError('publish'));
        }
        return;
      }
      while (active < limit && queue.length) {
        const part: Op[] = [];
        while (part.length < 20 && queue.length) {
          const op = queue.shift()!;
          if (op.store && failedStores.has(op.store)) continue;
          part.push(op);
        }
        if (!part.length) break;
        active++;
        graph.batch(part.map((op, i) => ({ ...op.req, id: String(i) }))).then((res) => {
          let throttled = false;
          const next: Op[] = [];
          const again: Op[] = [];
          // One SQLite transaction per $batch answer: the confirmations of up to 20 creates commit together (one
          // commit each blocked the event loop ~10× longer over a 5,000-task publication).
          atomically(() => part.forEach((op, i) => {
            const r = res[i]!;
            if (r.attempts > 1 || r.status === 429) throttled = true;
            // 429: Graph did not run it — safe to send again, later (also a create).
            if (r.status === 429 && (op.throttled ?? 0) < THROTTLED_REQUEUES) again.push({ ...op, throttled: (op.throttled ?? 0) + 1 });
            else next.push(...(op.done(r) ?? []));
          }));
          queue.unshift(...next);
          queue.push(...again);
          limit = throttled ? Math.max(1, Math.floor(limit / 2)) : Math.min(max, limit + 1);
        }).catch((x: unknown) => {
          // The $batch POST itself failed (a service or network error after the client's retries): its items failed
          // with it — a create's outcome is unknown, so it stays written down for the next run to find or resend.
          if (isServiceError(x)) {
            limit = Math.max(1, Math.floor(limit / 2));
            for (const op of part) {
              if (x.status === 429 && (op.throttled ?? 0) < THROTTLED_REQUEUES) queue.push({ ...op, throttled: (op.throttled ?? 0) + 1 });
              else op.done({ id: '', status: x.status ?? 0, headers: {}, body: null, ok: false, error: x as GraphBatchResult['error'], attempts: 1 });
            }
            return;
          }
          failed = true;
          reject(x as Error);
        }).finally(() => {
          active--;
          if (!failed && active === 0 && !queue.length) resolve();
          else kick();
        });
      }
      if (!failed && active === 0 && !queue.length) resolve();
    };
    kick();
  });
}

/** Publishes the list: see the module comment. Idempotent; a rerun after a crash finishes what is missing. */
export async function publishTaskList(d: PublishDeps, o: PublishOptions): Promise<PublishResult> {
  const clock = d.clock ?? systemClock;
  const concurrency = Math.max(1, o.concurrency ?? 8);
  const pd = paced(d, o);
  const planned = await plan(pd, o);
  throwIfCancelled(o.signal, 'publish');
  const { preview } = planned;
  const processId = preview.processId;
  const jobId = o.jobId ?? `publish:${processId}`;
  const couplings = new CouplingStore(d.db, TASKS_INTEGRATION, () => clock.now());
  const baselines = new TaskBaselineStore(d.db, () => clock.now());
  const skipped = new Map<string, PublishSkipped>();
  const skip = (storeNumber: string, p: Problem<TasksPublishSkipCode>) => {
    if (!skipped.has(storeNumber)) skipped.set(storeNumber, { storeNumber, reason: p.code, params: p.params, fix: p.fix });
  };
  for (const s of preview.stores) if (s.skip) skip(s.storeNumber, s.skip);
  const targets = preview.stores.filter((s) => !s.skip);
  const result = (tasksCreated: number, recovered: number): PublishResult => ({
    processId, tasksCreated, recovered, stores: targets.filter((s) => !skipped.has(s.storeNumber)).length, skipped: [...skipped.values()], warnings: preview.warnings,
  });
  if (!targets.length) return result(0, 0);

  // 1. The process: ct_task_publications and Commerce's RetailTaskProcesses (created once).
  d.db.prepare(`INSERT INTO ct_task_publications (process_id, task_list_id, target_date, stores, state, tasks_created, started_at)
    VALUES (?, ?, ?, ?, 'running', 0, ?) ON CONFLICT (process_id) DO UPDATE SET state = 'running', stores = excluded.stores, finished_at = NULL`)
    .run(processId, preview.list.taskListId, preview.targetDate, JSON.stringify(preview.stores.map((s) => s.storeNumber)), clock.now());
  const processSet = (await d.commerce.collectionFor('RetailTaskProcesses')) ?? 'RetailTaskProcesses';
  const statusSet = (await d.commerce.collectionFor('RetailTaskStoreStatuses')) ?? 'RetailTaskStoreStatuses';
  const [exists, statusRows] = await Promise.all([
    d.commerce.list(processSet, { filter: filter.eq('ProcessId', processId), select: ['ProcessId'] }),
    d.commerce.list<{ TaskId: string; StoreNumber: string }>(statusSet, { filter: filter.eq('ProcessId', processId), select: ['TaskId', 'StoreNumber'] }),
  ]);
  if (!exists.length) {
    const row: CommerceRow = {
      ProcessId: processId, Name: `${preview.list.name} ${preview.targetDate}`.slice(0, 60), TaskListId: preview.list.taskListId, TargetDate: preview.targetDate,
      Recurrence: 'No', RecurrenceTargetDateOffsetDays: 0, HierarchyType: planned.hierarchyType,
    };
    const [r] = await d.commerce.batch([{ method: 'POST', url: processSet, body: row }]);
    if (!r?.ok) throw failure('TASKS_PUBLISH_PROCESS_NOT_SAVED', { processId, message: r?.error?.message ?? `HTTP ${r?.status ?? 0}` });
  }
  const hasStatus = new Set(statusRows.map((r) => `${r.TaskId}\0${r.StoreNumber}`));

  // 2. Write down every create not written down yet (one transaction, before any request goes out).
  const work: Work[] = [];
  const fresh: { w: Omit<Work, 'coupling'>; key: string }[] = [];
  for (const s of targets) {
    for (const t of preview.tasks) {
      const key = statusKey(processId, t.taskId, s.storeNumber);
      const c = planned.couplings.get(key);
      if (c && planned.finished.has(c.rowId)) continue;
      const w = { store: s, task: t, key, plannerId: c?.bId ?? null, etag: c?.bEtag ?? null, createdAt: 0 };
      if (c) work.push({ ...w, coupling: c });
      else fresh.push({ w, key });
    }
  }
  if (fresh.length) {
    const rows = couplings.transaction(() => couplings.insertMany(fresh.map((f) => ({ mapping: TASKS_MAPPING, aId: f.key, bId: null, aEntity: COMMERCE_TASK_ENTITY, bEntity: PLANNER_TASK_ENTITY, pendingTo: 'b' as const, idempotencyKey: f.key }))));
    fresh.forEach((f, i) => work.push({ ...f.w, coupling: rows[i]! }));
  }

  // 3. Pending creates of an earlier run: the task in the plan with the same title and due date, created at or after
  //    the pending row, claimed by no coupling. Found → confirmed without a second create.
  let recovered = 0;
  const pending = work.filter((w) => w.coupling.pendingTo === 'b' && w.coupling.updatedAt > 0 && planned.couplings.has(w.key));
  if (pending.length) {
    const candidates = new Map<string, PlanTask[]>();
    for (const w of pending) candidates.set(w.store.storeNumber, planned.planTasks.get(w.store.storeNumber) ?? []);
    const claimed = new Set(couplings.byIds('b', TASKS_MAPPING, [...candidates.values()].flat().map((t) => t.id)).keys());
    const SKEW = 10 * 60_000;
    const confirm: { w: Work; t: PlanTask }[] = [];
    for (const w of pending.sort((a, b) => a.coupling.rowId - b.coupling.rowId)) {
      const due = dueOfDate(w.task.dueDate);
      const hit = (candidates.get(w.store.storeNumber) ?? [])
        .filter((t) => !claimed.has(t.id) && t.title === w.task.title && t.dueDateTime !== null && Date.parse(t.dueDateTime) === Date.parse(due!) && Date.parse(t.createdDateTime) >= w.coupling.updatedAt - SKEW)
        .sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime) || a.id.localeCompare(b.id))[0];
      if (!hit) continue;
      claimed.add(hit.id);
      confirm.push({ w, t: hit });
    }
    couplings.transaction(() => {
      for (const { w, t } of confirm) {
        couplings.markSuccess(w.coupling.rowId, 'b', jobId, { a: 0, b: Date.parse(t.createdDateTime), bEtag: t['@odata.etag'] }, t.id);
        Object.assign(w, { plannerId: t.id, etag: t['@odata.etag'], createdAt: Date.parse(t.createdDateTime) });
      }
    });
    recovered = confirm.length;
  }

  // 4. One request pump for the rest: creates, then per created task its details (GET for the etag, PATCH with
  //    If-Match) — follow-ups first, every $batch filled up to 20 requests, `concurrency` $batch POSTs in flight,
  //    fewer after a throttle (AIMD). A create is confirmed the moment Planner answers; a task whose details are
  //    written goes to the Commerce status rows, flushed 100 per $batch while the pump runs.
  let tasksCreated = 0;
  const failedStores = new Set<string>();
  const fail = (w: Work, p: Problem<TasksPublishSkipCode>) => {
    failedStores.add(w.store.storeNumber);
    skip(w.store.storeNumber, p);
  };
  const graphProblem = (w: Work, r: GraphBatchResult | undefined): Problem<TasksPublishSkipCode> => {
    const code = r?.error?.code;
    return r?.status === 403 && code && /^Maximum/.test(code)
      ? publishProblem(limitCode(code), { storeNumber: w.store.storeNumber, limit: code })
      : publishProblem('TASKS_PUBLISH_CREATE_FAILED', { storeNumber: w.store.storeNumber, message: r?.error?.message ?? `HTTP ${r?.status ?? 0}` });
  };

  const statusBuffer: Work[] = [];
  const flushes: Promise<void>[] = [];
  let saved = 0;
  let ready = 0;
  const flushStatuses = async (part: Work[]) => {
    const res = await d.commerce.batch(part.map((w) => {
      const body: CommerceRow = {
        TaskListId: preview.list.taskListId, TaskName: w.task.title, Status: 'NotStarted', AssignedToPersonnelNumber: w.task.assignedTo[0] ?? null,
        DueDate: w.task.dueDate, PlannerTaskId: w.plannerId,
      };
      return hasStatus.has(`${w.task.taskId}\0${w.store.storeNumber}`)
        ? { method: 'PATCH' as const, url: `${statusSet}(${keySegment({ ProcessId: processId, TaskId: w.task.taskId, StoreNumber: w.store.storeNumber })})`, body, headers: { 'If-Match': '*' } }
        : { method: 'POST' as const, url: statusSet, body: { ProcessId: processId, TaskId: w.task.taskId, StoreNumber: w.store.storeNumber, ...body } };
    }));
    const good: Work[] = [];
    const stamps: { rowId: number; a: number; b: number; bEtag: string | null }[] = [];
    part.forEach((w, i) => {
      const r = res.find((x) => x.item === i);
      if (!r?.ok) return fail(w, publishProblem('TASKS_PUBLISH_STATUS_NOT_SAVED', { storeNumber: w.store.storeNumber, message: r?.error?.message ?? `HTTP ${r?.status ?? 0}` }));
      good.push(w);
      const mod = Date.parse(String((r.body as { ModifiedDateTime?: string } | null)?.ModifiedDateTime ?? '')) || clock.now();
      stamps.push({ rowId: w.coupling.rowId, a: mod, b: w.createdAt || clock.now(), bEtag: w.etag });
    });
    couplings.transaction(() => {
      couplings.markSuccessMany('a', jobId, stamps);
      baselines.upsertMany(good.map((w) => ({
        couplingId: w.coupling.rowId, processId, taskId: w.task.taskId, storeNumber: w.store.storeNumber, planId: w.store.planId!, title: w.task.title,
        status: 'NotStarted' as const, dueDate: w.task.dueDate, assignee: w.task.assignees[0] ?? null, adhoc: false,
      })));
    });
    saved += part.length;
    o.onProgress?.({ phase: 'statuses', done: saved, total: work.length });
  };
  // A flush that fails while the pump runs is held (never an unhandled rejection) and rethrown at the end.
  let flushError: unknown = null;
  const flush = (part: Work[]) => flushes.push(flushStatuses(part).catch((x: unknown) => void (flushError ??= x)));
  const finished = (w: Work) => {
    ready++;
    statusBuffer.push(w);
    if (statusBuffer.length >= 100) flush(statusBuffer.splice(0, 100));
  };
  const details = (w: Work): Op[] => {
    const body = detailsBody(w.task);
    if (!body) {
      finished(w);
      return [];
    }
    const url = `/planner/tasks/${encodeURIComponent(w.plannerId!)}/details`;
    return [{
      req: { method: 'GET', url },
      done: (r) => {
        const etag = r.ok ? (r.body as { '@odata.etag'?: string } | null)?.['@odata.etag'] : undefined;
        if (!etag) return void fail(w, graphProblem(w, r));
        return [{ req: { method: 'PATCH', url, headers: { 'If-Match': etag }, body }, done: (x) => void (x.ok ? finished(w) : fail(w, graphProblem(w, x))) }];
      },
    }];
  };
  const total = work.filter((w) => !w.plannerId).length;
  let created = 0;
  const ops: Op[] = [];
  for (const w of work) {
    if (w.plannerId) {
      ops.unshift(...details(w));
      continue;
    }
    ops.push({
      store: w.store.storeNumber,
      req: { method: 'POST', url: '/planner/tasks', body: taskBody(w.store.planId!, w.task) },
      done: (r) => {
        created++;
        if (created === total || created % 100 === 0) o.onProgress?.({ phase: 'creating', done: created, total });
        const body = r.ok ? (r.body as PlanTask | null) : null;
        if (!body?.id) {
          fail(w, graphProblem(w, r));
          couplings.markFailure(w.coupling.rowId, 'b', jobId, r.error?.message ?? `HTTP ${r.status}`, r.status === 0 || r.status === 429 || r.status >= 500);
          return;
        }
        Object.assign(w, { plannerId: body.id, etag: body['@odata.etag'], createdAt: Date.parse(body.createdDateTime) || clock.now() });
        couplings.markSuccess(w.coupling.rowId, 'b', jobId, { a: 0, b: w.createdAt, bEtag: w.etag }, w.plannerId);
        tasksCreated++;
        return details(w);
      },
    });
  }
  try {
    await pumpBatches(pd.graph, ops, concurrency, failedStores, (fn) => couplings.transaction(fn), o.signal);
  } catch (x) {
    // Status rows already on their way are written and recorded before the publication ends.
    await Promise.allSettled(flushes);
    throw x;
  }
  o.onProgress?.({ phase: 'details', done: ready, total: work.length });
  if (statusBuffer.length) flush(statusBuffer.splice(0));
  await Promise.all(flushes);
  if (flushError) throw flushError;

  const out = result(tasksCreated, recovered);
  d.db.prepare(`UPDATE ct_task_publications SET state = ?, tasks_created = tasks_created + ?, finished_at = ? WHERE process_id = ?`)
    .run(out.skipped.length ? (out.stores ? 'partial' : 'failed') : 'done', tasksCreated, clock.now(), processId);
  return out;
}

/** The `d365ic tasks publish --json` shape (preload/contract/commerce-teams/tasks-publish.ts). */
export function publishContract(r: PublishResult): { tasksCreated: number; stores: number; skipped: { storeNumber: string; reason: TasksPublishSkipCode }[] } {
  return { tasksCreated: r.tasksCreated, stores: r.stores, skipped: r.skipped.map((s) => ({ storeNumber: s.storeNumber, reason: s.reason })) };
}
