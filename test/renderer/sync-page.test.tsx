import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppError, SyncJobDto, SyncMappingStatus, SyncProgress, SyncQueueEntryDto, SyncStatus } from '../../preload/contract';
import { JobLog } from '../../renderer/pages/sales/sync/JobLog';
import { QueueCard, SkippedPanel } from '../../renderer/pages/sales/sync/Panels';
import { SyncPage } from '../../renderer/pages/sales/sync/SyncPage';
import { resetSyncStore, useSyncStore } from '../../renderer/stores/sync';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const BC1 = '11111111-1111-4111-8111-111111111111';
const DV1 = '22222222-2222-4222-8222-222222222222';
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const zero = { inserted: 0, modified: 0, deleted: 0, unchanged: 0, skipped: 0, failed: 0, uncoupled: 0, coupled: 0 };

const job = (p: Partial<SyncJobDto> & Pick<SyncJobDto, 'id' | 'mapping'>): SyncJobDto => ({
  ...zero, type: 'Synchronization', direction: 'ToIntegrationTable', startedAt: T0, finishedAt: T0 + 5000, message: '', messageCode: null, ...p,
});
const entry = (p: Partial<SyncQueueEntryDto> & Pick<SyncQueueEntryDto, 'name' | 'mapping'>): SyncQueueEntryDto => ({
  description: 'Synchronization job', recurring: true, everyMinutes: 30, inactivityTimeoutMinutes: 720, status: 'Ready', attempts: 0, maxAttempts: 10,
  earliestStart: T0 + 60_000, lastStartedAt: null, lastFinishedAt: null, lastError: null, blockedBy: null, ...p,
});
const mapping = (p: Partial<SyncMappingStatus> & Pick<SyncMappingStatus, 'name'>): SyncMappingStatus => ({
  direction: 'Bidirectional', bcTable: 'Item', dataverseEntity: 'product', lastTo: null, lastFrom: null, watermarks: { bc: null, dataverse: null },
  queue: null, running: null, couplings: 0, skipped: 0, runnable: true, reason: null, ...p,
});

const LONG = `Inserting the product record failed because of the following error: ${'The attribute d365ic_nosuchcolumn does not exist on this entity. '.repeat(6)}End.`;

