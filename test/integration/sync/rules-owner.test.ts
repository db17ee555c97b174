/**
 * Owner rules and lookups on the wire against the sandbox over real HTTP: DataverseSide writes lookups as
 * `@odata.bind` (and clears them), and the owner of accounts follows the coupled salesperson (Person model).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../../main/sandbox/index';
import { CURRENCY_IDS } from '../../../main/sandbox/dataverse/seed';
import { SANDBOX_USERS } from '../../../main/sandbox/directory';
import { adapterMappings, type ConnectedSides, connectSandbox } from '../../../main/integrations/sales/sync/adapters/connect';
import { openDatabase } from '../../../main/db/database';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import { domainRules, type RuleDeps, type RuleSettings } from '../../../main/integrations/sales/sync/rules/index';
import { masterDataImplicitMatch, masterDataLookups } from '../../../main/integrations/sales/sync/rules/currency';
import { tempDir } from '../../support/app';
import { coupleOptionMappings } from './options-support';

let sb: Sandbox;
let c: ConnectedSides;
const tmp = tempDir('d365ic-rules-owner-');
const kari = SANDBOX_USERS.find((u) => u.username.startsWith('kari.nordmann@'))!.dataverse!.systemUserId.toLowerCase();

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

/** An engine with the real rule registry (domainRules) and implicit matching, on its own SQLite file. */
function engineWith(file: string, settings: Partial<RuleSettings> = {}) {
  const { db } = openDatabase(`${tmp.dir}/${file}`);
  const clock = { now: () => Date.now() };
  const deps: RuleDeps = {
    db, clock, sides: c.sides, couplings: new CouplingStore(db, clock.now),
    settings: { ownershipModel: 'person', lcyCode: 'NOK', ...settings },
  };
  const engine = new SyncEngine(db, c.sides, clock, {
    rules: domainRules(deps), implicitMatch: masterDataImplicitMatch(deps), lookups: masterDataLookups(deps), integrationUserId: c.integrationUserId, retryDelayMs: 20,
  });
  return { engine, deps };
}

describe('DataverseSide lookups on the wire', () => {
  it('sends lookups as @odata.bind on insert and update, reads them back as GUIDs, and clears them with null', async () => {
    const id = randomUUID();
    const team = (await c.dataverse.findMatches('teams', [{ field: 'name', value: 'nordlys', caseSensitive: false }], { conditions: [] } as never, 1))[0]!;
    const [ins] = await c.dataverse.write('accounts', [{
      kind: 'insert', id, idempotencyKey: 'k', validate: [], template: null,
      values: { name: 'Wire AS', ownerid: kari, owneridtype: 'systemuser', transactioncurrencyid: CURRENCY_IDS.EUR.toUpperCase() },
    }]);
    expect(ins).toMatchObject({ ok: true, id });
    let row = (await c.dataverse.getByIds('accounts', [id]))[0]!;
    expect(row.values.ownerid).toBe(kari);
    expect(row.values.transactioncurrencyid).toBe(CURRENCY_IDS.EUR.toLowerCase());

    const [upd] = await c.dataverse.write('accounts', [{ kind: 'update', id, validate: [], values: { ownerid: team.id, owneridtype: 'team', transactioncurrencyid: null } }]);
    expect(upd?.ok).toBe(true);
    row = (await c.dataverse.getByIds('accounts', [id]))[0]!;
    expect(row.values.ownerid).toBe(team.id);
    expect(row.values.transactioncurrencyid).toBeNull();
    // The lookup is also a match condition (`_x_value eq <guid>`).
    const byOwner = await c.dataverse.findMatches('accounts', [{ field: 'ownerid', value: team.id, caseSensitive: false }, { field: 'name', value: 'Wire AS', caseSensitive: false }], { conditions: [] } as never, 5);
    expect(byOwner.map((r) => r.id)).toEqual([id]);
    // A code where an id belongs matches nothing (instead of an invalid $filter).
    expect(await c.dataverse.findMatches('accounts', [{ field: 'ownerid', value: 'KN', caseSensitive: false }], { conditions: [] } as never, 5)).toEqual([]);
  });

  it('fails only the op whose lookup value is not a GUID, with a message that says what to do', async () => {
    const good = randomUUID();
    const res = await c.dataverse.write('accounts', [
      { kind: 'insert', id: randomUUID(), idempotencyKey: 'a', validate: [], template: null, values: { name: 'Bad', ownerid: 'JO' } },
      { kind: 'insert', id: good, idempotencyKey: 'b', validate: [], template: null, values: { name: 'Good', ownerid: kari } },
      { kind: 'insert', id: randomUUID(), idempotencyKey: 'c', validate: [], template: null, values: { name: 'Bad type', ownerid: kari, owneridtype: 'queue' } },
    ]);
    expect(res[0]).toMatchObject({ ok: false });
    expect(!res[0]!.ok && res[0]!.error).toContain('account.ownerid must be the id (GUID)');
    expect(res[1]).toMatchObject({ ok: true, id: good });
    expect(!res[2]!.ok && res[2]!.error).toContain('"queue" is not a valid owneridtype; use one of systemuser, team');
    expect((await c.dataverse.getByIds('accounts', [good]))[0]?.values.ownerid).toBe(kari);
  });
});

