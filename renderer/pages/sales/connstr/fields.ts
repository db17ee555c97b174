import type { CanonicalKey } from '../../../../preload/contract';

/** Which keys each AuthType uses (reference A.7 "Required keys per AuthType" plus the optional ones). */
export const FIELDS_BY_AUTH: Record<string, CanonicalKey[]> = {
  OAuth: ['Url', 'Username', 'Password', 'AppId', 'RedirectUri', 'TokenCacheStorePath', 'LoginPrompt', 'IntegratedSecurity'],
  AD: ['Url', 'Domain', 'Username', 'Password'],
  IFD: ['Url', 'Domain', 'Username', 'Password', 'HomeRealmUri'],
  Office365: ['Url', 'Username', 'Password'],
  ClientSecret: ['Url', 'AppId', 'ClientSecret'],
  Certificate: ['Url', 'AppId', 'Thumbprint', 'StoreName'],
};
export const ADVANCED_FIELDS: CanonicalKey[] = ['RequireNewInstance', 'SkipDiscovery'];
export const CHOICE_FIELDS: Partial<Record<CanonicalKey, string[]>> = {
  LoginPrompt: ['Auto', 'Always', 'Never'],
  RequireNewInstance: ['true', 'false'],
  SkipDiscovery: ['true', 'false'],
  IntegratedSecurity: ['true', 'false'],
};

export function fieldsFor(authType: string | undefined): CanonicalKey[] {
  return (authType && FIELDS_BY_AUTH[authType]) || ['Url', 'Username', 'Password', 'AppId', 'RedirectUri'];
}
