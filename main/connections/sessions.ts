import type { AuthStatus, ConnectionProfile, DeviceCodeInfo } from '../../preload/contract/core/connections';
import { AuthStatusSchema, DeviceCodeInfoSchema } from '../../preload/contract/core/connections';
import type { Auth, AuthTarget, TokenResult } from '../auth/port';
import { authorityFor, scopesFor, type Flow } from '../auth/scopes';
import type { TokenProvider } from '../http/client';
import type { Browser, Clock, Logger } from '../ports';
import { systemClock } from '../ports';
import { AppFailure } from '../rpc/errors';
import { isAppFlow, isUserFlow } from './model';
import type { ConnectionStore } from './store';

/** Status events leave through this port (the lead wires it to EventBus.emit). */
export type ConnectionEventEmitter = {
  (name: 'auth.status', payload: AuthStatus): void;
  (name: 'auth.deviceCode', payload: DeviceCodeInfo): void;
};

export interface SessionDeps {
  store: ConnectionStore;
  auth: Auth;
  browser: Browser;
  emit: ConnectionEventEmitter;
  logger: Logger;
  clock?: Clock;
  interactiveTimeoutMs?: number;
  deviceCodeTimeoutMs?: number;
}

/**
 * Sign-in state per profile: sign-in/cancel/sign-out, silent token acquisition for service clients, and the
 * auth.status events. An expired sign-in turns into state "auth-required" (the renderer shows a Reconnect banner)
 * and is never answered by opening a browser on its own: only auth.signIn starts an interactive flow.
 */
export class SessionService {
  private readonly statuses = new Map<string, AuthStatus>();
  private readonly inflight = new Map<string, AbortController>();
  private readonly clock: Clock;

