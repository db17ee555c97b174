/**
 * Issue 17: an incremental run must cost O(changed), never O(table). Two guards against the causes found:
 * 1. The same change on a table ten times larger sends exactly the same requests (the Dataverse reads by id are
 *    `In(…)` queries, one request each per ≤ 200 ids, not $batches whose every inner GET counts against the
 *    6,000 requests / 300 s service-protection limit).
 * 2. The SQL behind those reads (Dataverse sandbox: id filter, modified-since selection; BC sandbox: the
 *    lastModifiedDateTime selection and reads by id; the coupling store's batch statements and the engine's search for
 *    pending creates at the start of every run) is answered from an index: EXPLAIN QUERY PLAN shows an index search,
 *    no scan of the table, no open range over all of its rows and no sort of it.
 */
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { startSandbox, type Sandbox } from '../../../main/sandbox/index';
import { adapterMappings, type ConnectedSides, connectSandbox } from '../../../main/integrations/sales/sync/adapters/connect';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import { tempDir } from '../../support/app';

const tmp = tempDir('d365ic-sync-scaling-');
const item = adapterMappings().find((m) => m.name === 'ITEM-PRODUCT')!;
const CHANGED = 25;

interface World { sb: Sandbox; c: ConnectedSides; engine: SyncEngine; requests: string[] }
const worlds: World[] = [];

async function world(records: number): Promise<World> {
  const sb = await startSandbox({ port: 0, seed: 'bench', records });
  const requests: string[] = [];
  const dv = sb.info.dataverse.apiBase;
  const bc = sb.info.businessCentral.apiBase;
  const c = await connectSandbox(sb.info, {
    retryBaseMs: 20,
    fetch: (url, init) => {
      const u = String(url);
      // Method and path only (ids and filters differ between the two runs).
      if (u.startsWith(dv) || u.startsWith(bc)) requests.push(`${u.startsWith(dv) ? 'dv' : 'bc'} ${init?.method ?? 'GET'} ${u.slice((u.startsWith(dv) ? dv : bc).length).split('?')[0]}`);
      return fetch(url, init);
    },
  });
  const { db } = openDatabase(`${tmp.dir}/w${records}.sqlite`);
  const engine = new SyncEngine(db, c.sides, { now: () => Date.now() }, { pageSize: 3000, batchSize: 1000, maxInFlight: 2, integrationUserId: c.integrationUserId, retryDelayMs: 20 });
  const w = { sb, c, engine, requests };
  worlds.push(w);
  return w;
}

/** Initial sync, then CHANGED items modified in BC, then the incremental run: its requests (method + path, sorted). */
async function incrementalRequests(w: World): Promise<string[]> {
  const r1 = await w.engine.runMapping(item, { only: 'to', ignoreSynchOnlyCoupled: true });
  expect(r1.to?.failed).toBe(0);
  expect(w.sb.businessCentral.store.touchEvery('items', w.sb.info.businessCentral.companyId, 'displayName', 10, CHANGED)).toBe(CHANGED);
  w.requests.length = 0;
  const r2 = await w.engine.runMapping(item, { only: 'to' });
  expect(r2.to?.modified).toBe(CHANGED);
  expect(r2.to?.failed).toBe(0);
  return [...w.requests].sort();
}

beforeAll(async () => {
  await Promise.all([world(300), world(3000)]);
}, 60_000);
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.sb.close()));
  tmp.cleanup();
});

