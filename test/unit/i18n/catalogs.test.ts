import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CANONICAL_KEYS, TransportErrorCodes } from '../../../preload/contract';
import { LANGUAGES, resources } from '../../../renderer/i18n';

type Tree = { [k: string]: string | Tree };
const flatten = (t: Tree, prefix = ''): Record<string, string> =>
  Object.entries(t).reduce<Record<string, string>>((acc, [k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'string' ? { ...acc, [key]: v } : { ...acc, ...flatten(v, key) };
  }, {});
const params = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

function walk(dir: string, exts: string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return walk(p, exts);
    return exts.some((e) => p.endsWith(e)) ? [p] : [];
  });
}

const root = path.resolve(import.meta.dirname, '../../..');

describe('translation catalogs', () => {
  for (const ns of Object.keys(resources.en) as (keyof (typeof resources)['en'])[]) {
    const en = flatten(resources.en[ns] as unknown as Tree);
    for (const { code } of LANGUAGES.filter((l) => l.code !== 'en')) {
      it(`${code} (${ns}) has exactly the English keys, with the same placeholders, and no empty texts`, () => {
        const other = flatten(resources[code][ns] as unknown as Tree);
        expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
        for (const [key, text] of Object.entries(en)) {
          expect(params(other[key]!), `${code}:${ns}:${key}`).toEqual(params(text));
          expect(other[key]!.trim(), `${code}:${ns}:${key}`).not.toBe('');
        }
      });
    }
  }

  it('every literal key the renderer uses exists in the English catalog', () => {
    const flat = Object.fromEntries(Object.entries(resources.en).map(([ns, tree]) => [ns, flatten(tree as unknown as Tree)]));
    const inNs = (ns: string, k: string) => !!flat[ns] && (k in flat[ns]! || `${k}_one` in flat[ns]!);
    const missing: string[] = [];
    for (const file of walk(path.join(root, 'renderer'), ['.ts', '.tsx'])) {
      const src = readFileSync(file, 'utf8');
      // A page on its own namespace (useTranslation('teamsMapping')) looks its literal keys up there; common otherwise.
      const own = [...new Set([...src.matchAll(/useTranslation\(\s*'(\w+)'/g)].map((m) => m[1]!))];
      const nss = [...own, 'common'];
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'(\s*,\s*\{[^}]*ns:\s*'(\w+)')?/g)) {
        if (m[3] && m[3] !== 'common') continue;
        if (!nss.some((ns) => inNs(ns, m[1]!))) missing.push(`${path.relative(root, file)}: ${m[1]}`);
      }
      // Keys built from a prefix in a template literal are checked by the specific tests below.
    }
    expect(missing).toEqual([]);
  });

  it('has a label and a hint for every connection-string key', () => {
    const en = flatten(resources.en.common as unknown as Tree);
    for (const k of CANONICAL_KEYS) {
      expect(en[`fields.${k}.label`], k).toBeTruthy();
      expect(en[`fields.${k}.hint`], k).toBeTruthy();
    }
  });

  it('translates every error code main can return to the UI', () => {
    const en = flatten(resources.en.common as unknown as Tree);
    const codes = new Set<string>(Object.values(TransportErrorCodes));
    for (const file of walk(path.join(root, 'main'), ['.ts']).filter((f) => !f.includes(`${path.sep}sandbox${path.sep}`))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:new AppFailure|fail)\(\s*'([A-Z0-9_]+)'/g)) codes.add(m[1]!);
    }
    for (const file of walk(path.join(root, 'renderer'), ['.ts', '.tsx'])) {
      for (const m of readFileSync(file, 'utf8').matchAll(/new RpcError\(\{\s*code:\s*'([A-Z0-9_]+)'/g)) codes.add(m[1]!);
    }
    codes.delete('DB_MIGRATION_EDITED');
    codes.delete('DB_MIGRATION_FAILED');
    const missing = [...codes].filter((c) => !en[`errors.${c}`]);
    expect(missing).toEqual([]);
  });
});
