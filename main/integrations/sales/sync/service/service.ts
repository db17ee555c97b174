/**
 * SyncService: the console's sync operations over one SyncEngine (reference §E): runs in the background with
 * progress pushed as events, the job log, the job queue and the manual actions. Built from ports (Db, Clock, a
 * SidesFactory), so the app, the CLI and the tests share it.
 *
 * Runs are serialised per BC table (the engine refuses a second concurrent run of the same table, because
 * couplings are per table); different tables may run at the same time.
 */
import { randomUUID } from 'node:crypto';
import type {
  SyncCounters, SyncErrorGroupDto, SyncFinished, SyncJobDto, SyncJobErrorDto, SyncMappingStatus, SyncMessageCode, SyncPassDirection, SyncPhase, SyncProgress,
  SyncQueueEntryDto, SyncReview, SyncSkippedDto, SyncSource, SyncStatus,
} from '../../../../../preload/contract';
import type { Db } from '../../../../db/database';
import { defaultMappings } from '../../mappings/defaults';
import { defaultJobs } from '../../mappings/jobs';
import type { MappingOptions, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { MappingStore } from '../../mappings/store';
import { SALES_MAPPING_SET } from '../../setup/service';
import * as connect from '../adapters/connect';
import type { Clock, Logger } from '../../../../ports';
import { AppFailure } from '../../../../rpc/errors';
import { ADAPTER_MAPPINGS, adapterMappings, DOCUMENT_MAPPINGS, MASTER_DATA_MAPPINGS, PRODUCT_MAPPINGS, type ConnectedSides } from '../adapters/connect';
import { domainEngineOptions, type RuleDeps, type RuleSettings } from '../rules';
import { createSalesOrdersFromSubmitted, settlePostedOrders } from '../rules/orders';
import { updateAccountStatistics } from '../rules/statistics';
import { CouplingError } from '../coupling/store';
import { MappingConfigError, SyncEngine, type EngineOptions, type SyncProgress as EngineProgress } from '../engine/engine';
import * as manual from '../engine/manual';
import { TableLeasedError, TableLeases } from '../../../../kernel/runs/lease';
import { JobLog, zeroCounters, type Counters, type SyncJob } from '../jobs/log';
import { JobQueue, Scheduler, wakeInactive, type QueueEntry, type TickReport } from '../../../../kernel/jobs/queue';
import { mappingProbe } from '../jobs/runner';
import type { Row, SidePort, SyncSides } from '../ports';
import { nextToStart, reviewLines, reviewMappings, startOrder, type ReviewCounts, type ReviewLine } from '../review/planner';
import { runFullSync, runReview } from '../review/run';
import { heldForInitialSync, releaseInitialHold } from './initial-hold';
import { causeKey, fixOf, messageCode, stripSkippedNote } from './messages';
import { EventPump } from '../../../../kernel/runs/pump';
import { COUNT_CAP, reviewCounts } from './review-counts';
import { withChangedEvents, type SyncEventSink } from './changed';
import type { SidesFactory } from './sides';

/** progress, finished and (optional) sync.changed: changed.ts derives the run's changes, the queue's are sent below. */
export type SyncEvents = SyncEventSink;

export interface SyncServiceDeps {
  db: Db;
  clock: Clock;
  sides: SidesFactory;
  events: SyncEvents;
  logger?: Logger;
  /** The table mappings sync may run (default: those the HTTP adapters carry). */
  mappings?: () => TableMapping[];
  engineOptions?: Omit<EngineOptions, 'onProgress' | 'integrationUserId'>;
  /** Minimum spacing of events per run (default 200 ms = 5 events/s). */
  eventIntervalMs?: number;
  /**
   * The domain rules (owner, currency, units, prices, documents) and the mapping options they follow, read at each
   * connection (from the setup). With it the service runs every mapping the adapters carry, rules included; without
   * it only the plain ITEM-PRODUCT / CUSTOMER field transfer.
   */
  domain?: () => { settings: RuleSettings; options: Partial<MappingOptions> };
  /**
   * Who this service is to another process on the same database (the table leases' label, e.g. "the Integration
   * Console" or "the d365ic CLI"), and the lease timing (tests).
   */
  owner?: string;
  leaseTtlMs?: number;
}

/** Every mapping the adapters carry with the domain rules on, in the reference's dependency order. */
export const RULED_MAPPINGS = [...MASTER_DATA_MAPPINGS, ...ADAPTER_MAPPINGS, ...PRODUCT_MAPPINGS, ...DOCUMENT_MAPPINGS] as const;

/** Per default mapping: whether the engine can run it, and if not why (adapters/connect.ts `mappingSupport`). */
export type MappingSupport = { name: string; runnable: true } | { name: string; runnable: false; reason: SyncMessageCode };

/**
 * The adapters' own answer when they give one (`mappingSupport(options)`); otherwise the mappings the adapters
 * carry with the rules run and every other default mapping says so (code notCarried) instead of being left out.
 */
export function mappingSupport(options: Partial<MappingOptions>): MappingSupport[] {
  const fromAdapters = (connect as unknown as { mappingSupport?: (o: Partial<MappingOptions>) => MappingSupport[] }).mappingSupport;
  if (typeof fromAdapters === 'function') return fromAdapters(options);
  const carried = new Set<string>(RULED_MAPPINGS);
  return defaultMappings(options).map((m): MappingSupport => (carried.has(m.name) ? { name: m.name, runnable: true } : { name: m.name, runnable: false, reason: { code: 'notCarried', params: { mapping: m.name } } }));
}

/** What the console lists (every default mapping) and what of it the engine can run. */
interface Catalog {
  listed: TableMapping[];
  runnable: TableMapping[];
  reasons: Map<string, SyncMessageCode>;
}

/**
 * The administrator's match-based coupling choices from the stored mapping set (the mapping editor's *Use for
 * match-based coupling*, priority, case sensitivity, Create New in Case of No Match) over the mapping sync runs.
 */
function withMatchChoices(m: TableMapping, stored: TableMapping | undefined): TableMapping {
  if (!stored) return m;
  const same = (a: TableMapping['fields'][number], b: TableMapping['fields'][number]) => a.bcField === b.bcField && a.dataverseField === b.dataverseField;
  return {
    ...m,
    createNewInCaseOfNoMatch: stored.createNewInCaseOfNoMatch,
    synchAfterBulkCoupling: stored.synchAfterBulkCoupling,
    fields: m.fields.map((f) => {
      const s = stored.fields.find((x) => same(x, f));
      return s ? { ...f, useForMatchBasedCoupling: s.useForMatchBasedCoupling, matchPriority: s.matchPriority, caseSensitiveMatching: s.caseSensitiveMatching } : f;
    }),
  };
}

interface MappingRun {
  mapping: TableMapping;
  /** Set for a mapping the engine cannot run: Run all reports it as failed with this reason instead of leaving it out. */
  reason?: SyncMessageCode;
  phase: SyncPhase;
  direction: SyncPassDirection | null;
  counters: SyncCounters;
  /** Records written so far: the engine's counters (inserted + modified + deleted) summed over the item's jobs. */
  written: number;
  jobs: Map<string, number>;
}

interface Run {
  id: string;
  full: boolean;
  cancelled: boolean;
  tables: Set<number>;
  items: MappingRun[];
  pump: EventPump;
  done: Promise<SyncFinished>;
}

/** The review page's state (E.12), kept in memory: lines (job status updated in place by runReview) and messages. */
interface ReviewState {
  lines: ReviewLine[];
  counts: Map<string, { bc: number; dv: number; bcUncoupled: number; dvUncoupled: number }>;
  messages: Map<string, string>;
  /** The messages as codes (results, coupleResults, countFailed, or a recognised engine text). */
  codes: Map<string, SyncMessageCode | null>;
  /** Why a line's mapping cannot run (from mappingSupport). */
  reasons: Map<string, SyncMessageCode>;
  runId: string | null;
  finishedAt: number | null;
  cancelled: boolean;
}

/** Thrown into runReview between lines to end a cancelled cascade (the running line finishes first). */
class ReviewCancelled extends Error {}

const JOB_DIRECTION = { to: 'ToIntegrationTable', from: 'FromIntegrationTable' } as const;

/** Maps engine/coupling failures onto AppFailures with stable codes; everything else is rethrown as is. */
function explain(x: unknown): unknown {
  if (x instanceof AppFailure) return x;
  if (x instanceof MappingConfigError) {
    const running = /\(([^)]+)\) is already running/.exec(x.message);
    if (running) return new AppFailure('SYNC_ALREADY_RUNNING', x.message, { mapping: running[1]! });
    return new AppFailure('SYNC_MAPPING_CONFIG', x.message, { detail: x.message });
  }
  if (x instanceof CouplingError) return new AppFailure('SYNC_COUPLING_REFUSED', x.message, { detail: x.message });
  if (x instanceof TableLeasedError) return leasedFailure(x);
  return x;
}

