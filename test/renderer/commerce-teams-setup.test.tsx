/**
 * Issue 14: the Commerce ⇄ Teams configuration page through the contract-validating fake transport — profiles picked
 * from the connection profiles, enable with the data-sharing consent, disable says what it stops, the pre-flight
 * grouped by severity with cause and fix, a one-click fix previewed before it is applied; in all four languages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  TEAMS_EFFECT_CODES,
  TEAMS_ERROR_CODES,
  TEAMS_FIX_CHANGE_CODES,
  TEAMS_FIX_IDS,
  type ConnectionProfile,
  type TeamsConfig,
  type TeamsConsoleFinding,
  type TeamsMessage,
} from '../../preload/contract';
import { TEAMS_FINDING_CODES } from '../../preload/contract/commerce-teams/findings';
import { LANGUAGES, resources } from '../../renderer/i18n';
import { TeamsSetupPage } from '../../renderer/pages/commerce-teams/setup/TeamsSetupPage';
import { resetTeamsSetupStore } from '../../renderer/pages/commerce-teams/setup/store';
import { resetConnectionsStore } from '../../renderer/stores/connections';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const COMMERCE = '11111111-1111-4111-8111-111111111111';
const GRAPH = '22222222-2222-4222-8222-222222222222';
const DV = '33333333-3333-4333-8333-333333333333';
const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);

function profile(id: string, name: string, kind: ConnectionProfile['kind'], url: string): ConnectionProfile {
  return {
    id, name, kind, url, environmentName: null, company: null, tier: 'development', colour: '#2e7d32', authMethod: 'client-secret',
    app: { clientId: '44444444-4444-4444-8444-444444444444', tenantId: 'contoso', redirectUri: null, authorityHost: 'https://login.microsoftonline.com' },
    userName: null, certificateThumbprint: null, secretsSet: ['clientSecret'], secretsMissing: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null,
  } as ConnectionProfile;
}
const PROFILES = [
  profile(COMMERCE, 'Nordlys HQ', 'commerce-hq', 'https://nordlys.operations.dynamics.com'),
  profile(GRAPH, 'Nordlys Microsoft 365', 'graph', 'https://graph.microsoft.com'),
  profile(DV, 'Sales', 'dataverse', 'https://nordlys.crm4.dynamics.com'),
];

const RM_UPN = 'sanne.jansen@nordlys.example';
const ROLE_FINDING: TeamsConsoleFinding = {
  code: 'TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE', severity: 'warning', personnelNumber: 'NR-000005', message: 'Regional manager sanne.jansen… does not hold…',
  params: { userId: 'rm5', upn: RM_UPN },
  fix: { fixId: 'assign-task-role', params: { userId: 'rm5', upn: RM_UPN }, previewCodes: ['TEAMS_FIX_ASSIGN_TASK_ROLE'] },
};
const FINDINGS: TeamsConsoleFinding[] = [
  { code: 'TEAMS_STORE_NO_MANAGER', severity: 'warning', storeNumber: '001030', message: 'Store 001030 has no store manager' },
  ROLE_FINDING,
  { code: 'TEAMS_USER_NO_TEAMS_LICENCE', severity: 'warning', storeNumber: '001027', personnelNumber: 'NR-002702', message: 'no licence', params: { upn: 'veera.laine@nordlys.example' } },
  { code: 'TEAMS_HIERARCHY_NOT_RETAIL_REPORTING', severity: 'info', message: 'not retail', params: { hierarchy: 'Nordlys store clusters' } },
  { code: 'TEAMS_MAPPED_TEAM_NOT_FOUND', severity: 'error', storeNumber: '001004', message: 'mapped to missing', params: { teamId: '55555555-5555-4555-8555-555555555555' },
    fix: { fixId: 'clear-stale-mapping', params: { storeNumber: '001004', teamId: '55555555-5555-4555-8555-555555555555' }, previewCodes: ['TEAMS_FIX_CLEAR_MAPPING'] } },
  { code: 'TEAMS_MAIL_NICKNAME_COLLISION', severity: 'error', message: 'comms nickname taken', params: { mailNickname: 'RETAILCOMMUNICATION_D365', other: '66666666-6666-4666-8666-666666666666' } },
];

/** A fake main with real state: the configuration, the findings, and what each call was asked. */
function backend() {
  let config: TeamsConfig = {
    enabled: false, enabledAt: null, commerceProfileId: null, graphProfileId: null, dataSharingConsent: { accepted: false, acceptedAt: null }, pruneDefault: false,
  };
  let findings = [...FINDINGS];
  const fake = fakeTransport({
    'connections.list': () => PROFILES,
    'auth.status': () => [],
    'teams.getConfig': () => config,
    'teams.setConfig': (input) => {
      if (input.commerceProfileId !== undefined) config = { ...config, commerceProfileId: input.commerceProfileId };
      if (input.graphProfileId !== undefined) config = { ...config, graphProfileId: input.graphProfileId };
      if (input.dataSharingConsent !== undefined) config = { ...config, dataSharingConsent: { accepted: input.dataSharingConsent, acceptedAt: input.dataSharingConsent ? T0 : null } };
      return config;
    },
    'teams.enable': () => {
      if (!config.dataSharingConsent.accepted) throw Object.assign(new Error('consent'), { code: 'TEAMS_CONSENT_REQUIRED' });
      config = { ...config, enabled: true, enabledAt: T0 };
      return { config, effects: [{ code: 'TEAMS_ENABLE_RUNS_ALLOWED', params: {} }, { code: 'TEAMS_ENABLE_SCHEDULE_OFF', params: {} }] };
    },
    'teams.disable': ({ dryRun }) => {
      if (!dryRun) config = { ...config, enabled: false };
      return {
        config, applied: !dryRun,
        effects: [{ code: 'TEAMS_DISABLE_NO_RUNS', params: {} }, { code: 'TEAMS_DISABLE_SCHEDULE_ON_HOLD', params: { entry: 'Sync teams and members' } }, { code: 'TEAMS_DISABLE_TEAMS_KEPT', params: {} }] as TeamsMessage[],
      };
    },
    'teams.check': () => ({ findings, checkedAt: T0 }),
    'teams.previewFix': ({ fixId, params }) => ({ fixId, changes: [{ code: 'TEAMS_FIX_ASSIGN_TASK_ROLE', params: { ...params, role: 'Retail task manager' } }] }),
    'teams.applyFix': ({ params }) => {
      findings = findings.filter((f) => f.params?.upn !== params.upn || f.code !== 'TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE');
      return { applied: [{ code: 'TEAMS_FIX_ASSIGN_TASK_ROLE', params: { ...params, role: 'Retail task manager' } }], findings };
    },
  });
  return { fake, config: () => config };
}

