import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusinessCentralService } from '../../../main/sandbox/bc';
import type { Res, Wire } from './helpers';
import { client, startBc } from './helpers';

let bc: BusinessCentralService;
let base: string;
const call = client('pager');

beforeAll(async () => {
  // 25,000 items: more than one default page (20,000) so both server-driven and client-shrunk paging are exercised.
  bc = await startBc({ seed: 'bench', records: 25_000, seedValue: 2 });
  base = `${bc.apiBase}/companies(${bc.companyId})`;
});
afterAll(() => bc.close());

async function readAll(url: string, pageSize?: number, onPage?: (n: number) => Promise<void>) {
  const ids: string[] = [];
  let next: string | undefined = url;
  let pages = 0;
  while (next) {
    const r: Res = await call('GET', next, undefined, pageSize ? { Prefer: `odata.maxpagesize=${pageSize}` } : {});
    expect(r.status).toBe(200);
    if (pageSize) expect(r.headers.get('preference-applied')).toBe(`odata.maxpagesize=${Math.min(pageSize, 20000)}`);
    ids.push(...r.body.value.map((x: Wire) => x.id));
    next = r.body['@odata.nextLink'];
    pages++;
    if (onPage) await onPage(pages);
  }
  return { ids, pages };
}

describe('server-driven paging', () => {
  it('pages 25,000 items at the default 20,000 cap', async () => {
    const { ids, pages } = await readAll(`${base}/items?$select=id`);
    expect(pages).toBe(2);
    expect(new Set(ids).size).toBe(25_000);
  });

  it('honours Prefer odata.maxpagesize and caps it at 20,000', async () => {
    const { ids, pages } = await readAll(`${base}/items?$select=id`, 7000);
    expect(pages).toBe(4);
    expect(new Set(ids).size).toBe(25_000);
    const capped = await call('GET', `${base}/items?$select=id`, undefined, { Prefer: 'odata.maxpagesize=50000' });
    expect(capped.body.value).toHaveLength(20_000);
  });

  it('keeps nextLink stable under concurrent inserts, updates and deletes (no row of the original set lost or repeated)', async () => {
    const before = new Set((await readAll(`${base}/items?$select=id&$orderby=number`, 20000)).ids);
    const deleted = new Set<string>();
    const { ids } = await readAll(`${base}/items?$select=id,number&$orderby=number`, 6000, async (page) => {
      // Between pages: add rows at both ends of the order, touch a row, delete a row far ahead.
      await call('POST', `${base}/items`, { number: `A-${page}`, displayName: 'early' });
      await call('POST', `${base}/items`, { number: `Z-${page}`, displayName: 'late' });
      const ahead = await call('GET', `${base}/items?$orderby=number desc&$top=1&$skip=${page * 10}&$select=id`);
      const victim = ahead.body.value[0];
      const del = await call('DELETE', `${base}/items(${victim.id})`, undefined, { 'If-Match': '*' });
      expect(del.status).toBe(204);
      deleted.add(victim.id);
    });
    const seen = new Set(ids);
    expect(seen.size).toBe(ids.length);
    const lost = [...before].filter((id) => !deleted.has(id) && !seen.has(id));
    expect(lost).toEqual([]);
    expect(deleted.size).toBeGreaterThan(0);
  });

  it('combines $top with paging and $count', async () => {
    const r = await call('GET', `${base}/customers?$top=2500&$count=true&$select=id`, undefined, { Prefer: 'odata.maxpagesize=1000' });
    expect(r.body['@odata.count']).toBe(5000);
    let n = r.body.value.length;
    let next = r.body['@odata.nextLink'];
    while (next) {
      const p = await call('GET', next, undefined, { Prefer: 'odata.maxpagesize=1000' });
      n += p.body.value.length;
      next = p.body['@odata.nextLink'];
    }
    expect(n).toBe(2500);
  });

  it('rejects a tampered $skiptoken', async () => {
    const r = await call('GET', `${base}/items?$skiptoken=not-a-token`);
    expect(r.status).toBe(400);
  });
});
