/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is inspected ad hoc in these tests */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataverseService } from '../../../main/sandbox/dataverse/index';
import type { Client } from './harness';
import { idFromEntityId, startTestDataverse } from './harness';

let svc: DataverseService;
let c: Client;
let now = Date.parse('2026-03-01T12:00:00Z');
beforeAll(async () => ({ svc, c } = await startTestDataverse({ seed: 'empty', clock: () => now, limits: { requestsPerWindow: 100000 } })));
afterAll(async () => svc.close());

const N = 12_000;

async function bulkCreate(set: string, type: string, rows: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const r = await c.post(`${set}/Microsoft.Dynamics.CRM.CreateMultiple`, { Targets: rows.slice(i, i + 1000).map((x) => ({ '@odata.type': `Microsoft.Dynamics.CRM.${type}`, ...x })) });
    expect(r.status).toBe(200);
    ids.push(...r.json.Ids);
  }
  return ids;
}

async function pageAll(first: string, headers: Record<string, string>): Promise<{ rows: any[]; pages: number; last: any }> {
  let url: string | undefined = first;
  const rows: any[] = [];
  let pages = 0;
  let last: any;
  while (url) {
    const r = await c.get(url, headers);
    expect(r.status).toBe(200);
    rows.push(...r.json.value);
    pages++;
    last = r.json;
    url = r.json['@odata.nextLink'];
  }
  return { rows, pages, last };
}

