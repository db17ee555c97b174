/**
 * The completion report (issue 15): what a communications manager looks at in the Tasks app, for HQ task lists and
 * the ad-hoc tasks stores create in POS. Per task list, per store — total, completed, in progress, not started,
 * overdue, canceled apart, completion % — rolled up the *Retail reporting* hierarchy (country → region → store),
 * with drill-down rows (a store's tasks: status, due date, assignee) and an XLSX export (./report-xlsx.ts).
 *
 * Reads (Commerce OData, server-driven paging): RetailTaskStoreStatuses (only the rows of one list when asked:
 * `TaskListId eq …` or its processes), RetailTaskProcesses and RetailTaskLists for list names, Workers for the
 * assignees' names, the stores and the Retail reporting hierarchy's published edges (valid today).
 * Counting rules are in preload/contract/commerce-teams/tasks-report.ts; "today" comes from the injectable clock.
 * Status rows are what the bridge keeps in step with Planner, so the report needs no Graph call.
 */
import type { CommerceClient, CommerceRow } from '../../../clients/commerce';
import { filter } from '../../../clients/odata';
import type { Clock } from '../../../ports';
import { systemClock } from '../../../ports';
import type { TaskReport, TaskReportCounts, TaskReportList, TaskReportNode, TaskReportRollup, TaskReportRow, TaskReportStatus, TaskReportStore, TasksReportCli } from '../../../../preload/contract/commerce-teams/tasks-report';
import { pickHierarchy } from '../hierarchy/build';
import { listHierarchies, readEdges } from '../hierarchy/service';
import type { HierarchyEdge } from '../hierarchy/build';
import { readStores } from '../mapping/directory';
import { ADHOC_PROCESS_ID, ADHOC_TASK_LIST_ID, COMMERCE_TASK_STATUSES } from './model';

/** The name the ad-hoc POS tasks' list gets when Commerce has no task list row for it. */
export const ADHOC_LIST_NAME = 'Ad-hoc POS tasks';

export type ReportCommerce = Pick<CommerceClient, 'list' | 'collectionFor' | 'listWhereIn' | 'batch'>;

export interface ReportDeps {
  commerce: ReportCommerce;
  clock?: Clock;
}

export interface ReportOptions {
  /** Only this task list, by id (the console) … */
  taskListId?: string;
  /** … or by name, case-insensitive (the CLI's --list; the id is accepted too). */
  listName?: string;
  /** Drill-down rows: one store's ('store'), every store's ('all', the XLSX), or none (default). */
  rows?: { store: string } | 'all' | 'none';
  /** The Retail reporting hierarchy by name (default: the default / only one with that purpose). */
  hierarchy?: string;
  /** Prefer: odata.maxpagesize for the status rows (default: the server's page size; F&O pages hold ≤ 10,000). */
  pageSize?: number;
  signal?: AbortSignal;
}

