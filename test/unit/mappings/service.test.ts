import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import mappingsMigration from '../../../main/db/migrations/0002_mappings';
import snapshotsMigration from '../../../main/db/migrations/0005_mapping_snapshots';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import { createMappingHandlers, DEFAULT_SET_NAME } from '../../../main/integrations/sales/mappings/handlers';
import { createRouter, type Handlers } from '../../../main/rpc/router';
import type { Change, FieldMapping, MappingSet } from '../../../preload/contract/sales/mapping-model';
import { DIRECTIONS, fieldKey } from '../../../preload/contract/sales/mapping-model';
import type { MethodInput, MethodName, MethodOutput } from '../../../preload/contract';
import { testApp } from '../../support/app';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The handlers behind the real router, so every input and output is also checked against the contract. */
function setup(extra: { exportDir?: string } = {}) {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec(mappingsMigration.sql);
  db.exec(snapshotsMigration.sql);
  let tick = Date.parse('2026-11-23T10:00:00Z');
  const handlers = createMappingHandlers({ db, logger: quiet, now: () => new Date((tick += 1000)), ...extra });
  const router = createRouter(handlers as unknown as Handlers, { error: () => undefined });
  async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const r = await router.call(method, input, { transport: 'memory' });
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.value as MethodOutput<M>;
  }
  async function fails(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (x) {
      return (x as { code: string }).code;
    }
    throw new Error('expected the call to fail');
  }
  return { db, call, fails };
}

async function defaultSet(call: ReturnType<typeof setup>['call']) {
  const [info] = await call('mappings.list', {});
  return call('mappings.get', { id: info!.id });
}

const dirChange = (set: MappingSet, mapping: string, f: FieldMapping, to: FieldMapping['direction']): Change =>
  ({ op: 'setField', mapping, key: fieldKey(f), prop: 'direction', from: f.direction, to });

