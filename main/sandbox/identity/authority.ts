/**
 * The sandbox authority's logic, free of HTTP: key material, the grants (client credentials with secret or
 * certificate assertion, authorization code + PKCE, device code, refresh token), token minting and the
 * `Authenticate` port that resource servers use. State (codes, device codes, refresh tokens) lives in memory on
 * purpose: the signing key is generated at start, so tokens and codes cannot outlive the process anyway.
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Authenticate, AuthFailure, SandboxPrincipal } from '../auth';
import type { SandboxClient, SandboxUser } from '../directory';
import { SANDBOX_CLIENTS, SANDBOX_TENANT_DOMAIN, SANDBOX_TENANT_ID, SANDBOX_USERS, findUserByUsername } from '../directory';
import { AAD, AadError } from './errors';
import { b64url, certificateThumbprints, decodeJwt, publicKeyFromPem, signJwt, verifySignature } from './jwt';
import type { ParsedScopes, ResourceDefinition } from './scopes';
import { grantedDelegated, parseScopes, resourceDefinition } from './scopes';

/** Accepted difference between the authority's and the resource's clocks (Entra resources use 5 minutes). */
export const CLOCK_TOLERANCE_SECONDS = 300;
const AUTH_CODE_LIFETIME_SECONDS = 600;

export const identityKnobsSchema = z.object({
  /** Shift iat/nbf/exp of issued tokens by this many seconds (simulates a wrong clock on one side). */
  clockSkewSeconds: z.number().int().min(-86_400).max(86_400),
  /** Client ids for which no user has consented: delegated grants fail with AADSTS65001. */
  consentMissing: z.array(z.string()),
  /** Usernames treated as disabled in addition to directory.ts (AADSTS50057). */
  disabledUsers: z.array(z.string()),
  /** Usernames blocked by a Conditional Access policy (AADSTS53003); "*" blocks every user. */
  conditionalAccessBlocked: z.array(z.string()),
  /** Usernames whose non-interactive token requests need MFA (interaction_required, AADSTS50076); "*" = every user. */
  mfaRequired: z.array(z.string()),
  tokenLifetimeSeconds: z.number().int().min(1).max(86_400),
  refreshTokenLifetimeSeconds: z.number().int().min(1).max(90 * 86_400),
  deviceCodeLifetimeSeconds: z.number().int().min(1).max(3600),
  deviceCodeIntervalSeconds: z.number().int().min(1).max(60),
});
export type IdentityKnobs = z.infer<typeof identityKnobsSchema>;
export const identityKnobsPatchSchema = identityKnobsSchema.partial().strict();

export const DEFAULT_IDENTITY_KNOBS: IdentityKnobs = {
  clockSkewSeconds: 0,
  consentMissing: [],
  disabledUsers: [],
  conditionalAccessBlocked: [],
  mfaRequired: [],
  tokenLifetimeSeconds: 3599,
  refreshTokenLifetimeSeconds: 90 * 86_400,
  deviceCodeLifetimeSeconds: 900,
  deviceCodeIntervalSeconds: 5,
};

export interface TokenResponse {
  token_type: 'Bearer';
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

export interface DeviceCodeResponse {
  user_code: string;
  device_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
  message: string;
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  challenge?: string;
  challengeMethod?: string;
  nonce?: string;
  user: SandboxUser;
  expiresAt: number;
  redeemed: boolean;
}

interface DeviceCode {
  userCode: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  interval: number;
  lastPollAt?: number;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  user?: SandboxUser;
}

interface RefreshToken {
  user: SandboxUser;
  clientId: string;
  oidc: string[];
  expiresAt: number;
}

interface ClientKey {
  key: KeyObject;
  x5t?: string;
  x5tS256?: string;
}

export interface AuthorizeRequest {
  client: SandboxClient;
  redirectUri: string;
  responseMode: 'form_post' | 'query';
  state?: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  loginHint?: string;
}

const VERIFIED_CACHE_SIZE = 10_000;

export class SandboxAuthority {
  readonly tenantId = SANDBOX_TENANT_ID;
  readonly kid: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private knobs: IdentityKnobs;
  private readonly codes = new Map<string, AuthCode>();
  private readonly deviceCodes = new Map<string, DeviceCode>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly clientKeys = new Map<string, ClientKey[]>();
  private readonly extraResources = new Map<string, ResourceDefinition>();
  /**
   * Admin consent per confidential client and resource (client id → resource → granted application roles). A client
   * with no entry has every application role of the resource (the demo apps come pre-consented); an admin can revoke
   * and re-grant, as in Entra's "API permissions" blade, to reproduce a missing permission or consent.
   */
  private readonly consent = new Map<string, Map<string, string[]>>();
  /** Access tokens whose signature was verified (token → payload); bounded, cleared when full. */
  private readonly verified = new Map<string, Record<string, unknown>>();

