/**
 * *Link POS and Teams* — HQ's **Setup task management** (reference commerce-teams-integration.md A.4 step 10, A.8,
 * B.4–B.5; issue 15): for every store team (a store mapped to a team in Commerce's *Teams mapping between source
 * and team* — the provisioning engine writes its teams there too), find the team's Planner plan through Graph and
 * keep store → team → plan on the mapping row (`PlanId`, `PlanLinkedDateTime`: docs/sandbox-commerce.md, "Where
 * the plan id lives").
 *
 * Which plan (GET /groups/{id}/planner/plans):
 *  - none → **missing**: a first task list published from Teams to the store creates it (A.4 step 9), or
 *    `createMissing` creates one now (POST /planner/plans with the group as container);
 *  - one → **linked** to it;
 *  - several → the one that holds tasks (published tasks land in the plan Teams created by the first publication);
 *    when none or more than one holds tasks, the plan already on the mapping row wins if it is one of them, else
 *    **ambiguous** (nothing is written: the user picks, e.g. by deleting the stray plan or publishing to the store).
 *
 * Job 1070 (*Channel configuration*) pushes plan ids and store references to the channel in a real Commerce. The
 * sandbox models no distribution schedule: the mapping row is what the channel (its POS simulator) reads, so the
 * console persists there and that is the push. Idempotent: a second run finds the same plans and writes nothing; a
 * crash between creating a plan and persisting it is healed by the next run (the new plan is then the single one).
 *
 * Reads go through Graph `$batch` (20 per POST); Commerce writes are one `$batch` of independent PATCHes.
 */
import type { TasksLinkCode } from '../../../../preload/contract/commerce-teams/tasks';
import type { CommerceClient, CommerceRow } from '../../../clients/commerce';
import { keySegment } from '../../../clients/commerce';
import type { GraphBatchRequest, GraphClient } from '../../../clients/graph';
import type { Clock } from '../../../ports';
import { systemClock } from '../../../ports';
import { mappingCollection, readMappings } from '../mapping/directory';
import { SOURCE_TYPE_STORE } from '../mapping/model';

export type LinkState = 'linked' | 'missing' | 'ambiguous';

export interface StorePlanLink {
  storeNumber: string;
  teamId: string;
  planId: string | null;
  state: LinkState;
  /** Every plan of the team with how many tasks it holds (null when not counted: a single plan). */
  plans: { id: string; title: string; tasks: number | null }[];
  /** The plan id on the mapping row before this run. */
  previousPlanId: string | null;
  /** This run created the plan (createMissing). */
  created: boolean;
  /** This run wrote the mapping row (plan id set, changed or cleared). */
  persisted: boolean;
  /** Why the store is not linked (or a step failed) — the renderer translates code + params. */
  code: TasksLinkCode | null;
  params: Record<string, string | number>;
  /** The same in English, with what fixes it (CLI, logs). */
  fix: string | null;
}

export interface LinkResult {
  stores: StorePlanLink[];
  plansCreated: number;
  rowsWritten: number;
  /** How the channel gets the links (job 1070): the sandbox has no distribution schedule, the row is the push. */
  distribution: 'mapping-row';
}

export interface LinkOptions {
  /** Create a plan in every team that has none (POST /planner/plans, the group as container). */
  createMissing?: boolean;
  /** Only these stores (default: every mapped store). */
  stores?: readonly string[];
  /** Report only: write nothing to Commerce and create nothing. */
  dryRun?: boolean;
  onProgress?: (p: { phase: 'reading' | 'plans' | 'tasks' | 'creating' | 'persisting'; done: number; total: number }) => void;
}

export interface LinkDeps {
  commerce: Pick<CommerceClient, 'list' | 'collectionFor' | 'batch'>;
  graph: Pick<GraphClient, 'batch'>;
  clock?: Clock;
}

type PlanJson = { id: string; title?: string };

type Problem = { code: TasksLinkCode; params: Record<string, string | number>; fix: string };
const OK = { code: null, params: {}, fix: null } as const;

