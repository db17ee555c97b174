/**
 * teams.* through the contract (router: input and output validated) over the real sandboxes (Commerce HTTP, Graph
 * HTTPS with its CA, identity for the profiles' client-secret sign-in): configuration round-trip and its validation
 * errors, the pre-flight with a one-click fix previewed then applied (the finding is gone after), the plan, apply
 * with progress events recorded as a run, cancel mid-run, a run interrupted by a "crash" (a second service on the
 * same database) then resumed, retry of a failed store, and the job-queue entry that runs "sync teams and members".
 * No sleeps: every wait the engine and its clients ask for advances the sandboxes' test clock; runs are awaited
 * through their promises and events.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sandbox from '../../../main/sandbox';
import { SANDBOX_TENANT_ID } from '../../../main/sandbox/tenant';
import { FINDING_CASES } from '../../../main/sandbox/commerce-teams-personas';
import { fetchTrustingCa } from '../../../main/clients/graph';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { createConnections, type Connections } from '../../../main/connections';
import { MsalAuth } from '../../../main/auth/msal-auth';
import { openDatabase, type Db } from '../../../main/db/database';
import { DbSecretStore } from '../../../main/secrets/store';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { EventBus } from '../../../main/rpc/events';
import { createRouter, type Handlers } from '../../../main/rpc/router';
import { createTeamsHandlers } from '../../../main/integrations/commerce-teams/handlers';
import { TeamsConsoleService, TEAMS_SYNC_ENTRY, type TeamsConsoleDeps } from '../../../main/integrations/commerce-teams/console/service';
import type { TeamsChanged, TeamsProgress, TeamsRun } from '../../../preload/contract/commerce-teams/teams';
import en from '../../../renderer/i18n/locales/commerce-teams/provision/en.json';
import { quietLogger, tempDir } from '../../support/app';
import { testClock, type TestClock } from '../../support/clock';
import { keyFile } from '../../../main/platform/paths';

type EventEnvelope = { name: string; payload: unknown };
const AUTHORITY = 'https://login.sandbox.localhost';
const STORES = Array.from({ length: 29 }, (_, i) => `0010${String(i + 1).padStart(2, '0')}`);
/** A store whose mail nickname a team made outside the console holds: the one-click fix maps the store to it. */
const FOREIGN_STORE = '001012';
let foreignTeam = '';
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!);

let sb: Awaited<ReturnType<typeof sandbox.startSandbox>>;
let clock: TestClock;
let db: Db;
let connections: Connections;
let dir: ReturnType<typeof tempDir>;
let ids: { commerce: string; graph: string; other: string };
const bus = new EventBus();
const seen: EventEnvelope[] = [];
/** Test hook: the engine's persisted steps (a failing or hanging store). */
let onStep: NonNullable<TeamsConsoleDeps['engine']>['onStep'] = () => undefined;

function service(): TeamsConsoleService {
  return new TeamsConsoleService({
    db, clock, connections, logger: quietLogger,
    events: { progress: (p) => bus.emit('teams.progress', p), changed: (c) => bus.emit('teams.changed', c) },
    sleep: async (ms) => clock.advance(ms),
    graphFetch: fetchTrustingCa(readFileSync(sb.info.graph.caFile!, 'utf8')),
    graph: { pollStartMs: 1000 },
    // One store at a time: a cancel after the first store stops exactly there, a "crash" leaves one store hanging.
    concurrency: 1,
    progressIntervalMs: 0,
    engine: { onStep: (s, step) => onStep!(s, step) },
  });
}

let svc: TeamsConsoleService;
let call: <T = unknown>(method: string, payload?: unknown) => Promise<T>;
let callRaw: (method: string, payload?: unknown) => Promise<{ ok: boolean; error?: { code: string; params?: Record<string, unknown> }; value?: unknown }>;

