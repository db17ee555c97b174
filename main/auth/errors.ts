import { InteractionRequiredAuthError, type AuthError } from '@azure/msal-node';
import { redact } from '../platform/logger';
import { ServiceError } from '../http/errors';
import { AppFailure } from '../rpc/errors';

/**
 * Turns identity failures (MSAL errors, Entra AADSTS codes, our own) into AppFailures whose code the UI translates
 * and whose message says what to do. Codes:
 *  AUTH_REQUIRED, AUTH_WRONG_TENANT, AUTH_CONSENT_MISSING, AUTH_CONDITIONAL_ACCESS, AUTH_CLOCK_SKEW,
 *  AUTH_CERTIFICATE_EXPIRED, AUTH_CERTIFICATE_INVALID, AUTH_CLIENT_SECRET_INVALID, AUTH_USER_DISABLED,
 *  AUTH_BAD_CREDENTIALS, AUTH_APP_NOT_FOUND, AUTH_REDIRECT_MISMATCH, AUTH_SCOPE_INVALID, AUTH_DECLINED,
 *  AUTH_DEVICE_CODE_EXPIRED, AUTH_NETWORK, AUTH_FAILED.
 */
type Rule = { codes: number[]; errors?: string[]; code: string; message: (aadsts: string) => string };

const RULES: Rule[] = [
  { codes: [90002, 900023, 90072, 50020], errors: ['invalid_tenant'], code: 'AUTH_WRONG_TENANT', message: (d) => `The tenant is wrong for this account or app (${d}). Check the tenant id/domain on the profile, or sign in with an account from that tenant.` },
  { codes: [65001, 650057, 90094, 90008], errors: ['consent_required'], code: 'AUTH_CONSENT_MISSING', message: (d) => `The app has not been granted the permission it asks for (${d}). Ask a tenant administrator to grant admin consent to the app registration, then sign in again.` },
  { codes: [53003, 53000, 53001, 530003, 530032], code: 'AUTH_CONDITIONAL_ACCESS', message: (d) => `Conditional Access blocked the sign-in (${d}). Ask your administrator to allow this app, or sign in from a compliant device/network.` },
  { codes: [700024, 700025001], errors: ['clock_skew'], code: 'AUTH_CLOCK_SKEW', message: (d) => `The computer clock is too far off for the identity service (${d}). Set the clock to synchronise automatically and try again.` },
  { codes: [700027, 700023, 1000502], code: 'AUTH_CERTIFICATE_INVALID', message: (d) => `The certificate was not accepted (${d}). Upload the certificate's public key to the app registration and check the thumbprint on the profile.` },
  { codes: [7000222], code: 'AUTH_CLIENT_SECRET_EXPIRED', message: (d) => `The client secret has expired (${d}). Create a new secret on the app registration and save it on the profile.` },
  { codes: [7000215, 7000218, 700025], errors: ['invalid_client'], code: 'AUTH_CLIENT_SECRET_INVALID', message: (d) => `The app credentials were rejected (${d}). Paste the secret's value (not its id) from the app registration.` },
  { codes: [50057, 50053, 50055], code: 'AUTH_USER_DISABLED', message: (d) => `The account cannot sign in: it is disabled, locked or its password expired (${d}). Ask your administrator.` },
  { codes: [50126, 50034], code: 'AUTH_BAD_CREDENTIALS', message: (d) => `User name or password is wrong (${d}).` },
  { codes: [700016], errors: ['unauthorized_client'], code: 'AUTH_APP_NOT_FOUND', message: (d) => `The app registration was not found in this tenant (${d}). Check the client id and tenant on the profile.` },
  { codes: [50011, 500113], code: 'AUTH_REDIRECT_MISMATCH', message: (d) => `The app registration does not allow this redirect (${d}). Add http://localhost under "Mobile and desktop applications" on the app registration.` },
  { codes: [70011, 1002012, 28000, 500011, 65005], errors: ['invalid_scope', 'invalid_resource'], code: 'AUTH_SCOPE_INVALID', message: (d) => `The service rejected the permission requested (${d}). Check the environment URL on the profile; the service may not be set up in this tenant.` },
  { codes: [65004], errors: ['access_denied'], code: 'AUTH_DECLINED', message: (d) => `The sign-in was declined (${d}).` },
  { codes: [70020], errors: ['expired_token'], code: 'AUTH_DEVICE_CODE_EXPIRED', message: (d) => `The device code expired before the sign-in was approved (${d}). Start the device code sign-in again.` },
  { codes: [700082, 70008, 70043, 50076, 50079, 50078, 50173, 54005, 70000, 50133], errors: ['interaction_required', 'login_required', 'bad_token', 'invalid_grant'], code: 'AUTH_REQUIRED', message: (d) => `Your sign-in has expired or needs you again (${d}). Use "Reconnect" to sign in.` },
];

