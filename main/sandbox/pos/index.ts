/**
 * The sandbox's **POS simulator** (issue 15): what a store's Store Commerce app does with Planner. It acts as a store
 * user — a worker of that store signs in through the identity sandbox's token endpoint (ROPC with the public client:
 * a delegated Graph token, so Graph sees a user principal, never the integration's app) — and
 *  - reads the store's plan id from the channel's data: the Commerce *Teams mapping between source and team* row
 *    (`PlanId`, what *Link POS and Teams* saves and distribution job 1070 pushes to the channel);
 *  - lists the plan's tasks (GET /planner/plans/{id}/tasks);
 *  - marks tasks in progress (percentComplete 50) or completed (100): PATCH /planner/tasks/{id} with If-Match of the
 *    etag it read (a 412 — someone changed the task meanwhile — re-reads the task and applies the change once more);
 *  - creates an **ad-hoc task** in the store plan (POST /planner/tasks), assigned to itself or unassigned.
 *
 * Exposed as `sandbox.pos` (programmatic) and as admin routes on the Commerce host (`adminRoutes`):
 *   GET  /_sandbox/pos                            the stores with their plan (linked or not)
 *   GET  /_sandbox/pos/{storeNumber}/tasks        the plan's tasks as the store user sees them
 *   POST /_sandbox/pos/{storeNumber}/tasks        {"title","dueDate"?: "YYYY-MM-DD","assignToSelf"?: bool}  ad-hoc task
 *   POST /_sandbox/pos/{storeNumber}/tasks/complete   {"taskIds"?: [..], "count"?: n, "title"?: "…"}
 *   POST /_sandbox/pos/{storeNumber}/tasks/start      same selection → percentComplete 50
 * Errors: {"error":{"code","message","params"}} — the message says what to do (e.g. an unlinked store: run Link POS
 * and Teams).
 */
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENTITY_BY_COLLECTION } from '../commerce/entities';
import type { CommerceStore, Row } from '../commerce/store';
import { PERSONA_USERS, SANDBOX_CLIENTS } from '../directory';
import type { SandboxUser } from '../directory';
import { sendJson } from '../kernel';
import type { SandboxService } from '../kernel';
import { adminHostAllowed, WRONG_HOST_MESSAGE } from '../kernel/admin-host';

export const POS_ERROR_CODES = [
  'POS_STORE_UNKNOWN',
  'POS_STORE_NOT_LINKED',
  'POS_NO_STORE_USER',
  'POS_SIGN_IN_FAILED',
  'POS_GRAPH_FAILED',
  'POS_TASK_NOT_FOUND',
  'POS_NOTHING_SELECTED',
  'POS_BAD_REQUEST',
] as const;
export type PosErrorCode = (typeof POS_ERROR_CODES)[number];

/** A failure with a code, its params and an English message that says what to do. */
export class PosError extends Error {
  constructor(readonly code: PosErrorCode, message: string, readonly params: Record<string, string | number> = {}, readonly status = 400) {
    super(message);
  }
}

export type PosTaskStatus = 'NotStarted' | 'InProgress' | 'Completed';

export interface PosTask {
  id: string;
  title: string;
  percentComplete: number;
  /** Planner 0 → NotStarted, 1–99 → InProgress, 100 → Completed (the bridge's mapping). */
  status: PosTaskStatus;
  /** YYYY-MM-DD or null. */
  dueDate: string | null;
  /** Entra object ids of the assignees. */
  assignees: string[];
  assignedToMe: boolean;
  /** Who created the task: a user's object id, or null when an application did (a publication). */
  createdByUser: string | null;
  etag: string;
}

export interface PosUser {
  upn: string;
  displayName: string;
  objectId: string;
  personnelNumber: string;
}

export interface PosStore {
  storeNumber: string;
  name: string;
  planId: string | null;
  teamId: string | null;
}

export interface PosStoreTasks {
  storeNumber: string;
  storeName: string;
  planId: string;
  user: PosUser;
  tasks: PosTask[];
}

/** Which tasks an action applies to: ids, or every task with this title, or the first N open ones (by due date). */
export interface PosSelection {
  taskIds?: string[];
  count?: number;
  title?: string;
}

