import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../../main/integrations/sales/mappings/changes';
import { MappingImportError, exportJson, importJson, mappingSetJsonSchema, newDefaultSet } from '../../../main/integrations/sales/mappings/exchange-json';
import { NOT_CARRIED_SHEET, exportXlsx, importXlsx } from '../../../main/integrations/sales/mappings/exchange-xlsx';
import { validateMappings } from '../../../main/integrations/sales/mappings/validate';
import type { MappingSet } from '../../../preload/contract/sales/mapping-model';
import { mappingSet } from './arbitraries';

const root = path.resolve(import.meta.dirname, '../../..');
/** Reviews are keyed by (mapping, field); their order carries no meaning. */
const canonical = (s: MappingSet) => ({ ...s, reviews: [...s.reviews].sort((a, b) => `${a.mapping}|${a.field}`.localeCompare(`${b.mapping}|${b.field}`)) });

describe('JSON exchange', () => {
  it('export → import is lossless', () => {
    fc.assert(fc.property(mappingSet, (set) => {
      expect(importJson(exportJson(set))).toEqual(set);
    }), { numRuns: 150 });
  });

  it('the published JSON Schema is the one generated from the model', () => {
    const published = JSON.parse(readFileSync(path.join(root, 'docs/schemas/mapping-set.v1.schema.json'), 'utf8'));
    // If the model changed, regenerate: npx tsx -e "import('./main/integrations/sales/mappings/exchange-json.ts').then(m => console.log(JSON.stringify(m.mappingSetJsonSchema(), null, 2)))" > docs/schemas/mapping-set.v1.schema.json
    expect(published, 'docs/schemas/mapping-set.v1.schema.json is stale: regenerate it from the model').toEqual(JSON.parse(JSON.stringify(mappingSetJsonSchema())));
    expect(published.properties.schemaVersion.const).toBe(1);
  });

  it('refuses bad input with a path and what to do', () => {
    expect(() => importJson('{')).toThrow(/not valid JSON/);
    expect(() => importJson(JSON.stringify({ ...newDefaultSet('x'), schemaVersion: 2 }))).toThrow(/version 2.*Update the Integration Console/);
    const bad = JSON.parse(exportJson(newDefaultSet('x')));
    bad.mappings[0].direction = 'Sideways';
    bad.mappings[1].fields[0].matchPriority = -1;
    const err = (() => { try { importJson(JSON.stringify(bad)); } catch (x) { return x as Error; } return null; })();
    expect(err).toBeInstanceOf(MappingImportError);
    expect(err!.message).toMatch(/mappings\.0\.direction/);
    expect(err!.message).toMatch(/mappings\.1\.fields\.0\.matchPriority/);
  });
});

