import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { GRAPH_FAULT_PROFILES, type GraphFaultProfileState, type SandboxPersona, type SandboxStatus } from '../../preload/contract';
import { LANGUAGES, resources } from '../../renderer/i18n';
import { SandboxPage } from '../../renderer/pages/sandbox/SandboxPage';
import { useSandboxStore } from '../../renderer/stores/sandbox';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const KNOBS = { latencyMs: 0, faultRate: 0, faultSeed: 1, faultKinds: ['5xx' as const], burstLength: 3 };
const CA_FILE = '/data/sandbox-tls/ca.pem';
const PERSONAS: SandboxPersona[] = [
  { upn: 'ingrid.solberg@nordlys.example', displayName: 'Ingrid Solberg', kind: 'regional-manager', personnelNumber: 'NR-000001', place: 'Oslo og Viken', accountEnabled: true, teamsLicensed: true },
  { upn: 'ola.hansen@nordlys.example', displayName: 'Ola Hansen', kind: 'store-manager', personnelNumber: 'NR-000100', place: 'Nordlys Oslo Sentrum', accountEnabled: true, teamsLicensed: true },
  { upn: 'maarten.visser@nordlys.example', displayName: 'Maarten Visser', kind: 'worker', personnelNumber: 'NR-001602', place: 'Nordlys Utrecht', accountEnabled: false, teamsLicensed: true },
  { upn: 'veera.laine@nordlys.example', displayName: 'Veera Laine', kind: 'worker', personnelNumber: 'NR-002702', place: 'Nordlys Tampere', accountEnabled: true, teamsLicensed: false },
];
const DEFAULTS: Record<string, Record<string, number | string>> = { 'replication-lag': { seconds: 60 }, 'throttle-heavy': { factor: 10 } };

/** A fake main whose fault profiles are real state: the page must show what the switch changed. */
function transport() {
  const active = new Map<string, Record<string, number | string>>();
  const REQUESTED = ['User.Read.All', 'Group.ReadWrite.All'];
  let consented = true;
  const consent = () => ({ clientId: 'graph-app', roles: consented ? REQUESTED : [], requested: REQUESTED, adminConsentUrl: 'http://127.0.0.1:1/tenant/adminconsent?client_id=graph-app' });
  const faults = (): GraphFaultProfileState[] =>
    GRAPH_FAULT_PROFILES.map((name) => ({ name, active: active.has(name), params: active.get(name) ?? DEFAULTS[name] ?? {} }));
  const status = (): SandboxStatus => ({
    running: true,
    endpoints: {
      authority: 'http://127.0.0.1:1/tenant', tokenEndpoint: 'http://127.0.0.1:1/token', dataverseUrl: 'http://127.0.0.1:2', dataverseApiBase: 'http://127.0.0.1:2/api/data/v9.2',
      businessCentralApiBase: 'http://127.0.0.1:3/v2.0', tenant: 't', environment: 'Production', companyId: 'c', integrationClientId: 'a',
    },
    users: [],
    knobs: { dataverse: KNOBS, businessCentral: KNOBS },
    adminMode: false,
    commerceTeams: {
      graph: { url: 'https://127.0.0.1:4/v1.0', betaUrl: 'https://127.0.0.1:4/beta', caFile: CA_FILE },
      commerce: { url: 'http://127.0.0.1:5' },
      personaPassword: 'Sandbox!Persona1',
      personas: PERSONAS,
      graphFaults: faults(),
      graphConsent: consent(),
    },
  });
  const fake = fakeTransport({
    'sandbox.status': status,
    'sandbox.commerceChange': ({ change }) => ({ change, applied: change !== 'manager-change', storeNumber: '001031', storeName: 'Nordlys Oslo Pop-up', personnelNumber: 'NR-000100' }),
    'sandbox.setGraphConsent': ({ granted }) => {
      consented = granted;
      return consent();
    },
    'sandbox.setGraphFaultProfile': ({ name, on, params }) => {
      if (on) active.set(name, { ...(DEFAULTS[name] ?? {}), ...(params ?? {}) });
      else active.delete(name);
      return faults();
    },
  });
  return fake;
}

type Tree = { [k: string]: string | Tree };
const ct = (lng: string) => (resources[lng as 'en'].common as unknown as { sandbox: { ct: Tree } }).sandbox.ct;

beforeEach(() => {
  useSandboxStore.setState({ status: null, error: null });
});

