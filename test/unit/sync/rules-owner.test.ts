/**
 * Owner rules (E.11) and the SALESPEOPLE mapping with the in-memory sides: Person model (coupled / not coupled /
 * unknown / empty salesperson, Clear Value on Failed Sync, couplings made by the setup page, DV → BC owner), Team
 * model (default team on insert only), one salespeople read per pass, and lookups on the wire (DataverseSide toWire).
 */
import { describe, expect, it } from 'vitest';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import { toWire } from '../../../main/integrations/sales/sync/adapters/dataverse';
import { DV_ENTITIES } from '../../../main/integrations/sales/sync/adapters/entities';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import { combineRules } from '../../../main/integrations/sales/sync/engine/hooks';
import type { RuleDeps, RuleSettings } from '../../../main/integrations/sales/sync/rules/index';
import { domainRules } from '../../../main/integrations/sales/sync/rules/index';
import { currencyRules } from '../../../main/integrations/sales/sync/rules/currency';
import { NO_DEFAULT_TEAM, OWNER_NOT_USER, ownerRules } from '../../../main/integrations/sales/sync/rules/owner';
import { salespeopleRuleModule, salespersonCodeFor } from '../../../main/integrations/sales/sync/rules/salespeople';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import { field, world, type World } from './fakes';

const U_KARI = '00000000-0000-0000-0000-000000000103';
const U_OLA = '00000000-0000-0000-0000-000000000107';
const TEAM = '7e000000-0000-0000-0000-000000000001';
const NOK = 'c0000000-0000-0000-0000-00000000000a';

function setup(settings: Partial<RuleSettings> = {}) {
  const w = world();
  const deps: RuleDeps = {
    db: w.db, clock: { now: w.clock.now }, sides: { bc: w.bc, dataverse: w.dv }, couplings: new CouplingStore(w.db, w.clock.now),
    settings: { ownershipModel: 'person', lcyCode: 'NOK', defaultOwningTeamId: TEAM, ...settings },
  };
  w.bc.put('Salesperson/Purchaser', 'sp-kn', { Code: 'KN', Name: 'Kari Nordmann' });
  w.bc.put('Salesperson/Purchaser', 'sp-ol', { Code: 'OL', Name: 'Ola Lund' });
  w.dv.put('systemusers', U_KARI, { fullname: 'Kari Nordmann', isdisabled: false, islicensed: true, isintegrationuser: false });
  w.dv.put('systemusers', U_OLA, { fullname: 'Ola Lund', isdisabled: false, islicensed: true, isintegrationuser: false });
  w.dv.put('transactioncurrencies', NOK, { isocurrencycode: 'NOK' });
  // As the setup page's Salespeople step does it (main/integrations/sales/setup/service.ts coupleSalespeople): table 13, lower-case ids.
  deps.couplings.insert({ tableId: 13, dvEntity: 'systemuser', bcId: 'sp-kn', dvId: U_KARI });
  const rules = (m: TableMapping) => combineRules(ownerRules(deps)(m), currencyRules(deps)(m), salespeopleRuleModule(deps)(m));
  // Count salespeople reads: the directory must read the table once per pass, not once per record or page.
  let spReads = 0;
  const orig = w.bc.queryModified.bind(w.bc);
  w.bc.queryModified = (entity, q) => {
    if (entity === 'Salesperson/Purchaser') spReads++;
    return orig(entity, q);
  };
  return { w, deps, engine: w.newEngine({ rules, pageSize: 2, batchSize: 2 }), spReads: () => spReads };
}

const customer = (no: string, salesperson: string, extra: Record<string, unknown> = {}) =>
  ({ 'No.': no, Name: `Customer ${no}`, 'Salesperson Code': salesperson, 'Currency Code': '', Blocked: ' ', ...extra });

function accountOf(w: World, engine: ReturnType<World['newEngine']>, bcId: string) {
  const c = engine.couplings.byBc(18, bcId);
  return c ? w.dv.get('accounts', c.dvId) : undefined;
}

