/**
 * Typed Dataverse Web API v9.2 client over main/http's HttpClient (auth, retries, timeouts, correlation ids).
 * Works the same against the cloud and the local sandbox; see protocols.md §1 for the rules encoded here:
 *  - PATCH defaults to If-Match: * (a PATCH without it is an upsert and silently re-creates a deleted row, §0.1);
 *  - paging follows @odata.nextLink verbatim with Prefer: odata.maxpagesize ($skip is unsupported, §1.5);
 *  - GETs send If-None-Match: null so expanded collections are never served from a cache (§1.1).
 */
import type { HttpClient, TokenProvider } from '../../http/client';
import { isServiceError, ServiceError } from '../../http/errors';
import { odataGuid, odataString } from '../../http/odata';
import type { AdaptiveLimiter } from '../concurrency';
import { ChangeTrackingExpiredError, DV_CHANGE_TRACKING_EXPIRED } from '../errors';
import type { QueryOptions } from '../odata';
import { chunk, idFromEntityUrl, keyPath, queryString } from '../odata';
import type { RawSend } from '../raw';
import { rawTransport } from '../raw';
import type { BatchItem, BatchOperation, BatchPartResponse } from './batch';
import { buildBatch, parseBatchResponse } from './batch';

export type Row = Record<string, unknown>;

export interface DataverseClientOptions {
  /** baseUrl must be `<environment url>/api/data/v9.2`. */
  http: HttpClient;
  /** Sends multipart $batch bodies; defaults to rawTransport({ http, auth }). */
  raw?: RawSend;
  /** Needed by the default raw transport (HttpClient keeps its provider private). */
  auth?: TokenProvider;
  /** Targets per CreateMultiple/UpdateMultiple/UpsertMultiple request (default 1,000, Dataverse's recommendation). */
  bulkChunkSize?: number;
  /** Runs bulk chunks in parallel under adaptive concurrency; without it chunks go one after another. */
  limiter?: AdaptiveLimiter;
}

export interface RetrieveOptions {
  select?: readonly string[];
  expand?: string;
  /** An etag from an earlier read: 304 → `{ notModified: true }`. */
  ifNoneMatch?: string;
  /** Prefer: odata.include-annotations="*" (formatted values, lookup logical names). */
  annotations?: boolean;
}

export type RetrieveResult<T> = { notModified: false; row: T; etag: string | null } | { notModified: true; etag: string };

/** The shared query options; `top` is mutually exclusive with maxPageSize (Dataverse ignores $top when both are sent). */
export interface RetrieveMultipleOptions extends QueryOptions {
  /** Prefer: odata.maxpagesize (1..5000). */
  maxPageSize?: number;
  annotations?: boolean;
  signal?: AbortSignal;
}

export interface Page<T> {
  value: T[];
  /** @odata.count (capped at 5,000 by the service) when `count` was asked. */
  count?: number;
}

export interface DeltaResult<T> {
  changed: T[];
  deleted: string[];
  deltaLink: string;
}

export interface EntityDefinition {
  logicalName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string | null;
  changeTrackingEnabled: boolean | null;
  attributes?: AttributeDefinition[];
}

export interface AttributeDefinition {
  logicalName: string;
  attributeType: string;
  isValidForCreate?: boolean;
  isValidForUpdate?: boolean;
  maxLength?: number;
  targets?: string[];
  /** Picklist / State / Status options (value + user label). */
  options?: { value: number; label: string }[];
}

export interface UpsertResult {
  id: string;
  created: boolean | null;
}

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Primary keys of the tables the integration touches (protocols.md §1.2); others need `idAttribute`. */
const PRIMARY_KEYS: Record<string, string> = {
  accounts: 'accountid', contacts: 'contactid', products: 'productid', uoms: 'uomid', uomschedules: 'uomscheduleid',
  pricelevels: 'pricelevelid', productpricelevels: 'productpricelevelid', opportunities: 'opportunityid',
  invoices: 'invoiceid', invoicedetails: 'invoicedetailid', salesorders: 'salesorderid', salesorderdetails: 'salesorderdetailid',
  systemusers: 'systemuserid', transactioncurrencies: 'transactioncurrencyid', roles: 'roleid', solutions: 'solutionid', teams: 'teamid',
};

