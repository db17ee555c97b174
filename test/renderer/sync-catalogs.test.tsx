import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SyncJobSchema, SyncPassDirection, SyncPhase, SyncQueueStatus } from '../../preload/contract';
import { LANGUAGES, resources } from '../../renderer/i18n';
import { SHOWN_COUNTERS } from '../../renderer/pages/sales/sync/format';
import { MESSAGE_CODES, REASON_CODES } from '../../main/integrations/sales/sync/service/messages';

type Tree = { [k: string]: string | Tree };
const flatten = (t: Tree, prefix = ''): Record<string, string> =>
  Object.entries(t).reduce<Record<string, string>>((acc, [k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'string' ? { ...acc, [key]: v } : { ...acc, ...flatten(v, key) };
  }, {});
const params = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
const root = path.resolve(import.meta.dirname, '../..');
const catalog = (lng: (typeof LANGUAGES)[number]['code']) => flatten(resources[lng].sync as unknown as Tree);
const en = catalog('en');
const has = (c: Record<string, string>, k: string) => k in c || (`${k}_one` in c && `${k}_other` in c);
/** Same in every language: arrows between product names, product names, "OK". */
const SAME = new Set(['direction.to', 'direction.from', 'mappingDirection.ToIntegrationTable', 'mappingDirection.FromIntegrationTable', 'side.bc', 'side.dataverse', 'status.ok', 'table.status', 'jobs.type', 'skipped.record']);

describe('sync catalogs', () => {
  for (const { code } of LANGUAGES.filter((l) => l.code !== 'en')) {
    it(`${code} has exactly the English keys and placeholders, and translates every text`, () => {
      const other = catalog(code);
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      const untranslated: string[] = [];
      for (const [key, text] of Object.entries(en)) {
        expect(params(other[key]!), `${code}:${key}`).toEqual(params(text));
        expect(other[key]!.trim(), `${code}:${key}`).not.toBe('');
        if (other[key] === text && !SAME.has(key) && /[a-z]{3}/.test(text.replace(/\{\{\w+\}\}/g, ''))) untranslated.push(key);
      }
      expect(untranslated).toEqual([]);
    });
  }

  it('has a text for every value the page builds a key from', () => {
    const needed = [
      ...SyncQueueStatus.options.map((x) => `queueStatus.${x}`),
      ...SyncPhase.options.map((x) => `phase.${x}`),
      ...SyncPassDirection.options.map((x) => `direction.${x}`),
      ...SyncJobSchema.shape.direction.options.map((x) => `mappingDirection.${x}`),
      ...SyncJobSchema.shape.type.options.map((x) => `jobType.${x}`),
      ...SHOWN_COUNTERS.map((x) => `counter.${x}`),
      ...['running', 'never', 'attention', 'ok'].map((x) => `status.${x}`),
      ...['couplingsDeleted', 'restored', 'retried', 'uncoupled'].map((x) => `notice.${x}`),
      // Runtime texts main sends as codes (issue 11): every code has a text, so no English reaches another language.
      ...MESSAGE_CODES.map((x) => `msg.${x}`),
      ...REASON_CODES.map((x) => `reason.${x}`),
    ];
    for (const { code } of LANGUAGES) expect(needed.filter((k) => !has(catalog(code), k)), code).toEqual([]);
  });

  it('every literal key the sync page uses exists in its namespace', () => {
    const dir = path.join(root, 'renderer/pages/sales/sync');
    const missing: string[] = [];
    let seen = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.tsx'))) {
      for (const m of readFileSync(path.join(dir, file), 'utf8').matchAll(/\bts\(\s*'([a-zA-Z0-9_.-]+)'/g)) {
        seen++;
        if (!has(en, m[1]!)) missing.push(`${file}: ${m[1]}`);
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('has nav.sync and the sync error codes in every common catalog', () => {
    for (const { code } of LANGUAGES) {
      const common = flatten(resources[code].common as unknown as Tree);
      expect(common['nav.sync'], code).toBeTruthy();
      for (const k of ['SYNC_ALREADY_RUNNING', 'SYNC_NOT_CONFIGURED', 'SYNC_PROFILE_WRONG_KIND', 'SYNC_RUN_FAILED']) expect(common[`errors.${k}`], `${code}:${k}`).toBeTruthy();
    }
  });
});
