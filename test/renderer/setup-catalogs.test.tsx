import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixAction, SDK_VERSION_VALUES, SetupDraft, SetupFindingStatus } from '../../preload/contract/sales/setup';
import { LANGUAGES, resources } from '../../renderer/i18n';
import { ADVANCED_FLAGS } from '../../renderer/pages/sales/setup/logic';

type Tree = { [k: string]: string | Tree };
const flatten = (t: Tree, prefix = ''): Record<string, string> =>
  Object.entries(t).reduce<Record<string, string>>((acc, [k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'string' ? { ...acc, [key]: v } : { ...acc, ...flatten(v, key) };
  }, {});
const params = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((x) => x[1]).sort();
const root = path.resolve(import.meta.dirname, '../..');
const catalog = (lng: (typeof LANGUAGES)[number]['code']) => flatten(resources[lng].setup as unknown as Tree);
const en = catalog('en');
const has = (c: Record<string, string>, k: string) => k in c || `${k}_one` in c;

/** Every message code main/integrations/sales/setup can emit, with the English text it sends (placeholders as {name}). */
function backendMessages(): Map<string, string | null> {
  const dir = path.join(root, 'main/integrations/sales/setup');
  const out = new Map<string, string | null>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    for (const x of src.matchAll(/msg\(\s*'([\w.]+)'\s*,\s*'((?:[^'\\]|\\.)*)'/g)) out.set(x[1]!, x[2]!.replace(/\\'/g, "'"));
    // Codes picked by an expression (msg(cond ? 'a' : 'b', …)) have no literal text right after them.
    for (const x of src.matchAll(/msg\((?:[^,'?]|'[^']*')*\?\s*'([\w.]+)'\s*:\s*'([\w.]+)'/g)) for (const c of [x[1]!, x[2]!]) if (!out.has(c)) out.set(c, null);
  }
  return out;
}

describe('setup catalogs', () => {
  for (const { code } of LANGUAGES.filter((l) => l.code !== 'en')) {
    it(`${code} has exactly the English keys, the same placeholders and real translations`, () => {
      const other = catalog(code);
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      const untranslated: string[] = [];
      for (const [key, text] of Object.entries(en)) {
        expect(params(other[key]!), `${code}:${key}`).toEqual(params(text));
        expect(other[key]!.trim(), `${code}:${key}`).not.toBe('');
        if (text.split(' ').length > 4 && other[key] === text) untranslated.push(key);
      }
      expect(untranslated).toEqual([]);
    });
  }

  it('translates every message code main/integrations/sales/setup emits, with the params main sends', () => {
    const codes = backendMessages();
    // Sanity: the scan finds the backend's messages (checks, causes, fixes, changes, the F.3 explanation).
    expect(codes.size).toBeGreaterThan(70);
    expect(codes.has('salespeople.explanation')).toBe(true);
    expect(codes.has('fix.signIn')).toBe(true);
    for (const { code } of LANGUAGES) {
      const c = catalog(code);
      expect([...codes.keys()].filter((k) => !(k in c)), code).toEqual([]);
      for (const [k, text] of codes) {
        if (text === null) continue;
        const sent = [...text.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
        expect(params(c[k]!), `${code}:${k}`).toEqual(sent);
      }
    }
  });

  it('has a text for every value the wizard builds a key from, and nav.setup in the common catalogs', () => {
    const needed = [
      ...SetupDraft.shape.step.options.flatMap((s) => [`steps.${s}.title`, `steps.${s}.help`]),
      ...SetupFindingStatus.options.map((s) => `pre.status.${s}`),
      ...FixAction.options.map((o) => `pre.action.${o.shape.kind.value}`),
      ...ADVANCED_FLAGS.filter((f) => f !== 'itemAvailability').flatMap((f) => [`adv.${f}.label`, `adv.${f}.help`]),
      ...['web-service', 'job'].flatMap((mode) => [`adv.itemAvailability.${mode}.label`, `adv.itemAvailability.${mode}.help`]),
      ...SDK_VERSION_VALUES.map((v) => `adv.sdkVersion.meaning.${v}`),
      ...['api', 'connection-string'].map((p) => `bcStep.path.${p}`),
      ...['email', 'name'].map((b) => `sp.suggested.${b}`),
      ...['person', 'team'].map((o) => `adv.ownership.${o}`),
    ];
    for (const { code } of LANGUAGES) {
      expect(needed.filter((k) => !has(catalog(code), k)), code).toEqual([]);
      expect((resources[code].common as unknown as { nav: Record<string, string> }).nav.setup, code).toBeTruthy();
    }
  });

  it('every literal key the setup page and its rules use exists in the setup namespace', () => {
    const dir = path.join(root, 'renderer/pages/sales/setup');
    const files = [...readdirSync(dir).map((f) => path.join(dir, f)), ...readdirSync(path.join(dir, 'steps')).map((f) => path.join(dir, 'steps', f)), path.join(root, 'renderer/stores/setup.ts')];
    const missing: string[] = [];
    let seen = 0;
    for (const file of files.filter((f) => /\.tsx?$/.test(f))) {
      const src = readFileSync(file, 'utf8');
      // t('key') in components; 'reason.x' / 'adv.problem.x' / 'adv.locked.x' / 'pre.x' keys returned by the rules and the store.
      for (const x of src.matchAll(/\bts\(\s*'([a-zA-Z0-9_.-]+)'|'((?:reason|adv\.problem|adv\.locked|pre)\.[a-zA-Z.]+)'/g)) {
        const key = (x[1] ?? x[2])!;
        seen++;
        if (!has(en, key)) missing.push(`${path.basename(file)}: ${key}`);
      }
    }
    expect(seen).toBeGreaterThan(80);
    expect(missing).toEqual([]);
  });
});
