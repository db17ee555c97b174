import { describe, expect, it } from 'vitest';
import { recommend } from '../../../main/integrations/sales/sync/review/planner';
import { countBc, reviewCounts } from '../../../main/integrations/sales/sync/service/review-counts';
import { FakeClock, FakeSide, item, itemMapping } from './fakes';

const sides = () => {
  const clock = new FakeClock();
  return { bc: new FakeSide('bc', clock), dataverse: new FakeSide('dataverse', clock) };
};
const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('review counts (E.12) from the side ports', () => {
  it('counts BC records within the Table Filter locally and stops at the cap', async () => {
    const s = sides();
    const m = itemMapping({ tableFilter: { conditions: [{ field: 'Blocked', op: 'eq', values: ['No'] }] } });
    for (let i = 0; i < 30; i++) s.bc.put('Item', id(i), { ...item(`I${i}`, 'x'), Blocked: i % 3 === 0 ? 'Yes' : 'No' });
    expect(await countBc(s.bc, m, 100)).toBe(20);
    // Capped: one selection, left as soon as 3 rows matched.
    const before = s.bc.queries.length;
    expect(await countBc(s.bc, m, 3)).toBe(3);
    expect(s.bc.queries.length - before).toBe(1);
    // Nothing within the filter: 0 (the emptiness that decides the recommendation).
    const none = itemMapping({ tableFilter: { conditions: [{ field: 'Blocked', op: 'eq', values: ['Never'] }] } });
    expect(await countBc(s.bc, none, 100)).toBe(0);
    // Without a Table Filter, one capped read.
    expect(await countBc(s.bc, itemMapping(), 10)).toBe(10);
  });

  it('counts Dataverse rows within the Integration Table Filter; CURRENCY needs exactly one currency at rate 1.00', async () => {
    const s = sides();
    const currency = itemMapping({
      name: 'CURRENCY', bcTable: 'Currency', dataverseEntitySet: 'transactioncurrencies',
      integrationTableFilter: { conditions: [{ attribute: 'statecode', op: 'eq', values: [0] }], companyScoped: false },
    });
    s.bc.put('Currency', id(1), { Code: 'EUR' });
    s.dataverse.put('transactioncurrencies', id(2), { isocurrencycode: 'NOK', exchangerate: 1, statecode: 0 });
    // Inactive: outside the filter, so it does not count.
    s.dataverse.put('transactioncurrencies', id(3), { isocurrencycode: 'SEK', exchangerate: 0.98, statecode: 1 });
    let c = await reviewCounts(s, currency);
    expect(c).toMatchObject({ bc: 1, dv: 1, dvSingleCurrencyRateOne: true });
    expect(recommend('CURRENCY', c)).toBe('Full Synchronization');
    s.dataverse.put('transactioncurrencies', id(3), { isocurrencycode: 'SEK', exchangerate: 0.98, statecode: 0 });
    c = await reviewCounts(s, currency);
    expect(c).toMatchObject({ dv: 2, dvSingleCurrencyRateOne: false });
    expect(recommend('CURRENCY', c)).toBe('Couple Records');
  });

  it('unit mappings count the Dataverse unit groups', async () => {
    const s = sides();
    const units = itemMapping({ name: 'UNIT GROUP', bcTable: 'Unit Group', dataverseEntitySet: 'uomschedules' });
    s.dataverse.put('uomschedules', id(1), { name: 'Default Unit' });
    let c = await reviewCounts(s, units);
    expect(c).toMatchObject({ bc: 0, dvUnitGroups: 1 });
    expect(recommend('UNIT GROUP', c)).toBe('No Records Found');
    s.bc.put('Unit Group', id(2), { Code: 'ITEM A' });
    s.dataverse.put('uomschedules', id(3), { name: 'Other' });
    c = await reviewCounts(s, units);
    expect(c).toMatchObject({ bc: 1, dvUnitGroups: 2 });
    expect(recommend('UNIT GROUP', c)).toBe('Couple Records');
  });
});
