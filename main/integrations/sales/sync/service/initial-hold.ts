/**
 * The job queue waits for the initial synchronization (issue 11). BC's assisted setup creates the recurring jobs
 * and its docs send the administrator to "Run Full Synchronization" next; while a full synchronization runs, BC puts
 * the mapping's own job on hold and restores its status afterwards (reference E.3 step 2/5), so scheduled runs never
 * race the initial synchronization. The console does the same for the whole first review: enabling leaves every
 * recurring entry On Hold, and the entries return to the status they were created with once the full
 * synchronization review has finished with every line done (or the administrator resumes them by hand).
 *
 * The entries held this way are kept in the `settings` table (one JSON value), so a restart keeps them held.
 */
import type { Db } from '../../../../db/database';
import type { Clock } from '../../../../ports';
import type { JobQueue, QueueStatus } from '../../../../kernel/jobs/queue';
import { isSalesQueueEntry } from '../../mappings/jobs';

const KEY = 'sync.heldForInitialSync';
const MIN = 60_000;

export interface HeldEntry {
  name: string;
  /** The status to return to: Ready (mapping jobs) or On Hold with Inactivity Timeout (feature jobs). */
  status: QueueStatus;
}

export function heldForInitialSync(db: Db): HeldEntry[] {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!row) return [];
  try {
    const v = JSON.parse(row.value) as unknown;
    return Array.isArray(v) ? v.filter((x): x is HeldEntry => typeof x?.name === 'string' && typeof x?.status === 'string') : [];
  } catch {
    return [];
  }
}

function save(db: Db, entries: HeldEntry[]): void {
  if (entries.length === 0) db.prepare('DELETE FROM settings WHERE key = ?').run(KEY);
  else db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify(entries));
}

/** Puts every recurring entry On Hold and remembers the status each returns to. Returns the names held. */
export function holdForInitialSync(db: Db, queue: JobQueue): string[] {
  const held: HeldEntry[] = [];
  for (const e of queue.list()) {
    if (!isSalesQueueEntry(e)) continue;
    if (!e.recurring || e.status === 'On Hold' || e.status === 'In Process') continue;
    held.push({ name: e.name, status: e.status === 'On Hold with Inactivity Timeout' ? e.status : 'Ready' });
    queue.setStatus(e.name, 'On Hold');
  }
  save(db, held);
  return held.map((h) => h.name);
}

/**
 * Returns the held entries that are still On Hold to their status (Ready now; feature jobs wait their inactivity
 * timeout as when they were created) and forgets the hold. Entries changed by hand meanwhile are left as they are.
 */
export function releaseInitialHold(db: Db, queue: JobQueue, clock: Clock): string[] {
  const resumed: string[] = [];
  for (const h of heldForInitialSync(db)) {
    const e = queue.get(h.name);
    if (!e || e.status !== 'On Hold') continue;
    if (h.status === 'On Hold with Inactivity Timeout')
      queue.update({ ...e, status: h.status, attempts: 0, earliestStart: clock.now() + (e.inactivityTimeoutMinutes ?? e.everyMinutes ?? 30) * MIN });
    else queue.setStatus(h.name, 'Ready');
    resumed.push(h.name);
  }
  save(db, []);
  return resumed;
}

/** Forgets the hold without touching the entries (disable puts them On Hold for its own reason). */
export function forgetInitialHold(db: Db): void {
  save(db, []);
}
