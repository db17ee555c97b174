import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildConnectionString, parseConnectionString, PRE_V16_CHECKLIST, SDK_VERSIONS } from '../../main/integrations/sales/connstr';
import type { Profile } from '../../preload/contract';
import { ConnectionStringPage } from '../../renderer/pages/sales/connstr/ConnectionStringPage';
import { useConnstrStore } from '../../renderer/stores/connstr';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const SEED =
  'AuthType=OAuth;Username=jsmith@contoso.onmicrosoft.com;Password=****;Url=https://contosotest.crm.dynamics.com;AppId=<your AppId>;RedirectUri=app://<your AppId>;TokenCacheStorePath=;LoginPrompt=Auto';
const APP_ID = '2b6f1c0e-8d4a-4f3b-9e21-7c5d3a1b0f99';

/** The fake uses the real connection-string engine, so the page is tested against real findings. */
function transport() {
  const saved: Profile[] = [];
  return fakeTransport({
    'connstr.parse': ({ text }) => parseConnectionString(text),
    'connstr.build': ({ values, maskSecrets }) => buildConnectionString(values, { maskSecrets }),
    'connstr.sdkVersions': () => SDK_VERSIONS,
    'connstr.checklist': () => PRE_V16_CHECKLIST,
    'profiles.list': () => saved,
    'profiles.save': (input) => {
      const p: Profile = { id: '11111111-1111-4111-8111-111111111111', name: input.name, kind: input.kind, values: input.values, secretsSet: Object.keys(input.secrets), createdAt: 'now', updatedAt: 'now' };
      saved.push(p);
      return p;
    },
  });
}

beforeEach(() => {
  useConnstrStore.setState({ values: {}, storedSecrets: [], text: '', syntaxError: null, errors: [], warnings: [], profiles: [], profileId: null, error: null });
});

