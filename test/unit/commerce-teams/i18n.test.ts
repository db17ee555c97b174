import { describe, expect, it } from 'vitest';
import { HIERARCHY_BUILD_CODES, HIERARCHY_ISSUE_CODES, MAPPING_ISSUE_CODES, MAPPING_NOTE_CODES, TEAMS_CONSOLE_ERROR_CODES } from '../../../preload/contract/commerce-teams/mapping';
import en from '../../../renderer/i18n/locales/commerce-teams/mapping/en.json';
import fi from '../../../renderer/i18n/locales/commerce-teams/mapping/fi-FI.json';
import nb from '../../../renderer/i18n/locales/commerce-teams/mapping/nb-NO.json';
import nl from '../../../renderer/i18n/locales/commerce-teams/mapping/nl-NL.json';
import { buildTargetingHierarchy } from '../../../main/integrations/commerce-teams/hierarchy/build';
import { validateHierarchy } from '../../../main/integrations/commerce-teams/hierarchy/rules';
import { parseMappingCsv, planMappingImport } from '../../../main/integrations/commerce-teams/mapping/model';

const ALL = [...MAPPING_ISSUE_CODES, ...MAPPING_NOTE_CODES, ...HIERARCHY_ISSUE_CODES, ...HIERARCHY_BUILD_CODES, ...TEAMS_CONSOLE_ERROR_CODES];
const catalogs = { en, 'nb-NO': nb, 'nl-NL': nl, 'fi-FI': fi } as Record<string, Record<string, string>>;
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('mapping and hierarchy codes are translated in four languages', () => {
  it('every code has a text in every language, with the same placeholders, and nothing else', () => {
    for (const [lang, cat] of Object.entries(catalogs)) {
      expect(Object.keys(cat).sort(), lang).toEqual([...ALL].sort());
      for (const code of ALL) {
        expect(cat[code]!.trim().length, `${lang} ${code}`).toBeGreaterThan(5);
        expect(placeholders(cat[code]!), `${lang} ${code}`).toEqual(placeholders(en[code as keyof typeof en]));
      }
    }
  });

  it('the params main sends fill every placeholder of the texts', () => {
    const g = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const teams = new Map([[g(1), { id: g(1), displayName: 'T1', mailNickname: null, isTeam: true }], [g(2), { id: g(2), displayName: 'G', mailNickname: null, isTeam: false }], [g(3), { id: g(3), displayName: 'T3', mailNickname: null, isTeam: true }], [g(4), { id: g(4), displayName: 'T4', mailNickname: null, isTeam: true }]]);
    const stores = ['001', '002', '003', '004', '005', '006'].map((storeNumber) => ({ storeNumber, name: storeNumber }));
    const csv = ['SOURCETYPE,SOURCEID,TEAMID', 'X,001,', 'RetailStore,,', 'RetailStore,999,', 'RetailStore,001,zz', `RetailStore,001,${g(9)}`, `RetailStore,001,${g(2)}`, `RetailStore,002,${g(5)}`,
      `RetailStore,003,${g(1)}`, `RetailStore,003,${g(1)}`, `RetailStore,004,${g(3)}`, `RetailStore,004,${g(4)}`, `RetailStore,005,${g(4)}`, `RetailStore,1,${g(4)}`, 'RetailStore,006,', 'a,b,c,d', '"x"y,1,2', `RetailStore,002,${g(7)}`].join('\n');
    const plan = planMappingImport(parseMappingCsv(csv), { stores, existing: [{ storeNumber: '006', teamId: g(7) }], teams: new Map([...teams, [g(7), { id: g(7), displayName: 'T7', mailNickname: null, isTeam: true }]]), communicationsTeamId: g(5) });
    const built = buildTargetingHierarchy({
      edges: [{ partyNumber: 'A', parentPartyNumber: null, name: 'A' }, { partyNumber: 'B', parentPartyNumber: 'A', name: 'A' }, { partyNumber: 'C', parentPartyNumber: 'Q', name: 'x'.repeat(120) }, { partyNumber: 'D', parentPartyNumber: 'E', name: 'D' }, { partyNumber: 'E', parentPartyNumber: 'D', name: 'E' }, { partyNumber: 'F', parentPartyNumber: 'A', name: 'F' }, { partyNumber: 'G', parentPartyNumber: 'A', name: 'G' }, { partyNumber: 'H', parentPartyNumber: null, name: 'H' }],
      stores: [{ storeNumber: '1', name: 'A', partyNumber: 'B' }, { storeNumber: '2', name: 'x', partyNumber: 'C' }, { storeNumber: '3', name: 'F', partyNumber: 'F' }, { storeNumber: '4', name: 'G', partyNumber: 'G' }],
      teams: new Map([['1', g(1)], ['2', g(2)], ['4', g(2)]]),
      communications: { teamId: null },
    });
    const rules = validateHierarchy([{ name: '', parents: [], teamId: 'x' }, { name: 'R', parents: [], teamId: g(1) }, { name: 'R', parents: ['Z'], teamId: g(1) }, { name: 'M', parents: ['R', 'L'], teamId: null }, { name: 'L', parents: ['M'], teamId: null }, { name: 'ä'.repeat(101), parents: Array(26).fill('R'), teamId: g(8), attributes: { 'A:B': '2', C: 'x'.repeat(101), '#b': '' } }], { csvBytes: 2e6 });
    const seen = [...plan.errors, ...plan.notes, ...built.warnings, ...rules];
    for (const f of seen) for (const p of placeholders(en[f.code as keyof typeof en])) expect(f.params, `${f.code} {{${p}}}`).toHaveProperty(p);
    // The scenarios cover most codes (the rest are checked by their own unit tests).
    expect(new Set(seen.map((f) => f.code)).size).toBeGreaterThan(30);
  });
});
