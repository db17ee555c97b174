import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuthProvider, BusinessCentralClient } from '../../../main/clients/bc';
import { AdaptiveLimiter, BC_MAX_CONCURRENCY } from '../../../main/clients/concurrency';
import { isAlreadyExists, isConcurrencyConflict } from '../../../main/clients/errors';
import { filter } from '../../../main/clients/odata';
import { isServiceError } from '../../../main/http/errors';
import type { Authenticate } from '../../../main/sandbox/auth';
import { startBusinessCentral } from '../../../main/sandbox/bc';
import type { Sandbox } from '../../../main/sandbox/index';
import { startSandbox } from '../../../main/sandbox/index';
import { BC_RESOURCE, clientCredentials, guid, httpClient, patchKnobs, recordingFetch } from './harness';

let sb: Sandbox;
let bc: BusinessCentralClient;
let companyId: string;
let auth: ReturnType<typeof clientCredentials>;
const rec = recordingFetch();

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 'bench', records: 12_000 });
  auth = clientCredentials(sb.info, BC_RESOURCE);
  bc = new BusinessCentralClient({ http: httpClient(sb.info.businessCentral.apiBase, auth, { fetch: rec.fetch }) });
  companyId = sb.info.businessCentral.companyId;
});
afterAll(async () => sb?.close());

type Customer = { id: string; number: string; displayName: string; lastModifiedDateTime: string; '@odata.etag': string };

