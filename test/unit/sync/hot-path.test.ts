import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { readPageSize } from '../../../main/integrations/sales/sync/adapters/bc';
import { CouplingStore, newDataverseId } from '../../../main/integrations/sales/sync/coupling/store';
import { item, itemMapping, world } from './fakes';

const store = () => {
  const { db } = openDatabase(':memory:');
  let t = 1_000;
  return { db, s: new CouplingStore(db, () => t), tick: (ms: number) => void (t += ms) };
};

const plan = (db: ReturnType<typeof store>['db'], sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');

describe('CouplingStore batch forms (sync hot path)', () => {
  it('bySources finds a whole batch like bySource does (BC ids exact, DV ids case-insensitive), across lookup chunks', () => {
    const { s } = store();
    const made = s.insertMany(Array.from({ length: 1500 }, (_, i) => ({ tableId: 27, dvEntity: 'product', bcId: `bc-${i}`, dvId: newDataverseId() })));
    s.insert({ tableId: 18, dvEntity: 'account', bcId: 'bc-7', dvId: newDataverseId() });
    const ids = ['bc-1499', 'missing', 'bc-0', 'bc-1000', 'BC-5'];
    const to = s.bySources('to', 27, ids);
    expect([...to.keys()]).toEqual(['bc-1499', 'bc-0', 'bc-1000']);
    for (const [id, c] of to) expect(c).toEqual(s.bySource('to', 27, id));
    // Another table's coupling of the same BC id is not this table's.
    expect(to.get('bc-7')).toBeUndefined();
    const dvIds = [made[3]!.dvId.toUpperCase(), made[1200]!.dvId];
    const from = s.bySources('from', 27, dvIds);
    expect(from.get(dvIds[0]!)).toEqual(made[3]);
    expect(from.get(dvIds[1]!)).toEqual(s.byDv(27, dvIds[1]!));
    expect(s.bySources('to', 27, [])).toEqual(new Map());
  });

  it('insertMany returns, in input order, exactly what a read-back gives, and refuses a duplicate as a whole', () => {
    const { s, db } = store();
    const rows = [
      { tableId: 27, dvEntity: 'product', bcId: 'b2', dvId: 'AAAAAAAA-0000-7000-8000-000000000002', pending: true },
      { tableId: 27, dvEntity: 'product', bcId: null, dvId: 'aaaaaaaa-0000-7000-8000-000000000001', pending: true, idempotencyKey: '27:x:1' },
      { tableId: 27, dvEntity: 'product', bcId: 'b3', dvId: 'aaaaaaaa-0000-7000-8000-000000000003' },
    ];
    const made = s.insertMany(rows);
    expect(made.map((c) => c.dvId)).toEqual(rows.map((r) => r.dvId.toLowerCase()));
    for (const c of made) expect(c).toEqual(s.byRowId(c.rowId));
    expect(made[1]).toMatchObject({ bcId: null, pending: true, idempotencyKey: '27:x:1', resultTo: '', skipped: false });
    expect(s.insert({ tableId: 27, dvEntity: 'product', bcId: 'b9', dvId: 'aaaaaaaa-0000-7000-8000-000000000009' })).toEqual(s.byBc(27, 'b9'));
    const before = s.count(27);
    expect(() => s.transaction(() => s.insertMany([
      { tableId: 27, dvEntity: 'product', bcId: 'new', dvId: 'aaaaaaaa-0000-7000-8000-00000000000a' },
      { tableId: 27, dvEntity: 'product', bcId: 'b2', dvId: 'aaaaaaaa-0000-7000-8000-00000000000b' },
    ]))).toThrow(/UNIQUE/);
    expect(s.count(27)).toBe(before);
    expect(db.prepare("SELECT COUNT(*) AS n FROM kernel_couplings WHERE integration = 'sales' AND a_id = ?").get('new')).toEqual({ n: 0 });
  });

  it('markSuccessMany writes the same columns as markSuccess, per direction, and leaves other rows alone', () => {
    const { s, tick } = store();
    const [a, b, c, d] = s.insertMany(['a', 'b', 'c', 'd'].map((x) => ({ tableId: 27, dvEntity: 'product', bcId: x, dvId: newDataverseId(), pending: true })));
    s.markFailure(b!.rowId, 'to', 'job-0', 'boom');
    tick(5);
    s.markSuccessMany('to', 'job-1', [{ rowId: a!.rowId, bc: 10, dv: 20 }, { rowId: b!.rowId, bc: 11, dv: 21 }]);
    s.markSuccess(c!.rowId, 'to', 'job-1', { bc: 12, dv: 22 });
    // Row a (batch) and row c (single) differ only in identity and stamps.
    const same = (x: ReturnType<CouplingStore['byRowId']>) => ({ ...x, rowId: 0, bcId: null, dvId: '', bcModifiedOn: 0, dvModifiedOn: 0 });
    expect(same(s.byRowId(a!.rowId))).toEqual(same(s.byRowId(c!.rowId)));
    expect(s.byRowId(a!.rowId)).toMatchObject({ pending: false, resultTo: 'Success', jobTo: 'job-1', bcModifiedOn: 10, dvModifiedOn: 20 });
    expect(s.byRowId(b!.rowId)).toMatchObject({ pending: false, resultTo: 'Success', errorTo: null, jobTo: 'job-1', bcModifiedOn: 11, dvModifiedOn: 21 });
    expect(s.byRowId(d!.rowId)).toMatchObject({ pending: true, resultTo: '', bcModifiedOn: 0 });
    s.markSuccessMany('from', 'job-2', [{ rowId: d!.rowId, bc: 1, dv: 2 }]);
    expect(s.byRowId(d!.rowId)).toMatchObject({ pending: false, resultFrom: 'Success', jobFrom: 'job-2', resultTo: '', jobTo: null });
    expect(s.failedPage('to', 27, 0, 10)).toEqual([]);
  });

  it('markSuccess fills in the BC id of a confirmed BC insert and keeps it otherwise', () => {
    const { s } = store();
    const p = s.insert({ tableId: 18, dvEntity: 'account', bcId: null, dvId: newDataverseId(), pending: true, idempotencyKey: 'k1' });
    s.markSuccess(p.rowId, 'from', 'j', { bc: 3, dv: 4 }, 'bc-new');
    expect(s.byRowId(p.rowId)).toMatchObject({ bcId: 'bc-new', pending: false, resultFrom: 'Success', bcModifiedOn: 3, dvModifiedOn: 4 });
    s.markSuccess(p.rowId, 'from', 'j2', { bc: 5, dv: 6 });
    expect(s.byRowId(p.rowId)).toMatchObject({ bcId: 'bc-new', jobFrom: 'j2', bcModifiedOn: 5 });
  });

  it('failed / skipped / pending / idempotency lookups use the partial indexes (migrations 7 and 8, kept by 12), with keyset paging on the rowid', () => {
    const { s, db } = store();
    const made = s.insertMany(Array.from({ length: 30 }, (_, i) => ({ tableId: 27, dvEntity: 'product', bcId: `b${i}`, dvId: newDataverseId() })));
    for (const c of made.filter((_, i) => i % 3 === 0)) s.markFailure(c.rowId, 'to', 'j', `err ${c.rowId}`);
    s.setSkipped(made[3]!.rowId, true);
    const failed = s.failedPage('to', 27, 0, 4);
    expect(failed.map((c) => c.bcId)).toEqual(['b0', 'b6', 'b9', 'b12']);
    expect(s.failedPage('to', 27, failed[3]!.rowId, 100).map((c) => c.bcId)).toEqual(['b15', 'b18', 'b21', 'b24', 'b27']);
    expect(s.countSkipped(27)).toBe(1);
    expect(plan(db, "SELECT * FROM kernel_couplings WHERE integration = ? AND mapping = ? AND result_to_b = 'Failure' AND skipped = 0 AND id > ? ORDER BY id LIMIT ?", 'sales', '27', 0, 5))
      .toMatch(/USING INDEX kernel_couplings_failed_to_b \(integration=\? AND mapping=\? AND rowid>\?\)/);
    expect(plan(db, 'SELECT * FROM kernel_couplings WHERE skipped = 1 AND integration = ? AND mapping = ? AND id > ? ORDER BY id LIMIT ?', 'sales', '27', 0, 5)).toMatch(/kernel_couplings_skipped/);
    expect(plan(db, "SELECT * FROM kernel_couplings WHERE integration = ? AND mapping = ? AND pending_to = 'a' AND id > ? ORDER BY id LIMIT ?", 'sales', '27', 0, 5))
      .toMatch(/USING INDEX kernel_couplings_pending \(integration=\? AND mapping=\? AND pending_to=\? AND rowid>\?\)$/);
    expect(plan(db, 'SELECT * FROM kernel_couplings WHERE integration = ? AND idempotency_key = ?', 'sales', 'k')).toMatch(/kernel_couplings_idem/);
    // Only the rows the queries look for are in these indexes.
    const def = (name: string) => (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string }).sql;
    expect(def('kernel_couplings_failed_to_b')).toMatch(/WHERE result_to_b = 'Failure' AND skipped = 0$/);
    expect(def('kernel_couplings_failed_to_a')).toMatch(/WHERE result_to_a = 'Failure' AND skipped = 0$/);
    expect(def('kernel_couplings_skipped')).toMatch(/WHERE skipped = 1$/);
    expect(def('kernel_couplings_pending')).toMatch(/WHERE pending_to IS NOT NULL$/);
    expect(def('kernel_couplings_idem')).toMatch(/WHERE idempotency_key IS NOT NULL$/);
    // Idempotency keys stay unique.
    s.insert({ tableId: 18, dvEntity: 'account', bcId: null, dvId: newDataverseId(), idempotencyKey: 'same' });
    expect(() => s.insert({ tableId: 18, dvEntity: 'account', bcId: null, dvId: newDataverseId(), idempotencyKey: 'same' })).toThrow(/UNIQUE/);
  });
});

