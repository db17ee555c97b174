import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SETUP_DRAFT,
  type AuthStatus,
  type ConnectionProfile,
  type SetupDraft,
  type SyncJobDto,
  type SyncMappingStatus,
  type SyncStatus,
  type TasksConflict,
  type TasksSettings,
} from '../../preload/contract';
import { App } from '../../renderer/App';
import { ConfirmDialog } from '../../renderer/components/ConfirmDialog';
import { salesSummary } from '../../renderer/pages/home/summary';
import { useAppStore } from '../../renderer/stores/app';
import { resetConnectionsStore } from '../../renderer/stores/connections';
import { fakeTransport, type FakeHandlers } from '../../renderer/transport/fake';
import { renderWith } from './render';

const DV_ID = '00000000-0000-4000-8000-0000000000d1';
const BC_ID = '00000000-0000-4000-8000-0000000000b1';

function profile(id: string, name: string, p: Partial<ConnectionProfile> = {}): ConnectionProfile {
  return {
    id, name, kind: 'dataverse', url: 'https://nordlys.crm4.dynamics.com', environmentName: null, company: null, tier: 'development', colour: '#2e7d32',
    authMethod: 'client-secret', app: { clientId: '7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60', tenantId: 'nordlys.example', redirectUri: null, authorityHost: 'https://login.microsoftonline.com' },
    userName: null, certificateThumbprint: null, secretsSet: ['clientSecret'], secretsMissing: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null, ...p,
  };
}
const status = (profileId: string, state: AuthStatus['state']): AuthStatus => ({ profileId, state, account: null, expiresAt: null, expiresInSeconds: null, scopes: [], error: null, at: new Date().toISOString() });

const DEMO = [profile(DV_ID, 'Demo sandbox · Dataverse'), profile(BC_ID, 'Demo sandbox · Business Central', { kind: 'bc-online', url: null, environmentName: 'Production' })];
const DEMO_SOURCE: SyncStatus['source'] = { kind: 'demo', dataverse: { profileId: DV_ID, name: DEMO[0]!.name }, bc: { profileId: BC_ID, name: DEMO[1]!.name }, message: null };
const NOT_ENABLED = { enabled: false, enabledAt: null, crmVersion: null, solutionVersion: null, mappingSetName: null, disableReason: null };

const TASKS_OFF: TasksSettings = {
  enabled: false, enabledAt: null, teamsEnabled: false, profiles: { commerce: null, graph: null }, lastSyncAt: null, lastSync: null,
  schedule: { entry: 'Commerce ⇄ Teams: sync task statuses', enabled: false, everyMinutes: 15, status: null, nextRunAt: null, lastStartedAt: null, lastFinishedAt: null, lastError: null },
  engines: { publish: true, sync: true, report: true }, busy: null,
};

function console_(extra: FakeHandlers = {}) {
  return fakeTransport({
    'connections.list': () => DEMO,
    'auth.status': () => DEMO.map((p) => status(p.id, 'signed-out')),
    'setup.getState': () => ({ draft: DEFAULT_SETUP_DRAFT, status: NOT_ENABLED, savedAt: null }),
    // heldForInitialSync: the queue entries enabling leaves on hold (newer contract); ignored where the contract lacks it.
    'sync.status': () => ({ source: DEMO_SOURCE, mappings: [], heldForInitialSync: [] }) as SyncStatus,
    'app.dismissNotice': ({ notice }) => ({ dismissedNotices: [notice] }),
    'teams.getConfig': () => ({ enabled: false, enabledAt: null, commerceProfileId: null, graphProfileId: null, dataSharingConsent: { accepted: false, acceptedAt: null }, pruneDefault: false }),
    'teams.runs': () => ({ runs: [] }),
    'tasks.getSettings': () => TASKS_OFF,
    'tasks.conflicts': () => ({ conflicts: [] }),
    ...extra,
  });
}

const KEY_FILE_INFO = {
  version: '0.1.0', host: 'browser' as const, dataDir: '/data', dbSchemaVersion: 9, platform: 'linux',
  secretStore: { kind: 'key-file' as const, location: '/data/secret.key', available: true, reason: null },
};

