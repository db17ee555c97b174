import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SyncReview, SyncReviewLineDto } from '../../preload/contract';
import { ReviewPanel } from '../../renderer/pages/sync/ReviewPanel';
import { resetSyncStore } from '../../renderer/stores/sync';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const zero = { inserted: 0, modified: 0, deleted: 0, unchanged: 0, skipped: 0, failed: 0, uncoupled: 0, coupled: 0 };
const line = (p: Partial<SyncReviewLineDto> & Pick<SyncReviewLineDto, 'name'>): SyncReviewLineDto => ({
  dependencyFilter: [], direction: 'Bidirectional', recommendation: 'Full Synchronization', counts: { bc: 3, dv: 0 }, jobStatus: '', message: '', ...p,
});

/** A main for the review card behind the contract-validating fake: the cascade is driven by the test's events. */
function backend() {
  const state: SyncReview = {
    lines: [
      line({ name: 'CURRENCY', direction: 'ToIntegrationTable', recommendation: 'Couple Records', counts: { bc: 4, dv: 4 } }),
      line({ name: 'UNIT GROUP', direction: 'ToIntegrationTable', counts: { bc: 100, dv: 1 } }),
      line({ name: 'ITEM UOM', dependencyFilter: ['UNIT GROUP'], direction: 'ToIntegrationTable', counts: { bc: 100, dv: 1 } }),
      line({ name: 'PAYMENT TERMS', recommendation: 'No Records Found', counts: { bc: 0, dv: 4 } }),
    ],
    startable: ['CURRENCY', 'UNIT GROUP'], blocked: [], countCap: 100, runId: null, finishedAt: null, cancelled: false,
  };
  const fake = fakeTransport({
    'sync.review': () => structuredClone(state),
    'sync.startReview': () => {
      state.runId = 'run-review';
      state.startable = [];
      return { runId: 'run-review' };
    },
    'sync.status': () => ({ source: { kind: 'demo', dataverse: null, bc: null, message: null }, mappings: [] }),
    'sync.queue': () => [],
    'sync.jobs': () => ({ jobs: [], total: 0 }),
  });
  const set = (name: string, p: Partial<SyncReviewLineDto>) => {
    state.lines = state.lines.map((l) => (l.name === name ? { ...l, ...p } : l));
  };
  return { fake, state, set };
}
const calls = (fake: ReturnType<typeof fakeTransport>, method: string) => fake.calls.filter((c) => c.method === method).map((c) => c.payload);
const progress = (mapping: string, phase: 'running' | 'done' | 'failed') =>
  ({ runId: 'run-review', mapping, direction: null, phase, counters: zero, written: 0, done: phase !== 'running' });

beforeEach(() => resetSyncStore());

