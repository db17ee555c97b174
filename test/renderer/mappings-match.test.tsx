// The field grid's match-based coupling column, the BC filter syntax in the filter builder, sign-off defaults and
// runtime texts in the UI language — against the real mapping service through the fake transport.
import Database from 'better-sqlite3';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import mappingsMigration from '../../main/db/migrations/0002_mappings';
import snapshotsMigration from '../../main/db/migrations/0005_mapping_snapshots';
import { createMappingHandlers } from '../../main/integrations/sales/mappings/handlers';
import { createRouter, type Handlers } from '../../main/rpc/router';
import { hasMatchFields } from '../../preload/contract/sales/mapping-model';
import { createI18n } from '../../renderer/i18n';
import { MappingsPage } from '../../renderer/pages/sales/mappings/MappingsPage';
import { useMappingsStore } from '../../renderer/stores/mappings';
import { withRequestParams } from '../../renderer/transport/client';
import { fakeTransport, type FakeHandlers } from '../../renderer/transport/fake';
import { renderWith } from './render';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
function handlers() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec(mappingsMigration.sql);
  db.exec(snapshotsMigration.sql);
  return createMappingHandlers({ db, logger: quiet });
}
const transport = () => fakeTransport(handlers() as unknown as FakeHandlers);

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 420 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1200 });
});
beforeEach(() => {
  useMappingsStore.setState({ sets: [], view: null, catalog: null, selected: null, snapshots: [], panel: null, busy: false, error: null, notice: null, lastExport: null });
});

async function openMapping(name: string) {
  await waitFor(() => expect(screen.getByTestId(`mapping-${name}`)).toBeTruthy());
  fireEvent.click(screen.getByTestId(`mapping-${name}`));
  await waitFor(() => expect(screen.getByTestId('selected-mapping').textContent).toBe(name));
}
const customer = () => useMappingsStore.getState().view!.set.mappings.find((m) => m.name === 'CUSTOMER')!;

describe('match-based coupling in the field grid', () => {
  it('CUSTOMER ships without match fields (as BC does) and says so; ticking Match and a priority are undoable edits', async () => {
    const { missing } = renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    expect(hasMatchFields(customer())).toBe(false);
    expect(screen.getByTestId('match-summary').textContent).toMatch(/No field is used for match-based coupling/);

    fireEvent.click(screen.getByTestId('match-Name->name'));
    await waitFor(() => expect(hasMatchFields(customer())).toBe(true));
    expect(screen.getByTestId('match-summary').textContent).toBe('Match-based coupling uses 1 field: Name → name (0)');

    const priority = screen.getByLabelText('Match priority of Name->name') as HTMLInputElement;
    fireEvent.change(priority, { target: { value: '2' } });
    fireEvent.blur(priority);
    await waitFor(() => expect(customer().fields.find((f) => f.bcField === 'Name')!.matchPriority).toBe(2));
    // Not a whole number ≥ 0: nothing is sent, the cell shows the stored value again.
    const again = screen.getByLabelText('Match priority of Name->name') as HTMLInputElement;
    fireEvent.change(again, { target: { value: '-1' } });
    fireEvent.blur(again);
    expect(again.value).toBe('2');

    fireEvent.click(screen.getByTestId('mappings-undo'));
    await waitFor(() => expect(customer().fields.find((f) => f.bcField === 'Name')!.matchPriority).toBe(0));
    fireEvent.click(screen.getByTestId('mappings-undo'));
    await waitFor(() => expect(hasMatchFields(customer())).toBe(false));
    expect(missing).toEqual([]);
  });

  it('bulk edit marks the selected fields for matching in one undo step', async () => {
    renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    fireEvent.change(screen.getByTestId('field-filter'), { target: { value: 'phone' } });
    fireEvent.click(screen.getByRole('button', { name: 'Select shown' }));
    const shown = customer().fields.filter((f) => `${f.bcField} ${f.dataverseField}`.toLowerCase().includes('phone'));
    expect(shown.length).toBeGreaterThan(0);
    fireEvent.click(screen.getByTestId('bulk-match-on'));
    await waitFor(() => expect(customer().fields.filter((f) => f.useForMatchBasedCoupling)).toHaveLength(shown.length));
    fireEvent.click(screen.getByTestId('mappings-undo'));
    await waitFor(() => expect(hasMatchFields(customer())).toBe(false));
  });
});

