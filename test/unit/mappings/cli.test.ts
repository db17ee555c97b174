import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobsCommand } from '../../../main/cli/commands/jobs';
import { mappingsCommand } from '../../../main/cli/commands/mappings';
import { UsageError } from '../../../main/cli/io';
import { fakeIo } from '../../support/cli';

async function run(cmd: typeof mappingsCommand, args: string[]) {
  const io = fakeIo();
  const code = await cmd(args, io);
  return { code, out: io.out, err: io.err };
}
const dir = mkdtempSync(path.join(tmpdir(), 'd365ic-mappings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SEED = ['--pricing', 'legacy', '--unit-groups', 'off', '--orders', 'legacy'];

describe('d365ic mappings / jobs (CLI contract)', () => {
  it('mappings export --format xlsx --language nb-NO writes the workbook in Norwegian, and import reads it back', async () => {
    const out = path.join(dir, 'review.nb-NO.xlsx');
    expect((await run(mappingsCommand, ['export', '--format', 'xlsx', '--out', out, '--language', 'nb-NO', ...SEED])).code).toBe(0);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
    expect(wb.getWorksheet('Oversikt')).toBeTruthy();
    const back = await run(mappingsCommand, ['import', out, '--json']);
    expect(back.code).toBe(0);
    expect((JSON.parse(back.out) as { set: { mappings: unknown[] } }).set.mappings.length).toBeGreaterThan(10);
    await expect(run(mappingsCommand, ['export', '--format', 'xlsx', '--out', out, '--language', 'de'])).rejects.toThrow(UsageError);
  });

  it('mappings defaults --json: the seed acceptance set with structured and text filters', async () => {
    const r = await run(mappingsCommand, ['defaults', '--json', ...SEED]);
    expect(r.code).toBe(0);
    const ms = JSON.parse(r.out) as Record<string, unknown>[];
    const by = new Map(ms.map((m) => [m.name as string, m]));
    for (const m of ms) for (const k of ['name', 'bcTable', 'dataverseEntity', 'direction', 'tableFilter', 'integrationTableFilter', 'synchOnlyCoupled', 'dependencyFilter', 'fields', 'tableFilterText', 'integrationTableFilterText']) expect(m).toHaveProperty(k);
    const pick = (n: string) => { const m = by.get(n)!; return [m.bcTable, m.dataverseEntity, m.direction]; };
    expect(pick('UNIT OF MEASURE')).toEqual(['Unit of Measure', 'uomschedule', 'ToIntegrationTable']);
    expect(pick('ITEM-PRODUCT')).toEqual(['Item', 'product', 'Bidirectional']);
    expect(pick('RESOURCE-PRODUCT')).toEqual(['Resource', 'product', 'Bidirectional']);
    expect(pick('CUSTPRCGRP-PRICE')).toEqual(['Customer Price Group', 'pricelevel', 'ToIntegrationTable']);
    expect(pick('SALESPRC-PRODPRICE')).toEqual(['Sales Price', 'productpricelevel', 'ToIntegrationTable']);
    expect(pick('OPPORTUNITY')).toEqual(['Opportunity', 'opportunity', 'Bidirectional']);
    expect(pick('POSTEDSALESINV-INV')).toEqual(['Sales Invoice Header', 'invoice', 'ToIntegrationTable']);
    expect(pick('POSTEDSALESLINE-INV')).toEqual(['Sales Invoice Line', 'invoicedetail', 'ToIntegrationTable']);
    expect(pick('SALESORDER-ORDER')).toEqual(['Sales Header', 'salesorder', 'ToIntegrationTable']);
    expect(by.get('ITEM-PRODUCT')!.integrationTableFilterText).toBe('producttypecode eq 1 and statecode eq 0');
    expect(by.get('RESOURCE-PRODUCT')!.integrationTableFilterText).toBe('producttypecode eq 3 and statecode eq 0');
    expect(by.get('SALESORDER-ORDER')!.tableFilterText).toBe('Document Type=Order, Status=Released');
    expect(by.get('SALESPRC-PRODPRICE')!.tableFilterText).toBe("Sales Type=Customer Price Group, Sales Code=<>''");
    expect(by.get('CUSTOMER')!.tableFilterView).toBe('WHERE(Blocked=CONST( ))');
    const fields = by.get('POSTEDSALESLINE-INV')!.fields as Record<string, unknown>[];
    expect(fields.find((f) => f.dataverseField === 'ispriceoverridden')).toMatchObject({ bcField: null, direction: 'ToIntegrationTable', constant: '1' });
  });

  it('mappings defaults --company-id adds the company clause; bad flags are usage errors', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    const ms = JSON.parse((await run(mappingsCommand, ['defaults', '--json', '--company-id', id])).out) as { name: string; integrationTableFilterText: string }[];
    expect(ms.find((m) => m.name === 'ITEM-PRODUCT')!.integrationTableFilterText).toBe(`producttypecode eq 1 and statecode eq 0 and (_bcbi_companyid_value eq ${id} or _bcbi_companyid_value eq null)`);
    await expect(mappingsCommand(['defaults', '--pricing', 'cheap'], fakeIo())).rejects.toThrow(UsageError);
    await expect(jobsCommand(['defaults', '--orders'], fakeIo())).rejects.toThrow(/--orders takes none \| legacy \| bidirectional/);
  });

  it('jobs defaults --json: run order, intervals, timeouts, null mapping for feature jobs', async () => {
    const r = await run(jobsCommand, ['defaults', '--json', ...SEED]);
    expect(r.code).toBe(0);
    const jobs = JSON.parse(r.out) as { name: string; mapping: string | null; direction: string; everyMinutes: number; inactivityTimeoutMinutes: number | null; order: number }[];
    const wanted: [string, number, number][] = [['UNIT OF MEASURE', 30, 720], ['RESOURCE-PRODUCT', 30, 720], ['ITEM-PRODUCT', 30, 1440], ['CUSTPRCGRP-PRICE', 30, 1440], ['SALESPRC-PRODPRICE', 30, 1440], ['POSTEDSALESINV-INV', 30, 1440]];
    const orders = wanted.map(([n, every, timeout]) => {
      const j = jobs.find((x) => x.name === n)!;
      expect([j.mapping, j.everyMinutes, j.inactivityTimeoutMinutes]).toEqual([n, every, timeout]);
      return j.order;
    });
    const stats = jobs.find((j) => j.name === 'Customer Statistics')!;
    expect([stats.mapping, stats.everyMinutes, stats.inactivityTimeoutMinutes]).toEqual([null, 30, null]);
    orders.push(stats.order);
    expect([...orders].sort((a, b) => a - b)).toEqual(orders);
    for (const j of jobs) expect(Object.keys(j)).toEqual(expect.arrayContaining(['name', 'mapping', 'direction', 'everyMinutes', 'inactivityTimeoutMinutes', 'order']));
  });

  it('export → validate → diff → import, in JSON and XLSX; validate exits 1 on errors', async () => {
    const json = path.join(dir, 'set.json');
    const xlsx = path.join(dir, 'set.xlsx');
    expect((await run(mappingsCommand, ['export', '--format', 'json', '--out', json, ...SEED])).code).toBe(0);
    expect((await run(mappingsCommand, ['export', '--from', json, '--format', 'xlsx', '--out', xlsx])).code).toBe(0);
    const v = await run(mappingsCommand, ['validate', xlsx, '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ errors: 0 });

    const broken = JSON.parse(readFileSync(json, 'utf8'));
    broken.mappings.find((m: { name: string }) => m.name === 'PAYMENT TERMS').direction = 'Bidirectional';
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(broken));
    const vb = await run(mappingsCommand, ['validate', bad]);
    expect(vb.code).toBe(1);
    expect(vb.out).toMatch(/ERROR\s+PAYMENT TERMS \[OPTION_BIDIRECTIONAL\]/);

    const d = await run(mappingsCommand, ['diff', json, bad, '--json']);
    expect(JSON.parse(d.out).rows).toEqual([{ mapping: 'PAYMENT TERMS', field: null, property: 'direction', left: 'ToIntegrationTable', right: 'Bidirectional' }]);
    const i = await run(mappingsCommand, ['import', xlsx, '--json']);
    expect(JSON.parse(i.out).changeSet.changes).toEqual([]);
    await expect(mappingsCommand(['import', path.join(dir, 'nope.json')], fakeIo())).rejects.toThrow(/does not exist/);
    const notASet = path.join(dir, 'x.json');
    writeFileSync(notASet, '{"hello":1}');
    const ns = await run(mappingsCommand, ['import', notASet]);
    expect([ns.code, ns.err]).toEqual([1, expect.stringMatching(/not a valid mapping set/)]);
  }, 30_000);
});
