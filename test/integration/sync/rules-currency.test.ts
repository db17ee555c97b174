/**
 * Currencies and match-based coupling against the sandbox over real HTTP: the CURRENCY mapping couples BC currencies
 * to the Dataverse currencies with the same ISO code (implicit match and match-based coupling), computes exchange
 * rates from BC's Currency Exchange Rates, creates a new currency when nothing matches; CUSTOMER match-based coupling
 * walks the match priorities and creates a new account (with owner and currency rules) when nothing matches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { startSandbox, type Sandbox } from '../../../main/sandbox/index';
import { SANDBOX_USERS } from '../../../main/sandbox/directory';
import { adapterMappings, type ConnectedSides, connectSandbox } from '../../../main/integrations/sales/sync/adapters/connect';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import { matchBasedCouple } from '../../../main/integrations/sales/sync/engine/manual';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import { domainRules, type RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import { masterDataImplicitMatch, masterDataLookups } from '../../../main/integrations/sales/sync/rules/currency';
import { tempDir } from '../../support/app';
import { coupleOptionMappings } from './options-support';

let sb: Sandbox;
let c: ConnectedSides;
const tmp = tempDir('d365ic-rules-currency-');
const ALL = { conditions: [] } as never;
const userId = (who: string) => SANDBOX_USERS.find((u) => u.username.startsWith(`${who}@`))!.dataverse!.systemUserId.toLowerCase();

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 'demo' });
  c = await connectSandbox(sb.info, { retryBaseMs: 20 });
}, 30_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

async function all(side: ConnectedSides['bc'] | ConnectedSides['dataverse'], entity: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const p of side.queryModified(entity, { filter: ALL, since: null, pageSize: 5000 })) out.push(...p);
  return out;
}

function engineWith(file: string): { engine: SyncEngine; deps: RuleDeps } {
  const { db } = openDatabase(`${tmp.dir}/${file}`);
  const clock = { now: () => Date.now() };
  const deps: RuleDeps = { db, clock, sides: c.sides, couplings: new CouplingStore(db, clock.now), settings: { ownershipModel: 'person', lcyCode: 'NOK' } };
  const engine = new SyncEngine(db, c.sides, clock, { rules: domainRules(deps), implicitMatch: masterDataImplicitMatch(deps), lookups: masterDataLookups(deps), integrationUserId: c.integrationUserId, retryDelayMs: 20 });
  return { engine, deps };
}

const currencyMapping = adapterMappings({}, ['CURRENCY'], { withRules: true })[0]!;

describe('CURRENCY over HTTP', () => {
  it('match-based coupling by ISO code, exchange rates from BC, and a new currency when nothing matches', async () => {
    const { engine } = engineWith('currency.sqlite');
    // A currency Dataverse does not have yet, with a rate (the custom API's currencyExchangeRates), and one without.
    const ins = await c.bc.write('Currency', [
      { kind: 'insert', id: null, idempotencyKey: 'dkk', validate: [], template: null, values: { Code: 'DKK', Description: 'Danske kroner', Symbol: 'kr.' } },
      { kind: 'insert', id: null, idempotencyKey: 'chf', validate: [], template: null, values: { Code: 'CHF', Description: 'Sveitsiske franc', Symbol: 'Fr.' } },
    ]);
    expect(ins.every((r) => r.ok)).toBe(true);
    const rate = await c.bc.write('Currency Exchange Rate', [{
      kind: 'insert', id: null, idempotencyKey: 'dkk-rate', validate: [], template: null,
      values: { 'Currency Code': 'DKK', 'Starting Date': '2020-01-01', 'Exchange Rate Amount': 100, 'Relational Currency Code': '', 'Relational Exch. Rate Amount': 154.5 },
    }]);
    expect(rate[0]?.ok).toBe(true);
    const dvBefore = await all(c.dataverse, 'transactioncurrencies');

    const out = await matchBasedCouple(engine, currencyMapping);
    // NOK, EUR, SEK, USD exist in both: coupled by ISO code; DKK and CHF are new (Create New in Case of No Match).
    expect(out.coupled).toHaveLength(4);
    expect(out.created).toHaveLength(2);
    const dv = await all(c.dataverse, 'transactioncurrencies');
    const byIso = new Map(dv.map((r) => [String(r.values.isocurrencycode), r]));
    expect(dv).toHaveLength(dvBefore.length + 1);
    expect(byIso.get('DKK')?.values).toMatchObject({ currencyname: 'Danske kroner', currencysymbol: 'kr.', exchangerate: 0.6472491909, currencyprecision: 2 });
    expect(byIso.has('CHF')).toBe(false);
    // Synch. After Bulk Coupling: the coupled currencies got BC's rates (1 EUR = 11.52 NOK since 2026-06-01 → 1/11.52).
    expect(byIso.get('EUR')?.values.exchangerate).toBe(0.0868055556);
    expect(byIso.get('NOK')?.values.exchangerate).toBe(1);
    const chf = (await all(c.bc, 'Currency')).find((r) => r.values.Code === 'CHF')!;
    const failed = engine.couplings.byBc(4, chf.id);
    expect(failed?.errorTo).toContain('Cannot create or update the currency CHF in Dataverse because no exchange rate is defined for it in Business Central.');
  }, 20_000);
});

describe('CUSTOMER match-based coupling over HTTP', () => {
  it('tries the priorities in order, couples unique uncoupled matches and creates the rest', async () => {
    const { engine, deps } = engineWith('customer.sqlite');
    await engine.runMapping(currencyMapping, { only: 'to', ignoreSynchOnlyCoupled: true });
    const sp = await all(c.bc, 'Salesperson/Purchaser');
    for (const [code, who] of [['KN', 'kari.nordmann'], ['JDV', 'jan.devries'], ['AV', 'aino.virtanen']] as const) {
      deps.couplings.insert({ tableId: 13, dvEntity: 'systemuser', bcId: sp.find((r) => r.values.Code === code)!.id, dvId: userId(who) });
    }
    await coupleOptionMappings(engine);
    const base = adapterMappings({ ownership: 'person' }, ['CUSTOMER'], { withRules: true })[0]!;
    const m: TableMapping = {
      ...base, createNewInCaseOfNoMatch: true,
      fields: base.fields.map((f) => (f.bcField === 'Name' ? { ...f, useForMatchBasedCoupling: true, matchPriority: 0 }
        : f.bcField === 'Phone No.' ? { ...f, useForMatchBasedCoupling: true, matchPriority: 1 } : f)),
    };
    const accounts = await all(c.dataverse, 'accounts');
    const customers = (await all(c.bc, 'Customer')).filter((r) => r.values.Blocked === ' ' && r.values['Salesperson Code'] !== 'OL');
    const inDv = (r: Row) => accounts.filter((a) => a.values.name === r.values.Name);
    const [byName, byPhone] = customers.filter((r) => inDv(r).length === 1);
    const fresh = customers.find((r) => inDv(r).length === 0)!;
    // A second account with byPhone's name but another phone: priority 0 (Name) is ambiguous, priority 1 (Phone No.) is not.
    const twin = '0d000000-0000-0000-0000-000000000001';
    const w = await c.dataverse.write('accounts', [{ kind: 'insert', id: twin, idempotencyKey: twin, validate: [], template: null, values: { name: byPhone!.values.Name, telephone1: '+1 555 0100', customertypecode: 3 } }]);
    expect(w[0]?.ok).toBe(true);

    const out = await matchBasedCouple(engine, m, [byName!.id, byPhone!.id, fresh.id]);
    expect(out.unmatched).toEqual([]);
    expect(new Map(out.coupled.map((x) => [x.bcId, x.dvId]))).toEqual(new Map([[byName!.id, inDv(byName!)[0]!.id], [byPhone!.id, inDv(byPhone!)[0]!.id]]));
    expect(out.created).toEqual([fresh.id]);
    const created = (await c.dataverse.getByIds('accounts', [engine.couplings.byBc(18, fresh.id)!.dvId]))[0]!;
    const code = String(fresh.values['Salesperson Code']);
    const owner = { KN: 'kari.nordmann', JDV: 'jan.devries', AV: 'aino.virtanen' }[code]!;
    expect(created.values).toMatchObject({ name: fresh.values.Name, ownerid: userId(owner) });
    expect(created.values.transactioncurrencyid).toMatch(/^[0-9a-f-]{36}$/);
  }, 20_000);
});
