/**
 * The full synchronization review (reference E.12, `sync.review` / `sync.startReview`): lines with counts and a
 * recommendation, kept in memory between calls; Start runs the cascade in the background as one run, with every
 * table that may run leased for the whole cascade; a finished cascade releases the initial hold of the queue.
 */
import type { SyncFinished, SyncMessageCode, SyncReview } from '../../../../../preload/contract/sales/sync';
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import { AppFailure } from '../../../../rpc/errors';
import type { ConnectedSides } from '../adapters/connect';
import type { SyncEngine } from '../engine/engine';
import { nextToStart, reviewLines, reviewMappings, startOrder, type ReviewCounts, type ReviewLine } from '../review/planner';
import { runReview } from '../review/run';
import type { Run, Started, SyncContext } from './context';
import { rethrow } from './failures';
import { releaseInitialHold } from './initial-hold';
import { messageCode } from './messages';
import { COUNT_CAP, reviewCounts } from './review-counts';

/** The review page's state (E.12), kept in memory: lines (job status updated in place by runReview) and messages. */
export interface ReviewState {
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

export class Review {
  private reviewState: ReviewState | null = null;
  private reviewing: Promise<ReviewState> | null = null;

  constructor(private readonly c: SyncContext) {}

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
    const options = this.c.d.domain?.().options ?? {};
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
      const { engine, connected } = await this.c.current().catch(rethrow);
      const o = this.reviewOptions();
      const cat = this.c.catalog();
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
    const cat = this.c.catalog();
    const m = cat.listed.find((x) => x.name === name);
    if (!m) throw new AppFailure('SYNC_MAPPING_NOT_FOUND', `There is no table mapping "${name}". Count again to refresh the review.`, { mapping: name });
    const { engine, connected } = await this.c.current().catch(rethrow);
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
  async startReview(): Promise<Started> {
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
    const wanted = names.map((n) => this.c.mapping(n));
    this.c.refuseBusy(wanted);
    const { engine } = await this.c.current().catch(rethrow);
    busy();
    this.c.refuseBusy(wanted);
    // The cascade's tables are held in the database for the whole cascade (its coupling jobs run outside runMapping).
    const tables = [...new Map(wanted.map((m) => [m.bcTableId, m])).values()];
    const held: number[] = [];
    try {
      for (const m of tables) {
        this.c.leases.acquire(m.bcTableId, m.name, m.bcTable);
        held.push(m.bcTableId);
      }
    } catch (x) {
      for (const id of held) this.c.leases.release(id);
      return rethrow(x);
    }
    const run = this.c.newRun(wanted, true);
    // A refresh that finished while we connected replaced the state: the cascade runs on (and shows) this one.
    this.reviewState = state;
    Object.assign(state, { runId: run.id, finishedAt: null, cancelled: false });
    run.done = this.executeReview(engine, run, state).finally(() => {
      for (const id of held) this.c.leases.release(id);
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
          this.c.progress(run, item, false);
        }
        return item?.mapping ?? this.c.runnable().find((m) => m.name === name);
      }, (p) => {
        state.messages.set(p.line, p.message);
        state.codes.set(p.line, p.result ?? messageCode(p.message));
        const item = itemOf(p.line);
        if (item) {
          item.phase = p.status === 'Success' ? 'done' : 'failed';
          this.c.endItem(run, item);
        }
        results.push({ mapping: p.line, to: null, from: null, error: p.status === 'Error' ? { code: 'SYNC_REVIEW_LINE_FAILED', message: p.message } : null });
      });
    } catch (x) {
      if (!(x instanceof ReviewCancelled)) {
        const message = x instanceof Error ? x.message : String(x);
        this.c.d.logger?.error('The full synchronization review stopped', message);
        results.push({ mapping: '', to: null, from: null, error: { code: 'SYNC_RUN_FAILED', message } });
      }
    }
    // Lines that never started (cancelled, or waiting for a line that failed) release their tables.
    for (const item of run.items) {
      if (this.c.active.get(item.mapping.name)?.run !== run) continue;
      item.phase = 'cancelled';
      this.c.endItem(run, item);
    }
    Object.assign(state, { runId: null, finishedAt: this.c.d.clock.now(), cancelled: run.cancelled });
    // The initial synchronization is done when every line finished or had nothing to do: the job queue entries
    // that enabling held for it return to their status (as BC restores a mapping's job after its full sync).
    if (!run.cancelled && state.lines.every((l) => l.jobStatus === 'Success' || (l.recommendation === 'No Records Found' && l.jobStatus === ''))) {
      const resumed = releaseInitialHold(this.c.d.db, this.c.queue, this.c.d.clock);
      if (resumed.length) this.c.d.logger?.info(`Initial synchronization done: job queue entries resumed (${resumed.join(', ')})`);
    }
    return this.c.finishRun(run, results);
  }
}
