/**
 * Typed Business Central API client (v2.0, v1.0 and custom API groups such as /api/d365ic/integration/v1.0) over
 * main/http's HttpClient. Rules from protocols.md §2:
 *  - company-scoped routes `companies({id})/{entity}`; ids are GUIDs (SystemId), clients may choose them on POST;
 *  - PATCH/DELETE require If-Match (BC answers 400 BadRequest_InvalidToken without); a stale etag → 409
 *    Request_EntityChanged, surfaced as ServiceError (see isConcurrencyConflict);
 *  - BC has no delta links: incremental reads are `lastModifiedDateTime gt <ts>` ordered by it;
 *  - JSON $batch, at most 100 operations, optional `Isolation: snapshot` (one transaction);
 *  - paging via @odata.nextLink (pages of up to 20,000 rows; Prefer: odata.maxpagesize to shrink them).
 */
import type { HttpClient } from '../../http/client';
import { isServiceError, ServiceError } from '../../http/errors';
import { odataGuid } from '../../http/odata';
import { chunk, filter as f, Filter, queryString } from '../odata';

export type BcRow = Record<string, unknown>;

export interface BcCompany {
  id: string;
  name: string;
  displayName?: string;
  systemVersion?: string;
}

export interface BcListOptions {
  filter?: Filter | string;
  select?: readonly string[];
  orderby?: readonly string[] | string;
  top?: number;
  expand?: string;
  /** Prefer: odata.maxpagesize (1..20000). */
  maxPageSize?: number;
  /** Data-Access-Intent: ReadOnly — served from a read replica online, which spares the primary database. */
  readOnly?: boolean;
  signal?: AbortSignal;
}

export interface BcBatchOperation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the API root, e.g. `companies(<id>)/customers(<id>)`. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Defaults to the 1-based position. */
  id?: string;
}

export interface BcBatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export type BcApi = 'v2.0' | 'v1.0' | 'odatav4';

export interface BcVersionInfo {
  /** Base Application major version when the automation API told us; otherwise the lowest version the API implies. */
  major: number | null;
  api: BcApi;
  /**
   * Installed extensions as the automation API lists them (name, publisher, dotted version); absent when that API was
   * not readable (it needs extension-management permission), so "not listed" and "unknown" stay apart.
   */
  extensions?: BcExtensionInfo[];
  /** True when `major` came from the Base Application extension, false when inferred from which API answered. */
  exact: boolean;
  /** e.g. "24.1.18927.0" when exact. */
  version?: string;
}

export interface BcExtensionInfo {
  id: string | null;
  displayName: string;
  publisher: string;
  version: string;
}

export const BC_MAX_BATCH = 100;
export const BC_MAX_PAGE_SIZE = 20_000;

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export function bcOnlineApiRoot(tenant: string, environment: string, origin = 'https://api.businesscentral.dynamics.com'): string {
  if (!/^[A-Za-z0-9.-]+$/.test(tenant) || !/^[A-Za-z0-9_-]+$/.test(environment)) throw new Error('Tenant and environment names may only contain letters, digits, dots, dashes and underscores.');
  return `${origin.replace(/\/+$/, '')}/v2.0/${tenant}/${environment}/api/v2.0`;
}

/** On-premises: `http(s)://host:port/{instance}/api/v2.0` (plain http only to this computer). */
export function bcOnPremApiRoot(serverUrl: string, instance: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(instance)) throw new Error(`"${instance.slice(0, 40)}" is not a server instance name (e.g. BC).`);
  return `${serverUrl.replace(/\/+$/, '')}/${instance}/api/v2.0`;
}

export class BusinessCentralClient {
  readonly http: HttpClient;
  /** Absolute API root without trailing slash, e.g. …/api/v2.0 or …/api/d365ic/integration/v1.0. */
  readonly root: string;

