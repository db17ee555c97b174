/**
 * The real @azure/msal-node 7.2.1 against the sandbox authority through the https alias bridge: client secret,
 * certificate assertion, device code with simulated approval, and interactive (form_post to MSAL's own loopback
 * server) — and the resource-side `authenticate` accepts what MSAL obtained.
 */
import { generateKeyPairSync, createHash } from 'node:crypto';
import { ConfidentialClientApplication, PublicClientApplication, InteractionRequiredAuthError } from '@azure/msal-node';
import type { Configuration } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthFailure } from '../../../main/sandbox/auth';
import { SANDBOX_CLIENTS, SANDBOX_USERS } from '../../../main/sandbox/directory';
import type { IdentityService, NetworkClient } from '../../../main/sandbox/identity';
import { httpsAliasBridge, startIdentity } from '../../../main/sandbox/identity';
import { BC_RESOURCE } from '../../../main/sandbox/identity/scopes';
import { TEST_CLIENT_CERT_PEM, TEST_CLIENT_CERT_SHA1, TEST_CLIENT_CERT_SHA256, TEST_CLIENT_KEY_PEM } from './fixtures/client-cert';

const publicClient = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
const confidential = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!;
const admin = SANDBOX_USERS.find((u) => u.kind === 'admin')!;
const DATAVERSE = 'http://127.0.0.1:47999';

let id: IdentityService;
let bridge: ReturnType<typeof httpsAliasBridge>;

beforeAll(async () => {
  id = await startIdentity({ knobs: { deviceCodeIntervalSeconds: 1 } });
  bridge = httpsAliasBridge(id.url);
});
afterAll(() => id.close());

function msalConfig(clientId: string, extra: Partial<Configuration['auth']> = {}): Configuration {
  return {
    auth: {
      clientId, authority: bridge.authority, knownAuthorities: bridge.knownAuthorities,
      authorityMetadata: bridge.authorityMetadata, cloudDiscoveryMetadata: bridge.cloudDiscoveryMetadata, ...extra,
    },
    system: { networkClient: bridge.networkClient },
  };
}

/** What a browser does: load the authorize page, submit the sign-in form, run the auto-submitting form_post. */
async function headlessBrowser(authorizeUrl: string, username: string, password: string): Promise<void> {
  const page = await fetch(bridge.toLoopback(authorizeUrl));
  const html = await page.text();
  expect(page.status).toBe(200);
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(unescapeHtml(m[1]!), unescapeHtml(m[2]!));
  fields.set('username', username);
  fields.set('password', password);
  const submitted = await fetch(new URL(unescapeHtml(action), id.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields });
  const autoPost = await submitted.text();
  const redirect = /<form method="post" action="([^"]+)" id="response">/.exec(autoPost);
  expect(redirect, `sign-in page did not auto-post; page said: ${autoPost.slice(0, 400)}`).not.toBeNull();
  const post = new URLSearchParams();
  for (const m of autoPost.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) post.set(unescapeHtml(m[1]!), unescapeHtml(m[2]!));
  const delivered = await fetch(unescapeHtml(redirect![1]!), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: post });
  expect(delivered.status).toBe(200);
}

const unescapeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('msal-node ConfidentialClientApplication', () => {
  it('gets an app token with the client secret that authenticate accepts for Dataverse and BC', async () => {
    const cca = new ConfidentialClientApplication(msalConfig(confidential.clientId, { clientSecret: confidential.clientSecret! }));
    const dv = await cca.acquireTokenByClientCredential({ scopes: [`${DATAVERSE}/.default`] });
    const p = id.authenticate(`Bearer ${dv!.accessToken}`, DATAVERSE);
    expect(isAuthFailure(p)).toBe(false);
    expect(p).toMatchObject({ kind: 'app', appId: confidential.clientId, audience: DATAVERSE });
    // A Dataverse token is no good for BC: audience is checked.
    expect(isAuthFailure(id.authenticate(`Bearer ${dv!.accessToken}`, BC_RESOURCE))).toBe(true);
    const bc = await cca.acquireTokenByClientCredential({ scopes: [`${BC_RESOURCE}/.default`] });
    expect(id.authenticate(`Bearer ${bc!.accessToken}`, BC_RESOURCE)).toMatchObject({ kind: 'app', scopes: ['API.ReadWrite.All', 'Automation.ReadWrite.All'] });
  });

  it('also works with network discovery through the bridge (no authorityMetadata): issuer validation passes', async () => {
    const cca = new ConfidentialClientApplication({
      auth: { clientId: confidential.clientId, clientSecret: confidential.clientSecret!, authority: bridge.authority, knownAuthorities: bridge.knownAuthorities },
      system: { networkClient: bridge.networkClient },
    });
    const r = await cca.acquireTokenByClientCredential({ scopes: [`${DATAVERSE}/.default`] });
    expect(id.authenticate(`Bearer ${r!.accessToken}`, DATAVERSE)).toMatchObject({ kind: 'app' });
    const doc = await bridge.networkClient.sendGetRequestAsync<{ issuer: string; token_endpoint: string }>(`${bridge.authority}/v2.0/.well-known/openid-configuration`);
    expect(doc.body.issuer).toBe(`${bridge.authority}/v2.0`);
    expect(doc.body.token_endpoint).toBe(`${bridge.authority}/oauth2/v2.0/token`);
  });

  it('reports a wrong secret as AADSTS7000215', async () => {
    const cca = new ConfidentialClientApplication(msalConfig(confidential.clientId, { clientSecret: 'wrong' }));
    await expect(cca.acquireTokenByClientCredential({ scopes: [`${DATAVERSE}/.default`] })).rejects.toThrow(/AADSTS7000215/);
  });

  it('authenticates with a certificate assertion (private_key_jwt, PS256) once the key is registered', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const thumbprintSha256 = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    const cca = new ConfidentialClientApplication(
      msalConfig(confidential.clientId, { clientCertificate: { thumbprintSha256, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } }),
    );
    await expect(cca.acquireTokenByClientCredential({ scopes: [`${DATAVERSE}/.default`] })).rejects.toThrow(/AADSTS700027/);
    const reg = await fetch(`${id.url}/_sandbox/identity/clients/${confidential.clientId}/certificates`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), thumbprintSha256 }),
    });
    expect(reg.status).toBe(201);
    const r = await cca.acquireTokenByClientCredential({ scopes: [`${DATAVERSE}/.default`], skipCache: true });
    const decoded = JSON.parse(Buffer.from(r!.accessToken.split('.')[1]!, 'base64url').toString()) as { appidacr: string };
    expect(decoded.appidacr).toBe('2');
    expect(isAuthFailure(id.authenticate(`Bearer ${r!.accessToken}`, DATAVERSE))).toBe(false);
  });

  it.each([
    ['SHA-256 thumbprint (PS256, x5t#S256)', { thumbprintSha256: TEST_CLIENT_CERT_SHA256 }],
    ['SHA-1 thumbprint (RS256, x5t)', { thumbprint: TEST_CLIENT_CERT_SHA1 }],
  ])('authenticates with a registered X.509 certificate, %s', async (_name, thumb) => {
    const other = await startIdentity();
    try {
      const b = httpsAliasBridge(other.url);
      const cca = new ConfidentialClientApplication({
        auth: { clientId: confidential.clientId, authority: b.authority, knownAuthorities: b.knownAuthorities, authorityMetadata: b.authorityMetadata, cloudDiscoveryMetadata: b.cloudDiscoveryMetadata,
          clientCertificate: { ...thumb, privateKey: TEST_CLIENT_KEY_PEM, x5c: TEST_CLIENT_CERT_PEM } },
        system: { networkClient: b.networkClient },
      });
      other.authorityState.registerClientCertificate(confidential.clientId, TEST_CLIENT_CERT_PEM);
      const r = await cca.acquireTokenByClientCredential({ scopes: [`${BC_RESOURCE}/.default`] });
      expect(other.authenticate(`Bearer ${r!.accessToken}`, BC_RESOURCE)).toMatchObject({ kind: 'app', appId: confidential.clientId });
    } finally {
      await other.close();
    }
  });
});