describe('mappings service', () => {
  it('creates one "Default mappings" set for a new console, equal to the defaults, and only once', async () => {
    const { call } = setup();
    const first = await call('mappings.list', {});
    const second = await call('mappings.list', {});
    expect(first.map((s) => s.name)).toEqual([DEFAULT_SET_NAME]);
    expect(second).toEqual(first);
    const v = await call('mappings.get', { id: first[0]!.id });
    expect(v.set.mappings).toEqual(defaultMappings(v.set.options ?? {}));
    expect(v.statuses.every((s) => s.vsDefault === 'default' && s.changedFields.length === 0)).toBe(true);
    expect(v.removedDefaults).toEqual([]);
    expect(v.jobs.length).toBeGreaterThan(0);
    expect(v.canUndo).toBe(false);
  });

  it('applies a direction change, re-validates, marks the mapping modified and refuses a stale revision', async () => {
    const { call, fails } = setup();
    const v = await defaultSet(call);
    // A ToIntegrationTable mapping whose field is switched to FromIntegrationTable can never sync that field.
    const m = v.set.mappings.find((x) => x.direction === 'ToIntegrationTable' && x.fields.length > 0)!;
    const f = m.fields.find((x) => x.direction === 'ToIntegrationTable')!;
    const after = await call('mappings.apply', { id: v.id, revision: v.revision, changes: [dirChange(v.set, m.name, f, 'FromIntegrationTable')] });
    expect(after.revision).toBe(v.revision + 1);
    expect(after.findings.some((x) => x.mapping === m.name && x.field === fieldKey(f) && x.code === 'DIRECTION_CONFLICT')).toBe(true);
    expect(v.findings.some((x) => x.mapping === m.name && x.code === 'DIRECTION_CONFLICT')).toBe(false);
    const st = after.statuses.find((s) => s.mapping === m.name)!;
    expect(st).toMatchObject({ vsDefault: 'modified', changedFields: [fieldKey(f)] });
    expect(st.errors).toBeGreaterThan(0);
    expect(after.canUndo).toBe(true);
    expect(await fails(call('mappings.apply', { id: v.id, revision: v.revision, changes: [dirChange(v.set, m.name, f, 'Bidirectional')] }))).toBe('MAPPING_STALE');
  });

  it('rejects a change whose expected value does not match and saves nothing', async () => {
    const { call, fails } = setup();
    const v = await defaultSet(call);
    const m = v.set.mappings[0]!;
    const f = m.fields[0]!;
    const wrongFrom: Change = { op: 'setField', mapping: m.name, key: fieldKey(f), prop: 'direction', from: 'Sideways', to: 'Bidirectional' };
    const ok = dirChange(v.set, m.name, f, DIRECTIONS.find((d) => d !== f.direction)!);
    expect(await fails(call('mappings.apply', { id: v.id, revision: v.revision, changes: [ok, wrongFrom] }))).toBe('MAPPING_CHANGE_REJECTED');
    expect((await call('mappings.get', { id: v.id })).revision).toBe(v.revision);
  });

  it('undo of every step returns the original set and redo of every step returns the edited one (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...DIRECTIONS), fc.boolean()), { minLength: 1, maxLength: 8 }),
        async (steps) => {
          const { call } = setup();
          let v = await defaultSet(call);
          const original = v.set;
          for (const [mi, fi, dir, bulk] of steps) {
            const m = v.set.mappings[mi % v.set.mappings.length]!;
            if (m.fields.length === 0) continue;
            const fields = bulk ? m.fields.slice(0, 3) : [m.fields[fi % m.fields.length]!];
            const changes = fields.filter((f) => f.direction !== dir).map((f) => dirChange(v.set, m.name, f, dir));
            if (changes.length) v = await call('mappings.apply', { id: v.id, revision: v.revision, changes });
          }
          const edited = v.set;
          while (v.canUndo) v = await call('mappings.undo', { id: v.id, revision: v.revision });
          expect(v.set).toEqual(original);
          while (v.canRedo) v = await call('mappings.redo', { id: v.id, revision: v.revision });
          expect(v.set).toEqual(edited);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('previews a reset, snapshots before resetting and restores the snapshot', async () => {
    const { call } = setup();
    let v = await defaultSet(call);
    const m = v.set.mappings[1]!;
    const f = m.fields[0]!;
    const to = DIRECTIONS.find((d) => d !== f.direction)!;
    v = await call('mappings.apply', { id: v.id, revision: v.revision, changes: [dirChange(v.set, m.name, f, to)] });
    const edited = v.set;
    const preview = await call('mappings.previewReset', { id: v.id });
    expect(preview.rows).toEqual([{ mapping: m.name, field: fieldKey(f), property: 'direction', left: to, right: f.direction }]);
    expect(preview.changes).toHaveLength(preview.rows.length);

    const { view, snapshot } = await call('mappings.reset', { id: v.id, revision: v.revision });
    expect(view.set.mappings).toEqual(defaultMappings(view.set.options ?? {}));
    expect(view.canUndo).toBe(false);
    expect(snapshot.reason).toBe('reset');
    expect((await call('mappings.snapshots', { id: v.id })).map((s) => s.id)).toEqual([snapshot.id]);
    const diff = await call('mappings.diff', { id: v.id, left: { kind: 'current' }, right: { kind: 'snapshot', snapshotId: snapshot.id } });
    expect(diff.rows).toEqual([{ mapping: m.name, field: fieldKey(f), property: 'direction', left: f.direction, right: to }]);

    const restored = await call('mappings.restoreSnapshot', { id: v.id, revision: view.revision, snapshotId: snapshot.id });
    expect(restored.view.set).toEqual(edited);
    expect(restored.snapshot.reason).toBe('restore');
    expect(await call('mappings.snapshots', { id: v.id })).toHaveLength(2);
  });

  it('shows filter differences as BC filter text and OData $filter, not JSON', async () => {
    const { call } = setup();
    const v = await defaultSet(call);
    const cust = v.set.mappings.find((m) => m.name === 'CUSTOMER')!;
    const to = { ...cust.integrationTableFilter, conditions: [...cust.integrationTableFilter.conditions, { attribute: 'primarycontactid', op: 'eq' as const, values: ['4C7E7B1A-0000-4000-8000-000000000001'] }] };
    const bcTo = { conditions: [{ field: 'Blocked', op: 'ne' as const, values: ['All'] }] };
    const after = await call('mappings.apply', { id: v.id, revision: v.revision, changes: [
      { op: 'setMapping', mapping: 'CUSTOMER', prop: 'integrationTableFilter', from: cust.integrationTableFilter, to },
      { op: 'setMapping', mapping: 'CUSTOMER', prop: 'tableFilter', from: cust.tableFilter, to: bcTo },
    ] });
    const rows = (await call('mappings.previewReset', { id: after.id })).rows;
    const dv = rows.find((r) => r.property === 'integrationTableFilter')!;
    // A lookup is filtered through _x_value with a lower-cased GUID: only known when the entity is looked up.
    expect(dv.left).toContain('_primarycontactid_value eq 4c7e7b1a-0000-4000-8000-000000000001');
    expect(dv.right).not.toContain('primarycontactid');
    expect(rows.find((r) => r.property === 'tableFilter')).toMatchObject({ left: 'Blocked=<>All' });
  });

  it('a re-connect with other options previews and applies the defaults of the new options', async () => {
    const { call } = setup();
    const v = await defaultSet(call);
    const preview = await call('mappings.previewReset', { id: v.id, options: { orders: 'bidirectional' } });
    const added = preview.rows.filter((r) => r.property === '(table mapping)' && r.left === '').map((r) => r.mapping);
    const expected = defaultMappings({ ...v.set.options, orders: 'bidirectional' }).map((m) => m.name).filter((n) => !v.set.mappings.some((m) => m.name === n));
    expect(added.sort()).toEqual(expected.sort());
    expect(added.length).toBeGreaterThan(0);
    const { view, snapshot } = await call('mappings.reset', { id: v.id, revision: v.revision, options: { orders: 'bidirectional' } });
    expect(snapshot.reason).toBe('reconnect');
    expect(view.set.options?.orders).toBe('bidirectional');
  });

  it('exports an XLSX a consultant annotates; the import proposes the edit and comment; accepting a subset applies only it', async () => {
    const { call } = setup();
    let v = await defaultSet(call);
    const file = await call('mappings.exportFile', { id: v.id, format: 'xlsx' });
    expect(file.fileName).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file.base64!, 'base64') as unknown as ArrayBuffer);
    // The consultant edits the CUSTOMER sheet: one direction cell and a comment on another row.
    const ws = wb.getWorksheet('CUSTOMER')!;
    const headers = new Map<string, number>();
    ws.getRow(3).eachCell((c, col) => headers.set(String(c.value), col));
    const dirCol = headers.get('Direction')!;
    const cust = v.set.mappings.find((m) => m.name === 'CUSTOMER')!;
    const f0 = cust.fields[0]!;
    const to = DIRECTIONS.find((d) => d !== f0.direction)!;
    ws.getCell(4, dirCol).value = to;
    ws.getCell(5, headers.get('Comment')!).value = 'Is this still needed?';
    const annotated = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');

    // Meanwhile someone changes the same field in the console: that proposal must be reported, not overwrite it.
    const proposal = await call('mappings.importFile', { id: v.id, fileName: 'review.xlsx', base64: annotated });
    const dirIdx = proposal.changes.findIndex((c) => c.op === 'setField' && c.key === fieldKey(f0) && c.prop === 'direction');
    expect(dirIdx).toBeGreaterThanOrEqual(0);
    expect(proposal.rows[dirIdx]).toMatchObject({ mapping: 'CUSTOMER', left: f0.direction, right: to });
    expect(proposal.comments).toEqual([expect.objectContaining({ mapping: 'CUSTOMER', field: fieldKey(cust.fields[1]!), comment: 'Is this still needed?' })]);
    const reviewIdx = proposal.changes.findIndex((c) => c.op === 'setReview');

    // Accept only the comment first.
    const r1 = await call('mappings.acceptChanges', { id: v.id, revision: v.revision, changes: [proposal.changes[reviewIdx]!] });
    expect(r1.rejected).toEqual([]);
    expect(r1.view.set.reviews.map((r) => r.comment)).toEqual(['Is this still needed?']);
    expect(r1.view.set.mappings.find((m) => m.name === 'CUSTOMER')!.fields[0]!.direction).toBe(f0.direction);
    v = r1.view;
    const third = DIRECTIONS.find((d) => d !== f0.direction && d !== to)!;
    v = await call('mappings.apply', { id: v.id, revision: v.revision, changes: [dirChange(v.set, 'CUSTOMER', f0, third)] });
    const r2 = await call('mappings.acceptChanges', { id: v.id, revision: v.revision, changes: [proposal.changes[dirIdx]!] });
    expect(r2.rejected).toHaveLength(1);
    expect(r2.rejected[0]!.reason).toMatch(/direction/);
    // The UI words it from the code and params (mappings: conflict.*), not from the English reason.
    expect(r2.rejected[0]).toMatchObject({ code: 'FIELD_PROP_CHANGED', params: { prop: 'direction' } });
    expect(r2.view.revision).toBe(v.revision);
  });

  it('JSON export round-trips; a JSON file diffs against the current set', async () => {
    const { call } = setup();
    const v = await defaultSet(call);
    const file = await call('mappings.exportFile', { id: v.id, format: 'json' });
    const edited = JSON.parse(file.text!) as MappingSet;
    edited.mappings = edited.mappings.slice(1);
    const base64 = Buffer.from(JSON.stringify(edited)).toString('base64');
    const proposal = await call('mappings.importFile', { id: v.id, fileName: 'x.json', base64 });
    expect(proposal.rows).toEqual([expect.objectContaining({ mapping: v.set.mappings[0]!.name, property: '(table mapping)', right: '' })]);
    const diff = await call('mappings.diff', { id: v.id, left: { kind: 'file', fileName: 'x.json', base64 }, right: { kind: 'current' } });
    expect(diff.rows).toHaveLength(1);
    expect(diff.rows[0]!.left).toBe('');
  });

  it('refuses files that are not mapping sets with a message saying what to do', async () => {
    const { call, fails } = setup();
    const v = await defaultSet(call);
    const junk = Buffer.from('not a workbook').toString('base64');
    expect(await fails(call('mappings.importFile', { id: v.id, fileName: 'x.xlsx', base64: junk }))).toBe('MAPPING_IMPORT_INVALID');
    expect(await fails(call('mappings.importFile', { id: v.id, fileName: 'x.json', base64: Buffer.from('{"schemaVersion": 9}').toString('base64') }))).toBe('MAPPING_IMPORT_INVALID');
    expect(await fails(call('mappings.get', { id: 'nope' }))).toBe('MAPPING_SET_NOT_FOUND');
    expect(await fails(call('mappings.create', { name: DEFAULT_SET_NAME }))).toBe('MAPPING_NAME_TAKEN');
  });

  it('stores a review sign-off with the set, undoably', async () => {
    const { call, fails } = setup();
    const v = await defaultSet(call);
    const after = await call('mappings.signOff', { id: v.id, revision: v.revision, mapping: 'CUSTOMER', reviewer: 'Ann Consultant', status: 'Approved', comment: 'ok' });
    expect(after.set.reviews).toEqual([expect.objectContaining({ mapping: 'CUSTOMER', field: null, reviewer: 'Ann Consultant', status: 'Approved', comment: 'ok' })]);
    expect(Date.parse(after.set.reviews[0]!.at)).toBeGreaterThan(0);
    const undone = await call('mappings.undo', { id: v.id, revision: after.revision });
    expect(undone.set.reviews).toEqual([]);
    expect(await fails(call('mappings.signOff', { id: v.id, revision: undone.revision, mapping: 'NOPE', reviewer: 'x', status: 'Approved' }))).toBe('MAPPING_REVIEW_INVALID');
  });

  it('previews filters with escaped values on both sides', async () => {
    const { call } = setup();
    const dv = await call('mappings.previewFilter', {
      side: 'dataverse', entity: 'account', filter: { companyScoped: false, conditions: [{ attribute: 'name', op: 'eq', values: ["O'Brien"] }] },
    });
    expect(dv).toEqual({ text: "name eq 'O''Brien'", view: null, odata: null, filter: null, error: null, errorCode: null, errorParams: null });
    const bc = await call('mappings.previewFilter', { side: 'bc', conditions: [{ field: 'Name', expression: "'A,B'" }] });
    expect(bc.text).toBe("Name='A,B'");
    expect(bc.view).toMatch(/^WHERE\(/);
    const bad = await call('mappings.previewFilter', {
      side: 'dataverse', entity: 'account', filter: { companyScoped: false, conditions: [{ attribute: 'transactioncurrencyid', op: 'eq', values: ['EUR'] }] },
    });
    expect(bad.error).toMatch(/GUID/);
    expect(bad).toMatchObject({ errorCode: 'NOT_GUID', errorParams: { attribute: 'transactioncurrencyid', value: 'EUR' } });
  });

  it('export says where the file went: a copy in the exports folder; the workbook speaks the requested language', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-export-'));
    try {
      const { call } = setup({ exportDir: path.join(dir, 'exports') });
      const [info] = await call('mappings.list', {});
      const json = await call('mappings.exportFile', { id: info!.id, format: 'json' });
      expect(json.savedPath).toBe(path.join(dir, 'exports', json.fileName));
      expect(readFileSync(json.savedPath!, 'utf8')).toBe(json.text);
      const xlsx = await call('mappings.exportFile', { id: info!.id, format: 'xlsx', language: 'nl-NL' });
      expect(xlsx.fileName).toMatch(/\.nl-NL\.xlsx$/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(readFileSync(xlsx.savedPath!) as unknown as ArrayBuffer);
      expect(wb.getWorksheet('Overzicht')).toBeTruthy();
      // Without an exports folder (in-memory consoles) nothing is written and the UI names the downloads folder only.
      const other = setup();
      const [o] = await other.call('mappings.list', {});
      expect((await other.call('mappings.exportFile', { id: o!.id, format: 'json' })).savedPath).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('previews BC filter syntax typed with "=": NO|SE, ranges, <>, wildcards, @, & and \'\' (no "Invalid input")', async () => {
    const { call } = setup();
    const country = await call('mappings.previewFilter', { side: 'bc', tableId: 18, conditions: [{ field: 'Country/Region Code', expression: 'NO|SE' }] });
    expect(country).toMatchObject({
      text: 'Country/Region Code=NO|SE', view: 'WHERE(Country/Region Code=FILTER(NO|SE))', error: null,
      filter: { conditions: [{ field: 'Country/Region Code', op: 'in', values: ['NO', 'SE'] }] },
    });
    // Country/Region Code is not a customers API property: no OData form, the engine still filters.
    expect(country.odata).toBeNull();
    const currency = await call('mappings.previewFilter', { side: 'bc', tableId: 18, conditions: [{ field: 'Currency Code', expression: 'nok|sek' }] });
    expect(currency.odata).toBe("(currencyCode eq 'NOK' or currencyCode eq 'SEK')");
    const mixed = await call('mappings.previewFilter', {
      side: 'bc', tableId: 18,
      conditions: [{ field: 'No.', expression: "10000..20000&<>15000" }, { field: 'Name', expression: "@*'o''brien'*|''" }],
    });
    expect(mixed.error).toBeNull();
    expect(mixed.filter!.conditions.map((c) => c.op)).toEqual(['filter', 'filter']);
    expect(mixed.text).toBe("No.=10000..20000&<>15000, Name=@*'o''brien'*|''");
    expect(mixed.odata).toBe("(number ge '10000' and number le '20000') and number ne '15000' and (contains(tolower(displayName),'o''brien') or displayName eq '')");
    const broken = await call('mappings.previewFilter', { side: 'bc', conditions: [{ field: 'Name', expression: "'abc" }] });
    expect(broken).toMatchObject({ filter: null, errorCode: 'UNCLOSED_QUOTE', errorParams: { field: 'Name' } });
  });

  it('lists catalogue attributes with their types', async () => {
    const { call } = setup();
    const c = await call('mappings.catalog', {});
    const account = c.dataverse.find((e) => e.entity === 'account')!;
    expect(account.attributes.find((a) => a.name === 'name')?.type).toBe('String');
    const customer = c.bc.find((t) => t.tableId === 18)!;
    expect(customer.fields.find((f) => f.name === 'No.')?.type).toBe('Code');
  });

  it('is wired into the console app on its real store: the snapshot migration is applied and a reset keeps its snapshot', async () => {
    const t = testApp();
    try {
      const call = async (method: string, input: unknown) => {
        const r = await t.app.router.call(method, input, { transport: 'memory' });
        if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
        return r.value as never;
      };
      const [info] = (await call('mappings.list', {})) as MethodOutput<'mappings.list'>;
      const v = (await call('mappings.get', { id: info!.id })) as MethodOutput<'mappings.get'>;
      const r = (await call('mappings.reset', { id: v.id, revision: v.revision })) as MethodOutput<'mappings.reset'>;
      expect(((await call('mappings.snapshots', { id: v.id })) as MethodOutput<'mappings.snapshots'>).map((x) => x.id)).toEqual([r.snapshot.id]);
    } finally {
      t.cleanup();
    }
  });
});
