/**
 * Commerce headquarters (Finance and Operations) OData client over main/http's HttpClient (auth + one refresh after
 * 401, 429/503 with Retry-After, timeouts, same-origin @odata.nextLink paging). F&O rules it encodes
 * (shared/reference/commerce-hq-and-graph.md §1):
 *  - `http.baseUrl` is the environment URL (`https://<env>.operations.dynamics.com/`); collections live under
 *    `data/`, the metadata service under `Metadata/`;
 *  - collection names are case-sensitive and several are unconfirmed, so they are discovered at run time from
 *    `/Metadata/DataEntities` (PublicCollectionName, DataServiceEnabled, LabelId) and cached per client;
 *  - reads send `cross-company=true` unless told otherwise (without it F&O returns only the caller's default
 *    company) and follow server-driven paging (≤ 10,000 rows a page) through @odata.nextLink;
 *  - `$filter` values go through the shared escaping (`filter.*` in ../odata); F&O has no `in`, so value lists
 *    become `or` chains, chunked so URLs stay short;
 *  - multipart `$batch`: change sets are atomic, the outer answer is 200 even when parts fail, so results are
 *    per part; a failed change set is answered with the failing operation alone and every operation of it is
 *    reported as not applied;
 *  - F&O's error body (lower-case innererror, empty code) → CommerceError with the inner message.
 */
import type { HttpClient, TokenProvider } from '../../http/client';
import type { BatchItem, BatchOperation, BatchPartResponse } from '../dataverse/batch';
import { buildBatch, isChangeSet, parseBatchResponse } from '../dataverse/batch';
import type { ODataScalar, QueryOptions } from '../odata';
import { chunk, filter, Filter, queryString } from '../odata';
import type { RawSend } from '../raw';
import { rawTransport } from '../raw';
import { CommerceError, commerceErrorInfo, toCommerceError } from './errors';

export type CommerceRow = Record<string, unknown>;

export interface DataEntityInfo {
  name: string;
  publicEntityName: string | null;
  publicCollectionName: string | null;
  labelId: string | null;
  dataServiceEnabled: boolean;
  isReadOnly: boolean;
  entityCategory: string | null;
}

export interface CommerceReadOptions extends QueryOptions {
  /** Default true: all companies the caller may see (F&O otherwise answers only the default company). */
  crossCompany?: boolean;
  /** Prefer: odata.maxpagesize (F&O caps pages at 10,000 rows). */
  maxPageSize?: number;
  signal?: AbortSignal;
}

export interface CommerceBatchResult {
  /** Index of the top-level item (operation or change set) this result belongs to. */
  item: number;
  /** Index inside the change set (0 for a single operation). */
  index: number;
  status: number;
  ok: boolean;
  body: unknown;
  headers: Record<string, string>;
  contentId?: string;
  /** False for every operation of a change set that was rolled back (including the ones that did not fail). */
  applied: boolean;
  error?: CommerceError;
}

export interface CommerceClientOptions {
  /** baseUrl = the environment URL (no /data). */
  http: HttpClient;
  auth?: TokenProvider;
  raw?: RawSend;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Values per `or` chain when filtering by a list (no `in` in F&O). Default 25. */
  orChunk?: number;
}

const ODATA = { Accept: 'application/json', 'OData-Version': '4.0', 'OData-MaxVersion': '4.0' };
const SET = /^[A-Za-z_][A-Za-z0-9_]*$/;

function setName(name: string): string {
  if (!SET.test(name)) throw new Error(`"${name.slice(0, 60)}" is not an OData collection name.`);
  return name;
}

export class CommerceClient {
  readonly http: HttpClient;
  readonly environmentUrl: string;
  private readonly raw: RawSend;
  private readonly orChunk: number;
  private entities: Promise<DataEntityInfo[]> | null = null;