/** Another process holds the table: a code and params the renderer translates, the English text for the CLI. */
function leasedFailure(x: TableLeasedError): AppFailure {
  const h = x.holder;
  return new AppFailure('SYNC_TABLE_LEASED', x.message, { table: x.tableName, mapping: h.mapping, holder: h.label, pid: h.pid, host: h.host, since: new Date(h.since).toISOString() });
}

/** Records an engine pass wrote (its progress counters): what progress reports as `written`. */
const writtenOf = (c: Counters): number => c.inserted + c.modified + c.deleted;
const rethrow = (x: unknown): never => {
  throw explain(x);
};

export class SyncService {
  private engine: { key: string; engine: SyncEngine; connected: ConnectedSides } | null = null;
  private connecting: Promise<{ key: string; engine: SyncEngine; connected: ConnectedSides }> | null = null;
  private readonly runs = new Map<string, Run>();
  /** Mapping name → the run currently running it (progress and cancellation are looked up through this). */
  private readonly active = new Map<string, { run: Run; item: MappingRun }>();
  readonly queue: JobQueue;
  /** Reads only: the engine (made at the first connection) owns closing jobs a dead process left open. */
  private readonly log: JobLog;
  private readonly q;
  private readonly mappingsOf: () => TableMapping[];
  private readonly interval: number;
  private ticking = false;
  /** When the heartbeat last looked at the queue (null: not in this process). */
  private lastTick: number | null = null;
  private reviewState: ReviewState | null = null;
  private reviewing: Promise<ReviewState> | null = null;
  private stored: { revision: string; byName: Map<string, TableMapping> } | null = null;
  private cat: { key: string; value: Catalog } | null = null;
  /** This service's hold on BC tables in the database, shared by every engine it makes (jobs/lease.ts). */
  readonly leases: TableLeases;

  constructor(private readonly d: SyncServiceDeps) {
    this.d = { ...d, events: withChangedEvents(d.events) };
    this.leases = new TableLeases(d.db, d.clock, { label: d.owner ?? `the process ${process.pid}`, ...(d.leaseTtlMs !== undefined ? { ttlMs: d.leaseTtlMs } : {}) });
    this.queue = new JobQueue(d.db, d.clock);
    this.log = new JobLog(d.db, () => d.clock.now());
    this.mappingsOf = () => this.catalog().runnable;
    this.interval = d.eventIntervalMs ?? 200;
    const p = (sql: string) => d.db.prepare(sql);
    this.q = {
      last: p(`SELECT * FROM sync_jobs WHERE mapping = ? AND type = 'Synchronization' AND direction = ? ORDER BY started_at DESC, rowid DESC LIMIT 1`),
      jobsAll: p('SELECT * FROM sync_jobs ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?'),
      jobsOf: p('SELECT * FROM sync_jobs WHERE mapping = ? ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?'),
      countAll: p('SELECT COUNT(*) AS n FROM sync_jobs'),
      countOf: p('SELECT COUNT(*) AS n FROM sync_jobs WHERE mapping = ?'),
      job: p('SELECT mapping FROM sync_jobs WHERE id = ?'),
      state: p('SELECT bc_watermark AS bc, dv_watermark AS dv FROM sync_mapping_state WHERE mapping = ?'),
      // Real couplings only: a pending one is a create that has not been confirmed (it failed, or is under way).
      // Option mappings couple in sync_option_couplings (CRM Option Mapping), keyed by mapping name.
      couplings: p(`SELECT (SELECT COUNT(*) FROM sync_couplings WHERE table_id = ? AND pending = 0)
                   + (SELECT COUNT(*) FROM sync_option_couplings WHERE mapping = ?) AS n`),
      skipped: p('SELECT COUNT(*) AS n FROM sync_couplings WHERE skipped = 1 AND table_id = ?'),
      skippedPage: p('SELECT id, bc_id, dv_id, error_to, error_from FROM sync_couplings WHERE skipped = 1 AND table_id = ? AND id > ? ORDER BY id LIMIT ?'),
      errorMessages: p('SELECT message, COUNT(*) AS n, MIN(no) AS first FROM sync_job_errors WHERE job_id = ? GROUP BY message'),
    };
  }

  // ---- connection / engine ------------------------------------------------------------------------

  /**
   * The engine for the current profiles. Connecting (HTTP clients, companies, whoAmI) happens only when the cheap
   * source description (`sides.key()`) changed: runs, manual actions and ticks reuse the connection. A new engine
   * is only made when the profiles changed and nothing is running.
   */
  private async current(): Promise<{ key: string; engine: SyncEngine; connected: ConnectedSides }> {
    if (this.connecting) return this.connecting;
    this.connecting = (async () => {
      const cheap = this.d.sides.key ? await this.d.sides.key() : null;
      if (cheap !== null && this.engine?.key === cheap) return this.engine;
      const { key, sides } = await this.d.sides.connect();
      if (this.engine?.key === key) return this.engine;
      if (this.engine && this.active.size > 0)
        throw new AppFailure('SYNC_ALREADY_RUNNING', 'The connections changed while a synchronization is running. Wait for it to finish, then try again.', { mapping: [...this.active.keys()].join(', ') });
      const watched = this.watch(sides.sides);
      const rules = this.d.domain ? domainEngineOptions({ db: this.d.db, clock: this.d.clock, sides: watched, settings: this.d.domain().settings }) : {};
      const engine = new SyncEngine(this.d.db, watched, this.d.clock, {
        pageSize: 1000, batchSize: 500, maxInFlight: 4, ...rules, ...this.d.engineOptions,
        integrationUserId: sides.integrationUserId, leases: this.leases,
        onProgress: (p) => this.onEngineProgress(p),
      });
      this.engine = { key, engine, connected: sides };
      return this.engine;
    })();
    try {
      return await this.connecting;
    } finally {
      this.connecting = null;
    }
  }

