/** OPPORTUNITY both ways with the in-memory sides: contact / account lookups, LCY currency, contact back to BC. */
import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import type { RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import { OPPORTUNITY_MAPPING, opportunityRules } from '../../../main/integrations/sales/sync/rules/opportunities';
import { world } from './fakes';

const ACCOUNT = 'aaaaaaaa-0000-4000-8000-000000000001';
const CONTACT = 'cccccccc-0000-4000-8000-000000000001';
const NOK = 'dddddddd-0000-4000-8000-000000000001';

function setup() {
  const w = world();
  const couplings = new CouplingStore(w.db, w.clock.now);
  const deps: RuleDeps = { db: w.db, clock: { now: w.clock.now }, sides: { bc: w.bc, dataverse: w.dv }, couplings, settings: { ownershipModel: 'person', lcyCode: 'NOK' } };
  const engine = w.newEngine({ rules: opportunityRules(deps) });
  const base = defaultMappings().find((m) => m.name === OPPORTUNITY_MAPPING)!;
  const mapping: TableMapping = { ...base, fields: base.fields.filter((f) => f.dataverseField !== 'ownerid' && f.dataverseField !== 'owneridtype') };
  w.dv.put('transactioncurrencies', NOK, { isocurrencycode: 'NOK' });
  w.bc.put('Contact', 'ct-1', { 'No.': 'KT1', Type: 'Person', 'Company No.': 'KT0' });
  w.dv.put('contacts', CONTACT, { fullname: 'Kari Nordmann', parentcustomerid: ACCOUNT, parentcustomeridtype: 'account' });
  couplings.insert({ tableId: 5050, dvEntity: 'contact', bcId: 'ct-1', dvId: CONTACT });
  w.bc.put('Opportunity', 'opp-1', {
    'No.': 'MV1', Description: 'Big deal', 'Contact No.': 'KT1', 'Contact Company No.': 'KT0', Status: 'In Progress',
    'Estimated Value (LCY)': 5000, 'Estimated Closing Date': '2026-12-31',
  });
  return { w, deps, engine, mapping };
}

describe('OPPORTUNITY rules', () => {
  it('BC → Dataverse: contact and account through the couplings, LCY currency; a rerun writes nothing', async () => {
    const { w, engine, mapping } = setup();
    const r = await engine.runMapping(mapping);
    expect(r.to).toMatchObject({ inserted: 1, failed: 0 });
    const [opp] = w.dv.all('opportunities');
    expect(opp!.values).toMatchObject({
      name: 'Big deal', parentcontactid: CONTACT, parentaccountid: ACCOUNT, customerid: ACCOUNT, customeridtype: 'account',
      transactioncurrencyid: NOK, estimatedvalue: 5000,
    });
    // Our own write is not pulled back (echo), and nothing changed on the second run.
    const calls = w.dv.writeCalls.length + w.bc.writeCalls.length;
    const again = await engine.runMapping(mapping);
    expect(again.to).toMatchObject({ inserted: 0, modified: 0, failed: 0 });
    expect(again.from).toMatchObject({ inserted: 0, modified: 0, failed: 0 });
    expect(w.dv.writeCalls.length + w.bc.writeCalls.length).toBe(calls);
  });

  it('a contact without a company account makes the contact the potential customer', async () => {
    const { w, engine, mapping } = setup();
    w.dv.edit('contacts', CONTACT, { parentcustomerid: null, parentcustomeridtype: null });
    await engine.runMapping(mapping, { only: 'to' });
    expect(w.dv.all('opportunities')[0]!.values).toMatchObject({ parentaccountid: null, customerid: CONTACT, customeridtype: 'contact' });
  });

  it('fails with a clear message when the contact is not coupled', async () => {
    const { w, deps, engine, mapping } = setup();
    deps.couplings.remove(deps.couplings.byBc(5050, 'ct-1')!.rowId);
    const r = await engine.runMapping(mapping, { only: 'to' });
    expect(engine.log.errors(r.to!.id)[0]?.message).toContain('Contact KT1 must be coupled to a Dataverse contact before opportunity MV1 can be synchronized');
    expect(w.dv.all('opportunities')).toHaveLength(0);
  });

  it('Dataverse → BC: a new Sales opportunity gets the coupled contact\'s No.; name changes flow back as Description', async () => {
    const { w, engine, mapping } = setup();
    w.bc.delete('Opportunity', 'opp-1');
    const dvOpp = 'eeeeeeee-0000-4000-8000-000000000001';
    w.dv.put('opportunities', dvOpp, { name: 'From Sales', parentcontactid: CONTACT });
    const r = await engine.runMapping(mapping, { only: 'from' });
    expect(r.from).toMatchObject({ inserted: 1, failed: 0 });
    const [bcOpp] = w.bc.all('Opportunity');
    expect(bcOpp!.values).toMatchObject({ Description: 'From Sales', 'Contact No.': 'KT1' });
    w.dv.edit('opportunities', dvOpp, { name: 'From Sales (renamed)' });
    const r2 = await engine.runMapping(mapping, { only: 'from' });
    expect(r2.from?.modified).toBe(1);
    expect(w.bc.all('Opportunity')[0]!.values.Description).toBe('From Sales (renamed)');
    // Only the description went to BC: the contact did not change.
    expect(Object.keys((w.bc.writeCalls.at(-1)!.ops[0] as { values: object }).values)).toEqual(['Description']);
  });

  it('Dataverse → BC: an opportunity without a (coupled) contact is refused with what to do', async () => {
    const { w, engine, mapping } = setup();
    w.dv.put('opportunities', 'eeeeeeee-0000-4000-8000-000000000002', { name: 'No contact' });
    const r = await engine.runMapping(mapping, { only: 'from' });
    expect(engine.log.errors(r.from!.id)[0]?.message).toContain('Opportunity "No contact" has no contact. Business Central needs a contact on every opportunity');
    w.dv.put('opportunities', 'eeeeeeee-0000-4000-8000-000000000003', { name: 'Stranger', parentcontactid: 'cccccccc-0000-4000-8000-00000000000f' });
    const r2 = await engine.runMapping(mapping, { only: 'from' });
    expect(engine.log.errors(r2.from!.id).map((e) => e.message).join('\n')).toContain('The contact of opportunity "Stranger" is not coupled to a Business Central contact');
  });
});
