/**
 * Commerce headquarters (F&O OData) sandbox over real HTTP with real tokens from the identity sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, APP, startCommerce } from './helpers';
import type { Harness, Wire } from './helpers';
import {
  COMMERCE_STORES, COMMERCE_TEAMS_PERSONAS, DISABLED_PERSONA_UPNS, FINDING_CASES, UNLICENSED_PERSONA_UPNS,
} from '../../../main/sandbox/commerce-teams-personas';
import { SANDBOX_TENANT_DOMAIN } from '../../../main/sandbox/directory';

let h: Harness;
const f = (s: string) => encodeURIComponent(s);

beforeAll(async () => {
  h = await startCommerce({ pageSize: 25 });
});
afterAll(async () => {
  await h.close();
});

describe('authentication (F&O token checks)', () => {
  it('rejects a request without a token with 401 and a reason', async () => {
    const r = await h.call('GET', '/data/RetailStores', { token: null });
    expect(r.status).toBe(401);
    expect(r.body.error.innererror.message).toMatch(/Authorization header/);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('rejects an audience that differs only in casing (F&O wants it lower-case, no trailing slash)', async () => {
    let env = '';
    const named = await startCommerce({ url: () => env }, h.identity);
    try {
      env = named.url.replace('127.0.0.1', 'localhost');
      const mixed = await named.appToken(`${env.replace('localhost', 'LocalHost')}/.default`);
      const r = await named.call('GET', '/data/Companies', { token: mixed });
      expect(r.status).toBe(401);
      expect(r.body.error.innererror.message).toContain(`does not match the environment URL '${env}' exactly`);
      const exact = await named.appToken(`${env}/.default`);
      expect((await named.call('GET', '/data/Companies', { token: exact })).status).toBe(200);
    } finally {
      await named.close();
    }
  });

  it('rejects a token for another resource', async () => {
    const token = await h.appToken('http://127.0.0.1:1/.default');
    const r = await h.call('GET', '/data/Companies', { token });
    expect(r.status).toBe(401);
    expect(r.body.error.innererror.message).toMatch(/audience/);
  });

  it('rejects a token from another tenant', async () => {
    const other = await startCommerce({ tenantId: '11111111-2222-4333-8444-555555555555' }, h.identity);
    try {
      const r = await other.call('GET', '/data/Companies');
      expect(r.status).toBe(401);
      expect(r.body.error.innererror.message).toContain("belongs to tenant '11111111-2222-4333-8444-555555555555'");
    } finally {
      await other.close();
    }
  });

  it('rejects an app that is not on the Microsoft Entra applications page', async () => {
    const other = await startCommerce({}, h.identity);
    try {
      const sys = (await import('../../../main/sandbox/commerce/entities')).ENTITY_BY_COLLECTION.get('SysAADClients')!;
      other.service.store.delete(sys, { AADClientId: APP.clientId });
      const r = await other.call('GET', '/data/Companies');
      expect(r.status).toBe(401);
      expect(r.body.error.innererror.message).toContain(`'${APP.clientId}' is not registered`);
      expect(r.body.error.innererror.message).toContain('Microsoft Entra applications');
    } finally {
      await other.close();
    }
  });

  it('accepts a registered app and a delegated token of an F&O user; refuses a directory user unknown to F&O', async () => {
    expect((await h.call('GET', '/data/Companies')).status).toBe(200);
    const admin = await h.userToken(ADMIN.username, ADMIN.password);
    expect((await h.call('GET', '/data/Companies', { token: admin })).status).toBe(200);
    const kari = await h.userToken(`kari.nordmann@${SANDBOX_TENANT_DOMAIN}`, 'Sandbox!Sales1');
    const r = await h.call('GET', '/data/Companies', { token: kari });
    expect(r.status).toBe(401);
    expect(r.body.error.innererror.message).toMatch(/is not a user of this Finance and Operations environment/);
  });
});

describe('service document, $metadata and run-time discovery', () => {
  it('lists the entity sets in the service document', async () => {
    const r = await h.call('GET', '/data/');
    expect(r.status).toBe(200);
    const names = r.body.value.map((x: Wire) => x.name);
    expect(names).toEqual(expect.arrayContaining(['RetailStores', 'Workers', 'SystemUsers', 'SecurityUserRoles', 'Companies', 'RetailChannelWorkers', 'RetailTeamsSourceTeamMappings']));
  });

  it('serves CSDL with keys, enums and navigation properties', async () => {
    const r = await h.call('GET', '/data/$metadata');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/xml/);
    expect(r.text).toContain('<EntitySet Name="SystemUsers" EntityType="Microsoft.Dynamics.DataEntities.SystemUser">');
    expect(r.text).toMatch(/<EntityType Name="SystemUser">\s*<Key>\s*<PropertyRef Name="UserID"\/>/);
    expect(r.text).toContain('<EnumType Name="NoYes">');
  });

  it('finds the Teams mapping entity by its label through /Metadata/DataEntities and /Metadata/Labels', async () => {
    const all = await h.call('GET', '/Metadata/DataEntities');
    expect(all.status).toBe(200);
    const labelled = [];
    for (const e of all.body.value as Wire[]) {
      if (!e.LabelId) continue;
      const l = await h.call('GET', `/Metadata/Labels(Id='${f(e.LabelId)}',Language='en-us')`);
      if (l.status === 200 && l.body.Value === 'Teams mapping between source and team') labelled.push(e);
    }
    expect(labelled.map((e) => e.PublicCollectionName)).toEqual(['RetailTeamsSourceTeamMappings']);
    const one = await h.call('GET', `/Metadata/DataEntities?$filter=${f("PublicCollectionName eq 'RetailChannelEmployeeAddressBooks'")}&$select=Name,DataServiceEnabled`);
    expect(one.body.value).toEqual([{ Name: 'RetailChannelEmployeeAddressBookEntity', DataServiceEnabled: false }]);
    const pe = await h.call('GET', "/Metadata/PublicEntities(Name='RetailChannelWorker')");
    expect(pe.body.EntitySetName).toBe('RetailChannelWorkers');
    expect(pe.body.Properties.filter((p: Wire) => p.IsKey).map((p: Wire) => p.Name)).toEqual(['RetailChannelId', 'PersonnelNumber']);
  });

  it('answers a malformed URI with 400, not a crash', async () => {
    const r = await h.call('GET', "/data/RetailStaff('%E0%A4%A')");
    expect(r.status).toBe(400);
    expect(r.body.error.innererror.message).toContain('malformed percent-encoding');
  });

  it('collection names are case-sensitive (404 with a hint)', async () => {
    const r = await h.call('GET', '/data/retailstores');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('');
    expect(r.body.error.innererror.message).toContain("did you mean 'RetailStores'");
  });
});

describe('demo seed', () => {
  it('has three legal entities and 30 stores across them (cross-company)', async () => {
    const c = await h.call('GET', '/data/Companies?$select=DataArea,CountryRegion');
    expect(c.body.value).toEqual([
      { '@odata.etag': expect.any(String), DataArea: 'nrfi', CountryRegion: 'FIN' },
      { '@odata.etag': expect.any(String), DataArea: 'nrnl', CountryRegion: 'NLD' },
      { '@odata.etag': expect.any(String), DataArea: 'nrno', CountryRegion: 'NOR' },
    ]);
    const n = await h.call('GET', '/data/RetailStores/$count?cross-company=true');
    expect(n.text).toBe('30');
  });

  it('builds a Retail reporting hierarchy country → region → store; the clusters hierarchy has no Retail reporting purpose', async () => {
    const purposes = await h.call('GET', `/data/OrganizationHierarchyPurposes?$filter=${f("HierarchyPurpose eq 'Retail reporting'")}`);
    expect(purposes.body.value.map((p: Wire) => p.HierarchyType)).toEqual(['Retail Stores by Region']);
    const clusters = await h.call('GET', `/data/OrganizationHierarchyTypes('${f(FINDING_CASES.hierarchyWithoutRetailPurpose)}')?$expand=Purposes`);
    expect(clusters.body.Purposes.map((p: Wire) => p.HierarchyPurpose)).toEqual(['Security']);
    const edges = await h.call('GET', `/data/OrganizationHierarchiesPublished?$filter=${f("HierarchyType eq 'Retail Stores by Region'")}&$count=true&$top=0`);
    expect(edges.body['@odata.count']).toBe(3 + 7 + 30);
    const roots = await h.call('GET', `/data/OrganizationHierarchiesPublished?$filter=${f("HierarchyType eq 'Retail Stores by Region' and ParentOrganizationPartyNumber eq null")}`);
    expect(roots.body.value.map((e: Wire) => e.ChildOrganizationPartyNumber).sort()).toEqual(['P-NRFI', 'P-NRNL', 'P-NRNO']);
    const store = await h.call('GET', `/data/OrganizationHierarchiesPublished(HierarchyType='Retail%20Stores%20by%20Region',ChildOrganizationPartyNumber='P-OU-001013')`);
    expect(store.body.ParentOrganizationPartyNumber).toBe('P-RG-NL-RAND');
  });

  it('has the finding cases: store without manager, worker in two stores, worker without identity, regional manager without the role', async () => {
    const noMgr = await h.call('GET', `/data/RetailChannelWorkers?$filter=${f(`StoreNumber eq '${FINDING_CASES.storeWithoutManager}'`)}&$expand=RetailStaff($select=EmploymentType)`);
    expect(noMgr.body.value.length).toBe(3);
    expect(noMgr.body.value.every((w: Wire) => w.RetailStaff.EmploymentType === 'Employee')).toBe(true);
    const two = await h.call('GET', `/data/RetailChannelWorkers?$filter=${f(`PersonnelNumber eq '${FINDING_CASES.workerInTwoStores.personnelNumber}' and IsActive eq Microsoft.Dynamics.DataEntities.NoYes'Yes'`)}`);
    expect(two.body.value.map((w: Wire) => w.StoreNumber)).toEqual([...FINDING_CASES.workerInTwoStores.stores]);
    const noId = await h.call('GET', `/data/RetailStaff('${FINDING_CASES.workerWithoutIdentity}')`);
    expect(noId.body.ExternalSubIdentifier).toBeNull();
    const linked = await h.call('GET', `/data/RetailStaff?$filter=${f('ExternalSubIdentifier ne null')}&$count=true&$top=1`);
    expect(linked.body['@odata.count']).toBe(30 * 4 - 1 - 1);
    const managers = await h.call('GET', `/data/SecurityUserRoles?$filter=${f("SecurityRoleName eq 'Retail task manager'")}&$select=UserId`);
    expect(managers.body.value.map((r: Wire) => r.UserId)).toEqual(['rm1', 'rm2', 'rm3', 'rm4', 'rm6', 'rm7']);
    const sanne = await h.call('GET', `/data/SystemUsers?$filter=${f(`Alias eq '${FINDING_CASES.regionalManagerWithoutRole}'`)}&$expand=UserRoles`);
    expect(sanne.body.value[0].UserID).toBe('rm5');
    expect(sanne.body.value[0].UserRoles.map((r: Wire) => r.SecurityRoleName)).toEqual(['System user']);
  });

  it('links staff to the shared personas (Graph owns disabled / unlicensed)', async () => {
    expect(COMMERCE_STORES).toHaveLength(30);
    expect(DISABLED_PERSONA_UPNS).toEqual([FINDING_CASES.disabledUpn]);
    expect(UNLICENSED_PERSONA_UPNS).toEqual([FINDING_CASES.unlicensedUpn]);
    const disabled = COMMERCE_TEAMS_PERSONAS.find((p) => p.upn === FINDING_CASES.disabledUpn)!;
    const staff = await h.call('GET', `/data/RetailStaff?$filter=${f(`ExternalName eq '${disabled.upn}'`)}`);
    expect(staff.body.value[0]).toMatchObject({ PersonnelNumber: disabled.personnelNumber, ExternalSubIdentifier: disabled.objectId });
    const upns = new Set(COMMERCE_TEAMS_PERSONAS.map((p) => p.upn));
    expect(upns.size).toBe(COMMERCE_TEAMS_PERSONAS.length);
    for (const u of upns) expect(u.endsWith(`@${SANDBOX_TENANT_DOMAIN}`)).toBe(true);
  });
});

describe('query conventions', () => {
  it('scopes company-specific entities to the caller\'s company unless cross-company=true', async () => {
    const own = await h.call('GET', '/data/RetailStores?$select=dataAreaId&$count=true');
    expect(own.body['@odata.count']).toBe(12);
    expect(new Set(own.body.value.map((s: Wire) => s.dataAreaId))).toEqual(new Set(['nrno']));
    const fi = await h.call('GET', `/data/RetailStores?cross-company=true&$filter=${f("dataAreaId eq 'nrfi'")}&$count=true&$top=0`);
    expect(fi.body['@odata.count']).toBe(8);
    const key = await h.call('GET', "/data/RetailStores(dataAreaId='nrnl',RetailChannelId='NR-001013')?$select=StoreNumber,Currency");
    expect(key.body).toMatchObject({ StoreNumber: '001013', Currency: 'EUR' });
    const noArea = await h.call('GET', "/data/RetailStores(RetailChannelId='NR-001013')");
    expect(noArea.status).toBe(400);
    expect(noArea.body.error.innererror.message).toContain('missing dataAreaId');
  });

  it('supports wildcard eq, enum literals, $select, $top, $orderby and $count', async () => {
    const w = await h.call('GET', `/data/OperatingUnits?$filter=${f("Name eq '*Oslo*'")}&$select=Name&$orderby=Name desc`);
    expect(w.body.value.map((x: Wire) => x.Name)).toEqual(['Oslo og Viken', 'Nordlys Oslo Storo', 'Nordlys Oslo Sentrum']);
    expect(w.body['@odata.context']).toBe(`${h.url}/data/$metadata#OperatingUnits(Name)`);
    const inactive = await h.call('GET', `/data/RetailChannelWorkers?$filter=${f("IsActive eq Microsoft.Dynamics.DataEntities.NoYes'No'")}`);
    expect(inactive.body.value).toHaveLength(1);
    const top = await h.call('GET', '/data/Workers?$top=3&$count=true');
    expect(top.body.value).toHaveLength(3);
    expect(top.body['@odata.count']).toBe(COMMERCE_TEAMS_PERSONAS.length);
    expect(top.body['@odata.nextLink']).toBeUndefined();
    const cnt = await h.call('GET', `/data/SystemUsers/$count?$filter=${f('Enabled eq true')}`);
    expect(Number(cnt.text)).toBeGreaterThan(30);
  });

  it('rejects in, has and functions with 400 and the F&O error body', async () => {
    const inOp = await h.call('GET', `/data/RetailStores?$filter=${f("StoreNumber in ('001001','001002')")}`);
    expect(inOp.status).toBe(400);
    expect(inOp.body.error.code).toBe('');
    expect(inOp.body.error.innererror).toMatchObject({ type: expect.any(String), stacktrace: '' });
    expect(inOp.body.error.innererror.message).toContain("'in' operator is not supported");
    expect(inOp.body.error.innerError).toBeUndefined();
    const fn = await h.call('GET', `/data/OperatingUnits?$filter=${f("contains(Name,'Oslo')")}`);
    expect(fn.status).toBe(400);
    expect(fn.body.error.innererror.message).toContain("Name eq '*Oslo*'");
    const bad = await h.call('GET', `/data/Workers?$filter=${f("Nope eq 'x'")}`);
    expect(bad.body.error.innererror.message).toContain("Could not find a property named 'Nope'");
    const badEnum = await h.call('GET', `/data/RetailChannelWorkers?$filter=${f("IsActive gt 'No'")}`);
    expect(badEnum.status).toBe(400);
  });

  it('expands one level only', async () => {
    const r = await h.call('GET', `/data/RetailStores?$filter=${f("StoreNumber eq '001001'")}&$expand=OperatingUnit($select=Name),ChannelWorkers`);
    expect(r.body.value[0].OperatingUnit).toEqual({ '@odata.etag': expect.any(String), Name: 'Nordlys Oslo Sentrum' });
    expect(r.body.value[0].ChannelWorkers.length).toBe(5);
    const nested = await h.call('GET', '/data/RetailStores?$expand=ChannelWorkers($expand=Worker)');
    expect(nested.status).toBe(400);
    expect(nested.body.error.innererror.message).toContain('Only the first level of $expand');
  });

  it('pages with @odata.nextLink and $skiptoken; Prefer odata.maxpagesize is honoured up to the server cap', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/data/Workers?$select=PersonnelNumber';
    let pages = 0;
    while (next) {
      const r = await h.call('GET', next.replace(h.url, ''));
      expect(r.status).toBe(200);
      seen.push(...r.body.value.map((w: Wire) => w.PersonnelNumber));
      next = r.body['@odata.nextLink'];
      pages++;
    }
    expect(seen).toHaveLength(COMMERCE_TEAMS_PERSONAS.length);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seen.length / 25));
    const small = await h.call('GET', '/data/Workers?$top=12', { headers: { Prefer: 'odata.maxpagesize=5' } });
    expect(small.body.value).toHaveLength(5);
    expect(small.headers.get('preference-applied')).toBe('odata.maxpagesize=5');
    const second = await h.call('GET', small.body['@odata.nextLink'].replace(h.url, ''), { headers: { Prefer: 'odata.maxpagesize=5' } });
    const third = await h.call('GET', second.body['@odata.nextLink'].replace(h.url, ''), { headers: { Prefer: 'odata.maxpagesize=5' } });
    expect(third.body.value).toHaveLength(2);
    expect(third.body['@odata.nextLink']).toBeUndefined();
  });
});

describe('writes, Teams mapping and task management', () => {
  it('creates, reads, updates (etag) and deletes a Teams mapping row with a plan id', async () => {
    const team = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
    const c = await h.call('POST', '/data/RetailTeamsSourceTeamMappings', { body: { SourceType: 'RetailStore', SourceId: '001001', TeamId: team } });
    expect(c.status).toBe(201);
    expect(c.headers.get('location')).toBe(`${h.url}/data/RetailTeamsSourceTeamMappings(SourceType='RetailStore',SourceId='001001')`);
    expect(c.body).toMatchObject({ SourceType: 'RetailStore', SourceId: '001001', TeamId: team, PlanId: null });
    const dup = await h.call('POST', '/data/RetailTeamsSourceTeamMappings', { body: { SourceType: 'RetailStore', SourceId: '001001', TeamId: team } });
    expect(dup.status).toBe(500);
    expect(dup.body.error.innererror.message).toMatch(/^Write failed for table row of type 'RetailTeamsSourceTeamMappingEntity'.*already exists/);
    const path = "/data/RetailTeamsSourceTeamMappings(SourceType='RetailStore',SourceId='001001')";
    const p = await h.call('PATCH', path, { body: { PlanId: 'plan-001001' }, headers: { 'If-Match': c.body['@odata.etag'] } });
    expect(p.status).toBe(204);
    const stale = await h.call('PATCH', path, { body: { PlanId: 'x' }, headers: { 'If-Match': c.body['@odata.etag'] } });
    expect(stale.status).toBe(412);
    const read = await h.call('GET', path);
    expect(read.body.PlanId).toBe('plan-001001');
    const badEnum = await h.call('POST', '/data/RetailTeamsSourceTeamMappings', { body: { SourceType: 'Region', SourceId: 'x' } });
    expect(badEnum.status).toBe(400);
    expect((await h.call('DELETE', path)).status).toBe(204);
    expect((await h.call('GET', path)).status).toBe(404);
  });

  it('refuses writes to read-only entities', async () => {
    const r = await h.call('POST', '/data/RetailStores', { body: { dataAreaId: 'nrno', RetailChannelId: 'X' } });
    expect(r.status).toBe(400);
    expect(r.body.error.innererror.message).toContain('read-only');
  });

  it('exposes task lists, tasks, processes and per-store task status', async () => {
    const list = await h.call('GET', "/data/RetailTaskLists('TL-OPEN')?$expand=Tasks($select=TaskId,TaskLinkType)");
    expect(list.body.Tasks.map((t: Wire) => `${t.TaskId}:${t.TaskLinkType}`)).toEqual(['T1:None', 'T2:PosOperation', 'T3:Url']);
    const st = await h.call('GET', `/data/RetailTaskStoreStatuses?$filter=${f("ProcessId eq 'PR-0001' and Status eq Microsoft.Dynamics.DataEntities.RetailTaskStatus'Completed'")}&$count=true`);
    expect(st.body['@odata.count']).toBe(4);
    const upd = await h.call('PATCH', "/data/RetailTaskStoreStatuses(ProcessId='PR-0001',TaskId='T2',StoreNumber='001001')", { body: { Status: 'InProgress', AssignedToPersonnelNumber: 'NR-000101' } });
    expect(upd.status).toBe(204);
  });
});

function batchBody(parts: string[]): { raw: string; headers: Record<string, string> } {
  return { raw: `${parts.join('')}--batch_b1--\r\n`, headers: { 'Content-Type': 'multipart/mixed; boundary=batch_b1' } };
}
const op = (id: number, method: string, url: string, body?: unknown) =>
  `--changeset_c1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${id}\r\n\r\n${method} ${url} HTTP/1.1\r\nContent-Type: application/json\r\n\r\n${body ? JSON.stringify(body) : ''}\r\n`;

describe('$batch', () => {
  it('commits a change set atomically and answers GETs outside it', async () => {
    const b = batchBody([
      '--batch_b1\r\nContent-Type: multipart/mixed; boundary=changeset_c1\r\n\r\n',
      op(1, 'POST', `${h.url}/data/RetailTaskLists`, { TaskListId: 'TL-B1', Name: 'Batch list' }),
      op(2, 'POST', 'RetailTaskListTasks', { TaskListId: 'TL-B1', TaskId: 'T1', Name: 'Batch task', DueDateOffsetDays: 2 }),
      op(3, 'PATCH', '$1', { Description: 'patched by reference' }),
      '--changeset_c1--\r\n',
      `--batch_b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET RetailTaskListTasks?$filter=TaskListId%20eq%20'TL-B1' HTTP/1.1\r\nAccept: application/json\r\n\r\n`,
    ]);
    const r = await h.call('POST', '/data/$batch', b);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(r.text.match(/HTTP\/1\.1 201/g)).toHaveLength(2);
    expect(r.text).toContain('HTTP/1.1 204');
    expect(r.text).toContain('"Name":"Batch task"');
    expect((await h.call('GET', "/data/RetailTaskLists('TL-B1')")).body.Description).toBe('patched by reference');
  });

  it('rolls back a failing change set and still answers 200 outside', async () => {
    const b = batchBody([
      '--batch_b1\r\nContent-Type: multipart/mixed; boundary=changeset_c1\r\n\r\n',
      op(1, 'POST', 'RetailTaskLists', { TaskListId: 'TL-B2', Name: 'Never committed' }),
      op(2, 'POST', 'RetailTaskLists', { TaskListId: 'TL-OPEN', Name: 'Duplicate key' }),
      '--changeset_c1--\r\n',
    ]);
    const r = await h.call('POST', '/data/$batch', b);
    expect(r.status).toBe(200);
    expect(r.text).toContain('HTTP/1.1 500');
    expect(r.text).toContain('"innererror"');
    expect((await h.call('GET', "/data/RetailTaskLists('TL-B2')")).status).toBe(404);
  });
});

describe('priority-based throttling', () => {
  it('answers 429 with Retry-After to low-priority callers first; a higher priority still gets through', async () => {
    let now = Date.parse('2026-12-07T08:00:00Z');
    const t = await startCommerce({ clock: () => now, throttle: { windowSeconds: 60, requestsPerWindow: { Low: 3, Medium: 5, High: 100 } }, priorities: { [APP.clientId]: 'Low', admin: 'High' } }, h.identity);
    try {
      for (let i = 0; i < 3; i++) expect((await t.call('GET', '/data/Companies')).status).toBe(200);
      now += 10_000;
      const r = await t.call('GET', '/data/Companies');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('50');
      expect(r.body.error.message).toMatch(/high resource utilization/);
      const admin = await t.userToken(ADMIN.username, ADMIN.password);
      expect((await t.call('GET', '/data/Companies', { token: admin })).status).toBe(200);
      now += 50_000;
      expect((await t.call('GET', '/data/Companies')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
