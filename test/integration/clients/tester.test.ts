/**
 * The connection test for Microsoft Graph and Commerce headquarters against the sandboxes: what it reports when
 * everything is right, and that it names the actual problem otherwise (missing application permission / admin
 * consent; F&O's app registration, audience and tenant checks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionProfile } from '../../../preload/contract/core/connections';
import { explainSpecific, testConnection } from '../../../main/connections/tester';
import { fetchTrustingCa } from '../../../main/clients/graph';
import { ServiceError } from '../../../main/http/errors';
import type { TokenProvider } from '../../../main/http/client';
import { startGraph } from '../../../main/sandbox/graph';
import { startHost } from '../../../main/sandbox/kernel';
import { startGraphHarness } from '../sandbox-graph/harness';
import type { GraphHarness } from '../sandbox-graph/harness';
import { APP, startCommerce } from '../sandbox-commerce/helpers';
import type { Harness } from '../sandbox-commerce/helpers';

const bearer = (token: string): TokenProvider => ({ authorization: async () => `Bearer ${token}` });
/** An unsigned JWT-shaped token (for hosts whose verifier accepts anything, and for claim analysis). */
const fakeJwt = (claims: Record<string, unknown>) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ iat: Math.floor(Date.now() / 1000), ...claims })).toString('base64url')}.`;

function profile(kind: 'graph' | 'commerce-hq', url: string): ConnectionProfile {
  return {
    id: `p-${kind}`, name: kind, kind, url, environmentName: null, company: null, tier: 'test', colour: '#1565c0', authMethod: 'client-secret',
    app: { clientId: APP.clientId, tenantId: null, redirectUri: null, authorityHost: 'https://login.microsoftonline.com' },
    userName: null, certificateThumbprint: null, secretsSet: ['clientSecret'], secretsMissing: [], createdAt: '', updatedAt: '', lastUsedAt: null,
  };
}

describe('Microsoft Graph', () => {
  let g: GraphHarness;
  beforeAll(async () => {
    g = await startGraphHarness();
  });
  afterAll(() => g.close());

  it('app flow: signs in, reads the directory and finds every application permission in the token', async () => {
    const r = await testConnection(profile('graph', g.host.origin), { tokens: bearer(g.token), fetch: fetchTrustingCa(g.host.caPem!) });
    expect(r.error).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.details.roles).toContain('Group.ReadWrite.All');
    expect(r.user).toBe(`Application ${APP.clientId}`);
  });

  async function withRoles(roles: string[] | undefined) {
    const host = await startHost({ https: {}, authenticate: () => ({ kind: 'app', objectId: 'o', appId: 'app-x', audience: 'https://graph.microsoft.com', scopes: roles ?? [] }) });
    try {
      await startGraph(host);
      const token = fakeJwt({ aud: 'https://graph.microsoft.com', appid: 'app-x', ...(roles ? { roles } : {}) });
      return await testConnection(profile('graph', host.origin), { tokens: bearer(token), fetch: fetchTrustingCa(host.caPem!) });
    } finally {
      await host.close();
    }
  }

  it('names the missing application permissions', async () => {
    const r = await withRoles(['User.Read.All', 'Tasks.ReadWrite.All']);
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('CONNECTION_GRAPH_PERMISSION_MISSING');
    expect(r.error?.params?.permissions).toBe('Group.ReadWrite.All, TeamMember.ReadWrite.All');
  });

  it('a token without roles means no admin consent; a 403 from Graph names the permission it wanted', async () => {
    // Both directory reads are refused (403 Authorization_RequestDenied): with no role at all that is missing consent.
    expect((await withRoles(undefined)).error?.code).toBe('CONNECTION_GRAPH_NO_ADMIN_CONSENT');
    // With some roles but not the one the read needs, the missing permissions are named.
    const denied = await withRoles(['Tasks.ReadWrite.All']);
    expect(denied.error?.code).toBe('CONNECTION_GRAPH_PERMISSION_MISSING');
    expect(denied.error?.message).toMatch(/User\.Read\.All/);
    const host = await startHost({ https: {}, authenticate: () => ({ kind: 'app', objectId: 'o', appId: 'app-x', audience: 'https://graph.microsoft.com', scopes: ['User.Read.All'] }) });
    try {
      await startGraph(host);
      const r = await testConnection(profile('graph', host.origin), { tokens: bearer(fakeJwt({ aud: 'https://graph.microsoft.com', appid: 'app-x' })), fetch: fetchTrustingCa(host.caPem!) });
      expect(r.error?.code).toBe('CONNECTION_GRAPH_NO_ADMIN_CONSENT');
    } finally {
      await host.close();
    }
  });
});

describe('Commerce headquarters', () => {
  let c: Harness;
  beforeAll(async () => {
    c = await startCommerce();
  });
  afterAll(() => c.close());

  it('reads a company and the data entity catalogue', async () => {
    const r = await testConnection(profile('commerce-hq', c.url), { tokens: bearer(await c.appToken()) });
    expect(r.error).toBeNull();
    expect(['nrno', 'nrnl', 'nrfi']).toContain(r.details.company);
    expect(Number(r.details.dataEntities)).toBeGreaterThan(10);
    expect(r.details.missingCollections).toBeUndefined();
  });

  it('app not registered on the Microsoft Entra applications page', async () => {
    const other = await startCommerce({}, c.identity);
    try {
      const sys = (await import('../../../main/sandbox/commerce/entities')).ENTITY_BY_COLLECTION.get('SysAADClients')!;
      other.service.store.delete(sys, { AADClientId: APP.clientId });
      const r = await testConnection(profile('commerce-hq', other.url), { tokens: bearer(await other.appToken()) });
      expect(r.error?.code).toBe('CONNECTION_COMMERCE_APP_NOT_REGISTERED');
      expect(r.error?.params?.clientId).toBe(APP.clientId);
    } finally {
      await other.close();
    }
  });

  it('a token from another tenant', async () => {
    const other = await startCommerce({ tenantId: '11111111-2222-4333-8444-555555555555' }, c.identity);
    try {
      const r = await testConnection(profile('commerce-hq', other.url), { tokens: bearer(await other.appToken()) });
      expect(r.error?.code).toBe('CONNECTION_COMMERCE_WRONG_TENANT');
    } finally {
      await other.close();
    }
  });

  it('an audience in the wrong case', async () => {
    let env = '';
    const named = await startCommerce({ url: () => env }, c.identity);
    try {
      env = named.url.replace('127.0.0.1', 'localhost');
      const mixed = await named.appToken(`${env.replace('localhost', 'LocalHost')}/.default`);
      const r = await testConnection(profile('commerce-hq', env), { tokens: bearer(mixed) });
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('CONNECTION_COMMERCE_AUDIENCE');
      expect(r.error?.params?.expected).toBe(env);
    } finally {
      await named.close();
    }
  });

  it('explains a trailing slash in the token audience (the identity sandbox cannot mint one)', () => {
    const p = profile('commerce-hq', 'https://nordlys.operations.dynamics.com');
    const err = new ServiceError(401, '', 'Authorization has been denied for this request.', { body: { error: { code: '', message: 'Authorization has been denied for this request.', innererror: { message: "The token audience 'https://nordlys.operations.dynamics.com/' does not match the environment URL 'https://nordlys.operations.dynamics.com' exactly." } } } });
    const f = explainSpecific(err, p, `Bearer ${fakeJwt({ aud: 'https://nordlys.operations.dynamics.com/' })}`)!;
    expect(f.code).toBe('CONNECTION_COMMERCE_AUDIENCE');
    expect(f.message).toContain('ends with a slash');
  });
});
