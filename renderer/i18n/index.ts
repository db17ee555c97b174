import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import fi from './locales/fi-FI.json';
import nb from './locales/nb-NO.json';
import nl from './locales/nl-NL.json';
import connstrEn from './locales/sales/connstr/en.json';
import connstrFi from './locales/sales/connstr/fi-FI.json';
import connstrNb from './locales/sales/connstr/nb-NO.json';
import connstrNl from './locales/sales/connstr/nl-NL.json';
import connectionsEn from './locales/connections/en.json';
import connectionsFi from './locales/connections/fi-FI.json';
import connectionsNb from './locales/connections/nb-NO.json';
import connectionsNl from './locales/connections/nl-NL.json';
import mappingsEn from './locales/sales/mappings/en.json';
import mappingsFi from './locales/sales/mappings/fi-FI.json';
import mappingsNb from './locales/sales/mappings/nb-NO.json';
import mappingsNl from './locales/sales/mappings/nl-NL.json';
import { MAPPING_TEXTS } from '../../preload/contract/sales/mapping-texts';
import setupEn from './locales/sales/setup/en.json';
import setupFi from './locales/sales/setup/fi-FI.json';
import setupNb from './locales/sales/setup/nb-NO.json';
import setupNl from './locales/sales/setup/nl-NL.json';
import syncEn from './locales/sales/sync/en.json';
import syncFi from './locales/sales/sync/fi-FI.json';
import syncNb from './locales/sales/sync/nb-NO.json';
import syncNl from './locales/sales/sync/nl-NL.json';
import homeEn from './locales/home/en.json';
import homeFi from './locales/home/fi-FI.json';
import homeNb from './locales/home/nb-NO.json';
import homeNl from './locales/home/nl-NL.json';
import shellEn from './locales/shell/en.json';
import shellFi from './locales/shell/fi-FI.json';
import shellNb from './locales/shell/nb-NO.json';
import shellNl from './locales/shell/nl-NL.json';
import teamsProvisionEn from './locales/commerce-teams/provision/en.json';
import teamsProvisionFi from './locales/commerce-teams/provision/fi-FI.json';
import teamsProvisionNb from './locales/commerce-teams/provision/nb-NO.json';
import teamsProvisionNl from './locales/commerce-teams/provision/nl-NL.json';
import teamsPagesEn from './locales/commerce-teams/pages/en.json';
import teamsPagesFi from './locales/commerce-teams/pages/fi-FI.json';
import teamsPagesNb from './locales/commerce-teams/pages/nb-NO.json';
import teamsPagesNl from './locales/commerce-teams/pages/nl-NL.json';
import teamsMappingPageEn from './locales/commerce-teams/mapping/page/en.json';
import teamsCodesEn from './locales/commerce-teams/mapping/en.json';
import teamsHierarchyEn from './locales/commerce-teams/hierarchy/en.json';
import teamsMappingPageFi from './locales/commerce-teams/mapping/page/fi-FI.json';
import teamsCodesFi from './locales/commerce-teams/mapping/fi-FI.json';
import teamsHierarchyFi from './locales/commerce-teams/hierarchy/fi-FI.json';
import teamsMappingPageNb from './locales/commerce-teams/mapping/page/nb-NO.json';
import teamsCodesNb from './locales/commerce-teams/mapping/nb-NO.json';
import teamsHierarchyNb from './locales/commerce-teams/hierarchy/nb-NO.json';
import teamsMappingPageNl from './locales/commerce-teams/mapping/page/nl-NL.json';
import teamsCodesNl from './locales/commerce-teams/mapping/nl-NL.json';
import teamsHierarchyNl from './locales/commerce-teams/hierarchy/nl-NL.json';
import teamsTasksEn from './locales/commerce-teams/tasks/en.json';
import teamsTasksFi from './locales/commerce-teams/tasks/fi-FI.json';
import teamsTasksNb from './locales/commerce-teams/tasks/nb-NO.json';
import teamsTasksNl from './locales/commerce-teams/tasks/nl-NL.json';
import teamsTasksPublishEn from './locales/commerce-teams/tasks-publish/en.json';
import teamsTasksPublishFi from './locales/commerce-teams/tasks-publish/fi-FI.json';
import teamsTasksPublishNb from './locales/commerce-teams/tasks-publish/nb-NO.json';
import teamsTasksPublishNl from './locales/commerce-teams/tasks-publish/nl-NL.json';
import teamsTasksPagesEn from './locales/commerce-teams/tasks-pages/en.json';
import teamsTasksPagesFi from './locales/commerce-teams/tasks-pages/fi-FI.json';
import teamsTasksPagesNb from './locales/commerce-teams/tasks-pages/nb-NO.json';
import teamsTasksPagesNl from './locales/commerce-teams/tasks-pages/nl-NL.json';
import teamsTasksSyncEn from './locales/commerce-teams/tasks-sync/en.json';
import teamsTasksSyncFi from './locales/commerce-teams/tasks-sync/fi-FI.json';
import teamsTasksSyncNb from './locales/commerce-teams/tasks-sync/nb-NO.json';
import teamsTasksSyncNl from './locales/commerce-teams/tasks-sync/nl-NL.json';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'nb-NO', label: 'Norsk bokmål' },
  { code: 'nl-NL', label: 'Nederlands' },
  { code: 'fi-FI', label: 'Suomi' },
] as const;
export type LanguageCode = (typeof LANGUAGES)[number]['code'];

