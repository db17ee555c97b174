/**
 * Both clients and the connection test driven only by what `startSandbox` publishes (the `d365ic sandbox` contract:
 * graph.url/caFile/scope, commerce.url/scope, clients.graph/commerce): what the console does with the embedded
 * sandbox.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommerceClient } from '../../../main/clients/commerce';
import { GraphClient, fetchTrustingCa } from '../../../main/clients/graph';
import type { ConnectionProfile } from '../../../preload/contract/core/connections';
import { testConnection } from '../../../main/connections/tester';
import { HttpClient } from '../../../main/http/client';
import type { FetchLike, TokenProvider } from '../../../main/http/client';
import * as sandbox from '../../../main/sandbox';
import { SANDBOX_CLIENTS, SANDBOX_USERS } from '../../../main/sandbox/directory';

type Sandbox = Awaited<ReturnType<typeof sandbox.startSandbox>>;
let sb: Sandbox;
let graphFetch: FetchLike;

async function token(form: Record<string, string>): Promise<string> {
  const r = await fetch(sb.info.identity.tokenEndpoint, { method: 'POST', body: new URLSearchParams(form) });
  const b = (await r.json()) as { access_token?: string; error_description?: string };
  if (!b.access_token) throw new Error(`token request failed: ${b.error_description}`);
  return b.access_token;
}
const app = (client: { clientId: string; clientSecret: string }, scope: string): TokenProvider => ({
  authorization: async () => `Bearer ${await token({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope })}`,
});

function profile(kind: 'graph' | 'commerce-hq', url: string, clientId: string, authMethod: ConnectionProfile['authMethod'] = 'client-secret'): ConnectionProfile {
  return {
    id: `p-${kind}`, name: kind, kind, url, environmentName: null, company: null, tier: 'test', colour: '#1565c0', authMethod,
    app: { clientId, tenantId: null, redirectUri: null, authorityHost: sb.info.identity.authority },
    userName: null, certificateThumbprint: null, secretsSet: [], secretsMissing: [], createdAt: '', updatedAt: '', lastUsedAt: null,
  };
}

beforeAll(async () => {
  sb = await sandbox.startSandbox({ port: 0 });
  graphFetch = fetchTrustingCa(readFileSync(sb.info.graph.caFile, 'utf8'));
});
afterAll(() => sb?.close());

describe('startSandbox contract', () => {
  it('the Graph client reads users over HTTPS with clients.graph and graph.scope', async () => {
    const http = new HttpClient({ baseUrl: sb.info.graph.url, auth: app(sb.info.clients.graph, sb.info.graph.scope), fetch: graphFetch });
    const g = new GraphClient({ http });
    const users = await g.collect<{ id: string }>('users', { top: 50, select: ['id'] });
    expect(users.length).toBeGreaterThan(50);
  });

  it('the Commerce client reads every store with clients.commerce and commerce.scope', async () => {
    const auth = app(sb.info.clients.commerce, sb.info.commerce.scope);
    const c = new CommerceClient({ http: new HttpClient({ baseUrl: sb.info.commerce.url, auth }), auth });
    expect((await c.list('RetailStores', { select: ['StoreNumber'] })).length).toBe(30);
    expect(await c.collectionFor('RetailChannelWorkerEntity')).toBe('RetailChannelWorkers');
  });

  it('the connection test passes for Graph (app: organization + roles; user: me) and Commerce', async () => {
    const origin = new URL(sb.info.graph.url).origin;
    const graphApp = await testConnection(profile('graph', origin, sb.info.clients.graph.clientId), { tokens: app(sb.info.clients.graph, sb.info.graph.scope), fetch: graphFetch });
    expect(graphApp.error).toBeNull();
    expect(graphApp.details.organization).toBeTruthy();
    const admin = SANDBOX_USERS.find((u) => u.kind === 'admin')!;
    const pub = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
    const delegated: TokenProvider = { authorization: async () => `Bearer ${await token({ grant_type: 'password', client_id: pub.clientId, username: admin.username, password: admin.password, scope: 'https://graph.microsoft.com/.default' })}` };
    const graphUser = await testConnection(profile('graph', origin, pub.clientId, 'interactive'), { tokens: delegated, fetch: graphFetch });
    expect(graphUser.error).toBeNull();
    expect(graphUser.user).toBe(admin.username);
    const commerce = await testConnection(profile('commerce-hq', sb.info.commerce.url, sb.info.clients.commerce.clientId), { tokens: app(sb.info.clients.commerce, sb.info.commerce.scope) });
    expect(commerce.error).toBeNull();
    // The Graph app is not on the F&O Microsoft Entra applications page.
    const wrongApp = await testConnection(profile('commerce-hq', sb.info.commerce.url, sb.info.clients.graph.clientId), { tokens: app(sb.info.clients.graph, sb.info.commerce.scope) });
    expect(wrongApp.error?.code).toBe('CONNECTION_COMMERCE_APP_NOT_REGISTERED');
  });
});