describe('connection-string page', () => {
  it('fills the fields from a pasted string and shows the AppId error next to its field', async () => {
    const t = transport();
    const { missing } = renderWith(<ConnectionStringPage />, t);
    fireEvent.change(screen.getByTestId('connstr-text'), { target: { value: SEED } });
    await waitFor(() => expect(screen.getByLabelText('User name')).toHaveProperty('value', 'jsmith@contoso.onmicrosoft.com'));
    expect(screen.getByLabelText('Dynamics 365 Sales URL')).toHaveProperty('value', 'https://contosotest.crm.dynamics.com');
    const appId = screen.getByLabelText('Application (client) ID');
    expect(appId).toHaveProperty('value', '<your AppId>');
    expect(appId.getAttribute('aria-invalid')).toBe('true');
    expect(missing).toEqual([]);
  });

  it('rewrites the string when a field changes, masking secrets', async () => {
    const t = transport();
    renderWith(<ConnectionStringPage />, t);
    fireEvent.change(screen.getByTestId('connstr-text'), { target: { value: SEED } });
    await waitFor(() => expect(screen.getByLabelText('Application (client) ID')).toHaveProperty('value', '<your AppId>'));
    fireEvent.change(screen.getByLabelText('Application (client) ID'), { target: { value: APP_ID } });
    await waitFor(() => expect((screen.getByTestId('connstr-text') as HTMLTextAreaElement).value).toContain(`AppId=${APP_ID}`));
    expect(screen.getByLabelText('Application (client) ID').getAttribute('aria-invalid')).not.toBe('true');
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'S3cret;pass' } });
    await waitFor(() => expect(useConnstrStore.getState().values.Password).toBe('S3cret;pass'));
    expect((screen.getByTestId('connstr-text') as HTMLTextAreaElement).value).not.toContain('S3cret');
  });

  it('reports a malformed string with its position and keeps the fields', async () => {
    renderWith(<ConnectionStringPage />, transport());
    fireEvent.change(screen.getByTestId('connstr-text'), { target: { value: 'Url=https://a.crm.dynamics.com;AuthType=OAuth' } });
    await waitFor(() => expect(screen.getByLabelText('Dynamics 365 Sales URL')).toHaveProperty('value', 'https://a.crm.dynamics.com'));
    fireEvent.change(screen.getByTestId('connstr-text'), { target: { value: 'Url=https://a.crm.dynamics.com;Password="unterminated' } });
    await screen.findByText(/cannot be read at character/);
    expect(screen.getByLabelText('Dynamics 365 Sales URL')).toHaveProperty('value', 'https://a.crm.dynamics.com');
  });

  it('sends typed secrets only as secrets when saving a profile', async () => {
    const t = transport();
    renderWith(<ConnectionStringPage />, t);
    fireEvent.change(screen.getByTestId('connstr-text'), { target: { value: SEED.replace('Password=****', 'Password=hunter2') } });
    await waitFor(() => expect(useConnstrStore.getState().values.Password).toBe('hunter2'));
    await act(async () => {
      await useConnstrStore.getState().saveProfile('Contoso test', true);
    });
    const save = t.calls.find((c) => c.method === 'profiles.save')!.payload as { values: Record<string, string>; secrets: Record<string, string> };
    expect(save.values).not.toHaveProperty('Password');
    expect(save.secrets).toEqual({ Password: 'hunter2' });
    expect(useConnstrStore.getState().values).not.toHaveProperty('Password');
    expect(useConnstrStore.getState().storedSecrets).toEqual(['Password']);
  });

  it('renders in Norwegian without missing keys', async () => {
    const { missing } = renderWith(<ConnectionStringPage />, transport(), 'nb-NO');
    expect(await screen.findByText('Tilkoblingsstreng for Business Central før v16')).toBeTruthy();
    fireEvent.change(screen.getByTestId('connstr-text'), { target: { value: SEED } });
    await waitFor(() => expect(screen.getByLabelText('Brukernavn')).toHaveProperty('value', 'jsmith@contoso.onmicrosoft.com'));
    expect(missing).toEqual([]);
  });

  it('a pasted string shows its password masked at once, without waiting for the box to lose focus', async () => {
    renderWith(<ConnectionStringPage />, transport());
    const box = screen.getByTestId('connstr-text') as HTMLTextAreaElement;
    const pasted = SEED.replace('Password=****', 'Password=Hunter2;pw').replace('Password=Hunter2;pw', "Password='Hunter2;pw'");
    fireEvent.paste(box);
    fireEvent.change(box, { target: { value: pasted } });
    await waitFor(() => expect(box.value).toContain('Password=****'));
    expect(box.value).not.toContain('Hunter2');
    expect(useConnstrStore.getState().values.Password).toBe('Hunter2;pw');
    // Typing (not pasting) is not rewritten under the caret.
    fireEvent.change(box, { target: { value: 'AuthType=OAuth;Password=ab' } });
    await waitFor(() => expect(useConnstrStore.getState().values.Password).toBe('ab'));
    expect(box.value).toBe('AuthType=OAuth;Password=ab');
  });

  it('treats authtype=oauth like AuthType=OAuth: the OAuth fields show, and LoginPrompt=auto is picked', async () => {
    renderWith(<ConnectionStringPage />, transport());
    fireEvent.change(screen.getByTestId('connstr-text'), { target: { value: `authtype=oauth;url=https://x.crm4.dynamics.com;appid=${APP_ID};redirecturi=app://${APP_ID};loginprompt=auto` } });
    await waitFor(() => expect(screen.getByLabelText('Redirect URI')).toHaveProperty('value', `app://${APP_ID}`));
    expect(screen.getByLabelText('Application (client) ID')).toHaveProperty('value', APP_ID);
    expect(screen.getByRole('combobox', { name: 'Authentication type' }).textContent).toContain('OAuth');
    expect(screen.getByRole('combobox', { name: 'Sign-in prompt' }).textContent).toBe('Auto');
  });

  it('the error count leads to an error in the collapsed advanced section: it opens and the field gets the focus', async () => {
    renderWith(<ConnectionStringPage />, transport());
    const advanced = screen.getByTestId('connstr-advanced') as HTMLDetailsElement;
    expect(advanced.open).toBe(false);
    fireEvent.change(screen.getByTestId('connstr-text'), { target: { value: `AuthType=ClientSecret;Url=https://x.crm4.dynamics.com;AppId=${APP_ID};ClientSecret=s;RequireNewInstance=maybe` } });
    const count = await screen.findByTestId('connstr-error-count');
    expect(count.textContent).toBe('1 error');
    await waitFor(() => expect(advanced.open).toBe(true));
    fireEvent.click(count);
    await waitFor(() => expect(document.activeElement?.getAttribute('aria-label')).toBe('Require new instance'));
  });

  it('lists the SDK versions one per line so no label is cut off', async () => {
    renderWith(<ConnectionStringPage />, transport());
    const group = await screen.findByTestId('connstr-sdk');
    expect(group.className).not.toMatch(/horizontal/);
    await waitFor(() => expect(screen.getAllByRole('radio')).toHaveLength(SDK_VERSIONS.length));
  });
});
