import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppError, AuthStatus, ConnectionProfile, ConnectionSaveInput, ConnectionTestReport, Result } from '../../preload/contract';
import { ConnectionsPage } from '../../renderer/pages/connections/ConnectionsPage';
import { ReconnectBanner } from '../../renderer/pages/connections/ReconnectBanner';
import { useAppStore } from '../../renderer/stores/app';
import { resetConnectionsStore, useConnectionsStore } from '../../renderer/stores/connections';
import { fakeTransport } from '../../renderer/transport/fake';
import type { Transport } from '../../renderer/transport/types';
import { renderWith } from './render';

const DV_URL = 'https://nordlys.crm4.dynamics.com';
const PUBLIC_CLIENT = '7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60';
const TENANT = '5e1f0c3a-7d2b-4c8e-9a41-0b6d3f2e9c11';
const SECRET = 'hunter2-secret-value';

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;

function profile(p: Partial<ConnectionProfile> & Pick<ConnectionProfile, 'name'>): ConnectionProfile {
  return {
    id: uuid(), kind: 'dataverse', url: DV_URL, environmentName: null, company: null, tier: 'development', colour: '#2e7d32', authMethod: 'client-secret',
    app: { clientId: PUBLIC_CLIENT, tenantId: TENANT, redirectUri: null, authorityHost: 'https://login.microsoftonline.com' }, userName: null,
    certificateThumbprint: null, secretsSet: [], secretsMissing: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null, ...p,
  };
}

const status = (profileId: string, state: AuthStatus['state'], extra: Partial<AuthStatus> = {}): AuthStatus => ({
  profileId, state, account: null, expiresAt: null, expiresInSeconds: null, scopes: [], error: null, at: new Date().toISOString(), ...extra,
});

/**
 * An in-memory main: profiles, statuses and secrets (kept here, never returned), behind the contract-validating
 * fake transport. `fail` answers a method with an error as main's router would (params/issues included).
 */
function backend(seed: ConnectionProfile[]) {
  const profiles = [...seed];
  const secrets = new Map<string, Record<string, string>>();
  const statuses = new Map<string, AuthStatus>();
  const fail: Record<string, AppError> = {};
  let pendingSignIn: { resolve(s: AuthStatus): void; reject(e: Error): void } | null = null;
  const saves: ConnectionSaveInput[] = [];
  const fake = fakeTransport({
    'connections.list': () => profiles,
    'connections.save': (input) => {
      saves.push(input);
      const existing = profiles.find((p) => p.id === input.id);
      const { secrets: typed, ...fields } = input;
      const id = existing?.id ?? uuid();
      const stored = { ...(secrets.get(id) ?? {}) };
      for (const [k, v] of Object.entries(typed ?? {})) if (v) stored[k] = v;
      secrets.set(id, stored);
      const saved = profile({ ...fields, id, secretsSet: Object.keys(stored) as ConnectionProfile['secretsSet'] });
      if (existing) profiles.splice(profiles.indexOf(existing), 1, saved);
      else profiles.push(saved);
      return saved;
    },
    'connections.delete': ({ id }) => {
      const i = profiles.findIndex((p) => p.id === id);
      if (i >= 0) profiles.splice(i, 1);
      return { deleted: i >= 0 };
    },
    'connections.duplicate': ({ id }) => {
      const src = profiles.find((p) => p.id === id)!;
      const copy = profile({ ...src, id: uuid(), name: `${src.name} (copy)`, secretsSet: [] });
      profiles.push(copy);
      return copy;
    },
    'connections.export': () => ({ json: JSON.stringify({ format: 'd365ic.connections', version: 1, connections: profiles.map((p) => ({ name: p.name, url: p.url })) }), count: profiles.length }),
    'connections.import': ({ json }) => {
      const parsed = JSON.parse(json ?? '{}') as { connections: { name: string }[] };
      const imported = parsed.connections.map((c) => profile({ name: profiles.some((p) => p.name === c.name) ? `${c.name} (imported)` : c.name }));
      const renamed = parsed.connections.flatMap((c, i) => (c.name !== imported[i]!.name ? [[c.name, imported[i]!.name] as [string, string]] : []));
      profiles.push(...imported);
      return { imported, renamed };
    },
    'connections.test': ({ profileId }): ConnectionTestReport => ({
      profileId, ok: true, user: 'kari.nordmann@nordlys.example', version: '9.2.24104.00182', details: { organizationId: 'org-1' }, tokenMs: 12, latencyMs: 34, error: null, at: new Date().toISOString(),
    }),
    'auth.signIn': ({ profileId }) =>
      new Promise<AuthStatus>((resolve, reject) => {
        pendingSignIn = { resolve, reject };
        void profileId;
      }),
    'auth.cancel': () => {
      pendingSignIn?.reject(Object.assign(new Error('Sign-in was cancelled.'), { code: 'AUTH_CANCELLED' }));
      return { cancelled: true };
    },
    'auth.signOut': ({ profileId }) => status(profileId, 'signed-out'),
    'app.dismissNotice': ({ notice }) => ({ dismissedNotices: [notice] }),
    'auth.status': ({ profileId }) => (profileId ? [statuses.get(profileId) ?? status(profileId, 'signed-out')] : profiles.map((p) => statuses.get(p.id) ?? status(p.id, 'signed-out'))),
  });
  const transport: Transport & { calls: typeof fake.calls } = {
    kind: 'memory',
    calls: fake.calls,
    on: fake.on,
    async invoke(method, payload): Promise<Result<unknown>> {
      if (fail[method]) {
        fake.calls.push({ method, payload });
        return { ok: false, error: fail[method]! };
      }
      return fake.invoke(method, payload);
    },
  };
  return {
    transport, profiles, secrets, statuses, fail, saves,
    push: (event: string, payload: unknown) => act(() => fake.push(event, payload)),
    settle: (s: AuthStatus) => act(async () => pendingSignIn!.resolve(s)),
    callsOf: (m: string) => fake.calls.filter((c) => c.method === m),
  };
}

