import { create } from 'zustand';
import {
  SYNC_CHANGED, SyncChangedSchema, SyncFinishedSchema, SyncProgressSchema,
  type AppError, type SyncErrorGroupDto, type SyncFinished, type SyncJobDto, type SyncJobErrorDto, type SyncPassDirection, type SyncProgress, type SyncQueueEntryDto,
  type SyncChangedWhat, type SyncReview, type SyncSkippedDto, type SyncStatus,
} from '../../preload/contract';
import { asAppError, call, subscription } from '../transport/client';

export const JOBS_PAGE = 20;
const ERRORS_PAGE = 50;
const SKIPPED_PAGE = 100;

interface SyncState {
  status: SyncStatus | null;
  /** Latest progress per mapping while a run is under way (from sync.progress events). */
  live: Record<string, SyncProgress>;
  /** Run ids started from this window, with what they cover (null = all mappings). */
  runs: Record<string, string | null>;
  lastFinished: SyncFinished | null;
  jobs: { mapping: string | null; offset: number; list: SyncJobDto[]; total: number };
  /** The errors drawer: one job's errors grouped by cause (and, on request, every error in full). */
  errors: { job: SyncJobDto; groups: SyncErrorGroupDto[]; total: number; list: SyncJobErrorDto[]; next: number | null; all: boolean } | null;
  /** Set when something asked for the review (the setup's *What next*, the initial-hold banner): the page scrolls to it. */
  focusReview: boolean;
  skipped: { mapping: string; list: SyncSkippedDto[]; next: number | null } | null;
  queue: SyncQueueEntryDto[];
  busy: Record<string, boolean>;
  error: AppError | null;
  notice: { key: string; params?: Record<string, string | number> } | null;
  /** The full synchronization review (E.12), once opened; kept current by the cascade's events. */
  review: SyncReview | null;
  init(): Promise<void>;
  refresh(): Promise<void>;
  run(mapping: string | null, full: boolean): Promise<void>;
  cancel(runId: string): Promise<void>;
  loadJobs(mapping: string | null, offset: number): Promise<void>;
  openErrors(job: SyncJobDto): Promise<void>;
  moreErrors(): Promise<void>;
  /** Shows every error of the open job in full (paged), below the groups. */
  showAllErrors(): Promise<void>;
  closeErrors(): void;
  deleteFailedCouplings(job: SyncJobDto): Promise<void>;
  openSkipped(mapping: string): Promise<void>;
  moreSkipped(): Promise<void>;
  closeSkipped(): void;
  restore(mapping: string, bcIds: string[] | 'all', retry: SyncPassDirection | null): Promise<void>;
  uncouple(mapping: string, bcIds: string[]): Promise<void>;
  queueAction(name: string, action: 'hold' | 'resume' | 'run'): Promise<void>;
  clearError(): void;
  clearNotice(): void;
  /** Forgets the last finished run's problems (the page's message about it is dismissed). */
  clearFinished(): void;
  /** Loads the review (main keeps it between calls); refresh recounts both sides and resets the statuses. */
  loadReview(refresh: boolean): Promise<void>;
  startReview(): Promise<void>;
  /** Counts a review line again and clears its status, so Start can run it again. */
  retryReviewLine(name: string): Promise<void>;
  /** Resumes the job queue entries that enabling held until the initial synchronization. */
  releaseInitialHold(): Promise<void>;
  /** Asks the page to show (and load) the full synchronization review; the page clears it once it scrolled there. */
  requestReview(): void;
  reviewShown(): void;
}

let reviewSeq = 0;
let events: { reset(): void } | null = null;

const INITIAL = {
  status: null, live: {}, runs: {}, lastFinished: null, jobs: { mapping: null, offset: 0, list: [], total: 0 }, errors: null, skipped: null,
  queue: [], busy: {}, error: null, notice: null, review: null, focusReview: false,
} satisfies Partial<SyncState>;

/** Tests: forget state and event subscriptions between renders. */
export function resetSyncStore(): void {
  events?.reset();
  useSyncStore.setState(INITIAL);
}

