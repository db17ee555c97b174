/**
 * Microsoft Graph client (directory, Teams, Planner) over main/http's HttpClient, which already does bearer
 * injection with one refresh after a 401, Retry-After on 429/503, timeouts, same-origin @odata.nextLink paging and
 * log redaction. What this file adds is Graph's own rules (shared/reference/commerce-hq-and-graph.md §2, §3, §5):
 *  - `client-request-id` on every call (Graph echoes it and puts it in innerError), errors as GraphError;
 *  - group create with at most 20 owner+member binds (owners first), the rest in PATCH chunks of 20;
 *  - POST /teams → 202 with an empty body: the team id comes from `Content-Location`/`Location`, then the
 *    teamsAsyncOperation is polled with back-off until succeeded/failed;
 *  - teamify (PUT /groups/{id}/team): 404 during directory replication is retried with back-off, a 409 "Team already
 *    exists" after such a 404 is success (the 404 lied, pain point 3);
 *  - members/add with per-item results (200/207) in chunks of 20; a 502 falls back to single adds (pain point 7);
 *  - Planner writes with If-Match = the resource's @odata.etag and optional Prefer: return=representation;
 *  - JSON $batch (see batch.ts).
 */
import { randomUUID } from 'node:crypto';
import type { HttpClient, HttpResponse, RequestOptions } from '../../http/client';
import { defaultSleep } from '../../http/client';
import type { Clock } from '../../ports';
import { systemClock } from '../../ports';
import type { QueryOptions } from '../odata';
import { chunk, queryString } from '../odata';
import type { GraphBatchRequest, GraphBatchResult } from './batch';
import { runBatch } from './batch';
import { GraphError, isGraphError, toGraphError } from './errors';

export const GRAPH_LINK_CAP = 20;
export const GRAPH_MEMBERS_ADD_CHUNK = 20;
export const GRAPH_OWNER_CAP = 100;
const GRAPH_ROOT = 'https://graph.microsoft.com/v1.0';

export type Json = Record<string, unknown>;

export interface GraphUser {
  id: string;
  userPrincipalName?: string;
  displayName?: string;
  accountEnabled?: boolean;
  assignedLicenses?: { skuId: string }[];
  [k: string]: unknown;
}

export interface GraphGroup {
  id: string;
  displayName: string;
  mailNickname: string;
  groupTypes?: string[];
  resourceProvisioningOptions?: string[];
  [k: string]: unknown;
}

export interface TeamsAsyncOperation {
  id: string;
  status: 'notStarted' | 'inProgress' | 'succeeded' | 'failed' | 'invalid';
  operationType?: string;
  targetResourceId?: string | null;
  targetResourceLocation?: string | null;
  error?: { code?: string; message?: string } | null;
}

export interface MemberToAdd {
  userId: string;
  owner?: boolean;
}

export interface MemberAddResult {
  userId: string;
  ok: boolean;
  /** Graph's per-item error (e.g. NotFound with an empty message for an unknown user). */
  error: { code: string; message: string } | null;
}

export interface PlannerWrite<T> {
  /** 204 → null; with returnRepresentation the fresh resource (with its new @odata.etag). */
  body: T | null;
  etag: string | null;
}

export interface GraphClientOptions {
  /** baseUrl = the version root, e.g. https://graph.microsoft.com/v1.0 or the sandbox's https://127.0.0.1:P/v1.0. */
  http: HttpClient;
  /** Waits between operation polls / replication retries / inner-429 retries (tests advance a sandbox clock). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  clock?: Clock;
  /** First poll delay of a teamsAsyncOperation (doubles up to pollMaxMs). Default 1 s (Graph suggests ≥ 1 s). */
  pollStartMs?: number;
  pollMaxMs?: number;
  /** Give up on a team operation / replication after this long. Default 15 min (Graph's stated worst case). */
  provisioningTimeoutMs?: number;
  /** Inner 429 retries per $batch item. Default 4. */
  batchRetries?: number;
}

type Method = NonNullable<RequestOptions['method']>;

function userKey(idOrUpn: string): string {
  // A UPN that starts with '$' must use the key form users('$x@…') (user-get docs); quotes are doubled.
  return idOrUpn.startsWith('$') ? `users('${idOrUpn.replace(/'/g, "''")}')` : `users/${encodeURIComponent(idOrUpn)}`;
}