/** A code with its params and the English text (the translations say the same: renderer/i18n/locales/commerce-teams/tasks). */
export function problem(code: TasksLinkCode, params: { storeNumber: string; teamId?: string; plans?: number; message?: string }): Problem {
  const { storeNumber: s, teamId: t = '', plans: n = 0, message: m = '' } = params;
  const fix = {
    TASKS_LINK_NO_PLAN: `Team ${t} of store ${s} has no Planner plan yet. Publish a task list to the store from Teams (the first publication creates the plan), or run again with --create-missing, then link again.`,
    TASKS_LINK_SEVERAL_PLANS: `Team ${t} of store ${s} has ${n} plans and none is clearly the one holding published tasks. Delete the plans Teams does not use, or publish a task list to the store, then link again.`,
    TASKS_LINK_TEAM_NOT_FOUND: `Store ${s} is mapped to team ${t}, which Microsoft Graph does not know. Fix the Teams mapping (d365ic teams mapping) or provision the store's team, then link again.`,
    TASKS_LINK_GRAPH_FAILED: `Reading the plans of store ${s}'s team failed (${m}). Run the link again; it is safe to repeat.`,
    TASKS_LINK_PLAN_NOT_CREATED: `Creating a plan for store ${s} failed (${m}). Run the link again; it is safe to repeat.`,
    TASKS_LINK_NOT_SAVED: `Commerce did not save the plan of store ${s} (${m}). Run the link again; it is safe to repeat.`,
  }[code];
  const p: Record<string, string | number> = { storeNumber: s };
  if (code === 'TASKS_LINK_NO_PLAN' || code === 'TASKS_LINK_SEVERAL_PLANS' || code === 'TASKS_LINK_TEAM_NOT_FOUND') p.teamId = t;
  if (code === 'TASKS_LINK_SEVERAL_PLANS') p.plans = n;
  if (code === 'TASKS_LINK_GRAPH_FAILED' || code === 'TASKS_LINK_PLAN_NOT_CREATED' || code === 'TASKS_LINK_NOT_SAVED') p.message = m;
  return { code, params: p, fix };
}

/** Runs Graph GETs in `$batch` requests of 20 and returns each body (or the error) by key. */
async function batchGet<T>(graph: LinkDeps['graph'], urls: ReadonlyMap<string, string>): Promise<Map<string, { ok: true; body: T } | { ok: false; status: number; message: string }>> {
  const out = new Map<string, { ok: true; body: T } | { ok: false; status: number; message: string }>();
  const keys = [...urls.keys()];
  const requests: GraphBatchRequest[] = keys.map((k, i) => ({ id: String(i), method: 'GET', url: urls.get(k)! }));
  if (!requests.length) return out;
  const results = await graph.batch(requests);
  for (const r of results) {
    const key = keys[Number(r.id)]!;
    out.set(key, r.ok ? { ok: true, body: r.body as T } : { ok: false, status: r.status, message: r.error?.message ?? `HTTP ${r.status}` });
  }
  return out;
}

