/**
 * tasks.* in the console (issue 15): task management's switch (requires the Commerce ⇄ Teams integration enabled),
 * Link POS and Teams (../link.ts), the HQ task lists and publish targets, publish / sync / report through the
 * engines' ports (./ports.ts), the open conflicts (ct_task_conflicts), and the job-queue entry that runs the status
 * sync on a schedule — held On Hold while task management is disabled, as the Teams schedule entry is.
 *
 * Clients are opened over the Teams configuration's two profiles (Commerce headquarters + Microsoft Graph; their
 * secrets stay in the profiles' vault). One publish or sync at a time per console; progress goes out as
 * `tasks.progress` through the kernel's EventPump (rate-limited; the end of an operation is never dropped).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TeamsConfig } from '../../../../../preload/contract/commerce-teams/teams';
import type {
  TasksConflict, TasksLinkOutput, TasksListsOutput, TasksMessage, TasksPreview, TasksProgress, TasksPublishInput, TasksPublishOutcome, TasksReport,
  TasksSchedule, TasksSettings, TasksSyncOutcome, TasksXlsxLabels,
} from '../../../../../preload/contract/commerce-teams/tasks-methods';
import type { CommerceClient } from '../../../../clients/commerce';
import type { Connections } from '../../../../connections';
import type { Db } from '../../../../db/database';
import { ScheduledEntry } from '../../../../kernel/jobs/scheduled-entry';
import { EventPump } from '../../../../kernel/runs/pump';
import type { Clock, Logger } from '../../../../ports';
import { AppFailure } from '../../../../rpc/errors';
import { listHierarchies, readEdges } from '../../hierarchy/service';
import { pickHierarchy } from '../../hierarchy/build';
import type { TeamsConsoleDeps as MappingConsoleDeps } from '../../mapping/console';
import { guard, openClients } from '../../mapping/console';
import { mappingCollection, readMappings, readStores } from '../../mapping/directory';
import { linkStorePlans } from '../link';
import type { TaskEngineContext, TaskEngines } from './ports';
import { TaskSettingsStore } from './settings';

/** The job-queue entry of the scheduled status sync (kernel queue; the Teams category keeps it apart from Sales). */
export const TASKS_SYNC_ENTRY = 'Commerce ⇄ Teams: sync task statuses';
export const TASKS_QUEUE_CATEGORY = 'COMMERCE TEAMS';

type Operation = 'link' | 'publish' | 'sync';

export interface TasksConsoleEvents {
  progress: (p: TasksProgress) => void;
  changed: (c: { what: ('settings' | 'schedule' | 'conflicts' | 'report' | 'links')[] }) => void;
}

export interface TasksConsoleDeps {
  db: Db;
  clock: Clock;
  connections: Connections;
  logger: Logger;
  /** The Commerce ⇄ Teams configuration (its profiles and whether the integration is enabled). */
  teams: () => TeamsConfig;
  engines: TaskEngines;
  events?: TasksConsoleEvents;
  /** Where exports go (the data folder's exports/); none in memory. */
  exportDir?: string;
  /** Client tuning (tests). */
  connect?: MappingConsoleDeps['connect'];
  /** At most one progress event per this many ms (default 200); 0 sends each at once. */
  progressIntervalMs?: number;
  /** The scheduled sync's heartbeat (ms); 0 = off (tests call tick()). */
  schedulerIntervalMs?: number;
}

const msg = (code: string, params: Record<string, string | number> = {}): TasksMessage => ({ code, params });
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

type ConflictRow = { id: number; coupling_id: number; field: TasksConflict['field']; base_value: string | null; commerce_value: string | null; planner_value: string | null; detected_at: number; store_number: string | null; process_id: string | null; task_id: string | null; title: string | null };

export class TasksConsoleService {
  private readonly settings: TaskSettingsStore;
  private readonly schedule: ScheduledEntry;
  private busy: Operation | null = null;
  /** Stops the publish or sync under way (tasks.cancel). */
  private abort: AbortController | null = null;
  private lastSync: TasksSyncOutcome | null = null;
  private readonly conflictsSql;

