import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MethodOutput } from '../../preload/contract';
import { DEFAULT_SETUP_DRAFT, type EnablePlan, type PreflightReport, type SetupDraft } from '../../preload/contract/sales/setup';
import { SetupPage } from '../../renderer/pages/sales/setup/SetupPage';
import { resetConnectionsStore } from '../../renderer/stores/connections';
import { resetSetupStore, useSetupStore } from '../../renderer/stores/setup';
import { renderWith } from './render';
import { ADMIN_USER_ID, APP_CLIENT_ID, backend, COMPANY_ID, demoProfiles, finding, flush, m, report } from './setup-fixtures';

beforeEach(() => {
  resetConnectionsStore();
  resetSetupStore();
});

const SYSADMIN_ROLE = '11111111-0000-4000-8000-000000000001';

function draftAt(step: SetupDraft['step'], p: ReturnType<typeof demoProfiles>): SetupDraft {
  return {
    ...DEFAULT_SETUP_DRAFT, step,
    bc: { kind: 'online', profileId: p.bc.id, companyId: COMPANY_ID, companyName: 'CRONUS' },
    bcVersion: { major: 24, api: 'v2.0', path: 'api' }, dataverseProfileId: p.admin.id, dataverseUrl: p.admin.url,
    integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, integrationProfileId: p.dv.id, lcyCode: 'NOK',
  };
}

const adminFinding = finding('user.notSystemAdministrator', 'error', m('check.notAdmin', 'The integration user is not System Administrator'), {
  cause: m('cause.userIsAdmin', 'The user {name} has the System Administrator role.', { name: '# Business Central Integration (app)' }),
  fix: m('fix.userIsAdmin', "Reset the user's roles to exactly the two Business Central integration roles (preview first), or choose another user."),
  fixAction: { kind: 'resetRoles', params: { systemUserId: ADMIN_USER_ID } },
});
const lcyFinding = finding('currency.lcy', 'error', m('check.lcy', 'Local currency {iso} exists in Dataverse', { iso: 'NOK' }), {
  cause: m('cause.lcyMissing', 'Your local currency code {iso} does not match any ISO currency code in the Dataverse currency table.', { iso: 'NOK' }),
  fix: m('fix.createCurrency', 'Create the currency {iso} in Dataverse (Settings → Business Management → Currencies), or let the console create it.', { iso: 'NOK' }),
  fixAction: { kind: 'createCurrency', params: { isoCode: 'NOK' } },
});
const okFinding = finding('dataverse.connection', 'ok', m('check.connection', 'Dataverse answers the admin sign-in'));
const skippedFinding = finding('bc.version', 'skipped', m('check.bcVersion', 'Business Central version supports the integration'), { cause: m('cause.noBcProfile', 'No Business Central profile was chosen.') });
const resetPlan = {
  changes: [
    { kind: 'add-role' as const, target: '6f960e32-a72b-e511-80d9-3863bb349780', message: m('change.addRole', 'Add role "{role}"', { role: 'Dynamics 365 Business Central Integration User' }) },
    { kind: 'remove-role' as const, target: SYSADMIN_ROLE, message: m('change.removeRole', 'Remove role "{role}"', { role: 'System Administrator' }) },
  ],
  blockers: [],
};

