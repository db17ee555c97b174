/**
 * Issue 11 through SyncService against the demo sandbox: every default mapping is listed (a mapping the engine cannot
 * run says why), Run all reports every mapping, a job's errors come back grouped by cause with the action that fixes
 * them, and the job queue entries that enabling held wait for the full synchronization review to finish.
 */
import { describe, expect, it } from 'vitest';
import type { SyncJobDto, SyncStatus } from '../../../preload/contract';
import { openDatabase } from '../../../main/db/database';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import { SetupStateStore } from '../../../main/integrations/sales/setup/state';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import { appSidesFactory, SyncService } from '../../../main/integrations/sales/sync/service';
import { domainFromDraft } from '../../../main/integrations/sales/sync/service/domain';
import { heldForInitialSync, holdForInitialSync } from '../../../main/integrations/sales/sync/service/initial-hold';
import { causeKey, fixOf, messageCode } from '../../../main/integrations/sales/sync/service/messages';
import { DEFAULT_DRAFT } from '../../../main/integrations/sales/setup/state';
import { quietLogger } from '../../support/app';
import { syncAppHarness } from '../../support/sync-app';

const h = syncAppHarness({ prefix: 'd365ic-sync-journey-' });
const { call, finishedOf } = h;

describe('every default mapping on the Sync page', () => {
  it('lists every mapping the defaults create; one the engine cannot run carries its reason', async () => {
    const status = await call<SyncStatus>('sync.status');
    const expected = defaultMappings(domainFromDraft(DEFAULT_DRAFT, false).options).map((m) => m.name);
    expect(status.mappings.map((m) => m.name)).toEqual(expected);
    for (const n of ['VENDOR', 'CONTACT', 'PAYMENT TERMS', 'SHIPMENT METHOD', 'SHIPPING AGENT', 'POSTEDSALESLINE-INV']) expect(expected).toContain(n);
    for (const m of status.mappings) {
      expect(m.runnable === (m.reason === null), m.name).toBe(true);
      if (m.reason) expect(m.reason.code).toMatch(/^[a-zA-Z]+$/);
    }
    const notRunnable = status.mappings.find((m) => !m.runnable);
    if (notRunnable) await expect(call('sync.run', { mapping: notRunnable.name, full: false })).rejects.toMatchObject({ code: 'SYNC_MAPPING_NOT_RUNNABLE' });
    // The queue entries say why an entry is due but does not run (the demo connection is not enabled).
    const queue = await call<{ name: string; status: string; earliestStart: number; blockedBy: { code: string } | null }[]>('sync.queue');
    const due = queue.filter((e) => e.status === 'Ready' && e.earliestStart <= Date.now());
    expect(due.length).toBeGreaterThan(0);
    for (const e of due) expect(e.blockedBy, e.name).not.toBeNull();
  }, 60_000);
});

describe('errors a user can act on', () => {
  it('groups identical causes of a job\'s errors and names the dependency to run first', async () => {
    // Prices before the price groups, items and currencies they need: every line fails for a missing coupling.
    const { runId } = await call<{ runId: string }>('sync.run', { mapping: 'SALESPRC-PRODPRICE', full: true });
    const f = await finishedOf(runId);
    const job = f.results[0]!.to as SyncJobDto;
    expect(job.failed).toBeGreaterThan(1);
    expect(job.messageCode).toEqual({ code: 'recordsFailed', params: { count: job.failed } });
    const r = await call<{ groups: { key: string; count: number; messageCode: { code: string; params: Record<string, string | number> } | null; fix: { kind: string; mapping: string } | null }[]; total: number }>(
      'sync.jobErrorGroups', { jobId: job.id },
    );
    expect(r.total).toBe(job.failed);
    expect(r.groups.reduce((n, g) => n + g.count, 0)).toBe(job.failed);
    expect(r.groups.length).toBeLessThan(job.failed);
    expect(r.groups[0]!.count).toBeGreaterThan(1);
    for (let i = 1; i < r.groups.length; i++) expect(r.groups[i - 1]!.count).toBeGreaterThanOrEqual(r.groups[i]!.count);
    // Every "X is not coupled … Synchronize M first" group offers to run M, a mapping the page lists.
    const names = new Set((await call<SyncStatus>('sync.status')).mappings.map((m) => m.name));
    const notCoupled = r.groups.filter((g) => g.messageCode?.code === 'notCoupled');
    expect(notCoupled.length).toBeGreaterThan(0);
    for (const g of notCoupled) {
      expect(g.fix).toEqual({ kind: 'run', mapping: g.messageCode!.params.mapping });
      expect(names.has(g.fix!.mapping)).toBe(true);
    }
  }, 60_000);

  it('normalises record-specific parts and recognises the engine\'s texts', () => {
    const a = 'Customer 10000 must be coupled to a Dataverse account before posted sales invoice 103001 can be created in Dataverse. Couple the customer (or synchronize CUSTOMER) first.';
    const b = a.replace('103001', '103002').replace('10000', '20000');
    expect(causeKey(a)).toBe(causeKey(b));
    expect(fixOf(a, new Set(['CUSTOMER']), 'POSTEDSALESINV-INV')).toEqual({ kind: 'run', mapping: 'CUSTOMER' });
    const detalj = 'Customer price group DETALJ is not coupled to a Dynamics 365 Sales record. Synchronize CUSTPRCGRP-PRICE first.';
    expect(causeKey(detalj)).not.toBe(causeKey(detalj.replace('DETALJ', 'ENGROS')));
    expect(causeKey(`${detalj} The record will be skipped for further synchronization due to a repeatable failure.`)).toBe(causeKey(detalj));
    expect(messageCode('You must specify which fields to use for match-based coupling of CUSTOMER: set "Use For Match-Based Coupling" on at least one field mapping.'))
      .toEqual({ code: 'matchFieldsMissing', params: { mapping: 'CUSTOMER' } });
    expect(messageCode('1 inserted, 3 modified, 0 failed.')).toEqual({ code: 'results', params: { inserted: 1, modified: 3, failed: 0 } });
    expect(messageCode('Something the console has no text for.')).toBeNull();
    // A lookup failure wrapped by the engine is recognised by its cause, and groups with the same cause.
    const option = 'The data could not be updated because of the following error: Shipment Method Code DAP must be coupled to a Dataverse option value. Run the SHIPMENT METHOD mapping (or couple its records) first.';
    expect(messageCode(option)).toEqual({ code: 'optionNotCoupled', params: { field: 'Shipment Method Code', value: 'DAP', mapping: 'SHIPMENT METHOD' } });
    expect(fixOf(option, new Set(['SHIPMENT METHOD', 'CUSTOMER']), 'CUSTOMER')).toEqual({ kind: 'run', mapping: 'SHIPMENT METHOD' });
  });
});

