/**
 * The sync engine (reference §E.3–E.7): one run of a table mapping = a BC → Dataverse pass and/or a
 * Dataverse → BC pass, each streaming pages from the source side, deciding per record, writing the destination
 * in bulk batches and committing coupling updates in one SQLite transaction per batch.
 *
 * Crash safety: creates are made idempotent by writing a PENDING coupling before the request (the Dataverse id
 * is chosen here; BC inserts carry an idempotency key), watermarks only move at the end of a pass, and a run
 * starts by finishing pending creates. A process that dies anywhere can therefore be resumed by simply running
 * the mapping again: nothing is inserted twice and nothing is lost.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../../db/database';
import { defaultCatalog } from '../../mappings/catalog';
import type { BcFilter, Direction, DvFilter, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { Clock } from '../../../../ports';
import { CouplingStore, newDataverseId, SKIPPED_NOTE, type Coupling, type PassDirection } from '../coupling/store';
import { TableLeases } from '../../../../kernel/runs/lease';
import { JobLog, zeroCounters, type Counters, type SyncJob } from '../jobs/log';
import { SideError, type Row, type SidePort, type SyncSides, type WriteOp, type WriteResult } from '../ports';
import { planFields, transferFields, type FieldPlan, type IsCodeField, type LookupResolver } from './fields';
import { matchesBcFilter, matchesDvFilter } from './filters';
import type { MappingRules, RuleSet, WrittenRecord } from './hooks';
import { optionSetPort, runOptionMapping } from './options';
import { compareDateTime, DV_SELECTION_SLACK_MS } from './time';
import { ID_CHUNK, MappingConfigError } from './common';

export { ID_CHUNK, MappingConfigError } from './common';

export interface EngineOptions {
  /** Rows per page asked from a side (default 500). */
  pageSize?: number;
  /** Ops per write call (default 500); the write calls of one page go out together. */
  batchSize?: number;
  /** Pages processed concurrently (default 2). */
  maxInFlight?: number;
  /** Retries of transient write failures (default 3) with exponential backoff from `retryDelayMs` (default 500). */
  maxRetries?: number;
  retryDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** systemuserid of the integration user, for echo suppression on bidirectional pulls (E.6). */
  integrationUserId?: string | null;
  /** Current company's bcbi_company id for company-scoped integration filters. */
  companyId?: string;
  isCodeField?: IsCodeField;
  lookups?: LookupResolver;
  /** OnFindUncoupledDestinationRecord: an implicit match for an uncoupled source (currency by ISO code …). */
  implicitMatch?: (mapping: TableMapping, dir: PassDirection, source: Row) => Promise<string | null>;
  /** Domain rules per mapping (owner, currency, units, price lists, document lines …): see engine/hooks.ts. */
  rules?: RuleSet;
  /** Called after each batch of a pass is committed (counters so far), and once when the pass ends (`done`). */
  onProgress?: (p: SyncProgress) => void;
  /** The per-table leases in the database (default: a new owner for this engine); share one per process/service. */
  leases?: TableLeases;
}

export interface SyncProgress {
  mapping: string;
  dir: PassDirection;
  jobId: string;
  counters: Counters;
  done: boolean;
}

export interface RunOptions {
  /** ForceModify: write even when the source looks unchanged (Synchronize Now, full sync). */
  force?: boolean;
  /** Create uncoupled records even when the mapping has Synch. Only Coupled Records. */
  ignoreSynchOnlyCoupled?: boolean;
  /** Select everything matching the filters (full sync); watermarks are then still advanced. */
  ignoreWatermarks?: boolean;
  /** Restrict to one pass. */
  only?: PassDirection;
  /** Pin the selection to these source ids (BC SystemIds for 'to', DV ids for 'from'); watermarks untouched. */
  ids?: readonly string[];
}

export interface RunResult {
  to: SyncJob | null;
  from: SyncJob | null;
  /** Something was inserted, modified, deleted or failed: drives the job queue's inactivity rule (E.3 6). */
  changed: boolean;
}

const defaultIsCode: IsCodeField = (m, f) => defaultCatalog.bcField(m.bcTableId, f)?.type === 'Code';

interface Pass {
  mapping: TableMapping;
  dir: PassDirection;
  jobId: string;
  counters: Counters;
  src: SidePort;
  dst: SidePort;
  srcEntity: string;
  dstEntity: string;
  plans: FieldPlan[];
  opts: RunOptions;
  /** Source ids already handled in this pass (failed-first / pending recovery), so the modified scan skips them. */
  done: Set<string>;
  rules: MappingRules | null;
}

type Action =
  | { k: 'ignore' }
  | { k: 'skip' }
  | { k: 'unchanged'; c: Coupling; stamp: { bc: number; dv: number } | null; retry?: { dest: Row } }
  | { k: 'uncouple'; c: Coupling }
  | { k: 'fail'; message: string; c: Coupling | null; destId: string | null; newCoupling: boolean }
  | { k: 'insert'; values: Record<string, unknown>; validate: string[]; c: Coupling | null; removeFirst: Coupling | null }
  | { k: 'update'; dest: Row; values: Record<string, unknown>; validate: string[]; c: Coupling; bothModified: boolean };

