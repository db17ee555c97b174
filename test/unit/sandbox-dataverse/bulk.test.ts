/**
 * Bulk messages take shortcuts for speed: UpdateMultiple/UpsertMultiple merge changes inside SQLite instead of
 * reading the row, rows keep lookup type markers only where a lookup has several target tables, and server ids are
 * sequential. These tests pin that every shortcut yields exactly what the plain read-modify-write path yields.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DvStore } from '../../../main/sandbox/dataverse/store';
import { DataverseCore } from '../../../main/sandbox/dataverse/core';
import { ORGANIZATION_ID, seedDataverse } from '../../../main/sandbox/dataverse/seed';
import { ROLE_DEFS, nameGuid, privilegesOf } from '../../../main/sandbox/dataverse/security';
import type { Caller } from '../../../main/sandbox/dataverse/security';
import { SANDBOX_USERS } from '../../../main/sandbox/directory';

const admin = ROLE_DEFS[0].roleid;
const adminUser = SANDBOX_USERS.find((u) => u.kind === 'admin') ?? SANDBOX_USERS[0];
const caller: Caller = { systemuserid: adminUser.dataverse!.systemUserId, businessunitid: nameGuid('businessunit:root'), roleIds: [admin], privileges: privilegesOf([admin]), isAdmin: true, accessMode: 0 };
const TEAM = nameGuid('team:default');
const ANNOTATIONS = { prefer: 'odata.include-annotations="*"' };
const T0 = 1_750_000_000_000;

function fresh(clock: () => number = () => T0): DataverseCore {
  const core = new DataverseCore(new DvStore(), { url: 'http://sandbox', apiBase: 'http://sandbox/api/data/v9.2', clock, organizationId: ORGANIZATION_ID });
  seedDataverse(core, 'demo', true);
  return core;
}

type Json = Record<string, unknown>;
function call(core: DataverseCore, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = core.handle({ method, url, headers, body: body === undefined ? '' : JSON.stringify(body) }, caller);
  return { status: r.status, json: r.body ? JSON.parse(r.body) as Json : undefined };
}
const typed = (set: string, rows: Json[]) => rows.map((r) => ({ '@odata.type': `Microsoft.Dynamics.CRM.${set}`, ...r }));
/** A row as a client sees it, minus what legitimately differs between two rows (key, version, ETag). */
function view(core: DataverseCore, set: string, id: string): Json {
  const r = call(core, 'GET', `${set}s(${id})`, undefined, ANNOTATIONS);
  expect(r.status).toBe(200);
  const v = { ...r.json };
  for (const k of ['@odata.context', '@odata.etag', 'versionnumber', `${set}id`]) delete v[k];
  return v;
}

// Characters that stress JSON escaping in both JSON.stringify and SQLite's json_patch.
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', 'æøå ÆØÅ', "O'Neil \"q\" \\ /", '\u0001\u001f\u2028', '😀 \ud83d', 'x'.repeat(160)));
const accountChanges = fc.record({
  name: text, telephone1: fc.option(text, { nil: null }), revenue: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.constant('12.50')),
  numberofemployees: fc.option(fc.integer({ min: -5, max: 1e6 }), { nil: null }), creditonhold: fc.option(fc.boolean(), { nil: null }),
  customertypecode: fc.option(fc.integer({ min: 0, max: 13 }), { nil: null }), statecode: fc.constantFrom(0, 1), statuscode: fc.constantFrom(1, 2),
  'primarycontactid@odata.bind': fc.constantFrom('contacts(C)', null), 'ownerid@odata.bind': fc.constantFrom(`systemusers(${adminUser.dataverse!.systemUserId})`, `teams(${TEAM})`),
  'parentaccountid@odata.bind': fc.constantFrom('accounts(P)', null), description: fc.option(text, { nil: null }),
}, { requiredKeys: [] });

