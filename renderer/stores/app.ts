import { create } from 'zustand';
import type { AppError, AppInfo, DismissibleNotice } from '../../preload/contract';
import type { LanguageCode } from '../i18n';
import { asAppError, call } from '../transport/client';

export type PageId = 'home' | 'connections' | 'setup' | 'connstr' | 'mappings' | 'sync' | 'ct-setup' | 'ct-provision' | 'ct-mapping' | 'ct-hierarchy' | 'ct-tasks' | 'sandbox' | 'about';

interface AppState {
  info: AppInfo | null;
  page: PageId;
  error: AppError | null;
  /** Notices the user dismissed (kept in the local settings). */
  dismissedNotices: DismissibleNotice[];
  load(): Promise<{ language: string | null }>;
  setPage(page: PageId): void;
  persistLanguage(language: LanguageCode): Promise<void>;
  clearError(): void;
  dismissNotice(notice: DismissibleNotice): Promise<void>;
}

export const useAppStore = create<AppState>((set) => ({
  info: null,
  page: 'home',
  error: null,
  dismissedNotices: [],
  async load() {
    try {
      const [info, settings] = await Promise.all([call('app.info', {}), call('app.getSettings', {})]);
      set({ info, dismissedNotices: settings.dismissedNotices ?? [] });
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
  async dismissNotice(notice) {
    // Hidden at once; the choice is stored so the notice stays away after a restart.
    set((x) => ({ dismissedNotices: [...new Set([...x.dismissedNotices, notice])] }));
    try {
      const r = await call('app.dismissNotice', { notice });
      set({ dismissedNotices: r.dismissedNotices });
    } catch (x) {
      set({ error: asAppError(x) });
    }
  },
}));
