/**
 * The Task management page (Commerce ⇄ Teams, issue 15) over a fake transport: the switch asks first and says what
 * it starts or stops (refused while Teams is disabled); Link previews, then creates only the missing plans; Publish
 * previews with translated skip reasons and publishes with a progress bar; Sync shows the counts, the conflicts
 * with both values and keeps the chosen side; the schedule is saved; the Report draws the SVG bars from the counts,
 * drills down to a store (mouse and keyboard) and exports. Every view in four languages without a missing key.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MethodOutput, TasksMessage, TasksReport, TasksSettings } from '../../preload/contract';
import { LANGUAGES } from '../../renderer/i18n';
import { TasksPage } from '../../renderer/pages/commerce-teams/tasks/TasksPage';
import { resetTasksStore, useTasksStore } from '../../renderer/pages/commerce-teams/tasks/store';
import { fakeTransport, type FakeHandlers } from '../../renderer/transport/fake';
import { renderWith } from './render';

const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
const T3 = '33333333-3333-4333-8333-333333333333';
const PLAN = 'xqQg5FS2LkCe54tAMV_v2ZgADW2J';

const settings = (over: Partial<TasksSettings> = {}): TasksSettings => ({
  enabled: true, enabledAt: 1, teamsEnabled: true, profiles: { commerce: 'Demo HQ', graph: 'Demo Graph' }, lastSyncAt: null, lastSync: null,
  schedule: { entry: 'Commerce ⇄ Teams: sync task statuses', enabled: false, everyMinutes: 15, status: null, nextRunAt: null, lastStartedAt: null, lastFinishedAt: null, lastError: null },
  engines: { publish: true, sync: true, report: true }, busy: null, ...over,
});

const linkRows = (dryRun: boolean): MethodOutput<'tasks.link'> => ({
  dryRun, plansCreated: 0, rowsWritten: 0,
  stores: [
    { storeNumber: '001001', teamId: T1, planId: PLAN, state: 'linked', previousPlanId: null, plans: [{ id: PLAN, title: 'Oslo team', tasks: null }], created: false, persisted: !dryRun, code: null, params: {} },
    { storeNumber: '001002', teamId: T2, planId: null, state: 'missing', previousPlanId: null, plans: [], created: false, persisted: false, code: 'TASKS_LINK_NO_PLAN', params: { storeNumber: '001002', teamId: T2 } },
    { storeNumber: '001003', teamId: T3, planId: null, state: 'ambiguous', previousPlanId: null, plans: [{ id: 'a', title: 'A', tasks: 1 }, { id: 'b', title: 'B', tasks: 2 }], created: false, persisted: false, code: 'TASKS_LINK_SEVERAL_PLANS', params: { storeNumber: '001003', teamId: T3, plans: 2 } },
  ],
});

const counts = (completed: number, inProgress: number, notStarted: number, overdue: number) => {
  const total = completed + inProgress + notStarted;
  return { total, completed, inProgress, notStarted, overdue, canceled: 0, completionPercent: total ? Math.round((completed / total) * 1000) / 10 : null };
};
const report = (oslo = counts(1, 0, 2, 1)): TasksReport => {
  const bergen = counts(3, 0, 0, 0);
  const norway = counts(oslo.completed + 3, oslo.inProgress, oslo.notStarted, oslo.overdue);
  return {
    asOf: '2026-12-07', hierarchy: 'Retail Stores by Region', hierarchyProblem: null,
    lists: [{
      taskListId: 'TL-OPEN', name: 'Store opening checklist', adhoc: false, totals: norway, tree: [],
      stores: [
        { storeNumber: '001001', name: 'Nordlys Oslo', country: 'Norway', region: 'Østlandet', ...oslo },
        { storeNumber: '001005', name: 'Nordlys Bergen', country: 'Norway', region: 'Vestlandet', ...bergen },
      ],
      rollup: [
        { level: 'country', name: 'Norway', partyNumber: 'P1', parent: null, ...norway },
        { level: 'region', name: 'Østlandet', partyNumber: 'P2', parent: 'Norway', ...oslo },
        { level: 'region', name: 'Vestlandet', partyNumber: 'P3', parent: 'Norway', ...bergen },
      ],
    }],
    rows: [], generatedAt: Date.UTC(2026, 11, 7, 12),
  };
};
const row = (taskId: string, title: string, status: 'Completed' | 'NotStarted', adhoc: boolean) => ({
  processId: adhoc ? 'POS-ADHOC' : 'PR-1', taskId, taskListId: adhoc ? 'POS-ADHOC' : 'TL-OPEN', listName: adhoc ? 'Ad-hoc POS tasks' : 'Store opening checklist',
  storeNumber: '001001', storeName: 'Nordlys Oslo', title, status, dueDate: adhoc ? '2026-12-01' : '2026-12-07', overdue: adhoc, adhoc,
  assignee: adhoc ? '000123' : null, assigneeName: adhoc ? 'Anna' : null, plannerTaskId: null,
});

function handlers(over: FakeHandlers = {}): FakeHandlers {
  return {
    'tasks.getSettings': () => settings(),
    'tasks.conflicts': () => ({ conflicts: [] }),
    'tasks.cancel': () => ({ cancelled: true }),
    'tasks.setEnabled': ({ enabled, dryRun }) => ({
      settings: settings({ enabled: dryRun ? !enabled : enabled }), applied: !dryRun,
      effects: (enabled
        ? [{ code: 'TASKS_ENABLE_RUNS_ALLOWED', params: {} }, { code: 'TASKS_ENABLE_SCHEDULE_READY', params: { everyMinutes: 15 } }]
        : [{ code: 'TASKS_DISABLE_NO_RUNS', params: {} }, { code: 'TASKS_DISABLE_SCHEDULE_ON_HOLD', params: { entry: 'E' } }, { code: 'TASKS_DISABLE_TASKS_KEPT', params: {} }]) as TasksMessage[],
    }),
    'tasks.link': ({ dryRun, createMissing }) => {
      const r = linkRows(dryRun);
      if (createMissing) Object.assign(r.stores[1]!, { planId: 'NEWPLAN', state: 'linked', created: true, persisted: true, code: null, params: {}, plans: [{ id: 'NEWPLAN', title: 'Bergen', tasks: 0 }] });
      return { ...r, plansCreated: createMissing ? 1 : 0, rowsWritten: dryRun ? 0 : createMissing ? 1 : 0 };
    },
    'tasks.lists': () => ({
      lists: [{ taskListId: 'TL-OPEN', name: 'Store opening checklist', description: '', tasks: [
        { taskId: 'T1', name: 'Unlock doors', dueDateOffsetDays: 0, notes: 'Before 08:45', linkType: 'None', link: '' },
        { taskId: 'T3', name: 'Read the campaign brief', dueDateOffsetDays: -1, notes: '', linkType: 'Url', link: 'https://x' },
      ] }],
      stores: [{ storeNumber: '001001', name: 'Nordlys Oslo', planId: PLAN }, { storeNumber: '001002', name: 'Nordlys Bergen', planId: null }],
      nodes: [{ name: 'Norway', depth: 0, parent: null, stores: 2 }, { name: 'Østlandet', depth: 1, parent: 'Norway', stores: 1 }],
      hierarchy: 'Retail Stores by Region',
    }),
    'tasks.previewPublish': (i) => ({
      taskListId: i.taskListId, targetDate: i.targetDate,
      stores: [{ storeNumber: '001001', planId: PLAN, tasks: 2, activeTasks: 3 }],
      skipped: [{ storeNumber: '001002', code: 'TASKS_PUBLISH_NOT_LINKED', params: { storeNumber: '001002', teamId: T2 } }],
      tasksToCreate: 2, limits: { activeTasksPerPlan: 2400, assignees: 20, checklist: 20, references: 10 }, processId: 'PR-9',
      warnings: [{ code: 'TASKS_PUBLISH_ASSIGNEE_UNRESOLVED', params: { taskId: 'T1', personnelNumber: '000777' } }],
    }),
    'tasks.publish': () => ({ processId: 'PR-9', tasksCreated: 2, stores: 1, skipped: [{ storeNumber: '001002', code: 'TASKS_PUBLISH_NOT_LINKED', params: { storeNumber: '001002', teamId: T2 } }], failed: [] }),
    'tasks.sync': () => ({ toPlanner: { created: 0, updated: 4 }, toCommerce: { created: 1, updated: 7 }, conflicts: 1, failed: [], at: Date.UTC(2026, 11, 7, 13) }),
    'tasks.resolveConflict': () => ({ conflicts: [] }),
    'tasks.setSchedule': ({ enabled, everyMinutes }) => ({ ...settings().schedule, enabled, everyMinutes, status: enabled ? 'Ready' : 'On Hold' }),
    'tasks.report': ({ store }) => (store
      ? { ...report(), rows: [row('T1', 'Unlock doors', 'Completed', false), row('pl-1', 'Broken freezer', 'NotStarted', true)] }
      : report()),
    'tasks.exportReport': () => ({ path: '/data/exports/task-completion-all-2026-12-07.xlsx', fileName: 'task-completion-all-2026-12-07.xlsx' }),
    ...over,
  };
}

/** Fluent's Switch puts native props (the test id) on its input. */
const input = (id: string) => {
  const el = screen.getByTestId(id);
  return (el.tagName === 'INPUT' ? el : el.querySelector('input')!) as HTMLInputElement;
};
const tab = (v: string) => fireEvent.click(screen.getByTestId(`tasks-tab-${v}`));

