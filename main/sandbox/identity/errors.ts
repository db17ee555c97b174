/**
 * Entra-shaped OAuth errors. The console explains failures by their AADSTS code, so the sandbox must produce the
 * same codes, OAuth `error` values and body shape as login.microsoftonline.com for the failure paths it simulates.
 */
import { randomUUID } from 'node:crypto';
import { SANDBOX_TENANT_DOMAIN } from '../directory';

export interface AadErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  suberror?: string;
  claims?: string;
}

export class AadError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    message: string,
    readonly suberror?: string,
  ) {
    super(`AADSTS${code}: ${message}`);
  }
}

/** Entra formats timestamps as "2026-11-23 10:15:02Z" in error bodies. */
export function aadTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function errorBody(e: AadError, nowMs: number, correlationId: string | undefined): AadErrorBody {
  const traceId = randomUUID();
  const correlation = correlationId && /^[0-9a-f-]{36}$/i.test(correlationId) ? correlationId : randomUUID();
  const timestamp = aadTimestamp(nowMs);
  const body: AadErrorBody = {
    error: e.error,
    // Entra appends trace/correlation/timestamp to the description; the console shows the first line only.
    error_description: `${e.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
    error_codes: [e.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${e.code}`,
  };
  if (e.suberror) body.suberror = e.suberror;
  return body;
}

/** The catalogue of failures the sandbox can produce (texts follow Entra's wording). */
export const AAD = {
  tenantNotFound: (tenant: string) =>
    new AadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`),
  unknownClient: (clientId: string) =>
    new AadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${SANDBOX_TENANT_DOMAIN}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`),
  missingParameter: (name: string) => new AadError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  unsupportedGrant: (grant: string) => new AadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`),
  invalidSecret: (clientId: string) =>
    new AadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  credentialRequired: () =>
    new AadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  publicClientWithSecret: () =>
    new AadError(400, 'invalid_client', 700025, 'Client is public so neither \'client_assertion\' nor \'client_secret\' should be presented.'),
  invalidAssertion: (why: string) => new AadError(401, 'invalid_client', 700027, `Client assertion failed signature validation or is malformed: ${why}`),
  certificateNotRegistered: (clientId: string) =>
    new AadError(401, 'invalid_client', 700027, `The certificate with the key identifier used to sign the client assertion is not registered on application '${clientId}'. Upload the certificate's public key to the app registration (sandbox: POST /_sandbox/identity/clients/${clientId}/certificates).`),
  badCredentials: () => new AadError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  userDisabled: () => new AadError(400, 'invalid_grant', 50057, 'The user account is disabled.'),
  conditionalAccess: () =>
    new AadError(400, 'invalid_grant', 53003, 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.'),
  consentMissing: (clientId: string, name: string) =>
    new AadError(400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${clientId}' named '${name}'. Send an interactive authorization request for this user and resource.`, 'consent_required'),
  userDeclined: () => new AadError(400, 'access_denied', 65004, 'User declined to consent to access the app.'),
  invalidScope: (scope: string) =>
    new AadError(400, 'invalid_scope', 70011, `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`),
  defaultScopeRequired: (scope: string) =>
    new AadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
  multipleResources: () =>
    new AadError(400, 'invalid_request', 28000, 'Provided value for the input parameter scope is not valid because it contains more than one resource. Scope can only contain one resource.'),
  unknownResource: (resource: string) =>
    new AadError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${SANDBOX_TENANT_DOMAIN}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`),
  redirectMismatch: (uri: string, clientId: string) =>
    new AadError(400, 'invalid_request', 50011, `The redirect URI '${uri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`),
  authCodeExpired: () => new AadError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.', 'bad_token'),
  authCodeRedeemed: () => new AadError(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'),
  pkceMismatch: () => new AadError(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'),
  pkceRequired: () => new AadError(400, 'invalid_request', 9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.'),
  refreshTokenExpired: () =>
    new AadError(400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity. The token was issued on a date and was inactive for the configured lifetime.', 'bad_token'),
  refreshTokenInvalid: () => new AadError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.', 'bad_token'),
  interactionRequired: (resource: string) =>
    new AadError(400, 'interaction_required', 50076, `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resource}'.`, 'basic_action'),
  authorizationPending: () =>
    new AadError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.'),
  slowDown: () => new AadError(400, 'slow_down', 70016, 'OAuth 2.0 device flow error. Polling too fast: wait at least the interval between polls.'),
  deviceCodeExpired: () => new AadError(400, 'expired_token', 70020, 'The provided value for the input parameter \'device_code\' is not valid. This device code has expired.'),
  deviceCodeInvalid: () => new AadError(400, 'invalid_grant', 70000, 'The provided value for the input parameter \'device_code\' is not valid.'),
} as const;