/** An in-memory main for the Sync page, behind the contract-validating fake transport. */
function backend(o: { fail?: Record<string, AppError> } = {}) {
  const item = job({
    id: 'job-item-to', mapping: 'ITEM-PRODUCT', inserted: 40, unchanged: 2, failed: 2, message: '2 record(s) failed: open the job\'s errors to see why.',
    messageCode: { code: 'recordsFailed', params: { count: 2 } },
  });
  const status: SyncStatus = {
    source: { kind: 'demo', dataverse: { profileId: 'p1', name: 'Demo sandbox · Dataverse' }, bc: { profileId: 'p2', name: 'Demo sandbox · Business Central' }, message: null },
    mappings: [
      mapping({ name: 'ITEM-PRODUCT', lastTo: item, couplings: 42, queue: entry({ name: 'ITEM-PRODUCT - Dynamics 365 Sales synchronization job', mapping: 'ITEM-PRODUCT' }) }),
      mapping({ name: 'CUSTOMER', bcTable: 'Customer', dataverseEntity: 'account', skipped: 1, couplings: 10 }),
      mapping({ name: 'SOLINE-ORDERDETAIL', bcTable: 'Sales Line', dataverseEntity: 'salesorderdetail', runnable: false, reason: { code: 'linesRunWithParent', params: { mapping: 'SOLINE-ORDERDETAIL', parent: 'SALESORDER-ORDER' } } }),
    ],
    heldForInitialSync: [],
  };
  const queue = [
    entry({ name: 'ITEM-PRODUCT job', mapping: 'ITEM-PRODUCT' }),
    entry({ name: 'CUSTOMER job', mapping: 'CUSTOMER', status: 'On Hold' }),
    // Due for a day and never run: the queue shows it is overdue and why.
    entry({ name: 'CONTACT job', mapping: 'CONTACT', earliestStart: T0 - 86_400_000, blockedBy: { code: 'queueNotEnabled', params: {} } }),
  ];
  const failOr = <T,>(method: string, v: () => T): T => {
    const e = o.fail?.[method];
    if (e) throw Object.assign(new Error(e.message), { code: e.code });
    return v();
  };
  const fake = fakeTransport({
    'sync.status': () => status,
    'sync.queue': () => queue,
    'sync.run': ({ mapping: m }) => failOr('sync.run', () => ({ runId: `run-${m ?? 'all'}` })),
    'sync.cancel': () => ({ cancelled: true }),
    'sync.jobs': () => ({ jobs: [item], total: 1 }),
    'sync.jobErrors': () => ({
      errors: [
        { no: 1, jobId: item.id, sourceSide: 'bc', sourceId: BC1, destinationId: DV1, message: LONG, detail: null, at: T0 },
        { no: 2, jobId: item.id, sourceSide: 'bc', sourceId: BC1.replace(/1/g, '3'), destinationId: null, message: 'Second failure.', detail: null, at: T0 },
      ],
      next: null,
    }),
    'sync.jobErrorGroups': () => ({
      total: 119,
      groups: [
        {
          key: 'notCoupled', count: 117, message: 'Customer price group DETALJ is not coupled to a Dynamics 365 Sales record. Synchronize CUSTPRCGRP-PRICE first.', firstNo: 1,
          messageCode: { code: 'notCoupled', params: { subject: 'Customer price group DETALJ', mapping: 'CUSTPRCGRP-PRICE' } }, fix: { kind: 'run', mapping: 'CUSTPRCGRP-PRICE' },
        },
        { key: 'other', count: 2, message: LONG, messageCode: null, firstNo: 3, fix: null },
      ],
    }),
    'sync.releaseInitialHold': () => ({ resumed: ['ITEM-PRODUCT job'] }),
    'sync.deleteFailedCouplings': () => ({ removed: 2 }),
    'sync.skipped': () => ({ records: [{ rowId: 7, bcId: BC1, dataverseId: DV1, errorTo: null, errorFrom: 'Cannot update the customer: blocked.' }], next: null }),
    'sync.restoreSkipped': ({ bcIds }) => ({ restored: bcIds === 'all' ? 1 : bcIds.length }),
    'sync.uncouple': ({ mapping: m }) => job({ id: 'j-unc', mapping: m, type: 'Uncoupling', uncoupled: 1 }),
    'sync.queueHold': ({ name }) => ({ ...queue.find((q) => q.name === name)!, status: 'On Hold' }),
    'sync.queueResume': ({ name }) => ({ ...queue.find((q) => q.name === name)!, status: 'Ready' }),
    'sync.queueRun': () => ({ runId: 'run-queue' }),
  });
  return { fake, status, item };
}

const calls = (fake: ReturnType<typeof fakeTransport>, method: string) => fake.calls.filter((c) => c.method === method).map((c) => c.payload);
const progress = (p: Partial<SyncProgress>): SyncProgress => ({ runId: 'run-ITEM-PRODUCT', mapping: 'ITEM-PRODUCT', direction: 'to', phase: 'running', counters: zero, written: 0, done: false, ...p });

beforeEach(() => resetSyncStore());

