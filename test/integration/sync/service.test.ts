/**
 * SyncService against the sandbox, through the app's own wiring (demo sandbox profiles, tokens in main): a run
 * answers with its id at once, progress and the end arrive as events (at most 5/s), counters match the job log,
 * failed records are listed with their errors, concurrent runs of one table are refused, and queue entries
 * hold / resume / run now.
 */
import { describe, expect, it } from 'vitest';
import type { SyncFinished, SyncProgress } from '../../../preload/contract';
import { openDatabase } from '../../../main/db/database';
import { SetupStateStore } from '../../../main/integrations/sales/setup/state';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import { DEFAULT_DRAFT, DEFAULT_STATUS } from '../../../main/integrations/sales/setup/state';
import { appSidesFactory, SyncService } from '../../../main/integrations/sales/sync/service';
import { BusinessCentralClient } from '../../../main/clients';
import { quietLogger } from '../../support/app';
import { syncAppHarness } from '../../support/sync-app';
import { BC_RESOURCE, clientCredentials, httpClient } from '../clients/harness';

const RECORDS = 120;
const h = syncAppHarness({
  prefix: 'd365ic-sync-service-',
  sandbox: { seed: 'bench', records: RECORDS },
  // The bench company's items have no unit groups (BC before v20 style): the legacy NAV <CODE> unit rule applies.
  ready: (x) => x.call('setup.saveState', { draft: { ...DEFAULT_DRAFT, advanced: { ...DEFAULT_DRAFT.advanced, unitGroupMapping: false } } }),
});
const { call, finishedOf, progress, progressAt: at } = h;

describe('SyncService in the app', () => {
  it('reports the demo sandbox profiles as the source while setup is not enabled', async () => {
    const s = await call<{ source: { kind: string; dataverse: { name: string } | null; bc: { name: string } | null }; mappings: { name: string; lastTo: unknown; running: unknown }[] }>('sync.status');
    expect(s.source.kind).toBe('demo');
    expect(s.source.dataverse?.name).toBe('Demo sandbox · Dataverse');
    expect(s.source.bc?.name).toBe('Demo sandbox · Business Central');
    // With the domain rules on, every mapping the adapters carry for the setup's options (legacy units here).
    expect(s.mappings.map((m) => m.name)).toEqual(expect.arrayContaining(['SALESPEOPLE', 'CURRENCY', 'CUSTOMER', 'ITEM-PRODUCT', 'UNIT OF MEASURE', 'POSTEDSALESINV-INV']));
    expect(s.mappings.map((m) => m.name)).not.toContain('UNIT GROUP');
    expect(s.mappings.every((m) => m.lastTo === null && m.running === null)).toBe(true);
  });

  it('runs a full synchronization of ITEM-PRODUCT in the background; events carry counters that match the job log', async () => {
    // Products need their unit groups and units first (E.9): without them every product fails with a message saying so.
    for (const mapping of ['UNIT OF MEASURE']) {
      const pre = await finishedOf((await call<{ runId: string }>('sync.run', { mapping, full: true })).runId);
      expect(pre.results[0]).toMatchObject({ mapping, error: null });
      expect(pre.results[0]!.to!.failed).toBe(0);
    }
    const { runId } = await call<{ runId: string }>('sync.run', { mapping: 'ITEM-PRODUCT', full: true });
    // While it runs, the same table is refused with a clear code.
    await expect(call('sync.run', { mapping: 'ITEM-PRODUCT', full: false })).rejects.toMatchObject({ code: 'SYNC_ALREADY_RUNNING' });
    const f = await finishedOf(runId);
    expect(f.cancelled).toBe(false);
    const r = f.results.find((x) => x.mapping === 'ITEM-PRODUCT')!;
    expect(r.error).toBeNull();
    expect(r.to!.inserted).toBeGreaterThan(0);
    expect(r.to!.failed).toBe(0);

    const mine = progress.filter((p) => p.runId === runId);
    expect(mine[0]!.phase).toBe('running');
    const last = mine[mine.length - 1]!;
    expect(last).toMatchObject({ mapping: 'ITEM-PRODUCT', phase: 'done', done: true });
    expect(last.written).toBeGreaterThanOrEqual(r.to!.inserted);
    // Counters in the events are the engine's; the last one of the BC → DV pass equals the logged job.
    const toEvents = mine.filter((p) => p.direction === 'to');
    expect(toEvents.length).toBeGreaterThan(0);
    expect(toEvents[toEvents.length - 1]!.counters.inserted).toBe(r.to!.inserted);
    // ≤ 5 events per second per run.
    const times = mine.map((p) => at.get(p)!);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(190);

    const log = await call<{ jobs: { id: string; inserted: number; direction: string }[]; total: number }>('sync.jobs', { mapping: 'ITEM-PRODUCT' });
    expect(log.jobs.find((j) => j.id === r.to!.id)?.inserted).toBe(r.to!.inserted);
    const s = await call<{ mappings: { name: string; lastTo: { id: string } | null; couplings: number; watermarks: { bc: number | null }; running: unknown }[] }>('sync.status');
    const item = s.mappings.find((m) => m.name === 'ITEM-PRODUCT')!;
    expect(item.lastTo?.id).toBe(r.to!.id);
    expect(item.couplings).toBe(r.to!.inserted);
    expect(item.watermarks.bc).not.toBeNull();
    expect(item.running).toBeNull();

    // An incremental run right after finds nothing new to insert.
    const again = await call<{ runId: string }>('sync.run', { mapping: 'ITEM-PRODUCT', full: false });
    const f2 = await finishedOf(again.runId);
    expect(f2.results[0]!.to!.inserted).toBe(0);
  }, 60_000);

  it('holds, resumes and runs a queue entry now', async () => {
    const q = await call<{ name: string; mapping: string | null; status: string }[]>('sync.queue');
    const entry = q.find((e) => e.mapping === 'CUSTOMER')!;
    expect(entry).toBeDefined();
    expect((await call<{ status: string }>('sync.queueHold', { name: entry.name })).status).toBe('On Hold');
    expect((await call<{ status: string }>('sync.queueResume', { name: entry.name })).status).toBe('Ready');
    const { runId } = await call<{ runId: string }>('sync.queueRun', { name: entry.name });
    const f = await finishedOf(runId);
    expect(f.results[0]).toMatchObject({ mapping: 'CUSTOMER', error: null });
    const after = (await call<{ name: string; status: string; lastFinishedAt: number | null; attempts: number }[]>('sync.queue')).find((e) => e.name === entry.name)!;
    expect(after.lastFinishedAt).not.toBeNull();
    expect(after.attempts).toBe(0);
    expect(['Ready', 'On Hold with Inactivity Timeout']).toContain(after.status);
    await expect(call('sync.queueHold', { name: 'NO SUCH JOB' })).rejects.toMatchObject({ code: 'SYNC_QUEUE_ENTRY_NOT_FOUND' });
  }, 60_000);
});

