/**
 * Issue 12: the navigation is grouped — the general pages, one group per integration (Commerce ⇄ Teams says it is
 * coming) — in every language; and the console's one error bar translates main's code, keeps main's details and
 * can be dismissed.
 */
import { fireEvent, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETUP_DRAFT, type SyncStatus } from '../../preload/contract';
import { App } from '../../renderer/App';
import { ErrorBar } from '../../renderer/components/ErrorBar';
import { LANGUAGES } from '../../renderer/i18n';
import { useAppStore } from '../../renderer/stores/app';
import { resetConnectionsStore } from '../../renderer/stores/connections';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

/** A tab's label (Fluent also renders a hidden copy that reserves the bold width). */
const label = (t: HTMLElement) => t.querySelector('.fui-Tab__content')?.textContent;
const NOT_ENABLED = { enabled: false, enabledAt: null, crmVersion: null, solutionVersion: null, mappingSetName: null, disableReason: null };
const console_ = () =>
  fakeTransport({
    'connections.list': () => [],
    'auth.status': () => [],
    'setup.getState': () => ({ draft: DEFAULT_SETUP_DRAFT, status: NOT_ENABLED, savedAt: null }),
    'sync.status': () => ({ source: { kind: 'none', dataverse: null, bc: null, message: null }, mappings: [], heldForInitialSync: [] }) as SyncStatus,
  });

beforeEach(() => {
  resetConnectionsStore();
  useAppStore.setState({ page: 'home', info: null, error: null, dismissedNotices: [] });
});

describe('grouped navigation', () => {
  it('general pages, Business Central ⇄ Sales, Commerce ⇄ Teams, more', () => {
    const { missing } = renderWith(<App />, console_());
    const nav = screen.getByRole('navigation', { name: 'Pages' });
    const tabs = (group: string) => within(within(nav).getByTestId(`nav-group-${group}`)).queryAllByRole('tab').map(label);
    expect(tabs('general')).toEqual(['Home', 'Connections']);
    expect(tabs('sales')).toEqual(['Assisted setup (Sales)', 'Connection string (BC < v16)', 'Integration mappings', 'Synchronization']);
    expect(tabs('commerce-teams')).toEqual(expect.arrayContaining(['Teams configuration', 'Provision teams']));
    expect(tabs('more')).toEqual(['Demo sandbox', 'About this console']);
    // Each group's tabs are a list named by its heading.
    expect(within(nav).getByRole('tablist', { name: 'Business Central ⇄ Sales' })).toBeTruthy();
    expect(within(nav).getByTestId('nav-group-commerce-teams').textContent).not.toContain('Coming in a later version');
    // Choosing a page in another group selects it there and leaves no other tab selected.
    fireEvent.click(within(nav).getByRole('tab', { name: 'Synchronization' }));
    expect(useAppStore.getState().page).toBe('sync');
    expect(within(nav).getAllByRole('tab').filter((t) => t.getAttribute('aria-selected') === 'true').map(label)).toEqual(['Synchronization']);
    expect(missing).toEqual([]);
  });

  it.each(LANGUAGES.filter((l) => l.code !== 'en').map((l) => l.code))('%s: the groups and the "coming" note are translated', (code) => {
    const { missing } = renderWith(<App />, console_(), code);
    const nav = screen.getByRole('navigation');
    const coming = within(nav).getByTestId('nav-group-commerce-teams').textContent ?? '';
    expect(coming).not.toContain('Coming in a later version');
    expect(coming).toContain('Commerce ⇄ Teams');
    expect(missing).toEqual([]);
  });
});

describe('ErrorBar', () => {
  it('shows the translated text for main\'s code, main\'s message as details, and a Dismiss button', () => {
    const onDismiss = vi.fn();
    const { missing } = renderWith(<ErrorBar error={{ code: 'SYNC_ALREADY_RUNNING', message: 'CUSTOMER is running (run-7).' }} testId="x-error" onDismiss={onDismiss} />, console_(), 'nb-NO');
    const bar = screen.getByTestId('x-error');
    expect(bar.getAttribute('data-code')).toBe('SYNC_ALREADY_RUNNING');
    expect(bar.textContent).toContain('kjører allerede');
    expect(bar.textContent).toContain('CUSTOMER is running (run-7).');
    fireEvent.click(within(bar).getByRole('button', { name: 'Lukk meldingen' }));
    expect(onDismiss).toHaveBeenCalledTimes(1);
    expect(missing).toEqual([]);
  });

  it('a code no catalog knows yet shows main\'s message once, not twice', () => {
    renderWith(<ErrorBar error={{ code: 'SOMETHING_NEW', message: 'Main says what happened.' }} />, console_());
    expect(screen.getByTestId('error-text').textContent).toBe('Main says what happened.');
  });
});
