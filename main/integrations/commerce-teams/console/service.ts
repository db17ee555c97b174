/**
 * teams.* in the console (issue 14; reference commerce-teams-integration.md A.3–A.5, B.3–B.8, C.1–C.5): the
 * configuration (profiles whose secrets stay in the profiles' vault, data-sharing consent, enable/disable), the
 * pre-flight with one-click fixes (preview first), the plan, apply as a background run with progress events,
 * cancel, resume after a crash, run history, retry failed stores, and the job-queue entry that runs "sync teams and
 * members" on a schedule.
 *
 * The engine (../engine.ts) does the work and is idempotent; this service records what a run did (./runs.ts), turns
 * the engine's steps into `teams.progress` events (rate-limited by the kernel's EventPump; a store's last state and
 * the run's end are never dropped) and sees Graph's 429s on the wire to show a throttling countdown.
 */
import type { TeamsPlan } from '../../../../preload/contract/commerce-teams/findings';
import type {
  TeamsChanged, TeamsConfig, TeamsConsoleFinding, TeamsFix, TeamsFixId, TeamsMessage, TeamsPlanResult, TeamsProgress, TeamsProgressPhase, TeamsRun,
  TeamsRunCounts, TeamsRunDetail, TeamsRunError, TeamsRunTrigger, TeamsSchedule,
} from '../../../../preload/contract/commerce-teams/teams';
import type { ConnectionProfile } from '../../../../preload/contract/core/connections';
import type { CommerceClient } from '../../../clients/commerce/client';
import type { GraphClient } from '../../../clients/graph';
import { filter } from '../../../clients/odata';
import type { Connections } from '../../../connections';
import type { Db } from '../../../db/database';
import type { FetchLike } from '../../../http/client';
import { isServiceError } from '../../../http/errors';
import { ScheduledEntry } from '../../../kernel/jobs/scheduled-entry';
import { EventPump } from '../../../kernel/runs/pump';
import type { Clock, Logger } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';
import { connectProfiles, type ConnectOptions } from '../connect';
import { COMMUNICATIONS_TEAM, TeamsEngine, type EngineDeps, type EngineProgress } from '../engine';
import { TeamLinkStore } from '../links';
import { MAPPING_SOURCE_TYPE, ORG_ENTITIES, RETAIL_TASK_MANAGER_ROLE, RETAIL_TASK_MANAGER_ROLE_NAME } from '../org';
import { TeamsConfigStore } from './config';
import { TeamsRunStore, ZERO_COUNTS } from './runs';

/** The job-queue entry of the scheduled sync (kernel queue; category keeps it apart from the Sales entries). */
export const TEAMS_SYNC_ENTRY = 'Commerce ⇄ Teams: sync teams and members';
export const TEAMS_QUEUE_CATEGORY = 'COMMERCE TEAMS';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TeamsConsoleEvents {
  progress: (p: TeamsProgress) => void;
  changed: (c: TeamsChanged) => void;
}

export interface TeamsConsoleDeps {
  db: Db;
  clock: Clock;
  connections: Connections;
  events?: TeamsConsoleEvents;
  logger?: Logger;
  /** Waits of the engine and its clients (tests advance a clock instead). Default: a timer that a cancel stops. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The fetch Graph calls go through (the app's sandbox-trusting fetch); wrapped to see 429s. Default global fetch. */
  graphFetch?: FetchLike;
  /** Graph client tuning (tests). */
  graph?: ConnectOptions['graph'];
  /** Stores worked on at once (engine default 4). */
  concurrency?: number;
  /** At most one progress event per this many ms per run (default 200 = 5/s); 0 sends each at once. */
  progressIntervalMs?: number;
  /** The scheduled sync's heartbeat (ms); 0 = off (tests call tick()). */
  schedulerIntervalMs?: number;
  /** Test hooks passed to the engine (onStep). */
  engine?: Pick<EngineDeps, 'onStep'>;
}

interface ActiveRun {
  runId: string;
  abort: AbortController;
  counts: TeamsRunCounts;
  done: Promise<TeamsRun>;
}

