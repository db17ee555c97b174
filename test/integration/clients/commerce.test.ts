/**
 * main/clients/commerce against the Commerce HQ (F&O OData) sandbox over real HTTP with identity-sandbox tokens:
 * discovery, cross-company paging, or-chains instead of `in`, escaping, multipart $batch with a failing change set,
 * F&O error bodies and 429 + Retry-After. The throttle window runs on an injected clock the client's sleep advances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommerceClient, CommerceError, isCommerceError } from '../../../main/clients/commerce';
import { HttpClient } from '../../../main/http/client';
import type { FetchLike, TokenProvider } from '../../../main/http/client';
import { filter } from '../../../main/clients/odata';
import { COMMERCE_STORES } from '../../../main/sandbox/commerce-teams-personas';
import { APP, startCommerce } from '../sandbox-commerce/helpers';
import type { Harness } from '../sandbox-commerce/helpers';

let h: Harness;
let c: CommerceClient;
let calls: string[];

function client(harness: Harness, o: { sleep?: (ms: number) => Promise<void>; orChunk?: number } = {}): { c: CommerceClient; calls: string[] } {
  const seen: string[] = [];
  const auth: TokenProvider = { authorization: async () => `Bearer ${await harness.appToken()}` };
  const fetch: FetchLike = (url, init) => {
    seen.push(`${init.method} ${decodeURIComponent(url.slice(harness.url.length))}`);
    return globalThis.fetch(url, init);
  };
  const sleep = o.sleep ?? (async () => { throw new Error('unexpected wait'); });
  const http = new HttpClient({ baseUrl: harness.url, auth, fetch, sleep, timeoutMs: 30_000 });
  return { c: new CommerceClient({ http, auth, sleep, ...(o.orChunk ? { orChunk: o.orChunk } : {}) }), calls: seen };
}

beforeAll(async () => {
  h = await startCommerce({ pageSize: 25 });
  ({ c, calls } = client(h, { orChunk: 10 }));
});
afterAll(() => h.close());

async function caught(p: Promise<unknown>): Promise<CommerceError> {
  const x = await p.then(() => null, (e: unknown) => e);
  if (!isCommerceError(x)) throw new Error(`expected a CommerceError, got ${String(x)}`);
  return x;
}

describe('discovery', () => {
  it('finds public collection names in /Metadata/DataEntities by entity name and by label, and says when one is not on OData', async () => {
    expect(await c.collectionFor('RetailChannelWorkerEntity')).toBe('RetailChannelWorkers');
    expect(await c.collectionFor('RetailStores')).toBe('RetailStores');
    expect(await c.collectionFor('Teams mapping between source and team', { byLabel: true })).toBe('RetailTeamsSourceTeamMappings');
    expect(await c.collectionFor('RetailChannelEmployeeAddressBookEntity')).toBeNull();
    expect(await c.collectionFor('NoSuchEntity')).toBeNull();
    const before = calls.filter((x) => x.startsWith('GET /Metadata/DataEntities')).length;
    await c.collectionFor('Workers');
    expect(calls.filter((x) => x.startsWith('GET /Metadata/DataEntities')).length).toBe(before);
  });

  it('reads $metadata (CSDL) and the first company', async () => {
    expect(await c.metadata()).toContain('<EntitySet Name="SystemUsers"');
    expect(await c.firstCompany()).toMatchObject({ DataArea: expect.any(String) });
  });
});

describe('reads', () => {
  it('pages every store across companies via @odata.nextLink; without cross-company only the default company', async () => {
    calls.length = 0;
    const stores = await c.list<{ StoreNumber: string; dataAreaId: string }>('RetailStores', { select: ['StoreNumber', 'dataAreaId'] });
    expect(stores).toHaveLength(COMMERCE_STORES.length);
    expect(new Set(stores.map((s) => s.dataAreaId))).toEqual(new Set(['nrno', 'nrnl', 'nrfi']));
    expect(calls.filter((x) => x.startsWith('GET /data/RetailStores'))).toHaveLength(2);
    expect(calls[0]).toContain('cross-company=true');
    const local = await c.list<{ dataAreaId: string }>('RetailStores', { crossCompany: false, select: ['dataAreaId'] });
    expect(new Set(local.map((s) => s.dataAreaId))).toEqual(new Set(['nrno']));
    expect(await c.count('RetailStores')).toBe(COMMERCE_STORES.length);
    expect(await c.list('RetailStores', { top: 3, select: ['StoreNumber'] })).toHaveLength(3);
  });

  it('filters by a list with chunked or-chains (F&O has no `in`) and escapes quotes', async () => {
    calls.length = 0;
    const numbers = COMMERCE_STORES.slice(0, 23).map((s) => s.storeNumber);
    const rows = await c.listWhereIn<{ StoreNumber: string }>('RetailStores', 'StoreNumber', numbers, { select: ['StoreNumber'] });
    expect(rows.map((r) => r.StoreNumber).sort()).toEqual([...numbers].sort());
    const reads = calls.filter((x) => x.startsWith('GET /data/RetailStores'));
    expect(reads).toHaveLength(3);
    expect(reads.join(' ')).not.toMatch(/ in \(/);
    expect(await c.list('Workers', { filter: filter.eq('Name', "O'Brien") })).toEqual([]);
  });

  it('maps F&O errors (empty code, lower-case innererror) to readable messages', async () => {
    const e = await caught(c.list('retailstores'));
    expect(e.status).toBe(404);
    expect(e.code).toBe('HTTP_404');
    expect(e.serviceMessage).not.toBe('An error has occurred.');
    const bad = await caught(c.list('RetailStores', { filter: "StoreNumber in ('001001')" }));
    expect(bad.status).toBe(400);
    expect(bad.serviceMessage.length).toBeGreaterThan(10);
  });
});

describe('$batch', () => {
  it('commits a change set and answers a GET outside it, per operation', async () => {
    const res = await c.batch([
      { changeSet: [
        { method: 'POST', url: 'RetailTaskLists', body: { TaskListId: 'TL-C1', Name: 'Client list' } },
        { method: 'POST', url: 'RetailTaskListTasks', body: { TaskListId: 'TL-C1', TaskId: 'T1', Name: 'Client task', DueDateOffsetDays: 1 } },
      ] },
      { method: 'GET', url: "RetailTaskListTasks?$filter=TaskListId%20eq%20'TL-C1'" },
    ]);
    expect(res.map((r) => [r.item, r.index, r.status, r.applied])).toEqual([[0, 0, 201, true], [0, 1, 201, true], [1, 0, 200, true]]);
    expect((res[2]!.body as { value: { Name: string }[] }).value.map((v) => v.Name)).toEqual(['Client task']);
  });

  it('outer 200 with a failing change set: every operation reported as not applied, the failing one with the Infolog text', async () => {
    const res = await c.batch([
      { changeSet: [
        { method: 'POST', url: 'RetailTaskLists', body: { TaskListId: 'TL-C2', Name: 'Never committed' } },
        { method: 'POST', url: 'RetailTaskLists', body: { TaskListId: 'TL-OPEN', Name: 'Duplicate key' } },
      ] },
    ]);
    expect(res.every((r) => !r.applied && !r.ok)).toBe(true);
    const failing = res.find((r) => r.status >= 500)!;
    expect(failing.error).toBeInstanceOf(CommerceError);
    expect(failing.error!.serviceMessage).toMatch(/Write failed for table row|already exists/);
    expect(failing.error!.code).toBe('HTTP_500');
    expect(res.filter((r) => r.status === 424)).toHaveLength(1);
    expect(await c.list('RetailTaskLists', { filter: filter.eq('TaskListId', 'TL-C2') })).toEqual([]);
  });
});

describe('throttling', () => {
  it('waits Retry-After on 429 and then gets the page; a caller that cannot wait that long gets THROTTLED', async () => {
    let now = Date.parse('2026-12-07T08:00:00Z');
    const th = await startCommerce({ clock: () => now, throttle: { windowSeconds: 60, requestsPerWindow: { Low: 2, Medium: 2, High: 100 } }, priorities: { [APP.clientId]: 'Low' } }, h.identity);
    try {
      const waits: number[] = [];
      const { c: tc } = client(th, { sleep: async (ms) => { waits.push(ms); now += ms; } });
      await tc.firstCompany();
      await tc.firstCompany();
      expect(await tc.firstCompany()).toBeTruthy();
      expect(waits).toEqual([60_000]);
      // The raw ($batch) path honours it too.
      await tc.firstCompany();
      const res = await tc.batch([{ method: 'GET', url: 'Companies?$top=1' }]);
      expect(res[0]!.status).toBe(200);
      expect(waits.length).toBe(2);
      const impatient = new CommerceClient({ http: new HttpClient({ baseUrl: th.url, auth: { authorization: async () => `Bearer ${await th.appToken()}` }, maxRetryAfterMs: 1000 }) });
      await impatient.firstCompany().catch(() => null);
      const e = await caught(impatient.firstCompany());
      expect(e.status).toBe(429);
      expect(e.code).toBe('THROTTLED');
      expect(e.details.retryAfterMs).toBeGreaterThan(1000);
    } finally {
      await th.close();
    }
  });
});
