import {
  ConfidentialClientApplication,
  LogLevel,
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type Configuration,
  type DeviceCodeRequest,
} from '@azure/msal-node';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { redact } from '../platform/logger';
import type { Clock, Logger, SecretStore } from '../ports';
import { systemClock } from '../ports';
import { AppFailure } from '../rpc/errors';
import { cacheSecretName, SecretStoreCachePlugin } from './cache-plugin';
import { mapAuthError } from './errors';
import { LoopbackNetworkClient, offlineAuthorityMetadata, rewrite, checkRoute, type AuthorityRoute, type FetchFn } from './network';
import type { AppCredential, Auth, AuthAccount, AuthTarget, DeviceCodeOptions, InteractiveOptions, TokenResult } from './port';

export interface MsalAuthOptions {
  secrets: SecretStore;
  logger: Logger;
  /** https authority hosts answered by a loopback service (the sandbox); nothing else is rerouted. */
  routes?: AuthorityRoute[];
  fetch?: FetchFn;
  clock?: Clock;
}

const SUCCESS_PAGE = '<!doctype html><meta charset="utf-8"><title>Signed in</title><h1>Signed in to Integration Console</h1><p>You can close this tab and return to the console.</p>';
const ERROR_PAGE = '<!doctype html><meta charset="utf-8"><title>Sign-in failed</title><h1>Sign-in did not complete</h1><p>Return to Integration Console for details.</p>';

/**
 * Auth over @azure/msal-node 7.x (pinned major). One PublicClientApplication per app registration
 * (client id + authority), each with its own encrypted cache; confidential clients are kept per credential and
 * cached in memory only (client credentials have no refresh token; re-acquiring is cheap).
 */
export class MsalAuth implements Auth {
  private readonly pcas = new Map<string, PublicClientApplication>();
  private readonly ccas = new Map<string, ConfidentialClientApplication>();
  private readonly routes: AuthorityRoute[];
  private readonly clock: Clock;

  constructor(private readonly opts: MsalAuthOptions) {
    this.routes = (opts.routes ?? []).map(checkRoute);
    this.clock = opts.clock ?? systemClock;
  }

