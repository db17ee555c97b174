import type { CanonicalKey, Finding } from '../../../../preload/contract/sales/connstr';
import { CANONICAL_KEYS } from '../../../../preload/contract/sales/connstr';
import { finding } from './findings';
import { trimWhiteSpace } from './grammar';

/**
 * Every spelling XRM tooling (CrmServiceClient / ServiceClient connection-string processor) accepts for a key,
 * reference A.7. Lookup is case-insensitive and ignores white space AROUND the key (as .NET does); white space
 * inside matters, which is why both `User Name` and `UserName` are listed.
 */
export const KEY_ALIASES: Record<CanonicalKey, readonly string[]> = {
  AuthType: ['AuthType', 'AuthenticationType'],
  Url: ['Url', 'ServiceUri', 'Service Uri', 'Server'],
  Username: ['Username', 'User Name', 'UserId', 'User Id'],
  Password: ['Password'],
  Domain: ['Domain'],
  HomeRealmUri: ['HomeRealmUri', 'Home Realm Uri'],
  AppId: ['AppId', 'ClientId', 'ApplicationId'],
  ClientSecret: ['ClientSecret', 'Secret'],
  RedirectUri: ['RedirectUri', 'ReplyUrl'],
  TokenCacheStorePath: ['TokenCacheStorePath'],
  LoginPrompt: ['LoginPrompt'],
  Thumbprint: ['Thumbprint', 'CertThumbprint', 'CertificateThumbprint'],
  StoreName: ['StoreName', 'CertificateStoreName'],
  RequireNewInstance: ['RequireNewInstance'],
  SkipDiscovery: ['SkipDiscovery'],
  IntegratedSecurity: ['Integrated Security', 'IntegratedSecurity'],
  ProxyVersion: ['ProxyVersion'],
};

/**
 * .NET lower-cases with the invariant culture; toLowerCase is the same for the ASCII alias names. White space is
 * .NET's (the grammar's), not JS trim(): a key starting with U+FEFF is a different key there.
 */
const norm = (key: string) => trimWhiteSpace(key).toLowerCase();

const ALIAS_INDEX: ReadonlyMap<string, CanonicalKey> = new Map(
  CANONICAL_KEYS.flatMap((canonical) => KEY_ALIASES[canonical].map((alias) => [norm(alias), canonical] as const)),
);

/** The canonical name for any accepted spelling, or null for a key XRM tooling does not know. */
export function canonicalKey(key: string): CanonicalKey | null {
  return ALIAS_INDEX.get(norm(key)) ?? null;
}

export function isCanonicalKey(key: string): key is CanonicalKey {
  return (CANONICAL_KEYS as readonly string[]).includes(key);
}

export interface ResolvedValues {
  /** Canonical key (or unknown key as first written) → value, in first-seen order. */
  values: Record<string, string>;
  warnings: Finding[];
}

/**
 * Folds key/value pairs (from the tokenizer or from a form) into canonical keys.
 * Duplicates: the last one wins, across aliases too (`ServiceUri=a;Url=b` → Url=b), with a DUPLICATE_KEY warning.
 * One exception mirrors XRM tooling, which asks for each alias in turn and takes the first NON-EMPTY one:
 * an empty value written under a different alias does not wipe out a value that was given
 * (`Url=https://x;Server=` still connects to https://x). The same spelling written twice is a plain
 * dictionary overwrite in .NET, so there the last value wins even when empty.
 * Unknown keys are kept as first written (compared case-insensitively, like .NET) with an UNKNOWN_KEY warning.
 */
export function resolvePairs(pairs: readonly { key: string; value: string }[]): ResolvedValues {
  const values: Record<string, string> = {};
  const warnings: Finding[] = [];
  const seen = new Map<string, { written: string; slot: string }>();
  const warned = new Set<string>();
  for (const { key, value } of pairs) {
    const canonical = canonicalKey(key);
    const id = canonical ?? `?${norm(key)}`;
    const before = seen.get(id);
    if (!canonical && !warned.has(id)) {
      warned.add(id);
      warnings.push(finding('UNKNOWN_KEY', key, { key }));
    }
    if (!before) {
      const slot = canonical ?? key;
      seen.set(id, { written: key, slot });
      values[slot] = value;
      continue;
    }
    warnings.push(finding('DUPLICATE_KEY', canonical ?? before.slot, { key: canonical ?? before.slot, first: before.written, second: key }));
    const sameSpelling = norm(before.written) === norm(key);
    if (value === '' && !sameSpelling && values[before.slot] !== '') continue;
    values[before.slot] = value;
    seen.set(id, { written: key, slot: before.slot });
  }
  return { values, warnings };
}