describe('quick successive edits', () => {
  it('two edits sent without waiting both apply, in order, without a "changed elsewhere" error', async () => {
    renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    const store = useMappingsStore.getState();
    const m = customer();
    const name = m.fields.find((f) => f.bcField === 'Name')!;
    const [a, b] = await Promise.all([
      store.apply([{ op: 'setMapping', mapping: 'CUSTOMER', prop: 'direction', from: m.direction, to: 'ToIntegrationTable' }]),
      store.apply([{ op: 'setField', mapping: 'CUSTOMER', key: 'Name->name', prop: 'useForMatchBasedCoupling', from: name.useForMatchBasedCoupling, to: true }]),
    ]);
    expect([a, b]).toEqual([true, true]);
    expect(useMappingsStore.getState().error).toBeNull();
    expect(customer().direction).toBe('ToIntegrationTable');
    expect(hasMatchFields(customer())).toBe(true);
  });
});

describe('BC filter syntax in the filter builder', () => {
  it('"=" with NO|SE previews as BC text, table view and OData, and applies as one of two values', async () => {
    const { missing } = renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    fireEvent.click(screen.getByRole('tab', { name: 'Filters' }));
    // Start from an empty table filter (CUSTOMER's default has conditions of its own).
    for (let i = customer().tableFilter.conditions.length; i > 0; i--) fireEvent.click(screen.getAllByRole('button', { name: `Remove condition ${i}` })[0]!);
    fireEvent.click(screen.getByTestId('filter-bc-add'));
    fireEvent.change(screen.getByTestId('filter-bc-field-0'), { target: { value: 'Currency Code' } });
    fireEvent.change(screen.getByTestId('filter-bc-values-0'), { target: { value: 'NOK|SEK' } });
    await waitFor(() => expect(screen.getByTestId('filter-bc-preview').textContent).toBe('Currency Code=NOK|SEK'), { timeout: 5000 });
    expect(screen.getByTestId('filter-bc-view').textContent).toBe('WHERE(Currency Code=FILTER(NOK|SEK))');
    expect(screen.getByTestId('filter-bc-odata').textContent).toBe("(currencyCode eq 'NOK' or currencyCode eq 'SEK')");
    expect(screen.queryByTestId('filter-bc-error')).toBeNull();
    await waitFor(() => expect((screen.getByTestId('filter-bc-apply') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('filter-bc-apply'));
    await waitFor(() => expect(customer().tableFilter).toEqual({ conditions: [{ field: 'Currency Code', op: 'in', values: ['NOK', 'SEK'] }] }));

    // A broken expression: said in words, at its position, and nothing can be applied.
    fireEvent.change(screen.getByTestId('filter-bc-values-0'), { target: { value: "NOK|'SEK" } });
    await waitFor(() => expect(screen.getByTestId('filter-bc-error').textContent).toMatch(/quote at position 5 in the filter of Currency Code is never closed/), { timeout: 5000 });
    expect((screen.getByTestId('filter-bc-apply') as HTMLButtonElement).disabled).toBe(true);
    expect(document.body.textContent).not.toContain('Invalid input for');
    expect(missing).toEqual([]);
  });

  it('the Dataverse side reads "= a|b" as one of the values', async () => {
    renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    fireEvent.click(screen.getByRole('tab', { name: 'Filters' }));
    const n = customer().integrationTableFilter.conditions.length;
    fireEvent.click(screen.getByTestId('filter-dv-add'));
    fireEvent.change(screen.getByTestId(`filter-dv-field-${n}`), { target: { value: 'address1_country' } });
    fireEvent.change(screen.getByTestId(`filter-dv-values-${n}`), { target: { value: "NO|S'E" } });
    await waitFor(() => expect(screen.getByTestId('filter-dv-preview').textContent).toContain("(address1_country eq 'NO' or address1_country eq 'S''E')"), { timeout: 5000 });
    expect(screen.queryByTestId('filter-dv-error')).toBeNull();
    fireEvent.change(screen.getAllByRole('combobox', { name: `Operator of condition ${n + 1}` }).at(-1)!, { target: { value: 'ne' } });
    await waitFor(() => expect(screen.getByTestId('filter-dv-preview').textContent).toContain("address1_country ne 'NO' and address1_country ne 'S''E'"), { timeout: 5000 });
    expect(screen.queryByTestId('filter-dv-error')).toBeNull();
  });
});

describe('sign-off', () => {
  it('presets no status and says what is missing before Sign off can be used', async () => {
    renderWith(<MappingsPage />, transport());
    await openMapping('CUSTOMER');
    fireEvent.click(screen.getByRole('tab', { name: 'Review' }));
    const card = screen.getByTestId('signoff-card');
    const submit = within(card).getByTestId('signoff-submit') as HTMLButtonElement;
    expect((within(card).getByTestId('signoff-status') as HTMLSelectElement).value).toBe('');
    expect(submit.disabled).toBe(true);
    expect(within(card).getByTestId('signoff-missing').textContent).toBe("Enter the reviewer's name to sign off.");
    fireEvent.change(within(card).getByTestId('signoff-reviewer'), { target: { value: 'Kari' } });
    await waitFor(() => expect(within(card).getByTestId('signoff-missing').textContent).toBe('Choose a status to sign off.'));
    fireEvent.change(within(card).getByTestId('signoff-status'), { target: { value: 'Changes requested' } });
    await waitFor(() => expect(submit.disabled).toBe(false));
    fireEvent.click(submit);
    await waitFor(() => expect(within(card).getByTestId('signoff-current').textContent).toMatch(/^Changes requested by Kari on .+\.$/));
  });
});

describe('runtime texts in the UI language', () => {
  it('findings, directions and the diff are Norwegian in nb-NO (never ToIntegrationTable)', async () => {
    const { missing } = renderWith(<MappingsPage />, transport(), 'nb-NO');
    await openMapping('CUSTOMER');
    fireEvent.change(screen.getByLabelText('Retning for tabelltilordningen'), { target: { value: 'ToIntegrationTable' } });
    await waitFor(() => expect(customer().direction).toBe('ToIntegrationTable'));
    fireEvent.change(screen.getByLabelText('Retning for Name->name'), { target: { value: 'FromIntegrationTable' } });
    await waitFor(() => expect(screen.getByTestId('mapping-findings').textContent).toContain('Feltretningen «Fra Dataverse» er ikke tillatt'));
    const text = screen.getByTestId('mapping-findings').textContent!;
    expect(screen.getByTestId('mapping-CUSTOMER').textContent).toContain('Kunde ⇄ account');
    expect(text).toContain('«Til Dataverse»');
    expect(text).not.toMatch(/ToIntegrationTable|FromIntegrationTable|never synchronizes/);
    fireEvent.click(screen.getByTestId('mappings-reset'));
    await waitFor(() => expect(screen.getByTestId('review-panel')).toBeTruthy());
    const rows = within(screen.getByTestId('review-rows')).getAllByRole('row').slice(1).map((r) => r.textContent!);
    expect(rows.some((r) => r.includes('Retning') && r.includes('Til Dataverse'))).toBe(true);
    expect(rows.join(' ')).not.toMatch(/ToIntegrationTable|FromIntegrationTable/);
    expect(missing).toEqual([]);
  });

  it('a refused request names the field in the UI language, never the internal method', async () => {
    const router = createRouter(handlers() as unknown as Handlers, { error: () => undefined });
    const r = await router.call('mappings.signOff', { id: 'x', revision: 1, mapping: 'CUSTOMER', reviewer: '   ', status: 'Approved' }, { transport: 'memory' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toBe('Invalid input for mappings.signOff.');
    const error = withRequestParams(r.error);
    for (const [lang, expected] of [['en', 'The reviewer name is too short or empty (at least 1). Correct it and try again.'], ['nb-NO', 'Navnet på kontrolløren er for kort eller tom (minst 1). Rett det og prøv igjen.']] as const) {
      const i18n = createI18n(lang);
      const text = i18n.t(`errors.${error.code}`, { ...error.params, defaultValue: error.message });
      expect(text).toBe(expected);
      expect(text).not.toContain('mappings.');
    }
  });
});
