import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv, toCsv } from '../../../main/integrations/commerce-teams/mapping/csv';
import type { StoreMapping, TeamInfo } from '../../../main/integrations/commerce-teams/mapping/model';
import { mappingToCsv, normaliseGuid, parseMappingCsv, planMappingImport } from '../../../main/integrations/commerce-teams/mapping/model';

const T1 = '0b4f8c2e-1111-4aaa-8bbb-000000000001';
const T2 = '0b4f8c2e-1111-4aaa-8bbb-000000000002';
const T3 = '0b4f8c2e-1111-4aaa-8bbb-000000000003';
const COMMS = '0b4f8c2e-1111-4aaa-8bbb-0000000000cc';
const NOT_TEAM = '0b4f8c2e-1111-4aaa-8bbb-0000000000ee';
const stores = ['001001', '001002', '001003', '001004'].map((n) => ({ storeNumber: n, name: `Store ${n}` }));
const team = (id: string, isTeam = true): TeamInfo => ({ id, displayName: `Team ${id.slice(-2)}`, mailNickname: null, isTeam });
const teams = new Map<string, TeamInfo | null>([[T1, team(T1)], [T2, team(T2)], [T3, team(T3)], [COMMS, team(COMMS)], [NOT_TEAM, team(NOT_TEAM, false)]]);
const plan = (text: string, existing: StoreMapping[] = []) => planMappingImport(parseMappingCsv(text), { stores, existing, teams, communicationsTeamId: COMMS });

