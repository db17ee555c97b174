/**
 * The task-management benchmarks' sandbox (bench/tasks.ts, bench/tasks-crash.ts), as its own process: its CPU and
 * memory are not the engine's, and it keeps Graph's and Commerce's state while an engine process is SIGKILLed.
 *
 *  - identity service; Microsoft Graph (HTTPS, sandbox CA, Graph's published throttles on, seed 'empty');
 *  - Commerce headquarters seeded with the generated org (main/sandbox/commerce/seed.ts benchSeed) of `--stores`
 *    stores × `--workers` workers;
 *  - prepared in bulk, straight in the stores (not measured, no HTTP): per store a Microsoft 365 group that is a team
 *    with one Planner plan, and the Commerce *Teams mapping* row store → team → plan (what `tasks link` saves);
 *  - the HQ task list `TL-BENCH` of `--tasks` tasks, each with notes (description), a link (a reference) and two
 *    `[ ]` lines (checklist), so a publication writes each task's details too.
 *
 *   tsx bench/support/tasks-sandbox-child.ts --stores N --tasks T [--workers W] [--latency-ms L]
 *
 * Prints one JSON line: the `d365ic sandbox`-style info (identity.tokenEndpoint, graph, commerce, clients) plus
 * `bench` (stores, tasks, list, storeNumbers). Then one JSON command per stdin line, one JSON answer line each:
 *   {"faults": {"throttle-heavy": {"factor": 2}}}   Graph's active fault profiles ({} = none) → {"faults"}
 *   {"knobs": {"faultRate": 0.02, …}}              the Graph host's knobs (5xx / reset / 429 before the service) → {"knobs"}
 *   {"resetThrottling": true}                      empty Graph's throttle buckets → {"ok": true}
 *   {"stats": true}                                → {"throttled", "tasks", "plans"}
 *   {"pos": {"tasks": [{"id", "percentComplete"}]}}  change Planner tasks as the stores' POS does: a store user's
 *        delegated Graph token (ROPC, public client), GET the task, PATCH with If-Match (a 412 re-reads once) → {"changed"}
 *   {"snapshot": true}                             every task of the linked plans and every Commerce status row:
 *        {"tasks": [[id, planId, title, percentComplete, due YYYY-MM-DD|null, createdAt ms]], "rows": [[ProcessId, TaskId,
 *        StoreNumber, Status, DueDate, PlannerTaskId, TaskName]], "plans": {planId: storeNumber}}
 */
import { request as httpsRequest } from 'node:https';
import { GRAPH_CLIENT, PERSONA_USERS, SANDBOX_CLIENTS } from '../../main/sandbox/directory';
import type { GGroup, PPlan } from '../../main/sandbox/graph/state';
import { plannerId } from '../../main/sandbox/graph/wire';
import { ENTITY_BY_COLLECTION } from '../../main/sandbox/commerce/entities';
import { startCommerceGraph } from './commerce-graph-sandbox';
import { argNumber, serveLineCommands } from './line-child';

const stores = argNumber('--stores', 500);
const taskCount = argNumber('--tasks', 10);
const workers = argNumber('--workers', 2);
const latencyMs = argNumber('--latency-ms', 40);
const BENCH_LIST = 'TL-BENCH';

const { identity, graphHost, graph, commerce, info: base, stop } = await startCommerceGraph({ tlsPrefix: 'd365ic-bench-tasks-', stores, workers, latencyMs, teamProvisioningMs: 0 });

// ---- store teams with one plan each, mapped and linked in Commerce; the HQ task list
const entity = (c: string) => ENTITY_BY_COLLECTION.get(c)!;
const storeNumbers = (commerce.store.select(entity('RetailStores'), { limit: 1_000_000, offset: 0 }) as { StoreNumber: string }[]).map((s) => s.StoreNumber).sort();
const now = Date.now();
const mappings: Record<string, unknown>[] = [];
const storeOfPlan = new Map<string, string>();
for (const s of storeNumbers) {
  const id = crypto.randomUUID();
  const g: GGroup = {
    id, displayName: `Store ${s}`, description: `Store team [Commerce store ${s}]`, mailNickname: `store${s}`, mailEnabled: true, securityEnabled: false,
    groupTypes: ['Unified'], visibility: 'Private', owners: new Set(), members: new Set(), createdAt: now,
    team: { id, readyAt: 0, createdAt: now, isArchived: false, memberSettings: {}, channels: [] },
  };
  graph.state.groups.set(id, g);
  const p: PPlan = { id: plannerId(), title: `Store ${s}`, groupId: id, createdAt: now, createdBy: { user: null, application: { id: GRAPH_CLIENT.clientId } }, version: ++graph.state.seq, history: [] };
  graph.state.plans.set(p.id, p);
  graph.state.tasksByPlan.set(p.id, new Set());
  storeOfPlan.set(p.id, s);
  mappings.push({ SourceType: 'RetailStore', SourceId: s, TeamId: id, PlanId: p.id, PlanLinkedDateTime: new Date(now).toISOString() });
}
commerce.store.transaction(() => {
  commerce.store.insert(entity('RetailTeamsSourceTeamMappings'), mappings);
  commerce.store.insert(entity('RetailTaskLists'), [{ TaskListId: BENCH_LIST, Name: 'Bench store routine', Description: 'Benchmark task list', Owner: 'rm1' }]);
  commerce.store.insert(entity('RetailTaskListTasks'), Array.from({ length: taskCount }, (_, k) => ({
    TaskListId: BENCH_LIST, TaskId: `T${String(k + 1).padStart(3, '0')}`, Name: `Bench task ${k + 1}`, DueDateOffsetDays: k % 3,
    Notes: `Step ${k + 1} of the routine.\n[ ] Check the shelf\n[ ] Report to the manager`, ContactPerson: null,
    TaskLinkType: 'Url', TaskLink: `https://intranet.nordlys.example/routine/${k + 1}`, AssignedTo: null,
  })));
});

