import { z } from 'zod';
import { Empty, method } from './rpc';

export const SecretStoreInfoSchema = z.object({
  kind: z.enum(['os', 'key-file', 'memory', 'unavailable']),
  /** Where the key file lives (key-file store only) so the UI can show the notice. */
  location: z.string().nullable(),
  available: z.boolean(),
  reason: z.string().nullable(),
});

export const AppInfoSchema = z.object({
  version: z.string(),
  host: z.enum(['electron', 'browser', 'memory']),
  dataDir: z.string(),
  dbSchemaVersion: z.number().int(),
  secretStore: SecretStoreInfoSchema,
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** Notices the user can dismiss; the choice is kept in the local settings. */
export const DismissibleNotice = z.enum(['key-file']);
export type DismissibleNotice = z.infer<typeof DismissibleNotice>;

export const appMethods = {
  'app.info': method(Empty, AppInfoSchema, 'Host, data folder, schema version and secret-store status.'),
  'app.setLanguage': method(
    z.object({ language: z.enum(['en', 'nb-NO', 'nl-NL', 'fi-FI']) }).strict(),
    z.object({ language: z.string() }),
    'Remember the UI language.',
  ),
  'app.getSettings': method(
    Empty,
    z.object({ language: z.string().nullable(), dismissedNotices: z.array(DismissibleNotice).optional() }),
    'Stored UI settings.',
  ),
  'app.dismissNotice': method(
    z.object({ notice: DismissibleNotice }).strict(),
    z.object({ dismissedNotices: z.array(DismissibleNotice) }),
    'Remember that a notice was dismissed (it stays available where it belongs, e.g. About).',
  ),
};

export const appEvents = {
  'app.notice': z.object({ level: z.enum(['info', 'warning', 'error']), code: z.string(), message: z.string() }),
};