/** No task list matches --list / taskListId; `available` names the lists there are. */
export class ReportListNotFoundError extends Error {
  readonly code = 'TASKS_LIST_NOT_FOUND';
  constructor(readonly list: string, readonly available: string[]) {
    super(`There is no task list "${list}"${available.length ? `; the lists with tasks at stores are: ${available.join(', ')}` : ' (no task list has tasks at any store yet: publish one first)'}.`);
  }
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const opt = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const statusOf = (v: unknown): TaskReportStatus => {
  const s = str(v);
  return (COMMERCE_TASK_STATUSES as readonly string[]).includes(s) ? (s as TaskReportStatus) : 'NotStarted';
};

export function emptyCounts(): TaskReportCounts {
  return { total: 0, completed: 0, inProgress: 0, notStarted: 0, overdue: 0, canceled: 0, completionPercent: null };
}
/** Overdue: due before today and neither completed nor canceled. */
export function isOverdue(status: TaskReportStatus, dueDate: string | null, today: string): boolean {
  return dueDate !== null && dueDate < today && (status === 'NotStarted' || status === 'InProgress');
}
function add(c: TaskReportCounts, status: TaskReportStatus, overdue: boolean): void {
  if (status === 'Canceled') c.canceled++;
  else {
    c.total++;
    if (status === 'Completed') c.completed++;
    else if (status === 'InProgress') c.inProgress++;
    else c.notStarted++;
  }
  if (overdue) c.overdue++;
}
function addCounts(to: TaskReportCounts, from: TaskReportCounts): void {
  to.total += from.total;
  to.completed += from.completed;
  to.inProgress += from.inProgress;
  to.notStarted += from.notStarted;
  to.overdue += from.overdue;
  to.canceled += from.canceled;
}
function percent(c: TaskReportCounts): TaskReportCounts {
  c.completionPercent = c.total ? Math.round((c.completed / c.total) * 1000) / 10 : null;
  return c;
}

interface StatusRow {
  processId: string;
  taskId: string;
  storeNumber: string;
  taskListId: string;
  title: string;
  status: TaskReportStatus;
  dueDate: string | null;
  assignee: string | null;
  plannerTaskId: string | null;
}

/** Where a store sits: its ancestors from the top (party number + name), or null when it is not in the hierarchy. */
type Path = { partyNumber: string; name: string }[];

export async function buildTaskReport(d: ReportDeps, o: ReportOptions = {}): Promise<TaskReport> {
  const c = d.commerce;
  const clock = d.clock ?? systemClock;
  const asOf = new Date(clock.now()).toISOString().slice(0, 10);
  const sig = o.signal ? { signal: o.signal } : {};
  const set = async (name: string, fallback: string) => (await c.collectionFor(name)) ?? fallback;
  const [statusSet, processSet, listSet] = await Promise.all([
    set('RetailTaskStoreStatusEntity', 'RetailTaskStoreStatuses'), set('RetailTaskProcessEntity', 'RetailTaskProcesses'), set('RetailTaskListEntity', 'RetailTaskLists'),
  ]);

  // 1. Lists and processes (small): names, and which process belongs to which list.
  const [listRows, processRows] = await Promise.all([
    c.list(listSet, { select: ['TaskListId', 'Name'], ...sig }),
    c.list(processSet, { select: ['ProcessId', 'TaskListId'], ...sig }),
  ]);
  const listName = new Map<string, string>(listRows.map((r) => [str(r.TaskListId), str(r.Name) || str(r.TaskListId)]));
  if (!listName.has(ADHOC_TASK_LIST_ID)) listName.set(ADHOC_TASK_LIST_ID, ADHOC_LIST_NAME);
  const listOfProcess = new Map<string, string>(processRows.map((r) => [str(r.ProcessId), str(r.TaskListId)]));
  listOfProcess.set(ADHOC_PROCESS_ID, ADHOC_TASK_LIST_ID);

  // 2. Which list (--list NAME / taskListId), then the status rows — only that list's when one is asked for.
  let only: string | null = null;
  const wanted = o.taskListId ?? o.listName;
  if (wanted !== undefined) {
    const w = wanted.trim().toLowerCase();
    only = [...listName.keys()].find((id) => id.toLowerCase() === w) ?? (o.taskListId === undefined ? [...listName].find(([, n]) => n.toLowerCase() === w)?.[0] ?? null : null);
    if (!only) throw new ReportListNotFoundError(wanted, [...new Set(listName.values())].sort());
  }
  const select = ['ProcessId', 'TaskId', 'StoreNumber', 'TaskListId', 'TaskName', 'Status', 'DueDate', 'AssignedToPersonnelNumber', 'PlannerTaskId'];
  const paging = o.pageSize ? { maxPageSize: o.pageSize } : {};
  let raw: CommerceRow[];
  if (only) {
    const processes = [...listOfProcess].filter(([, l]) => l === only).map(([p]) => p);
    raw = await c.list(statusSet, { select, filter: filter.or(filter.eq('TaskListId', only), ...processes.map((p) => filter.eq('ProcessId', p))), ...paging, ...sig });
  } else {
    raw = await c.list(statusSet, { select, ...paging, ...sig });
  }
  const rows: StatusRow[] = raw
    .map((r) => {
      const processId = str(r.ProcessId);
      const taskListId = opt(r.TaskListId) ?? listOfProcess.get(processId) ?? (processId === ADHOC_PROCESS_ID ? ADHOC_TASK_LIST_ID : processId);
      return {
        processId, taskId: str(r.TaskId), storeNumber: str(r.StoreNumber), taskListId, title: str(r.TaskName) || str(r.TaskId), status: statusOf(r.Status),
        dueDate: opt(r.DueDate)?.slice(0, 10) ?? null, assignee: opt(r.AssignedToPersonnelNumber), plannerTaskId: opt(r.PlannerTaskId),
      };
    })
    .filter((r) => !only || r.taskListId === only);

  // 3. Stores (names, party numbers) and the Retail reporting hierarchy.
  const stores = await readStores(c);
  const storeByNumber = new Map(stores.map((s) => [s.storeNumber, s]));
  let hierarchy: string | null = null;
  let hierarchyProblem: TaskReport['hierarchyProblem'] = null;
  let edges: HierarchyEdge[] = [];
  const picked = pickHierarchy(await listHierarchies(c), o.hierarchy ?? null);
  if (picked.ok) {
    hierarchy = picked.hierarchy.name;
    edges = await readEdges(c, hierarchy, new Date(clock.now()));
  } else {
    hierarchyProblem = { code: picked.code, params: picked.params, message: picked.message };
  }
  const edgeByParty = new Map(edges.map((e) => [e.partyNumber, e]));
  const pathCache = new Map<string, Path | null>();
  const pathOf = (storeNumber: string): Path | null => {
    if (pathCache.has(storeNumber)) return pathCache.get(storeNumber)!;
    const party = storeByNumber.get(storeNumber)?.partyNumber ?? null;
    let out: Path | null = null;
    if (party && edgeByParty.has(party)) {
      out = [];
      const seen = new Set<string>([party]);
      let p = edgeByParty.get(party)!.parentPartyNumber;
      while (p && edgeByParty.has(p) && !seen.has(p)) {
        seen.add(p);
        const e = edgeByParty.get(p)!;
        out.unshift({ partyNumber: p, name: e.name || p });
        p = e.parentPartyNumber;
      }
    }
    pathCache.set(storeNumber, out);
    return out;
  };
  const storeName = (n: string) => storeByNumber.get(n)?.name ?? n;

  // 4. Assignees' names (only the personnel numbers that occur).
  const assignees = [...new Set(rows.map((r) => r.assignee).filter((x): x is string => !!x))];
  const names = new Map<string, string>();
  if (assignees.length) {
    const workerSet = await set('HcmWorkerEntity', 'Workers');
    for (const w of await c.listWhereIn(workerSet, 'PersonnelNumber', assignees, { select: ['PersonnelNumber', 'Name'], ...sig })) names.set(str(w.PersonnelNumber), str(w.Name));
  }

  // 5. Count per list per store, then roll up the hierarchy.
  const byList = new Map<string, Map<string, TaskReportCounts>>();
  for (const r of rows) {
    const perStore = byList.get(r.taskListId) ?? new Map<string, TaskReportCounts>();
    byList.set(r.taskListId, perStore);
    const counts = perStore.get(r.storeNumber) ?? emptyCounts();
    perStore.set(r.storeNumber, counts);
    add(counts, r.status, isOverdue(r.status, r.dueDate, asOf));
  }
  const lists: TaskReportList[] = [...byList]
    .map(([taskListId, perStore]) => listReport(taskListId, listName.get(taskListId) ?? taskListId, perStore, pathOf, storeName))
    .sort((a, b) => Number(a.adhoc) - Number(b.adhoc) || a.name.localeCompare(b.name) || a.taskListId.localeCompare(b.taskListId));
  // A list asked for by name with no tasks anywhere yet still shows (empty).
  if (only && !lists.length) lists.push(listReport(only, listName.get(only) ?? only, new Map(), pathOf, storeName));

  const wantRows = o.rows ?? 'none';
  const detail: TaskReportRow[] = wantRows === 'none' ? [] : rows
    .filter((r) => wantRows === 'all' || r.storeNumber === wantRows.store)
    .map((r) => ({
      processId: r.processId, taskId: r.taskId, taskListId: r.taskListId, listName: listName.get(r.taskListId) ?? r.taskListId, storeNumber: r.storeNumber, storeName: storeName(r.storeNumber),
      title: r.title, status: r.status, dueDate: r.dueDate, overdue: isOverdue(r.status, r.dueDate, asOf), adhoc: r.taskListId === ADHOC_TASK_LIST_ID,
      assignee: r.assignee, assigneeName: r.assignee ? (names.get(r.assignee) ?? null) : null, plannerTaskId: r.plannerTaskId,
    }))
    .sort((a, b) => a.listName.localeCompare(b.listName) || a.storeNumber.localeCompare(b.storeNumber) || (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || a.title.localeCompare(b.title) || a.taskId.localeCompare(b.taskId));
  return { asOf, hierarchy, hierarchyProblem, lists, rows: detail };
}

function listReport(taskListId: string, name: string, perStore: Map<string, TaskReportCounts>, pathOf: (s: string) => Path | null, storeName: (s: string) => string): TaskReportList {
  const totals = emptyCounts();
  const stores: TaskReportStore[] = [];
  const roots: TaskReportNode[] = [];
  const nodes = new Map<string, TaskReportNode>();
  const rollup = new Map<string, TaskReportRollup>();
  const levelOf = (depth: number) => (depth === 0 ? 'country' : depth === 1 ? 'region' : 'node') as TaskReportNode['level'];
  for (const [storeNumber, counts] of [...perStore].sort(([a], [b]) => a.localeCompare(b))) {
    percent(counts);
    addCounts(totals, counts);
    const path = pathOf(storeNumber);
    stores.push({ storeNumber, name: storeName(storeNumber), country: path?.[0]?.name ?? null, region: path?.[1]?.name ?? null, ...counts });
    if (!path) continue;
    let siblings = roots;
    path.forEach((p, depth) => {
      let n = nodes.get(p.partyNumber);
      if (!n) {
        n = { name: p.name, partyNumber: p.partyNumber, level: levelOf(depth), storeNumber: null, children: [], ...emptyCounts() };
        nodes.set(p.partyNumber, n);
        siblings.push(n);
      }
      addCounts(n, counts);
      siblings = n.children;
      if (depth <= 1) {
        const r = rollup.get(p.partyNumber) ?? { level: depth === 0 ? 'country' as const : 'region' as const, name: p.name, partyNumber: p.partyNumber, parent: depth === 1 ? path[0]!.name : null, ...emptyCounts() };
        addCounts(r, counts);
        rollup.set(p.partyNumber, r);
      }
    });
    siblings.push({ name: storeName(storeNumber), partyNumber: null, level: 'store', storeNumber, children: [], ...counts });
  }
  const finish = (list: TaskReportNode[]) => {
    list.sort((a, b) => a.name.localeCompare(b.name));
    for (const n of list) {
      percent(n);
      finish(n.children);
    }
  };
  finish(roots);
  const flat = [...rollup.values()].map((r) => percent(r) as TaskReportRollup);
  // Countries first, each followed by its regions (by name).
  const countries = flat.filter((r) => r.level === 'country').sort((a, b) => a.name.localeCompare(b.name));
  const ordered = countries.flatMap((cty) => [cty, ...flat.filter((r) => r.level === 'region' && r.parent === cty.name).sort((a, b) => a.name.localeCompare(b.name))]);
  return { taskListId, name, adhoc: taskListId === ADHOC_TASK_LIST_ID, totals: percent(totals), stores, rollup: ordered, tree: roots };
}

/** The `d365ic tasks report --json` shape (the scripted-check contract). */
export function reportContract(r: TaskReport): TasksReportCli {
  return {
    lists: r.lists.map((l) => ({
      name: l.name,
      stores: l.stores.map((s) => ({ storeNumber: s.storeNumber, total: s.total, completed: s.completed, inProgress: s.inProgress, notStarted: s.notStarted, overdue: s.overdue })),
    })),
  };
}