  constructor(opts: CommerceClientOptions) {
    this.http = opts.http;
    this.environmentUrl = opts.http.baseUrl.toString().replace(/\/+$/, '');
    if (/\/data$/i.test(new URL(this.environmentUrl).pathname)) {
      throw new Error('The Commerce client needs the environment URL (https://<env>.operations.dynamics.com), not the /data service root.');
    }
    this.raw = opts.raw ?? rawTransport({ http: opts.http, ...(opts.auth ? { auth: opts.auth } : {}), ...(opts.sleep ? { sleep: opts.sleep } : {}), defaultHeaders: { 'OData-Version': '4.0', 'OData-MaxVersion': '4.0' } });
    this.orChunk = opts.orChunk ?? 25;
  }

  private async wrap<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (x) {
      throw toCommerceError(x);
    }
  }

  // ------------------------------------------------------------------------------------------- discovery

  /** `/Metadata/DataEntities` (all of it, cached): the public names this environment really exposes. */
  dataEntities(refresh = false): Promise<DataEntityInfo[]> {
    if (!this.entities || refresh) {
      const p = this.wrap(this.http.collect<Record<string, unknown>>('Metadata/DataEntities', { headers: ODATA })).then((rows) =>
        rows.map((r) => ({
          name: String(r.Name),
          publicEntityName: (r.PublicEntityName as string | null) ?? null,
          publicCollectionName: (r.PublicCollectionName as string | null) ?? null,
          labelId: (r.LabelId as string | null) ?? null,
          dataServiceEnabled: r.DataServiceEnabled === true || r.DataServiceEnabled === 'Yes',
          isReadOnly: r.IsReadOnly === true || r.IsReadOnly === 'Yes',
          entityCategory: (r.EntityCategory as string | null) ?? null,
        })),
      );
      p.catch(() => {
        if (this.entities === p) this.entities = null;
      });
      this.entities = p;
    }
    return this.entities;
  }

  /**
   * The public collection for an entity given by AOT name (`RetailChannelWorkerEntity`/`RetailChannelWorker`),
   * public entity name, collection name, or label text (resolved through /Metadata/Labels). Null when the
   * environment does not expose it on OData (missing, or DataServiceEnabled false).
   */
  async collectionFor(nameOrLabel: string, o: { byLabel?: boolean; language?: string } = {}): Promise<string | null> {
    const all = await this.dataEntities();
    const n = nameOrLabel.toLowerCase();
    const bare = n.replace(/entity$/, '');
    let hit = all.find((e) => [e.name, e.publicEntityName, e.publicCollectionName].some((v) => v && (v.toLowerCase() === n || v.toLowerCase() === bare)));
    if (!hit && o.byLabel) {
      for (const e of all) {
        if (!e.labelId) continue;
        const label = await this.label(e.labelId, o.language ?? 'en-us');
        if (label && label.toLowerCase() === n) {
          hit = e;
          break;
        }
      }
    }
    return hit && hit.dataServiceEnabled ? hit.publicCollectionName : null;
  }

  async label(id: string, language = 'en-us'): Promise<string | null> {
    const q = (s: string) => s.replace(/'/g, "''");
    const r = await this.wrap(this.http.get<{ Value?: string }>(`Metadata/Labels(Id='${encodeURIComponent(q(id))}',Language='${encodeURIComponent(q(language))}')`, { headers: ODATA })).catch((x) => {
      if (x instanceof CommerceError && x.status === 404) return null;
      throw x;
    });
    return r?.body?.Value ?? null;
  }

  /** `/data/$metadata` (CSDL XML text). */
  async metadata(): Promise<string> {
    const r = await this.wrap(this.http.get<string>('data/$metadata', { headers: { ...ODATA, Accept: 'application/xml' } }));
    return typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  }

  /** The cheapest authenticated call (connection tests): one company row. */
  async firstCompany(): Promise<CommerceRow | null> {
    const r = await this.wrap(this.http.get<{ value?: CommerceRow[] }>('data/Companies', { headers: ODATA, query: { $top: 1 } }));
    return r.body?.value?.[0] ?? null;
  }

  // ----------------------------------------------------------------------------------------------- reads

  private collectionPath(collection: string, q: CommerceReadOptions): string {
    const extra: Record<string, string | undefined> = q.crossCompany === false ? {} : { 'cross-company': 'true' };
    return `data/${setName(collection)}${queryString(q, extra)}`;
  }

  /** Pages of a collection (server-driven, nextLink verbatim; F&O pages hold at most 10,000 rows). */
  async *pages<T = CommerceRow>(collection: string, q: CommerceReadOptions = {}): AsyncGenerator<T[]> {
    const headers: Record<string, string> = { ...ODATA, ...(q.maxPageSize ? { Prefer: `odata.maxpagesize=${Math.min(q.maxPageSize, 10_000)}` } : {}) };
    try {
      yield* this.http.pages<T>(this.collectionPath(collection, q), { headers, ...(q.signal ? { signal: q.signal } : {}) });
    } catch (x) {
      throw toCommerceError(x);
    }
  }

  async list<T = CommerceRow>(collection: string, q: CommerceReadOptions = {}): Promise<T[]> {
    const all: T[] = [];
    for await (const p of this.pages<T>(collection, q)) all.push(...p);
    return all;
  }

  /** `field eq v1 or field eq v2 …` chunks (F&O rejects `in`); each value escaped by the shared helpers. */
  orChains(field: string, values: readonly ODataScalar[]): Filter[] {
    const uniq = [...new Set(values)];
    return chunk(uniq, this.orChunk).map((part) => filter.in(field, part));
  }

  /** Rows whose `field` is one of `values`, one request chain per or-chunk; `and` combines an extra filter. */
  async listWhereIn<T = CommerceRow>(collection: string, field: string, values: readonly ODataScalar[], q: CommerceReadOptions = {}): Promise<T[]> {
    if (values.length === 0) return [];
    const out: T[] = [];
    for (const chain of this.orChains(field, values)) {
      const f = q.filter !== undefined ? filter.and(typeof q.filter === 'string' ? Filter.raw(q.filter) : q.filter, chain) : chain;
      out.push(...(await this.list<T>(collection, { ...q, filter: f })));
    }
    return out;
  }

  async count(collection: string, q: CommerceReadOptions = {}): Promise<number> {
    const r = await this.wrap(this.http.get<{ '@odata.count'?: number }>(this.collectionPath(collection, { ...q, count: true, top: 0 }), { headers: ODATA }));
    return Number(r.body?.['@odata.count'] ?? 0);
  }

  // ---------------------------------------------------------------------------------------------- writes

  async create<T = CommerceRow>(collection: string, row: CommerceRow): Promise<T> {
    return (await this.wrap(this.http.request<T>({ method: 'POST', path: `data/${setName(collection)}`, json: row, headers: ODATA }))).body;
  }

  /** PATCH by key (every key field, including dataAreaId on company-specific entities). */
  async update(collection: string, key: Record<string, string | number>, patch: CommerceRow, etag?: string): Promise<void> {
    await this.wrap(this.http.request({ method: 'PATCH', path: `data/${setName(collection)}(${keySegment(key)})`, json: patch, headers: { ...ODATA, ...(etag ? { 'If-Match': etag } : {}) } }));
  }

  // ---------------------------------------------------------------------------------------------- $batch

  /**
   * Multipart $batch. The builder/parser is the client's own OData v4 multipart code (shared with the Dataverse
   * client), deliberately NOT the sandbox's parser in main/sandbox/commerce: two independent implementations of
   * the framing, so a bug in one cannot hide the same bug in the other during the tests.
   *
   * Results are per operation. When a change set fails, F&O rolls it back and answers only the failing
   * operation; every operation of that change set is returned with `applied: false`, the failing one with its
   * status and error, the others with status 424 (not applied because of it).
   */
  async batch(items: readonly BatchItem[]): Promise<CommerceBatchResult[]> {
    const built = buildBatch(items, `${this.environmentUrl}/data`);
    const res = await this.wrap(this.raw({ method: 'POST', path: 'data/$batch', headers: { 'Content-Type': built.contentType, Accept: 'multipart/mixed' }, body: built.body }));
    const parts = parseBatchResponse(res.headers.get('content-type'), res.text);
    const out: CommerceBatchResult[] = [];
    let p = 0;
    items.forEach((item, i) => {
      if (!isChangeSet(item)) {
        const part = parts[p++];
        out.push(result(i, 0, part, item, true));
        return;
      }
      const mine: BatchPartResponse[] = [];
      const cs = parts[p]?.changeSet;
      if (cs !== undefined) while (p < parts.length && parts[p]!.changeSet === cs) mine.push(parts[p++]!);
      if (mine.length === item.changeSet.length && mine.every((m) => m.status < 400)) {
        item.changeSet.forEach((op, j) => out.push(result(i, j, mine[j], op, true)));
        return;
      }
      // Rolled back: the answer is the failing operation (as a lone part, or inside the change set's multipart).
      const failing = mine.find((m) => m.status >= 400) ?? (mine.length === 0 ? parts[p++] : undefined);
      const failedAt = failing?.contentId !== undefined ? item.changeSet.findIndex((op, j) => (op.contentId ?? '') === failing.contentId || contentIdOf(items, i, j) === failing.contentId) : -1;
      item.changeSet.forEach((op, j) => {
        if (failing && (j === failedAt || (failedAt < 0 && j === 0))) out.push({ ...result(i, j, failing, op, false) });
        else {
          const body = { error: { code: '', message: 'Not applied: another operation of the same change set failed and the change set was rolled back.' } };
          out.push({ item: i, index: j, status: 424, ok: false, body, headers: {}, applied: false, error: new CommerceError(424, 'HTTP_424', body.error.message, { method: op.method, url: op.url, body }) });
        }
      });
    });
    return out;
  }
}

