/**
 * Wizard draft and Sales-connection status, kept in the `settings` table (one JSON value per key) — no new table
 * needed. The draft schema has no field that can hold a secret; secrets stay in connection profiles.
 */
import { DEFAULT_SETUP_DRAFT, SetupDraft, SetupStatus, sdkVersionsFor } from '../../../../preload/contract/sales/setup';
import type { Db } from '../../../db/database';
import type { Clock } from '../../../ports';

export { sdkVersionsFor };

const KEY_DRAFT = 'setup.draft';
const KEY_STATUS = 'setup.status';
const KEY_SAVED = 'setup.savedAt';

export const DEFAULT_DRAFT: SetupDraft = DEFAULT_SETUP_DRAFT;

export const DEFAULT_STATUS: SetupStatus = { enabled: false, enabledAt: null, crmVersion: null, solutionVersion: null, mappingSetName: null, disableReason: null };

export class SetupStateStore {
  private readonly get;
  private readonly put;
  constructor(db: Db, private readonly clock: Clock) {
    this.get = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  private read<T>(key: string, parse: (v: unknown) => T, fallback: T): T {
    const row = this.get.get(key) as { value: string } | undefined;
    if (!row) return fallback;
    try {
      return parse(JSON.parse(row.value));
    } catch {
      // A draft written by another version that no longer parses is dropped rather than blocking the wizard.
      return fallback;
    }
  }

  draft(): SetupDraft {
    return this.read(KEY_DRAFT, (v) => SetupDraft.parse(v), DEFAULT_DRAFT);
  }
  status(): SetupStatus {
    return this.read(KEY_STATUS, (v) => SetupStatus.parse(v), DEFAULT_STATUS);
  }
  savedAt(): string | null {
    return this.read(KEY_SAVED, (v) => (typeof v === 'string' ? v : null), null);
  }

  saveDraft(draft: SetupDraft): void {
    const parsed = SetupDraft.parse(draft);
    this.put.run(KEY_DRAFT, JSON.stringify(parsed));
    this.put.run(KEY_SAVED, JSON.stringify(new Date(this.clock.now()).toISOString()));
  }
  saveStatus(status: SetupStatus): void {
    this.put.run(KEY_STATUS, JSON.stringify(SetupStatus.parse(status)));
  }
  state() {
    return { draft: this.draft(), status: this.status(), savedAt: this.savedAt() };
  }
}

/** Cross-field rules of A.1/A.5 that the schema cannot express; returns problems as field → message. */
export function draftProblems(d: SetupDraft): { field: string; code: string; message: string }[] {
  const p: { field: string; code: string; message: string }[] = [];
  const a = d.advanced;
  if (a.legacySalesOrders && a.bidirectionalSalesOrders) {
    p.push({ field: 'advanced.bidirectionalSalesOrders', code: 'SO_MODES_EXCLUSIVE', message: 'Legacy and bidirectional sales order integration cannot both be on; choose one.' });
  }
  if (a.itemAvailability && !a.importSolution) {
    p.push({ field: 'advanced.itemAvailability', code: 'ITEM_AVAILABILITY_NEEDS_SOLUTION', message: 'Item availability can only be turned on together with importing the solution.' });
  }
  if (a.autoCreateSalesOrders && !a.legacySalesOrders) {
    p.push({ field: 'advanced.autoCreateSalesOrders', code: 'AUTO_CREATE_NEEDS_LEGACY', message: 'Automatically creating sales orders needs legacy sales order integration.' });
  }
  const major = d.bcVersion?.major ?? null;
  // Same rule as setup.detectBc: an environment on the connection-string path is offered the on-premises SDKs.
  const allowed = sdkVersionsFor(major, d.bc.kind === 'online' && d.bcVersion?.path !== 'connection-string');
  if (!allowed.includes(a.sdkVersion)) {
    p.push({ field: 'advanced.sdkVersion', code: 'SDK_VERSION_NOT_ALLOWED', message: `SDK version ${a.sdkVersion} is not available here; choose one of ${allowed.join(', ')}.` });
  }
  return p;
}