interface Opened {
  commerce: CommerceClient;
  graph: GraphClient;
  engine: TeamsEngine;
  links: TeamLinkStore;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const msg = (code: string, params: Record<string, string | number> = {}): TeamsMessage => ({ code, params });

export class TeamsConsoleService {
  private readonly config: TeamsConfigStore;
  private readonly runStore: TeamsRunStore;
  private readonly schedule: ScheduledEntry;
  private active: ActiveRun | null = null;

  constructor(private readonly d: TeamsConsoleDeps) {
    this.config = new TeamsConfigStore(d.db, d.clock);
    this.runStore = new TeamsRunStore(d.db, d.clock);
    this.runStore.recoverInterrupted();
    this.schedule = new ScheduledEntry(d.db, d.clock, {
      name: TEAMS_SYNC_ENTRY, category: TEAMS_QUEUE_CATEGORY,
      description: 'Sync teams and members: re-plan from Commerce and apply the delta to Microsoft Teams.',
    });
    this.schedule.startHeartbeat(d.schedulerIntervalMs ?? 0, () => this.tick(), (x) => d.logger?.warn(`Commerce ⇄ Teams schedule: ${(x as Error)?.message ?? String(x)}`));
  }

  close(): void {
    this.schedule.stopHeartbeat();
    this.active?.abort.abort();
  }

  private changed(...what: TeamsChanged['what']): void {
    this.d.events?.changed({ what });
  }

  // ------------------------------------------------------------------------------------------ configuration

  getConfig(): TeamsConfig {
    return this.config.get();
  }

  private async profile(id: string, kind: 'commerce-hq' | 'graph'): Promise<ConnectionProfile> {
    const p = (await this.d.connections.store.list()).find((x) => x.id === id);
    if (!p) throw new AppFailure('TEAMS_CONFIG_PROFILE_NOT_FOUND', `There is no connection profile with id ${id}: it was deleted. Choose another profile.`, { profileId: id });
    if (p.kind !== kind)
      throw new AppFailure('TEAMS_CONFIG_PROFILE_WRONG_KIND', `Connection "${p.name}" is a ${p.kind} profile; choose a ${kind === 'graph' ? 'Microsoft Graph' : 'Commerce headquarters'} profile.`, { profile: p.name, kind: p.kind, expected: kind });
    return p;
  }

  async setConfig(input: { commerceProfileId?: string | null | undefined; graphProfileId?: string | null | undefined; dataSharingConsent?: boolean | undefined; pruneDefault?: boolean | undefined }): Promise<TeamsConfig> {
    if (input.commerceProfileId) await this.profile(input.commerceProfileId, 'commerce-hq');
    if (input.graphProfileId) await this.profile(input.graphProfileId, 'graph');
    const current = this.config.get();
    const profilesChange = (input.commerceProfileId !== undefined && input.commerceProfileId !== current.commerceProfileId) || (input.graphProfileId !== undefined && input.graphProfileId !== current.graphProfileId);
    if (profilesChange && this.active) throw new AppFailure('TEAMS_RUN_ACTIVE', 'A run is under way: wait for it to finish (or cancel it) before changing the profiles.', { runId: this.active.runId });
    // Withdrawing the consent, or removing a profile, disables provisioning.
    if (current.enabled && (input.dataSharingConsent === false || input.commerceProfileId === null || input.graphProfileId === null)) await this.disable(false);
    const next = this.config.update({
      ...(input.commerceProfileId !== undefined ? { commerceProfileId: input.commerceProfileId } : {}),
      ...(input.graphProfileId !== undefined ? { graphProfileId: input.graphProfileId } : {}),
      ...(input.dataSharingConsent !== undefined ? { consent: input.dataSharingConsent } : {}),
      ...(input.pruneDefault !== undefined ? { pruneDefault: input.pruneDefault } : {}),
    });
    this.changed('config');
    return next;
  }

