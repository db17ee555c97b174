/**
 * The sync's codes (preload/contract/commerce-teams/tasks-sync.ts) are translated in four languages
 * (renderer/i18n/locales/commerce-teams/tasks-sync, namespace teamsTasksSync), with the placeholders the params main
 * sends fill; the conflict display's field and status names are there too.
 */
import { describe, expect, it } from 'vitest';
import { COMMERCE_TASK_STATUSES, TASK_FIELDS } from '../../../main/integrations/commerce-teams/tasks/model';
import { SYNC_CODE_PARAMS, syncProblem } from '../../../main/integrations/commerce-teams/tasks/sync';
import { TASK_SYNC_FIELDS, TASKS_SYNC_CODES } from '../../../preload/contract/commerce-teams/tasks-sync';
import { createI18n, LANGUAGES, resources } from '../../../renderer/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();
type Catalog = { codes: Record<string, string>; fields: Record<string, string>; statuses: Record<string, string> } & Record<string, unknown>;
const catalog = (lang: string) => (resources as unknown as Record<string, { teamsTasksSync: Catalog }>)[lang]!.teamsTasksSync;

describe('tasks sync codes in four languages', () => {
  it('every code, field and status has a text in every language, with the English placeholders, and the same keys everywhere', () => {
    const en = catalog('en');
    expect([...TASK_SYNC_FIELDS].sort()).toEqual([...TASK_FIELDS].sort());
    for (const { code: lang } of LANGUAGES) {
      const cat = catalog(lang);
      expect(Object.keys(cat).sort(), lang).toEqual(Object.keys(en).sort());
      expect(Object.keys(cat.codes).sort(), lang).toEqual([...TASKS_SYNC_CODES].sort());
      expect(Object.keys(cat.fields).sort(), lang).toEqual([...TASK_SYNC_FIELDS].sort());
      expect(Object.keys(cat.statuses).sort(), lang).toEqual([...COMMERCE_TASK_STATUSES].sort());
      for (const c of TASKS_SYNC_CODES) expect(placeholders(cat.codes[c]!), `${lang} ${c}`).toEqual(placeholders(en.codes[c]!));
      for (const k of Object.keys(en).filter((k) => typeof en[k] === 'string')) expect(placeholders(cat[k] as string), `${lang} ${k}`).toEqual(placeholders(en[k] as string));
      if (lang !== 'en') for (const c of TASKS_SYNC_CODES) expect(cat.codes[c], `${lang} ${c} is translated`).not.toBe(en.codes[c]);
    }
  });

  it('the params main sends fill every placeholder; the translated text names the task and store', () => {
    const given = { storeNumber: '001007', taskId: 'T-42', planId: 'plan-xyz', message: 'HTTP 503', entity: 'RetailTaskStoreStatusEntity', personnelNumber: 'NR-000123', userId: 'c0ffee00-0000-4000-8000-000000000042', limit: 'MaximumAssigneesInTasks' };
    for (const c of TASKS_SYNC_CODES) {
      const p = syncProblem(c, given);
      expect(Object.keys(p.params).sort(), c).toEqual(placeholders(resources.en.teamsTasksSync.codes[c]));
      expect(Object.keys(p.params).sort(), c).toEqual([...SYNC_CODE_PARAMS[c]].sort());
      for (const v of Object.values(p.params)) expect(p.message, c).toContain(String(v));
      for (const { code: lang } of LANGUAGES) {
        const missing: string[] = [];
        const t = createI18n(lang, (_l, ns, key) => missing.push(`${ns}:${key}`)).t(`codes.${c}`, { ns: 'teamsTasksSync', ...p.params });
        expect(missing, `${lang} ${c}`).toEqual([]);
        expect(t, `${lang} ${c}`).not.toMatch(/\{\{/);
        for (const v of Object.values(p.params)) expect(t, `${lang} ${c}`).toContain(String(v));
      }
    }
  });

  it('a conflict reads in every language with translated field and status names', () => {
    for (const { code: lang } of LANGUAGES) {
      const i = createI18n(lang, () => undefined);
      const text = i.t('conflict', { ns: 'teamsTasksSync', field: i.t('fields.status', { ns: 'teamsTasksSync' }), commerce: i.t('statuses.Completed', { ns: 'teamsTasksSync' }), planner: i.t('statuses.InProgress', { ns: 'teamsTasksSync' }), base: i.t('statuses.NotStarted', { ns: 'teamsTasksSync' }) });
      expect(text, lang).toContain(catalog(lang).statuses.Completed!);
      expect(text, lang).toContain(catalog(lang).statuses.InProgress!);
      expect(text, lang).not.toMatch(/\{\{/);
    }
  });
});
