import { describe, expect, it } from 'vitest';
import { SideError } from '../../../main/integrations/sales/sync/ports';
import { field, INTEGRATION_USER, item, itemMapping, world } from './fakes';

const dvRows = (w: ReturnType<typeof world>) => w.dv.all('products');

describe('BC → Dataverse inserts and couplings', () => {
  it('creates uncoupled BC records in Dataverse with the chosen id, couples and stamps them', async () => {
    const w = world();
    const a = w.bc.put('Item', 'bc-1', item('1000', 'Bicycle', 100));
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    const r = await w.engine.runMapping(m);
    expect(r.to).toMatchObject({ inserted: 1, modified: 0, failed: 0 });
    expect(r.from).toBeNull();
    const rows = dvRows(w);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.values).toEqual({ productnumber: '1000', name: 'Bicycle', price: 100, producttypecode: '1' });
    const c = w.engine.couplings.byBc(27, 'bc-1')!;
    expect(c).toMatchObject({ dvId: rows[0]!.id, pending: false, resultTo: 'Success', bcModifiedOn: a.modifiedOn, dvModifiedOn: rows[0]!.modifiedOn });
    // The insert op carried the id recorded in the (pending) coupling before the request.
    expect(w.dv.writeCalls[0]!.ops[0]).toMatchObject({ kind: 'insert', id: rows[0]!.id });
  });

  it('ignores uncoupled records (not counted) when Synch. Only Coupled Records is set', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle'));
    const r = await w.engine.runMapping(itemMapping({ direction: 'ToIntegrationTable', synchOnlyCoupled: true }));
    expect(r.to).toMatchObject({ inserted: 0, skipped: 0, unchanged: 0, failed: 0 });
    expect(dvRows(w)).toHaveLength(0);
    expect(w.engine.couplings.count(27)).toBe(0);
  });

  it('writes only the changed values on modify and compares Code fields upper-cased and trimmed', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('BK-1000', 'Bicycle', 100));
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    await w.engine.runMapping(m);
    const dvId = dvRows(w)[0]!.id;
    w.dv.edit('products', dvId, { productnumber: 'bk-1000 ' });
    w.bc.edit('Item', 'bc-1', { 'Unit Price': 120 });
    w.dv.writeCalls.length = 0;
    const r = await w.engine.runMapping(m);
    expect(r.to).toMatchObject({ modified: 1 });
    expect(w.dv.writeCalls).toHaveLength(1);
    expect(w.dv.writeCalls[0]!.ops).toEqual([{ kind: 'update', id: dvId, values: { price: 120 }, validate: [] }]);
  });

  it('reports Unchanged when the source changed but every mapped value is already equal', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle', 100));
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    await w.engine.runMapping(m);
    w.bc.edit('Item', 'bc-1', { 'Description': 'Bicycle' });
    w.dv.writeCalls.length = 0;
    const r = await w.engine.runMapping(m);
    expect(r.to).toMatchObject({ unchanged: 1, modified: 0 });
    expect(w.dv.writeCalls).toHaveLength(0);
    expect(r.changed).toBe(false);
  });

  it('carries validate flags and the config template to the adapter', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle'));
    const m = itemMapping({
      direction: 'ToIntegrationTable', integrationTableConfigTemplateCode: 'PRODTPL',
      fields: [field('No.', 'productnumber', 'Bidirectional', { validateIntegrationField: true }), field('Description', 'name', 'ToIntegrationTable', { validateField: true })],
    });
    await w.engine.runMapping(m);
    expect(w.dv.writeCalls[0]!.ops[0]).toMatchObject({ kind: 'insert', validate: ['productnumber'], template: 'PRODTPL' });
  });

  it('records a configuration error when no field mapping applies to the pass', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle'));
    const m = itemMapping({ direction: 'ToIntegrationTable', fields: [field('No.', 'productnumber', 'FromIntegrationTable')] });
    const r = await w.engine.runMapping(m);
    expect(r.to!.message).toMatch(/There are no field mapping rows for the ITEM-PRODUCT table mapping/);
    expect(dvRows(w)).toHaveLength(0);
  });
});

