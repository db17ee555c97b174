/**
 * Per-table leases in the sync database (issue 12): two owners on one database exclude each other per BC table and
 * say who holds it; a live owner's open jobs are never closed as Interrupted by another; a lease whose owner died
 * (process gone on this host) or stopped renewing (expiry, any host) is taken over and the dead owner's jobs closed.
 */
import { describe, expect, it } from 'vitest';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import { INTERRUPTED_MESSAGE, TableLeasedError, TableLeases } from '../../../main/kernel/runs/lease';
import { JobLog } from '../../../main/kernel/jobs/log';
import { syncDb } from './fakes';

const CUSTOMER = 18;
const clockAt = (t: { now: number }) => ({ now: () => t.now });
const openJob = (db: ReturnType<typeof syncDb>, owner: string) => new JobLog(db, () => 1, owner).start('CUSTOMER', 'Synchronization', 'ToIntegrationTable');
const finishedAt = (db: ReturnType<typeof syncDb>, id: string) => db.prepare('SELECT finished_at AS f, message AS m FROM sync_jobs WHERE id = ?').get(id) as { f: number | null; m: string };

describe('table leases', () => {
  it('lets one owner hold a table and tells the other who holds it (label, pid, host, mapping, since)', () => {
    const db = syncDb();
    const t = { now: 1_000 };
    const console = new TableLeases(db, clockAt(t), { label: 'the Integration Console', pid: 4242, host: 'here', alive: () => true });
    const cli = new TableLeases(db, clockAt(t), { label: 'the d365ic CLI', pid: 4343, host: 'here', alive: () => true });
    console.acquire(CUSTOMER, 'CUSTOMER', 'Customer');
    let caught: unknown;
    try {
      cli.acquire(CUSTOMER, 'CUSTOMER', 'Customer');
    } catch (x) {
      caught = x;
    }
    expect(caught).toBeInstanceOf(TableLeasedError);
    expect((caught as TableLeasedError).holder).toMatchObject({ owner: console.owner, label: 'the Integration Console', pid: 4242, host: 'here', mapping: 'CUSTOMER', since: 1_000 });
    expect((caught as Error).message).toMatch(/Customer is being synchronized by the Integration Console \(process 4242 on here, mapping CUSTOMER\).*Wait for it to finish/);
    expect(cli.holder(CUSTOMER)?.label).toBe('the Integration Console');
    expect(console.holder(CUSTOMER)).toBeNull();
    // Another table is free; the holder's own second hold is re-entrant and the table stays held until both end.
    cli.acquire(27, 'ITEM-PRODUCT', 'Item');
    console.acquire(CUSTOMER, 'CUSTOMER', 'Customer');
    console.release(CUSTOMER);
    expect(() => cli.acquire(CUSTOMER, 'CUSTOMER', 'Customer')).toThrow(TableLeasedError);
    console.release(CUSTOMER);
    cli.acquire(CUSTOMER, 'CUSTOMER', 'Customer');
    expect(console.holder(CUSTOMER)?.label).toBe('the d365ic CLI');
    cli.close();
    console.close();
  });

  it('never closes the open jobs of an owner that lives; a new engine on the same database leaves them open', () => {
    const db = syncDb();
    const t = { now: 1_000 };
    const a = new TableLeases(db, clockAt(t), { label: 'A', host: 'here', alive: () => true });
    a.acquire(CUSTOMER, 'CUSTOMER', 'Customer');
    const job = openJob(db, a.owner);
    const b = new TableLeases(db, clockAt(t), { label: 'B', host: 'here', alive: () => true });
    expect(b.closeInterrupted()).toBe(0);
    new SyncEngine(db, {} as never, clockAt(t), { leases: b });
    new SyncEngine(db, {} as never, clockAt(t));
    expect(finishedAt(db, job).f).toBeNull();
    a.close();
  });

  it('takes over a lease whose process is gone (SIGKILL on this host) at once and closes its jobs as Interrupted', () => {
    const db = syncDb();
    const t = { now: 1_000 };
    let alive = true;
    const dead = new TableLeases(db, clockAt(t), { label: 'the d365ic CLI', pid: 999_999, host: 'here', alive: () => alive });
    dead.acquire(CUSTOMER, 'CUSTOMER', 'Customer');
    const job = openJob(db, dead.owner);
    const next = new TableLeases(db, clockAt(t), { label: 'the Integration Console', host: 'here', alive: () => alive });
    expect(() => next.acquire(CUSTOMER, 'CUSTOMER', 'Customer')).toThrow(TableLeasedError);
    alive = false; // the process was killed: no release, no more heartbeats
    next.acquire(CUSTOMER, 'CUSTOMER', 'Customer');
    expect(finishedAt(db, job)).toEqual({ f: 1_000, m: INTERRUPTED_MESSAGE });
  });

  it('a lease of another host is free once it expires without a heartbeat; renewing keeps it', () => {
    const db = syncDb();
    const t = { now: 1_000 };
    const remote = new TableLeases(db, clockAt(t), { label: 'the console on pc-2', host: 'pc-2', ttlMs: 60_000 });
    remote.acquire(CUSTOMER, 'CUSTOMER', 'Customer');
    const job = openJob(db, remote.owner);
    const local = new TableLeases(db, clockAt(t), { label: 'the d365ic CLI', host: 'here' });
    t.now += 59_000;
    expect(() => local.acquire(CUSTOMER, 'CUSTOMER', 'Customer')).toThrow(TableLeasedError);
    remote.renew(); // the heartbeat: expires 60 s from now
    t.now += 59_000;
    expect(() => local.acquire(CUSTOMER, 'CUSTOMER', 'Customer')).toThrow(TableLeasedError);
    expect(finishedAt(db, job).f).toBeNull();
    t.now += 1_000; // exactly at expiry: free
    local.acquire(CUSTOMER, 'CUSTOMER', 'Customer');
    expect(finishedAt(db, job)).toEqual({ f: t.now, m: INTERRUPTED_MESSAGE });
    expect(local.holder(CUSTOMER)).toBeNull();
    expect(remote.holder(CUSTOMER)?.label).toBe('the d365ic CLI');
    local.close();
  });

  it('closes jobs written before leases existed (no owner) like a dead process', () => {
    const db = syncDb();
    const id = new JobLog(db, () => 1).start('CUSTOMER', 'Synchronization', 'ToIntegrationTable');
    expect(new TableLeases(db, { now: () => 5 }).closeInterrupted()).toBe(1);
    expect(finishedAt(db, id)).toEqual({ f: 5, m: INTERRUPTED_MESSAGE });
  });
});