describe('owner from the coupled salesperson (Person model)', () => {
  const m = adapterMappings({ ownership: 'person' }, ['CUSTOMER'], { withRules: true })[0]!;

  it('sets the coupled user as owner, leaves the owner alone for an empty code, and fails with BC\'s texts otherwise', async () => {
    const { w, engine, spReads } = setup();
    w.bc.put('Customer', 'c1', customer('K1', 'kn'));
    w.bc.put('Customer', 'c2', customer('K2', 'OL'));
    w.bc.put('Customer', 'c3', customer('K3', 'XX'));
    w.bc.put('Customer', 'c4', customer('K4', ''));
    w.bc.put('Customer', 'c5', customer('K5', 'KN'));
    const r = await engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(r.to).toMatchObject({ inserted: 3, failed: 2 });
    expect(accountOf(w, engine, 'c1')?.values).toMatchObject({ ownerid: U_KARI, owneridtype: 'systemuser', transactioncurrencyid: NOK });
    expect(accountOf(w, engine, 'c4')?.values).not.toHaveProperty('ownerid');
    expect(accountOf(w, engine, 'c4')?.values).not.toHaveProperty('owneridtype');
    const errors = new Map(engine.log.errors(r.to!.id).map((e) => [e.sourceId, e.message]));
    expect(errors.get('c2')).toBe('Salesperson/Purchaser OL must be coupled to a Dataverse User record.');
    expect(errors.get('c3')).toBe('XX could not be found in Salesperson/Purchaser');
    // Five customers on three pages: the salespeople table was read once.
    expect(spReads()).toBe(1);

    // Nothing changed: no write at all (the owneridtype constant must not look like a change every run).
    const before = w.dv.writeCalls.length;
    await engine.runMapping(m, { only: 'to' });
    expect(w.dv.writeCalls.slice(before).flatMap((c) => c.ops).filter((o) => o.kind !== 'insert')).toEqual([]);

    // The setup page couples OL afterwards: the failed customer is retried first and now gets Ola as owner.
    // (The same message twice made both failures Skipped, E.7: restore c2 as "Retry" does.)
    expect(engine.couplings.byBc(18, 'c3')?.skipped).toBe(true);
    engine.couplings.insert({ tableId: 13, dvEntity: 'systemuser', bcId: 'sp-ol', dvId: U_OLA });
    engine.couplings.setSkipped(engine.couplings.byBc(18, 'c2')!.rowId, false);
    const r3 = await engine.runMapping(m, { only: 'to' });
    expect(r3.to).toMatchObject({ inserted: 1, failed: 0 });
    expect(accountOf(w, engine, 'c2')?.values).toMatchObject({ ownerid: U_OLA, owneridtype: 'systemuser' });

    // A salesperson change moves the owner (Person model), and only the owner pair is written.
    w.bc.edit('Customer', 'c1', { 'Salesperson Code': 'OL' });
    await engine.runMapping(m, { only: 'to' });
    const last = w.dv.writeCalls.at(-1)!.ops.find((o) => o.kind === 'update' && o.id === engine.couplings.byBc(18, 'c1')!.dvId);
    expect(last && last.kind === 'update' ? last.values : null).toEqual({ ownerid: U_OLA, owneridtype: 'systemuser' });
  });

  it('leaves the owner untouched instead of failing when the field mapping has Clear Value on Failed Sync', async () => {
    const { w, engine } = setup();
    const clear = { ...m, fields: m.fields.map((f) => (f.dataverseField === 'ownerid' ? { ...f, clearValueOnFailedSync: true } : f)) };
    w.bc.put('Customer', 'c2', customer('K2', 'OL'));
    w.bc.put('Customer', 'c3', customer('K3', 'XX'));
    const r = await engine.runMapping(clear, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(r.to).toMatchObject({ inserted: 2, failed: 0 });
    expect(accountOf(w, engine, 'c2')?.values).not.toHaveProperty('ownerid');
  });

  it('gives new rows of user-owned tables without a salesperson field the default team', async () => {
    const { w, engine } = setup();
    const noOwner: TableMapping = { ...m, fields: m.fields.filter((f) => f.dataverseField !== 'ownerid' && f.dataverseField !== 'owneridtype') };
    w.bc.put('Customer', 'c1', customer('K1', 'KN'));
    await engine.runMapping(noOwner, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(accountOf(w, engine, 'c1')?.values).toMatchObject({ ownerid: TEAM, owneridtype: 'team' });
  });

  it('maps a Dataverse user owner back to the coupled salesperson code and refuses a team owner (DV → BC)', async () => {
    const { w, engine } = setup();
    const back: TableMapping = {
      ...m, direction: 'FromIntegrationTable', integrationTableFilter: { conditions: [], companyScoped: false },
      fields: [field('Name', 'name', 'FromIntegrationTable'), field('Salesperson Code', 'ownerid', 'FromIntegrationTable')],
    };
    w.bc.put('Customer', 'c1', customer('K1', ''));
    w.bc.put('Customer', 'c2', customer('K2', 'KN'));
    w.bc.put('Customer', 'c3', customer('K3', 'KN'));
    w.dv.put('accounts', 'a1', { name: 'A1', ownerid: U_KARI });
    w.dv.put('accounts', 'a2', { name: 'A2', ownerid: TEAM, owneridtype: 'team' });
    w.dv.put('accounts', 'a3', { name: 'A3', ownerid: U_OLA });
    for (const [bc, dv] of [['c1', 'a1'], ['c2', 'a2'], ['c3', 'a3']] as const) engine.couplings.insert({ tableId: 18, dvEntity: 'account', bcId: bc, dvId: dv });
    const r = await engine.runMapping(back, { only: 'from' });
    expect(w.bc.get('Customer', 'c1')?.values['Salesperson Code']).toBe('KN');
    const errors = new Map(engine.log.errors(r.from!.id).map((e) => [e.sourceId, e.message]));
    expect(errors.get('a2')).toBe(OWNER_NOT_USER);
    expect(errors.get('a3')).toContain(`The Dataverse user ${U_OLA} who owns this record is not coupled to a salesperson`);
  });
});

describe('Team ownership model', () => {
  const m = adapterMappings({ ownership: 'team' }, ['CUSTOMER'], { withRules: true })[0]!;

  it('owns new rows by the company\'s default team and never changes the owner afterwards', async () => {
    const { w, engine } = setup({ ownershipModel: 'team' });
    expect(m.fields.some((f) => f.dataverseField === 'ownerid')).toBe(false);
    w.bc.put('Customer', 'c1', customer('K1', 'KN'));
    await engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true });
    const dvId = engine.couplings.byBc(18, 'c1')!.dvId;
    expect(w.dv.get('accounts', dvId)?.values).toMatchObject({ ownerid: TEAM, owneridtype: 'team' });
    // Someone reassigns the account in Sales; a later BC change (salesperson, name) leaves the owner alone.
    w.dv.edit('accounts', dvId, { ownerid: U_KARI, owneridtype: 'systemuser' });
    w.bc.edit('Customer', 'c1', { 'Salesperson Code': 'OL', Name: 'Renamed' });
    await engine.runMapping({ ...m, updateConflictResolution: 'Send Update to Integration' }, { only: 'to' });
    expect(w.dv.get('accounts', dvId)?.values).toMatchObject({ name: 'Renamed', ownerid: U_KARI });
  });

  it('refuses to create rows when the company has no default owning team', async () => {
    const { w, engine } = setup({ ownershipModel: 'team', defaultOwningTeamId: null });
    w.bc.put('Customer', 'c1', customer('K1', 'KN'));
    const r = await engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.to!.id).map((e) => e.message)).toEqual([NO_DEFAULT_TEAM]);
  });
});