export async function linkStorePlans(d: LinkDeps, o: LinkOptions = {}): Promise<LinkResult> {
  const clock = d.clock ?? systemClock;
  const set = await mappingCollection(d.commerce);
  const only = o.stores ? new Set(o.stores) : null;
  const rows = (await readMappings(d.commerce, set)).filter((r) => !only || only.has(r.storeNumber));
  o.onProgress?.({ phase: 'reading', done: rows.length, total: rows.length });

  // 1. Every team's plans.
  const plansOf = await batchGet<{ value: PlanJson[] }>(d.graph, new Map(rows.map((r) => [r.storeNumber, `/groups/${encodeURIComponent(r.teamId)}/planner/plans`])));
  o.onProgress?.({ phase: 'plans', done: rows.length, total: rows.length });

  // 2. Where a team has several plans, how many tasks each holds.
  const taskUrls = new Map<string, string>();
  for (const r of rows) {
    const p = plansOf.get(r.storeNumber);
    if (p?.ok && p.body.value.length > 1) for (const plan of p.body.value) taskUrls.set(plan.id, `/planner/plans/${encodeURIComponent(plan.id)}/tasks`);
  }
  const tasksOf = await batchGet<{ value: unknown[] }>(d.graph, taskUrls);
  o.onProgress?.({ phase: 'tasks', done: taskUrls.size, total: taskUrls.size });

  const stores: StorePlanLink[] = rows.map((r) => {
    const base = { storeNumber: r.storeNumber, teamId: r.teamId, previousPlanId: r.planId, created: false, persisted: false };
    const p = plansOf.get(r.storeNumber);
    if (!p || !p.ok) {
      const why = p && !p.ok && p.status === 404 ? problem('TASKS_LINK_TEAM_NOT_FOUND', r) : problem('TASKS_LINK_GRAPH_FAILED', { ...r, message: p && !p.ok ? p.message : 'no answer' });
      return { ...base, planId: null, state: 'missing', plans: [], ...why };
    }
    const list = p.body.value;
    if (list.length === 0) return { ...base, planId: null, state: 'missing', plans: [], ...problem('TASKS_LINK_NO_PLAN', r) };
    if (list.length === 1) return { ...base, planId: list[0]!.id, state: 'linked', plans: [{ id: list[0]!.id, title: list[0]!.title ?? '', tasks: null }], ...OK };
    const plans = list.map((x) => {
      const t = tasksOf.get(x.id);
      return { id: x.id, title: x.title ?? '', tasks: t?.ok ? t.body.value.length : null };
    });
    const failed = plans.some((x) => x.tasks === null);
    const holding = plans.filter((x) => (x.tasks ?? 0) > 0);
    const chosen = holding.length === 1 ? holding[0]!.id : plans.some((x) => x.id === r.planId) && (holding.length === 0 || holding.some((x) => x.id === r.planId)) ? r.planId : null;
    if (chosen && !failed) return { ...base, planId: chosen, state: 'linked', plans, ...OK };
    const failedRead = plans.map((x) => tasksOf.get(x.id)).find((t) => t && !t.ok);
    const why = failed ? problem('TASKS_LINK_GRAPH_FAILED', { ...r, message: failedRead && !failedRead.ok ? failedRead.message : 'no answer' }) : problem('TASKS_LINK_SEVERAL_PLANS', { ...r, plans: plans.length });
    return { ...base, planId: null, state: 'ambiguous', plans, ...why };
  });

  // 3. Offer: create the missing plans (only where the team exists and simply has none), titled after the team,
  //    in `$batch` requests (an item is resent only after a 429, which created nothing: never two plans).
  let plansCreated = 0;
  if (o.createMissing && !o.dryRun) {
    const todo = stores.filter((s) => s.code === 'TASKS_LINK_NO_PLAN');
    const names = await batchGet<{ displayName?: string }>(d.graph, new Map(todo.map((s) => [s.storeNumber, `/groups/${encodeURIComponent(s.teamId)}?$select=id,displayName`])));
    const titleOf = (s: StorePlanLink) => {
      const g = names.get(s.storeNumber);
      return (g?.ok && g.body.displayName) || `Store ${s.storeNumber}`;
    };
    for (let i = 0; i < todo.length; i += 20) {
      const part = todo.slice(i, i + 20);
      const res = await d.graph.batch(part.map((s, k) => ({ id: String(k), method: 'POST' as const, url: '/planner/plans', body: { title: titleOf(s), container: { url: `https://graph.microsoft.com/v1.0/groups/${s.teamId}` } } })));
      part.forEach((s, k) => {
        const r = res.find((x) => x.id === String(k));
        const plan = r?.ok ? (r.body as PlanJson | null) : null;
        if (plan?.id) {
          Object.assign(s, { planId: plan.id, state: 'linked', created: true, ...OK, plans: [{ id: plan.id, title: titleOf(s), tasks: 0 }] });
          plansCreated++;
        } else {
          Object.assign(s, problem('TASKS_LINK_PLAN_NOT_CREATED', { storeNumber: s.storeNumber, teamId: s.teamId, message: r?.error?.message ?? `HTTP ${r?.status ?? 0}` }));
        }
      });
      o.onProgress?.({ phase: 'creating', done: Math.min(i + 20, todo.length), total: todo.length });
    }
  }

  // 4. Persist store → team → plan on the mapping row (the channel reads it: job 1070's push). A linked store
  //    whose row differs gets the plan; a store whose plan is gone (no plan now) has the stale id cleared;
  //    ambiguous and failed stores keep their row as it is.
  let rowsWritten = 0;
  if (!o.dryRun) {
    const now = new Date(clock.now()).toISOString();
    const writes = stores.filter((s) => (s.state === 'linked' && s.planId !== s.previousPlanId) || (s.code === 'TASKS_LINK_NO_PLAN' && s.previousPlanId !== null));
    for (let i = 0; i < writes.length; i += 100) {
      const part = writes.slice(i, i + 100);
      const res = await d.commerce.batch(part.map((s) => {
        const body: CommerceRow = s.planId ? { PlanId: s.planId, PlanLinkedDateTime: now } : { PlanId: null, PlanLinkedDateTime: null };
        return { method: 'PATCH' as const, url: `${set}(${keySegment({ SourceType: SOURCE_TYPE_STORE, SourceId: s.storeNumber })})`, body, headers: { 'If-Match': '*' } };
      }));
      part.forEach((s, k) => {
        const r = res.find((x) => x.item === k);
        if (r?.ok) {
          s.persisted = true;
          rowsWritten++;
        } else {
          Object.assign(s, problem('TASKS_LINK_NOT_SAVED', { storeNumber: s.storeNumber, teamId: s.teamId, message: r?.error?.message ?? `HTTP ${r?.status ?? 0}` }));
        }
      });
      o.onProgress?.({ phase: 'persisting', done: Math.min(i + 100, writes.length), total: writes.length });
    }
  }
  return { stores, plansCreated, rowsWritten, distribution: 'mapping-row' };
}

/** The `d365ic tasks link --json` shape (preload/contract/commerce-teams/tasks.ts). */
export function linkContract(r: LinkResult): { stores: { storeNumber: string; teamId: string; planId: string | null; state: LinkState }[] } {
  return { stores: r.stores.map((s) => ({ storeNumber: s.storeNumber, teamId: s.teamId, planId: s.planId, state: s.state })) };
}