  constructor(private readonly deps: SessionDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  target(profile: ConnectionProfile, flow: Flow): AuthTarget {
    if (!profile.app) throw new AppFailure('CONNECTION_INVALID', 'This connection has no app registration. Edit the profile and enter the client id and tenant.');
    return { authority: authorityFor(profile.app.authorityHost, profile.app.tenantId), clientId: profile.app.clientId, scopes: scopesFor(profile.kind, profile.url, flow) };
  }

  /** Current status; for profiles not touched in this run it is derived from the cache without network calls. */
  async status(profileId: string): Promise<AuthStatus> {
    const known = this.statuses.get(profileId);
    if (known) return this.withExpiry(known);
    const { profile, homeAccountId } = await this.deps.store.get(profileId);
    let account: AuthStatus['account'] = null;
    if (isUserFlow(profile.authMethod) && homeAccountId && profile.app) {
      const found = (await this.deps.auth.accounts(this.target(profile, 'delegated')).catch(() => [])).find((a) => a.homeAccountId === homeAccountId);
      if (found) account = { username: found.username, name: found.name };
    }
    return this.make(profileId, account ? 'signed-in' : 'signed-out', { account });
  }

  async statusAll(): Promise<AuthStatus[]> {
    const profiles = await this.deps.store.list();
    return Promise.all(profiles.map((p) => this.status(p.id)));
  }

  async signIn(profileId: string, method?: 'interactive' | 'deviceCode'): Promise<AuthStatus> {
    if (this.inflight.has(profileId)) throw new AppFailure('AUTH_IN_PROGRESS', 'A sign-in for this connection is already in progress. Finish it in the browser or cancel it first.');
    // Claimed before the first await, so a double click cannot start two browser flows.
    const controller = new AbortController();
    this.inflight.set(profileId, controller);
    try {
      const { profile } = await this.deps.store.get(profileId);
      this.set(this.make(profileId, 'signing-in', { account: this.statuses.get(profileId)?.account ?? null }));
      let result: TokenResult | null = null;
      let account: AuthStatus['account'] = null;
      if (profile.authMethod === 'bc-access-key') {
        await this.basicHeader(profile);
        account = { username: profile.userName ?? '', name: null };
      } else if (isAppFlow(profile.authMethod)) {
        result = await this.deps.auth.acquireForApp(this.target(profile, 'app'), await this.appCredential(profile), { forceRefresh: true });
        account = { username: profile.app!.clientId, name: appDisplayName(result.accessToken) };
      } else {
        const useDeviceCode = method ? method === 'deviceCode' : profile.authMethod === 'device-code';
        const target = this.target(profile, 'delegated');
        result = useDeviceCode
          ? await this.deps.auth.signInDeviceCode(target, {
              signal: controller.signal,
              timeoutMs: this.deps.deviceCodeTimeoutMs,
              onCode: (p) =>
                this.deps.emit('auth.deviceCode', DeviceCodeInfoSchema.parse({ profileId, userCode: p.userCode, verificationUri: p.verificationUri, expiresAt: p.expiresAt.toISOString(), message: p.message })),
            })
          : await this.deps.auth.signInInteractive(target, {
              signal: controller.signal,
              timeoutMs: this.deps.interactiveTimeoutMs,
              loginHint: profile.userName ?? undefined,
              preferredPort: loopbackPort(profile.app?.redirectUri ?? null),
              openBrowser: (url) => this.deps.browser.openExternal(url),
            });
        if (!result.account) throw new AppFailure('AUTH_FAILED', 'The identity service signed in without returning an account.');
        this.deps.store.setHomeAccount(profileId, result.account.homeAccountId);
        account = { username: result.account.username, name: result.account.name };
      }
      this.deps.store.touch(profileId);
      return this.set(this.make(profileId, 'signed-in', { account, result }));
    } catch (x) {
      const failure = x instanceof AppFailure ? x : new AppFailure('AUTH_FAILED', 'Sign-in failed. The details were written to the log.');
      if (failure.code === 'CONNECTION_NOT_FOUND') throw failure;
      if (!(x instanceof AppFailure)) this.deps.logger.error('sign-in failed', x);
      const state = failure.code === 'AUTH_CANCELLED' ? 'signed-out' : failure.code === 'AUTH_REQUIRED' ? 'auth-required' : 'error';
      this.set(this.make(profileId, state, { error: failure }));
      throw failure;
    } finally {
      this.inflight.delete(profileId);
    }
  }

  cancel(profileId: string): boolean {
    const c = this.inflight.get(profileId);
    if (!c) return false;
    c.abort();
    return true;
  }

  async signOut(profileId: string): Promise<AuthStatus> {
    this.cancel(profileId);
    const { profile, homeAccountId } = await this.deps.store.get(profileId);
    if (homeAccountId && profile.app && isUserFlow(profile.authMethod)) {
      const target = this.target(profile, 'delegated');
      await this.deps.auth.signOut(target, homeAccountId);
      // Profiles sharing this account in the same app cache lost their tokens too: say so rather than fail later.
      for (const other of this.deps.store.profilesUsingAccount(homeAccountId)) {
        const o = await this.deps.store.find(other);
        if (!o?.profile.app) continue;
        const ot = this.target(o.profile, 'delegated');
        if (ot.clientId.toLowerCase() === target.clientId.toLowerCase() && ot.authority.toLowerCase() === target.authority.toLowerCase()) {
          this.deps.store.setHomeAccount(other, null);
          if (other !== profileId) this.set(this.make(other, 'signed-out', {}));
        }
      }
    }
    return this.set(this.make(profileId, 'signed-out', {}));
  }

  forget(profileId: string): void {
    this.cancel(profileId);
    this.statuses.delete(profileId);
  }

  /** Authorization header source for one profile, used by HttpClient. Never prompts. */
  tokenProvider(profileId: string): TokenProvider {
    return { authorization: ({ forceRefresh }) => this.authorization(profileId, forceRefresh) };
  }

  async authorization(profileId: string, forceRefresh = false): Promise<string> {
    const { profile, homeAccountId } = await this.deps.store.get(profileId);
    if (profile.authMethod === 'bc-access-key') return this.basicHeader(profile);
    try {
      let result: TokenResult;
      if (isAppFlow(profile.authMethod)) {
        result = await this.deps.auth.acquireForApp(this.target(profile, 'app'), await this.appCredential(profile), { forceRefresh });
      } else {
        if (!homeAccountId) throw new AppFailure('AUTH_REQUIRED', `You have not signed in to "${profile.name}" yet. Use "Sign in".`, { reason: 'not-signed-in' });
        result = await this.deps.auth.acquireSilent(this.target(profile, 'delegated'), homeAccountId, { forceRefresh });
      }
      const prev = this.statuses.get(profileId);
      const account = result.account ? { username: result.account.username, name: result.account.name } : (prev?.account ?? { username: profile.app!.clientId, name: appDisplayName(result.accessToken) });
      if (!prev || prev.state !== 'signed-in' || prev.expiresAt !== (result.expiresOn?.toISOString() ?? null)) {
        this.set(this.make(profileId, 'signed-in', { account, result }));
      }
      return `Bearer ${result.accessToken}`;
    } catch (x) {
      const failure = x instanceof AppFailure ? x : new AppFailure('AUTH_FAILED', 'Getting a token failed. The details were written to the log.');
      const state = failure.code === 'AUTH_REQUIRED' ? 'auth-required' : 'error';
      const prev = this.statuses.get(profileId);
      if (!prev || prev.state !== state || prev.error?.code !== failure.code) this.set(this.make(profileId, state, { account: prev?.account ?? null, error: failure }));
      throw failure;
    }
  }

  private async basicHeader(profile: ConnectionProfile): Promise<string> {
    const key = await this.deps.store.readSecret(profile.id, 'accessKey');
    if (!key) throw new AppFailure('CONNECTION_SECRET_MISSING', `Enter the web service access key for ${profile.userName ?? 'the user'} on "${profile.name}".`, { slot: 'accessKey' });
    return `Basic ${Buffer.from(`${profile.userName ?? ''}:${key}`, 'utf8').toString('base64')}`;
  }

  private async appCredential(profile: ConnectionProfile) {
    if (profile.authMethod === 'client-secret') {
      const secret = await this.deps.store.readSecret(profile.id, 'clientSecret');
      if (!secret) throw new AppFailure('CONNECTION_SECRET_MISSING', `Enter the client secret on "${profile.name}".`, { slot: 'clientSecret' });
      return { kind: 'secret' as const, clientSecret: secret };
    }
    const pem = await this.deps.store.readSecret(profile.id, 'certificatePem');
    if (!pem) throw new AppFailure('CONNECTION_SECRET_MISSING', `Paste the certificate (PEM with private key) on "${profile.name}".`, { slot: 'certificatePem' });
    return { kind: 'certificate' as const, pem, thumbprint: profile.certificateThumbprint };
  }

  private make(
    profileId: string,
    state: AuthStatus['state'],
    o: { account?: AuthStatus['account']; result?: TokenResult | null; error?: AppFailure },
  ): AuthStatus {
    const expires = o.result?.expiresOn ?? null;
    return {
      profileId,
      state,
      account: o.account ?? null,
      expiresAt: expires ? expires.toISOString() : null,
      expiresInSeconds: expires ? Math.max(0, Math.round((expires.getTime() - this.clock.now()) / 1000)) : null,
      scopes: o.result?.scopes ?? [],
      error: o.error ? o.error.toData() : null,
      at: new Date(this.clock.now()).toISOString(),
    };
  }

  private withExpiry(s: AuthStatus): AuthStatus {
    if (!s.expiresAt) return s;
    return { ...s, expiresInSeconds: Math.max(0, Math.round((Date.parse(s.expiresAt) - this.clock.now()) / 1000)) };
  }

  private set(s: AuthStatus): AuthStatus {
    const parsed = AuthStatusSchema.parse(s);
    this.statuses.set(s.profileId, parsed);
    this.deps.emit('auth.status', parsed);
    return parsed;
  }
}

/**
 * The app's display name from an application token's `app_displayname` claim (Entra puts it in access tokens, and
 * so does the sandbox), so "Signed in as" names the app rather than a GUID. Display only: the token is not
 * verified here (the service it is sent to does that), and nothing else is read from it.
 */
export function appDisplayName(accessToken: string): string | null {
  const payload = accessToken.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { app_displayname?: unknown };
    return typeof claims.app_displayname === 'string' && claims.app_displayname.trim() ? claims.app_displayname.trim().slice(0, 200) : null;
  } catch {
    return null;
  }
}

/** `http://localhost:3874` → 3874: apps registered with a fixed loopback port need MSAL to listen on it. */
export function loopbackPort(redirectUri: string | null): number | undefined {
  if (!redirectUri) return undefined;
  try {
    const u = new URL(redirectUri);
    if (u.protocol !== 'http:' || !['localhost', '127.0.0.1'].includes(u.hostname) || !u.port) return undefined;
    return Number(u.port);
  } catch {
    return undefined;
  }
}
