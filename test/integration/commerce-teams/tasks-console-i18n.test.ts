/**
 * Every code the task console (tasks.*) sends — errors, enable/disable effects, progress phases, conflict fields,
 * statuses and job-queue states the pages name — has a text in en, nb-NO, nl-NL and fi-FI with the same
 * placeholders (namespace teamsTasksPages; the errors also under common `errors.<code>`, where the ErrorBar looks).
 */
import { describe, expect, it } from 'vitest';
import { TASKS_CONFLICT_FIELDS, TASKS_EFFECT_CODES, TASKS_ERROR_CODES, TASKS_PHASES } from '../../../preload/contract/commerce-teams/tasks-methods';
import { QUEUE_STATUSES } from '../../../main/kernel/jobs/queue';
import en from '../../../renderer/i18n/locales/commerce-teams/tasks-pages/en.json';
import fi from '../../../renderer/i18n/locales/commerce-teams/tasks-pages/fi-FI.json';
import nb from '../../../renderer/i18n/locales/commerce-teams/tasks-pages/nb-NO.json';
import nl from '../../../renderer/i18n/locales/commerce-teams/tasks-pages/nl-NL.json';
import { createI18n, LANGUAGES } from '../../../renderer/i18n';

const SECTIONS: Record<string, readonly string[]> = {
  errors: TASKS_ERROR_CODES,
  effect: TASKS_EFFECT_CODES,
  phase: TASKS_PHASES,
  field: TASKS_CONFLICT_FIELDS,
  status: ['NotStarted', 'InProgress', 'Completed', 'Canceled'],
  // The page shows 'On Hold with Inactivity Timeout' as On Hold.
  queue: QUEUE_STATUSES.filter((s) => s !== 'On Hold with Inactivity Timeout'),
};
const catalogs = { en, 'nb-NO': nb, 'nl-NL': nl, 'fi-FI': fi } as unknown as Record<string, Record<string, Record<string, string>>>;
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('task console codes in four languages', () => {
  it('every code has a text in every language with the English placeholders, translated', () => {
    for (const [lang, cat] of Object.entries(catalogs)) {
      for (const [section, codes] of Object.entries(SECTIONS)) {
        expect(Object.keys(cat[section]!).sort(), `${lang} ${section}`).toEqual([...codes].sort());
        for (const code of codes) {
          const text = cat[section]![code]!;
          expect(text.trim().length, `${lang} ${section}.${code}`).toBeGreaterThan(1);
          expect(placeholders(text), `${lang} ${section}.${code}`).toEqual(placeholders(catalogs.en![section]![code]!));
          if (lang !== 'en' && text.length > 30) expect(text, `${lang} ${section}.${code} is not translated`).not.toBe(catalogs.en![section]![code]);
        }
      }
    }
  });

  it('the catalog is registered: errors resolve under common, effects and phases under teamsTasksPages, without a missing key', () => {
    for (const { code: lang } of LANGUAGES) {
      const missing: string[] = [];
      const i18n = createI18n(lang, (_l, ns, key) => missing.push(`${ns}:${key}`));
      for (const code of TASKS_ERROR_CODES) expect(i18n.t(`errors.${code}`, { ns: 'common', message: 'M', list: 'L', available: 'A', id: 1 })).toBe(i18n.t(`errors.${code}`, { ns: 'teamsTasksPages', message: 'M', list: 'L', available: 'A', id: 1 }));
      for (const code of TASKS_EFFECT_CODES) expect(i18n.t(`effect.${code}`, { ns: 'teamsTasksPages', everyMinutes: 15, entry: 'E' })).not.toContain('effect.');
      for (const phase of TASKS_PHASES) expect(i18n.t(`phase.${phase}`, { ns: 'teamsTasksPages' })).toBe(catalogs[lang]!.phase![phase]);
      expect(i18n.t('nav', { ns: 'teamsTasksPages' })).toBe((catalogs[lang] as unknown as { nav: string }).nav);
      expect(missing, lang).toEqual([]);
    }
  });
});