describe('CSV grammar', () => {
  it('reads quoted fields with separators, doubled quotes and line breaks; numbers rows like a spreadsheet', () => {
    const p = parseCsv('a,b,c\r\n"x,1","say ""hi""","two\r\nlines"\r\n\r\nlast,,\r\n');
    expect(p.issues).toEqual([]);
    expect(p.records).toEqual([
      { row: 1, fields: ['a', 'b', 'c'] },
      { row: 2, fields: ['x,1', 'say "hi"', 'two\r\nlines'] },
      { row: 5, fields: ['last', '', ''] },
    ]);
  });
  it('strips a BOM, takes LF, CR and CRLF, and detects ; from the header', () => {
    const p = parseCsv('\ufeffSOURCETYPE;SOURCEID;TEAMID\nRetailStore;001001;x\rRetailStore;"0;2";y');
    expect(p.hadBom).toBe(true);
    expect(p.delimiter).toBe(';');
    expect(p.records.map((r) => r.fields)).toEqual([['SOURCETYPE', 'SOURCEID', 'TEAMID'], ['RetailStore', '001001', 'x'], ['RetailStore', '0;2', 'y']]);
    expect(detectDelimiter('a,b;c')).toBe(',');
    expect(detectDelimiter('a\tb')).toBe('\t');
  });
  it('a quote never closed or text after a closing quote is an error for that row only', () => {
    const p = parseCsv('h1,h2\n"abc"x,1\n"open,2\nok,3\n');
    expect(p.issues.map((i) => [i.row, i.code])).toEqual([[2, 'CSV_TEXT_AFTER_QUOTE'], [3, 'CSV_UNCLOSED_QUOTE']]);
    expect(p.records.map((r) => [r.row, r.fields])).toEqual([[1, ['h1', 'h2']], [4, ['ok', '3']]]);
  });
  it('round trip: any table of strings survives toCsv → parseCsv with either separator and line end', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', ',', ';', '"', '\n', '\r', 'ø', 'ä', '\t', '{') , maxLength: 8 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 6 }), fc.constantFrom<',' | ';'>(',', ';'), fc.constantFrom<'\r\n' | '\n'>('\r\n', '\n'), fc.boolean(), (w, rows, d, eol, bom) => {
        const table = rows.map((r) => r.slice(0, w));
        // A record that is one empty field is a blank line; make every row non-empty in its first cell.
        const safe = table.map((r) => [`k${r[0]}`, ...r.slice(1)]);
        const p = parseCsv(toCsv(safe, { delimiter: d, eol, bom }), { delimiter: d });
        expect(p.issues).toEqual([]);
        expect(p.records.map((r) => r.fields)).toEqual(safe);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mapping CSV', () => {
  it('round trip: any mapping exported is read back as the same rows, whichever separator', () => {
    const guid = fc.uuid().map((u) => u.toLowerCase());
    const arb = fc.uniqueArray(fc.record({ storeNumber: fc.stringMatching(/^[0-9A-Z-]{1,10}$/), teamId: guid }), { selector: (m) => m.storeNumber, maxLength: 30 });
    fc.assert(
      fc.property(arb, fc.constantFrom<',' | ';'>(',', ';'), fc.boolean(), (rows, delimiter, bom) => {
        const back = parseMappingCsv(mappingToCsv(rows, { delimiter, bom }));
        expect(back.issues).toEqual([]);
        expect(back.rows).toBe(rows.length);
        expect(back.parsed.map((r) => ({ storeNumber: r.storeNumber, teamId: r.teamId }))).toEqual([...rows].sort((a, b) => a.storeNumber.localeCompare(b.storeNumber)));
      }),
      { numRuns: 200 },
    );
  });

  it('exports the entity header and unmapped stores with an empty TEAMID', () => {
    expect(mappingToCsv([{ storeNumber: '001002', teamId: T2 }, { storeNumber: '001001', teamId: T1 }], { unmapped: ['001003'] })).toBe(
      `SOURCETYPE,SOURCEID,TEAMID\r\nRetailStore,001001,${T1}\r\nRetailStore,001002,${T2}\r\nRetailStore,001003,\r\n`,
    );
  });

  it('imports the valid rows and lists every other row with its number and reason', () => {
    const text = [
      'SOURCETYPE,SOURCEID,TEAMID',
      `RetailStore,001001,${T1}`, // 2 ok
      `RetailStore,009999,${T2}`, // 3 unknown store
      'RetailStore,001002,not-a-guid', // 4 malformed
      `RetailStore,001003,${COMMS}`, // 5 communications team
      `RetailStore,001004,0b4f8c2e-1111-4aaa-8bbb-0000000000ff`, // 6 not in Graph
      `RetailStore,001004,${NOT_TEAM}`, // 7 group without team
      `Channel,001004,${T3}`, // 8 source type
      `RetailStore,001004,${T3},extra`, // 9 field count
      '"RetailStore,001004', // 10 unclosed quote
    ].join('\r\n');
    const r = plan(text);
    expect(r.rows).toBe(9);
    expect(r.valid.map((v) => [v.row, v.storeNumber, v.teamId])).toEqual([[2, '001001', T1]]);
    expect(r.errors.map((e) => [e.row, e.code])).toEqual([
      [3, 'MAPPING_STORE_UNKNOWN'],
      [4, 'MAPPING_TEAM_ID_MALFORMED'],
      [5, 'MAPPING_COMMUNICATIONS_TEAM'],
      [6, 'MAPPING_TEAM_NOT_FOUND'],
      [7, 'MAPPING_GROUP_NOT_TEAM'],
      [8, 'MAPPING_SOURCE_TYPE'],
      [9, 'MAPPING_CSV_FIELD_COUNT'],
      [10, 'CSV_UNCLOSED_QUOTE'],
    ]);
    for (const e of r.errors) expect(e.message.length).toBeGreaterThan(10);
  });

  it('a store twice: same team → later rows are duplicates; different teams → every row fails', () => {
    const r = plan(['SOURCETYPE,SOURCEID,TEAMID', `RetailStore,001001,${T1}`, `RetailStore,001001,${T1}`, `RetailStore,001002,${T2}`, `RetailStore,001002,${T3}`].join('\n'));
    expect(r.valid.map((v) => v.row)).toEqual([2]);
    expect(r.errors.map((e) => [e.row, e.code])).toEqual([[3, 'MAPPING_STORE_DUPLICATE_ROW'], [4, 'MAPPING_STORE_TWICE'], [5, 'MAPPING_STORE_TWICE']]);
  });

  it('one team for two stores fails both rows; a team another store keeps in Commerce fails unless that store moves', () => {
    const r = plan(['SOURCETYPE,SOURCEID,TEAMID', `RetailStore,001001,${T1}`, `RetailStore,001002,${T1}`, `RetailStore,001003,${T3}`].join('\n'), [{ storeNumber: '001004', teamId: T3 }]);
    expect(r.valid).toEqual([]);
    expect(r.errors.map((e) => [e.row, e.code])).toEqual([[2, 'MAPPING_TEAM_TWO_STORES'], [3, 'MAPPING_TEAM_TWO_STORES'], [4, 'MAPPING_TEAM_MAPPED_ELSEWHERE']]);
    const swap = plan(['SOURCETYPE,SOURCEID,TEAMID', `RetailStore,001003,${T3}`, `RetailStore,001004,${T2}`].join('\n'), [{ storeNumber: '001004', teamId: T3 }]);
    expect(swap.errors).toEqual([]);
    expect(swap.valid.map((v) => v.storeNumber)).toEqual(['001003', '001004']);
  });

  it('semicolon files from nb-NO/nl-NL/fi-FI Excel with BOM, braces, upper case, dropped zeros and blank TEAMID', () => {
    const text = `\ufeffSourceType;SourceId;TeamId\r\nRetailStore;1001;{${T1.toUpperCase()}}\r\nRetailStore;001002;\r\n;;\r\n`;
    const r = plan(text, [{ storeNumber: '001001', teamId: T1 }]);
    expect(r.errors).toEqual([
      expect.objectContaining({ row: 4, code: 'MAPPING_SOURCE_TYPE' }),
    ]);
    expect(r.valid).toEqual([{ row: 2, storeNumber: '001001', teamId: T1, unchanged: true }]);
    expect(r.notes.map((n) => [n.row, n.code])).toEqual([[2, 'MAPPING_STORE_ZEROS_RESTORED'], [2, 'MAPPING_UNCHANGED'], [3, 'MAPPING_TEAM_EMPTY']]);
  });

  it('a bad header reads nothing; a missing header reads the rows in the entity order', () => {
    const bad = plan(`Store,Team\n001001,${T1}\n`);
    expect(bad.errors.map((e) => [e.row, e.code])).toEqual([[1, 'MAPPING_CSV_HEADER']]);
    expect(bad.rows).toBe(1);
    expect(bad.valid).toEqual([]);
    const missing = plan(`RetailStore,001001,${T1}\nRetailStore,001002,${T2}\n`);
    expect(missing.errors.map((e) => [e.row, e.code])).toEqual([[1, 'MAPPING_CSV_HEADER_MISSING']]);
    expect(missing.valid.map((v) => v.row)).toEqual([1, 2]);
    expect(plan('').errors.map((e) => e.code)).toEqual(['MAPPING_CSV_EMPTY']);
  });

  it('every data row is accounted for: valid, an error or a note (nothing is lost)', () => {
    const line = fc.oneof(
      fc.constantFrom(`RetailStore,001001,${T1}`, `RetailStore,001002,${T2}`, `RetailStore,001002,${T1}`, `RetailStore,001003,${COMMS}`, 'RetailStore,001004,', 'RetailStore,x,y', 'Foo,001001,', 'a,b', `RetailStore,001003,${T3},more`),
      fc.string({ maxLength: 12 }).filter((s) => s.trim() !== '' && !/[\r\n"]/.test(s)),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const text = ['SOURCETYPE,SOURCEID,TEAMID', ...lines].join('\r\n');
        const r = plan(text);
        const rows = new Set([...r.valid.map((v) => v.row), ...r.errors.map((e) => e.row), ...r.notes.filter((n) => n.code === 'MAPPING_TEAM_EMPTY').map((n) => n.row)]);
        for (let i = 2; i <= lines.length + 1; i++) expect(rows.has(i)).toBe(true);
        expect(r.rows).toBe(lines.length);
      }),
      { numRuns: 300 },
    );
  });

  it('normalises GUIDs', () => {
    expect(normaliseGuid(` {${T1.toUpperCase()}} `)).toBe(T1);
    expect(normaliseGuid('1234')).toBeNull();
  });
});
