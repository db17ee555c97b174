import { z } from 'zod';
import { ConnectionFieldsSchema, type ConnectionFields, type ConnectionProfile } from '../../preload/contract/core/connections';
import { AppFailure } from '../rpc/errors';

export const EXPORT_FORMAT = 'd365ic.connections';
export const EXPORT_VERSION = 1;

/**
 * Export file: profiles' non-secret fields only. Ids, signed-in accounts, timestamps and secrets are left out on
 * purpose: an export is shared with colleagues, who sign in as themselves and enter their own secrets.
 */
const ExportFileSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.number().int(),
  exportedAt: z.string(),
  connections: z.array(z.unknown()).max(1000),
});

export function exportConnections(profiles: ConnectionProfile[], now: Date): string {
  const connections = profiles.map((p): ConnectionFields & { secretsNeeded: string[] } => ({
    name: p.name,
    kind: p.kind,
    url: p.url,
    environmentName: p.environmentName,
    company: p.company,
    tier: p.tier,
    colour: p.colour,
    authMethod: p.authMethod,
    app: p.app,
    userName: p.userName,
    certificateThumbprint: p.certificateThumbprint,
    // Names of the slots the importer must fill; never values.
    secretsNeeded: [...new Set([...p.secretsSet, ...p.secretsMissing])],
  }));
  return JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: now.toISOString(), connections }, null, 2);
}

/**
 * Parse an export. Every entry is validated; unknown fields are dropped (so a hand-edited file carrying a
 * secret does not smuggle it into the store), and one bad entry rejects the whole file.
 */
export function parseExport(json: string): ConnectionFields[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new AppFailure('IMPORT_NOT_JSON', 'The file is not valid JSON. Choose a file exported from Integration Console (Connections → Export).');
  }
  const file = ExportFileSchema.safeParse(raw);
  if (!file.success) {
    throw new AppFailure('IMPORT_WRONG_FORMAT', `The file is not an Integration Console connections export (expected "format": "${EXPORT_FORMAT}").`);
  }
  if (file.data.version > EXPORT_VERSION) {
    throw new AppFailure('IMPORT_TOO_NEW', `The file was exported by a newer Integration Console (format version ${file.data.version}). Update the console and import it again.`);
  }
  return file.data.connections.map((entry, i) => {
    const parsed = ConnectionFieldsSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppFailure('IMPORT_INVALID_ENTRY', `Connection ${i + 1} in the file is invalid at "${issue.path.join('.')}": ${issue.message}. Nothing was imported.`, { index: i + 1 });
    }
    return parsed.data;
  });
}
