/**
 * Is the Integration Console companion extension installed on a Business Central connection, and which version?
 * From the automation API's extension list when BC lets the user read it (the version probe reads it anyway,
 * BusinessCentralClient.detectVersion); otherwise from whether its API group answers (404 = not installed).
 */
import type { BcVersionInfo, BusinessCentralClient } from '../../../clients/bc';
import { isServiceError } from '../../../http/errors';
import { compareVersions } from '../versions';
import { COMPANION, COMPANION_CONTRACT } from './contract';

export interface CompanionFact {
  /** installed (at least the minimum version), outdated (older), missing, or unknown (the probe itself failed). */
  state: 'installed' | 'outdated' | 'missing' | 'unknown';
  /** Installed version (dotted) when the extension list was readable. */
  version: string | null;
  minimumVersion: string;
  /** How it was found out. */
  source: 'extensions' | 'api';
  /** Why the state is unknown. */
  detail?: string;
}

export async function detectCompanion(bc: BusinessCentralClient, v: BcVersionInfo): Promise<CompanionFact> {
  const minimumVersion = COMPANION.minimumVersion;
  if (v.extensions) {
    const ext = v.extensions.find((e) => (e.id !== null && e.id.toLowerCase() === COMPANION.id) || (e.publisher === COMPANION.publisher && e.displayName === COMPANION.name));
    if (!ext) return { state: 'missing', version: null, minimumVersion, source: 'extensions' };
    return { state: compareVersions(ext.version, minimumVersion) < 0 ? 'outdated' : 'installed', version: ext.version, minimumVersion, source: 'extensions' };
  }
  try {
    await bc.withGroup(COMPANION_CONTRACT.apiPublisher, COMPANION_CONTRACT.apiGroup, COMPANION_CONTRACT.apiVersion).companies();
    return { state: 'installed', version: null, minimumVersion, source: 'api' };
  } catch (err) {
    if (isServiceError(err) && err.status === 404) return { state: 'missing', version: null, minimumVersion, source: 'api' };
    return { state: 'unknown', version: null, minimumVersion, source: 'api', detail: err instanceof Error ? err.message : String(err) };
  }
}
