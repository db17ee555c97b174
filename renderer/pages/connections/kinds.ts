import type { AuthMethod, ConnectionKind, ConnectionSecretName, EnvironmentTier } from '../../../preload/contract';

/**
 * Which sign-in methods each kind offers. Mirrors METHODS_BY_KIND in main/connections/model.ts (the renderer may not
 * import main); main re-checks on save and answers CONNECTION_INVALID naming the field if the two ever disagree.
 */
export const METHODS_BY_KIND: Record<ConnectionKind, AuthMethod[]> = {
  dataverse: ['interactive', 'device-code', 'client-secret', 'certificate'],
  'bc-online': ['interactive', 'device-code', 'client-secret', 'certificate'],
  'bc-onprem': ['bc-access-key'],
  graph: ['interactive', 'device-code', 'client-secret', 'certificate'],
  'commerce-hq': ['interactive', 'device-code', 'client-secret', 'certificate'],
};

export const KINDS = Object.keys(METHODS_BY_KIND) as ConnectionKind[];
export const TIERS: EnvironmentTier[] = ['development', 'test', 'uat', 'production'];

/** Default bar colour per tier (same as main's TIER_COLOURS); production stays red-marked whatever the colour. */
export const TIER_COLOURS: Record<EnvironmentTier, string> = { development: '#2e7d32', test: '#1565c0', uat: '#6a1b9a', production: '#c62828' };

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
