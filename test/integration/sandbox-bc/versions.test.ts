import { afterEach, describe, expect, it } from 'vitest';
import type { BusinessCentralService } from '../../../main/sandbox/bc';
import { SANDBOX_USERS } from '../../../main/sandbox/directory';
import type { Wire } from './helpers';
import { client, startBc } from './helpers';

let bc: BusinessCentralService | undefined;
afterEach(async () => {
  await bc?.close();
  bc = undefined;
});

const basic = (user: string, key: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}` });
const getJson = async (url: string, headers: Record<string, string>) => {
  const r = await fetch(url, { headers });
  const t = await r.text();
  return { status: r.status, headers: r.headers, body: t ? JSON.parse(t) : undefined };
};

describe('authentication', () => {
  it('on-premises: accepts Basic user + web service access key and bearer; rejects others with WWW-Authenticate Basic', async () => {
    bc = await startBc({ seed: 'demo' });
    const admin = SANDBOX_USERS.find((u) => u.bc?.webServiceAccessKey)!;
    const ok = await getJson(`${bc.onPremApiBase}/companies`, basic(admin.username, admin.bc!.webServiceAccessKey!));
    expect(ok.status).toBe(200);
    expect(ok.body.value[0].name).toBe('Nordlys Handel AS');
    expect((await getJson(`${bc.onPremApiBase}/companies`, basic(admin.domainName, admin.bc!.webServiceAccessKey!))).status).toBe(200);
    const wrong = await getJson(`${bc.onPremApiBase}/companies`, basic(admin.username, admin.password));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(wrong.body.error.code).toBe('Authentication_InvalidCredentials');
    const none = await getJson(`${bc.onPremApiBase}/companies`, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await client()('GET', `${bc.onPremApiBase}/companies`)).status).toBe(200);
  });

  it('online: requires a bearer token for the BC audience and refuses Basic', async () => {
    bc = await startBc({ seed: 'empty' });
    const admin = SANDBOX_USERS.find((u) => u.bc?.webServiceAccessKey)!;
    const b = await getJson(`${bc.apiBase}/companies`, basic(admin.username, admin.bc!.webServiceAccessKey!));
    expect(b.status).toBe(401);
    expect(b.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await getJson(`${bc.apiBase}/companies`, { Authorization: 'Bearer garbage' })).status).toBe(401);
    expect((await client()('GET', `${bc.apiBase}/companies`)).status).toBe(200);
    // common endpoint form without tenant
    expect((await client()('GET', `${bc.url}/v2.0/${bc.environment}/api/v2.0/companies`)).status).toBe(200);
    expect((await client()('GET', `${bc.url}/v2.0/${bc.tenant}/nope/api/v2.0/companies`)).status).toBe(404);
  });
});

describe('version reporting', () => {
  it('v24: api/v2.0 + custom group + automation extensions list Base Application 24', async () => {
    bc = await startBc({ seed: 'demo', version: 24 });
    const c = client();
    expect((await c('GET', `${bc.onPremApiBase}/companies`)).status).toBe(200);
    const ext = await c('GET', `${bc.url}/BC/api/microsoft/automation/v2.0/companies(${bc.companyId})/extensions`);
    expect(ext.status).toBe(200);
    const baseApp = ext.body.value.find((e: Wire) => e.displayName === 'Base Application');
    expect(baseApp).toMatchObject({ publisher: 'Microsoft', versionMajor: 24, isInstalled: true });
    const odata = await c('GET', `${bc.url}/BC/ODataV4/Company('${encodeURIComponent('Nordlys Handel AS')}')/ProductItemAvailability`);
    expect(odata.status).toBe(404);
  });

  it('v16: only api/v1.0 (nested address), automation v1.0 reports 16', async () => {
    bc = await startBc({ seed: 'demo', version: 16 });
    const c = client();
    expect((await c('GET', `${bc.onPremApiBase}/companies`)).status).toBe(404);
    const v1 = await c('GET', `${bc.url}/BC/api/v1.0/companies(${bc.companyId})/customers?$top=1`);
    expect(v1.status).toBe(200);
    expect(v1.body.value[0].address).toMatchObject({ street: expect.any(String), city: expect.any(String), countryLetterCode: expect.any(String) });
    expect(v1.body.value[0]).not.toHaveProperty('addressLine1');
    const ext = await c('GET', `${bc.url}/BC/api/microsoft/automation/v1.0/companies(${bc.companyId})/extensions`);
    expect(ext.body.value.find((e: Wire) => e.displayName === 'Base Application').versionMajor).toBe(16);
    expect((await c('GET', `${bc.url}/BC/api/microsoft/automation/v2.0/companies(${bc.companyId})/extensions`)).status).toBe(404);
  });

  it('v14: no /api at all (404), ODataV4 page services incl. ProductItemAvailability', async () => {
    bc = await startBc({ seed: 'demo', version: 14 });
    const c = client();
    expect((await c('GET', `${bc.onPremApiBase}/companies`)).status).toBe(404);
    expect((await c('GET', `${bc.url}/BC/api/v1.0/companies`)).status).toBe(404);
    expect((await c('GET', `${bc.url}/BC/api/microsoft/automation/v1.0/companies`)).status).toBe(404);
    const svc = await c('GET', `${bc.url}/BC/ODataV4/`);
    expect(svc.body.value.map((s: Wire) => s.name)).toEqual(expect.arrayContaining(['Company', 'Customer', 'Item', 'ProductItemAvailability']));
    const companies = await c('GET', `${bc.url}/BC/ODataV4/Company`);
    expect(companies.body.value[0].Name).toBe('Nordlys Handel AS');
    const company = `Company('${encodeURIComponent('Nordlys Handel AS')}')`;
    const avail = await c('GET', `${bc.url}/BC/ODataV4/${company}/ProductItemAvailability?$filter=${encodeURIComponent("ItemNo eq 'V001000'")}`);
    expect(avail.status).toBe(200);
    expect(avail.body.value).toHaveLength(1);
    expect(avail.body.value[0]).toMatchObject({ Table_ID: 27, ItemNo: 'V001000', UOM: expect.any(String), Inventory: expect.any(Number) });
    const one = await c('GET', `${bc.url}/BC/ODataV4/${company}/Customer('K10001')`);
    expect(one.body).toMatchObject({ No: 'K10001', Name: expect.any(String) });
    expect((await c('GET', `${bc.url}/BC/ODataV4/Company('Nope')/Customer`)).status).toBe(404);
  });
});

describe('persistence', () => {
  it('keeps data, number series and increasing timestamps across restarts with dbPath', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'bc-sandbox-'));
    try {
      const dbPath = join(dir, 'bc.sqlite');
      bc = await startBc({ seed: 'demo', dbPath });
      const c = client();
      const created = await c('POST', `${bc.apiBase}/companies(${bc.companyId})/customers`, { displayName: 'Persistent AS' });
      const companyId = bc.companyId;
      await bc.close();
      bc = await startBc({ seed: 'demo', dbPath, clock: () => 0 });
      expect(bc.companyId).toBe(companyId);
      const again = await c('GET', `${bc.apiBase}/companies(${companyId})/customers(${created.body.id})`);
      expect(again.body.displayName).toBe('Persistent AS');
      const next = await c('POST', `${bc.apiBase}/companies(${companyId})/customers`, { displayName: 'Next AS' });
      expect(next.body.number > created.body.number).toBe(true);
      expect(Date.parse(next.body.lastModifiedDateTime)).toBeGreaterThan(Date.parse(created.body.lastModifiedDateTime));
      await bc.close();
      bc = undefined;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