function bind(s: TeamsConsoleService) {
  const router = createRouter(createTeamsHandlers(s) as unknown as Handlers, { error: () => undefined });
  callRaw = async (method, payload = {}) => (await router.call(method, payload, { transport: 'memory' })) as never;
  call = async <T,>(method: string, payload: unknown = {}) => {
    const r = await callRaw(method, payload);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error!.code}`), r.error);
    return r.value as T;
  };
}

const groupsOfStore = (storeNumber: string) => [...sb.graph.state.groups.values()].filter((g) => (g.description ?? '').includes(`[Commerce store ${storeNumber}]`));
const progressOf = (runId: string) => seen.filter((e): e is { name: 'teams.progress'; payload: TeamsProgress } => e.name === 'teams.progress' && (e.payload as TeamsProgress).runId === runId).map((e) => e.payload);
const changed = () => seen.filter((e) => e.name === 'teams.changed').flatMap((e) => (e.payload as TeamsChanged).what);

beforeAll(async () => {
  clock = testClock();
  sb = await sandbox.startSandbox({ port: 0, clock });
  sb.graph.settings.teamProvisioningMs = 4000;
  dir = tempDir('d365ic-teams-console-');
  db = openDatabase(':memory:').db;
  const secrets = new DbSecretStore(db, new KeyFileCipher(keyFile(dir.dir)));
  connections = createConnections({
    db, secrets, logger: quietLogger, clock,
    auth: new MsalAuth({ secrets, logger: quietLogger, routes: [{ authorityHost: AUTHORITY, target: sb.identity.url }] }),
    browser: { openExternal: async () => undefined },
    emit: (() => undefined) as never,
  });
  const common = { environmentName: null, company: null, tier: 'test' as const, colour: '#1565c0', authMethod: 'client-secret' as const, userName: null, certificateThumbprint: null };
  const hq = await connections.store.save({ ...common, name: 'HQ', kind: 'commerce-hq', url: sb.info.commerce.url, app: { clientId: sb.info.clients.commerce.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: AUTHORITY }, secrets: { clientSecret: sb.info.clients.commerce.clientSecret } });
  const m365 = await connections.store.save({ ...common, name: 'M365', kind: 'graph', url: new URL(sb.info.graph.url).origin, app: { clientId: sb.info.clients.graph.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: AUTHORITY }, secrets: { clientSecret: sb.info.clients.graph.clientSecret } });
  const other = await connections.store.save({ ...common, name: 'Sales', kind: 'dataverse', url: 'https://org.crm4.dynamics.com', app: { clientId: sb.info.clients.graph.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: null, authorityHost: AUTHORITY }, secrets: { clientSecret: 'x' } });
  ids = { commerce: hq.id, graph: m365.id, other: other.id };
  bus.subscribe((name, payload) => seen.push({ name, payload }));
  svc = service();
  bind(svc);
});

afterAll(async () => {
  svc?.close();
  db?.close();
  await sb?.close();
  dir?.cleanup();
});

describe('teams.* configuration', () => {
  it('round-trips the profiles, the consent (with its time) and the prune default; refuses wrong kinds, unknown ids and bad input', async () => {
    expect(await call('teams.getConfig')).toEqual({ enabled: false, enabledAt: null, commerceProfileId: null, graphProfileId: null, dataSharingConsent: { accepted: false, acceptedAt: null }, pruneDefault: false });
    expect(await callRaw('teams.enable')).toMatchObject({ ok: false, error: { code: 'TEAMS_NOT_CONFIGURED', params: { missing: 'both' } } });
    expect(await callRaw('teams.setConfig', { commerceProfileId: ids.graph })).toMatchObject({ ok: false, error: { code: 'TEAMS_CONFIG_PROFILE_WRONG_KIND', params: { profile: 'M365', expected: 'commerce-hq' } } });
    expect(await callRaw('teams.setConfig', { graphProfileId: ids.other })).toMatchObject({ ok: false, error: { code: 'TEAMS_CONFIG_PROFILE_WRONG_KIND', params: { profile: 'Sales' } } });
    expect(await callRaw('teams.setConfig', { graphProfileId: 'no-such-profile' })).toMatchObject({ ok: false, error: { code: 'TEAMS_CONFIG_PROFILE_NOT_FOUND' } });
    expect(await callRaw('teams.setConfig', { graphProfileId: ids.graph, secret: 'x' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await callRaw('teams.setConfig', { pruneDefault: 'yes' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect((await call<{ commerceProfileId: string | null }>('teams.getConfig')).commerceProfileId).toBeNull();

    expect(await call('teams.setConfig', { commerceProfileId: ids.commerce, graphProfileId: ids.graph })).toMatchObject({ commerceProfileId: ids.commerce, graphProfileId: ids.graph, enabled: false });
    expect(await callRaw('teams.enable')).toMatchObject({ ok: false, error: { code: 'TEAMS_CONSENT_REQUIRED' } });
    expect(await callRaw('teams.apply', {})).toMatchObject({ ok: false, error: { code: 'TEAMS_DISABLED' } });
    const at = clock.now();
    const withConsent = await call<{ dataSharingConsent: { accepted: boolean; acceptedAt: number } }>('teams.setConfig', { dataSharingConsent: true });
    expect(withConsent.dataSharingConsent.accepted).toBe(true);
    expect(withConsent.dataSharingConsent.acceptedAt).toBeGreaterThanOrEqual(at);
    expect(changed()).toContain('config');

    const enabled = await call<{ config: { enabled: boolean; enabledAt: number }; effects: { code: string; params: Record<string, unknown> }[] }>('teams.enable');
    expect(enabled.config.enabled).toBe(true);
    expect(enabled.effects.map((e) => e.code)).toEqual(['TEAMS_ENABLE_RUNS_ALLOWED', 'TEAMS_ENABLE_SCHEDULE_OFF']);
    // A second service on the same database reads the same configuration (it is stored, not kept in memory).
    const again = service();
    expect(again.getConfig()).toEqual(await call('teams.getConfig'));
    again.close();
  });
});

describe('teams.check with a one-click fix', () => {
  it('previews then assigns Retail task manager to the regional manager; the finding is gone after and the communications team gains them', async () => {
    const { findings } = await call<{ findings: { code: string; storeNumber?: string; personnelNumber?: string; params?: Record<string, string | number>; fix?: { fixId: string; params: Record<string, string>; previewCodes: string[] } }[] }>('teams.check');
    const f = findings.find((x) => x.code === 'TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE')!;
    expect(f.fix).toEqual({ fixId: 'assign-task-role', params: { userId: expect.any(String), upn: FINDING_CASES.regionalManagerWithoutRole }, previewCodes: ['TEAMS_FIX_ASSIGN_TASK_ROLE'] });
    // Every finding's text has its placeholders filled from what main sends.
    for (const x of findings) for (const p of placeholders(en.finding[x.code as keyof typeof en.finding])) expect({ ...x.params, storeNumber: x.storeNumber, personnelNumber: x.personnelNumber }[p], `${x.code} {{${p}}}`).toBeDefined();
    // Findings the console cannot fix carry no fix.
    expect(findings.find((x) => x.code === 'TEAMS_STORE_NO_MANAGER')?.fix).toBeUndefined();

    const roles = () => sb.commerce.store.db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM "SecurityUserRoles" WHERE UserId = ? AND SecurityRoleIdentifier = 'RETAILTASKMANAGER'`).get(f.fix!.params.userId!)!.n;
    expect(roles()).toBe(0);
    const preview = await call<{ changes: { code: string; params: Record<string, string> }[] }>('teams.previewFix', { fixId: f.fix!.fixId, params: f.fix!.params });
    expect(preview.changes).toEqual([{ code: 'TEAMS_FIX_ASSIGN_TASK_ROLE', params: { userId: f.fix!.params.userId, upn: FINDING_CASES.regionalManagerWithoutRole, role: 'Retail task manager' } }]);
    for (const c of preview.changes) for (const p of placeholders(en.fix[c.code as keyof typeof en.fix])) expect(c.params).toHaveProperty(p);
    expect(roles()).toBe(0); // a preview writes nothing

    const applied = await call<{ applied: unknown[]; findings: { code: string }[] }>('teams.applyFix', { fixId: f.fix!.fixId, params: f.fix!.params });
    expect(applied.applied).toEqual(preview.changes);
    expect(applied.findings.map((x) => x.code)).not.toContain('TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE');
    expect(applied.findings.map((x) => x.code)).toContain('TEAMS_STORE_NO_MANAGER');
    expect(roles()).toBe(1);
    expect(changed()).toContain('findings');
    expect(await callRaw('teams.applyFix', { fixId: f.fix!.fixId, params: f.fix!.params })).toMatchObject({ ok: false, error: { code: 'TEAMS_FIX_NOT_APPLICABLE', params: { fixId: 'assign-task-role' } } });
    expect(await callRaw('teams.previewFix', { fixId: 'delete-everything', params: {} })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it("a team made outside the console holds a store's mail nickname: the fix maps the store to that team (synced, not re-created)", async () => {
    const row = (await call<{ stores: { storeNumber: string; displayName?: string; mailNickname?: string }[] }>('teams.plan', {})).stores.find((x) => x.storeNumber === FOREIGN_STORE)!;
    const graph = connectSandboxInfo(sb.info).graph;
    foreignTeam = (await graph.createGroup({ displayName: `${row.displayName} (IT)`, mailNickname: row.mailNickname! })).id;
    sb.graph.state.groups.get(foreignTeam)!.team = { id: foreignTeam, readyAt: 0, createdAt: 0, isArchived: false, memberSettings: {}, channels: [] };

    const { findings } = await call<{ findings: { code: string; storeNumber?: string; fix?: { fixId: string; params: Record<string, string> } }[] }>('teams.check');
    const f = findings.find((x) => x.code === 'TEAMS_MAIL_NICKNAME_COLLISION' && x.storeNumber === FOREIGN_STORE)!;
    expect(f.fix).toMatchObject({ fixId: 'map-store-to-team', params: { storeNumber: FOREIGN_STORE, teamId: foreignTeam } });
    const preview = await call<{ changes: unknown[] }>('teams.previewFix', { fixId: f.fix!.fixId, params: f.fix!.params });
    expect(preview.changes).toEqual([{ code: 'TEAMS_FIX_MAP_STORE', params: { storeNumber: FOREIGN_STORE, teamId: foreignTeam, teamName: `${row.displayName} (IT)` } }]);
    const mapped = () => sb.commerce.store.db.prepare<[string], { TeamId: string }>('SELECT TeamId FROM "RetailTeamsSourceTeamMappings" WHERE SourceId = ?').get(FOREIGN_STORE)?.TeamId;
    expect(mapped()).toBeUndefined();
    const applied = await call<{ findings: { code: string; storeNumber?: string }[] }>('teams.applyFix', { fixId: f.fix!.fixId, params: f.fix!.params });
    expect(applied.findings.filter((x) => x.storeNumber === FOREIGN_STORE).map((x) => x.code)).not.toContain('TEAMS_MAIL_NICKNAME_COLLISION');
    expect(mapped()).toBe(foreignTeam);
    const plan = await call<{ stores: { storeNumber: string; action: string; reason?: string; teamId: string | null }[] }>('teams.plan', {});
    expect(plan.stores.find((x) => x.storeNumber === FOREIGN_STORE)).toMatchObject({ action: 'update', reason: 'mapped', teamId: foreignTeam });
  });
});

