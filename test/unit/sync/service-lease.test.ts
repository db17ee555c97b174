/**
 * SyncService over fake sides (issue 12): a table another process holds in the database is refused before anything
 * connects, with a code and params that name the holder; the 30 s tick leaves such an entry for the next tick
 * (not a failed attempt) and the queue says why it waits; once free, runs and ticks share one connection while
 * the source key stays the same.
 */
import { describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { TableLeases } from '../../../main/kernel/runs/lease';
import type { SidesFactory } from '../../../main/integrations/sales/sync/service/sides';
import { SyncService } from '../../../main/integrations/sales/sync/service/service';
import { FakeClock, FakeSide, INTEGRATION_USER, itemMapping } from './fakes';

function setup() {
  const { db } = openDatabase(':memory:');
  const clock = new FakeClock();
  const bc = new FakeSide('bc', clock);
  const dv = new FakeSide('dataverse', clock);
  let key = 'dv-1|bc-1|';
  const connect = vi.fn(async () => ({ key, sides: { sides: { bc, dataverse: dv }, bc, dataverse: dv, integrationUserId: INTEGRATION_USER } as never }));
  const sides: SidesFactory = {
    source: async () => ({ kind: 'setup', dataverse: { profileId: 'dv-1', name: 'DV' }, bc: { profileId: 'bc-1', name: 'BC' }, message: null }),
    connect,
    key: async () => key,
  };
  const service = new SyncService({
    db, clock, sides, events: { progress: () => undefined, finished: () => undefined }, mappings: () => [itemMapping()], owner: 'the Integration Console', eventIntervalMs: 0,
  });
  return { db, clock, service, connect, setKey: (k: string) => (key = k) };
}

describe('SyncService and table leases', () => {
  it('refuses a table another process holds, naming it, before connecting; the tick waits for it', async () => {
    const { db, clock, service, connect } = setup();
    const cli = new TableLeases(db, clock, { label: 'the d365ic CLI', pid: 4321, host: 'another-host' });
    cli.acquire(27, 'ITEM-PRODUCT', 'Item');
    await expect(service.run('ITEM-PRODUCT', false)).rejects.toMatchObject({
      code: 'SYNC_TABLE_LEASED', params: { table: 'Item', mapping: 'ITEM-PRODUCT', holder: 'the d365ic CLI', pid: 4321, host: 'another-host' },
    });
    expect(connect).not.toHaveBeenCalled();

    await service.queueList(); // the default entries exist from the first look at the queue on
    service.queueSet('ITEM-PRODUCT', 'Ready');
    const report = await service.tick();
    expect(report).toMatchObject({ ran: [], failed: [] });
    expect(service.queue.get('ITEM-PRODUCT')).toMatchObject({ status: 'Ready', attempts: 0 });
    expect((await service.queueList()).find((e) => e.name === 'ITEM-PRODUCT')!.blockedBy).toEqual({ code: 'tableBusy', params: { mapping: 'ITEM-PRODUCT' } });

    cli.release(27);
    expect((await service.tick()).ran).toEqual(['ITEM-PRODUCT']);
  });

  it('connects once for runs and ticks while the source key stays the same, and again when it changes', async () => {
    const { service, connect, setKey } = setup();
    for (let i = 0; i < 3; i++) expect((await (await service.run('ITEM-PRODUCT', false)).done).results[0]!.error).toBeNull();
    await service.tick();
    await service.tick();
    expect(connect).toHaveBeenCalledTimes(1);
    setKey('dv-2|bc-1|');
    expect((await (await service.run('ITEM-PRODUCT', false)).done).results[0]!.error).toBeNull();
    expect(connect).toHaveBeenCalledTimes(2);
  });
});
