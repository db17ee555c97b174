import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { DataverseService } from '../../../main/sandbox/dataverse/index';
import type { Client } from './harness';
import { TOKENS, USERS, idFromEntityId, startTestDataverse } from './harness';

let svc: DataverseService;
let c: Client;
beforeAll(async () => ({ svc, c } = await startTestDataverse()));
afterAll(async () => svc.close());

describe('Dataverse sandbox: create / retrieve / update / delete', () => {
  it('POST returns 204 + OData-EntityId, or 201 + the row with return=representation', async () => {
    const r = await c.post('accounts', { name: 'Contoso' });
    expect(r.status).toBe(204);
    const id = idFromEntityId(r.headers.get('odata-entityid'));
    expect(r.headers.get('odata-entityid')).toBe(`${svc.apiBase}/accounts(${id})`);
    const rep = await c.post('accounts?$select=name,statecode', { name: 'Fabrikam' }, { Prefer: 'return=representation' });
    expect(rep.status).toBe(201);
    expect(rep.json.name).toBe('Fabrikam');
    expect(rep.json.statecode).toBe(0);
    expect(rep.json['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(rep.headers.get('odata-entityid')).toBeNull();
  });

  it('accepts client-supplied GUIDs and rejects a duplicate with 412 0x80040237', async () => {
    const id = randomUUID();
    expect((await c.post('accounts', { accountid: id, name: 'Client key' })).status).toBe(204);
    const dup = await c.post('accounts', { accountid: id, name: 'again' });
    expect(dup.status).toBe(412);
    expect(dup.json.error.code).toBe('0x80040237');
  });

  it('maintains createdon/modifiedon/createdby/modifiedby/ownerid; modifiedby is the caller', async () => {
    const r = await c.post('accounts', { name: 'Owned' });
    const id = idFromEntityId(r.headers.get('odata-entityid'));
    const sales = c.token;
    c.token = TOKENS.sales;
    try {
      expect((await c.patch(`accounts(${id})`, { telephone1: '123' }, { 'If-Match': '*' })).status).toBe(204);
    } finally { c.token = sales; }
    const g = await c.get(`accounts(${id})?$select=createdon,modifiedon,_createdby_value,_modifiedby_value,_ownerid_value,statuscode`);
    expect(g.json._createdby_value).toBe(USERS.admin.dataverse!.systemUserId);
    expect(g.json._ownerid_value).toBe(USERS.admin.dataverse!.systemUserId);
    expect(g.json._modifiedby_value).toBe(USERS.sales.dataverse!.systemUserId);
    expect(g.json.createdon).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(g.json.statuscode).toBe(1);
  });

  it('implements the If-Match / If-None-Match matrix and weak ETags', async () => {
    const id = randomUUID();
    // PATCH on a missing row without headers = upsert create
    expect((await c.patch(`accounts(${id})`, { name: 'Upserted' })).status).toBe(204);
    const first = await c.get(`accounts(${id})?$select=name`);
    const etag1 = first.json['@odata.etag'] as string;
    // PATCH with no headers on an existing row updates, ETag changes
    expect((await c.patch(`accounts(${id})`, { name: 'Updated' })).status).toBe(204);
    const etag2 = (await c.get(`accounts(${id})?$select=name`)).json['@odata.etag'];
    expect(etag2).not.toBe(etag1);
    // If-Match: * on a missing row -> 404
    const missing = randomUUID();
    const nf = await c.patch(`accounts(${missing})`, { name: 'x' }, { 'If-Match': '*' });
    expect(nf.status).toBe(404);
    expect(nf.json.error.code).toBe('0x80040217');
    expect(nf.json.error.message).toBe(`account With Id = ${missing} Does Not Exist`);
    expect((await c.get(`accounts(${missing})`)).status).toBe(404);
    // If-None-Match: * on existing -> 412; on missing -> create
    const exists = await c.patch(`accounts(${id})`, { name: 'x' }, { 'If-None-Match': '*' });
    expect(exists.status).toBe(412);
    expect(exists.json.error.code).toBe('0x80040237');
    const created = randomUUID();
    expect((await c.patch(`accounts(${created})`, { name: 'fresh' }, { 'If-None-Match': '*' })).status).toBe(204);
    // stale ETag -> 412 0x80060882 (PATCH and DELETE); current ETag -> 204
    const stale = await c.patch(`accounts(${id})`, { name: 'y' }, { 'If-Match': etag1 });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('0x80060882');
    expect((await c.del(`accounts(${id})`, { 'If-Match': etag1 })).status).toBe(412);
    const ok = await c.patch(`accounts(${id})?$select=name`, { name: 'z' }, { 'If-Match': etag2, Prefer: 'return=representation' });
    expect(ok.status).toBe(200);
    expect(ok.json.name).toBe('z');
    // stale etag on a missing row -> 404
    expect((await c.patch(`accounts(${randomUUID()})`, { name: 'q' }, { 'If-Match': etag1 })).status).toBe(404);
    // If-None-Match GET: 304 when current, 200 when stale, 'null' tolerated, never 304 with $expand
    const cur = (await c.get(`accounts(${id})`)).json['@odata.etag'];
    expect((await c.get(`accounts(${id})`, { 'If-None-Match': cur })).status).toBe(304);
    expect((await c.get(`accounts(${id})`, { 'If-None-Match': etag1 })).status).toBe(200);
    expect((await c.get(`accounts(${id})`, { 'If-None-Match': 'null' })).status).toBe(200);
    expect((await c.get(`accounts(${id})?$expand=ownerid($select=fullname)`, { 'If-None-Match': cur })).status).toBe(200);
  });

  it('deletes (204), then 404; delete of a missing row is 404', async () => {
    const id = idFromEntityId((await c.post('contacts', { lastname: 'Gone' })).headers.get('odata-entityid'));
    expect((await c.del(`contacts(${id})`)).status).toBe(204);
    expect((await c.get(`contacts(${id})`)).status).toBe(404);
    expect((await c.del(`contacts(${id})`)).status).toBe(404);
  });

  it('binds lookups with @odata.bind in every address form and projects _x_value', async () => {
    const acc = idFromEntityId((await c.post('accounts', { name: 'Parent' })).headers.get('odata-entityid'));
    const forms = [`/accounts(${acc})`, `accounts(${acc})`, `${svc.apiBase}/accounts(${acc})`];
    for (const ref of forms) {
      const r = await c.post('contacts?$select=_parentcustomerid_value,fullname', { firstname: 'Ola', lastname: 'Nordmann', 'parentcustomerid_account@odata.bind': ref }, { Prefer: 'return=representation, odata.include-annotations="*"' });
      expect(r.status).toBe(201);
      expect(r.json._parentcustomerid_value).toBe(acc);
      expect(r.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
      expect(r.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe('parentcustomerid_account');
      expect(r.json.fullname).toBe('Ola Nordmann');
    }
    // polymorphic base name is not a navigation property
    const bad = await c.post('contacts', { lastname: 'x', 'parentcustomerid@odata.bind': `/accounts(${acc})` });
    expect(bad.status).toBe(400);
    // binding to a missing row
    const nf = await c.post('contacts', { lastname: 'x', 'parentcustomerid_account@odata.bind': `/accounts(${randomUUID()})` });
    expect(nf.status).toBe(404);
    expect(nf.json.error.code).toBe('0x80040217');
    // clearing a lookup with null
    const opp = idFromEntityId((await c.post('opportunities', { name: 'Deal', 'customerid_account@odata.bind': `/accounts(${acc})` })).headers.get('odata-entityid'));
    expect((await c.get(`opportunities(${opp})?$select=_customerid_value`)).json._customerid_value).toBe(acc);
    await c.patch(`opportunities(${opp})`, { 'customerid_account@odata.bind': null }, { 'If-Match': '*' });
    expect((await c.get(`opportunities(${opp})?$select=_customerid_value`)).json._customerid_value).toBeNull();
  });

  it('rejects unknown attributes, wrong types, too-long strings and invalid option values', async () => {
    const unknown = await c.post('accounts', { name: 'x', nosuchcolumn: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('0x80048d19');
    expect(unknown.json.error.message).toContain("The property 'nosuchcolumn' does not exist on type 'Microsoft.Dynamics.CRM.account'");
    expect((await c.post('accounts', { name: 42 })).status).toBe(400);
    const long = await c.post('accounts', { name: 'x'.repeat(161) });
    expect(long.status).toBe(400);
    expect(long.json.error.message).toContain("maximum allowed length of '160'");
    const opt = await c.post('accounts', { name: 'x', paymenttermscode: 99 });
    expect(opt.status).toBe(400);
    expect(opt.json.error.message).toContain('Accepted Values: 1,2,3,4');
  });

  it('maintains statecode/statuscode together', async () => {
    const id = idFromEntityId((await c.post('accounts', { name: 'Stateful' })).headers.get('odata-entityid'));
    await c.patch(`accounts(${id})`, { statecode: 1 }, { 'If-Match': '*' });
    const g = await c.get(`accounts(${id})?$select=statecode,statuscode`);
    expect([g.json.statecode, g.json.statuscode]).toEqual([1, 2]);
  });

  it('supports single-property GET/PUT/DELETE, $ref on single-valued navigation, and alternate keys', async () => {
    const id = idFromEntityId((await c.post('accounts', { name: 'Props', accountnumber: "O'Neil-1" })).headers.get('odata-entityid'));
    expect((await c.get(`accounts(${id})/name`)).json.value).toBe('Props');
    expect((await c.req('PUT', `accounts(${id})/name`, { body: { value: 'Renamed' } })).status).toBe(204);
    expect((await c.get(`accounts(accountnumber='O''Neil-1')?$select=name`)).json.name).toBe('Renamed');
    expect((await c.del(`accounts(${id})/name`)).status).toBe(204);
    expect((await c.get(`accounts(${id})?$select=name`)).json.name).toBeNull();
    const contact = idFromEntityId((await c.post('contacts', { lastname: 'Primary' })).headers.get('odata-entityid'));
    expect((await c.req('PUT', `accounts(${id})/primarycontactid/$ref`, { body: { '@odata.id': `contacts(${contact})` } })).status).toBe(204);
    expect((await c.get(`accounts(${id})?$select=_primarycontactid_value`)).json._primarycontactid_value).toBe(contact);
    expect((await c.del(`accounts(${id})/primarycontactid/$ref`)).status).toBe(204);
    expect((await c.get(`accounts(${id})?$select=_primarycontactid_value`)).json._primarycontactid_value).toBeNull();
    const missingKey = await c.get(`accounts(accountnumber='nope')`);
    expect(missingKey.status).toBe(404);
    expect(missingKey.json.error.code).toBe('0x80060891');
  });

  it('answers WhoAmI and RetrieveVersion', async () => {
    const who = await c.get('WhoAmI');
    expect(who.json.UserId).toBe(USERS.admin.dataverse!.systemUserId);
    expect(who.json['@odata.context']).toContain('WhoAmIResponse');
    c.token = TOKENS.app;
    try {
      expect((await c.get('WhoAmI()')).json.UserId).toBe(USERS.appUser.dataverse!.systemUserId);
    } finally { c.token = TOKENS.admin; }
    expect((await c.get('RetrieveVersion()')).json.Version).toMatch(/^9\.2\./);
  });

  it('impersonates with CallerObjectId / MSCRMCallerID only for callers allowed to', async () => {
    const r = await c.post('accounts?$select=_createdby_value,_ownerid_value', { name: 'On behalf' }, { CallerObjectId: USERS.sales.objectId, Prefer: 'return=representation' });
    expect(r.status).toBe(201);
    expect(r.json._createdby_value).toBe(USERS.sales.dataverse!.systemUserId);
    expect(r.json._ownerid_value).toBe(USERS.sales.dataverse!.systemUserId);
    expect((await c.get('WhoAmI', { MSCRMCallerID: USERS.sales2.dataverse!.systemUserId })).json.UserId).toBe(USERS.sales2.dataverse!.systemUserId);
    const denied = await c.req('GET', 'WhoAmI', { token: TOKENS.sales, headers: { CallerObjectId: USERS.admin.objectId } });
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toContain('prvActOnBehalfOfAnotherUser');
  });

  it('returns the real 404 for unknown segments', async () => {
    const r = await c.get('nosuchthings');
    expect(r.status).toBe(404);
    expect(r.json.error.message).toBe("Resource not found for the segment 'nosuchthings'.");
  });
});