describe('teams.plan', () => {
  it('lists every store with its action (counts per action derivable), prune off by default, the communications team with the regional manager', async () => {
    const groups = sb.graph.state.groups.size;
    const plan = await call<{ stores: { storeNumber: string; action: string; reason?: string }[]; communicationsTeam: { action: string; members: { add: string[] } }; prune: boolean; plannedAt: number }>('teams.plan', {});
    expect(plan.prune).toBe(false);
    expect(plan.stores).toHaveLength(30);
    const byAction = plan.stores.reduce<Record<string, number>>((m, s) => ({ ...m, [s.action]: (m[s.action] ?? 0) + 1 }), {});
    expect(byAction).toEqual({ create: 28, update: 1, skip: 1 }); // the mapped store is synced, not created
    expect(plan.stores.find((s) => s.action === 'skip')).toMatchObject({ storeNumber: FINDING_CASES.storeWithoutManager, reason: 'no-manager' });
    expect(plan.communicationsTeam.action).toBe('create');
    expect(plan.communicationsTeam.members.add).toContain(FINDING_CASES.regionalManagerWithoutRole);
    expect((await call<{ prune: boolean }>('teams.plan', { prune: true })).prune).toBe(true);
    expect(sb.graph.state.groups.size).toBe(groups); // planning makes nothing
  });
});