describe('full synchronization review card', () => {
  it('counts on request, shows counts (capped), recommendations and dependencies', async () => {
    const { fake } = backend();
    const { missing } = renderWith(<ReviewPanel />, fake);
    expect(calls(fake, 'sync.review')).toEqual([]);
    fireEvent.click(screen.getByTestId('sync-review-open'));
    const uom = await screen.findByTestId('sync-review-line-ITEM UOM');
    expect(calls(fake, 'sync.review')).toEqual([{ refresh: false }]);
    expect(uom.textContent).toContain('UNIT GROUP');
    expect(uom.textContent).toContain('100+');
    expect(within(uom).getByText('Full synchronization')).toBeTruthy();
    expect(within(screen.getByTestId('sync-review-line-CURRENCY')).getByText('Couple records')).toBeTruthy();
    expect(within(screen.getByTestId('sync-review-line-PAYMENT TERMS')).getByText('Nothing to do')).toBeTruthy();
    fireEvent.click(screen.getByTestId('sync-review-refresh'));
    await waitFor(() => expect(calls(fake, 'sync.review')).toEqual([{ refresh: false }, { refresh: true }]));
    expect(missing).toEqual([]);
  });

  it('asks before starting, explaining duplicates and coupling; then follows the cascade live to the reminder', async () => {
    const { fake, state, set } = backend();
    renderWith(<ReviewPanel />, fake);
    fireEvent.click(screen.getByTestId('sync-review-open'));
    fireEvent.click(await screen.findByTestId('sync-review-start'));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('only when one side is empty, otherwise you get duplicates');
    expect(dialog.textContent).toContain('match-based coupling');
    expect(dialog.textContent).toContain('2 lines start now (CURRENCY, UNIT GROUP)');
    fireEvent.click(within(dialog).getByText('Cancel'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls(fake, 'sync.startReview')).toEqual([]);

    fireEvent.click(screen.getByTestId('sync-review-start'));
    fireEvent.click(await screen.findByTestId('sync-review-confirm'));
    await waitFor(() => expect(calls(fake, 'sync.startReview')).toHaveLength(1));
    // While running: Cancel instead of Start, no recount.
    await screen.findByText('Cancel run');
    expect((screen.getByTestId('sync-review-refresh') as HTMLButtonElement).disabled).toBe(true);

    act(() => fake.push('sync.progress', progress('UNIT GROUP', 'running')));
    await waitFor(() => expect(screen.getByTestId('sync-review-line-UNIT GROUP').getAttribute('data-status')).toBe('In Process'));
    expect(within(screen.getByTestId('sync-review-line-UNIT GROUP')).getByText('In process')).toBeTruthy();

    set('UNIT GROUP', { jobStatus: 'Success', message: '82 inserted, 0 modified, 0 failed.' });
    set('CURRENCY', { jobStatus: 'Error', message: 'You must specify which fields to use for match-based coupling of CURRENCY.' });
    act(() => fake.push('sync.progress', progress('UNIT GROUP', 'done')));
    const unit = screen.getByTestId('sync-review-line-UNIT GROUP');
    await waitFor(() => expect(unit.getAttribute('data-status')).toBe('Success'));
    expect(unit.textContent).toContain('82 inserted, 0 modified, 0 failed.');

    set('ITEM UOM', { jobStatus: 'Success', message: '60 inserted, 0 modified, 0 failed.' });
    Object.assign(state, { runId: null, finishedAt: Date.UTC(2026, 10, 23, 15), blocked: [] });
    act(() => fake.push('sync.finished', { runId: 'run-review', cancelled: false, results: [] }));
    const reminder = await screen.findByTestId('sync-review-finished');
    expect(reminder.textContent).toContain('Synch. Only Coupled Records was cleared only for these jobs');
    const currency = screen.getByTestId('sync-review-line-CURRENCY');
    expect(currency.getAttribute('data-status')).toBe('Error');
    expect(within(currency).getByText('Error')).toBeTruthy();
    expect(currency.textContent).toContain('match-based coupling of CURRENCY');
    expect(screen.getByTestId('sync-review-line-ITEM UOM').getAttribute('data-status')).toBe('Success');
    // Nothing left to start: Start is disabled until the review is counted again.
    expect((screen.getByTestId('sync-review-start') as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows lines blocked by a failed dependency, in Norwegian', async () => {
    const { fake, state, set } = backend();
    set('UNIT GROUP', { jobStatus: 'Error', message: 'boom' });
    Object.assign(state, { startable: ['CURRENCY'], blocked: [{ name: 'ITEM UOM', waitingFor: ['UNIT GROUP'] }] });
    const { missing } = renderWith(<ReviewPanel />, fake, 'nb-NO');
    fireEvent.click(screen.getByTestId('sync-review-open'));
    const uom = await screen.findByTestId('sync-review-line-ITEM UOM');
    expect(uom.textContent).toContain('Blokkert');
    expect(uom.textContent).toContain('Venter på: UNIT GROUP');
    expect(missing).toEqual([]);
  });
});