  constructor(opts: { http: HttpClient; root?: string }) {
    this.http = opts.http;
    this.root = (opts.root ?? opts.http.baseUrl.toString()).replace(/\/+$/, '');
    if (!/\/api\/(v\d+\.\d+|[A-Za-z0-9]+\/[A-Za-z0-9]+\/v\d+\.\d+)$/.test(new URL(this.root).pathname)) {
      throw new Error(`The Business Central API root must end in /api/v2.0 (or /api/{publisher}/{group}/{version}); got ${new URL(this.root).pathname}.`);
    }
    // Resolves through the HttpClient, which refuses other origins: a bearer token never leaves for another host.
    this.http.resolve(this.root);
  }

  /** The deployment prefix (…/v2.0/{tenant}/{env} or …/{instance}) every API group hangs off. */
  get deploymentRoot(): string {
    return this.root.replace(/\/api\/.*$/, '');
  }

  /** A client for another API group of the same deployment, e.g. withGroup('d365ic', 'integration', 'v1.0'). */
  withGroup(publisher: string, group: string, version: string): BusinessCentralClient {
    if (!NAME.test(publisher) || !NAME.test(group) || !/^v\d+\.\d+$/.test(version)) throw new Error('API publisher/group must be letters and digits and the version like v1.0.');
    return new BusinessCentralClient({ http: this.http, root: `${this.deploymentRoot}/api/${publisher}/${group}/${version}` });
  }

  withApiVersion(version: 'v2.0' | 'v1.0'): BusinessCentralClient {
    return new BusinessCentralClient({ http: this.http, root: `${this.deploymentRoot}/api/${version}` });
  }

  private url(rel: string): string {
    return `${this.root}/${rel}`;
  }

  private entityPath(companyId: string, entity: string, id?: string): string {
    if (!NAME.test(entity)) throw new Error(`"${entity.slice(0, 60)}" is not a Business Central entity set name (e.g. customers, salesOrders).`);
    return `companies(${odataGuid(companyId)})/${entity}${id === undefined ? '' : `(${odataGuid(id)})`}`;
  }

  async companies(): Promise<BcCompany[]> {
    const all: BcCompany[] = [];
    for await (const page of this.pagesOf<BcCompany>(this.url('companies'), undefined)) all.push(...page);
    return all;
  }

  /** Pages of an entity set, following @odata.nextLink. */
  async *list<T extends BcRow = BcRow>(companyId: string, entity: string, opts: BcListOptions = {}): AsyncGenerator<T[]> {
    if (opts.maxPageSize !== undefined && !(Number.isInteger(opts.maxPageSize) && opts.maxPageSize >= 1 && opts.maxPageSize <= BC_MAX_PAGE_SIZE)) {
      throw new Error(`maxPageSize must be 1..${BC_MAX_PAGE_SIZE}; got ${opts.maxPageSize}.`);
    }
    yield* this.pagesOf<T>(this.url(this.entityPath(companyId, entity)) + queryString(opts), opts.maxPageSize, opts.signal, opts.readOnly);
  }

