/**
 * Issue 14: the Commerce ⇄ Teams plan & apply page through the contract-validating fake transport — the plan's
 * counts per action, filters, each store's why and people, the removal option off by default; apply with live
 * progress (replication-lag and Retry-After countdowns on an injectable clock, Graph's operation status, 207 failures
 * next to the worker), cancel, the run history with retry of failed stores, the schedule; in all four languages.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  TEAMS_OPERATION_STATUSES,
  TEAMS_PLAN_REASON_CODES,
  TEAMS_PROGRESS_PHASES,
  TEAMS_RUN_STATES,
  TEAMS_RUN_TRIGGERS,
  TEAMS_STORE_STATES,
  TeamsScheduleSchema,
  type TeamsConfig,
  type TeamsPlanResult,
  type TeamsProgress,
  type TeamsRun,
  type TeamsRunCounts,
  type TeamsSchedule,
} from '../../preload/contract';
import type { TeamsPlanStore } from '../../preload/contract/commerce-teams/findings';
import { LANGUAGES, resources } from '../../renderer/i18n';
import { TeamsProvisionPage } from '../../renderer/pages/commerce-teams/provision/TeamsProvisionPage';
import { resetTeamsProvisionStore, useTeamsProvisionStore } from '../../renderer/pages/commerce-teams/provision/store';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const TEAM = (n: number) => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
const upn = (s: string) => `${s}@nordlys.example`;
const none = { add: [] as string[], remove: [] as string[] };

const store = (p: Partial<TeamsPlanStore> & Pick<TeamsPlanStore, 'storeNumber' | 'action'>): TeamsPlanStore => ({
  teamId: null, displayName: `Nordlys ${p.storeNumber}`, mailNickname: `NORDLYS${p.storeNumber}_D365`, owners: none, members: none, ...p,
});

function planOf(prune: boolean): TeamsPlanResult {
  return {
    stores: [
      store({ storeNumber: '001001', displayName: 'Nordlys Oslo Sentrum', action: 'create', owners: { add: [upn('ola.hansen')], remove: [] }, members: { add: [upn('kari.berg'), upn('nils.olsen')], remove: [] } }),
      store({ storeNumber: '001002', displayName: 'Nordlys Bergen', action: 'create', owners: { add: [upn('ida.larsen')], remove: [] }, members: { add: [upn('emil.haugen')], remove: [] } }),
      store({ storeNumber: '001003', displayName: 'Nordlys Trondheim', action: 'update', teamId: TEAM(3), members: { add: [upn('new.hire')], remove: prune ? [upn('left.store')] : [] } }),
      store({ storeNumber: '001004', displayName: 'Nordlys Utrecht', action: 'update', teamId: TEAM(4), reason: 'mapped' }),
      store({ storeNumber: '001005', displayName: 'Nordlys Tampere', action: 'none', teamId: TEAM(5) }),
      store({ storeNumber: '001030', displayName: 'Nordlys Porvoo', action: 'skip', reason: 'no-manager', mailNickname: undefined }),
    ],
    communicationsTeam: { teamId: null, action: 'create', members: { add: [upn('ingrid.solberg'), upn('magnus.aasen')], remove: [] } },
    findings: [{ code: 'TEAMS_STORE_NO_MANAGER', severity: 'warning', storeNumber: '001030', message: 'no manager' }],
    plannedAt: T0,
    prune,
  };
}

const counts = (p: Partial<TeamsRunCounts> = {}): TeamsRunCounts => ({
  storesPlanned: 5, storesDone: 0, storesFailed: 0, teamsCreated: 0, ownersAdded: 0, membersAdded: 0, membersRemoved: 0, ...p,
});
const run = (p: Partial<TeamsRun> & Pick<TeamsRun, 'runId' | 'state'>): TeamsRun => ({
  trigger: 'manual', prune: false, storeNumbers: null, parentRunId: null, startedAt: T0 - 3_600_000, finishedAt: T0 - 3_500_000, counts: counts(), errors: [], error: null, ...p,
});
const PARTIAL = run({
  runId: 'run-partial-1', state: 'partial', counts: counts({ storesDone: 3, storesFailed: 2, teamsCreated: 3, ownersAdded: 3, membersAdded: 9 }),
  errors: [
    { storeNumber: '001002', code: 'Request_ResourceNotFound', message: 'emil.haugen@nordlys.example: not found', personnelNumber: 'NR-000203', userId: 'u-203' },
    { storeNumber: '001003', code: 'TEAMS_APPLY_FAILED', message: 'Graph answered 503 five times' },
  ],
});

function backend(o: { enabled?: boolean; runs?: TeamsRun[] } = {}) {
  const config: TeamsConfig = {
    enabled: o.enabled ?? true, enabledAt: T0, commerceProfileId: 'c', graphProfileId: 'g', dataSharingConsent: { accepted: true, acceptedAt: T0 }, pruneDefault: false,
  };
  const runs = [...(o.runs ?? [])];
  let schedule: TeamsSchedule = TeamsScheduleSchema.parse({
    entry: 'Sync teams and members', enabled: false, everyMinutes: 60, prune: false, status: null, nextRunAt: null, lastStartedAt: null, lastFinishedAt: null, lastRunId: null, lastError: null,
  });
  let next = 1;
  const fake = fakeTransport({
    'teams.getConfig': () => config,
    'teams.runs': () => ({ runs }),
    'teams.getSchedule': () => schedule,
    'teams.setSchedule': (s) => (schedule = { ...schedule, ...s, status: s.enabled ? 'Ready' : 'On Hold', nextRunAt: s.enabled ? T0 + s.everyMinutes * 60_000 : null }),
    'teams.plan': ({ prune }) => planOf(!!prune),
    'teams.apply': ({ prune }) => {
      const runId = `run-${next++}`;
      runs.unshift(run({ runId, state: 'running', prune: !!prune, startedAt: T0, finishedAt: null }));
      return { runId };
    },
    'teams.cancel': () => ({ cancelled: true }),
    'teams.retryFailed': ({ runId }) => {
      const id = `run-${next++}`;
      runs.unshift(run({ runId: id, state: 'running', trigger: 'retry', parentRunId: runId, storeNumbers: ['001002', '001003'], startedAt: T0, finishedAt: null }));
      return { runId: id };
    },
    'teams.run': ({ runId }) => {
      const r = runs.find((x) => x.runId === runId)!;
      return {
        ...r,
        stores: [
          { storeNumber: '001001', action: 'create', state: 'done', teamId: TEAM(1), phase: 'store-done', owners: { add: [upn('ola.hansen')], remove: [] }, members: { add: [upn('kari.berg')], remove: [] } },
          { storeNumber: '001002', action: 'create', state: r.counts.storesFailed ? 'failed' : 'done', teamId: TEAM(2), phase: 'store-failed', owners: none, members: { add: [upn('emil.haugen')], remove: [] } },
          { storeNumber: '001005', action: 'none', state: 'done', teamId: TEAM(5), phase: 'store-done', owners: none, members: none },
        ],
      };
    },
  });
  const progress = (p: Partial<TeamsProgress> & Pick<TeamsProgress, 'phase' | 'storeNumber'>) =>
    act(() => fake.push('teams.progress', { runId: 'run-1', counts: counts(), at: Date.now(), ...p }));
  return { fake, runs, progress, schedule: () => schedule };
}

type Tree = { [k: string]: string | Tree };
const flatten = (t: Tree, prefix = ''): Record<string, string> =>
  Object.entries(t).reduce<Record<string, string>>((acc, [k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'string' ? { ...acc, [key]: v } : { ...acc, ...flatten(v, key) };
  }, {});
const has = (c: Record<string, string>, k: string) => k in c || (`${k}_one` in c && `${k}_other` in c);

beforeEach(() => {
  // The countdowns tick on setInterval and read Date: both are driven by the test (no real waiting).
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(T0);
  resetTeamsProvisionStore();
});
afterEach(() => {
  vi.useRealTimers();
});

const rows = () => screen.getAllByTestId(/^ct-plan-row-\d+$/).map((r) => r.getAttribute('data-testid')!.slice('ct-plan-row-'.length));

describe('Commerce ⇄ Teams plan & apply page', () => {
  it('plans with counts per action, filters by action and search, shows why and who, and the removal option off by default', async () => {
    const b = backend();
    const { missing } = renderWith(<TeamsProvisionPage />, b.fake);
    // Off by default, and said so.
    const prune = await screen.findByTestId('ct-prune');
    expect(prune.getAttribute('data-on')).toBe('false');
    expect(screen.getByTestId('ct-prune-state').textContent).toContain('Off (default)');
    expect((screen.getByTestId('ct-apply') as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(screen.getByTestId('ct-plan-run'));
    await screen.findByTestId('ct-plan-table');
    expect(b.fake.calls.filter((c) => c.method === 'teams.plan').map((c) => c.payload)).toEqual([{ prune: false }]);
    for (const [a, n] of [['create', 2], ['update', 2], ['none', 1], ['skip', 1]] as const) expect(screen.getByTestId(`ct-tile-${a}`).getAttribute('data-count')).toBe(String(n));
    expect(screen.getByTestId('ct-plan-totals').textContent).toContain('3 teams to create');
    expect(screen.getByTestId('ct-plan-totals').textContent).toContain('0 to remove');
    // The communications team's row and each store's why.
    expect(screen.getByTestId('ct-plan-row-communications').textContent).toContain('Communications team');
    expect(screen.getByTestId('ct-plan-row-communications').textContent).toContain(upn('magnus.aasen'));
    expect(screen.getByTestId('ct-plan-why-001030').textContent).toBe('No store manager: a team needs an owner (R5).');
    expect(screen.getByTestId('ct-plan-why-001004').textContent).toContain('Mapped to an existing team');
    expect(screen.getByTestId('ct-plan-row-001001').textContent).toContain(upn('nils.olsen'));
    expect(rows()).toHaveLength(6);

    // Filters: a tile, then a search within it, then back to all.
    fireEvent.click(screen.getByTestId('ct-tile-update'));
    expect(screen.getByTestId('ct-tile-update').getAttribute('aria-pressed')).toBe('true');
    expect(rows()).toEqual(['001003', '001004']);
    fireEvent.change(screen.getByTestId('ct-plan-search'), { target: { value: 'utrecht' } });
    expect(rows()).toEqual(['001004']);
    expect(screen.getByTestId('ct-plan-shown').textContent).toBe('Showing 1 of 6 stores');
    fireEvent.click(screen.getByTestId('ct-tile-all'));
    expect(rows()).toEqual(['001004']);
    fireEvent.change(screen.getByTestId('ct-plan-search'), { target: { value: TEAM(5) } });
    expect(rows()).toEqual(['001005']);
    fireEvent.change(screen.getByTestId('ct-plan-search'), { target: { value: '' } });

    // Turning removals on makes the plan stale until it is made again with them.
    fireEvent.click(screen.getByTestId('ct-prune-switch'));
    expect(screen.getByTestId('ct-prune').getAttribute('data-on')).toBe('true');
    expect((screen.getByTestId('ct-apply') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('ct-apply-why').textContent).toContain('plan again');
    fireEvent.click(screen.getByTestId('ct-plan-run'));
    await waitFor(() => expect(screen.getByTestId('ct-plan-row-001003').textContent).toContain(upn('left.store')));
    expect(b.fake.calls.filter((c) => c.method === 'teams.plan').map((c) => c.payload)).toEqual([{ prune: false }, { prune: true }]);
    expect(screen.getByTestId('ct-plan-totals').textContent).toContain('1 to remove');
    expect((screen.getByTestId('ct-apply') as HTMLButtonElement).disabled).toBe(false);
    expect(missing).toEqual([]);
  });

  it('applies with live progress: operation status, replication and Retry-After countdowns, a 207 failure next to the worker, cancel', async () => {
    const b = backend();
    const { missing } = renderWith(<TeamsProvisionPage />, b.fake);
    fireEvent.click(await screen.findByTestId('ct-plan-run'));
    await screen.findByTestId('ct-plan-table');
    fireEvent.click(screen.getByTestId('ct-apply'));
    expect(screen.getByTestId('ct-apply-summary').textContent).toContain('Removes nobody (the removal option is off).');
    fireEvent.click(screen.getByTestId('ct-apply-confirm'));
    await screen.findByTestId('ct-live-run');
    expect(b.fake.calls.filter((c) => c.method === 'teams.apply').map((c) => c.payload)).toEqual([{ prune: false }]);
    expect(screen.getByTestId('ct-live-run').getAttribute('data-run')).toBe('run-1');

    await b.progress({ storeNumber: '001001', phase: 'creating-team', operationStatus: 'inProgress' });
    expect(screen.getByTestId('ct-live-001001').textContent).toBe('Creating the team (Graph operation: In progress)');
    await b.progress({ storeNumber: '001002', phase: 'waiting-replication', secondsLeft: 20 });
    expect(screen.getByTestId('ct-live-001002').textContent).toBe('Waiting for directory replication: next try in 20 s');
    await b.progress({ storeNumber: null, phase: 'throttled', retryAfterSeconds: 30, counts: counts({ storesDone: 1 }) });
    expect(screen.getByTestId('ct-throttle-seconds').getAttribute('data-seconds')).toBe('30');
    expect(screen.getByTestId('ct-run-progress')).toBeTruthy();
    expect(screen.getByTestId('ct-live-run').textContent).toContain('1 of 5 stores done');

    // Seven seconds later, both countdowns have moved on by seven.
    await act(async () => vi.advanceTimersByTime(7000));
    expect(screen.getByTestId('ct-throttle-seconds').getAttribute('data-seconds')).toBe('23');
    expect(screen.getByTestId('ct-throttle-banner').textContent).toContain('23 s left');
    expect(screen.getByTestId('ct-live-001002').textContent).toBe('Waiting for directory replication: next try in 13 s');
    // Past Retry-After the banner goes.
    await act(async () => vi.advanceTimersByTime(30_000));
    expect(screen.queryByTestId('ct-throttle-banner')).toBeNull();

    // A member refused in a 207: shown on the store's row next to the Commerce worker.
    await b.progress({
      storeNumber: '001002', phase: 'store-failed',
      error: { storeNumber: '001002', code: 'Request_ResourceNotFound', message: 'emil.haugen@nordlys.example: not found', personnelNumber: 'NR-000203', userId: 'u-203' },
    });
    const failed = within(screen.getByTestId('ct-plan-row-001002')).getByTestId('ct-live-error');
    expect(failed.getAttribute('data-personnel')).toBe('NR-000203');
    expect(failed.textContent).toBe('Worker NR-000203: The user does not exist in Microsoft Entra (emil.haugen@nordlys.example: not found)');

    fireEvent.click(screen.getByTestId('ct-cancel'));
    await waitFor(() => expect(b.fake.calls.filter((c) => c.method === 'teams.cancel').map((c) => c.payload)).toEqual([{ runId: 'run-1' }]));
    b.runs[0] = { ...b.runs[0]!, state: 'cancelled', finishedAt: Date.now(), counts: counts({ storesDone: 1, storesFailed: 1 }) };
    await b.progress({ storeNumber: null, phase: 'cancelled', counts: counts({ storesDone: 1, storesFailed: 1 }) });
    expect(screen.getByTestId('ct-live-run').getAttribute('data-ended')).toBe('cancelled');
    expect(screen.queryByTestId('ct-cancel')).toBeNull();
    // The history reloads and the ended run's detail opens; the plan must be made again before another apply.
    await waitFor(() => expect(screen.getByTestId('ct-run-run-1').getAttribute('data-state')).toBe('cancelled'));
    await screen.findByTestId('ct-run-detail-run-1');
    expect(screen.getByTestId('ct-resume-run-1')).toBeTruthy();
    expect(screen.getByTestId('ct-apply-why').textContent).toContain('plan again');
    expect(missing).toEqual([]);
  });

  it('run history: what changed and per-store errors, retry failed stores follows the new run', async () => {
    const b = backend({ runs: [PARTIAL] });
    const { missing } = renderWith(<TeamsProvisionPage />, b.fake);
    const row = await screen.findByTestId('ct-run-run-partial-1');
    expect(row.textContent).toContain('Finished with errors');
    expect(within(row).getByTestId('ct-count-teamsCreated').textContent).toBe('3 teams created');
    expect(within(row).getByTestId('ct-count-storesFailed').textContent).toBe('2 stores failed');
    fireEvent.click(within(row).getByTestId('ct-run-details-run-partial-1'));
    const detail = await screen.findByTestId('ct-run-detail-run-partial-1');
    expect(within(detail).getByTestId('ct-run-store-001002').textContent).toContain('Worker NR-000203');
    expect(detail.textContent).toContain('Graph answered 503 five times');

    fireEvent.click(within(row).getByTestId('ct-retry-run-partial-1'));
    await waitFor(() => expect(b.fake.calls.filter((c) => c.method === 'teams.retryFailed').map((c) => c.payload)).toEqual([{ runId: 'run-partial-1' }]));
    await waitFor(() => expect(screen.getByTestId('ct-live-run').getAttribute('data-run')).toBe('run-1'));
    expect((await screen.findByTestId('ct-run-run-1')).textContent).toContain('Retry of failed stores');
    // While it runs, no second retry.
    expect((within(screen.getByTestId('ct-run-run-partial-1')).getByTestId('ct-retry-run-partial-1') as HTMLButtonElement).disabled).toBe(true);
    expect(missing).toEqual([]);
  });

  it('follows a run started elsewhere and saves the schedule', async () => {
    const b = backend();
    renderWith(<TeamsProvisionPage />, b.fake);
    await screen.findByTestId('ct-schedule');
    await act(() => b.fake.push('teams.progress', { runId: 'run-sched', storeNumber: '001003', phase: 'adding-members', count: 4, counts: counts(), at: Date.now() }));
    expect(screen.getByTestId('ct-live-run').getAttribute('data-run')).toBe('run-sched');
    expect(useTeamsProvisionStore.getState().live?.stores['001003']?.last.count).toBe(4);

    fireEvent.click(screen.getByTestId('ct-schedule-enabled'));
    fireEvent.change(screen.getByTestId('ct-schedule-minutes'), { target: { value: '2' } });
    expect(screen.getByText('From 5 minutes to 7 days (10080 minutes).')).toBeTruthy();
    expect((screen.getByTestId('ct-schedule-save') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('ct-schedule-minutes'), { target: { value: '30' } });
    fireEvent.click(screen.getByTestId('ct-schedule-save'));
    await waitFor(() => expect(b.schedule().status).toBe('Ready'));
    expect(b.fake.calls.filter((c) => c.method === 'teams.setSchedule').map((c) => c.payload)).toEqual([{ enabled: true, everyMinutes: 30, prune: false }]);
    await waitFor(() => expect(screen.getByTestId('ct-schedule-state').textContent).toContain('Entry "Sync teams and members": Ready'));
  });

  it('a disabled integration plans but does not apply, and says where to enable it', async () => {
    const b = backend({ enabled: false });
    renderWith(<TeamsProvisionPage />, b.fake);
    expect((await screen.findByTestId('ct-provision-disabled')).textContent).toContain('apply is refused');
    fireEvent.click(screen.getByTestId('ct-plan-run'));
    await screen.findByTestId('ct-plan-table');
    expect((screen.getByTestId('ct-apply') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('ct-apply-why').textContent).toBe('Enable the integration to apply.');
  });

  it.each(LANGUAGES.map((l) => l.code))('%s: plan, live run and history render without a missing key or a raw placeholder', async (code) => {
    const b = backend({ runs: [PARTIAL] });
    const { missing } = renderWith(<TeamsProvisionPage />, b.fake, code);
    fireEvent.click(await screen.findByTestId('ct-plan-run'));
    await screen.findByTestId('ct-plan-table');
    fireEvent.click(screen.getByTestId('ct-run-details-run-partial-1'));
    await screen.findByTestId('ct-run-detail-run-partial-1');
    fireEvent.click(screen.getByTestId('ct-apply'));
    fireEvent.click(screen.getByTestId('ct-apply-confirm'));
    await screen.findByTestId('ct-live-run');
    await b.progress({ storeNumber: null, phase: 'throttled', retryAfterSeconds: 12 });
    await b.progress({ storeNumber: '001001', phase: 'waiting-replication', secondsLeft: 9 });
    expect(document.body.textContent).not.toMatch(/\{\{|plan\.|phase\.|reason\./);
    expect(missing).toEqual([]);
  });

  it('has a text for every phase, operation status, run state, trigger, store state, reason and queue status', () => {
    for (const { code } of LANGUAGES) {
      const c = flatten(resources[code].teamsPages as unknown as Tree);
      const codes = flatten(resources[code].teamsProvision as unknown as Tree);
      const fromCodes = [
        ...TEAMS_PROGRESS_PHASES.map((x) => `phase.${x}`),
        ...TEAMS_OPERATION_STATUSES.map((x) => `operation.${x}`),
        ...TEAMS_RUN_STATES.map((x) => `state.${x}`),
        ...TEAMS_RUN_TRIGGERS.map((x) => `trigger.${x}`),
        ...TEAMS_STORE_STATES.map((x) => `storeState.${x}`),
      ];
      expect(fromCodes.filter((k) => !has(codes, k)), code).toEqual([]);
      const needed = [
        ...TEAMS_PLAN_REASON_CODES.map((x) => `reason.${x}`),
        ...TeamsScheduleSchema.shape.status.unwrap().options.map((x) => `queueStatus.${x}`),
        ...['create', 'update', 'none', 'skip'].flatMap((x) => [`action.${x}`, `actionWhy.${x}`]),
        ...['done', 'failed', 'cancelled'].map((x) => `runEnded.${x}`),
        ...['teamsCreated', 'ownersAdded', 'membersAdded', 'membersRemoved', 'storesFailed'].map((x) => `count.${x}`),
      ];
      expect(needed.filter((k) => !has(c, k)), code).toEqual([]);
    }
  });
});