  /**
   * Every default mapping for the setup's options (listed, never silently left out) and the ones the engine can
   * run, with the stored set's match-based coupling choices. Without domain rules: the plain ITEM-PRODUCT / CUSTOMER.
   */
  catalog(): Catalog {
    const d = this.d;
    if (d.mappings) {
      const all = d.mappings();
      return { listed: all, runnable: all, reasons: new Map() };
    }
    if (!d.domain) {
      const plain = adapterMappings().map((m) => withMatchChoices(m, this.storedMappings().get(m.name)));
      return { listed: plain, runnable: plain, reasons: new Map() };
    }
    const options = d.domain().options;
    const stored = this.storedMappings();
    // Building the catalog takes ~13 ms; the status, the queue and every run ask for it: keep it while nothing changed.
    const key = `${JSON.stringify(options)}|${this.stored?.revision ?? ''}`;
    if (this.cat?.key === key) return this.cat.value;
    const support = mappingSupport(options);
    const reasons = new Map(support.flatMap((x) => (x.runnable ? [] : [[x.name, x.reason] as const])));
    const runnable = adapterMappings(options, support.filter((x) => x.runnable).map((x) => x.name), { withRules: true }).map((m) => withMatchChoices(m, stored.get(m.name)));
    const byName = new Map(runnable.map((m) => [m.name, m]));
    const listed = defaultMappings(options).map((m) => byName.get(m.name) ?? withMatchChoices(m, stored.get(m.name)));
    this.cat = { key, value: { listed, runnable, reasons } };
    return this.cat.value;
  }

  /**
   * The stored set whose match-based coupling choices sync follows, by mapping name: "Dynamics 365 Sales" (the one
   * enabling creates); before that, the set the mapping editor opens first (a new console's "Default mappings"), so
   * match fields ticked in the editor count on the demo connection too.
   */
  private storedMappings(): Map<string, TableMapping> {
    try {
      const store = new MappingStore(this.d.db);
      const sets = store.list();
      const info = sets.find((x) => x.name === SALES_MAPPING_SET) ?? sets[0];
      if (!info) {
        this.stored = null;
        return new Map();
      }
      const revision = `${info.id}:${info.revision}:${info.updatedAt}`;
      if (this.stored?.revision !== revision) this.stored = { revision, byName: new Map(store.load(info.id).set.mappings.map((m) => [m.name, m])) };
      return this.stored.byName;
    } catch (x) {
      // A set that does not load (another version wrote it) must not stop sync: the defaults' choices apply.
      this.d.logger?.warn('The stored mapping set could not be read for sync', x instanceof Error ? x.message : String(x));
      return new Map();
    }
  }

  private mapping(name: string): TableMapping {
    const cat = this.catalog();
    const m = cat.runnable.find((x) => x.name === name);
    if (m) return m;
    const reason = cat.reasons.get(name);
    if (reason)
      throw new AppFailure('SYNC_MAPPING_NOT_RUNNABLE', `${name} cannot be synchronized by the console yet (${reason.code}).`, { mapping: name, reason: reason.code, ...reason.params });
    throw new AppFailure('SYNC_MAPPING_NOT_FOUND', `There is no table mapping "${name}" that can be synchronized. Available: ${cat.runnable.map((x) => x.name).join(', ')}.`, { mapping: name });
  }

  /** Sides as the engine sees them: a cancelled run stops selecting between pages (progress comes from the engine). */
  private watch(sides: SyncSides): SyncSides {
    const runOf = (entity: string) => {
      for (const a of this.active.values()) if (a.item.mapping.bcTable === entity || a.item.mapping.dataverseEntitySet === entity) return a;
      return undefined;
    };
    const wrap = (s: SidePort): SidePort => new Proxy(s, {
      get: (target, prop, recv) => {
        if (prop === 'queryModified')
          return (entity: string, q: Parameters<SidePort['queryModified']>[1]) => cancellable(target.queryModified(entity, q), () => runOf(entity)?.run.cancelled === true);
        return Reflect.get(target, prop, recv) as unknown;
      },
    });
    return { bc: wrap(sides.bc), dataverse: wrap(sides.dataverse) };
  }

  private onEngineProgress(p: EngineProgress): void {
    const a = this.active.get(p.mapping);
    if (!a) return;
    a.item.direction = p.dir;
    a.item.counters = { ...p.counters };
    // One path for progress: the engine's counters after each committed batch, summed over the item's jobs.
    a.item.jobs.set(p.jobId, writtenOf(p.counters));
    a.item.written = [...a.item.jobs.values()].reduce((x, y) => x + y, 0);
    // The end of a pass is never replaced by the next pass's first batch: each pass's final counters arrive.
    this.progress(a.run, a.item, false, p.done);
  }

  private progress(run: Run, item: MappingRun, terminal: boolean, keep = terminal): void {
    const payload: SyncProgress = {
      runId: run.id, mapping: item.mapping.name, direction: item.direction, phase: item.phase, counters: { ...item.counters },
      written: item.written, done: terminal,
    };
    run.pump.push({ key: `${item.mapping.name}:${item.direction ?? ''}`, replaceable: !keep, send: () => this.d.events.progress(payload) });
  }

  // ---- runs ---------------------------------------------------------------------------------------

  /**
   * Starts a run of one mapping, or of every mapping in dependency order (`null`), and answers with its id at
   * once; connection problems are reported here, record and mapping failures in the events and the job log.
   */
  async run(mapping: string | null, full: boolean): Promise<{ runId: string; done: Promise<SyncFinished> }> {
    if (mapping !== null) return this.start([this.mapping(mapping)], full, null);
    // Run all: every listed mapping in dependency order; one the engine cannot run ends failed with its reason.
    const cat = this.catalog();
    return this.start(manual.modifiedRecordsOrder(cat.listed), full, null, cat.reasons);
  }

  private async start(wanted: TableMapping[], full: boolean, queueEntry: string | null, reasons: ReadonlyMap<string, SyncMessageCode> = new Map()): Promise<{ runId: string; done: Promise<SyncFinished> }> {
    this.refuseBusy(wanted);
    const { engine } = await this.current().catch(rethrow);
    this.refuseBusy(wanted); // connecting awaited: another run may have started meanwhile
    const run: Run = {
      id: randomUUID(), full, cancelled: false, tables: new Set(wanted.map((m) => m.bcTableId)),
      items: wanted.map((m) => ({ mapping: m, phase: 'queued', direction: null, counters: zeroCounters(), written: 0, jobs: new Map(), ...(reasons.has(m.name) ? { reason: reasons.get(m.name)! } : {}) })),
      pump: new EventPump(this.interval, () => Date.now()), done: Promise.resolve(null as never),
    };
    this.runs.set(run.id, run);
    for (const item of run.items) this.active.set(item.mapping.name, { run, item });
    run.done = this.execute(engine, run, queueEntry);
    return { runId: run.id, done: run.done };
  }