export interface PosActionResult {
  storeNumber: string;
  planId: string;
  user: PosUser;
  action: 'start' | 'complete' | 'createAdhoc';
  /** The tasks as Graph answered after the change (or the created task). */
  changed: PosTask[];
  /** Selected tasks left as they were (already done / started). */
  skipped: { taskId: string; reason: 'already-completed' | 'already-started' }[];
}

export interface PosCreateInput {
  title: string;
  /** YYYY-MM-DD (Planner gets 00:00Z of that day); none → no due date. */
  dueDate?: string | null;
  /** Assign the task to the signed-in store user (default), or leave it unassigned. */
  assignToSelf?: boolean;
}

export interface PosOptions {
  /** A worker of the store to act as (UPN); default: the store's first active worker who can sign in. */
  user?: string;
}

export interface PosSimulator {
  stores(): PosStore[];
  /** The store user the POS signs in as (throws POS_NO_STORE_USER when none can). */
  storeUser(storeNumber: string, o?: PosOptions): PosUser;
  /** The delegated Graph token of the store user (what the POS holds), from the identity sandbox's token endpoint. */
  signIn(storeNumber: string, o?: PosOptions): Promise<{ accessToken: string; user: PosUser }>;
  listTasks(storeNumber: string, o?: PosOptions): Promise<PosStoreTasks>;
  start(storeNumber: string, sel: PosSelection, o?: PosOptions): Promise<PosActionResult>;
  complete(storeNumber: string, sel: PosSelection, o?: PosOptions): Promise<PosActionResult>;
  createTask(storeNumber: string, input: PosCreateInput, o?: PosOptions): Promise<PosActionResult & { created: PosTask }>;
  /** The admin routes (mounted on the Commerce host). */
  readonly service: SandboxService;
}

export interface PosDeps {
  /** Commerce headquarters' store (the channel reads the same rows). */
  store: CommerceStore;
  /** The identity sandbox's token endpoint (http://…/{tenant}/oauth2/v2.0/token). */
  tokenEndpoint: string;
  /** Graph's v1.0 base URL (https://…/v1.0) and the CA that signed its certificate. */
  graphUrl: string;
  graphCaPem: string;
}

const entity = (collection: string) => {
  const e = ENTITY_BY_COLLECTION.get(collection);
  if (!e) throw new Error(`The Commerce sandbox has no ${collection} entity.`);
  return e;
};
const all = (store: CommerceStore, collection: string, where?: { sql: string; params: unknown[] }): Row[] =>
  store.select(entity(collection), { ...(where ? { where } : {}), limit: 1_000_000, offset: 0 });

/** The public client the POS signs in with (Store Commerce is a public client app). */
const POS_CLIENT = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
const GRAPH_TASK_SCOPE = 'https://graph.microsoft.com/Tasks.ReadWrite openid profile';

const statusOf = (p: number): PosTaskStatus => (p >= 100 ? 'Completed' : p > 0 ? 'InProgress' : 'NotStarted');
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type GraphTaskJson = {
  '@odata.etag': string; id: string; title: string; percentComplete: number; dueDateTime: string | null;
  assignments: Record<string, unknown>; createdBy: { user: { id: string } | null } | null;
};