describe('the job queue waits for the initial synchronization', () => {
  it('enabling holds the recurring entries; they stay held while a review line is left, and resume when every line finished', async () => {
    const opened = openDatabase(`${h.dir}/hold.sqlite`);
    const db = opened.db;
    const item = adapterMappings().find((m) => m.name === 'ITEM-PRODUCT')!;
    // Match on No. → productnumber, create what has no match (the mapping editor's choices).
    const itemWithMatch: TableMapping = { ...item, createNewInCaseOfNoMatch: true, fields: item.fields.map((f) => (f.bcField === 'No.' ? { ...f, useForMatchBasedCoupling: true } : f)) };
    const customer = adapterMappings().find((m) => m.name === 'CUSTOMER')!;
    let mappings = [itemWithMatch, customer];
    const svc = new SyncService({
      db, clock: { now: () => Date.now() }, logger: quietLogger, eventIntervalMs: 0, mappings: () => mappings,
      sides: appSidesFactory(h.app.connections, new SetupStateStore(h.app.db, { now: () => Date.now() })),
      events: { progress: () => undefined, finished: () => undefined },
    });
    await svc.queueList(); // the default entries
    const before = new Map(svc.queue.list().map((e) => [e.name, e.status]));
    // What the setup's Enable does after installing the entries (main/integrations/sales/setup/service.ts).
    const held = holdForInitialSync(db, svc.queue);
    const recurring = svc.queue.list().filter((e) => e.recurring);
    expect(held.sort()).toEqual(recurring.map((e) => e.name).sort());
    for (const e of svc.queue.list().filter((x) => x.recurring)) expect(e.status).toBe('On Hold');
    expect((await svc.status()).heldForInitialSync!.sort()).toEqual([...held].sort());
    for (const e of await svc.queueList()) if (held.includes(e.name)) expect(e.blockedBy).toEqual({ code: 'heldForInitialSync', params: {} });
    // Nothing due runs meanwhile.
    expect(svc.queue.due(Date.now() + 24 * 3_600_000)).toEqual([]);

    // CUSTOMER must couple without match fields: its line is left, so the review is not done and nothing resumes.
    let review = await svc.review(true);
    expect(review.lines.find((l) => l.name === 'CUSTOMER')).toMatchObject({ recommendation: 'Couple Records', needsMatchFields: true });
    expect(review.lines.find((l) => l.name === 'ITEM-PRODUCT')).toMatchObject({ recommendation: 'Couple Records', needsMatchFields: false });
    await (await svc.startReview()).done;
    review = await svc.review(false);
    expect(review.lines.find((l) => l.name === 'ITEM-PRODUCT')!.jobStatus).toBe('Success');
    expect((await svc.status()).heldForInitialSync!.length).toBe(held.length);

    // Every line finished (CUSTOMER is left out of the mapping set here): the entries return to their status.
    mappings = [itemWithMatch];
    await svc.review(true);
    await (await svc.startReview()).done;
    review = await svc.review(false);
    expect(review.lines.every((l) => l.jobStatus === 'Success' || l.recommendation === 'No Records Found')).toBe(true);
    expect((await svc.status()).heldForInitialSync).toEqual([]);
    expect(heldForInitialSync(db)).toEqual([]);
    for (const e of svc.queue.list().filter((x) => held.includes(x.name))) expect(e.status, e.name).toBe(before.get(e.name));
    opened.db.close();
  }, 120_000);
});
