/**
 * Issue 12: the Sync page refreshes what main changed on its `sync.changed` event — the job log, the queue, the
 * review — and never polls: with the clock run forward a minute (fake timers) the page asks main for nothing.
 */
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncJobDto, SyncQueueEntryDto, SyncReview, SyncStatus } from '../../preload/contract';
import { SyncPage } from '../../renderer/pages/sales/sync/SyncPage';
import { resetSyncStore } from '../../renderer/stores/sync';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const zero = { inserted: 0, modified: 0, deleted: 0, unchanged: 0, skipped: 0, failed: 0, uncoupled: 0, coupled: 0 };
const job = (id: string, inserted: number): SyncJobDto => ({
  ...zero, id, mapping: 'CURRENCY', inserted, type: 'Synchronization', direction: 'ToIntegrationTable', startedAt: T0, finishedAt: T0 + 5000, message: '', messageCode: null,
});
const entry = (status: SyncQueueEntryDto['status']): SyncQueueEntryDto => ({
  name: 'CURRENCY job', mapping: 'CURRENCY', description: 'Synchronization job', recurring: true, everyMinutes: 30, inactivityTimeoutMinutes: 720, status,
  attempts: 0, maxAttempts: 10, earliestStart: T0 + 60_000, lastStartedAt: null, lastFinishedAt: null, lastError: null, blockedBy: null,
});

/** A main whose data the test changes behind the page's back, then announces with sync.changed (or not). */
function backend() {
  const data = {
    jobs: [job('job-1', 4)],
    queue: [entry('Ready')],
    review: {
      lines: [{
        name: 'CURRENCY', dependencyFilter: [], direction: 'ToIntegrationTable', recommendation: 'Couple Records', counts: { bc: 4, dv: 4 }, jobStatus: '', message: '',
        messageCode: null, uncoupled: { bc: 4, dv: 4 }, needsMatchFields: false, runnable: true, reason: null,
      }],
      startable: [], blocked: [], countCap: 100, runId: 'run-review', finishedAt: null, cancelled: false,
    } as SyncReview,
  };
  const status = (): SyncStatus => ({
    source: { kind: 'demo', dataverse: { profileId: 'p1', name: 'Demo sandbox · Dataverse' }, bc: { profileId: 'p2', name: 'Demo sandbox · Business Central' }, message: null },
    mappings: [{
      name: 'CURRENCY', direction: 'ToIntegrationTable', bcTable: 'Currency', dataverseEntity: 'transactioncurrency', lastTo: data.jobs[0] ?? null, lastFrom: null,
      watermarks: { bc: null, dataverse: null }, queue: null, running: null, couplings: 0, skipped: 0, runnable: true, reason: null,
    }],
    heldForInitialSync: [],
  });
  const fake = fakeTransport({
    'sync.status': status,
    'sync.queue': () => structuredClone(data.queue),
    'sync.jobs': () => ({ jobs: structuredClone(data.jobs), total: data.jobs.length }),
    'sync.review': () => structuredClone(data.review),
    'mappings.list': () => [],
  });
  return { fake, data };
}
const count = (fake: ReturnType<typeof fakeTransport>, method: string) => fake.calls.filter((c) => c.method === method).length;

beforeEach(() => {
  resetSyncStore();
  // Timers the page might start are fake from the first render on; time still passes for the test's own waits.
  vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Sync page: refreshed by sync.changed, never by a timer', () => {
  it('does not poll: a minute passes during a running review and nothing is asked of main', async () => {
    const { fake } = backend();
    renderWith(<SyncPage />, fake);
    await screen.findByTestId('sync-job-job-1');
    fireEvent.click(screen.getByTestId('sync-review-open'));
    // The review is running (the case the page used to poll every 5 s).
    await screen.findByTestId('sync-review-line-CURRENCY');
    await waitFor(() => expect(screen.getByTestId('sync-review-refresh').hasAttribute('disabled')).toBe(true));
    const before = fake.calls.length;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(60_000);
    });
    expect(fake.calls.slice(before).map((c) => c.method)).toEqual([]);
  });

  it('reloads the job log, the queue and the review when main says they changed, and only those', async () => {
    const { fake, data } = backend();
    renderWith(<SyncPage />, fake);
    await screen.findByTestId('sync-job-job-1');
    fireEvent.click(screen.getByTestId('sync-review-open'));
    await screen.findByTestId('sync-review-line-CURRENCY');

    // A job finished: the log shows it.
    data.jobs = [job('job-2', 9), ...data.jobs];
    const reviews = count(fake, 'sync.review');
    act(() => fake.push('sync.changed', { what: ['jobs'] }));
    await screen.findByTestId('sync-job-job-2');
    expect(count(fake, 'sync.review')).toBe(reviews);

    // The queue changed (held elsewhere): the queue reloads.
    data.queue = [entry('On Hold')];
    const queues = count(fake, 'sync.queue');
    act(() => fake.push('sync.changed', { what: ['queue'] }));
    await waitFor(() => expect(count(fake, 'sync.queue')).toBe(queues + 1));

    // A review line ended: the review reloads and shows its status.
    data.review = { ...data.review, lines: data.review.lines.map((l) => ({ ...l, jobStatus: 'Success' as const, message: '4 coupled.' })) };
    const jobs = count(fake, 'sync.jobs');
    act(() => fake.push('sync.changed', { what: ['review'] }));
    await waitFor(() => expect(screen.getByTestId('sync-review-line-CURRENCY').getAttribute('data-status')).toBe('Success'));
    expect(count(fake, 'sync.jobs')).toBe(jobs);

    // A payload main would never send is ignored.
    const calls = fake.calls.length;
    act(() => fake.push('sync.changed', { what: ['everything'] }));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(60_000);
    });
    expect(fake.calls.length).toBe(calls);
  });

  it('reloads once when the browser host\'s link comes back (events sent meanwhile are lost)', async () => {
    const { fake, data } = backend();
    renderWith(<SyncPage />, fake);
    await screen.findByTestId('sync-job-job-1');
    data.jobs = [job('job-3', 1), ...data.jobs];
    act(() => fake.connection('lost'));
    act(() => fake.connection('open'));
    await screen.findByTestId('sync-job-job-3');
  });
});