export function createPosSimulator(d: PosDeps): PosSimulator {
  const graphOrigin = new URL(d.graphUrl);
  const tokens = new Map<string, { accessToken: string; user: PosUser }>();

  function storeRow(storeNumber: string): { storeNumber: string; name: string; channelId: string } {
    const s = all(d.store, 'RetailStores', { sql: '"StoreNumber" = ?', params: [storeNumber] })[0];
    if (!s) throw new PosError('POS_STORE_UNKNOWN', `There is no store ${storeNumber} in Commerce headquarters. Pick one of the stores the POS simulator lists (GET /_sandbox/pos).`, { storeNumber }, 404);
    const ou = s.OperatingUnitNumber ? d.store.get(entity('OperatingUnits'), { OperatingUnitNumber: s.OperatingUnitNumber }) : undefined;
    return { storeNumber, name: String(ou?.Name ?? storeNumber), channelId: String(s.RetailChannelId) };
  }

  function mappingOf(storeNumber: string): { teamId: string | null; planId: string | null } {
    const m = d.store.get(entity('RetailTeamsSourceTeamMappings'), { SourceType: 'RetailStore', SourceId: storeNumber });
    return { teamId: m?.TeamId ? String(m.TeamId) : null, planId: m?.PlanId ? String(m.PlanId) : null };
  }

  /** The store plan the channel knows, or the error that says to link first. */
  function planOf(storeNumber: string): { store: { storeNumber: string; name: string; channelId: string }; planId: string } {
    const store = storeRow(storeNumber);
    const m = mappingOf(storeNumber);
    if (!m.planId) {
      const why = m.teamId ? `its team ${m.teamId} has no Planner plan saved for the channel` : 'it is not mapped to a team';
      throw new PosError('POS_STORE_NOT_LINKED', `Store ${storeNumber} (${store.name}) is not linked to a Planner plan (${why}). Run Link POS and Teams (Commerce ⇄ Teams → Tasks, or "d365ic tasks link"; provision or map the store's team first if it has none), then open the POS again.`, { storeNumber, store: store.name }, 409);
    }
    return { store, planId: m.planId };
  }

  function storeUsers(storeNumber: string, channelId: string): PosUser[] {
    const active = all(d.store, 'RetailChannelWorkers', { sql: '"RetailChannelId" = ?', params: [channelId] }).filter((r) => r.IsActive === 'Yes');
    const users: { user: SandboxUser; pn: string }[] = [];
    for (const cw of active) {
      const w = d.store.get(entity('Workers'), { PersonnelNumber: cw.PersonnelNumber });
      const email = w?.IdentityEmail ? String(w.IdentityEmail).toLowerCase() : null;
      const u = email ? PERSONA_USERS.find((p) => p.username.toLowerCase() === email) : undefined;
      if (u && u.accountEnabled) users.push({ user: u, pn: String(cw.PersonnelNumber) });
    }
    const rank = (u: SandboxUser) => (u.kind === 'worker' ? 0 : 1);
    users.sort((a, b) => rank(a.user) - rank(b.user) || a.pn.localeCompare(b.pn));
    void storeNumber;
    return users.map(({ user, pn }) => ({ upn: user.username, displayName: user.displayName, objectId: user.objectId, personnelNumber: pn }));
  }

  function storeUser(storeNumber: string, o: PosOptions = {}): PosUser {
    const store = storeRow(storeNumber);
    const users = storeUsers(storeNumber, store.channelId);
    const u = o.user ? users.find((x) => x.upn.toLowerCase() === o.user!.toLowerCase()) : users[0];
    if (!u) {
      const msg = o.user
        ? `${o.user} is not an active worker of store ${storeNumber} who can sign in. Pick one of: ${users.map((x) => x.upn).join(', ') || '(none)'}.`
        : `Store ${storeNumber} (${store.name}) has no active worker with an enabled Entra account to sign in to the POS. Add a worker to the store in Commerce headquarters (Channel workers) with an identity.`;
      throw new PosError('POS_NO_STORE_USER', msg, { storeNumber, store: store.name }, 409);
    }
    return u;
  }

  function post(url: URL, form: URLSearchParams): Promise<{ status: number; body: unknown }> {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
  }

  async function signIn(storeNumber: string, o: PosOptions = {}): Promise<{ accessToken: string; user: PosUser }> {
    const user = storeUser(storeNumber, o);
    const cached = tokens.get(user.upn);
    if (cached) return cached;
    const persona = PERSONA_USERS.find((p) => p.username === user.upn)!;
    const form = new URLSearchParams({ grant_type: 'password', client_id: POS_CLIENT.clientId, username: user.upn, password: persona.password, scope: GRAPH_TASK_SCOPE });
    const r = await post(new URL(d.tokenEndpoint), form);
    const b = r.body as { access_token?: string; error?: string; error_description?: string } | null;
    if (r.status !== 200 || !b?.access_token) {
      throw new PosError('POS_SIGN_IN_FAILED', `The store user ${user.upn} could not sign in to the POS (${b?.error ?? `HTTP ${r.status}`}: ${(b?.error_description ?? '').split('\n')[0]}). Check the user's account in the identity sandbox (the Demo sandbox page's scenarios and consent switches), then try again.`, { storeNumber, user: user.upn, message: b?.error ?? `HTTP ${r.status}` }, 502);
    }
    const t = { accessToken: b.access_token, user };
    tokens.set(user.upn, t);
    return t;
  }

  /** One Graph request as the store user (over HTTPS, trusting the sandbox CA); a 401 signs in again once. */
  async function graph(storeNumber: string, o: PosOptions, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, again = true): Promise<{ status: number; body: unknown }> {
    const { accessToken, user } = await signIn(storeNumber, o);
    const url = new URL(`${d.graphUrl}${path}`);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const res = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = httpsRequest({
        hostname: graphOrigin.hostname, port: graphOrigin.port, path: `${url.pathname}${url.search}`, method, ca: d.graphCaPem,
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}), ...headers },
      }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = text;
          }
          resolve({ status: r.statusCode ?? 0, body: parsed });
        });
        r.on('error', reject);
      });
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
    if (res.status === 401 && again) {
      tokens.delete(user.upn);
      return graph(storeNumber, o, method, path, body, headers, false);
    }
    return res;
  }

  const graphFailed = (storeNumber: string, what: string, r: { status: number; body: unknown }) => {
    const m = (r.body as { error?: { code?: string; message?: string } } | null)?.error;
    const message = `${r.status}${m?.code ? ` ${m.code}` : ''}${m?.message ? `: ${m.message}` : ''}`;
    return new PosError('POS_GRAPH_FAILED', `Microsoft Graph refused to ${what} for store ${storeNumber} (${message}). If the plan was deleted, run Link POS and Teams again; if Graph is throttling or faulting (Demo sandbox → Graph fault profiles), switch the profile off and try again.`, { storeNumber, message }, 502);
  };

  function toTask(t: GraphTaskJson, me: string): PosTask {
    const assignees = Object.keys(t.assignments ?? {});
    return {
      id: t.id, title: t.title, percentComplete: t.percentComplete, status: statusOf(t.percentComplete), dueDate: t.dueDateTime ? t.dueDateTime.slice(0, 10) : null,
      assignees, assignedToMe: assignees.includes(me), createdByUser: t.createdBy?.user?.id ?? null, etag: t['@odata.etag'],
    };
  }
  const order = (a: PosTask, b: PosTask) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || a.title.localeCompare(b.title) || a.id.localeCompare(b.id);

  async function listTasks(storeNumber: string, o: PosOptions = {}): Promise<PosStoreTasks> {
    const { store, planId } = planOf(storeNumber);
    const { user } = await signIn(storeNumber, o);
    const r = await graph(storeNumber, o, 'GET', `/planner/plans/${encodeURIComponent(planId)}/tasks`);
    if (r.status === 404) throw new PosError('POS_STORE_NOT_LINKED', `The plan ${planId} saved for store ${storeNumber} (${store.name}) no longer exists in Planner. Run Link POS and Teams again to find the store team's plan.`, { storeNumber, store: store.name }, 409);
    if (r.status !== 200) throw graphFailed(storeNumber, 'list the plan\'s tasks', r);
    const tasks = ((r.body as { value: GraphTaskJson[] }).value ?? []).map((t) => toTask(t, user.objectId)).sort(order);
    return { storeNumber, storeName: store.name, planId, user, tasks };
  }

  function select(storeNumber: string, tasks: PosTask[], sel: PosSelection, open: (t: PosTask) => boolean): PosTask[] {
    if (sel.taskIds?.length) {
      const byId = new Map(tasks.map((t) => [t.id, t]));
      const missing = sel.taskIds.filter((id) => !byId.has(id));
      if (missing.length) throw new PosError('POS_TASK_NOT_FOUND', `The store plan of ${storeNumber} has no task ${missing.join(', ')}. List the tasks again (they may have been deleted) and pick from the list.`, { storeNumber, taskIds: missing.join(', ') }, 404);
      return sel.taskIds.map((id) => byId.get(id)!);
    }
    if (sel.title !== undefined && sel.title.trim()) {
      const want = sel.title.trim().toLowerCase();
      const hit = tasks.filter((t) => t.title.trim().toLowerCase() === want);
      if (!hit.length) throw new PosError('POS_TASK_NOT_FOUND', `The store plan of ${storeNumber} has no task titled "${sel.title}". List the tasks and pick a title from the list.`, { storeNumber, title: sel.title }, 404);
      return hit;
    }
    if (sel.count !== undefined) {
      if (!Number.isInteger(sel.count) || sel.count < 1) throw new PosError('POS_BAD_REQUEST', `count must be a whole number of at least 1; got ${sel.count}.`, { field: 'count' });
      return tasks.filter(open).slice(0, sel.count);
    }
    throw new PosError('POS_NOTHING_SELECTED', 'Say which tasks: taskIds, a title, or a count (the first N open tasks by due date).', { storeNumber });
  }

  async function setPercent(action: 'start' | 'complete', storeNumber: string, sel: PosSelection, o: PosOptions = {}): Promise<PosActionResult> {
    const listed = await listTasks(storeNumber, o);
    const target = action === 'complete' ? 100 : 50;
    const open = action === 'complete' ? (t: PosTask) => t.percentComplete < 100 : (t: PosTask) => t.percentComplete === 0;
    const chosen = select(storeNumber, listed.tasks, sel, open);
    const changed: PosTask[] = [];
    const skipped: PosActionResult['skipped'] = [];
    for (const t of chosen) {
      if (t.percentComplete === 100) {
        skipped.push({ taskId: t.id, reason: 'already-completed' });
        continue;
      }
      if (action === 'start' && t.percentComplete > 0) {
        skipped.push({ taskId: t.id, reason: 'already-started' });
        continue;
      }
      let etag = t.etag;
      for (let attempt = 0; ; attempt++) {
        const r = await graph(storeNumber, o, 'PATCH', `/planner/tasks/${encodeURIComponent(t.id)}`, { percentComplete: target }, { 'If-Match': etag, Prefer: 'return=representation' });
        if (r.status === 200) {
          changed.push(toTask(r.body as GraphTaskJson, listed.user.objectId));
          break;
        }
        if (r.status === 412 && attempt === 0) {
          // Changed since the POS read it: read it again (as a POS refreshes) and apply the tap once more.
          const fresh = await graph(storeNumber, o, 'GET', `/planner/tasks/${encodeURIComponent(t.id)}`);
          if (fresh.status !== 200) throw graphFailed(storeNumber, `read task "${t.title}"`, fresh);
          etag = (fresh.body as GraphTaskJson)['@odata.etag'];
          continue;
        }
        throw graphFailed(storeNumber, `${action === 'complete' ? 'complete' : 'start'} task "${t.title}"`, r);
      }
    }
    return { storeNumber, planId: listed.planId, user: listed.user, action, changed, skipped };
  }

  async function createTask(storeNumber: string, input: PosCreateInput, o: PosOptions = {}): Promise<PosActionResult & { created: PosTask }> {
    const title = (input.title ?? '').trim();
    if (!title || title.length > 255) throw new PosError('POS_BAD_REQUEST', 'An ad-hoc task needs a title of 1 to 255 characters.', { field: 'title' });
    if (input.dueDate && !(DATE.test(input.dueDate) && !Number.isNaN(Date.parse(`${input.dueDate}T00:00:00Z`)))) throw new PosError('POS_BAD_REQUEST', `dueDate must be a date YYYY-MM-DD; got "${input.dueDate}".`, { field: 'dueDate' });
    const { planId } = planOf(storeNumber);
    const { user } = await signIn(storeNumber, o);
    const body: Record<string, unknown> = { planId, title };
    if (input.dueDate) body.dueDateTime = `${input.dueDate}T00:00:00Z`;
    if (input.assignToSelf !== false) body.assignments = { [user.objectId]: { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: ' !' } };
    const r = await graph(storeNumber, o, 'POST', '/planner/tasks', body);
    if (r.status !== 201) throw graphFailed(storeNumber, `create the ad-hoc task "${title}"`, r);
    const created = toTask(r.body as GraphTaskJson, user.objectId);
    return { storeNumber, planId, user, action: 'createAdhoc', changed: [created], skipped: [], created };
  }

  function stores(): PosStore[] {
    const mappings = new Map(all(d.store, 'RetailTeamsSourceTeamMappings').filter((m) => m.SourceType === 'RetailStore').map((m) => [String(m.SourceId), m]));
    const names = new Map(all(d.store, 'OperatingUnits').map((u) => [String(u.OperatingUnitNumber), String(u.Name ?? '')]));
    const seen = new Set<string>();
    const out: PosStore[] = [];
    for (const s of all(d.store, 'RetailStores')) {
      const n = String(s.StoreNumber);
      if (seen.has(n)) continue;
      seen.add(n);
      const m = mappings.get(n);
      out.push({ storeNumber: n, name: names.get(String(s.OperatingUnitNumber)) || n, planId: m?.PlanId ? String(m.PlanId) : null, teamId: m?.TeamId ? String(m.TeamId) : null });
    }
    return out.sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));
  }

  const sim: Omit<PosSimulator, 'service'> = {
    stores, storeUser, signIn, listTasks,
    start: (s, sel, o) => setPercent('start', s, sel, o),
    complete: (s, sel, o) => setPercent('complete', s, sel, o),
    createTask,
  };
  return { ...sim, service: posAdminService(sim) };
}

