/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is inspected ad hoc in these tests */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { DataverseService } from '../../../main/sandbox/dataverse/index';
import type { Client } from './harness';
import { startTestDataverse } from './harness';

let svc: DataverseService;
let c: Client;
beforeAll(async () => ({ svc, c } = await startTestDataverse({ seed: 'empty' })));
afterAll(async () => svc.close());

interface Part { method: string; url: string; body?: unknown; contentId?: string; headers?: Record<string, string> }
function httpPart(p: Part): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (p.contentId) lines.push(`Content-ID: ${p.contentId}`);
  lines.push('', `${p.method} ${p.url} HTTP/1.1`, 'Content-Type: application/json; type=entry', ...Object.entries(p.headers ?? {}).map(([k, v]) => `${k}: ${v}`), '');
  return `${lines.join('\r\n')}\r\n${p.body === undefined ? '' : JSON.stringify(p.body)}`;
}
function batchBody(items: (Part | Part[])[], boundary = `batch_${randomUUID()}`): { boundary: string; body: string } {
  const out: string[] = [];
  for (const it of items) {
    out.push(`--${boundary}\r\n`);
    if (Array.isArray(it)) {
      const cs = `changeset_${randomUUID()}`;
      out.push(`Content-Type: multipart/mixed; boundary=${cs}\r\n\r\n`);
      for (const p of it) out.push(`--${cs}\r\n`, httpPart(p), '\r\n');
      out.push(`--${cs}--\r\n`);
    } else out.push(httpPart(it), '\r\n');
  }
  out.push(`--${boundary}--\r\n`);
  return { boundary, body: out.join('') };
}
async function batch(items: (Part | Part[])[], prefer?: string) {
  const { boundary, body } = batchBody(items);
  const headers: Record<string, string> = { 'Content-Type': `multipart/mixed; boundary="${boundary}"` };
  if (prefer) headers.Prefer = prefer;
  return c.req('POST', '$batch', { raw: body, headers });
}
const statuses = (text: string) => [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
const countRows = async (f: string) => Number((await c.get(`accounts/$count?$filter=${encodeURIComponent(f)}`)).text);

describe('Dataverse sandbox: $batch and bulk messages', () => {
  it('runs change sets atomically with Content-ID references and GETs outside, absolute and relative URLs', async () => {
    const r = await batch([
      [
        { method: 'POST', url: `${svc.apiBase}/accounts`, body: { name: 'Batch parent' }, contentId: '1' },
        { method: 'POST', url: '/api/data/v9.2/contacts', body: { lastname: 'Batch child', 'parentcustomerid_account@odata.bind': '$1' }, contentId: '2' },
        { method: 'PATCH', url: '$1', body: { 'primarycontactid@odata.bind': '$2' }, contentId: '3' },
      ],
      { method: 'GET', url: "accounts?$select=name,_primarycontactid_value&$filter=name eq 'Batch parent'" },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(statuses(r.text)).toEqual([204, 204, 204, 200]);
    expect(r.text).toMatch(/changesetresponse_/);
    expect(r.text).toMatch(/Content-ID: 2/);
    const json = JSON.parse(r.text.slice(r.text.indexOf('{"@odata.context"'), r.text.lastIndexOf('}') + 1));
    expect(json.value[0]._primarycontactid_value).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rolls back a failing change set and returns 400 with only the failing part', async () => {
    const before = await countRows("startswith(name,'Rollback')");
    const r = await batch([
      { method: 'POST', url: 'accounts', body: { name: 'Rollback outside' } },
      [
        { method: 'POST', url: 'accounts', body: { name: 'Rollback 1' }, contentId: '1' },
        { method: 'POST', url: 'accounts', body: { name: 'Rollback 2', nosuch: true }, contentId: '2' },
      ],
      { method: 'POST', url: 'accounts', body: { name: 'Rollback never' } },
    ]);
    expect(r.status).toBe(400);
    expect(statuses(r.text)).toEqual([400]);
    expect(r.text).toMatch(/REQ_ID: /);
    expect(r.text).toContain('0x80048d19');
    // the part before the change set ran (not transactional), the change set rolled back, processing stopped
    expect(await countRows("startswith(name,'Rollback')")).toBe(before + 1);
    expect(await countRows("name eq 'Rollback 1'")).toBe(0);
    expect(await countRows("name eq 'Rollback never'")).toBe(0);
  });

  it('continues on error with Prefer: odata.continue-on-error', async () => {
    const r = await batch([
      { method: 'POST', url: 'accounts', body: { name: 'COE 1' } },
      { method: 'GET', url: `accounts(${randomUUID()})` },
      [{ method: 'POST', url: 'accounts', body: { name: 'COE 2' }, contentId: '1' }],
    ], 'odata.continue-on-error');
    expect(r.status).toBe(200);
    expect(statuses(r.text)).toEqual([204, 404, 204]);
    expect(await countRows("startswith(name,'COE')")).toBe(2);
  });

  it('rejects unknown Content-ID references, GET inside change sets and batches over 1000', async () => {
    const ref = await batch([[{ method: 'PATCH', url: '$9', body: { name: 'x' }, contentId: '1' }]]);
    expect(ref.status).toBe(400);
    expect(ref.text).toContain("Content-ID Reference: '$9' does not exist in the batch context.");
    const get = await batch([[{ method: 'GET', url: 'accounts' }]]);
    expect(get.status).toBe(400);
    const many = await batch(Array.from({ length: 1001 }, () => ({ method: 'GET', url: 'WhoAmI' })));
    expect(many.status).toBe(400);
    expect(many.json.error.message).toContain('1000');
  });

  it('CreateMultiple / UpdateMultiple / UpsertMultiple are all-or-nothing', async () => {
    const ids = [randomUUID(), randomUUID()];
    const cm = await c.post('accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: ids.map((id, i) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: id, name: `Bulk ${i}` })) });
    expect(cm.status).toBe(200);
    expect(cm.json.Ids).toEqual(ids);
    expect(cm.json['@odata.context']).toContain('CreateMultipleResponse');
    // a missing @odata.type is rejected
    expect((await c.post('accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: [{ name: 'no type' }] })).status).toBe(400);
    // a duplicate key in the middle rolls everything back
    const fresh = randomUUID();
    const dup = await c.post('accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: [
      { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: fresh, name: 'Bulk fresh' },
      { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: ids[0], name: 'dup' }] });
    expect(dup.status).toBe(412);
    expect((await c.get(`accounts(${fresh})`)).status).toBe(404);
    const um = await c.post('accounts/Microsoft.Dynamics.CRM.UpdateMultiple', { Targets: ids.map((id) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: id, telephone1: '555' })) });
    expect(um.status).toBe(204);
    expect(await countRows("startswith(name,'Bulk') and telephone1 eq '555'")).toBe(2);
    const umBad = await c.post('accounts/Microsoft.Dynamics.CRM.UpdateMultiple', { Targets: [
      { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: ids[0], telephone1: '999' },
      { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: randomUUID(), telephone1: '999' }] });
    expect(umBad.status).toBe(404);
    expect(await countRows("telephone1 eq '999'")).toBe(0);
    const newId = randomUUID();
    const up = await c.post('accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: [
      { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: ids[1], name: 'Bulk upserted' },
      { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: newId, name: 'Bulk created by upsert' },
      { '@odata.type': 'Microsoft.Dynamics.CRM.account', '@odata.id': "accounts(accountnumber='UP-1')", name: 'Bulk by key' }] });
    expect(up.status).toBe(200);
    expect(up.json.Results.map((x: any) => x.RecordCreated)).toEqual([false, true, true]);
    expect((await c.get(`accounts(${newId})?$select=name`)).json.name).toBe('Bulk created by upsert');
    expect((await c.get("accounts(accountnumber='UP-1')?$select=name")).json.name).toBe('Bulk by key');
  });
});