describe('BusinessCentralClient against the sandbox', () => {
  it('lists companies and pages 12,000 items via nextLink with maxPageSize', async () => {
    const companies = await bc.companies();
    expect(companies.map((c) => c.id)).toContain(companyId);
    rec.calls.length = 0;
    const ids = new Set<string>();
    let pages = 0;
    const t0 = performance.now();
    for await (const page of bc.list<{ id: string }>(companyId, 'items', { select: ['id', 'number'], maxPageSize: 5000 })) {
      pages++;
      expect(page.length).toBeLessThanOrEqual(5000);
      for (const r of page) ids.add(r.id);
    }
    const ms = performance.now() - t0;
    expect(ids.size).toBeGreaterThanOrEqual(12_000);
    expect(pages).toBe(Math.ceil(ids.size / 5000));
    expect(rec.calls.every((c) => c.headers.Prefer === 'odata.maxpagesize=5000')).toBe(true);
    console.info(`[clients] BC: ${ids.size} items in ${pages} pages in ${Math.round(ms)} ms`);
  });

  it('filters with escaped values', async () => {
    const [first] = await bc.listAll<Customer>(companyId, 'customers', { top: 1, select: ['id', 'number', 'displayName'] });
    const hits = await bc.listAll<Customer>(companyId, 'customers', { filter: filter.eq('number', first!.number) });
    expect(hits.map((h) => h.id)).toEqual([first!.id]);
    expect(await bc.listAll(companyId, 'customers', { filter: filter.eq('displayName', "nobody' or number ne '") })).toEqual([]);
  });

  it('incremental read: listModifiedSince returns exactly the rows written after the checkpoint, oldest first', async () => {
    const all = await bc.listAll<Customer>(companyId, 'customers', { select: ['id', 'lastModifiedDateTime'] });
    const checkpoint = new Date(Math.max(...all.map((c) => Date.parse(c.lastModifiedDateTime))));
    const newId = guid(1, 'bc01');
    const created = await bc.create<Customer>(companyId, 'customers', { displayName: "Ærlig O'Neil AS" }, { id: newId });
    expect(created.id).toBe(newId);
    const target = all[5]!;
    const cur = await bc.get<Customer>(companyId, 'customers', target.id);
    await bc.update(companyId, 'customers', target.id, { displayName: 'Changed after checkpoint' }, { ifMatch: cur['@odata.etag'] });
    const changed: Customer[] = [];
    for await (const p of bc.listModifiedSince<Customer>(companyId, 'customers', checkpoint, { select: ['id', 'lastModifiedDateTime'] })) changed.push(...p);
    expect(changed.map((c) => c.id)).toEqual([newId, target.id]);
    expect(Date.parse(changed[0]!.lastModifiedDateTime)).toBeLessThan(Date.parse(changed[1]!.lastModifiedDateTime));
    await expect(bc.create(companyId, 'customers', { displayName: 'dup' }, { id: newId })).rejects.toSatisfy((e: unknown) => isServiceError(e) && (e.status ?? 0) >= 400);
  });

  it('If-Match: stale etag is a conflict, current etag and * succeed, missing If-Match refused locally', async () => {
    const id = guid(2, 'bc01');
    const c = await bc.create<Customer>(companyId, 'customers', { displayName: 'Etag test' }, { id });
    const etag = c['@odata.etag'];
    const u1 = await bc.update<Customer>(companyId, 'customers', id, { displayName: 'v2' }, { ifMatch: etag });
    expect(u1.displayName).toBe('v2');
    expect(u1['@odata.etag']).not.toBe(etag);
    const stale = await bc.update(companyId, 'customers', id, { displayName: 'v3' }, { ifMatch: etag }).catch((e: unknown) => e);
    expect(isConcurrencyConflict(stale)).toBe(true);
    expect(isServiceError(stale) && stale.code).toBe('Request_EntityChanged');
    await expect(bc.update(companyId, 'customers', id, { displayName: 'v3' }, { ifMatch: '' })).rejects.toThrow(/If-Match/);
    await bc.update(companyId, 'customers', id, { displayName: 'v3' }, { ifMatch: '*' });
    await bc.delete(companyId, 'customers', id, { ifMatch: '*' });
    await expect(bc.get(companyId, 'customers', id)).rejects.toSatisfy((e: unknown) => isServiceError(e) && e.status === 404);
    expect(isAlreadyExists(stale)).toBe(false);
  });

  it('JSON $batch: independent operations, snapshot isolation rolls back, batchAll splits at 100', async () => {
    const a = guid(3, 'bc01');
    const res = await bc.batch([
      { method: 'POST', url: bc.entityUrl(companyId, 'customers'), body: { id: a, displayName: 'Batch A' } },
      { method: 'PATCH', url: bc.entityUrl(companyId, 'customers', guid(99, 'bc01')), body: { displayName: 'x' }, headers: { 'If-Match': '*' } },
      { method: 'GET', url: bc.entityUrl(companyId, 'customers', a) },
    ]);
    expect(res.map((r) => r.status)).toEqual([201, 404, 200]);
    expect(res[2]!.body).toMatchObject({ displayName: 'Batch A' });

    const b = guid(4, 'bc01');
    const iso = await bc.batch([
      { method: 'POST', url: bc.entityUrl(companyId, 'customers'), body: { id: b, displayName: 'Batch B' } },
      { method: 'PATCH', url: bc.entityUrl(companyId, 'customers', guid(99, 'bc01')), body: { displayName: 'x' }, headers: { 'If-Match': '*' } },
    ], { isolation: 'snapshot' });
    expect(iso.map((r) => r.status)).toEqual([424, 404]);
    await expect(bc.get(companyId, 'customers', b)).rejects.toSatisfy((e: unknown) => isServiceError(e) && e.status === 404);

    await expect(bc.batch(Array(101).fill({ method: 'GET', url: 'companies' }))).rejects.toThrow(/at most 100/);
    await expect(bc.batch([{ method: 'PATCH', url: bc.entityUrl(companyId, 'customers', a), body: {} }])).rejects.toThrow(/If-Match/);
    rec.calls.length = 0;
    const many = Array.from({ length: 150 }, (_, i) => ({ method: 'POST' as const, url: bc.entityUrl(companyId, 'customers'), body: { id: guid(1000 + i, 'bc02'), displayName: `Many ${i}` } }));
    const out = await bc.batchAll(many);
    expect(out).toHaveLength(150);
    expect(out.every((r) => r.status === 201)).toBe(true);
    expect(rec.calls.filter((c) => c.url.endsWith('$batch'))).toHaveLength(2);
  });

  it('custom API group d365ic/integration/v1.0 through the same client', async () => {
    const custom = bc.withGroup('d365ic', 'integration', 'v1.0');
    const groups = await custom.listAll(companyId, 'customerPriceGroups', { select: ['code'] });
    expect(Array.isArray(groups)).toBe(true);
    expect(custom.root.endsWith('/api/d365ic/integration/v1.0')).toBe(true);
  });

  it('detects v24 exactly through the automation API', async () => {
    const v = await bc.detectVersion();
    expect(v).toMatchObject({ major: 24, api: 'v2.0', exact: true, version: '24.1.18927.0' });
    // The installed extensions come with it: the Base Application and the console's companion extension.
    expect(v.extensions?.map((e) => e.publisher)).toEqual(expect.arrayContaining(['Microsoft', 'd365ic']));
  });

  it('429s from the service: the limiter backs off and all 30 creates still complete', async () => {
    const limiter = new AdaptiveLimiter({ initial: 2, max: BC_MAX_CONCURRENCY });
    const throttled = new BusinessCentralClient({ http: httpClient(sb.info.businessCentral.apiBase, auth, { maxRetries: 0 }) });
    const bcUrl = new URL(sb.info.businessCentral.apiBase).origin;
    await patchKnobs(bcUrl, { faultRate: 0.08, faultKinds: ['429'], faultSeed: 3, burstLength: 1 });
    try {
      const ids = Array.from({ length: 30 }, (_, i) => guid(2000 + i, 'bc03'));
      const t0 = performance.now();
      const made = await limiter.map(ids, (id) => throttled.create<Customer>(companyId, 'customers', { displayName: `Throttled ${id.slice(-4)}` }, { id }));
      expect(made.map((m) => m.id)).toEqual(ids);
      const s = limiter.stats();
      expect(s.throttles).toBeGreaterThan(0);
      expect(s.maxLimitSeen).toBeLessThanOrEqual(BC_MAX_CONCURRENCY);
      console.info(`[clients] BC 429 run: 30 creates, ${s.throttles} throttles, ${s.decreases} halvings, ${Math.round(performance.now() - t0)} ms`);
    } finally {
      await patchKnobs(bcUrl, { faultRate: 0 });
    }
  });
});