export const useSyncStore = create<SyncState>((set, get) => {
  /** One call with a busy flag and error handling; undefined when it failed (the error is shown). */
  const act = async <T>(key: string, fn: () => Promise<T>): Promise<T | undefined> => {
    set({ busy: { ...get().busy, [key]: true }, error: null });
    try {
      return await fn();
    } catch (x) {
      set({ error: asAppError(x) });
      return undefined;
    } finally {
      const busy = { ...get().busy };
      delete busy[key];
      set({ busy });
    }
  };

  const refreshAfterRun = async () => {
    await get().refresh();
    const j = get().jobs;
    await get().loadJobs(j.mapping, 0);
  };

  /**
   * Reloads what main said changed (sync.changed), never on a timer. Events come in bursts (each mapping's end, then
   * the run's): while a reload is under way the next ones are merged into one more reload afterwards.
   */
  let pending = new Set<SyncChangedWhat>();
  let reloading = false;
  const reload = async (what: readonly SyncChangedWhat[]) => {
    for (const w of what) pending.add(w);
    if (reloading) return;
    reloading = true;
    try {
      while (pending.size > 0) {
        const now = pending;
        pending = new Set();
        const j = get().jobs;
        await Promise.all([
          now.has('jobs') || now.has('queue') ? get().refresh() : null,
          now.has('jobs') ? get().loadJobs(j.mapping, j.offset) : null,
          now.has('review') && get().review ? get().loadReview(false) : null,
        ]);
      }
    } finally {
      reloading = false;
    }
  };

  let lost = false;
  const subscribed = subscription((t) => [
    t.on('sync.progress', (p) => {
      const r = SyncProgressSchema.safeParse(p);
      if (!r.success) return;
      set({ live: { ...get().live, [r.data.mapping]: r.data } });
      const review = get().review;
      // A line started: show it at once (a line's end comes from main, with sync.changed).
      if (review?.runId !== r.data.runId || r.data.done || r.data.phase !== 'running') return;
      // Only a line not started yet: a progress event that arrives late must not reopen a finished line.
      set({ review: { ...review, lines: review.lines.map((l) => (l.name === r.data.mapping && l.jobStatus === '' ? { ...l, jobStatus: 'In Process' as const } : l)) } });
    }),
    t.on('sync.finished', (p) => {
      const r = SyncFinishedSchema.safeParse(p);
      if (!r.success) return;
      const live = { ...get().live };
      for (const [k, v] of Object.entries(live)) if (v.runId === r.data.runId) delete live[k];
      const runs = { ...get().runs };
      delete runs[r.data.runId];
      set({ live, runs, lastFinished: r.data });
    }),
    t.on('sync.changed', (p) => {
      const r = SyncChangedSchema.safeParse(p);
      if (r.success) void reload(r.data.what);
    }),
    // Events sent while the browser host's link was down are lost: once it is back, reload everything once.
    t.onConnection?.((state) => {
      if (state === 'lost') lost = true;
      else if (lost) {
        lost = false;
        void reload(SYNC_CHANGED);
      }
    }) ?? (() => undefined),
  ]);
  events = subscribed;
  const subscribe = () => subscribed.ensure();

  return {
    ...INITIAL,

    async init() {
      subscribe();
      await get().refresh();
      await get().loadJobs(null, 0);
    },

    async refresh() {
      const r = await act('refresh', () => Promise.all([call('sync.status', {}), call('sync.queue', {})]));
      if (!r) return;
      const [status, queue] = r;
      // A run started elsewhere (another window, the queue) shows up in the status: seed its progress bar.
      const live = { ...get().live };
      for (const m of status.mappings) {
        if (m.running && !live[m.name])
          live[m.name] = { runId: m.running.runId, mapping: m.name, direction: m.running.direction, phase: m.running.phase, counters: m.running.counters, written: m.running.written, done: false };
        if (!m.running && live[m.name]?.done) delete live[m.name];
      }
      set({ status, queue, live });
    },

    async run(mapping, full) {
      const r = await act(`run:${mapping ?? '*'}`, () => call('sync.run', { mapping, full }));
      if (!r) return;
      set({ runs: { ...get().runs, [r.runId]: mapping } });
      await get().refresh();
    },

    async cancel(runId) {
      await act(`cancel:${runId}`, () => call('sync.cancel', { runId }));
    },

    async loadJobs(mapping, offset) {
      const r = await act('jobs', () => call('sync.jobs', { mapping, offset, limit: JOBS_PAGE }));
      if (r) set({ jobs: { mapping, offset, list: r.jobs, total: r.total } });
    },

    async openErrors(job) {
      const r = await act('errors', () => call('sync.jobErrorGroups', { jobId: job.id }));
      if (r) set({ errors: { job, groups: r.groups, total: r.total, list: [], next: null, all: false } });
    },
    async showAllErrors() {
      const e = get().errors;
      if (!e) return;
      const r = await act('errors', () => call('sync.jobErrors', { jobId: e.job.id, afterNo: 0, limit: ERRORS_PAGE }));
      if (r && get().errors?.job.id === e.job.id) set({ errors: { ...e, list: r.errors, next: r.next, all: true } });
    },
    async moreErrors() {
      const e = get().errors;
      if (!e || e.next === null) return;
      const r = await act('errors', () => call('sync.jobErrors', { jobId: e.job.id, afterNo: e.next!, limit: ERRORS_PAGE }));
      if (r) set({ errors: { ...e, list: [...e.list, ...r.errors], next: r.next } });
    },
    closeErrors: () => set({ errors: null }),

    async deleteFailedCouplings(job) {
      const r = await act(`delete:${job.id}`, () => call('sync.deleteFailedCouplings', { mapping: job.mapping, jobId: job.id }));
      if (r) {
        set({ notice: { key: 'notice.couplingsDeleted', params: { count: r.removed } } });
        await get().refresh();
      }
    },

    async openSkipped(mapping) {
      const r = await act('skipped', () => call('sync.skipped', { mapping, afterRowId: 0, limit: SKIPPED_PAGE }));
      if (r) set({ skipped: { mapping, list: r.records, next: r.next } });
    },
    async moreSkipped() {
      const s = get().skipped;
      if (!s || s.next === null) return;
      const r = await act('skipped', () => call('sync.skipped', { mapping: s.mapping, afterRowId: s.next!, limit: SKIPPED_PAGE }));
      if (r) set({ skipped: { mapping: s.mapping, list: [...s.list, ...r.records], next: r.next } });
    },
    closeSkipped: () => set({ skipped: null }),

    async restore(mapping, bcIds, retry) {
      const r = await act(`restore:${mapping}`, () => call('sync.restoreSkipped', { mapping, bcIds, sync: retry }));
      if (!r) return;
      set({ notice: { key: retry ? 'notice.retried' : 'notice.restored', params: { count: r.restored } } });
      await get().openSkipped(mapping);
      await refreshAfterRun();
    },

    async uncouple(mapping, bcIds) {
      const r = await act(`uncouple:${mapping}`, () => call('sync.uncouple', { mapping, bcIds }));
      if (!r) return;
      set({ notice: { key: 'notice.uncoupled', params: { count: r.uncoupled } } });
      await get().openSkipped(mapping);
      await refreshAfterRun();
    },

    async queueAction(name, action) {
      const r = await act(`queue:${name}`, async (): Promise<unknown> =>
        action === 'run' ? call('sync.queueRun', { name }) : call(action === 'hold' ? 'sync.queueHold' : 'sync.queueResume', { name }));
      if (r) await get().refresh();
    },

    clearError: () => set({ error: null }),
    clearNotice: () => set({ notice: null }),
    clearFinished: () => set({ lastFinished: null }),

    async loadReview(refresh) {
      subscribe();
      // Events trigger loads in quick succession: only the newest answer may land, or an older one would bring a
      // finished cascade back to "running".
      const seq = ++reviewSeq;
      const r = await act('review', () => call('sync.review', { refresh }));
      if (r && seq === reviewSeq) set({ review: r });
    },

    async retryReviewLine(name) {
      const seq = ++reviewSeq;
      const r = await act(`retry:${name}`, () => call('sync.retryReviewLine', { name }));
      if (r && seq === reviewSeq) set({ review: r });
    },

    async releaseInitialHold() {
      const r = await act('releaseHold', () => call('sync.releaseInitialHold', {}));
      if (!r) return;
      set({ notice: { key: 'initialHold.resumed', params: { count: r.resumed.length } } });
      await get().refresh();
    },

    requestReview: () => set({ focusReview: true }),
    reviewShown: () => set({ focusReview: false }),

    async startReview() {
      const r = await act('startReview', () => call('sync.startReview', {}));
      if (!r) return;
      const review = get().review;
      // Known before the first event arrives, so the cascade's events find their review.
      if (review) set({ review: { ...review, runId: r.runId, startable: [], finishedAt: null, cancelled: false } });
      await get().loadReview(false);
    },
  };
});
