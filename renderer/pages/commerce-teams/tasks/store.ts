import { create } from 'zustand';
import {
  TasksChangedSchema,
  TasksProgressSchema,
  type AppError,
  type MethodInput,
  type TasksConflict,
  type TasksLinkOutput,
  type TasksListsOutput,
  type TasksMessage,
  type TasksPreview,
  type TasksProgress,
  type TasksPublishOutcome,
  type TasksXlsxLabels,
  type TasksReport,
  type TasksSettings,
  type TasksSyncOutcome,
} from '../../../../preload/contract';
import { asAppError, call, subscription } from '../../../transport/client';

export type TasksView = 'link' | 'publish' | 'sync' | 'report';
type Busy = 'settings' | 'enable' | 'link' | 'lists' | 'preview' | 'publish' | 'sync' | 'conflicts' | 'schedule' | 'report' | 'export' | `resolve:${number}`;
export type PublishTarget = { kind: 'stores'; stores: string[] } | { kind: 'node'; node: string };

interface TasksState {
  view: TasksView;
  settings: TasksSettings | null;
  /** What enabling would start / disabling would stop (asked before the switch changes), and which way. */
  pendingSwitch: { enabled: boolean; effects: TasksMessage[] } | null;
  effects: TasksMessage[];
  link: TasksLinkOutput | null;
  lists: TasksListsOutput | null;
  taskListId: string;
  target: PublishTarget;
  targetDate: string;
  preview: TasksPreview | null;
  published: TasksPublishOutcome | null;
  /** The operation under way and its latest progress (any window's). */
  progress: TasksProgress | null;
  sync: TasksSyncOutcome | null;
  conflicts: TasksConflict[];
  report: TasksReport | null;
  reportList: string;
  /** Every list the unfiltered report had (the list picker's choices). */
  reportLists: { taskListId: string; name: string }[];
  drill: { store: string; report: TasksReport } | null;
  exported: string | null;
  busy: Partial<Record<Busy, boolean>>;
  error: AppError | null;
  setView(v: TasksView): void;
  init(): Promise<void>;
  askSwitch(enabled: boolean): Promise<void>;
  confirmSwitch(): Promise<void>;
  cancelSwitch(): void;
  runLink(o: { createMissing: boolean; dryRun: boolean; stores?: string[] }): Promise<void>;
  loadLists(): Promise<void>;
  setPublish(p: Partial<Pick<TasksState, 'taskListId' | 'target' | 'targetDate'>>): void;
  previewPublish(): Promise<void>;
  publish(): Promise<void>;
  runSync(): Promise<void>;
  loadConflicts(): Promise<void>;
  resolve(id: number, keep: 'commerce' | 'planner'): Promise<void>;
  saveSchedule(s: { enabled: boolean; everyMinutes: number }): Promise<void>;
  loadReport(taskListId?: string): Promise<void>;
  drillDown(store: string | null): Promise<void>;
  exportReport(labels?: TasksXlsxLabels): Promise<void>;
  clearError(): void;
}

const today = () => new Date().toISOString().slice(0, 10);
const INITIAL = {
  view: 'link' as TasksView, settings: null, pendingSwitch: null, effects: [], link: null, lists: null, taskListId: '', target: { kind: 'stores', stores: [] } as PublishTarget,
  targetDate: today(), preview: null, published: null, progress: null, sync: null, conflicts: [], report: null, reportList: '', reportLists: [], drill: null, exported: null, busy: {}, error: null,
} satisfies Partial<TasksState>;

let events: { reset(): void } | null = null;

/** Tests: forget state and event subscriptions between renders. */
export function resetTasksStore(): void {
  events?.reset();
  useTasksStore.setState({ ...INITIAL, targetDate: today() });
}

export function publishInput(s: Pick<TasksState, 'taskListId' | 'target' | 'targetDate'>): MethodInput<'tasks.publish'> {
  return {
    taskListId: s.taskListId, targetDate: s.targetDate,
    ...(s.target.kind === 'stores' ? { stores: s.target.stores } : { hierarchyNode: s.target.node }),
  };
}

