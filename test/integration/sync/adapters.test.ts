/**
 * The HTTP side adapters against the real sandbox (small N): BC → Dataverse initial sync with bulk writes, an
 * incremental run, idempotent creates on both sides (a replayed insert never makes a second record) and a run with
 * sandbox faults on that still converges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { startSandbox, type Sandbox } from '../../../main/sandbox/index';
import { adapterMappings, type ConnectedSides, connectSandbox } from '../../../main/integrations/sales/sync/adapters/connect';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import { tempDir } from '../../support/app';

const N = 200;
const tmp = tempDir('d365ic-sync-adapters-');
let sb: Sandbox;
let c: ConnectedSides;
const mappings = adapterMappings();
const item = mappings.find((m) => m.name === 'ITEM-PRODUCT')!;
const customer = mappings.find((m) => m.name === 'CUSTOMER')!;

async function allRows(side: ConnectedSides['dataverse'] | ConnectedSides['bc'], entity: string) {
  const out = [];
  for await (const p of side.queryModified(entity, { filter: { conditions: [] } as never, since: null, pageSize: 5000 })) out.push(...p);
  return out;
}

function engine(file: string): SyncEngine {
  const { db } = openDatabase(file);
  return new SyncEngine(db, c.sides, { now: () => Date.now() }, { pageSize: 5000, batchSize: 1000, maxInFlight: 4, integrationUserId: c.integrationUserId, retryDelayMs: 50 });
}

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 'bench', records: N });
  c = await connectSandbox(sb.info, { retryBaseMs: 20 });
}, 30_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

describe('HTTP side adapters', () => {
  it('maps BC items and customers to Dataverse products and accounts in bulk, then syncs only what changed', async () => {
    const e = engine(`${tmp.dir}/a.sqlite`);
    // Initial sync creates uncoupled records (as a full sync does: the mappings have Synch. Only Coupled Records).
    const r1 = await e.runMapping(item, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(e.log.errors(r1.to!.id)).toEqual([]);
    const bcItems = await allRows(c.bc, 'Item');
    expect(bcItems).toHaveLength(N);
    const unblocked = bcItems.filter((r) => r.values.Blocked === false);
    expect(r1.to?.inserted).toBe(unblocked.length);
    const products = await allRows(c.dataverse, 'products');
    expect(products).toHaveLength(unblocked.length);
    const byNo = new Map(products.map((p) => [p.values.productnumber, p]));
    for (const i of unblocked) {
      const p = byNo.get(i.values['No.'])!;
      expect(p.values.name).toBe(i.values.Description);
      expect(p.values.price).toBe(i.values['Unit Price']);
    }
    // Bulk: far fewer write requests than records.
    expect(c.dataverse.stats.bulkRequests).toBeLessThanOrEqual(Math.ceil(unblocked.length / 1000) + 1);

    const rc = await e.runMapping(customer, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(e.log.errors(rc.to!.id)).toEqual([]);
    const accounts = await allRows(c.dataverse, 'accounts');
    const bcCustomers = (await allRows(c.bc, 'Customer')).filter((r) => r.values.Blocked === ' ');
    expect(rc.to?.inserted).toBe(bcCustomers.length);
    expect(accounts.filter((a) => bcCustomers.some((b) => b.values.Name === a.values.name))).toHaveLength(bcCustomers.length);

    // Change 3 items in BC: the incremental run modifies exactly those.
    const changed = unblocked.slice(0, 3);
    const bcClient = (c.bc as unknown as { v2: { update: (...a: unknown[]) => Promise<unknown> } }).v2;
    for (const [k, r] of changed.entries()) await bcClient.update(sb.info.businessCentral.companyId, 'items', r.id, { displayName: `Changed ${k}` }, { ifMatch: '*' });
    const r2 = await e.runMapping(item, { only: 'to' });
    expect(e.log.errors(r2.to!.id)).toEqual([]);
    expect(r2.to?.modified).toBe(3);
    expect(r2.to?.inserted).toBe(0);
    const after = new Map((await allRows(c.dataverse, 'products')).map((p) => [p.values.productnumber, p.values.name]));
    changed.forEach((r, k) => expect(after.get(r.values['No.'])).toBe(`Changed ${k}`));
  }, 30_000);

  it('a replayed Dataverse create upserts on the chosen id instead of inserting twice', async () => {
    const id = '7b0e3c1a-0000-4000-8000-000000000001';
    const op = { kind: 'insert' as const, id, values: { name: 'Replay', productnumber: 'REPLAY-1' }, idempotencyKey: 'k1', validate: [], template: null };
    const [a] = await c.dataverse.write('products', [op]);
    const [b] = await c.dataverse.write('products', [{ ...op, values: { name: 'Replay 2', productnumber: 'REPLAY-1' } }]);
    expect(a).toMatchObject({ ok: true, id });
    expect(b).toMatchObject({ ok: true, id });
    const rows = (await allRows(c.dataverse, 'products')).filter((r) => r.values.productnumber === 'REPLAY-1');
    expect(rows.map((r) => r.values.name)).toEqual(['Replay 2']);
  });

  it('a replayed BC insert (same idempotency key) finds the record created before and updates it', async () => {
    const op = { kind: 'insert' as const, id: null, values: { 'No.': 'IDEM-1', Description: 'First', 'Unit Volume': 2 }, idempotencyKey: 'dv:abc', validate: [], template: null };
    const [a] = await c.bc.write('Item', [op]);
    expect(a).toMatchObject({ ok: true, id: c.bc.insertId('dv:abc') });
    const [b] = await c.bc.write('Item', [{ ...op, values: { 'No.': 'IDEM-1', Description: 'Second', 'Unit Volume': 3 } }]);
    expect(b).toMatchObject({ ok: true, id: c.bc.insertId('dv:abc') });
    expect(c.bc.stats.replayedInserts).toBe(1);
    const rows = (await allRows(c.bc, 'Item')).filter((r) => r.values['No.'] === 'IDEM-1');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.values).toMatchObject({ Description: 'Second', 'Unit Volume': 3 });
    // A different key clashing on No. is a real failure with a message, not a silent "already created".
    const [clash] = await c.bc.write('Item', [{ ...op, idempotencyKey: 'dv:other' }]);
    expect(clash).toMatchObject({ ok: false });
  });

  it('one bad row in a bulk chunk fails alone; the rest are written', async () => {
    const ops = Array.from({ length: 8 }, (_, i) => ({
      kind: 'insert' as const, id: `7b0e3c1a-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`,
      values: { name: `Bulk ${i}`, productnumber: `BULK-${i}`, ...(i === 5 ? { name: 'x'.repeat(500) } : {}) }, idempotencyKey: `b${i}`, validate: [], template: null,
    }));
    const res = await c.dataverse.write('products', ops);
    expect(res.filter((r) => !r.ok)).toHaveLength(1);
    expect(res[5]!.ok).toBe(false);
    expect(c.dataverse.stats.bisections).toBeGreaterThan(0);
  });
});
