/**
 * The job queue in the console (reference E.10): its entries with why a due one does not run (`blockedBy`), hold /
 * resume, Run now through the scheduler's own bookkeeping, the feature jobs without a table mapping, and the 30 s
 * heartbeat that wakes inactive entries and runs the due ones.
 */
import { randomUUID } from 'node:crypto';
import type { SyncFinished, SyncMessageCode, SyncQueueEntryDto, SyncSource } from '../../../../../preload/contract/sales/sync';
import type { Db } from '../../../../db/database';
import { JobQueue, Scheduler, wakeInactive, type QueueEntry, type TickReport } from '../../../../kernel/jobs/queue';
import type { Clock } from '../../../../ports';
import { AppFailure } from '../../../../rpc/errors';
import { defaultJobs, isSalesQueueEntry } from '../../mappings/jobs';
import type { SyncEngine } from '../engine/engine';
import { mappingProbe } from '../jobs/runner';
import { createSalesOrdersFromSubmitted, settlePostedOrders } from '../rules/orders';
import { updateAccountStatistics } from '../rules/statistics';
import type { RuleDeps } from '../rules/types';
import type { Started, SyncContext } from './context';
import { queueDto } from './dto';
import { rethrow } from './failures';
import { heldForInitialSync } from './initial-hold';

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

/** Starts a run of the entry's mapping through the queue (runs.ts `start`): given, so this module needs no runs.ts. */
export type StartQueued = (mapping: string, entry: string) => Promise<Started>;

export class QueueJobs {
  private ticking = false;
  /** When the heartbeat last looked at the queue (null: not in this process). */
  private lastTick: number | null = null;

  constructor(private readonly c: SyncContext, private readonly startQueued: StartQueued) {}

  /** Entries enabling left On Hold for the initial synchronization that are still On Hold. */
  heldNames(): string[] {
    return heldForInitialSync(this.c.d.db).filter((h) => this.c.queue.get(h.name)?.status === 'On Hold').map((h) => h.name);
  }

