import { describe, expect, it } from 'vitest';
import { combineRules, setIfChanged, type MappingRules, type WrittenRecord } from '../../../main/integrations/sales/sync/engine/hooks';
import { item, itemMapping, world } from './fakes';

const m = () => itemMapping({ direction: 'ToIntegrationTable' });

describe('domain-rule hooks', () => {
  it('prepare adds values on insert and only differing values on modify; beforeBatch sees each batch once', async () => {
    const batches: number[] = [];
    const rules: MappingRules = {
      beforeBatch: async (_m, _d, rows) => void batches.push(rows.length),
      prepare: (ctx, values) => {
        setIfChanged(values, ctx.dest, 'pricelevelid', 'AAAA-list');
        return null;
      },
    };
    const w = world({ rules: () => rules });
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle', 100));
    w.bc.put('Item', 'bc-2', item('1001', 'Helmet', 20));
    await w.engine.runMapping(m());
    expect(w.dv.all('products').map((r) => r.values.pricelevelid)).toEqual(['AAAA-list', 'AAAA-list']);
    expect(batches).toEqual([2]);
    w.bc.edit('Item', 'bc-1', { 'Unit Price': 120 });
    w.dv.writeCalls.length = 0;
    await w.engine.runMapping(m());
    // Same list (compared case-insensitively): not written again.
    expect(w.dv.writeCalls[0]!.ops).toMatchObject([{ kind: 'update', values: { price: 120 } }]);
  });

  it('a prepare error fails the record with that message and creates nothing', async () => {
    const w = world({ rules: () => ({ prepare: (ctx) => (ctx.source.values['No.'] === '1001' ? 'Salesperson/Purchaser JO must be coupled to a record.' : null) }) });
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle'));
    w.bc.put('Item', 'bc-2', item('1001', 'Helmet'));
    const r = await w.engine.runMapping(m());
    expect(r.to).toMatchObject({ inserted: 1, failed: 1 });
    expect(w.dv.all('products')).toHaveLength(1);
    expect(w.engine.log.errors(r.to!.id).map((e) => e.message)).toEqual(['Salesperson/Purchaser JO must be coupled to a record.']);
  });

  it('afterWrite gets the destination ids; a follow-up failure fails the record and it is handed back on the next run until it succeeds', async () => {
    const seen: WrittenRecord['kind'][][] = [];
    let failNext = true;
    const w = world({
      rules: () => ({
        afterWrite: async (_m, _d, recs) => {
          seen.push(recs.map((r) => r.kind));
          expect(recs.every((r) => w.dv.all('products').some((p) => p.id === r.destId))).toBe(true);
          const out = new Map<number, string>();
          if (failNext) recs.forEach((_, i) => out.set(i, 'Price list line could not be written.'));
          return out;
        },
      }),
    });
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle'));
    const r1 = await w.engine.runMapping(m());
    expect(r1.to).toMatchObject({ inserted: 0, failed: 1 });
    // The product exists and is coupled (not pending): the retry must not create a second one.
    expect(w.dv.all('products')).toHaveLength(1);
    expect(w.engine.couplings.byBc(27, 'bc-1')).toMatchObject({ pending: false, resultTo: 'Failure' });
    failNext = false;
    const r2 = await w.engine.runMapping(m());
    expect(r2.to).toMatchObject({ unchanged: 1, failed: 0 });
    expect(seen).toEqual([['insert'], ['retry']]);
    expect(w.engine.couplings.byBc(27, 'bc-1')).toMatchObject({ resultTo: 'Success' });
    // Once it succeeded, an unchanged record is not handed back again.
    await w.engine.runMapping(m());
    expect(seen).toHaveLength(2);
    expect(w.dv.all('products')).toHaveLength(1);
  });

  it('a throwing afterWrite fails its batch without killing the run; progress is reported per batch and at the end', async () => {
    const progress: { done: boolean; inserted: number; failed: number }[] = [];
    const w = world({
      batchSize: 1, pageSize: 1,
      rules: () => ({ afterWrite: async () => { throw new Error('boom: service unavailable'); } }),
      onProgress: (p) => progress.push({ done: p.done, inserted: p.counters.inserted, failed: p.counters.failed }),
    });
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle'));
    w.bc.put('Item', 'bc-2', item('1001', 'Helmet'));
    const r = await w.engine.runMapping(m());
    expect(r.to).toMatchObject({ failed: 2 });
    expect(progress.at(-1)).toEqual({ done: true, inserted: 0, failed: 2 });
    expect(progress.filter((x) => !x.done).length).toBeGreaterThanOrEqual(2);
  });

  it('combineRules runs parts in order: first prepare error wins, afterWrite failures merge', async () => {
    const a: MappingRules = { prepare: (_c, v) => { v.a = 1; return null; }, afterWrite: async () => new Map([[0, 'a failed']]) };
    const b: MappingRules = { prepare: (_c, v) => (v.a === 1 ? 'b refuses' : null), afterWrite: async () => new Map([[0, 'b failed'], [1, 'b failed']]) };
    const both = combineRules(a, null, b)!;
    const values: Record<string, unknown> = {};
    expect(await both.prepare!({ mapping: m(), dir: 'to', source: { id: 'x', modifiedOn: 0, values: {} }, dest: null, coupling: null, force: false }, values)).toBe('b refuses');
    const res = await both.afterWrite!(m(), 'to', []);
    expect([...res]).toEqual([[0, 'a failed'], [1, 'b failed']]);
    expect(combineRules(null, undefined)).toBeNull();
    expect(combineRules(a)).toBe(a);
  });
});

describe('domain-rule hooks: implicit matches and follow-up stamps', () => {
  it('a record coupled by an implicit match with nothing to write still gets its follow-up once', async () => {
    const kinds: WrittenRecord['kind'][] = [];
    const w = world({
      implicitMatch: async () => 'dv-existing',
      rules: () => ({ afterWrite: async (_m, _d, recs) => { kinds.push(...recs.map((r) => r.kind)); return new Map(); } }),
    });
    w.dv.put('products', 'dv-existing', { productnumber: '1000', name: 'Bicycle', price: 100, producttypecode: '1' });
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle', 100));
    const r = await w.engine.runMapping(m());
    expect(r.to).toMatchObject({ coupled: 1, inserted: 0, modified: 0, unchanged: 1 });
    expect(kinds).toEqual(['retry']);
    await w.engine.runMapping(m(), { force: true });
    // Already coupled: a forced rerun with nothing to write does not hand it back.
    expect(kinds).toEqual(['retry']);
  });

  it('afterWrite can raise the destination stamp after writing the record again (our own write is not a user edit)', async () => {
    const w = world({
      rules: () => ({
        afterWrite: async (_m, _d, recs) => {
          for (const r of recs) {
            const again = await w.dv.write('products', [{ kind: 'update', id: r.destId, values: { pricelevelid: 'list-1' }, validate: [] }]);
            if (again[0]!.ok) r.destModifiedOn = again[0]!.modifiedOn;
          }
          return new Map();
        },
      }),
    });
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle', 100));
    await w.engine.runMapping(itemMapping({ direction: 'Bidirectional' }));
    const c = w.engine.couplings.byBc(27, 'bc-1')!;
    expect(c.dvModifiedOn).toBe(w.dv.get('products', c.dvId)!.modifiedOn);
    // The Dataverse → BC pass of the next run sees nothing to do.
    const r = await w.engine.runMapping(itemMapping({ direction: 'Bidirectional' }));
    expect(r.from).toMatchObject({ modified: 0, failed: 0 });
  });
});