describe('incremental sync scales with the change, not the table', () => {
  it('sends the same requests for the same change on a table ten times larger, and no per-record reads', async () => {
    const small = await incrementalRequests(worlds[0]!);
    const large = await incrementalRequests(worlds[1]!);
    expect(large).toEqual(small);
    // 25 changed products: one In(…) read and one UpdateMultiple on Dataverse, no $batch of GETs.
    expect(small.filter((r) => r.startsWith('dv GET /products'))).toHaveLength(1);
    expect(small.filter((r) => r.startsWith('dv POST'))).toEqual(['dv POST /products/Microsoft.Dynamics.CRM.UpdateMultiple']);
    expect(small.length).toBeLessThanOrEqual(8);
  }, 90_000);

  it('answers the Dataverse id filter and modified-since selection from indexes (EXPLAIN QUERY PLAN)', async () => {
    const { sb, c } = worlds[1]!;
    const store = sb.dataverse.core.store;
    const seen: { sql: string; params: unknown[] }[] = [];
    const all = store.all.bind(store);
    store.all = (sql, params) => (seen.push({ sql, params }), all(sql, params));
    try {
      const first = (await c.dataverse.queryModified('products', { filter: { conditions: [] } as never, since: null, pageSize: 5000 })[Symbol.asyncIterator]().next()).value as Row[];
      const some = first.slice(0, 5);
      expect(await c.dataverse.getByIds('products', some.map((r) => r.id))).toHaveLength(5);
      const since = Math.max(...some.map((r) => r.modifiedOn)) - 2000;
      for await (const page of c.dataverse.queryModified('products', { filter: { conditions: [] } as never, since, pageSize: 5000 })) expect(page.length).toBeGreaterThan(0);
    } finally {
      store.all = all;
    }
    const byId = seen.filter((q) => /\(id IN \(/.test(q.sql));
    const bySince = seen.filter((q) => q.sql.includes("json_extract(data,'$.modifiedon') >"));
    expect(byId.length).toBeGreaterThan(0);
    expect(bySince.length).toBeGreaterThan(0);
    for (const q of byId) expect(plan(store.db, q.sql, q.params)).toMatch(/SEARCH dv_rows USING INDEX sqlite_autoindex_dv_rows_1 \(entity=\? AND id=\?\)/);
    for (const q of bySince) {
      const p = plan(store.db, q.sql, q.params);
      expect(p).toMatch(/SEARCH dv_rows USING INDEX dv_rows_modifiedon \(entity=\? AND <expr>>\?\)/);
      expect(p).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('answers the BC lastModifiedDateTime selection from the (tbl, company, modified) index', async () => {
    const { sb, c } = worlds[1]!;
    const store = sb.businessCentral.store;
    const db = store.db;
    const seen: string[] = [];
    // BcStore prepares each SQL text once (its private stmt cache): record every text it runs.
    const cache = store as unknown as { stmt: (sql: string) => Database.Statement };
    const stmt = cache.stmt.bind(store);
    cache.stmt = (sql: string) => (seen.push(sql), stmt(sql));
    try {
      const ids: string[] = [];
      for await (const page of c.bc.queryModified('Item', { filter: { conditions: [] } as never, since: 0, pageSize: 3000 })) ids.push(...page.map((r) => r.id));
      // The DV → BC pass reads coupled BC rows by id (OR-chains of 50 ids per request).
      expect(await c.bc.getByIds('Item', ids.slice(0, 60))).toHaveLength(Math.min(60, ids.length));
    } finally {
      cache.stmt = stmt;
    }
    const selects = seen.filter((s) => /FROM rec WHERE/.test(s) && /\(modified > \?\)/.test(s));
    expect(selects.length).toBeGreaterThan(0);
    for (const sql of selects) {
      const p = plan(db, sql, null);
      expect(p).toMatch(/SEARCH rec USING INDEX rec_mod \(tbl=\? AND company=\? AND modified>\?\)/);
      expect(p).not.toMatch(/TEMP B-TREE/);
    }
    const byId = seen.filter((s) => /FROM rec (INDEXED BY rec_id )?WHERE/.test(s) && /\(id IN \(\?/.test(s));
    expect(byId.length).toBeGreaterThan(0);
    for (const sql of byId) {
      const p = plan(db, sql, null);
      expect(p).toMatch(/SEARCH rec USING INDEX rec_id \(tbl=\? AND id=\?\)/);
      expect(p).not.toMatch(/SCAN rec/);
    }
  });

  it('reads an initial selection in SystemId order, from the rec_id index without a sort (new couplings append to the BC-id index)', async () => {
    const { sb, c } = worlds[1]!;
    const store = sb.businessCentral.store;
    const seen: string[] = [];
    const cache = store as unknown as { stmt: (sql: string) => Database.Statement };
    const stmt = cache.stmt.bind(store);
    cache.stmt = (sql: string) => (seen.push(sql), stmt(sql));
    const ids: string[] = [];
    try {
      for await (const page of c.bc.queryModified('Item', { filter: { conditions: [] } as never, since: null, pageSize: 1000 })) ids.push(...page.map((r) => r.id));
    } finally {
      cache.stmt = stmt;
    }
    // Every item, ascending: the engine's coupling inserts of an initial run land at the right edge of the index
    // (in modified order the random SystemIds made every insert touch a cold page: issue 17's million-record cause).
    expect(ids.length).toBeGreaterThanOrEqual(3000);
    expect(ids).toEqual([...ids].sort());
    const selects = seen.filter((s) => /FROM rec WHERE/.test(s) && /ORDER BY id/.test(s));
    expect(selects.length).toBeGreaterThan(0);
    for (const sql of selects) {
      const p = plan(store.db, sql, null);
      expect(p).toMatch(/USING INDEX rec_id/);
      expect(p).not.toMatch(/TEMP B-TREE|SCAN rec\b(?! USING)/);
    }
  });

  it('looks couplings up and marks them synced through indexes only', () => {
    const { db } = openDatabase(`${tmp.dir}/plans.sqlite`);
    const seen: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => (seen.push(sql), prepare(sql))) as typeof db.prepare;
    new CouplingStore(db);
    // The engine's own statements (watermarks, pending creates finished at the start of every run).
    new SyncEngine(db, {} as never, { now: () => Date.now() });
    db.prepare = prepare;
    // (The confirmed-couplings page of the statistics job walks a table's couplings on purpose, keyset on a_id.)
    const hot = seen.filter((s) => /json_each|WHERE (table_id|id|mapping|integration) = \?/.test(s) && !/a_id > \?/.test(s));
    expect(hot.length).toBeGreaterThan(10);
    for (const sql of hot) {
      const p = plan(db as unknown as Database.Database, sql, null);
      // json_each is the batch's own id list; every coupling access must be an index search, and not an open
      // range over all of a table's couplings (`a_id>?` / `b_id>?` is every coupled row).
      expect(p, sql).not.toMatch(/SCAN kernel_couplings/);
      expect(p, sql).not.toMatch(/mapping=\? AND [ab]_id>\?\)/);
      // A batch update probes the primary key per id of the batch, never an index of the whole integration.
      if (/json_each/.test(sql) && /^UPDATE/.test(sql)) expect(p, sql).toMatch(/SEARCH kernel_couplings USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    }
    // (Prepared once per store: by the store made here and by the engine's own.)
    const pending = [...new Set(hot.filter((s) => /pending_to = '[ab]'/.test(s)))];
    expect(pending).toHaveLength(2);
    for (const sql of pending) expect(plan(db as unknown as Database.Database, sql, null)).toMatch(/USING INDEX kernel_couplings_pending \(integration=\? AND mapping=\? AND pending_to=\? AND rowid>\?\)/);
  });
});

/** EXPLAIN QUERY PLAN of a statement, details joined by newlines; missing parameters are bound as NULL. */
function plan(db: Database.Database, sql: string, params: unknown[] | null): string {
  const st = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const args = params ?? new Array<unknown>(countParams(sql)).fill(null);
  return (st.all(...args) as { detail: string }[]).map((r) => r.detail).join('\n');
}

function countParams(sql: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    else if (ch === '?' && !quoted) n++;
  }
  return n;
}