describe('XLSX exchange', () => {
  it('export → import is lossless (visible cells alone describe the set)', async () => {
    await fc.assert(fc.asyncProperty(mappingSet, async (set) => {
      const buf = await exportXlsx(set);
      const r = await importXlsx(buf);
      expect(canonical(r.set)).toEqual(canonical(set));
      // Nothing was edited, so nothing is proposed.
      expect(r.changeSet.changes).toEqual([]);
    }), { numRuns: 12 });
  }, 60_000);

  it('has an Overview sheet, one sheet per table mapping, and review-status / comment columns', async () => {
    const set = newDefaultSet('Contoso', { pricing: 'legacy', unitGroups: false, orders: 'legacy' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportXlsx(set)) as unknown as ArrayBuffer);
    const visible = wb.worksheets.filter((w) => w.state === 'visible').map((w) => w.name);
    expect(visible).toEqual(['Overview', ...set.mappings.map((m) => m.name), NOT_CARRIED_SHEET]);
    const headers = (ws: ExcelJS.Worksheet, row: number) => (ws.getRow(row).values as unknown[]).filter(Boolean);
    expect(headers(wb.getWorksheet('Overview')!, 5)).toEqual(expect.arrayContaining(['Mapping', 'Direction', 'Table filter (BC)', 'Review status', 'Comment']));
    expect(headers(wb.getWorksheet('CUSTOMER')!, 3)).toEqual(expect.arrayContaining(['BC field', 'Dataverse field', 'Direction', 'Review status', 'Comment']));
    expect(wb.getWorksheet('ITEM-PRODUCT')!.getCell('C4').dataValidation.type).toBe('list');
  });

  it('importing an annotated workbook yields comments and proposed changes as a change set that applies to the original', async () => {
    const set = newDefaultSet('Contoso', { pricing: 'legacy', unitGroups: false, orders: 'legacy' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportXlsx(set)) as unknown as ArrayBuffer);
    const ov = wb.getWorksheet('Overview')!;
    const col = (ws: ExcelJS.Worksheet, row: number, header: string) => (ws.getRow(row).values as unknown[]).indexOf(header);
    const custRow = 6 + set.mappings.findIndex((m) => m.name === 'CUSTOMER');
    ov.getCell(custRow, col(ov, 5, 'Synch. only coupled records')).value = 'No';
    ov.getCell(custRow, col(ov, 5, 'Table filter (BC)')).value = "Blocked=' '|Ship";
    ov.getCell(custRow, col(ov, 5, 'Review status')).value = 'Changes requested';
    ov.getCell(custRow, col(ov, 5, 'Comment')).value = 'Also sync customers blocked for shipping.';
    ov.getCell(custRow, col(ov, 5, 'Reviewer')).value = 'Consultant A';
    const ws = wb.getWorksheet('CUSTOMER')!;
    const faxRow = 4 + set.mappings.find((m) => m.name === 'CUSTOMER')!.fields.findIndex((f) => f.bcField === 'Fax No.');
    ws.getCell(faxRow, col(ws, 3, 'Status')).value = 'Disabled';
    ws.getCell(faxRow, col(ws, 3, 'Comment')).value = 'Nobody uses fax.';
    const edited = Buffer.from(await wb.xlsx.writeBuffer());

    const now = new Date('2026-11-23T10:00:00Z');
    const r = await importXlsx(edited, { now, source: 'review.xlsx' });
    expect(r.baseline).toEqual(set);
    const ops = r.changeSet.changes.map((c) => (c.op === 'setMapping' ? `${c.mapping}.${c.prop}` : c.op === 'setField' ? `${c.mapping}/${c.key}.${c.prop}=${String(c.to)}` : c.op === 'setReview' ? `review ${c.review.mapping}/${c.review.field ?? ''}` : c.op));
    expect(ops).toEqual(['CUSTOMER.tableFilter', 'CUSTOMER.synchOnlyCoupled', 'CUSTOMER/Fax No.->fax.status=Disabled', 'review CUSTOMER/', 'review CUSTOMER/Fax No.->fax']);
    expect(r.changeSet.comments).toEqual([
      { mapping: 'CUSTOMER', field: null, comment: 'Also sync customers blocked for shipping.', status: 'Changes requested' },
      { mapping: 'CUSTOMER', field: 'Fax No.->fax', comment: 'Nobody uses fax.', status: 'Pending' },
    ]);
    expect(r.changeSet.source).toBe('review.xlsx');
    const applied = applyChanges(set, r.changeSet.changes);
    expect(canonical(applied)).toEqual(canonical(r.set));
    expect(applied.mappings.find((m) => m.name === 'CUSTOMER')!.tableFilter).toEqual({ conditions: [{ field: 'Blocked', op: 'in', values: [' ', 'Ship'] }] });
    expect(applied.reviews.find((x) => x.field === null)!.at).toBe(now.toISOString());
  });

  it('reports bad cells by sheet and cell, with what to do', async () => {
    const set = newDefaultSet('x', { unitGroups: false });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportXlsx(set)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('CURRENCY')!;
    ws.getCell('C4').value = 'Sideways';
    ws.getCell('N4').value = 'high';
    wb.getWorksheet('Overview')!.getCell('H6').value = "Blocked='oops";
    const err = await importXlsx(Buffer.from(await wb.xlsx.writeBuffer())).catch((x: Error) => x);
    expect(err).toBeInstanceOf(MappingImportError);
    expect((err as Error).message).toMatch(/CURRENCY!C4 \(Direction\): "Sideways" is not a valid Direction/);
    expect((err as Error).message).toMatch(/CURRENCY!N4 \(Match priority\): "high" is not a whole number/);
    expect((err as Error).message).toMatch(/Overview!H6 \(Table filter \(BC\)\): Unclosed quote/);
    await expect(importXlsx(Buffer.from('not a zip'))).rejects.toThrow(/not an XLSX workbook/);
  });
});

