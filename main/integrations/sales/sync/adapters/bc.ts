/**
 * SidePort over the Business Central API (BusinessCentralClient, API v2.0 + the companion extension's
 * api/d365ic/integration/v1.0 group; see entities.ts for which entity set serves which table).
 *
 * Reads: `lastModifiedDateTime gt <watermark>` ordered by it (a selection without a watermark: by SystemId), in pages
 * of ≥ 5,000 rows (readPageSize), cut into the
 * engine's pages. BC table filters are not pushed down (BC field names ≠ API properties; the engine re-checks
 * every row locally).
 * Writes: JSON $batch of ≤ 100 independent operations (no Isolation, so one bad record does not roll back 99
 * good ones), batches in parallel under an AdaptiveLimiter capped at 5 (BC processes 5 requests per user at once
 * and queues the rest).
 *
 * Idempotent inserts: BC accepts a client-supplied SystemId (`id`) on POST. The adapter derives that id from the
 * engine's idempotency key (name-based GUID, common.ts idFromKey), which the engine has committed to its pending
 * coupling before the request. A retry or a resumed run POSTs the same id; BC answers
 * Internal_EntityWithSameKeyExists, the adapter then reads the record by that id and — if it is there — treats the
 * insert as done and PATCHes the values onto it. If no record has that id, the duplicate is a natural key (No.)
 * clash and is reported as a normal failure.
 */
import { AdaptiveLimiter, BC_MAX_CONCURRENCY } from '../../../../clients/concurrency';
import type { BcBatchOperation, BcBatchResponse, BcRow, BusinessCentralClient } from '../../../../clients/bc';
import { BC_MAX_BATCH, BC_MAX_PAGE_SIZE } from '../../../../clients/bc';
import { chunk, filter as f } from '../../../../clients/odata';
import { isServiceError } from '../../../../http/errors';
import type { BcFilter, DvFilter } from '../../../../../preload/contract/sales/mapping-model';
import type { MatchCondition, QueryModified, Row, SidePort, WriteOp, WriteResult } from '../ports';
import { SideError } from '../ports';
import { errorText, idFromKey, isTransient, parseTime, retryTransient, serverDate, slices } from './common';
import { bcEntityFor } from './carried';
import { BC_ENTITIES, BC_READ_ONLY, bcEntity, type BcEntity } from './entities';

export interface BcSideOptions {
  /** Client on the API v2.0 root of the deployment. */
  client: BusinessCentralClient;
  companyId: string;
  limiter?: AdaptiveLimiter;
  /** Namespace of idempotency-key ids (default: the company id), so two companies never share SystemIds. */
  idNamespace?: string;
  /**
   * Whether the companion extension (api/d365ic/integration/v1.0) is installed. Default: asked once from BC (its API
   * group answers 404 without it) and again at every run start (now()). Without it the adapter reads and writes the
   * standard v2.0 pages (carried.ts STANDARD_FALLBACK), leaves the fields only the extension has alone, and refuses
   * tables only the extension publishes with a message that says so.
   */
  companionExtension?: boolean;
}

/** Ids per OR-filter GET (same field, which BC allows); 50 GUIDs keep the URL under 3 KB. */
const IDS_PER_GET = 50;
/**
 * Rows per read request: at least this many (few requests), rounded up to whole engine pages (no short slices), at
 * most BC's 20,000. Not the maximum by default: a 20,000-row JSON page is a 10–35 MB string plus its parsed rows,
 * held while the engine works through it, and with two tables syncing at once that alone pushed the engine
 * process past 400 MB RSS in the 100,000-record benchmark (bench/sync.ts). Smaller pages mean more requests (a
 * sequential read of 100,000 rows took ~30 % longer at 5,000 per page), which the read-ahead below hides; the CPU
 * per record of either process did not change measurably.
 */
const READ_PAGE_MIN = 5000;
export function readPageSize(enginePageSize: number): number {
  const page = Math.max(1, Math.floor(enginePageSize));
  return Math.min(BC_MAX_PAGE_SIZE, Math.ceil(READ_PAGE_MIN / page) * page);
}
const SAME_KEY = 'Internal_EntityWithSameKeyExists';

