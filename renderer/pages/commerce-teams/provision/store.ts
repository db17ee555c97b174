import { create } from 'zustand';
import {
  TeamsChangedSchema,
  TeamsProgressSchema,
  type AppError,
  type TeamsConfig,
  type TeamsPlanResult,
  type TeamsProgress,
  type TeamsRun,
  type TeamsRunDetail,
  type TeamsRunError,
  type TeamsSchedule,
} from '../../../../preload/contract';
import { asAppError, call, subscription } from '../../../transport/client';

export type PlanAction = 'create' | 'update' | 'none' | 'skip';

/** What the page shows live for one store (or the communications team, or the run: key ''). */
export interface LiveStore {
  last: TeamsProgress;
  /** Every failure reported for the store during the run (per member from a 207, or the store's own). */
  errors: TeamsRunError[];
}

/** The run this window follows: started here, or found running when the page opened. */
export interface LiveRun {
  runId: string;
  /** The run's own last event (storeNumber null: planning, done, failed, cancelled). */
  last: TeamsProgress | null;
  /** The counts of the latest event of any store. */
  counts: TeamsProgress['counts'] | null;
  stores: Record<string, LiveStore>;
  /** The latest Retry-After wait of Graph (throttled), for the banner's countdown. */
  throttled: TeamsProgress | null;
  finished: boolean;
}

type Busy = 'plan' | 'apply' | 'cancel' | 'runs' | 'schedule' | `retry:${string}` | `resume:${string}` | `detail:${string}`;

interface TeamsProvisionState {
  config: TeamsConfig | null;
  plan: TeamsPlanResult | null;
  /** The "remove members no longer in Commerce" option for the next plan and apply (off by default). */
  prune: boolean;
  filter: { action: PlanAction | 'all'; search: string };
  live: LiveRun | null;
  runs: TeamsRun[];
  details: Record<string, TeamsRunDetail>;
  schedule: TeamsSchedule | null;
  busy: Partial<Record<Busy, boolean>>;
  error: AppError | null;
  scheduleError: AppError | null;
  /** The plan on screen was made before a run changed Teams: plan again to see the delta. */
  planStale: boolean;
  init(): Promise<void>;
  makePlan(): Promise<void>;
  setPrune(on: boolean): void;
  setFilter(f: Partial<TeamsProvisionState['filter']>): void;
  apply(): Promise<void>;
  cancel(): Promise<void>;
  loadRuns(): Promise<void>;
  /** Loads a run's stores and errors; `only` closes the others (a run that just ended opens alone). */
  openRun(runId: string, only?: boolean): Promise<void>;
  closeRun(runId: string): void;
  retryFailed(runId: string): Promise<void>;
  resume(runId: string): Promise<void>;
  saveSchedule(s: { enabled: boolean; everyMinutes: number; prune: boolean }): Promise<void>;
  clearError(): void;
}

const INITIAL = {
  config: null, plan: null, prune: false, filter: { action: 'all' as const, search: '' }, live: null, runs: [], details: {}, schedule: null,
  busy: {}, error: null, scheduleError: null, planStale: false,
} satisfies Partial<TeamsProvisionState>;

let events: { reset(): void } | null = null;

/** Tests: forget state and event subscriptions between renders. */
export function resetTeamsProvisionStore(): void {
  events?.reset();
  useTeamsProvisionStore.setState(INITIAL);
}

const ENDED = new Set(['done', 'failed', 'cancelled']);

