/**
 * Currency rules with the in-memory sides: the CURRENCY mapping (implicit match by ISO code, exchange rates relative
 * to LCY incl. a relational currency, precision, the no-rate error) and currency lookups on CUSTOMER both ways.
 */
import { describe, expect, it } from 'vitest';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import { combineRules } from '../../../main/integrations/sales/sync/engine/hooks';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import type { RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import { currencyNotCoupled, currencyPrecision, currencyRules, exchangeRate, masterDataImplicitMatch, masterDataLookups, noExchangeRate } from '../../../main/integrations/sales/sync/rules/currency';
import { world } from './fakes';

const DV_NOK = 'c0000000-0000-0000-0000-00000000000a';
const DV_EUR = 'c0000000-0000-0000-0000-00000000000b';

function setup() {
  const w = world();
  const deps: RuleDeps = {
    db: w.db, clock: { now: w.clock.now }, sides: { bc: w.bc, dataverse: w.dv }, couplings: new CouplingStore(w.db, w.clock.now),
    settings: { ownershipModel: 'team', lcyCode: 'NOK', defaultOwningTeamId: null },
  };
  // The fake clock starts in November 2023: the 2024 rate is not valid yet.
  const rate = (code: string, start: string, amount: number, relational: number, relCode = '') =>
    w.bc.put('Currency Exchange Rate', `r-${code}-${start}`, {
      'Currency Code': code, 'Starting Date': start, 'Exchange Rate Amount': amount, 'Relational Currency Code': relCode, 'Relational Exch. Rate Amount': relational,
    });
  rate('EUR', '2023-01-01', 1, 11.52);
  rate('EUR', '2024-01-01', 1, 99);
  rate('EUR', '2022-01-01', 1, 10);
  rate('SEK', '2023-06-01', 100, 101);
  rate('GBP', '2023-01-01', 1, 1.15, 'EUR');
  for (const [id, code, symbol, dp] of [['b-nok', 'NOK', 'kr', '2:2'], ['b-eur', 'EUR', '€', '2:2'], ['b-sek', 'SEK', 'kr', '2:2'], ['b-gbp', 'GBP', '£', '2:5'], ['b-usd', 'USD', '$', '']] as const) {
    w.bc.put('Currency', id, { Code: code, Description: code, Symbol: symbol, 'Amount Decimal Places': dp });
  }
  w.dv.put('transactioncurrencies', DV_NOK, { isocurrencycode: 'NOK', currencyname: 'Krone', exchangerate: 1 });
  w.dv.put('transactioncurrencies', DV_EUR, { isocurrencycode: 'eur', currencyname: 'Euro', exchangerate: 0.5 });
  const rules = (m: TableMapping) => combineRules(currencyRules(deps)(m));
  return { w, deps, rules, engine: w.newEngine({ rules, implicitMatch: masterDataImplicitMatch(deps) }) };
}

describe('CURRENCY mapping', () => {
  const m = adapterMappings({}, ['CURRENCY'], { withRules: true })[0]!;

  it('couples to the Dataverse currency with the same ISO code, sets exchange rates relative to LCY, and refuses a currency without rate', async () => {
    const { w, engine } = setup();
    const r = await engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true });
    expect(r.to).toMatchObject({ coupled: 2, inserted: 2, failed: 1 });
    // No second EUR / NOK: the existing rows were coupled and updated.
    expect(w.dv.all('transactioncurrencies').filter((c) => String(c.values.isocurrencycode).toUpperCase() === 'EUR')).toHaveLength(1);
    expect(engine.couplings.byBc(4, 'b-eur')?.dvId).toBe(DV_EUR);
    expect(engine.couplings.byBc(4, 'b-nok')?.dvId).toBe(DV_NOK);
    expect(w.dv.get('transactioncurrencies', DV_EUR)?.values).toMatchObject({ exchangerate: 0.0868055556, currencysymbol: '€', currencyname: 'EUR' });
    expect(w.dv.get('transactioncurrencies', DV_NOK)?.values.exchangerate).toBe(1);
    const sek = w.dv.get('transactioncurrencies', engine.couplings.byBc(4, 'b-sek')!.dvId)!;
    expect(sek.values).toMatchObject({ isocurrencycode: 'SEK', exchangerate: 0.9900990099, currencyprecision: 2 });
    // GBP is quoted against EUR: 1 NOK = (1 / 11.52) EUR = (1 / 11.52) / 1.15 GBP.
    const gbp = w.dv.get('transactioncurrencies', engine.couplings.byBc(4, 'b-gbp')!.dvId)!;
    expect(gbp.values).toMatchObject({ exchangerate: 0.0754830918, currencyprecision: 4 });
    expect(engine.log.errors(r.to!.id).map((e) => [e.sourceId, e.message])).toEqual([['b-usd', noExchangeRate('USD')]]);

    // A new rate changes exchangerate on the next run (currency record modified), nothing else is written.
    w.bc.edit('Currency Exchange Rate', 'r-EUR-2023-01-01', { 'Relational Exch. Rate Amount': 12.5 });
    w.bc.edit('Currency', 'b-eur', {});
    const before = w.dv.writeCalls.length;
    await engine.runMapping(m, { only: 'to' });
    const ops = w.dv.writeCalls.slice(before).flatMap((c) => c.ops);
    expect(ops).toEqual([expect.objectContaining({ kind: 'update', id: DV_EUR, values: { exchangerate: 0.08 } })]);
  });

  it('computes exchange rates and precision as documented', async () => {
    const { deps } = setup();
    expect(await exchangeRate(deps, 'nok', '2023-11-14')).toBe(1);
    expect(await exchangeRate(deps, 'EUR', '2022-06-01')).toBe(0.1);
    expect(await exchangeRate(deps, 'EUR', '2021-06-01')).toBeNull();
    expect(await exchangeRate(deps, 'USD', '2023-11-14')).toBeNull();
    expect([currencyPrecision('2:2'), currencyPrecision('0:0'), currencyPrecision('2:5'), currencyPrecision(''), currencyPrecision(undefined)]).toEqual([2, 0, 4, 2, 2]);
  });
});

