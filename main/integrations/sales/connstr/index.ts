import type { BuildResult, ChecklistItem, Finding, ParseResult, SdkVersion } from '../../../../preload/contract/sales/connstr';
import { CANONICAL_KEYS, SECRET_KEYS } from '../../../../preload/contract/sales/connstr';
import { finding } from './findings';
import { keyProblem, serializePairs, tokenize, trimWhiteSpace, valueProblem } from './grammar';
import { isCanonicalKey, resolvePairs } from './keys';
import { validateValues } from './validate';

export { FINDING_CODES, FINDING_TEMPLATES, MESSAGE_TEMPLATES, formatTemplate, templateParams } from './findings';
export type { FindingCode } from './findings';
export { SYNTAX_CODES, SYNTAX_MESSAGES, serializePairs, tokenize } from './grammar';
export type { Pair, SyntaxCode, TokenizeResult } from './grammar';
export { KEY_ALIASES, canonicalKey, resolvePairs } from './keys';
export { REQUIRED_KEYS, USED_KEYS, isPlaceholder, validateValues } from './validate';

/** What maskSecrets writes instead of a secret (also recognised as a placeholder when read back). */
export const SECRET_MASK = '****';

/**
 * Keys written even when empty. BC's OAuth template and the documented pre-v16 example carry
 * `TokenCacheStorePath=` ("no token cache file") and admins compare the string with the docs; every other
 * empty value means the same as leaving the key out, so it is left out.
 */
export const KEEP_WHEN_EMPTY: readonly string[] = ['TokenCacheStorePath'];

export function parseConnectionString(text: string): ParseResult {
  const tokens = tokenize(text);
  if (!tokens.ok) return { values: {}, authType: null, errors: [], warnings: [], syntaxError: tokens.error };
  const resolved = resolvePairs(tokens.pairs);
  const v = validateValues(resolved.values);
  return { values: resolved.values, authType: v.authType, errors: v.errors, warnings: [...resolved.warnings, ...v.warnings], syntaxError: null };
}

/**
 * Serializes values (canonical or alias keys; unknown keys are kept as written) in CANONICAL_KEYS order,
 * then unknown keys in the given order, quoting only what must be quoted. Validation runs on the real
 * values; maskSecrets only changes the text.
 */
export function buildConnectionString(values: Readonly<Record<string, string>>, options: { maskSecrets?: boolean } = {}): BuildResult {
  const errors: Finding[] = [];
  const writable: { key: string; value: string }[] = [];
  for (const [rawKey, value] of Object.entries(values)) {
    const key = trimWhiteSpace(rawKey);
    const kp = keyProblem(key);
    if (kp) {
      errors.push(finding('INVALID_KEY_NAME', null, { key: rawKey, reason: kp }));
      continue;
    }
    const vp = valueProblem(value);
    if (vp) {
      errors.push(finding('INVALID_VALUE', key, { key, reason: vp }));
      continue;
    }
    writable.push({ key, value });
  }
  const resolved = resolvePairs(writable);
  const v = validateValues(resolved.values);

  const canonical = CANONICAL_KEYS.filter((k) => k in resolved.values);
  const unknown = Object.keys(resolved.values).filter((k) => !isCanonicalKey(k));
  const pairs = [...canonical, ...unknown]
    .map((key) => ({ key, value: resolved.values[key]! }))
    .filter(({ key, value }) => value !== '' || KEEP_WHEN_EMPTY.includes(key))
    .map(({ key, value }) =>
      options.maskSecrets && value !== '' && (SECRET_KEYS as readonly string[]).includes(key) ? { key, value: SECRET_MASK } : { key, value },
    );
  return { text: serializePairs(pairs), errors: [...errors, ...v.errors], warnings: [...resolved.warnings, ...v.warnings] };
}

/** Dynamics 365 SDK (ProxyVersion) choices for BC before v16, reference A.6. 100 is forced by BC online, not chosen here. */
export const SDK_VERSIONS: SdkVersion[] = [
  { version: 8, solution: 'DynamicsNAVIntegrationSolution_v8', label: 'SDK 8.x, for Dynamics CRM and Dynamics 365 8.x (legacy)', requiredForOnline: false },
  { version: 9, solution: 'DynamicsNAVIntegrationSolution_v9', label: 'SDK 9.0, for Dynamics 365 9.0 and later on your own servers', requiredForOnline: false },
  { version: 91, solution: 'DynamicsNAVIntegrationSolution_v91', label: 'SDK 9.1, required for Dynamics 365 Sales online', requiredForOnline: true },
];

/** What an admin does for a pre-v16 BC (or NAV 2018) → Sales online connection, reference A.6, B.1, B.2, Gotchas. */
export const PRE_V16_CHECKLIST: ChecklistItem[] = [
  {
    id: 'import-solution',
    title: 'Import the integration solution DynamicsNAVIntegrationSolution_v91',
    detail:
      'In Dynamics 365 Sales, import DynamicsNAVIntegrationSolution_v91.zip from the CrmCustomization folder of the Business Central installation media. Sales online needs the v91 package; it adds the Business Central entities and security roles.',
  },
  {
    id: 'integration-user',
    title: 'Create a non-interactive integration user',
    detail:
      'Create a user in Dynamics 365 Sales that is only used by the integration, with access mode Non-interactive. Assign the security roles "Dynamics 365 Business Central Integration Administrator" and "Dynamics 365 Business Central Integration User", but NOT System Administrator. Never use this user for manual changes: they are not synchronized back to Business Central.',
  },
  {
    id: 'app-registration',
    title: 'Register an app for the connection',
    detail:
      'In Microsoft Entra ID, in the same tenant as the Dynamics 365 environment, register an app with the redirect URI app://<AppId> (its own application ID) and the delegated API permissions Dynamics CRM user_impersonation and Dynamics 365 Business Central Financials.ReadWrite.All, then grant admin consent. No client secret is needed: the connection string uses AuthType=OAuth with AppId=<AppId> and RedirectUri=app://<AppId>.',
  },
  {
    id: 'environment-mode',
    title: 'Check that the environment is not in administration mode',
    detail:
      'The integration user is not an administrator, so the connection fails while the Dynamics 365 environment is in administration mode. Turn administration mode off in the Power Platform admin center.',
  },
  {
    id: 'enable-connection',
    title: 'Enable the connection in Business Central',
    detail:
      'On the Microsoft Dynamics 365 Connection Setup page, enter the Dynamics 365 URL, the integration user and this connection string, choose SDK version 9.1, run Test Connection, and then turn on Enabled.',
  },
];
