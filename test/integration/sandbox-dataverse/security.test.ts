/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is inspected ad hoc in these tests */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_IDS } from '../../../main/sandbox/directory';
import type { DataverseService } from '../../../main/sandbox/dataverse/index';
import { Client, TOKENS, USERS, startTestDataverse } from './harness';

let svc: DataverseService;
let c: Client;
let now = Date.parse('2026-03-01T12:00:00Z');
beforeAll(async () => ({ svc, c } = await startTestDataverse({ clock: () => now })));
afterAll(async () => svc.close());
afterEach(() => { svc.setAdminMode(false); svc.knobs.set({ faultRate: 0, latencyMs: 0 }); });

describe('Dataverse sandbox: authentication, privileges and roles', () => {
  it('401 with a tenant-discovery challenge when the token is missing or for another audience', async () => {
    const r = await c.req('GET', 'WhoAmI', { token: null });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer authorization_uri=.+\/oauth2\/authorize, resource_id=http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await c.req('GET', 'WhoAmI', { token: `${TOKENS.admin}@https://other.crm.dynamics.com` })).status).toBe(401);
    expect((await c.req('GET', 'WhoAmI', { token: `${TOKENS.admin}@${svc.url}` })).status).toBe(200);
  });

  it('403 PrivilegeDenied with the platform message when a role lacks the privilege', async () => {
    const sales = new Client(svc, TOKENS.sales);
    expect((await sales.post('accounts', { name: 'Allowed for sales' })).status).toBe(204);
    const r = await sales.post('products', { name: 'Not allowed', productnumber: 'P-1' });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('0x80040220');
    expect(r.json.error.message).toMatch(new RegExp(
      `^Principal user \\(Id=${USERS.sales.dataverse!.systemUserId}, type=8, roleCount=1, .*\\) ?,? ?is missing prvCreateProduct privilege \\(Id=[0-9a-f-]{36}\\) on OTC=1024 for entity 'product'`));
    expect((await sales.get('products?$select=name')).status).toBe(200);
    const del = await sales.del(`transactioncurrencies(${(await c.get('transactioncurrencies?$select=isocurrencycode&$top=1')).json.value[0].transactioncurrencyid})`);
    expect(del.status).toBe(403);
    expect(del.json.error.message).toContain('prvDeleteTransactionCurrency');
  });

  it('maps application tokens via applicationid and unknown apps / disabled users get the real errors', async () => {
    const app = new Client(svc, TOKENS.app);
    expect((await app.post('products', { name: 'App product', productnumber: 'APP-1' })).status).toBe(204);
    expect((await new Client(svc, 'Bearer app:11111111-2222-4333-8444-555555555555').get('WhoAmI')).status).toBe(403);
    // disable a salesperson: from then on their token is refused
    const id = USERS.sales2.dataverse!.systemUserId;
    expect((await c.patch(`systemusers(${id})`, { isdisabled: true }, { 'If-Match': '*' })).status).toBe(204);
    const r = await new Client(svc, TOKENS.sales2).get('WhoAmI');
    expect(r.status).toBe(403);
    expect(r.json.error.message).toContain(`SystemUserId=${id}`);
    expect(r.json.error.message).toContain('is disabled');
    await c.patch(`systemusers(${id})`, { isdisabled: false }, { 'If-Match': '*' });
    expect((await new Client(svc, TOKENS.sales2).get('WhoAmI')).status).toBe(200);
  });

  it('assigns and removes roles through systemuserroles_association/$ref; privileges follow', async () => {
    const uid = USERS.sales2.dataverse!.systemUserId;
    const roles = await c.get("roles?$select=name,roletemplateid&$filter=name eq 'System Administrator'");
    const sysAdmin = roles.json.value[0];
    expect(sysAdmin.roletemplateid).toBe(ROLE_IDS.systemAdministratorTemplate);
    const sales2 = new Client(svc, TOKENS.sales2);
    expect((await sales2.post('products', { name: 'x', productnumber: 'X-1' })).status).toBe(403);
    // a salesperson cannot grant themselves roles
    expect((await sales2.post(`systemusers(${uid})/systemuserroles_association/$ref`, { '@odata.id': `${svc.apiBase}/roles(${sysAdmin.roleid})` })).status).toBe(403);
    expect((await c.post(`systemusers(${uid})/systemuserroles_association/$ref`, { '@odata.id': `${svc.apiBase}/roles(${sysAdmin.roleid})` })).status).toBe(204);
    const exp = await c.get(`systemusers(${uid})?$select=fullname&$expand=systemuserroles_association($select=name)`);
    expect(exp.json.systemuserroles_association.map((r: any) => r.name).sort()).toEqual(['Salesperson', 'System Administrator']);
    expect((await sales2.post('products', { name: 'x', productnumber: 'X-1' })).status).toBe(204);
    expect((await c.del(`systemusers(${uid})/systemuserroles_association(${sysAdmin.roleid})/$ref`)).status).toBe(204);
    expect((await sales2.post('products', { name: 'y', productnumber: 'Y-1' })).status).toBe(403);
    // the $id form
    await c.post(`systemusers(${uid})/systemuserroles_association/$ref`, { '@odata.id': `roles(${sysAdmin.roleid})` });
    expect((await c.del(`systemusers(${uid})/systemuserroles_association/$ref?$id=${svc.apiBase}/roles(${sysAdmin.roleid})`)).status).toBe(204);
    expect((await c.get(`systemusers(${uid})/systemuserroles_association`)).json.value.map((r: any) => r.name)).toEqual(['Salesperson']);
    const intersect = await c.get(`systemuserrolescollection?$filter=systemuserid eq ${uid}`);
    expect(intersect.json.value.map((r: any) => r.roleid)).toEqual([(await c.get("roles?$select=name&$filter=name eq 'Salesperson'")).json.value[0].roleid]);
  });

  it('RetrieveUserPrivileges lists the privileges granted by the user\'s roles', async () => {
    const r = await c.get(`systemusers(${USERS.sales.dataverse!.systemUserId})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`);
    expect(r.status).toBe(200);
    const names = r.json.RolePrivileges.map((p: any) => p.PrivilegeName);
    expect(names).toContain('prvCreateAccount');
    expect(names).toContain('prvReadProduct');
    expect(names).not.toContain('prvCreateProduct');
  });

  it('administration mode lets only System Administrators in', async () => {
    svc.setAdminMode(true);
    const r = await new Client(svc, TOKENS.sales).get('WhoAmI');
    expect(r.status).toBe(403);
    expect(r.json.error.message).toContain('admin only mode');
    expect((await c.get('WhoAmI')).status).toBe(200);
  });

  it('seeds the demo organization: NOK base currency, users, roles and the BC solution', async () => {
    const org = (await c.get('organizations?$select=name,_basecurrencyid_value,expirechangetrackingindays,issopintegrationenabled')).json.value[0];
    const nok = (await c.get("transactioncurrencies?$select=isocurrencycode&$filter=isocurrencycode eq 'NOK'")).json.value[0];
    expect(org._basecurrencyid_value).toBe(nok.transactioncurrencyid);
    expect(org.expirechangetrackingindays).toBe(7);
    const isos = (await c.get('transactioncurrencies?$select=isocurrencycode&$orderby=isocurrencycode')).json.value.map((x: any) => x.isocurrencycode);
    expect(isos).toEqual(['EUR', 'NOK', 'SEK', 'USD']);
    const app = (await c.get(`systemusers(${USERS.appUser.dataverse!.systemUserId})?$select=applicationid,isintegrationuser,accessmode`)).json;
    expect(app.applicationid).toMatch(/^[0-9a-f-]{36}$/);
    const bcRoles = (await c.get(`roles?$select=name&$filter=roleid eq ${ROLE_IDS.bcIntegrationAdministrator} or roleid eq ${ROLE_IDS.bcIntegrationUser}`)).json.value;
    expect(bcRoles).toHaveLength(2);
    const sol = (await c.get("solutions?$select=uniquename,version&$filter=uniquename eq 'MicrosoftDynamicsNavIntegration'")).json.value;
    expect(sol[0].version).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect((await c.get('nav_connections?$select=nav_name')).json.value).toHaveLength(1);
    expect((await c.get('accounts/$count?$filter=customertypecode eq 3')).text).not.toBe('0');
    // organization settings are writable
    const orgId = (await c.get('organizations?$select=name')).json.value[0].organizationid;
    expect((await c.patch(`organizations(${orgId})`, { issopintegrationenabled: true }, { 'If-Match': '*' })).status).toBe(204);
    expect((await c.get(`organizations(${orgId})?$select=issopintegrationenabled`)).json.issopintegrationenabled).toBe(true);
  });
});