const dirName = (d: PassDirection): Direction => (d === 'to' ? 'ToIntegrationTable' : 'FromIntegrationTable');

export class SyncEngine {
  readonly couplings: CouplingStore;
  readonly log: JobLog;
  private readonly o: Required<Omit<EngineOptions, 'integrationUserId' | 'companyId' | 'lookups' | 'implicitMatch' | 'rules' | 'onProgress' | 'leases'>> & EngineOptions;
  /** Who runs which BC table, across processes on this database (jobs/lease.ts). */
  readonly leases: TableLeases;
  private readonly wm;
  private readonly running = new Set<number>();

  /**
   * Construction closes the jobs left open by owners that hold no live lease (a dead process): never the live jobs
   * of another process on this database. Their work is resumed by the next run of each mapping (pending couplings,
   * unchanged watermarks).
   */
  constructor(private readonly db: Db, readonly sides: SyncSides, readonly clock: Clock, options: EngineOptions = {}) {
    this.couplings = new CouplingStore(db, () => clock.now());
    this.leases = options.leases ?? new TableLeases(db, clock);
    this.log = new JobLog(db, () => clock.now(), this.leases.owner);
    this.leases.closeInterrupted();
    this.o = {
      pageSize: 500, batchSize: 500, maxInFlight: 2, maxRetries: 3, retryDelayMs: 500,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)), isCodeField: defaultIsCode, ...options,
    };
    this.wm = {
      get: db.prepare('SELECT bc_watermark AS bc, dv_watermark AS dv FROM sync_mapping_state WHERE mapping = ?'),
      setBc: db.prepare(`INSERT INTO sync_mapping_state (mapping, bc_watermark) VALUES (?, ?)
                         ON CONFLICT (mapping) DO UPDATE SET bc_watermark = MAX(bc_watermark, excluded.bc_watermark)`),
      setDv: db.prepare(`INSERT INTO sync_mapping_state (mapping, dv_watermark) VALUES (?, ?)
                         ON CONFLICT (mapping) DO UPDATE SET dv_watermark = MAX(dv_watermark, excluded.dv_watermark)`),
      reset: db.prepare('UPDATE sync_mapping_state SET bc_watermark = 0, dv_watermark = 0 WHERE mapping = ?'),
    };
  }

  watermarks(mapping: string): { bc: number; dv: number } {
    return (this.wm.get.get(mapping) as { bc: number; dv: number } | undefined) ?? { bc: 0, dv: 0 };
  }
  /** Moves a watermark up (never down). */
  advanceWatermark(mapping: string, side: 'bc' | 'dv', value: number): void {
    (side === 'bc' ? this.wm.setBc : this.wm.setDv).run(mapping, value);
  }
  /** "Reset watermarks" (before a full sync): the next run selects everything matching the filters. */
  resetWatermarks(mapping: string): void {
    this.wm.reset.run(mapping);
  }

  /**
   * One run of a mapping (E.3): pending creates first, then the BC → DV pass, then the DV → BC pass, as the
   * mapping's Direction allows. Throws only for process-level failures (the caller's run then stays
   * unfinished and is resumed by the next run); record-level failures are logged and counted.
   */
  async runMapping(mapping: TableMapping, opts: RunOptions = {}): Promise<RunResult> {
    if (mapping.isOptionMapping) {
      // E.3 step 2: option mappings run the option algorithm (E.13) over the Dataverse side's option-set metadata.
      const port = optionSetPort(this.sides.dataverse);
      if (!port)
        throw new MappingConfigError(`${mapping.name} is an option mapping, and this Dataverse connection cannot read or extend option sets. Use a connection through the Dataverse Web API.`);
      return this.holding(mapping, () => runOptionMapping(this, opts.ignoreSynchOnlyCoupled ? { ...mapping, synchOnlyCoupled: false } : mapping, port));
    }
    return this.holding(mapping, async () => {
      const delegated = this.o.rules?.(mapping)?.runInstead;
      if (delegated) {
        return await delegated(mapping, {
          log: this.log, watermarks: (n) => this.watermarks(n), advanceWatermark: (n, s, v) => this.advanceWatermark(n, s, v),
          all: opts.ignoreWatermarks === true || opts.force === true,
        });
      }
      return await this.runLocked(mapping, opts);
    });
  }

  /**
   * Two runs over the same BC table at once could both create the same record (couplings are per table): one run
   * per table in this engine, and the table's lease in the database against other processes (TableLeasedError).
   */
  private async holding<T>(mapping: TableMapping, fn: () => Promise<T>): Promise<T> {
    if (this.running.has(mapping.bcTableId))
      throw new MappingConfigError(`A synchronization of ${mapping.bcTable} (${mapping.name}) is already running. Wait for it to finish, then try again.`);
    this.leases.acquire(mapping.bcTableId, mapping.name, mapping.bcTable);
    this.running.add(mapping.bcTableId);
    try {
      return await fn();
    } finally {
      this.running.delete(mapping.bcTableId);
      this.leases.release(mapping.bcTableId);
    }
  }

  private async runLocked(mapping: TableMapping, opts: RunOptions): Promise<RunResult> {
    const wantTo = mapping.direction !== 'FromIntegrationTable' && opts.only !== 'from';
    const wantFrom = mapping.direction !== 'ToIntegrationTable' && opts.only !== 'to';
    // Job start on each side's own clock: watermarks never pass it, so rows written while we run are seen next time.
    const cap = { bc: await this.sides.bc.now(), dv: await this.sides.dataverse.now() };
    const fromPass = wantFrom ? this.newPass(mapping, 'from', opts) : null;
    // A BC insert that may have happened before a crash must be confirmed before the BC → DV pass, or that pass
    // would see an uncoupled new BC record and create a second Dataverse row for it.
    if (fromPass && opts.ids === undefined) await this.guard(fromPass, () => this.recoverPending(fromPass));
    let to: SyncJob | null = null;
    if (wantTo) {
      const p = this.newPass(mapping, 'to', opts);
      await this.guard(p, async () => {
        if (opts.ids === undefined) await this.recoverPending(p);
        await this.runPass(p, cap.bc);
      });
      to = this.finish(p);
    }
    let from: SyncJob | null = null;
    if (fromPass) {
      await this.guard(fromPass, () => this.runPass(fromPass, cap.dv));
      from = this.finish(fromPass);
    }
    const changed = [to, from].some((j) => j !== null && j.inserted + j.modified + j.deleted + j.failed + j.uncoupled > 0);
    return { to, from, changed };
  }

  private newPass(mapping: TableMapping, dir: PassDirection, opts: RunOptions): Pass & { configError?: string } {
    const { bc, dataverse } = this.sides;
    const plans = planFields(mapping, dir, this.o.isCodeField);
    const p: Pass & { configError?: string } = {
      mapping, dir, jobId: this.log.start(mapping.name, 'Synchronization', dirName(dir)), counters: zeroCounters(),
      src: dir === 'to' ? bc : dataverse, dst: dir === 'to' ? dataverse : bc,
      srcEntity: dir === 'to' ? mapping.bcTable : mapping.dataverseEntitySet, dstEntity: dir === 'to' ? mapping.dataverseEntitySet : mapping.bcTable,
      plans, opts, done: new Set(), rules: this.o.rules?.(mapping) ?? null,
    };
    if (plans.length === 0)
      p.configError = `There are no field mapping rows for the ${mapping.name} table mapping in the ${dir === 'to' ? 'BC → Dataverse' : 'Dataverse → BC'} direction. ` +
        'Enable at least one field mapping with that direction (or Bidirectional), or change the table mapping\'s Direction.';
    return p;
  }

  /** Record configuration errors on the job instead of throwing: the other pass and other mappings still run. */
  private async guard(p: Pass & { configError?: string }, fn: () => Promise<void>): Promise<void> {
    if (p.configError) return;
    try {
      await fn();
    } catch (x) {
      if (x instanceof MappingConfigError) p.configError = x.message;
      else throw x;
    }
  }

  private finish(p: Pass & { configError?: string }): SyncJob {
    const c = p.counters;
    const msg = p.configError ?? (c.failed > 0 ? `${c.failed} record(s) failed: open the job's errors to see why.` : '');
    this.log.finish(p.jobId, c, msg);
    this.o.onProgress?.({ mapping: p.mapping.name, dir: p.dir, jobId: p.jobId, counters: { ...c }, done: true });
    return this.log.get(p.jobId)!;
  }

  // ---- selection ---------------------------------------------------------------------------------

  private async recoverPending(p: Pass): Promise<void> {
    const tableId = p.mapping.bcTableId;
    let after = 0;
    for (;;) {
      const page = this.couplings.pendingSources(p.dir, tableId, after, ID_CHUNK);
      if (page.length === 0) break;
      after = page[page.length - 1]!.rowId;
      const ids = page.map((r) => r.id).filter((id) => !p.done.has(id));
      ids.forEach((id) => p.done.add(id));
      const rows = await p.src.getByIds(p.srcEntity, ids);
      const seen = new Set(rows.map((r) => r.id));
      const gone = page.filter((r) => !seen.has(r.id));
      // The source vanished before its create was confirmed. A Dataverse row we already created under the
      // chosen id stays coupled (like any coupling to a deleted BC record); otherwise the coupling is dropped.
      // (A BC insert has no id to check before confirmation, so its pending coupling can only be dropped.)
      const created = p.dir === 'to' && gone.length > 0
        ? await p.dst.exists(p.dstEntity, gone.map((r) => this.couplings.byRowId(r.rowId)?.dvId ?? '').filter(Boolean))
        : new Set<string>();
      this.couplings.transaction(() => {
        for (const r of gone) {
          const c = this.couplings.byRowId(r.rowId);
          if (!c) continue;
          if (created.has(c.dvId)) this.couplings.markSuccess(c.rowId, p.dir, p.jobId, { bc: 0, dv: 0 });
          else this.couplings.remove(c.rowId);
        }
      });
      await this.processRows(p, rows);
    }
  }

  private async runPass(p: Pass, cap: number): Promise<void> {
    const limiter = new Limiter(this.o.maxInFlight);
    if (p.opts.ids !== undefined) {
      const force = { ...p, opts: { ...p.opts, force: p.opts.force ?? true } };
      for (let i = 0; i < p.opts.ids.length; i += ID_CHUNK) {
        const rows = (await p.src.getByIds(p.srcEntity, p.opts.ids.slice(i, i + ID_CHUNK))).filter((r) => this.inFilter(p, r));
        await limiter.add(() => this.processRows(force, rows));
      }
      await limiter.drain();
      return;
    }
    // Failed-first (E.3 b / 4 a): retried before anything else, in ≤ 400-id chunks.
    let after = 0;
    for (;;) {
      const failed = this.couplings.failedPage(p.dir, p.mapping.bcTableId, after, ID_CHUNK);
      if (failed.length === 0) break;
      after = failed[failed.length - 1]!.rowId;
      const ids = failed.map((c) => (p.dir === 'to' ? c.bcId : c.dvId)).filter((id): id is string => id !== null && !p.done.has(id));
      ids.forEach((id) => p.done.add(id));
      const rows = (await p.src.getByIds(p.srcEntity, ids)).filter((r) => this.inFilter(p, r));
      await limiter.add(() => this.processRows(p, rows));
    }
    // Modified since the watermark.
    const wm = this.watermarks(p.mapping.name);
    const last = p.dir === 'to' ? wm.bc : wm.dv;
    const since = p.opts.ignoreWatermarks || last === 0 ? null : p.dir === 'to' ? last : last - DV_SELECTION_SLACK_MS;
    const echoUser = this.echoUser(p);
    let max = 0;
    const filter: BcFilter | DvFilter = p.dir === 'to' ? p.mapping.tableFilter : p.mapping.integrationTableFilter;
    for await (const page of p.src.queryModified(p.srcEntity, { filter, since, excludeModifiedBy: echoUser, pageSize: this.o.pageSize })) {
      const rows: Row[] = [];
      for (const r of page) {
        if (since !== null && r.modifiedOn <= since) continue;
        if (echoUser && r.modifiedBy === echoUser) continue;
        // E.3 e / 4 d: the watermark follows every selected row, synced or not.
        if (r.modifiedOn > max) max = r.modifiedOn;
        if (p.done.has(r.id) || !this.inFilter(p, r)) continue;
        rows.push(r);
      }
      if (rows.length > 0) await limiter.add(() => this.processRows(p, rows));
    }
    await limiter.drain();
    const next = Math.min(max, cap);
    if (next > 0) (p.dir === 'to' ? this.wm.setBc : this.wm.setDv).run(p.mapping.name, next);
  }

  private inFilter(p: Pass, r: Row): boolean {
    return p.dir === 'to' ? matchesBcFilter(r, p.mapping.tableFilter) : matchesDvFilter(r, p.mapping.integrationTableFilter, this.o.companyId);
  }

  /**
   * E.6: only bidirectional mappings without a From-only field mapping filter out the integration user's own
   * edits (a From-only field would otherwise never come back after BC wrote the row).
   */
  private echoUser(p: Pass): string | null {
    if (p.dir !== 'from' || p.mapping.direction !== 'Bidirectional' || !this.o.integrationUserId) return null;
    const fromOnly = p.mapping.fields.some((f) => f.status === 'Enabled' && f.direction === 'FromIntegrationTable' && f.dataverseField !== null);
    return fromOnly ? null : this.o.integrationUserId;
  }

  // ---- per batch -------------------------------------------------------------------------------------

  private async processRows(p: Pass, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const tableId = p.mapping.bcTableId;
    const found = this.couplings.bySources(p.dir, tableId, rows.map((r) => r.id));
    const items = rows.map((row) => ({ row, c: found.get(row.id) ?? null }));
    const destIds = items.map((i) => (i.c ? (p.dir === 'to' ? i.c.dvId : i.c.bcId) : null)).filter((x): x is string => x !== null);
    const dest = new Map<string, Row>();
    // Coupling rows hold Dataverse ids lower-cased; key the fetched rows the same way whatever case the adapter returns.
    const key = (id: string) => (p.dir === 'to' ? id.toLowerCase() : id);
    // The ≤ 400-id reads of one page go out together (the adapter's limiter bounds them): one after another, a page
    // of 3,000 changed records paid eight round trips before it could be decided.
    const reads: Promise<Row[]>[] = [];
    for (let i = 0; i < destIds.length; i += ID_CHUNK) reads.push(p.dst.getByIds(p.dstEntity, destIds.slice(i, i + ID_CHUNK)));
    for (const part of await Promise.all(reads)) for (const r of part) dest.set(key(r.id), r);

    if (p.rules?.beforeBatch) await p.rules.beforeBatch(p.mapping, p.dir, rows);
    const decided: { row: Row; a: Action }[] = [];
    for (const it of items) decided.push({ row: it.row, a: await this.decide(p, it.row, it.c, dest) });

    // Pending couplings are committed BEFORE the request: a retry or a resumed run then upserts.
    this.couplings.transaction(() => {
      const fresh: { row: Row; a: Extract<Action, { k: 'insert' | 'fail' }> }[] = [];
      for (const d of decided) {
        const a = d.a;
        if ((a.k === 'insert' && a.c === null) || (a.k === 'fail' && a.newCoupling)) {
          // Before any insert of the batch: the new coupling may take the BC id the removed one held.
          if (a.k === 'insert' && a.removeFirst) this.couplings.remove(a.removeFirst.rowId);
          fresh.push({ row: d.row, a });
        }
      }
      const dvEntity = p.mapping.dataverseEntity;
      const made = this.couplings.insertMany(fresh.map(({ row }) => p.dir === 'to'
        ? { tableId, dvEntity, bcId: row.id, dvId: newDataverseId(), pending: true }
        : { tableId, dvEntity, bcId: null, dvId: row.id, pending: true, idempotencyKey: `${tableId}:${row.id}:${randomUUID()}` }));
      fresh.forEach((f, i) => void (f.a.c = made[i]!));
    });

    const ops: WriteOp[] = [];
    const opOf: number[] = [];
    decided.forEach((d, i) => {
      const a = d.a;
      if (a.k === 'insert') {
        const c = a.c!;
        const template = p.dir === 'to' ? p.mapping.integrationTableConfigTemplateCode : p.mapping.tableConfigTemplateCode;
        ops.push({ kind: 'insert', id: p.dir === 'to' ? c.dvId : null, values: a.values, idempotencyKey: c.idempotencyKey ?? c.dvId, validate: a.validate, template });
        opOf.push(i);
      } else if (a.k === 'update') {
        ops.push({ kind: 'update', id: a.dest.id, values: a.values, validate: a.validate });
        opOf.push(i);
      }
    });
    const results = new Map<number, WriteResult>();
    // The write batches of one page go out together (the adapter's limiter bounds the requests in flight): one
    // after another, a page of 5,000 paid five round trips before its couplings could be committed.
    const writes: Promise<void>[] = [];
    for (let i = 0; i < ops.length; i += this.o.batchSize) {
      const from = i;
      writes.push(this.writeWithRetry(p.dst, p.dstEntity, ops.slice(from, from + this.o.batchSize)).then((res) => res.forEach((r, j) => void results.set(opOf[from + j]!, r))));
    }
    // Every batch settles before a failure propagates, so nothing of this page is still in flight afterwards.
    for (const r of await Promise.allSettled(writes)) if (r.status === 'rejected') throw r.reason;
    const followUp = await this.afterWrite(p, decided, results);

    const marks = new SuccessMarks(this.couplings, p.dir, p.jobId);
    this.couplings.transaction(() => {
      decided.forEach((d, i) => this.apply(p, d.row, d.a, results.get(i), followUp.get(i) ?? null, marks));
      marks.flush();
    });
    this.o.onProgress?.({ mapping: p.mapping.name, dir: p.dir, jobId: p.jobId, counters: { ...p.counters }, done: false });
  }

  /** Rules' follow-up work for what this batch wrote (and for records whose follow-up failed last time). */
  private async afterWrite(p: Pass, decided: readonly { row: Row; a: Action }[], results: Map<number, WriteResult>): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (!p.rules?.afterWrite) return out;
    const records: WrittenRecord[] = [];
    const index: number[] = [];
    decided.forEach((d, i) => {
      const a = d.a;
      const r = results.get(i);
      if ((a.k === 'insert' || a.k === 'update') && r?.ok) records.push({ source: d.row, destId: r.id, kind: a.k, values: a.values });
      else if (a.k === 'unchanged' && a.retry) records.push({ source: d.row, destId: a.retry.dest.id, kind: 'retry', values: {} });
      else return;
      index.push(i);
    });
    if (records.length === 0) return out;
    try {
      for (const [j, msg] of await p.rules.afterWrite(p.mapping, p.dir, records)) out.set(index[j]!, msg);
      // A follow-up write to the destination record itself (e.g. pricelevelid, which Dataverse refuses on create)
      // moves its modifiedon: stamp the later time, or the next run would take our own write for a user edit.
      records.forEach((rec, j) => {
        const r = results.get(index[j]!);
        if (rec.destModifiedOn !== undefined && r?.ok && rec.destModifiedOn > r.modifiedOn) results.set(index[j]!, { ...r, modifiedOn: rec.destModifiedOn });
      });
    } catch (x) {
      // A rule that throws fails its whole batch (retried first next run), never the process.
      const msg = x instanceof Error ? x.message : String(x);
      for (const i of index) out.set(i, msg);
    }
    return out;
  }

  /**
   * Applies one decided record's outcome inside the batch's transaction. Plain successes are collected in `marks`
   * (one UPDATE for the batch); every other coupling change flushes them first, so the statements still run in
   * record order (a failure right after a success of the same coupling reads the success, as before).
   */
  private apply(p: Pass, row: Row, a: Action, res: WriteResult | undefined, followUpError: string | null, marks: SuccessMarks): void {
    const c = p.counters;
    const fail = (coupling: Coupling | null, destId: string | null, message: string, transient = false) => {
      marks.flush();
      c.failed++;
      const skipped = coupling ? this.couplings.markFailure(coupling.rowId, p.dir, p.jobId, message, transient) : false;
      this.log.error({
        jobId: p.jobId, tableId: p.mapping.bcTableId, sourceSide: p.dir === 'to' ? 'bc' : 'dataverse', sourceId: row.id, destinationId: destId,
        message: skipped ? `${message} ${SKIPPED_NOTE}` : message, detail: null,
      });
    };
    switch (a.k) {
      case 'ignore':
        return;
      case 'skip':
        c.skipped++;
        return;
      case 'uncouple':
        marks.flush();
        this.couplings.remove(a.c.rowId);
        c.uncoupled++;
        return;
      case 'unchanged':
        if (followUpError) {
          fail(a.c, a.retry?.dest.id ?? null, followUpError);
          return;
        }
        c.unchanged++;
        if (a.stamp) marks.add(a.c.rowId, a.stamp);
        return;
      case 'fail':
        fail(a.c, a.destId, a.message);
        return;
      case 'insert': {
        const cp = a.c!;
        if (!res || !res.ok) {
          fail(cp, p.dir === 'to' ? cp.dvId : null, `Inserting the ${p.dir === 'to' ? p.mapping.dataverseEntity : p.mapping.bcTable} record failed because of the following error: ${res && !res.ok ? res.error : 'no result'}`, isTransient(res));
          return;
        }
        const stamps = p.dir === 'to' ? { bc: row.modifiedOn, dv: res.modifiedOn } : { bc: res.modifiedOn, dv: row.modifiedOn };
        if (p.dir === 'to') marks.add(cp.rowId, stamps);
        else {
          // A confirmed BC insert also records the SystemId BC gave the record.
          marks.flush();
          this.couplings.markSuccess(cp.rowId, p.dir, p.jobId, stamps, res.id);
        }
        // The record exists now (coupled, no longer pending); its follow-up is retried first next run.
        if (followUpError) {
          fail(cp, res.id, followUpError);
          return;
        }
        c.inserted++;
        return;
      }
      case 'update': {
        if (!res || !res.ok) {
          const table = p.dir === 'to' ? p.mapping.dataverseEntity : p.mapping.bcTable;
          fail(a.c, a.dest.id, `Modifying ${table} failed because of the following error: ${res && !res.ok ? res.error : 'no result'}`, isTransient(res));
          return;
        }
        marks.add(a.c.rowId, this.stamps(p.dir, a.c, row.modifiedOn, res.modifiedOn, a.bothModified));
        if (followUpError) {
          fail(a.c, a.dest.id, followUpError);
          return;
        }
        c.modified++;
        return;
      }
    }
  }

  /**
   * E.4 step 10. Stamps only move up, except when both sides changed: then the destination stamp is lowered
   * (DV − 999 ms after a To write, BC − 10 ms after a From write) so the reverse pass still picks up the
   * destination's own changes.
   */
  private stamps(dir: PassDirection, c: Coupling, sourceMod: number, destMod: number, bothModified: boolean): { bc: number; dv: number } {
    if (dir === 'to') return { bc: Math.max(c.bcModifiedOn, sourceMod), dv: bothModified ? destMod - DV_SELECTION_SLACK_MS : Math.max(c.dvModifiedOn, destMod) };
    return { dv: Math.max(c.dvModifiedOn, sourceMod), bc: bothModified ? destMod - 10 : Math.max(c.bcModifiedOn, destMod) };
  }

  /** E.5 for the given side's row against the coupling. */
  private modifiedAfterLastSync(side: 'bc' | 'dv', row: Row, c: Coupling): boolean {
    if (side === 'bc') return (c.resultTo === 'Failure' && !c.skipped) || compareDateTime(row.modifiedOn, c.bcModifiedOn) > 0;
    return (c.resultFrom === 'Failure' && !c.skipped) || compareDateTime(row.modifiedOn, c.dvModifiedOn) > 0;
  }

  /** The per-record decision of E.4. */
  private async decide(p: Pass, row: Row, coupling: Coupling | null, destRows: Map<string, Row>): Promise<Action> {
    const m = p.mapping;
    let c = coupling;
    if (c?.skipped) return { k: 'skip' };
    let force = p.opts.force === true;
    let dest: Row | undefined;
    /** Coupled by an implicit match just now: its rules' follow-up (e.g. repairing a unit group) has never run. */
    let justCoupled = false;
    const destTable = p.dir === 'to' ? m.dataverseEntity : m.bcTable;
    if (c) {
      const destId = p.dir === 'to' ? c.dvId : c.bcId;
      dest = destId ? destRows.get(destId) : undefined;
      if (c.pending) {
        // A create whose confirmation was lost: upsert it (same id / idempotency key), never a second insert.
        if (!dest) return await this.insertAction(p, row, c, null, force);
        force = true;
      } else if (!dest) {
        if (force) return { k: 'skip' };
        switch (m.deletionConflictResolution) {
          case 'Remove Coupling':
            return { k: 'uncouple', c };
          case 'Restore Records':
            return await this.insertAction(p, row, null, c, force);
          case 'None':
            return {
              k: 'fail', c, destId, newCoupling: false,
              message: `The ${p.dir === 'to' ? m.bcTable : m.dataverseEntity} record cannot be updated because it is coupled to a deleted record in ${destTable}. ` +
                'Restore or remove the coupling (Skipped Synch. Records), or set the mapping\'s Resolve Deletion Conflicts.',
            };
        }
      }
    } else {
      const matched = this.o.implicitMatch ? await this.o.implicitMatch(m, p.dir, row) : null;
      if (matched) {
        const found = (await p.dst.getByIds(p.dstEntity, [matched]))[0];
        const taken = found && (p.dir === 'to' ? this.couplings.byDv(m.bcTableId, found.id) : this.couplings.byBc(m.bcTableId, found.id));
        if (found && !taken) {
          c = this.couplings.insert(p.dir === 'to'
            ? { tableId: m.bcTableId, dvEntity: m.dataverseEntity, bcId: row.id, dvId: found.id }
            : { tableId: m.bcTableId, dvEntity: m.dataverseEntity, bcId: found.id, dvId: row.id });
          p.counters.coupled++;
          dest = found;
          force = true;
          justCoupled = true;
        }
      }
      if (!c || !dest) {
        if (m.synchOnlyCoupled && !p.opts.ignoreSynchOnlyCoupled) return { k: 'ignore' };
        return await this.insertAction(p, row, null, null, force);
      }
    }

    // Modify path: c and dest exist.
    const srcSide = p.dir === 'to' ? 'bc' : 'dv';
    const changed = c.pending || this.modifiedAfterLastSync(srcSide, row, c);
    if (!changed && !force) return { k: 'unchanged', c, stamp: null };
    const bothModified = changed && !c.pending && m.direction === 'Bidirectional' && this.modifiedAfterLastSync(srcSide === 'bc' ? 'dv' : 'bc', dest, c);
    const t = transferFields(m, p.dir, p.plans, row, dest, this.o.lookups);
    if (t.error) return { k: 'fail', c, destId: dest.id, message: t.error, newCoupling: false };
    // Rules run before the conflict check: they translate codes into lookups (Currency Code → transactioncurrencyid),
    // so only what will really be written can make a bidirectional field "changed".
    if (p.rules?.prepare) {
      const err = await p.rules.prepare({ mapping: m, dir: p.dir, source: row, dest, coupling: c, force }, t.values);
      if (err) return { k: 'fail', c, destId: dest.id, message: err, newCoupling: false };
      t.changedBidirectional = p.plans.some((x) => x.bidirectional && x.dest in t.values);
    }
    // Synchronize Now on chosen records with a chosen direction (force + pinned ids) is how a user resolves an update
    // conflict (the conflict message says so; BC's "Synchronize" on Coupled Data Synchronization Errors): it proceeds.
    const chosenDirection = force && p.opts.ids !== undefined;
    if (bothModified && t.changedBidirectional && !chosenDirection) {
      const r = m.updateConflictResolution;
      const proceed = (r === 'Send Update to Integration' && p.dir === 'to') || (r === 'Get Update from Integration' && p.dir === 'from');
      if (r !== 'None' && !proceed) return { k: 'skip' };
      if (r === 'None') {
        const field = p.plans.find((x) => x.bidirectional && x.dest in t.values)!;
        return {
          k: 'fail', c, destId: dest.id, newCoupling: false,
          message: `Cannot update a record in the ${destTable} table. The mapping between ${field.field.bcField ?? '(constant)'} and ` +
            `${field.field.dataverseField ?? '(constant)'} is bi-directional, and one or both values have changed since the last synchronization. ` +
            'Set Resolve Update Conflicts on the mapping, or synchronize this record manually choosing a direction.',
        };
      }
    }
    if (Object.keys(t.values).length === 0) {
      // Confirm the source side's stamp only; the destination keeps its own so its changes are still seen.
      const stamp = p.dir === 'to'
        ? { bc: Math.max(c.bcModifiedOn, row.modifiedOn), dv: bothModified ? c.dvModifiedOn : Math.max(c.dvModifiedOn, dest.modifiedOn) }
        : { dv: Math.max(c.dvModifiedOn, row.modifiedOn), bc: bothModified ? c.bcModifiedOn : Math.max(c.bcModifiedOn, dest.modifiedOn) };
      // A record that failed in this direction may have failed in a rule's follow-up (price levels, lines):
      // hand it to afterWrite again even though its own fields need no write.
      const failedBefore = (p.dir === 'to' ? c.resultTo : c.resultFrom) === 'Failure';
      return { k: 'unchanged', c, stamp, ...((failedBefore || justCoupled) && p.rules?.afterWrite ? { retry: { dest } } : {}) };
    }
    return { k: 'update', dest, values: t.values, validate: t.validate, c, bothModified };
  }

  private async insertAction(p: Pass, row: Row, pending: Coupling | null, removeFirst: Coupling | null, force: boolean): Promise<Action> {
    const t = transferFields(p.mapping, p.dir, p.plans, row, null, this.o.lookups);
    if (t.error) return { k: 'fail', c: pending, destId: null, message: t.error, newCoupling: pending === null };
    if (p.rules?.prepare) {
      const err = await p.rules.prepare({ mapping: p.mapping, dir: p.dir, source: row, dest: null, coupling: pending, force }, t.values);
      if (err) return { k: 'fail', c: pending, destId: null, message: err, newCoupling: pending === null };
    }
    return { k: 'insert', values: t.values, validate: t.validate, c: pending, removeFirst };
  }

  private async writeWithRetry(port: SidePort, entity: string, ops: readonly WriteOp[]): Promise<WriteResult[]> {
    const results: WriteResult[] = new Array<WriteResult>(ops.length);
    let todo = ops.map((_, i) => i);
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < this.o.maxRetries;
      let res: WriteResult[];
      try {
        res = await port.write(entity, todo.map((i) => ops[i]!));
      } catch (x) {
        if (!(x instanceof SideError)) throw x;
        if (x.transient && canRetry) {
          await this.o.sleep(this.o.retryDelayMs * 2 ** attempt);
          continue;
        }
        for (const i of todo) results[i] = { ok: false, error: x.message, transient: x.transient };
        return results;
      }
      if (res.length !== todo.length) throw new Error(`The ${port.side} adapter returned ${res.length} results for ${todo.length} operations.`);
      const again: number[] = [];
      res.forEach((r, j) => {
        if (!r.ok && r.transient && canRetry) again.push(todo[j]!);
        else results[todo[j]!] = r;
      });
      if (again.length === 0) return results;
      todo = again;
      await this.o.sleep(this.o.retryDelayMs * 2 ** attempt);
    }
  }
}