describe('watermarks', () => {
  it('selects BC rows strictly after the watermark and DV rows after watermark − 999 ms', async () => {
    const w = world();
    const m = itemMapping({ synchOnlyCoupled: false });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await w.engine.runMapping(m);
    const wm = w.engine.watermarks('ITEM-PRODUCT');
    expect(wm.bc).toBeGreaterThan(0);
    expect(wm.dv).toBeGreaterThan(0);
    w.bc.queries.length = 0;
    w.dv.queries.length = 0;
    await w.engine.runMapping(m);
    expect(w.bc.queries[0]!.since).toBe(wm.bc);
    expect(w.dv.queries[0]!.since).toBe(wm.dv - 999);
  });

  it('caps watermarks at the job start time and ignores rows already seen', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    const startedAt = w.clock.t;
    // A row stamped in the future (clock skew / written during the run) must not push the watermark past start.
    w.bc.tables.get('Item')!.set('bc-2', { id: 'bc-2', modifiedOn: startedAt + 60_000, values: item('2', 'Two') });
    await w.engine.runMapping(m);
    expect(w.engine.watermarks('ITEM-PRODUCT').bc).toBe(startedAt);
    // Next run re-selects bc-2 (after the capped watermark) but it is unchanged now.
    const r = await w.engine.runMapping(m);
    expect(r.to).toMatchObject({ unchanged: 1, inserted: 0 });
  });

  it('does not select a BC row stamped 500 ms before the BC watermark', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable', synchOnlyCoupled: false });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await w.engine.runMapping(m);
    const wm = w.engine.watermarks('ITEM-PRODUCT').bc;
    w.bc.tables.get('Item')!.set('bc-2', { id: 'bc-2', modifiedOn: wm - 500, values: item('2', 'Two') });
    const r = await w.engine.runMapping(m);
    expect(r.to!.inserted).toBe(0);
  });

  it('selects a DV row stamped 500 ms before the DV watermark (second-precision modifiedon)', async () => {
    const w = world();
    const m = itemMapping({ direction: 'FromIntegrationTable', synchOnlyCoupled: false });
    w.dv.put('products', 'dv-1', { productnumber: '1', name: 'One' });
    await w.engine.runMapping(m);
    const wm = w.engine.watermarks('ITEM-PRODUCT').dv;
    w.dv.tables.get('products')!.set('dv-2', { id: 'dv-2', modifiedOn: wm - 500, modifiedBy: 'user', values: { productnumber: '2', name: 'Two' } });
    const r = await w.engine.runMapping(m);
    expect(r.from!.inserted).toBe(1);
  });
});