describe('SyncService with a mapping Dataverse refuses', () => {
  it('runs a feature job (Customer Statistics) from the queue through the same state machine', async () => {
    const q = await call<{ name: string; mapping: string | null }[]>('sync.queue');
    const stats = q.find((e) => e.name === 'Customer Statistics')!;
    expect(stats.mapping).toBeNull();
    const { runId } = await call<{ runId: string }>('sync.queueRun', { name: stats.name });
    const f = await finishedOf(runId);
    expect(f.results).toEqual([{ mapping: 'Customer Statistics', to: null, from: null, error: null }]);
    const after = (await call<{ name: string; status: string; lastFinishedAt: number | null; attempts: number }[]>('sync.queue')).find((e) => e.name === stats.name)!;
    expect(after.lastFinishedAt).not.toBeNull();
    expect(after.attempts).toBe(0);
    expect(after.status).not.toBe('In Process');
  });

  it('lists the failed records with their messages, and deletes their couplings on request', async () => {
    const { db } = openDatabase(`${h.dir}/broken.sqlite`);
    const base = adapterMappings().find((m) => m.name === 'ITEM-PRODUCT')!;
    const first = base.fields.find((f) => f.bcField === 'Description')!;
    // A column that does not exist on product: every insert fails with Dataverse's own message.
    const broken = { ...base, direction: 'ToIntegrationTable' as const, fields: [...base.fields, { ...first, dataverseField: 'd365ic_nosuchcolumn', direction: 'ToIntegrationTable' as const }] };
    const events: SyncFinished[] = [];
    const svc = new SyncService({
      db, clock: { now: () => Date.now() }, mappings: () => [broken], logger: quietLogger, eventIntervalMs: 0,
      sides: appSidesFactory(h.app.connections, new SetupStateStore(h.app.db, { now: () => Date.now() })),
      events: { progress: () => undefined, finished: (f) => events.push(f) },
    });
    const { done } = await svc.run('ITEM-PRODUCT', true);
    const f = await done;
    expect(events).toEqual([f]);
    const job = f.results[0]!.to!;
    expect(job.failed).toBeGreaterThan(0);
    expect(job.inserted).toBe(0);
    const page1 = svc.jobErrors(job.id, 0, 10);
    expect(page1.errors).toHaveLength(Math.min(10, job.failed));
    expect(page1.errors[0]!.message).toMatch(/d365ic_nosuchcolumn/);
    expect(page1.errors[0]!.sourceSide).toBe('bc');
    if (job.failed > 10) {
      const page2 = svc.jobErrors(job.id, page1.next!, 10);
      expect(page2.errors[0]!.no).toBeGreaterThan(page1.errors[9]!.no);
    }
    const { removed } = await svc.deleteFailedCouplings('ITEM-PRODUCT', job.id);
    expect(removed).toBe(job.failed);
    expect((await svc.status()).mappings[0]!.couplings).toBe(0);
    db.close();
  }, 60_000);

  it('cancels a run between pages: nothing selected after the cancel, later mappings do not start, the next run catches up', async () => {
    const { db } = openDatabase(`${h.dir}/cancel.sqlite`);
    const events: SyncProgress[] = [];
    const svc = new SyncService({
      db, clock: { now: () => Date.now() }, logger: quietLogger, eventIntervalMs: 0,
      sides: appSidesFactory(h.app.connections, new SetupStateStore(h.app.db, { now: () => Date.now() })),
      events: { progress: (p) => events.push(p), finished: () => undefined },
    });
    const { runId, done } = await svc.run(null, true);
    expect(svc.cancel(runId)).toBe(true);
    expect(svc.cancel(runId)).toBe(false);
    const f = await done;
    expect(f.cancelled).toBe(true);
    const mine = events.filter((e) => e.runId === runId && e.done);
    // CUSTOMER comes first in dependency order; ITEM-PRODUCT never starts.
    expect(mine.map((e) => [e.mapping, e.phase])).toEqual([['CUSTOMER', 'cancelled'], ['ITEM-PRODUCT', 'cancelled']]);
    expect(f.results.map((r) => r.mapping)).toEqual(['CUSTOMER']);
    expect(f.results[0]!.to!.inserted).toBe(0);
    const before = await svc.status();
    expect(before.mappings.every((m) => m.watermarks.bc === null && m.couplings === 0)).toBe(true);
    const again = await (await svc.run('CUSTOMER', true)).done;
    expect(again.cancelled).toBe(false);
    expect(again.results[0]!.to!.inserted).toBeGreaterThan(0);
    db.close();
  }, 60_000);

  it('the job queue heartbeat runs due entries once, then wakes an inactive entry only when BC has a change', async () => {
    const { db } = openDatabase(`${h.dir}/tick.sqlite`);
    let now = Date.now();
    const svc = new SyncService({
      db, clock: { now: () => now }, logger: quietLogger, eventIntervalMs: 0, mappings: () => adapterMappings(),
      sides: appSidesFactory(h.app.connections, new SetupStateStore(h.app.db, { now: () => Date.now() })),
      events: { progress: () => undefined, finished: () => undefined },
    });
    // Only the CUSTOMER job stays Ready, so the heartbeat has exactly one thing to do.
    for (const e of await svc.queueList()) if (e.mapping !== 'CUSTOMER') svc.queue.setStatus(e.name, 'On Hold');
    const customer = svc.queue.list().find((e) => e.mapping === 'CUSTOMER')!;
    const first = await svc.tick();
    expect(first).toEqual({ ran: [customer.name], woken: [], failed: [] });
    const after = svc.queue.get(customer.name)!;
    expect(after.lastFinishedAt).not.toBeNull();
    expect(after.status).not.toBe('In Process');
    // Not due again yet: nothing runs.
    expect(await svc.tick()).toEqual({ ran: [], woken: [], failed: [] });

    // Inactive with a long timeout: no BC change → stays asleep; a BC change → woken and run at once.
    svc.queue.update({ ...svc.queue.get(customer.name)!, status: 'On Hold with Inactivity Timeout', earliestStart: now + 3_600_000 });
    expect(await svc.tick()).toEqual({ ran: [], woken: [], failed: [] });
    const info = h.sandbox.handle!.info;
    const client = new BusinessCentralClient({ http: httpClient(info.businessCentral.apiBase, clientCredentials(info, BC_RESOURCE)) });
    const company = info.businessCentral.companyId;
    const [one] = await client.listAll<{ id: string; displayName: string; '@odata.etag': string }>(company, 'customers', { top: 1 });
    await client.update(company, 'customers', one!.id, { displayName: `${one!.displayName} (renamed)` }, { ifMatch: one!['@odata.etag'] });
    now += 2_000;
    const woke = await svc.tick();
    expect(woke).toEqual({ ran: [customer.name], woken: [customer.name], failed: [] });
    db.close();
  }, 60_000);

  it('uses the enabled setup\'s integration and BC profiles (and company), and says so when one of them is gone', async () => {
    const list = await h.app.connections.store.list();
    const dv = list.find((p) => p.name === 'Demo sandbox · Dataverse')!;
    const bc = list.find((p) => p.name === 'Demo sandbox · Business Central')!;
    const setup = (dvId: string) => ({
      status: () => ({ ...DEFAULT_STATUS, enabled: true }),
      draft: () => ({ ...DEFAULT_DRAFT, integrationProfileId: dvId, bc: { kind: 'online' as const, profileId: bc.id, companyId: h.sandbox.handle!.info.businessCentral.companyId, companyName: null } }),
    });
    const ok = appSidesFactory(h.app.connections, setup(dv.id));
    expect(await ok.source()).toEqual({ kind: 'setup', dataverse: { profileId: dv.id, name: dv.name }, bc: { profileId: bc.id, name: bc.name }, message: null });
    const connected = await ok.connect();
    expect(connected.key).toBe(`${dv.id}|${bc.id}|${h.sandbox.handle!.info.businessCentral.companyId}`);
    expect(connected.sides.integrationUserId).toMatch(/^[0-9a-f-]{36}$/);

    const gone = appSidesFactory(h.app.connections, setup('00000000-0000-4000-8000-000000000000'));
    expect((await gone.source()).kind).toBe('none');
    await expect(gone.connect()).rejects.toMatchObject({ code: 'SYNC_NOT_CONFIGURED', message: expect.stringMatching(/Open the setup and choose the connections again/) });
  });
});