describe('teams.apply runs', () => {
  let cancelledRun: string;
  let interruptedRun: string;
  let partialRun: string;

  it('apply emits progress per store and records the run; cancel after the first store stops it there', async () => {
    // Cancel as the first store is reported done (in the listener, so no second store starts meanwhile).
    const first = new Promise<string>((resolve) => {
      const off = bus.subscribe((name, p) => {
        const e = p as TeamsProgress;
        if (name === 'teams.progress' && e.phase === 'store-done') {
          off();
          expect(svc.cancel(e.runId)).toBe(true);
          resolve(e.runId);
        }
      });
    });
    const { runId } = await call<{ runId: string }>('teams.apply', {});
    cancelledRun = runId;
    expect(await callRaw('teams.apply', {})).toMatchObject({ ok: false, error: { code: 'TEAMS_RUN_ACTIVE', params: { runId } } });
    const finished = svc.running()!.done;
    expect(await first).toBe(runId);
    const run = await finished;
    expect(run).toMatchObject({ runId, state: 'cancelled', trigger: 'manual', prune: false, storeNumbers: null });
    expect(run.counts).toMatchObject({ storesPlanned: 30, storesDone: 1, storesFailed: 0, teamsCreated: 1, ownersAdded: 1 });

    const events = progressOf(runId);
    const phases = new Set(events.map((e) => e.phase));
    for (const p of ['planning', 'creating-group', 'creating-team', 'adding-members', 'writing-mapping', 'store-done', 'cancelled']) expect(phases, p).toContain(p);
    expect(events.filter((e) => e.phase === 'creating-team').map((e) => e.operationStatus)).toEqual(expect.arrayContaining(['notStarted', 'succeeded']));
    expect(events.at(-1)).toMatchObject({ storeNumber: null, phase: 'cancelled' });
    const detail = await call<{ stores: { storeNumber: string; state: string; phase: string | null; teamId: string | null; action: string }[] }>('teams.run', { runId });
    const done = detail.stores.filter((s) => s.state === 'done');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ phase: 'store-done', teamId: groupsOfStore(done[0]!.storeNumber)[0]!.id });
    expect(detail.stores.filter((s) => s.state === 'pending')).toHaveLength(29);
    expect(detail.stores.find((s) => s.storeNumber === FINDING_CASES.storeWithoutManager)).toMatchObject({ action: 'skip', state: 'skipped' });
    expect(await call('teams.cancel', { runId })).toEqual({ cancelled: false }); // finished: nothing to cancel
    expect(await callRaw('teams.retryFailed', { runId })).toMatchObject({ ok: false, error: { code: 'TEAMS_RUN_NOTHING_TO_RETRY' } });
  });

  it('a run whose process dies shows as interrupted to the next service; resume finishes it without a second team', async () => {
    // The store after the first one hangs right after its group is made, as a killed process would leave it.
    let reached!: () => void;
    const hanging = new Promise<void>((r) => (reached = r));
    const victim = STORES[1]!;
    onStep = (store, step) => (store === victim && step === 'group-created' ? (reached(), new Promise<void>(() => undefined)) : undefined);
    const { runId } = await call<{ runId: string }>('teams.resume', { runId: cancelledRun });
    interruptedRun = runId;
    await hanging;
    onStep = () => undefined;
    expect(svc.runs(1)[0]).toMatchObject({ runId, state: 'running', trigger: 'resume', parentRunId: cancelledRun });
    expect(groupsOfStore(victim)).toHaveLength(1);

    // "Restart": a new service on the same database; the old one is gone with its run.
    const dead = svc;
    svc = service();
    dead.close();
    bind(svc);
    const runs = await call<{ runs: TeamsRun[] }>('teams.runs', { limit: 10 });
    expect(runs.runs.map((r) => [r.runId, r.state])).toEqual([[interruptedRun, 'interrupted'], [cancelledRun, 'cancelled']]);
    expect(await callRaw('teams.resume', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'TEAMS_RUN_NOT_FOUND' } });

    // Resume, with one store failing this time (kept for retryFailed below).
    const failing = STORES[28]!;
    onStep = (store, step) => {
      if (store === failing && step === 'team') throw new Error('Graph went away');
    };
    const resumed = await call<{ runId: string }>('teams.resume', { runId: interruptedRun });
    partialRun = resumed.runId;
    const run = await svc.running()!.done;
    onStep = () => undefined;
    expect(run).toMatchObject({ runId: partialRun, state: 'partial', trigger: 'resume', parentRunId: interruptedRun });
    expect(run.errors).toEqual([{ storeNumber: failing, code: 'TEAMS_APPLY_FAILED', message: 'Graph went away' }]);
    expect(run.counts).toMatchObject({ storesDone: 28, storesFailed: 1 });
    // The hung store's group was adopted, not made twice.
    expect(groupsOfStore(victim)).toHaveLength(1);
    expect(progressOf(partialRun).find((e) => e.phase === 'store-failed')).toMatchObject({ storeNumber: failing, error: { code: 'TEAMS_APPLY_FAILED' } });
    expect(await callRaw('teams.resume', { runId: partialRun })).toMatchObject({ ok: false, error: { code: 'TEAMS_RUN_NOT_RESUMABLE' } });
  });

  it('retryFailed runs only the failed store; afterwards one team per store and the plan has nothing left to do', async () => {
    const { runId } = await call<{ runId: string }>('teams.retryFailed', { runId: partialRun });
    const run = await svc.running()!.done;
    expect(run).toMatchObject({ runId, trigger: 'retry', state: 'succeeded', storeNumbers: [STORES[28]], parentRunId: partialRun });
    expect(run.counts).toMatchObject({ storesPlanned: 1, storesDone: 1 });
    for (const s of STORES) expect(groupsOfStore(s), s).toHaveLength(s === FOREIGN_STORE ? 0 : 1);
    // The mapped store uses the team made outside the console, now with the store's manager as owner.
    expect(sb.graph.state.groups.get(foreignTeam)!.owners.size).toBe(1);
    expect([...sb.graph.state.groups.values()].filter((g) => g.team)).toHaveLength(30);
    const plan = await call<{ stores: { action: string }[]; communicationsTeam: { action: string } }>('teams.plan', {});
    expect(plan.stores.every((s) => s.action === 'none' || s.action === 'skip')).toBe(true);
    expect(plan.communicationsTeam.action).toBe('none');
    expect(changed()).toContain('runs');
  });
});

