/**
 * Commerce ⇄ Teams provisioning engine (issue 14; reference commerce-teams-integration.md A.3–A.5, C.1–C.5,
 * commerce-hq-and-graph.md §2 and §5): Commerce is master (R10).
 *
 *  - `check()`  pre-flight findings (codes in preload/contract/commerce-teams/findings.ts);
 *  - `plan()`   desired state (one team per store with a manager, managers → owners, workers → members, the
 *               communications team of the Retail task managers) diffed against Graph; `prune` adds removals;
 *  - `apply()`  carries a plan out, idempotent and resumable: the store → group link is persisted before the group
 *               exists, the mailNickname is deterministic and the group carries a marker in its description, so a
 *               resumed run adopts the group it made instead of making a second team.
 *
 * Team creation is group first (deterministic mailNickname, ≤ 20 owner binds per request) then
 * `POST /teams` with `group@odata.bind` → 202 + operation polling; a 404 while the directory replicates is retried
 * with back-off (up to 15 min), a 409 "Team already exists" (after a lying 404) is success once the team reads
 * back. Members go through `members/add` (20 per call, per-member 207 results, 502 → single adds). A 429 is
 * waited out for its Retry-After (the HTTP client does the first retries, the engine waits again when they run out).
 */
import type { CommerceClient } from '../../clients/commerce/client';
import type { GraphClient, GraphGroup, GraphUser, TeamsAsyncOperation } from '../../clients/graph';
import { GraphError, GRAPH_OWNER_CAP, isGraphError } from '../../clients/graph';
import { chunk } from '../../clients/odata';
import { isServiceError } from '../../http/errors';
import type { Clock } from '../../ports';
import { systemClock } from '../../ports';
import { Gate, Pacer } from './pacing';
import type { TeamsApplyResult, TeamsFinding, TeamsFindingCode, TeamsPlan, TeamsPlanStore } from '../../../preload/contract/commerce-teams/findings';
import type { TeamLinkStore } from './links';
import { MAPPING_SOURCE_TYPE, OrgEntityMissing, ORG_ENTITIES, RETAIL_REPORTING_PURPOSE, readOrg, type OrgModel, type OrgPerson, type OrgStore } from './org';

export const COMMUNICATIONS_TEAM = { displayName: 'Retail Communication', mailNickname: 'RETAILCOMMUNICATION_D365', sourceId: 'communications' } as const;
/** Graph application permissions the engine needs (any of each group). */
export const REQUIRED_GRAPH_PERMISSIONS: readonly (readonly string[])[] = [
  ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  ['TeamMember.ReadWrite.All'],
];
const REPLICATION_TIMEOUT_MS = 15 * 60_000;
const PLAN_CONCURRENCY = 24;
const APPLY_CONCURRENCY = 64;
/** Graph's published limits the engine paces itself by (reference commerce-teams-integration.md D.6). */
const GRAPH_TEAM_CREATIONS_PER_SECOND = 6;
const GRAPH_REQUESTS_PER_SECOND = 2000;
/** $batch requests of the plan's reads in flight at once. */
const READ_BATCHES_IN_FLIGHT = 12;
/** A team operation is polled every second for its first 20 s (teams usually provision in seconds), then less often. */
const OPERATION_POLL_MS = 1000;
const OPERATION_FAST_POLLS = 20;

export interface EngineDeps {
  commerce: CommerceClient;
  graph: GraphClient;
  graphAuthorization?: () => Promise<string>;
  links: TeamLinkStore;
  sleep: (ms: number) => Promise<void>;
  clock?: Clock;
  /**
   * Stores worked on at once (default: 24 while planning, 64 while applying — a store waits seconds for its team to
   * provision, so many stores are in flight to keep team creation at Graph's rate).
   */
  concurrency?: number;
  /** Team creations (POST /teams) a second; default Graph's published 6 per app and tenant, less a 2 % margin. */
  teamCreationsPerSecond?: number;
  /** Requests a second for the plan's bulk reads (each $batch item counts); default 90 % of Graph's 2,000 per app. */
  graphReadsPerSecond?: number;
  /** Test hook: called at each persisted step; throwing EngineInterrupted stops the run as a crash would. */
  onStep?: (storeNumber: string, step: 'reserved' | 'group-created' | 'group' | 'team' | 'members' | 'mapped') => void | Promise<void>;
  /** Apply's progress (the console's run page): the phase a store entered; `totals` is the run's live result. */
  onProgress?: (e: EngineProgress, totals: Readonly<TeamsApplyResult>) => void;
}

/** One progress step of apply; storeNumber 'communications' = the communications team. */
export interface EngineProgress {
  storeNumber: string;
  phase: 'creating-group' | 'waiting-replication' | 'creating-team' | 'adding-members' | 'removing-members' | 'writing-mapping' | 'store-done' | 'store-failed';
  teamId?: string;
  operationStatus?: string;
  secondsLeft?: number;
  count?: number;
  error?: { code: string; message: string };
}

/** Thrown by onStep to stop apply like a crash (propagates; no per-store error handling). */
export class EngineInterrupted extends Error {}

interface Desired {
  store: OrgStore;
  mailNickname: string;
  owners: Map<string, string>; // objectId → UPN
  members: Map<string, string>;
  /** Every Graph user id of the store in Commerce (prune keeps these). */
  known: Set<string>;
  /** Graph user ids of the store's managers in Commerce, usable or not (prune never demotes them). */
  knownManagers: Set<string>;
}

interface Snapshot {
  org: OrgModel;
  users: Map<string, GraphUser | null>; // key (objectId or upn) → user
  licensed: Map<string, boolean>; // objectId → has Teams
  findings: TeamsFinding[];
}

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ø/gi, 'o').replace(/æ/gi, 'ae').replace(/ß/g, 'ss');