  private baseConfig(authority: string, clientId: string): Configuration {
    const routed = rewrite(this.routes, authority) !== null;
    const log = this.opts.logger;
    return {
      auth: { clientId, authority, ...(routed ? offlineAuthorityMetadata(authority) : {}) },
      system: {
        ...(routed ? { networkClient: new LoopbackNetworkClient(this.routes, this.opts.fetch) } : {}),
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message, containsPii) => {
            if (containsPii) return;
            const line = `msal: ${redact(message)}`;
            if (level === LogLevel.Error) log.error(line);
            else if (level === LogLevel.Warning) log.warn(line);
          },
        },
      },
    };
  }

  private requireEncryption(): void {
    const s = this.opts.secrets.status();
    if (!s.available) {
      throw new AppFailure(
        'AUTH_CACHE_UNAVAILABLE',
        `Sign-in is switched off because tokens cannot be stored encrypted on this computer: ${s.reason ?? 'no encryption available'}. Nothing was saved in plain text. Set up the system key store (e.g. install/unlock a secret service on Linux) and restart the console.`,
      );
    }
  }

  private pca(target: Pick<AuthTarget, 'authority' | 'clientId'>): PublicClientApplication {
    const key = `${target.clientId.toLowerCase()}|${target.authority.toLowerCase()}`;
    let app = this.pcas.get(key);
    if (!app) {
      const plugin = new SecretStoreCachePlugin(this.opts.secrets, cacheSecretName(target.clientId, target.authority), this.opts.logger);
      app = new PublicClientApplication({ ...this.baseConfig(target.authority, target.clientId), cache: { cachePlugin: plugin } });
      this.pcas.set(key, app);
    }
    return app;
  }

  async signInInteractive(target: AuthTarget, opts: InteractiveOptions): Promise<TokenResult> {
    this.requireEncryption();
    const app = this.pca(target);
    const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
    // MSAL's loopback listener has no cancel API. We learn its redirect_uri and state from the authorize URL and,
    // to cancel or time out, deliver an OAuth error to it ourselves: the listener settles and closes its port.
    // Refs (not lets) because they change inside callbacks TypeScript's narrowing cannot see.
    const pending: { value: { redirectUri: string; state: string } | null } = { value: null };
    const stop: { value: AppFailure | null } = { value: null };
    const settle = async (code: string, message: string) => {
      if (stop.value) return;
      stop.value = new AppFailure(code, message);
      if (pending.value) await deliverError(pending.value, this.opts.fetch);
    };
    const onAbort = () => void settle('AUTH_CANCELLED', 'Sign-in was cancelled.');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    const timer = setTimeout(
      () => void settle('AUTH_TIMEOUT', `Sign-in was not completed in the browser within ${Math.round(timeoutMs / 60_000) || 1} minute(s). Start it again when you are ready.`),
      timeoutMs,
    );
    try {
      const result = await app.acquireTokenInteractive({
        scopes: target.scopes,
        successTemplate: SUCCESS_PAGE,
        errorTemplate: ERROR_PAGE,
        ...(opts.loginHint ? { loginHint: opts.loginHint } : {}),
        ...(opts.preferredPort ? { preferredPort: opts.preferredPort } : {}),
        openBrowser: async (url) => {
          const u = new URL(url);
          pending.value = { redirectUri: u.searchParams.get('redirect_uri') ?? '', state: u.searchParams.get('state') ?? '' };
          if (stop.value) {
            await deliverError(pending.value, this.opts.fetch);
            return;
          }
          await opts.openBrowser(rewrite(this.routes, url) ?? url);
        },
      });
      if (stop.value) throw stop.value;
      return toResult(result);
    } catch (x) {
      throw stop.value ?? mapAuthError(x);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  async signInDeviceCode(target: AuthTarget, opts: DeviceCodeOptions): Promise<TokenResult> {
    this.requireEncryption();
    const app = this.pca(target);
    const request: DeviceCodeRequest = {
      scopes: target.scopes,
      timeout: Math.ceil((opts.timeoutMs ?? 15 * 60_000) / 1000),
      deviceCodeCallback: (r) =>
        opts.onCode({ userCode: r.userCode, verificationUri: rewrite(this.routes, r.verificationUri) ?? r.verificationUri, expiresAt: new Date(this.clock.now() + r.expiresIn * 1000), message: r.message }),
    };
    // MSAL notices `cancel` only at its next poll; racing the abort makes the UI respond at once.
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => {
        request.cancel = true;
        reject(new AppFailure('AUTH_CANCELLED', 'Sign-in was cancelled.'));
      };
      if (opts.signal?.aborted) onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      const result = await Promise.race([app.acquireTokenByDeviceCode(request), aborted]);
      if (!result) throw new AppFailure('AUTH_FAILED', 'Device code sign-in ended without a token.');
      return toResult(result);
    } catch (x) {
      if (x instanceof AppFailure) throw x;
      const code = (x as { errorCode?: string }).errorCode;
      if (code === 'device_code_polling_cancelled') throw new AppFailure('AUTH_CANCELLED', 'Sign-in was cancelled.');
      if (code === 'user_timeout_reached' || code === 'device_code_expired') {
        throw new AppFailure('AUTH_DEVICE_CODE_EXPIRED', 'The device code expired before the sign-in was approved. Start the device code sign-in again.');
      }
      throw mapAuthError(x);
    }
  }

  async acquireSilent(target: AuthTarget, homeAccountId: string, opts: { forceRefresh?: boolean } = {}): Promise<TokenResult> {
    this.requireEncryption();
    const app = this.pca(target);
    const account = await app.getTokenCache().getAccountByHomeId(homeAccountId);
    if (!account) throw new AppFailure('AUTH_REQUIRED', 'You are not signed in for this connection (no saved sign-in found). Use "Sign in".', { reason: 'not-signed-in' });
    try {
      return toResult(await app.acquireTokenSilent({ account, scopes: target.scopes, forceRefresh: opts.forceRefresh ?? false }));
    } catch (x) {
      throw mapAuthError(x);
    }
  }

  async acquireForApp(target: AuthTarget, credential: AppCredential, opts: { forceRefresh?: boolean } = {}): Promise<TokenResult> {
    const auth = credential.kind === 'secret' ? { clientSecret: credential.clientSecret } : { clientCertificate: certificateCredential(credential.pem, credential.thumbprint, this.clock.now()) };
    // Key on a hash of the credential so a changed secret gets a fresh client (and no stale cached token).
    const fp = createHash('sha256').update(JSON.stringify(auth)).digest('hex').slice(0, 16);
    const key = `${target.clientId.toLowerCase()}|${target.authority.toLowerCase()}|${fp}`;
    let app = this.ccas.get(key);
    if (!app) {
      for (const k of this.ccas.keys()) if (k.startsWith(`${target.clientId.toLowerCase()}|${target.authority.toLowerCase()}|`)) this.ccas.delete(k);
      const base = this.baseConfig(target.authority, target.clientId);
      app = new ConfidentialClientApplication({ ...base, auth: { ...base.auth, ...auth } });
      this.ccas.set(key, app);
    }
    try {
      const result = await app.acquireTokenByClientCredential({ scopes: target.scopes, skipCache: opts.forceRefresh ?? false });
      if (!result) throw new AppFailure('AUTH_FAILED', 'The identity service returned no token for the app.');
      return toResult(result);
    } catch (x) {
      throw mapAuthError(x);
    }
  }

  async signOut(target: Pick<AuthTarget, 'authority' | 'clientId'>, homeAccountId: string): Promise<void> {
    const app = this.pca(target);
    const cache = app.getTokenCache();
    const account = await cache.getAccountByHomeId(homeAccountId);
    // removeAccount drops the account with its id, access and refresh tokens; the plugin then rewrites the blob.
    if (account) await cache.removeAccount(account);
  }

  async accounts(target: Pick<AuthTarget, 'authority' | 'clientId'>): Promise<AuthAccount[]> {
    const all = await this.pca(target).getTokenCache().getAllAccounts();
    return all.map(toAccount);
  }
}

