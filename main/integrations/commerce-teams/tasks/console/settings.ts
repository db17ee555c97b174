/**
 * Task management's settings row (`ct_task_settings`, migration 13, one row): enabled (requires the Teams
 * integration), the scheduled sync's options, when the last sync finished. The Commerce watermark in the same row
 * belongs to the sync engine: every write here touches only its own columns. Prepared statements only.
 */
import type { Db } from '../../../../db/database';
import type { Clock } from '../../../../ports';

export interface TaskSettings {
  enabled: boolean;
  enabledAt: number | null;
  scheduleEnabled: boolean;
  everyMinutes: number;
  lastSyncAt: number | null;
}

interface Row { enabled: number; enabled_at: number | null; schedule_enabled: number; schedule_every_minutes: number; last_sync_at: number | null }

export const DEFAULT_SYNC_EVERY_MINUTES = 15;

export class TaskSettingsStore {
  private readonly s;
  constructor(db: Db, private readonly clock: Clock) {
    this.s = {
      get: db.prepare<[], Row>('SELECT enabled, enabled_at, schedule_enabled, schedule_every_minutes, last_sync_at FROM ct_task_settings WHERE id = 1'),
      ensure: db.prepare('INSERT INTO ct_task_settings (id, updated_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING'),
      enabled: db.prepare('UPDATE ct_task_settings SET enabled = ?, enabled_at = ?, updated_at = ? WHERE id = 1'),
      schedule: db.prepare('UPDATE ct_task_settings SET schedule_enabled = ?, schedule_every_minutes = ?, updated_at = ? WHERE id = 1'),
      synced: db.prepare('UPDATE ct_task_settings SET last_sync_at = ?, updated_at = ? WHERE id = 1'),
    };
  }

  get(): TaskSettings {
    const r = this.s.get.get();
    if (!r) return { enabled: false, enabledAt: null, scheduleEnabled: false, everyMinutes: DEFAULT_SYNC_EVERY_MINUTES, lastSyncAt: null };
    return { enabled: r.enabled === 1, enabledAt: r.enabled_at, scheduleEnabled: r.schedule_enabled === 1, everyMinutes: r.schedule_every_minutes, lastSyncAt: r.last_sync_at };
  }

  private ensure(): number {
    const now = this.clock.now();
    this.s.ensure.run(now);
    return now;
  }

  setEnabled(on: boolean): TaskSettings {
    const now = this.ensure();
    const cur = this.get();
    this.s.enabled.run(on ? 1 : 0, on ? (cur.enabled ? cur.enabledAt : now) : null, now);
    return this.get();
  }

  setSchedule(enabled: boolean, everyMinutes: number): TaskSettings {
    const now = this.ensure();
    this.s.schedule.run(enabled ? 1 : 0, everyMinutes, now);
    return this.get();
  }

  synced(at: number): void {
    const now = this.ensure();
    this.s.synced.run(at, now);
  }
}
