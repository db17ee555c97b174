import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGE_TEMPLATES, PRE_V16_CHECKLIST, SDK_VERSIONS, templateParams } from '../../../main/integrations/sales/connstr';
import { FINDING_CODES } from '../../../main/integrations/sales/connstr/findings';
import { SYNTAX_CODES } from '../../../main/integrations/sales/connstr/grammar';

const dir = path.resolve(import.meta.dirname, '../../../renderer/i18n/locales/sales/connstr');
const LANGS = ['en', 'nb-NO', 'nl-NL', 'fi-FI'] as const;
const catalogs = Object.fromEntries(LANGS.map((l) => [l, JSON.parse(readFileSync(path.join(dir, `${l}.json`), 'utf8')) as Record<string, unknown>]));

const expectedKeys = [
  ...FINDING_CODES,
  ...SYNTAX_CODES,
  ...PRE_V16_CHECKLIST.flatMap((c) => [`checklist.${c.id}.title`, `checklist.${c.id}.detail`]),
  ...SDK_VERSIONS.map((v) => `sdk.${v.version}`),
];

describe('connstr translations', () => {
  for (const lang of LANGS) {
    it(`${lang}: one flat object with a text for every code, checklist item and SDK label, same {{params}} as English`, () => {
      const cat = catalogs[lang]!;
      expect(Object.keys(cat).sort()).toEqual([...expectedKeys].sort());
      for (const [key, text] of Object.entries(cat)) {
        expect(typeof text, `${lang}:${key}`).toBe('string');
        expect((text as string).trim(), `${lang}:${key}`).not.toBe('');
        const english = MESSAGE_TEMPLATES[key];
        if (english !== undefined) expect(templateParams(text as string), `${lang}:${key}`).toEqual(templateParams(english));
        else expect(templateParams(text as string), `${lang}:${key}`).toEqual([]);
      }
    });
  }

  it('en.json equals the English templates and data texts in main/integrations/sales/connstr', () => {
    const en = catalogs.en!;
    for (const code of [...FINDING_CODES, ...SYNTAX_CODES]) expect(en[code], code).toBe(MESSAGE_TEMPLATES[code]);
    for (const c of PRE_V16_CHECKLIST) {
      expect(en[`checklist.${c.id}.title`]).toBe(c.title);
      expect(en[`checklist.${c.id}.detail`]).toBe(c.detail);
    }
    for (const v of SDK_VERSIONS) expect(en[`sdk.${v.version}`]).toBe(v.label);
  });

  it('is really translated: no language copies the English text of a message', () => {
    for (const lang of LANGS.filter((l) => l !== 'en')) {
      const copied = Object.keys(MESSAGE_TEMPLATES).filter((k) => catalogs[lang]![k] === catalogs.en![k]);
      expect(copied, lang).toEqual([]);
    }
  });

  it('keeps the syntax-error texts free of {{params}} (the UI translates them without any)', () => {
    for (const code of SYNTAX_CODES) expect(templateParams(MESSAGE_TEMPLATES[code]!)).toEqual([]);
  });
});