describe('SALESPEOPLE mapping (Dataverse users → salespeople)', () => {
  const m = adapterMappings({ ownership: 'person' }, ['SALESPEOPLE'])[0]!;

  it('updates salespeople coupled by the setup page and creates new ones with a stable code', async () => {
    const { w, engine } = setup();
    w.dv.edit('systemusers', U_KARI, { fullname: 'Kari Nordmann-Berg', internalemailaddress: 'kari@example.com', mobilephone: '+47 1' });
    const r = await engine.runMapping(m, { only: 'from', ignoreSynchOnlyCoupled: true });
    expect(r.from).toMatchObject({ modified: 1, inserted: 1, failed: 0 });
    expect(w.bc.get('Salesperson/Purchaser', 'sp-kn')?.values).toMatchObject({ Code: 'KN', Name: 'Kari Nordmann-Berg', 'E-Mail': 'kari@example.com' });
    const created = w.bc.all('Salesperson/Purchaser').find((r) => r.values.Name === 'Ola Lund' && r.id !== 'sp-ol')!;
    expect(created.values.Code).toBe('OL-0107');
    expect(salespersonCodeFor({ id: U_OLA, modifiedOn: 0, values: { fullname: 'Ola Lund' } })).toBe('OL-0107');
    expect(engine.couplings.byDv(13, U_OLA)?.bcId).toBe(created.id);
  });

  it('is registered in the domain rules', () => {
    const { deps } = setup();
    const rules = domainRules(deps)(m);
    expect(rules?.prepare).toBeTypeOf('function');
  });
});