const seg = (id: string) => encodeURIComponent(id);

export class GraphClient {
  readonly http: HttpClient;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly clock: Clock;
  private readonly opts: GraphClientOptions;

  constructor(opts: GraphClientOptions) {
    this.http = opts.http;
    this.opts = opts;
    this.sleep = opts.sleep ?? defaultSleep;
    this.clock = opts.clock ?? systemClock;
  }

  // ------------------------------------------------------------------------------------------------ core

  /** One Graph call; failures become GraphError (status, Graph code, request-id, client-request-id, date). */
  async call<T>(method: Method, path: string, o: { json?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<HttpResponse<T>> {
    const clientRequestId = randomUUID();
    try {
      return await this.http.request<T>({
        method, path, correlationId: clientRequestId,
        headers: { 'client-request-id': clientRequestId, ...o.headers },
        ...(o.json !== undefined ? { json: o.json } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (x) {
      throw toGraphError(x, clientRequestId);
    }
  }

  async get<T>(path: string, headers?: Record<string, string>): Promise<T> {
    return (await this.call<T>('GET', path, headers ? { headers } : {})).body;
  }

  /** Every page of a collection (@odata.nextLink followed verbatim; ConsistencyLevel re-sent on each page). */
  async *pages<T>(path: string, q: QueryOptions & { consistencyEventual?: boolean } = {}): AsyncGenerator<T[]> {
    const headers: Record<string, string> = q.consistencyEventual ? { ConsistencyLevel: 'eventual' } : {};
    const clientRequestId = randomUUID();
    headers['client-request-id'] = clientRequestId;
    try {
      yield* this.http.pages<T>(path + queryString(q), { headers, correlationId: clientRequestId });
    } catch (x) {
      throw toGraphError(x, clientRequestId);
    }
  }

  async collect<T>(path: string, q: QueryOptions & { consistencyEventual?: boolean } = {}): Promise<T[]> {
    const all: T[] = [];
    for await (const p of this.pages<T>(path, q)) all.push(...p);
    return all;
  }

  // ----------------------------------------------------------------------------------------------- users

  async getUser(idOrUpn: string, select?: readonly string[]): Promise<GraphUser> {
    return this.get<GraphUser>(userKey(idOrUpn) + queryString({ ...(select ? { select } : {}) }));
  }

  listUsers(q: QueryOptions & { consistencyEventual?: boolean } = {}): AsyncGenerator<GraphUser[]> {
    return this.pages<GraphUser>('users', q);
  }

  /**
   * Resolve many ids/UPNs in $batch (20 per request): a 404 item means "no such Entra user" and is reported as
   * null, not retried (reference §2.7).
   */
  async resolveUsers(keys: readonly string[], select: readonly string[] = ['id', 'userPrincipalName', 'accountEnabled', 'displayName']): Promise<Map<string, GraphUser | null>> {
    const uniq = [...new Set(keys)];
    const res = await this.batch(uniq.map((k, i) => ({ id: String(i + 1), method: 'GET' as const, url: `/${userKey(k)}${queryString({ select })}` })));
    const out = new Map<string, GraphUser | null>();
    res.forEach((r, i) => {
      if (r.ok) out.set(uniq[i]!, r.body as GraphUser);
      else if (r.status === 404) out.set(uniq[i]!, null);
      else throw r.error!;
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------------- groups

  /**
   * Create a group with owners and members. Graph allows at most 20 link changes per request ("A resource cannot
   * contain more than 20 link changes"), so the create carries the first 20 binds (owners first: a Unified group
   * without an owner cannot become a team) and the rest follow in PATCHes of 20. Duplicates are removed first
   * (the same user twice is a 400); a user who is both owner and member is bound in both lists.
   */
  async createGroup(g: { displayName: string; mailNickname: string; description?: string; unified?: boolean; visibility?: 'Private' | 'Public'; owners?: readonly string[]; members?: readonly string[]; extra?: Json }): Promise<GraphGroup> {
    const owners = [...new Set(g.owners ?? [])];
    const members = [...new Set(g.members ?? [])];
    const binds = [...owners.map((id) => ({ kind: 'owners' as const, id })), ...members.map((id) => ({ kind: 'members' as const, id }))];
    const first = binds.slice(0, GRAPH_LINK_CAP);
    const body: Json = {
      displayName: g.displayName, mailNickname: g.mailNickname,
      mailEnabled: g.unified !== false, securityEnabled: g.unified === false,
      groupTypes: g.unified === false ? [] : ['Unified'],
      ...(g.description ? { description: g.description } : {}),
      ...(g.visibility ? { visibility: g.visibility } : {}),
      ...g.extra,
    };
    const ob = first.filter((b) => b.kind === 'owners').map((b) => this.bindUrl('users', b.id));
    const mb = first.filter((b) => b.kind === 'members').map((b) => this.bindUrl('users', b.id));
    if (ob.length) body['owners@odata.bind'] = ob;
    if (mb.length) body['members@odata.bind'] = mb;
    const created = (await this.call<GraphGroup>('POST', 'groups', { json: body })).body;
    await this.bindInChunks(created.id, binds.slice(GRAPH_LINK_CAP));
    return created;
  }

  /** Add owners/members to an existing group, ≤ 20 link changes per PATCH (each PATCH is all-or-nothing). */
  async addToGroup(groupId: string, add: { owners?: readonly string[]; members?: readonly string[] }): Promise<number> {
    const binds = [...[...new Set(add.owners ?? [])].map((id) => ({ kind: 'owners' as const, id })), ...[...new Set(add.members ?? [])].map((id) => ({ kind: 'members' as const, id }))];
    return this.bindInChunks(groupId, binds);
  }

  private async bindInChunks(groupId: string, binds: { kind: 'owners' | 'members'; id: string }[]): Promise<number> {
    let requests = 0;
    for (const part of chunk(binds, GRAPH_LINK_CAP)) {
      const json: Json = {};
      const o = part.filter((b) => b.kind === 'owners').map((b) => this.bindUrl('users', b.id));
      const m = part.filter((b) => b.kind === 'members').map((b) => this.bindUrl('users', b.id));
      if (o.length) json['owners@odata.bind'] = o;
      if (m.length) json['members@odata.bind'] = m;
      await this.call('PATCH', `groups/${seg(groupId)}`, { json });
      requests++;
    }
    return requests;
  }

  private bindUrl(set: 'users' | 'groups', id: string): string {
    return `${GRAPH_ROOT}/${set}('${id.replace(/'/g, "''")}')`;
  }

  getGroup(id: string, select?: readonly string[]): Promise<GraphGroup> {
    return this.get<GraphGroup>(`groups/${seg(id)}${queryString({ ...(select ? { select } : {}) })}`);
  }

  groupMembers(id: string): Promise<GraphUser[]> {
    return this.collect<GraphUser>(`groups/${seg(id)}/members`);
  }

  groupOwners(id: string): Promise<GraphUser[]> {
    return this.collect<GraphUser>(`groups/${seg(id)}/owners`);
  }

  // ----------------------------------------------------------------------------------------------- teams

  /** POST /teams → 202 with an empty body; the ids are in the headers (reference §0.3, §2.2). */
  async startTeamCreation(team: Json): Promise<{ teamId: string; operationUrl: string; operationId: string | null }> {
    const body = { 'template@odata.bind': `${GRAPH_ROOT}/teamsTemplates('standard')`, ...team };
    const r = await this.call<unknown>('POST', 'teams', { json: body });
    const location = r.headers.get('location');
    const contentLocation = r.headers.get('content-location');
    const teamId = idIn(contentLocation, 'teams') ?? idIn(location, 'teams');
    if (r.status !== 202 || !location || !teamId) {
      throw new GraphError(r.status, 'UnexpectedResponse', `POST /teams answered ${r.status} without the Location/Content-Location headers that carry the new team's id.`, { url: 'teams', method: 'POST' });
    }
    return { teamId, operationUrl: location, operationId: idIn(location, 'operations') };
  }

  /**
   * Poll a teamsAsyncOperation until succeeded/failed (back-off from pollStartMs doubling to pollMaxMs). Accepts both
   * Location forms: `/teams('id')/operations('op')` (current) and `/teams/id/operations/op` (older). `onStatus`
   * lets the UI show "creating team (operation x): inProgress".
   */
  async waitForTeamOperation(operationUrl: string, o: { onStatus?: (op: TeamsAsyncOperation) => void; signal?: AbortSignal } = {}): Promise<TeamsAsyncOperation> {
    const path = operationUrl.replace(/^https:\/\/[^/]+\/(v1\.0|beta)\//, '').replace(/^\//, '');
    const deadline = this.clock.now() + (this.opts.provisioningTimeoutMs ?? 15 * 60_000);
    let delay = this.opts.pollStartMs ?? 1000;
    for (;;) {
      const op = await this.get<TeamsAsyncOperation>(path);
      o.onStatus?.(op);
      if (op.status === 'succeeded') return op;
      if (op.status === 'failed' || op.status === 'invalid') {
        throw new GraphError(200, op.error?.code || 'TeamOperationFailed', `Team provisioning ${op.status}: ${op.error?.message || 'no reason given'} (operation ${op.id}).`, { url: path, method: 'GET', body: op });
      }
      if (this.clock.now() + delay > deadline) {
        throw new GraphError(null, 'TeamOperationTimeout', `Team provisioning did not finish in time (operation ${op.id} is still ${op.status}). Check the team later; it may still appear.`, { url: path, method: 'GET' });
      }
      await this.sleep(delay, o.signal);
      delay = Math.min(delay * 2, this.opts.pollMaxMs ?? 30_000);
    }
  }

  /** Create a team (owners as members with role owner) and wait until it is usable; returns the team id. */
  async createTeam(team: { displayName: string; description?: string; owners: readonly string[]; members?: readonly string[]; extra?: Json }, o: { onStatus?: (op: TeamsAsyncOperation) => void } = {}): Promise<string> {
    if (team.owners.length === 0) throw new Error('A team created with application permissions needs at least one owner.');
    const owners = [...new Set(team.owners)];
    const members = [...new Set(team.members ?? [])].filter((m) => !owners.includes(m));
    const started = await this.startTeamCreation({
      displayName: team.displayName,
      ...(team.description ? { description: team.description } : {}),
      // Only the owners go into the create request (keeps it small); members follow with members/add.
      members: owners.map((id) => conversationMember(id, true)),
      ...team.extra,
    });
    await this.waitForTeamOperation(started.operationUrl, o);
    if (members.length) {
      const results = await this.addTeamMembers(started.teamId, members.map((userId) => ({ userId })));
      const failed = results.filter((r) => !r.ok);
      if (failed.length) {
        throw new GraphError(207, 'PartialMembers', `The team was created but ${failed.length} member(s) could not be added: ${failed.map((f) => `${f.userId} (${f.error?.code || 'error'})`).join(', ')}.`, { url: `teams/${started.teamId}/members/add`, method: 'POST', body: failed });
      }
    }
    return started.teamId;
  }

  /**
   * Turn an existing Unified group into a team (PUT /groups/{id}/team, synchronous 201). A new group is 404 to the
   * Teams endpoints until the directory has replicated (up to ~15 min): retried with back-off. A 409 "Team already
   * exists" after such a 404 means the 404 lied and the team was made: re-read it and return success.
   */
  async teamifyGroup(groupId: string, o: { team?: Json; onRetry?: (attempt: number, err: GraphError) => void; signal?: AbortSignal } = {}): Promise<{ teamId: string; alreadyExisted: boolean; attempts: number }> {
    const deadline = this.clock.now() + (this.opts.provisioningTimeoutMs ?? 15 * 60_000);
    let delay = Math.max(this.opts.pollStartMs ?? 1000, 10_000);
    let attempts = 0;
    let saw404 = false;
    for (;;) {
      attempts++;
      try {
        const r = await this.call<{ id: string }>('PUT', `groups/${seg(groupId)}/team`, { json: o.team ?? {}, ...(o.signal ? { signal: o.signal } : {}) });
        return { teamId: r.body?.id ?? groupId, alreadyExisted: false, attempts };
      } catch (x) {
        if (!isGraphError(x)) throw x;
        if (x.status === 409) {
          // Already a team: success when we caused it (the earlier 404 lied) or the caller asked for an idempotent teamify.
          const team = await this.get<{ id: string }>(`teams/${seg(groupId)}`);
          return { teamId: team.id, alreadyExisted: !saw404, attempts };
        }
        if (x.status !== 404 || this.clock.now() + delay > deadline) throw x;
        saw404 = true;
        o.onRetry?.(attempts, x);
        await this.sleep(delay, o.signal);
        delay = Math.min(delay * 2, 120_000);
      }
    }
  }

  getTeam(id: string): Promise<Json & { id: string; displayName: string }> {
    return this.get(`teams/${seg(id)}`);
  }

  /** GET /teams (only id, displayName, description come back, whatever $select says). */
  listTeams(q: QueryOptions = {}): Promise<{ id: string; displayName: string; description: string | null }[]> {
    return this.collect('teams', q);
  }

  // --------------------------------------------------------------------------------------------- members

  async addTeamMember(teamId: string, m: MemberToAdd): Promise<Json> {
    return (await this.call<Json>('POST', `teams/${seg(teamId)}/members`, { json: conversationMember(m.userId, m.owner) })).body;
  }

  /**
   * members/add in chunks of 20: 200 when all succeed, 207 with per-item `error` when some fail; every item's
   * outcome is returned (never thrown) so the UI can show each failed user next to its worker. A 502 BadGateway
   * from the bulk route falls back to single adds for that chunk (they often work when the bulk route does not).
   */
  async addTeamMembers(teamId: string, members: readonly MemberToAdd[]): Promise<MemberAddResult[]> {
    const uniq = [...new Map(members.map((m) => [m.userId, m])).values()];
    const out: MemberAddResult[] = [];
    for (const part of chunk(uniq, GRAPH_MEMBERS_ADD_CHUNK)) {
      try {
        const r = await this.call<{ value?: { userId?: string; error?: { code?: string; message?: string } | null }[] }>('POST', `teams/${seg(teamId)}/members/add`, {
          json: { values: part.map((m) => conversationMember(m.userId, m.owner)) },
        });
        const items = r.body?.value ?? [];
        part.forEach((m, i) => {
          const item = items.find((v) => v.userId === m.userId) ?? items[i];
          const e = item?.error;
          out.push({ userId: m.userId, ok: !e, error: e ? { code: String(e.code ?? ''), message: String(e.message ?? '') } : null });
        });
      } catch (x) {
        if (!isGraphError(x) || x.status !== 502) throw x;
        for (const m of part) {
          try {
            await this.addTeamMember(teamId, m);
            out.push({ userId: m.userId, ok: true, error: null });
          } catch (y) {
            if (!isGraphError(y)) throw y;
            out.push({ userId: m.userId, ok: false, error: { code: y.code, message: y.serviceMessage } });
          }
        }
      }
    }
    return out;
  }

  teamMembers(teamId: string, q: { ownersOnly?: boolean } = {}): Promise<(Json & { userId: string; roles: string[] })[]> {
    return this.collect(`teams/${seg(teamId)}/members`, q.ownersOnly ? { filter: "roles/any(r:r eq 'owner')" } : {});
  }

  // -------------------------------------------------------------------------------------------- channels

  listChannels(teamId: string): Promise<(Json & { id: string; displayName: string })[]> {
    return this.collect(`teams/${seg(teamId)}/channels`);
  }

  async createChannel(teamId: string, c: { displayName: string; description?: string; membershipType?: 'standard' | 'private' | 'shared' }): Promise<Json & { id: string }> {
    return (await this.call<Json & { id: string }>('POST', `teams/${seg(teamId)}/channels`, { json: { membershipType: 'standard', ...c } })).body;
  }

  // --------------------------------------------------------------------------------------------- planner

  async createPlan(groupId: string, title: string): Promise<Json & { id: string }> {
    return (await this.call<Json & { id: string }>('POST', 'planner/plans', { json: { title, container: { url: `${GRAPH_ROOT}/groups/${groupId}` } } })).body;
  }

  listPlans(groupId: string): Promise<(Json & { id: string; title: string })[]> {
    return this.collect(`groups/${seg(groupId)}/planner/plans`);
  }

  async createBucket(planId: string, name: string, orderHint = ' !'): Promise<Json & { id: string }> {
    return (await this.call<Json & { id: string }>('POST', 'planner/buckets', { json: { planId, name, orderHint } })).body;
  }

  listBuckets(planId: string): Promise<(Json & { id: string; name: string })[]> {
    return this.collect(`planner/plans/${seg(planId)}/buckets`);
  }

  /** Assignments are built here with the open type Planner insists on (reference §3): never a string, never a server hint. */
  async createTask(t: { planId: string; bucketId?: string; title: string; assignees?: readonly string[]; dueDateTime?: string; percentComplete?: number; extra?: Json }): Promise<PlannerTask> {
    const json: Json = {
      planId: t.planId, title: t.title,
      ...(t.bucketId ? { bucketId: t.bucketId } : {}),
      ...(t.dueDateTime ? { dueDateTime: t.dueDateTime } : {}),
      ...(t.percentComplete !== undefined ? { percentComplete: t.percentComplete } : {}),
      ...(t.assignees?.length ? { assignments: plannerAssignments(t.assignees) } : {}),
      ...t.extra,
    };
    return (await this.call<PlannerTask>('POST', 'planner/tasks', { json })).body;
  }

  getTask(id: string): Promise<PlannerTask> {
    return this.get<PlannerTask>(`planner/tasks/${seg(id)}`);
  }

  planTasks(planId: string): Promise<PlannerTask[]> {
    return this.collect<PlannerTask>(`planner/plans/${seg(planId)}/tasks`);
  }

  /**
   * PATCH with If-Match = the etag the caller read. Stale → GraphError 412 (or 409): re-read, merge, retry
   * (isConcurrencyConflict). Malformed etag → 400 with an empty code.
   */
  updateTask(id: string, etag: string, patch: Json, o: { returnRepresentation?: boolean } = {}): Promise<PlannerWrite<PlannerTask>> {
    return this.plannerPatch(`planner/tasks/${seg(id)}`, etag, patch, o);
  }

  getTaskDetails(id: string): Promise<Json & { '@odata.etag': string }> {
    return this.get(`planner/tasks/${seg(id)}/details`);
  }

  updateTaskDetails(id: string, etag: string, patch: Json, o: { returnRepresentation?: boolean } = {}): Promise<PlannerWrite<Json>> {
    return this.plannerPatch(`planner/tasks/${seg(id)}/details`, etag, patch, o);
  }

  async deleteTask(id: string, etag: string): Promise<void> {
    await this.call('DELETE', `planner/tasks/${seg(id)}`, { headers: { 'If-Match': etag } });
  }

  private async plannerPatch<T>(path: string, etag: string, patch: Json, o: { returnRepresentation?: boolean }): Promise<PlannerWrite<T>> {
    if (!etag) throw new Error('Planner writes need the @odata.etag of the resource as read (If-Match).');
    const headers: Record<string, string> = { 'If-Match': etag };
    if (o.returnRepresentation) headers.Prefer = 'return=representation';
    const r = await this.call<T & { '@odata.etag'?: string }>('PATCH', path, { json: patch, headers });
    const body = r.status === 204 ? null : r.body;
    return { body, etag: (body as { '@odata.etag'?: string } | null)?.['@odata.etag'] ?? r.headers.get('etag') };
  }

  // ---------------------------------------------------------------------------------------------- $batch

  /** JSON $batch: ≤ 20 per POST (more are chunked), per-item results with typed errors, inner 429s retried. */
  batch(requests: readonly GraphBatchRequest[]): Promise<GraphBatchResult[]> {
    return runBatch({
      send: async (body) => (await this.call<{ responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[] }>('POST', '$batch', { json: body })).body ?? {},
      sleep: (ms) => this.sleep(ms),
      maxRetries: this.opts.batchRetries ?? 4,
      defaultRetryMs: 3000,
    }, requests);
  }
}

export interface PlannerTask extends Json {
  id: string;
  planId: string;
  bucketId?: string | null;
  title: string;
  percentComplete?: number;
  '@odata.etag': string;
}

export function conversationMember(userId: string, owner = false): Json {
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    roles: owner ? ['owner'] : [],
    'user@odata.bind': `${GRAPH_ROOT}/users('${userId.replace(/'/g, "''")}')`,
  };
}

/** `{ [userId]: { @odata.type: plannerAssignment, orderHint: ' !' } }` — the only shape Planner accepts. */
export function plannerAssignments(userIds: readonly string[]): Json {
  return Object.fromEntries([...new Set(userIds)].map((id) => [id, { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: ' !' }]));
}

/** The key after `/<set>` in `/teams('id')/…` or `/teams/id/…`. */
function idIn(url: string | null, set: string): string | null {
  if (!url) return null;
  const m = new RegExp(`/${set}(?:\\('([^']+)'\\)|/([^/?('"]+))`).exec(url);
  return m ? decodeURIComponent(m[1] ?? m[2]!) : null;
}
