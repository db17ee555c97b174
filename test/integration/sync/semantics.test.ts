/**
 * The per-record decisions of E.4–E.7 over real HTTP against the sandbox (the unit tests cover them with fakes):
 * update conflicts with each resolution, deletion conflicts with each resolution, echo suppression of the
 * integration user's own writes on a bidirectional pull, skip after the same error twice, and dependency order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../main/clients';
import { openDatabase } from '../../../main/db/database';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import { startSandbox, type Sandbox } from '../../../main/sandbox/index';
import { SANDBOX_USERS } from '../../../main/sandbox/directory';
import { adapterMappings, connectSandbox, type ConnectedSides } from '../../../main/integrations/sales/sync/adapters/connect';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import { modifiedRecordsOrder } from '../../../main/integrations/sales/sync/engine/manual';
import { domainEngineOptions } from '../../../main/integrations/sales/sync/rules';
import { RULED_MAPPINGS } from '../../../main/integrations/sales/sync/service/service';
import { tempDir } from '../../support/app';
import { testClock } from '../../support/clock';
import { httpClient, userPassword } from '../clients/harness';
import { allRows } from './documents-support';
import { coupleOptionMappings } from './options-support';

const tmp = tempDir('d365ic-sync-semantics-');
let sb: Sandbox;
let c: ConnectedSides;
/** Dataverse as a person (the admin), so edits are not the integration user's. */
let admin: DataverseClient;
const customer = adapterMappings().find((m) => m.name === 'CUSTOMER')!;
let n = 0;
/** One clock for the sandbox and the engines: a test moves it past the one-second modifiedon precision instead of sleeping. */
const clock = testClock();

function engine(options: ConstructorParameters<typeof SyncEngine>[3] = {}): SyncEngine {
  const { db } = openDatabase(`${tmp.dir}/e${++n}.sqlite`);
  return new SyncEngine(db, c.sides, clock, { pageSize: 5000, batchSize: 1000, integrationUserId: c.integrationUserId, retryDelayMs: 20, ...options });
}

/** A fresh engine with every customer coupled after one full BC → Dataverse run; returns one coupled pair. */
async function coupled(m: TableMapping): Promise<{ e: SyncEngine; bcId: string; dvId: string }> {
  const e = engine();
  const r = await e.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true });
  expect(r.to!.failed).toBe(0);
  const bc = (await allRows(c.bc, 'Customer')).find((x) => e.couplings.byBc(m.bcTableId, x.id))!;
  return { e, bcId: bc.id, dvId: e.couplings.byBc(m.bcTableId, bc.id)!.dvId };
}
async function bcName(id: string, name: string): Promise<void> {
  const res = await c.bc.write('Customer', [{ kind: 'update', id, values: { Name: name }, validate: [] }]);
  expect(res[0]).toMatchObject({ ok: true });
}
async function dvName(id: string, name: string): Promise<void> {
  await admin.update('accounts', id, { name });
}

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 'bench', records: 30, clock });
  c = await connectSandbox(sb.info, { retryBaseMs: 20 }, clock);
  const a = SANDBOX_USERS.find((u) => u.kind === 'admin')!;
  admin = new DataverseClient({ http: httpClient(sb.info.dataverse.apiBase, userPassword(sb.info, sb.info.dataverse.url, a.username, a.password)) });
}, 60_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

// Runs first: the later tests rename and delete customers of the same sandbox.
describe('skip after the same error twice (E.7) and dependency order over HTTP', () => {
  it('an uncoupled salesperson fails the customer twice with the same message, then it is skipped; dependency order runs clean', async () => {
    const { db } = openDatabase(`${tmp.dir}/rules.sqlite`);
    const rules = domainEngineOptions({ db, clock, sides: c.sides, settings: { ownershipModel: 'person', lcyCode: 'NOK', unitGroupMapping: false } });
    const e = new SyncEngine(db, c.sides, clock, { pageSize: 5000, integrationUserId: c.integrationUserId, retryDelayMs: 20, ...rules });
    const all = adapterMappings({ unitGroups: false }, RULED_MAPPINGS, { withRules: true });
    const order = modifiedRecordsOrder(all).map((m) => m.name);
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before('CURRENCY', 'CUSTOMER');
    before('UNIT OF MEASURE', 'ITEM-PRODUCT');
    before('CUSTOMER', 'POSTEDSALESINV-INV');
    before('ITEM-PRODUCT', 'POSTEDSALESINV-INV');

    await coupleOptionMappings(e);
    const cust = all.find((x) => x.name === 'CUSTOMER')!;
    const first = await e.runMapping(cust, { only: 'to', ignoreSynchOnlyCoupled: true });
    const failed = first.to!.failed;
    expect(failed).toBeGreaterThan(0);
    expect(e.log.errors(first.to!.id)[0]!.message).toMatch(/^Salesperson\/Purchaser \S+ must be coupled to a Dataverse User record\.$/);
    // Failed first on the next run (they are not modified since): the same message again → skipped.
    const second = await e.runMapping(cust, { only: 'to' });
    expect(second.to!.failed).toBe(failed);
    expect(e.log.errors(second.to!.id)[0]!.message).toMatch(/will be skipped for further synchronization due to a repeatable failure/);
    const third = await e.runMapping(cust, { only: 'to', force: true, ignoreWatermarks: true });
    expect(third.to!.failed).toBe(0);
    expect(third.to!.skipped).toBe(failed);

    // In dependency order, currencies and units come first, so products and customers never fail for a missing
    // currency or unit group (only for the salespeople, which are coupled in the setup).
    for (const name of ['CURRENCY', 'UNIT OF MEASURE', 'ITEM-PRODUCT']) {
      const m = all.find((x) => x.name === name)!;
      const r = await e.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true, ignoreWatermarks: true });
      expect(e.log.errors(r.to!.id).filter((x) => /CURRENCY|UNIT OF MEASURE|unit group|must be coupled to a Dataverse transaction currency/i.test(x.message))).toEqual([]);
    }
  }, 60_000);
});

