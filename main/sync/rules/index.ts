/**
 * The domain rules of the BC ⇄ Dynamics 365 Sales integration (reference §E.9, E.11, E.14), as engine hooks
 * (engine/hooks.ts). Each module below looks at a table mapping and returns the rules for it (or null); they are
 * combined in this order for every mapping.
 *
 * Rules talk to both sides only through the SidePorts (so they run against the in-memory fakes and against the
 * HTTP adapters alike) and read couplings from the same SQLite database as the engine.
 */
import type { Db } from '../../db/database';
import type { TableMapping } from '../../mappings/model';
import type { Clock } from '../../ports';
import { CouplingStore } from '../coupling/store';
import { combineRules, type MappingRules, type RuleSet } from '../engine/hooks';
import type { SyncSides } from '../ports';

/** What the rules need to know about the connection (CRM Connection Setup / CDS Connection Setup fields). */
export interface RuleSettings {
  /** E.11: Person (owner from the coupled salesperson) or Team (company's default owning team). */
  ownershipModel: 'person' | 'team';
  /** BC's local currency code (General Ledger Setup "LCY Code"), e.g. NOK. */
  lcyCode: string;
  /** Current company's bcbi_company id (Dataverse), when the company has been set up there. */
  companyId?: string | null;
  /** The company's default owning team (bcbi_company.bcbi_defaultowningteam): owner under the Team model. */
  defaultOwningTeamId?: string | null;
  /** Unit-group mode (E.9) instead of the legacy one-unit "NAV <CODE>" groups. */
  unitGroupMapping?: boolean;
  /** Sales order integration: none, legacy (DV → BC submit) or bidirectional. */
  salesOrderMode?: 'none' | 'legacy' | 'bidirectional';
  /** Product name used for the default price list ("Business Central"). */
  productName?: string;
}

export interface RuleDeps {
  db: Db;
  clock: Clock;
  sides: SyncSides;
  couplings: CouplingStore;
  settings: RuleSettings;
}

/** One rule module: built once per engine, asked once per pass for a mapping's rules. */
export type RuleModule = (deps: RuleDeps) => (mapping: TableMapping) => MappingRules | null;

/** Register modules here, in the order their `prepare` hooks should run. */
const MODULES: RuleModule[] = [];

export function domainRules(deps: Omit<RuleDeps, 'couplings'> & { couplings?: CouplingStore }): RuleSet {
  const full: RuleDeps = { ...deps, couplings: deps.couplings ?? new CouplingStore(deps.db, () => deps.clock.now()) };
  const made = MODULES.map((m) => m(full));
  return (mapping) => combineRules(...made.map((f) => f(mapping)));
}