  private refuseBusy(wanted: TableMapping[]): void {
    for (const m of wanted) {
      for (const a of this.active.values())
        if (a.item.mapping.bcTableId === m.bcTableId)
          throw new AppFailure('SYNC_ALREADY_RUNNING', `A synchronization of ${m.bcTable} (${a.item.mapping.name}) is already running. Wait for it to finish (or cancel it), then try again.`, { mapping: a.item.mapping.name });
      // Another process on this database (the console, a CLI run) holds the table: say who, before starting anything.
      const other = this.leases.holder(m.bcTableId);
      if (other) throw leasedFailure(new TableLeasedError(m.bcTable, other));
    }
  }

  private async execute(engine: SyncEngine, run: Run, queueEntry: string | null): Promise<SyncFinished> {
    const results: SyncFinished['results'] = [];
    const job = (j: SyncJob | null): SyncJobDto | null => j && toDto(j);
    // Let the caller receive the run id before the first event.
    await Promise.resolve();
    for (const item of run.items) {
      const m = item.mapping;
      if (run.cancelled) {
        item.phase = 'cancelled';
        this.progress(run, item, true);
        this.active.delete(m.name);
        continue;
      }
      if (item.reason) {
        item.phase = 'failed';
        results.push({
          mapping: m.name, to: null, from: null,
          error: { code: 'SYNC_MAPPING_NOT_RUNNABLE', message: `${m.name} cannot be synchronized by the console yet (${item.reason.code}).`, params: { mapping: m.name, reason: item.reason.code, ...item.reason.params } },
        });
        this.progress(run, item, true);
        this.active.delete(m.name);
        continue;
      }
      item.phase = 'running';
      this.progress(run, item, false);
      try {
        const r = queueEntry !== null
          ? await this.runQueueEntry(engine, queueEntry)
          : run.full ? await runFullSync(engine, m) : await engine.runMapping(m);
        item.phase = run.cancelled ? 'cancelled' : 'done';
        const last = r.from ?? r.to;
        if (last) item.counters = pick(last);
        results.push({ mapping: m.name, to: job(r.to), from: job(r.from), error: null });
      } catch (x) {
        const e = explain(x);
        item.phase = 'failed';
        if (!(e instanceof AppFailure)) this.d.logger?.error(`Synchronization of ${m.name} failed`, (e as Error).message);
        results.push({
          mapping: m.name, to: null, from: null,
          error: e instanceof AppFailure ? { code: e.code, message: e.message, ...(e.params ? { params: e.params } : {}) } : { code: 'SYNC_RUN_FAILED', message: (e as Error).message || String(e) },
        });
      }
      this.progress(run, item, true);
      this.active.delete(m.name);
    }
    const finished: SyncFinished = { runId: run.id, cancelled: run.cancelled, results };
    run.pump.push({ key: '', replaceable: false, send: () => this.d.events.finished(finished) });
    await run.pump.flushed();
    this.runs.delete(run.id);
    return finished;
  }

  /** Cooperative: the running pass stops selecting after the current page; remaining mappings do not start. */
  cancel(runId: string): boolean {
    const run = this.runs.get(runId);
    if (!run || run.cancelled) return false;
    run.cancelled = true;
    return true;
  }

  // ---- full synchronization review (E.12) -----------------------------------------------------------

  /**
   * The review: lines with counts, recommendation and job status. Kept between calls so the page can poll the
   * cascade; `refresh` recounts from the sides and resets the statuses, except while the cascade runs.
   */
  async review(refresh: boolean): Promise<SyncReview> {
    const s = this.reviewState;
    if (s && (!refresh || s.runId !== null)) return reviewDto(s);
    return reviewDto(await this.countReview());
  }

  private reviewOptions() {
    const options = this.d.domain?.().options ?? {};
    return { ownership: options.ownership ?? 'person', orders: options.orders ?? 'none' } as const;
  }

  /** One line's counts (both sides, and how many of them are not coupled yet). */
  private async countLine(engine: SyncEngine, connected: ConnectedSides, m: TableMapping): Promise<ReviewCounts> {
    const c = engine.couplings;
    return reviewCounts(connected.sides, m, COUNT_CAP, {
      count: c.count(m.bcTableId), bc: (id) => c.byBc(m.bcTableId, id) !== undefined, dv: (id) => c.byDv(m.bcTableId, id) !== undefined,
    });
  }

  private async countReview(): Promise<ReviewState> {
    if (this.reviewing) return this.reviewing;
    this.reviewing = (async () => {
      const { engine, connected } = await this.current().catch(rethrow);
      const o = this.reviewOptions();
      const cat = this.catalog();
      const mappings = reviewMappings(cat.listed, o);
      const counted = new Map<string, ReviewCounts>();
      const failed = new Map<string, string>();
      // Every line's probes at once: the side adapters' limiters bound the concurrency.
      await Promise.all(mappings.map(async (m) => {
        try {
          counted.set(m.name, await this.countLine(engine, connected, m));
        } catch (x) {
          // A mapping the engine cannot run says why on its line; counting it is only a courtesy.
          if (!cat.reasons.has(m.name)) failed.set(m.name, countFailure(x));
        }
      }));
      const lines = reviewLines(mappings, o, (m) => counted.get(m.name) ?? { bc: 0, dv: 0 }, (m) => !cat.reasons.has(m.name));
      // A line without counts has no trustworthy recommendation: it never starts, and neither do its dependants.
      for (const l of lines) if (failed.has(l.name)) l.jobStatus = 'Error';
      const state: ReviewState = {
        lines, counts: new Map(lines.map((l) => [l.name, countsOf(counted.get(l.name))])),
        messages: failed, codes: new Map([...failed].map(([k, v]) => [k, { code: 'countFailed', params: { detail: v } }])),
        reasons: new Map(lines.flatMap((l) => (cat.reasons.has(l.name) ? [[l.name, cat.reasons.get(l.name)!] as const] : []))),
        runId: null, finishedAt: null, cancelled: false,
      };
      // A cascade started while counting keeps its own state.
      if (this.reviewState?.runId) return this.reviewState;
      this.reviewState = state;
      return state;
    })();
    try {
      return await this.reviewing;
    } finally {
      this.reviewing = null;
    }
  }

