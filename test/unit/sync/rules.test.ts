/** Small pure rules: CompareDateTime, field planning/transfer, local filters, the coupling store and job log. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CouplingError, CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import { NULL_GUID, planFields, sameValue, transferFields } from '../../../main/integrations/sales/sync/engine/fields';
import { matchesBcFilter, matchesDvFilter } from '../../../main/integrations/sales/sync/engine/filters';
import { compareDateTime } from '../../../main/integrations/sales/sync/engine/time';
import { JobLog, zeroCounters } from '../../../main/kernel/jobs/log';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import { field, FakeClock, itemMapping, syncDb } from './fakes';

const row = (values: Record<string, unknown>): Row => ({ id: 'r', modifiedOn: 1, values });
const isCode = (_m: unknown, f: string) => f === 'No.';

describe('compareDateTime (E.5)', () => {
  it('treats values within 10 ms as equal and 0DT as smaller than anything', () => {
    const t = 1_700_000_000_000;
    expect(compareDateTime(t, t + 9)).toBe(0);
    expect(compareDateTime(t, t + 10)).toBe(-1);
    expect(compareDateTime(t + 10, t)).toBe(1);
    expect(compareDateTime(0, 5)).toBe(-1);
    expect(compareDateTime(5, 0)).toBe(1);
    expect(compareDateTime(0, 0)).toBe(0);
  });
  it('property: antisymmetric, and equal exactly when |a−b| < 10 (for non-zero stamps)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 45 }), fc.integer({ min: -50, max: 50 }), (a, d) => {
        const b = Math.max(1, a + d);
        expect(compareDateTime(a, b)).toBe(-compareDateTime(b, a) || 0);
        expect(compareDateTime(a, b) === 0).toBe(Math.abs(a - b) < 10);
      }),
    );
  });
});

describe('field planning and transfer (E.4 steps 1 and 6)', () => {
  const m = itemMapping({
    fields: [
      field('No.', 'productnumber', 'Bidirectional'),
      field('Description', 'name', 'ToIntegrationTable', { validateIntegrationField: true }),
      field('Vendor Item No.', 'vendorpartnumber', 'FromIntegrationTable', { validateField: true }),
      field('Unit Price', 'price', 'ToIntegrationTable', { status: 'Disabled' }),
      field(null, 'producttypecode', 'ToIntegrationTable', { constant: '1' }),
      field('Type', null, 'FromIntegrationTable', { constant: 'Inventory' }),
      field('Salesperson Code', 'ownerid', 'ToIntegrationTable', { notNull: true }),
    ],
  });

  it('keeps enabled mappings of the pass direction or Bidirectional, with constants toward the right side', () => {
    expect(planFields(m, 'to', isCode).map((p) => [p.source, p.dest, p.constant])).toEqual([
      ['No.', 'productnumber', null], ['Description', 'name', null], [null, 'producttypecode', '1'], ['Salesperson Code', 'ownerid', null],
    ]);
    expect(planFields(m, 'from', isCode).map((p) => [p.source, p.dest, p.constant])).toEqual([
      ['productnumber', 'No.', null], ['vendorpartnumber', 'Vendor Item No.', null], [null, 'Type', 'Inventory'],
    ]);
  });

  it('on insert writes every value, skips null GUIDs on Not Null fields and lists validate flags', () => {
    const plans = planFields(m, 'to', isCode);
    const t = transferFields(m, 'to', plans, row({ 'No.': 'A', Description: 'x', 'Salesperson Code': NULL_GUID }), null);
    expect(t.values).toEqual({ productnumber: 'A', name: 'x', producttypecode: '1' });
    expect(t.validate).toEqual(['name']);
    const withOwner = transferFields(m, 'to', plans, row({ 'No.': 'A', 'Salesperson Code': 'abc' }), null);
    expect(withOwner.values.ownerid).toBe('abc');
  });

  it('on modify writes only differing values; Code fields compare upper-cased and trimmed', () => {
    const plans = planFields(m, 'to', isCode);
    const t = transferFields(m, 'to', plans, row({ 'No.': 'AB-1', Description: 'new' }), row({ productnumber: ' ab-1', name: 'old', producttypecode: '1' }));
    expect(t.values).toEqual({ name: 'new' });
    expect(t.changedBidirectional).toBe(false);
    const t2 = transferFields(m, 'to', plans, row({ 'No.': 'AB-2', Description: 'old' }), row({ productnumber: 'AB-1', name: 'old', producttypecode: '1' }));
    expect(t2).toMatchObject({ values: { productnumber: 'AB-2' }, changedBidirectional: true });
    expect(sameValue('Ab', 'ab', false)).toBe(false);
    expect(sameValue(null, '', false)).toBe(true);
  });

  it('clears an unresolvable lookup when Clear Value on Failed Sync, else fails with the reason', () => {
    const lm = itemMapping({ fields: [field('Salesperson Code', 'ownerid', 'ToIntegrationTable', { clearValueOnFailedSync: true }), field('No.', 'productnumber', 'ToIntegrationTable')] });
    const lookups = ({ field: f }: { field: { bcField: string | null } }) =>
      f.bcField === 'Salesperson Code' ? { ok: false as const, message: 'Salesperson/Purchaser JO must be coupled to a user.' } : undefined;
    const src = row({ 'Salesperson Code': 'JO', 'No.': '1' });
    expect(transferFields(lm, 'to', planFields(lm, 'to', isCode), src, null, lookups).values).toEqual({ ownerid: null, productnumber: '1' });
    lm.fields[0]!.clearValueOnFailedSync = false;
    const t = transferFields(lm, 'to', planFields(lm, 'to', isCode), src, null, lookups);
    expect(t.error).toBe('The data could not be updated because of the following error: Salesperson/Purchaser JO must be coupled to a user.');
  });

  it('uses the catalogue to know Code fields by default', async () => {
    const { world, item } = await import('./fakes');
    const w = world();
    const mm = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'b', item('X-1', 'n'));
    await w.engine.runMapping(mm);
    const id = w.dv.all('products')[0]!.id;
    w.dv.edit('products', id, { productnumber: 'x-1' });
    w.bc.edit('Item', 'b', { Description: 'm' });
    w.dv.writeCalls.length = 0;
    await w.engine.runMapping(mm);
    expect(w.dv.writeCalls[0]!.ops[0]).toMatchObject({ values: { name: 'm' } });
  });
});

describe('local filters', () => {
  it('evaluates BC filters on text forms (booleans as Yes/No)', () => {
    const f = { conditions: [{ field: 'Blocked', op: 'eq' as const, values: ['No'] }, { field: 'Type', op: 'in' as const, values: ['Item', 'Resource'] }] };
    expect(matchesBcFilter(row({ Blocked: false, Type: 'Item' }), f)).toBe(true);
    expect(matchesBcFilter(row({ Blocked: true, Type: 'Item' }), f)).toBe(false);
    expect(matchesBcFilter(row({ Blocked: false, Type: 'G/L Account' }), f)).toBe(false);
    expect(matchesBcFilter(row({ Code: 'A' }), { conditions: [{ field: 'Code', op: 'ne', values: [''] }] })).toBe(true);
  });
  it('evaluates DV filters case-insensitively, with comparisons and the company scope', () => {
    const f = { conditions: [{ attribute: 'statecode', op: 'eq' as const, values: [0] }, { attribute: 'name', op: 'ne' as const, values: ['X'] }, { attribute: 'price', op: 'ge' as const, values: [10] }], companyScoped: true };
    expect(matchesDvFilter(row({ statecode: 0, name: 'y', price: 10 }), f, 'C1')).toBe(true);
    expect(matchesDvFilter(row({ statecode: 0, name: 'x', price: 10 }), f, 'C1')).toBe(false);
    expect(matchesDvFilter(row({ statecode: 0, name: 'y', price: 9 }), f, 'C1')).toBe(false);
    expect(matchesDvFilter(row({ statecode: 0, name: 'y', price: 10, bcbi_companyid: 'c1' }), f, 'C1')).toBe(true);
    expect(matchesDvFilter(row({ statecode: 0, name: 'y', price: 10, bcbi_companyid: 'c2' }), f, 'C1')).toBe(false);
    expect(matchesDvFilter(row({ statecode: null }), { conditions: [{ attribute: 'statecode', op: 'eq', values: [null] }], companyScoped: false })).toBe(true);
  });
});

describe('coupling store', () => {
  it('enforces one DV id per BC record and one BC record per DV id within a BC table', () => {
    const s = new CouplingStore(syncDb());
    s.insert({ tableId: 18, dvEntity: 'account', bcId: 'b1', dvId: 'D1' });
    expect(s.byDv(18, 'd1')!.bcId).toBe('b1');
    expect(() => s.insert({ tableId: 18, dvEntity: 'account', bcId: 'b1', dvId: 'd2' })).toThrow(/UNIQUE/);
    expect(() => s.insert({ tableId: 18, dvEntity: 'account', bcId: 'b2', dvId: 'd1' })).toThrow(/UNIQUE/);
    // Another BC table may couple the same ids.
    expect(() => s.insert({ tableId: 23, dvEntity: 'account', bcId: 'b1', dvId: 'd1' })).not.toThrow();
  });

  it('pages failed couplings per direction by key, never the whole table', () => {
    const s = new CouplingStore(syncDb());
    for (let i = 0; i < 25; i++) {
      const c = s.insert({ tableId: 18, dvEntity: 'account', bcId: `b${i}`, dvId: `d${i}` });
      if (i % 2 === 0) s.markFailure(c.rowId, 'to', 'job', `e${i}`);
    }
    const p1 = s.failedPage('to', 18, 0, 5);
    const p2 = s.failedPage('to', 18, p1.at(-1)!.rowId, 10);
    expect(p1.map((c) => c.bcId)).toEqual(['b0', 'b2', 'b4', 'b6', 'b8']);
    expect(p2).toHaveLength(8);
    expect(s.failedPage('from', 18, 0, 100)).toEqual([]);
  });

  it('option couplings: one value per code and one code per value', () => {
    const s = new CouplingStore(syncDb());
    s.coupleOption('PAYMENT TERMS', '30 DAYS', 1, 'Net 30');
    s.coupleOption('PAYMENT TERMS', '30 DAYS', 3, 'Net 45');
    expect(s.optionByCode('PAYMENT TERMS', '30 DAYS')).toMatchObject({ optionValue: 3 });
    expect(() => s.coupleOption('PAYMENT TERMS', '45 DAYS', 3, 'Net 45')).toThrow(CouplingError);
    s.uncoupleOption('PAYMENT TERMS', '30 DAYS');
    expect(s.optionByValue('PAYMENT TERMS', 3)).toBeUndefined();
  });
});

describe('job log', () => {
  it('keeps counters and errors, deletes old entries but keeps failed jobs unless asked', () => {
    const clock = new FakeClock();
    const log = new JobLog(syncDb(), clock.now);
    const ok = log.start('CUSTOMER', 'Synchronization', 'ToIntegrationTable');
    log.finish(ok, { ...zeroCounters(), inserted: 3 });
    const bad = log.start('CUSTOMER', 'Synchronization', 'ToIntegrationTable');
    log.error({ jobId: bad, tableId: 18, sourceSide: 'bc', sourceId: 'b1', destinationId: 'd1', message: 'x'.repeat(3000), detail: null });
    log.finish(bad, { ...zeroCounters(), failed: 1 }, 'm'.repeat(400));
    expect(log.get(ok)).toMatchObject({ inserted: 3, mapping: 'CUSTOMER' });
    expect(log.get(bad)!.message).toHaveLength(250);
    expect(log.errors(bad)[0]!.message).toHaveLength(2048);
    clock.t += 8 * 86_400_000;
    expect(log.deleteOlderThan(7)).toBe(1);
    expect(log.get(bad)).toBeDefined();
    expect(log.deleteOlderThan(7, true)).toBe(1);
    expect(log.errors(bad)).toEqual([]);
  });
});