export function primaryKeyOf(set: string, idAttribute?: string): string {
  const k = idAttribute ?? PRIMARY_KEYS[set];
  if (!k) throw new Error(`The primary key of "${set}" is not known to the client; pass idAttribute (see EntityDefinitions PrimaryIdAttribute).`);
  return k;
}

const ODATA_HEADERS = { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' };

export class DataverseClient {
  readonly http: HttpClient;
  readonly apiBase: string;
  private readonly raw: RawSend;
  private readonly bulkChunkSize: number;
  private readonly limiter?: AdaptiveLimiter;

  constructor(opts: DataverseClientOptions) {
    this.http = opts.http;
    this.apiBase = opts.http.baseUrl.toString().replace(/\/+$/, '');
    if (!/\/api\/data\/v9\.\d$/i.test(new URL(this.apiBase).pathname)) {
      throw new Error(`The Dataverse client needs the Web API base "<environment url>/api/data/v9.2"; got ${new URL(this.apiBase).pathname}.`);
    }
    this.raw = opts.raw ?? rawTransport({ http: opts.http, ...(opts.auth ? { auth: opts.auth } : {}) });
    this.bulkChunkSize = opts.bulkChunkSize ?? 1000;
    if (!Number.isInteger(this.bulkChunkSize) || this.bulkChunkSize < 1 || this.bulkChunkSize > 1000) {
      throw new Error(`bulkChunkSize must be 1..1000 (a $batch fallback holds at most 1,000 operations); got ${this.bulkChunkSize}.`);
    }
    this.limiter = opts.limiter;
  }

  private headers(extra: Record<string, string | undefined> = {}, get = false): Record<string, string> {
    const h: Record<string, string> = { ...ODATA_HEADERS };
    // Literal "null" (not a real etag) so no intermediary serves a cached collection (protocols.md §1.1).
    if (get) h['If-None-Match'] = 'null';
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) h[k] = v;
    return h;
  }

  // ------------------------------------------------------------------------------------------- functions

  async whoAmI(): Promise<{ userId: string; businessUnitId: string; organizationId: string }> {
    const r = await this.http.request<{ UserId: string; BusinessUnitId: string; OrganizationId: string }>({ path: 'WhoAmI', headers: this.headers({}, true) });
    return { userId: r.body.UserId, businessUnitId: r.body.BusinessUnitId, organizationId: r.body.OrganizationId };
  }

  async retrieveVersion(): Promise<string> {
    const r = await this.http.request<{ Version: string }>({ path: 'RetrieveVersion()', headers: this.headers({}, true) });
    return r.body.Version;
  }

  // ------------------------------------------------------------------------------------------- reading

  async retrieve<T extends Row = Row>(set: string, id: string, opts: RetrieveOptions = {}): Promise<RetrieveResult<T>> {
    const path = keyPath(set, id) + queryString({ ...(opts.select ? { select: opts.select } : {}), ...(opts.expand ? { expand: opts.expand } : {}) });
    const headers = this.headers({ Prefer: opts.annotations ? 'odata.include-annotations="*"' : undefined }, true);
    if (opts.ifNoneMatch) headers['If-None-Match'] = opts.ifNoneMatch;
    try {
      const r = await this.http.request<T>({ path, headers });
      const etag = (r.body?.['@odata.etag'] as string | undefined) ?? r.headers.get('etag');
      return { notModified: false, row: r.body, etag: etag ?? null };
    } catch (err) {
      // HttpClient treats every non-2xx as an error; 304 is the success answer to a conditional GET.
      if (isServiceError(err) && err.status === 304) return { notModified: true, etag: opts.ifNoneMatch as string };
      throw err;
    }
  }

  /** Pages of a query, following @odata.nextLink verbatim until the service stops sending one. */
  async *retrieveMultiple<T extends Row = Row>(set: string, opts: RetrieveMultipleOptions = {}): AsyncGenerator<Page<T>> {
    if (opts.top !== undefined && opts.maxPageSize !== undefined) {
      throw new Error('Use either top or maxPageSize: Dataverse ignores $top when odata.maxpagesize is sent.');
    }
    if (opts.maxPageSize !== undefined && !(Number.isInteger(opts.maxPageSize) && opts.maxPageSize >= 1 && opts.maxPageSize <= 5000)) {
      throw new Error(`maxPageSize must be 1..5000 (the Dataverse maximum); got ${opts.maxPageSize}.`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(set)) throw new Error(`"${set.slice(0, 60)}" is not an entity set name.`);
    const prefer = preferHeader({ maxPageSize: opts.maxPageSize, annotations: opts.annotations });
    let next: string | null = set + queryString(opts);
    const seen = new Set<string>();
    while (next) {
      const r: { body: { value?: T[]; '@odata.count'?: number; '@odata.nextLink'?: string } } = await this.http.request({
        path: next, headers: this.headers({ Prefer: prefer }, true), ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const page: Page<T> = { value: r.body?.value ?? [] };
      if (typeof r.body?.['@odata.count'] === 'number') page.count = r.body['@odata.count'];
      yield page;
      const link = r.body?.['@odata.nextLink'];
      if (link && seen.has(link)) throw new ServiceError(null, 'PAGING_LOOP', `Dataverse returned the same next page link twice for ${set}; stopping instead of looping.`);
      if (link) seen.add(link);
      next = link ?? null;
    }
  }

  async retrieveAll<T extends Row = Row>(set: string, opts: RetrieveMultipleOptions = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const p of this.retrieveMultiple<T>(set, opts)) for (const row of p.value) out.push(row);
    return out;
  }

  // ------------------------------------------------------------------------------------------- writing

  /**
   * POST a row. With `id` the client chooses the key (idempotent retries: a replay answers 412 "already exists"
   * instead of creating a duplicate). Returns the id from OData-EntityId, or the row with returnRepresentation.
   */
  async create<T extends Row = Row>(set: string, body: Row, opts: { id?: string; idAttribute?: string; returnRepresentation?: boolean; select?: readonly string[] } = {}): Promise<{ id: string; row?: T; etag?: string }> {
    const payload = { ...body };
    if (opts.id !== undefined) {
      if (!GUID_RE.test(opts.id)) throw new Error(`Not a GUID: ${opts.id.slice(0, 60)}`);
      payload[primaryKeyOf(set, opts.idAttribute)] = opts.id.toLowerCase();
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(set)) throw new Error(`"${set.slice(0, 60)}" is not an entity set name.`);
    const path = set + (opts.returnRepresentation && opts.select ? queryString({ select: opts.select }) : '');
    const r = await this.http.request<T | null>({
      method: 'POST', path, json: payload, headers: this.headers({ Prefer: opts.returnRepresentation ? 'return=representation' : undefined }),
    });
    if (r.body && typeof r.body === 'object') {
      const key = opts.idAttribute ?? PRIMARY_KEYS[set];
      const id = (key ? (r.body[key] as string | undefined) : undefined) ?? opts.id ?? idFromEntityUrl(r.headers.get('odata-entityid') ?? r.headers.get('location'));
      if (!id) throw new ServiceError(r.status, 'NO_ID', `Dataverse created a ${set} row but the answer does not say its id; pass idAttribute.`);
      return { id: id.toLowerCase(), row: r.body, ...(typeof r.body['@odata.etag'] === 'string' ? { etag: r.body['@odata.etag'] } : {}) };
    }
    const id = idFromEntityUrl(r.headers.get('odata-entityid') ?? r.headers.get('location')) ?? opts.id?.toLowerCase();
    if (!id) throw new ServiceError(r.status, 'NO_ID', `Dataverse created a ${set} row but sent no OData-EntityId header.`);
    return { id };
  }

  /**
   * PATCH with If-Match (default `*`): never creates. A stale etag → ServiceError 412 (see isConcurrencyConflict);
   * a deleted row → 404.
   */
  async update<T extends Row = Row>(set: string, id: string, body: Row, opts: { ifMatch?: string; returnRepresentation?: boolean } = {}): Promise<{ row?: T; etag?: string }> {
    const r = await this.http.request<T | null>({
      method: 'PATCH', path: keyPath(set, id), json: body,
      headers: this.headers({ 'If-Match': opts.ifMatch ?? '*', Prefer: opts.returnRepresentation ? 'return=representation' : undefined }),
    });
    if (r.body && typeof r.body === 'object') return { row: r.body, ...(typeof r.body['@odata.etag'] === 'string' ? { etag: r.body['@odata.etag'] } : {}) };
    return {};
  }

  /** PATCH without conditions: update if the row exists, create it with this id otherwise. */
  async upsert(set: string, id: string, body: Row): Promise<void> {
    await this.http.request({ method: 'PATCH', path: keyPath(set, id), json: body, headers: this.headers() });
  }

  /** PATCH with If-None-Match: * — create with this id, 412 (isAlreadyExists) if it exists; never overwrites. */
  async createOnly(set: string, id: string, body: Row): Promise<void> {
    await this.http.request({ method: 'PATCH', path: keyPath(set, id), json: body, headers: this.headers({ 'If-None-Match': '*' }) });
  }

  async delete(set: string, id: string, opts: { ifMatch?: string } = {}): Promise<void> {
    await this.http.request({ method: 'DELETE', path: keyPath(set, id), headers: this.headers({ 'If-Match': opts.ifMatch }) });
  }

  /** N:N: POST {set}({id})/{nav}/$ref — e.g. associate('systemusers', uid, 'systemuserroles_association', 'roles', rid). */
  async associate(set: string, id: string, navigation: string, targetSet: string, targetId: string): Promise<void> {
    assertName(navigation);
    await this.http.request({
      method: 'POST', path: `${keyPath(set, id)}/${navigation}/$ref`, json: { '@odata.id': `${this.apiBase}/${keyPath(targetSet, targetId)}` }, headers: this.headers(),
    });
  }

  async disassociate(set: string, id: string, navigation: string, targetId: string): Promise<void> {
    assertName(navigation);
    await this.http.request({ method: 'DELETE', path: `${keyPath(set, id)}/${navigation}(${odataGuid(targetId)})/$ref`, headers: this.headers() });
  }

  // ------------------------------------------------------------------------------------------- metadata

  /** Entity definition, optionally with the named attributes (all when `attributes` is `true`) and their options. */
  async entityDefinitions(logicalName: string, attributes?: readonly string[] | true): Promise<EntityDefinition> {
    assertName(logicalName);
    const base = `EntityDefinitions(LogicalName=${odataString(logicalName)})`;
    const r = await this.http.request<Record<string, unknown>>({
      path: base + queryString({ select: ['LogicalName', 'EntitySetName', 'PrimaryIdAttribute', 'PrimaryNameAttribute', 'ChangeTrackingEnabled'] }),
      headers: this.headers({}, true),
    });
    const def: EntityDefinition = {
      logicalName: String(r.body.LogicalName), entitySetName: String(r.body.EntitySetName), primaryIdAttribute: String(r.body.PrimaryIdAttribute),
      primaryNameAttribute: typeof r.body.PrimaryNameAttribute === 'string' ? r.body.PrimaryNameAttribute : null,
      changeTrackingEnabled: typeof r.body.ChangeTrackingEnabled === 'boolean' ? r.body.ChangeTrackingEnabled : null,
    };
    if (!attributes) return def;
    const want = attributes === true ? null : new Set(attributes);
    const all = await this.http.request<{ value: Record<string, unknown>[] }>({
      path: `${base}/Attributes` + queryString({ select: ['LogicalName', 'AttributeType', 'IsValidForCreate', 'IsValidForUpdate'] }),
      headers: this.headers({}, true),
    });
    const attrs = new Map<string, AttributeDefinition>();
    for (const a of all.body.value) {
      const name = String(a.LogicalName);
      if (want && !want.has(name)) continue;
      const ad: AttributeDefinition = { logicalName: name, attributeType: String(a.AttributeType) };
      if (typeof a.IsValidForCreate === 'boolean') ad.isValidForCreate = a.IsValidForCreate;
      if (typeof a.IsValidForUpdate === 'boolean') ad.isValidForUpdate = a.IsValidForUpdate;
      if (typeof a.MaxLength === 'number') ad.maxLength = a.MaxLength;
      if (Array.isArray(a.Targets)) ad.targets = a.Targets.map(String);
      attrs.set(name, ad);
    }
    if (want) {
      const missing = [...want].filter((n) => !attrs.has(n));
      if (missing.length) throw new ServiceError(404, 'ATTRIBUTE_NOT_FOUND', `${logicalName} has no column(s) ${missing.join(', ')}. Check the names, or import the solution that adds them.`);
    }
    // Option sets live on the typed casts; one request per kind, only when such columns were asked for.
    const kinds = new Set([...attrs.values()].map((a) => a.attributeType));
    for (const [type, cast] of [['Picklist', 'PicklistAttributeMetadata'], ['State', 'StateAttributeMetadata'], ['Status', 'StatusAttributeMetadata']] as const) {
      if (!kinds.has(type)) continue;
      const o = await this.http.request<{ value: { LogicalName: string; OptionSet?: { Options?: { Value: number; Label?: unknown }[] } }[] }>({
        path: `${base}/Attributes/Microsoft.Dynamics.CRM.${cast}?$select=LogicalName&$expand=OptionSet`, headers: this.headers({}, true),
      });
      for (const a of o.body.value) {
        const ad = attrs.get(a.LogicalName);
        if (ad) ad.options = (a.OptionSet?.Options ?? []).map((x) => ({ value: x.Value, label: labelText(x.Label) }));
      }
    }
    def.attributes = [...attrs.values()];
    return def;
  }

  // ------------------------------------------------------------------------------------------- $batch

  /**
   * Send a $batch. With continueOnError, independent requests after a failure still run; a failing change set is
   * rolled back as a whole either way. Returns every part's status/headers/body.
   */
  async batch(items: readonly BatchItem[], opts: { continueOnError?: boolean; signal?: AbortSignal } = {}): Promise<{ status: number; responses: BatchPartResponse[] }> {
    const total = items.reduce((n, it) => n + ('changeSet' in it ? it.changeSet.length : 1), 0);
    if (total > 1000) throw new Error(`A Dataverse $batch holds at most 1,000 requests; this one has ${total}. Split it.`);
    const built = buildBatch(items, this.apiBase);
    const r = await this.raw({
      method: 'POST', path: '$batch', body: built.body,
      headers: { ...ODATA_HEADERS, 'Content-Type': built.contentType, ...(opts.continueOnError ? { Prefer: 'odata.continue-on-error' } : {}) },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { status: r.status, responses: parseBatchResponse(r.headers.get('content-type'), r.text) };
  }

  // ------------------------------------------------------------------------------------------- bulk

  /**
   * CreateMultiple in chunks. Targets should carry their primary key (client-chosen GUIDs) so a retried chunk
   * cannot create duplicates. Falls back to $batch change sets when the table has no bulk messages.
   */
  async createMultiple(set: string, logicalName: string, targets: readonly Row[], opts: BulkOptions = {}): Promise<string[]> {
    const results = await this.bulk(set, logicalName, 'CreateMultiple', targets, opts);
    return results.map((r) => r.id);
  }

  async updateMultiple(set: string, logicalName: string, targets: readonly Row[], opts: BulkOptions = {}): Promise<void> {
    const key = primaryKeyOf(set, opts.idAttribute);
    for (const t of targets) if (typeof t[key] !== 'string') throw new Error(`Every UpdateMultiple target needs its primary key ${key}.`);
    await this.bulk(set, logicalName, 'UpdateMultiple', targets, opts);
  }

  async upsertMultiple(set: string, logicalName: string, targets: readonly Row[], opts: BulkOptions = {}): Promise<UpsertResult[]> {
    const key = primaryKeyOf(set, opts.idAttribute);
    for (const t of targets) if (typeof t[key] !== 'string' && typeof t['@odata.id'] !== 'string') throw new Error(`Every UpsertMultiple target needs ${key} or @odata.id.`);
    return this.bulk(set, logicalName, 'UpsertMultiple', targets, opts);
  }

  private async bulk(set: string, logicalName: string, op: 'CreateMultiple' | 'UpdateMultiple' | 'UpsertMultiple', targets: readonly Row[], opts: BulkOptions): Promise<UpsertResult[]> {
    assertName(set);
    assertName(logicalName);
    const size = opts.chunkSize ?? this.bulkChunkSize;
    const key = opts.idAttribute ?? PRIMARY_KEYS[set];
    const chunks = chunk(targets, size);
    let mode = opts.mode ?? 'auto';
    const runChunk = async (rows: Row[], index: number): Promise<UpsertResult[]> => {
      if (mode !== 'batch') {
        try {
          const res = await this.bulkMessage(set, logicalName, op, rows, key);
          opts.onChunk?.({ index, rows: rows.length, via: 'bulk' });
          return res;
        } catch (err) {
          if (mode === 'bulk' || !bulkUnsupported(err)) throw err;
          mode = 'batch';
        }
      }
      const res = await this.bulkViaBatch(set, op, rows, key);
      opts.onChunk?.({ index, rows: rows.length, via: 'batch' });
      return res;
    };
    const limiter = opts.limiter ?? this.limiter;
    const perChunk = limiter ? await limiter.map(chunks, runChunk) : await sequential(chunks, runChunk);
    return perChunk.flat();
  }

  private async bulkMessage(set: string, logicalName: string, op: string, rows: Row[], key: string | undefined): Promise<UpsertResult[]> {
    const Targets = rows.map((t) => ({ '@odata.type': `Microsoft.Dynamics.CRM.${logicalName}`, ...t }));
    const r = await this.http.request<{ Ids?: string[]; Results?: { RecordCreated?: boolean; Target?: Row }[] } | null>({
      method: 'POST', path: `${set}/Microsoft.Dynamics.CRM.${op}`, json: { Targets }, headers: this.headers(),
    });
    if (op === 'CreateMultiple') return (r.body?.Ids ?? []).map((id) => ({ id: id.toLowerCase(), created: true }));
    if (op === 'UpsertMultiple' && r.body?.Results) {
      return r.body.Results.map((x, i) => ({ id: String((key && x.Target?.[key]) ?? rows[i]![key ?? ''] ?? '').toLowerCase(), created: x.RecordCreated ?? null }));
    }
    return rows.map((t) => ({ id: String(t[key ?? ''] ?? '').toLowerCase(), created: op === 'UpdateMultiple' ? false : null }));
  }

  /** The fallback: one change set per chunk keeps the all-or-nothing semantics of the bulk messages. */
  private async bulkViaBatch(set: string, op: string, rows: Row[], key: string | undefined): Promise<UpsertResult[]> {
    const ops: BatchOperation[] = rows.map((t, i) => {
      const id = key ? (t[key] as string | undefined) : undefined;
      if (op === 'CreateMultiple') return { method: 'POST', url: set, body: t, contentId: String(i + 1) };
      if (!id) throw new Error(`${op} via $batch needs ${key ?? 'the primary key'} on every target.`);
      const { [key as string]: _omit, ...rest } = t;
      return { method: 'PATCH', url: keyPath(set, id), body: rest, contentId: String(i + 1), ...(op === 'UpdateMultiple' ? { headers: { 'If-Match': '*' } } : {}) };
    });
    const { responses } = await this.batch([{ changeSet: ops }]);
    const failed = responses.find((p) => p.status >= 400);
    if (failed) {
      const e = (failed.body as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ServiceError(failed.status, e?.code ?? `HTTP_${failed.status}`, `${op} via $batch on ${set} was rolled back: ${e?.message ?? failed.statusText}`, { body: failed.body });
    }
    return responses.map((p, i) => ({
      id: (idFromEntityUrl(p.headers['odata-entityid'] ?? p.headers.location) ?? String(rows[i]?.[key ?? ''] ?? '')).toLowerCase(),
      created: op === 'CreateMultiple' ? true : op === 'UpdateMultiple' ? false : null,
    }));
  }

  // ------------------------------------------------------------------------------------------- change tracking

  /**
   * Initial change-tracking read (Prefer: odata.track-changes): every current row, page by page, then the delta
   * link to pass to `nextDelta` later. $filter/$orderby/$top are not allowed with change tracking. With `onPage`
   * the rows are streamed to it (large tables) and the returned `rows` is empty.
   */
  async trackChanges<T extends Row = Row>(set: string, opts: { select?: readonly string[]; maxPageSize?: number; onPage?: (rows: T[]) => void | Promise<void> } = {}): Promise<{ rows: T[]; deltaLink: string }> {
    assertName(set);
    return this.followDelta<T>(set, set + queryString({ ...(opts.select ? { select: opts.select } : {}) }), opts.maxPageSize, opts.onPage, false) as Promise<{ rows: T[]; deltaLink: string }>;
  }

  /** Changes since `deltaLink`: new/updated rows, deleted ids, and the link for next time. */
  async nextDelta<T extends Row = Row>(deltaLink: string, opts: { maxPageSize?: number } = {}): Promise<DeltaResult<T>> {
    const set = /\/([A-Za-z_][A-Za-z0-9_]*)\?/.exec(deltaLink)?.[1] ?? 'the table';
    const r = await this.followDelta<T>(set, deltaLink, opts.maxPageSize, undefined, true);
    return { changed: r.rows, deleted: r.deleted, deltaLink: r.deltaLink };
  }

  private async followDelta<T extends Row>(set: string, start: string, maxPageSize: number | undefined, onPage: ((rows: T[]) => void | Promise<void>) | undefined, isDelta: boolean): Promise<{ rows: T[]; deleted: string[]; deltaLink: string }> {
    const prefer = ['odata.track-changes', ...(maxPageSize ? [`odata.maxpagesize=${maxPageSize}`] : [])].join(',');
    const rows: T[] = [];
    const deleted: string[] = [];
    let next: string | null = start;
    for (;;) {
      let body: { value?: Row[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
      try {
        body = (await this.http.request<typeof body>({ path: next, headers: this.headers({ Prefer: prefer }, true) })).body;
      } catch (err) {
        // Match the code, and the message as a fallback: older service versions sent an empty code on this error.
        if (isServiceError(err) && (err.code === DV_CHANGE_TRACKING_EXPIRED || (isDelta && err.status === 400 && /expired/i.test(err.serviceMessage)))) {
          throw new ChangeTrackingExpiredError(set, err);
        }
        throw err;
      }
      const pageRows: T[] = [];
      for (const v of body.value ?? []) {
        // Deleted rows arrive as {"@odata.context": "…/$deletedEntity", id, reason: "deleted"}.
        if (typeof v['@odata.context'] === 'string' && v['@odata.context'].endsWith('$deletedEntity')) deleted.push(String(v.id).toLowerCase());
        else pageRows.push(v as T);
      }
      if (onPage) await onPage(pageRows);
      else rows.push(...pageRows);
      if (body['@odata.nextLink']) {
        next = body['@odata.nextLink'];
        continue;
      }
      if (!body['@odata.deltaLink']) {
        throw new ServiceError(200, 'NO_DELTA_LINK', `Dataverse did not return a delta link for ${set}. Change tracking may be off for this table: enable "Track changes" on it.`);
      }
      return { rows, deleted, deltaLink: body['@odata.deltaLink'] };
    }
  }
}

export interface BulkOptions {
  chunkSize?: number;
  idAttribute?: string;
  /** 'auto' (default): bulk messages, falling back to $batch when the table does not support them. */
  mode?: 'auto' | 'bulk' | 'batch';
  limiter?: AdaptiveLimiter;
  onChunk?: (e: { index: number; rows: number; via: 'bulk' | 'batch' }) => void;
}

/** Bulk messages are unavailable on some tables: the action is unknown there (404 / not supported / not found). */
function bulkUnsupported(err: unknown): boolean {
  if (!isServiceError(err)) return false;
  if (err.status === 404 && !/Does Not Exist/i.test(err.serviceMessage)) return true;
  return /not (supported|enabled)|Resource not found for the segment|is not a valid (action|operation)/i.test(err.serviceMessage) && (err.status === 400 || err.status === 404 || err.status === 501);
}

async function sequential<I, O>(items: readonly I[], fn: (item: I, i: number) => Promise<O>): Promise<O[]> {
  const out: O[] = [];
  for (let i = 0; i < items.length; i++) out.push(await fn(items[i]!, i));
  return out;
}

function preferHeader(p: { maxPageSize?: number; annotations?: boolean }): string | undefined {
  const parts: string[] = [];
  if (p.maxPageSize) parts.push(`odata.maxpagesize=${p.maxPageSize}`);
  if (p.annotations) parts.push('odata.include-annotations="*"');
  return parts.length ? parts.join(',') : undefined;
}

function assertName(n: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`"${n.slice(0, 60)}" is not a valid Dataverse name.`);
}

function labelText(label: unknown): string {
  const l = label as { UserLocalizedLabel?: { Label?: string }; LocalizedLabels?: { Label?: string }[] } | undefined;
  return l?.UserLocalizedLabel?.Label ?? l?.LocalizedLabels?.[0]?.Label ?? '';
}
