/**
 * Crash / resume property: a run killed at any write (batch boundary or mid-batch, on either side) and resumed
 * by a NEW engine on the same SQLite file ends in exactly the state of an uninterrupted run: no duplicates on
 * either side, no lost updates.
 */
import fc from 'fast-check';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import { tempDir } from '../../support/app';
import { Death, FakeClock, FakeSide, INTEGRATION_USER, item, itemMapping, syncDb } from './fakes';

const tmp = tempDir('d365ic-sync-crash-');
afterAll(() => tmp.cleanup());
let fileNo = 0;
const deaths: boolean[] = [];

interface Scenario {
  n: number;
  dvOnly: number;
  bcEdits: number[];
  dvEdits: number[];
  newBc: number;
  newDv: number;
  pageSize: number;
  batchSize: number;
  inFlight: number;
}

const m = itemMapping();

function build(s: Scenario) {
  const clock = new FakeClock();
  const bc = new FakeSide('bc', clock);
  const dv = new FakeSide('dataverse', clock);
  dv.writer = INTEGRATION_USER;
  const file = path.join(tmp.dir, `sync-${fileNo++}.sqlite`);
  const engine = (db = syncDb(file)) =>
    new SyncEngine(db, { bc, dataverse: dv }, { now: clock.now }, {
      pageSize: s.pageSize, batchSize: s.batchSize, maxInFlight: s.inFlight, integrationUserId: INTEGRATION_USER, sleep: async () => undefined,
    });
  return { clock, bc, dv, file, engine };
}

/** Initial synced state, then edits on both sides and new records: what the run under test must carry over. */
async function prepare(s: Scenario) {
  const w = build(s);
  for (let i = 0; i < s.n; i++) w.bc.put('Item', `bc-${i}`, item(`I${i}`, `Item ${i}`, i));
  for (let i = 0; i < s.dvOnly; i++) w.dv.put('products', `dv-${i}`, { productnumber: `P${i}`, name: `Product ${i}`, vendorpartnumber: `V${i}` });
  const db = syncDb(w.file);
  await w.engine(db).runMapping(m);
  db.close();
  for (const i of s.bcEdits) w.bc.edit('Item', `bc-${i % s.n}`, { Description: `Edited ${i}`, 'Unit Price': i * 2 });
  for (const i of s.dvEdits) {
    const c = w.bc.get('Item', `bc-${i % s.n}`)!;
    const d = w.dv.all('products').find((r) => r.values.productnumber === c.values['No.'])!;
    w.dv.edit('products', d.id, { vendorpartnumber: `VE${i}` });
  }
  for (let i = 0; i < s.newBc; i++) w.bc.put('Item', `bc-new-${i}`, item(`N${i}`, `New ${i}`, 1));
  for (let i = 0; i < s.newDv; i++) w.dv.put('products', `dv-new-${i}`, { productnumber: `Q${i}`, name: `New DV ${i}`, vendorpartnumber: `W${i}` });
  return w;
}

const canon = (rows: Row[]) =>
  rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r.values).filter(([, v]) => v !== null && v !== undefined && v !== '').sort()))).sort();

const scenario = fc.record({
  n: fc.integer({ min: 1, max: 60 }),
  dvOnly: fc.integer({ min: 0, max: 15 }),
  bcEdits: fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 20 }),
  dvEdits: fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 20 }),
  newBc: fc.integer({ min: 0, max: 30 }),
  newDv: fc.integer({ min: 0, max: 30 }),
  pageSize: fc.integer({ min: 3, max: 40 }),
  batchSize: fc.integer({ min: 2, max: 25 }),
  inFlight: fc.integer({ min: 1, max: 3 }),
});

describe('crash / resume', () => {
  it('resuming after process death at any write equals a clean run (no duplicates, no lost updates)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.constantFrom<'bc' | 'dataverse'>('bc', 'dataverse'), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.boolean(), async (s, side, at, twice) => {
        // Edits on DV rows must not collide with BC edits of the same record (that would be a real conflict).
        s.dvEdits = s.dvEdits.filter((i) => !s.bcEdits.some((j) => j % s.n === i % s.n));
        const clean = await prepare(s);
        const cleanSide = side === 'bc' ? clean.bc : clean.dv;
        const before = cleanSide.writeCalls.reduce((n, c) => n + c.ops.length, 0);
        await clean.engine().runMapping(m);
        const ops = cleanSide.writeCalls.reduce((n, c) => n + c.ops.length, 0) - before;
        // Die before op k of the ops a clean run writes on that side (k = 0: before the first batch).
        const after = Math.floor(at * ops);

        const w = await prepare(s);
        const victim = side === 'bc' ? w.bc : w.dv;
        victim.dieAfterOps = after;
        let db = syncDb(w.file);
        let died = false;
        try {
          await w.engine(db).runMapping(m);
        } catch (x) {
          if (!(x instanceof Death)) throw x;
          died = true;
        }
        deaths.push(died);
        db.close();
        if (died && twice) {
          // Die once more, early in the resumed run.
          victim.dead = false;
          victim.dieAfterOps = Math.floor(after / 3);
          db = syncDb(w.file);
          try {
            await w.engine(db).runMapping(m);
          } catch (x) {
            if (!(x instanceof Death)) throw x;
          }
          db.close();
        }
        victim.dead = false;
        victim.dieAfterOps = null;
        db = syncDb(w.file);
        const resumed = w.engine(db);
        await resumed.runMapping(m);

        const bcRows = w.bc.all('Item');
        const dvRows = w.dv.all('products');
        expect(new Set(bcRows.map((r) => r.values['No.'])).size).toBe(bcRows.length);
        expect(new Set(dvRows.map((r) => r.values.productnumber)).size).toBe(dvRows.length);
        expect(canon(bcRows)).toEqual(canon(clean.bc.all('Item')));
        expect(canon(dvRows)).toEqual(canon(clean.dv.all('products')));
        // Every record is coupled exactly once and nothing is left pending.
        expect(resumed.couplings.count(27)).toBe(bcRows.length);
        expect(db.prepare('SELECT COUNT(*) AS n FROM kernel_couplings WHERE pending_to IS NOT NULL').get()).toEqual({ n: 0 });
        db.close();
      }),
      { numRuns: 40 },
    );
    // The property is only meaningful if most runs really died somewhere.
    expect(deaths.filter(Boolean).length).toBeGreaterThan(deaths.length / 2);
  }, 60_000);
});
