import { describe, expect, it } from 'vitest';
import { CouplingError } from '../../../main/integrations/sales/sync/coupling/store';
import { MappingConfigError } from '../../../main/integrations/sales/sync/engine/engine';
import {
  couple, deleteCouplingsOfFailed, matchBasedCouple, modifiedRecordsOrder, restoreSkipped, synchronizeAllModified, synchronizeNow, uncouple,
} from '../../../main/integrations/sales/sync/engine/manual';
import { field, item, itemMapping, world } from './fakes';

describe('couple / uncouple (E.1 rules)', () => {
  it('couples, refuses a second DV id for the same BC record, and is idempotent for the same pair', async () => {
    const w = world();
    const m = itemMapping();
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    w.dv.put('products', 'dv-1', { productnumber: '1', name: 'One' });
    w.dv.put('products', 'dv-2', { productnumber: '2', name: 'Two' });
    const c = await couple(w.engine, m, 'bc-1', 'DV-1');
    expect(c).toMatchObject({ bcId: 'bc-1', dvId: 'dv-1', bcModifiedOn: 0, dvModifiedOn: 0 });
    expect((await couple(w.engine, m, 'bc-1', 'dv-1')).rowId).toBe(c.rowId);
    await expect(couple(w.engine, m, 'bc-1', 'dv-2')).rejects.toThrow(/already coupled to dv-1\. Uncouple it first/);
  });

  it('takes over a DV id only when the BC record it was coupled to no longer exists', async () => {
    const w = world();
    const m = itemMapping();
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    w.bc.put('Item', 'bc-2', item('2', 'Two'));
    w.dv.put('products', 'dv-1', { productnumber: '1', name: 'One' });
    await couple(w.engine, m, 'bc-1', 'dv-1');
    await expect(couple(w.engine, m, 'bc-2', 'dv-1')).rejects.toBeInstanceOf(CouplingError);
    w.bc.delete('Item', 'bc-1');
    await couple(w.engine, m, 'bc-2', 'dv-1');
    expect(w.engine.couplings.byDv(27, 'dv-1')!.bcId).toBe('bc-2');
    expect(w.engine.couplings.byBc(27, 'bc-1')).toBeUndefined();
  });

  it('a fresh coupling counts as modified on both sides, and can synchronize right away', async () => {
    const w = world();
    const m = itemMapping({ updateConflictResolution: 'Send Update to Integration' });
    w.bc.put('Item', 'bc-1', item('1', 'One BC'));
    w.dv.put('products', 'dv-1', { productnumber: '1', name: 'One DV' });
    await couple(w.engine, m, 'bc-1', 'dv-1', 'to');
    expect(w.dv.get('products', 'dv-1')!.values.name).toBe('One BC');
    expect(w.engine.couplings.byBc(27, 'bc-1')!.resultTo).toBe('Success');
  });

  it('uncouples and logs an Uncoupling job', () => {
    const w = world();
    const m = itemMapping();
    w.engine.couplings.insert({ tableId: 27, dvEntity: 'product', bcId: 'bc-1', dvId: 'dv-1' });
    const job = uncouple(w.engine, m, ['bc-1', 'bc-unknown']);
    expect(job).toMatchObject({ type: 'Uncoupling', uncoupled: 1 });
    expect(w.engine.couplings.byBc(27, 'bc-1')).toBeUndefined();
  });
});

