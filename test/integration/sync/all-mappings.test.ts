/**
 * Every default mapping runs against the demo sandbox over real HTTP (issue 11): the option mappings couple BC codes
 * to Dataverse option values (adding the missing ones with InsertOptionValue), VENDOR and CONTACT create and couple
 * rows, POSTEDSALESLINE-INV runs on its own with real counts, and the whole set in dependency order ends without
 * failures the demo data does not explain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../main/sandbox/index';
import { connectSandbox, mappingSupport, runnableMappings, type ConnectedSides } from '../../../main/integrations/sales/sync/adapters/connect';
import { openDatabase } from '../../../main/db/database';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import { dependencyOrder, matchBasedCouple } from '../../../main/integrations/sales/sync/engine/manual';
import { initialSynchronization } from '../../../main/integrations/sales/sync/cli-support/initial';
import { domainEngineOptions } from '../../../main/integrations/sales/sync/rules/index';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import type { SyncJob } from '../../../main/kernel/jobs/log';
import { tempDir } from '../../support/app';
import { DEMO_BUILT_TO_FAIL } from '../../../main/sandbox/seed/demo';

let sb: Sandbox;
let c: ConnectedSides;
const tmp = tempDir('d365ic-all-mappings-');

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 'demo' });
  c = await connectSandbox(sb.info, { retryBaseMs: 20 });
}, 30_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

const ALL = { conditions: [] } as never;
async function all(side: ConnectedSides['bc'] | ConnectedSides['dataverse'], entity: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const p of side.queryModified(entity, { filter: ALL, since: null, pageSize: 5000 })) out.push(...p);
  return out;
}

function engineWith(file: string) {
  const { db } = openDatabase(`${tmp.dir}/${file}`);
  const clock = { now: () => Date.now() };
  const rules = domainEngineOptions({ db, clock, sides: c.sides, settings: { ownershipModel: 'person', lcyCode: 'NOK', unitGroupMapping: true } });
  return new SyncEngine(db, c.sides, clock, { pageSize: 1000, integrationUserId: c.integrationUserId, retryDelayMs: 20, ...rules });
}


describe('mapping support', () => {
  it('every default mapping of every option combination is runnable', () => {
    for (const pricing of ['legacy', 'pricelists'] as const)
      for (const unitGroups of [true, false])
        for (const orders of ['none', 'legacy', 'bidirectional'] as const)
          for (const ownership of ['person', 'team'] as const)
            for (const bcVersion of [26, 14]) {
              const o = { pricing, unitGroups, orders, ownership, bcVersion };
              const support = mappingSupport(o);
              expect(support.map((s) => s.name)).toEqual(defaultMappings(o).map((m) => m.name));
              expect(support.filter((s) => !s.runnable)).toEqual([]);
              expect(runnableMappings(o).map((m) => m.name)).toEqual(support.filter((s) => s.runnable).map((s) => s.name));
            }
  });
});

describe('every default mapping against the demo sandbox', () => {
  const engine = () => e;
  let e: SyncEngine;
  const mappings = runnableMappings({});
  const m = (name: string) => mappings.find((x) => x.name === name)!;

  it('option mappings couple BC codes to option values and add the missing ones (E.13)', async () => {
    e = engineWith('all.sqlite');
    const before = await c.dataverse.listOptions('account', 'address1_shippingmethodcode');
    const r = await matchBasedCouple(engine(), m('SHIPPING AGENT'));
    // DHL and UPS exist in the default option set; POSTEN and BRING are added.
    expect(r.coupled.map((x) => x.bcId).sort()).toEqual(['DHL', 'UPS']);
    expect(r.created.sort()).toEqual(['BRING', 'POSTEN']);
    const after = await c.dataverse.listOptions('account', 'address1_shippingmethodcode');
    expect(after.length).toBe(before.length + 2);
    const posten = after.find((o) => o.label === 'POSTEN')!;
    expect(e.couplings.optionByCode('SHIPPING AGENT', 'POSTEN')!.optionValue).toBe(posten.value);
    expect(e.couplings.optionByCode('SHIPPING AGENT', 'DHL')!.optionValue).toBe(before.find((o) => o.label === 'DHL')!.value);
    // A second run changes nothing; a scheduled run (Synch. Only Coupled Records) too.
    const again = await e.runMapping(m('SHIPPING AGENT'));
    expect(again.to).toMatchObject({ inserted: 0, failed: 0 });
    for (const name of ['PAYMENT TERMS', 'SHIPMENT METHOD']) {
      const x = await matchBasedCouple(engine(), m(name));
      expect(x.job.failed).toBe(0);
      expect(x.coupled.length + x.created.length).toBe(4);
    }
    expect(e.couplings.optionByCode('SHIPMENT METHOD', 'FOB')!.optionValue).toBe(1); // the existing "FOB" option
  }, 60_000);

  it('runs every default mapping in dependency order, as the review would, with no failure the demo data does not explain', async () => {
    /** What the demo data is built to fail on (main/sandbox/seed/demo.ts): each failure must be one of these. */
    const EXPLAINED = DEMO_BUILT_TO_FAIL;
    // The initial synchronization as the CLI's demo run does it (cli-support/initial.ts): couple, then full sync.
    const failures: { mapping: string; message: string }[] = [];
    const ran: string[] = [];
    let lineJob: SyncJob | null = null;
    const coupledBy = new Map<string, number>();
    for (const step of await initialSynchronization(engine(), mappings)) {
      expect(step.error, step.mapping).toBeNull();
      ran.push(step.mapping);
      for (const job of step.jobs) {
        if (job.type === 'Coupling') {
          coupledBy.set(step.mapping, job.coupled);
          continue; // records without a unique match are created by the full sync after it
        }
        if (step.mapping === 'POSTEDSALESLINE-INV') lineJob = job;
        for (const x of e.log.errors(job.id, 0, 500)) failures.push({ mapping: step.mapping, message: x.message });
      }
    }
    expect(ran).toEqual(dependencyOrder(mappings).map((x) => x.name));
    // An opportunity whose contact failed for one of the reasons above waits for it too.
    const bcContactRows = await all(c.bc, 'Contact');
    const contactFailedExplained = (no: string | undefined) => {
      const row = bcContactRows.find((x) => x.values['No.'] === no);
      const err = row ? e.couplings.byBc(5050, row.id)?.errorTo : null;
      return !!err && EXPLAINED.some((re) => re.test(err));
    };
    const unexplained = failures.filter((f) => !EXPLAINED.some((re) => re.test(f.message))
      && !(f.mapping === 'OPPORTUNITY' && contactFailedExplained(/Contact (\S+) must be coupled/.exec(f.message)?.[1])));
    const grouped = new Map<string, number>();
    for (const f of unexplained) grouped.set(`${f.mapping}: ${f.message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')}`, (grouped.get(`${f.mapping}: ${f.message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')}`) ?? 0) + 1);
    expect([...grouped].map(([k, n]) => `${n} × ${k}`)).toEqual([]);

    // POSTEDSALESLINE-INV ran on its own: every line of the invoices in Dataverse counted (written by the header's run).
    const invoiceLines = await all(c.dataverse, 'invoicedetails');
    expect(lineJob).toMatchObject({ mapping: 'POSTEDSALESLINE-INV', failed: 0 });
    expect(lineJob!.unchanged + lineJob!.inserted).toBe(invoiceLines.length);
    expect(invoiceLines.length).toBeGreaterThan(0);

    // CUSTOMER carried the option codes as option values.
    const accounts = await all(c.dataverse, 'accounts');
    const bcCustomers = await all(c.bc, 'Customer');
    const k = bcCustomers.find((x) => x.values['Payment Terms Code'] === '14D' && x.values.Blocked === ' ' && x.values['Salesperson Code'] !== 'OL')!;
    const acc = accounts.find((a) => a.id === e.couplings.byBc(18, k.id)?.dvId)!;
    expect(acc.values.paymenttermscode).toBe(e.couplings.optionByCode('PAYMENT TERMS', '14D')!.optionValue);
    expect(acc.values.address1_shippingmethodcode).toBe(e.couplings.optionByCode('SHIPPING AGENT', String(k.values['Shipping Agent Code']))!.optionValue);
    // VENDOR created vendor accounts (BCIVENDOR template: customertypecode 11).
    const vendors = (await all(c.bc, 'Vendor')).filter((v) => v.values['Purchaser Code'] !== 'OL');
    expect(vendors.length).toBeGreaterThan(0);
    expect(accounts.filter((a) => a.values.customertypecode === 11)).toHaveLength(vendors.length);
    for (const v of vendors) expect(accounts.find((a) => a.id === e.couplings.byBc(23, v.id)?.dvId)?.values.name).toBe(v.values.Name);
    // CONTACT: person contacts of coupled customers / vendors have their parent account.
    const contacts = await all(c.dataverse, 'contacts');
    const persons = (await all(c.bc, 'Contact')).filter((x) => x.values.Type === 'Person' && x.values['Company No.']);
    const withParent = persons.filter((p) => contacts.find((x) => x.id === e.couplings.byBc(5050, p.id)?.dvId)?.values.parentcustomerid);
    expect(withParent.length).toBeGreaterThan(persons.length / 2);
    // Records on both sides were coupled (by e-mail, name, number), not created twice.
    for (const name of ['SALESPEOPLE', 'CURRENCY', 'CUSTOMER', 'CONTACT', 'ITEM-PRODUCT']) expect(coupledBy.get(name), name).toBeGreaterThan(2);
  }, 240_000);
});