describe('sandbox page: Commerce ⇄ Teams', () => {
  for (const { code } of LANGUAGES) {
    it(`shows Graph (v1.0, beta, CA file with a copy button) and Commerce, the personas and the fault profiles (${code})`, async () => {
      const { missing } = renderWith(<SandboxPage />, transport(), code);
      const services = await screen.findByTestId('sandbox-ct-services');
      expect(within(services).getByTestId('sandbox-ct-graph-url').textContent).toContain('https://127.0.0.1:4/v1.0');
      expect(within(services).getByTestId('sandbox-ct-graph-beta').textContent).toContain('https://127.0.0.1:4/beta');
      const ca = within(services).getByTestId('sandbox-ct-graph-ca');
      expect(ca.textContent).toContain(CA_FILE);
      expect(within(ca).getByRole('button', { name: ct(code).copyCaPath as string })).toBeTruthy();
      expect(within(services).getByTestId('sandbox-ct-commerce-url').textContent).toContain('http://127.0.0.1:5');

      const personas = screen.getByTestId('sandbox-ct-personas');
      expect(personas.textContent).toContain('Sandbox!Persona1');
      const kindOne = ct(code).kindOne as Tree;
      expect(within(screen.getByTestId('sandbox-persona-NR-000001')).getByText(kindOne['regional-manager'] as string)).toBeTruthy();
      expect(within(screen.getByTestId('sandbox-persona-NR-000100')).getByText(kindOne['store-manager'] as string)).toBeTruthy();
      expect(within(screen.getByTestId('sandbox-persona-NR-001602')).getByText(ct(code).accountDisabled as string)).toBeTruthy();
      expect(within(screen.getByTestId('sandbox-persona-NR-002702')).getByText(ct(code).noTeamsLicence as string)).toBeTruthy();

      const faults = screen.getByTestId('sandbox-ct-faults');
      for (const name of GRAPH_FAULT_PROFILES) {
        expect(within(faults).getByText(name)).toBeTruthy();
        expect(screen.getByTestId(`sandbox-fault-state-${name}`).textContent).toMatch(new RegExp(`^${ct(code).faultOff as string}`));
      }
      // The description carries the profile's parameter.
      expect(faults.textContent).toContain((( ct(code).faults as Tree)['replication-lag'] as string).replace('{{seconds}}', '60'));
      expect(missing).toEqual([]);
    });
  }

  it('filters the personas by role', async () => {
    renderWith(<SandboxPage />, transport());
    await screen.findByTestId('sandbox-ct-personas');
    expect(screen.getAllByTestId(/^sandbox-persona-/)).toHaveLength(4);
    fireEvent.change(screen.getByTestId('sandbox-ct-persona-filter'), { target: { value: 'worker' } });
    expect(screen.getAllByTestId(/^sandbox-persona-/).map((r) => r.getAttribute('data-testid'))).toEqual(['sandbox-persona-NR-001602', 'sandbox-persona-NR-002702']);
    fireEvent.change(screen.getByTestId('sandbox-ct-persona-filter'), { target: { value: 'store-manager' } });
    expect(screen.getAllByTestId(/^sandbox-persona-/).map((r) => r.getAttribute('data-testid'))).toEqual(['sandbox-persona-NR-000100']);
  });

  it('switches a fault profile on and off through sandbox.setGraphFaultProfile', async () => {
    const t = transport();
    renderWith(<SandboxPage />, t);
    await screen.findByTestId('sandbox-ct-faults');
    const lag = screen.getByRole('switch', { name: 'replication-lag' });
    expect((lag as HTMLInputElement).checked).toBe(false);
    fireEvent.click(lag);
    await waitFor(() => expect(screen.getByTestId('sandbox-fault-state-replication-lag').textContent).toBe('On · seconds=60'));
    expect((screen.getByRole('switch', { name: 'replication-lag' }) as HTMLInputElement).checked).toBe(true);
    expect(t.calls.filter((c) => c.method === 'sandbox.setGraphFaultProfile').map((c) => c.payload)).toEqual([{ name: 'replication-lag', on: true }]);
    fireEvent.click(screen.getByRole('switch', { name: 'replication-lag' }));
    await waitFor(() => expect(screen.getByTestId('sandbox-fault-state-replication-lag').textContent).toBe('Off · seconds=60'));
    expect(t.calls.filter((c) => c.method === 'sandbox.setGraphFaultProfile').map((c) => c.payload)).toEqual([{ name: 'replication-lag', on: true }, { name: 'replication-lag', on: false }]);
  });

  it('revokes and re-grants the Graph app admin consent through sandbox.setGraphConsent', async () => {
    const t = transport();
    renderWith(<SandboxPage />, t);
    const card = await screen.findByTestId('sandbox-ct-consent');
    expect(within(card).getByTestId('sandbox-ct-consent-roles').textContent).toBe('Tokens carry: User.Read.All, Group.ReadWrite.All');
    expect(within(card).getByTestId('sandbox-ct-consent-url').textContent).toContain('/adminconsent?client_id=graph-app');
    fireEvent.click(screen.getByRole('switch', { name: 'Admin consent granted' }));
    await waitFor(() => expect(screen.getByTestId('sandbox-ct-consent-roles').textContent).toBe('Tokens carry no application permission. The app asks for: User.Read.All, Group.ReadWrite.All'));
    expect((screen.getByRole('switch', { name: 'Admin consent revoked' }) as HTMLInputElement).checked).toBe(false);
    fireEvent.click(screen.getByRole('switch', { name: 'Admin consent revoked' }));
    await waitFor(() => expect(screen.getByTestId('sandbox-ct-consent-roles').textContent).toContain('Tokens carry: '));
    expect(t.calls.filter((c) => c.method === 'sandbox.setGraphConsent').map((c) => c.payload)).toEqual([{ granted: false }, { granted: true }]);
  });

  it('makes a Commerce headquarters change and says what the next plan does with it (or that it was made already)', async () => {
    const t = transport();
    renderWith(<SandboxPage />, t);
    await screen.findByTestId('sandbox-ct-hq');
    fireEvent.click(screen.getByTestId('sandbox-hq-new-store'));
    await waitFor(() => expect(screen.getByTestId('sandbox-hq-result').textContent).toBe('Nordlys Oslo Pop-up (001031) is open: the next plan creates its team.'));
    fireEvent.click(screen.getByTestId('sandbox-hq-manager-change'));
    await waitFor(() => expect(screen.getByTestId('sandbox-hq-result').textContent).toContain('had been made already'));
    expect(t.calls.filter((c) => c.method === 'sandbox.commerceChange').map((c) => c.payload)).toEqual([{ change: 'new-store' }, { change: 'manager-change' }]);
  });
});
