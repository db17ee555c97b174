/**
 * Every code main's teams.* console sends (errors, enable/disable effects, fix ids and previews, progress phases,
 * Graph operation statuses, run states and triggers, store states, finding codes, plan reasons) has a text in
 * en, nb-NO, nl-NL and fi-FI with the same placeholders, and the catalog is registered (namespace teamsProvision;
 * the error texts under common `errors.<code>`, where the ErrorBar looks).
 */
import { describe, expect, it } from 'vitest';
import { TEAMS_FINDING_CODES } from '../../../preload/contract/commerce-teams/findings';
import {
  TEAMS_EFFECT_CODES, TEAMS_ERROR_CODES, TEAMS_FIX_CHANGE_CODES, TEAMS_FIX_IDS, TEAMS_OPERATION_STATUSES, TEAMS_PLAN_REASON_CODES, TEAMS_PROGRESS_PHASES,
  TEAMS_RUN_STATES, TEAMS_RUN_TRIGGERS, TEAMS_STORE_STATES,
} from '../../../preload/contract/commerce-teams/teams';
import en from '../../../renderer/i18n/locales/commerce-teams/provision/en.json';
import fi from '../../../renderer/i18n/locales/commerce-teams/provision/fi-FI.json';
import nb from '../../../renderer/i18n/locales/commerce-teams/provision/nb-NO.json';
import nl from '../../../renderer/i18n/locales/commerce-teams/provision/nl-NL.json';
import { createI18n, LANGUAGES } from '../../../renderer/i18n';

/** Section of the catalog → the codes main sends in it. `errors` also holds the run's own failure code. */
const SECTIONS: Record<string, readonly string[]> = {
  errors: [...TEAMS_ERROR_CODES, 'TEAMS_APPLY_FAILED'],
  effect: TEAMS_EFFECT_CODES,
  fixId: TEAMS_FIX_IDS,
  fix: TEAMS_FIX_CHANGE_CODES,
  phase: TEAMS_PROGRESS_PHASES,
  operation: TEAMS_OPERATION_STATUSES,
  state: TEAMS_RUN_STATES,
  trigger: TEAMS_RUN_TRIGGERS,
  storeState: TEAMS_STORE_STATES,
  finding: TEAMS_FINDING_CODES,
  reason: TEAMS_PLAN_REASON_CODES,
};
const catalogs = { en, 'nb-NO': nb, 'nl-NL': nl, 'fi-FI': fi } as Record<string, Record<string, Record<string, string>>>;
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('Commerce ⇄ Teams console codes in four languages', () => {
  it('every code has a text in every language, with the placeholders of the English text, and nothing else', () => {
    for (const [lang, cat] of Object.entries(catalogs)) {
      expect(Object.keys(cat).sort(), lang).toEqual(Object.keys(SECTIONS).sort());
      for (const [section, codes] of Object.entries(SECTIONS)) {
        expect(Object.keys(cat[section]!).sort(), `${lang} ${section}`).toEqual([...new Set(codes)].sort());
        for (const code of codes) {
          const text = cat[section]![code]!;
          expect(text.trim().length, `${lang} ${section}.${code}`).toBeGreaterThan(2);
          expect(placeholders(text), `${lang} ${section}.${code}`).toEqual(placeholders(en[section as keyof typeof en][code as never] as string));
          if (lang !== 'en' && text.length > 30) expect(text, `${lang} ${section}.${code} is not translated`).not.toBe(en[section as keyof typeof en][code as never]);
        }
      }
    }
  });

  it('the catalog is registered: phases, findings and errors resolve in every language without a missing key', () => {
    for (const { code: lang } of LANGUAGES) {
      const missing: string[] = [];
      const i18n = createI18n(lang, (_l, ns, key) => missing.push(`${ns}:${key}`));
      for (const phase of TEAMS_PROGRESS_PHASES) expect(i18n.t(`phase.${phase}`, { ns: 'teamsProvision' })).toBe(catalogs[lang]!.phase![phase]);
      for (const code of TEAMS_FINDING_CODES) expect(i18n.t(`finding.${code}`, { ns: 'teamsProvision', storeNumber: 'S1' })).not.toContain(`finding.${code}`);
      for (const code of TEAMS_ERROR_CODES) expect(i18n.t(`errors.${code}`, { ns: 'common', entity: 'E', message: 'M', profile: 'P', profileId: 'I', runId: 'R' })).not.toContain(`errors.${code}`);
      expect(missing, lang).toEqual([]);
    }
  });
});