const info = { ...base, bench: { stores: storeNumbers.length, tasks: taskCount, list: BENCH_LIST, storeNumbers } };

// ---- the store user (a worker persona who can sign in): a delegated Graph token, as the POS holds
const POS_CLIENT = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
const storeUser = PERSONA_USERS.find((u) => u.kind === 'worker' && u.accountEnabled) ?? PERSONA_USERS.find((u) => u.accountEnabled)!;
let userToken: string | null = null;
async function signIn(): Promise<string> {
  if (userToken) return userToken;
  const form = new URLSearchParams({ grant_type: 'password', client_id: POS_CLIENT.clientId, username: storeUser.username, password: storeUser.password, scope: 'https://graph.microsoft.com/Tasks.ReadWrite openid profile' });
  const r = await fetch(identity.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  const b = (await r.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!b.access_token) throw new Error(`The store user ${storeUser.username} could not sign in: ${b.error} ${b.error_description ?? ''}`);
  return (userToken = b.access_token);
}
const origin = new URL(graphHost.origin);
function asUser(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: unknown }> {
  return signIn().then((token) => new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = httpsRequest({
      hostname: origin.hostname, port: origin.port, path: `/v1.0${path}`, method, ca: graphHost.caPem!,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}), ...headers },
    }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  }));
}
/** GET + PATCH with If-Match as the POS does; 412 / 429 / 5xx: read again and retry (a few times). */
async function posChange(id: string, percentComplete: number): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const t = await asUser('GET', `/planner/tasks/${encodeURIComponent(id)}`);
    if (t.status === 200) {
      const etag = (t.body as { '@odata.etag': string })['@odata.etag'];
      const r = await asUser('PATCH', `/planner/tasks/${encodeURIComponent(id)}`, { percentComplete }, { 'If-Match': etag });
      if (r.status === 200 || r.status === 204) return;
      if (r.status !== 412 && r.status !== 409 && r.status !== 429 && r.status < 500) throw new Error(`PATCH task ${id} as ${storeUser.username}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    } else if (t.status !== 429 && t.status < 500) throw new Error(`GET task ${id} as ${storeUser.username}: ${t.status}`);
    await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
  }
  throw new Error(`task ${id}: the POS change did not go through after 8 attempts`);
}

async function answer(cmd: Record<string, unknown>): Promise<unknown> {
  if (cmd.faults !== undefined) {
    graphHost.faults.set(cmd.faults as Record<string, Record<string, number | string>>);
    return { faults: graphHost.faults.list() };
  }
  if (cmd.knobs !== undefined) return { knobs: graphHost.knobs.set(cmd.knobs as Record<string, unknown>) };
  if (cmd.resetThrottling) {
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ hostname: origin.hostname, port: origin.port, path: '/_sandbox/graph/reset-throttling', method: 'POST', ca: graphHost.caPem! }, (x) => {
        x.resume();
        x.on('end', () => resolve(x.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    if (res >= 300) throw new Error(`reset-throttling answered ${res}`);
    return { ok: true };
  }
  if (cmd.stats) return { throttled: graph.stats.throttled, tasks: graph.state.tasks.size, plans: graph.state.plans.size };
  if (cmd.pos !== undefined) {
    const list = (cmd.pos as { tasks: { id: string; percentComplete: number }[] }).tasks;
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(8, list.length) }, async () => {
      while (next < list.length) {
        const t = list[next++]!;
        await posChange(t.id, t.percentComplete);
      }
    }));
    return { changed: list.length, user: storeUser.username };
  }
  if (cmd.snapshot) {
    const tasks: unknown[] = [];
    for (const planId of storeOfPlan.keys()) {
      for (const id of graph.state.tasksByPlan.get(planId) ?? []) {
        const t = graph.state.tasks.get(id);
        if (t) tasks.push([t.id, t.planId, t.title, t.percentComplete, t.dueDateTime ? t.dueDateTime.slice(0, 10) : null, t.createdAt]);
      }
    }
    const rows = commerce.store.select(entity('RetailTaskStoreStatuses'), { limit: 10_000_000, offset: 0 })
      .map((r) => [r.ProcessId, r.TaskId, r.StoreNumber, r.Status, r.DueDate === null || r.DueDate === undefined ? null : String(r.DueDate).slice(0, 10), r.PlannerTaskId ?? null, r.TaskName ?? null]);
    return { tasks, rows, plans: Object.fromEntries(storeOfPlan) };
  }
  throw new Error(`unknown command: ${JSON.stringify(cmd).slice(0, 80)}`);
}

serveLineCommands(info, answer, stop);
