import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findExposure } from '../../../main/sandbox/bc/entities';
import type { BcError } from '../../../main/sandbox/bc/odata';
import { BcStore } from '../../../main/sandbox/bc/store';
import { etagFor } from '../../../main/sandbox/bc/storage';
import { generateBenchData } from '../../../main/sandbox/seed';
import { loadDataset } from '../../../main/sandbox/bc/seed';

const exp = findExposure('v2.0', 'customers')!;

type Op = { kind: 'create'; name: string } | { kind: 'update'; pick: number; name: string; stale: boolean } | { kind: 'delete'; pick: number; stale: boolean };

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('create' as const), name: fc.string({ minLength: 1, maxLength: 20 }) }),
    fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), name: fc.string({ minLength: 1, maxLength: 20 }), stale: fc.boolean() }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(), stale: fc.boolean() }),
  ) as fc.Arbitrary<Op>,
  { maxLength: 40 },
);

describe('store state machine', () => {
  it('matches a model: etag checks, unique strictly increasing stamps, complete keyset paging', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 7 }), (sequence, pageSize) => {
        const store = new BcStore(undefined, () => 1_750_000_000_000);
        const companyId = loadDataset(store, generateBenchData(5, 1));
        const model = new Map<string, { name: string; etag: string }>();
        for (const r of store.list(exp, companyId, { limit: 100 }).rows) model.set(r.id, { name: String(r.data.displayName), etag: etagFor(r.ver) });
        const etags = new Set([...model.values()].map((m) => m.etag));
        let lastStamp = 0;
        for (const op of sequence) {
          const ids = [...model.keys()];
          if (op.kind === 'create') {
            const row = store.create(exp, companyId, { displayName: op.name });
            model.set(row.id, { name: op.name, etag: etagFor(row.ver) });
            expect(etags.has(etagFor(row.ver))).toBe(false);
            etags.add(etagFor(row.ver));
            expect(row.modified).toBeGreaterThan(lastStamp);
            lastStamp = row.modified;
            continue;
          }
          if (ids.length === 0) continue;
          const id = ids[op.pick % ids.length]!;
          const current = store.get('customers', id)!;
          const ifMatch = op.stale ? 'W/"JzE5OzEwMDAwMDAwMDAwMDAwMDAwMDA7MDA7Jw=="' : model.get(id)!.etag;
          try {
            if (op.kind === 'update') {
              const row = store.update(exp, current, { displayName: op.name }, ifMatch);
              expect(op.stale).toBe(false);
              expect(etags.has(etagFor(row.ver))).toBe(false);
              etags.add(etagFor(row.ver));
              expect(row.modified).toBeGreaterThan(lastStamp);
              lastStamp = row.modified;
              model.set(id, { name: op.name, etag: etagFor(row.ver) });
            } else {
              store.remove(exp, current, ifMatch);
              expect(op.stale).toBe(false);
              model.delete(id);
            }
          } catch (e) {
            expect(op.stale).toBe(true);
            expect((e as BcError).code).toBe('Request_EntityChanged');
          }
        }
        const seen: string[] = [];
        let after: unknown[] | undefined;
        for (;;) {
          const page = store.list(exp, companyId, { limit: pageSize, after, orderBy: [{ field: 'displayName', desc: true }] });
          for (const r of page.rows) {
            seen.push(r.id);
            expect(r.data.displayName).toBe(model.get(r.id)!.name);
            expect(etagFor(r.ver)).toBe(model.get(r.id)!.etag);
          }
          if (!page.next) break;
          after = page.next;
        }
        expect(seen.length).toBe(model.size);
        expect(new Set(seen)).toEqual(new Set(model.keys()));
        store.close();
      }),
      { numRuns: 60 },
    );
  });
});