const isTransient = (r: WriteResult | undefined): boolean => !!r && !r.ok && r.transient === true;

/** Successful couplings of one batch, written with one statement (CouplingStore.markSuccessMany) at flush. */
class SuccessMarks {
  private items: { rowId: number; bc: number; dv: number }[] = [];
  private readonly ids = new Set<number>();
  constructor(private readonly store: CouplingStore, private readonly dir: PassDirection, private readonly jobId: string) {}
  add(rowId: number, stamps: { bc: number; dv: number }): void {
    // The same coupling twice in one flush would be applied once, in no defined order: keep record order instead.
    if (this.ids.has(rowId)) this.flush();
    this.ids.add(rowId);
    this.items.push({ rowId, bc: stamps.bc, dv: stamps.dv });
  }
  flush(): void {
    if (this.items.length === 0) return;
    this.store.markSuccessMany(this.dir, this.jobId, this.items);
    this.items = [];
    this.ids.clear();
  }
}

/** Bounded concurrency: at most `max` batches in flight; the first failure is rethrown after all settle. */
class Limiter {
  private readonly inflight = new Set<Promise<void>>();
  private error: { e: unknown } | null = null;
  constructor(private readonly max: number) {}
  async add(fn: () => Promise<void>): Promise<void> {
    while (this.inflight.size >= Math.max(1, this.max)) await Promise.race(this.inflight);
    if (this.error) {
      await this.drain();
    }
    const pr: Promise<void> = fn()
      .catch((e: unknown) => {
        this.error ??= { e };
      })
      .finally(() => this.inflight.delete(pr));
    this.inflight.add(pr);
  }
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    if (this.error) throw this.error.e;
  }
}
