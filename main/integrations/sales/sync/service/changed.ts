import type { SyncChanged, SyncChangedWhat, SyncFinished, SyncProgress } from '../../../../../preload/contract/sales/sync';

/** The sync service's event sink: progress and the end of a run, and (optional) what changed for the Sync page. */
export interface SyncEventSink {
  progress(p: SyncProgress): void;
  finished(f: SyncFinished): void;
  /** `sync.changed`: the job log, queue or review the renderer shows changed; it reloads that instead of polling. */
  changed?(c: SyncChanged): void;
}

/**
 * The one place `sync.changed` is derived from the run events: a mapping's end (terminal progress: its jobs are in
 * the log, a review line has its status) changes jobs and review; a run's end also the queue (an entry's last run,
 * next start). Sent right after the event that caused it, so the renderer reloads what that event announced.
 */
export function withChangedEvents(events: SyncEventSink): SyncEventSink {
  if (!events.changed) return events;
  const changed = (...what: SyncChangedWhat[]) => events.changed?.({ what });
  return {
    progress(p) {
      events.progress(p);
      if (p.done) changed('jobs', 'review');
    },
    finished(f) {
      events.finished(f);
      changed('jobs', 'queue', 'review');
    },
    changed: (c) => events.changed?.(c),
  };
}