describe('setup wizard: pre-flight', () => {
  it('shows progress while the checks run, then every finding with status, cause, fix and fix buttons (errors first)', async () => {
    const p = demoProfiles();
    let answer!: (r: PreflightReport) => void;
    const b = backend({
      profiles: Object.values(p), draft: draftAt('preflight', p), savedAt: '2026-11-23T12:00:00.000Z',
      handlers: { 'setup.preflight': () => new Promise<PreflightReport>((r) => { answer = r; }) },
    });
    const { missing } = renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-preflight');
    expect(screen.getByTestId('setup-next-reason').textContent).toBe('Run the pre-flight checks first.');
    fireEvent.click(screen.getByTestId('setup-preflight-run'));
    await screen.findByTestId('setup-preflight-progress');
    expect(b.callsOf('setup.preflight')).toEqual([{
      dataverseProfileId: p.admin.id, integrationProfileId: p.dv.id, bcProfileId: p.bc.id, bcCompanyId: COMPANY_ID,
      integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, lcyCode: 'NOK', ownershipModel: 'person',
    }]);
    await act(async () => answer(report([okFinding, skippedFinding, adminFinding, lcyFinding])));
    expect(screen.queryByTestId('setup-preflight-progress')).toBeNull();
    const rows = within(screen.getByTestId('setup-findings')).getAllByRole('listitem');
    expect(rows.map((r) => [r.getAttribute('data-testid'), r.getAttribute('data-status')])).toEqual([
      ['finding-user.notSystemAdministrator', 'error'], ['finding-currency.lcy', 'error'], ['finding-bc.version', 'skipped'], ['finding-dataverse.connection', 'ok'],
    ]);
    const admin = screen.getByTestId('finding-user.notSystemAdministrator');
    expect(admin.textContent).toContain('The user # Business Central Integration (app) has the System Administrator role');
    expect(admin.textContent).toContain('Reset the user\'s roles');
    expect(within(admin).getByTestId('fix-user.notSystemAdministrator').textContent).toBe('Reset roles…');
    expect(screen.getByTestId('fix-currency.lcy').textContent).toBe('Create currency…');
    expect(screen.queryByTestId('fix-dataverse.connection')).toBeNull();
    expect(screen.getByTestId('setup-preflight-summary').textContent).toContain('2 errors · 0 warnings · 1 OK · 1 skipped');
    // Warnings/errors do not stop going on to the salespeople; enabling is where errors block.
    expect((screen.getByTestId('setup-next') as HTMLButtonElement).disabled).toBe(false);
    expect(missing).toEqual([]);
  });

  it('a role fix shows the preview first; cancel changes nothing, apply runs the fix and shows the re-run result', async () => {
    const p = demoProfiles();
    const b = backend({
      profiles: Object.values(p), draft: draftAt('preflight', p), savedAt: '2026-11-23T12:00:00.000Z',
      handlers: {
        'setup.preflight': () => report([adminFinding, okFinding]),
        'setup.previewResetRoles': () => resetPlan,
        'setup.applyFix': () => ({
          applied: m('applied.resetRoles', 'The integration user now has exactly the two Business Central integration roles ({count} change(s)).', { count: 2 }),
          report: report([finding('user.notSystemAdministrator', 'ok', m('check.notAdmin', 'The integration user is not System Administrator')), okFinding]),
        }),
      },
    });
    const { missing } = renderWith(<SetupPage />, b.transport, 'nb-NO');
    await screen.findByTestId('setup-step-preflight');
    fireEvent.click(screen.getByTestId('setup-preflight-run'));
    fireEvent.click(await screen.findByTestId('fix-user.notSystemAdministrator'));
    const dialog = await screen.findByTestId('setup-fix-preview');
    expect(b.callsOf('setup.previewResetRoles')).toEqual([{ dataverseProfileId: p.admin.id, integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, bcProfileId: p.bc.id }]);
    // The changes, translated (Norwegian) with main's params.
    const items = within(within(dialog).getByTestId('setup-fix-changes')).getAllByRole('listitem');
    expect(items.map((i) => i.getAttribute('data-kind'))).toEqual(['add-role', 'remove-role']);
    expect(items[1]!.textContent).toContain('System Administrator');
    expect(items[1]!.textContent).not.toContain('Remove role');
    fireEvent.click(screen.getByTestId('setup-fix-cancel'));
    await waitFor(() => expect(screen.queryByTestId('setup-fix-preview')).toBeNull());
    expect(b.callsOf('setup.applyFix')).toEqual([]);

    fireEvent.click(screen.getByTestId('fix-user.notSystemAdministrator'));
    fireEvent.click(await screen.findByTestId('setup-fix-apply'));
    const applied = await screen.findByTestId('setup-fix-applied');
    expect(b.callsOf('setup.applyFix')).toEqual([{ fix: adminFinding.fixAction, preflight: expect.objectContaining({ dataverseProfileId: p.admin.id, lcyCode: 'NOK' }) }]);
    expect(applied.textContent).toContain('2');
    expect(applied.textContent).not.toContain('The integration user now has');
    expect(screen.queryByTestId('setup-fix-preview')).toBeNull();
    expect(screen.getByTestId('finding-user.notSystemAdministrator').getAttribute('data-status')).toBe('ok');
    expect(missing).toEqual([]);
  });

  it('creating the currency shows the row it writes first, like the role reset; redeploy previews with its blockers and cannot be applied while blocked', async () => {
    const p = demoProfiles();
    const b = backend({
      profiles: Object.values(p), draft: draftAt('preflight', p), savedAt: '2026-11-23T12:00:00.000Z',
      handlers: {
        'setup.preflight': () => report([lcyFinding]),
        'setup.applyFix': () => ({ applied: m('applied.createCurrency', 'Created the currency {iso} in Dataverse with exchange rate 1; check the rate against your base currency.', { iso: 'NOK' }), report: report([okFinding]) }),
        'setup.previewRedeploy': () => ({
          changes: [{ kind: 'import-solution', target: 'MicrosoftDynamicsNavIntegration', message: m('change.reimportSolution', 'Re-import solution {solution} (installed {installed}) to reset its roles and components', { solution: 'MicrosoftDynamicsNavIntegration', installed: '24.0' }) }],
          blockers: [m('blocker.enabled', 'Redeploy is only possible while the Sales connection is disabled. Disable it first.')],
        }),
      },
    });
    renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-preflight');
    fireEvent.click(screen.getByTestId('setup-preflight-run'));
    fireEvent.click(await screen.findByTestId('fix-currency.lcy'));
    // Nothing is written before the preview is confirmed.
    const preview = await screen.findByTestId('setup-fix-preview');
    expect(within(preview).getByTestId('setup-fix-changes').textContent).toBe('Create the currency NOK in Dataverse (name and symbol NOK, exchange rate 1, 2 decimals)');
    expect(b.callsOf('setup.applyFix')).toHaveLength(0);
    fireEvent.click(within(preview).getByTestId('setup-fix-apply'));
    expect((await screen.findByTestId('setup-fix-applied')).textContent).toBe('Created the currency NOK in Dataverse with exchange rate 1; check the rate against your base currency.');
    await waitFor(() => expect(screen.queryByTestId('setup-fix-preview')).toBeNull());
    expect(b.callsOf('setup.applyFix')).toHaveLength(1);

    fireEvent.click(screen.getByTestId('setup-redeploy'));
    const dialog = await screen.findByTestId('setup-fix-preview');
    expect(dialog.textContent).toContain('Re-import solution MicrosoftDynamicsNavIntegration (installed 24.0)');
    expect(within(dialog).getByTestId('setup-fix-blockers').textContent).toContain('Disable it first.');
    expect((screen.getByTestId('setup-fix-apply') as HTMLButtonElement).disabled).toBe(true);
  });

  it('reset roles applies after the preview and runs the checks again', async () => {
    const p = demoProfiles();
    let runs = 0;
    const b = backend({
      profiles: Object.values(p), draft: draftAt('preflight', p), savedAt: '2026-11-23T12:00:00.000Z',
      handlers: { 'setup.preflight': () => { runs++; return report([okFinding]); }, 'setup.previewResetRoles': () => resetPlan, 'setup.resetRoles': () => resetPlan },
    });
    renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-preflight');
    fireEvent.click(screen.getByTestId('setup-reset-roles'));
    fireEvent.click(await screen.findByTestId('setup-fix-apply'));
    expect((await screen.findByTestId('setup-fix-applied')).textContent).toBe("Reset the integration user's roles (2 changes).");
    expect(b.callsOf('setup.resetRoles')).toHaveLength(1);
    expect(runs).toBe(1);
    expect(screen.getByTestId('setup-findings')).toBeTruthy();
  });
});

