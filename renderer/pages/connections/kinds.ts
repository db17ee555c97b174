import { METHODS_BY_KIND, TIER_COLOURS, type AuthMethod, type ConnectionKind, type ConnectionSecretName, type EnvironmentTier } from '../../../preload/contract';

export { METHODS_BY_KIND, TIER_COLOURS };


export const KINDS = Object.keys(METHODS_BY_KIND) as ConnectionKind[];
export const TIERS: EnvironmentTier[] = ['development', 'test', 'uat', 'production'];


export const isAppFlow = (m: AuthMethod) => m === 'client-secret' || m === 'certificate';
export const isUserFlow = (m: AuthMethod) => m === 'interactive' || m === 'device-code';

/** The secret slot an auth method needs, if any. */
export const SECRET_FOR: Partial<Record<AuthMethod, ConnectionSecretName>> = {
  'client-secret': 'clientSecret',
  certificate: 'certificatePem',
  'bc-access-key': 'accessKey',
};

/** Which optional fields a kind shows (the rest are sent as null). */
export const FIELDS_FOR: Record<ConnectionKind, { url: 'required' | 'optional'; environmentName: boolean; company: boolean; app: boolean }> = {
  dataverse: { url: 'required', environmentName: false, company: false, app: true },
  'bc-online': { url: 'optional', environmentName: true, company: true, app: true },
  'bc-onprem': { url: 'required', environmentName: false, company: true, app: false },
  graph: { url: 'optional', environmentName: false, company: false, app: true },
  'commerce-hq': { url: 'required', environmentName: false, company: false, app: true },
};

export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

/** Kinds whose form shows a paragraph of setup help (form.kindHelp.<kind>): what the service needs before a test can pass. */
export const KIND_HELP: ConnectionKind[] = ['graph', 'commerce-hq'];

/** Kind/method pairs with a note under the sign-in method (form.methodHint.<kind>.<method>): what the method needs there. */
export const METHOD_NOTES: Partial<Record<ConnectionKind, AuthMethod[]>> = {
  graph: ['interactive', 'device-code', 'client-secret', 'certificate'],
  'commerce-hq': ['interactive', 'device-code', 'client-secret', 'certificate'],
};

/** The demo sandbox's identity service (its authority is https://login.sandbox.localhost). */
export function isSandboxAuthority(authorityHost: string): boolean {
  try {
    return new URL(authorityHost).hostname.endsWith('.sandbox.localhost');
  } catch {
    return false;
  }
}