describe('Dataverse sandbox bulk messages', () => {
  it('UpdateMultiple and UpsertMultiple (merge in SQLite) leave rows exactly as PATCH (read-modify-write) does', () => {
    const core = fresh();
    const contact = call(core, 'POST', 'contacts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('contact', [{ lastname: 'Bound' }]) }).json?.Ids as string[];
    const parent = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', [{ name: 'Parent' }]) }).json?.Ids as string[];
    const bind = (c: Json) => JSON.parse(JSON.stringify(c).replace('contacts(C)', `contacts(${contact[0]})`).replace('accounts(P)', `accounts(${parent[0]})`)) as Json;
    fc.assert(fc.property(accountChanges, accountChanges, (initialRaw, changesRaw) => {
      const initial = bind(initialRaw);
      const changes = bind(changesRaw);
      const made = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', [initial, initial, initial]) });
      if (made.status !== 200) return; // an invalid initial row is not what this property is about
      const [viaPatch, viaUpdate, viaUpsert] = made.json?.Ids as string[];
      const p = call(core, 'PATCH', `accounts(${viaPatch})`, changes, { 'if-match': '*' });
      const u = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpdateMultiple', { Targets: typed('account', [{ ...changes, accountid: viaUpdate }]) });
      const s = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: typed('account', [{ ...changes, accountid: viaUpsert }]) });
      expect(u.status === 204, JSON.stringify(u.json)).toBe(p.status === 204);
      expect(s.status === 200, JSON.stringify(s.json)).toBe(p.status === 204);
      if (p.status !== 204) {
        expect((u.json?.error as Json).code).toBe((p.json?.error as Json).code);
        expect((s.json?.error as Json).code).toBe((p.json?.error as Json).code);
      } else {
        expect((s.json?.Results as Json[])[0]).toEqual({ RecordCreated: false, Target: { '@odata.type': '#Microsoft.Dynamics.CRM.account', accountid: viaUpsert } });
      }
      const expected = view(core, 'account', viaPatch);
      expect(view(core, 'account', viaUpdate)).toEqual(expected);
      expect(view(core, 'account', viaUpsert)).toEqual(expected);
    }), { numRuns: 150 });
  });

  it('UpsertMultiple of new ids creates rows exactly as CreateMultiple does, once per id even when repeated', () => {
    const core = fresh();
    fc.assert(fc.property(accountChanges.filter((c) => !JSON.stringify(c).includes('(C)') && !JSON.stringify(c).includes('(P)')), fc.uuid(), fc.uuid(), (row, a, b) => {
      if (a === b) return;
      const c = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', [{ ...row, accountid: a }]) });
      const u = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: typed('account', [{ ...row, accountid: b }, { accountid: b, telephone1: 'second' }]) });
      expect(u.status === 200).toBe(c.status === 200);
      if (c.status !== 200) return;
      expect((u.json?.Results as Json[]).map((x) => x.RecordCreated)).toEqual([true, false]);
      expect(view(core, 'account', b)).toEqual({ ...view(core, 'account', a), telephone1: 'second' });
    }), { numRuns: 60 });
  });

  it('UpsertMultiple batches new rows yet sees them again later in the same request (by id and by alternate key)', () => {
    const core = fresh();
    const [old] = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', [{ name: 'Existing', accountnumber: 'EX-1' }]) }).json?.Ids as string[];
    const id = (i: number) => `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const targets = [
      ...Array.from({ length: 70 }, (_, i) => ({ accountid: id(i), name: `New ${i}`, accountnumber: `N-${i}` })),
      { accountid: old, telephone1: 'old changed' },
      { '@odata.id': "accounts(accountnumber='N-69')", telephone1: 'by key' },
      { accountid: id(5), telephone1: 'again' },
      { '@odata.id': "accounts(accountnumber='N-70')", name: 'New by key' },
    ];
    const failing = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: typed('account', [...targets, { accountid: id(99), numberofemployees: 1.5 }]) });
    expect(failing.status).toBe(400);
    expect(Number(call(core, 'GET', "accounts/$count?$filter=startswith(name,'New')").json)).toBe(0);
    const r = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: typed('account', targets) });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const results = r.json?.Results as { RecordCreated: boolean; Target: Json }[];
    expect(results.map((x) => x.RecordCreated)).toEqual([...Array.from({ length: 70 }, () => true), false, false, false, true]);
    expect(results.slice(0, 73).map((x) => x.Target.accountid)).toEqual([...Array.from({ length: 70 }, (_, i) => id(i)), old, id(69), id(5)]);
    const get = (key: string) => call(core, 'GET', `accounts(${key})?$select=name,telephone1,accountnumber`).json as Json;
    expect(get(id(5))).toMatchObject({ name: 'New 5', telephone1: 'again' });
    expect(get(id(69))).toMatchObject({ name: 'New 69', telephone1: 'by key' });
    expect(get(old)).toMatchObject({ name: 'Existing', telephone1: 'old changed' });
    expect(get("accountnumber='N-70'")).toMatchObject({ name: 'New by key', accountnumber: 'N-70' });
    expect(Number(call(core, 'GET', "accounts/$count?$filter=startswith(name,'New')").json)).toBe(71);
  });

  it('keeps the ETag, version and modified columns moving and the created columns fixed', () => {
    let now = T0;
    const core = fresh(() => now);
    const id = (call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', [{ name: 'Tracked' }]) }).json?.Ids as string[])[0];
    const before = call(core, 'GET', `accounts(${id})`).json as Json;
    const delta = call(core, 'GET', 'accounts?$select=name', undefined, { prefer: 'odata.track-changes' }).json?.['@odata.deltaLink'] as string;
    now += 5_000;
    expect(call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpdateMultiple', { Targets: typed('account', [{ accountid: id, name: 'Tracked 2' }]) }).status).toBe(204);
    const mid = call(core, 'GET', `accounts(${id})`).json as Json;
    now += 5_000;
    expect(call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: typed('account', [{ accountid: id, name: 'Tracked 3' }]) }).status).toBe(200);
    const after = call(core, 'GET', `accounts(${id})`).json as Json;
    expect(new Set([before['@odata.etag'], mid['@odata.etag'], after['@odata.etag']]).size).toBe(3);
    expect(Number(after.versionnumber)).toBeGreaterThan(Number(mid.versionnumber));
    expect(Number(mid.versionnumber)).toBeGreaterThan(Number(before.versionnumber));
    expect(after['@odata.etag']).toBe(`W/"${after.versionnumber}"`);
    expect([before.modifiedon, mid.modifiedon, after.modifiedon]).toEqual(['2025-06-15T15:06:40Z', '2025-06-15T15:06:45Z', '2025-06-15T15:06:50Z']);
    expect([mid.createdon, after.createdon, after._createdby_value]).toEqual([before.createdon, before.createdon, before._createdby_value]);
    expect(after._modifiedby_value).toBe(caller.systemuserid);
    const changed = call(core, 'GET', delta.replace('http://sandbox/api/data/v9.2/', '')).json?.value as Json[];
    expect(changed.map((x) => [x.accountid, x.name])).toEqual([[id, 'Tracked 3']]);
  });

  it('reports a missing row as 404 before judging its body, and rolls the whole request back on any failure', () => {
    const core = fresh();
    const ids = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', [{ name: 'Keep 1' }, { name: 'Keep 2' }]) }).json?.Ids as string[];
    const missing = '3f1c0d3e-0000-4000-8000-000000000001';
    const gone = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpdateMultiple', { Targets: typed('account', [{ accountid: ids[0], name: 'Changed' }, { accountid: missing, numberofemployees: 'many' }]) });
    expect(gone.status).toBe(404);
    expect((gone.json?.error as Json).message).toContain(missing);
    const bad = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: typed('account', [{ accountid: ids[0], name: 'Changed' }, { accountid: ids[1], numberofemployees: 'many' }]) });
    expect(bad.status).toBe(400);
    expect((bad.json?.error as Json).message).toContain("Cannot convert the literal '\"many\"' to the expected type 'Edm.Int32'");
    expect(ids.map((id) => (call(core, 'GET', `accounts(${id})?$select=name`).json as Json).name)).toEqual(['Keep 1', 'Keep 2']);
  });

  it('derives a contact\'s fullname from the stored name parts when a bulk update changes only one of them', () => {
    const core = fresh();
    const [id] = call(core, 'POST', 'contacts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('contact', [{ firstname: 'Kari', lastname: 'Nordmann' }]) }).json?.Ids as string[];
    expect(call(core, 'POST', 'contacts/Microsoft.Dynamics.CRM.UpdateMultiple', { Targets: typed('contact', [{ contactid: id, lastname: 'Hansen' }]) }).status).toBe(204);
    expect((call(core, 'GET', `contacts(${id})?$select=fullname`).json as Json).fullname).toBe('Kari Hansen');
    expect(call(core, 'POST', 'contacts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: typed('contact', [{ contactid: id, firstname: 'Ola' }]) }).status).toBe(200);
    expect((call(core, 'GET', `contacts(${id})?$select=fullname`).json as Json).fullname).toBe('Ola Hansen');
  });

  it('CreateMultiple inserts in multi-row chunks yet stays all-or-nothing and clears tombstones of re-created ids', () => {
    const core = fresh();
    const count = () => Number(call(core, 'GET', "accounts/$count?$filter=startswith(name,'Chunk')").json ?? NaN);
    const rows = (n: number, dupAt?: number) => Array.from({ length: n }, (_, i) => ({ name: `Chunk ${i}`, accountid: `c0000000-0000-4000-8000-${String(dupAt !== undefined && i === dupAt ? 3 : i).padStart(12, '0')}` }));
    // A duplicate key late in the request (in the single-row tail after two 50-row chunks) rolls back the chunks too.
    const dup = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', rows(120, 110)) });
    expect(dup.status).toBe(412);
    expect((dup.json?.error as Json).code).toBe('0x80040237');
    expect(call(core, 'GET', "accounts?$select=name&$filter=startswith(name,'Chunk')").json?.value).toEqual([]);
    const ok = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', rows(120)) });
    expect(ok.status).toBe(200);
    expect(ok.json?.Ids).toEqual(rows(120).map((r) => r.accountid));
    const tracked = call(core, 'GET', 'accounts?$select=name', undefined, { prefer: 'odata.track-changes' }).json?.['@odata.deltaLink'] as string;
    const victim = rows(120)[60].accountid;
    expect(call(core, 'DELETE', `accounts(${victim})`).status).toBe(204);
    const deleted = (call(core, 'GET', tracked.replace('http://sandbox/api/data/v9.2/', '')).json?.value as Json[]).map((x) => x.id);
    expect(deleted).toEqual([victim]);
    expect(call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', [rows(120)[60]]) }).status).toBe(200);
    const after = call(core, 'GET', tracked.replace('http://sandbox/api/data/v9.2/', '')).json?.value as Json[];
    expect(after.map((x) => [x.accountid ?? x.id, x.reason ?? 'changed'])).toEqual([[victim, 'changed']]);
    expect(count()).toBe(120);
  });

  it('assigns sequential ids in creation order, unique even when the clock stands still', () => {
    const core = fresh(() => T0);
    const ids = call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', Array.from({ length: 5000 }, (_, i) => ({ name: `Seq ${i}` }))) }).json?.Ids as string[];
    expect(ids).toHaveLength(5000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The first id carries the clock's milliseconds (UUIDv7 layout); the >4,096 rows of one millisecond borrow the next.
    expect(ids[0].replace(/-/g, '').slice(0, 12)).toBe(T0.toString(16).padStart(12, '0'));
    const page = call(core, 'GET', "accounts?$select=name&$filter=startswith(name,'Seq ')&$top=3").json?.value as Json[];
    expect(page.map((r) => r.name)).toEqual(['Seq 0', 'Seq 1', 'Seq 2']);
  });

  it('stores type markers only for multi-table lookups and still annotates every lookup', () => {
    const core = fresh();
    const contact = (call(core, 'POST', 'contacts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('contact', [{ firstname: 'Kari', lastname: 'Nordmann' }]) }).json?.Ids as string[])[0];
    const id = (call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed('account', [{ name: 'Marked', 'primarycontactid@odata.bind': `/contacts(${contact})`, 'ownerid@odata.bind': `/teams(${TEAM})` }]) }).json?.Ids as string[])[0];
    const raw = JSON.parse((core.store.db.prepare("SELECT data FROM dv_rows WHERE entity = 'account' AND id = ?").get(id) as { data: string }).data) as Json;
    expect(Object.keys(raw).filter((k) => k.endsWith('@t'))).toEqual(['ownerid@t']);
    expect(raw['ownerid@t']).toBe('team');
    const row = call(core, 'GET', `accounts(${id})?$select=_primarycontactid_value,_ownerid_value,_createdby_value,_transactioncurrencyid_value&$expand=primarycontactid($select=fullname)`, undefined, ANNOTATIONS).json as Json;
    expect(row['_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('contact');
    expect(row['_primarycontactid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe('primarycontactid');
    expect(row['_primarycontactid_value@OData.Community.Display.V1.FormattedValue']).toBe('Kari Nordmann');
    expect(row['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('team');
    expect(row['_createdby_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('systemuser');
    expect(row['_transactioncurrencyid_value@OData.Community.Display.V1.FormattedValue']).toBe('Norwegian Krone');
    expect(row.primarycontactid).toMatchObject({ fullname: 'Kari Nordmann' });
    // Clearing a multi-table lookup through the merge patch removes its marker as well.
    expect(call(core, 'POST', 'accounts/Microsoft.Dynamics.CRM.UpdateMultiple', { Targets: typed('account', [{ accountid: id, 'ownerid@odata.bind': null }]) }).status).toBe(204);
    const cleared = JSON.parse((core.store.db.prepare("SELECT data FROM dv_rows WHERE entity = 'account' AND id = ?").get(id) as { data: string }).data) as Json;
    expect(Object.keys(cleared).filter((k) => k.startsWith('ownerid'))).toEqual([]);
  });
});

describe('Dataverse sandbox store files', () => {
  it('opens a database written by the previous version (4 KB pages, type markers on every lookup) unchanged', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dv-store-'));
    try {
      const file = path.join(dir, 'old.sqlite');
      const old = new Database(file);
      old.exec(`CREATE TABLE dv_rows (entity TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (entity, id));
        CREATE INDEX dv_rows_version ON dv_rows (entity, version);
        CREATE TABLE dv_tombstones (entity TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (entity, id)) WITHOUT ROWID;`);
      const id = '0b5c1a52-1111-4222-8333-444455556666';
      old.prepare('INSERT INTO dv_rows VALUES (?, ?, ?, ?)').run('account', id, 5000, JSON.stringify({ accountid: id, name: 'Old', createdby: caller.systemuserid, 'createdby@t': 'systemuser', versionnumber: 5000 }));
      old.prepare('INSERT INTO dv_tombstones VALUES (?, ?, ?)').run('account', 'a0000000-0000-4000-8000-000000000001', 5001);
      old.close();

      const store = new DvStore(file);
      try {
        expect(store.db.pragma('page_size', { simple: true })).toBe(4096);
        expect(store.currentVersion()).toBe(5001);
        expect(store.patch('account', id, 5002, { name: 'Patched', telephone1: null })).toBe(true);
        expect(store.get('account', id)).toEqual({ id, version: 5002, data: { accountid: id, name: 'Patched', createdby: caller.systemuserid, 'createdby@t': 'systemuser', versionnumber: 5000 } });
        expect(store.patch('account', 'a0000000-0000-4000-8000-000000000002', 5003, { name: 'x' })).toBe(false);
        // Re-creating a deleted id clears its tombstone (per-table bookkeeping loaded from the file).
        expect(store.insert('account', 'a0000000-0000-4000-8000-000000000001', 5004, { name: 'Back' })).toBe(true);
        expect(store.deletedSince('account', 0, 9999)).toEqual([]);
      } finally {
        store.close();
      }
      const created = new DvStore(path.join(dir, 'new.sqlite'));
      expect(created.db.pragma('page_size', { simple: true })).toBe(16384);
      created.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
