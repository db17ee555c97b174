import Database from 'better-sqlite3';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import mappingsMigration from '../../main/db/migrations/0002_mappings';
import snapshotsMigration from '../../main/db/migrations/0005_mapping_snapshots';
import { createMappingHandlers } from '../../main/integrations/sales/mappings/handlers';
import { fieldKey } from '../../preload/contract/sales/mapping-model';
import { resources } from '../../renderer/i18n';
import { MappingsPage } from '../../renderer/pages/sales/mappings/MappingsPage';
import { useMappingsStore } from '../../renderer/stores/mappings';
import { fakeTransport, type FakeHandlers } from '../../renderer/transport/fake';
import { renderWith } from './render';

/** The fake transport runs the real mapping service on an in-memory database: the page sees real findings and diffs. */
function transport() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec(mappingsMigration.sql);
  db.exec(snapshotsMigration.sql);
  const handlers = createMappingHandlers({ db, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  return fakeTransport(handlers as unknown as FakeHandlers);
}

beforeAll(() => {
  // jsdom has no layout: give the grid's scroll container a height so the virtualizer renders rows.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 420 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1200 });
});

beforeEach(() => {
  useMappingsStore.setState({ sets: [], view: null, catalog: null, selected: null, snapshots: [], panel: null, busy: false, error: null, notice: null });
});

async function openMapping(name: string) {
  await waitFor(() => expect(screen.getByTestId(`mapping-${name}`)).toBeTruthy());
  fireEvent.click(screen.getByTestId(`mapping-${name}`));
  await waitFor(() => expect(screen.getByTestId('selected-mapping').textContent).toBe(name));
}

describe('mapping editor page', () => {
  it('a direction edit re-validates and marks the mapping modified; Ctrl+Z and Ctrl+Y undo and redo it', async () => {
    const { missing } = renderWith(<MappingsPage />, transport());
    await waitFor(() => expect(useMappingsStore.getState().view).not.toBeNull());
    const view = useMappingsStore.getState().view!;
    const m = view.set.mappings.find((x) => x.direction === 'ToIntegrationTable' && x.fields.some((f) => f.direction === 'ToIntegrationTable'))!;
    const f = m.fields.find((x) => x.direction === 'ToIntegrationTable')!;
    await openMapping(m.name);
    expect(screen.queryByTestId(`status-errors-${m.name}`)).toBeNull();
    expect(screen.queryByTestId(`status-modified-${m.name}`)).toBeNull();

    fireEvent.change(screen.getByLabelText(`Direction of ${fieldKey(f)}`), { target: { value: 'FromIntegrationTable' } });
    await waitFor(() => expect(screen.getByTestId(`status-errors-${m.name}`)).toBeTruthy());
    expect(screen.getByTestId(`status-modified-${m.name}`).textContent).toBe('Modified');
    expect(screen.getByTestId('mapping-findings').textContent).toContain('never synchronizes');

    fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    await waitFor(() => expect(screen.queryByTestId(`status-errors-${m.name}`)).toBeNull());
    expect((screen.getByLabelText(`Direction of ${fieldKey(f)}`) as HTMLSelectElement).value).toBe('ToIntegrationTable');
    fireEvent.keyDown(window, { key: 'y', ctrlKey: true });
    await waitFor(() => expect((screen.getByLabelText(`Direction of ${fieldKey(f)}`) as HTMLSelectElement).value).toBe('FromIntegrationTable'));
    expect(missing).toEqual([]);
  });

  it('filters the field grid and bulk-edits the selection as one undo step', async () => {
    renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    const cust = useMappingsStore.getState().view!.set.mappings.find((x) => x.name === 'CUSTOMER')!;
    const matching = (term: string) => cust.fields.filter((f) => `${f.bcField} ${f.dataverseField}`.toLowerCase().includes(term));
    const term = ['address', 'phone', 'name', 'code'].find((x) => matching(x).length > 1 && matching(x).length < cust.fields.length)!;
    const expected = matching(term);
    fireEvent.change(screen.getByTestId('field-filter'), { target: { value: term } });
    await waitFor(() => expect(screen.getByTestId('field-count').textContent).toBe(`${expected.length} of ${cust.fields.length} field mappings`));
    expect(screen.getByTestId('field-grid').querySelectorAll('[data-testid^="field-row-"]')).toHaveLength(expected.length);

    fireEvent.click(screen.getByText('Select shown'));
    fireEvent.change(screen.getByLabelText('Set direction of selected…'), { target: { value: 'FromIntegrationTable' } });
    await waitFor(() => {
      const now = useMappingsStore.getState().view!.set.mappings.find((x) => x.name === 'CUSTOMER')!;
      expect(now.fields.filter((f) => expected.some((e) => fieldKey(e) === fieldKey(f))).every((f) => f.direction === 'FromIntegrationTable')).toBe(true);
    });
    await act(() => useMappingsStore.getState().undo());
    const back = useMappingsStore.getState().view!.set.mappings.find((x) => x.name === 'CUSTOMER')!;
    expect(back).toEqual(cust);
  });

  it('builds a Dataverse filter with a live, escaped OData preview and applies it', async () => {
    renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    fireEvent.click(screen.getByRole('tab', { name: 'Filters' }));
    const before = useMappingsStore.getState().view!.set.mappings.find((x) => x.name === 'CUSTOMER')!.integrationTableFilter;
    fireEvent.click(screen.getByTestId('filter-dv-add'));
    const i = before.conditions.length;
    fireEvent.change(screen.getByTestId(`filter-dv-field-${i}`), { target: { value: 'name' } });
    fireEvent.change(screen.getByTestId(`filter-dv-values-${i}`), { target: { value: "O'Brien" } });
    await waitFor(() => expect(screen.getByTestId('filter-dv-preview').textContent).toContain("name eq 'O''Brien'"));
    fireEvent.click(screen.getByTestId('filter-dv-apply'));
    await waitFor(() => {
      const now = useMappingsStore.getState().view!.set.mappings.find((x) => x.name === 'CUSTOMER')!.integrationTableFilter;
      expect(now.conditions.at(-1)).toEqual({ attribute: 'name', op: 'eq', values: ["O'Brien"] });
    });
    expect(screen.getByTestId('status-modified-CUSTOMER')).toBeTruthy();
  });

  it('shows what a reset overwrites before resetting, and keeps a snapshot', async () => {
    renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    fireEvent.change(screen.getByLabelText('Table mapping direction'), { target: { value: 'ToIntegrationTable' } });
    await waitFor(() => expect(screen.getByTestId('status-modified-CUSTOMER')).toBeTruthy());
    fireEvent.click(screen.getByTestId('mappings-reset'));
    await waitFor(() => expect(screen.getByTestId('review-panel')).toBeTruthy());
    const rows = within(screen.getByTestId('review-rows')).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(1);
    // The diff speaks the grid's language: "Direction … To Dataverse", never BC's option name.
    expect(rows[0]!.textContent).toContain('Direction');
    expect(rows[0]!.textContent).toContain('To Dataverse');
    expect(rows[0]!.textContent).not.toContain('ToIntegrationTable');
    fireEvent.click(screen.getByTestId('review-confirm-reset'));
    await waitFor(() => expect(screen.getByTestId('mappings-notice')).toBeTruthy());
    expect(screen.queryByTestId('status-modified-CUSTOMER')).toBeNull();
    expect(useMappingsStore.getState().snapshots.map((s) => s.reason)).toEqual(['reset']);
  });

  it('re-connect with other options previews the new defaults first and resets to exactly those', async () => {
    renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    const before = useMappingsStore.getState().view!.set.mappings.map((m) => m.name);
    fireEvent.click(screen.getByRole('tab', { name: 'Review' }));
    fireEvent.change(screen.getByLabelText('Sales orders'), { target: { value: 'bidirectional' } });
    fireEvent.click(screen.getByTestId('reconnect-preview'));
    await waitFor(() => expect(screen.getByTestId('review-panel').textContent).toContain('Re-connect with new options'));
    const added = within(screen.getByTestId('review-rows')).getAllByRole('row').slice(1).filter((r) => r.textContent!.includes('Table mapping'));
    expect(added.length).toBeGreaterThan(0);
    fireEvent.click(screen.getByTestId('review-confirm-reset'));
    await waitFor(() => expect(useMappingsStore.getState().view!.set.options?.orders).toBe('bidirectional'));
    const after = useMappingsStore.getState().view!.set.mappings.map((m) => m.name);
    expect(after.length - before.length).toBe(added.length);
    expect(useMappingsStore.getState().snapshots.map((x) => x.reason)).toEqual(['reconnect']);
  });

  it('renders in Norwegian without a missing key', async () => {
    const { missing } = renderWith(<MappingsPage />, transport(), 'nb-NO');
    await openMapping('CUSTOMER');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Integrasjonstilordninger');
    fireEvent.click(screen.getByRole('tab', { name: 'Kjørerekkefølge' }));
    await waitFor(() => expect(screen.getByTestId('run-order')).toBeTruthy());
    fireEvent.click(screen.getByRole('tab', { name: 'Gjennomgang' }));
    await waitFor(() => expect(screen.getByTestId('signoff-card')).toBeTruthy());
    expect(missing).toEqual([]);
  });
});

type Tree = { [k: string]: string | Tree };
const flatten = (t: Tree, prefix = ''): Record<string, string> =>
  Object.entries(t).reduce<Record<string, string>>((acc, [k, v]) => (typeof v === 'string' ? { ...acc, [prefix + k]: v } : { ...acc, ...flatten(v, `${prefix}${k}.`) }), {});
const params = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('mappings translation catalogs', () => {
  const en = flatten(resources.en.mappings as unknown as Tree);
  for (const code of ['nb-NO', 'nl-NL', 'fi-FI'] as const) {
    it(`${code} has exactly the English keys with the same placeholders`, () => {
      const other = flatten(resources[code].mappings as unknown as Tree);
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      for (const [k, v] of Object.entries(en)) {
        expect(params(other[k]!), `${code}:${k}`).toEqual(params(v));
        expect(other[k]!.trim()).not.toBe('');
      }
    });
  }
});
