/**
 * CUSTOMER / VENDOR carry the account option sets (Payment Terms, Shipment Method, Shipping Agent codes) through the
 * option mappings' couplings: tests that run them couple the option mappings first, as the review does (E.12: BC
 * not empty → Couple; codes without a same-label option become new option values).
 */
import { runnableMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import type { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import { matchBasedCouple } from '../../../main/integrations/sales/sync/engine/manual';

export async function coupleOptionMappings(engine: SyncEngine): Promise<void> {
  for (const m of runnableMappings({}).filter((x) => x.isOptionMapping)) await matchBasedCouple(engine, m);
}