  queueEntries(source: SyncSource | null): SyncQueueEntryDto[] {
    if (!this.c.queue.list().some(isSalesQueueEntry)) this.c.queue.installDefaults(defaultJobs());
    const cat = this.c.catalog();
    const held = new Set(this.heldNames());
    const now = this.c.d.clock.now();
    const busy = (mapping: string) => {
      const m = cat.listed.find((x) => x.name === mapping);
      if (!m) return undefined;
      // Running here, or leased by another process on this database (a CLI run, another console).
      return [...this.c.active.values()].find((a) => a.item.mapping.bcTableId === m.bcTableId)?.item.mapping.name ?? this.c.leases.holder(m.bcTableId)?.mapping;
    };
    // Why an entry does not run although it is due (or never will): the queue shows it instead of a silent "Ready".
    const blockedBy = (e: QueueEntry): SyncMessageCode | null => {
      if (held.has(e.name)) return { code: 'heldForInitialSync', params: {} };
      if (e.mapping !== null) {
        const reason = cat.reasons.get(e.mapping);
        if (reason) return reason;
        if (!cat.listed.some((m) => m.name === e.mapping)) return { code: 'mappingMissing', params: { mapping: e.mapping } };
      } else if (!FEATURE_JOBS[e.name] || !this.c.d.domain) return { code: 'featureNotSupported', params: { name: e.name } };
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
    return this.c.queue.list().filter(isSalesQueueEntry).map((e) => queueDto(e, blockedBy(e)));
  }
  async queueList(): Promise<SyncQueueEntryDto[]> {
    return this.queueEntries(await this.c.d.sides.source());
  }
  private entry(name: string): QueueEntry {
    const e = this.c.queue.get(name);
    if (!e) throw new AppFailure('SYNC_QUEUE_ENTRY_NOT_FOUND', `There is no job queue entry named "${name}". Refresh the queue.`, { name });
    return e;
  }
  queueSet(name: string, status: 'On Hold' | 'Ready'): SyncQueueEntryDto {
    const e = this.entry(name);
    if (e.status === 'In Process') throw new AppFailure('SYNC_QUEUE_ENTRY_BUSY', `"${name}" is running now. Wait for it to finish, then change its status.`, { name });
    this.c.queue.setStatus(name, status);
    this.c.d.events.changed?.({ what: ['queue'] });
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
    this.lastTick = this.c.d.clock.now();
    try {
      const { engine } = await this.c.current().catch(rethrow);
      this.queueEntries(null); // the default entries exist from the first look at the queue on
      const find = (n: string) => this.c.runnable().find((m) => m.name === n);
      report.woken = await wakeInactive(this.c.queue, mappingProbe(engine, find), this.c.d.clock.now());
      if (report.woken.length) this.c.d.events.changed?.({ what: ['queue'] });
      for (const e of this.c.queue.due(this.c.d.clock.now())) {
        const m = e.mapping === null ? undefined : find(e.mapping);
        const feature = e.mapping === null && this.c.d.domain && FEATURE_JOBS[e.name];
        // A busy table (here, or leased by another process) waits for the next tick.
        if (!feature && (!m || [...this.c.active.values()].some((a) => a.item.mapping.bcTableId === m.bcTableId) || this.c.leases.holder(m.bcTableId))) continue;
        try {
          const f = await (await this.queueRun(e.name)).done;
          (f.results.some((r) => r.error) ? report.failed : report.ran).push(e.name);
        } catch (x) {
          this.c.d.logger?.warn(`Scheduled job ${e.name} could not start: ${x instanceof Error ? x.message : String(x)}`);
          report.failed.push(e.name);
        }
      }
      return report;
    } finally {
      this.ticking = false;
    }
  }

  /** Run now: the entry's mapping runs through the scheduler's own state machine (attempts, next start, inactivity). */
  async queueRun(name: string): Promise<Started> {
    const e = this.entry(name);
    if (e.mapping === null) {
      if (!FEATURE_JOBS[e.name] || !this.c.d.domain)
        throw new AppFailure('SYNC_QUEUE_ENTRY_NO_MAPPING', `"${name}" is a feature job without a table mapping; the console cannot run it yet.`, { name });
      if (e.status === 'In Process') throw new AppFailure('SYNC_QUEUE_ENTRY_BUSY', `"${name}" is running now. Wait for it to finish.`, { name });
      return this.runFeatureJob(e.name, FEATURE_JOBS[e.name]!);
    }
    if (e.status === 'In Process') throw new AppFailure('SYNC_QUEUE_ENTRY_BUSY', `"${name}" is running now. Wait for it to finish.`, { name });
    return this.startQueued(e.mapping, name);
  }
  /**
   * A feature job (no table mapping: Customer Statistics, Auto Create Sales Orders, Sales Order Status) through the
   * scheduler's state machine like a mapping job; its outcome arrives as a `sync.finished` event named after the job.
   */
  private async runFeatureJob(name: string, feature: FeatureJob): Promise<Started> {
    const { engine, connected } = await this.c.current().catch(rethrow);
    const deps = { db: this.c.d.db, clock: this.c.d.clock, sides: connected.sides, couplings: engine.couplings, settings: this.c.d.domain!().settings };
    const runId = randomUUID();
    const done = (async (): Promise<SyncFinished> => {
      await Promise.resolve();
      let error: { code: string; message: string } | null = null;
      const only = new OneEntryQueue(this.c.d.db, this.c.d.clock, name);
      this.c.queue.setStatus(name, 'Ready');
      const report = await new Scheduler({
        queue: only, clock: this.c.d.clock, probe: async () => false,
        run: async () => {
          const problems = await feature(deps);
          if (problems.length) throw new Error(problems.slice(0, 5).join(' '));
          return { changed: true };
        },
      }).tick();
      if (report.failed.length) error = { code: 'SYNC_RUN_FAILED', message: this.c.queue.get(name)?.lastError ?? `${name} failed.` };
      const finished: SyncFinished = { runId, cancelled: false, results: [{ mapping: name, to: null, from: null, error }] };
      this.c.d.events.finished(finished);
      return finished;
    })();
    return { runId, done };
  }
}

export async function runQueueEntry(c: SyncContext, engine: SyncEngine, name: string) {
  let result: Awaited<ReturnType<SyncEngine['runMapping']>> | null = null;
  let failure: unknown = null;
  const only = new OneEntryQueue(c.d.db, c.d.clock, name);
  c.queue.setStatus(name, 'Ready');
  const scheduler = new Scheduler({
    queue: only, clock: c.d.clock,
    run: async (entry) => {
      try {
        result = await engine.runMapping(c.mapping(entry.mapping!));
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
