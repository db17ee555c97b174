import { DismissibleNotice, type AppInfo } from '../../preload/contract';
import type { appMethods } from '../../preload/contract/core/app';
import type { Db } from '../db/database';
import type { HandlersOf } from '../rpc/handlers';

export interface AppHandlerDeps {
  db: Db;
  /** Host, data folder, schema version and secret-store status (the composition root knows them). */
  info: () => AppInfo;
}

/** app.*: the console's own information and its UI settings (the `settings` table). */
export function createAppHandlers(deps: AppHandlerDeps): HandlersOf<typeof appMethods> {
  const { db } = deps;
  const getSetting = (key: string) => (db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
  const setSetting = (key: string, value: string) =>
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);

  const dismissedNotices = (): DismissibleNotice[] => {
    try {
      const parsed = DismissibleNotice.array().safeParse(JSON.parse(getSetting('dismissedNotices') ?? '[]'));
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  };

  return {
    'app.info': async () => deps.info(),
    'app.getSettings': async () => ({ language: getSetting('language'), dismissedNotices: dismissedNotices() }),
    'app.dismissNotice': async ({ notice }) => {
      const next = [...new Set([...dismissedNotices(), notice])];
      setSetting('dismissedNotices', JSON.stringify(next));
      return { dismissedNotices: next };
    },
    'app.setLanguage': async ({ language }) => {
      setSetting('language', language);
      return { language };
    },
  };
}