describe('Dataverse sandbox: queries, paging and change tracking', () => {
  let ids: string[] = [];
  beforeAll(async () => {
    ids = await bulkCreate('contacts', 'contact', Array.from({ length: N }, (_, i) => ({
      firstname: `F${i % 100}`, lastname: `L${String(i).padStart(5, '0')}`, jobtitle: i % 3 === 0 ? null : `T${i % 7}`,
      emailaddress1: `p${i}@x.example`,
    })));
  });

  it('pages 12,000 rows with an opaque nextLink and stable keys while rows are inserted concurrently', async () => {
    const headers = { Prefer: 'odata.maxpagesize=1000' };
    let url: string | undefined = 'contacts?$select=lastname';
    const seen = new Set<string>();
    let pages = 0;
    while (url) {
      const r = await c.get(url, headers);
      expect(r.status).toBe(200);
      expect(r.headers.get('preference-applied')).toBe('odata.maxpagesize=1000');
      for (const row of r.json.value) { expect(seen.has(row.contactid)).toBe(false); seen.add(row.contactid); }
      url = r.json['@odata.nextLink'];
      if (url) {
        expect(url).toContain('$skiptoken=');
        expect(url).not.toMatch(/\$skip=/);
        // the cookie must not be a plain offset
        expect(decodeURIComponent(url)).not.toMatch(/skiptoken=\d+$/);
      }
      // a concurrent writer inserts rows between pages
      if (pages === 3) await c.post('contacts', { lastname: 'concurrent' });
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(12);
    for (const id of ids) expect(seen.has(id)).toBe(true);
  });

  it('defaults to 5000 per page and rejects $skip', async () => {
    const r = await c.get('contacts?$select=lastname');
    expect(r.json.value).toHaveLength(5000);
    expect(r.json['@odata.nextLink']).toBeDefined();
    const skip = await c.get('contacts?$skip=10');
    expect(skip.status).toBe(400);
    expect(skip.json.error.message).toBe('The query parameter $skip is not supported');
  });

  it('pages correctly with multi-key $orderby including nulls and desc', async () => {
    const all = await pageAll('contacts?$select=jobtitle,lastname&$orderby=jobtitle desc,lastname asc&$filter=startswith(lastname,\'L0\')', { Prefer: 'odata.maxpagesize=700' });
    expect(all.pages).toBeGreaterThan(1);
    const expected = [...all.rows].sort((a, b) => {
      const ja = a.jobtitle ?? null; const jb = b.jobtitle ?? null;
      if (ja !== jb) { if (ja === null) return 1; if (jb === null) return -1; return ja < jb ? 1 : -1; }
      return a.lastname < b.lastname ? -1 : a.lastname > b.lastname ? 1 : 0;
    });
    expect(all.rows.map((r) => r.contactid)).toEqual(expected.map((r) => r.contactid));
    expect(all.rows.length).toBe(10_000);
  });

  it('$count caps at 5000; /$count returns text; $top limits without nextLink', async () => {
    const r = await c.get('contacts?$select=lastname&$count=true&$top=3');
    expect(r.json['@odata.count']).toBe(5000);
    expect(r.json.value).toHaveLength(3);
    expect(r.json['@odata.nextLink']).toBeUndefined();
    const f = await c.get("contacts?$count=true&$filter=firstname eq 'F7'&$select=firstname");
    expect(f.json['@odata.count']).toBe(120);
    const t = await c.get("contacts/$count?$filter=firstname eq 'F7'");
    expect(t.headers.get('content-type')).toContain('text/plain');
    expect(t.text).toBe('120');
  });

  it('filters with operators, functions, literals and escaping', async () => {
    const acc = idFromEntityId((await c.post('accounts', { name: "O'Brien & Sons", revenue: 1500.5, creditonhold: true, numberofemployees: 12 })).headers.get('odata-entityid'));
    await c.post('accounts', { name: 'Plain Corp', revenue: 10, creditonhold: false, numberofemployees: 500 });
    const q = async (f: string) => {
      const r = await c.get(`accounts?$select=name&$filter=${encodeURIComponent(f)}`);
      expect(r.status, `${f}: ${r.text}`).toBe(200);
      return r.json.value.map((x: any) => x.name).sort();
    };
    expect(await q("name eq 'o''brien & sons'")).toEqual(["O'Brien & Sons"]);
    expect(await q("contains(name,'brien')")).toEqual(["O'Brien & Sons"]);
    expect(await q("endswith(name,'corp')")).toEqual(['Plain Corp']);
    expect(await q('revenue gt 1000 and creditonhold eq true')).toEqual(["O'Brien & Sons"]);
    expect(await q('not (revenue gt 1000) or numberofemployees le 12')).toEqual(["O'Brien & Sons", 'Plain Corp']);
    expect(await q(`accountid eq ${acc}`)).toEqual(["O'Brien & Sons"]);
    expect(await q(`_ownerid_value eq ${(await c.get('WhoAmI')).json.UserId}`)).toEqual(["O'Brien & Sons", 'Plain Corp']);
    expect(await q('telephone1 eq null and revenue ge 10.0')).toEqual(["O'Brien & Sons", 'Plain Corp']);
    expect(await q('createdon ge 2026-03-01T00:00:00Z and createdon lt 2026-03-02')).toEqual(["O'Brien & Sons", 'Plain Corp']);
    expect(await q("Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['Plain Corp','x'])")).toEqual(['Plain Corp']);
    expect(await q("contains(name,'%')")).toEqual([]);
    const bad = await c.get(`accounts?$filter=${encodeURIComponent('name eq 5')}`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('incompatible types');
    expect((await c.get(`accounts?$filter=${encodeURIComponent('nosuch eq 1')}`)).status).toBe(400);
    expect((await c.get(`accounts?$filter=${encodeURIComponent("name eq 'unterminated")}`)).status).toBe(400);
  });

  it('filters through single-valued navigation paths', async () => {
    const acc = idFromEntityId((await c.post('accounts', { name: 'Nav Parent AS' })).headers.get('odata-entityid'));
    const withParent = idFromEntityId((await c.post('contacts', { lastname: 'NavKid', 'parentcustomerid_account@odata.bind': `/accounts(${acc})` })).headers.get('odata-entityid'));
    await c.post('contacts', { lastname: 'NavKid' });
    const q = async (f: string) => (await c.get(`contacts?$select=lastname&$filter=${encodeURIComponent(f)}`)).json.value.map((x: any) => x.contactid);
    expect(await q("lastname eq 'NavKid' and parentcustomerid_account/name eq 'nav parent as'")).toEqual([withParent]);
    expect(await q("lastname eq 'NavKid' and parentcustomerid_account/accountid ne null")).toEqual([withParent]);
    expect(await q("lastname eq 'NavKid' and startswith(parentcustomerid_account/name,'Nav')")).toEqual([withParent]);
    expect((await q("lastname eq 'NavKid' and not (parentcustomerid_account/accountid ne null)")).length).toBe(1);
    expect((await c.get(`contacts?$filter=${encodeURIComponent("parentcustomerid_account/nosuch eq 1")}`)).status).toBe(400);
  });

  it('expands single-valued lookups with nested $select', async () => {
    const acc = idFromEntityId((await c.post('accounts', { name: 'Expandable' })).headers.get('odata-entityid'));
    await c.post('contacts', { lastname: 'Child', 'parentcustomerid_account@odata.bind': `/accounts(${acc})` });
    const r = await c.get("contacts?$select=lastname&$filter=lastname eq 'Child'&$expand=parentcustomerid_account($select=name),owninguser($select=fullname)");
    expect(r.status).toBe(400); // owninguser is not a navigation property in the sandbox metadata
    const ok = await c.get("contacts?$select=lastname&$filter=lastname eq 'Child'&$expand=parentcustomerid_account($select=name),ownerid($select=fullname)");
    expect(ok.status).toBe(200);
    expect(ok.json.value[0].parentcustomerid_account.name).toBe('Expandable');
    expect(ok.json.value[0].parentcustomerid_account.accountid).toBe(acc);
    expect(ok.json.value[0].ownerid.fullname).toBe('Ingrid Admin');
  });

  it('change tracking: deltaLink after paging, changes + tombstones, rejected options and expiry', async () => {
    for (const p of ['$filter=lastname eq \'x\'', '$orderby=lastname', '$top=5']) {
      const r = await c.get(`contacts?$select=lastname&${p}`, { Prefer: 'odata.track-changes' });
      expect(r.status).toBe(400);
      expect(r.json.error.message).toMatch(/isn't supported when Change Tracking is enabled/);
    }
    const init = await pageAll('contacts?$select=lastname', { Prefer: 'odata.track-changes, odata.maxpagesize=5000' });
    expect(init.rows.length).toBeGreaterThan(N);
    const delta = init.last['@odata.deltaLink'] as string;
    expect(delta).toContain('$deltatoken=');
    expect(delta).toContain('$select=lastname');

    const updated = ids[5];
    const deleted = ids[6];
    await c.patch(`contacts(${updated})`, { lastname: 'Changed' }, { 'If-Match': '*' });
    await c.del(`contacts(${deleted})`);
    const created = idFromEntityId((await c.post('contacts', { lastname: 'New after delta' })).headers.get('odata-entityid'));
    const d = await c.get(delta);
    expect(d.status).toBe(200);
    expect(d.json['@odata.context']).toMatch(/\/\$delta$/);
    const changed = d.json.value.filter((x: any) => x.contactid).map((x: any) => x.contactid).sort();
    expect(changed).toEqual([updated, created].sort());
    const tomb = d.json.value.find((x: any) => x.reason === 'deleted');
    expect(tomb).toMatchObject({ id: deleted, reason: 'deleted' });
    expect(tomb['@odata.context']).toMatch(/\$deletedEntity$/);
    // order: upserts first, deletes last
    expect(d.json.value[d.json.value.length - 1].reason).toBe('deleted');
    // the new delta link sees nothing until the next change
    const again = await c.get(d.json['@odata.deltaLink']);
    expect(again.json.value).toEqual([]);

    // tokens older than organization.expirechangetrackingindays expire
    now += 8 * 86_400_000;
    const expired = await c.get(d.json['@odata.deltaLink']);
    expect(expired.status).toBe(400);
    expect(expired.json.error.message).toBe('Version stamp associated with the client has expired. Please perform a full sync.');
    now -= 8 * 86_400_000;
    // and the knob expires every token at once
    expect((await c.get(d.json['@odata.deltaLink'])).status).toBe(200);
    svc.expireChangeTokens();
    expect((await c.get(d.json['@odata.deltaLink'])).status).toBe(400);
  });

  it('pages large deltas and keeps writes made while paging for the next delta', async () => {
    const init = await pageAll('contacts?$select=lastname', { Prefer: 'odata.track-changes' });
    const delta = init.last['@odata.deltaLink'] as string;
    const changedIds = ids.slice(100, 2600);
    for (let i = 0; i < changedIds.length; i += 1000) {
      const r = await c.post('contacts/Microsoft.Dynamics.CRM.UpdateMultiple', { Targets: changedIds.slice(i, i + 1000).map((id) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.contact', contactid: id, jobtitle: 'Delta paged' })) });
      expect(r.status).toBe(204);
    }
    await c.del(`contacts(${ids[50]})`);
    let url: string | undefined = delta;
    const seen: string[] = [];
    const tombs: string[] = [];
    let pages = 0;
    let lateId = '';
    let next = '';
    while (url) {
      const r = await c.get(url, { Prefer: 'odata.maxpagesize=1000' });
      expect(r.status).toBe(200);
      expect(r.json.value.length).toBeLessThanOrEqual(1000);
      for (const v of r.json.value) (v.reason === 'deleted' ? tombs : seen).push(v.contactid ?? v.id);
      if (pages === 0) lateId = idFromEntityId((await c.post('contacts', { lastname: 'Late writer' })).headers.get('odata-entityid'));
      pages++;
      url = r.json['@odata.nextLink'];
      if (!url) next = r.json['@odata.deltaLink'];
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...changedIds].sort());
    expect(tombs).toEqual([ids[50]]);
    const after = await c.get(next);
    expect(after.json.value.map((v: any) => v.contactid)).toEqual([lateId]);
  });

  it('rejects unknown $select columns with the real message', async () => {
    const r = await c.get('contacts?$select=nosuch');
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe("Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.contact'.");
  });
});