/** The Content-ID buildBatch assigns when the caller gave none: a running number over change set operations. */
function contentIdOf(items: readonly BatchItem[], item: number, index: number): string {
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (!isChangeSet(it)) continue;
    for (let j = 0; j < it.changeSet.length; j++) {
      const op = it.changeSet[j]!;
      if (op.contentId === undefined) n++;
      if (i === item && j === index) return op.contentId ?? String(n);
    }
  }
  return '';
}

function result(item: number, index: number, part: BatchPartResponse | undefined, op: BatchOperation, applied: boolean): CommerceBatchResult {
  if (!part) {
    const body = { error: { code: '', message: 'The $batch answer has no response for this operation.' } };
    return { item, index, status: 500, ok: false, body, headers: {}, applied: false, error: new CommerceError(500, 'HTTP_500', body.error.message, { method: op.method, url: op.url, body }) };
  }
  const ok = part.status < 400;
  const info = ok ? null : commerceErrorInfo(part.status, part.body);
  return {
    item, index, status: part.status, ok, body: part.body, headers: part.headers, applied: ok && applied,
    ...(part.contentId !== undefined ? { contentId: part.contentId } : {}),
    ...(info ? { error: new CommerceError(part.status, info.code, info.message, { method: op.method, url: op.url, body: part.body }, info.innerType) } : {}),
  };
}

/** `dataAreaId='nrno',RetailChannelId='NR-001001'` (strings quoted with doubled quotes, numbers bare). */
export function keySegment(key: Record<string, string | number>): string {
  const parts = Object.entries(key).map(([k, v]) => {
    if (!SET.test(k)) throw new Error(`"${k.slice(0, 60)}" is not a key field name.`);
    return `${k}=${typeof v === 'number' ? String(v) : `'${encodeURIComponent(v.replace(/'/g, "''"))}'`}`;
  });
  if (parts.length === 0) throw new Error('A key needs at least one field.');
  return parts.join(',');
}