type Tree = { [k: string]: string | Tree };
const flatten = (t: Tree, prefix = ''): Record<string, string> =>
  Object.entries(t).reduce<Record<string, string>>((acc, [k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'string' ? { ...acc, [key]: v } : { ...acc, ...flatten(v, key) };
  }, {});
const catalog = (lng: (typeof LANGUAGES)[number]['code']) => flatten(resources[lng].teamsPages as unknown as Tree);

beforeEach(() => {
  resetTeamsSetupStore();
  resetConnectionsStore();
});

async function pick(testId: string, option: string) {
  fireEvent.click(screen.getByTestId(testId));
  fireEvent.click(await screen.findByRole('option', { name: option }));
}

describe('Commerce ⇄ Teams configuration page', () => {
  it('picks the two profiles by kind, then enables with the consent and disables after saying what it stops', async () => {
    const b = backend();
    const { missing } = renderWith(<TeamsSetupPage />, b.fake);
    const enable = await screen.findByTestId('ct-enable');
    // Without both profiles Enable is off and says why.
    expect((enable as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/Choose a Commerce headquarters profile and a Microsoft 365/)).toBeTruthy();
    // Only profiles of the right kind are offered.
    fireEvent.click(screen.getByTestId('ct-setup-profile-commerce'));
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(['Nordlys HQ']);
    fireEvent.click(screen.getByRole('option', { name: 'Nordlys HQ' }));
    await waitFor(() => expect(b.config().commerceProfileId).toBe(COMMERCE));
    await pick('ct-setup-profile-graph', 'Nordlys Microsoft 365');
    await waitFor(() => expect(b.config().graphProfileId).toBe(GRAPH));
    await waitFor(() => expect((screen.getByTestId('ct-enable') as HTMLButtonElement).disabled).toBe(false));

    // Enable: the consent text is shown and must be accepted first.
    fireEvent.click(screen.getByTestId('ct-enable'));
    const dialog = await screen.findByTestId('ct-enable-dialog');
    expect(within(dialog).getByTestId('ct-consent-text').textContent).toMatch(/another region/);
    const confirm = within(dialog).getByTestId('ct-enable-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.click(within(dialog).getByRole('checkbox', { hidden: true }));
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.getByTestId('ct-status').getAttribute('data-enabled')).toBe('true'));
    expect(b.config().dataSharingConsent.accepted).toBe(true);
    expect(b.fake.calls.map((c) => c.method).filter((m) => m.startsWith('teams.')).slice(-2)).toEqual(['teams.setConfig', 'teams.enable']);
    expect(screen.getByTestId('ct-enable-effects').textContent).toContain('Plans can be applied and teams synchronized.');
    expect(screen.queryByTestId('ct-enable-dialog')).toBeNull();

    // Disable: a dry run first lists what it stops; nothing changes until confirmed.
    fireEvent.click(screen.getByTestId('ct-disable'));
    const off = await screen.findByTestId('ct-disable-dialog');
    expect(b.config().enabled).toBe(true);
    expect(within(off).getByTestId('ct-disable-effects').textContent).toContain('The job queue entry "Sync teams and members" is set On Hold.');
    expect(within(off).getByTestId('ct-disable-effects').textContent).toContain('nothing is deleted');
    fireEvent.click(within(off).getByTestId('ct-disable-confirm'));
    await waitFor(() => expect(screen.getByTestId('ct-status').getAttribute('data-enabled')).toBe('false'));
    expect(b.fake.calls.filter((c) => c.method === 'teams.disable').map((c) => c.payload)).toEqual([{ dryRun: true }, { dryRun: false }]);
    expect(missing).toEqual([]);
  });

  it('groups the findings by severity with cause and fix; a fix is previewed, cancelled, previewed again and applied', async () => {
    const b = backend();
    const { missing } = renderWith(<TeamsSetupPage />, b.fake);
    fireEvent.click(await screen.findByTestId('ct-check-run'));
    const errors = await screen.findByTestId('ct-findings-error');
    const warnings = screen.getByTestId('ct-findings-warning');
    const infos = screen.getByTestId('ct-findings-info');
    // Errors first, then warnings, then notes.
    const order = [errors, warnings, infos].map((g) => g.compareDocumentPosition.bind(g));
    expect(order[0]!(warnings) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(errors).getAllByRole('listitem')).toHaveLength(2);
    expect(within(warnings).getAllByRole('listitem')).toHaveLength(3);
    expect(screen.getByTestId('ct-check-summary').textContent).toContain('2 errors · 3 warnings · 1 note');
    // Cause and exact fix, with the finding's own values (never a raw placeholder).
    const licence = screen.getByTestId('ct-finding-TEAMS_USER_NO_TEAMS_LICENCE');
    expect(licence.textContent).toContain('Failed to retrieve appliable Sku categories for the user');
    expect(licence.textContent).toContain('veera.laine@nordlys.example');
    const comms = screen.getByTestId('ct-finding-TEAMS_MAIL_NICKNAME_COLLISION');
    expect(comms.textContent).toContain('The communications team would use the mail nickname RETAILCOMMUNICATION_D365');
    expect(document.body.textContent).not.toMatch(/\{\{/);

    // Fix: preview first, nothing applied on Cancel.
    const role = screen.getByTestId('ct-finding-TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE');
    fireEvent.click(within(role).getByRole('button', { name: /Assign Retail task manager/ }));
    let preview = await screen.findByTestId('ct-fix-preview');
    expect(within(preview).getByTestId('ct-fix-changes').textContent).toBe(`Assign the security role Retail task manager to the Commerce user rm5 (${RM_UPN}).`);
    fireEvent.click(within(preview).getByTestId('ct-fix-cancel'));
    await waitFor(() => expect(screen.queryByTestId('ct-fix-preview')).toBeNull());
    expect(b.fake.calls.some((c) => c.method === 'teams.applyFix')).toBe(false);

    fireEvent.click(within(screen.getByTestId('ct-finding-TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE')).getByRole('button', { name: /Assign Retail task manager/ }));
    preview = await screen.findByTestId('ct-fix-preview');
    fireEvent.click(within(preview).getByTestId('ct-fix-apply'));
    await waitFor(() => expect(screen.queryByTestId('ct-finding-TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE')).toBeNull());
    expect(b.fake.calls.filter((c) => c.method === 'teams.applyFix').map((c) => c.payload)).toEqual([{ fixId: 'assign-task-role', params: { userId: 'rm5', upn: RM_UPN } }]);
    expect(screen.getByTestId('ct-fix-applied').textContent).toContain(`Assign the security role Retail task manager to the Commerce user rm5`);
    expect(within(screen.getByTestId('ct-findings-warning')).getAllByRole('listitem')).toHaveLength(2);
    // A run elsewhere may change the findings: main says so, the page asks for a new check instead of re-running one itself.
    expect(screen.queryByTestId('ct-check-stale')).toBeNull();
    act(() => b.fake.push('teams.changed', { what: ['runs', 'findings'] }));
    expect(screen.getByTestId('ct-check-stale').textContent).toContain('check again');
    fireEvent.click(screen.getByTestId('ct-check-run'));
    await waitFor(() => expect(screen.queryByTestId('ct-check-stale')).toBeNull());
    expect(missing).toEqual([]);
  });

  it('shows a refused fix in the dialog with the translated error', async () => {
    const b = backend();
    const fake = fakeTransport({
      ...Object.fromEntries(['connections.list', 'auth.status', 'teams.getConfig', 'teams.check', 'teams.previewFix'].map((m) => [m, (i: never) => (b.fake.invoke(m, i) as Promise<{ ok: true; value: unknown }>).then((r) => r.value)])),
      'teams.applyFix': () => {
        throw Object.assign(new Error('gone'), { code: 'TEAMS_FIX_NOT_APPLICABLE' });
      },
    });
    renderWith(<TeamsSetupPage />, fake);
    fireEvent.click(await screen.findByTestId('ct-check-run'));
    fireEvent.click(within(await screen.findByTestId('ct-finding-TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE')).getByRole('button', { name: /Assign/ }));
    const preview = await screen.findByTestId('ct-fix-preview');
    await act(async () => fireEvent.click(within(preview).getByTestId('ct-fix-apply')));
    await waitFor(() => expect(within(preview).getByTestId('error-text').getAttribute('data-code')).toBe('TEAMS_FIX_NOT_APPLICABLE'));
    expect(within(preview).getByTestId('error-text').textContent).toContain('This fix no longer applies');
  });

  it.each(LANGUAGES.map((l) => l.code))('%s: renders the page, every finding and the dialogs without a missing key', async (code) => {
    const b = backend();
    const { missing } = renderWith(<TeamsSetupPage />, b.fake, code);
    fireEvent.click(await screen.findByTestId('ct-check-run'));
    await screen.findByTestId('ct-findings-error');
    fireEvent.click(within(screen.getByTestId('ct-finding-TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE')).getAllByRole('button').at(-1)!);
    await screen.findByTestId('ct-fix-preview');
    expect(document.body.textContent).not.toMatch(/\{\{|finding\.|setup\./);
    expect(missing).toEqual([]);
  });

  it('has a title, cause and fix for every finding code, and a text for every fix, change, effect and error code it shows, in every language', () => {
    for (const { code } of LANGUAGES) {
      const c = catalog(code);
      const needed = [
        ...TEAMS_FINDING_CODES.flatMap((f) => ['title', 'cause', 'fix'].map((p) => `finding.${f}.${p}`)),
        ...['title', 'cause', 'fix'].map((p) => `finding.TEAMS_MAIL_NICKNAME_COLLISION_COMMS.${p}`),
      ];
      expect(needed.filter((k) => !c[k]), code).toEqual([]);
      // Main's codes the page shows come from the codes catalog (teamsProvision).
      const codes = flatten(resources[code].teamsProvision as unknown as Tree);
      const shown = [...TEAMS_FIX_IDS.map((f) => `fixId.${f}`), ...TEAMS_FIX_CHANGE_CODES.map((f) => `fix.${f}`), ...TEAMS_EFFECT_CODES.map((f) => `effect.${f}`)];
      expect(shown.filter((k) => !codes[k]), code).toEqual([]);
      const common = flatten(resources[code].common as unknown as Tree);
      expect(TEAMS_ERROR_CODES.filter((e) => !common[`errors.${e}`]), code).toEqual([]);
    }
  });

  it('every literal key the two pages use exists in the pages\' catalog', () => {
    const en = catalog('en');
    const root = path.resolve(import.meta.dirname, '../../renderer/pages/commerce-teams');
    const missing: string[] = [];
    let seen = 0;
    for (const dir of ['setup', 'provision']) {
      for (const file of readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.tsx'))) {
        for (const m of readFileSync(path.join(root, dir, file), 'utf8').matchAll(/\btt\(\s*'([a-zA-Z0-9_.-]+)'/g)) {
          seen++;
          if (!(m[1]! in en) && !(`${m[1]}_one` in en && `${m[1]}_other` in en)) missing.push(`${dir}/${file}: ${m[1]}`);
        }
      }
    }
    expect(seen).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });
});