describe('bidirectional runs, echo suppression and stamps', () => {
  it('reports the echo of its own BC → DV write as Unchanged on the DV → BC pass', async () => {
    const w = world();
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle'));
    const r = await w.engine.runMapping(itemMapping({ synchOnlyCoupled: false }));
    expect(r.to!.inserted).toBe(1);
    // No echo user configured: the row comes back and is recognised through the stamp.
    expect(r.from).toMatchObject({ inserted: 0, modified: 0 });
    expect(w.bc.all('Item')).toHaveLength(1);
  });

  it('excludes rows modified by the integration user on bidirectional pulls without From-only fields', async () => {
    const w = world();
    const m = itemMapping({ fields: itemMapping().fields.filter((f) => f.direction !== 'FromIntegrationTable') });
    w.dv.put('products', 'dv-1', { productnumber: '1', name: 'One' }, INTEGRATION_USER);
    w.dv.put('products', 'dv-2', { productnumber: '2', name: 'Two' }, 'someone');
    const r = await w.engine.runMapping(m);
    expect(w.dv.queries.at(-1)!.excludeModifiedBy).toBe(INTEGRATION_USER);
    expect(r.from!.inserted).toBe(1);
    expect(w.bc.all('Item').map((x) => x.values['No.'])).toEqual(['2']);
  });

  it('re-checks the watermark and the echo filter locally when the adapter cannot push them down', async () => {
    const w = world();
    w.dv.noPushDown = true;
    const m = itemMapping({ fields: itemMapping().fields.filter((f) => f.direction !== 'FromIntegrationTable') });
    w.dv.put('products', 'dv-0', { productnumber: '0', name: 'Zero' }, 'someone');
    w.dv.put('products', 'dv-1', { productnumber: '1', name: 'One' }, INTEGRATION_USER);
    w.dv.put('products', 'dv-2', { productnumber: '2', name: 'Two' }, 'someone');
    const r1 = await w.engine.runMapping(m);
    expect(r1.from!.inserted).toBe(2);
    expect(w.bc.all('Item').map((x) => x.values['No.']).sort()).toEqual(['0', '2']);
    // Second run: only dv-2 lies within the 999 ms slack below the watermark; dv-0 (2 s older) is not looked at.
    const r2 = await w.engine.runMapping(m);
    expect(r2.from).toMatchObject({ inserted: 0, unchanged: 1, modified: 0 });
  });

  it('does not exclude integration-user rows when the mapping has a From-only field mapping', async () => {
    const w = world();
    w.dv.put('products', 'dv-1', { productnumber: '1', name: 'One', vendorpartnumber: 'V1' }, INTEGRATION_USER);
    const r = await w.engine.runMapping(itemMapping());
    expect(w.dv.queries.at(-1)!.excludeModifiedBy).toBeNull();
    expect(r.from!.inserted).toBe(1);
  });

  it('transfers From-only fields and constants toward BC only in the From pass', async () => {
    const w = world();
    w.dv.put('products', 'dv-1', { productnumber: '1', name: 'One', vendorpartnumber: 'V1', price: 99 });
    await w.engine.runMapping(itemMapping({ direction: 'FromIntegrationTable', fields: [...itemMapping().fields, field('Type', null, 'FromIntegrationTable', { constant: 'Inventory' })] }));
    expect(w.bc.all('Item')[0]!.values).toEqual({ 'No.': '1', Description: 'One', 'Vendor Item No.': 'V1', Type: 'Inventory' });
  });

  const conflictSetup = async (resolution: 'None' | 'Send Update to Integration' | 'Get Update from Integration', only?: 'to' | 'from') => {
    const w = world();
    const m = itemMapping({ updateConflictResolution: resolution });
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle'));
    await w.engine.runMapping(m);
    const dvId = dvRows(w)[0]!.id;
    w.bc.edit('Item', 'bc-1', { Description: 'Bike (BC)' });
    w.dv.edit('products', dvId, { name: 'Bike (DV)' });
    const r = await w.engine.runMapping(m, only ? { only } : {});
    return { w, r, dvId };
  };

  it('fails an update conflict on a bidirectional field when the resolution is None', async () => {
    const { w, r, dvId } = await conflictSetup('None');
    expect(r.to!.failed).toBe(1);
    expect(w.engine.log.errors(r.to!.id)[0]!.message).toMatch(/Cannot update a record in the product table\. The mapping between Description and name is bi-directional/);
    expect(w.dv.get('products', dvId)!.values.name).toBe('Bike (DV)');
    expect(w.bc.get('Item', 'bc-1')!.values.Description).toBe('Bike (BC)');
  });

  it('lets BC win with Send Update to Integration (and skips the DV → BC side)', async () => {
    const { w, r, dvId } = await conflictSetup('Send Update to Integration');
    expect(r.to!.modified).toBe(1);
    expect(w.dv.get('products', dvId)!.values.name).toBe('Bike (BC)');
    expect(w.bc.get('Item', 'bc-1')!.values.Description).toBe('Bike (BC)');
    // The reverse pass still examined the row (lowered stamp) and found nothing to bring back.
    expect(r.from).toMatchObject({ unchanged: 1, modified: 0 });
    expect(w.engine.couplings.byBc(27, 'bc-1')!.dvModifiedOn).toBe(w.dv.get('products', dvId)!.modifiedOn);
  });

  it('lowers the DV stamp by 999 ms after a To write when both sides changed (E.4 step 10)', async () => {
    const { w, dvId } = await conflictSetup('Send Update to Integration', 'to');
    const c = w.engine.couplings.byBc(27, 'bc-1')!;
    expect(c.dvModifiedOn).toBe(w.dv.get('products', dvId)!.modifiedOn - 999);
    expect(c.bcModifiedOn).toBe(w.bc.get('Item', 'bc-1')!.modifiedOn);
  });

  it('lets Dataverse win with Get Update from Integration (BC → DV side skipped)', async () => {
    const { w, r, dvId } = await conflictSetup('Get Update from Integration');
    expect(r.to!.skipped).toBe(1);
    expect(r.from!.modified).toBe(1);
    expect(w.bc.get('Item', 'bc-1')!.values.Description).toBe('Bike (DV)');
    expect(w.dv.get('products', dvId)!.values.name).toBe('Bike (DV)');
  });

  it('lowers the BC stamp by 10 ms after a From write when both sides changed', async () => {
    const { w } = await conflictSetup('Get Update from Integration', 'from');
    const c = w.engine.couplings.byBc(27, 'bc-1')!;
    expect(w.bc.get('Item', 'bc-1')!.values.Description).toBe('Bike (DV)');
    expect(c.bcModifiedOn).toBe(w.bc.get('Item', 'bc-1')!.modifiedOn - 10);
  });

  it('is not a conflict when both changed but only one-way fields differ', async () => {
    const w = world();
    const m = itemMapping();
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle', 100));
    await w.engine.runMapping(m);
    const dvId = dvRows(w)[0]!.id;
    w.bc.edit('Item', 'bc-1', { 'Unit Price': 150 });
    w.dv.edit('products', dvId, { vendorpartnumber: 'V-9' });
    const r = await w.engine.runMapping(m);
    expect(r.to).toMatchObject({ modified: 1, failed: 0 });
    expect(r.from).toMatchObject({ modified: 1, failed: 0 });
    expect(w.dv.get('products', dvId)!.values.price).toBe(150);
    expect(w.bc.get('Item', 'bc-1')!.values['Vendor Item No.']).toBe('V-9');
  });
});