describe('owner and currency over HTTP (Person model)', () => {
  it('owns accounts by the user coupled to the salesperson, with the coupled currency, and fails with BC\'s texts', async () => {
    const team = (await c.dataverse.findMatches('teams', [{ field: 'name', value: 'nordlys', caseSensitive: false }], ALL, 1))[0]!;
    const { engine, deps } = engineWith('person.sqlite', { defaultOwningTeamId: team.id });
    // Currencies first (dependency of CUSTOMER): couples BC's NOK/EUR/SEK/USD to the seeded Dataverse currencies.
    const cur = await engine.runMapping(adapterMappings({}, ['CURRENCY'], { withRules: true })[0]!, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(cur.to!.id)).toEqual([]);
    expect(cur.to).toMatchObject({ coupled: 4, inserted: 0 });
    // Salespeople coupled as the setup page does it (main/integrations/sales/setup/service.ts): table 13, BC SystemId ⇄ systemuserid.
    const kn = (await all(c.bc, 'Salesperson/Purchaser')).find((r) => r.values.Code === 'KN')!;
    deps.couplings.insert({ tableId: 13, dvEntity: 'systemuser', bcId: kn.id, dvId: kari });

    const customers = (await all(c.bc, 'Customer')).filter((r) => r.values.Blocked === ' ');
    const pick = (sp: string, cur: (v: string) => boolean) => customers.find((r) => r.values['Salesperson Code'] === sp && cur(String(r.values['Currency Code'] ?? '')))!;
    const knEur = pick('KN', (v) => v === 'EUR');
    const knLcy = pick('KN', (v) => v === '');
    const ol = pick('OL', () => true);
    const jdv = pick('JDV', () => true);
    const none = customers.find((r) => ![knEur, knLcy, ol, jdv].includes(r))!;
    const [cleared] = await c.bc.write('Customer', [{ kind: 'update', id: none.id, values: { 'Salesperson Code': '' }, validate: [] }]);
    expect(cleared?.ok).toBe(true);

    await coupleOptionMappings(engine);
    const m = adapterMappings({ ownership: 'person' }, ['CUSTOMER'], { withRules: true })[0]!;
    const ids = [knEur, knLcy, ol, jdv, none].map((r) => r.id);
    const r = await engine.runMapping(m, { only: 'to', ids, ignoreSynchOnlyCoupled: true });
    expect(r.to).toMatchObject({ inserted: 3, failed: 2 });
    const errors = new Map(engine.log.errors(r.to!.id).map((e) => [e.sourceId, e.message]));
    expect(errors.get(ol.id)).toBe('Salesperson/Purchaser OL must be coupled to a Dataverse User record.');
    expect(errors.get(jdv.id)).toBe('Salesperson/Purchaser JDV must be coupled to a Dataverse User record.');
    const account = async (bcId: string) => (await c.dataverse.getByIds('accounts', [engine.couplings.byBc(18, bcId)!.dvId]))[0]!;
    const eur = (await c.dataverse.findMatches('transactioncurrencies', [{ field: 'isocurrencycode', value: 'EUR', caseSensitive: false }], ALL, 1))[0]!;
    const nok = (await c.dataverse.findMatches('transactioncurrencies', [{ field: 'isocurrencycode', value: 'NOK', caseSensitive: false }], ALL, 1))[0]!;
    expect((await account(knEur.id)).values).toMatchObject({ ownerid: kari, transactioncurrencyid: eur.id });
    expect((await account(knLcy.id)).values).toMatchObject({ ownerid: kari, transactioncurrencyid: nok.id });
    // Empty salesperson: owner untouched, i.e. whoever created the row (the integration user).
    expect((await account(none.id)).values.ownerid).toBe(c.integrationUserId);

    // A second run with nothing changed writes nothing to the coupled accounts.
    const before = c.dataverse.stats.bulkRequests;
    const again = await engine.runMapping(m, { only: 'to', ids: [knEur.id, knLcy.id, none.id], force: false });
    expect(again.to).toMatchObject({ modified: 0, unchanged: 3 });
    expect(c.dataverse.stats.bulkRequests).toBe(before);
  }, 20_000);
});