export const useTasksStore = create<TasksState>((set, get) => {
  const act = async <T>(key: Busy, fn: () => Promise<T>): Promise<T | undefined> => {
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
  const refreshSettings = () => call('tasks.getSettings', {}).then((settings) => {
    // A sync run elsewhere (the schedule, another window) is the latest result too.
    const mine = get().sync;
    set({ settings, ...(settings.lastSync && (!mine || settings.lastSync.at > mine.at) ? { sync: settings.lastSync } : {}) });
  }, () => undefined);

  const subscribed = subscription((t) => [
    t.on('tasks.progress', (p) => {
      const r = TasksProgressSchema.safeParse(p);
      if (r.success) set({ progress: r.data });
    }),
    t.on('tasks.changed', (p) => {
      const r = TasksChangedSchema.safeParse(p);
      if (!r.success) return;
      if (r.data.what.includes('settings') || r.data.what.includes('schedule')) void refreshSettings();
      if (r.data.what.includes('conflicts')) void call('tasks.conflicts', {}).then(({ conflicts }) => set({ conflicts }), () => undefined);
      // Plans were linked: the publish targets (stores with their plan) are read again on the next visit.
      if (r.data.what.includes('links')) set({ lists: null });
      // Publish or sync changed what the report counts: reload it where it is shown, else on the next visit.
      if (r.data.what.includes('report')) {
        if (get().view === 'report' && get().report) void get().loadReport();
        else set({ report: null });
      }
    }),
  ]);
  events = subscribed;

  return {
    ...INITIAL,
    setView(view) {
      set({ view });
    },

    async init() {
      subscribed.ensure();
      const r = await act('settings', () => Promise.all([call('tasks.getSettings', {}), call('tasks.conflicts', {})]));
      if (r) set({ settings: r[0], conflicts: r[1].conflicts, sync: get().sync ?? r[0].lastSync });
    },

    async askSwitch(enabled) {
      const r = await act('enable', () => call('tasks.setEnabled', { enabled, dryRun: true }));
      if (r) set({ pendingSwitch: { enabled, effects: r.effects } });
    },
    async confirmSwitch() {
      const p = get().pendingSwitch;
      if (!p) return;
      const r = await act('enable', () => call('tasks.setEnabled', { enabled: p.enabled, dryRun: false }));
      set({ pendingSwitch: null });
      if (r) set({ settings: r.settings, effects: r.effects });
    },
    cancelSwitch() {
      set({ pendingSwitch: null });
    },

    async runLink(o) {
      const r = await act('link', () => call('tasks.link', o));
      if (r) set({ link: r });
    },

    async loadLists() {
      const r = await act('lists', () => call('tasks.lists', {}));
      if (!r) return;
      const keep = r.lists.some((l) => l.taskListId === get().taskListId);
      set({ lists: r, taskListId: keep ? get().taskListId : r.lists[0]?.taskListId ?? '' });
    },
    setPublish(p) {
      set({ ...p, preview: null, published: null });
    },
    async previewPublish() {
      const r = await act('preview', () => call('tasks.previewPublish', publishInput(get())));
      if (r) set({ preview: r, published: null });
    },
    async publish() {
      set({ progress: null });
      const r = await act('publish', () => call('tasks.publish', publishInput(get())));
      if (r) set({ published: r, preview: null, report: null });
    },

    async runSync() {
      set({ progress: null });
      const r = await act('sync', () => call('tasks.sync', {}));
      if (!r) return;
      set({ sync: r, report: null });
      await get().loadConflicts();
    },
    async loadConflicts() {
      const r = await act('conflicts', () => call('tasks.conflicts', {}));
      if (r) set({ conflicts: r.conflicts });
    },
    async resolve(id, keep) {
      const r = await act(`resolve:${id}`, () => call('tasks.resolveConflict', { id, keep }));
      if (r) set({ conflicts: r.conflicts });
    },
    async saveSchedule(s) {
      const r = await act('schedule', () => call('tasks.setSchedule', s));
      const settings = get().settings;
      if (r && settings) set({ settings: { ...settings, schedule: r } });
    },

    async loadReport(taskListId) {
      const list = taskListId ?? get().reportList;
      const r = await act('report', () => call('tasks.report', list ? { taskListId: list } : {}));
      if (r) set({ report: r, reportList: list, drill: null, ...(list ? {} : { reportLists: r.lists.map((l) => ({ taskListId: l.taskListId, name: l.name })) }) });
    },
    async drillDown(store) {
      if (!store) return set({ drill: null });
      const list = get().reportList;
      const r = await act('report', () => call('tasks.report', { store, ...(list ? { taskListId: list } : {}) }));
      if (r) set({ drill: { store, report: r } });
    },
    async exportReport(labels) {
      const list = get().reportList;
      const r = await act('export', () => call('tasks.exportReport', { ...(list ? { taskListId: list } : {}), ...(labels ? { labels } : {}) }));
      if (r) set({ exported: r.path });
    },

    clearError() {
      set({ error: null });
    },
  };
});