describe('deletion conflicts', () => {
  const setup = async (resolution: 'None' | 'Restore Records' | 'Remove Coupling') => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable', deletionConflictResolution: resolution });
    w.bc.put('Item', 'bc-1', item('1000', 'Bicycle'));
    await w.engine.runMapping(m);
    const dvId = dvRows(w)[0]!.id;
    w.dv.delete('products', dvId);
    w.bc.edit('Item', 'bc-1', { Description: 'Bike' });
    return { w, m, dvId, r: await w.engine.runMapping(m) };
  };
  it('None: fails with a message that says what to do', async () => {
    const { w, r } = await setup('None');
    expect(r.to!.failed).toBe(1);
    expect(w.engine.log.errors(r.to!.id)[0]!.message).toMatch(/coupled to a deleted record/);
    expect(w.engine.couplings.byBc(27, 'bc-1')!.resultTo).toBe('Failure');
  });
  it('Remove Coupling: removes the coupling and writes nothing', async () => {
    const { w, r } = await setup('Remove Coupling');
    expect(r.to).toMatchObject({ uncoupled: 1, inserted: 0, failed: 0 });
    expect(w.engine.couplings.byBc(27, 'bc-1')).toBeUndefined();
    expect(dvRows(w)).toHaveLength(0);
  });
  it('Restore Records: inserts a new destination and couples it', async () => {
    const { w, r, dvId } = await setup('Restore Records');
    expect(r.to!.inserted).toBe(1);
    const rows = dvRows(w);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).not.toBe(dvId);
    expect(rows[0]!.values.name).toBe('Bike');
    expect(w.engine.couplings.byBc(27, 'bc-1')!.dvId).toBe(rows[0]!.id);
  });
});