describe('newDataverseId', () => {
  it('gives valid, unique, strictly increasing version-7 GUIDs, also many within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newDataverseId());
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(ids.filter((id) => !v7.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id, i) => i > 0 && !(id > ids[i - 1]!))).toEqual([]);
    // The leading 48 bits are the creation time (ms), so ids sort by when the engine chose them.
    const ms = parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
  });
});

describe('engine hot path over the batch forms', () => {
  it('sends the write batches of one page together and still couples every record exactly once', async () => {
    const w = world({ pageSize: 10, batchSize: 3, maxInFlight: 1 });
    for (let i = 0; i < 10; i++) w.bc.put('Item', `bc-${i}`, item(`${1000 + i}`, `Item ${i}`));
    const write = w.dv.write.bind(w.dv);
    let inFlight = 0;
    let most = 0;
    w.dv.write = async (entity, ops) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return write(entity, ops);
    };
    const r = await w.engine.runMapping(itemMapping({ direction: 'ToIntegrationTable' }));
    expect(r.to).toMatchObject({ inserted: 10, failed: 0 });
    // One page (maxInFlight 1) of 10 ops in batches of ≤ 3: four write calls, all in flight at once.
    expect(w.dv.writeCalls.map((c) => c.ops.length)).toEqual([3, 3, 3, 1]);
    expect(most).toBe(4);
    const couplings = w.engine.couplings.bySources('to', 27, Array.from({ length: 10 }, (_, i) => `bc-${i}`));
    expect(couplings.size).toBe(10);
    expect([...couplings.values()].every((c) => !c.pending && c.resultTo === 'Success')).toBe(true);
    expect(new Set([...couplings.values()].map((c) => c.dvId))).toEqual(new Set(w.dv.all('products').map((p) => p.id)));
  });
});

describe('BcSide read page size', () => {
  it('reads at least 5,000 rows per request, in whole engine pages, never above BC\'s 20,000', () => {
    expect([500, 3000, 5000, 7000, 20_000, 30_000, 0].map(readPageSize)).toEqual([5000, 6000, 5000, 7000, 20_000, 20_000, 5000]);
  });
});
