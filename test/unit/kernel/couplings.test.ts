import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { CouplingStore, CouplingStoreError, COUPLING_CHUNK, type CouplingRecord, type CouplingSide } from '../../../main/kernel/couplings/store';

const setup = () => {
  const { db } = openDatabase(':memory:');
  let t = 1_000;
  const now = () => t;
  return { db, now, tick: (ms: number) => void (t += ms), store: (integration: string) => new CouplingStore(db, integration, now) };
};

const plan = (db: ReturnType<typeof setup>['db'], sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');

describe('kernel coupling store', () => {
  it('refuses a store without an integration name', () => {
    const { db } = setup();
    expect(() => new CouplingStore(db, '')).toThrow(CouplingStoreError);
  });

  it('inserts and finds a coupling by either side, by row id, and builds the insert result like a read-back', () => {
    const { store } = setup();
    const s = store('planner');
    const c = s.insert({ mapping: 'tasks', aId: 'hq-1', bId: 'pl-1', aEntity: 'RetailTask', bEntity: 'plannerTask', aEtag: null, bEtag: 'W/"1"' });
    expect(c).toEqual(s.byRowId(c.rowId));
    expect(s.byId('a', 'tasks', 'hq-1')).toEqual(c);
    expect(s.byId('b', 'tasks', 'pl-1')).toEqual(c);
    expect(c).toMatchObject({ integration: 'planner', mapping: 'tasks', pendingTo: null, aModifiedOn: 0, bModifiedOn: 0, bEtag: 'W/"1"', resultToA: '', resultToB: '', skipped: false, updatedAt: 1_000 });
    expect(s.byId('a', 'tasks', 'pl-1')).toBeUndefined();
    expect(s.byId('a', 'other', 'hq-1')).toBeUndefined();
    expect(s.count('tasks')).toBe(1);
    expect(s.countCoupled('tasks')).toBe(1);
  });

  it('a crash-safe create: pending row with an idempotency key before the request, confirmed with the id the side gave', () => {
    const { store, tick } = setup();
    const s = store('planner');
    // Written before the POST goes out: the Planner id is not known yet.
    const p = s.insert({ mapping: 'tasks', aId: 'hq-1', bId: null, pendingTo: 'b', idempotencyKey: 'tasks:hq-1:k1' });
    expect(s.byIdempotencyKey('tasks:hq-1:k1')).toEqual(p);
    expect(s.pendingPage('b', 'tasks', 0, 10)).toEqual([p]);
    expect(s.pendingPage('a', 'tasks', 0, 10)).toEqual([]);
    // Not coupled yet, for the user's figures.
    expect(s.count('tasks')).toBe(1);
    expect(s.countCoupled('tasks')).toBe(0);
    expect(s.coupledPage('tasks', '', 10)).toEqual([]);
    tick(10);
    s.markSuccess(p.rowId, 'b', 'job-1', { a: 5, b: 6, bEtag: 'W/"e1"' }, 'pl-9');
    const done = s.byRowId(p.rowId)!;
    expect(done).toMatchObject({ bId: 'pl-9', pendingTo: null, resultToB: 'Success', jobToB: 'job-1', errorToB: null, aModifiedOn: 5, bModifiedOn: 6, bEtag: 'W/"e1"', updatedAt: 1_010 });
    expect(s.byId('b', 'tasks', 'pl-9')).toEqual(done);
    expect(s.pendingPage('b', 'tasks', 0, 10)).toEqual([]);
    expect(s.countCoupled('tasks')).toBe(1);
    expect(s.coupledPage('tasks', '', 10)).toEqual([done]);
    // The same key cannot be written down twice in one integration (a resumed run finds the row instead).
    expect(() => s.insert({ mapping: 'tasks', aId: 'hq-2', bId: null, pendingTo: 'b', idempotencyKey: 'tasks:hq-1:k1' })).toThrow(/UNIQUE/);
    // Another integration's keys are its own.
    const other = store('other');
    expect(other.byIdempotencyKey('tasks:hq-1:k1')).toBeUndefined();
    expect(other.insert({ mapping: 'tasks', aId: 'x', bId: null, pendingTo: 'b', idempotencyKey: 'tasks:hq-1:k1' }).idempotencyKey).toBe('tasks:hq-1:k1');
  });

  it('keeps a pending row on a failure, so the next run finds and retries it', () => {
    const { store } = setup();
    const s = store('planner');
    const p = s.insert({ mapping: 'tasks', aId: 'hq-1', bId: null, pendingTo: 'b', idempotencyKey: 'k' });
    expect(s.markFailure(p.rowId, 'b', 'job-1', 'Throttled', true)).toBe(false);
    expect(s.pendingPage('b', 'tasks', 0, 10).map((c) => c.rowId)).toEqual([p.rowId]);
    expect(s.failedPage('b', 'tasks', 0, 10).map((c) => c.rowId)).toEqual([p.rowId]);
  });

  it('ETags: given ones replace the stored ETag, omitted ones keep it, setEtag(null) clears it; batch form too', () => {
    const { store } = setup();
    const s = store('planner');
    const [x, y] = s.insertMany([
      { mapping: 'tasks', aId: 'hq-1', bId: 'pl-1', bEtag: 'W/"1"' },
      { mapping: 'tasks', aId: 'hq-2', bId: 'pl-2', bEtag: 'W/"1"' },
    ]);
    s.markSuccess(x!.rowId, 'a', 'job', { a: 1, b: 2 });
    expect(s.byRowId(x!.rowId)).toMatchObject({ aEtag: null, bEtag: 'W/"1"', resultToA: 'Success', resultToB: '' });
    s.markSuccess(x!.rowId, 'b', 'job', { a: 1, b: 3, bEtag: 'W/"2"' });
    expect(s.byRowId(x!.rowId)).toMatchObject({ bEtag: 'W/"2"', bModifiedOn: 3 });
    s.markSuccessMany('b', 'job2', [{ rowId: x!.rowId, a: 4, b: 5, bEtag: 'W/"3"', aEtag: 'hq-v9' }, { rowId: y!.rowId, a: 4, b: 5 }]);
    expect(s.byRowId(x!.rowId)).toMatchObject({ aEtag: 'hq-v9', bEtag: 'W/"3"', jobToB: 'job2', aModifiedOn: 4, bModifiedOn: 5 });
    expect(s.byRowId(y!.rowId)).toMatchObject({ aEtag: null, bEtag: 'W/"1"', jobToB: 'job2' });
    // A batch without any ETag (Sales) keeps the stored ones.
    s.markSuccessMany('a', 'job3', [{ rowId: x!.rowId, a: 7, b: 8 }]);
    expect(s.byRowId(x!.rowId)).toMatchObject({ aEtag: 'hq-v9', bEtag: 'W/"3"', jobToA: 'job3', aModifiedOn: 7, bModifiedOn: 8 });
    s.setEtag(x!.rowId, 'b', null);
    expect(s.byRowId(x!.rowId)!.bEtag).toBeNull();
    s.setEtag(x!.rowId, 'a', 'hq-v10');
    expect(s.byRowId(x!.rowId)!.aEtag).toBe('hq-v10');
  });

  it('one coupling per side id within (integration, mapping); other mappings and integrations never collide', () => {
    const { store } = setup();
    const sales = store('sales');
    const teams = store('commerce-teams');
    sales.insert({ mapping: '18', aId: 'bc-1', bId: 'dv-1' });
    expect(() => sales.insert({ mapping: '18', aId: 'bc-1', bId: 'dv-2' })).toThrow(/UNIQUE/);
    expect(() => sales.insert({ mapping: '18', aId: 'bc-2', bId: 'dv-1' })).toThrow(/UNIQUE/);
    // The same ids in another mapping of the integration and in another integration are other couplings.
    const other = sales.insert({ mapping: '5050', aId: 'bc-1', bId: 'dv-1' });
    const t = teams.insert({ mapping: '18', aId: 'bc-1', bId: 'dv-1' });
    expect(sales.byId('a', '18', 'bc-1')!.rowId).not.toBe(t.rowId);
    expect(sales.byId('a', '5050', 'bc-1')).toEqual(other);
    expect(teams.byId('a', '18', 'bc-1')).toEqual(t);
    // Unknown ids (pending creates) do not collide with each other.
    sales.insert({ mapping: '18', aId: null, bId: 'dv-3', pendingTo: 'a' });
    sales.insert({ mapping: '18', aId: null, bId: 'dv-4', pendingTo: 'a' });
    expect(sales.pendingPage('a', '18', 0, 10).map((c) => c.bId)).toEqual(['dv-3', 'dv-4']);
    // A coupling knows at least one side.
    expect(() => sales.insert({ mapping: '18', aId: null, bId: null })).toThrow(/CHECK/);
    // A batch with a duplicate fails as a whole inside a transaction.
    const before = sales.count('18');
    expect(() => sales.transaction(() => sales.insertMany([{ mapping: '18', aId: 'bc-8', bId: 'dv-8' }, { mapping: '18', aId: 'bc-1', bId: 'dv-9' }]))).toThrow(/UNIQUE/);
    expect(sales.count('18')).toBe(before);
  });

  it('a store reads and writes only its own integration, also by row id', () => {
    const { store } = setup();
    const sales = store('sales');
    const teams = store('commerce-teams');
    const c = sales.insert({ mapping: '18', aId: 'bc-1', bId: 'dv-1' });
    expect(teams.byRowId(c.rowId)).toBeUndefined();
    teams.remove(c.rowId);
    teams.setSkipped(c.rowId, true);
    teams.markSuccess(c.rowId, 'b', 'j', { a: 9, b: 9 });
    teams.markFailure(c.rowId, 'b', 'j', 'boom');
    teams.restamp(c.rowId, { a: 99, b: 99 });
    teams.setEtag(c.rowId, 'b', 'x');
    expect(sales.byRowId(c.rowId)).toEqual(c);
  });

  it('byIds finds a batch across lookup chunks, keyed by the stored id; insertMany returns rows in input order', () => {
    const { store } = setup();
    const s = store('sales');
    const n = COUPLING_CHUNK + 300;
    const made = s.insertMany(Array.from({ length: n }, (_, i) => ({ mapping: '27', aId: `bc-${n - i}`, bId: i % 2 ? `dv-${i}` : null, pendingTo: i % 2 ? null : ('b' as const) })));
    expect(made.map((c) => c.aId)).toEqual(Array.from({ length: n }, (_, i) => `bc-${n - i}`));
    for (const c of [made[0]!, made[1]!, made[n - 1]!]) expect(c).toEqual(s.byRowId(c.rowId));
    const found = s.byIds('a', '27', ['bc-1', 'nope', `bc-${n}`, 'bc-700']);
    expect([...found.keys()].sort()).toEqual(['bc-1', `bc-${n}`, 'bc-700'].sort());
    expect(s.byIds('b', '27', [])).toEqual(new Map());
  });

  it('E.7: a second identical non-transient error to the same side skips the record; a transient one never skips', () => {
    const { store } = setup();
    const s = store('planner');
    const c = s.insert({ mapping: 'tasks', aId: 'hq-1', bId: 'pl-1' });
    expect(s.markFailure(c.rowId, 'b', 'j1', 'Conflict', true)).toBe(false);
    expect(s.markFailure(c.rowId, 'b', 'j2', 'Conflict', true)).toBe(false);
    expect(s.markFailure(c.rowId, 'a', 'j2', 'Other side')).toBe(false);
    expect(s.failedPage('a', 'tasks', 0, 5).map((x) => x.rowId)).toEqual([c.rowId]);
    expect(s.markFailure(c.rowId, 'b', 'j3', 'Bad data')).toBe(false);
    expect(s.markFailure(c.rowId, 'b', 'j4', 'Bad data')).toBe(true);
    expect(s.byRowId(c.rowId)).toMatchObject({ skipped: true, resultToB: 'Failure', errorToB: 'Bad data', jobToB: 'j4', errorToA: 'Other side' });
    expect(s.failedPage('b', 'tasks', 0, 5)).toEqual([]);
    expect(s.skippedPage('tasks', 0, 5).map((x) => x.rowId)).toEqual([c.rowId]);
    expect(s.countSkipped('tasks')).toBe(1);
    s.setSkipped(c.rowId, false);
    expect(s.failedPage('b', 'tasks', 0, 5).map((x) => x.rowId)).toEqual([c.rowId]);
    expect(s.markFailure(9_999, 'b', 'j', 'x')).toBe(false);
  });

  it('restamp only raises the stamps; coupledPage pages on the a id', () => {
    const { store } = setup();
    const s = store('planner');
    const c = s.insert({ mapping: 'm', aId: 'a1', bId: 'b1' });
    s.markSuccess(c.rowId, 'a', 'j', { a: 10, b: 20 });
    s.restamp(c.rowId, { a: 5, b: 30 });
    expect(s.byRowId(c.rowId)).toMatchObject({ aModifiedOn: 10, bModifiedOn: 30 });
    s.insertMany(['a3', 'a0', 'a2'].map((a) => ({ mapping: 'm', aId: a, bId: `b-${a}` })));
    const first = s.coupledPage('m', '', 2);
    expect(first.map((x) => x.aId)).toEqual(['a0', 'a1']);
    expect(s.coupledPage('m', first[1]!.aId!, 10).map((x) => x.aId)).toEqual(['a2', 'a3']);
  });

  it('every lookup is an index search (partial indexes for failed / skipped / pending / keys)', () => {
    const { db } = setup();
    const K = "integration = 'x' AND mapping = 'm'";
    expect(plan(db, `SELECT * FROM kernel_couplings WHERE ${K} AND a_id = 'i'`)).toMatch(/USING INDEX kernel_couplings_a \(integration=\? AND mapping=\? AND a_id=\?\)/);
    expect(plan(db, `SELECT * FROM kernel_couplings WHERE ${K} AND b_id = 'i'`)).toMatch(/USING INDEX kernel_couplings_b \(integration=\? AND mapping=\? AND b_id=\?\)/);
    expect(plan(db, `SELECT * FROM kernel_couplings WHERE ${K} AND result_to_a = 'Failure' AND skipped = 0 AND id > 0 ORDER BY id LIMIT 5`)).toMatch(/kernel_couplings_failed_to_a \(integration=\? AND mapping=\? AND rowid>\?\)$/);
    expect(plan(db, `SELECT * FROM kernel_couplings WHERE ${K} AND pending_to = 'b' AND id > 0 ORDER BY id LIMIT 5`)).toMatch(/kernel_couplings_pending \(integration=\? AND mapping=\? AND pending_to=\? AND rowid>\?\)$/);
    expect(plan(db, `SELECT COUNT(*) FROM kernel_couplings WHERE skipped = 1 AND ${K}`)).toMatch(/COVERING INDEX kernel_couplings_skipped/);
    expect(plan(db, "SELECT * FROM kernel_couplings WHERE integration = 'x' AND idempotency_key = 'k'")).toMatch(/kernel_couplings_idem/);
  });
});

// ---- model-based: a random sequence of operations against a simple in-memory model ----

type Op =
  | { k: 'insert'; i: number; m: number; a: number | null; b: number | null; pending: CouplingSide | null }
  | { k: 'remove'; pick: number }
  | { k: 'success'; pick: number; target: CouplingSide; created: number | null; etag: string | null }
  | { k: 'fail'; pick: number; target: CouplingSide; msg: string; transient: boolean }
  | { k: 'skip'; pick: number; on: boolean };

interface ModelRow { rowId: number; integration: string; mapping: string; aId: string | null; bId: string | null; pendingTo: CouplingSide | null; skipped: boolean; res: Record<CouplingSide, string>; err: Record<CouplingSide, string | null>; etag: Record<CouplingSide, string | null> }

const INTEGRATIONS = ['sales', 'planner'];
const MAPPINGS = ['18', 'tasks'];

describe('kernel coupling store against a model', () => {
  it('agrees with a map-based model over random operation sequences (two integrations, two mappings)', () => {
    const id = fc.option(fc.integer({ min: 0, max: 5 }), { nil: null });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ k: fc.constant('insert' as const), i: fc.integer({ min: 0, max: 1 }), m: fc.integer({ min: 0, max: 1 }), a: id, b: id, pending: fc.constantFrom<CouplingSide | null>(null, 'a', 'b') }),
      fc.record({ k: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ k: fc.constant('success' as const), pick: fc.nat(), target: fc.constantFrom<CouplingSide>('a', 'b'), created: id, etag: fc.option(fc.constantFrom('e1', 'e2'), { nil: null }) }),
      fc.record({ k: fc.constant('fail' as const), pick: fc.nat(), target: fc.constantFrom<CouplingSide>('a', 'b'), msg: fc.constantFrom('', 'x', 'y'), transient: fc.boolean() }),
      fc.record({ k: fc.constant('skip' as const), pick: fc.nat(), on: fc.boolean() }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const { store } = setup();
      const stores = new Map(INTEGRATIONS.map((n) => [n, store(n)]));
      const model = new Map<number, ModelRow>();
      const clash = (integration: string, mapping: string, side: CouplingSide, v: string | null, except = -1) =>
        v !== null && [...model.values()].some((r) => r.rowId !== except && r.integration === integration && r.mapping === mapping && (side === 'a' ? r.aId : r.bId) === v);
      const pick = (n: number) => [...model.values()][n % Math.max(1, model.size)];
      for (const o of ops) {
        if (o.k === 'insert') {
          const integration = INTEGRATIONS[o.i]!;
          const mapping = MAPPINGS[o.m]!;
          const aId = o.a === null ? null : `a${o.a}`;
          const bId = o.b === null ? null : `b${o.b}`;
          const s = stores.get(integration)!;
          const expectError = (aId === null && bId === null) || clash(integration, mapping, 'a', aId) || clash(integration, mapping, 'b', bId);
          if (expectError) {
            expect(() => s.insert({ mapping, aId, bId, pendingTo: o.pending })).toThrow(/UNIQUE|CHECK/);
            continue;
          }
          const c = s.insert({ mapping, aId, bId, pendingTo: o.pending });
          model.set(c.rowId, { rowId: c.rowId, integration, mapping, aId, bId, pendingTo: o.pending, skipped: false, res: { a: '', b: '' }, err: { a: null, b: null }, etag: { a: null, b: null } });
          continue;
        }
        const r = pick(o.pick);
        if (!r) continue;
        const s = stores.get(r.integration)!;
        if (o.k === 'remove') {
          s.remove(r.rowId);
          model.delete(r.rowId);
        } else if (o.k === 'success') {
          const created = o.created === null ? null : `${o.target}${o.created}`;
          const stamps = o.target === 'a' ? { a: 1, b: 2, aEtag: o.etag } : { a: 1, b: 2, bEtag: o.etag };
          if (created !== null && clash(r.integration, r.mapping, o.target, created, r.rowId)) {
            expect(() => s.markSuccess(r.rowId, o.target, 'j', stamps, created)).toThrow(/UNIQUE/);
            continue;
          }
          s.markSuccess(r.rowId, o.target, 'j', stamps, created);
          if (created !== null) r[o.target === 'a' ? 'aId' : 'bId'] = created;
          r.pendingTo = null;
          r.res[o.target] = 'Success';
          r.err[o.target] = null;
          if (o.etag !== null) r.etag[o.target] = o.etag;
        } else if (o.k === 'fail') {
          const skip = r.skipped || (!o.transient && r.res[o.target] === 'Failure' && o.msg !== '' && r.err[o.target] === o.msg);
          expect(s.markFailure(r.rowId, o.target, 'j', o.msg, o.transient)).toBe(skip);
          r.skipped = skip;
          r.res[o.target] = 'Failure';
          r.err[o.target] = o.msg;
        } else {
          s.setSkipped(r.rowId, o.on);
          r.skipped = o.on;
        }
      }
      // Every coupling reads back as modelled, through every lookup, and nothing else is there.
      for (const r of model.values()) {
        const s = stores.get(r.integration)!;
        const got = s.byRowId(r.rowId)!;
        expect(got).toMatchObject({ aId: r.aId, bId: r.bId, pendingTo: r.pendingTo, skipped: r.skipped, resultToA: r.res.a, resultToB: r.res.b, errorToA: r.err.a, errorToB: r.err.b, aEtag: r.etag.a, bEtag: r.etag.b });
        if (r.aId !== null) expect(s.byId('a', r.mapping, r.aId)?.rowId).toBe(r.rowId);
        if (r.bId !== null) expect(s.byId('b', r.mapping, r.bId)?.rowId).toBe(r.rowId);
      }
      for (const integration of INTEGRATIONS) {
        const s = stores.get(integration)!;
        for (const mapping of MAPPINGS) {
          const rows = [...model.values()].filter((r) => r.integration === integration && r.mapping === mapping);
          const ids = (xs: CouplingRecord[]) => xs.map((x) => x.rowId);
          const sorted = (xs: ModelRow[]) => xs.map((x) => x.rowId).sort((x, y) => x - y);
          expect(s.count(mapping)).toBe(rows.length);
          expect(s.countCoupled(mapping)).toBe(rows.filter((r) => r.pendingTo === null).length);
          expect(s.countSkipped(mapping)).toBe(rows.filter((r) => r.skipped).length);
          for (const side of ['a', 'b'] as const) {
            expect(ids(s.failedPage(side, mapping, 0, 1000))).toEqual(sorted(rows.filter((r) => r.res[side] === 'Failure' && !r.skipped)));
            expect(ids(s.pendingPage(side, mapping, 0, 1000))).toEqual(sorted(rows.filter((r) => r.pendingTo === side)));
          }
          expect(ids(s.skippedPage(mapping, 0, 1000))).toEqual(sorted(rows.filter((r) => r.skipped)));
          expect(s.coupledPage(mapping, '', 1000).map((x) => x.aId)).toEqual(rows.filter((r) => r.pendingTo === null && r.aId !== null && r.bId !== null).map((r) => r.aId).sort());
        }
      }
    }), { numRuns: 150 });
  });
});