const AADSTS = /AADSTS(\d+)/;

export function aadstsOf(text: string): number | null {
  const m = AADSTS.exec(text);
  return m ? Number(m[1]) : null;
}

export function mapAuthError(x: unknown): AppFailure {
  if (x instanceof AppFailure) return x;
  if (x instanceof ServiceError && (x.code === 'NETWORK' || x.code === 'TIMEOUT')) return new AppFailure('AUTH_NETWORK', x.serviceMessage);
  const e = x as Partial<AuthError> & { message?: string; cause?: unknown };
  const errorCode = String(e?.errorCode ?? '');
  const sub = String(e?.subError ?? '');
  const text = redact(`${e?.errorMessage ?? ''} ${e?.message ?? ''}`);
  // MSAL puts error_codes[0] in errorNo and wraps the description as "Error(s): … - Description: <text> - …".
  const errorNo = Number((x as { errorNo?: unknown })?.errorNo);
  const aadsts = Number.isInteger(errorNo) && errorNo > 0 ? errorNo : aadstsOf(text);
  const described = /Description:\s*([\s\S]*?)(?:\r?\n|\s+-\s+Correlation ID:|Trace ID:|$)/.exec(text)?.[1];
  const firstLine = ((described ?? text).split(/\r?\n|Trace ID:/)[0] ?? '').trim().slice(0, 300);
  const detail = aadsts ? `AADSTS${aadsts}` : errorCode || 'unknown error';

  if (aadsts !== null) {
    const rule = RULES.find((r) => r.codes.includes(aadsts));
    if (rule) return new AppFailure(rule.code, rule.message(detail), { aadsts, detail: firstLine });
  }
  if (x instanceof InteractionRequiredAuthError || ['no_tokens_found', 'refresh_token_expired', 'no_account_found', 'native_account_unavailable'].includes(errorCode)) {
    return new AppFailure('AUTH_REQUIRED', 'You need to sign in again for this connection. Use "Reconnect" to sign in.', { detail: errorCode });
  }
  if (/clock|nbf|not yet valid|iat/i.test(errorCode) || /clock skew/i.test(text)) {
    return new AppFailure('AUTH_CLOCK_SKEW', 'The computer clock is too far off for the identity service. Set the clock to synchronise automatically and try again.');
  }
  for (const key of [sub, errorCode]) {
    const rule = key ? RULES.find((r) => r.errors?.includes(key)) : undefined;
    if (rule) return new AppFailure(rule.code, rule.message(detail), { detail: firstLine });
  }
  if (/network|ECONNREFUSED|ENOTFOUND|fetch failed|timed? ?out/i.test(`${errorCode} ${text}`)) {
    return new AppFailure('AUTH_NETWORK', `The identity service could not be reached (${firstLine || errorCode}). Check the network and proxy, then try again.`);
  }
  return new AppFailure('AUTH_FAILED', `Sign-in failed: ${firstLine || errorCode || 'unknown error'}.`, { detail });
}