  /**
   * Retry one line (a failed job, or counts that could not be read): its counts are read again, its recommendation
   * follows them, and its status is cleared so *Start* can run it (and release its dependants) again.
   */
  async retryReviewLine(name: string): Promise<SyncReview> {
    if (this.reviewState?.runId)
      throw new AppFailure('SYNC_ALREADY_RUNNING', 'The full synchronization review is running. Wait for it to finish (or cancel it), then retry the line.', { mapping: 'full synchronization review' });
    const state = this.reviewState ?? (await this.countReview());
    const line = state.lines.find((l) => l.name === name);
    if (!line) throw new AppFailure('SYNC_REVIEW_LINE_NOT_FOUND', `The review has no line "${name}". Count again to refresh the review.`, { mapping: name });
    const cat = this.catalog();
    const m = cat.listed.find((x) => x.name === name);
    if (!m) throw new AppFailure('SYNC_MAPPING_NOT_FOUND', `There is no table mapping "${name}". Count again to refresh the review.`, { mapping: name });
    const { engine, connected } = await this.current().catch(rethrow);
    try {
      const counts = await this.countLine(engine, connected, m);
      const [fresh] = reviewLines([m], this.reviewOptions(), () => counts, () => !cat.reasons.has(name));
      if (fresh) Object.assign(line, { recommendation: fresh.recommendation, needsMatchFields: fresh.needsMatchFields, runnable: fresh.runnable, jobStatus: '', jobFinished: false });
      state.counts.set(name, countsOf(counts));
      state.messages.delete(name);
      state.codes.delete(name);
    } catch (x) {
      const message = countFailure(x);
      Object.assign(line, { jobStatus: 'Error', jobFinished: false });
      state.messages.set(name, message);
      state.codes.set(name, { code: 'countFailed', params: { detail: message } });
    }
    state.finishedAt = null;
    return reviewDto(state);
  }

  /**
   * Starts the cascade (E.12 "Start") in the background: every line whose dependencies are done runs (Full →
   * full synchronization of a temporary copy, Couple → match-based coupling), finished lines release their
   * dependants. The tables of every line that may run are locked for the whole cascade, like a run.
   */
  async startReview(): Promise<{ runId: string; done: Promise<SyncFinished> }> {
    const busy = () => {
      if (this.reviewState?.runId)
        throw new AppFailure('SYNC_ALREADY_RUNNING', 'The full synchronization review is already running. Wait for it to finish (or cancel it), then try again.', { mapping: 'full synchronization review' });
    };
    busy();
    const state = this.reviewState ?? (await this.countReview());
    busy();
    const names = startOrder(state.lines).waves.flat();
    if (names.length === 0)
      throw new AppFailure('SYNC_REVIEW_NOTHING_TO_START', 'No review line can start: every line has finished, has no records, or waits for a line that failed. Refresh the review to count again and start over.');
    const wanted = names.map((n) => this.mapping(n));
    this.refuseBusy(wanted);
    const { engine } = await this.current().catch(rethrow);
    busy();
    this.refuseBusy(wanted);
    // The cascade's tables are held in the database for the whole cascade (its coupling jobs run outside runMapping).
    const tables = [...new Map(wanted.map((m) => [m.bcTableId, m])).values()];
    const held: number[] = [];
    try {
      for (const m of tables) {
        this.leases.acquire(m.bcTableId, m.name, m.bcTable);
        held.push(m.bcTableId);
      }
    } catch (x) {
      for (const id of held) this.leases.release(id);
      return rethrow(x);
    }
    const run: Run = {
      id: randomUUID(), full: true, cancelled: false, tables: new Set(wanted.map((m) => m.bcTableId)),
      items: wanted.map((m) => ({ mapping: m, phase: 'queued', direction: null, counters: zeroCounters(), written: 0, jobs: new Map() })),
      pump: new EventPump(this.interval, () => Date.now()), done: Promise.resolve(null as never),
    };
    this.runs.set(run.id, run);
    for (const item of run.items) this.active.set(item.mapping.name, { run, item });
    // A refresh that finished while we connected replaced the state: the cascade runs on (and shows) this one.
    this.reviewState = state;
    Object.assign(state, { runId: run.id, finishedAt: null, cancelled: false });
    run.done = this.executeReview(engine, run, state).finally(() => {
      for (const id of held) this.leases.release(id);
    });
    return { runId: run.id, done: run.done };
  }

  private async executeReview(engine: SyncEngine, run: Run, state: ReviewState): Promise<SyncFinished> {
    const results: SyncFinished['results'] = [];
    const itemOf = (name: string) => run.items.find((i) => i.mapping.name === name);
    await Promise.resolve();
    try {
      await runReview(engine, state.lines, (name) => {
        // runReview asks for the mapping right before it starts a line: the moment to stop, or to say "running".
        if (run.cancelled) throw new ReviewCancelled();
        const item = itemOf(name);
        if (item) {
          item.phase = 'running';
          this.progress(run, item, false);
        }
        return item?.mapping ?? this.mappingsOf().find((m) => m.name === name);
      }, (p) => {
        state.messages.set(p.line, p.message);
        state.codes.set(p.line, p.result ?? messageCode(p.message));
        const item = itemOf(p.line);
        if (item) {
          item.phase = p.status === 'Success' ? 'done' : 'failed';
          this.progress(run, item, true);
          this.active.delete(p.line);
        }
        results.push({ mapping: p.line, to: null, from: null, error: p.status === 'Error' ? { code: 'SYNC_REVIEW_LINE_FAILED', message: p.message } : null });
      });
    } catch (x) {
      if (!(x instanceof ReviewCancelled)) {
        const message = x instanceof Error ? x.message : String(x);
        this.d.logger?.error('The full synchronization review stopped', message);
        results.push({ mapping: '', to: null, from: null, error: { code: 'SYNC_RUN_FAILED', message } });
      }
    }
    // Lines that never started (cancelled, or waiting for a line that failed) release their tables.
    for (const item of run.items) {
      if (this.active.get(item.mapping.name)?.run !== run) continue;
      item.phase = 'cancelled';
      this.progress(run, item, true);
      this.active.delete(item.mapping.name);
    }
    Object.assign(state, { runId: null, finishedAt: this.d.clock.now(), cancelled: run.cancelled });
    // The initial synchronization is done when every line finished or had nothing to do: the job queue entries
    // that enabling held for it return to their status (as BC restores a mapping's job after its full sync).
    if (!run.cancelled && state.lines.every((l) => l.jobStatus === 'Success' || (l.recommendation === 'No Records Found' && l.jobStatus === ''))) {
      const resumed = releaseInitialHold(this.d.db, this.queue, this.d.clock);
      if (resumed.length) this.d.logger?.info(`Initial synchronization done: job queue entries resumed (${resumed.join(', ')})`);
    }
    const finished: SyncFinished = { runId: run.id, cancelled: run.cancelled, results };
    run.pump.push({ key: '', replaceable: false, send: () => this.d.events.finished(finished) });
    await run.pump.flushed();
    this.runs.delete(run.id);
    return finished;
  }

  // ---- status / log -------------------------------------------------------------------------------

