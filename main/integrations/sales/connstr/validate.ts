import type { AuthType, CanonicalKey, Finding } from '../../../../preload/contract/sales/connstr';
import { AUTH_TYPES } from '../../../../preload/contract/sales/connstr';
import { finding } from './findings';
import { isCanonicalKey } from './keys';

/**
 * Validation of resolved values (canonical keys → value) per AuthType, reference A.2/A.3/A.7 and "Gotchas".
 * An empty value counts as "not supplied", as in XRM tooling.
 */

export const REQUIRED_KEYS: Record<AuthType, readonly CanonicalKey[]> = {
  AD: ['Url'],
  IFD: ['Url', 'Domain', 'Username', 'Password'],
  OAuth: ['Url', 'AppId', 'RedirectUri'],
  Office365: ['Url', 'Username', 'Password'],
  ClientSecret: ['Url', 'AppId', 'ClientSecret'],
  Certificate: ['Url', 'AppId', 'Thumbprint'],
};

const COMMON_KEYS: readonly CanonicalKey[] = ['AuthType', 'Url', 'RequireNewInstance', 'SkipDiscovery', 'ProxyVersion'];

/** Keys each AuthType reads besides COMMON_KEYS; anything else is ignored by the client (KEY_NOT_USED). */
export const USED_KEYS: Record<AuthType, readonly CanonicalKey[]> = {
  AD: ['Domain', 'Username', 'Password'],
  IFD: ['Domain', 'Username', 'Password', 'HomeRealmUri'],
  OAuth: ['Username', 'Password', 'AppId', 'RedirectUri', 'TokenCacheStorePath', 'LoginPrompt', 'IntegratedSecurity', 'HomeRealmUri'],
  Office365: ['Username', 'Password'],
  ClientSecret: ['AppId', 'ClientSecret', 'TokenCacheStorePath'],
  Certificate: ['AppId', 'Thumbprint', 'StoreName', 'TokenCacheStorePath'],
};