describe('setup wizard: salespeople', () => {
  const KN = 'aaaaaaaa-0000-4000-8000-000000000001';
  const JDV = 'aaaaaaaa-0000-4000-8000-000000000002';
  const XX = 'aaaaaaaa-0000-4000-8000-000000000003';
  const U_KN = '00000000-0000-4000-8000-000000000103';
  const U_JDV = '00000000-0000-4000-8000-000000000104';
  const view: MethodOutput<'setup.salespeople'> = {
    bc: [
      { id: KN, code: 'KN', name: 'Kari Nordmann', email: 'kari.nordmann@nordlys.example', coupledTo: null },
      { id: JDV, code: 'JDV', name: 'Jan de Vries', email: null, coupledTo: null },
      { id: XX, code: 'XX', name: 'Nobody', email: null, coupledTo: null },
    ],
    dataverse: [
      { id: U_KN, fullName: 'Kari Nordmann', email: 'kari.nordmann@nordlys.example', disabled: false, coupledTo: null },
      { id: U_JDV, fullName: 'Jan de Vries', email: 'jan.devries@nordlys.example', disabled: false, coupledTo: null },
    ],
    suggestions: [{ bcId: KN, dvId: U_KN, by: 'email', confidence: 1 }, { bcId: JDV, dvId: U_JDV, by: 'name', confidence: 0.7 }],
    explanation: m('salespeople.explanation', 'With Person ownership every customer … Couple salespeople before the first synchronization.'),
  };

  it('shows both sides with suggestions preselected, the F.3 explanation, and couples the accepted pairs', async () => {
    const p = demoProfiles();
    const b = backend({
      profiles: Object.values(p), draft: draftAt('salespeople', p), savedAt: '2026-11-23T12:00:00.000Z',
      handlers: { 'setup.salespeople': () => view, 'setup.coupleSalespeople': ({ pairs }) => ({ coupled: pairs.length, replaced: 0 }) },
    });
    const { missing } = renderWith(<SetupPage />, b.transport);
    const table = await screen.findByTestId('setup-sp-table');
    expect(b.callsOf('setup.salespeople')).toEqual([{ dataverseProfileId: p.admin.id, bcProfileId: p.bc.id, bcCompanyId: COMPANY_ID }]);
    expect(screen.getByTestId('setup-sp-explanation').textContent).toContain('With Person ownership');
    expect(within(table).getByTestId('sp-KN').getAttribute('data-suggested')).toBe('email');
    expect(within(table).getByTestId('sp-JDV').getAttribute('data-suggested')).toBe('name');
    expect(within(table).getByTestId('sp-XX').hasAttribute('data-suggested')).toBe(false);
    expect(within(screen.getByTestId('sp-KN')).getByRole('combobox').textContent).toBe('Kari Nordmann');
    expect(within(screen.getByTestId('sp-XX')).getByRole('combobox').textContent).toBe('Not coupled');
    expect(screen.getByTestId('setup-sp-users').textContent).toContain('jan.devries@nordlys.example');

    // The two buttons say what they do: selecting only ticks (and says when all is selected), coupling writes.
    expect(screen.getByTestId('setup-sp-accept-all').textContent).toBe('All 2 suggestions are selected');
    expect(screen.getByTestId('setup-sp-accept-all').hasAttribute('disabled')).toBe(true);
    expect(screen.getByTestId('setup-sp-buttons-hint').textContent).toBe('Selecting only ticks rows in the table; nothing is written until you couple.');
    // Untick one suggestion, then "select all" takes every suggestion again.
    fireEvent.click(within(screen.getByTestId('sp-JDV')).getByRole('checkbox'));
    expect(screen.getByTestId('setup-sp-couple').textContent).toBe('Couple 1 selected salesperson now');
    expect(screen.getByTestId('setup-sp-accept-all').textContent).toBe('Select all 2 suggested users');
    fireEvent.click(screen.getByTestId('setup-sp-accept-all'));
    expect(screen.getByTestId('setup-sp-couple').textContent).toBe('Couple 2 selected salespeople now');
    fireEvent.click(screen.getByTestId('setup-sp-couple'));
    expect((await screen.findByTestId('setup-sp-result')).textContent).toBe('Coupled 2 salespeople (0 earlier couplings replaced).');
    expect(b.callsOf('setup.coupleSalespeople')).toEqual([{ pairs: [{ bcId: KN, dvId: U_KN }, { bcId: JDV, dvId: U_JDV }] }]);
    expect(missing).toEqual([]);
  });
});