/** A page catalog's error texts (main's AppFailure codes) join the common `errors.<code>` the ErrorBar looks up. */
function withErrors<C extends { errors: object }>(common: C, errors: Readonly<Record<string, string>>): C {
  return { ...common, errors: { ...common.errors, ...errors } };
}

export const resources = {
  en: { common: withErrors(withErrors(withErrors(withErrors(withErrors(en, teamsProvisionEn.errors), teamsCodesEn), teamsTasksPagesEn.errors), teamsTasksPublishEn.codes), teamsTasksSyncEn.codes), teamsProvision: teamsProvisionEn, teamsPages: teamsPagesEn, teamsMapping: teamsMappingPageEn, teamsCodes: teamsCodesEn, teamsHierarchy: teamsHierarchyEn, teamsTasks: teamsTasksEn, teamsTasksPublish: teamsTasksPublishEn, teamsTasksPages: teamsTasksPagesEn, teamsTasksSync: teamsTasksSyncEn, connstr: connstrEn, connections: connectionsEn, mappings: { ...mappingsEn, ...MAPPING_TEXTS['en'] }, setup: setupEn, sync: syncEn, home: homeEn, shell: shellEn },
  'nb-NO': { common: withErrors(withErrors(withErrors(withErrors(withErrors(nb, teamsProvisionNb.errors), teamsCodesNb), teamsTasksPagesNb.errors), teamsTasksPublishNb.codes), teamsTasksSyncNb.codes), teamsProvision: teamsProvisionNb, teamsPages: teamsPagesNb, teamsMapping: teamsMappingPageNb, teamsCodes: teamsCodesNb, teamsHierarchy: teamsHierarchyNb, teamsTasks: teamsTasksNb, teamsTasksPublish: teamsTasksPublishNb, teamsTasksPages: teamsTasksPagesNb, teamsTasksSync: teamsTasksSyncNb, connstr: connstrNb, connections: connectionsNb, mappings: { ...mappingsNb, ...MAPPING_TEXTS['nb-NO'] }, setup: setupNb, sync: syncNb, home: homeNb, shell: shellNb },
  'nl-NL': { common: withErrors(withErrors(withErrors(withErrors(withErrors(nl, teamsProvisionNl.errors), teamsCodesNl), teamsTasksPagesNl.errors), teamsTasksPublishNl.codes), teamsTasksSyncNl.codes), teamsProvision: teamsProvisionNl, teamsPages: teamsPagesNl, teamsMapping: teamsMappingPageNl, teamsCodes: teamsCodesNl, teamsHierarchy: teamsHierarchyNl, teamsTasks: teamsTasksNl, teamsTasksPublish: teamsTasksPublishNl, teamsTasksPages: teamsTasksPagesNl, teamsTasksSync: teamsTasksSyncNl, connstr: connstrNl, connections: connectionsNl, mappings: { ...mappingsNl, ...MAPPING_TEXTS['nl-NL'] }, setup: setupNl, sync: syncNl, home: homeNl, shell: shellNl },
  'fi-FI': { common: withErrors(withErrors(withErrors(withErrors(withErrors(fi, teamsProvisionFi.errors), teamsCodesFi), teamsTasksPagesFi.errors), teamsTasksPublishFi.codes), teamsTasksSyncFi.codes), teamsProvision: teamsProvisionFi, teamsPages: teamsPagesFi, teamsMapping: teamsMappingPageFi, teamsCodes: teamsCodesFi, teamsHierarchy: teamsHierarchyFi, teamsTasks: teamsTasksFi, teamsTasksPublish: teamsTasksPublishFi, teamsTasksPages: teamsTasksPagesFi, teamsTasksSync: teamsTasksSyncFi, connstr: connstrFi, connections: connectionsFi, mappings: { ...mappingsFi, ...MAPPING_TEXTS['fi-FI'] }, setup: setupFi, sync: syncFi, home: homeFi, shell: shellFi },
} as const;

export function pickLanguage(preferred: readonly string[]): LanguageCode {
  for (const p of preferred) {
    const lower = p.toLowerCase();
    const exact = LANGUAGES.find((l) => l.code.toLowerCase() === lower);
    if (exact) return exact.code;
    const base = lower.split('-')[0];
    if (base === 'nb' || base === 'no' || base === 'nn') return 'nb-NO';
    if (base === 'nl') return 'nl-NL';
    if (base === 'fi') return 'fi-FI';
    if (base === 'en') return 'en';
  }
  return 'en';
}

/**
 * i18next with every catalog bundled (the console works offline). `onMissingKey` lets tests turn a missing
 * key into a failure instead of a silently English (or raw-key) label.
 */
export function createI18n(language: LanguageCode, onMissingKey?: (lng: string, ns: string, key: string) => void): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    ns: ['common', 'connstr', 'connections', 'mappings', 'setup', 'sync', 'home', 'shell', 'teamsPages', 'teamsProvision', 'teamsMapping', 'teamsCodes', 'teamsHierarchy', 'teamsTasks', 'teamsTasksPublish', 'teamsTasksPages', 'teamsTasksSync'],
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
    saveMissing: !!onMissingKey,
    missingKeyHandler: onMissingKey ? (lngs, ns, key) => onMissingKey(String(lngs[0]), ns, key) : undefined,
  });
  return instance;
}
