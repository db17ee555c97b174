/**
 * The full synchronization review (E.12) through the app against the demo sandbox: recommendations from the real
 * sides' counts (never a full synchronization over uncoupled records on both sides), lines that must set match fields
 * before coupling, the cascade in dependency order with per-line progress events, statuses and coded messages, and a
 * failed line retried after its cause was fixed.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReview } from '../../../preload/contract';
import { newDefaultSet } from '../../../main/integrations/sales/mappings/exchange-json';
import { MappingStore } from '../../../main/integrations/sales/mappings/store';
import { SALES_MAPPING_SET } from '../../../main/integrations/sales/setup/service';
import { DEFAULT_DRAFT } from '../../../main/integrations/sales/setup/state';
import { domainFromDraft } from '../../../main/integrations/sales/sync/service/domain';
import { syncAppHarness } from '../../support/sync-app';

const h = syncAppHarness({ prefix: 'd365ic-sync-review-' });
const { call, finishedOf, progress } = h;

const line = (r: SyncReview, name: string) => {
  const l = r.lines.find((x) => x.name === name);
  if (!l) throw new Error(`no review line ${name} in ${r.lines.map((x) => x.name).join(', ')}`);
  return l;
};

describe('full synchronization review (E.12) against the demo sandbox', () => {
  let before: SyncReview;

  it('lists the Dataverse mappings with counts from both sides and the recommendation E.12 gives for them', async () => {
    before = await call<SyncReview>('sync.review', {});
    const names = before.lines.map((l) => l.name);
    for (const excluded of ['SOLINE-ORDERDETAIL', 'POSTEDSALESLINE-INV', 'SALESORDER-ORDER']) expect(names).not.toContain(excluded);
    // Every Dataverse mapping of the defaults has its line, whether or not the engine can run it (then it says why).
    for (const n of ['CURRENCY', 'VENDOR', 'CONTACT', 'CUSTOMER', 'SALESPEOPLE', 'PAYMENT TERMS', 'SHIPMENT METHOD', 'SHIPPING AGENT']) expect(names).toContain(n);
    for (const l of before.lines) expect(l.runnable || l.reason !== null).toBe(true);
    expect(before.runId).toBeNull();
    expect(before.lines.every((l) => l.jobStatus === '' && l.message === '')).toBe(true);
    // The demo Dataverse holds several currencies (not exactly one at rate 1.00): couple them, never create more.
    expect(line(before, 'CURRENCY')).toMatchObject({ recommendation: 'Couple Records', needsMatchFields: false });
    expect(line(before, 'CURRENCY').counts.dv).toBeGreaterThan(1);
    // Issue 11: 4 salespeople in BC and 4 users in Dataverse, none coupled. Full would duplicate: Couple, and since
    // the default SALESPEOPLE mapping marks no match field, the line asks for match fields first.
    expect(line(before, 'SALESPEOPLE')).toMatchObject({ recommendation: 'Couple Records', needsMatchFields: true });
    expect(line(before, 'SALESPEOPLE').uncoupled.bc).toBeGreaterThan(0);
    expect(line(before, 'SALESPEOPLE').uncoupled.dv).toBeGreaterThan(0);
    // Never a full synchronization when both sides hold uncoupled records (CURRENCY and units match implicitly).
    const implicit = new Set(['CURRENCY', 'UNIT OF MEASURE', 'UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM']);
    for (const l of before.lines)
      if (!implicit.has(l.name) && l.uncoupled.bc > 0 && l.uncoupled.dv > 0) expect(l.recommendation, l.name).toBe('Couple Records');
    // Accounts and products exist on both sides: Couple, after setting match fields.
    for (const n of ['CUSTOMER', 'ITEM-PRODUCT']) {
      expect(line(before, n).counts.bc).toBeGreaterThan(0);
      expect(line(before, n).counts.dv).toBeGreaterThan(0);
      expect(line(before, n)).toMatchObject({ recommendation: 'Couple Records', needsMatchFields: true });
    }
    // Resources and price lists exist only in BC: Full.
    for (const n of ['RESOURCE-PRODUCT', 'CUSTPRCGRP-PRICE']) expect(line(before, n)).toMatchObject({ recommendation: 'Full Synchronization', counts: { dv: 0 } });
    // BC has units, Dataverse at most its default unit group: Full.
    expect(line(before, 'UNIT GROUP').recommendation).toBe('Full Synchronization');
    // Counting stops at the cap: only emptiness and "one vs more" matter.
    expect(before.lines.every((l) => l.counts.bc <= before.countCap && l.counts.dv <= before.countCap)).toBe(true);
    expect(before.startable).toEqual(expect.arrayContaining(['CURRENCY', 'UNIT GROUP']));
    // A line that needs match fields never starts (Couple would fail), and its dependants wait for it.
    for (const n of ['ITEM UOM', 'SALESPEOPLE', 'ITEM-PRODUCT', 'CUSTOMER']) expect(before.startable).not.toContain(n);
    expect(before.blocked).toEqual(expect.arrayContaining([{ name: 'CUSTPRCGRP-PRICE', waitingFor: ['ITEM-PRODUCT'] }]));
  }, 60_000);

  it('runs the cascade: dependants after their dependencies, statuses with messages, failures block their dependants', async () => {
    const { runId } = await call<{ runId: string }>('sync.startReview');
    // The cascade holds the tables of every line it may run, and runs once.
    await expect(call('sync.run', { mapping: 'RESOURCE-PRODUCT', full: false })).rejects.toMatchObject({ code: 'SYNC_ALREADY_RUNNING' });
    await expect(call('sync.startReview')).rejects.toMatchObject({ code: 'SYNC_ALREADY_RUNNING' });
    const during = await call<SyncReview>('sync.review', { refresh: true });
    expect(during.runId).toBe(runId);
    expect(during.startable).toEqual([]);

    const f = await finishedOf(runId);
    expect(f.cancelled).toBe(false);
    const after = await call<SyncReview>('sync.review', {});
    expect(after.runId).toBeNull();
    expect(after.finishedAt).not.toBeNull();
    expect(line(after, 'CURRENCY')).toMatchObject({ jobStatus: 'Success', message: expect.stringMatching(/coupled/), messageCode: { code: 'coupleResults' } });
    // The salespeople were never fully synchronized over each other: the line waits for match fields.
    expect(line(after, 'SALESPEOPLE')).toMatchObject({ jobStatus: '', needsMatchFields: true });
    expect(f.results.map((r) => r.mapping)).not.toContain('SALESPEOPLE');
    const unitGroup = line(after, 'UNIT GROUP');
    expect(unitGroup).toMatchObject({ jobStatus: 'Success', message: expect.stringMatching(/^[1-9]\d* inserted, 0 modified, 0 failed\.$/), messageCode: { code: 'results', params: { modified: 0, failed: 0 } } });
    expect(unitGroup.messageCode!.params.inserted).toBeGreaterThan(0);
    expect(line(after, 'RESOURCE-PRODUCT').jobStatus).toBe('Success');
    // ITEM-PRODUCT needs match fields: it never ran, so it never failed with "You must specify which fields …".
    expect(line(after, 'ITEM-PRODUCT')).toMatchObject({ jobStatus: '', needsMatchFields: true, message: '' });
    // Its dependants never started and say why.
    expect(line(after, 'CUSTPRCGRP-PRICE').jobStatus).toBe('');
    expect(after.blocked).toEqual(expect.arrayContaining([{ name: 'CUSTPRCGRP-PRICE', waitingFor: ['ITEM-PRODUCT'] }]));
    expect(f.results.map((r) => r.mapping)).not.toContain('ITEM-PRODUCT');
    expect(f.results.map((r) => r.mapping)).not.toContain('CUSTPRCGRP-PRICE');

    // Per line: a running event, then a terminal one; every line's end comes after the ends of its dependencies.
    const mine = progress.filter((p) => p.runId === runId);
    const endAt = new Map(mine.flatMap((p, i) => (p.done && (p.phase === 'done' || p.phase === 'failed') ? [[p.mapping, i] as const] : [])));
    const startAt = new Map(mine.flatMap((p, i) => (p.phase === 'running' && !p.done ? [[p.mapping, i] as const] : [])));
    expect([...endAt.keys()].sort()).toEqual(f.results.map((r) => r.mapping).sort());
    for (const l of after.lines)
      for (const d of l.dependencyFilter)
        if (startAt.has(l.name) && endAt.has(d)) expect(endAt.get(d)!).toBeLessThan(startAt.get(l.name)!);
    expect(startAt.get('ITEM UOM')!).toBeGreaterThan(endAt.get('UNIT GROUP')!);
    // A line that waits for a line needing match fields is not part of the cascade: it never starts.
    expect(startAt.has('CUSTPRCGRP-PRICE')).toBe(false);
    expect(mine.filter((p) => p.mapping === 'CUSTPRCGRP-PRICE')).toEqual([]);

    // Nothing is eligible any more until the review is refreshed.
    await expect(call('sync.startReview')).rejects.toMatchObject({ code: 'SYNC_REVIEW_NOTHING_TO_START' });
    const status = await call<{ mappings: { name: string; couplings: number; running: unknown }[] }>('sync.status');
    expect(status.mappings.every((m) => m.running === null)).toBe(true);
    expect(status.mappings.find((m) => m.name === 'RESOURCE-PRODUCT')!.couplings).toBe(line(before, 'RESOURCE-PRODUCT').counts.bc);
  }, 120_000);

  it('match fields set in the mapping set let Couple start; a failed line is retried after its cause changed', async () => {
    // The mapping editor's *Use for match-based coupling* on ITEM-PRODUCT No. → productnumber (stored set).
    const set = newDefaultSet(SALES_MAPPING_SET, domainFromDraft(DEFAULT_DRAFT, false).options);
    const item = set.mappings.find((m) => m.name === 'ITEM-PRODUCT')!;
    item.fields = item.fields.map((fm) => (fm.bcField === 'No.' ? { ...fm, useForMatchBasedCoupling: true } : fm));
    const store = new MappingStore(h.app.db);
    const setId = store.create(set);

    const retried = await call<SyncReview>('sync.retryReviewLine', { name: 'ITEM-PRODUCT' });
    expect(line(retried, 'ITEM-PRODUCT')).toMatchObject({ recommendation: 'Couple Records', needsMatchFields: false, jobStatus: '' });
    // The rest of the review keeps its state: ITEM UOM finished, so ITEM-PRODUCT can start now.
    expect(line(retried, 'ITEM UOM').jobStatus).toBe('Success');
    expect(retried.startable).toContain('ITEM-PRODUCT');

    // BC holds more items than the demo Dataverse's 20 products: the ones without a match fail the Couple line.
    let f = await finishedOf((await call<{ runId: string }>('sync.startReview')).runId);
    let r = await call<SyncReview>('sync.review', {});
    expect(line(r, 'ITEM-PRODUCT')).toMatchObject({ jobStatus: 'Error', messageCode: { code: 'coupleResults', params: { created: 0 } } });
    expect(line(r, 'ITEM-PRODUCT').messageCode!.params.coupled).toBeGreaterThan(0);
    expect(line(r, 'ITEM-PRODUCT').messageCode!.params.unmatched).toBeGreaterThan(0);
    expect(f.results.find((x) => x.mapping === 'ITEM-PRODUCT')!.error).toMatchObject({ code: 'SYNC_REVIEW_LINE_FAILED' });
    expect(r.startable).not.toContain('ITEM-PRODUCT');
    // The Couple job ran to its end (some records had no match): like BC's AreAllParentalJobsFinished, its dependants
    // are released, so CUSTPRCGRP-PRICE ran in this cascade already.
    expect(f.results.map((x) => x.mapping)).toContain('CUSTPRCGRP-PRICE');
    expect(line(r, 'CUSTPRCGRP-PRICE').jobStatus).not.toBe('');
    // The administrator turns on Create New in Case of No Match for ITEM-PRODUCT and retries the line: it counts
    // again (fewer uncoupled records now), its status clears, Start runs it, and the cascade goes on after it.
    const stored = store.load(setId);
    store.save(setId, { ...stored.set, mappings: stored.set.mappings.map((m) => (m.name === 'ITEM-PRODUCT' ? { ...m, createNewInCaseOfNoMatch: true } : m)) }, stored.revision);
    const failedUncoupled = line(r, 'ITEM-PRODUCT').uncoupled.bc;
    r = await call<SyncReview>('sync.retryReviewLine', { name: 'ITEM-PRODUCT' });
    expect(line(r, 'ITEM-PRODUCT')).toMatchObject({ jobStatus: '', message: '', messageCode: null });
    expect(line(r, 'ITEM-PRODUCT').uncoupled.bc).toBeLessThan(failedUncoupled);
    expect(r.startable).toContain('ITEM-PRODUCT');
    f = await finishedOf((await call<{ runId: string }>('sync.startReview')).runId);
    r = await call<SyncReview>('sync.review', {});
    expect(line(r, 'ITEM-PRODUCT').jobStatus).toBe('Success');
    expect(f.results.map((x) => x.mapping)).toContain('ITEM-PRODUCT');
  }, 120_000);

  it('refresh recounts and resets the statuses: tables whose records are all coupled have nothing to duplicate', async () => {
    const r = await call<SyncReview>('sync.review', { refresh: true });
    expect(r.finishedAt).toBeNull();
    expect(r.lines.every((l) => l.jobStatus === '' && l.message === '')).toBe(true);
    expect(line(r, 'RESOURCE-PRODUCT')).toMatchObject({ uncoupled: { bc: 0, dv: 0 }, counts: { dv: line(before, 'RESOURCE-PRODUCT').counts.bc } });
    expect(line(r, 'RESOURCE-PRODUCT').recommendation).not.toBe('No Records Found');
    expect(r.startable).toContain('CURRENCY');
  }, 60_000);

  it('a cancelled cascade starts no further line and says so', async () => {
    const { runId } = await call<{ runId: string }>('sync.startReview');
    expect(await call<{ cancelled: boolean }>('sync.cancel', { runId })).toEqual({ cancelled: true });
    const f = await finishedOf(runId);
    expect(f.cancelled).toBe(true);
    // The line already under way when the cancel arrived finishes; nothing starts after it.
    expect(f.results.length).toBeLessThanOrEqual(1);
    const r = await call<SyncReview>('sync.review', {});
    expect(r).toMatchObject({ runId: null, cancelled: true });
    expect(r.finishedAt).not.toBeNull();
    const ran = new Set(f.results.map((x) => x.mapping));
    expect(r.lines.filter((l) => !ran.has(l.name)).every((l) => l.jobStatus === '')).toBe(true);
    expect(r.startable.length).toBeGreaterThan(0);
    // The tables are free again.
    const status = await call<{ mappings: { running: unknown }[] }>('sync.status');
    expect(status.mappings.every((m) => m.running === null)).toBe(true);
  }, 60_000);
});