  async listAll<T extends BcRow = BcRow>(companyId: string, entity: string, opts: BcListOptions = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const p of this.list<T>(companyId, entity, opts)) for (const r of p) out.push(r);
    return out;
  }

  /**
   * Rows changed after `since`, oldest first, so a caller can checkpoint the last lastModifiedDateTime it
   * processed and resume from there. Deletions are not visible this way (BC has no tombstones in the API).
   */
  listModifiedSince<T extends BcRow = BcRow>(companyId: string, entity: string, since: Date, opts: Omit<BcListOptions, 'orderby'> = {}): AsyncGenerator<T[]> {
    const changed = f.gt('lastModifiedDateTime', since);
    const filter = opts.filter === undefined ? changed : f.and(changed, typeof opts.filter === 'string' ? Filter.raw(opts.filter) : opts.filter);
    return this.list<T>(companyId, entity, { ...opts, filter, orderby: 'lastModifiedDateTime asc' });
  }

  async get<T extends BcRow = BcRow>(companyId: string, entity: string, id: string, opts: { select?: readonly string[]; expand?: string } = {}): Promise<T> {
    const r = await this.http.request<T>({ path: this.url(this.entityPath(companyId, entity, id)) + queryString(opts) });
    return r.body;
  }

  /** POST → 201 with the created entity (incl. @odata.etag). `id` = client-chosen SystemId. */
  async create<T extends BcRow = BcRow>(companyId: string, entity: string, body: BcRow, opts: { id?: string } = {}): Promise<T> {
    const payload = opts.id === undefined ? body : { ...body, id: odataGuid(opts.id) };
    const r = await this.http.request<T>({ method: 'POST', path: this.url(this.entityPath(companyId, entity)), json: payload });
    return r.body;
  }

  /** PATCH → 200 with the entity. `ifMatch` is required by BC: the etag you read, or '*' to overwrite blindly. */
  async update<T extends BcRow = BcRow>(companyId: string, entity: string, id: string, body: BcRow, opts: { ifMatch: string }): Promise<T> {
    requireIfMatch(opts?.ifMatch);
    const r = await this.http.request<T>({ method: 'PATCH', path: this.url(this.entityPath(companyId, entity, id)), json: body, headers: { 'If-Match': opts.ifMatch } });
    return r.body;
  }

  async delete(companyId: string, entity: string, id: string, opts: { ifMatch: string }): Promise<void> {
    requireIfMatch(opts?.ifMatch);
    await this.http.request({ method: 'DELETE', path: this.url(this.entityPath(companyId, entity, id)), headers: { 'If-Match': opts.ifMatch } });
  }

  /** Paths for batch operations, relative to this client's API root. */
  entityUrl(companyId: string, entity: string, id?: string): string {
    return this.entityPath(companyId, entity, id);
  }

  /**
   * One JSON $batch (≤ 100 operations). With `isolation: 'snapshot'` BC runs it as one transaction: on the first
   * failure everything is rolled back and the other operations report 424.
   */
  async batch(ops: readonly BcBatchOperation[], opts: { isolation?: 'snapshot' } = {}): Promise<BcBatchResponse[]> {
    if (ops.length === 0) return [];
    if (ops.length > BC_MAX_BATCH) throw new Error(`A Business Central $batch holds at most ${BC_MAX_BATCH} operations; got ${ops.length}. Use batchAll to split.`);
    const requests = ops.map((op, i) => {
      if ((op.method === 'PATCH' || op.method === 'DELETE') && !Object.keys(op.headers ?? {}).some((k) => k.toLowerCase() === 'if-match')) {
        throw new Error(`Batch operation ${i + 1} (${op.method} ${op.url.slice(0, 80)}) needs an If-Match header (an etag or '*').`);
      }
      const headers: Record<string, string> = { ...op.headers };
      if (op.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
      return { id: op.id ?? String(i + 1), method: op.method, url: op.url.replace(/^\//, ''), headers, ...(op.body !== undefined ? { body: op.body } : {}) };
    });
    const r = await this.http.request<{ responses?: BcBatchResponse[] }>({
      method: 'POST', path: this.url('$batch'), json: { requests }, headers: opts.isolation ? { Isolation: opts.isolation } : {},
    });
    const responses = r.body?.responses;
    if (!Array.isArray(responses)) throw new ServiceError(r.status, 'BAD_BATCH_RESPONSE', 'Business Central answered the $batch without a "responses" array.');
    // Responses may come back in any order; return them in request order.
    const byId = new Map(responses.map((x) => [String(x.id), x]));
    return requests.map((q) => byId.get(q.id) ?? { id: q.id, status: 0, headers: {}, body: { error: { code: 'MISSING', message: 'No response for this operation.' } } });
  }

  /** Any number of operations, in batches of ≤ 100 sent one after another (each batch isolated on its own). */
  async batchAll(ops: readonly BcBatchOperation[], opts: { isolation?: 'snapshot'; size?: number } = {}): Promise<BcBatchResponse[]> {
    const out: BcBatchResponse[] = [];
    for (const part of chunk(ops, Math.min(opts.size ?? BC_MAX_BATCH, BC_MAX_BATCH))) {
      out.push(...(await this.batch(part, opts.isolation ? { isolation: opts.isolation } : {})));
    }
    return out;
  }

  /**
   * Which API the server offers and, when the automation API is readable, the exact Base Application version.
   * Probe order per protocols.md §2.11: /api/v2.0 (v17+) → /api/v1.0 (v15–16) → ODataV4 only (before v16).
   */
  async detectVersion(): Promise<BcVersionInfo> {
    const prefix = this.deploymentRoot;
    for (const api of ['v2.0', 'v1.0'] as const) {
      let companies: BcCompany[];
      try {
        companies = (await this.http.request<{ value: BcCompany[] }>({ path: `${prefix}/api/${api}/companies` })).body.value ?? [];
      } catch (err) {
        if (isServiceError(err) && err.status === 404) continue;
        throw err;
      }
      const inferred = api === 'v2.0' ? 17 : 15;
      const company = companies[0];
      if (!company) return { major: inferred, api, exact: false };
      const exact = await this.baseApplicationVersion(prefix, api, company.id);
      const extensions = exact?.extensions ? { extensions: exact.extensions } : {};
      return exact && exact.major !== null ? { major: exact.major, api, exact: true, version: exact.version, ...extensions } : { major: inferred, api, exact: false, ...extensions };
    }
    try {
      await this.http.request({ path: `${prefix}/ODataV4/` });
      return { major: null, api: 'odatav4', exact: false };
    } catch (err) {
      if (isServiceError(err) && err.status === 404) {
        throw new ServiceError(404, 'NO_BC_API', `No Business Central API answered under ${prefix} (tried api/v2.0, api/v1.0 and ODataV4). Check the server URL, instance name and that OData/API services are enabled.`);
      }
      throw err;
    }
  }

  private async baseApplicationVersion(prefix: string, api: 'v2.0' | 'v1.0', companyId: string): Promise<{ major: number | null; version: string; extensions: BcExtensionInfo[] } | null> {
    try {
      const r = await this.http.request<{ value: { id?: string; displayName?: string; publisher?: string; versionMajor?: number; versionMinor?: number; versionBuild?: number; versionRevision?: number; isInstalled?: boolean }[] }>({
        path: `${prefix}/api/microsoft/automation/${api}/companies(${odataGuid(companyId)})/extensions`,
      });
      const dotted = (e: { versionMajor?: number; versionMinor?: number; versionBuild?: number; versionRevision?: number }) =>
        [e.versionMajor ?? 0, e.versionMinor ?? 0, e.versionBuild ?? 0, e.versionRevision ?? 0].join('.');
      const extensions = (r.body.value ?? []).filter((e) => e.isInstalled !== false && typeof e.displayName === 'string')
        .map((e) => ({ id: e.id ?? null, displayName: e.displayName!, publisher: e.publisher ?? '', version: dotted(e) }));
      const base = r.body.value.find((e) => e.displayName === 'Base Application' && e.publisher === 'Microsoft');
      if (!base || typeof base.versionMajor !== 'number') return { major: null, version: '', extensions };
      return { major: base.versionMajor, version: dotted(base), extensions };
    } catch (err) {
      // The automation API needs extension-management permission; without it we still know the API level.
      if (isServiceError(err) && (err.status === 403 || err.status === 404 || err.status === 401)) return null;
      throw err;
    }
  }

  private async *pagesOf<T>(start: string, maxPageSize: number | undefined, signal?: AbortSignal, readOnly?: boolean): AsyncGenerator<T[]> {
    const headers: Record<string, string> = maxPageSize ? { Prefer: `odata.maxpagesize=${maxPageSize}` } : {};
    if (readOnly) headers['Data-Access-Intent'] = 'ReadOnly';
    let next: string | null = start;
    const seen = new Set<string>();
    while (next) {
      const r: { body: { value?: T[]; '@odata.nextLink'?: string } } = await this.http.request({ path: next, headers, ...(signal ? { signal } : {}) });
      yield r.body?.value ?? [];
      const link = r.body?.['@odata.nextLink'];
      if (link && seen.has(link)) throw new ServiceError(null, 'PAGING_LOOP', 'Business Central returned the same next page link twice; stopping instead of looping.');
      if (link) seen.add(link);
      next = link ?? null;
    }
  }
}

function requireIfMatch(v: string | undefined): void {
  if (typeof v !== 'string' || v.length === 0) {
    throw new Error("Business Central requires If-Match on PATCH and DELETE: pass the row's @odata.etag (safe) or '*' (overwrite whatever is there).");
  }
}
