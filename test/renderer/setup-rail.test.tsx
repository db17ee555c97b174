import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETUP_DRAFT, type SetupDraft } from '../../preload/contract/sales/setup';
import { railState, withBcLcy } from '../../renderer/pages/sales/setup/logic';
import { SetupPage } from '../../renderer/pages/sales/setup/SetupPage';
import { resetConnectionsStore } from '../../renderer/stores/connections';
import { resetSetupStore, useSetupStore } from '../../renderer/stores/setup';
import { renderWith } from './render';
import { APP_CLIENT_ID, backend, COMPANY_ID, demoProfiles } from './setup-fixtures';

const draftAt = (step: SetupDraft['step'], p: ReturnType<typeof demoProfiles>): SetupDraft => ({
  ...DEFAULT_SETUP_DRAFT, step,
  bc: { kind: 'online', profileId: p.bc.id, companyId: COMPANY_ID, companyName: 'CRONUS' },
  bcVersion: { major: 24, api: 'v2.0', path: 'api' }, dataverseProfileId: p.admin.id, dataverseUrl: p.admin.url,
  integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, integrationProfileId: p.dv.id, lcyCode: 'NOK',
});

beforeEach(() => {
  resetSetupStore();
  resetConnectionsStore();
});

describe('setup rail while the connection is enabled', () => {
  it('keeps every step ticked when you go back to one of them (e.g. to sign in again at step 3)', () => {
    expect(railState('salespeople', 'dataverse', true)).toBe('done');
    expect(railState('finish', 'dataverse', true)).toBe('done');
    expect(railState('dataverse', 'dataverse', true)).toBe('current');
    // Not enabled: later steps are still to do.
    expect(railState('salespeople', 'dataverse', false)).toBe('todo');
  });

  it('on the page: re-signing at step 3 leaves the later steps ticked and reachable', async () => {
    const p = demoProfiles();
    const b = backend({ profiles: Object.values(p), draft: draftAt('finish', p), savedAt: '2026-11-23T12:00:00.000Z' });
    b.state.status = { ...b.state.status, enabled: true, enabledAt: '2026-11-23T12:30:00.000Z' };
    renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-rail');
    fireEvent.click(screen.getByTestId('rail-step-dataverse'));
    await waitFor(() => expect(screen.getByTestId('rail-step-dataverse').getAttribute('data-state')).toBe('current'));
    fireEvent.click(await screen.findByTestId('setup-dv-signin'));
    await waitFor(() => expect(b.callsOf('connections.test')).toHaveLength(1));
    for (const step of ['integration-user', 'advanced', 'preflight', 'salespeople', 'finish']) {
      expect(screen.getByTestId(`rail-step-${step}`).getAttribute('data-state'), step).toBe('done');
    }
    fireEvent.click(screen.getByTestId('rail-step-finish'));
    await waitFor(() => expect(screen.getByTestId('rail-step-finish').getAttribute('data-state')).toBe('current'));
  });
});

describe('local currency read from Business Central', () => {
  const companies = [
    { id: COMPANY_ID, name: 'CRONUS', displayName: 'CRONUS AS', currencyCode: 'EUR' },
    { id: '22222222-3333-4444-8555-666666666666', name: 'OTHER', displayName: 'Other AB', currencyCode: 'SEK' },
  ];
  const detect = () => ({ major: 24, version: '24.1', api: 'v2.0' as const, path: 'api' as const, sdkVersions: [100 as const], message: { code: 'bc.api', params: {}, text: 'ok' }, companies });

  it('prefills the LCY from the chosen company, follows a company change, and never replaces a code typed by hand', () => {
    const base: SetupDraft = { ...DEFAULT_SETUP_DRAFT, bc: { kind: 'online', profileId: 'p', companyId: COMPANY_ID, companyName: 'CRONUS AS' }, lcyCode: null };
    expect(withBcLcy(base, companies).lcyCode).toBe('EUR');
    expect(withBcLcy({ ...base, lcyCode: 'NOK' }, companies).lcyCode).toBe('EUR'); // the demo's guess gives way
    expect(withBcLcy({ ...base, bc: { ...base.bc, companyId: companies[1]!.id } as SetupDraft['bc'] }, companies).lcyCode).toBe('SEK');
    expect(withBcLcy({ ...base, lcyCode: 'DKK' }, companies).lcyCode).toBe('DKK');
    expect(withBcLcy(base, [{ id: COMPANY_ID, currencyCode: null }]).lcyCode).toBeNull();
  });

  it('on the page: detection fills the local currency and the integration-user step says where it came from', async () => {
    const p = demoProfiles();
    const b = backend({
      profiles: Object.values(p), savedAt: '2026-11-23T12:00:00.000Z',
      draft: { ...draftAt('business-central', p), bcVersion: null, lcyCode: null },
      handlers: { 'setup.detectBc': detect },
    });
    renderWith(<SetupPage />, b.transport);
    fireEvent.click(await screen.findByTestId('setup-bc-detect'));
    await waitFor(() => expect(b.saved.at(-1)?.lcyCode).toBe('EUR'));
    // (Steps 3–4 are not what this is about: go straight to the integration-user step.)
    await act(() => useSetupStore.getState().goTo('integration-user'));
    const lcy = (await screen.findByTestId('setup-lcy')) as HTMLInputElement;
    expect(lcy.value).toBe('EUR');
    expect(screen.getByText('Read from Business Central (company CRONUS AS); Dataverse must have a currency with this ISO code.')).toBeTruthy();
  });
});
