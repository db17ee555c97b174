import { useAppStore } from '../../stores/app';
import { useMappingsStore } from '../../stores/mappings';

/**
 * Opens the mapping editor on one table mapping (to mark its fields *Use for match-based coupling*): the editor keeps
 * a selection that exists in the set it opens, so selecting first and then switching pages lands on that mapping.
 */
export function openMappingEditor(mapping: string): void {
  useMappingsStore.getState().select(mapping);
  useAppStore.getState().setPage('mappings');
}
