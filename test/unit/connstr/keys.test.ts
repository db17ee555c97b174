import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANONICAL_KEYS } from '../../../preload/contract/sales/connstr';
import { canonicalKey, KEY_ALIASES, resolvePairs } from '../../../main/integrations/sales/connstr/keys';

const p = (...kv: [string, string][]) => kv.map(([key, value]) => ({ key, value }));

describe('key aliases', () => {
  it('maps every documented spelling to its canonical key, in any letter case', () => {
    const cases: [string, string][] = [
      ['Url', 'Url'], ['ServiceUri', 'Url'], ['Service Uri', 'Url'], ['server', 'Url'],
      ['AppId', 'AppId'], ['ClientId', 'AppId'], ['APPLICATIONID', 'AppId'],
      ['UserName', 'Username'], ['User Name', 'Username'], ['userid', 'Username'], ['User Id', 'Username'],
      ['AuthenticationType', 'AuthType'], ['Secret', 'ClientSecret'], ['ReplyUrl', 'RedirectUri'],
      ['Home Realm Uri', 'HomeRealmUri'], ['CertThumbprint', 'Thumbprint'], ['CertificateThumbprint', 'Thumbprint'],
      ['CertificateStoreName', 'StoreName'], ['Integrated Security', 'IntegratedSecurity'], ['integratedsecurity', 'IntegratedSecurity'],
      ['TokenCacheStorePath', 'TokenCacheStorePath'], ['loginprompt', 'LoginPrompt'], ['RequireNewInstance', 'RequireNewInstance'],
      ['SkipDiscovery', 'SkipDiscovery'], ['Domain', 'Domain'], ['Password', 'Password'], ['ProxyVersion', 'ProxyVersion'],
      ['  Url  ', 'Url'],
    ];
    for (const [written, canonical] of cases) expect(canonicalKey(written), written).toBe(canonical);
  });

  it('covers every canonical key, and no spelling belongs to two keys', () => {
    expect(Object.keys(KEY_ALIASES).sort()).toEqual([...CANONICAL_KEYS].sort());
    const all = Object.values(KEY_ALIASES).flat().map((a) => a.toLowerCase());
    expect(new Set(all).size).toBe(all.length);
  });

  it('is case-insensitive for every alias (property)', () => {
    const alias = fc.constantFrom(...Object.entries(KEY_ALIASES).flatMap(([c, as]) => as.map((a) => [c, a] as const)));
    fc.assert(
      fc.property(alias, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), ([canonical, a], upper) => {
        const mixed = [...a].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join('');
        expect(canonicalKey(mixed)).toBe(canonical);
      }),
    );
  });

  it('does not collapse white space inside a key (.NET does not either)', () => {
    expect(canonicalKey('User  Name')).toBeNull();
    expect(canonicalKey('Integrated_Security')).toBeNull();
  });
});

describe('resolvePairs', () => {
  it('keeps unknown keys as written and warns once per key', () => {
    const r = resolvePairs(p(['Url', 'https://x'], ['Foo Bar', '1'], ['foo bar', '2']));
    expect(r.values).toEqual({ Url: 'https://x', 'Foo Bar': '2' });
    expect(r.warnings.filter((w) => w.code === 'UNKNOWN_KEY').map((w) => w.key)).toEqual(['Foo Bar']);
    expect(r.warnings.find((w) => w.code === 'DUPLICATE_KEY')?.key).toBe('Foo Bar');
  });

  it('lets the last duplicate win, across aliases too, with a warning', () => {
    const r = resolvePairs(p(['ServiceUri', 'https://a'], ['url', 'https://b'], ['ClientId', 'x'], ['AppId', 'y']));
    expect(r.values).toEqual({ Url: 'https://b', AppId: 'y' });
    const dup = r.warnings.filter((w) => w.code === 'DUPLICATE_KEY');
    expect(dup.map((w) => [w.key, w.params])).toEqual([
      ['Url', { key: 'Url', first: 'ServiceUri', second: 'url' }],
      ['AppId', { key: 'AppId', first: 'ClientId', second: 'AppId' }],
    ]);
  });

  it('does not let an empty value under another alias wipe out a given value; the same spelling overwrites', () => {
    expect(resolvePairs(p(['Url', 'https://x'], ['Server', ''])).values).toEqual({ Url: 'https://x' });
    expect(resolvePairs(p(['Url', 'https://x'], ['URL', ''])).values).toEqual({ Url: '' });
    expect(resolvePairs(p(['Server', ''], ['Url', 'https://x'])).values).toEqual({ Url: 'https://x' });
  });

  it('equals "last occurrence wins" for non-empty values (property)', () => {
    const urlAlias = fc.constantFrom('Url', 'url', 'ServiceUri', 'Service Uri', 'Server');
    fc.assert(
      fc.property(fc.array(fc.record({ key: urlAlias, value: fc.string({ minLength: 1, maxLength: 5 }) }), { minLength: 1, maxLength: 6 }), (ps) => {
        const r = resolvePairs(ps);
        expect(r.values).toEqual({ Url: ps[ps.length - 1]!.value });
        expect(r.warnings.filter((w) => w.code === 'DUPLICATE_KEY')).toHaveLength(ps.length - 1);
      }),
    );
  });
});
