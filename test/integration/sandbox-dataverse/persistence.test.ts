import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { idFromEntityId, startTestDataverse } from './harness';

const dir = mkdtempSync(path.join(tmpdir(), 'dv-sandbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Dataverse sandbox: master data seeding', () => {
  it('loads generated rows, turning navigation properties with bare GUIDs into binds', async () => {
    const accountid = '11111111-2222-4333-8444-000000000001';
    const { svc, c } = await startTestDataverse({ masterData: {
      accounts: [{ accountid, name: 'Generated AS', accountnumber: 'C-1', customertypecode: 3, statecode: 0 }],
      contacts: [{ contactid: '11111111-2222-4333-8444-000000000002', firstname: 'Kari', lastname: 'Generated', fullname: 'ignored', parentcustomerid_account: accountid }],
    } });
    try {
      const contact = (await c.get("contacts?$select=fullname,_parentcustomerid_value&$filter=lastname eq 'Generated'")).json.value[0];
      expect(contact.fullname).toBe('Kari Generated');
      expect(contact._parentcustomerid_value).toBe(accountid);
      await expect(startTestDataverse({ masterData: { nosuchset: [{}] } })).rejects.toThrow(/unknown entity set 'nosuchset'/);
    } finally {
      await svc.close();
    }
  });
});

describe('Dataverse sandbox: dbPath persistence', () => {
  it('keeps rows, row versions and delta tokens across a restart without re-seeding', async () => {
    const dbPath = path.join(dir, 'dv.sqlite');
    const first = await startTestDataverse({ dbPath });
    const id = idFromEntityId((await first.c.post('accounts', { name: 'Survivor' })).headers.get('odata-entityid'));
    const etag = (await first.c.get(`accounts(${id})?$select=name`)).json['@odata.etag'] as string;
    const init = await first.c.get('accounts?$select=name', { Prefer: 'odata.track-changes' });
    const users = Number((await first.c.get('systemusers/$count')).text);
    await first.svc.close();

    const second = await startTestDataverse({ dbPath });
    try {
      expect((await second.c.get(`accounts(${id})?$select=name`)).json.name).toBe('Survivor');
      expect(Number((await second.c.get('systemusers/$count')).text)).toBe(users);
      await second.c.patch(`accounts(${id})`, { name: 'Survivor 2' }, { 'If-Match': etag });
      const after = (await second.c.get(`accounts(${id})?$select=name`)).json['@odata.etag'] as string;
      expect(Number(after.replace(/\D/g, ''))).toBeGreaterThan(Number(etag.replace(/\D/g, '')));
      // a restart gets a new port; the token itself is what must survive
      const delta = await second.c.get((init.json['@odata.deltaLink'] as string).replace(first.svc.apiBase, second.svc.apiBase));
      expect(delta.json.value.map((v: { accountid: string }) => v.accountid)).toEqual([id]);
    } finally {
      await second.svc.close();
    }
  });
});