describe('setup wizard: enable and disable', () => {
  const plan: EnablePlan = {
    mappingSetName: 'Dynamics 365 Sales',
    mappings: ['SALESPEOPLE', 'CUSTOMER', 'CONTACT'],
    jobs: ['SALESPEOPLE - Dynamics 365 Sales synchronization job', 'CUSTOMER - Dynamics 365 Sales synchronization job'],
    overwrites: { mappings: ['CUSTOMER'], jobs: ['CUSTOMER - Dynamics 365 Sales synchronization job'] },
    confirmation: m('enable.confirmOverwrite', 'Enabling replaces the mapping set "{set}" ({existing} mappings, including your changes: {names}) with the defaults and resets {jobCount} job queue entries ({jobNames}). Continue?', {
      set: 'Dynamics 365 Sales', existing: 1, names: 'CUSTOMER', jobCount: 1, jobNames: 'CUSTOMER - Dynamics 365 Sales synchronization job',
    }),
  };

  it('blocks enabling on a failed check with the reason; the confirmation lists what is created and overwritten; then status and disable', async () => {
    const p = demoProfiles();
    const enabledStatus = { enabled: true, enabledAt: '2026-11-23T13:30:00.000Z', crmVersion: '9.2.24104.00182', solutionVersion: '24.0.0.0', mappingSetName: 'Dynamics 365 Sales', disableReason: null };
    const b = backend({
      profiles: Object.values(p), draft: draftAt('finish', p), savedAt: '2026-11-23T12:00:00.000Z',
      handlers: {
        'setup.previewEnable': () => plan,
        'setup.enable': () => ({ status: enabledStatus, report: report([okFinding]), created: plan }),
        'setup.disable': () => ({ status: { ...enabledStatus, enabled: false, enabledAt: null, crmVersion: null, solutionVersion: null }, jobsOnHold: ['CUSTOMER - Dynamics 365 Sales synchronization job'] }),
      },
    });
    const { missing } = renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-finish');
    expect(screen.getByTestId('setup-review').textContent).toContain('NOK');
    expect(screen.getByTestId('setup-status').getAttribute('data-enabled')).toBe('false');

    // A known error blocks, with the reason; a missing solution does not while "Import solution" is on.
    act(() => useSetupStore.setState({ report: report([lcyFinding, finding('solution.installed', 'error', m('check.solutionInstalled', 'The Business Central integration solution is installed'))]) }));
    expect((screen.getByTestId('setup-enable') as HTMLButtonElement).disabled).toBe(true);
    const blocked = screen.getByTestId('setup-enable-blocked');
    expect(blocked.textContent).toContain('Enabling is blocked by 1 failed check');
    expect(blocked.textContent).toContain('Local currency NOK exists in Dataverse');
    expect(blocked.textContent).not.toContain('solution is installed');
    act(() => useSetupStore.setState({ report: report([okFinding]) }));

    fireEvent.click(screen.getByTestId('setup-enable'));
    const dialog = await screen.findByTestId('setup-enable-confirm');
    expect(b.callsOf('setup.previewEnable')).toEqual([{ advanced: DEFAULT_SETUP_DRAFT.advanced, bcVersion: 24 }]);
    const creates = within(dialog).getByTestId('setup-enable-creates').textContent!;
    expect(creates).toContain('Mapping set "Dynamics 365 Sales"');
    expect(creates).toContain('3 table mappings: SALESPEOPLE, CUSTOMER, CONTACT');
    expect(creates).toContain('2 job queue entries');
    const overwrites = within(dialog).getByTestId('setup-enable-overwrites').textContent!;
    expect(overwrites).toContain('1 existing mapping (your changes to it are lost): CUSTOMER');
    expect(overwrites).toContain('1 job queue entry is reset: CUSTOMER - Dynamics 365 Sales synchronization job');
    expect(within(dialog).getByTestId('setup-enable-confirm-ok').textContent).toBe('Overwrite and enable');
    expect(b.callsOf('setup.enable')).toEqual([]);

    fireEvent.click(screen.getByTestId('setup-enable-confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('setup-status').getAttribute('data-enabled')).toBe('true'));
    expect(b.callsOf('setup.enable')).toEqual([expect.objectContaining({ confirmOverwrite: true, bcVersion: 24, advanced: DEFAULT_SETUP_DRAFT.advanced })]);
    expect(screen.queryByTestId('setup-enable-confirm')).toBeNull();
    expect(screen.getByTestId('setup-status').textContent).toContain('9.2.24104.00182');
    expect(screen.getByTestId('setup-status').textContent).toContain('24.0.0.0');

    fireEvent.click(screen.getByTestId('setup-disable'));
    await screen.findByTestId('setup-disable-confirm');
    expect(b.callsOf('setup.disable')).toEqual([]);
    fireEvent.click(screen.getByTestId('setup-disable-confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('setup-status').getAttribute('data-enabled')).toBe('false'));
    expect(b.callsOf('setup.disable')).toEqual([{ dataverseProfileId: p.admin.id }]);
    expect(screen.getByTestId('setup-jobs-on-hold').textContent).toContain('1 job was put on hold: CUSTOMER - Dynamics 365 Sales synchronization job');
    await flush();
    expect(missing).toEqual([]);
  });

  it('an enable refused by main is shown through the errors catalog', async () => {
    const p = demoProfiles();
    const b = backend({ profiles: Object.values(p), draft: draftAt('finish', p), savedAt: '2026-11-23T12:00:00.000Z', handlers: { 'setup.previewEnable': () => ({ ...plan, overwrites: { mappings: [], jobs: [] } }) } });
    b.fail['setup.enable'] = { code: 'SETUP_PREFLIGHT_FAILED', message: 'The Sales connection cannot be enabled: no user.', params: { check: 'user.exists' } };
    renderWith(<SetupPage />, b.transport);
    await screen.findByTestId('setup-step-finish');
    fireEvent.click(screen.getByTestId('setup-enable'));
    const dialog = await screen.findByTestId('setup-enable-confirm');
    expect(within(dialog).getByTestId('setup-enable-overwrites').textContent).toBe('Nothing existing is overwritten.');
    fireEvent.click(screen.getByTestId('setup-enable-confirm-ok'));
    const err = await screen.findByTestId('error-text');
    expect(err.getAttribute('data-code')).toBe('SETUP_PREFLIGHT_FAILED');
    expect(err.textContent).toContain('user.exists');
    expect(screen.getByTestId('setup-status').getAttribute('data-enabled')).toBe('false');
  });
});