describe('msal-node PublicClientApplication', () => {
  it('device code: pending until approved via the admin endpoint, then a user token and account', async () => {
    // MSAL's own network calls, watched: the approval waits for the first authorization_pending answer.
    let pendingSeen!: () => void;
    const firstPending = new Promise<void>((r) => (pendingSeen = r));
    const watched: NetworkClient = {
      sendGetRequestAsync: (url, options, timeout) => bridge.networkClient.sendGetRequestAsync(url, options, timeout),
      async sendPostRequestAsync<T>(url: string, options?: Parameters<NetworkClient['sendPostRequestAsync']>[1]) {
        const r = await bridge.networkClient.sendPostRequestAsync<T>(url, options);
        if ((r.body as { error?: string } | undefined)?.error === 'authorization_pending') pendingSeen();
        return r;
      },
    };
    const pca = new PublicClientApplication({ ...msalConfig(publicClient.clientId), system: { networkClient: watched } });
    let polledBeforeApproval = false;
    const result = await pca.acquireTokenByDeviceCode({
      scopes: [`${DATAVERSE}/user_impersonation`],
      deviceCodeCallback: (r) => {
        expect(r.message).toContain(r.userCode);
        // Approve after MSAL has seen authorization_pending at least once.
        void firstPending.then(() => {
          polledBeforeApproval = true;
          return fetch(`${id.url}/_sandbox/identity/devicecodes/approve`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userCode: r.userCode, username: admin.username }),
          });
        });
      },
    });
    expect(polledBeforeApproval).toBe(true);
    expect(result!.account?.username).toBe(admin.username);
    expect(result!.account?.homeAccountId).toBe(`${admin.objectId}.${id.authority.split('/').pop()}`);
    expect(id.authenticate(`Bearer ${result!.accessToken}`, DATAVERSE)).toMatchObject({ kind: 'user', objectId: admin.objectId, username: admin.username, scopes: ['user_impersonation'] });
    // The refresh token is multi-resource: a BC token silently, then a forced refresh (rotation).
    const bc = await pca.acquireTokenSilent({ account: result!.account!, scopes: [`${BC_RESOURCE}/Financials.ReadWrite.All`] });
    expect(id.authenticate(`Bearer ${bc.accessToken}`, BC_RESOURCE)).toMatchObject({ kind: 'user', scopes: ['Financials.ReadWrite.All'] });
    const again = await pca.acquireTokenSilent({ account: result!.account!, scopes: [`${DATAVERSE}/user_impersonation`], forceRefresh: true });
    expect(again.accessToken).not.toBe(result!.accessToken);
  });

  it('interactive: openBrowser signs in headlessly and the form_post reaches MSAL\'s loopback server', async () => {
    const pca = new PublicClientApplication(msalConfig(publicClient.clientId));
    const seen: string[] = [];
    const result = await pca.acquireTokenInteractive({
      scopes: [`${DATAVERSE}/user_impersonation`],
      openBrowser: async (url) => {
        seen.push(url);
        await headlessBrowser(url, admin.username, admin.password);
      },
      successTemplate: 'ok',
      errorTemplate: 'failed',
    });
    const authorizeUrl = new URL(seen[0]!);
    expect(authorizeUrl.protocol).toBe('https:');
    expect(authorizeUrl.searchParams.get('response_mode')).toBe('form_post');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(result.account?.username).toBe(admin.username);
    expect(id.authenticate(`Bearer ${result.accessToken}`, DATAVERSE)).toMatchObject({ kind: 'user', objectId: admin.objectId });
  });

  it('silent refresh after the user is blocked by Conditional Access fails with AADSTS53003', async () => {
    const pca = new PublicClientApplication(msalConfig(publicClient.clientId));
    const sales = SANDBOX_USERS.find((u) => u.kind === 'salesperson')!;
    const first = await pca.acquireTokenInteractive({ scopes: [`${DATAVERSE}/user_impersonation`], openBrowser: (url) => headlessBrowser(url, sales.username, sales.password) });
    id.authorityState.setKnobs({ conditionalAccessBlocked: [sales.username] });
    try {
      await expect(pca.acquireTokenSilent({ account: first.account!, scopes: [`${DATAVERSE}/user_impersonation`], forceRefresh: true })).rejects.toThrow(/AADSTS53003/);
      id.authorityState.setKnobs({ conditionalAccessBlocked: [], consentMissing: [publicClient.clientId] });
      // Consent missing carries suberror consent_required, which MSAL maps to InteractionRequiredAuthError.
      const err = await pca.acquireTokenSilent({ account: first.account!, scopes: [`${BC_RESOURCE}/user_impersonation`], forceRefresh: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InteractionRequiredAuthError);
      expect(String((err as Error).message)).toMatch(/AADSTS65001/);
    } finally {
      id.authorityState.setKnobs({ conditionalAccessBlocked: [], consentMissing: [] });
    }
  });
});
