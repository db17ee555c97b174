import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import { fullSyncMapping, nextToStart, recommend, reviewLines, reviewMappings, startOrder, type ReviewLine } from '../../../main/integrations/sales/sync/review/planner';
import { itemMapping } from './fakes';

const line = (name: string, deps: string[] = [], recommendation: ReviewLine['recommendation'] = 'Full Synchronization'): ReviewLine => ({
  name, dependencyFilter: deps, direction: 'Bidirectional', recommendation, jobStatus: '',
});

describe('initial synch recommendation (E.12)', () => {
  it.each([
    // Issue 11: 4 + 4 uncoupled salespeople made a duplicate under Full: uncoupled records on both sides → Couple.
    ['SALESPEOPLE', { bc: 4, dv: 4 }, 'Couple Records'],
    ['SALESPEOPLE', { bc: 4, dv: 4, bcUncoupled: 0, dvUncoupled: 1 }, 'Full Synchronization'],
    ['SALESPEOPLE', { bc: 0, dv: 4 }, 'Full Synchronization'],
    ['CUSTOMER', { bc: 4, dv: 2, bcUncoupled: 3, dvUncoupled: 1 }, 'Couple Records'],
    ['CUSTOMER', { bc: 4, dv: 2, bcUncoupled: 2, dvUncoupled: 0 }, 'Full Synchronization'],
    ['CURRENCY', { bc: 3, dv: 1, dvSingleCurrencyRateOne: true }, 'Full Synchronization'],
    ['CURRENCY', { bc: 3, dv: 2, dvSingleCurrencyRateOne: false }, 'Couple Records'],
    ['CUSTOMER', { bc: 0, dv: 0 }, 'No Records Found'],
    ['CUSTOMER', { bc: 4, dv: 2 }, 'Couple Records'],
    ['CUSTOMER', { bc: 4, dv: 0 }, 'Full Synchronization'],
    ['CONTACT', { bc: 0, dv: 7 }, 'Full Synchronization'],
    ['UNIT OF MEASURE', { bc: 0, dv: 1, dvUnitGroups: 1 }, 'No Records Found'],
    ['UNIT GROUP', { bc: 3, dv: 2, dvUnitGroups: 2 }, 'Couple Records'],
    ['ITEM UOM', { bc: 3, dv: 1, dvUnitGroups: 1 }, 'Full Synchronization'],
    ['RESOURCE UOM', { bc: 0, dv: 3, dvUnitGroups: 3 }, 'Full Synchronization'],
    ['PAYMENT TERMS', { bc: 0, dv: 4 }, 'No Records Found'],
    ['SHIPPING AGENT', { bc: 2, dv: 0 }, 'Couple Records'],
    ['ITEM-PRODUCT', { bc: 0, dv: 3 }, 'Full Synchronization'],
    ['ITEM-PRODUCT', { bc: 1, dv: 3 }, 'Couple Records'],
  ] as const)('%s with %o → %s', (name, counts, expected) => {
    expect(recommend(name, counts)).toBe(expected);
  });
});

describe('review lines', () => {
  it('excludes child mappings, SALESORDER-ORDER unless bidirectional and SALESPEOPLE in the Team model', () => {
    const all = ['CUSTOMER', 'SALESPEOPLE', 'SALESORDER-ORDER', 'SOLINE-ORDERDETAIL', 'POSTEDSALESLINE-INV'].map((name) => itemMapping({ name }));
    const temp = itemMapping({ name: 'TMP', parentName: 'CUSTOMER', deleteAfterSynchronization: true });
    expect(reviewMappings([...all, temp], { ownership: 'team', orders: 'legacy' }).map((m) => m.name)).toEqual(['CUSTOMER']);
    expect(reviewMappings(all, { ownership: 'person', orders: 'bidirectional' }).map((m) => m.name)).toEqual(['CUSTOMER', 'SALESPEOPLE', 'SALESORDER-ORDER']);
  });

  it('builds lines for the default mappings with their dependency filters', () => {
    const lines = reviewLines(defaultMappings({}), { ownership: 'person', orders: 'none' }, () => ({ bc: 1, dv: 0 }));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => l.jobStatus === '')).toBe(true);
    const customer = lines.find((l) => l.name === 'CUSTOMER');
    expect(customer?.recommendation).toBe('Full Synchronization');
  });
});

