/**
 * "8 coupled records" after a run with 0 inserted and 8 failed (issue 11): a pending coupling is a create that was
 * never confirmed (the engine writes it before the request, and keeps it for the crash-safe retry when the record
 * fails), so only confirmed couplings count; option mappings count their option couplings.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';

describe('coupled counts', () => {
  it('count only confirmed couplings, and option couplings for option mappings', () => {
    const { db } = openDatabase(':memory:');
    const s = new CouplingStore(db);
    const opp = { bcTableId: 5092, name: 'OPPORTUNITY', isOptionMapping: false };
    for (let i = 0; i < 8; i++) {
      const c = s.insert({ tableId: 5092, dvEntity: 'opportunity', bcId: `bc-${i}`, dvId: `00000000-0000-0000-0000-00000000000${i}`, pending: true });
      s.markFailure(c.rowId, 'to', 'job', 'Contact KT1 must be coupled');
    }
    expect(s.count(5092)).toBe(8);
    expect(s.countCoupled(opp)).toBe(0);
    const ok = s.insert({ tableId: 5092, dvEntity: 'opportunity', bcId: 'bc-ok', dvId: '00000000-0000-0000-0000-0000000000aa' });
    s.markSuccess(ok.rowId, 'to', 'job', { bc: 1, dv: 1 });
    expect(s.countCoupled(opp)).toBe(1);
    s.coupleOption('PAYMENT TERMS', '14D', 100000000, '14D');
    s.coupleOption('PAYMENT TERMS', '30D', 100000001, '30D');
    expect(s.countCoupled({ bcTableId: 3, name: 'PAYMENT TERMS', isOptionMapping: true })).toBe(2);
    db.close();
  });
});