describe('Sync page', () => {
  it('lists the mappings with their last run per direction, says it uses the demo profiles, and runs one mapping', async () => {
    const { fake } = backend();
    const { missing } = renderWith(<SyncPage />, fake);
    const row = await screen.findByTestId('sync-row-ITEM-PRODUCT');
    expect(within(row).getByText('40 inserted')).toBeTruthy();
    expect(within(row).getByText('2 failed')).toBeTruthy();
    expect(within(row).getByText('Needs attention')).toBeTruthy();
    expect(within(row).getByText('42 coupled records', { exact: false })).toBeTruthy();
    expect(within(screen.getByTestId('sync-row-CUSTOMER')).getAllByText('Never run')).toHaveLength(2);
    expect(screen.getByTestId('sync-source').textContent).toContain('"Demo sandbox · Dataverse" and "Demo sandbox · Business Central"');

    fireEvent.click(screen.getByTestId('sync-run-ITEM-PRODUCT'));
    await waitFor(() => expect(calls(fake, 'sync.run')).toEqual([{ mapping: 'ITEM-PRODUCT', full: false }]));
    fireEvent.click(within(screen.getByTestId('sync-row-CUSTOMER')).getByText('1 skipped'));
    expect((await screen.findByTestId('sync-skipped')).textContent).toContain('Skipped records of CUSTOMER');
    expect(missing).toEqual([]);
  });

  it('shows a progress bar fed by events, then the new result when the run finishes', async () => {
    const { fake, status, item } = backend();
    renderWith(<SyncPage />, fake);
    await screen.findByTestId('sync-row-ITEM-PRODUCT');
    act(() => fake.push('sync.progress', progress({ counters: { ...zero, inserted: 120, unchanged: 3 }, written: 120 })));
    const bar = await screen.findByTestId('sync-progress-ITEM-PRODUCT');
    expect(bar.textContent).toContain('123 records processed');
    expect(bar.getAttribute('data-phase')).toBe('running');
    // While running, the row offers Cancel instead of Run.
    fireEvent.click(within(screen.getByTestId('sync-row-ITEM-PRODUCT')).getByText('Cancel run'));
    await waitFor(() => expect(calls(fake, 'sync.cancel')).toEqual([{ runId: 'run-ITEM-PRODUCT' }]));

    status.mappings[0] = { ...status.mappings[0]!, lastTo: { ...item, id: 'job-2', inserted: 130, failed: 0, message: '' } };
    const before = calls(fake, 'sync.status').length;
    act(() => fake.push('sync.progress', progress({ phase: 'done', done: true, counters: { ...zero, inserted: 130 } })));
    act(() => fake.push('sync.finished', { runId: 'run-ITEM-PRODUCT', cancelled: false, results: [{ mapping: 'ITEM-PRODUCT', to: null, from: null, error: null }] }));
    act(() => fake.push('sync.changed', { what: ['jobs', 'queue', 'review'] }));
    await waitFor(() => expect(screen.queryByTestId('sync-progress-ITEM-PRODUCT')).toBeNull());
    expect(calls(fake, 'sync.status').length).toBeGreaterThan(before);
    const row = screen.getByTestId('sync-row-ITEM-PRODUCT');
    await waitFor(() => expect(within(row).getByText('130 inserted')).toBeTruthy());
    expect(within(row).getByText('OK')).toBeTruthy();
  });

  it('asks before a full synchronization and explains the duplicates risk', async () => {
    const { fake } = backend();
    renderWith(<SyncPage />, fake);
    fireEvent.click(await screen.findByTestId('sync-full-CUSTOMER'));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('you get duplicates');
    expect(dialog.textContent).toContain('only when one side is still empty');
    fireEvent.click(within(dialog).getByText('Cancel'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls(fake, 'sync.run')).toEqual([]);

    fireEvent.click(screen.getByTestId('sync-full-all'));
    fireEvent.click(await screen.findByTestId('sync-full-confirm'));
    await waitFor(() => expect(calls(fake, 'sync.run')).toEqual([{ mapping: null, full: true }]));
  });

  it('runs all mappings, and shows a refused run as a translated, actionable message', async () => {
    const { fake } = backend({ fail: { 'sync.run': { code: 'SYNC_ALREADY_RUNNING', message: 'busy' } } });
    const { missing } = renderWith(<SyncPage />, fake, 'nb-NO');
    fireEvent.click(await screen.findByTestId('sync-run-all'));
    await waitFor(() => expect(calls(fake, 'sync.run')).toEqual([{ mapping: null, full: false }]));
    // The fake carries no params: the text still reads as Norwegian, not the English fallback.
    const err = await screen.findByTestId('sync-error');
    expect(err.textContent).toContain('kjører allerede');
    expect(missing).toEqual([]);
  });

  it('opens a job\'s errors in a drawer, grouped by cause with the action that fixes it, then in full: copy, delete couplings', async () => {
    const { fake } = backend();
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    // The page's parts on their own keep this file quick; the page test above covers how they are put together.
    const { missing } = renderWith(<JobLog mappings={['ITEM-PRODUCT', 'CUSTOMER']} />, fake);
    await act(() => useSyncStore.getState().loadJobs(null, 0));
    const jobs = await screen.findByTestId('sync-jobs');
    // The job's message is a code the page translates.
    expect(jobs.textContent).toContain('2 records failed: open the job\'s errors to see why.');
    fireEvent.click(await within(jobs).findByText('Show 2 errors'));
    const panel = await screen.findByTestId('sync-errors');
    expect(calls(fake, 'sync.jobErrorGroups')).toEqual([{ jobId: 'job-item-to' }]);
    // 117 identical causes are one line with the fix: run the dependency first.
    const group = within(panel).getByTestId('sync-error-group-1');
    expect(group.textContent).toContain('117 ×');
    expect(group.textContent).toContain('Customer price group DETALJ is not coupled');
    fireEvent.click(within(group).getByText('Run CUSTPRCGRP-PRICE first'));
    await waitFor(() => expect(calls(fake, 'sync.run')).toEqual([{ mapping: 'CUSTPRCGRP-PRICE', full: false }]));
    expect(within(panel).queryByTestId('sync-error-1')).toBeNull();
    fireEvent.click(within(panel).getByTestId('sync-errors-all'));
    await within(panel).findByTestId('sync-error-1');
    expect(calls(fake, 'sync.jobErrors')).toEqual([{ jobId: 'job-item-to', afterNo: 0, limit: 50 }]);
    expect(missing).toEqual([]);
    // The whole message, not a clipped one.
    expect(within(panel).getByTestId('sync-error-1').textContent).toContain(LONG);
    fireEvent.click(within(within(panel).getByTestId('sync-error-1')).getByText('Copy'));
    await waitFor(() => expect(writeText).toHaveBeenCalledTimes(1));
    const copied = (writeText.mock.calls[0] as unknown as [string])[0];
    expect(copied).toContain(LONG);
    expect(copied).toContain(BC1);
    fireEvent.click(within(panel).getByText('Delete couplings'));
    await waitFor(() => expect(calls(fake, 'sync.deleteFailedCouplings')).toEqual([{ mapping: 'ITEM-PRODUCT', jobId: 'job-item-to' }]));
    await waitFor(() => expect(useSyncStore.getState().notice).toEqual({ key: 'notice.couplingsDeleted', params: { count: 2 } }));
  });

  it('lists skipped records with Restore, Retry (in the direction that failed) and Delete coupling', async () => {
    const { fake } = backend();
    renderWith(<SkippedPanel />, fake);
    await act(async () => {
      await useSyncStore.getState().refresh();
      await useSyncStore.getState().openSkipped('CUSTOMER');
    });
    const panel = await screen.findByTestId('sync-skipped');
    expect(calls(fake, 'sync.skipped')).toEqual([{ mapping: 'CUSTOMER', afterRowId: 0, limit: 100 }]);
    expect(panel.textContent).toContain('Cannot update the customer: blocked.');
    fireEvent.click(within(panel).getByText('Retry'));
    await waitFor(() => expect(calls(fake, 'sync.restoreSkipped')).toEqual([{ mapping: 'CUSTOMER', bcIds: [BC1], sync: 'from' }]));
    fireEvent.click(within(panel).getByText('Restore'));
    await waitFor(() => expect(calls(fake, 'sync.restoreSkipped')).toHaveLength(2));
    expect(calls(fake, 'sync.restoreSkipped')[1]).toEqual({ mapping: 'CUSTOMER', bcIds: [BC1], sync: null });
    fireEvent.click(within(panel).getByText('Delete coupling'));
    await waitFor(() => expect(calls(fake, 'sync.uncouple')).toEqual([{ mapping: 'CUSTOMER', bcIds: [BC1] }]));
  });

  it('holds, resumes and runs queue entries; an overdue entry says why it does not run', async () => {
    const { fake } = backend();
    renderWith(<QueueCard />, fake);
    await act(() => useSyncStore.getState().refresh());
    const item = await screen.findByTestId('sync-queue-ITEM-PRODUCT job');
    fireEvent.click(within(item).getByText('Hold'));
    await waitFor(() => expect(calls(fake, 'sync.queueHold')).toEqual([{ name: 'ITEM-PRODUCT job' }]));
    const customer = screen.getByTestId('sync-queue-CUSTOMER job');
    expect(within(customer).getByText('On hold')).toBeTruthy();
    fireEvent.click(within(customer).getByText('Resume'));
    await waitFor(() => expect(calls(fake, 'sync.queueResume')).toEqual([{ name: 'CUSTOMER job' }]));
    fireEvent.click(within(customer).getByText('Run now'));
    await waitFor(() => expect(calls(fake, 'sync.queueRun')).toEqual([{ name: 'CUSTOMER job' }]));
    const contact = screen.getByTestId('sync-queue-CONTACT job');
    expect(within(contact).getByTestId('sync-queue-overdue-CONTACT job').textContent).toContain('Overdue since');
    // A reason that holds for the whole queue is said once above it, not on every entry.
    expect(within(contact).queryByTestId('sync-queue-why-CONTACT job')).toBeNull();
    expect(screen.getByTestId('sync-queue-wide-queueNotEnabled').textContent).toContain('1 entry: Due, but the job queue only runs while the Sales connection is enabled');
  });

  it('lists a mapping the engine cannot run with its reason, and the job queue held for the initial synchronization', async () => {
    const { fake, status } = backend();
    status.heldForInitialSync = ['ITEM-PRODUCT job', 'CUSTOMER job'];
    const { missing } = renderWith(<SyncPage />, fake, 'nl-NL');
    const row = await screen.findByTestId('sync-row-SOLINE-ORDERDETAIL');
    expect(within(row).getByTestId('sync-reason-SOLINE-ORDERDETAIL').textContent).toContain('SALESORDER-ORDER');
    expect((within(row).getByTestId('sync-run-SOLINE-ORDERDETAIL') as HTMLButtonElement).disabled).toBe(true);
    const banner = screen.getByTestId('sync-initial-hold');
    expect(banner.textContent).toContain('2 terugkerende vermeldingen');
    fireEvent.click(within(banner).getByTestId('sync-initial-hold-review'));
    expect(useSyncStore.getState().focusReview || calls(fake, 'sync.review').length > 0).toBe(true);
    fireEvent.click(within(banner).getByTestId('sync-initial-hold-resume'));
    await waitFor(() => expect(calls(fake, 'sync.releaseInitialHold')).toEqual([{}]));
    expect(missing).toEqual([]);
  });

  it('a run that leaves a mapping out says which and why, in the UI language', async () => {
    const { fake } = backend();
    const { missing } = renderWith(<SyncPage />, fake, 'fi-FI');
    await screen.findByTestId('sync-row-ITEM-PRODUCT');
    act(() => fake.push('sync.finished', {
      runId: 'run-all', cancelled: false,
      results: [
        { mapping: 'ITEM-PRODUCT', to: null, from: null, error: null },
        { mapping: 'SOLINE-ORDERDETAIL', to: null, from: null, error: { code: 'SYNC_MAPPING_NOT_RUNNABLE', message: 'SOLINE-ORDERDETAIL cannot be synchronized by the console yet (linesRunWithParent).', params: { mapping: 'SOLINE-ORDERDETAIL', reason: 'linesRunWithParent' } } },
      ],
    }));
    const box = await screen.findByTestId('sync-run-problems');
    expect(box.textContent).toContain('1 yhdistämismääritys jäi suorittamatta');
    expect(box.textContent).toContain('Konsoli ei vielä voi synkronoida kohdetta SOLINE-ORDERDETAIL');
    expect(box.textContent).not.toContain('ITEM-PRODUCT');
    expect(missing).toEqual([]);
  });
});