describe('currency lookups on CUSTOMER', () => {
  const m = adapterMappings({ ownership: 'team' }, ['CUSTOMER'], { withRules: true })[0]!;

  it('BC → DV: blank code = LCY currency, coupled code = its currency, uncoupled code fails with what to do', async () => {
    const { w, engine } = setup();
    engine.couplings.insert({ tableId: 4, dvEntity: 'transactioncurrency', bcId: 'b-eur', dvId: DV_EUR });
    const base = { Blocked: ' ', 'Salesperson Code': '' };
    w.bc.put('Customer', 'c1', { 'No.': 'K1', Name: 'One', 'Currency Code': '', ...base });
    w.bc.put('Customer', 'c2', { 'No.': 'K2', Name: 'Two', 'Currency Code': 'eur', ...base });
    w.bc.put('Customer', 'c3', { 'No.': 'K3', Name: 'Three', 'Currency Code': 'USD', ...base });
    const noTeam = { ...m, fields: m.fields.filter((f) => f.dataverseField !== 'ownerid') };
    const r = await engine.runMapping(noTeam, { only: 'to', ignoreSynchOnlyCoupled: true });
    const acc = (id: string) => w.dv.get('accounts', engine.couplings.byBc(18, id)!.dvId)!.values;
    expect(acc('c1').transactioncurrencyid).toBe(DV_NOK);
    expect(acc('c2').transactioncurrencyid).toBe(DV_EUR);
    expect(engine.log.errors(r.to!.id).map((e) => e.message)).toEqual([currencyNotCoupled('USD')]);
    expect(currencyNotCoupled('USD')).toBe('Currency USD must be coupled to a Dataverse transaction currency. Run the CURRENCY mapping first.');

    // Unchanged customers write nothing (the code and the id are compared after translation).
    const before = w.dv.writeCalls.length;
    await engine.runMapping(noTeam, { only: 'to' });
    expect(w.dv.writeCalls.slice(before).flatMap((c) => c.ops).filter((o) => o.kind === 'update')).toEqual([]);

    // DV → BC: the account's currency back as a BC code (LCY → blank).
    w.dv.edit('accounts', engine.couplings.byBc(18, 'c1')!.dvId, { transactioncurrencyid: DV_EUR });
    w.dv.edit('accounts', engine.couplings.byBc(18, 'c2')!.dvId, { transactioncurrencyid: DV_NOK });
    const back = { ...noTeam, integrationTableFilter: { conditions: [], companyScoped: false } };
    const rf = await engine.runMapping(back, { only: 'from' });
    expect(engine.log.errors(rf.from!.id)).toEqual([]);
    expect(w.bc.get('Customer', 'c1')?.values['Currency Code']).toBe('EUR');
    expect(w.bc.get('Customer', 'c2')?.values['Currency Code']).toBe('');
  });

  it('compares currencies after translation, with or without the lookup resolver (no false update conflict)', async () => {
    const { w, deps, rules } = setup();
    const plain = w.newEngine({ rules });
    const wired = w.newEngine({ rules, lookups: masterDataLookups(deps) });
    const noTeam = { ...m, fields: m.fields.filter((f) => f.dataverseField !== 'ownerid') };
    w.bc.put('Customer', 'c1', { 'No.': 'K1', Name: 'One', 'Currency Code': '', Blocked: ' ', 'Credit Limit (LCY)': 0 });
    await plain.runMapping(noTeam, { only: 'to', ignoreSynchOnlyCoupled: true });
    const dvId = plain.couplings.byBc(18, 'c1')!.dvId;
    // Both sides change afterwards, but no Bidirectional field: BC the credit limit (To only), Sales an unmapped field.
    let limit = 0;
    const bothChanged = () => {
      w.bc.edit('Customer', 'c1', { 'Credit Limit (LCY)': (limit += 1000) });
      w.dv.edit('accounts', dvId, { description: 'edited in Sales' });
    };
    bothChanged();
    const r1 = await plain.runMapping(noTeam, { only: 'to' });
    // The conflict check looks at what is written after the rules translated the code ("" → the LCY id, already
    // there), so even without the resolver Currency Code is not a changed bidirectional field.
    expect(plain.log.errors(r1.to!.id)).toEqual([]);
    expect(r1.to).toMatchObject({ modified: 1, failed: 0 });
    bothChanged();
    const r2 = await wired.runMapping(noTeam, { only: 'to' });
    expect(r2.to).toMatchObject({ modified: 1, failed: 0 });
    expect(w.dv.get('accounts', dvId)?.values).toMatchObject({ transactioncurrencyid: DV_NOK, description: 'edited in Sales' });
  });
});