  private async profiles(): Promise<{ commerce: ConnectionProfile; graph: ConnectionProfile }> {
    const c = this.config.get();
    if (!c.commerceProfileId || !c.graphProfileId) {
      const missing = !c.commerceProfileId && !c.graphProfileId ? 'both' : !c.commerceProfileId ? 'commerce' : 'graph';
      throw new AppFailure('TEAMS_NOT_CONFIGURED', 'Choose the Commerce headquarters and the Microsoft Graph connection profile provisioning uses first.', { missing });
    }
    return { commerce: await this.profile(c.commerceProfileId, 'commerce-hq'), graph: await this.profile(c.graphProfileId, 'graph') };
  }

  async enable(): Promise<{ config: TeamsConfig; effects: TeamsMessage[] }> {
    await this.profiles();
    if (!this.config.get().dataSharingConsent.accepted)
      throw new AppFailure('TEAMS_CONSENT_REQUIRED', 'Accept the data-sharing consent first: Commerce shares store, worker and task data with Microsoft Teams.');
    const config = this.config.update({ enabled: true });
    const s = this.config.schedule();
    const effects = [msg('TEAMS_ENABLE_RUNS_ALLOWED')];
    if (s.enabled) {
      this.schedule.set(true, s.everyMinutes);
      effects.push(msg('TEAMS_ENABLE_SCHEDULE_READY', { everyMinutes: s.everyMinutes }));
    } else effects.push(msg('TEAMS_ENABLE_SCHEDULE_OFF'));
    this.changed('config', 'schedule');
    return { config, effects };
  }

  async disable(dryRun: boolean): Promise<{ config: TeamsConfig; effects: TeamsMessage[]; applied: boolean }> {
    const effects = [msg('TEAMS_DISABLE_NO_RUNS')];
    if (this.schedule.holdable()) effects.push(msg('TEAMS_DISABLE_SCHEDULE_ON_HOLD', { entry: TEAMS_SYNC_ENTRY }));
    if (this.active) effects.push(msg('TEAMS_DISABLE_RUN_CANCELLED', { runId: this.active.runId }));
    effects.push(msg('TEAMS_DISABLE_TEAMS_KEPT'), msg('TEAMS_DISABLE_LINKS_KEPT'));
    if (dryRun) return { config: this.config.get(), effects, applied: false };
    this.schedule.hold();
    this.active?.abort.abort();
    const config = this.config.update({ enabled: false });
    this.changed('config', 'schedule');
    return { config, effects, applied: true };
  }

  private requireEnabled(): void {
    if (!this.config.get().enabled) throw new AppFailure('TEAMS_DISABLED', 'Commerce ⇄ Teams provisioning is disabled: enable it on the setup page first.');
  }

  // ------------------------------------------------------------------------------------------ connecting

