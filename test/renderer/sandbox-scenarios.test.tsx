import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_SCENARIOS, type SandboxScenario, type SandboxScenarioResult, type SandboxStatus } from '../../preload/contract';
import { LANGUAGES } from '../../renderer/i18n';
import { SandboxPage } from '../../renderer/pages/sandbox/SandboxPage';
import { useSandboxStore } from '../../renderer/stores/sandbox';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const KNOBS = { latencyMs: 0, faultRate: 0, faultSeed: 1, faultKinds: ['5xx' as const], burstLength: 3 };

/** A fake main: admin mode is real state, so the page must reload the status to show what a scenario changed. */
function transport(answer?: (s: SandboxScenario) => SandboxScenarioResult | Promise<SandboxScenarioResult>) {
  let adminMode = false;
  const status = (): SandboxStatus => ({
    running: true,
    endpoints: {
      authority: 'http://127.0.0.1:1/tenant', tokenEndpoint: 'http://127.0.0.1:1/token', dataverseUrl: 'http://127.0.0.1:2', dataverseApiBase: 'http://127.0.0.1:2/api/data/v9.2',
      businessCentralApiBase: 'http://127.0.0.1:3/v2.0', tenant: 't', environment: 'Production', companyId: 'c', integrationClientId: 'a',
    },
    users: [],
    knobs: { dataverse: KNOBS, businessCentral: KNOBS },
    adminMode,
    commerceTeams: null,
  });
  return fakeTransport({
    'sandbox.status': status,
    'sandbox.scenario': ({ scenario }) => {
      if (scenario === 'admin-mode') adminMode = true;
      if (scenario === 'reset') adminMode = false;
      if (answer) return answer(scenario);
      return { scenario, applied: true, message: { code: 'sandbox.scenarioResult.makeSysadmin', params: { user: 'Kari Nordmann' }, text: 'ENGLISH FALLBACK' } };
    },
  });
}

beforeEach(() => {
  useSandboxStore.setState({ status: null, error: null });
});

describe('sandbox page: failure scenarios', () => {
  for (const { code } of LANGUAGES) {
    it(`shows one button per scenario with its explanation and pre-flight finding (${code})`, async () => {
      const { missing } = renderWith(<SandboxPage />, transport(), code);
      for (const id of SANDBOX_SCENARIOS) {
        const button = await screen.findByTestId(`sandbox-scenario-${id}`);
        expect(button.textContent!.trim().length, id).toBeGreaterThan(3);
      }
      // Every finding id the scenarios break is named next to its button.
      for (const finding of ['user.bcRoles', 'user.notSystemAdministrator', 'currency.lcy', 'user.enabled', 'solution.installed', 'environment.adminMode']) {
        const id = screen.getByText(finding, { exact: true });
        expect(id.parentElement!.textContent).toMatch(new RegExp(`^\\S.*: ${finding.replace('.', '\\.')}$`));
      }
      expect(screen.queryByTestId('sandbox-scenario-result')).toBeNull();
      expect(missing).toEqual([]);
    });
  }

  it('the buttons are translated, not English copies', async () => {
    renderWith(<SandboxPage />, transport(), 'nb-NO');
    expect((await screen.findByTestId('sandbox-scenario-make-sysadmin')).textContent).toBe('Gjør integrasjonsbrukeren til systemadministrator');
    expect(screen.getByTestId('sandbox-scenario-reset').textContent).toBe('Tilbakestill til demotilstanden');
  });

  it('runs the scenario through the contract and shows the translated result with its parameters', async () => {
    const t = transport();
    renderWith(<SandboxPage />, t, 'nl-NL');
    fireEvent.click(await screen.findByTestId('sandbox-scenario-make-sysadmin'));
    const result = await screen.findByTestId('sandbox-scenario-result');
    expect(result.textContent).toBe('Kari Nordmann heeft de rol System Administrator gekregen. De controles vooraf melden nu "user.notSystemAdministrator" als fout.');
    expect(result.getAttribute('data-applied')).toBe('true');
    expect(t.calls.filter((c) => c.method === 'sandbox.scenario')).toEqual([{ method: 'sandbox.scenario', payload: { scenario: 'make-sysadmin' } }]);
  });

  it('falls back to main\'s English text for a code the catalog does not know, and marks "nothing changed" as not applied', async () => {
    renderWith(<SandboxPage />, transport((scenario) => ({ scenario, applied: false, message: { code: 'sandbox.scenarioResult.fromANewerMain', params: {}, text: 'Nothing to do here.' } })));
    fireEvent.click(await screen.findByTestId('sandbox-scenario-disable-user'));
    const result = await screen.findByTestId('sandbox-scenario-result');
    expect(result.textContent).toBe('Nothing to do here.');
    expect(result.getAttribute('data-applied')).toBe('false');
  });

  it('after admin mode the administration-mode switch is on, and after reset it is off again', async () => {
    renderWith(<SandboxPage />, transport());
    const adminSwitch = await screen.findByRole('switch', { name: 'Dataverse administration mode' });
    expect((adminSwitch as HTMLInputElement).checked).toBe(false);
    fireEvent.click(screen.getByTestId('sandbox-scenario-admin-mode'));
    await waitFor(() => expect((screen.getByRole('switch', { name: 'Dataverse administration mode' }) as HTMLInputElement).checked).toBe(true));
    fireEvent.click(screen.getByTestId('sandbox-scenario-reset'));
    await waitFor(() => expect((screen.getByRole('switch', { name: 'Dataverse administration mode' }) as HTMLInputElement).checked).toBe(false));
  });

  it('shows a failure as a translated error and keeps the buttons usable', async () => {
    const failing = transport(() => {
      throw Object.assign(new Error('The demo sandbox has no Dataverse user x'), { code: 'SANDBOX_SCENARIO_USER_NOT_FOUND' });
    });
    renderWith(<SandboxPage />, failing, 'fi-FI');
    fireEvent.click(await screen.findByTestId('sandbox-scenario-remove-bc-role'));
    const result = await screen.findByTestId('sandbox-scenario-result');
    expect(result.textContent).toMatch(/^Demohiekkalaatikossa ei ole Dataverse-käyttäjää/);
    expect(within(result).queryByText(/ENGLISH/)).toBeNull();
    await waitFor(() => expect(screen.getByTestId('sandbox-scenario-remove-bc-role').hasAttribute('disabled')).toBe(false));
  });

  it('disables every button while a scenario runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    renderWith(<SandboxPage />, transport(async (scenario) => {
      await gate;
      return { scenario, applied: true, message: { code: 'sandbox.scenarioResult.resetNothing', params: {}, text: 'x' } };
    }));
    fireEvent.click(await screen.findByTestId('sandbox-scenario-reset'));
    await waitFor(() => expect(SANDBOX_SCENARIOS.every((id) => screen.getByTestId(`sandbox-scenario-${id}`).hasAttribute('disabled'))).toBe(true));
    release();
    await waitFor(() => expect(screen.getByTestId('sandbox-scenario-reset').hasAttribute('disabled')).toBe(false));
    expect((await screen.findByTestId('sandbox-scenario-result')).textContent).toBe('The demo sandbox is already in its starting state; nothing changed.');
  });
});
