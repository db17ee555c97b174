import { create } from 'zustand';
import type { CompanionStatus } from '../../preload/contract';
import { call } from '../transport/client';

/**
 * The companion extension on the BC connection synchronization uses, and per mapping the fields that connection does
 * not carry (companion.status). Loaded once per page visit with `refresh` so a change in Business Central (or the
 * sandbox's "Companion extension not installed" scenario) shows at once. A failure leaves the status empty: the
 * pages then show nothing rather than a wrong list.
 */
interface CompanionState {
  status: CompanionStatus | null;
  load(refresh?: boolean): Promise<void>;
}

let loading: Promise<void> | null = null;

export const useCompanionStore = create<CompanionState>((set) => ({
  status: null,
  async load(refresh = true) {
    loading ??= call('companion.status', { refresh })
      .then((status) => set({ status }))
      .catch(() => set({ status: null }))
      .finally(() => {
        loading = null;
      });
    return loading;
  },
}));
