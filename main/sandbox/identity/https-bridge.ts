/**
 * The https decision. MSAL refuses non-https authorities (authority_uri_insecure), and the sandbox deliberately
 * serves plain HTTP on loopback (no certificate to generate, trust or expire on the user's machine). The bridge
 * gives MSAL an https authority on an alias host (default `login.sandbox.localhost`, never resolvable off this
 * machine) plus everything it needs to never resolve that host itself:
 *  - `authorityMetadata` / `cloudDiscoveryMetadata` / `knownAuthorities` so MSAL does no discovery calls, and
 *  - `networkClient` (MSAL `system.networkClient`) that rewrites https://alias/… to the loopback HTTP server and
 *    adds X-Forwarded-Proto/Host like a TLS-terminating proxy, so assertion audiences and discovery documents
 *    keep using the https alias.
 * `toLoopback` maps the authorize URL MSAL hands to `openBrowser` onto the real server.
 * Structural types only: this module does not import msal-node.
 */
import { SANDBOX_TENANT_ID } from '../directory';

export interface NetworkRequestOptions {
  headers?: Record<string, string>;
  body?: string;
}
export interface NetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}
/** Same shape as msal-common's INetworkModule. */
export interface NetworkClient {
  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>>;
  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>>;
}

export interface HttpsAliasBridge {
  /** https authority to configure MSAL with. */
  authority: string;
  knownAuthorities: string[];
  /** JSON string for MSAL `auth.authorityMetadata`. */
  authorityMetadata: string;
  /** JSON string for MSAL `auth.cloudDiscoveryMetadata`. */
  cloudDiscoveryMetadata: string;
  networkClient: NetworkClient;
  /** Map an https alias URL onto the loopback server (identity for other URLs). */
  toLoopback(url: string): string;
}

export const DEFAULT_ALIAS_HOST = 'login.sandbox.localhost';

export function httpsAliasBridge(identityUrl: string, opts: { host?: string; tenantId?: string; fetch?: typeof fetch } = {}): HttpsAliasBridge {
  const host = opts.host ?? DEFAULT_ALIAS_HOST;
  const tenantId = opts.tenantId ?? SANDBOX_TENANT_ID;
  const aliasOrigin = `https://${host}`;
  const target = new URL(identityUrl);
  const doFetch = opts.fetch ?? fetch;
  const authority = `${aliasOrigin}/${tenantId}`;

  const toLoopback = (url: string): string => {
    const u = new URL(url);
    if (u.origin !== aliasOrigin) return url;
    return `${target.origin}${u.pathname}${u.search}`;
  };

  async function send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const mapped = toLoopback(url);
    const headers: Record<string, string> = { ...(options?.headers ?? {}) };
    if (mapped !== url) {
      headers['x-forwarded-proto'] = 'https';
      headers['x-forwarded-host'] = host;
    }
    const signal = timeout ? AbortSignal.timeout(timeout) : undefined;
    const res = await doFetch(mapped, { method, headers, body: method === 'POST' ? (options?.body ?? '') : undefined, signal });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      throw new Error(`The sandbox identity service answered ${method} ${mapped} with HTTP ${res.status} and a non-JSON body; is the sandbox running on ${target.origin}?`);
    }
    const outHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      outHeaders[k] = v;
    });
    return { headers: outHeaders, body: body as T, status: res.status };
  }

  const ep = (path: string) => `${authority}/${path}`;
  return {
    authority,
    knownAuthorities: [host],
    authorityMetadata: JSON.stringify({
      token_endpoint: ep('oauth2/v2.0/token'),
      authorization_endpoint: ep('oauth2/v2.0/authorize'),
      device_authorization_endpoint: ep('oauth2/v2.0/devicecode'),
      end_session_endpoint: ep('oauth2/v2.0/logout'),
      jwks_uri: ep('discovery/v2.0/keys'),
      issuer: `${authority}/v2.0`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
    }),
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    }),
    networkClient: {
      sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) => send<T>('GET', url, options, timeout),
      sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('POST', url, options),
    },
    toLoopback,
  };
}