export const PROXY_VERSIONS = ['8', '9', '91', '100'] as const;
export const LOGIN_PROMPTS = ['Auto', 'Always', 'Never'] as const;
/** System.Security.Cryptography.X509Certificates.StoreName members. */
export const STORE_NAMES = ['My', 'Root', 'TrustedPeople', 'TrustedPublisher', 'CertificateAuthority', 'AuthRoot', 'AddressBook', 'Disallowed'] as const;
const BOOLEAN_KEYS: readonly CanonicalKey[] = ['RequireNewInstance', 'SkipDiscovery', 'IntegratedSecurity'];

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const EMAIL = /^[^@\s\\]+@[^@\s]+\.[^@\s.]+$/;
const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:\/\/[^\s<>"{}|\\^`]+$/i;
/** Online Dataverse hosts (commercial + sovereign clouds). */
const ONLINE_HOST = /\.(dynamics\.com|microsoftdynamics\.us|appsplatform\.us|dynamics\.cn)$/i;
/** https://<org>.crm[N].dynamics.com, also the api. variant people copy from the Web API page. */
const ENVIRONMENT_HOST = /^[a-z0-9][a-z0-9-]*\.(api\.)?crm\d*\.(dynamics\.com|microsoftdynamics\.us|appsplatform\.us|dynamics\.cn)$/i;

/**
 * Values people paste where a secret should be: `****`, `{PASSWORD}` (BC's own template token), `<password>`,
 * `[secret]`, `${PASSWORD}`, `%PASSWORD%`, `xxxx`, `...`, or the word itself. Recognised so the user learns the
 * string is not ready instead of getting an authentication failure later.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    /^[*•●]+$/.test(v) ||
    /^\$?\{[^{}]*\}$/.test(v) ||
    /^<[^<>]*>$/.test(v) ||
    /^\[[^[\]]*\]$/.test(v) ||
    /^%\w+%$/.test(v) ||
    /^(x{3,}|\.{3,}|…)$/i.test(v) ||
    /^(your[ _-]?)?(password|passwd|pwd|secret|client[ _-]?secret)$/i.test(v)
  );
}

export function isGuid(value: string): boolean {
  return GUID.test(value.trim());
}

/** The lower-case GUID without braces, or null. */
export function normalizeGuid(value: string): string | null {
  const m = GUID.exec(value.trim());
  return m ? m[1]!.toLowerCase() : null;
}

export function isOnlineUrl(value: string): boolean {
  try {
    return ONLINE_HOST.test(new URL(value.trim()).hostname);
  } catch {
    return false;
  }
}

/** Long user input is shortened in messages so one bad paste does not flood the screen. */
function clip(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

function canonicalAuthType(value: string): AuthType | null {
  return AUTH_TYPES.find((a) => a.toLowerCase() === value.trim().toLowerCase()) ?? null;
}

export interface Validation {
  /** The AuthType in its documented spelling, or null when it is missing or not one of AUTH_TYPES. */
  authType: AuthType | null;
  errors: Finding[];
  warnings: Finding[];
}

export function validateValues(values: Readonly<Record<string, string>>): Validation {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const get = (k: CanonicalKey): string | undefined => {
    const v = values[k];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const validTypes = AUTH_TYPES.join(', ');

  const rawAuth = get('AuthType');
  const authType = rawAuth === undefined ? null : canonicalAuthType(rawAuth);
  if (rawAuth === undefined) errors.push(finding('MISSING_AUTH_TYPE', 'AuthType', { validTypes }));
  else if (!authType) errors.push(finding('UNKNOWN_AUTH_TYPE', 'AuthType', { value: clip(rawAuth), validTypes }));
  else if (rawAuth.trim() !== authType) warnings.push(finding('AUTH_TYPE_CASE', 'AuthType', { value: clip(rawAuth), expected: authType }));

  // --- Url -------------------------------------------------------------------------------------------
  const url = get('Url');
  let online = false;
  if (url !== undefined) {
    let parsed: URL | null;
    try {
      // WHATWG URL would accept `contoso.crm.dynamics.com:443` as scheme "contoso.crm.dynamics.com:": require `scheme://`.
      parsed = /^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim()) ? new URL(url.trim()) : null;
    } catch {
      parsed = null;
    }
    if (!parsed || !parsed.hostname) errors.push(finding('URL_NOT_ABSOLUTE', 'Url', { value: clip(url) }));
    else if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') errors.push(finding('URL_BAD_SCHEME', 'Url', { scheme: parsed.protocol + '//' }));
    else {
      online = ONLINE_HOST.test(parsed.hostname);
      if (online && parsed.protocol === 'http:') errors.push(finding('URL_HTTPS_REQUIRED', 'Url', { host: parsed.hostname }));
      if (online && !ENVIRONMENT_HOST.test(parsed.hostname)) warnings.push(finding('URL_NOT_ENVIRONMENT', 'Url', { host: parsed.hostname }));
      // On-prem URLs legitimately carry the organization name as path (https://crm.contoso.local/Contoso).
      const rest = (parsed.pathname === '/' ? '' : parsed.pathname) + parsed.search + parsed.hash;
      if (online && rest) warnings.push(finding('URL_HAS_PATH', 'Url', { path: clip(rest) }));
    }
  }

  // --- AuthType-specific rules --------------------------------------------------------------------------
  if (authType) {
    for (const key of REQUIRED_KEYS[authType]) {
      if (get(key) === undefined) errors.push(finding('MISSING_KEY', key, { key, authType }));
    }
    const used = new Set<CanonicalKey>([...COMMON_KEYS, ...USED_KEYS[authType]]);
    for (const key of Object.keys(values)) {
      // Only keys XRM tooling knows: unknown ones already carry UNKNOWN_KEY.
      if (isCanonicalKey(key) && !used.has(key) && get(key) !== undefined) {
        warnings.push(finding('KEY_NOT_USED', key, { key, authType }));
      }
    }
    if (authType === 'Office365') {
      (online ? errors : warnings).push(finding('OFFICE365_DEPRECATED', 'AuthType'));
    }
    if ((authType === 'AD' || authType === 'IFD') && online) errors.push(finding('AUTH_TYPE_ON_PREM_ONLY', 'AuthType', { authType }));

    const user = get('Username');
    if (user !== undefined) {
      if ((authType === 'OAuth' || authType === 'Office365') && !EMAIL.test(user.trim())) {
        errors.push(finding('USERNAME_NOT_EMAIL', 'Username', { authType, value: clip(user) }));
      }
      if ((authType === 'AD' || authType === 'IFD') && !user.includes('\\') && get('Domain') === undefined) {
        errors.push(finding('USERNAME_NEEDS_DOMAIN', 'Username', { authType, value: clip(user) }));
      }
    }

    if (authType === 'OAuth') {
      const integrated = get('IntegratedSecurity')?.trim().toLowerCase() === 'true';
      const password = get('Password');
      if (!integrated) {
        if (user === undefined && password === undefined) warnings.push(finding('OAUTH_NO_CREDENTIALS', null));
        else if (user === undefined) errors.push(finding('MISSING_KEY', 'Username', { key: 'Username', authType }));
        else if (password === undefined) errors.push(finding('MISSING_KEY', 'Password', { key: 'Password', authType }));
      }
      const redirect = get('RedirectUri');
      if (redirect !== undefined) {
        const appId = get('AppId');
        // The AppId as the user wrote it (minus braces), so the UI's quick fix `app://<AppId>` matches the field.
        const expected = appId !== undefined && isGuid(appId) ? `app://${appId.trim().replace(/^\{|\}$/g, '')}` : 'app://<AppId>';
        const m = /^app:\/\/(.*?)\/?$/i.exec(redirect.trim());
        if (!m && !ABSOLUTE_URI.test(redirect.trim())) {
          errors.push(finding('INVALID_URI', 'RedirectUri', { key: 'RedirectUri', value: clip(redirect) }));
        } else {
          // `app://<your AppId>` (the documented example) lands here too: a mismatch to fix, not a broken URI.
          const redirectGuid = m ? normalizeGuid(m[1]!) : null;
          const appGuid = normalizeGuid(appId ?? '');
          if (redirectGuid === null || (appGuid !== null && redirectGuid !== appGuid)) {
            warnings.push(finding('REDIRECT_URI_MISMATCH', 'RedirectUri', { expected, value: clip(redirect) }));
          }
        }
      }
      if (get('LoginPrompt')?.trim().toLowerCase() === 'always') warnings.push(finding('LOGIN_PROMPT_ALWAYS', 'LoginPrompt'));
    }

    if (authType !== 'Certificate' && get('StoreName') !== undefined && get('Thumbprint') === undefined) {
      errors.push(finding('STORE_NAME_WITHOUT_THUMBPRINT', 'StoreName'));
    }
  }

  // --- Key-level formats, whatever the AuthType ----------------------------------------------------
  const appId = get('AppId');
  if (appId !== undefined && !isGuid(appId)) errors.push(finding('INVALID_GUID', 'AppId', { key: 'AppId', value: clip(appId) }));

  const prompt = get('LoginPrompt');
  if (prompt !== undefined && !LOGIN_PROMPTS.some((x) => x.toLowerCase() === prompt.trim().toLowerCase())) {
    errors.push(finding('INVALID_LOGIN_PROMPT', 'LoginPrompt', { value: clip(prompt) }));
  }

  const home = get('HomeRealmUri');
  if (home !== undefined && !ABSOLUTE_URI.test(home.trim())) errors.push(finding('INVALID_URI', 'HomeRealmUri', { key: 'HomeRealmUri', value: clip(home) }));

  const password = get('Password');
  if (password !== undefined && isPlaceholder(password)) warnings.push(finding('PASSWORD_PLACEHOLDER', 'Password'));
  const secret = get('ClientSecret');
  if (secret !== undefined && isPlaceholder(secret)) warnings.push(finding('CLIENT_SECRET_PLACEHOLDER', 'ClientSecret'));

  for (const key of BOOLEAN_KEYS) {
    const v = get(key);
    if (v !== undefined && !/^(true|false)$/i.test(v.trim())) errors.push(finding('INVALID_BOOLEAN', key, { key, value: clip(v) }));
  }

  const proxy = get('ProxyVersion');
  if (proxy !== undefined) {
    const p = proxy.trim();
    if (!(PROXY_VERSIONS as readonly string[]).includes(p)) {
      errors.push(finding('INVALID_PROXY_VERSION', 'ProxyVersion', { value: clip(proxy), validVersions: PROXY_VERSIONS.join(', ') }));
    } else if (online && p !== '91') {
      warnings.push(finding('PROXY_VERSION_ONLINE', 'ProxyVersion', { value: p }));
    }
  }

  const thumb = get('Thumbprint');
  if (thumb !== undefined && !/^[0-9a-f]{40}$/i.test(thumb)) {
    // Certificate dialogs copy the thumbprint with spaces and an invisible U+200E in front: show them.
    const visible = thumb.replace(/[\u200e\u200f\u202a-\u202e\ufeff]/g, '\u2423');
    errors.push(finding('INVALID_THUMBPRINT', 'Thumbprint', { value: clip(visible) }));
  }
  const store = get('StoreName');
  if (store !== undefined && !STORE_NAMES.some((s) => s.toLowerCase() === store.trim().toLowerCase())) {
    warnings.push(finding('INVALID_STORE_NAME', 'StoreName', { value: clip(store), validStores: STORE_NAMES.join(', ') }));
  }

  return { authType, errors, warnings };
}
