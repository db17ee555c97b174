import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthMethodSchema, AuthStateSchema, ConnectionKindSchema, ConnectionSecretNameSchema, EnvironmentTierSchema } from '../../preload/contract';
import { LANGUAGES, resources } from '../../renderer/i18n';
import { FIELD_PATHS } from '../../renderer/pages/connections/ProfileForm';

type Tree = { [k: string]: string | Tree };
const flatten = (t: Tree, prefix = ''): Record<string, string> =>
  Object.entries(t).reduce<Record<string, string>>((acc, [k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'string' ? { ...acc, [key]: v } : { ...acc, ...flatten(v, key) };
  }, {});
const params = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
const root = path.resolve(import.meta.dirname, '../..');
const catalog = (lng: (typeof LANGUAGES)[number]['code']) => flatten(resources[lng].connections as unknown as Tree);
const en = catalog('en');
/** Product names stay in English in every language. */
const PRODUCT_NAMES = ['kind.dataverse'];
const has = (c: Record<string, string>, k: string) => k in c || `${k}_one` in c;

describe('connections catalogs', () => {
  for (const { code } of LANGUAGES.filter((l) => l.code !== 'en')) {
    it(`${code} has exactly the English keys, the same placeholders and no empty or untranslated long texts`, () => {
      const other = catalog(code);
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      const untranslated: string[] = [];
      for (const [key, text] of Object.entries(en)) {
        expect(params(other[key]!), `${code}:${key}`).toEqual(params(text));
        expect(other[key]!.trim(), `${code}:${key}`).not.toBe('');
        // Sentences left in English are a translation gap; short technical labels (UAT, Test, URLs) may match.
        if (text.split(' ').length > 4 && other[key] === text && !PRODUCT_NAMES.includes(key)) untranslated.push(key);
      }
      expect(untranslated).toEqual([]);
    });
  }

  it('has a text for every value the page builds a key from', () => {
    const needed = [
      ...EnvironmentTierSchema.options.map((x) => `tier.${x}`),
      ...ConnectionKindSchema.options.flatMap((x) => [`kind.${x}`, `form.url.${x}`, `form.urlHint.${x}`]),
      ...AuthMethodSchema.options.map((x) => `method.${x}`),
      ...AuthStateSchema.options.map((x) => `status.${x}`),
      ...ConnectionSecretNameSchema.options.map((x) => `form.secret.${x}`),
      ...Object.keys(FIELD_PATHS).map((x) => `form.invalid.${x}`),
    ];
    for (const { code } of LANGUAGES) expect(needed.filter((k) => !has(catalog(code), k)), code).toEqual([]);
  });

  it('every literal key the connections page uses exists in its namespace', () => {
    const dir = path.join(root, 'renderer/pages/connections');
    const files = [...readdirSync(dir).map((f) => path.join(dir, f)), path.join(root, 'renderer/components/EnvironmentBadge.tsx')];
    const missing: string[] = [];
    let seen = 0;
    for (const file of files.filter((f) => f.endsWith('.tsx'))) {
      // A key with an explicit other namespace (`{ ns: 'common', … }`) is looked up there.
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'(?:\s*,\s*\{[^}]*?\bns:\s*'(\w+)')?/g)) {
        seen++;
        const ns = (m[2] ?? 'connections') as keyof (typeof resources)['en'];
        const where = ns === 'connections' ? en : flatten(resources.en[ns] as unknown as Tree);
        if (!has(where, m[1]!)) missing.push(`${path.basename(file)}: ${m[2] ? `${m[2]}:` : ''}${m[1]}`);
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });
});
