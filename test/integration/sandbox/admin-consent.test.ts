/**
 * Admin consent in the identity sandbox: an admin can revoke the Graph app's application permissions (the sandbox
 * knob) so a missing permission is reproducible end to end — the token lacks the role, Graph refuses the call, the
 * connection test names it — and Entra's admin consent endpoint (`/{tenant}/adminconsent`) grants them back when a
 * tenant administrator accepts (a non-administrator is refused).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../../main/sandbox';
import type { Sandbox } from '../../../main/sandbox';
import { SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../../main/sandbox/directory';
import { testConnection } from '../../../main/connections/tester';
import { fetchTrustingCa } from '../../../main/clients/graph';
import type { ConnectionProfile } from '../../../preload/contract/core/connections';

const GRAPH = 'https://graph.microsoft.com';
const roles = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { roles?: string[] }).roles;

describe('admin consent for the Graph app', () => {
  let sb: Sandbox;
  const admin = SANDBOX_USERS.find((u) => u.kind === 'admin')!;
  const nonAdmin = SANDBOX_USERS.find((u) => u.kind !== 'admin' && u.password && u.accountEnabled)!;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
  });
  afterAll(() => sb?.close());

  const identity = () => sb.info.identity.authority.replace(/\/[^/]+$/, '');
  const consentUrl = () => `${identity()}/_sandbox/identity/clients/${sb.info.clients.graph.clientId}/consent`;
  async function token(): Promise<string> {
    const r = await fetch(sb.info.identity.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sb.info.clients.graph.clientId, client_secret: sb.info.clients.graph.clientSecret, scope: sb.info.graph.scope }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { access_token: string }).access_token;
  }
  const setConsent = (body: unknown) => fetch(consentUrl(), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const profile: () => ConnectionProfile = () => ({
    id: 'p-graph', name: 'graph', kind: 'graph', url: sb.info.graph.url.replace(/\/v1\.0$/, ''), environmentName: null, company: null, tier: 'test', colour: '#1565c0', authMethod: 'client-secret',
    app: { clientId: sb.info.clients.graph.clientId, tenantId: null, redirectUri: null, authorityHost: 'https://login.microsoftonline.com' },
    userName: null, certificateThumbprint: null, secretsSet: ['clientSecret'], secretsMissing: [], createdAt: '', updatedAt: '', lastUsedAt: null,
  });
  const test = async (t: string) => testConnection(profile(), { tokens: { authorization: async () => `Bearer ${t}` }, fetch: fetchTrustingCa(readFileSync(sb.info.graph.caFile, 'utf8')) });

  it('revoked: the token lacks the role, the connection test names it; revoking everything reads as no admin consent', async () => {
    expect(roles(await token())).toContain('Group.ReadWrite.All');
    const r = await setConsent({ resource: GRAPH, roles: ['User.Read.All', 'Tasks.ReadWrite.All'] });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { roles: string[] }).roles).toEqual(['User.Read.All', 'Tasks.ReadWrite.All']);
    const t = await token();
    expect(roles(t)).toEqual(['User.Read.All', 'Tasks.ReadWrite.All']);
    const missing = await test(t);
    expect(missing.ok).toBe(false);
    expect(missing.error?.code).toBe('CONNECTION_GRAPH_PERMISSION_MISSING');
    expect(String(missing.error?.params?.permissions)).toContain('Group.ReadWrite.All');

    expect((await setConsent({ resource: GRAPH, roles: [] })).status).toBe(200);
    const none = await token();
    expect(roles(none)).toBeUndefined();
    expect((await test(none)).error?.code).toBe('CONNECTION_GRAPH_NO_ADMIN_CONSENT');
  });

  it('rejects a role the resource does not define, and bad bodies', async () => {
    const r = await setConsent({ resource: GRAPH, roles: ['Mail.Send.Everything'] });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain('Mail.Send.Everything');
    expect((await setConsent({ roles: [] })).status).toBe(400);
  });

  it('the admin consent endpoint: the page asks for an administrator; a non-admin is refused; an admin grants every role and is sent back', async () => {
    await setConsent({ resource: GRAPH, roles: [] });
    const base = `${identity()}/${SANDBOX_TENANT_ID}/adminconsent`;
    const q = new URLSearchParams({ client_id: sb.info.clients.graph.clientId, redirect_uri: 'http://localhost:5555/consented', state: 's1' });
    const page = await fetch(`${base}?${q}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Permissions requested');
    expect(html).toContain(sb.info.clients.graph.clientId);

    const refused = await fetch(base, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...Object.fromEntries(q), username: nonAdmin.username, password: nonAdmin.password }) });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain('AADSTS90094');
    expect(roles(await token())).toBeUndefined();

    const ok = await fetch(base, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...Object.fromEntries(q), username: admin.username, password: admin.password }) });
    expect(ok.status).toBe(302);
    const back = new URL(ok.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('http://localhost:5555/consented');
    expect(Object.fromEntries(back.searchParams)).toEqual({ admin_consent: 'True', tenant: SANDBOX_TENANT_ID, state: 's1' });
    const granted = await token();
    expect(roles(granted)).toContain('Group.ReadWrite.All');
    expect((await test(granted)).ok).toBe(true);
  });

  it('refuses a redirect URI that is not loopback', async () => {
    const r = await fetch(`${identity()}/${SANDBOX_TENANT_ID}/v2.0/adminconsent?${new URLSearchParams({ client_id: sb.info.clients.graph.clientId, scope: `${GRAPH}/.default`, redirect_uri: 'https://evil.example/x' })}`);
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('AADSTS50011');
  });
});
