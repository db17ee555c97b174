/**
 * The publication's codes (preload/contract/commerce-teams/tasks-publish.ts) are translated in four languages
 * (renderer/i18n/locales/commerce-teams/tasks-publish, namespace teamsTasksPublish), with exactly the placeholders
 * the params main sends fill; the whole-publication failures (AppFailure codes) also resolve as common `errors.<code>`.
 */
import { describe, expect, it } from 'vitest';
import { limitCode, publishProblem } from '../../../main/integrations/commerce-teams/tasks/publish';
import { TASKS_PUBLISH_CODES, TASKS_PUBLISH_FAILURE_CODES, TASKS_PUBLISH_SKIP_CODES, TasksPublishResultSchema } from '../../../preload/contract/commerce-teams/tasks-publish';
import { createI18n, LANGUAGES, resources } from '../../../renderer/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();
const SAMPLE = { storeNumber: '001007', teamId: 'a1b2c3d4-0000-4000-8000-000000000007', planId: 'xqQg5FS2LkCp935s-FIFm2QAFkHM', message: 'HTTP 503', active: 2399, adding: 3, limit: 2400, total: 8999, taskId: 'T9', assignees: 21, personnelNumber: 'NR-000042', count: 12, date: '2026-13-01', list: 'Opening', node: 'Vestlandet', hierarchy: 'Retail Stores by Region', processId: 'PUB-20261214-ABCDEF0123' };

describe('tasks publish codes in four languages', () => {
  it('every code has a text in every language with the English placeholders, and nothing else', () => {
    const en = resources.en.teamsTasksPublish.codes as Record<string, string>;
    for (const { code: lang } of LANGUAGES) {
      const cat = resources[lang].teamsTasksPublish as { codes: Record<string, string> };
      expect(Object.keys(cat.codes).sort(), lang).toEqual([...TASKS_PUBLISH_CODES].sort());
      for (const c of TASKS_PUBLISH_CODES) expect(placeholders(cat.codes[c]!), `${lang} ${c}`).toEqual(placeholders(en[c]!));
    }
  });

  it('the params main sends fill every placeholder, in every language; failures resolve as common errors too', () => {
    for (const c of TASKS_PUBLISH_CODES) {
      const p = publishProblem(c, SAMPLE);
      expect(p.code).toBe(c);
      expect(Object.keys(p.params).sort(), c).toEqual(placeholders((resources.en.teamsTasksPublish.codes as Record<string, string>)[c]!));
      for (const v of Object.values(p.params)) expect(p.fix, c).toContain(String(v));
      for (const { code: lang } of LANGUAGES) {
        const missing: string[] = [];
        const i18n = createI18n(lang, (_l, ns, key) => missing.push(`${ns}:${key}`));
        const t = i18n.t(`codes.${c}`, { ns: 'teamsTasksPublish', ...p.params });
        expect(missing, `${lang} ${c}`).toEqual([]);
        expect(t, `${lang} ${c}`).not.toMatch(/\{\{/);
        for (const v of Object.values(p.params)) expect(t, `${lang} ${c}`).toContain(String(v));
        if ((TASKS_PUBLISH_FAILURE_CODES as readonly string[]).includes(c)) {
          expect(i18n.t(`errors.${c}`, { ns: 'common', ...p.params }), `${lang} ${c}`).toBe(t);
          expect(missing, `${lang} ${c}`).toEqual([]);
        }
      }
    }
  });

  it("Planner's 403 limit codes map to translated skip codes; the contract accepts exactly the skip codes", () => {
    expect(limitCode('MaximumActiveTasksInProject')).toBe('TASKS_PUBLISH_REFUSED_ACTIVE_TASKS');
    expect(limitCode('MaximumTasksInProject')).toBe('TASKS_PUBLISH_REFUSED_TASKS');
    expect(limitCode('MaximumAssigneesInTasks')).toBe('TASKS_PUBLISH_REFUSED_ASSIGNEES');
    expect(limitCode('MaximumChecklistItemsOnTask')).toBe('TASKS_PUBLISH_REFUSED_CHECKLIST');
    expect(limitCode('MaximumReferencesOnTask')).toBe('TASKS_PUBLISH_REFUSED_REFERENCES');
    expect(limitCode('MaximumTasksAssignedToUser')).toBe('TASKS_PUBLISH_REFUSED_OTHER_LIMIT');
    for (const c of TASKS_PUBLISH_SKIP_CODES) expect(TasksPublishResultSchema.safeParse({ tasksCreated: 0, stores: 0, skipped: [{ storeNumber: '1', reason: c }] }).success).toBe(true);
    expect(TasksPublishResultSchema.safeParse({ tasksCreated: 0, stores: 0, skipped: [{ storeNumber: '1', reason: 'TASKS_PUBLISH_BAD_DATE' }] }).success).toBe(false);
    expect(TasksPublishResultSchema.safeParse({ tasksCreated: 0, stores: 0, skipped: [], extra: 1 }).success).toBe(false);
    expect(TasksPublishResultSchema.safeParse({ tasksCreated: 0, stores: 0, skipped: [{ storeNumber: '1', reason: 'TASKS_PUBLISH_NOT_LINKED', params: {} }] }).success).toBe(false);
  });
});
