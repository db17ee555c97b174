/** Shared set-up for the client integration tests: the real sandbox over HTTP, tokens via client credentials. */
import type { FetchLike, HttpClientOptions, TokenProvider } from '../../../main/http/client';
import { HttpClient } from '../../../main/http/client';
import { SANDBOX_CLIENTS } from '../../../main/sandbox/directory';
import type { SandboxInfo } from '../../../main/sandbox/index';

export const BC_RESOURCE = 'https://api.businesscentral.dynamics.com';

/** Delegated token for a directory user via ROPC (what AuthType=OAuth connection strings do) on the public client. */
export function userPassword(info: SandboxInfo, resource: string, username: string, password: string): TokenProvider {
  const publicClient = SANDBOX_CLIENTS.find((c) => c.kind === 'public');
  if (!publicClient) throw new Error('directory.ts has no public client');
  return {
    async authorization(): Promise<string> {
      const res = await fetch(info.identity.tokenEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', client_id: publicClient.clientId, username, password, scope: `${resource}/user_impersonation` }).toString(),
      });
      const body = (await res.json()) as { access_token?: string; error_description?: string };
      if (!body.access_token) throw new Error(`token request failed: ${body.error_description ?? res.status}`);
      return `Bearer ${body.access_token}`;
    },
  };
}

/** Client-credentials TokenProvider against the sandbox identity service (cached until a forced refresh). */
export function clientCredentials(info: SandboxInfo, resource: string): TokenProvider & { fetched: number } {
  let cached: string | null = null;
  const p = {
    fetched: 0,
    async authorization({ forceRefresh }: { forceRefresh: boolean }): Promise<string> {
      if (cached && !forceRefresh) return cached;
      const res = await fetch(info.identity.tokenEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials', client_id: info.clients.integration.clientId, client_secret: info.clients.integration.clientSecret, scope: `${resource}/.default`,
        }).toString(),
      });
      const body = (await res.json()) as { access_token?: string; error_description?: string };
      if (!body.access_token) throw new Error(`token request failed: ${body.error_description ?? res.status}`);
      p.fetched++;
      cached = `Bearer ${body.access_token}`;
      return cached;
    },
  };
  return p;
}

/** Records every URL/method/header set sent, for assertions on the wire format. */
export function recordingFetch(): { fetch: FetchLike; calls: { url: string; method: string; headers: Record<string, string> }[] } {
  const calls: { url: string; method: string; headers: Record<string, string> }[] = [];
  return {
    calls,
    fetch: (url, init) => {
      calls.push({ url, method: init.method, headers: init.headers });
      return fetch(url, init);
    },
  };
}

export function httpClient(baseUrl: string, auth: TokenProvider | undefined, extra: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({ baseUrl, ...(auth ? { auth } : {}), timeoutMs: 30_000, ...extra });
}

export async function patchKnobs(url: string, knobs: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/_sandbox/knobs`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(knobs) });
  if (!res.ok) throw new Error(`knobs PATCH failed: ${res.status} ${await res.text()}`);
}

export const guid = (n: number, prefix = 'c1e0') => `${prefix}0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