  constructor(
    /** Base URL of the server (http://127.0.0.1:PORT). */
    readonly url: string,
    private readonly clock: () => number = Date.now,
    knobs: Partial<IdentityKnobs> = {},
  ) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = b64url(createHash('sha256').update(pair.publicKey.export({ type: 'spki', format: 'der' })).digest()).slice(0, 27);
    this.knobs = identityKnobsSchema.parse({ ...DEFAULT_IDENTITY_KNOBS, ...knobs });
  }

  get issuer(): string {
    return `${this.url}/${this.tenantId}/v2.0`;
  }

  getKnobs(): IdentityKnobs {
    return structuredClone(this.knobs);
  }

  /** Throws a ZodError for unknown keys or bad values. */
  setKnobs(patch: unknown): IdentityKnobs {
    this.knobs = identityKnobsSchema.parse({ ...this.knobs, ...identityKnobsPatchSchema.parse(patch) });
    return this.getKnobs();
  }

  /** Add a resource (audience) with its own permissions, e.g. a custom API. Loopback origins are always accepted. */
  registerResource(resource: string, def: ResourceDefinition): void {
    this.extraResources.set(resource.replace(/\/+$/, ''), def);
  }

  /** The application roles a client-credentials token for `resource` carries: what admin consent granted. */
  grantedAppRoles(clientId: string, resource: string, def: ResourceDefinition): string[] {
    return this.consent.get(clientId)?.get(resource) ?? def.appRoles;
  }

  /** The roles granted now to a client for a resource (for the admin API; unknown resource: none). */
  consentedRoles(clientId: string, resource: string): string[] {
    const key = resource.replace(/\/+$/, '');
    const def = resourceDefinition(key, this.extraResources);
    return def ? this.grantedAppRoles(clientId, key, def) : [];
  }

  /**
   * Set the admin-consented application roles of a confidential client for a resource (`null`: back to every role).
   * Throws for an unknown client, a public client, an unknown resource or a role the resource does not define.
   */
  setAppConsent(clientId: string, resource: string, roles: readonly string[] | null): { clientId: string; resource: string; roles: string[] } {
    const client = SANDBOX_CLIENTS.find((c) => c.clientId === clientId);
    if (!client) throw new Error(`No app registration with client id "${clientId}" in the sandbox directory.`);
    if (client.kind !== 'confidential') throw new Error(`App "${client.displayName}" is a public client; application permissions need a confidential client.`);
    const key = resource.replace(/\/+$/, '');
    const def = resourceDefinition(key, this.extraResources);
    if (!def) throw new Error(`Unknown resource "${resource}".`);
    const unknown = (roles ?? []).filter((r) => !def.appRoles.includes(r));
    if (unknown.length) throw new Error(`${key} has no application permission ${unknown.join(', ')}; it defines ${def.appRoles.join(', ') || 'none'}.`);
    const perClient = this.consent.get(clientId) ?? new Map<string, string[]>();
    if (roles === null) perClient.delete(key);
    else perClient.set(key, [...new Set(roles)]);
    this.consent.set(clientId, perClient);
    return { clientId, resource: key, roles: this.grantedAppRoles(clientId, key, def) };
  }

  /** Entra's admin consent: a tenant administrator grants every application permission the app requests for a resource. */
  grantAdminConsent(clientId: string, resource: string, admin: SandboxUser): { clientName: string; roles: string[] } {
    if (admin.kind !== 'admin') throw new AadError(403, 'access_denied', 90094, `AADSTS90094: ${admin.displayName} is not an administrator of this tenant. Granting application permissions requires a Global Administrator or Privileged Role Administrator.`);
    const client = SANDBOX_CLIENTS.find((c) => c.clientId === clientId);
    if (!client || client.kind !== 'confidential') throw AAD.unknownClient(clientId);
    return { clientName: client.displayName, roles: this.setAppConsent(clientId, resource, null).roles };
  }

