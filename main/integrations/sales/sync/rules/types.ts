/**
 * The types every rule module shares (settings, dependencies, the module signature). They live apart from index.ts,
 * which imports every module, so a module's `import type { RuleDeps } from './types'` closes no circle.
 */
import type { Db } from '../../../../db/database';
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { Clock } from '../../../../ports';
import type { CouplingStore } from '../coupling/store';
import type { MappingRules } from '../engine/hooks';
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
  /** Sales & Receivables Setup "Write-in Product Type/No.": the BC item or resource that carries Sales write-in lines. */
  writeInProduct?: { type: 'Item' | 'Resource'; no: string } | null;
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