describe('failures, retry and skipping', () => {
  it('retries failed records first on the next run even when they were not modified again', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await w.engine.runMapping(m);
    const dvId = dvRows(w)[0]!.id;
    w.bc.edit('Item', 'bc-1', { Description: 'Uno' });
    w.dv.failOn.set(dvId, 'Plugin rejected the update');
    const r1 = await w.engine.runMapping(m);
    expect(r1.to!.failed).toBe(1);
    expect(w.engine.log.errors(r1.to!.id)[0]).toMatchObject({ sourceId: 'bc-1', destinationId: dvId, sourceSide: 'bc' });
    expect(w.engine.log.errors(r1.to!.id)[0]!.message).toMatch(/^Modifying product failed because of the following error: Plugin rejected/);
    w.dv.failOn.delete(dvId);
    const r2 = await w.engine.runMapping(m);
    expect(r2.to!.modified).toBe(1);
    expect(w.dv.get('products', dvId)!.values.name).toBe('Uno');
    expect(w.engine.couplings.byBc(27, 'bc-1')!.resultTo).toBe('Success');
  });

  it('skips a record after the same error twice in a row, until it is restored', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await w.engine.runMapping(m);
    const dvId = dvRows(w)[0]!.id;
    w.bc.edit('Item', 'bc-1', { Description: 'Uno' });
    w.dv.failOn.set(dvId, 'Same error');
    await w.engine.runMapping(m);
    expect(w.engine.couplings.byBc(27, 'bc-1')!.skipped).toBe(false);
    const r2 = await w.engine.runMapping(m);
    expect(w.engine.couplings.byBc(27, 'bc-1')!.skipped).toBe(true);
    expect(w.engine.log.errors(r2.to!.id)[0]!.message).toMatch(/skipped for further synchronization due to a repeatable failure/);
    w.bc.edit('Item', 'bc-1', { Description: 'Eins' });
    const calls = w.dv.writeCalls.length;
    const r3 = await w.engine.runMapping(m);
    expect(r3.to).toMatchObject({ skipped: 1, failed: 0 });
    expect(w.dv.writeCalls.length).toBe(calls);
  });

  it('never skips a record for transient failures that outlast the retries; it syncs once the service recovers', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await w.engine.runMapping(m);
    const dvId = dvRows(w)[0]!.id;
    w.bc.edit('Item', 'bc-1', { Description: 'Uno' });
    // More transient answers than the engine retries within one run, twice in a row, with the same message.
    w.dv.transientOn.set(dvId, 100);
    const r1 = await w.engine.runMapping(m);
    const r2 = await w.engine.runMapping(m);
    expect(r1.to!.failed).toBe(1);
    expect(r2.to!.failed).toBe(1);
    expect(w.engine.couplings.byBc(27, 'bc-1')).toMatchObject({ skipped: false, resultTo: 'Failure' });
    expect(w.engine.log.errors(r2.to!.id)[0]!.message).not.toMatch(/skipped for further synchronization/);
    w.dv.transientOn.delete(dvId);
    const r3 = await w.engine.runMapping(m);
    expect(r3.to).toMatchObject({ failed: 0, skipped: 0 });
    expect(w.dv.get('products', dvId)!.values.name).toBe('Uno');
    expect(w.engine.couplings.byBc(27, 'bc-1')).toMatchObject({ skipped: false, resultTo: 'Success' });
  });

  it('does not skip when the error message changes', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await w.engine.runMapping(m);
    const dvId = dvRows(w)[0]!.id;
    w.bc.edit('Item', 'bc-1', { Description: 'Uno' });
    w.dv.failOn.set(dvId, 'Error A');
    await w.engine.runMapping(m);
    w.dv.failOn.set(dvId, 'Error B');
    await w.engine.runMapping(m);
    expect(w.engine.couplings.byBc(27, 'bc-1')).toMatchObject({ skipped: false, resultTo: 'Failure', errorTo: expect.stringMatching(/Error B/) as unknown });
  });

  it('keeps a failed insert as a pending failed coupling and creates it exactly once on retry', async () => {
    const w = world();
    const m = itemMapping({ direction: 'FromIntegrationTable' });
    w.dv.put('products', 'dv-1', { productnumber: '1', name: 'One' });
    w.bc.throwNext.push(new SideError('The Item No. 1 already exists.', false));
    const r1 = await w.engine.runMapping(m);
    expect(r1.from!.failed).toBe(1);
    expect(w.engine.couplings.byDv(27, 'dv-1')).toMatchObject({ pending: true, bcId: null, resultFrom: 'Failure' });
    const r2 = await w.engine.runMapping(m);
    expect(r2.from!.inserted).toBe(1);
    expect(w.bc.all('Item')).toHaveLength(1);
    expect(w.engine.couplings.byDv(27, 'dv-1')).toMatchObject({ pending: false, bcId: w.bc.all('Item')[0]!.id, resultFrom: 'Success' });
  });

  it('retries transient write failures with backoff, per batch and per operation', async () => {
    const w = world({ retryDelayMs: 100 });
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    w.bc.put('Item', 'bc-2', item('2', 'Two'));
    w.dv.throwNext.push(new SideError('Service unavailable', true));
    const r = await w.engine.runMapping(m);
    expect(r.to).toMatchObject({ inserted: 2, failed: 0 });
    expect(w.sleeps).toEqual([100]);
    expect(dvRows(w)).toHaveLength(2);
    // A per-op 429 is retried alone.
    const id = w.engine.couplings.byBc(27, 'bc-1')!.dvId;
    w.bc.edit('Item', 'bc-1', { Description: 'Uno' });
    w.dv.transientOn.set(id, 2);
    w.dv.writeCalls.length = 0;
    const r2 = await w.engine.runMapping(m);
    expect(r2.to).toMatchObject({ modified: 1, failed: 0 });
    expect(w.dv.writeCalls.map((c) => c.ops.length)).toEqual([1, 1, 1]);
    expect(w.sleeps).toEqual([100, 100, 200]);
  });

  it('fails the records after the retries are used up', async () => {
    const w = world({ maxRetries: 2, retryDelayMs: 1 });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    for (let i = 0; i < 3; i++) w.dv.throwNext.push(new SideError('Timeout', true));
    const r = await w.engine.runMapping(itemMapping({ direction: 'ToIntegrationTable' }));
    expect(r.to!.failed).toBe(1);
    expect(w.engine.log.errors(r.to!.id)[0]!.message).toMatch(/Timeout/);
  });
});

