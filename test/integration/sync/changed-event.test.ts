/**
 * Issue 12: the Sync page refreshes on main's `sync.changed` instead of polling. Through the app's own wiring
 * against the embedded sandbox: when a job finishes (a mapping's run ends) main says the job log, the queue and the
 * review changed, after the sync.finished it belongs to; a queue change made here says the queue changed.
 */
import { describe, expect, it } from 'vitest';
import type { SyncChanged, SyncFinished, SyncQueueEntryDto } from '../../../preload/contract';
import { syncAppHarness } from '../../support/sync-app';

const h = syncAppHarness({ prefix: 'd365ic-sync-changed-', sandbox: { seed: 'bench', records: 20 } });

/** Every sync event the app emitted, in order (subscribed per test, so a test sees only its own). */
function record() {
  const seen: { name: string; payload: unknown }[] = [];
  const off = h.app.events.subscribe((name, payload) => {
    if (name.startsWith('sync.')) seen.push({ name, payload });
  });
  return { seen, off, changed: () => seen.filter((e) => e.name === 'sync.changed').map((e) => e.payload as SyncChanged) };
}

describe('sync.changed', () => {
  it('fires when a job finishes: jobs, queue and review, after the run\'s sync.finished', async () => {
    const r = record();
    try {
      const { runId } = await h.call<{ runId: string }>('sync.run', { mapping: 'CURRENCY', full: false });
      const f: SyncFinished = await h.finishedOf(runId);
      expect(f.results.map((x) => x.mapping)).toEqual(['CURRENCY']);
      // The job is in the log by the time main says the log changed.
      const jobs = await h.call<{ jobs: { mapping: string; finishedAt: string | null }[] }>('sync.jobs', { mapping: 'CURRENCY', offset: 0, limit: 5 });
      expect(jobs.jobs.length).toBeGreaterThan(0);

      const finishedAt = r.seen.findIndex((e) => e.name === 'sync.finished' && (e.payload as SyncFinished).runId === runId);
      expect(finishedAt).toBeGreaterThanOrEqual(0);
      const after = r.seen.slice(finishedAt + 1).filter((e) => e.name === 'sync.changed').map((e) => e.payload as SyncChanged);
      expect(after[0]?.what).toEqual(['jobs', 'queue', 'review']);
      // The mapping's end (its terminal progress) already said the log changed, before the run's end.
      const mappingEnd = r.seen.findIndex((e) => e.name === 'sync.progress' && (e.payload as { done: boolean }).done);
      expect(mappingEnd).toBeGreaterThanOrEqual(0);
      expect(r.seen[mappingEnd + 1]).toEqual({ name: 'sync.changed', payload: { what: ['jobs', 'review'] } });
    } finally {
      r.off();
    }
  });

  it('fires when the queue changes (hold / resume), and not for reads', async () => {
    const queue = await h.call<SyncQueueEntryDto[]>('sync.queue', {});
    const entry = queue.find((e) => e.status === 'Ready' || e.status === 'On Hold');
    expect(entry).toBeTruthy();
    const r = record();
    try {
      await h.call('sync.status', {});
      await h.call('sync.jobs', { mapping: null, offset: 0, limit: 5 });
      expect(r.changed()).toEqual([]);
      await h.call('sync.queueHold', { name: entry!.name });
      expect(r.changed()).toEqual([{ what: ['queue'] }]);
      await h.call('sync.queueResume', { name: entry!.name });
      expect(r.changed()).toEqual([{ what: ['queue'] }, { what: ['queue'] }]);
    } finally {
      r.off();
    }
  });
});
