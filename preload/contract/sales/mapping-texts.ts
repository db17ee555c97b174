/**
 * Runtime texts of the mapping editor that main and the renderer both need — finding messages and fixes, direction
 * and review-status captions, value kinds, and (for the XLSX review workbook) its headers and captions — in the four
 * console languages. The renderer merges them into its i18next `mappings` namespace (renderer/i18n/index.ts); main
 * writes the workbook in the reviewer's language from the same texts. One source, so the grid, the findings, the diff
 * and the workbook all say "To Dataverse" where BC's option name is ToIntegrationTable.
 */
import en from './mapping-texts/en.json';
import fi from './mapping-texts/fi-FI.json';
import nb from './mapping-texts/nb-NO.json';
import nl from './mapping-texts/nl-NL.json';

export const MAPPING_TEXT_LANGUAGES = ['en', 'nb-NO', 'nl-NL', 'fi-FI'] as const;
export type MappingTextLanguage = (typeof MAPPING_TEXT_LANGUAGES)[number];
export type MappingTexts = typeof en;
export const MAPPING_TEXTS: Record<MappingTextLanguage, MappingTexts> = { en, 'nb-NO': nb, 'nl-NL': nl, 'fi-FI': fi };

/** Finding params that hold BC direction option names / value kinds: shown as their captions. */
export const DIRECTION_PARAMS = ['direction', 'other', 'tableDirection', 'fieldDirection', 'transformationDirection'] as const;
export const KIND_PARAMS = ['bcKind', 'dvKind'] as const;

/** i18next-style {{param}} interpolation (main has no i18next). */
export function interpolate(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => (params[k] !== undefined ? String(params[k]) : ''));
}

/** A finding's params with direction names and value kinds replaced by their captions in `lang`. */
export function captionParams(lang: MappingTextLanguage, params: Readonly<Record<string, string | number>>): Record<string, string | number> {
  const t = MAPPING_TEXTS[lang];
  const out: Record<string, string | number> = { ...params };
  for (const k of DIRECTION_PARAMS) {
    const v = params[k];
    if (typeof v === 'string' && v in t.direction) out[k] = t.direction[v as keyof MappingTexts['direction']];
  }
  for (const k of KIND_PARAMS) {
    const v = params[k];
    if (typeof v === 'string' && v in t.kind) out[k] = t.kind[v as keyof MappingTexts['kind']];
  }
  return out;
}

/** A finding as text in `lang` ("message fix"), falling back to the English message for an unknown key. */
export function findingText(lang: MappingTextLanguage, f: { key: string; params: Readonly<Record<string, string | number>>; message: string; fix: string }): { message: string; fix: string } {
  const entry = (MAPPING_TEXTS[lang].finding as Record<string, { message: string; fix: string } | undefined>)[f.key];
  if (!entry) return { message: f.message, fix: f.fix };
  const p = captionParams(lang, f.params);
  return { message: interpolate(entry.message, p), fix: interpolate(entry.fix, p) };
}