const card = (name: string) => screen.getByRole('listitem', { name });

beforeEach(() => {
  resetConnectionsStore();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('connections page: list', () => {
  it('lists profiles with tier badges, marks production in red, and filters by search', async () => {
    const b = backend([
      profile({ name: 'Contoso Sales (prod)', tier: 'production', colour: '#00ff00' }),
      profile({ name: 'Contoso Sales test', tier: 'test', url: 'https://contoso-test.crm4.dynamics.com' }),
      profile({ name: 'Fabrikam BC', kind: 'bc-online', url: null, environmentName: 'Sandbox', tier: 'uat' }),
    ]);
    const { missing } = renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Contoso Sales (prod)' });
    const prod = card('Contoso Sales (prod)');
    expect(within(prod).getByTestId('tier-production').textContent).toBe('PRODUCTION');
    expect(prod.getAttribute('data-tier')).toBe('production');
    expect(within(card('Contoso Sales test')).queryByTestId('tier-production')).toBeNull();
    expect(within(card('Contoso Sales test')).getByText('Test')).toBeTruthy();
    expect(within(card('Fabrikam BC')).getByText('UAT')).toBeTruthy();
    // Sorted by name.
    expect(screen.getAllByTestId('profile').map((e) => e.getAttribute('aria-label'))).toEqual(['Contoso Sales (prod)', 'Contoso Sales test', 'Fabrikam BC']);

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search connections' }), { target: { value: 'sandbox fabrikam' } });
    await waitFor(() => expect(screen.getAllByTestId('profile')).toHaveLength(1));
    expect(screen.getByRole('listitem', { name: 'Fabrikam BC' })).toBeTruthy();
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search connections' }), { target: { value: 'nothing-like-this' } });
    await screen.findByText('No connection matches "nothing-like-this".');
    expect(missing).toEqual([]);
  });

  it('shows sign-in state chips with account, a live expiry countdown and scopes', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const p = profile({ name: 'Kari device', authMethod: 'device-code' });
    const b = backend([p]);
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    b.statuses.set(p.id, status(p.id, 'signed-in', { account: { username: 'kari.nordmann@nordlys.example', name: 'Kari' }, expiresAt, expiresInSeconds: 3600, scopes: [`${DV_URL}/user_impersonation`, 'offline_access'] }));
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByText('Signed in as kari.nordmann@nordlys.example');
    const before = within(card('Kari device')).getByTestId('expires').textContent!;
    expect(before).toMatch(/^Token expires in (1:00:00|59:5\d)$/);
    expect(within(card('Kari device')).getByText('2 scopes')).toBeTruthy();
    await act(async () => {
      vi.advanceTimersByTime(61_000);
    });
    expect(within(card('Kari device')).getByTestId('expires').textContent).toMatch(/^Token expires in 5[89]:\d\d$/);
    vi.useRealTimers();
  });
});

describe('connections page: add, edit, duplicate, delete', () => {
  it('validates a new Dataverse profile inline against the contract before sending it', async () => {
    const b = backend([]);
    const { missing } = renderWith(<ConnectionsPage />, b.transport);
    await screen.findByText('No connections yet. Add one to get started.');
    fireEvent.click(screen.getByRole('button', { name: 'Add connection' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    fireEvent.change(within(dialog).getByLabelText(/^Name/), { target: { value: 'Nordlys Sales' } });
    fireEvent.change(within(dialog).getByLabelText(/^Environment URL/), { target: { value: DV_URL } });
    fireEvent.change(within(dialog).getByLabelText(/^Application \(client\) ID/), { target: { value: 'not-a-guid' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save', hidden: true }));
    await waitFor(() => expect(within(dialog).getByLabelText(/^Application \(client\) ID/).getAttribute('aria-invalid')).toBe('true'));
    expect(within(dialog).getByText(/a GUID such as 7d1f4e2a/)).toBeTruthy();
    expect(b.callsOf('connections.save')).toHaveLength(0);

    // Fixing the field clears its message as the user types.
    fireEvent.change(within(dialog).getByLabelText(/^Application \(client\) ID/), { target: { value: PUBLIC_CLIENT } });
    await waitFor(() => expect(within(dialog).getByLabelText(/^Application \(client\) ID/).getAttribute('aria-invalid')).not.toBe('true'));
    fireEvent.change(within(dialog).getByLabelText(/^Sign-in method/), { target: { value: 'device-code' } });
    fireEvent.change(within(dialog).getByLabelText(/^Tenant/), { target: { value: TENANT } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save', hidden: true }));
    await screen.findByRole('listitem', { name: 'Nordlys Sales' });
    await waitFor(() => expect(screen.queryByRole('dialog', { hidden: true })).toBeNull());
    const [saved] = b.saves;
    expect(saved).toMatchObject({ name: 'Nordlys Sales', kind: 'dataverse', url: DV_URL, authMethod: 'device-code', app: { clientId: PUBLIC_CLIENT, tenantId: TENANT, redirectUri: null }, secrets: {} });
    expect(missing).toEqual([]);
  });

  it('maps main\'s CONNECTION_INVALID and BAD_REQUEST issues onto the fields they name', async () => {
    const b = backend([]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByText('No connections yet. Add one to get started.');
    fireEvent.click(screen.getByRole('button', { name: 'Add connection' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    fireEvent.change(within(dialog).getByLabelText(/^Name/), { target: { value: 'Insecure' } });
    fireEvent.change(within(dialog).getByLabelText(/^Environment URL/), { target: { value: 'https://contoso.crm4.dynamics.com' } });
    fireEvent.change(within(dialog).getByLabelText(/^Application \(client\) ID/), { target: { value: PUBLIC_CLIENT } });
    b.fail['connections.save'] = { code: 'CONNECTION_INVALID', message: 'Use https: http://contoso.crm4.dynamics.com is not encrypted.', params: { field: 'url' } };
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save', hidden: true }));
    await waitFor(() => expect(within(dialog).getByLabelText(/^Environment URL/).getAttribute('aria-invalid')).toBe('true'));
    // The translated advice, plus main's specific text as details.
    expect(within(dialog).getByText('The connection profile is not complete. Correct the highlighted field.')).toBeTruthy();
    expect(within(dialog).getByText('Details: Use https: http://contoso.crm4.dynamics.com is not encrypted.')).toBeTruthy();

    b.fail['connections.save'] = { code: 'BAD_REQUEST', message: 'Invalid input for connections.save.', issues: [{ path: 'app.authorityHost', message: 'Invalid URL' }] };
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save', hidden: true }));
    await waitFor(() => expect(within(dialog).getByLabelText(/^Sign-in authority/).getAttribute('aria-invalid')).toBe('true'));
    expect(within(dialog).getByText(/Enter the sign-in authority as an https address/)).toBeTruthy();
    expect(screen.getByRole('dialog', { hidden: true })).toBeTruthy();
  });

  it('keeps secrets write-only: shows "stored", sends nothing unless a new value is typed', async () => {
    const p = profile({ name: 'App secret', authMethod: 'client-secret', secretsSet: ['clientSecret'] });
    const b = backend([p]);
    b.secrets.set(p.id, { clientSecret: SECRET });
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'App secret' });
    fireEvent.click(within(card('App secret')).getByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    const secret = within(dialog).getByLabelText(/^Client secret/) as HTMLInputElement;
    expect(secret.value).toBe('');
    expect(secret.type).toBe('password');
    expect(within(dialog).getByText('Stored securely. Type a new value to replace it; it is never shown again.')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save', hidden: true }));
    await waitFor(() => expect(b.saves).toHaveLength(1));
    expect(b.saves[0]!.secrets).toEqual({});
    expect(b.saves[0]!.id).toBe(p.id);

    await waitFor(() => expect(screen.queryByRole('dialog', { hidden: true })).toBeNull());
    fireEvent.click(within(card('App secret')).getByRole('button', { name: 'Edit' }));
    const again = await screen.findByRole('dialog', { hidden: true });
    fireEvent.change(within(again).getByLabelText(/^Client secret/), { target: { value: 'new-secret' } });
    fireEvent.click(within(again).getByRole('button', { name: 'Save', hidden: true }));
    await waitFor(() => expect(b.saves).toHaveLength(2));
    expect(b.saves[1]!.secrets).toEqual({ clientSecret: 'new-secret' });
    // Nothing the page holds (store or DOM) contains a stored secret.
    expect(JSON.stringify(useConnectionsStore.getState())).not.toContain(SECRET);
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('offers only the methods a kind supports and the fields it needs', async () => {
    const b = backend([]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByText('No connections yet. Add one to get started.');
    fireEvent.click(screen.getByRole('button', { name: 'Add connection' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    fireEvent.change(within(dialog).getByLabelText('Service'), { target: { value: 'bc-onprem' } });
    const methods = within(within(dialog).getByLabelText(/^Sign-in method/)).getAllByRole('option', { hidden: true }).map((o) => o.textContent);
    expect(methods).toEqual(['Web service access key']);
    expect(within(dialog).queryByLabelText(/^Application \(client\) ID/)).toBeNull();
    expect(within(dialog).getByLabelText(/^Web service access key/)).toBeTruthy();
    expect(within(dialog).getByLabelText(/^Service root URL/)).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText('Service'), { target: { value: 'dataverse' } });
    fireEvent.change(within(dialog).getByLabelText(/^Sign-in method/), { target: { value: 'certificate' } });
    expect(within(dialog).getByLabelText(/^Certificate thumbprint/)).toBeTruthy();
    expect(within(dialog).getByLabelText(/^Certificate and private key \(PEM\)/).tagName).toBe('TEXTAREA');
    // Choosing production marks the form red straight away.
    fireEvent.change(within(dialog).getByLabelText(/^Environment tier/), { target: { value: 'production' } });
    expect(within(dialog).getByTestId('tier-production')).toBeTruthy();
    expect((within(dialog).getByLabelText('Colour', { selector: 'input:not([type=color])' }) as HTMLInputElement).value).toBe('#c62828');
  });

  it('asks before deleting, naming the profile, and duplicates without secrets', async () => {
    const b = backend([profile({ name: 'Old sandbox', secretsSet: ['clientSecret'] }), profile({ name: 'Keep me' })]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Old sandbox' });
    fireEvent.click(within(card('Old sandbox')).getByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    expect(within(dialog).getByText('Delete "Old sandbox"?')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel', hidden: true }));
    await waitFor(() => expect(screen.queryByRole('dialog', { hidden: true })).toBeNull());
    expect(b.callsOf('connections.delete')).toHaveLength(0);

    fireEvent.click(within(card('Old sandbox')).getByRole('button', { name: 'Duplicate' }));
    await screen.findByRole('listitem', { name: 'Old sandbox (copy)' });

    const oldId = b.profiles.find((x) => x.name === 'Old sandbox')!.id;
    fireEvent.click(within(card('Old sandbox')).getByRole('button', { name: 'Delete' }));
    fireEvent.click(within(await screen.findByRole('dialog', { hidden: true })).getByRole('button', { name: 'Delete', hidden: true }));
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'Old sandbox' })).toBeNull());
    expect(b.callsOf('connections.delete').map((c) => c.payload)).toEqual([{ id: oldId }]);
    expect(screen.getByRole('listitem', { name: 'Keep me' })).toBeTruthy();
  });
});

describe('connections page: test, sign in, sign out', () => {
  it('shows the test result: user, version, latency, token time and details', async () => {
    const b = backend([profile({ name: 'Demo DV' })]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Demo DV' });
    fireEvent.click(within(card('Demo DV')).getByRole('button', { name: 'Test connection' }));
    const result = await within(card('Demo DV')).findByTestId('test-result');
    expect(result.getAttribute('data-ok')).toBe('true');
    for (const text of ['Connection works', 'kari.nordmann@nordlys.example', '9.2.24104.00182', '34 ms', '12 ms', 'Organisation ID', 'org-1']) {
      expect(within(result).getByText(text)).toBeTruthy();
    }
  });

  it('shows a failed test with the translated, actionable message and main\'s details', async () => {
    const b = backend([profile({ name: 'Locked DV' })]);
    const { missing } = renderWith(<ConnectionsPage />, b.transport, 'nb-NO');
    await screen.findByRole('listitem', { name: 'Locked DV' });
    b.fail['connections.test'] = { code: 'CONNECTION_FORBIDDEN', message: 'Signed in, but not allowed: missing prvReadUser.' };
    fireEvent.click(within(card('Locked DV')).getByRole('button', { name: 'Test tilkoblingen' }));
    const result = await within(card('Locked DV')).findByTestId('test-result');
    expect(result.getAttribute('data-ok')).toBe('false');
    expect(within(result).getByText('Pålogget, men uten tilgang. Be en administrator om en sikkerhetsrolle eller et tillatelsessett.')).toBeTruthy();
    expect(within(result).getByText('Detaljer: Signed in, but not allowed: missing prvReadUser.')).toBeTruthy();
    expect(missing).toEqual([]);
  });

  it('device code: shows the code, URL and countdown, closes when signed in', async () => {
    const p = profile({ name: 'Kari device', authMethod: 'device-code' });
    const b = backend([p]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Kari device' });
    fireEvent.click(within(card('Kari device')).getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(b.callsOf('auth.signIn')).toHaveLength(1));
    await b.push('auth.status', status(p.id, 'signing-in'));
    const verificationUri = 'http://127.0.0.1:41234/devicelogin';
    await b.push('auth.deviceCode', { profileId: p.id, userCode: 'HX7-K2Q', verificationUri, expiresAt: new Date(Date.now() + 900_000).toISOString(), message: 'To sign in, use a web browser…' });
    const dialog = await screen.findByRole('alertdialog', { hidden: true });
    expect(within(dialog).getByTestId('device-code').textContent).toBe('HX7-K2Q');
    expect(within(dialog).getByTestId('device-code-url').getAttribute('href')).toBe(verificationUri);
    expect(within(dialog).getByTestId('device-code-countdown').textContent).toMatch(/^The code expires in 1[45]:\d\d\.$/);
    expect(within(dialog).getByRole('button', { name: 'Copy code', hidden: true })).toBeTruthy();
    expect(within(card('Kari device')).getByText('Signing in…')).toBeTruthy();

    const signedIn = status(p.id, 'signed-in', { account: { username: 'kari.nordmann@nordlys.example', name: 'Kari Nordmann' }, expiresAt: new Date(Date.now() + 3600_000).toISOString(), expiresInSeconds: 3600 });
    await b.push('auth.status', signedIn);
    await waitFor(() => expect(screen.queryByRole('alertdialog', { hidden: true })).toBeNull());
    await b.settle(signedIn);
    expect(within(card('Kari device')).getByText('Signed in as kari.nordmann@nordlys.example')).toBeTruthy();
    fireEvent.click(within(card('Kari device')).getByRole('button', { name: 'Sign out' }));
    await within(card('Kari device')).findByText('Not signed in');
    expect(b.callsOf('auth.signOut')).toEqual([{ method: 'auth.signOut', payload: { profileId: p.id } }]);
  });

  it('device code: cancel ends the sign-in in main and closes the dialog without an error', async () => {
    const p = profile({ name: 'Kari device', authMethod: 'device-code' });
    const b = backend([p]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Kari device' });
    fireEvent.click(within(card('Kari device')).getByRole('button', { name: 'Sign in' }));
    await b.push('auth.deviceCode', { profileId: p.id, userCode: 'ABC-123', verificationUri: 'http://127.0.0.1:1/devicelogin', expiresAt: new Date(Date.now() + 60_000).toISOString(), message: 'm' });
    const dialog = await screen.findByRole('alertdialog', { hidden: true });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel sign-in', hidden: true }));
    await waitFor(() => expect(screen.queryByRole('alertdialog', { hidden: true })).toBeNull());
    expect(b.callsOf('auth.cancel')).toEqual([{ method: 'auth.cancel', payload: { profileId: p.id } }]);
    await waitFor(() => expect(useConnectionsStore.getState().signingIn[p.id]).toBeUndefined());
    expect(useConnectionsStore.getState().error).toBeNull();
    expect(screen.queryByTestId('error-text')).toBeNull();
  });
});

describe('sign-in failures', () => {
  it('shows an app sign-in failure once, on the card, translated with main\'s details', async () => {
    const p = profile({ name: 'Bad secret', authMethod: 'client-secret', secretsSet: ['clientSecret'] });
    const b = backend([p]);
    renderWith(<ConnectionsPage />, b.transport, 'nl-NL');
    await screen.findByRole('listitem', { name: 'Bad secret' });
    const error = { code: 'AUTH_CLIENT_SECRET_INVALID', message: 'The app credentials were rejected (AADSTS7000215).', params: { aadsts: 7000215 } };
    b.fail['auth.signIn'] = error;
    b.statuses.set(p.id, status(p.id, 'error', { error }));
    fireEvent.click(within(card('Bad secret')).getByRole('button', { name: 'App-token ophalen' }));
    await within(card('Bad secret')).findByText('Aanmelden mislukt');
    const shown = screen.getAllByTestId('error-text');
    expect(shown).toHaveLength(1);
    expect(within(card('Bad secret')).getByText(/De referenties van de app zijn geweigerd/)).toBeTruthy();
    expect(within(card('Bad secret')).getByText('Details: The app credentials were rejected (AADSTS7000215).')).toBeTruthy();
  });

  it('puts a failure the status cannot carry (profile gone) on the page', async () => {
    const p = profile({ name: 'Gone', authMethod: 'interactive' });
    const b = backend([p]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Gone' });
    b.fail['auth.signIn'] = { code: 'CONNECTION_NOT_FOUND', message: 'This connection profile no longer exists. Refresh the list.', params: { id: p.id } };
    fireEvent.click(within(card('Gone')).getByRole('button', { name: 'Sign in' }));
    const shown = await screen.findByTestId('error-text');
    expect(shown.getAttribute('data-code')).toBe('CONNECTION_NOT_FOUND');
    expect(within(card('Gone')).queryByTestId('error-text')).toBeNull();
  });
});

describe('reconnect banner', () => {
  it('appears for auth-required profiles and signs in once per click, never by itself', async () => {
    const p = profile({ name: 'Expired DV', authMethod: 'interactive' });
    const ok = profile({ name: 'Fine DV' });
    const b = backend([p, ok]);
    b.statuses.set(p.id, status(p.id, 'auth-required', { error: { code: 'AUTH_REQUIRED', message: 'AADSTS700082 expired' } }));
    renderWith(<ReconnectBanner />, b.transport);
    const banner = await screen.findByTestId('reconnect-banner');
    expect(within(banner).getByText('1 connection needs you to sign in again')).toBeTruthy();
    expect(within(banner).queryByText(/Fine DV/)).toBeNull();
    // More auth-required pushes (e.g. every failed background call) never start a sign-in on their own.
    await b.push('auth.status', status(p.id, 'auth-required'));
    await b.push('auth.status', status(p.id, 'auth-required'));
    expect(b.callsOf('auth.signIn')).toHaveLength(0);

    const button = within(banner).getByRole('button', { name: 'Reconnect Expired DV' });
    fireEvent.click(button);
    fireEvent.click(button);
    await waitFor(() => expect(b.callsOf('auth.signIn')).toHaveLength(1));
    expect(b.callsOf('auth.signIn')[0]!.payload).toEqual({ profileId: p.id });
    await b.settle(status(p.id, 'signed-in', { account: { username: 'u@x', name: null } }));
    await waitFor(() => expect(screen.queryByTestId('reconnect-banner')).toBeNull());
    expect(b.callsOf('auth.signIn')).toHaveLength(1);
  });
});

describe('export and import', () => {
  it('downloads the export as a JSON file and imports a chosen file, listing renamed profiles', async () => {
    const b = backend([profile({ name: 'Contoso Sales', secretsSet: ['clientSecret'] })]);
    const blobs: Blob[] = [];
    const clicked: string[] = [];
    URL.createObjectURL = (b: Blob) => (blobs.push(b), 'blob:fake');
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Contoso Sales' });
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await screen.findByText('Exported 1 connection without any secrets.');
    expect(clicked).toHaveLength(1);
    expect(clicked[0]).toMatch(/^connections-\d{4}-\d{2}-\d{2}\.json$/);
    expect(blobs[0]!.type).toBe('application/json');
    const json = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result));
      r.readAsText(blobs[0]!);
    });
    expect(JSON.parse(json).connections[0].name).toBe('Contoso Sales');

    const file = new File([json], 'connections.json', { type: 'application/json' });
    fireEvent.change(screen.getByTestId('import-file'), { target: { files: [file] } });
    const result = await screen.findByTestId('import-result');
    expect(within(result).getByText('Imported 1 connection.')).toBeTruthy();
    expect(within(result).getByText('"Contoso Sales" already existed and was imported as "Contoso Sales (imported)".')).toBeTruthy();
    expect(b.callsOf('connections.import')[0]!.payload).toEqual({ json });
    await screen.findByRole('listitem', { name: 'Contoso Sales (imported)' });
  });

  it('shows a translated error for a file that is not an export', async () => {
    const b = backend([]);
    renderWith(<ConnectionsPage />, b.transport, 'fi-FI');
    await screen.findByText('Yhteyksiä ei vielä ole. Aloita lisäämällä yhteys.');
    b.fail['connections.import'] = { code: 'IMPORT_WRONG_FORMAT', message: 'The file is not an Integration Console connections export (expected "format": "d365ic.connections").' };
    fireEvent.change(screen.getByTestId('import-file'), { target: { files: [new File(['{}'], 'x.json')] } });
    expect(await screen.findByText('Tiedosto ei ole Integration Consolen yhteyksien vientitiedosto.')).toBeTruthy();
  });
});

describe('translations', () => {
  for (const [language, production, test] of [
    ['nb-NO', 'PRODUKSJON', 'Test tilkoblingen'],
    ['nl-NL', 'PRODUCTIE', 'Verbinding testen'],
    ['fi-FI', 'TUOTANTO', 'Testaa yhteys'],
  ] as const) {
    it(`renders the list and the form in ${language} without missing keys`, async () => {
      const p = profile({ name: 'Prod', tier: 'production', authMethod: 'device-code' });
      const b = backend([p, profile({ name: 'Dev', lastUsedAt: new Date(Date.now() - 120_000).toISOString() })]);
      b.statuses.set(p.id, status(p.id, 'signed-in', { account: { username: 'kari@x', name: null }, expiresAt: new Date(Date.now() + 600_000).toISOString(), scopes: ['a'] }));
      const { missing } = renderWith(<ConnectionsPage />, b.transport, language);
      await screen.findByRole('listitem', { name: 'Prod' });
      expect(within(card('Prod')).getByTestId('tier-production').textContent).toBe(production);
      expect(within(card('Prod')).getByRole('button', { name: test })).toBeTruthy();
      fireEvent.click(within(card('Dev')).getAllByRole('button')[2]!);
      await screen.findByRole('dialog', { hidden: true });
      expect(missing).toEqual([]);
    });
  }
});

describe('first impression (issue 11)', () => {
  const NOT_SIGNED_IN: AppError = { code: 'AUTH_REQUIRED', message: 'You have not signed in to "Kari DV" yet. Use "Sign in".', params: { reason: 'not-signed-in' } };

  it('a profile nobody has signed in to says "not signed in", once, and offers Sign in (not Reconnect, never "expired")', async () => {
    const p = profile({ name: 'Kari DV', authMethod: 'interactive' });
    const b = backend([p]);
    b.statuses.set(p.id, status(p.id, 'auth-required', { error: NOT_SIGNED_IN }));
    renderWith(
      <>
        <ReconnectBanner />
        <ConnectionsPage />
      </>,
      b.transport,
    );
    await screen.findByRole('listitem', { name: 'Kari DV' });
    expect(within(card('Kari DV')).getByTestId('status-label').textContent).toBe('Not signed in');
    expect(within(card('Kari DV')).getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(within(card('Kari DV')).queryByRole('button', { name: 'Reconnect' })).toBeNull();
    const banner = await screen.findByTestId('sign-in-banner');
    expect(within(banner).getByText('1 connection is not signed in yet')).toBeTruthy();
    expect(within(banner).getByRole('button', { name: 'Sign in to Kari DV' })).toBeTruthy();
    expect(screen.queryByTestId('reconnect-banner')).toBeNull();
    expect(document.body.textContent).not.toMatch(/expired/i);
    // A test on it answers "not signed in" too.
    b.fail['connections.test'] = NOT_SIGNED_IN;
    fireEvent.click(within(card('Kari DV')).getByRole('button', { name: 'Test connection' }));
    const result = await within(card('Kari DV')).findByTestId('test-result');
    expect(within(result).getByText('You have not signed in to this connection yet. Use "Sign in".')).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/expired/i);
  });

  it('a failed connection test is cleared by a successful sign-in', async () => {
    const p = profile({ name: 'Kari DV', authMethod: 'interactive' });
    const b = backend([p]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Kari DV' });
    b.fail['connections.test'] = NOT_SIGNED_IN;
    fireEvent.click(within(card('Kari DV')).getByRole('button', { name: 'Test connection' }));
    await within(card('Kari DV')).findByText('Connection test failed');
    fireEvent.click(within(card('Kari DV')).getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(b.callsOf('auth.signIn')).toHaveLength(1));
    await b.settle(status(p.id, 'signed-in', { account: { username: 'kari.nordmann@nordlys.example', name: 'Kari Nordmann' } }));
    await within(card('Kari DV')).findByText('Signed in as kari.nordmann@nordlys.example');
    expect(within(card('Kari DV')).queryByTestId('test-result')).toBeNull();
    expect(within(card('Kari DV')).queryByText('Connection test failed')).toBeNull();
  });

  it('an app profile that is signed in names the app, with its client id as the description', async () => {
    const p = profile({ name: 'Demo sandbox · Dataverse' });
    const b = backend([p]);
    b.statuses.set(p.id, status(p.id, 'signed-in', { account: { username: PUBLIC_CLIENT, name: 'Business Central Integration (confidential)' } }));
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Demo sandbox · Dataverse' });
    const label = within(card('Demo sandbox · Dataverse')).getByTestId('status-label');
    expect(label.textContent).toBe('Signed in as the app Business Central Integration (confidential)');
    expect(label.textContent).not.toContain(PUBLIC_CLIENT);
  });

  it('an app profile not used yet says it signs in by itself, not just "not signed in"', async () => {
    const p = profile({ name: 'Demo sandbox · Business Central', kind: 'bc-online', url: null, environmentName: 'Production' });
    const b = backend([p]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Demo sandbox · Business Central' });
    expect(within(card('Demo sandbox · Business Central')).getByTestId('status-label').textContent).toBe('Not signed in yet: the app signs in by itself when used');
  });

  it('checks the URL in the same pass as every other field: one Save shows all problems, nothing is sent', async () => {
    const b = backend([]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByText('No connections yet. Add one to get started.');
    fireEvent.click(screen.getByRole('button', { name: 'Add connection' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    fireEvent.change(within(dialog).getByLabelText(/^Name/), { target: { value: 'Two problems' } });
    fireEvent.change(within(dialog).getByLabelText(/^Environment URL/), { target: { value: 'http://contoso.crm4.dynamics.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save', hidden: true }));
    await waitFor(() => expect(within(dialog).getByLabelText(/^Environment URL/).getAttribute('aria-invalid')).toBe('true'));
    expect(within(dialog).getByLabelText(/^Application \(client\) ID/).getAttribute('aria-invalid')).toBe('true');
    expect(b.saves).toHaveLength(0);
  });

  it('trims a pasted Dataverse app link (…?appid=…) to the environment URL and says so', async () => {
    const b = backend([]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByText('No connections yet. Add one to get started.');
    fireEvent.click(screen.getByRole('button', { name: 'Add connection' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    const link = 'https://nordlys.crm4.dynamics.com/main.aspx?appid=8c7c7f4b-1c2d-4e5f-9a0b-1c2d3e4f5a6b&pagetype=entitylist&etn=account';
    const url = within(dialog).getByLabelText(/^Environment URL/) as HTMLInputElement;
    fireEvent.change(url, { target: { value: link } });
    expect(url.value).toBe('https://nordlys.crm4.dynamics.com');
    expect(within(dialog).getByText(/^Trimmed to the environment address\. The pasted link pointed into an app:/)).toBeTruthy();
    // A plain environment URL is left alone and the usual hint returns.
    fireEvent.change(url, { target: { value: 'https://contoso.crm.dynamics.com' } });
    expect(url.value).toBe('https://contoso.crm.dynamics.com');
    expect(within(dialog).getByText('For example https://contoso.crm4.dynamics.com')).toBeTruthy();
  });

  it('device code from the demo sandbox says where the demo credentials are; a real tenant does not', async () => {
    const p = profile({ name: 'Kari device', authMethod: 'device-code' });
    const b = backend([p]);
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByRole('listitem', { name: 'Kari device' });
    const expiresAt = new Date(Date.now() + 900_000).toISOString();
    await b.push('auth.deviceCode', { profileId: p.id, userCode: 'HX7-K2Q', verificationUri: 'http://127.0.0.1:41234/devicelogin', expiresAt, message: '…' });
    let dialog = await screen.findByRole('alertdialog', { hidden: true });
    expect(within(dialog).getByTestId('device-code-sandbox-hint').textContent).toContain('Demo sandbox page');
    await b.push('auth.status', status(p.id, 'signed-out'));
    await waitFor(() => expect(screen.queryByRole('alertdialog', { hidden: true })).toBeNull());
    await b.push('auth.deviceCode', { profileId: p.id, userCode: 'ABC-DEF', verificationUri: 'https://microsoft.com/devicelogin', expiresAt, message: '…' });
    dialog = await screen.findByRole('alertdialog', { hidden: true });
    expect(within(dialog).queryByTestId('device-code-sandbox-hint')).toBeNull();
  });

  it('shows the key-file notice where secrets are entered, and remembers when it is dismissed', async () => {
    const b = backend([]);
    useAppStore.setState({
      info: { version: '0', host: 'browser', dataDir: '/d', dbSchemaVersion: 1, platform: 'linux', secretStore: { kind: 'key-file', location: '/d/secret.key', available: true, reason: null } },
      dismissedNotices: [],
    });
    renderWith(<ConnectionsPage />, b.transport);
    await screen.findByText('No connections yet. Add one to get started.');
    expect(screen.queryByTestId('secret-notice')).toBeNull(); // not on the list, only where secrets are typed
    fireEvent.click(screen.getByRole('button', { name: 'Add connection' }));
    fireEvent.change(within(await screen.findByRole('dialog', { hidden: true })).getByLabelText(/^Sign-in method/), { target: { value: 'client-secret' } });
    const notice = await screen.findByTestId('secret-notice');
    expect(notice.textContent).toContain('/d/secret.key');
    fireEvent.click(within(notice).getByTestId('secret-notice-dismiss'));
    await waitFor(() => expect(screen.queryByTestId('secret-notice')).toBeNull());
    await waitFor(() => expect(b.callsOf('app.dismissNotice')).toHaveLength(1));
    expect(b.callsOf('app.dismissNotice')[0]!.payload).toEqual({ notice: 'key-file' });
    expect(useAppStore.getState().dismissedNotices).toEqual(['key-file']);
    useAppStore.setState({ info: null, dismissedNotices: [] });
  });
});
