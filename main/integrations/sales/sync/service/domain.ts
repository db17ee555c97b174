/**
 * The domain-rule settings and mapping options a sync follows, taken from the setup (reference A.1/A.5 fields:
 * ownership model, unit group mapping, sales order integration, LCY code). Until the setup is enabled the sync runs
 * against the demo sandbox, whose company keeps its books in NOK.
 */
import type { SetupDraft } from '../../../../../preload/contract/sales/setup';
import type { MappingOptions } from '../../../../../preload/contract/sales/mapping-model';
import type { SetupStateStore } from '../../setup/state';
import type { RuleSettings } from '../rules';

/** The demo sandbox company's local currency (main/sandbox/seed/demo.ts). */
export const DEMO_LCY = 'NOK';

export function domainFromDraft(draft: SetupDraft, enabled: boolean): { settings: RuleSettings; options: Partial<MappingOptions> } {
  const a = draft.advanced;
  const orders = a.bidirectionalSalesOrders ? 'bidirectional' : a.legacySalesOrders ? 'legacy' : 'none';
  const lcy = enabled && draft.lcyCode ? draft.lcyCode : DEMO_LCY;
  return {
    settings: { ownershipModel: a.ownershipModel, lcyCode: lcy, unitGroupMapping: a.unitGroupMapping, salesOrderMode: orders, productName: 'Business Central' },
    options: {
      ownership: a.ownershipModel, unitGroups: a.unitGroupMapping, orders,
      ...(draft.bcVersion?.major ? { bcVersion: draft.bcVersion.major } : {}),
      autoCreateSalesOrders: a.autoCreateSalesOrders, autoProcessSalesQuotes: a.autoProcessQuotes, itemAvailability: a.itemAvailability,
    },
  };
}

export function setupDomain(setup: Pick<SetupStateStore, 'draft' | 'status'>): () => { settings: RuleSettings; options: Partial<MappingOptions> } {
  return () => domainFromDraft(setup.draft(), setup.status().enabled);
}
