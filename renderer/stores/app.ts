import { create } from 'zustand';
import type { AppError, AppInfo } from '../../preload/contract';
import type { LanguageCode } from '../i18n';
import { call, RpcError } from '../transport/client';

export type PageId = 'connections' | 'setup' | 'connstr' | 'mappings' | 'sync' | 'sandbox' | 'about';

interface AppState {
  info: AppInfo | null;
  page: PageId;
  error: AppError | null;
  load(): Promise<{ language: string | null }>;
  setPage(page: PageId): void;
  persistLanguage(language: LanguageCode): Promise<void>;
  clearError(): void;
}

const asAppError = (x: unknown): AppError => (x instanceof RpcError ? x.error : { code: 'INTERNAL', message: (x as Error).message });

export const useAppStore = create<AppState>((set) => ({
  info: null,
  page: 'connstr',
  error: null,
  async load() {
    try {
      const [info, settings] = await Promise.all([call('app.info', {}), call('app.getSettings', {})]);
      set({ info });
      return settings;
    } catch (x) {
      set({ error: asAppError(x) });
      return { language: null };
    }
  },
  setPage: (page) => set({ page }),
  async persistLanguage(language) {
    try {
      await call('app.setLanguage', { language });
    } catch (x) {
      set({ error: asAppError(x) });
    }
  },
  clearError: () => set({ error: null }),
}));
