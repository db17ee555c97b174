/**
 * The domain-rule settings and mapping options a sync follows, taken from the setup (reference A.1/A.5 fields:
 * ownership model, unit group mapping, sales order integration, LCY code). Until the setup is enabled the sync runs
 * against the demo sandbox, whose company keeps its books in NOK.
 */
import type { SetupDraft, SetupStatus } from '../../../../../preload/contract/sales/setup';
import type { MappingOptions } from '../../../../../preload/contract/sales/mapping-model';
import type { RuleSettings } from '../rules';

/**
 * What sync reads of the setup: the wizard's draft and whether the connection is enabled. The setup's state store
 * (setup/state.ts) is one; typed here so sync does not import the setup, which imports sync (enable holds the queue).
 */
export interface SetupReader {
  draft(): SetupDraft;
  status(): Pick<SetupStatus, 'enabled'>;
}

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

export function setupDomain(setup: SetupReader): () => { settings: RuleSettings; options: Partial<MappingOptions> } {
  return () => domainFromDraft(setup.draft(), setup.status().enabled);
}