  constructor(private readonly d: TasksConsoleDeps) {
    this.settings = new TaskSettingsStore(d.db, d.clock);
    this.schedule = new ScheduledEntry(d.db, d.clock, {
      name: TASKS_SYNC_ENTRY, category: TASKS_QUEUE_CATEGORY,
      description: 'Sync task statuses: Planner ⇄ Commerce, both ways (changed tasks only).',
    });
    this.conflictsSql = d.db.prepare<[], ConflictRow>(`SELECT c.id, c.coupling_id, c.field, c.base_value, c.commerce_value, c.planner_value, c.detected_at,
        b.store_number, b.process_id, b.task_id, b.title
      FROM ct_task_conflicts c LEFT JOIN ct_task_baselines b ON b.coupling_id = c.coupling_id
      WHERE c.resolved_at IS NULL ORDER BY c.detected_at, c.id`);
    this.schedule.startHeartbeat(d.schedulerIntervalMs ?? 0, () => this.tick(), (x) => d.logger.warn(`Task management schedule: ${(x as Error)?.message ?? String(x)}`));
  }

  close(): void {
    this.schedule.stopHeartbeat();
  }

  private changed(...what: Parameters<TasksConsoleEvents['changed']>[0]['what']): void {
    this.d.events?.changed({ what });
  }

  // ------------------------------------------------------------------------------------------ settings

  async getSettings(): Promise<TasksSettings> {
    const s = this.settings.get();
    const teams = this.d.teams();
    const profiles = await this.d.connections.store.list();
    const name = (id: string | null) => (id ? profiles.find((p) => p.id === id)?.name ?? null : null);
    return {
      enabled: s.enabled,
      enabledAt: s.enabledAt,
      teamsEnabled: teams.enabled,
      profiles: { commerce: name(teams.commerceProfileId), graph: name(teams.graphProfileId) },
      lastSyncAt: s.lastSyncAt,
      lastSync: this.lastSync,
      schedule: this.getSchedule(),
      engines: { publish: !!this.d.engines.publish, sync: !!this.d.engines.sync, report: !!this.d.engines.report },
      busy: this.busy,
    };
  }

  async setEnabled(enabled: boolean, dryRun: boolean): Promise<{ settings: TasksSettings; effects: TasksMessage[]; applied: boolean }> {
    const s = this.settings.get();
    const effects: TasksMessage[] = [];
    if (enabled) {
      if (!this.d.teams().enabled)
        throw new AppFailure('TASKS_TEAMS_DISABLED', 'Task management needs the Commerce ⇄ Teams integration enabled: enable it on the Teams setup page first.');
      effects.push(msg('TASKS_ENABLE_RUNS_ALLOWED'));
      effects.push(s.scheduleEnabled ? msg('TASKS_ENABLE_SCHEDULE_READY', { everyMinutes: s.everyMinutes }) : msg('TASKS_ENABLE_SCHEDULE_OFF'));
    } else {
      effects.push(msg('TASKS_DISABLE_NO_RUNS'));
      if (this.schedule.holdable()) effects.push(msg('TASKS_DISABLE_SCHEDULE_ON_HOLD', { entry: TASKS_SYNC_ENTRY }));
      effects.push(msg('TASKS_DISABLE_STATUSES_STOP'), msg('TASKS_DISABLE_TASKS_KEPT'), msg('TASKS_DISABLE_LINKS_KEPT'));
    }
    if (dryRun) return { settings: await this.getSettings(), effects, applied: false };
    this.settings.setEnabled(enabled);
    if (enabled && s.scheduleEnabled) this.schedule.set(true, s.everyMinutes);
    else if (!enabled) this.schedule.hold();
    this.changed('settings', 'schedule');
    return { settings: await this.getSettings(), effects, applied: true };
  }

  private requireEnabled(): void {
    if (!this.settings.get().enabled) throw new AppFailure('TASKS_DISABLED', 'Task management is disabled: enable it on the Link POS and Teams page first.');
  }

  // ------------------------------------------------------------------------------------------ clients, progress

  private async open(): Promise<{ commerce: CommerceClient; graph: TaskEngineContext['graph'] }> {
    const cfg = this.d.teams();
    const c = await openClients(
      { connections: this.d.connections, logger: this.d.logger, config: async () => cfg, ...(this.d.connect ? { connect: this.d.connect } : {}) },
      {},
    );
    return { commerce: c.commerce, graph: c.graph };
  }