describe('what a run shows while Graph pushes back', () => {
  it('a member Teams refuses (207) is recorded next to the Commerce worker; retryFailed adds them once they are back', async () => {
    const store = STORES[2]!;
    const g = groupsOfStore(store)[0]!;
    const gone = [...g.members].find((id) => !g.owners.has(id))!;
    const user = sb.graph.state.users.get(gone)!;
    g.members.delete(gone);
    // The Entra user disappears between the plan and the member add.
    const off = bus.subscribe((name, p) => {
      const e = p as TeamsProgress;
      if (name === 'teams.progress' && e.storeNumber === store && e.phase === 'adding-members') sb.graph.state.users.delete(gone);
    });
    await call('teams.apply', {});
    const run = await svc.running()!.done;
    off();
    expect(run).toMatchObject({ state: 'partial', counts: { storesPlanned: 1, storesDone: 1, storesFailed: 0, membersAdded: 0 } });
    expect(run.errors).toEqual([{ storeNumber: store, code: 'NotFound', message: expect.stringContaining(user.userPrincipalName!), userId: gone, personnelNumber: expect.stringMatching(/^NR-/) }]);
    const detail = await call<{ stores: { storeNumber: string; state: string; members: { add: string[] } }[] }>('teams.run', { runId: run.runId });
    expect(detail.stores.find((s) => s.storeNumber === store)).toMatchObject({ state: 'done', members: { add: [user.userPrincipalName] } });

    sb.graph.state.users.set(gone, user);
    await call('teams.retryFailed', { runId: run.runId });
    const retry = await svc.running()!.done;
    expect(retry).toMatchObject({ state: 'succeeded', storeNumbers: [store], counts: { membersAdded: 1 } });
    expect(g.members.has(gone)).toBe(true);
  });

  it("Graph's 429s show as a throttled phase with the Retry-After to count down; the run still converges", async () => {
    sb.graph.host.faults.enable('throttle-heavy', { factor: 20 });
    try {
      for (const s of STORES.slice(3, 8)) {
        const g = groupsOfStore(s)[0]!;
        g.members.delete([...g.members].find((id) => !g.owners.has(id))!);
      }
      const { runId } = await call<{ runId: string }>('teams.apply', {});
      const run = await svc.running()!.done;
      expect(run).toMatchObject({ state: 'succeeded', counts: { membersAdded: 5 } });
      const throttled = progressOf(runId).filter((e) => e.phase === 'throttled');
      expect(throttled.length).toBeGreaterThan(0);
      for (const e of throttled) expect(e).toMatchObject({ storeNumber: null, retryAfterSeconds: expect.any(Number) });
      expect(Math.max(...throttled.map((e) => e.retryAfterSeconds!))).toBeGreaterThan(0);
    } finally {
      sb.graph.host.faults.disable('throttle-heavy');
    }
  });
});

