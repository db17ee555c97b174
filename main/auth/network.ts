import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { AppFailure } from '../rpc/errors';
import { isLoopbackHost } from '../http/url';

/**
 * Lets MSAL talk to the local sandbox identity service. MSAL refuses non-https authorities
 * (authority_uri_insecure), so the profile keeps an https authority host such as
 * https://login.sandbox.d365ic.localhost and this module maps it onto the sandbox's http://127.0.0.1:<port>.
 * Only loopback targets are accepted: this must never become a way to send credentials over plain http
 * to another machine. Real authorities never go through here (MSAL's default client is used).
 */
export interface AuthorityRoute {
  /** https origin MSAL sees, e.g. https://login.sandbox.d365ic.localhost */
  authorityHost: string;
  /** loopback origin that really answers, e.g. http://127.0.0.1:53123 */
  target: string;
}

export type FetchFn = (url: string, init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;

export function checkRoute(route: AuthorityRoute): AuthorityRoute {
  const from = new URL(route.authorityHost);
  const to = new URL(route.target);
  if (from.protocol !== 'https:') throw new AppFailure('AUTH_ROUTE_INVALID', `Authority host ${from.origin} must be https (MSAL requires it).`);
  if (!isLoopbackHost(to.hostname)) {
    throw new AppFailure('AUTH_ROUTE_INVALID', `Authority ${from.origin} can only be redirected to this computer (127.0.0.1/localhost), not ${to.host}.`);
  }
  return { authorityHost: from.origin, target: to.origin };
}

/** Rewrite a URL from the https authority host onto its loopback target; null when no route matches. */
export function rewrite(routes: readonly AuthorityRoute[], url: string): string | null {
  for (const r of routes) {
    if (url === r.authorityHost || url.startsWith(r.authorityHost + '/') || url.startsWith(r.authorityHost + '?')) return r.target + url.slice(r.authorityHost.length);
  }
  return null;
}

export class LoopbackNetworkClient implements INetworkModule {
  private readonly routes: AuthorityRoute[];
  constructor(
    routes: readonly AuthorityRoute[],
    private readonly fetchImpl: FetchFn = (u, i) => fetch(u, i),
    private readonly timeoutMs = 30_000,
  ) {
    this.routes = routes.map(checkRoute);
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: string, url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const target = rewrite(this.routes, url);
    // Refuse instead of falling through to the internet: with authorityMetadata/cloudDiscoveryMetadata set,
    // MSAL has no reason to call anything else, and a surprise call would mean a misconfiguration.
    if (!target) throw new AppFailure('AUTH_ROUTE_MISSING', `Sign-in tried to reach ${new URL(url).origin}, which is not the configured sandbox authority.`);
    const from = new URL(url);
    const res = await this.fetchImpl(target, {
      method,
      // Like a TLS-terminating proxy: the loopback service builds issuer/audience URLs (client-assertion aud,
      // verification_uri) from the https name MSAL used, so those keep matching what MSAL expects.
      headers: { ...options?.headers, 'x-forwarded-proto': 'https', 'x-forwarded-host': from.host },
      body: options?.body,
      signal: AbortSignal.timeout(timeout ?? this.timeoutMs),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // MSAL expects an object; a non-JSON answer becomes an error it can report.
      body = { error: 'invalid_response', error_description: `The identity service answered HTTP ${res.status} with a body that is not JSON.` };
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    return { status: res.status, headers, body: body as T };
  }
}

/**
 * MSAL configuration that makes an authority resolve without network discovery: endpoints follow the Entra v2
 * layout under /{tenant}/. Used for routed (sandbox) authorities only.
 */
export function offlineAuthorityMetadata(authority: string): { authorityMetadata: string; cloudDiscoveryMetadata: string; knownAuthorities: string[] } {
  const u = new URL(authority);
  const base = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  return {
    knownAuthorities: [u.host],
    authorityMetadata: JSON.stringify({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      issuer: `${base}/v2.0`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    }),
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: u.host, preferred_cache: u.host, aliases: [u.host] }],
    }),
  };
}