describe('Dataverse sandbox: solution import on an empty org', () => {
  let empty: DataverseService;
  let e: Client;
  beforeAll(async () => ({ svc: empty, c: e } = await startTestDataverse({ seed: 'empty' })));
  afterAll(async () => empty.close());

  it('nav_* entities are 404 before ImportSolution and exist after; only admins may import', async () => {
    for (const set of ['nav_connections', 'nav_defaultconnections', 'nav_accountstatisticses', 'bcbi_companies']) {
      const r = await e.get(set);
      expect(r.status).toBe(404);
      expect(r.json.error.message).toBe(`Resource not found for the segment '${set}'.`);
    }
    expect((await e.get("EntityDefinitions(LogicalName='nav_connection')")).status).toBe(404);
    const file = Buffer.from('PK..solution.xml <UniqueName>MicrosoftDynamicsNavIntegration</UniqueName><Version>9.1.0.7</Version>').toString('base64');
    expect((await new Client(empty, TOKENS.integration).post('ImportSolution', { CustomizationFile: file, OverwriteUnmanagedCustomizations: true, PublishWorkflows: true })).status).toBe(403);
    expect((await e.post('ImportSolution', { CustomizationFile: Buffer.from('something else').toString('base64') })).status).toBe(400);
    expect((await e.post('ImportSolution', { CustomizationFile: file, OverwriteUnmanagedCustomizations: true, PublishWorkflows: true })).status).toBe(204);
    expect((await e.get('nav_connections')).status).toBe(200);
    expect((await e.get("solutions?$select=version&$filter=uniquename eq 'MicrosoftDynamicsNavIntegration'")).json.value[0].version).toBe('9.1.0.7');
    expect((await e.get(`roles(${ROLE_IDS.bcIntegrationUser})?$select=name`)).json.name).toBe('Dynamics 365 Business Central Integration User');
    // the integration user gets BC roles only once someone assigns them
    const integ = new Client(empty, TOKENS.integration);
    expect((await integ.get('nav_connections')).status).toBe(403);
    await e.post(`systemusers(${USERS.integration.dataverse!.systemUserId})/systemuserroles_association/$ref`, { '@odata.id': `roles(${ROLE_IDS.bcIntegrationAdministrator})` });
    expect((await integ.get('nav_connections')).status).toBe(200);
  });
});