describe('Team model over HTTP', () => {
  it('owns new accounts by the default owning team and leaves the owner alone on later changes', async () => {
    const team = (await c.dataverse.findMatches('teams', [{ field: 'name', value: 'nordlys', caseSensitive: false }], ALL, 1))[0]!;
    const { engine } = engineWith('team.sqlite', { ownershipModel: 'team', defaultOwningTeamId: team.id });
    await engine.runMapping(adapterMappings({}, ['CURRENCY'], { withRules: true })[0]!, { only: 'to', ignoreSynchOnlyCoupled: true });
    await coupleOptionMappings(engine);
    const m = adapterMappings({ ownership: 'team' }, ['CUSTOMER'], { withRules: true })[0]!;
    const customer = (await all(c.bc, 'Customer')).filter((r) => r.values.Blocked === ' ').at(-1)!;
    const r = await engine.runMapping(m, { only: 'to', ids: [customer.id], ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    const dvId = engine.couplings.byBc(18, customer.id)!.dvId;
    expect((await c.dataverse.getByIds('accounts', [dvId]))[0]?.values.ownerid).toBe(team.id);
    await c.dataverse.write('accounts', [{ kind: 'update', id: dvId, validate: [], values: { ownerid: kari, owneridtype: 'systemuser' } }]);
    await c.bc.write('Customer', [{ kind: 'update', id: customer.id, values: { 'Salesperson Code': 'OL', 'Phone No.': '+47 22 00 00 01' }, validate: [] }]);
    const r2 = await engine.runMapping({ ...m, updateConflictResolution: 'Send Update to Integration' }, { only: 'to', ids: [customer.id] });
    expect(r2.to).toMatchObject({ modified: 1, failed: 0 });
    expect((await c.dataverse.getByIds('accounts', [dvId]))[0]?.values).toMatchObject({ ownerid: kari, telephone1: '+47 22 00 00 01' });
  }, 20_000);
});

describe('SALESPEOPLE over HTTP (Dataverse users → BC salespeople)', () => {
  it('updates salespeople coupled by the setup page and creates the uncoupled users with a stable code', async () => {
    const { engine, deps } = engineWith('salespeople.sqlite');
    const sp = await all(c.bc, 'Salesperson/Purchaser');
    const kn = sp.find((r) => r.values.Code === 'KN')!;
    deps.couplings.insert({ tableId: 13, dvEntity: 'systemuser', bcId: kn.id, dvId: kari });
    // The salesperson's name and e-mail drifted from the user's in BC (the integration user may not edit users in Dataverse).
    expect((await c.bc.write('Salesperson/Purchaser', [{ kind: 'update', id: kn.id, validate: [], values: { Name: 'K. Nordmann', 'E-Mail': 'old@example.com' } }]))[0]?.ok).toBe(true);
    const m = adapterMappings({ ownership: 'person' }, ['SALESPEOPLE'])[0]!;
    const r = await engine.runMapping(m, { ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.from!.id)).toEqual([]);
    const users = (await all(c.dataverse, 'systemusers')).filter((u) => u.values.isdisabled === false && u.values.islicensed === true && u.values.isintegrationuser === false);
    // Every eligible user is now coupled; Kari to her existing salesperson (no second one).
    expect(r.from).toMatchObject({ modified: 1, inserted: users.length - 1 });
    const after = await all(c.bc, 'Salesperson/Purchaser');
    const user = users.find((u) => u.id === kari)!;
    expect(after.find((x) => x.id === kn.id)?.values).toMatchObject({ Code: 'KN', Name: user.values.fullname, 'E-Mail': user.values.internalemailaddress });
    expect(after.filter((x) => x.values.Name === user.values.fullname)).toHaveLength(1);
    for (const u of users) {
      const bcId = engine.couplings.byDv(13, u.id)?.bcId;
      expect(bcId, String(u.values.fullname)).toBeTruthy();
      if (u.id !== kari) expect(after.find((x) => x.id === bcId)?.values.Code).toMatch(/^[A-Z0-9]{1,6}-[0-9A-F]{4}$/);
    }
  }, 20_000);
});