  /** Runs one operation at a time with progress events; the end (done / failed) is always sent. */
  private async exclusive<T>(operation: Operation, work: (onProgress: TaskEngineContext['onProgress'] & object, signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.busy) throw new AppFailure('TASKS_BUSY', `A ${this.busy} is under way: wait for it to finish.`, { operation: this.busy });
    this.busy = operation;
    const abort = (this.abort = new AbortController());
    const pump = new EventPump(this.d.progressIntervalMs ?? 200, () => Date.now());
    let last = { done: 0, total: 0 };
    const send = (phase: TasksProgress['phase'], done: number, total: number, terminal = false) => {
      const p: TasksProgress = { operation, phase, done, total, at: this.d.clock.now() };
      pump.push({ key: operation, replaceable: !terminal, send: () => this.d.events?.progress(p) });
    };
    send('starting', 0, 0);
    try {
      const out = await work((p) => {
        last = { done: p.done, total: p.total };
        send(p.phase, p.done, p.total);
      }, abort.signal);
      send('done', last.total || last.done, last.total, true);
      return out;
    } catch (x) {
      send('failed', last.done, last.total, true);
      throw x;
    } finally {
      await pump.flushed();
      this.busy = null;
      this.abort = null;
    }
  }

  /**
   * Stops the publish or sync under way at its next safe point; it then fails with TASKS_CANCELLED (what it wrote
   * stays; running it again finishes it). False when neither is running (a link or nothing).
   */
  cancel(): { cancelled: boolean } {
    if (!this.abort || (this.busy !== 'publish' && this.busy !== 'sync')) return { cancelled: false };
    this.abort.abort();
    return { cancelled: true };
  }