describe('synchronize now', () => {
  it('force-writes the selected records even when unchanged, and leaves the others and the watermarks alone', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    w.bc.put('Item', 'bc-2', item('2', 'Two'));
    await w.engine.runMapping(m);
    const wm = w.engine.watermarks(m.name);
    const d1 = w.engine.couplings.byBc(27, 'bc-1')!.dvId;
    const d2 = w.engine.couplings.byBc(27, 'bc-2')!.dvId;
    w.dv.edit('products', d1, { name: 'changed in DV' });
    w.dv.edit('products', d2, { name: 'changed in DV' });
    const r = await synchronizeNow(w.engine, m, 'to', ['bc-1']);
    expect(r.to).toMatchObject({ modified: 1 });
    expect(w.dv.get('products', d1)!.values.name).toBe('One');
    expect(w.dv.get('products', d2)!.values.name).toBe('changed in DV');
    expect(w.engine.watermarks(m.name)).toEqual(wm);
  });

  it('refuses a direction the mapping does not synchronize', async () => {
    const w = world();
    await expect(synchronizeNow(w.engine, itemMapping({ direction: 'ToIntegrationTable' }), 'from', ['x'])).rejects.toThrow(/Send data update to Dataverse/);
  });

  it('"Create in Dataverse" ignores Synch. Only Coupled Records; plain Synchronize Now does not', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable', synchOnlyCoupled: true });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await synchronizeNow(w.engine, m, 'to', ['bc-1']);
    expect(w.dv.all('products')).toHaveLength(0);
    await synchronizeNow(w.engine, m, 'to', ['bc-1'], true);
    expect(w.dv.all('products')).toHaveLength(1);
  });

  it('synchronizes all modified records in dependency and BC priority order (option mappings included) and continues after a mapping error', async () => {
    const w = world();
    const customer = itemMapping({ name: 'CUSTOMER', fields: [] });
    const currency = itemMapping({ name: 'CURRENCY', direction: 'ToIntegrationTable' });
    const opt = itemMapping({ name: 'PAYMENT TERMS', isOptionMapping: true });
    const child = itemMapping({ name: 'TEMP', parentName: 'CURRENCY' });
    expect(modifiedRecordsOrder([itemMapping({ name: 'OTHER' }), customer, currency, opt, child]).map((x) => x.name)).toEqual(['CURRENCY', 'CUSTOMER', 'OTHER', 'PAYMENT TERMS']);
    // A Dependency Filter outranks the priority list: CUSTOMER waits for the option mapping it depends on.
    const dependent = { ...customer, dependencyFilter: ['PAYMENT TERMS', 'NOT IN THE LIST'] };
    expect(modifiedRecordsOrder([dependent, opt, currency]).map((x) => x.name)).toEqual(['CURRENCY', 'PAYMENT TERMS', 'CUSTOMER']);
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    const out = await synchronizeAllModified(w.engine, [customer, currency]);
    expect(out.map((o) => o.mapping)).toEqual(['CURRENCY', 'CUSTOMER']);
    expect(out[0]!.result!.to!.inserted).toBe(1);
    expect(out[1]!.result!.to!.message).toMatch(/no field mapping rows/);
  });
});

