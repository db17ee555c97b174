/**
 * The domain rules of the BC ⇄ Dynamics 365 Sales integration (reference §E.9, E.11, E.14), as engine hooks
 * (engine/hooks.ts). Each module below looks at a table mapping and returns the rules for it (or null); they are
 * combined in this order for every mapping.
 *
 * Rules talk to both sides only through the SidePorts (so they run against the in-memory fakes and against the
 * HTTP adapters alike) and read couplings from the same SQLite database as the engine.
 */
import { CouplingStore } from '../coupling/store';
import { currencyRules, masterDataImplicitMatch, masterDataLookups } from './currency';
import { ownerRules } from './owner';
import { salespeopleRuleModule } from './salespeople';
import { unitRules } from './units';
import { combineRules, type RuleSet } from '../engine/hooks';
import { invoiceRules } from './invoices';
import { opportunityRules } from './opportunities';
import { orderLineRules, orderRules } from './orders';
import { priceListRules } from './pricelists';
import { productRules } from './products';
import { unitGroupRules, unitGroupUomImplicitMatch } from './unitgroups';
import type { EngineOptions } from '../engine/engine';
import type { LookupResolver } from '../engine/fields';
import { contactRules } from './contacts';
import { optionLookups, optionRules } from './options';
import type { RuleDeps, RuleModule } from './types';

export type { RuleDeps, RuleModule, RuleSettings } from './types';

/** The first resolver that answers (undefined = "not mine") wins. */
export function chainLookups(...resolvers: LookupResolver[]): LookupResolver {
  return (ctx) => {
    for (const r of resolvers) {
      const a = r(ctx);
      if (a !== undefined) return a;
    }
    return undefined;
  };
}

/** Register modules here, in the order their `prepare` hooks should run. */
const MODULES: RuleModule[] = [
  ownerRules, // R1: owner from the coupled salesperson / default team (E.11)
  currencyRules, // R1: CURRENCY mapping + currency code ⇄ transactioncurrencyid lookups
  unitRules, // R1: legacy UNIT OF MEASURE (NAV <CODE> groups)
  salespeopleRuleModule, // R1: SALESPEOPLE (codes for salespeople created from users)
  contactRules, // CONTACT: parent account from the company's coupled customer / vendor, and back
  optionRules, // account option sets ⇄ BC codes when the engine runs without the option lookups
  (deps) => invoiceRules(deps), // R3: posted sales invoices + lines, state from payments
  (deps) => opportunityRules(deps), // R3: opportunity contact / account / currency
  (deps) => orderRules(deps), // R3: sales orders (legacy / bidirectional) + lines
  (deps) => orderLineRules(deps), // SOLINE-ORDERDETAIL run alone (its lines follow the coupled orders)
  unitGroupRules,
  productRules,
  priceListRules,
];

export function domainRules(deps: Omit<RuleDeps, 'couplings'> & { couplings?: CouplingStore }): RuleSet {
  const full: RuleDeps = { ...deps, couplings: deps.couplings ?? new CouplingStore(deps.db, () => deps.clock.now()) };
  const made = MODULES.map((m) => m(full));
  return (mapping) => combineRules(...made.map((f) => f(mapping)));
}

/**
 * Everything the engine needs for the domain rules in one call: the rule hooks, the implicit matches (currency by
 * ISO code, legacy unit groups by `NAV <CODE>`, units inside a coupled unit group) and the lookup resolver that
 * compares Currency Code with transactioncurrencyid after translation.
 */
export function domainEngineOptions(deps: Omit<RuleDeps, 'couplings'> & { couplings?: CouplingStore }): Pick<EngineOptions, 'rules' | 'implicitMatch' | 'lookups'> {
  const full: RuleDeps = { ...deps, couplings: deps.couplings ?? new CouplingStore(deps.db, () => deps.clock.now()) };
  const master = masterDataImplicitMatch(full);
  return {
    rules: domainRules(full),
    implicitMatch: async (mapping, dir, source) => (await master(mapping, dir, source)) ?? (await unitGroupUomImplicitMatch(full, mapping, dir, source)),
    // Account option sets first (they answer only for their three attributes), then currencies.
    lookups: chainLookups(optionLookups(full), masterDataLookups(full)),
  };
}