describe('Dataverse sandbox: service protection and knobs', () => {
  let s: DataverseService;
  let k: Client;
  beforeAll(async () => ({ svc: s, c: k } = await startTestDataverse({ seed: 'empty', clock: () => now, limits: { requestsPerWindow: 5, windowSeconds: 300, concurrent: 3 } })));
  afterAll(async () => s.close());

  it('429 after the per-user request budget, with Retry-After from the sliding window', async () => {
    for (let i = 0; i < 5; i++) expect((await k.get('WhoAmI')).status).toBe(200);
    const r = await k.get('WhoAmI');
    expect(r.status).toBe(429);
    expect(r.json.error.code).toBe('0x80072322');
    expect(r.json.error.message).toBe('Number of requests exceeded the limit of 5 over time window of 300 seconds.');
    expect(Number(r.headers.get('retry-after'))).toBe(300);
    // another user has their own window
    expect((await new Client(s, TOKENS.app).get('WhoAmI')).status).toBe(200);
    now += 301_000;
    expect((await k.get('WhoAmI')).status).toBe(200);
  });

  it('counts every inner operation of a $batch against the request budget', async () => {
    s.setLimits({ requestsPerWindow: 4 });
    const boundary = 'batch_limits';
    const part = 'Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET WhoAmI HTTP/1.1\r\n\r\n';
    const body = `--${boundary}\r\n${part}\r\n--${boundary}\r\n${part}\r\n--${boundary}\r\n${part}\r\n--${boundary}--\r\n`;
    const u = new Client(s, TOKENS.sales2);
    expect((await u.req('POST', '$batch', { raw: body, headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` } })).status).toBe(200);
    expect((await u.get('WhoAmI')).status).toBe(200);
    expect((await u.get('WhoAmI')).status).toBe(429);
  });

  it('429 0x80072326 when more than the concurrent limit are in flight', async () => {
    s.setLimits({ requestsPerWindow: 1000 });
    s.knobs.set({ latencyMs: 400 });
    const rs = await Promise.all(Array.from({ length: 6 }, () => new Client(s, TOKENS.integration).get('WhoAmI')));
    s.knobs.set({ latencyMs: 0 });
    const codes = rs.map((r) => r.status).sort();
    expect(codes.filter((x) => x === 200)).toHaveLength(3);
    const throttled = rs.find((r) => r.status === 429);
    expect(throttled?.json.error.code).toBe('0x80072326');
  });

  it('429 0x80072321 once the combined execution time budget is spent', async () => {
    s.setLimits({ requestsPerWindow: 1000, executionMsPerWindow: 50 });
    s.knobs.set({ latencyMs: 60 });
    const first = await new Client(s, TOKENS.sales).get('WhoAmI');
    s.knobs.set({ latencyMs: 0 });
    expect(first.status).toBe(200);
    const r = await new Client(s, TOKENS.sales).get('WhoAmI');
    expect(r.status).toBe(429);
    expect(r.json.error.code).toBe('0x80072321');
    expect(r.json.error.message).toContain('Combined execution time of incoming requests exceeded limit of 50 milliseconds');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    s.setLimits({ executionMsPerWindow: 1_200_000 });
  });

  it('exposes knobs over HTTP and injects reproducible faults (5xx JSON, 429 bursts, resets)', async () => {
    const get = await fetch(`${s.url}/_sandbox/knobs`);
    expect((await get.json()).latencyMs).toBe(0);
    const invalid = await fetch(`${s.url}/_sandbox/knobs`, { method: 'PATCH', body: JSON.stringify({ faultRate: 2, bogus: 1 }) });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.message).toMatch(/faultRate/);
    const patch = await fetch(`${s.url}/_sandbox/knobs`, { method: 'PATCH', body: JSON.stringify({ faultRate: 0.5, faultSeed: 42, faultKinds: ['5xx', '429', 'reset'], burstLength: 2, limits: { requestsPerWindow: 100000 } }) });
    expect((await patch.json()).faultSeed).toBe(42);
    const run = async () => {
      const out: string[] = [];
      for (let i = 0; i < 30; i++) {
        try {
          const r = await fetch(`${s.apiBase}/WhoAmI`, { headers: { Authorization: TOKENS.app } });
          const body = await r.text();
          if (r.status >= 500) expect(JSON.parse(body).error.code).toMatch(/^0x/);
          if (r.status === 429) expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
          out.push(String(r.status));
        } catch { out.push('reset'); }
      }
      return out;
    };
    const a = await run();
    await fetch(`${s.url}/_sandbox/knobs`, { method: 'PATCH', body: JSON.stringify({ faultSeed: 7 }) });
    await fetch(`${s.url}/_sandbox/knobs`, { method: 'PATCH', body: JSON.stringify({ faultSeed: 42 }) });
    const b = await run();
    expect(b).toEqual(a);
    expect(new Set(a)).toEqual(new Set(['200', '503', '429', 'reset']));
    await fetch(`${s.url}/_sandbox/knobs`, { method: 'PATCH', body: JSON.stringify({ faultRate: 0 }) });
  });
});