  async status(): Promise<SyncStatus> {
    const source = await this.d.sides.source();
    const entries = this.queueEntries(source);
    const cat = this.catalog();
    const mappings = cat.listed.map((m): SyncMappingStatus => {
      const last = (dir: 'to' | 'from') => {
        const r = this.q.last.get(m.name, JOB_DIRECTION[dir]) as Record<string, unknown> | undefined;
        return r ? rowToJob(r) : null;
      };
      const wm = this.q.state.get(m.name) as { bc: number; dv: number } | undefined;
      const a = this.active.get(m.name);
      const entry = entries.find((e) => e.mapping === m.name) ?? null;
      return {
        name: m.name, direction: m.direction, bcTable: m.bcTable, dataverseEntity: m.dataverseEntity,
        lastTo: m.direction === 'FromIntegrationTable' ? null : last('to'),
        lastFrom: m.direction === 'ToIntegrationTable' ? null : last('from'),
        watermarks: { bc: wm && wm.bc > 0 ? wm.bc : null, dataverse: wm && wm.dv > 0 ? wm.dv : null },
        queue: entry,
        running: a ? { runId: a.run.id, phase: a.item.phase, direction: a.item.direction, counters: { ...a.item.counters }, written: a.item.written, full: a.run.full } : null,
        couplings: (this.q.couplings.get(m.bcTableId, m.name) as { n: number }).n,
        skipped: (this.q.skipped.get(m.bcTableId) as { n: number }).n,
        runnable: !cat.reasons.has(m.name), reason: cat.reasons.get(m.name) ?? null,
      };
    });
    return { source, mappings, heldForInitialSync: this.heldNames() };
  }

  /** Entries enabling left On Hold for the initial synchronization that are still On Hold. */
  private heldNames(): string[] {
    return heldForInitialSync(this.d.db).filter((h) => this.queue.get(h.name)?.status === 'On Hold').map((h) => h.name);
  }

  /** Resume now what enabling held for the initial synchronization (the administrator decides not to wait for the review). */
  releaseInitialHold(): { resumed: string[] } {
    const resumed = releaseInitialHold(this.d.db, this.queue, this.d.clock);
    this.d.events.changed?.({ what: ['queue'] });
    return { resumed };
  }

  /**
   * One job's errors grouped by cause (record ids and numbers stripped, or the message's code and params), largest
   * group first, each with the action that fixes it when the message names one.
   */
  jobErrorGroups(jobId: string): { groups: SyncErrorGroupDto[]; total: number } {
    const job = this.q.job.get(jobId) as { mapping: string } | undefined;
    if (!job) throw new AppFailure('SYNC_JOB_NOT_FOUND', 'That synchronization job is no longer in the log (it may have been deleted). Refresh the job log.');
    const rows = this.q.errorMessages.all(jobId) as { message: string; n: number; first: number }[];
    const known = new Set(this.catalog().listed.map((m) => m.name));
    const groups = new Map<string, SyncErrorGroupDto>();
    let total = 0;
    for (const r of rows) {
      total += r.n;
      const key = causeKey(r.message);
      const g = groups.get(key);
      if (g) {
        g.count += r.n;
        if (r.first < g.firstNo) Object.assign(g, { firstNo: r.first, message: stripSkippedNote(r.message) });
        continue;
      }
      const text = stripSkippedNote(r.message);
      groups.set(key, { key, count: r.n, message: text, messageCode: messageCode(text), firstNo: r.first, fix: fixOf(text, known, job.mapping) });
    }
    return { groups: [...groups.values()].sort((a, b) => b.count - a.count || a.firstNo - b.firstNo), total };
  }

  jobs(mapping: string | null, offset: number, limit: number): { jobs: SyncJobDto[]; total: number } {
    const rows = (mapping === null ? this.q.jobsAll.all(limit, offset) : this.q.jobsOf.all(mapping, limit, offset)) as Record<string, unknown>[];
    const total = ((mapping === null ? this.q.countAll.get() : this.q.countOf.get(mapping)) as { n: number }).n;
    return { jobs: rows.map(rowToJob), total };
  }

  jobErrors(jobId: string, afterNo: number, limit: number): { errors: SyncJobErrorDto[]; next: number | null } {
    if (!this.q.job.get(jobId)) throw new AppFailure('SYNC_JOB_NOT_FOUND', 'That synchronization job is no longer in the log (it may have been deleted). Refresh the job log.');
    // One more than asked tells whether there is a next page without a COUNT.
    const page = this.log.errors(jobId, afterNo, limit + 1);
    const errors = page.slice(0, limit).map((e): SyncJobErrorDto => ({
      no: e.no, jobId: e.jobId, sourceSide: e.sourceSide, sourceId: e.sourceId, destinationId: e.destinationId, message: e.message, detail: e.detail, at: e.at,
    }));
    return { errors, next: page.length > limit ? errors[errors.length - 1]!.no : null };
  }

  skipped(mapping: string, afterRowId: number, limit: number): { records: SyncSkippedDto[]; next: number | null } {
    const m = this.mapping(mapping);
    const rows = this.q.skippedPage.all(m.bcTableId, afterRowId, limit + 1) as { id: number; bc_id: string | null; dv_id: string; error_to: string | null; error_from: string | null }[];
    const records = rows.slice(0, limit).map((r) => ({ rowId: r.id, bcId: r.bc_id, dataverseId: r.dv_id, errorTo: r.error_to, errorFrom: r.error_from }));
    return { records, next: rows.length > limit ? records[records.length - 1]!.rowId : null };
  }

  // ---- queue --------------------------------------------------------------------------------------