describe('dependency cascade', () => {
  it('starts lines whose dependencies finished or had no records, then cascades', () => {
    const lines = [line('CURRENCY'), line('SALESPEOPLE', [], 'No Records Found'), line('CUSTOMER', ['CURRENCY', 'SALESPEOPLE']), line('CONTACT', ['CUSTOMER'])];
    expect(nextToStart(lines).map((l) => l.name)).toEqual(['CURRENCY']);
    lines[0]!.jobStatus = 'In Process';
    expect(nextToStart(lines)).toEqual([]);
    lines[0]!.jobStatus = 'Error';
    expect(nextToStart(lines)).toEqual([]);
    lines[0]!.jobStatus = 'Success';
    expect(nextToStart(lines).map((l) => l.name)).toEqual(['CUSTOMER']);
    expect(startOrder(lines.map((l) => ({ ...l, jobStatus: '' as const }))).waves).toEqual([['CURRENCY'], ['CUSTOMER'], ['CONTACT']]);
  });

  it('reports lines blocked by a cycle', () => {
    const r = startOrder([line('A', ['B']), line('B', ['A']), line('C')]);
    expect(r.waves).toEqual([['C']]);
    expect(r.blocked).toEqual([{ name: 'A', waitingFor: ['B'] }, { name: 'B', waitingFor: ['A'] }]);
  });

  it('property: in an acyclic plan every line starts after all its dependencies, exactly once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(20), { maxLength: 4 }), { minLength: 1, maxLength: 20 }), fc.array(fc.boolean(), { maxLength: 20 }), (deps, empty) => {
        // Dependencies only on earlier lines ⇒ acyclic.
        const lines = deps.map((d, i) => line(`M${i}`, [...new Set(d.filter((x) => x < i).map((x) => `M${x}`))], empty[i] ? 'No Records Found' : 'Full Synchronization'));
        const { waves, blocked } = startOrder(lines);
        expect(blocked).toEqual([]);
        const wave = new Map(waves.flatMap((w, i) => w.map((n) => [n, i] as const)));
        const started = lines.filter((l) => l.recommendation !== 'No Records Found');
        expect(wave.size).toBe(started.length);
        for (const l of started) for (const d of l.dependencyFilter) if (wave.has(d)) expect(wave.get(d)!).toBeLessThan(wave.get(l.name)!);
      }),
    );
  });

  it('full sync runs a copy that creates uncoupled records and points at its parent', () => {
    const m = itemMapping({ synchOnlyCoupled: true });
    expect(fullSyncMapping(m)).toMatchObject({ synchOnlyCoupled: false, deleteAfterSynchronization: true, parentName: 'ITEM-PRODUCT', updateConflictResolution: m.updateConflictResolution });
  });
});

describe('running the review', () => {
  it('runs the cascade: full sync and match-based coupling in dependency order; errors stop dependants', async () => {
    const { world, item, itemMapping: im, field } = await import('./fakes');
    const { runReview } = await import('../../../main/integrations/sales/sync/review/run');
    const w = world();
    const currency = im({ name: 'CURRENCY', bcTable: 'Currency', bcTableId: 4, dataverseEntitySet: 'transactioncurrencies', synchOnlyCoupled: true });
    const customer = im({
      name: 'CUSTOMER', dependencyFilter: ['CURRENCY'],
      fields: [field('No.', 'productnumber', 'Bidirectional', { useForMatchBasedCoupling: true }), field('Description', 'name', 'Bidirectional')],
    });
    const contact = im({ name: 'CONTACT', bcTable: 'Contact', bcTableId: 5050, dataverseEntitySet: 'contacts', dependencyFilter: ['CUSTOMER'], fields: [] });
    w.bc.put('Currency', 'cur-1', item('EUR', 'Euro'));
    w.bc.put('Item', 'bc-1', item('A', 'Alpha'));
    w.dv.put('products', 'dv-1', { productnumber: 'a', name: 'alpha' });
    const lines: ReviewLine[] = [
      line('CONTACT', ['CUSTOMER']), { ...line('CUSTOMER', ['CURRENCY']), recommendation: 'Couple Records' }, line('CURRENCY'),
    ];
    const order: string[] = [];
    const find = (n: string) => [currency, customer, contact].find((m) => m.name === n);
    await runReview(w.engine, lines, find, (p) => order.push(`${p.line}:${p.status}`));
    expect(order).toEqual(['CURRENCY:Success', 'CUSTOMER:Success', 'CONTACT:Error']);
    // Full sync created the uncoupled currency although the mapping has Synch. Only Coupled Records.
    expect(w.dv.all('transactioncurrencies')).toHaveLength(1);
    expect(w.engine.couplings.byBc(27, 'bc-1')!.dvId).toBe('dv-1');
    expect(lines.map((l) => l.jobStatus)).toEqual(['Error', 'Success', 'Success']);
  });
});

