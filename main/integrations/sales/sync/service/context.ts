/**
 * What the parts of the sync service share (service.ts is their facade): the ports, the connection and its engine,
 * the table leases, the job queue and log, the mapping catalog, and the runs in flight with their progress events.
 * runs.ts, review.ts, queue-jobs.ts and manual.ts start and end runs through it, so a mapping is never run twice.
 */
import { randomUUID } from 'node:crypto';
import type { SyncFinished, SyncMessageCode, SyncPassDirection, SyncPhase, SyncProgress, SyncCounters } from '../../../../../preload/contract/sales/sync';
import type { MappingOptions, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { Db } from '../../../../db/database';
import { JobQueue } from '../../../../kernel/jobs/queue';
import { TableLeasedError, TableLeases } from '../../../../kernel/runs/lease';
import { EventPump } from '../../../../kernel/runs/pump';
import type { Clock, Logger } from '../../../../ports';
import { AppFailure } from '../../../../rpc/errors';
import type { ConnectedSides } from '../adapters/connect';
import { CouplingStore } from '../coupling/store';
import { SyncEngine, type EngineOptions, type SyncProgress as EngineProgress } from '../engine/engine';
import { JobLog, zeroCounters } from '../jobs/log';
import { domainEngineOptions } from '../rules';
import type { RuleSettings } from '../rules/types';
import { cancellableSides } from './cancel';
import { MappingCatalog, type Catalog } from './catalog';
import { withChangedEvents, type SyncEventSink } from './changed';
import { syncStatements, writtenOf, type SyncStatements } from './dto';
import { leasedFailure } from './failures';
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

export interface MappingRun {
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

export interface Run {
  id: string;
  full: boolean;
  cancelled: boolean;
  tables: Set<number>;
  items: MappingRun[];
  pump: EventPump;
  done: Promise<SyncFinished>;
}

/** A run that has started: its id at once, its end when it finishes. */
export type Started = { runId: string; done: Promise<SyncFinished> };

/** The connection the engine was made for (`key`: the sides' description), the engine and the connected sides. */
export interface Connection { key: string; engine: SyncEngine; connected: ConnectedSides }

export class SyncContext {
  readonly d: SyncServiceDeps;
  private engine: Connection | null = null;
  private connecting: Promise<Connection> | null = null;
  readonly runs = new Map<string, Run>();
  /** Mapping name → the run currently running it (progress and cancellation are looked up through this). */
  readonly active = new Map<string, { run: Run; item: MappingRun }>();
  readonly queue: JobQueue;
  /** Reads only: the engine (made at the first connection) owns closing jobs a dead process left open. */
  readonly log: JobLog;
  readonly q: SyncStatements;
  /** Reads of the couplings for the status and the skipped list (the engines write them). */
  readonly couplings: CouplingStore;
  readonly mappings: MappingCatalog;
  private readonly interval: number;
  /** This service's hold on BC tables in the database, shared by every engine it makes (jobs/lease.ts). */
  readonly leases: TableLeases;

  constructor(deps: SyncServiceDeps) {
    const d = { ...deps, events: withChangedEvents(deps.events) };
    this.d = d;
    this.leases = new TableLeases(d.db, d.clock, { label: d.owner ?? `the process ${process.pid}`, ...(d.leaseTtlMs !== undefined ? { ttlMs: d.leaseTtlMs } : {}) });
    this.queue = new JobQueue(d.db, d.clock);
    this.log = new JobLog(d.db, () => d.clock.now());
    this.mappings = new MappingCatalog(d);
    this.interval = d.eventIntervalMs ?? 200;
    this.q = syncStatements(d.db);
    this.couplings = new CouplingStore(d.db, () => d.clock.now());
  }

  /**
   * The engine for the current profiles. Connecting (HTTP clients, companies, whoAmI) happens only when the cheap
   * source description (`sides.key()`) changed: runs, manual actions and ticks reuse the connection. A new engine
   * is only made when the profiles changed and nothing is running.
   */
  async current(): Promise<Connection> {
    if (this.connecting) return this.connecting;
    this.connecting = (async () => {
      const cheap = this.d.sides.key ? await this.d.sides.key() : null;
      if (cheap !== null && this.engine?.key === cheap) return this.engine;
      const { key, sides } = await this.d.sides.connect();
      if (this.engine?.key === key) return this.engine;
      if (this.engine && this.active.size > 0)
        throw new AppFailure('SYNC_ALREADY_RUNNING', 'The connections changed while a synchronization is running. Wait for it to finish, then try again.', { mapping: [...this.active.keys()].join(', ') });
      const watched = cancellableSides(sides.sides, (entity) => this.runOf(entity)?.run.cancelled === true);
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

  catalog(): Catalog {
    return this.mappings.catalog();
  }
  mapping(name: string): TableMapping {
    return this.mappings.mapping(name);
  }
  /** The mappings the engine can run. */
  runnable(): TableMapping[] {
    return this.catalog().runnable;
  }

  /** The run (and its item) running the mapping that reads or writes this entity. */
  private runOf(entity: string): { run: Run; item: MappingRun } | undefined {
    for (const a of this.active.values()) if (a.item.mapping.bcTable === entity || a.item.mapping.dataverseEntitySet === entity) return a;
    return undefined;
  }

  /** The mapping running on this BC table here, if any. */
  busyWith(bcTableId: number): MappingRun | undefined {
    return [...this.active.values()].find((a) => a.item.mapping.bcTableId === bcTableId)?.item;
  }

  refuseBusy(wanted: TableMapping[]): void {
    for (const m of wanted) {
      for (const a of this.active.values())
        if (a.item.mapping.bcTableId === m.bcTableId)
          throw new AppFailure('SYNC_ALREADY_RUNNING', `A synchronization of ${m.bcTable} (${a.item.mapping.name}) is already running. Wait for it to finish (or cancel it), then try again.`, { mapping: a.item.mapping.name });
      // Another process on this database (the console, a CLI run) holds the table: say who, before starting anything.
      const other = this.leases.holder(m.bcTableId);
      if (other) throw leasedFailure(new TableLeasedError(m.bcTable, other));
    }
  }

  /** Registers a run of these mappings (all queued): its items are active from now on, so no other run takes them. */
  newRun(wanted: readonly TableMapping[], full: boolean, reasons: ReadonlyMap<string, SyncMessageCode> = new Map()): Run {
    const run: Run = {
      id: randomUUID(), full, cancelled: false, tables: new Set(wanted.map((m) => m.bcTableId)),
      items: wanted.map((m) => ({ mapping: m, phase: 'queued', direction: null, counters: zeroCounters(), written: 0, jobs: new Map(), ...(reasons.has(m.name) ? { reason: reasons.get(m.name)! } : {}) })),
      pump: new EventPump(this.interval, () => Date.now()), done: Promise.resolve(null as never),
    };
    this.runs.set(run.id, run);
    for (const item of run.items) this.active.set(item.mapping.name, { run, item });
    return run;
  }

  /** An item reached its end (done, failed, cancelled): its terminal progress is sent and its table is free again. */
  endItem(run: Run, item: MappingRun): void {
    this.progress(run, item, true);
    this.active.delete(item.mapping.name);
  }

  /** The run's `sync.finished` after every progress event it sent; the run is forgotten. */
  async finishRun(run: Run, results: SyncFinished['results']): Promise<SyncFinished> {
    const finished: SyncFinished = { runId: run.id, cancelled: run.cancelled, results };
    run.pump.push({ key: '', replaceable: false, send: () => this.d.events.finished(finished) });
    await run.pump.flushed();
    this.runs.delete(run.id);
    return finished;
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

  progress(run: Run, item: MappingRun, terminal: boolean, keep = terminal): void {
    const payload: SyncProgress = {
      runId: run.id, mapping: item.mapping.name, direction: item.direction, phase: item.phase, counters: { ...item.counters },
      written: item.written, done: terminal,
    };
    run.pump.push({ key: `${item.mapping.name}:${item.direction ?? ''}`, replaceable: !keep, send: () => this.d.events.progress(payload) });
  }
}