describe('filters and streaming', () => {
  it('applies the BC table filter and the DV integration table filter locally', async () => {
    const w = world();
    const m = itemMapping({
      tableFilter: { conditions: [{ field: 'Blocked', op: 'eq', values: ['No'] }] },
      integrationTableFilter: { conditions: [{ attribute: 'statecode', op: 'eq', values: [0] }], companyScoped: false },
    });
    w.bc.put('Item', 'bc-1', { ...item('1', 'Open'), Blocked: false });
    w.bc.put('Item', 'bc-2', { ...item('2', 'Blocked'), Blocked: true });
    w.dv.put('products', 'dv-1', { productnumber: 'A', name: 'Active', statecode: 0 });
    w.dv.put('products', 'dv-2', { productnumber: 'B', name: 'Retired', statecode: 1 });
    const r = await w.engine.runMapping(m);
    expect(r.to!.inserted).toBe(1);
    expect(r.from!.inserted).toBe(1);
    expect(w.bc.all('Item').map((x) => x.values['No.']).sort()).toEqual(['1', '2', 'A']);
    expect(dvRows(w).map((x) => x.values.productnumber).sort()).toEqual(['1', 'A', 'B']);
  });

  it('streams in pages, writes in bounded batches and reads ≤ 400 ids per call', async () => {
    const w = world({ pageSize: 300, batchSize: 250, maxInFlight: 2 });
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    for (let i = 0; i < 1200; i++) w.bc.put('Item', `bc-${i}`, item(String(i), `Item ${i}`));
    const r1 = await w.engine.runMapping(m);
    expect(r1.to!.inserted).toBe(1200);
    expect(Math.max(...w.dv.writeCalls.map((c) => c.ops.length))).toBeLessThanOrEqual(250);
    for (let i = 0; i < 1200; i += 2) w.bc.edit('Item', `bc-${i}`, { Description: `Changed ${i}` });
    const r2 = await w.engine.runMapping(m);
    expect(r2.to).toMatchObject({ modified: 600, unchanged: 0 });
    expect(w.dv.getByIdsSizes.every((n) => n <= 400)).toBe(true);
    expect(new Set(dvRows(w).map((x) => x.values.productnumber)).size).toBe(1200);
  });
});