export const useTeamsProvisionStore = create<TeamsProvisionState>((set, get) => {
  const act = async <T>(key: Busy, fn: () => Promise<T>, slot: 'error' | 'scheduleError' = 'error'): Promise<T | undefined> => {
    set({ busy: { ...get().busy, [key]: true }, [slot]: null });
    try {
      return await fn();
    } catch (x) {
      set({ [slot]: asAppError(x) } as Partial<TeamsProvisionState>);
      return undefined;
    } finally {
      const busy = { ...get().busy };
      delete busy[key];
      set({ busy });
    }
  };

  const follow = (runId: string) => set({ live: { runId, last: null, counts: null, stores: {}, throttled: null, finished: false } });

  const onProgress = (p: TeamsProgress) => {
    let live = get().live;
    // A run started elsewhere (the schedule, another window): follow it when this window follows none.
    if (!live || (live.finished && live.runId !== p.runId)) {
      follow(p.runId);
      live = get().live!;
    }
    if (live.runId !== p.runId) return;
    const key = p.storeNumber ?? '';
    const prev = live.stores[key];
    const errors = p.error ? [...(prev?.errors ?? []), p.error] : prev?.errors ?? [];
    const finished = p.storeNumber === null && ENDED.has(p.phase);
    set({
      live: {
        ...live,
        last: p.storeNumber === null ? p : live.last,
        counts: p.counts,
        stores: { ...live.stores, [key]: { last: p, errors } },
        throttled: p.phase === 'throttled' ? p : live.throttled,
        finished: live.finished || finished,
      },
    });
    if (finished) {
      set({ planStale: !!get().plan });
      void get().loadRuns();
      void get().openRun(p.runId, true);
    }
  };

  const subscribed = subscription((t) => [
    t.on('teams.progress', (p) => {
      const r = TeamsProgressSchema.safeParse(p);
      if (r.success) onProgress(r.data);
    }),
    t.on('teams.changed', (p) => {
      const r = TeamsChangedSchema.safeParse(p);
      if (!r.success) return;
      if (r.data.what.includes('runs')) void get().loadRuns();
      if (r.data.what.includes('schedule')) void call('teams.getSchedule', {}).then((schedule) => set({ schedule }), () => undefined);
      if (r.data.what.includes('config')) void call('teams.getConfig', {}).then((config) => set({ config }), () => undefined);
    }),
  ]);
  events = subscribed;

  return {
    ...INITIAL,

    async init() {
      subscribed.ensure();
      const r = await act('runs', () => Promise.all([call('teams.getConfig', {}), call('teams.runs', { limit: 20 }), call('teams.getSchedule', {})]));
      if (!r) return;
      const [config, { runs }, schedule] = r;
      set({ config, runs, schedule, prune: get().plan ? get().prune : config.pruneDefault });
      const running = runs.find((x) => x.state === 'running');
      if (running && get().live?.runId !== running.runId) follow(running.runId);
    },

    async makePlan() {
      const plan = await act('plan', () => call('teams.plan', { prune: get().prune }));
      // A new plan after a run: the run's per-store statuses belong to the old plan (the history keeps them).
      if (plan) set({ plan, prune: plan.prune, planStale: false, ...(get().live?.finished ? { live: null } : {}) });
    },

    setPrune(on) {
      // The plan on screen no longer matches the option: plan again to see removals (or not).
      set({ prune: on, planStale: !!get().plan && get().plan!.prune !== on });
    },

    setFilter: (f) => set({ filter: { ...get().filter, ...f } }),

    async apply() {
      const r = await act('apply', () => call('teams.apply', { prune: get().prune }));
      if (r) {
        follow(r.runId);
        await get().loadRuns();
      }
    },

    async cancel() {
      const live = get().live;
      if (!live) return;
      await act('cancel', () => call('teams.cancel', { runId: live.runId }));
    },

    async loadRuns() {
      try {
        const { runs } = await call('teams.runs', { limit: 20 });
        set({ runs });
      } catch (x) {
        set({ error: asAppError(x) });
      }
    },

    async openRun(runId, only = false) {
      const d = await act(`detail:${runId}`, () => call('teams.run', { runId }));
      if (d) set({ details: { ...(only ? {} : get().details), [runId]: d } });
    },
    closeRun(runId) {
      const details = { ...get().details };
      delete details[runId];
      set({ details });
    },

    async retryFailed(runId) {
      const r = await act(`retry:${runId}`, () => call('teams.retryFailed', { runId }));
      if (r) {
        follow(r.runId);
        await get().loadRuns();
      }
    },

    async resume(runId) {
      const r = await act(`resume:${runId}`, () => call('teams.resume', { runId }));
      if (r) {
        follow(r.runId);
        await get().loadRuns();
      }
    },

    async saveSchedule(s) {
      const schedule = await act('schedule', () => call('teams.setSchedule', s), 'scheduleError');
      if (schedule) set({ schedule });
    },

    clearError: () => set({ error: null }),
  };
});
