import type { Finding } from '../../../../preload/contract/sales/connstr';
import { SYNTAX_MESSAGES } from './grammar';

/**
 * English message templates of every finding code, with i18next-style {{param}} placeholders.
 * renderer/i18n/locales/sales/connstr/*.json translate the same codes with the same params (a unit test keeps
 * en.json equal to this table). Params never carry a secret value: messages end up in logs and screenshots.
 */
export const FINDING_TEMPLATES = {
  UNKNOWN_KEY: '"{{key}}" is not a key the Dynamics 365 connection understands, so it is ignored. Check the spelling, or remove it.',
  DUPLICATE_KEY: '{{key}} is given more than once (as "{{first}}" and as "{{second}}"). Only one value is used: remove the others.',
  MISSING_AUTH_TYPE: 'AuthType is missing. Add AuthType= with one of: {{validTypes}}.',
  UNKNOWN_AUTH_TYPE: '"{{value}}" is not an authentication type. Set AuthType to one of: {{validTypes}}.',
  AUTH_TYPE_CASE: 'Write AuthType={{expected}} exactly like this, not "{{value}}": newer Dynamics 365 clients read it case-sensitively.',
  AUTH_TYPE_ON_PREM_ONLY:
    'AuthType={{authType}} only works with Dynamics 365 on your own servers, not with Dynamics 365 Sales online. Use AuthType=OAuth with an app registration.',
  OFFICE365_DEPRECATED:
    'AuthType=Office365 is deprecated: Microsoft turned it off for Dynamics 365 online in April 2022. Use AuthType=OAuth with an app registration (AppId and RedirectUri).',
  MISSING_KEY: '{{key}} is required when AuthType is {{authType}}. Add {{key}}=… to the connection string.',
  KEY_NOT_USED: '{{key}} is not used when AuthType is {{authType}}. Remove it, or check that AuthType is right.',
  INVALID_GUID:
    '{{key}} must be the application (client) ID of the app registration, a GUID like 00000000-0000-0000-0000-000000000000, but it is "{{value}}". Copy the ID from the Overview page of the app registration in the Azure portal.',
  URL_NOT_ABSOLUTE:
    'Url must be the full address of the Dynamics 365 environment, such as https://contoso.crm.dynamics.com, but it is "{{value}}".',
  URL_BAD_SCHEME: 'Url must start with https:// (or http:// for a server on your own network), not "{{scheme}}".',
  URL_HTTPS_REQUIRED: 'Dynamics 365 online ({{host}}) only accepts secure connections. Change the start of Url from http:// to https://.',
  URL_NOT_ENVIRONMENT:
    '{{host}} is not the address of an environment. Use the environment URL shown in the Power Platform admin center, in the form https://<org>.crm<N>.dynamics.com.',
  URL_HAS_PATH: 'Url should be only the address of the environment. Remove "{{path}}" from the end of it.',
  INVALID_URI: '{{key}} must be a complete URI such as app://00000000-0000-0000-0000-000000000000, but it is "{{value}}".',
  REDIRECT_URI_MISMATCH:
    'The Business Central app registration uses the redirect URI {{expected}}, but RedirectUri is "{{value}}". Set RedirectUri to {{expected}} and register the same URI on the app.',
  INVALID_LOGIN_PROMPT: 'LoginPrompt must be Auto, Always or Never, not "{{value}}".',
  LOGIN_PROMPT_ALWAYS:
    'LoginPrompt=Always asks for a sign-in on every connection, but the Business Central server runs without anyone to answer. Use Auto or Never.',
  USERNAME_NOT_EMAIL:
    'With AuthType={{authType}} the user name must be the sign-in e-mail address (for example jsmith@contoso.onmicrosoft.com), but it is "{{value}}".',
  USERNAME_NEEDS_DOMAIN:
    'With AuthType={{authType}} write the user name as DOMAIN\\user (for example CONTOSO\\jsmith), or add Domain=<your domain>. "{{value}}" names no domain.',
  OAUTH_NO_CREDENTIALS:
    'No Username and Password are given and Integrated Security is not true, so signing in needs a person at the screen. Business Central connects unattended: add the integration user\'s Username and Password.',
  PASSWORD_PLACEHOLDER: 'Password holds a placeholder, not a password. Type the real password of the integration user before you connect.',
  CLIENT_SECRET_PLACEHOLDER: 'ClientSecret holds a placeholder, not a secret. Paste the client secret value from the app registration before you connect.',
  INVALID_BOOLEAN: '{{key}} must be true or false, not "{{value}}".',
  INVALID_PROXY_VERSION: 'ProxyVersion must be one of {{validVersions}}, not "{{value}}".',
  PROXY_VERSION_ONLINE:
    'Dynamics 365 Sales online needs ProxyVersion=91 (SDK 9.1, solution DynamicsNAVIntegrationSolution_v91), but ProxyVersion is {{value}}.',
  INVALID_THUMBPRINT:
    'Thumbprint must be the 40 hexadecimal characters of the certificate\'s SHA-1 thumbprint, without spaces, colons or hidden characters, but it is "{{value}}".',
  INVALID_STORE_NAME: '"{{value}}" is not a certificate store. Use one of: {{validStores}} (My is the personal store).',
  STORE_NAME_WITHOUT_THUMBPRINT: 'StoreName only tells where to find the certificate. Add Thumbprint= with the certificate\'s thumbprint.',
  INVALID_KEY_NAME: 'The key "{{key}}" cannot be written into a connection string ({{reason}}). Rename it.',
  INVALID_VALUE: 'The value of {{key}} cannot be written into a connection string ({{reason}}). Remove that character.',
} as const;

export type FindingCode = keyof typeof FINDING_TEMPLATES;
export const FINDING_CODES = Object.keys(FINDING_TEMPLATES) as FindingCode[];

/** Every code a caller can meet: the finding codes plus the syntax-error codes. */
export const MESSAGE_TEMPLATES: Readonly<Record<string, string>> = { ...FINDING_TEMPLATES, ...SYNTAX_MESSAGES };

/** The {{params}} a template uses, sorted. */
export function templateParams(template: string): string[] {
  return [...template.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();
}

export function formatTemplate(template: string, params: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => params[name] ?? whole);
}

export function finding(code: FindingCode, key: string | null, params: Record<string, string> = {}): Finding {
  const message = formatTemplate(FINDING_TEMPLATES[code], params);
  return Object.keys(params).length ? { key, code, message, params } : { key, code, message };
}
