import { useAppStore } from '../../../stores/app';
import { useMappingsStore } from '../../../stores/mappings';
import { call } from '../../../transport/client';

/** The mapping set enabling creates and sync reads its match-based coupling choices from (main/integrations/sales/setup SALES_MAPPING_SET). */
export const SALES_SET = 'Dynamics 365 Sales';

/**
 * Opens the mapping editor on one table mapping (to mark its fields *Use for match-based coupling*), in the set sync
 * reads those choices from when it exists. The set is opened before switching pages, so the editor's own start-up
 * keeps it (it reopens the set it has) and keeps the selection (it exists in that set).
 */
export async function openMappingEditor(mapping: string): Promise<void> {
  try {
    const sets = await call('mappings.list', {});
    const sales = sets.find((x) => x.name === SALES_SET);
    const store = useMappingsStore.getState();
    if (sales && store.view?.id !== sales.id) await store.open(sales.id);
  } catch {
    // The editor shows its own error when it cannot load; the navigation still happens.
  }
  useMappingsStore.getState().select(mapping);
  useAppStore.getState().setPage('mappings');
}