describe('implicit matches and forced runs', () => {
  it('couples an implicit match (OnFindUncoupledDestinationRecord) and force-modifies it instead of inserting', async () => {
    const w = world();
    w.dv.put('products', 'dv-eur', { productnumber: 'EUR', name: 'old name' });
    const engine = w.newEngine({
      implicitMatch: async (_m, dir, src) => (dir === 'to' ? (w.dv.all('products').find((r) => r.values.productnumber === src.values['No.'])?.id ?? null) : null),
    });
    w.bc.put('Item', 'bc-eur', item('EUR', 'Euro'));
    const r = await engine.runMapping(itemMapping({ direction: 'ToIntegrationTable', synchOnlyCoupled: true }));
    expect(r.to).toMatchObject({ coupled: 1, modified: 1, inserted: 0 });
    expect(dvRows(w)).toHaveLength(1);
    expect(w.dv.get('products', 'dv-eur')!.values.name).toBe('Euro');
  });

  it('skips (does not restore) a record whose destination was deleted when the run is forced', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable', deletionConflictResolution: 'Restore Records' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await w.engine.runMapping(m);
    w.dv.delete('products', w.engine.couplings.byBc(27, 'bc-1')!.dvId);
    const r = await w.engine.runMapping(m, { ids: ['bc-1'], only: 'to' });
    expect(r.to).toMatchObject({ skipped: 1, inserted: 0 });
    expect(dvRows(w)).toHaveLength(0);
  });

  it('matches Dataverse ids case-insensitively (adapters may return upper-case GUIDs)', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    const ID = 'AAAAAAAA-0000-0000-0000-000000000001';
    w.dv.put('products', ID, { productnumber: '1', name: 'old' });
    w.engine.couplings.insert({ tableId: 27, dvEntity: 'product', bcId: 'bc-1', dvId: ID });
    w.bc.put('Item', 'bc-1', item('1', 'new'));
    const r = await w.engine.runMapping(m);
    expect(r.to).toMatchObject({ modified: 1, failed: 0 });
    expect(w.dv.get('products', ID)!.values.name).toBe('new');
  });

  it('closes jobs left open by a dead process when the next process starts', () => {
    const w = world();
    const open = w.engine.log.start('ITEM-PRODUCT', 'Synchronization', 'ToIntegrationTable');
    expect(w.engine.log.get(open)!.finishedAt).toBeNull();
    const next = w.newEngine();
    expect(next.log.get(open)!.message).toMatch(/^Interrupted/);
    expect(next.log.get(open)!.finishedAt).not.toBeNull();
  });

  it('refuses a second concurrent run over the same BC table (it could create records twice)', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    const first = w.engine.runMapping(m);
    await expect(w.engine.runMapping(itemMapping({ name: 'ITEM-COPY', direction: 'ToIntegrationTable' }))).rejects.toThrow(/already running/);
    await first;
    await expect(w.engine.runMapping(m)).resolves.toBeDefined();
    expect(dvRows(w)).toHaveLength(1);
  });

  it('refuses option mappings with a clear message', async () => {
    const w = world();
    await expect(w.engine.runMapping(itemMapping({ name: 'PAYMENT TERMS', isOptionMapping: true }))).rejects.toThrow(/option mapping/);
  });
});

describe('pending creates whose source disappeared', () => {
  it('keeps the coupling when the Dataverse row was created, drops it when it was not', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    const made = w.engine.couplings.insert({ tableId: 27, dvEntity: 'product', bcId: 'bc-gone-1', dvId: 'dv-made', pending: true });
    w.dv.put('products', 'dv-made', { productnumber: '1' });
    const lost = w.engine.couplings.insert({ tableId: 27, dvEntity: 'product', bcId: 'bc-gone-2', dvId: 'dv-never', pending: true });
    await w.engine.runMapping(m);
    expect(w.engine.couplings.byRowId(made.rowId)).toMatchObject({ pending: false, resultTo: 'Success' });
    expect(w.engine.couplings.byRowId(lost.rowId)).toBeUndefined();
  });
});
