import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETUP_DRAFT, type SetupDraft } from '../../preload/contract/sales/setup';
import { SetupPage } from '../../renderer/pages/sales/setup/SetupPage';
import { useAppStore } from '../../renderer/stores/app';
import { resetConnectionsStore } from '../../renderer/stores/connections';
import { resetSetupStore } from '../../renderer/stores/setup';
import { renderWith } from './render';
import { APP_CLIENT_ID, backend, COMPANY_ID, demoProfiles, flush, m, pick, type DetectOut } from './setup-fixtures';

beforeEach(() => {
  resetConnectionsStore();
  resetSetupStore();
});

const rail = (step: string) => screen.getByTestId(`rail-step-${step}`);

describe('setup wizard: rail, start and resume', () => {
  it('starts fresh on the start step, preselects labelled demo values and saves on the step change', async () => {
    const p = demoProfiles();
    const b = backend({ profiles: Object.values(p) });
    const { missing } = renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-start');
    expect(screen.queryByTestId('setup-resumed')).toBeNull();
    expect(screen.getByTestId('setup-demo-note')).toBeTruthy();
    expect(rail('start').getAttribute('aria-current')).toBe('step');
    expect(rail('start').getAttribute('data-state')).toBe('current');
    expect(rail('finish').getAttribute('data-state')).toBe('todo');

    fireEvent.click(screen.getByTestId('setup-start'));
    await screen.findByTestId('setup-step-business-central');
    const draft = b.saved.at(-1)!;
    expect(draft.step).toBe('business-central');
    expect(draft.bc).toEqual({ kind: 'online', profileId: p.bc.id, companyId: null, companyName: null });
    expect(draft.dataverseProfileId).toBe(p.admin.id);
    expect(draft.integrationProfileId).toBe(p.dv.id);
    expect(draft.integrationUser).toEqual({ kind: 'application', applicationId: APP_CLIENT_ID });
    expect(draft.lcyCode).toBe('NOK');
    // Demo values are never passed off as real ones.
    expect(within(screen.getByTestId('setup-step-business-central')).getByTestId('setup-demo-badge')).toBeTruthy();
    expect(rail('start').getAttribute('data-state')).toBe('done');
    expect(rail('business-central').getAttribute('aria-current')).toBe('step');
    // Focus moves to the new step's heading.
    await waitFor(() => expect(document.activeElement?.id).toBe('setup-step-heading'));
    // Next is blocked until the version is detected, with the reason shown.
    expect((screen.getByTestId('setup-next') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('setup-next-reason').textContent).toBe('Detect the Business Central version first.');
    expect(missing).toEqual([]);
  });

  it('resumes a saved draft on its step, and a done rail step takes the user back (saving the step)', async () => {
    const p = demoProfiles();
    const draft: SetupDraft = {
      ...DEFAULT_SETUP_DRAFT, step: 'integration-user',
      bc: { kind: 'online', profileId: p.bc.id, companyId: COMPANY_ID, companyName: 'CRONUS' },
      bcVersion: { major: 24, api: 'v2.0', path: 'api' }, dataverseProfileId: p.admin.id, dataverseUrl: p.admin.url,
      integrationUser: { kind: 'user', email: 'bc-integration@nordlys.example' }, lcyCode: 'EUR',
    };
    const b = backend({ profiles: Object.values(p), draft, savedAt: '2026-11-23T12:00:00.000Z' });
    const { missing } = renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-integration-user');
    expect(screen.getByTestId('setup-resumed').textContent).toContain('Integration user');
    expect((screen.getByTestId('setup-iu-email') as HTMLInputElement).value).toBe('bc-integration@nordlys.example');
    expect((screen.getByTestId('setup-lcy') as HTMLInputElement).value).toBe('EUR');
    expect((screen.getByTestId('setup-iu-kind-user') as HTMLInputElement).checked).toBe(true);
    expect(['start', 'business-central', 'dataverse'].map((s) => rail(s).getAttribute('data-state'))).toEqual(['done', 'done', 'done']);
    expect(rail('advanced').getAttribute('data-state')).toBe('todo');

    // A todo step cannot be jumped to.
    fireEvent.click(rail('finish'));
    await flush();
    expect(screen.getByTestId('setup-step-integration-user')).toBeTruthy();

    fireEvent.click(rail('business-central'));
    await screen.findByTestId('setup-step-business-central');
    expect(b.saved.at(-1)!.step).toBe('business-central');
    // What was entered is kept (the BC version from the draft shows without detecting again).
    expect(screen.getByTestId('setup-bc-version').textContent).toContain('24');
    expect(screen.getByTestId('setup-bc-company').textContent).toContain('CRONUS');
    expect((screen.getByTestId('setup-next') as HTMLButtonElement).disabled).toBe(false);
    expect(missing).toEqual([]);
  });

  it('saves typed values on blur, keeps an invalid e-mail out of the draft, and Enter moves on only when the step is complete', async () => {
    const p = demoProfiles();
    const draft: SetupDraft = { ...DEFAULT_SETUP_DRAFT, step: 'integration-user', dataverseProfileId: p.admin.id };
    const b = backend({ profiles: Object.values(p), draft, savedAt: '2026-11-23T12:00:00.000Z' });
    renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-integration-user');
    fireEvent.click(screen.getByTestId('setup-iu-kind-user'));
    await flush();
    const email = screen.getByTestId('setup-iu-email');
    fireEvent.change(email, { target: { value: 'not-an-address' } });
    fireEvent.blur(email);
    await flush();
    expect(b.saved.at(-1)!.integrationUser).toBeNull();
    expect(screen.getByTestId('setup-next-reason').textContent).toBe('Enter the integration user.');
    fireEvent.keyDown(email, { key: 'Enter' });
    await flush();
    expect(screen.getByTestId('setup-step-integration-user')).toBeTruthy();

    fireEvent.change(email, { target: { value: "o'brien@nordlys.example" } });
    fireEvent.blur(email);
    await flush();
    expect(b.saved.at(-1)!.integrationUser).toEqual({ kind: 'user', email: "o'brien@nordlys.example" });
    const lcy = screen.getByTestId('setup-lcy');
    fireEvent.change(lcy, { target: { value: 'nok' } });
    fireEvent.blur(lcy);
    await flush();
    expect(b.saved.at(-1)!.lcyCode).toBe('NOK');
    fireEvent.keyDown(lcy, { key: 'Enter' });
    await screen.findByTestId('setup-step-advanced');
    expect(b.saved.at(-1)!.step).toBe('advanced');
  });
});

describe('setup wizard: Business Central', () => {
  const legacy: DetectOut = {
    major: 14, version: null, api: 'odatav4', path: 'connection-string', sdkVersions: [8, 9, 91], companies: [],
    message: m('bc.legacy', 'Business Central {version} is older than version 16: use the connection-string path.', { version: 14 }),
  };

  it('detects an old version, sends the user down the connection-string path and offers only its SDK versions', async () => {
    const p = demoProfiles();
    const draft: SetupDraft = { ...DEFAULT_SETUP_DRAFT, step: 'business-central' };
    const b = backend({ profiles: Object.values(p), draft, savedAt: '2026-11-23T12:00:00.000Z', handlers: { 'setup.detectBc': () => legacy } });
    const { missing } = renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-business-central');
    fireEvent.click(screen.getByTestId('setup-bc-kind-onprem'));
    await flush();
    await pick('setup-bc-profile', 'Contoso BC 14');
    expect(b.saved.at(-1)!.bc).toEqual({ kind: 'onprem', profileId: p.onprem.id, url: p.onprem.url, userName: 'CONTOSO\\svc-bc' });
    expect((screen.getByTestId('setup-bc-url') as HTMLInputElement).value).toBe(p.onprem.url);

    fireEvent.click(screen.getByTestId('setup-bc-detect'));
    const result = await screen.findByTestId('setup-bc-version');
    expect(result.textContent).toContain('Version 14');
    expect(result.textContent).toContain('connection-string path');
    expect(result.textContent).toContain('Business Central 14 is older than version 16');
    expect(b.callsOf('setup.detectBc')).toEqual([{ bcProfileId: p.onprem.id }]);
    // SDK 100 (the default) is not offered before v16: the draft follows to the highest offered version.
    expect(b.saved.at(-1)!.bcVersion).toEqual({ major: 14, api: 'odatav4', path: 'connection-string' });
    expect(b.saved.at(-1)!.advanced.sdkVersion).toBe(91);

    fireEvent.click(screen.getByTestId('setup-bc-connstr'));
    expect(useAppStore.getState().page).toBe('connstr');
    expect(missing).toEqual([]);
  });

  it('on the API path lists the companies with the profile\'s own company preselected', async () => {
    const p = demoProfiles();
    const draft: SetupDraft = { ...DEFAULT_SETUP_DRAFT, step: 'business-central', bc: { kind: 'online', profileId: p.bc.id, companyId: null, companyName: null } };
    const other = '99999999-2222-4333-8444-555555555555';
    const detect: DetectOut = {
      major: 24, version: '24.0', api: 'v2.0', path: 'api', sdkVersions: [100],
      companies: [{ id: other, name: 'Other', displayName: null }, { id: COMPANY_ID, name: 'CRONUS', displayName: 'CRONUS Norge AS' }],
      message: m('bc.api', 'Business Central {version} ({api}): the console sets the integration up through the API.', { version: 24, api: 'v2.0' }),
    };
    const b = backend({ profiles: [{ ...p.bc, company: 'CRONUS' }, p.admin], draft, savedAt: '2026-11-23T12:00:00.000Z', handlers: { 'setup.detectBc': () => detect } });
    renderWith(<SetupPage />, b.transport, 'nb-NO');
    await screen.findByTestId('setup-step-business-central');
    fireEvent.click(screen.getByTestId('setup-bc-detect'));
    await screen.findByTestId('setup-bc-version');
    expect(screen.queryByTestId('setup-bc-connstr')).toBeNull();
    expect(b.saved.at(-1)!.bc).toEqual({ kind: 'online', profileId: p.bc.id, companyId: COMPANY_ID, companyName: 'CRONUS Norge AS' });
    await pick('setup-bc-company', 'Other');
    expect(b.saved.at(-1)!.bc).toMatchObject({ companyId: other, companyName: 'Other' });
  });

  it('shows a detection failure through the errors catalog', async () => {
    const p = demoProfiles();
    const draft: SetupDraft = { ...DEFAULT_SETUP_DRAFT, step: 'business-central', bc: { kind: 'online', profileId: p.bc.id, companyId: null, companyName: null } };
    const b = backend({ profiles: Object.values(p), draft, savedAt: '2026-11-23T12:00:00.000Z' });
    b.fail['setup.detectBc'] = { code: 'SETUP_BC_UNREACHABLE', message: 'Business Central did not answer: 503.', params: { detail: '503 Service Unavailable' } };
    renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-business-central');
    fireEvent.click(screen.getByTestId('setup-bc-detect'));
    const err = await screen.findByTestId('error-text');
    expect(err.getAttribute('data-code')).toBe('SETUP_BC_UNREACHABLE');
    expect(err.textContent).toContain('503 Service Unavailable');
    expect((screen.getByTestId('setup-next') as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('setup wizard: Dataverse sign-in', () => {
  it('signs in with the device-code admin profile, tests it and shows who signed in', async () => {
    const p = demoProfiles();
    const draft: SetupDraft = { ...DEFAULT_SETUP_DRAFT, step: 'dataverse', dataverseProfileId: p.admin.id, dataverseUrl: p.admin.url };
    const b = backend({ profiles: Object.values(p), draft, savedAt: '2026-11-23T12:00:00.000Z' });
    renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-dataverse');
    expect((screen.getByTestId('setup-dv-url') as HTMLInputElement).value).toBe(p.admin.url);
    expect(screen.getByTestId('setup-next-reason').textContent).toBe('Sign in with the admin profile first.');
    fireEvent.click(screen.getByTestId('setup-dv-signin'));
    expect((await screen.findByTestId('setup-dv-whoami')).textContent).toBe('Signed in as Ingrid Admin');
    expect(b.callsOf('auth.signIn')).toEqual([{ profileId: p.admin.id }]);
    expect(b.callsOf('connections.test')).toEqual([{ profileId: p.admin.id }]);
    expect((screen.getByTestId('setup-next') as HTMLButtonElement).disabled).toBe(false);
  });

  it('warns that the demo application profile cannot act as the admin', async () => {
    const p = demoProfiles();
    const draft: SetupDraft = { ...DEFAULT_SETUP_DRAFT, step: 'dataverse', dataverseProfileId: p.dv.id, dataverseUrl: p.dv.url };
    const b = backend({ profiles: Object.values(p), draft, savedAt: '2026-11-23T12:00:00.000Z' });
    renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-dataverse');
    expect(screen.getByTestId('setup-dv-profile').textContent).toContain('Demo sandbox · Dataverse');
    expect(screen.getByTestId('setup-dv-app-warning').textContent).toContain('Demo sandbox · Dataverse (user sign-in)');
  });
});

describe('setup wizard: advanced settings', () => {
  const open = async () => {
    const p = demoProfiles();
    const draft: SetupDraft = { ...DEFAULT_SETUP_DRAFT, step: 'advanced', bc: { kind: 'online', profileId: p.bc.id, companyId: null, companyName: null }, bcVersion: { major: 24, api: 'v2.0', path: 'api' } };
    const b = backend({ profiles: Object.values(p), draft, savedAt: '2026-11-23T12:00:00.000Z' });
    const r = renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-advanced');
    return { b, ...r };
  };
  const sw = (f: string) => screen.getByTestId(`setup-adv-${f}`) as HTMLInputElement;
  const toggle = async (f: string) => {
    await act(async () => {
      fireEvent.click(sw(f));
    });
  };

  it('keeps legacy and bidirectional sales order integration mutually exclusive, in the UI and in every saved draft', async () => {
    const { b, missing } = await open();
    expect(sw('autoCreateSalesOrders').disabled).toBe(true);
    await toggle('legacySalesOrders');
    expect(sw('legacySalesOrders').checked).toBe(true);
    expect(sw('autoCreateSalesOrders').disabled).toBe(false);
    await toggle('autoCreateSalesOrders');
    expect(sw('autoCreateSalesOrders').checked).toBe(true);

    await toggle('bidirectionalSalesOrders');
    expect(sw('bidirectionalSalesOrders').checked).toBe(true);
    expect(sw('legacySalesOrders').checked).toBe(false);
    // Auto-create belongs to legacy order integration: it goes off with it and cannot be turned on again.
    expect(sw('autoCreateSalesOrders').checked).toBe(false);
    expect(sw('autoCreateSalesOrders').disabled).toBe(true);

    await toggle('legacySalesOrders');
    expect(sw('bidirectionalSalesOrders').checked).toBe(false);
    expect(b.saved.length).toBeGreaterThanOrEqual(4);
    for (const d of b.saved) {
      expect(d.advanced.legacySalesOrders && d.advanced.bidirectionalSalesOrders).toBe(false);
      expect(d.advanced.autoCreateSalesOrders && !d.advanced.legacySalesOrders).toBe(false);
    }
    expect(missing).toEqual([]);
  });

  it('item availability follows the solution import and is explained as a job from BC 16; online offers only SDK 100', async () => {
    const { b } = await open();
    expect(screen.getByText('Automatically synchronize item availability')).toBeTruthy();
    expect(screen.getByText(/item availability web service is obsolete/)).toBeTruthy();
    await toggle('itemAvailability');
    expect(sw('itemAvailability').checked).toBe(true);
    await toggle('importSolution');
    expect(sw('itemAvailability').checked).toBe(false);
    expect(sw('itemAvailability').disabled).toBe(true);
    expect(b.saved.at(-1)!.advanced).toMatchObject({ importSolution: false, itemAvailability: false });

    fireEvent.click(screen.getByTestId('setup-adv-sdkVersion'));
    await waitFor(() => expect(document.querySelector('[role="listbox"]')).not.toBeNull());
    expect([...document.querySelectorAll('[role="option"]')].map((o) => o.textContent)).toEqual(['100 – Dataverse service client']);

    fireEvent.click(screen.getByTestId('setup-adv-ownership-team'));
    await flush();
    expect(b.saved.at(-1)!.advanced.ownershipModel).toBe('team');
    const url = screen.getByTestId('setup-adv-salesUrl');
    fireEvent.change(url, { target: { value: 'contoso' } });
    fireEvent.blur(url);
    await flush();
    expect(screen.getByTestId('setup-next-reason').textContent).toBe('Correct the settings marked below.');
    expect(screen.getByTestId('setup-adv-problem').textContent).toContain('https://contoso.crm4.dynamics.com');
  });
});