/** The admin routes under /_sandbox/pos (loopback Host only, as every sandbox administration route). */
function posAdminService(pos: Omit<PosSimulator, 'service'>): SandboxService {
  const fail = (res: ServerResponse, x: unknown) => {
    if (x instanceof PosError) return sendJson(res, x.status, { error: { code: x.code, message: x.message, params: x.params } });
    return sendJson(res, 500, { error: { code: 'InternalServerError', message: `The POS simulator failed: ${(x as Error).message}` } });
  };
  const bodyOf = (raw: Buffer): Record<string, unknown> => {
    if (!raw.length) return {};
    let v: unknown;
    try {
      v = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new PosError('POS_BAD_REQUEST', 'Send a JSON object.');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PosError('POS_BAD_REQUEST', 'Send a JSON object.');
    return v as Record<string, unknown>;
  };
  const selectionOf = (b: Record<string, unknown>): PosSelection => {
    const sel: PosSelection = {};
    if (b.taskIds !== undefined) {
      if (!Array.isArray(b.taskIds) || b.taskIds.some((x) => typeof x !== 'string')) throw new PosError('POS_BAD_REQUEST', 'taskIds must be an array of Planner task ids.', { field: 'taskIds' });
      sel.taskIds = b.taskIds as string[];
    }
    if (b.count !== undefined) sel.count = Number(b.count);
    if (b.title !== undefined) sel.title = String(b.title);
    return sel;
  };
  const userOf = (req: IncomingMessage): PosOptions => {
    const u = new URL(req.url ?? '/', 'http://x').searchParams.get('user');
    return u ? { user: u } : {};
  };
  return {
    name: 'pos',
    adminPaths: ['/_sandbox/pos'],
    async handle(req, res, raw) {
      if (!adminHostAllowed(req)) return sendJson(res, 421, { error: { code: 'MisdirectedRequest', message: WRONG_HOST_MESSAGE } });
      const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
      const segs = path.split('/').filter(Boolean).slice(2).map(decodeURIComponent);
      const m = req.method ?? 'GET';
      try {
        if (segs.length === 0 && m === 'GET') return sendJson(res, 200, { stores: pos.stores() });
        const [store, coll, action] = segs;
        if (store && coll === 'tasks') {
          const o = userOf(req);
          if (!action && m === 'GET') return sendJson(res, 200, await pos.listTasks(store, o));
          if (!action && m === 'POST') {
            const b = bodyOf(raw);
            return sendJson(res, 201, await pos.createTask(store, { title: typeof b.title === 'string' ? b.title : '', dueDate: typeof b.dueDate === 'string' ? b.dueDate : null, assignToSelf: b.assignToSelf !== false }, o));
          }
          if ((action === 'complete' || action === 'start') && m === 'POST') return sendJson(res, 200, await pos[action](store, selectionOf(bodyOf(raw)), o));
        }
        return sendJson(res, 404, { error: { code: 'NotFound', message: `The POS simulator has no route ${m} ${path}. Routes: GET /_sandbox/pos, GET|POST /_sandbox/pos/{storeNumber}/tasks, POST /_sandbox/pos/{storeNumber}/tasks/complete|start.` } });
      } catch (x) {
        return fail(res, x);
      }
    },
  };
}