  /** Clients and an engine over the configured profiles; `signal` makes every wait stop on cancel. */
  private async open(o: { signal?: AbortSignal; onProgress?: EngineDeps['onProgress']; onThrottled?: (seconds: number) => void } = {}): Promise<Opened> {
    const { commerce, graph } = await this.profiles();
    const sleep = this.d.sleep ?? defaultSleep;
    const base: FetchLike = this.d.graphFetch ?? ((url, init) => fetch(url, init));
    const onThrottled = o.onThrottled;
    const graphFetch: FetchLike = onThrottled
      ? async (url, init) => {
        const r = await base(url, init);
        if (r.status === 429) {
          const ra = Number(r.headers.get('retry-after'));
          onThrottled(Number.isFinite(ra) && ra >= 0 ? Math.ceil(ra) : 5);
        }
        return r;
      }
      : base;
    const clients = await connectProfiles(this.d.connections, commerce, graph, {
      sleep: (ms, signal) => sleep(ms, signal ?? o.signal), clock: this.d.clock, graphFetch, ...(this.d.logger ? { logger: this.d.logger } : {}), ...(this.d.graph ? { graph: this.d.graph } : {}),
    });
    const scope = `${clients.commerce.environmentUrl} ${clients.graph.http.baseUrl.toString().replace(/\/+$/, '')}`;
    const links = new TeamLinkStore(this.d.db, scope, this.d.clock);
    const engine = new TeamsEngine({
      commerce: clients.commerce, graph: clients.graph, graphAuthorization: clients.graphAuthorization, links,
      sleep: (ms) => sleep(ms, o.signal), clock: this.d.clock,
      ...(this.d.concurrency ? { concurrency: this.d.concurrency } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(this.d.engine?.onStep ? { onStep: this.d.engine.onStep } : {}),
    });
    return { commerce: clients.commerce, graph: clients.graph, engine, links };
  }

  // ------------------------------------------------------------------------------------------ pre-flight

  private async withFixes(findings: TeamsPlan['findings'], graph: GraphClient): Promise<TeamsConsoleFinding[]> {
    const out: TeamsConsoleFinding[] = [];
    for (const f of findings) {
      let fix: TeamsFix | undefined;
      const p = f.params ?? {};
      if (f.code === 'TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE' && p.userId)
        fix = { fixId: 'assign-task-role', params: { userId: String(p.userId), upn: String(p.upn ?? '') }, previewCodes: ['TEAMS_FIX_ASSIGN_TASK_ROLE'] };
      else if (f.code === 'TEAMS_MAPPED_TEAM_NOT_FOUND' && f.storeNumber && p.teamId)
        fix = { fixId: 'clear-stale-mapping', params: { storeNumber: f.storeNumber, teamId: String(p.teamId) }, previewCodes: ['TEAMS_FIX_CLEAR_MAPPING'] };
      else if (f.code === 'TEAMS_MAIL_NICKNAME_COLLISION' && f.storeNumber && GUID.test(String(p.other ?? '')) && (await this.teamName(graph, String(p.other))) !== null)
        fix = { fixId: 'map-store-to-team', params: { storeNumber: f.storeNumber, teamId: String(p.other) }, previewCodes: ['TEAMS_FIX_MAP_STORE'] };
      out.push(fix ? { ...f, fix } : f);
    }
    return out;
  }

  private async teamName(graph: GraphClient, id: string): Promise<string | null> {
    try {
      return (await graph.getTeam(id)).displayName;
    } catch (x) {
      if (isServiceError(x) && x.status === 404) return null;
      throw x;
    }
  }

  async check(): Promise<{ findings: TeamsConsoleFinding[]; checkedAt: number }> {
    const { engine, graph } = await this.open();
    const { findings } = await engine.check();
    return { findings: await this.withFixes(findings, graph), checkedAt: this.d.clock.now() };
  }

  private async collection(commerce: CommerceClient, entity: string): Promise<string> {
    const c = await commerce.collectionFor(entity);
    if (!c) throw new AppFailure('TEAMS_FIX_WRITE_FAILED', `Commerce does not expose the data entity ${entity} on OData.`, { entity, message: 'not exposed' });
    return c;
  }

  private notApplicable(fixId: TeamsFixId, why: string): never {
    throw new AppFailure('TEAMS_FIX_NOT_APPLICABLE', `This fix no longer applies: ${why} Run the pre-flight again.`, { fixId });
  }

  /** What the fix will write, checked against Commerce and Teams now; `write` makes it. */
  private async prepareFix(o: Opened, fixId: TeamsFixId, params: Record<string, string>): Promise<{ changes: TeamsMessage[]; write: () => Promise<void>; entity: string }> {
    const { commerce, graph } = o;
    if (fixId === 'assign-task-role') {
      const userId = params.userId;
      if (!userId) this.notApplicable(fixId, 'no user was given.');
      const users = await commerce.list(await this.collection(commerce, ORG_ENTITIES.users), { filter: filter.eq('UserID', userId!), select: ['UserID', 'Alias'] });
      if (!users.length) this.notApplicable(fixId, `user ${userId} does not exist in Commerce.`);
      const roles = await this.collection(commerce, ORG_ENTITIES.roles);
      const rows = (await commerce.list<{ UserId: string; SecurityRoleIdentifier: string; AssignmentStatus?: string }>(roles, { filter: filter.eq('UserId', userId!) }))
        .filter((r) => r.SecurityRoleIdentifier.toUpperCase() === RETAIL_TASK_MANAGER_ROLE);
      if (rows.some((r) => (r.AssignmentStatus || 'Enabled') === 'Enabled')) this.notApplicable(fixId, `user ${userId} already holds ${RETAIL_TASK_MANAGER_ROLE_NAME}.`);
      const upn = params.upn || String(users[0]!.Alias ?? '');
      return {
        entity: ORG_ENTITIES.roles,
        changes: [msg('TEAMS_FIX_ASSIGN_TASK_ROLE', { userId: userId!, upn, role: RETAIL_TASK_MANAGER_ROLE_NAME })],
        write: async () => {
          if (rows.length) await commerce.update(roles, { UserId: userId!, SecurityRoleIdentifier: rows[0]!.SecurityRoleIdentifier }, { AssignmentStatus: 'Enabled' });
          else await commerce.create(roles, { UserId: userId!, SecurityRoleIdentifier: RETAIL_TASK_MANAGER_ROLE, SecurityRoleName: RETAIL_TASK_MANAGER_ROLE_NAME, AssignmentStatus: 'Enabled', AssignmentMode: 'Manual' });
        },
      };
    }
    const storeNumber = params.storeNumber;
    const teamId = params.teamId;
    if (!storeNumber || !teamId || !GUID.test(teamId)) this.notApplicable(fixId, 'the store or team is missing.');
    const mapping = (await commerce.collectionFor(ORG_ENTITIES.mapping)) ?? (await this.collection(commerce, 'RetailTeamsSourceTeamMappingEntity'));
    const row = (await commerce.list<{ SourceType: string; SourceId: string; TeamId: string | null }>(mapping, { filter: filter.eq('SourceId', storeNumber!) }))
      .find((r) => r.SourceType === MAPPING_SOURCE_TYPE);
    if (fixId === 'clear-stale-mapping') {
      if (!row || (row.TeamId ?? '').toLowerCase() !== teamId!.toLowerCase()) this.notApplicable(fixId, `store ${storeNumber} is no longer mapped to team ${teamId}.`);
      if ((await this.teamName(graph, teamId!)) !== null) this.notApplicable(fixId, `team ${teamId} exists.`);
      return {
        entity: ORG_ENTITIES.mapping,
        changes: [msg('TEAMS_FIX_CLEAR_MAPPING', { storeNumber: storeNumber!, teamId: teamId! })],
        write: () => commerce.update(mapping, { SourceType: MAPPING_SOURCE_TYPE, SourceId: storeNumber! }, { TeamId: '' }),
      };
    }
    // map-store-to-team
    const name = await this.teamName(graph, teamId!);
    if (name === null) this.notApplicable(fixId, `team ${teamId} does not exist.`);
    if (teamId!.toLowerCase() === (this.linkOfComms(o) ?? '').toLowerCase()) this.notApplicable(fixId, `team ${teamId} is the communications team.`);
    if (row?.TeamId && row.TeamId.toLowerCase() === teamId!.toLowerCase()) this.notApplicable(fixId, `store ${storeNumber} is already mapped to team ${teamId}.`);
    return {
      entity: ORG_ENTITIES.mapping,
      changes: [msg('TEAMS_FIX_MAP_STORE', { storeNumber: storeNumber!, teamId: teamId!, teamName: name! })],
      write: async () => {
        if (row) await commerce.update(mapping, { SourceType: MAPPING_SOURCE_TYPE, SourceId: storeNumber! }, { TeamId: teamId! });
        else await commerce.create(mapping, { SourceType: MAPPING_SOURCE_TYPE, SourceId: storeNumber!, TeamId: teamId! });
      },
    };
  }

  private linkOfComms(o: Opened): string | null {
    return o.links.get('Communications', COMMUNICATIONS_TEAM.sourceId)?.groupId ?? null;
  }

  async previewFix(fixId: TeamsFixId, params: Record<string, string>): Promise<{ fixId: TeamsFixId; changes: TeamsMessage[] }> {
    const o = await this.open();
    return { fixId, changes: (await this.prepareFix(o, fixId, params)).changes };
  }

  async applyFix(fixId: TeamsFixId, params: Record<string, string>): Promise<{ applied: TeamsMessage[]; findings: TeamsConsoleFinding[] }> {
    const o = await this.open();
    const fix = await this.prepareFix(o, fixId, params);
    try {
      await fix.write();
    } catch (x) {
      const message = isServiceError(x) ? x.serviceMessage : (x as Error)?.message ?? String(x);
      throw new AppFailure('TEAMS_FIX_WRITE_FAILED', `Commerce refused the change to ${fix.entity}: ${message}`, { entity: fix.entity, message });
    }
    const { findings } = await o.engine.check();
    this.changed('findings');
    return { applied: fix.changes, findings: await this.withFixes(findings, o.graph) };
  }

  // ------------------------------------------------------------------------------------------ plan

  async plan(prune: boolean | undefined): Promise<TeamsPlanResult> {
    const o = await this.open();
    const p = prune ?? this.config.get().pruneDefault;
    const { internal: _internal, ...plan } = await o.engine.plan({ prune: p });
    return { ...plan, findings: await this.withFixes(plan.findings, o.graph), plannedAt: this.d.clock.now(), prune: p };
  }

  // ------------------------------------------------------------------------------------------ runs

  async apply(o: { prune?: boolean; storeNumbers?: string[] }, trigger: TeamsRunTrigger, parentRunId: string | null = null): Promise<{ runId: string; done: Promise<TeamsRun> }> {
    this.requireEnabled();
    if (this.active) throw new AppFailure('TEAMS_RUN_ACTIVE', 'A Commerce ⇄ Teams run is under way: wait for it to finish or cancel it.', { runId: this.active.runId });
    const elsewhere = this.runStore.liveForeign();
    if (elsewhere) throw new AppFailure('TEAMS_RUN_ACTIVE', 'Another console on this data folder is running Commerce ⇄ Teams: wait for it to finish.', { runId: elsewhere });
    await this.profiles();
    const prune = o.prune ?? this.config.get().pruneDefault;
    const stores = o.storeNumbers ? [...new Set(o.storeNumbers)].sort() : null;
    const runId = this.runStore.create({ trigger, prune, storeNumbers: stores, parentRunId });
    const abort = new AbortController();
    const counts: TeamsRunCounts = { ...ZERO_COUNTS };
    const active: ActiveRun = { runId, abort, counts, done: null as unknown as Promise<TeamsRun> };
    this.active = active;
    active.done = this.execute(active, prune, stores).finally(() => {
      if (this.active === active) this.active = null;
    });
    this.changed('runs');
    return { runId, done: active.done };
  }

  private async execute(run: ActiveRun, prune: boolean, stores: string[] | null): Promise<TeamsRun> {
    await Promise.resolve();
    const { runId, counts, abort } = run;
    const pump = new EventPump(this.d.progressIntervalMs ?? 200, () => Date.now());
    const send = (storeNumber: string | null, phase: TeamsProgressPhase, extra: Partial<TeamsProgress> = {}, terminal = false) => {
      const p: TeamsProgress = { runId, storeNumber, phase, ...extra, counts: { ...counts }, at: this.d.clock.now() };
      pump.push({ key: storeNumber ?? '', replaceable: !terminal, send: () => this.d.events?.progress(p) });
    };
    const recorded = new Set<object>();
    const storeErrors = (failed: readonly TeamsRunError[], sn: string) => {
      const out = failed.filter((f) => f.storeNumber === sn && !recorded.has(f));
      for (const f of out) recorded.add(f);
      return out;
    };
    const onProgress = (e: EngineProgress, totals: Readonly<{ teamsCreated: number; ownersAdded: number; membersAdded: number; membersRemoved: number; failed: TeamsRunError[] }>) => {
      Object.assign(counts, { teamsCreated: totals.teamsCreated, ownersAdded: totals.ownersAdded, membersAdded: totals.membersAdded, membersRemoved: totals.membersRemoved });
      if (e.phase === 'store-done' || e.phase === 'store-failed') {
        if (e.phase === 'store-done') counts.storesDone++;
        else counts.storesFailed++;
        this.runStore.storeFinished(runId, e.storeNumber, e.phase === 'store-done' ? 'done' : 'failed', storeErrors(totals.failed, e.storeNumber), e.teamId ?? null, e.phase);
        this.runStore.counts(runId, counts);
        send(e.storeNumber, e.phase, e.error ? { error: { storeNumber: e.storeNumber, ...e.error } } : {}, true);
        return;
      }
      this.runStore.phase(runId, e.storeNumber, e.phase);
      send(e.storeNumber, e.phase, {
        ...(e.operationStatus ? { operationStatus: (['notStarted', 'inProgress', 'succeeded', 'failed'].includes(e.operationStatus) ? e.operationStatus : 'unknown') as TeamsProgress['operationStatus'] } : {}),
        ...(e.secondsLeft !== undefined ? { secondsLeft: e.secondsLeft } : {}),
        ...(e.count !== undefined ? { count: e.count } : {}),
      });
    };
    const onPlan = (plan: TeamsPlan) => {
      const inScope = (sn: string) => !stores || stores.includes(sn);
      const rows = plan.stores.filter((r) => inScope(r.storeNumber));
      const c = plan.communicationsTeam;
      if (inScope(COMMUNICATIONS_TEAM.sourceId))
        rows.push({ storeNumber: COMMUNICATIONS_TEAM.sourceId, action: c.action, ...(c.reason ? { reason: c.reason } : {}), teamId: c.teamId, owners: { add: [], remove: [] }, members: c.members });
      counts.storesPlanned = rows.filter((r) => r.action === 'create' || r.action === 'update').length;
      this.runStore.planned(runId, rows);
      this.runStore.counts(runId, counts);
      send(null, 'planning', {}, true);
    };
    send(null, 'planning');
    let result;
    try {
      const opened = await this.open({ signal: abort.signal, onProgress, onThrottled: (s) => send(null, 'throttled', { retryAfterSeconds: s }) });
      result = await opened.engine.apply({ prune, ...(stores ? { stores } : {}), signal: abort.signal, onPlan });
    } catch (x) {
      const cancelled = abort.signal.aborted;
      const error = cancelled ? null : x instanceof AppFailure ? { code: x.code, message: x.message, ...(x.params ? { params: x.params } : {}) } : isServiceError(x) ? { code: x.code || `HTTP_${x.status ?? 0}`, message: x.serviceMessage } : { code: 'TEAMS_APPLY_FAILED', message: (x as Error)?.message ?? String(x) };
      this.runStore.counts(runId, counts);
      this.runStore.finish(runId, cancelled ? 'cancelled' : 'failed', error);
      send(null, cancelled ? 'cancelled' : 'failed', error ? { error: { storeNumber: '', code: error.code, message: error.message } } : {}, true);
      await pump.flushed();
      this.changed('runs', 'schedule');
      return this.runStore.get(runId)!;
    }
    Object.assign(counts, { teamsCreated: result.teamsCreated, ownersAdded: result.ownersAdded, membersAdded: result.membersAdded, membersRemoved: result.membersRemoved });
    const left = result.failed.filter((f) => !recorded.has(f));
    if (left.length) this.runStore.addErrors(runId, left);
    this.runStore.counts(runId, counts);
    const state = abort.signal.aborted ? 'cancelled' : result.failed.length === 0 ? 'succeeded' : counts.storesDone > 0 || counts.storesFailed === 0 ? 'partial' : 'failed';
    this.runStore.finish(runId, state);
    send(null, state === 'cancelled' ? 'cancelled' : state === 'failed' ? 'failed' : 'done', {}, true);
    await pump.flushed();
    this.changed('runs', 'findings', 'schedule');
    return this.runStore.get(runId)!;
  }

  cancel(runId: string): boolean {
    if (!this.active || this.active.runId !== runId) return false;
    this.active.abort.abort();
    return true;
  }

  /** The promise of the run under way (tests, the scheduler). */
  running(): { runId: string; done: Promise<TeamsRun> } | null {
    return this.active ? { runId: this.active.runId, done: this.active.done } : null;
  }

  private existing(runId: string): TeamsRun {
    const r = this.runStore.get(runId);
    if (!r) throw new AppFailure('TEAMS_RUN_NOT_FOUND', `There is no run ${runId}.`, { runId });
    return r;
  }

  async resume(runId: string): Promise<{ runId: string; done: Promise<TeamsRun> }> {
    const r = this.existing(runId);
    if (r.state !== 'interrupted' && r.state !== 'cancelled')
      throw new AppFailure('TEAMS_RUN_NOT_RESUMABLE', `Run ${runId} is ${r.state}; only an interrupted or cancelled run can be resumed.`, { runId, state: r.state });
    return this.apply({ prune: r.prune, ...(r.storeNumbers ? { storeNumbers: r.storeNumbers } : {}) }, 'resume', runId);
  }

  runs(limit: number): TeamsRun[] {
    return this.runStore.list(limit);
  }

  run(runId: string): TeamsRunDetail {
    const r = this.runStore.detail(runId);
    if (!r) throw new AppFailure('TEAMS_RUN_NOT_FOUND', `There is no run ${runId}.`, { runId });
    return r;
  }

  async retryFailed(runId: string): Promise<{ runId: string; done: Promise<TeamsRun> }> {
    const r = this.existing(runId);
    const stores = this.runStore.failedStores(runId);
    if (!stores.length) throw new AppFailure('TEAMS_RUN_NOTHING_TO_RETRY', `Run ${runId} has no failed store to retry.`, { runId });
    return this.apply({ prune: r.prune, storeNumbers: stores }, 'retry', runId);
  }

  // ------------------------------------------------------------------------------------------ schedule

  getSchedule(): TeamsSchedule {
    const s = this.config.schedule();
    const last = this.d.db.prepare<[], { run_id: string }>(`SELECT run_id FROM commerce_teams_runs WHERE trigger = 'schedule' ORDER BY started_at DESC, rowid DESC LIMIT 1`).get();
    return {
      entry: TEAMS_SYNC_ENTRY, enabled: s.enabled, everyMinutes: s.everyMinutes, prune: s.prune, ...this.schedule.state(), lastRunId: last?.run_id ?? null,
    };
  }

  setSchedule(o: { enabled: boolean; everyMinutes: number; prune: boolean }): TeamsSchedule {
    if (this.schedule.running()) throw new AppFailure('TEAMS_RUN_ACTIVE', 'The scheduled sync is running now: wait for it to finish, then change the schedule.', { runId: this.active?.runId ?? '' });
    this.config.update({ schedule: o });
    this.schedule.set(o.enabled && this.config.get().enabled, o.everyMinutes);
    this.changed('schedule');
    return this.getSchedule();
  }

  /**
   * The scheduler's step (the heartbeat calls it; tests call it after moving the clock): when the entry is due and
   * provisioning is enabled, "sync teams and members" runs as a run with trigger `schedule` through the kernel
   * scheduler's bookkeeping (attempts, rerun delay, next start).
   */
  async tick(): Promise<{ ran: string[]; failed: string[] }> {
    if (this.active || !this.config.get().enabled) return { ran: [], failed: [] };
    const report = await this.schedule.tick(async () => {
      this.changed('schedule');
      const { done } = await this.apply({ prune: this.config.schedule().prune }, 'schedule');
      const r = await done;
      if (r.state === 'failed' || r.state === 'cancelled') throw new Error(r.error?.message ?? `The scheduled sync ended ${r.state}.`);
    });
    if (report.ran.length || report.failed.length) this.changed('schedule');
    return report;
  }
}