function toAccount(a: AccountInfo): AuthAccount {
  return { homeAccountId: a.homeAccountId, username: a.username, name: a.name ?? null, tenantId: a.tenantId };
}

function toResult(r: AuthenticationResult): TokenResult {
  return { accessToken: r.accessToken, expiresOn: r.expiresOn ?? null, scopes: r.scopes, account: r.account ? toAccount(r.account) : null };
}

/** Post an OAuth error to MSAL's loopback listener (http://localhost:<port>/) so a pending sign-in stops. */
async function deliverError(p: { redirectUri: string; state: string }, fetchImpl?: FetchFn): Promise<void> {
  if (!p.redirectUri || !p.state) return;
  const url = new URL(p.redirectUri);
  if (!['localhost', '127.0.0.1'].includes(url.hostname)) return;
  url.hostname = '127.0.0.1'; // MSAL listens on 127.0.0.1 but advertises "localhost"
  const body = new URLSearchParams({ error: 'access_denied', error_description: 'cancelled by the console', state: p.state }).toString();
  const f = fetchImpl ?? ((u: string, i: Parameters<FetchFn>[1]) => fetch(u, i));
  try {
    await f(url.toString(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(5000) });
  } catch {
    // the listener may already be gone; nothing to stop then
  }
}

/**
 * msal-node wants the PEM private key plus a thumbprint. We accept one PEM that holds the key and (ideally) the
 * certificate: with the certificate we can refuse an expired one before asking Entra, and compute the thumbprint.
 */
export function certificateCredential(pem: string, thumbprint: string | null, now: number): { privateKey: string; thumbprintSha256?: string; thumbprint?: string; x5c?: string } {
  const keyMatch = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(pem);
  if (!keyMatch) throw new AppFailure('AUTH_CERTIFICATE_INVALID', 'The certificate PEM has no private key. Paste a PEM that contains "-----BEGIN PRIVATE KEY-----" (export the key with the certificate).');
  if (/ENCRYPTED PRIVATE KEY/.test(keyMatch[0])) {
    throw new AppFailure('AUTH_CERTIFICATE_INVALID', 'The private key is password-protected. Export it without a password (openssl pkcs8 -nocrypt) and paste it again.');
  }
  let privateKey: string;
  try {
    privateKey = createPrivateKey(keyMatch[0]).export({ format: 'pem', type: 'pkcs8' }).toString();
  } catch {
    throw new AppFailure('AUTH_CERTIFICATE_INVALID', 'The private key in the PEM could not be read. Paste the PEM exactly as exported.');
  }
  const certMatch = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  let sha256: string | undefined;
  let sha1: string | undefined;
  let x5c: string | undefined;
  if (certMatch) {
    const cert = new X509Certificate(certMatch[0]);
    if (Date.parse(cert.validTo) < now) {
      throw new AppFailure('AUTH_CERTIFICATE_EXPIRED', `The certificate expired on ${new Date(cert.validTo).toISOString().slice(0, 10)}. Create a new certificate, upload it to the app registration and save it on the profile.`, { validTo: cert.validTo });
    }
    if (Date.parse(cert.validFrom) > now) {
      throw new AppFailure('AUTH_CERTIFICATE_INVALID', `The certificate is not valid before ${cert.validFrom}. If that is wrong, check the computer clock.`);
    }
    sha256 = cert.fingerprint256.replace(/:/g, '').toLowerCase();
    sha1 = cert.fingerprint.replace(/:/g, '').toLowerCase();
    x5c = certMatch[0];
  }
  const given = thumbprint?.replace(/[\s:]/g, '').toLowerCase();
  if (given && (sha256 || sha1) && given !== sha256 && given !== sha1) {
    throw new AppFailure('AUTH_CERTIFICATE_INVALID', 'The thumbprint on the profile does not belong to the certificate in the PEM. Correct the thumbprint or paste the matching certificate.');
  }
  if (sha256) return { privateKey, thumbprintSha256: sha256, x5c };
  if (given?.length === 64) return { privateKey, thumbprintSha256: given };
  if (given?.length === 40) return { privateKey, thumbprint: given };
  throw new AppFailure('AUTH_CERTIFICATE_INVALID', 'Enter the certificate thumbprint, or paste a PEM that also contains the certificate.');
}