describe('teams schedule', () => {
  it('the job-queue entry runs "sync teams and members" when due: a member removed in Teams is added back', async () => {
    expect(await call('teams.getSchedule')).toMatchObject({ entry: TEAMS_SYNC_ENTRY, enabled: false, status: null, lastRunId: null });
    const s = await call<{ status: string; nextRunAt: number; everyMinutes: number }>('teams.setSchedule', { enabled: true, everyMinutes: 5 });
    expect(s).toMatchObject({ status: 'Ready', everyMinutes: 5, prune: false });

    // Someone removes a member in Teams; Commerce is master.
    const g = groupsOfStore(STORES[0]!)[0]!;
    const removed = [...g.members].find((id) => !g.owners.has(id))!;
    g.members.delete(removed);
    const tick = await svc.tick();
    expect(tick).toEqual({ ran: [TEAMS_SYNC_ENTRY], failed: [] });
    expect(g.members.has(removed)).toBe(true);
    const sched = await call<{ lastRunId: string; status: string; nextRunAt: number; lastFinishedAt: number }>('teams.getSchedule');
    const run = await call<TeamsRun>('teams.run', { runId: sched.lastRunId });
    expect(run).toMatchObject({ trigger: 'schedule', state: 'succeeded', counts: { membersAdded: 1, teamsCreated: 0 } });
    expect(sched.status).toBe('Ready');
    expect(sched.nextRunAt).toBeGreaterThan(clock.now());

    // Not due again until the interval passed.
    expect(await svc.tick()).toEqual({ ran: [], failed: [] });
    clock.advance(5 * 60_000 + 1000);
    expect(await svc.tick()).toEqual({ ran: [TEAMS_SYNC_ENTRY], failed: [] });
    expect((await call<{ runs: TeamsRun[] }>('teams.runs', { limit: 1 })).runs[0]).toMatchObject({ trigger: 'schedule', state: 'succeeded', counts: { membersAdded: 0 } });
  });

  it('disable says what it stops (preview first), holds the entry and refuses runs; teams stay', async () => {
    const preview = await call<{ effects: { code: string }[]; applied: boolean; config: { enabled: boolean } }>('teams.disable', { dryRun: true });
    expect(preview.applied).toBe(false);
    expect(preview.config.enabled).toBe(true);
    expect(preview.effects.map((e) => e.code)).toEqual(['TEAMS_DISABLE_NO_RUNS', 'TEAMS_DISABLE_SCHEDULE_ON_HOLD', 'TEAMS_DISABLE_TEAMS_KEPT', 'TEAMS_DISABLE_LINKS_KEPT']);
    for (const e of preview.effects as { code: string; params: Record<string, unknown> }[]) for (const p of placeholders(en.effect[e.code as keyof typeof en.effect])) expect(e.params).toHaveProperty(p);
    const off = await call<{ applied: boolean; config: { enabled: boolean } }>('teams.disable', {});
    expect(off).toMatchObject({ applied: true, config: { enabled: false } });
    expect(await call('teams.getSchedule')).toMatchObject({ enabled: true, status: 'On Hold', nextRunAt: null });
    clock.advance(10 * 60_000);
    expect(await svc.tick()).toEqual({ ran: [], failed: [] });
    expect(await callRaw('teams.apply', {})).toMatchObject({ ok: false, error: { code: 'TEAMS_DISABLED' } });
    expect([...sb.graph.state.groups.values()].filter((g) => g.team)).toHaveLength(30);
    const on = await call<{ effects: { code: string; params: Record<string, unknown> }[] }>('teams.enable');
    expect(on.effects).toEqual([{ code: 'TEAMS_ENABLE_RUNS_ALLOWED', params: {} }, { code: 'TEAMS_ENABLE_SCHEDULE_READY', params: { everyMinutes: 5 } }]);
    expect(await call('teams.getSchedule')).toMatchObject({ status: 'Ready' });
  });
});