describe('version detection on older servers (on-premises form, Basic auth)', () => {
  const noBearer: Authenticate = () => ({ error: 'invalid_token', description: 'bearer not used in this test' });
  const users = { username: 'bc-integration@nordlys.example', webServiceAccessKey: 'wsk-integration-3b9d7e21a6c4f08e' };

  for (const [version, expected] of [
    [24, { major: 24, api: 'v2.0', exact: true }],
    [16, { major: 16, api: 'v1.0', exact: true }],
    [14, { major: null, api: 'odatav4', exact: false }],
  ] as const) {
    it(`BC ${version} → ${expected.api}`, async () => {
      const svc = await startBusinessCentral({ port: 0, authenticate: noBearer, seed: 'empty', version });
      try {
        const client = new BusinessCentralClient({ http: httpClient(svc.onPremApiBase, basicAuthProvider(svc.url, users)) });
        expect(await client.detectVersion()).toMatchObject(expected);
      } finally {
        await svc.close();
      }
    });
  }

  it('a wrong access key is a 401 that says what to use', async () => {
    const svc = await startBusinessCentral({ port: 0, authenticate: noBearer, seed: 'empty', version: 24 });
    try {
      const client = new BusinessCentralClient({ http: httpClient(svc.onPremApiBase, basicAuthProvider(svc.url, { ...users, webServiceAccessKey: 'wrong' })) });
      await expect(client.companies()).rejects.toThrow(/Web Service Access Key/);
    } finally {
      await svc.close();
    }
  });
});