  private queueEntries(source: SyncSource | null): SyncQueueEntryDto[] {
    if (this.queue.list().length === 0) this.queue.installDefaults(defaultJobs());
    const cat = this.catalog();
    const held = new Set(this.heldNames());
    const now = this.d.clock.now();
    const busy = (mapping: string) => {
      const m = cat.listed.find((x) => x.name === mapping);
      if (!m) return undefined;
      // Running here, or leased by another process on this database (a CLI run, another console).
      return [...this.active.values()].find((a) => a.item.mapping.bcTableId === m.bcTableId)?.item.mapping.name ?? this.leases.holder(m.bcTableId)?.mapping;
    };
    // Why an entry does not run although it is due (or never will): the queue shows it instead of a silent "Ready".
    const blockedBy = (e: QueueEntry): SyncMessageCode | null => {
      if (held.has(e.name)) return { code: 'heldForInitialSync', params: {} };
      if (e.mapping !== null) {
        const reason = cat.reasons.get(e.mapping);
        if (reason) return reason;
        if (!cat.listed.some((m) => m.name === e.mapping)) return { code: 'mappingMissing', params: { mapping: e.mapping } };
      } else if (!FEATURE_JOBS[e.name] || !this.d.domain) return { code: 'featureNotSupported', params: { name: e.name } };
      if (e.status === 'Error') return { code: 'attemptsExhausted', params: { attempts: e.attempts, max: e.maxAttempts } };
      if (e.status !== 'Ready' || e.earliestStart > now) return null;
      if (source && source.kind !== 'setup') return { code: 'queueNotEnabled', params: {} };
      const other = e.mapping === null ? undefined : busy(e.mapping);
      if (other) return { code: 'tableBusy', params: { mapping: other } };
      // The heartbeat wakes every 30 s: an entry due for longer means the queue is not running here.
      if (now - e.earliestStart > 2 * 60_000 && (this.lastTick === null || now - this.lastTick > 2 * 60_000))
        return { code: 'queueNotTicking', params: {} };
      return null;
    };
    return this.queue.list().map((e) => queueDto(e, blockedBy(e)));
  }
  async queueList(): Promise<SyncQueueEntryDto[]> {
    return this.queueEntries(await this.d.sides.source());
  }
  private entry(name: string): QueueEntry {
    const e = this.queue.get(name);
    if (!e) throw new AppFailure('SYNC_QUEUE_ENTRY_NOT_FOUND', `There is no job queue entry named "${name}". Refresh the queue.`, { name });
    return e;
  }
  queueSet(name: string, status: 'On Hold' | 'Ready'): SyncQueueEntryDto {
    const e = this.entry(name);
    if (e.status === 'In Process') throw new AppFailure('SYNC_QUEUE_ENTRY_BUSY', `"${name}" is running now. Wait for it to finish, then change its status.`, { name });
    this.queue.setStatus(name, status);
    this.d.events.changed?.({ what: ['queue'] });
    return this.queueEntries(null).find((x) => x.name === name) ?? queueDto(this.entry(name));
  }
  /**
   * The job queue's heartbeat (E.10), called every ~30 s by the app while the Sales connection is enabled: wakes
   * inactive entries that have work (BC change, or Dataverse rows after the timeout), then runs the due entries one
   * after the other through `queueRun` (so they show progress like any run). Entries whose table is busy wait for
   * the next tick; feature jobs without a mapping are left to BC.
   */
  async tick(): Promise<TickReport> {
    const report: TickReport = { ran: [], woken: [], failed: [] };
    if (this.ticking) return report;
    this.ticking = true;
    this.lastTick = this.d.clock.now();
    try {
      const { engine } = await this.current().catch(rethrow);
      this.queueEntries(null); // the default entries exist from the first look at the queue on
      const find = (n: string) => this.mappingsOf().find((m) => m.name === n);
      report.woken = await wakeInactive(this.queue, mappingProbe(engine, find), this.d.clock.now());
      if (report.woken.length) this.d.events.changed?.({ what: ['queue'] });
      for (const e of this.queue.due(this.d.clock.now())) {
        const m = e.mapping === null ? undefined : find(e.mapping);
        const feature = e.mapping === null && this.d.domain && FEATURE_JOBS[e.name];
        // A busy table (here, or leased by another process) waits for the next tick.
        if (!feature && (!m || [...this.active.values()].some((a) => a.item.mapping.bcTableId === m.bcTableId) || this.leases.holder(m.bcTableId))) continue;
        try {
          const f = await (await this.queueRun(e.name)).done;
          (f.results.some((r) => r.error) ? report.failed : report.ran).push(e.name);
        } catch (x) {
          this.d.logger?.warn(`Scheduled job ${e.name} could not start: ${x instanceof Error ? x.message : String(x)}`);
          report.failed.push(e.name);
        }
      }
      return report;
    } finally {
      this.ticking = false;
    }
  }

  /** Run now: the entry's mapping runs through the scheduler's own state machine (attempts, next start, inactivity). */
  async queueRun(name: string): Promise<{ runId: string; done: Promise<SyncFinished> }> {
    const e = this.entry(name);
    if (e.mapping === null) {
      if (!FEATURE_JOBS[e.name] || !this.d.domain)
        throw new AppFailure('SYNC_QUEUE_ENTRY_NO_MAPPING', `"${name}" is a feature job without a table mapping; the console cannot run it yet.`, { name });
      if (e.status === 'In Process') throw new AppFailure('SYNC_QUEUE_ENTRY_BUSY', `"${name}" is running now. Wait for it to finish.`, { name });
      return this.runFeatureJob(e.name, FEATURE_JOBS[e.name]!);
    }
    if (e.status === 'In Process') throw new AppFailure('SYNC_QUEUE_ENTRY_BUSY', `"${name}" is running now. Wait for it to finish.`, { name });
    return this.start([this.mapping(e.mapping)], false, name);
  }
  /**
   * A feature job (no table mapping: Customer Statistics, Auto Create Sales Orders, Sales Order Status) through the
   * scheduler's state machine like a mapping job; its outcome arrives as a `sync.finished` event named after the job.
   */
  private async runFeatureJob(name: string, feature: FeatureJob): Promise<{ runId: string; done: Promise<SyncFinished> }> {
    const { engine, connected } = await this.current().catch(rethrow);
    const deps = { db: this.d.db, clock: this.d.clock, sides: connected.sides, couplings: engine.couplings, settings: this.d.domain!().settings };
    const runId = randomUUID();
    const done = (async (): Promise<SyncFinished> => {
      await Promise.resolve();
      let error: { code: string; message: string } | null = null;
      const only = new OneEntryQueue(this.d.db, this.d.clock, name);
      this.queue.setStatus(name, 'Ready');
      const report = await new Scheduler({
        queue: only, clock: this.d.clock, probe: async () => false,
        run: async () => {
          const problems = await feature(deps);
          if (problems.length) throw new Error(problems.slice(0, 5).join(' '));
          return { changed: true };
        },
      }).tick();
      if (report.failed.length) error = { code: 'SYNC_RUN_FAILED', message: this.queue.get(name)?.lastError ?? `${name} failed.` };
      const finished: SyncFinished = { runId, cancelled: false, results: [{ mapping: name, to: null, from: null, error }] };
      this.d.events.finished(finished);
      return finished;
    })();
    return { runId, done };
  }

  private async runQueueEntry(engine: SyncEngine, name: string) {
    let result: Awaited<ReturnType<SyncEngine['runMapping']>> | null = null;
    let failure: unknown = null;
    const only = new OneEntryQueue(this.d.db, this.d.clock, name);
    this.queue.setStatus(name, 'Ready');
    const scheduler = new Scheduler({
      queue: only, clock: this.d.clock,
      run: async (entry) => {
        try {
          result = await engine.runMapping(this.mapping(entry.mapping!));
          return { changed: result.changed };
        } catch (x) {
          failure = x;
          throw x;
        }
      },
      probe: async () => false,
    });
    await scheduler.tick();
    if (failure) throw failure;
    if (!result) throw new AppFailure('SYNC_QUEUE_ENTRY_BUSY', `"${name}" did not run: it is not Ready. Refresh the queue.`, { name });
    return result as Awaited<ReturnType<SyncEngine['runMapping']>>;
  }

  // ---- manual actions -----------------------------------------------------------------------------

  /** Manual actions take the same per-table lock as runs (they write couplings of that table), in the database too. */
  private async locked<T>(mappingName: string, fn: (engine: SyncEngine, m: TableMapping) => Promise<T> | T): Promise<T> {
    const m = this.mapping(mappingName);
    this.refuseBusy([m]);
    const { engine } = await this.current().catch(rethrow);
    return this.leases.with(m.bcTableId, m.name, m.bcTable, () => fn(engine, m)).catch(rethrow);
  }

