// Finding texts (preload/contract/sales/mapping-texts): every finding validation can produce has a message and a fix in all
// four languages, filled only from params the finding carries, and none falls back to the English text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newDefaultSet } from '../../../main/integrations/sales/mappings/exchange-json';
import { validateMappings } from '../../../main/integrations/sales/mappings/validate';
import { BC_TABLES, DV_ENTITIES } from '../../../main/integrations/sales/mappings/catalog';
import { MAPPING_TEXTS, MAPPING_TEXT_LANGUAGES, findingText } from '../../../preload/contract/sales/mapping-texts';
import { mappingSet } from './arbitraries';

const params = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!);

describe('mapping finding texts', () => {
  it('every key has a message and a fix in every language, with the English placeholders', () => {
    const en = MAPPING_TEXTS.en.finding as Record<string, { message: string; fix: string }>;
    for (const lang of MAPPING_TEXT_LANGUAGES) {
      const cat = MAPPING_TEXTS[lang].finding as Record<string, { message: string; fix: string }>;
      expect(Object.keys(cat).sort(), lang).toEqual(Object.keys(en).sort());
      for (const [k, v] of Object.entries(cat)) {
        expect(params(v.message).sort(), `${lang} ${k}`).toEqual(params(en[k]!.message).sort());
        expect(params(v.fix).sort(), `${lang} ${k}`).toEqual(params(en[k]!.fix).sort());
        if (lang !== 'en') expect(v.message, `${lang} ${k} is not translated`).not.toBe(en[k]!.message);
      }
    }
  });

  it('findings of any set have a text for their key and carry every param it uses', () => {
    const check = (findings: ReturnType<typeof validateMappings>) => {
      for (const f of findings) {
        const entry = (MAPPING_TEXTS.en.finding as Record<string, { message: string; fix: string } | undefined>)[f.key];
        expect(entry, f.key).toBeDefined();
        for (const p of [...params(entry!.message), ...params(entry!.fix)]) expect(f.params, `${f.key}.${p}`).toHaveProperty(p);
        for (const lang of MAPPING_TEXT_LANGUAGES) {
          const t = findingText(lang, f);
          expect(`${t.message} ${t.fix}`).not.toMatch(/\{\{|ToIntegrationTable|FromIntegrationTable/);
        }
      }
    };
    fc.assert(fc.property(mappingSet, (set) => check(validateMappings(set.mappings))), { numRuns: 150 });
    // Hand-made problems for the codes random edits rarely reach.
    const set = newDefaultSet('x', {});
    const m = set.mappings.find((x) => x.name === 'CUSTOMER')!;
    m.dependencyFilter = ['CUSTOMER', 'NOPE', 'CONTACT'];
    set.mappings.find((x) => x.name === 'CONTACT')!.dependencyFilter.push('CUSTOMER');
    m.fields.push({ ...m.fields[2]!, bcField: 'Colour', dataverseField: 'colour' }, { ...m.fields[2]!, bcField: null, dataverseField: 'customertypecode', constant: 'Nope', direction: 'FromIntegrationTable' });
    m.tableFilter = { conditions: [{ field: 'Blocked', op: 'filter', values: ['Ship..Nope'] }, { field: 'Colour', op: 'eq', values: ['x'] }] };
    m.integrationTableFilter = { companyScoped: false, conditions: [{ attribute: 'statecode', op: 'eq', values: [7] }, { attribute: 'colour', op: 'eq', values: [1] }] };
    m.createNewInCaseOfNoMatch = true;
    const findings = validateMappings([...set.mappings, { ...m, bcTableId: 99999, bcTable: 'Nope', dataverseEntity: 'nope', name: 'X' }]);
    expect(new Set(findings.map((f) => f.key)).size).toBeGreaterThan(10);
    check(findings);
    expect(BC_TABLES.length + DV_ENTITIES.length).toBeGreaterThan(0);
  });
});
