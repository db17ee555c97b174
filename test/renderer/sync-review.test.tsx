import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SyncReview, SyncReviewLineDto } from '../../preload/contract';
import { ReviewPanel } from '../../renderer/pages/sales/sync/ReviewPanel';
import { useAppStore } from '../../renderer/stores/app';
import { useMappingsStore } from '../../renderer/stores/mappings';
import { resetSyncStore, useSyncStore } from '../../renderer/stores/sync';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const zero = { inserted: 0, modified: 0, deleted: 0, unchanged: 0, skipped: 0, failed: 0, uncoupled: 0, coupled: 0 };
const line = (p: Partial<SyncReviewLineDto> & Pick<SyncReviewLineDto, 'name'>): SyncReviewLineDto => ({
  dependencyFilter: [], direction: 'Bidirectional', recommendation: 'Full Synchronization', counts: { bc: 3, dv: 0 }, jobStatus: '', message: '',
  messageCode: null, uncoupled: { bc: p.counts?.bc ?? 3, dv: p.counts?.dv ?? 0 }, needsMatchFields: false, runnable: true, reason: null, ...p,
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
    'sync.retryReviewLine': ({ name }) => {
      state.lines = state.lines.map((l) => (l.name === name ? { ...l, jobStatus: '', message: '', messageCode: null } : l));
      state.startable = [...new Set([...state.startable, name])];
      return structuredClone(state);
    },
    'sync.status': () => ({ source: { kind: 'demo', dataverse: null, bc: null, message: null }, mappings: [], heldForInitialSync: [] }),
    'sync.queue': () => [],
    // No "Dynamics 365 Sales" set yet (setup not enabled): the editor opens on what it has.
    'mappings.list': () => [],
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

    set('UNIT GROUP', { jobStatus: 'Success', message: '82 inserted, 0 modified, 0 failed.', messageCode: { code: 'results', params: { inserted: 82, modified: 0, failed: 0 } } });
    set('CURRENCY', {
      jobStatus: 'Error', message: 'You must specify which fields to use for match-based coupling of CURRENCY.', messageCode: { code: 'matchFieldsMissing', params: { mapping: 'CURRENCY' } },
    });
    act(() => fake.push('sync.progress', progress('UNIT GROUP', 'done')));
    // A line's end reaches the page as main's sync.changed (the review reloads; it never polls).
    act(() => fake.push('sync.changed', { what: ['jobs', 'review'] }));
    const unit = screen.getByTestId('sync-review-line-UNIT GROUP');
    await waitFor(() => expect(unit.getAttribute('data-status')).toBe('Success'));
    expect(unit.textContent).toContain('82 inserted, 0 modified, 0 failed.');

    set('ITEM UOM', { jobStatus: 'Success', message: '60 inserted, 0 modified, 0 failed.' });
    Object.assign(state, { runId: null, finishedAt: Date.UTC(2026, 10, 23, 15), blocked: [] });
    act(() => fake.push('sync.finished', { runId: 'run-review', cancelled: false, results: [] }));
    act(() => fake.push('sync.changed', { what: ['jobs', 'queue', 'review'] }));
    const reminder = await screen.findByTestId('sync-review-finished');
    expect(reminder.textContent).toContain('Synch. Only Coupled Records was cleared only for these jobs');
    const currency = screen.getByTestId('sync-review-line-CURRENCY');
    expect(currency.getAttribute('data-status')).toBe('Error');
    expect(within(currency).getByText('Error')).toBeTruthy();
    expect(currency.textContent).toContain('match-based coupling of CURRENCY');
    expect(screen.getByTestId('sync-review-line-ITEM UOM').getAttribute('data-status')).toBe('Success');
    // Nothing left to start: Start is disabled…
    expect((screen.getByTestId('sync-review-start') as HTMLButtonElement).disabled).toBe(true);
    // …until the failed line is retried: it is counted again, its status cleared, and Start runs it.
    fireEvent.click(within(currency).getByTestId('sync-review-retry-CURRENCY'));
    await waitFor(() => expect(calls(fake, 'sync.retryReviewLine')).toEqual([{ name: 'CURRENCY' }]));
    await waitFor(() => expect(screen.getByTestId('sync-review-line-CURRENCY').getAttribute('data-status')).toBe('blank'));
    expect(screen.getByTestId('sync-review-line-CURRENCY').textContent).not.toContain('match-based coupling of CURRENCY');
    expect((screen.getByTestId('sync-review-start') as HTMLButtonElement).disabled).toBe(false);
  });

  it('never offers Full over uncoupled records on both sides: SALESPEOPLE 4 + 4 asks for match fields, and leads to the mapping editor', async () => {
    const { fake, state } = backend();
    state.lines.push(line({ name: 'SALESPEOPLE', direction: 'FromIntegrationTable', recommendation: 'Couple Records', counts: { bc: 4, dv: 4 }, needsMatchFields: true }));
    const { missing } = renderWith(<ReviewPanel />, fake);
    fireEvent.click(screen.getByTestId('sync-review-open'));
    const sp = await screen.findByTestId('sync-review-line-SALESPEOPLE');
    expect(within(sp).getByText('Couple records')).toBeTruthy();
    expect(within(sp).queryByText('Full synchronization')).toBeNull();
    expect(within(sp).getByText('Needs match fields')).toBeTruthy();
    expect(sp.textContent).toContain('4 not coupled');
    expect(within(sp).getByTestId('sync-review-matchfields-SALESPEOPLE').textContent).toContain('Set match fields in SALESPEOPLE');
    expect(screen.getByTestId('sync-review-matchfields').textContent).toContain('a full synchronization would create duplicates');
    expect(screen.getByTestId('sync-review-matchfields').textContent).toContain(': SALESPEOPLE.');
    fireEvent.click(within(sp).getByTestId('sync-review-recheck-SALESPEOPLE'));
    await waitFor(() => expect(calls(fake, 'sync.retryReviewLine')).toEqual([{ name: 'SALESPEOPLE' }]));
    fireEvent.click(within(screen.getByTestId('sync-review-line-SALESPEOPLE')).getByText('Set match fields'));
    await waitFor(() => expect(useAppStore.getState().page).toBe('mappings'));
    expect(calls(fake, 'mappings.list')).toEqual([{}]);
    expect(useMappingsStore.getState().selected).toBe('SALESPEOPLE');
    expect(missing).toEqual([]);
  });

  it('a mapping the engine cannot run keeps its line with the reason; results read in the UI language', async () => {
    const { fake, set, state } = backend();
    state.lines.push(line({ name: 'VENDOR', runnable: false, reason: { code: 'noBcTable', params: { mapping: 'VENDOR', table: 'Vendor' } } }));
    set('UNIT GROUP', { jobStatus: 'Success', message: '82 inserted, 0 modified, 0 failed.', messageCode: { code: 'results', params: { inserted: 82, modified: 0, failed: 0 } } });
    const { missing } = renderWith(<ReviewPanel />, fake, 'nb-NO');
    // Asked for from elsewhere (the setup's What next): the card loads the review by itself.
    act(() => useSyncStore.getState().requestReview());
    const vendor = await screen.findByTestId('sync-review-line-VENDOR');
    expect(vendor.textContent).toContain('Kan ikke kjøres');
    expect(vendor.textContent).toContain('Business Central-tabellen Vendor');
    expect(screen.getByTestId('sync-review-line-UNIT GROUP').textContent).toContain('82 satt inn, 0 endret, 0 mislyktes.');
    expect(screen.getByTestId('sync-review-line-UNIT GROUP').textContent).not.toContain('inserted');
    expect(useSyncStore.getState().focusReview).toBe(false);
    expect(missing).toEqual([]);
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
