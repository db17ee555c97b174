import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { project } from '../../../main/sandbox/bc/api';
import { EXPOSURES, TABLES, findExposure } from '../../../main/sandbox/bc/entities';
import { BcStore } from '../../../main/sandbox/bc/store';
import { etagFor } from '../../../main/sandbox/bc/storage';
import { generateDemoData } from '../../../main/sandbox/seed';
import { loadDataset } from '../../../main/sandbox/bc/seed';

// The collection read has SQLite build each row's JSON from the stored JSON; it must say exactly what the object path
// (hydrate → project → JSON.stringify) says, for every API page and for $select.
describe('BC collection rows serialised from stored JSON', () => {
  const store = new BcStore(undefined, () => 1_750_000_000_123);
  const companyId = loadDataset(store, generateDemoData(3));
  const items = findExposure('v2.0', 'items')!;
  // Text that JSON must escape, non-ASCII, and a value left at its default (omitted from the stored JSON).
  store.create(items, companyId, { displayName: 'Quote " backslash \\ line\u2028sep ø 🙂', unitPrice: 0.1 + 0.2 });

  it('matches project() for every exposure and row', () => {
    let compared = 0;
    for (const exp of EXPOSURES) {
      if (exp.shape === 'v1-address') continue;
      const table = TABLES[exp.table]!;
      const json = store.listJson(exp, table.companyScoped ? companyId : '', { limit: 50 });
      const hydrated = store.list(exp, table.companyScoped ? companyId : '', { limit: 50 });
      expect(json.rows.length).toBe(hydrated.rows.length);
      json.rows.forEach((text, i) => {
        expect(text).toBe(JSON.stringify(project(exp, hydrated.rows[i]!)));
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('keeps $select order, drops repeats and navigation names like project()', () => {
    const orders = findExposure('v2.0', 'salesOrders')!;
    const sel = ['number', 'id', 'number', 'lastModifiedDateTime', 'salesOrderLines', 'totalAmountIncludingTax'];
    const json = store.listJson(orders, companyId, { limit: 5 }, sel).rows;
    const rows = store.list(orders, companyId, { limit: 5 }).rows;
    expect(json.length).toBeGreaterThan(0);
    json.forEach((text, i) => expect(text).toBe(JSON.stringify(project(orders, rows[i]!, sel))));
    const special = store.listJson(items, companyId, { limit: 1, orderBy: [{ field: 'number', desc: true }] }, ['displayName', 'number']).rows[0]!;
    expect(JSON.parse(special)).toMatchObject({ displayName: 'Quote " backslash \\ line\u2028sep ø 🙂' });
  });

  it('etagFor is base64 of the BC-shaped version string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (ver) => {
        const digits = `1${String(ver).padStart(18, '0')}`;
        expect(etagFor(ver)).toBe(`W/"${Buffer.from(`'${digits.length};${digits};00;'`).toString('base64')}"`);
      }),
    );
  });
});