describe('match-based coupling (E.8)', () => {
  const matchMapping = (o = {}) =>
    itemMapping({
      direction: 'ToIntegrationTable',
      fields: [
        field('No.', 'productnumber', 'Bidirectional', { useForMatchBasedCoupling: true, matchPriority: 0 }),
        field('Description', 'name', 'Bidirectional', { useForMatchBasedCoupling: true, matchPriority: 1 }),
      ],
      ...o,
    });

  it('couples on the first priority with exactly one uncoupled match, case-insensitively', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('ABC', 'Bike'));
    w.dv.put('products', 'dv-1', { productnumber: 'abc', name: 'other' });
    w.dv.put('products', 'dv-2', { productnumber: 'xyz', name: 'Bike' });
    const r = await matchBasedCouple(w.engine, matchMapping());
    expect(r.coupled).toEqual([{ bcId: 'bc-1', dvId: 'dv-1' }]);
    expect(r.job).toMatchObject({ type: 'Coupling', coupled: 1 });
  });

  it('respects Case-Sensitive Matching', async () => {
    const w = world();
    const m = matchMapping();
    m.fields[0]!.caseSensitiveMatching = true;
    m.fields.splice(1, 1);
    w.bc.put('Item', 'bc-1', item('ABC', 'Bike'));
    w.dv.put('products', 'dv-1', { productnumber: 'abc', name: 'Bike' });
    const r = await matchBasedCouple(w.engine, m);
    expect(r.coupled).toEqual([]);
    expect(r.unmatched).toEqual(['bc-1']);
    expect(w.engine.log.errors(r.job.id)[0]!.message).toMatch(/no unique uncoupled matching product/);
  });

  it('falls through to the next priority when the first matches several rows or only coupled rows', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('ABC', 'Bike'));
    w.bc.put('Item', 'bc-2', item('DEF', 'Car'));
    w.dv.put('products', 'dv-1', { productnumber: 'ABC', name: 'x' });
    w.dv.put('products', 'dv-2', { productnumber: 'ABC', name: 'Bike' });
    w.dv.put('products', 'dv-3', { productnumber: 'DEF', name: 'y' });
    w.dv.put('products', 'dv-4', { productnumber: 'zzz', name: 'Car' });
    w.engine.couplings.insert({ tableId: 27, dvEntity: 'product', bcId: 'bc-other', dvId: 'dv-3' });
    const r = await matchBasedCouple(w.engine, matchMapping());
    expect(r.coupled).toEqual([{ bcId: 'bc-1', dvId: 'dv-2' }, { bcId: 'bc-2', dvId: 'dv-4' }]);
  });

  it('creates a new row when nothing matches and Create New in Case of No Match is on', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('ABC', 'Bike'));
    const r = await matchBasedCouple(w.engine, matchMapping({ createNewInCaseOfNoMatch: true, synchOnlyCoupled: true }));
    expect(r.created).toEqual(['bc-1']);
    expect(w.dv.all('products').map((x) => x.values.productnumber)).toEqual(['ABC']);
    expect(w.engine.couplings.byBc(27, 'bc-1')!.resultTo).toBe('Success');
  });

  it('synchronizes coupled records afterwards when Synch. After Match-Based Coupling is on', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('ABC', 'Bike'));
    w.dv.put('products', 'dv-1', { productnumber: 'ABC', name: 'old' });
    await matchBasedCouple(w.engine, matchMapping({ synchAfterBulkCoupling: true }));
    expect(w.dv.get('products', 'dv-1')!.values.name).toBe('Bike');
  });

  it('refuses to run without match fields, saying what to set', async () => {
    const w = world();
    await expect(matchBasedCouple(w.engine, itemMapping())).rejects.toThrow(MappingConfigError);
    await expect(matchBasedCouple(w.engine, itemMapping())).rejects.toThrow(/Use For Match-Based Coupling/);
  });
});

describe('skipped and failed records', () => {
  const failTwice = async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await w.engine.runMapping(m);
    const dvId = w.engine.couplings.byBc(27, 'bc-1')!.dvId;
    w.bc.edit('Item', 'bc-1', { Description: 'Uno' });
    w.dv.failOn.set(dvId, 'boom');
    await w.engine.runMapping(m);
    const last = await w.engine.runMapping(m);
    return { w, m, dvId, last };
  };

  it('restores skipped records and retries them', async () => {
    const { w, m, dvId } = await failTwice();
    expect(w.engine.couplings.countSkipped(27)).toBe(1);
    w.dv.failOn.delete(dvId);
    expect(await restoreSkipped(w.engine, m, 'all', 'to')).toBe(1);
    expect(w.engine.couplings.byBc(27, 'bc-1')).toMatchObject({ skipped: false, resultTo: 'Success' });
    expect(w.dv.get('products', dvId)!.values.name).toBe('Uno');
  });

  it('restores only the selected records', async () => {
    const { w, m } = await failTwice();
    expect(await restoreSkipped(w.engine, m, ['bc-2'])).toBe(0);
    expect(await restoreSkipped(w.engine, m, ['bc-1'])).toBe(1);
    expect(w.engine.couplings.countSkipped(27)).toBe(0);
  });

  it('deletes the couplings of a job\'s failed records', async () => {
    const { w, m, last } = await failTwice();
    expect(deleteCouplingsOfFailed(w.engine, m, last.to!.id)).toBe(1);
    expect(w.engine.couplings.byBc(27, 'bc-1')).toBeUndefined();
  });
});