  syncRecords(mapping: string, ids: readonly string[], dir: SyncPassDirection, create: boolean) {
    return this.locked(mapping, async (e, m) => {
      const r = await manual.synchronizeNow(e, m, dir, ids, create);
      return { to: r.to && toDto(r.to), from: r.from && toDto(r.from) };
    });
  }
  couple(mapping: string, bcId: string, dvId: string, syncNow: SyncPassDirection | null) {
    return this.locked(mapping, async (e, m) => {
      const c = await manual.couple(e, m, bcId, dvId, syncNow ?? undefined);
      return { bcId: c.bcId, dataverseId: c.dvId };
    });
  }
  uncouple(mapping: string, bcIds: readonly string[]) {
    return this.locked(mapping, (e, m) => toDto(manual.uncouple(e, m, bcIds)));
  }
  matchCouple(mapping: string, bcIds: readonly string[] | null) {
    return this.locked(mapping, async (e, m) => {
      const r = await manual.matchBasedCouple(e, m, bcIds ?? undefined);
      return { job: toDto(r.job), coupled: r.coupled.length, created: r.created.length, unmatched: r.unmatched.length };
    });
  }
  restoreSkipped(mapping: string, bcIds: readonly string[] | 'all', sync: SyncPassDirection | null) {
    return this.locked(mapping, async (e, m) => ({ restored: await manual.restoreSkipped(e, m, bcIds, sync ?? undefined) }));
  }
  deleteFailedCouplings(mapping: string, jobId: string) {
    return this.locked(mapping, (e, m) => {
      const owner = this.q.job.get(jobId) as { mapping: string } | undefined;
      if (!owner) throw new AppFailure('SYNC_JOB_NOT_FOUND', 'That synchronization job is no longer in the log (it may have been deleted). Refresh the job log.');
      if (owner.mapping !== m.name)
        throw new AppFailure('SYNC_JOB_OTHER_MAPPING', `That job belongs to ${owner.mapping}, not ${m.name}.`, { mapping: owner.mapping });
      return { removed: manual.deleteCouplingsOfFailed(e, m, jobId) };
    });
  }
}

/** The scheduler over a single entry: "Run now" reuses its success/failure bookkeeping without touching other entries. */
/** Feature jobs (D): what they run; each returns problem messages (empty = success). */
type FeatureJob = (deps: RuleDeps) => Promise<string[]>;
const FEATURE_JOBS: Record<string, FeatureJob> = {
  // Statistics per coupled customer, and the payment state of synchronized invoices (it runs both, as BC's job does).
  'Customer Statistics': async (deps) => {
    const r = await updateAccountStatistics(deps);
    return [...r.failures.map((f) => f.message), ...r.invoices.failures.map((f) => `${f.invoiceNo}: ${f.message}`)];
  },
  'Auto Create Sales Orders': async (deps) => (await createSalesOrdersFromSubmitted(deps)).failures.map((f) => `${f.name}: ${f.message}`),
  'Sales Order Status': async (deps) => (await settlePostedOrders(deps)).failures,
};

class OneEntryQueue extends JobQueue {
  constructor(db: Db, clock: Clock, private readonly only: string) {
    super(db, clock);
  }
  override withStatus(status: QueueEntry['status']): QueueEntry[] {
    // Inactive entries are not woken by "Run now"; entries In Process elsewhere are not ours to recover.
    return status === 'Ready' ? super.withStatus(status).filter((e) => e.name === this.only) : [];
  }
  override due(now: number): QueueEntry[] {
    return super.due(now).filter((e) => e.name === this.only);
  }
}

/**
 * Ends the selection early once cancelled, at a page boundary. Rows tied with the last selected modifiedOn are
 * still handed over: the engine moves the watermark to the largest modifiedOn it saw and selects strictly after
 * it next time, so a tie left behind would never be selected again.
 */
export async function* cancellable(pages: AsyncIterable<Row[]>, cancelled: () => boolean): AsyncGenerator<Row[]> {
  let max = -Infinity;
  for await (const page of pages) {
    if (cancelled()) {
      const ties = page.filter((r) => r.modifiedOn <= max);
      if (ties.length > 0) yield ties;
      if (ties.length < page.length) return;
      continue;
    }
    for (const r of page) if (r.modifiedOn > max) max = r.modifiedOn;
    yield page;
  }
}

const pick = (j: SyncCounters): SyncCounters => ({
  inserted: j.inserted, modified: j.modified, deleted: j.deleted, unchanged: j.unchanged, skipped: j.skipped, failed: j.failed, uncoupled: j.uncoupled, coupled: j.coupled,
});
const toDto = (j: SyncJob): SyncJobDto => ({
  ...pick(j), id: j.id, mapping: j.mapping, type: j.type, direction: j.direction, startedAt: j.startedAt, finishedAt: j.finishedAt, message: j.message, messageCode: messageCode(j.message),
});

function rowToJob(r: Record<string, unknown>): SyncJobDto {
  return {
    id: r.id as string, mapping: r.mapping as string, type: r.type as SyncJobDto['type'], direction: r.direction as SyncJobDto['direction'],
    startedAt: r.started_at as number, finishedAt: r.finished_at as number | null, message: r.message as string, messageCode: messageCode(r.message as string),
    inserted: r.inserted as number, modified: r.modified as number, deleted: r.deleted as number, unchanged: r.unchanged as number,
    skipped: r.skipped as number, failed: r.failed as number, uncoupled: r.uncoupled as number, coupled: r.coupled as number,
  };
}

const queueDto = (e: QueueEntry, blockedBy: SyncMessageCode | null = null): SyncQueueEntryDto => ({
  name: e.name, mapping: e.mapping, description: e.description, recurring: e.recurring, everyMinutes: e.everyMinutes,
  inactivityTimeoutMinutes: e.inactivityTimeoutMinutes, status: e.status, attempts: e.attempts, maxAttempts: e.maxAttempts,
  earliestStart: e.earliestStart, lastStartedAt: e.lastStartedAt, lastFinishedAt: e.lastFinishedAt, lastError: e.lastError, blockedBy,
});

const countsOf = (c: ReviewCounts | undefined) => ({ bc: c?.bc ?? 0, dv: c?.dv ?? 0, bcUncoupled: c?.bcUncoupled ?? c?.bc ?? 0, dvUncoupled: c?.dvUncoupled ?? c?.dv ?? 0 });
const countFailure = (x: unknown) => `Counting the records failed: ${x instanceof Error ? x.message : String(x)} Retry the line to count again.`;

function reviewDto(s: ReviewState): SyncReview {
  const idle = s.lines.map((l) => (l.jobStatus === 'In Process' ? { ...l, jobStatus: '' as const } : l));
  return {
    lines: s.lines.map((l) => {
      const c = s.counts.get(l.name) ?? countsOf(undefined);
      return {
        name: l.name, dependencyFilter: [...l.dependencyFilter], direction: l.direction, recommendation: l.recommendation, jobStatus: l.jobStatus,
        counts: { bc: c.bc, dv: c.dv }, uncoupled: { bc: c.bcUncoupled, dv: c.dvUncoupled },
        message: s.messages.get(l.name) ?? '', messageCode: s.codes.get(l.name) ?? null,
        needsMatchFields: l.needsMatchFields === true, runnable: l.runnable !== false, reason: s.reasons.get(l.name) ?? null,
      };
    }),
    startable: s.runId === null ? nextToStart(s.lines).map((l) => l.name) : [],
    // Lines in process count as "will finish": only lines stuck behind a failure or a cycle are blocked.
    blocked: startOrder(idle).blocked.filter((b) => b.waitingFor.length > 0),
    countCap: COUNT_CAP, runId: s.runId, finishedAt: s.finishedAt, cancelled: s.cancelled,
  };
}