describe('Couple lines synchronize what they coupled', () => {
  it('a bidirectional mapping coupled by the review runs afterwards without update conflicts (Synch. After Match-Based Coupling)', async () => {
    const { world, item, itemMapping: im, field } = await import('./fakes');
    const { runReview } = await import('../../../main/integrations/sales/sync/review/run');
    const w = world();
    const m = im({ name: 'ITEM-PRODUCT', fields: [field('No.', 'productnumber', 'Bidirectional', { useForMatchBasedCoupling: true }), field('Description', 'name', 'Bidirectional')] });
    w.bc.put('Item', 'bc-1', item('A', 'Alpha'));
    w.dv.put('products', 'dv-1', { productnumber: 'A', name: 'alpha (old)' });
    const lines: ReviewLine[] = [{ ...line('ITEM-PRODUCT'), recommendation: 'Couple Records' }];
    const seen: string[] = [];
    await runReview(w.engine, lines, () => m, (p) => seen.push(`${p.line}:${p.status}`));
    expect(seen).toEqual(['ITEM-PRODUCT:Success']);
    // Coupled, then written once To Dataverse: both sides agree and the coupling has synchronized.
    expect(w.dv.all('products')[0]!.values).toMatchObject({ name: 'Alpha' });
    const next = await w.engine.runMapping(m);
    expect(next.to?.failed ?? 0).toBe(0);
    expect(next.from?.failed ?? 0).toBe(0);
  });
});

describe('the cascade waits for jobs, not for every record (BC: AreAllParentalJobsFinished)', () => {
  it('a parent whose job finished with failed records releases its dependants; a job that could not run does not', () => {
    const parent = { ...line('SALESPEOPLE'), recommendation: 'Couple Records' as const, jobStatus: 'Error' as const, jobFinished: true };
    expect(nextToStart([parent, line('CUSTOMER', ['SALESPEOPLE'])]).map((l) => l.name)).toEqual(['CUSTOMER']);
    expect(nextToStart([{ ...parent, jobFinished: false }, line('CUSTOMER', ['SALESPEOPLE'])])).toEqual([]);
    expect(startOrder([{ ...parent, jobFinished: false }, line('CUSTOMER', ['SALESPEOPLE'])]).blocked).toEqual([{ name: 'CUSTOMER', waitingFor: ['SALESPEOPLE'] }]);
  });

  it('runReview marks a coupling that left records unmatched as Error but finished', async () => {
    const { world, item, itemMapping: im, field } = await import('./fakes');
    const { runReview } = await import('../../../main/integrations/sales/sync/review/run');
    const w = world();
    const m = im({ fields: [field('No.', 'productnumber', 'Bidirectional', { useForMatchBasedCoupling: true }), field('Description', 'name', 'Bidirectional')] });
    w.bc.put('Item', 'bc-1', item('A', 'Alpha'));
    w.bc.put('Item', 'bc-2', item('B', 'Beta'));
    w.dv.put('products', 'dv-1', { productnumber: 'A', name: 'Alpha' });
    const lines: ReviewLine[] = [{ ...line('ITEM-PRODUCT'), recommendation: 'Couple Records' }, line('CONTACT', ['ITEM-PRODUCT'])];
    const contact = im({ name: 'CONTACT', bcTable: 'Contact', bcTableId: 5050, dataverseEntitySet: 'contacts', fields: [] });
    const seen: string[] = [];
    await runReview(w.engine, lines, (n) => (n === 'CONTACT' ? contact : m), (p) => seen.push(`${p.line}:${p.status}`));
    // B had no match: the line says Error, but its job finished, so CONTACT started (and failed on its own config).
    expect(seen).toEqual(['ITEM-PRODUCT:Error', 'CONTACT:Error']);
    expect(lines.map((l) => l.jobFinished)).toEqual([true, false]);
  });
});