beforeEach(() => {
  resetConnectionsStore();
  useAppStore.setState({ page: 'home', info: KEY_FILE_INFO, error: null, dismissedNotices: [] });
});

describe('the console opens on Home', () => {
  it('Home is the first page and the start page: what the console does, where to start, each integration now', async () => {
    const { missing } = renderWith(<App />, console_());
    const tabs = within(screen.getByRole('navigation', { name: 'Pages' })).getAllByRole('tab');
    expect(tabs[0]!.textContent).toBe('Home');
    expect(tabs[0]!.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Home');
    expect(screen.getByText(/sets up, reviews and runs two integrations/)).toBeTruthy();
    // The four steps, in order.
    const steps = within(screen.getByRole('list', { name: 'Where to start' })).getAllByRole('listitem');
    expect(steps.map((s) => s.textContent)).toEqual([
      expect.stringContaining('1. Connections'),
      expect.stringContaining('2. Assisted setup'),
      expect.stringContaining('3. Full synchronization review'),
      expect.stringContaining('4. Synchronization'),
    ]);
    // Sales, from the existing contract methods: demo app profiles sign in by themselves → next is the assisted setup.
    const sales = screen.getByTestId('home-sales');
    await within(sales).findByText('Not enabled');
    await waitFor(() => expect(within(sales).getByTestId('home-profile-dataverse').getAttribute('data-state')).toBe('app'));
    expect(within(sales).getByTestId('home-setup').textContent).toBe('Not started');
    expect(within(sales).getByTestId('home-last-sync').textContent).toContain('Never');
    expect(within(sales).getByText('Until the setup is enabled, synchronization uses the demo sandbox profiles.')).toBeTruthy();
    expect(screen.getByTestId('home-step-setup').getAttribute('data-next')).toBe('true');
    // Commerce ⇄ Teams: not enabled, no profiles chosen, never run; the button leads to its configuration.
    const teams = screen.getByTestId('home-teams');
    await within(teams).findByText('Not enabled');
    expect(within(teams).getByTestId('home-teams-last-run').getAttribute('data-state')).toBe('never');
    expect(within(teams).getByTestId('home-teams-profile-graph').textContent).toBe('No profile chosen');
    // The key-file notice is no longer on every page.
    expect(screen.queryByTestId('secret-notice')).toBeNull();
    fireEvent.click(within(sales).getByRole('button', { name: 'Continue with the assisted setup' }));
    expect(useAppStore.getState().page).toBe('setup');
    useAppStore.setState({ page: 'home' });
    fireEvent.click(await screen.findByTestId('home-teams-open'));
    expect(useAppStore.getState().page).toBe('ct-setup');
    // Task management: not enabled, never synced; it needs Teams first, so the button leads to the Teams configuration.
    useAppStore.setState({ page: 'home' });
    const tasks = await screen.findByTestId('home-tasks');
    await within(tasks).findByText('Task management needs the Commerce ⇄ Teams integration enabled first.');
    expect(within(tasks).getByTestId('home-tasks-last-sync').getAttribute('data-state')).toBe('never');
    fireEvent.click(within(tasks).getByTestId('home-tasks-open'));
    expect(useAppStore.getState().page).toBe('ct-setup');
    expect(missing).toEqual([]);
  });

  it('task management at a glance: the last status sync with its counts, the open conflicts and the schedule', async () => {
    const conflict: TasksConflict = { id: 1, field: 'status', baseValue: 'NotStarted', commerceValue: 'Completed', plannerValue: 'InProgress', detectedAt: 1, storeNumber: '001001', processId: 'PR-1', taskId: 'T001', title: 'Count the till' };
    for (const [language, waiting, every] of [['en', '2 conflicts wait for a decision', 'Every 15 minutes'], ['nb-NO', '2 konflikter venter på en avgjørelse', 'Hvert 15. minutt'], ['fi-FI', '2 ristiriitaa odottaa päätöstä', '15 minuutin välein']] as const) {
      const t = console_({
        'tasks.getSettings': () => ({
          ...TASKS_OFF, enabled: true, enabledAt: 1, teamsEnabled: true, lastSyncAt: Date.UTC(2026, 11, 7, 9),
          lastSync: { toPlanner: { created: 1, updated: 2 }, toCommerce: { created: 0, updated: 4 }, conflicts: 2, failed: [], at: Date.UTC(2026, 11, 7, 9) },
          schedule: { ...TASKS_OFF.schedule, enabled: true, status: 'Ready' as const },
        }),
        'tasks.conflicts': () => ({ conflicts: [conflict, { ...conflict, id: 2 }] }),
      });
      const { missing, unmount } = renderWith(<App />, t, language);
      const tasks = screen.getByTestId('home-tasks');
      await waitFor(() => expect(within(tasks).getByTestId('home-tasks-conflicts').getAttribute('data-count')).toBe('2'));
      expect(within(tasks).getByTestId('home-tasks-conflicts').textContent).toBe(waiting);
      expect(within(tasks).getByTestId('home-tasks-last-sync').textContent).toMatch(language === 'en' ? /3 to Planner, 4 to Commerce/ : /3.*4/);
      expect(within(tasks).getByTestId('home-tasks-schedule').textContent).toBe(every);
      fireEvent.click(within(tasks).getByTestId('home-tasks-open'));
      expect(useAppStore.getState().page).toBe('ct-tasks');
      expect(missing).toEqual([]);
      unmount();
      useAppStore.setState({ page: 'home' });
    }
  });

  it('a step button opens its page', async () => {
    renderWith(<App />, console_());
    fireEvent.click(within(screen.getByTestId('home-step-review')).getByRole('button', { name: 'Open the review' }));
    expect(useAppStore.getState().page).toBe('sync');
  });

  it('renders in Norwegian, Dutch and Finnish without missing keys', async () => {
    for (const [language, title] of [['nb-NO', 'Hjem'], ['nl-NL', 'Start'], ['fi-FI', 'Aloitus']] as const) {
      const { missing, unmount } = renderWith(<App />, console_(), language);
      expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(title);
      await within(screen.getByTestId('home-sales')).findByTestId('home-setup');
      expect(missing).toEqual([]);
      unmount();
    }
  });

  it('says what it could not read instead of showing nothing', async () => {
    const t = console_({ 'sync.status': () => Promise.reject(Object.assign(new Error('Sync store locked.'), { code: 'SYNC_BUSY' })) });
    renderWith(<App />, t);
    expect(await within(screen.getByTestId('home-sales')).findByText(/Part of the state could not be read: .*Sync store locked\./)).toBeTruthy();
  });
});

describe('Home: the Sales state and the next step', () => {
  const job = (p: Partial<SyncJobDto>): SyncJobDto => ({
    id: 'j', mapping: 'CUSTOMER', type: 'Synchronization', direction: 'ToIntegrationTable', startedAt: 1000, finishedAt: 2000, message: '',
    inserted: 0, modified: 0, deleted: 0, unchanged: 0, skipped: 0, failed: 0, uncoupled: 0, coupled: 0, ...p,
  } as SyncJobDto);
  const mapping = (name: string, p: Partial<SyncMappingStatus> = {}) => ({ name, lastTo: null, lastFrom: null, queue: null, ...p }) as SyncMappingStatus;
  const draft: SetupDraft = { ...DEFAULT_SETUP_DRAFT, step: 'preflight' };
  const enabled = { ...NOT_ENABLED, enabled: true, enabledAt: '2026-12-01T10:00:00.000Z' };

  it('a user profile not signed in sends you to Connections first', () => {
    const profiles = [profile(DV_ID, 'Admin', { authMethod: 'interactive' }), DEMO[1]!];
    const s = salesSummary({ profiles, statuses: { [DV_ID]: status(DV_ID, 'signed-out') }, setup: { draft, status: NOT_ENABLED, savedAt: 'x' }, sync: { source: DEMO_SOURCE, mappings: [] } });
    expect(s.profiles.map((p) => p.state)).toEqual(['not-signed-in', 'app']);
    expect(s.setupStep).toBe('preflight');
    expect(s.next).toBe('connections');
  });

  it('enabled and never synchronized → the review; after a run → Synchronization, with failures and queue errors named', () => {
    const statuses = { [DV_ID]: status(DV_ID, 'signed-in'), [BC_ID]: status(BC_ID, 'signed-in') };
    const source = { ...DEMO_SOURCE, kind: 'setup' as const };
    const fresh = salesSummary({ profiles: DEMO, statuses, setup: { draft, status: enabled, savedAt: 'x' }, sync: { source, mappings: [mapping('CUSTOMER'), mapping('ITEM-PRODUCT')] } });
    expect(fresh).toMatchObject({ enabled: true, lastRunAt: null, neverRun: 2, next: 'review' });
    const ran = salesSummary({
      profiles: DEMO, statuses, setup: { draft, status: enabled, savedAt: 'x' },
      sync: {
        source,
        mappings: [
          mapping('CUSTOMER', { lastTo: job({ finishedAt: 5000 }), lastFrom: job({ finishedAt: 9000, failed: 3 }) }),
          mapping('OPPORTUNITY', { lastTo: job({ finishedAt: 7000 }), queue: { status: 'Error' } as SyncMappingStatus['queue'] }),
          mapping('CONTACT'),
        ],
      },
    });
    expect(ran).toMatchObject({ lastRunAt: 9000, neverRun: 1, failedMappings: ['CUSTOMER'], queueErrors: ['OPPORTUNITY'], next: 'sync' });
  });

  it('an expired sign-in or a missing secret needs the user', () => {
    const s = salesSummary({
      profiles: [DEMO[0]!, { ...DEMO[1]!, secretsMissing: ['clientSecret'] }],
      statuses: { [DV_ID]: status(DV_ID, 'auth-required') },
      setup: null,
      sync: { source: DEMO_SOURCE, mappings: [] },
    });
    expect(s.profiles.map((p) => p.state)).toEqual(['needs-sign-in', 'needs-sign-in']);
    expect(s.next).toBe('connections');
  });
});

describe('shell: keyboard, notices, host', () => {
  it('a skip link moves the focus to the main content', () => {
    renderWith(<App />, console_());
    const skip = screen.getByTestId('skip-link');
    expect(skip.textContent).toBe('Skip to main content');
    fireEvent.click(skip);
    expect(document.activeElement).toBe(document.getElementById('main-content'));
  });

  it('About always shows the key-file notice, even after it was dismissed on the connection form', () => {
    useAppStore.setState({ page: 'about', dismissedNotices: ['key-file'] });
    renderWith(<App />, console_());
    expect(screen.getByTestId('secret-notice').textContent).toContain('/data/secret.key');
    expect(screen.queryByTestId('secret-notice-dismiss')).toBeNull();
  });

  it('says so when the browser host has stopped, and clears it when the link is back', async () => {
    const t = console_();
    renderWith(<App />, t);
    expect(screen.queryByTestId('host-stopped')).toBeNull();
    act(() => t.connection('lost'));
    const banner = await screen.findByTestId('host-stopped');
    expect(banner.textContent).toContain("The console's host has stopped");
    expect(banner.textContent).toContain('npm start');
    act(() => t.connection('open'));
    await waitFor(() => expect(screen.queryByTestId('host-stopped')).toBeNull());
  });

  it('the focus returns to the button that opened a dialog when it closes', async () => {
    function Opener() {
      const [open, setOpen] = useState(false);
      return (
        <>
          <button onClick={() => setOpen(true)}>Delete everything</button>
          <ConfirmDialog open={open} title="Sure?" cancelLabel="Cancel" confirmLabel="Delete" confirmTestId="confirm" onCancel={() => setOpen(false)} onConfirm={() => setOpen(false)}>
            Really.
          </ConfirmDialog>
        </>
      );
    }
    renderWith(<Opener />, console_());
    const opener = screen.getByRole('button', { name: 'Delete everything' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel', hidden: true }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });
});