  /**
   * Register a public key or X.509 certificate (PEM) for a confidential client, so it can authenticate with a
   * private_key_jwt client assertion. For a bare public key, pass the thumbprint the client will put in `x5t#S256`
   * (hex, as msal-node's `thumbprintSha256`) if several keys are registered; otherwise every key is tried.
   */
  registerClientCertificate(clientId: string, pem: string, thumbprintSha256Hex?: string): { x5t?: string; x5tS256?: string } {
    const client = SANDBOX_CLIENTS.find((c) => c.clientId === clientId);
    if (!client) throw new Error(`No app registration with client id "${clientId}" in the sandbox directory.`);
    if (client.kind !== 'confidential') throw new Error(`App "${client.displayName}" is a public client; only confidential clients hold certificates.`);
    const { key, certificateDer } = publicKeyFromPem(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`Only RSA keys are supported (got ${key.asymmetricKeyType ?? 'unknown'}).`);
    const entry: ClientKey = { key };
    if (certificateDer) Object.assign(entry, (({ x5t, x5tS256 }) => ({ x5t, x5tS256 }))(certificateThumbprints(certificateDer)));
    else if (thumbprintSha256Hex) entry.x5tS256 = b64url(Buffer.from(thumbprintSha256Hex, 'hex'));
    this.clientKeys.set(clientId, [...(this.clientKeys.get(clientId) ?? []), entry]);
    return { x5t: entry.x5t, x5tS256: entry.x5tS256 };
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', alg: 'RS256', kid: this.kid, n: jwk.n, e: jwk.e, issuer: this.issuer }] };
  }