describe('update conflicts (E.4 step 7) over HTTP', () => {
  it('None: both sides changed a bidirectional field → the record fails with BC\'s message and nothing is overwritten', async () => {
    const m = { ...customer, direction: 'Bidirectional' as const, updateConflictResolution: 'None' as const };
    const { e, bcId, dvId } = await coupled(m);
    clock.advance(1100);
    await bcName(bcId, 'Name from BC');
    await dvName(dvId, 'Name from Sales');
    const r = await e.runMapping(m);
    expect(r.to).toMatchObject({ failed: 1, modified: 0 });
    expect(e.log.errors(r.to!.id)[0]!.message).toMatch(/The mapping between Name and name is bi-directional, and one or both values have changed/);
    expect((await c.dataverse.getByIds('accounts', [dvId]))[0]!.values.name).toBe('Name from Sales');
    expect((await c.bc.getByIds('Customer', [bcId]))[0]!.values.Name).toBe('Name from BC');
  });

  it('Send Update to Integration: BC wins; Get Update from Integration: Sales wins', async () => {
    for (const [resolution, winner] of [['Send Update to Integration', 'Name from BC'], ['Get Update from Integration', 'Name from Sales']] as const) {
      const m = { ...customer, direction: 'Bidirectional' as const, updateConflictResolution: resolution };
      const { e, bcId, dvId } = await coupled(m);
      clock.advance(1100);
      await bcName(bcId, 'Name from BC');
      await dvName(dvId, 'Name from Sales');
      const r = await e.runMapping(m);
      expect((r.to?.failed ?? 0) + (r.from?.failed ?? 0)).toBe(0);
      expect((await c.dataverse.getByIds('accounts', [dvId]))[0]!.values.name).toBe(winner);
      expect((await c.bc.getByIds('Customer', [bcId]))[0]!.values.Name).toBe(winner);
    }
  });
});

describe('deletion conflicts (E.4) over HTTP', () => {
  it('None fails the record; Restore Records creates the row again; Remove Coupling uncouples', async () => {
    const expectations = [
      ['None', (r: Awaited<ReturnType<SyncEngine['runMapping']>>, e: SyncEngine, bcId: string) => {
        expect(r.to).toMatchObject({ failed: 1 });
        expect(e.log.errors(r.to!.id)[0]!.message).toMatch(/coupled to a deleted record/);
        expect(e.couplings.byBc(customer.bcTableId, bcId)).not.toBeNull();
      }],
      ['Restore Records', async (r: Awaited<ReturnType<SyncEngine['runMapping']>>, e: SyncEngine, bcId: string) => {
        expect(r.to).toMatchObject({ inserted: 1, failed: 0 });
        const dv = e.couplings.byBc(customer.bcTableId, bcId)!.dvId;
        expect(await c.dataverse.getByIds('accounts', [dv])).toHaveLength(1);
      }],
      ['Remove Coupling', (r: Awaited<ReturnType<SyncEngine['runMapping']>>, e: SyncEngine, bcId: string) => {
        expect(r.to).toMatchObject({ uncoupled: 1, failed: 0 });
        expect(e.couplings.byBc(customer.bcTableId, bcId)).toBeFalsy();
      }],
    ] as const;
    for (const [resolution, check] of expectations) {
      const m = { ...customer, direction: 'ToIntegrationTable' as const, deletionConflictResolution: resolution };
      const { e, bcId, dvId } = await coupled(m);
      await admin.delete('accounts', dvId);
      clock.advance(20);
      await bcName(bcId, `Changed after the delete (${resolution})`);
      const r = await e.runMapping(m);
      await check(r, e, bcId);
    }
  });
});

describe('echo suppression (E.6) over HTTP', () => {
  it('the Dataverse → BC pass leaves out rows last written by the integration user, and picks up a person\'s edit', async () => {
    const m = { ...customer, direction: 'Bidirectional' as const };
    const { e, bcId, dvId } = await coupled(m);
    clock.advance(1100);
    await bcName(bcId, 'Renamed in BC');
    const r1 = await e.runMapping(m);
    expect(r1.to).toMatchObject({ modified: 1 });
    // The row the integration user just wrote is not even selected for the way back.
    expect(r1.from!.inserted + r1.from!.modified + r1.from!.unchanged + r1.from!.failed).toBe(0);
    clock.advance(1100);
    await dvName(dvId, 'Renamed in Sales');
    const r2 = await e.runMapping(m);
    expect(r2.from).toMatchObject({ modified: 1, failed: 0 });
    expect((await c.bc.getByIds('Customer', [bcId]))[0]!.values.Name).toBe('Renamed in Sales');
  });
});
