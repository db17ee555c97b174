/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is inspected ad hoc in these tests */
/**
 * The npm client `dynamics-web-api` (unmodified) against the sandbox: if its request shapes and response
 * parsing work here, the sandbox speaks enough real Dataverse for third-party clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamicsWebApi } from 'dynamics-web-api';
import type { DataverseService } from '../../../main/sandbox/dataverse/index';
import { TOKENS, startTestDataverse } from './harness';

let svc: DataverseService;
let api: DynamicsWebApi;
beforeAll(async () => {
  ({ svc } = await startTestDataverse({ seed: 'empty' }));
  api = new DynamicsWebApi({
    serverUrl: svc.url,
    // the harness stub accepts "user:<oid>" tokens; the library adds the "Bearer " prefix itself
    onTokenRefresh: async () => TOKENS.integration.replace(/^Bearer /, ''),
    dataApi: { version: '9.2' },
  });
  // the integration user on an empty org has no roles yet; an admin grants the BC role (after the import)
  const admin = new DynamicsWebApi({ serverUrl: svc.url, onTokenRefresh: async () => TOKENS.admin.replace(/^Bearer /, '') });
  await admin.callAction({ actionName: 'ImportSolution', action: { CustomizationFile: Buffer.from('MicrosoftDynamicsNavIntegration').toString('base64') } });
  await admin.associate({ collection: 'systemusers', primaryKey: '00000000-0000-4000-8000-000000000102', relationshipName: 'systemuserroles_association', relatedCollection: 'roles', relatedKey: '8c8d4f51-a72b-e511-80d9-3863bb349780' });
});
afterAll(async () => svc.close());

describe('dynamics-web-api against the Dataverse sandbox', () => {
  it('create, retrieve, update with ifmatch, upsert and delete', async () => {
    const id = await api.create<Record<string, unknown>, string>({ collection: 'accounts', data: { name: 'DWA account' } });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await api.retrieve<any>({ collection: 'accounts', key: id, select: ['name'] });
    expect(row.name).toBe('DWA account');
    const updated = await api.update<any, any>({ collection: 'accounts', key: id, data: { name: 'DWA renamed' }, ifmatch: row['@odata.etag'], returnRepresentation: true, select: ['name'] });
    expect(updated.name).toBe('DWA renamed');
    // stale etag: the library's legacy handling turns the 412 into `false` (it does so only for status 412)
    expect(await api.update({ collection: 'accounts', key: id, data: { name: 'stale' }, ifmatch: row['@odata.etag'] })).toBe(false);
    expect((await api.retrieve<any>({ collection: 'accounts', key: id, select: ['name'] })).name).toBe('DWA renamed');
    const upId = randomUUID();
    await api.upsert({ collection: 'accounts', key: upId, data: { name: 'DWA upserted' } });
    expect((await api.retrieve<any>({ collection: 'accounts', key: upId, select: ['name'] })).name).toBe('DWA upserted');
    await api.deleteRecord({ collection: 'accounts', key: upId });
    await expect(api.retrieve({ collection: 'accounts', key: upId })).rejects.toMatchObject({ status: 404 });
  });

  it('retrieveAll follows nextLinks across pages', async () => {
    const targets = Array.from({ length: 2500 }, (_, i) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.contact', lastname: `DWA ${i}` }));
    await api.callAction({ actionName: 'Microsoft.Dynamics.CRM.CreateMultiple', collection: 'contacts', action: { Targets: targets } });
    const all = await api.retrieveAll<any>({ collection: 'contacts', select: ['lastname'], filter: "startswith(lastname,'DWA ')", maxPageSize: 400 });
    expect(all.value).toHaveLength(2500);
    expect(new Set(all.value.map((x) => x.contactid)).size).toBe(2500);
  });

  it('startBatch / executeBatch with a change set', async () => {
    api.startBatch();
    api.create({ collection: 'accounts', data: { name: 'DWA batch 1' }, contentId: '1' });
    api.create({ collection: 'contacts', data: { lastname: 'DWA batch contact', 'parentcustomerid_account@odata.bind': '$1' } });
    api.retrieveMultiple({ collection: 'accounts', select: ['name'], filter: "name eq 'DWA batch 1'" });
    const results = await api.executeBatch();
    expect(results).toHaveLength(3);
    expect(results[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[2].value[0].name).toBe('DWA batch 1');
  });

  it('trackChanges returns a deltaLink that yields changes and deletions', async () => {
    const first = await api.retrieveAll<any>({ collection: 'accounts', select: ['name'], trackChanges: true, maxPageSize: 2 });
    expect(first.oDataDeltaLink).toContain('$deltatoken=');
    const victim = first.value[0].accountid as string;
    const created = await api.create({ collection: 'accounts', data: { name: 'DWA after delta' } });
    await api.deleteRecord({ collection: 'accounts', key: victim });
    // the library accepts a full deltaLink as the "next page link"
    const delta = await api.retrieveMultiple<any>({ collection: 'accounts' }, first.oDataDeltaLink);
    const ids = delta.value.map((x) => x.accountid ?? x.id);
    expect(ids).toContain(created);
    expect(ids).toContain(victim);
    expect(delta.oDataDeltaLink ?? delta['@odata.deltaLink']).toContain('$deltatoken=');
  });
});
