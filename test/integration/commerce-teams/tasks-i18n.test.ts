/**
 * The link's codes (preload/contract/commerce-teams/tasks.ts) are translated in four languages
 * (renderer/i18n/locales/commerce-teams/tasks, namespace teamsTasks), with the placeholders the params main sends fill.
 */
import { describe, expect, it } from 'vitest';
import { problem } from '../../../main/integrations/commerce-teams/tasks/link';
import { TASKS_LINK_CODES, TASKS_LINK_STATES } from '../../../preload/contract/commerce-teams/tasks';
import { createI18n, LANGUAGES, resources } from '../../../renderer/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();

describe('tasks link codes in four languages', () => {
  it('every code and state has a text in every language, with the English placeholders, and nothing else', () => {
    const en = resources.en.teamsTasks;
    for (const { code: lang } of LANGUAGES) {
      const cat = resources[lang].teamsTasks as { codes: Record<string, string>; states: Record<string, string> };
      expect(Object.keys(cat.codes).sort(), lang).toEqual([...TASKS_LINK_CODES].sort());
      expect(Object.keys(cat.states).sort(), lang).toEqual([...TASKS_LINK_STATES].sort());
      for (const c of TASKS_LINK_CODES) expect(placeholders(cat.codes[c]!), `${lang} ${c}`).toEqual(placeholders(en.codes[c]));
    }
  });

  it('the params main sends fill every placeholder; the translated text names the store', () => {
    for (const c of TASKS_LINK_CODES) {
      const p = problem(c, { storeNumber: '001007', teamId: 'a1b2c3d4-0000-4000-8000-000000000007', plans: 3, message: 'HTTP 503' });
      expect(p.code).toBe(c);
      expect(Object.keys(p.params).sort(), c).toEqual(placeholders(resources.en.teamsTasks.codes[c]));
      expect(p.fix).toContain('001007');
      for (const { code: lang } of LANGUAGES) {
        const missing: string[] = [];
        const t = createI18n(lang, (_l, ns, key) => missing.push(`${ns}:${key}`)).t(`codes.${c}`, { ns: 'teamsTasks', ...p.params });
        expect(missing, `${lang} ${c}`).toEqual([]);
        expect(t, `${lang} ${c}`).toContain('001007');
        expect(t, `${lang} ${c}`).not.toMatch(/\{\{/);
      }
    }
  });
});