describe('XLSX in the reviewer\'s language', () => {
  const headers = (ws: ExcelJS.Worksheet, row: number) => (ws.getRow(row).values as unknown[]).filter(Boolean);

  it('writes headers, direction captions, Yes/No, review statuses and findings in the chosen language', async () => {
    const base = newDefaultSet('Contoso', {});
    const customer = base.mappings.find((m) => m.name === 'CUSTOMER')!;
    customer.direction = 'ToIntegrationTable';
    customer.fields.find((f) => f.bcField === 'Name')!.direction = 'FromIntegrationTable';
    const set: MappingSet = { ...base, reviews: [{ mapping: 'CUSTOMER', field: null, reviewer: 'Kari', status: 'Changes requested', comment: 'Sjekk navn', at: '2026-12-01T10:00:00.000Z' }] };
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportXlsx(set, { language: 'nb-NO', findings: validateMappings(set.mappings) })) as unknown as ArrayBuffer);
    const ov = wb.getWorksheet('Oversikt')!;
    expect(ov).toBeTruthy();
    expect(headers(ov, 5)).toEqual(expect.arrayContaining(['Tilordning', 'Retning', 'Tabellfilter (BC)', 'Gjennomgangsstatus', 'Kommentar', 'Funn (skrivebeskyttet)']));
    const ws = wb.getWorksheet('CUSTOMER')!;
    expect(String(ws.getCell('C1').value)).toMatch(/, Til Dataverse$/);
    expect(headers(ws, 3)).toEqual(expect.arrayContaining(['BC-felt', 'Dataverse-felt', 'Samsvarsbasert kobling', 'Samsvarsprioritet']));
    const rows = Array.from({ length: ws.rowCount - 3 }, (_, i) => (ws.getRow(4 + i).values as unknown[]).map(String));
    const name = rows.find((r) => r.includes('Name') && r.includes('name'))!;
    expect(name).toContain('Fra Dataverse');
    expect(name.join(' ')).toContain('Feltretningen «Fra Dataverse» er ikke tillatt');
    // No BC option name or English caption left in a cell (field names such as "Fax No." are data, not captions).
    expect(rows.flat().join(' ')).not.toMatch(/ToIntegrationTable|FromIntegrationTable/);
    expect(rows.flat().filter((c) => ['Yes', 'No', 'Enabled', 'Disabled', 'Bidirectional'].includes(c))).toEqual([]);
    const custRow = 6 + set.mappings.findIndex((m) => m.name === 'CUSTOMER');
    expect((ov.getRow(custRow).values as unknown[]).map(String)).toContain('Endringer ønskes');
  });

  it('imports a workbook in any of the four languages (and the old English one) back to the same set', async () => {
    const set = newDefaultSet('Contoso', { orders: 'legacy' });
    set.reviews = [{ mapping: 'CUSTOMER', field: null, reviewer: 'Kari', status: 'Approved', comment: '', at: '2026-12-01T10:00:00.000Z' }];
    for (const language of ['en', 'nb-NO', 'nl-NL', 'fi-FI'] as const) {
      const r = await importXlsx(await exportXlsx(set, { language, findings: validateMappings(set.mappings) }));
      expect(r.set, language).toEqual(set);
      expect(r.changeSet.changes, language).toEqual([]);
    }
  }, 60_000);

  it('reads a Finnish workbook edited by hand: captions of any language and BC option names are accepted', async () => {
    const set = newDefaultSet('Contoso', {});
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportXlsx(set, { language: 'fi-FI' })) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('CUSTOMER')!;
    const hdr = ws.getRow(3).values as unknown[];
    const row = 4 + set.mappings.find((m) => m.name === 'CUSTOMER')!.fields.findIndex((f) => f.bcField === 'Name');
    ws.getCell(row, hdr.indexOf('Suunta')).value = 'Til Dataverse'; // a Norwegian caption in a Finnish workbook
    ws.getCell(row, hdr.indexOf('Vastaavuuteen perustuva kytkentä')).value = 'Kyllä';
    ws.getCell(row, hdr.indexOf('Vastaavuuden prioriteetti')).value = 1;
    const r = await importXlsx(Buffer.from(await wb.xlsx.writeBuffer()));
    const name = r.set.mappings.find((m) => m.name === 'CUSTOMER')!.fields.find((f) => f.bcField === 'Name')!;
    expect(name).toMatchObject({ direction: 'ToIntegrationTable', useForMatchBasedCoupling: true, matchPriority: 1 });
    expect(r.changeSet.changes.map((c) => (c.op === 'setField' ? c.prop : c.op)).sort()).toEqual(['direction', 'matchPriority', 'useForMatchBasedCoupling']);
  });
});