// Object.entries of an entity's field table, once per entity instead of once per row read.
const entriesCache = new WeakMap<BcEntity, [string, BcEntity['fields'][string]][]>();
function fieldEntries(e: BcEntity): [string, BcEntity['fields'][string]][] {
  let x = entriesCache.get(e);
  if (!x) entriesCache.set(e, (x = Object.entries(e.fields)));
  return x;
}

export class BcSide implements SidePort {
  readonly side = 'bc' as const;
  readonly limiter: AdaptiveLimiter;
  private readonly v2: BusinessCentralClient;
  private readonly custom: BusinessCentralClient;
  private readonly seen = new Set<string>();
  readonly stats = { batches: 0, reads: 0, replayedInserts: 0 };

  constructor(private readonly o: BcSideOptions) {
    this.v2 = o.client;
    this.custom = o.client.withGroup('d365ic', 'integration', 'v1.0');
    this.limiter = o.limiter ?? new AdaptiveLimiter({ initial: BC_MAX_CONCURRENCY, max: BC_MAX_CONCURRENCY });
  }

  private companion: Promise<boolean> | null = null;

  /** Is the companion extension installed on this connection (asked once; `refresh` asks again)? */
  companionExtension(refresh = false): Promise<boolean> {
    if (this.o.companionExtension !== undefined) return Promise.resolve(this.o.companionExtension);
    if (!this.companion || refresh) {
      const probe = this.custom.http.request({ path: `${this.custom.root}/companies` }).then(
        () => true,
        // 404: the API group does not exist. Any other failure says nothing about the extension: assume it is there
        // and let the real reads report what is wrong.
        (err: unknown) => !(isServiceError(err) && err.status === 404),
      );
      this.companion = probe;
    }
    return this.companion;
  }

  /** The entity for a table on this connection (the standard fallback without the extension). */
  private async entity(table: string): Promise<BcEntity> {
    const full = bcEntity(table);
    if (await this.companionExtension()) return full;
    const e = bcEntityFor(table, false);
    if (!e)
      throw new SideError(`Business Central publishes ${table} to the console only through the Integration Console companion extension (api/d365ic/integration/v1.0), which is not installed on this connection. Install it (bc-extension/README.md), then run the synchronization again.`, false);
    return e;
  }

  private api(e: BcEntity): BusinessCentralClient {
    return e.readApi === 'custom' ? this.custom : this.v2;
  }

  /** Insert id for an idempotency key. Exposed so tests and tools can find the record a key created. */
  insertId(key: string): string {
    return idFromKey(this.o.idNamespace ?? this.o.companyId, key);
  }

  private toRow(e: BcEntity, r: BcRow): Row {
    const values: Record<string, unknown> = {};
    for (const [field, p] of fieldEntries(e)) if (p.prop in r) values[field] = r[p.prop];
    if (e.implied) Object.assign(values, e.implied);
    return { id: String(r.id).toLowerCase(), modifiedOn: parseTime(r.lastModifiedDateTime), values };
  }

