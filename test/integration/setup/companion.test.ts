/**
 * Issue 18 through the real composition root: the sandbox scenario "Companion extension not installed", the setup
 * pre-flight finding bc.companionExtension, companion.status (per mapping, not carried and why) and the XLSX review's
 * "Not carried" sheet.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import type { CompanionStatus } from '../../../preload/contract/sales/companion';
import type { PreflightReport, SetupFinding } from '../../../preload/contract/sales/setup';
import { quietLogger, tempDir } from '../../support/app';
import { APP_CLIENT_ID } from './harness';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let cleanup: () => void;
let ids: Record<string, string>;
const call = async <T>(method: string, payload: unknown = {}): Promise<T> => {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
};
const finding = async (): Promise<SetupFinding> => {
  const report = await call<PreflightReport>('setup.preflight', {
    dataverseProfileId: ids.Dataverse, bcProfileId: ids['Business Central'], integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, lcyCode: 'NOK',
  });
  return report.findings.find((f) => f.id === 'bc.companionExtension')!;
};

beforeAll(async () => {
  const t = tempDir();
  sandbox = await EmbeddedSandbox.start({ seed: 'demo' });
  app = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  cleanup = t.cleanup;
  const list = await call<{ id: string; name: string }[]>('connections.list');
  ids = Object.fromEntries(list.map((p) => [p.name.replace('Demo sandbox · ', ''), p.id]));
}, 60_000);
afterAll(async () => {
  app.close();
  await sandbox.close();
  cleanup();
});

describe('the companion extension, with and without', () => {
  it('installed: the pre-flight reports it with its version and only field mappings no connection carries are listed', async () => {
    const f = await finding();
    expect(f).toMatchObject({ status: 'ok', title: { code: 'check.companionOk', params: { version: '1.0.0.0' } } });
    const s = await call<CompanionStatus>('companion.status', { refresh: true });
    expect(s).toMatchObject({ connection: 'Demo sandbox · Business Central', state: 'installed', version: '1.0.0.0' });
    const customer = s.mappings.find((m) => m.mapping === 'CUSTOMER')!;
    expect(customer.runs).toBe(true);
    expect(customer.fields.filter((x) => x.reason === 'needsCompanion')).toEqual([]);
    expect(s.mappings.find((m) => m.mapping === 'OPPORTUNITY')!.runs).toBe(true);
  });

  it('the scenario removes it: warning with the fix and the degraded mappings, per-mapping reasons, then reset', async () => {
    const r = await call<{ applied: boolean; message: { code: string } }>('sandbox.scenario', { scenario: 'remove-companion' });
    expect(r).toMatchObject({ applied: true, message: { code: 'sandbox.scenarioResult.removeCompanion' } });
    const again = await call<{ applied: boolean }>('sandbox.scenario', { scenario: 'remove-companion' });
    expect(again.applied).toBe(false);

    const f = await finding();
    expect(f.status).toBe('warning');
    expect(f.cause?.code).toBe('cause.companionMissing');
    expect(String(f.cause?.params.unavailable)).toContain('OPPORTUNITY');
    expect(String(f.cause?.params.degraded)).toContain('ITEM-PRODUCT (Unit Volume, Gross Weight)');
    expect(String(f.cause?.params.degraded)).toMatch(/CUSTOMER \([^)]*Fax No\./);
    expect(f.fix?.code).toBe('fix.companion');
    expect(f.fix?.text).toContain('bc-extension');
    expect(f.fix?.text).toContain('Publish-NAVApp');

    const s = await call<CompanionStatus>('companion.status', { refresh: true });
    expect(s.state).toBe('missing');
    const customer = s.mappings.find((m) => m.mapping === 'CUSTOMER')!;
    expect(customer.runs).toBe(true);
    expect(customer.fields).toEqual(expect.arrayContaining([{ bcField: 'Fax No.', dataverseField: 'fax', reason: 'needsCompanion' }, { bcField: 'Contact', dataverseField: 'address1_primarycontactname', reason: 'needsCompanion' }]));
    expect(s.mappings.find((m) => m.mapping === 'OPPORTUNITY')!.runs).toBe(false);

    const reset = await call<{ applied: boolean }>('sandbox.scenario', { scenario: 'reset' });
    expect(reset.applied).toBe(true);
    expect((await finding()).status).toBe('ok');
    expect((await call<CompanionStatus>('companion.status', { refresh: true })).state).toBe('installed');
  });

  it('the XLSX review lists what is not carried, with and without the extension', async () => {
    const sets = await call<{ id: string }[]>('mappings.list');
    const file = await call<{ base64: string }>('mappings.exportFile', { id: sets[0]!.id, format: 'xlsx' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file.base64, 'base64') as never);
    const ws = wb.getWorksheet('Not carried')!;
    expect(ws).toBeDefined();
    const rows: string[][] = [];
    ws.eachRow((row, n) => { if (n > 2) rows.push((row.values as unknown[]).slice(1).map(String)); });
    expect(rows).toContainEqual(['CUSTOMER', 'Fax No.', 'fax', 'carried', 'needs the companion extension']);
    expect(rows.some((r) => r[0] === 'OPPORTUNITY' && r[4] === 'needs the companion extension')).toBe(true);
    // Import ignores the sheet: the workbook comes back without changes.
    const back = await call<{ changes: unknown[] }>('mappings.importFile', { id: sets[0]!.id, fileName: 'review.xlsx', base64: file.base64 });
    expect(back.changes).toEqual([]);
  });
});