/** `<STORE NAME>_D365` (HQ's convention, e.g. HOUSTON_D365): ASCII letters and digits only, ≤ 64 characters. */
export function storeMailNickname(storeName: string): string {
  const base = ascii(storeName).toUpperCase().replace(/[^A-Z0-9]/g, '');
  return `${(base || 'STORE').slice(0, 59)}_D365`;
}

/** The group description carries this marker: a resumed run adopts only groups it made for this store. */
export const storeMarker = (storeNumber: string) => `[Commerce store ${storeNumber}]`;
const commsMarker = '[Commerce communications team]';

const personKey = (p: OrgPerson) => p.objectId ?? p.upn;

function finding(code: TeamsFindingCode, severity: TeamsFinding['severity'], message: string, extra: { storeNumber?: string; personnelNumber?: string; params?: Record<string, string | number> } = {}): TeamsFinding {
  return { code, severity, ...(extra.storeNumber ? { storeNumber: extra.storeNumber } : {}), ...(extra.personnelNumber ? { personnelNumber: extra.personnelNumber } : {}), message, ...(extra.params ? { params: extra.params } : {}) };
}

function tokenRoles(authorization: string): string[] | null {
  const jwt = authorization.replace(/^Bearer\s+/i, '').split('.')[1];
  if (!jwt) return null;
  try {
    const claims = JSON.parse(Buffer.from(jwt, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  } catch {
    return null;
  }
}

/** The permissions finding (exported for tests with a hand-made token). */
export function permissionFindings(authorization: string): TeamsFinding[] {
  const roles = tokenRoles(authorization);
  if (roles === null) return [];
  const missing = REQUIRED_GRAPH_PERMISSIONS.filter((any) => !any.some((r) => roles.includes(r))).map((any) => any[0]!);
  if (!missing.length) return [];
  return [finding('TEAMS_GRAPH_PERMISSION_MISSING', 'error',
    roles.length === 0
      ? `The Graph app's token has no application permissions: grant ${missing.join(', ')} and give admin consent.`
      : `The Graph app lacks the application permission(s) ${missing.join(', ')} (or admin consent for them).`, { params: { permissions: missing.join(', ') } })];
}

function isStatus(x: unknown, status: number): boolean {
  return isServiceError(x) && x.status === status;
}

export class TeamsEngine {
  private readonly clock: Clock;
  /** POST /teams one at a time at the team-creation rate (see pacing.ts). */
  private readonly teamCreation: Gate;
  /** New groups at the team-creation rate: each is teamified right after, so none wait long as a bare group. */
  private readonly groupCreation: Pacer;
  private readonly reads: Pacer;
  constructor(private readonly d: EngineDeps) {
    this.clock = d.clock ?? systemClock;
    const teamRate = d.teamCreationsPerSecond ?? GRAPH_TEAM_CREATIONS_PER_SECOND * 0.98;
    this.teamCreation = new Gate(new Pacer(teamRate, 4, this.clock, d.sleep));
    this.groupCreation = new Pacer(teamRate, 6, this.clock, d.sleep);
    const readRate = d.graphReadsPerSecond ?? GRAPH_REQUESTS_PER_SECOND * 0.9;
    this.reads = new Pacer(readRate, Math.max(21, readRate / 2), this.clock, d.sleep);
  }

  /** $batch GETs of many ids, 20 per request, several requests in flight, paced within Graph's global limit. */
  private async batchReads<T>(keys: readonly string[], read: (part: string[]) => Promise<T>, batchesPerPart = 1): Promise<T[]> {
    return mapLimit(chunk([...keys], 20), READ_BATCHES_IN_FLIGHT, async (part) => {
      await this.reads.take((part.length + 1) * batchesPerPart);
      return this.throttled(() => read(part));
    });
  }

  /** A 429 that outlived the HTTP client's retries: wait its Retry-After and try again (never early). */
  private async throttled<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (x) {
        if (!isServiceError(x) || (x.status !== 429 && x.code !== 'THROTTLED') || attempt >= 20) throw x;
        await this.d.sleep(Math.max(1000, x.details.retryAfterMs ?? 5000));
      }
    }
  }

  // -------------------------------------------------------------------------------------------- snapshot

  /** `onOrg` starts work that needs only the org (the plan's team lookups) alongside the Graph user reads. */
  private async snapshot(onOrg?: (org: OrgModel) => void): Promise<Snapshot> {
    const findings: TeamsFinding[] = [];
    if (this.d.graphAuthorization) findings.push(...permissionFindings(await this.d.graphAuthorization()));
    const org = await this.throttled(() => readOrg(this.d.commerce));
    for (const [k, name] of Object.entries(ORG_ENTITIES)) {
      if (!org.collections[k as keyof typeof ORG_ENTITIES])
        findings.push(finding('TEAMS_ENTITY_MISSING', k === 'mapping' ? 'error' : 'warning', `Commerce does not expose the data entity ${name} on OData.`, { params: { entity: name } }));
    }
    const keys = new Set<string>();
    for (const s of org.stores) for (const p of [...s.managers, ...s.workers]) if (personKey(p)) keys.add(personKey(p)!);
    for (const u of org.taskManagers) keys.add(u.upn);
    onOrg?.(org);
    const users = new Map<string, GraphUser | null>();
    const licensed = new Map<string, boolean>();
    const licences = async (part: string[]): Promise<Map<string, boolean>> => {
      const res = await this.d.graph.batch(part.map((key, i) => ({ id: String(i + 1), method: 'GET' as const, url: `/users/${encodeURIComponent(key)}/licenseDetails` })));
      const out = new Map<string, boolean>();
      res.forEach((r, i) => {
        const plans = ((r.body as { value?: { servicePlans?: { servicePlanName?: string; provisioningStatus?: string }[] }[] } | undefined)?.value ?? []).flatMap((l) => l.servicePlans ?? []);
        if (r.ok) out.set(part[i]!, plans.some((p) => /^TEAMS/i.test(p.servicePlanName ?? '') && p.provisioningStatus !== 'Disabled'));
      });
      return out;
    };
    // Each key's user and licences in two $batch requests side by side (licences by the key: an object id, or a UPN
    // Graph resolves the same way); keys whose licences did not come back that way are asked again by object id.
    await this.batchReads([...keys], async (part) => {
      const [found, lic] = await Promise.all([this.d.graph.resolveUsers(part, ['id', 'userPrincipalName', 'accountEnabled', 'displayName']), licences(part)]);
      for (const [k, u] of found) {
        // Only the fields the plan reads (a big org holds tens of thousands of these).
        users.set(k, u && { id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName, accountEnabled: u.accountEnabled });
        if (u && lic.has(k)) licensed.set(u.id, lic.get(k)!);
      }
    }, 2);
    const rest = [...new Set([...users.values()].filter((u): u is GraphUser => !!u && !licensed.has(u.id)).map((u) => u.id))];
    await this.batchReads(rest, async (part) => {
      for (const [id, ok] of await licences(part)) licensed.set(id, ok);
    });
    return { org, users, licensed, findings };
  }

  private orgFindings(s: Snapshot): TeamsFinding[] {
    const out: TeamsFinding[] = [];
    const { org } = s;
    const seen = new Set<string>();
    for (const store of org.stores) {
      if (store.managers.length === 0)
        out.push(finding('TEAMS_STORE_NO_MANAGER', 'warning', `Store ${store.storeNumber} (${store.name}) has no store manager, so it gets no team (rule R5). Add a worker with employment type Manager to the store.`, { storeNumber: store.storeNumber }));
      if (store.managers.length > GRAPH_OWNER_CAP)
        out.push(finding('TEAMS_OWNERS_OVER_LIMIT', 'error', `Store ${store.storeNumber} has ${store.managers.length} store managers; a team takes at most ${GRAPH_OWNER_CAP} owners.`, { storeNumber: store.storeNumber, params: { owners: store.managers.length } }));
      for (const p of [...store.managers, ...store.workers]) {
        if (seen.has(p.personnelNumber)) continue;
        seen.add(p.personnelNumber);
        const at = { storeNumber: store.storeNumber, personnelNumber: p.personnelNumber };
        const key = personKey(p);
        if (!key) {
          out.push(finding('TEAMS_WORKER_NO_IDENTITY', 'warning', `Worker ${p.personnelNumber} (${p.name}) in store ${store.storeNumber} is not linked to a Microsoft Entra identity (Workers → Commerce → Associate existing identity, then job 1060), so it is left out of the team.`, at));
          continue;
        }
        const u = s.users.get(key);
        const upn = u?.userPrincipalName ?? p.upn ?? key;
        if (!u) out.push(finding('TEAMS_USER_NOT_FOUND', 'error', `Worker ${p.personnelNumber} (${p.name}) is linked to the Entra user ${upn}, which does not exist. Associate the worker with an existing identity again.`, { ...at, params: { upn } }));
        else if (u.accountEnabled === false) out.push(finding('TEAMS_USER_DISABLED', 'warning', `The Entra account ${upn} of worker ${p.personnelNumber} is disabled; the worker cannot use Teams.`, { ...at, params: { upn } }));
        else if (s.licensed.get(u.id) === false) out.push(finding('TEAMS_USER_NO_TEAMS_LICENCE', 'warning', `The Entra user ${upn} of worker ${p.personnelNumber} has no licence that includes Microsoft Teams ("Failed to retrieve appliable Sku categories for the user"); assign one, then sync.`, { ...at, params: { upn } }));
      }
    }
    for (const rm of org.regionalManagers)
      if (!rm.hasTaskRole)
        out.push(finding('TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE', 'warning', `Regional manager ${rm.upn} (user ${rm.userId}) does not hold the Retail task manager role, so they cannot publish tasks or join the communications team (rules R6/R7).`, { personnelNumber: rm.personnelNumber, params: { userId: rm.userId, upn: rm.upn } }));
    if (org.collections.roles && org.taskManagers.length === 0)
      out.push(finding('TEAMS_NO_TASK_MANAGERS', 'warning', 'No user holds the Retail task manager role: the communications team has no members.'));
    if (org.collections.purposes) {
      const retail = org.hierarchies.filter((h) => h.purposes.includes(RETAIL_REPORTING_PURPOSE));
      if (retail.length === 0) out.push(finding('TEAMS_NO_RETAIL_REPORTING_HIERARCHY', 'error', 'No organization hierarchy has the purpose Retail reporting, so no targeting hierarchy can be exported (Organization hierarchy purposes → Retail reporting → Add).'));
      for (const h of org.hierarchies)
        if (!h.purposes.includes(RETAIL_REPORTING_PURPOSE))
          out.push(finding('TEAMS_HIERARCHY_NOT_RETAIL_REPORTING', 'info', `Hierarchy "${h.type}" is not assigned to the Retail reporting purpose (only ${h.purposes.join(', ')}), so it cannot be used as the targeting hierarchy.`, { params: { hierarchy: h.type } }));
    }
    return out;
  }

  // ----------------------------------------------------------------------------------------------- check

  async check(): Promise<{ findings: TeamsFinding[] }> {
    const plan = await this.plan();
    return { findings: plan.findings };
  }

  // ------------------------------------------------------------------------------------------------ plan

  private desired(s: Snapshot, store: OrgStore): Desired {
    const usable = (p: OrgPerson): GraphUser | null => {
      const key = personKey(p);
      const u = key ? s.users.get(key) : null;
      return u && s.licensed.get(u.id) !== false ? u : null;
    };
    const owners = new Map<string, string>();
    const members = new Map<string, string>();
    const known = new Set<string>();
    const knownManagers = new Set<string>();
    for (const p of [...store.managers, ...store.workers]) {
      const key = personKey(p);
      const u = key ? s.users.get(key) : null;
      if (u) known.add(u.id);
      if (u && p.manager) knownManagers.add(u.id);
    }
    for (const p of store.managers) {
      const u = usable(p);
      if (u) owners.set(u.id, u.userPrincipalName ?? p.upn ?? u.id);
    }
    for (const p of store.workers) {
      const u = usable(p);
      if (u && !owners.has(u.id)) members.set(u.id, u.userPrincipalName ?? p.upn ?? u.id);
    }
    return { store, mailNickname: storeMailNickname(store.name), owners, members, known, knownManagers };
  }

  private async groupByNickname(nick: string): Promise<GraphGroup | null> {
    const found = await this.throttled(() => this.d.graph.collect<GraphGroup>('groups', { filter: `mailNickname eq '${nick.replace(/'/g, "''")}'`, select: ['id', 'displayName', 'mailNickname', 'description', 'resourceProvisioningOptions'] }));
    return found[0] ?? null;
  }

  private async teamOrNull(id: string): Promise<{ id: string; displayName: string } | null> {
    try {
      return await this.throttled(() => this.d.graph.getTeam(id));
    } catch (x) {
      if (isStatus(x, 404)) return null;
      throw x;
    }
  }

  private async groupOrNull(id: string): Promise<GraphGroup | null> {
    try {
      return await this.throttled(() => this.d.graph.getGroup(id, ['id', 'displayName', 'mailNickname', 'description', 'resourceProvisioningOptions']));
    } catch (x) {
      if (isStatus(x, 404)) return null;
      throw x;
    }
  }

  /** Current owners/members of a team (or of a group not yet a team). */
  private async roster(groupId: string, isTeam: boolean): Promise<{ owners: Set<string>; all: Map<string, string> }> {
    const all = new Map<string, string>();
    const owners = new Set<string>();
    if (isTeam) {
      for (const m of await this.throttled(() => this.d.graph.teamMembers(groupId))) {
        all.set(m.userId, String(m.email ?? m.userId));
        if (m.roles.includes('owner')) owners.add(m.userId);
      }
    } else {
      for (const u of await this.throttled(() => this.d.graph.groupMembers(groupId))) all.set(u.id, u.userPrincipalName ?? u.id);
      for (const u of await this.throttled(() => this.d.graph.groupOwners(groupId))) {
        all.set(u.id, u.userPrincipalName ?? u.id);
        owners.add(u.id);
      }
    }
    return { owners, all };
  }

  /** Where a store's team is: Commerce mapping, our link, or a group with our nickname and marker. */
  private async locate(store: OrgStore, nick: string, org: OrgModel): Promise<{ groupId: string | null; isTeam: boolean; mapped: boolean; problem?: TeamsFinding; displayName?: string }> {
    const mapped = org.mapping.get(store.storeNumber);
    if (mapped?.teamId) {
      const t = await this.teamOrNull(mapped.teamId);
      if (!t) return { groupId: null, isTeam: false, mapped: true, problem: finding('TEAMS_MAPPED_TEAM_NOT_FOUND', 'error', `Store ${store.storeNumber} is mapped to team ${mapped.teamId}, which does not exist. Fix the Teams mapping entity.`, { storeNumber: store.storeNumber, params: { teamId: mapped.teamId } }) };
      return { groupId: t.id, isTeam: true, mapped: true, displayName: t.displayName };
    }
    const link = this.d.links.get('RetailStore', store.storeNumber);
    if (link?.groupId) {
      const g = await this.groupOrNull(link.groupId);
      if (g) {
        const t = await this.teamOrNull(g.id);
        return { groupId: g.id, isTeam: !!t, mapped: false, displayName: g.displayName };
      }
    }
    const g = await this.groupByNickname(nick);
    if (g) {
      const ours = (typeof g.description === 'string' && g.description.includes(storeMarker(store.storeNumber))) || (link !== null && link.mailNickname.toLowerCase() === nick.toLowerCase());
      if (!ours)
        return { groupId: null, isTeam: false, mapped: false, problem: finding('TEAMS_MAIL_NICKNAME_COLLISION', 'error', `The mail nickname ${nick} of store ${store.storeNumber}'s team is taken by group "${g.displayName}" (${g.id}), which the console did not create. Map the store to that team (Teams mapping) or rename the group's alias.`, { storeNumber: store.storeNumber, params: { mailNickname: nick, other: g.id } }) };
      const t = await this.teamOrNull(g.id);
      return { groupId: g.id, isTeam: !!t, mapped: false, displayName: g.displayName };
    }
    return { groupId: null, isTeam: false, mapped: false };
  }

  async plan(o: { prune?: boolean } = {}): Promise<TeamsPlan & { internal: PlanInternal }> {
    // Where each store's team is (and its roster) needs only the org: looked up while the users are read.
    type Found = { where: Awaited<ReturnType<TeamsEngine['locate']>>; roster: Awaited<ReturnType<TeamsEngine['roster']>> };
    let located: Promise<Map<string, Found>> = Promise.resolve(new Map());
    const s = await this.snapshot((org) => {
      const found = new Map<string, Found>();
      const todo = org.stores.filter((st) => st.managers.length > 0 && st.managers.length <= GRAPH_OWNER_CAP);
      located = mapLimit(todo, this.d.concurrency ?? PLAN_CONCURRENCY, async (store) => {
        const where = await this.locate(store, storeMailNickname(store.name), org);
        const roster = where.groupId && !where.problem ? await this.roster(where.groupId, where.isTeam) : { owners: new Set<string>(), all: new Map<string, string>() };
        found.set(store.storeNumber, { where, roster });
      }).then(() => found);
      located.catch(() => undefined); // awaited below; a failing snapshot must not leave it unhandled
    });
    const found = await located;
    const findings = [...s.findings, ...this.orgFindings(s)];
    const stores: TeamsPlanStore[] = [];
    const internal: PlanInternal = { desired: new Map(), comms: null };
    const nickOwner = new Map<string, string>();
    const rows = s.org.stores.map((store) => {
      const d = this.desired(s, store);
      const empty = { owners: { add: [], remove: [] }, members: { add: [], remove: [] } };
      if (store.managers.length === 0) return { row: { storeNumber: store.storeNumber, teamId: null, action: 'skip' as const, reason: 'no-manager', ...empty } };
      if (store.managers.length > GRAPH_OWNER_CAP) return { row: { storeNumber: store.storeNumber, teamId: null, action: 'skip' as const, reason: 'owners-over-limit', ...empty } };
      return { d, ...found.get(store.storeNumber)! };
    });
    for (const r of rows) {
      if ('row' in r && r.row) {
        stores.push(r.row);
        continue;
      }
      const { d, where, roster } = r as { d: Desired; where: Awaited<ReturnType<TeamsEngine['locate']>>; roster: Awaited<ReturnType<TeamsEngine['roster']>> };
      const store = d.store;
      const base = { storeNumber: store.storeNumber, displayName: store.name, mailNickname: d.mailNickname };
      const empty = { owners: { add: [], remove: [] }, members: { add: [], remove: [] } };
      if (where.problem) {
        findings.push(where.problem);
        stores.push({ ...base, teamId: null, action: 'skip', reason: where.problem.code === 'TEAMS_MAPPED_TEAM_NOT_FOUND' ? 'mapped-team-not-found' : 'mail-nickname-collision', ...empty });
        continue;
      }
      if (!where.mapped) {
        const other = nickOwner.get(d.mailNickname.toLowerCase());
        if (other) {
          findings.push(finding('TEAMS_MAIL_NICKNAME_COLLISION', 'error', `Stores ${other} and ${store.storeNumber} have names that give the same mail nickname ${d.mailNickname}; store ${store.storeNumber} is skipped. Rename one of the stores' operating units.`, { storeNumber: store.storeNumber, params: { mailNickname: d.mailNickname, other } }));
          stores.push({ ...base, teamId: null, action: 'skip', reason: 'mail-nickname-collision', ...empty });
          continue;
        }
        nickOwner.set(d.mailNickname.toLowerCase(), store.storeNumber);
      }
      internal.desired.set(store.storeNumber, { d, groupId: where.groupId, isTeam: where.isTeam, mapped: where.mapped });
      const ownersAdd = [...d.owners].filter(([id]) => !roster.owners.has(id));
      const membersAdd = [...d.members].filter(([id]) => !roster.all.has(id));
      const ownersRemove = o.prune ? [...roster.owners].filter((id) => !d.owners.has(id) && !d.knownManagers.has(id)).map((id) => [id, roster.all.get(id) ?? id] as const) : [];
      const membersRemove = o.prune ? [...roster.all].filter(([id]) => !roster.owners.has(id) && !d.owners.has(id) && !d.members.has(id) && !d.known.has(id)) : [];
      // Owners that must go stay members when they still work in the store.
      const rename = !where.mapped && where.groupId && where.displayName !== undefined && where.displayName !== store.name;
      const mappingMissing = where.groupId !== null && s.org.collections.mapping !== null && s.org.mapping.get(store.storeNumber)?.teamId !== where.groupId;
      const upn = (xs: readonly (readonly [string, string])[]) => xs.map(([, u]) => u).sort();
      const row: TeamsPlanStore = {
        ...base,
        teamId: where.groupId,
        action: !where.groupId || !where.isTeam ? 'create' : ownersAdd.length || membersAdd.length || ownersRemove.length || membersRemove.length || rename || mappingMissing ? 'update' : 'none',
        ...(where.mapped ? { reason: 'mapped' } : where.groupId && !where.isTeam ? { reason: 'teamify-pending' } : rename ? { reason: 'rename' } : {}),
        owners: { add: upn(ownersAdd), remove: upn(ownersRemove) },
        members: { add: upn(membersAdd), remove: upn(membersRemove.map(([id, u]) => [id, u] as const)) },
      };
      internal.desired.get(store.storeNumber)!.delta = { ownersAdd: ownersAdd.map(([id]) => id), membersAdd: membersAdd.map(([id]) => id), ownersRemove: ownersRemove.map(([id]) => id), membersRemove: membersRemove.map(([id]) => id), demote: ownersRemove.filter(([id]) => d.members.has(id) || d.known.has(id)).map(([id]) => id), rename: !!rename, mapping: mappingMissing };
      stores.push(row);
    }
    stores.sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));

    // The communications team: the Retail task managers (R6, R8).
    const comms = new Map<string, string>();
    for (const tm of s.org.taskManagers) {
      const u = s.users.get(tm.upn);
      if (u && s.licensed.get(u.id) !== false) comms.set(u.id, u.userPrincipalName ?? tm.upn);
    }
    let communicationsTeam: TeamsPlan['communicationsTeam'];
    if (comms.size === 0) communicationsTeam = { teamId: null, action: 'skip', reason: 'no-task-managers', members: { add: [], remove: [] } };
    else {
      const link = this.d.links.get('Communications', COMMUNICATIONS_TEAM.sourceId);
      let g = link?.groupId ? await this.groupOrNull(link.groupId) : null;
      g ??= await this.groupByNickname(COMMUNICATIONS_TEAM.mailNickname);
      // The nickname is dedicated to the communications team (the mapping editor uses it too): a group holding it
      // is the communications team unless it is one of the store teams.
      if (g && !link && typeof g.description === 'string' && /\[Commerce store /.test(g.description)) {
        findings.push(finding('TEAMS_MAIL_NICKNAME_COLLISION', 'error', `The communications team's mail nickname ${COMMUNICATIONS_TEAM.mailNickname} is taken by group "${g.displayName}" (${g.id}), which the console did not create.`, { params: { mailNickname: COMMUNICATIONS_TEAM.mailNickname, other: g.id } }));
        communicationsTeam = { teamId: null, action: 'skip', reason: 'mail-nickname-collision', members: { add: [], remove: [] } };
      } else {
        const isTeam = g ? !!(await this.teamOrNull(g.id)) : false;
        const roster = g ? await this.roster(g.id, isTeam) : { owners: new Set<string>(), all: new Map<string, string>() };
        const add = [...comms].filter(([id]) => !roster.all.has(id));
        const remove = o.prune ? [...roster.all].filter(([id]) => !comms.has(id)) : [];
        internal.comms = { groupId: g?.id ?? null, isTeam, members: comms, add: add.map(([id]) => id), remove: remove.map(([id]) => id) };
        communicationsTeam = {
          teamId: g?.id ?? null,
          action: !g || !isTeam ? 'create' : add.length || remove.length ? 'update' : 'none',
          members: { add: add.map(([, u]) => u).sort(), remove: remove.map(([, u]) => u).sort() },
        };
      }
    }
    return { stores, communicationsTeam, findings: dedupe(findings), internal };
  }

  // ----------------------------------------------------------------------------------------------- apply

  /**
   * `stores` limits the work to those stores ('communications' = the communications team); `signal` stops starting
   * stores (those in flight finish; one stopped by the abort is neither done nor failed); `onPlan` sees the plan.
   */
  async apply(o: { prune?: boolean; stores?: readonly string[]; signal?: AbortSignal; onPlan?: (plan: TeamsPlan) => void } = {}): Promise<TeamsApplyResult> {
    const plan = await this.plan(o);
    o.onPlan?.(plan);
    const result: TeamsApplyResult = { teamsCreated: 0, ownersAdded: 0, membersAdded: 0, membersRemoved: 0, failed: [] };
    this.totals = result;
    const work = plan.stores.filter((r) => (r.action === 'create' || r.action === 'update') && (!o.stores || o.stores.includes(r.storeNumber)));
    await mapLimit(work, this.d.concurrency ?? APPLY_CONCURRENCY, async (row) => {
      if (o.signal?.aborted) return;
      const it = plan.internal.desired.get(row.storeNumber)!;
      try {
        await this.applyStore(row, it, result, plan.internal);
        this.d.links.setError('RetailStore', row.storeNumber, null);
        this.progress({ storeNumber: row.storeNumber, phase: 'store-done', ...(this.d.links.get('RetailStore', row.storeNumber)?.groupId ? { teamId: this.d.links.get('RetailStore', row.storeNumber)!.groupId! } : {}) });
      } catch (x) {
        if (x instanceof EngineInterrupted || o.signal?.aborted) throw x;
        const e = describe(x);
        result.failed.push({ storeNumber: row.storeNumber, ...e });
        this.d.links.setError('RetailStore', row.storeNumber, `${e.code}: ${e.message}`);
        this.progress({ storeNumber: row.storeNumber, phase: 'store-failed', error: e });
      }
    }).catch((x: unknown) => {
      if (!(o.signal?.aborted && !(x instanceof EngineInterrupted))) throw x;
    });
    const comms = COMMUNICATIONS_TEAM.sourceId;
    if ((plan.communicationsTeam.action === 'create' || plan.communicationsTeam.action === 'update') && (!o.stores || o.stores.includes(comms)) && !o.signal?.aborted) {
      try {
        await this.applyComms(plan.internal.comms!, result);
        this.progress({ storeNumber: comms, phase: 'store-done' });
      } catch (x) {
        if (x instanceof EngineInterrupted) throw x;
        if (!o.signal?.aborted) {
          result.failed.push({ storeNumber: comms, ...describe(x) });
          this.progress({ storeNumber: comms, phase: 'store-failed', error: describe(x) });
        }
      }
    }
    result.failed.sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));
    return result;
  }

  private totals: TeamsApplyResult = { teamsCreated: 0, ownersAdded: 0, membersAdded: 0, membersRemoved: 0, failed: [] };
  private progress(e: EngineProgress): void {
    this.d.onProgress?.(e, this.totals);
  }

  private async step(storeNumber: string, s: Parameters<NonNullable<EngineDeps['onStep']>>[1]): Promise<void> {
    await this.d.onStep?.(storeNumber, s);
  }

  private async applyStore(row: TeamsPlanStore, it: PlanEntry, result: TeamsApplyResult, _internal: PlanInternal): Promise<void> {
    const { d } = it;
    const sn = d.store.storeNumber;
    let groupId = it.groupId;
    let created = false;
    if (!groupId) {
      // 1. The link first: a crash from here on resumes on this store's group (found by link, nickname and marker).
      // (A group id already on the link was checked by the plan and found gone: only the nickname counts now. The
      // plan has just looked the nickname up; a group made since then makes the create answer "mailNickname already
      // exists", and createGroup adopts it when it carries this store's marker.)
      this.d.links.reserve('RetailStore', sn, d.mailNickname, d.store.name);
      await this.step(sn, 'reserved');
      await this.groupCreation.take();
      this.progress({ storeNumber: sn, phase: 'creating-group' });
      const made = await this.createGroup(d.store.name, d.mailNickname, `${d.store.name} ${storeMarker(sn)}`, [...d.owners.keys()], storeMarker(sn));
      groupId = made.id;
      created = made.created;
      if (created) await this.step(sn, 'group-created');
      this.d.links.setGroup('RetailStore', sn, groupId, 'group');
      await this.step(sn, 'group');
      if (created) result.ownersAdded += d.owners.size;
    }
    if (!it.isTeam) {
      await this.teamify(groupId, sn);
      result.teamsCreated++;
      if (!it.mapped) this.d.links.setGroup('RetailStore', sn, groupId, 'team');
      await this.step(sn, 'team');
    }
    // Owners/members: re-read the roster (a resumed group may already hold some of them); a group this run made
    // holds exactly the owners it was created with.
    const roster = created ? { owners: new Set(d.owners.keys()), all: new Map(d.owners) } : await this.roster(groupId, true);
    const ownersAdd = [...d.owners.keys()].filter((id) => !roster.owners.has(id));
    const membersAdd = [...d.members.keys()].filter((id) => !roster.all.has(id));
    const adds = [...ownersAdd.map((userId) => ({ userId, owner: true })), ...membersAdd.map((userId) => ({ userId }))];
    if (adds.length) {
      this.progress({ storeNumber: sn, phase: 'adding-members', count: adds.length });
      const res = await this.throttled(() => this.d.graph.addTeamMembers(groupId!, adds));
      for (const r of res) {
        const owner = ownersAdd.includes(r.userId);
        if (r.ok) {
          if (owner) result.ownersAdded++;
          else result.membersAdded++;
        } else {
          const who = d.owners.get(r.userId) ?? d.members.get(r.userId) ?? r.userId;
          const pn = [...d.store.managers, ...d.store.workers].find((p) => p.objectId === r.userId || p.upn === who)?.personnelNumber;
          result.failed.push({ storeNumber: sn, code: r.error?.code || 'MemberAddFailed', message: `${who}: ${r.error?.message || r.error?.code || 'not added'}`, userId: r.userId, ...(pn ? { personnelNumber: pn } : {}) });
        }
      }
    }
    await this.step(sn, 'members');
    const delta = it.delta;
    if (delta) {
      if (delta.ownersRemove.length + delta.membersRemove.length) this.progress({ storeNumber: sn, phase: 'removing-members', count: delta.ownersRemove.length + delta.membersRemove.length });
      // Removals after adds, so a team never loses its last owner on the way.
      const members = await this.throttled(() => this.d.graph.teamMembers(groupId!));
      const membership = new Map(members.map((m) => [m.userId, String(m.id)]));
      for (const id of delta.ownersRemove) {
        const mid = membership.get(id);
        if (!mid) continue;
        if (delta.demote.includes(id)) await this.throttled(() => this.d.graph.call('PATCH', `teams/${encodeURIComponent(groupId!)}/members/${encodeURIComponent(mid)}`, { json: { '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: [] } }));
        else {
          await this.throttled(() => this.d.graph.call('DELETE', `teams/${encodeURIComponent(groupId!)}/members/${encodeURIComponent(mid)}`));
          result.membersRemoved++;
        }
      }
      for (const id of delta.membersRemove) {
        const mid = membership.get(id);
        if (!mid) continue;
        await this.throttled(() => this.d.graph.call('DELETE', `teams/${encodeURIComponent(groupId!)}/members/${encodeURIComponent(mid)}`));
        result.membersRemoved++;
      }
      if (delta.rename) await this.throttled(() => this.d.graph.call('PATCH', `groups/${encodeURIComponent(groupId!)}`, { json: { displayName: d.store.name } }));
    }
    this.progress({ storeNumber: sn, phase: 'writing-mapping', teamId: groupId });
    await this.writeMapping(sn, groupId);
    await this.step(sn, 'mapped');
    if (!it.mapped || this.d.links.get('RetailStore', sn)) {
      this.d.links.reserve('RetailStore', sn, d.mailNickname, d.store.name);
      this.d.links.setGroup('RetailStore', sn, groupId, 'synced');
    }
    void row;
  }

  private async applyComms(c: NonNullable<PlanInternal['comms']>, result: TeamsApplyResult): Promise<void> {
    const src = COMMUNICATIONS_TEAM.sourceId;
    let groupId = c.groupId;
    const ids = [...c.members.keys()].sort();
    if (!groupId) {
      this.d.links.reserve('Communications', src, COMMUNICATIONS_TEAM.mailNickname, COMMUNICATIONS_TEAM.displayName);
      groupId = (await this.groupByNickname(COMMUNICATIONS_TEAM.mailNickname))?.id ?? null;
      if (!groupId) {
        // One owner (a team needs one); every task manager becomes a member below.
        groupId = (await this.createGroup(COMMUNICATIONS_TEAM.displayName, COMMUNICATIONS_TEAM.mailNickname, `Retail task managers publish task lists from here. ${commsMarker}`, ids.slice(0, 1), commsMarker)).id;
        result.ownersAdded++;
      }
      this.d.links.setGroup('Communications', src, groupId, 'group');
    }
    if (!c.isTeam) {
      await this.teamify(groupId, src);
      result.teamsCreated++;
      this.d.links.setGroup('Communications', src, groupId, 'team');
    }
    const roster = await this.roster(groupId, true);
    const add = ids.filter((id) => !roster.all.has(id));
    if (add.length) {
      for (const r of await this.throttled(() => this.d.graph.addTeamMembers(groupId!, add.map((userId) => ({ userId }))))) {
        if (r.ok) result.membersAdded++;
        else result.failed.push({ storeNumber: src, code: r.error?.code || 'MemberAddFailed', message: `${c.members.get(r.userId) ?? r.userId}: ${r.error?.message || 'not added'}`, userId: r.userId });
      }
    }
    if (c.remove.length) {
      const membership = new Map((await this.throttled(() => this.d.graph.teamMembers(groupId!))).map((m) => [m.userId, String(m.id)]));
      for (const id of c.remove) {
        const mid = membership.get(id);
        if (!mid) continue;
        await this.throttled(() => this.d.graph.call('DELETE', `teams/${encodeURIComponent(groupId!)}/members/${encodeURIComponent(mid)}`));
        result.membersRemoved++;
      }
    }
    this.d.links.setGroup('Communications', src, groupId, 'synced');
  }

  /** POST /groups with a deterministic nickname; a "nickname already exists" means an earlier try got through: adopt it. */
  private async createGroup(displayName: string, mailNickname: string, description: string, owners: string[], marker: string): Promise<{ id: string; created: boolean }> {
    try {
      const g = await this.throttled(() => this.d.graph.createGroup({ displayName, mailNickname, description, visibility: 'Private', owners, extra: { resourceBehaviorOptions: ['WelcomeEmailDisabled'] } }));
      return { id: g.id, created: true };
    } catch (x) {
      if (isGraphError(x) && x.status === 400 && /mailNickname/i.test(x.serviceMessage)) {
        const g = await this.groupByNickname(mailNickname);
        if (g && typeof g.description === 'string' && g.description.includes(marker)) return { id: g.id, created: false };
      }
      throw x;
    }
  }

  /**
   * Group → team: POST /teams with group@odata.bind → 202, poll the operation. 404 = the directory has not
   * replicated the new group yet (wait and retry, up to 15 min); 409 "Team already exists" = an earlier try
   * (a lying 404) made it: success once the team reads back.
   */
  private async teamify(groupId: string, storeNumber = ''): Promise<void> {
    const deadline = this.clock.now() + REPLICATION_TIMEOUT_MS;
    let delay = 10_000;
    for (;;) {
      try {
        const started = await this.teamCreation.run(() => this.throttled(() => this.d.graph.startTeamCreation({ 'group@odata.bind': `https://graph.microsoft.com/v1.0/groups('${groupId}')` })));
        this.progress({ storeNumber, phase: 'creating-team', teamId: groupId, operationStatus: 'notStarted' });
        await this.waitForOperation(started.operationUrl, deadline, (op) => this.progress({ storeNumber, phase: 'creating-team', teamId: groupId, operationStatus: op.status }));
        // The operation succeeded: the team is there (only a 409 leaves it possibly still provisioning).
        return;
      } catch (x) {
        if (isStatus(x, 409)) break;
        if (!isStatus(x, 404) || this.clock.now() + delay > deadline) throw x;
        this.progress({ storeNumber, phase: 'waiting-replication', teamId: groupId, secondsLeft: Math.ceil(delay / 1000) });
        await this.d.sleep(delay);
        delay = Math.min(delay * 2, 120_000);
      }
    }
    // Re-read until the team answers (it may still be provisioning after a 409).
    let wait = 1000;
    for (;;) {
      if (await this.teamOrNull(groupId)) return;
      if (this.clock.now() + wait > deadline) throw new Error(`Team ${groupId} did not become readable within 15 minutes.`);
      await this.d.sleep(wait);
      wait = Math.min(wait * 2, 30_000);
    }
  }

  /**
   * Poll a teamsAsyncOperation (Location of the 202, either URL form) until it succeeds: every second for the
   * first 20 polls, then doubling up to 30 s; failed/invalid and the 15-minute deadline throw.
   */
  private async waitForOperation(operationUrl: string, deadline: number, onStatus: (op: TeamsAsyncOperation) => void): Promise<void> {
    const path = operationUrl.replace(/^https:\/\/[^/]+\/(v1\.0|beta)\//, '').replace(/^\//, '');
    for (let polls = 1; ; polls++) {
      const op = await this.throttled(() => this.d.graph.get<TeamsAsyncOperation>(path));
      onStatus(op);
      if (op.status === 'succeeded') return;
      if (op.status === 'failed' || op.status === 'invalid')
        throw new GraphError(200, op.error?.code || 'TeamOperationFailed', `Team provisioning ${op.status}: ${op.error?.message || 'no reason given'} (operation ${op.id}).`, { url: path, method: 'GET', body: op });
      const delay = polls < OPERATION_FAST_POLLS ? OPERATION_POLL_MS : Math.min(30_000, OPERATION_POLL_MS * 2 ** (polls - OPERATION_FAST_POLLS + 1));
      if (this.clock.now() + delay > deadline)
        throw new GraphError(null, 'TeamOperationTimeout', `Team provisioning did not finish in time (operation ${op.id} is still ${op.status}). Check the team later; it may still appear.`, { url: path, method: 'GET' });
      await this.d.sleep(delay);
    }
  }

  /** Write store → team back to Commerce's "Teams mapping between source and team". */
  private async writeMapping(storeNumber: string, teamId: string): Promise<void> {
    const org = await this.mappingCollection();
    if (!org) return;
    const rows = await this.throttled(() => this.d.commerce.list<{ SourceType: string; SourceId: string; TeamId: string | null }>(org, { filter: `SourceId eq '${storeNumber.replace(/'/g, "''")}'` }));
    const row = rows.find((r) => r.SourceType === MAPPING_SOURCE_TYPE);
    if (row?.TeamId === teamId) return;
    if (row) await this.throttled(() => this.d.commerce.update(org, { SourceType: MAPPING_SOURCE_TYPE, SourceId: storeNumber }, { TeamId: teamId }));
    else await this.throttled(() => this.d.commerce.create(org, { SourceType: MAPPING_SOURCE_TYPE, SourceId: storeNumber, TeamId: teamId }));
  }

  private mappingName: Promise<string | null> | null = null;
  private mappingCollection(): Promise<string | null> {
    this.mappingName ??= this.d.commerce.collectionFor(ORG_ENTITIES.mapping);
    return this.mappingName;
  }
}

interface PlanEntry {
  d: Desired;
  groupId: string | null;
  isTeam: boolean;
  mapped: boolean;
  delta?: { ownersAdd: string[]; membersAdd: string[]; ownersRemove: string[]; membersRemove: string[]; demote: string[]; rename: boolean; mapping: boolean };
}
export interface PlanInternal {
  desired: Map<string, PlanEntry>;
  comms: { groupId: string | null; isTeam: boolean; members: Map<string, string>; add: string[]; remove: string[] } | null;
}

function describe(x: unknown): { code: string; message: string } {
  if (isServiceError(x)) return { code: x.code || `HTTP_${x.status ?? 0}`, message: x.serviceMessage };
  if (x instanceof OrgEntityMissing) return { code: 'TEAMS_ENTITY_MISSING', message: x.message };
  return { code: 'TEAMS_APPLY_FAILED', message: (x as Error)?.message ?? String(x) };
}

function dedupe(f: TeamsFinding[]): TeamsFinding[] {
  const seen = new Set<string>();
  return f.filter((x) => {
    const k = `${x.code}|${x.storeNumber ?? ''}|${x.personnelNumber ?? ''}|${x.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Map with at most `limit` promises in flight; results in input order; the first error rejects after in-flight work ends. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < items.length && failure === null) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (x) {
        failure ??= x;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== null) throw failure;
  return out;
}