describe('bidirectional sales order integration', () => {
  it('SOLINE-ORDERDETAIL runs on its own after SALESORDER-ORDER: the lines of coupled orders, counted per line', async () => {
    const own = await startSandbox({ port: 0, seed: 'demo' });
    try {
      const cc = await connectSandbox(own.info, { retryBaseMs: 20 });
      const { db } = openDatabase(`${tmp.dir}/orders.sqlite`);
      const clock = { now: () => Date.now() };
      const rules = domainEngineOptions({ db, clock, sides: cc.sides, settings: { ownershipModel: 'person', lcyCode: 'NOK', unitGroupMapping: true, salesOrderMode: 'bidirectional' } });
      const e2 = new SyncEngine(db, cc.sides, clock, { pageSize: 1000, integrationUserId: cc.integrationUserId, retryDelayMs: 20, ...rules });
      const ms = runnableMappings({ orders: 'bidirectional' });
      const steps = await initialSynchronization(e2, ms);
      expect(steps.map((x) => x.mapping)).toEqual(dependencyOrder(ms).map((x) => x.name));
      for (const st of steps) expect(st.error, st.mapping).toBeNull();
      const orders = steps.find((x) => x.mapping === 'SALESORDER-ORDER')!.jobs.filter((j) => j.type === 'Synchronization' && j.direction === 'ToIntegrationTable');
      expect(orders.reduce((n, j) => n + j.inserted, 0)).toBeGreaterThan(0);
      const lines = steps.find((x) => x.mapping === 'SOLINE-ORDERDETAIL')!.jobs;
      expect(lines.map((j) => j.direction)).toEqual(['ToIntegrationTable', 'FromIntegrationTable']);
      const to = lines[0]!;
      const dvLines = await all(cc.dataverse, 'salesorderdetails');
      expect(dvLines.length).toBeGreaterThan(0);
      // Every Sales line of a coupled order was already written with its order: counted unchanged, nothing failed
      // that the demo data does not explain.
      expect(to.unchanged + to.inserted).toBe(dvLines.length);
      for (const x of e2.log.errors(to.id, 0, 100)) expect(DEMO_BUILT_TO_FAIL.some((re) => re.test(x.message)), x.message).toBe(true);
      db.close();
    } finally {
      await own.close();
    }
  }, 240_000);
});