  private body(e: BcEntity, values: Record<string, unknown>, forInsert: boolean): { main: BcRow; rest: BcRow; unknown: string[] } {
    const main: BcRow = {};
    const rest: BcRow = {};
    const unknown: string[] = [];
    for (const [field, v] of Object.entries(values)) {
      const p = e.fields[field];
      // Without the companion extension a field only it publishes is not carried on this connection (carried.ts): left alone.
      if (!p && e !== BC_ENTITIES[e.table] && BC_ENTITIES[e.table]?.fields[field]) continue;
      // An implied field (Document Type of salesOrders) needs no property; any other value for it cannot be written here.
      if (!p && e.implied?.[field] !== undefined && String(v) === e.implied[field]) continue;
      if (!p) {
        unknown.push(field);
        continue;
      }
      if (p.readOnly || BC_READ_ONLY.has(p.prop)) continue;
      if (!forInsert) main[p.prop] = v;
      else if (p.insertProp === null) rest[p.prop] = v;
      else main[p.insertProp ?? p.prop] = v;
    }
    return { main, rest, unknown };
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.limiter.run(fn);
    } catch (err) {
      throw new SideError(`Business Central ${what} failed: ${errorText(err)}`, isTransient(err));
    }
  }

  async *queryModified(entity: string, q: QueryModified): AsyncIterable<Row[]> {
    const e = await this.entity(entity);
    this.seen.add(entity);
    const pages = this.api(e).list(this.o.companyId, e.readSet, {
      ...(q.since !== null ? { filter: f.gt('lastModifiedDateTime', new Date(q.since)) } : {}),
      // A selection without a watermark (the initial or a full sync) reads in SystemId order: the engine's coupling
      // index on the BC id then grows at its right edge. In modified order the random SystemIds made every new
      // coupling land on a cold index page — at a million records most of the engine's time (issue 17). The engine
      // takes the highest modified stamp of the selection as the watermark, so the order does not matter to it.
      orderby: q.since === null ? 'id asc' : 'lastModifiedDateTime asc', maxPageSize: readPageSize(q.pageSize),
    });
    const it = pages[Symbol.asyncIterator]();
    // Read-ahead of one page: the next request is under way while the engine works through this page, so reads do
    // not stall the pipeline. A failure surfaces when that page is awaited (the handler only avoids an unhandled
    // rejection if the consumer stops early).
    const readNext = () => {
      const p = it.next();
      p.catch(() => undefined);
      return p;
    };
    let ahead = readNext();
    for (;;) {
      // Not through the limiter (a failed generator cannot be resumed); HttpClient retries GETs itself.
      let next: IteratorResult<BcRow[]>;
      try {
        next = await ahead;
      } catch (err) {
        throw new SideError(`Business Central reading ${e.readSet} failed: ${errorText(err)}`, isTransient(err));
      }
      this.stats.reads++;
      if (next.done) return;
      ahead = readNext();
      const rows = next.value.map((r) => this.toRow(e, r));
      for (const s of slices(rows, q.pageSize)) yield s;
    }
  }

  private async byIds(e: BcEntity, ids: readonly string[], select?: string[]): Promise<Row[]> {
    const groups = chunk([...new Set(ids.map((i) => i.toLowerCase()))], IDS_PER_GET);
    const parts = await Promise.all(groups.map((g) => this.guard(`reading ${e.readSet} by id`, () =>
      this.api(e).listAll(this.o.companyId, e.readSet, { filter: f.or(...g.map((id) => f.eqGuid('id', id))), ...(select ? { select } : {}) }))));
    return parts.flat().map((r) => this.toRow(e, r));
  }

  async getByIds(entity: string, ids: readonly string[]): Promise<Row[]> {
    return ids.length === 0 ? [] : this.byIds(await this.entity(entity), ids);
  }

  async exists(entity: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const found = new Set((await this.byIds(await this.entity(entity), ids, ['id', 'lastModifiedDateTime'])).map((r) => r.id));
    return new Set(ids.filter((i) => found.has(i.toLowerCase())));
  }

  async findMatches(entity: string, conditions: readonly MatchCondition[], _filter: BcFilter | DvFilter, limit: number): Promise<Row[]> {
    const e = await this.entity(entity);
    const parts = conditions.map((c) => {
      const p = e.fields[c.field];
      if (!p) throw new SideError(`Business Central ${e.table} has no API property for the match field "${c.field}". Choose another field for match-based coupling.`, false);
      return p.guid && typeof c.value === 'string' && c.value !== '' ? f.eqGuid(p.prop, c.value) : f.eq(p.prop, c.value as string | number | boolean | null);
    });
    const rows = await this.guard(`matching ${e.readSet}`, () => this.api(e).listAll(this.o.companyId, e.readSet, { ...(parts.length ? { filter: f.and(...parts) } : {}), top: limit }));
    // BC compares text case-insensitively in $filter? Not reliably across versions: re-check here.
    return rows.map((r) => this.toRow(e, r)).filter((r) => conditions.every((c) => {
      const v = r.values[c.field];
      return c.caseSensitive || typeof v !== 'string' || typeof c.value !== 'string' ? v === c.value : v.toLowerCase() === c.value.toLowerCase();
    }));
  }

  async hasChangesSince(entity: string, _filter: BcFilter | DvFilter, since: number | null): Promise<boolean> {
    const e = await this.entity(entity);
    const rows = await this.guard(`probing ${e.readSet}`, async () => {
      for await (const p of this.api(e).list(this.o.companyId, e.readSet, { select: ['id'], top: 1, ...(since !== null ? { filter: f.gt('lastModifiedDateTime', new Date(since)) } : {}) })) return p;
      return [];
    });
    return rows.length > 0;
  }

  /**
   * BC hands out lastModifiedDateTime values that are strictly increasing, so after a bulk load they can run ahead
   * of the wall clock. "Now" for watermark capping is therefore the later of the server's Date header and the
   * newest stamp of every table this adapter has read — otherwise the cap would sit below rows already synced and
   * every incremental run would re-read them.
   */
  async now(): Promise<number> {
    const r = await this.guard('reading the server time', () => this.v2.http.request({ path: `${this.v2.root}/companies` }));
    let t = serverDate(r.headers) ?? Date.now();
    // Before the first read of a run the adapter has seen nothing yet: probe every table it serves. The probes run
    // side by side (the limiter caps them at BC's 5): one after another, 20 tables cost ~0.9 s at 40 ms latency
    // before every run could start.
    const companion = await this.companionExtension(true);
    const entities = [...(this.seen.size ? this.seen : Object.keys(BC_ENTITIES))].map((t) => bcEntityFor(t, companion)).filter((e): e is BcEntity => !!e && !e.noTimestamp);
    const newest = await Promise.all(entities.map((e) => this.guard(`reading ${e.readSet}`, async () => {
      for await (const p of this.api(e).list(this.o.companyId, e.readSet, { select: ['lastModifiedDateTime'], orderby: 'lastModifiedDateTime desc', top: 1 })) return p[0];
      return undefined;
    })));
    for (const row of newest) if (row) t = Math.max(t, parseTime(row.lastModifiedDateTime));
    return t;
  }

  async write(entity: string, ops: readonly WriteOp[]): Promise<WriteResult[]> {
    const e = await this.entity(entity);
    const results: WriteResult[] = new Array<WriteResult>(ops.length);
    /** Per op: the operations of the first $batch, and a follow-up PATCH (detail-only fields of an insert). */
    const first: { i: number; op: BcBatchOperation; client: BusinessCentralClient }[] = [];
    const followUp = new Map<number, BcRow>();
    ops.forEach((op, i) => {
      if (op.kind === 'delete') {
        first.push({ i, client: this.api(e), op: { method: 'DELETE', url: this.api(e).entityUrl(this.o.companyId, e.readSet, op.id), headers: { 'If-Match': op.etag ?? '*' } } });
        return;
      }
      const b = this.body(e, op.values, op.kind === 'insert');
      if (b.unknown.length) {
        results[i] = { ok: false, error: `Business Central ${e.table}: no API property for field(s) ${b.unknown.join(', ')}. Disable these field mappings or add them to main/integrations/sales/sync/adapters/entities.ts.` };
        return;
      }
      if (op.kind === 'insert') {
        const id = op.id ?? this.insertId(op.idempotencyKey);
        const ins = e.insertApi === 'custom' ? this.custom : this.v2;
        first.push({ i, client: ins, op: { method: 'POST', url: ins.entityUrl(this.o.companyId, e.insertSet), body: { ...b.main, id } } });
        if (Object.keys(b.rest).length) followUp.set(i, b.rest);
      } else {
        first.push({ i, client: this.api(e), op: { method: 'PATCH', url: this.api(e).entityUrl(this.o.companyId, e.readSet, op.id), headers: { 'If-Match': op.etag ?? '*' }, body: b.main } });
      }
    });

    const answers = await this.runBatches(first);
    // Replayed inserts (same SystemId already there) and detail-only fields: a second round of PATCHes.
    const second: { i: number; op: BcBatchOperation; client: BusinessCentralClient }[] = [];
    const verify: { i: number; id: string }[] = [];
    first.forEach((x, n) => {
      const a = answers[n]!;
      const op = ops[x.i]!;
      if (a.status >= 200 && a.status < 300) {
        const row = (a.body ?? {}) as BcRow;
        const id = String(row.id ?? (op.kind === 'insert' ? (op.id ?? this.insertId(op.idempotencyKey)) : op.id)).toLowerCase();
        results[x.i] = { ok: true, id, modifiedOn: parseTime(row.lastModifiedDateTime) };
        const rest = followUp.get(x.i);
        if (rest) second.push({ i: x.i, client: this.api(e), op: { method: 'PATCH', url: this.api(e).entityUrl(this.o.companyId, e.readSet, id), headers: { 'If-Match': '*' }, body: rest } });
        return;
      }
      const err = (a.body as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (op.kind === 'insert' && err?.code === SAME_KEY) {
        verify.push({ i: x.i, id: op.id ?? this.insertId(op.idempotencyKey) });
        return;
      }
      if (op.kind === 'delete' && a.status === 404) {
        results[x.i] = { ok: true, id: op.id, modifiedOn: 0 };
        return;
      }
      const transient = a.status === 0 || a.status === 429 || a.status >= 500;
      results[x.i] = { ok: false, error: `${err?.message ?? `HTTP ${a.status}`}${err?.code ? ` (${err.code})` : ''}`, transient };
    });
    if (verify.length) {
      const found = await this.exists(entity, verify.map((v) => v.id));
      for (const v of verify) {
        const op = ops[v.i] as Extract<WriteOp, { kind: 'insert' }>;
        if (!found.has(v.id)) {
          results[v.i] = { ok: false, error: `Business Central refused the new ${e.table}: a record with the same key already exists (${op.idempotencyKey}). Check the number series / No. for duplicates.` };
          continue;
        }
        // Created by an earlier attempt (a retry or a run that died before recording the answer): update it instead.
        this.stats.replayedInserts++;
        const b = this.body(e, op.values, false);
        second.push({ i: v.i, client: this.api(e), op: { method: 'PATCH', url: this.api(e).entityUrl(this.o.companyId, e.readSet, v.id), headers: { 'If-Match': '*' }, body: b.main } });
      }
    }
    if (second.length) {
      const more = await this.runBatches(second);
      second.forEach((x, n) => {
        const a = more[n]!;
        if (a.status >= 200 && a.status < 300) {
          const row = (a.body ?? {}) as BcRow;
          results[x.i] = { ok: true, id: String(row.id).toLowerCase(), modifiedOn: parseTime(row.lastModifiedDateTime) };
        } else {
          const err = (a.body as { error?: { code?: string; message?: string } } | undefined)?.error;
          results[x.i] = { ok: false, error: err?.message ?? `HTTP ${a.status}`, transient: a.status === 0 || a.status === 429 || a.status >= 500 };
        }
      });
    }
    return results;
  }

  /** Operations grouped per API root into $batch requests of ≤ 100, run under the limiter; answers in input order. */
  private async runBatches(items: { op: BcBatchOperation; client: BusinessCentralClient }[]): Promise<BcBatchResponse[]> {
    const out: BcBatchResponse[] = new Array<BcBatchResponse>(items.length);
    const byClient = new Map<BusinessCentralClient, number[]>();
    items.forEach((x, n) => {
      const l = byClient.get(x.client) ?? [];
      l.push(n);
      byClient.set(x.client, l);
    });
    const jobs: Promise<void>[] = [];
    for (const [client, idx] of byClient) {
      for (const part of chunk(idx, BC_MAX_BATCH)) {
        jobs.push(retryTransient(() => this.limiter.run(() => {
          this.stats.batches++;
          return client.batch(part.map((n) => items[n]!.op));
        })).then(
          (res) => part.forEach((n, k) => void (out[n] = res[k]!)),
          (err: unknown) => {
            // The whole $batch failed (network, 5xx, throttled past the limiter's retries): every op is retryable
            // when the failure is; replayed inserts are safe thanks to the key-derived SystemId.
            const status = isServiceError(err) && err.status !== null ? err.status : 0;
            const transient = isTransient(err) ? (status === 0 ? 0 : status) : status || 400;
            part.forEach((n) => void (out[n] = { id: String(n), status: transient, headers: {}, body: { error: { code: isServiceError(err) ? err.code : 'ERROR', message: errorText(err) } } }));
          },
        ));
      }
    }
    await Promise.all(jobs);
    return out;
  }
}