describe('lookups on the wire (DataverseSide)', () => {
  const accounts = DV_ENTITIES.accounts!;
  const contacts = DV_ENTITIES.contacts!;

  it('binds lookups to their entity sets, polymorphic ones by their type value, and clears empty ones', () => {
    expect(toWire(accounts, { name: 'A', ownerid: U_KARI.toUpperCase(), owneridtype: 'systemuser', transactioncurrencyid: NOK, primarycontactid: null })).toEqual({
      name: 'A', 'ownerid@odata.bind': `/systemusers(${U_KARI})`, 'transactioncurrencyid@odata.bind': `/transactioncurrencies(${NOK})`, 'primarycontactid@odata.bind': null,
    });
    expect(toWire(accounts, { ownerid: TEAM, owneridtype: 'team' })).toEqual({ 'ownerid@odata.bind': `/teams(${TEAM})` });
    expect(toWire(contacts, { parentcustomerid: U_KARI, parentcustomeridtype: 'account' })).toEqual({ 'parentcustomerid_account@odata.bind': `/accounts(${U_KARI})` });
    expect(toWire(contacts, { parentcustomerid: U_KARI, parentcustomeridtype: 'contact' })).toEqual({ 'parentcustomerid_contact@odata.bind': `/contacts(${U_KARI})` });
    // Without a type the first target is meant (owner: a user); the companion alone never reaches the wire.
    expect(toWire(accounts, { ownerid: U_KARI })).toEqual({ 'ownerid@odata.bind': `/systemusers(${U_KARI})` });
    expect(toWire(accounts, { owneridtype: 'systemuser', name: 'x' })).toEqual({ name: 'x' });
  });

  it('refuses a value that is not a GUID or an unknown type, naming the attribute', () => {
    expect(toWire(accounts, { ownerid: 'KN' })).toMatch(/^account\.ownerid must be the id \(GUID\) of a systemusers record, but the value is "KN"/);
    expect(toWire(accounts, { transactioncurrencyid: 'EUR' })).toMatch(/transactioncurrencyid must be the id \(GUID\) of a transactioncurrencies record/);
    expect(toWire(accounts, { ownerid: U_KARI, owneridtype: 'queue' })).toBe('account.ownerid: "queue" is not a valid owneridtype; use one of systemuser, team.');
  });
});