describe('a team deleted in Teams', () => {
  it('the stale mapping is cleared by its fix; the new team waits out replication with a countdown', async () => {
    const store = STORES[9]!;
    const old = groupsOfStore(store)[0]!.id;
    sb.graph.state.groups.delete(old);
    const { findings } = await call<{ findings: { code: string; storeNumber?: string; fix?: { fixId: string; params: Record<string, string> } }[] }>('teams.check');
    const f = findings.find((x) => x.code === 'TEAMS_MAPPED_TEAM_NOT_FOUND' && x.storeNumber === store)!;
    expect(f.fix).toEqual({ fixId: 'clear-stale-mapping', params: { storeNumber: store, teamId: old }, previewCodes: ['TEAMS_FIX_CLEAR_MAPPING'] });
    expect((await call<{ changes: unknown[] }>('teams.previewFix', { fixId: f.fix!.fixId, params: f.fix!.params })).changes).toEqual([{ code: 'TEAMS_FIX_CLEAR_MAPPING', params: { storeNumber: store, teamId: old } }]);
    const applied = await call<{ findings: { code: string; storeNumber?: string }[] }>('teams.applyFix', { fixId: f.fix!.fixId, params: f.fix!.params });
    expect(applied.findings.filter((x) => x.storeNumber === store)).toEqual([]);

    sb.graph.host.faults.enable('replication-lag', { seconds: 60 });
    try {
      const { runId } = await call<{ runId: string }>('teams.apply', {});
      const run = await svc.running()!.done;
      expect(run).toMatchObject({ state: 'succeeded', counts: { teamsCreated: 1, storesDone: 1 } });
      const waits = progressOf(runId).filter((e) => e.phase === 'waiting-replication');
      expect(waits.length).toBeGreaterThan(0);
      for (const e of waits) expect(e).toMatchObject({ storeNumber: store, secondsLeft: expect.any(Number) });
      expect(waits[0]!.secondsLeft).toBeGreaterThanOrEqual(1);
    } finally {
      sb.graph.host.faults.disable('replication-lag');
    }
    expect(groupsOfStore(store)).toHaveLength(1);
    expect(groupsOfStore(store)[0]!.id).not.toBe(old);
    expect(sb.commerce.store.db.prepare<[string], { TeamId: string }>('SELECT TeamId FROM "RetailTeamsSourceTeamMappings" WHERE SourceId = ?').get(store)?.TeamId).toBe(groupsOfStore(store)[0]!.id);
  });
});

describe('runs of another process on the same data folder', () => {
  it('a live process keeps its run (apply is refused meanwhile); a dead one\'s run shows as interrupted', async () => {
    const insert = db.prepare(`INSERT INTO commerce_teams_runs (run_id, trigger, prune, store_numbers, parent_run_id, state, started_at, owner, pid, host)
      VALUES (?, 'manual', 0, NULL, NULL, 'running', ?, 'another-console', ?, ?)`);
    // The parent of this test process is alive; a pid far above pid_max is not.
    insert.run('live-run', clock.now(), process.ppid, os.hostname());
    insert.run('dead-run', clock.now() - 1, 2 ** 30, os.hostname());
    const next = service();
    try {
      const states = Object.fromEntries(next.runs(50).map((r) => [r.runId, r.state]));
      expect(states).toMatchObject({ 'live-run': 'running', 'dead-run': 'interrupted' });
      await expect(next.apply({}, 'manual')).rejects.toMatchObject({ code: 'TEAMS_RUN_ACTIVE', params: { runId: 'live-run' } });
    } finally {
      next.close();
      db.prepare(`DELETE FROM commerce_teams_runs WHERE run_id IN ('live-run', 'dead-run')`).run();
    }
  });
});