beforeEach(() => resetTasksStore());

describe('Task management page', () => {
  for (const { code } of LANGUAGES) {
    it(`every view renders its content without a missing key (${code})`, async () => {
      const transport = fakeTransport(handlers({
        'tasks.conflicts': () => ({ conflicts: [{ id: 1, storeNumber: '001001', processId: 'PR-1', taskId: 'T2', title: 'Open the cash drawer', field: 'status', baseValue: 'NotStarted', commerceValue: 'Canceled', plannerValue: 'Completed', detectedAt: 1 }] }),
      }));
      const { missing } = renderWith(<TasksPage />, transport, code);
      await screen.findByTestId('tasks-enabled');
      fireEvent.click(screen.getByTestId('tasks-link-preview'));
      await screen.findByTestId('tasks-link-table');
      tab('publish');
      await screen.findByTestId('tasks-publish-tasks');
      fireEvent.click(within(screen.getByTestId('tasks-publish-stores')).getAllByRole('checkbox')[0]!);
      fireEvent.click(screen.getByTestId('tasks-publish-preview'));
      await screen.findByTestId('tasks-preview-skips');
      tab('sync');
      await screen.findByTestId('tasks-conflict-1');
      fireEvent.click(screen.getByTestId('tasks-sync-run'));
      await screen.findByTestId('tasks-sync-result');
      tab('report');
      await screen.findByTestId('tasks-chart-stores');
      fireEvent.click(screen.getByTestId('tasks-chart-stores-bar-001001'));
      await screen.findByTestId('tasks-drill');
      expect(missing).toEqual([]);
    });
  }

  it('the switch is off and explained while the Teams integration is disabled', async () => {
    renderWith(<TasksPage />, fakeTransport(handlers({ 'tasks.getSettings': () => settings({ enabled: false, teamsEnabled: false }) })), 'nb-NO');
    await screen.findByTestId('tasks-teams-required');
    expect(input('tasks-enabled').disabled).toBe(true);
  });

  it('disabling asks first with what it stops, then disables', async () => {
    const transport = fakeTransport(handlers());
    renderWith(<TasksPage />, transport);
    await screen.findByTestId('tasks-enabled');
    await waitFor(() => expect(input('tasks-enabled').checked).toBe(true));
    fireEvent.click(input('tasks-enabled'));
    const dialog = await screen.findByTestId('tasks-switch-dialog');
    expect([...within(dialog).getAllByRole('listitem')].map((li) => li.getAttribute('data-code'))).toEqual(['TASKS_DISABLE_NO_RUNS', 'TASKS_DISABLE_SCHEDULE_ON_HOLD', 'TASKS_DISABLE_TASKS_KEPT']);
    expect(within(dialog).getByText(/Publishing and syncing are refused/)).toBeTruthy();
    expect(transport.calls.filter((c) => c.method === 'tasks.setEnabled').map((c) => c.payload)).toEqual([{ enabled: false, dryRun: true }]);
    fireEvent.click(screen.getByTestId('tasks-switch-confirm'));
    await waitFor(() => expect(screen.queryByTestId('tasks-switch-dialog')).toBeNull());
    expect(transport.calls.filter((c) => c.method === 'tasks.setEnabled').map((c) => c.payload)).toEqual([{ enabled: false, dryRun: true }, { enabled: false, dryRun: false }]);
    expect(input('tasks-enabled').checked).toBe(false);
  });

  it('link: the dry run shows state and the translated reason per store; only the missing plans are created', async () => {
    const transport = fakeTransport(handlers());
    renderWith(<TasksPage />, transport, 'fi-FI');
    await screen.findByTestId('tasks-enabled');
    expect(screen.getByTestId('tasks-link-run').hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByTestId('tasks-link-preview'));
    await screen.findByTestId('tasks-link-table');
    expect(screen.getByTestId('tasks-link-row-001001').getAttribute('data-state')).toBe('linked');
    expect(screen.getByTestId('tasks-link-row-001002').textContent).toContain('Ei suunnitelmaa');
    expect(screen.getByTestId('tasks-link-plans-001003').textContent).toContain('A · 1 tehtävää');
    expect(screen.getByTestId('tasks-link-plans-001003').textContent).toContain('B · 2 tehtävää');
    expect(screen.getByTestId('tasks-link-missing').textContent).toContain('1');
    fireEvent.click(screen.getByTestId('tasks-link-create'));
    await waitFor(() => expect(screen.getByTestId('tasks-link-row-001002').getAttribute('data-state')).toBe('linked'));
    expect(transport.calls.filter((c) => c.method === 'tasks.link').map((c) => c.payload)).toEqual([
      { createMissing: false, dryRun: true },
      { createMissing: true, dryRun: false, stores: ['001002'] },
    ]);
    expect(screen.queryByTestId('tasks-link-create')).toBeNull();
  });

  it('publish: tasks with offsets, stores or a hierarchy node, preview with skip reasons, then publish with progress', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const transport = fakeTransport(handlers({
      'tasks.publish': async () => {
        await gate;
        return { processId: 'PR-9', tasksCreated: 2, stores: 1, skipped: [{ storeNumber: '001002', code: 'TASKS_PUBLISH_NOT_LINKED', params: { storeNumber: '001002', teamId: T2 } }], failed: [] };
      },
    }));
    renderWith(<TasksPage />, transport, 'nl-NL');
    await screen.findByTestId('tasks-enabled');
    tab('publish');
    const tasks = await screen.findByTestId('tasks-publish-tasks');
    expect(tasks.textContent).toContain('1 dagen vóór de doeldatum');
    expect(tasks.textContent).toContain('Op de doeldatum');
    expect(screen.getByTestId('tasks-publish-preview').hasAttribute('disabled')).toBe(true);
    // A hierarchy node as the target.
    fireEvent.click(within(screen.getByTestId('tasks-publish-target')).getAllByRole('radio')[1]!);
    fireEvent.change(await screen.findByTestId('tasks-publish-node'), { target: { value: 'Østlandet' } });
    fireEvent.change(screen.getByTestId('tasks-publish-date').querySelector('input') ?? screen.getByTestId('tasks-publish-date'), { target: { value: '2026-12-08' } });
    fireEvent.click(screen.getByTestId('tasks-publish-preview'));
    const skips = await screen.findByTestId('tasks-preview-skips');
    expect(transport.calls.find((c) => c.method === 'tasks.previewPublish')!.payload).toEqual({ taskListId: 'TL-OPEN', targetDate: '2026-12-08', hierarchyNode: 'Østlandet' });
    expect(skips.textContent).toContain(`Het team ${T2} van winkel 001002 is niet aan een Planner-plan gekoppeld`);
    expect(screen.getByTestId('tasks-publish-warnings').textContent).toContain('medewerker 000777');
    expect(screen.getByTestId('tasks-preview-tasks').textContent).toContain('2');

    fireEvent.click(screen.getByTestId('tasks-publish-run'));
    act(() => transport.push('tasks.progress', { operation: 'publish', phase: 'writing', done: 1, total: 2, at: 1 }));
    const bar = await screen.findByTestId('tasks-progress-publish');
    expect(bar.textContent).toContain('1 van 2');
    // Stop: asks main to stop at the next safe point and says so until the publication ends.
    fireEvent.click(within(bar).getByRole('button', { name: 'Stoppen' }));
    await waitFor(() => expect(transport.calls.some((c) => c.method === 'tasks.cancel')).toBe(true));
    expect(within(bar).getByTestId('tasks-stop-publish').textContent).toBe('Stopt bij het volgende veilige punt…');
    release();
    const done = await screen.findByTestId('tasks-published');
    expect(done.textContent).toContain('2 taken gepubliceerd naar 1 winkels');
    expect(transport.calls.find((c) => c.method === 'tasks.publish')!.payload).toEqual({ taskListId: 'TL-OPEN', targetDate: '2026-12-08', hierarchyNode: 'Østlandet' });
  });

  it('publish to stores: filter, select the shown ones, preview with them; while disabled a hint and no publish', async () => {
    const transport = fakeTransport(handlers({ 'tasks.getSettings': () => settings({ enabled: false }) }));
    renderWith(<TasksPage />, transport, 'nb-NO');
    await screen.findByTestId('tasks-enabled');
    tab('publish');
    await screen.findByTestId('tasks-publish-stores');
    expect(screen.getByTestId('tasks-publish-disabled')).toBeTruthy();
    fireEvent.change(screen.getByTestId('tasks-publish-filter'), { target: { value: 'bergen' } });
    expect(within(screen.getByTestId('tasks-publish-stores')).getAllByRole('checkbox')).toHaveLength(1);
    fireEvent.click(screen.getByTestId('tasks-publish-select-shown'));
    expect(screen.getByTestId('tasks-publish-selected').textContent).toBe('1 valgt');
    fireEvent.click(screen.getByTestId('tasks-publish-preview'));
    await screen.findByTestId('tasks-preview-skips');
    expect(transport.calls.find((c) => c.method === 'tasks.previewPublish')!.payload).toMatchObject({ stores: ['001002'] });
    expect(screen.getByTestId('tasks-publish-run').hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByTestId('tasks-publish-select-none'));
    expect(screen.getByTestId('tasks-publish-preview').hasAttribute('disabled')).toBe(true);
  });

  it('sync: run now shows the counts; a conflict shows both values and keeps the chosen side; the schedule is saved', async () => {
    const conflict = { id: 7, storeNumber: '001001', processId: 'PR-1', taskId: 'T2', title: 'Open the cash drawer', field: 'dueDate' as const, baseValue: '2026-12-07', commerceValue: '2026-12-09', plannerValue: '2026-12-10', detectedAt: 1 };
    const transport = fakeTransport(handlers({ 'tasks.conflicts': () => ({ conflicts: [conflict] }) }));
    renderWith(<TasksPage />, transport);
    await screen.findByTestId('tasks-enabled');
    tab('sync');
    fireEvent.click(screen.getByTestId('tasks-sync-run'));
    await screen.findByTestId('tasks-sync-result');
    expect(screen.getByTestId('tasks-sync-planner-updated').textContent).toContain('4');
    expect(screen.getByTestId('tasks-sync-commerce-updated').textContent).toContain('7');
    expect(screen.getByTestId('tasks-sync-commerce-created').textContent).toContain('1');
    expect(screen.getByTestId('tasks-conflict-7-commerce').textContent).toBe(new Date('2026-12-09T00:00:00Z').toLocaleDateString('en', { timeZone: 'UTC' }));
    expect(screen.getByTestId('tasks-conflict-7-planner').textContent).toBe(new Date('2026-12-10T00:00:00Z').toLocaleDateString('en', { timeZone: 'UTC' }));
    fireEvent.click(screen.getByTestId('tasks-conflict-7-keep-planner'));
    await screen.findByTestId('tasks-conflicts-none');
    expect(transport.calls.find((c) => c.method === 'tasks.resolveConflict')!.payload).toEqual({ id: 7, keep: 'planner' });

    fireEvent.click(input('tasks-schedule-enabled'));
    fireEvent.click(screen.getByTestId('tasks-schedule-save'));
    await waitFor(() => expect(screen.getByTestId('tasks-schedule-status').textContent).toBe('Ready'));
    expect(transport.calls.find((c) => c.method === 'tasks.setSchedule')!.payload).toEqual({ enabled: true, everyMinutes: 15 });
  });

  it('report: bars carry the counts, the rollup nests regions under countries, a store drills down by keyboard, export answers the path', async () => {
    const transport = fakeTransport(handlers());
    renderWith(<TasksPage />, transport);
    await screen.findByTestId('tasks-enabled');
    tab('report');
    const chart = await screen.findByTestId('tasks-chart-stores');
    const oslo = within(chart).getByTestId('tasks-chart-stores-bar-001001');
    expect([oslo.getAttribute('data-completed'), oslo.getAttribute('data-not-started'), oslo.getAttribute('data-overdue'), oslo.getAttribute('data-percent')]).toEqual(['1', '2', '1', '33']);
    // Segment widths follow the counts (420 px bar): 1 of 3 completed.
    expect(Number(oslo.querySelector('[data-segment="completed"]')!.getAttribute('width'))).toBeCloseTo(140, 0);
    expect(within(chart).getByTestId('tasks-chart-stores-bar-001005').getAttribute('data-percent')).toBe('100');
    const rollup = screen.getByTestId('tasks-chart-rollup');
    expect([...rollup.querySelectorAll('[data-percent]')].map((g) => g.getAttribute('data-testid'))).toEqual([
      'tasks-chart-rollup-bar-country-Norway', 'tasks-chart-rollup-bar-region-Vestlandet', 'tasks-chart-rollup-bar-region-Østlandet',
    ].sort((a, b) => (a.includes('country') ? -1 : b.includes('country') ? 1 : a.localeCompare(b))));
    expect(screen.getByTestId('tasks-status-mapping').textContent).toContain('1–99 % ⇄ In progress (written as 50 %)');
    expect(screen.getByTestId('tasks-chart-legend').textContent).toContain('Overdue');

    fireEvent.keyDown(oslo, { key: 'Enter' });
    const drill = await screen.findByTestId('tasks-drill');
    expect(transport.calls.filter((c) => c.method === 'tasks.report').at(-1)!.payload).toEqual({ store: '001001' });
    expect(within(drill).getByTestId('tasks-drill-row-pl-1').textContent).toContain('POS');
    expect(within(drill).getByTestId('tasks-drill-row-pl-1').getAttribute('data-status')).toBe('NotStarted');

    fireEvent.click(screen.getByTestId('tasks-report-export'));
    expect((await screen.findByTestId('tasks-report-exported')).textContent).toContain('/data/exports/task-completion-all-2026-12-07.xlsx');
    // The workbook's labels in the user's language; main fills in the date and hierarchy.
    const labels = (transport.calls.find((c) => c.method === 'tasks.exportReport')!.payload as { labels: { sheets: { summary: string }; status: { Completed: string }; title: string } }).labels;
    expect(labels).toMatchObject({ sheets: { summary: 'Summary' }, status: { Completed: 'Completed' }, title: 'Task completion as of {{asOf}} (hierarchy: {{hierarchy}})' });
  });

  it('report: a newer report moves the bars (refresh, or main saying a sync changed it)', async () => {
    let oslo = counts(1, 0, 2, 1);
    const transport = fakeTransport(handlers({ 'tasks.report': () => report(oslo) }));
    renderWith(<TasksPage />, transport);
    await screen.findByTestId('tasks-enabled');
    tab('report');
    const bar = () => screen.getByTestId('tasks-chart-stores-bar-001001');
    await screen.findByTestId('tasks-chart-stores');
    expect(bar().getAttribute('data-percent')).toBe('33');
    oslo = counts(3, 0, 0, 0);
    fireEvent.click(screen.getByTestId('tasks-report-refresh'));
    await waitFor(() => expect(bar().getAttribute('data-percent')).toBe('100'));
    expect(useTasksStore.getState().report!.lists[0]!.stores[0]!.completed).toBe(3);
    // A scheduled sync elsewhere: main says the report changed; the open report reloads.
    oslo = counts(2, 1, 0, 0);
    act(() => transport.push('tasks.changed', { what: ['report'] }));
    await waitFor(() => expect(bar().getAttribute('data-percent')).toBe('67'));
    expect(bar().getAttribute('data-in-progress')).toBe('1');
  });
});