  /** Entra v2 discovery document. For "common"/"organizations" the issuer keeps Entra's {tenantid} placeholder. */
  openIdConfiguration(tenantSegment: string, base = this.url): Record<string, unknown> {
    const t = tenantSegment;
    const issuerTenant = t === 'common' || t === 'organizations' ? '{tenantid}' : this.tenantId;
    return {
      token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/${t}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'oid', 'email'],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token', 'password', 'urn:ietf:params:oauth:grant-type:device_code'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'sandbox.localhost',
    };
  }

  /** True for the tenant id, the tenant domain and the multi-tenant aliases Entra accepts in the path. */
  isKnownTenant(segment: string): boolean {
    const s = segment.toLowerCase();
    return s === this.tenantId || s === SANDBOX_TENANT_DOMAIN || s === 'organizations' || s === 'common';
  }

  // ---------------------------------------------------------------------------------------------------------- sign-in

  /** Username + password check with the account-state failures Entra reports at sign-in. */
  signIn(username: string, password: string): SandboxUser {
    const user = findUserByUsername(username);
    if (!user || user.kind === 'application' || !user.password || !safeEqual(user.password, password)) throw AAD.badCredentials();
    this.checkAccount(user);
    return user;
  }

  private checkAccount(user: SandboxUser): void {
    const k = this.knobs;
    const name = user.username.toLowerCase();
    if (!user.accountEnabled || k.disabledUsers.some((d) => d.toLowerCase() === name)) throw AAD.userDisabled();
    if (k.conditionalAccessBlocked.some((d) => d === '*' || d.toLowerCase() === name)) throw AAD.conditionalAccess();
  }

  private checkConsent(client: SandboxClient): void {
    if (this.knobs.consentMissing.includes(client.clientId)) throw AAD.consentMissing(client.clientId, client.displayName);
  }

  // -------------------------------------------------------------------------------------------------------- authorize

  /**
   * Validate an authorize request in Entra's order: client and redirect URI first (failures are shown on the
   * authority's own page, since the redirect URI is not trusted yet), then the rest (failures go back to the app).
   */
  validateAuthorize(q: URLSearchParams): AuthorizeRequest {
    const clientId = q.get('client_id');
    if (!clientId) throw AAD.missingParameter('client_id');
    const client = findClient(clientId);
    if (!client) throw AAD.unknownClient(clientId);
    const redirectUri = q.get('redirect_uri') ?? client.redirectUris[0];
    if (!redirectUri || !redirectMatches(redirectUri, client.redirectUris)) throw AAD.redirectMismatch(redirectUri ?? '', clientId);
    const mode = q.get('response_mode');
    const method = q.get('code_challenge_method') ?? undefined;
    return {
      client,
      redirectUri,
      responseMode: mode === 'form_post' ? 'form_post' : 'query',
      state: q.get('state') ?? undefined,
      scope: q.get('scope') ?? '',
      nonce: q.get('nonce') ?? undefined,
      codeChallenge: q.get('code_challenge') ?? undefined,
      codeChallengeMethod: q.get('code_challenge') ? (method ?? 'plain') : undefined,
      loginHint: q.get('login_hint') ?? undefined,
    };
  }

  /** The checks whose failures are reported to the app's redirect URI. */
  checkAuthorizeParameters(q: URLSearchParams, req: AuthorizeRequest): void {
    if ((q.get('response_type') ?? '') !== 'code')
      throw new AadError(400, 'unsupported_response_type', 700054, `response_type '${q.get('response_type') ?? ''}' is not enabled for the application. The sandbox supports response_type=code.`);
    const mode = q.get('response_mode');
    if (mode !== null && mode !== 'form_post' && mode !== 'query')
      throw new AadError(400, 'invalid_request', 900144, `The response_mode '${mode}' is not supported by the sandbox; use form_post or query.`);
    const method = q.get('code_challenge_method');
    if (method !== null && method !== 'S256' && method !== 'plain')
      throw new AadError(400, 'invalid_request', 900144, `The code_challenge_method '${method}' is not supported; use S256.`);
    this.resolveResource(parseScopes(req.scope));
  }

  issueAuthCode(req: AuthorizeRequest, user: SandboxUser): string {
    this.sweep();
    const code = `1.${b64url(randomBytes(48))}`;
    this.codes.set(code, {
      clientId: req.client.clientId, redirectUri: req.redirectUri, scope: req.scope, challenge: req.codeChallenge,
      challengeMethod: req.codeChallengeMethod, nonce: req.nonce, user, expiresAt: this.now() + AUTH_CODE_LIFETIME_SECONDS, redeemed: false,
    });
    return code;
  }

  // ------------------------------------------------------------------------------------------------------ device code

  startDeviceCode(form: URLSearchParams, verificationUri: string): DeviceCodeResponse {
    this.sweep();
    const clientId = form.get('client_id');
    if (!clientId) throw AAD.missingParameter('client_id');
    const client = findClient(clientId);
    if (!client) throw AAD.unknownClient(clientId);
    // Device flow is a public-client flow; Entra rejects it for apps without "Allow public client flows".
    if (client.kind !== 'public') throw AAD.credentialRequired();
    const scope = form.get('scope') ?? '';
    const parsed = parseScopes(scope);
    this.resolveResource(parsed);
    const k = this.knobs;
    const userCode = randomUserCode();
    const deviceCode = `DAQABAAEAAA${b64url(randomBytes(96))}`;
    this.deviceCodes.set(deviceCode, {
      userCode, clientId, scope, expiresAt: this.now() + k.deviceCodeLifetimeSeconds, interval: k.deviceCodeIntervalSeconds, status: 'pending',
    });
    return {
      user_code: userCode, device_code: deviceCode, verification_uri: verificationUri, expires_in: k.deviceCodeLifetimeSeconds,
      interval: k.deviceCodeIntervalSeconds,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    };
  }

  private findDevice(userCode: string): DeviceCode {
    const wanted = userCode.replace(/[\s-]/g, '').toUpperCase();
    for (const d of this.deviceCodes.values()) {
      if (d.userCode === wanted) {
        if (d.expiresAt <= this.now()) throw new Error('This code has expired. Go back to the application and start signing in again to get a new code.');
        if (d.status !== 'pending') throw new Error('This code has already been used. Go back to the application and start signing in again.');
        return d;
      }
    }
    throw new Error(`The code "${userCode}" is not valid. Check the code shown in the application and try again.`);
  }

  /** The user typed the code and signed in (or an admin endpoint approved on their behalf). */
  approveDevice(userCode: string, user: SandboxUser): { clientName: string } {
    const d = this.findDevice(userCode);
    this.checkAccount(user);
    d.status = 'approved';
    d.user = user;
    return { clientName: findClient(d.clientId)?.displayName ?? d.clientId };
  }

  denyDevice(userCode: string): void {
    this.findDevice(userCode).status = 'denied';
  }

  pendingDeviceCodes(): { userCode: string; clientId: string; scope: string; expiresInSeconds: number }[] {
    const now = this.now();
    return [...this.deviceCodes.values()]
      .filter((d) => d.status === 'pending' && d.expiresAt > now)
      .map((d) => ({ userCode: d.userCode, clientId: d.clientId, scope: d.scope, expiresInSeconds: d.expiresAt - now }));
  }

  // ------------------------------------------------------------------------------------------------------------ token

  /**
   * The token endpoint. `tokenEndpoints` are the URLs a client assertion's `aud` may name (the loopback URL and any
   * https alias the caller reached us through).
   */
  token(form: URLSearchParams, authorization: string | undefined, tokenEndpoints: string[]): TokenResponse {
    this.sweep();
    const grant = form.get('grant_type');
    if (!grant) throw AAD.missingParameter('grant_type');
    const { client, acr } = this.authenticateClient(form, authorization, tokenEndpoints);
    switch (grant) {
      case 'client_credentials':
        return this.clientCredentials(client, acr, form);
      case 'authorization_code':
        return this.redeemCode(client, acr, form);
      case 'urn:ietf:params:oauth:grant-type:device_code':
      case 'device_code': // msal-node sends the short form, which Entra accepts
        return this.redeemDeviceCode(client, form);
      case 'refresh_token':
        return this.redeemRefreshToken(client, acr, form);
      case 'password':
        return this.resourceOwnerPassword(client, acr, form);
      default:
        throw AAD.unsupportedGrant(grant);
    }
  }

  /** appidacr: "0" public client, "1" client secret, "2" certificate. */
  private authenticateClient(form: URLSearchParams, authorization: string | undefined, tokenEndpoints: string[]): { client: SandboxClient; acr: '0' | '1' | '2' } {
    let clientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    if (authorization && /^basic /i.test(authorization)) {
      const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        clientId ??= decodeURIComponent(decoded.slice(0, i));
        secret ??= decodeURIComponent(decoded.slice(i + 1));
      }
    }
    const assertion = form.get('client_assertion') ?? undefined;
    if (!clientId && assertion) clientId = (decodeJwt(assertion)?.payload.sub as string | undefined) ?? undefined;
    if (!clientId) throw AAD.missingParameter('client_id');
    const client = findClient(clientId);
    if (!client) throw AAD.unknownClient(clientId);
    if (client.kind === 'public') {
      if (secret || assertion) throw AAD.publicClientWithSecret();
      return { client, acr: '0' };
    }
    if (assertion) {
      this.verifyClientAssertion(client, assertion, form.get('client_assertion_type'), tokenEndpoints);
      return { client, acr: '2' };
    }
    if (!secret) throw AAD.credentialRequired();
    if (!client.clientSecret || !safeEqual(client.clientSecret, secret)) throw AAD.invalidSecret(client.clientId);
    return { client, acr: '1' };
  }

  private verifyClientAssertion(client: SandboxClient, assertion: string, type: string | null, tokenEndpoints: string[]): void {
    if (type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      throw new AadError(400, 'invalid_request', 50027, "client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.");
    const jwt = decodeJwt(assertion);
    if (!jwt) throw AAD.invalidAssertion('the client_assertion is not a signed JWT (header.payload.signature).');
    const keys = this.clientKeys.get(client.clientId) ?? [];
    const x5tS256 = jwt.header['x5t#S256'];
    const x5t = jwt.header.x5t;
    // A thumbprint in the header selects the key; keys registered without one are candidates for any assertion.
    const candidates = keys.filter((k) => (!k.x5t && !k.x5tS256) || (x5tS256 && k.x5tS256 === x5tS256) || (x5t && k.x5t === x5t));
    if (candidates.length === 0) throw AAD.certificateNotRegistered(client.clientId);
    if (!candidates.some((k) => verifySignature(jwt, k.key))) throw AAD.invalidAssertion('the signature does not verify with the certificate registered for the app.');
    const p = jwt.payload;
    if (p.iss !== client.clientId || p.sub !== client.clientId) throw AAD.invalidAssertion(`iss and sub must both be the client id '${client.clientId}'.`);
    const aud = typeof p.aud === 'string' ? p.aud : '';
    const normalized = (u: string) => u.replace(/\/+$/, '').toLowerCase();
    if (!tokenEndpoints.some((t) => normalized(t) === normalized(aud)))
      throw AAD.invalidAssertion(`the audience '${aud}' is not this token endpoint (${tokenEndpoints[0] ?? ''}).`);
    const now = this.clock() / 1000;
    if (typeof p.exp !== 'number' || p.exp + CLOCK_TOLERANCE_SECONDS < now) throw new AadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    if (typeof p.nbf === 'number' && p.nbf - CLOCK_TOLERANCE_SECONDS > now) throw new AadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
  }

  private clientCredentials(client: SandboxClient, acr: '0' | '1' | '2', form: URLSearchParams): TokenResponse {
    if (client.kind === 'public') throw AAD.credentialRequired();
    const scope = form.get('scope') ?? '';
    const parsed = parseScopes(scope);
    if (parsed.resourceScopes.length === 0 || parsed.permissions.some((p) => p !== '.default')) throw AAD.defaultScopeRequired(scope);
    const def = this.resolveResource(parsed);
    const appUser = SANDBOX_USERS.find((u) => u.dataverse?.systemUserId === client.applicationUserId);
    const lifetime = this.knobs.tokenLifetimeSeconds;
    const access = this.mint({
      aud: parsed.resource, appid: client.clientId, azp: client.clientId, appidacr: acr, azpacr: acr, idtyp: 'app', app_displayname: client.displayName,
      oid: appUser?.objectId ?? client.servicePrincipalObjectId ?? client.clientId, sub: appUser?.objectId ?? client.servicePrincipalObjectId ?? client.clientId,
      ...(() => {
        const roles = this.grantedAppRoles(client.clientId, parsed.resource, def);
        return roles.length ? { roles } : {};
      })(),
    }, lifetime);
    return { token_type: 'Bearer', scope: `${parsed.resource}/.default`, expires_in: lifetime, ext_expires_in: lifetime, access_token: access };
  }

  private redeemCode(client: SandboxClient, acr: '0' | '1' | '2', form: URLSearchParams): TokenResponse {
    const code = form.get('code');
    if (!code) throw AAD.missingParameter('code');
    const rec = this.codes.get(code);
    if (!rec || rec.clientId !== client.clientId) throw AAD.refreshTokenInvalid();
    if (rec.redeemed) throw AAD.authCodeRedeemed();
    if (rec.expiresAt <= this.now()) throw AAD.authCodeExpired();
    const redirect = form.get('redirect_uri');
    if (!redirect || redirect !== rec.redirectUri) throw AAD.redirectMismatch(redirect ?? '', client.clientId);
    if (rec.challenge) {
      const verifier = form.get('code_verifier');
      if (!verifier) throw AAD.pkceMismatch();
      const computed = rec.challengeMethod === 'S256' ? b64url(createHash('sha256').update(verifier).digest()) : verifier;
      if (!safeEqual(computed, rec.challenge)) throw AAD.pkceMismatch();
    }
    rec.redeemed = true;
    // The scope of the code redemption may narrow the authorized one; fall back to what was authorized.
    return this.delegated(client, acr, rec.user, form.get('scope') || rec.scope, rec.nonce, form.get('client_info') === '1');
  }

  private redeemDeviceCode(client: SandboxClient, form: URLSearchParams): TokenResponse {
    const code = form.get('device_code');
    if (!code) throw AAD.missingParameter('device_code');
    const d = this.deviceCodes.get(code);
    if (!d || d.clientId !== client.clientId) throw AAD.deviceCodeInvalid();
    const now = this.clock();
    if (d.expiresAt <= Math.floor(now / 1000)) throw AAD.deviceCodeExpired();
    if (d.status === 'denied') throw AAD.userDeclined();
    if (d.status === 'redeemed') throw AAD.deviceCodeInvalid();
    if (d.status === 'pending') {
      const last = d.lastPollAt;
      d.lastPollAt = now;
      // RFC 8628 §3.5: polling faster than the interval earns slow_down and a 5 s longer interval. Allow some
      // jitter: a client that sleeps `interval` between request *ends* never trips this.
      if (last !== undefined && now - last < d.interval * 1000 * 0.75) {
        d.interval += 5;
        throw AAD.slowDown();
      }
      throw AAD.authorizationPending();
    }
    d.status = 'redeemed';
    return this.delegated(client, '0', d.user!, form.get('scope') || d.scope, undefined, form.get('client_info') === '1');
  }

  private redeemRefreshToken(client: SandboxClient, acr: '0' | '1' | '2', form: URLSearchParams): TokenResponse {
    const token = form.get('refresh_token');
    if (!token) throw AAD.missingParameter('refresh_token');
    const rec = this.refreshTokens.get(token);
    if (!rec || rec.clientId !== client.clientId) throw AAD.refreshTokenInvalid();
    if (rec.expiresAt <= this.now()) {
      this.refreshTokens.delete(token);
      throw AAD.refreshTokenExpired();
    }
    // A new MFA requirement applies to silent renewal: the user must come back through the interactive sign-in.
    const name = rec.user.username.toLowerCase();
    if (this.knobs.mfaRequired.some((m) => m === '*' || m.toLowerCase() === name)) throw AAD.interactionRequired(parseScopes(form.get('scope') ?? '').resource);
    const out = this.delegated(client, acr, rec.user, form.get('scope') ?? '', undefined, form.get('client_info') === '1');
    // Rotation: a redeemed refresh token is spent and the response carries its successor. Only on success, so a
    // failed attempt (blocked user, missing consent) does not sign the user out once the cause is fixed.
    this.refreshTokens.delete(token);
    return out;
  }

  /**
   * ROPC (grant_type=password): what XRM-tooling connection strings with AuthType=OAuth + Username/Password use.
   * Like Entra, it cannot satisfy MFA, so an MFA requirement is an interaction_required failure.
   */
  private resourceOwnerPassword(client: SandboxClient, acr: '0' | '1' | '2', form: URLSearchParams): TokenResponse {
    const username = form.get('username');
    if (!username) throw AAD.missingParameter('username');
    const password = form.get('password');
    if (password === null) throw AAD.missingParameter('password');
    const user = this.signIn(username, password);
    const name = user.username.toLowerCase();
    if (this.knobs.mfaRequired.some((m) => m === '*' || m.toLowerCase() === name)) throw AAD.interactionRequired(parseScopes(form.get('scope') ?? '').resource);
    return this.delegated(client, acr, user, form.get('scope') ?? '', undefined, form.get('client_info') === '1');
  }

  private delegated(client: SandboxClient, acr: '0' | '1' | '2', user: SandboxUser, scope: string, nonce: string | undefined, clientInfo: boolean): TokenResponse {
    this.checkAccount(user);
    this.checkConsent(client);
    const parsed = parseScopes(scope);
    const def = this.resolveResource(parsed);
    const scp = grantedDelegated(parsed, def);
    const lifetime = this.knobs.tokenLifetimeSeconds;
    const access = this.mint({
      aud: parsed.resource, appid: client.clientId, azp: client.clientId, appidacr: acr, azpacr: acr, oid: user.objectId,
      sub: pairwiseSub(user.objectId, client.clientId), scp: scp.join(' '), upn: user.username, unique_name: user.username,
      preferred_username: user.username, name: user.displayName, amr: ['pwd'], idtyp: 'user',
    }, lifetime);
    const out: TokenResponse = {
      token_type: 'Bearer', scope: scp.map((p) => `${parsed.resource}/${p}`).join(' '), expires_in: lifetime, ext_expires_in: lifetime, access_token: access,
    };
    if (parsed.oidc.includes('offline_access')) {
      const rt = `0.A${b64url(randomBytes(64))}`;
      this.refreshTokens.set(rt, { user, clientId: client.clientId, oidc: parsed.oidc, expiresAt: this.now() + this.knobs.refreshTokenLifetimeSeconds });
      out.refresh_token = rt;
    }
    if (parsed.oidc.includes('openid')) {
      out.id_token = this.mint({
        aud: client.clientId, oid: user.objectId, sub: pairwiseSub(user.objectId, client.clientId), name: user.displayName,
        preferred_username: user.username, ...(nonce ? { nonce } : {}), ver: '2.0',
      }, lifetime);
    }
    if (clientInfo) out.client_info = b64url(JSON.stringify({ uid: user.objectId, utid: this.tenantId }));
    return out;
  }

  private resolveResource(parsed: ParsedScopes): ResourceDefinition {
    const def = resourceDefinition(parsed.resource, this.extraResources);
    if (!def) throw AAD.unknownResource(parsed.resource);
    return def;
  }

  private mint(claims: Record<string, unknown>, lifetime: number): string {
    const skewed = this.now() + this.knobs.clockSkewSeconds;
    return signJwt({ kid: this.kid, x5t: this.kid }, {
      iss: this.issuer, iat: skewed, nbf: skewed, exp: skewed + lifetime, tid: this.tenantId, uti: b64url(randomBytes(16)),
      aio: b64url(randomBytes(24)), ver: '1.0', rh: `0.${b64url(randomBytes(12))}.`, ...claims,
    }, this.privateKey);
  }

  // -------------------------------------------------------------------------------------------------- Authenticate

  /** The `Authenticate` port: verifies our RS256 signature, issuer, audience and lifetime (5 min tolerance). */
  readonly authenticate: Authenticate = (authorization, expectedAudience): SandboxPrincipal | AuthFailure => {
    if (!authorization) return { error: 'missing_token', description: 'Send an access token in the Authorization header: "Authorization: Bearer <token>".' };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return { error: 'invalid_token', description: 'The Authorization header must use the Bearer scheme with a single token.' };
    // A token's signature is checked once (resource servers cache validated tokens too); issuer, audience and
    // lifetime are checked on every call below, so expiry and audience mistakes still show per request.
    let p = this.verified.get(m[1]!);
    if (!p) {
      const jwt = decodeJwt(m[1]!);
      if (!jwt) return { error: 'invalid_token', description: 'The access token is malformed: it is not a signed JWT.' };
      if (jwt.header.kid !== this.kid || !verifySignature(jwt, this.publicKey))
        return { error: 'invalid_token', description: 'The access token signature is invalid: it was not issued by this sandbox authority (tokens from a previous sandbox run stop working after a restart; sign in again).' };
      p = jwt.payload;
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
      this.verified.set(m[1]!, p);
    }
    if (p.iss !== this.issuer) return { error: 'invalid_token', description: `The token issuer '${String(p.iss)}' is not trusted; expected '${this.issuer}'.` };
    const norm = (s: string) => s.replace(/\/+$/, '').toLowerCase();
    if (typeof p.aud !== 'string' || norm(p.aud) !== norm(expectedAudience))
      return { error: 'invalid_token', description: `The token audience '${String(p.aud)}' is not this resource; request a token for the scope '${expectedAudience.replace(/\/+$/, '')}/.default'.` };
    const now = this.clock() / 1000;
    if (typeof p.exp !== 'number' || p.exp + CLOCK_TOLERANCE_SECONDS < now)
      return { error: 'invalid_token', description: `The token expired at ${typeof p.exp === 'number' ? new Date(p.exp * 1000).toISOString() : '(no exp claim)'}; acquire a new one.` };
    if (typeof p.nbf === 'number' && p.nbf - CLOCK_TOLERANCE_SECONDS > now)
      return { error: 'invalid_token', description: `The token is not valid before ${new Date(p.nbf * 1000).toISOString()}: the clocks of the identity provider and this service differ by more than 5 minutes. Check the system time.` };
    const isApp = p.idtyp === 'app' || p.scp === undefined;
    return {
      kind: isApp ? 'app' : 'user',
      objectId: String(p.oid ?? ''),
      appId: String(p.appid ?? p.azp ?? ''),
      audience: p.aud,
      scopes: isApp ? (Array.isArray(p.roles) ? p.roles.map(String) : []) : String(p.scp ?? '').split(' ').filter(Boolean),
      ...(isApp ? {} : { username: String(p.preferred_username ?? p.upn ?? '') }),
    };
  };

  nowMs(): number {
    return this.clock();
  }

  private now(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** Drop expired codes and tokens so a long-running sandbox does not grow without bound. */
  private sweep(): void {
    const now = this.now();
    for (const [k, v] of this.codes) if (v.expiresAt + 60 < now) this.codes.delete(k);
    // Kept an hour past expiry so a late poll still hears "expired_token" rather than "invalid device code".
    for (const [k, v] of this.deviceCodes) if (v.expiresAt + 3600 < now) this.deviceCodes.delete(k);
    // Expired refresh tokens are kept a day so their redemption reports "expired" (700082), not "unknown" (70000).
    for (const [k, v] of this.refreshTokens) if (v.expiresAt + 86_400 < now) this.refreshTokens.delete(k);
  }
}

export function findClient(clientId: string): SandboxClient | undefined {
  return SANDBOX_CLIENTS.find((c) => c.clientId.toLowerCase() === clientId.trim().toLowerCase());
}

/**
 * Entra's loopback rule for native clients: a registered http://localhost or http://127.0.0.1 redirect matches
 * that host on ANY port (the port is chosen at runtime by the app's loopback listener). Everything else is exact.
 */
export function redirectMatches(uri: string, registered: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return registered.some((r) => {
    if (r === uri) return true;
    let reg: URL;
    try {
      reg = new URL(r);
    } catch {
      return false;
    }
    const loopback = reg.protocol === 'http:' && (reg.hostname === 'localhost' || reg.hostname === '127.0.0.1');
    return loopback && u.protocol === 'http:' && u.hostname === reg.hostname && u.pathname === reg.pathname && !u.search && !u.hash;
  });
}

/** Entra `sub` is pairwise per app: stable for a user+app, different across apps. */
function pairwiseSub(objectId: string, clientId: string): string {
  return b64url(createHash('sha256').update(`${objectId}|${clientId}`).digest()).slice(0, 43);
}

function randomUserCode(): string {
  // No vowels/ambiguous digits, as on microsoft.com/devicelogin: nobody types "0" for "O".
  const alphabet = 'BCDFGHJKLMNPQRSTVWXZ23456789';
  const bytes = randomBytes(9);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