  private async context(onProgress?: TaskEngineContext['onProgress'], signal?: AbortSignal): Promise<TaskEngineContext> {
    const c = await guard(() => this.open());
    return { ...c, db: this.d.db, clock: this.d.clock, logger: this.d.logger, ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) };
  }

  private engine<K extends keyof TaskEngines>(k: K): NonNullable<TaskEngines[K]> {
    const e = this.d.engines[k];
    if (!e) throw new AppFailure('TASKS_ENGINE_UNAVAILABLE', `This build of the console cannot ${k} tasks yet.`, { operation: k });
    return e as NonNullable<TaskEngines[K]>;
  }

  // ------------------------------------------------------------------------------------------ link

  async link(o: { createMissing: boolean; dryRun: boolean; stores?: string[] | undefined }): Promise<TasksLinkOutput> {
    const r = await this.exclusive('link', async (onProgress) => {
      const { commerce, graph } = await guard(() => this.open());
      return guard(() => linkStorePlans({ commerce, graph, clock: this.d.clock }, {
        createMissing: o.createMissing, dryRun: o.dryRun, ...(o.stores ? { stores: o.stores } : {}),
        onProgress: (p) => onProgress({ phase: p.phase === 'creating' || p.phase === 'persisting' ? 'writing' : 'reading', done: p.done, total: p.total }),
      }));
    });
    if (!o.dryRun) this.changed('links');
    return {
      stores: r.stores.map((s) => ({
        storeNumber: s.storeNumber, teamId: s.teamId, planId: s.planId, state: s.state, previousPlanId: s.previousPlanId,
        plans: s.plans.map((p) => ({ id: p.id, title: p.title, tasks: p.tasks })), created: s.created, persisted: s.persisted, code: s.code, params: s.params,
      })),
      plansCreated: r.plansCreated, rowsWritten: r.rowsWritten, dryRun: o.dryRun,
    };
  }

  // ------------------------------------------------------------------------------------------ task lists and targets

  async lists(): Promise<TasksListsOutput> {
    const { commerce } = await guard(() => this.open());
    return guard(async () => {
      const listSet = (await commerce.collectionFor('RetailTaskList')) ?? 'RetailTaskLists';
      const taskSet = (await commerce.collectionFor('RetailTaskListTask')) ?? 'RetailTaskListTasks';
      const [lists, tasks, stores, mappings] = await Promise.all([
        commerce.list(listSet, { select: ['TaskListId', 'Name', 'Description'] }),
        commerce.list(taskSet, { select: ['TaskListId', 'TaskId', 'Name', 'DueDateOffsetDays', 'Notes', 'TaskLinkType', 'TaskLink'] }),
        readStores(commerce),
        mappingCollection(commerce).then((set) => readMappings(commerce, set)),
      ]);
      const mapped = new Map(mappings.map((m) => [m.storeNumber, m]));
      const storeRows = stores.filter((s) => mapped.has(s.storeNumber)).map((s) => ({ storeNumber: s.storeNumber, name: s.name, planId: mapped.get(s.storeNumber)!.planId }));
      const { hierarchy, nodes } = await this.nodes(commerce, stores.filter((s) => mapped.has(s.storeNumber)));
      return {
        lists: lists.map((l) => ({
          taskListId: str(l.TaskListId), name: str(l.Name), description: str(l.Description),
          tasks: tasks.filter((t) => t.TaskListId === l.TaskListId).map((t) => ({
            taskId: str(t.TaskId), name: str(t.Name), dueDateOffsetDays: Number(t.DueDateOffsetDays ?? 0) || 0, notes: str(t.Notes), linkType: str(t.TaskLinkType) || 'None', link: str(t.TaskLink),
          })).sort((a, b) => a.taskId.localeCompare(b.taskId, undefined, { numeric: true })),
        })).sort((a, b) => a.name.localeCompare(b.name)),
        stores: storeRows,
        nodes,
        hierarchy,
      };
    });
  }

  /** The Retail reporting hierarchy's nodes above the mapped stores, depth first, with how many mapped stores each holds. */
  private async nodes(commerce: CommerceClient, stores: { storeNumber: string; partyNumber: string | null }[]): Promise<{ hierarchy: string | null; nodes: TasksListsOutput['nodes'] }> {
    const picked = pickHierarchy(await listHierarchies(commerce));
    if (!picked.ok) return { hierarchy: null, nodes: [] };
    const edges = await readEdges(commerce, picked.hierarchy.name, new Date(this.d.clock.now()));
    const storeParties = new Set(stores.map((s) => s.partyNumber).filter((p): p is string => !!p));
    const parent = new Map(edges.map((e) => [e.partyNumber, e.parentPartyNumber]));
    const name = new Map(edges.map((e) => [e.partyNumber, e.name]));
    const count = new Map<string, number>();
    for (const p of storeParties) {
      const seen = new Set<string>();
      for (let up = parent.get(p) ?? null; up && !seen.has(up); up = parent.get(up) ?? null) {
        seen.add(up);
        count.set(up, (count.get(up) ?? 0) + 1);
      }
    }
    const out: TasksListsOutput['nodes'] = [];
    const children = new Map<string | null, string[]>();
    for (const e of edges) if (!storeParties.has(e.partyNumber)) children.set(e.parentPartyNumber, [...(children.get(e.parentPartyNumber) ?? []), e.partyNumber]);
    const walk = (p: string | null, depth: number, seen: Set<string>) => {
      for (const c of (children.get(p) ?? []).sort((a, b) => (name.get(a) ?? '').localeCompare(name.get(b) ?? ''))) {
        if (seen.has(c)) continue;
        seen.add(c);
        if (count.get(c)) out.push({ name: name.get(c) ?? c, depth, parent: p ? name.get(p) ?? null : null, stores: count.get(c)! });
        walk(c, depth + 1, seen);
      }
    };
    walk(null, 0, new Set());
    return { hierarchy: picked.hierarchy.name, nodes: out };
  }

  // ------------------------------------------------------------------------------------------ publish

  private target(input: TasksPublishInput): void {
    if (!!input.stores === !!input.hierarchyNode) throw new AppFailure('TASKS_TARGET_REQUIRED', 'Publish to stores or to a hierarchy node (one of them).');
  }

  async previewPublish(input: TasksPublishInput): Promise<TasksPreview> {
    this.target(input);
    const e = this.engine('publish');
    return guard(async () => e.preview(await this.context(), input));
  }

  async publish(input: TasksPublishInput): Promise<TasksPublishOutcome> {
    this.requireEnabled();
    this.target(input);
    const e = this.engine('publish');
    const r = await this.exclusive('publish', async (onProgress, signal) => guard(async () => e.publish(await this.context(onProgress, signal), input)));
    this.changed('report');
    return r;
  }

  // ------------------------------------------------------------------------------------------ sync, conflicts

  async sync(): Promise<TasksSyncOutcome> {
    this.requireEnabled();
    const e = this.engine('sync');
    const r = await this.exclusive('sync', async (onProgress, signal) => guard(async () => e.sync(await this.context(onProgress, signal))));
    const at = this.d.clock.now();
    this.lastSync = { ...r, at };
    this.settings.synced(at);
    this.changed('settings', 'conflicts', 'report');
    return this.lastSync;
  }

  conflicts(): TasksConflict[] {
    if (this.d.engines.sync) return this.d.engines.sync.conflicts(this.d.db);
    return this.conflictsSql.all().map((r) => ({
      id: r.id, storeNumber: r.store_number ?? '', processId: r.process_id ?? '', taskId: r.task_id ?? '', title: r.title ?? '',
      field: r.field, baseValue: r.base_value, commerceValue: r.commerce_value, plannerValue: r.planner_value, detectedAt: r.detected_at,
    }));
  }

  async resolveConflict(id: number, keep: 'commerce' | 'planner'): Promise<TasksConflict[]> {
    this.requireEnabled();
    if (!this.conflicts().some((c) => c.id === id)) throw new AppFailure('TASKS_CONFLICT_NOT_FOUND', `There is no open conflict ${id}: it was resolved or a sync settled it.`, { id });
    const e = this.engine('sync');
    // Keeping a value writes it to the other side at once: a sync run (one at a time, with progress).
    const ok = await this.exclusive('sync', async (onProgress) => guard(async () => e.resolve(await this.context(onProgress), id, keep)));
    if (!ok) throw new AppFailure('TASKS_CONFLICT_NOT_FOUND', `There is no open conflict ${id}: it was resolved or a sync settled it.`, { id });
    this.changed('conflicts', 'report');
    return this.conflicts();
  }

  // ------------------------------------------------------------------------------------------ report

  async report(input: { taskListId?: string | undefined; store?: string | undefined }): Promise<TasksReport> {
    const e = this.engine('report');
    const clean = { ...(input.taskListId ? { taskListId: input.taskListId } : {}), ...(input.store ? { store: input.store } : {}) };
    const r = await guard(async () => e.report(await this.context(), clean));
    return { ...r, generatedAt: this.d.clock.now() };
  }

  async exportReport(input: { taskListId?: string | undefined; labels?: TasksXlsxLabels | undefined }): Promise<{ path: string; fileName: string }> {
    const e = this.engine('report');
    if (!this.d.exportDir) throw new AppFailure('TASKS_EXPORT_FAILED', 'This console has no data folder to export to.', { message: 'no exports folder' });
    const bytes = await guard(async () => e.xlsx(await this.context(), { ...(input.taskListId ? { taskListId: input.taskListId } : {}), ...(input.labels ? { labels: input.labels } : {}) }));
    const day = new Date(this.d.clock.now()).toISOString().slice(0, 10);
    const safe = (input.taskListId ?? 'all').replace(/[^A-Za-z0-9_-]+/g, '_');
    const fileName = `task-completion-${safe}-${day}.xlsx`;
    try {
      await mkdir(this.d.exportDir, { recursive: true });
      const file = path.join(this.d.exportDir, fileName);
      await writeFile(file, bytes);
      return { path: file, fileName };
    } catch (x) {
      throw new AppFailure('TASKS_EXPORT_FAILED', `The report could not be written to ${this.d.exportDir}: ${(x as Error).message}`, { message: (x as Error).message });
    }
  }

  // ------------------------------------------------------------------------------------------ schedule

  getSchedule(): TasksSchedule {
    const s = this.settings.get();
    return { entry: TASKS_SYNC_ENTRY, enabled: s.scheduleEnabled, everyMinutes: s.everyMinutes, ...this.schedule.state() };
  }

  setSchedule(o: { enabled: boolean; everyMinutes: number }): TasksSchedule {
    if (this.schedule.running()) throw new AppFailure('TASKS_BUSY', 'The scheduled sync is running now: wait for it to finish, then change the schedule.', { operation: 'sync' });
    this.settings.setSchedule(o.enabled, o.everyMinutes);
    this.schedule.set(o.enabled && this.settings.get().enabled, o.everyMinutes);
    this.changed('schedule');
    return this.getSchedule();
  }

  /**
   * The scheduler's step (the heartbeat calls it; tests call it after moving the clock): when the entry is due and
   * task management is enabled, the status sync runs through the kernel scheduler's bookkeeping.
   */
  async tick(): Promise<{ ran: string[]; failed: string[] }> {
    if (this.busy || !this.settings.get().enabled) return { ran: [], failed: [] };
    const report = await this.schedule.tick(async () => void (await this.sync()));
    if (report.ran.length || report.failed.length) this.changed('schedule');
    return report;
  }
}
