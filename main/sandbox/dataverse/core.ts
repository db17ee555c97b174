/**
 * The Dataverse Web API v9.2 request engine, independent of the socket: `handle()` takes one request (from
 * HTTP or from a $batch part) plus the calling systemuser and returns one response, synchronously. Being
 * synchronous is what makes change sets atomic: nothing else runs between BEGIN and COMMIT.
 */
import { randomUUID } from 'node:crypto';
import type { DvStore, RowData, StoredRow } from './store';
import type { AttributeMeta, EntityMeta } from './metadata';
import { ENTITIES, ENTITIES_BY_SET, buildCsdl, defaultStatus, isLookup, resolveProperty } from './metadata';
import { CODES, DvError, badRequest, notFound, segmentNotFound } from './errors';
import { column, compileFilter, evaluateFilter, isStringAttr, normalizeDateTime, parseFilter } from './filter';
import type { Caller } from './security';
import { ROLE_DEFS, nameGuid, privilegeName, privilegesOf, requirePrivilege } from './security';
import type { InnerResponse, BatchOutItem } from './batch';
import { boundaryOf, formatBatch, parseBatch } from './batch';

export interface DvRequest { method: string; url: string; headers: Record<string, string>; body: string }
export interface DvResponse extends InnerResponse {
  entityPath?: string;
  /** For $batch: how many inner operations ran (each counts against service protection limits). */
  innerCount?: number;
}

interface BatchCtx { contentIds: Map<string, string> }

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MAX_PAGE = 5000;
export const NAV_SOLUTION = 'MicrosoftDynamicsNavIntegration';
export const SERVER_VERSION = '9.2.24111.00000';

interface Segment { name: string; key?: string }
interface Query { params: Map<string, string>; raw: string[] }
interface ExpandItem { nav: string; select: string[] | null }

const JSON_HEADERS = { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' };

export interface CoreOptions { url: string; apiBase: string; clock: () => number; organizationId: string }

export class DataverseCore {
  /** Bumped on writes that affect who a token maps to or what they may do. */
  securityEpoch = 0;
  /** Delta tokens below this version are treated as expired (knob "expire all change tracking tokens"). */
  private minDeltaVersion = 0;

  constructor(readonly store: DvStore, readonly opts: CoreOptions) {
    this.minDeltaVersion = Number(store.getMeta('ct.minVersion') ?? '0');
  }

  get solutionImported(): boolean {
    return this.store.getMeta(`solution:${NAV_SOLUTION}`) !== undefined;
  }

  expireChangeTokens(): void {
    // Burn one version: every token issued so far is below it, every token issued later is at or above it.
    this.minDeltaVersion = this.store.reserveVersion();
    this.store.setMeta('ct.minVersion', String(this.minDeltaVersion));
  }

  visible(e: EntityMeta): boolean {
    return e.solution !== 'nav' || this.solutionImported;
  }

  private idClock = { ms: 0, seq: 0 };
  /**
   * Server-assigned ids are sequential like the GUIDs Dataverse assigns (UUIDv7 layout: 48-bit milliseconds, a
   * 12-bit counter, then 62 random bits), so new rows append to the (entity, id) index instead of landing at random
   * places in it, which halves the index cost of bulk creates. Monotonic even when the clock stands still or steps back.
   */
  private newId(): string {
    const c = this.idClock;
    const now = Math.floor(this.opts.clock());
    if (now > c.ms) { c.ms = now; c.seq = 0; } else if (++c.seq > 0xfff) { c.ms++; c.seq = 0; }
    const t = c.ms.toString(16).padStart(12, '0');
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${c.seq.toString(16).padStart(3, '0')}-${randomUUID().slice(19)}`;
  }

  private nowCache = { second: NaN, text: '' };
  /** Current time at Dataverse's second precision; cached per second because bulk creates call it per row. */
  now(): string {
    const second = Math.floor(this.opts.clock() / 1000);
    if (second !== this.nowCache.second) this.nowCache = { second, text: new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    return this.nowCache.text;
  }

  organization(): StoredRow {
    const org = this.store.get('organization', this.opts.organizationId);
    if (!org) throw new DvError(500, CODES.unexpected, 'The organization record is missing from the sandbox database. Restart the sandbox with seed "demo".');
    return org;
  }

  // ------------------------------------------------------------------------------------------------ dispatch

  handle(req: DvRequest, caller: Caller, bctx?: BatchCtx): DvResponse {
    try {
      return this.route(req, caller, bctx);
    } catch (err) {
      if (err instanceof DvError) return errorResponse(err);
      const msg = err instanceof Error ? err.message : String(err);
      return errorResponse(new DvError(500, CODES.unexpected, `An unexpected error occurred: ${msg}`));
    }
  }

  private route(req: DvRequest, caller: Caller, bctx?: BatchCtx): DvResponse {
    const { path, query } = this.splitUrl(req.url, bctx);
    const segs = splitPath(path);
    const method = req.method.toUpperCase();
    if (segs.length === 0) return json(200, { '@odata.context': `${this.opts.apiBase}/$metadata`, value: [...ENTITIES.values()].filter((e) => this.visible(e)).map((e) => ({ name: e.entitySetName, kind: 'EntitySet', url: e.entitySetName })) });
    const first = segs[0];
    if (first.name === '$metadata' && segs.length === 1) {
      return { status: 200, headers: { 'Content-Type': 'application/xml', 'OData-Version': '4.0' }, body: buildCsdl((e) => this.visible(e)) };
    }
    if (first.name === '$batch' && segs.length === 1) {
      if (method !== 'POST') throw methodNotAllowed(method, '$batch');
      if (bctx) throw badRequest('Nested $batch requests are not supported.');
      return this.batch(req, caller);
    }
    if ((first.name === 'WhoAmI' || first.name === 'WhoAmI()') && segs.length === 1) {
      return json(200, { '@odata.context': `${this.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`, BusinessUnitId: caller.businessunitid, UserId: caller.systemuserid, OrganizationId: this.opts.organizationId });
    }
    if ((first.name === 'RetrieveVersion' || first.name === 'RetrieveVersion()') && segs.length === 1) {
      return json(200, { '@odata.context': `${this.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse`, Version: SERVER_VERSION });
    }
    if (first.name === 'ImportSolution' && segs.length === 1) {
      if (method !== 'POST') throw methodNotAllowed(method, 'ImportSolution');
      return this.importSolutionAction(req, caller);
    }
    if (first.name === 'EntityDefinitions') return this.entityDefinitions(segs, query);
    if ((first.name === 'InsertOptionValue' || first.name === 'UpdateOptionValue') && segs.length === 1) {
      if (method !== 'POST') throw methodNotAllowed(method, first.name);
      return this.optionValueAction(first.name, req, caller);
    }

    if (first.name === 'systemuserrolescollection' && segs.length === 1 && first.key === undefined && method === 'GET') return this.userRoleRows(query, caller);
    const e = ENTITIES_BY_SET.get(first.name);
    if (!e || !this.visible(e)) throw segmentNotFound(first.key !== undefined ? `${first.name}(${first.key})` : first.name);
    const prefer = parsePrefer(req.headers['prefer']);

    if (first.key === undefined) {
      if (segs.length === 1) {
        if (method === 'GET') return this.retrieveMultiple(e, query, prefer, caller);
        if (method === 'POST') return this.createRequest(e, req, query, prefer, caller, bctx);
        throw methodNotAllowed(method, e.entitySetName);
      }
      const op = segs[1].name;
      if (op === '$count' && segs.length === 2 && method === 'GET') return this.countRequest(e, query, caller);
      if (segs.length === 2 && method === 'POST' && /^(Microsoft\.Dynamics\.CRM\.)?(CreateMultiple|UpdateMultiple|UpsertMultiple)$/.test(op)) {
        return this.bulk(e, op.replace('Microsoft.Dynamics.CRM.', '') as 'CreateMultiple' | 'UpdateMultiple' | 'UpsertMultiple', req, caller);
      }
      throw segmentNotFound(op);
    }

    const key = first.key;
    if (segs.length === 1) {
      if (method === 'GET') return this.retrieve(e, key, query, prefer, caller, req.headers);
      if (method === 'PATCH') return this.patch(e, key, req, query, prefer, caller, bctx);
      if (method === 'DELETE') return this.deleteRequest(e, key, req, caller);
      throw methodNotAllowed(method, `${e.entitySetName}(${key})`);
    }
    const prop = segs[1];
    if (e.logicalName === 'systemuser' && /^(Microsoft\.Dynamics\.CRM\.)?RetrieveUserPrivileges(\(\))?$/.test(prop.name) && method === 'GET' && segs.length === 2) {
      return this.retrieveUserPrivileges(key, caller);
    }
    if (e.logicalName === 'systemuser' && prop.name === 'systemuserroles_association') return this.userRoles(key, prop, segs, method, req, query, caller, bctx);
    if (segs.length === 3 && segs[2].name === '$ref') return this.singleRef(e, key, prop.name, method, req, caller, bctx);
    if (segs.length === 2) return this.singleProperty(e, key, prop.name, method, req, caller);
    throw segmentNotFound(segs[2].name);
  }

  private splitUrl(url: string, bctx?: BatchCtx): { path: string; query: Query } {
    let u = url.trim();
    u = u.replace(/^https?:\/\/[^/]+/i, '');
    u = u.replace(/^\/?api\/data\/v9\.[0-2]\/?/i, '');
    u = u.replace(/^\//, '');
    if (u.startsWith('$') && /^\$\d+/.test(u)) {
      const m = /^\$(\d+)(.*)$/.exec(u) as RegExpExecArray;
      const target = bctx?.contentIds.get(m[1]);
      if (!target) throw badRequest(`Content-ID Reference: '$${m[1]}' does not exist in the batch context.`);
      u = target + m[2];
    }
    const qi = u.indexOf('?');
    const path = qi >= 0 ? u.slice(0, qi) : u;
    const qs = qi >= 0 ? u.slice(qi + 1) : '';
    const params = new Map<string, string>();
    const raw: string[] = [];
    for (const part of qs.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const k = safeDecode(eq >= 0 ? part.slice(0, eq) : part);
      const v = eq >= 0 ? safeDecode(part.slice(eq + 1)) : '';
      params.set(k, v);
      raw.push(part);
    }
    return { path: safeDecode(path), query: { params, raw } };
  }

  // ------------------------------------------------------------------------------------------------ reading

  private parseSelect(e: EntityMeta, select: string | undefined): AttributeMeta[] | null {
    if (select === undefined || select.trim() === '') return null;
    return select.split(',').map((s) => s.trim()).filter(Boolean).map((p) => {
      const a = resolveProperty(e, p) ?? (e.attributes.get(p) && isLookup(e.attributes.get(p) as AttributeMeta) ? e.attributes.get(p) : undefined);
      if (!a) throw new DvError(400, CODES.queryNotSupported, `Could not find a property named '${p}' on type 'Microsoft.Dynamics.CRM.${e.logicalName}'.`);
      return a;
    });
  }

  private parseExpand(e: EntityMeta, expand: string | undefined): ExpandItem[] {
    if (!expand) return [];
    const items: ExpandItem[] = [];
    for (const part of splitTopLevel(expand, ',')) {
      const m = /^([A-Za-z0-9_]+)(?:\((.*)\))?$/.exec(part.trim());
      if (!m) throw badRequest(`The $expand value '${part}' is not valid.`, CODES.queryNotSupported);
      const nav = m[1];
      let select: string[] | null = null;
      if (m[2]) {
        for (const opt of splitTopLevel(m[2], ';')) {
          const [k, v] = [opt.slice(0, opt.indexOf('=')).trim(), opt.slice(opt.indexOf('=') + 1)];
          if (k === '$select') select = v.split(',').map((s) => s.trim()).filter(Boolean);
          else throw badRequest(`The query option '${k}' is not supported inside $expand in the sandbox; use $select.`, CODES.queryNotSupported);
        }
      }
      if (!e.navToAttr.has(nav) && !(e.logicalName === 'systemuser' && nav === 'systemuserroles_association')) {
        throw new DvError(400, CODES.queryNotSupported, `Could not find a property named '${nav}' on type 'Microsoft.Dynamics.CRM.${e.logicalName}'.`);
      }
      items.push({ nav, select });
    }
    return items;
  }

  present(e: EntityMeta, row: StoredRow, select: AttributeMeta[] | null, annotations: boolean, expand: ExpandItem[] = []): Record<string, unknown> {
    const out: Record<string, unknown> = { '@odata.etag': `W/"${row.version}"` };
    const attrs = select ?? [...e.attributes.values()];
    const d = row.data;
    for (const a of attrs) {
      if (isLookup(a)) {
        const k = `_${a.logicalName}_value`;
        const v = d[a.logicalName] ?? null;
        if (annotations && v !== null) {
          const t = lookupType(a, d);
          out[`${k}@OData.Community.Display.V1.FormattedValue`] = this.lookupName(t, v as string);
          out[`${k}@Microsoft.Dynamics.CRM.associatednavigationproperty`] = navFor(a, t);
          out[`${k}@Microsoft.Dynamics.CRM.lookuplogicalname`] = t;
        }
        out[k] = v;
      } else {
        const v = d[a.logicalName] ?? null;
        if (annotations && v !== null) {
          if (a.options) out[`${a.logicalName}@OData.Community.Display.V1.FormattedValue`] = a.options.find((o) => o.value === v)?.label ?? String(v);
          else if (a.type === 'Boolean') out[`${a.logicalName}@OData.Community.Display.V1.FormattedValue`] = v ? 'Yes' : 'No';
        }
        out[a.logicalName] = v;
      }
    }
    if (select) out[e.primaryIdAttribute] = row.id;
    for (const x of expand) {
      if (x.nav === 'systemuserroles_association') {
        const role = ENTITIES.get('role') as EntityMeta;
        const sel = this.parseSelect(role, x.select?.join(','));
        out[x.nav] = this.store.rolesOf(row.id).map((rid) => this.store.get('role', rid)).filter((r): r is StoredRow => !!r).map((r) => this.present(role, r, sel, false));
        continue;
      }
      const a = e.navToAttr.get(x.nav) as AttributeMeta;
      const id = d[a.logicalName] as string | undefined;
      const t = lookupType(a, d);
      const nav = a.navs?.find((n) => n.nav === x.nav);
      if (!id || !t || !nav?.targets.includes(t)) { out[x.nav] = null; continue; }
      const te = ENTITIES.get(t) as EntityMeta;
      const target = this.store.get(t, id);
      out[x.nav] = target ? this.present(te, target, this.parseSelect(te, x.select?.join(',')), false) : null;
    }
    return out;
  }

  private lookupName(type: string | undefined, id: string): string | null {
    const te = type ? ENTITIES.get(type) : undefined;
    if (!te) return null;
    const r = this.store.get(te.logicalName, id);
    return r ? ((r.data[te.primaryNameAttribute] as string | undefined) ?? null) : null;
  }

  private contextUrl(e: EntityMeta, select: AttributeMeta[] | null, suffix = ''): string {
    const cols = select ? `(${select.map((a) => (isLookup(a) ? `_${a.logicalName}_value` : a.logicalName)).join(',')})` : '';
    return `${this.opts.apiBase}/$metadata#${e.entitySetName}${cols}${suffix}`;
  }

  /** `set(guid)` or `set(key='value')`: returns the existing row or undefined plus how to create it. */
  private resolveKey(e: EntityMeta, key: string): { id: string | undefined; keyAttr?: AttributeMeta; keyValue?: unknown } {
    const k = key.trim();
    if (GUID.test(k)) return { id: k.toLowerCase() };
    const m = /^([a-z0-9_]+)=(?:'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?))$/.exec(k);
    if (m) {
      const a = e.attributes.get(m[1]);
      if (!a || !e.alternateKeys.includes(m[1])) {
        if (m[1] === e.primaryIdAttribute && m[3] === undefined && GUID.test(m[2] ?? '')) return { id: (m[2] as string).toLowerCase() };
        throw new DvError(400, '0x80060890', `The key attribute '${m[1]}' is not a defined key of entity '${e.logicalName}'.`);
      }
      const value = m[2] !== undefined ? m[2].replace(/''/g, "'") : Number(m[3]);
      const rows = this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = ? AND ${column(a)} = ?${isStringAttr(a) ? ' COLLATE NOCASE' : ''} LIMIT 1`, [e.logicalName, value]);
      return { id: rows[0]?.id, keyAttr: a, keyValue: value };
    }
    throw badRequest(`Bad Request - Error in query syntax: the key '${key}' is neither a GUID nor an alternate key expression.`, CODES.queryNotSupported);
  }

  private keyNotFound(e: EntityMeta, key: string, r: { keyAttr?: AttributeMeta }): DvError {
    if (r.keyAttr) return new DvError(404, CODES.keyNotFound, `A record with the specified key values does not exist in ${e.logicalName} entity`);
    return notFound(e.logicalName, key.toLowerCase());
  }

  private retrieve(e: EntityMeta, key: string, query: Query, prefer: Prefer, caller: Caller, headers: Record<string, string>): DvResponse {
    requirePrivilege(caller, 'Read', e);
    rejectUnknownOptions(query, ['$select', '$expand']);
    const r = this.resolveKey(e, key);
    const row = r.id ? this.store.get(e.logicalName, r.id) : undefined;
    if (!row) throw this.keyNotFound(e, key, r);
    const select = this.parseSelect(e, query.params.get('$select'));
    const expand = this.parseExpand(e, query.params.get('$expand'));
    const inm = headers['if-none-match'];
    // 304 is skipped for $expand/annotations: the row version says nothing about related rows or labels.
    if (inm && inm !== 'null' && expand.length === 0 && !prefer.annotations && etagMatches(inm, row.version)) {
      return { status: 304, headers: { ETag: `W/"${row.version}"`, 'OData-Version': '4.0' } };
    }
    const body = { '@odata.context': this.contextUrl(e, select, '/$entity'), ...this.present(e, row, select, prefer.annotations, expand) };
    return json(200, body, { ETag: `W/"${row.version}"`, ...prefer.applied() });
  }

  private countRequest(e: EntityMeta, query: Query, caller: Caller): DvResponse {
    requirePrivilege(caller, 'Read', e);
    const f = query.params.get('$filter');
    const where = f ? compileFilter(e, parseFilter(f)) : { sql: '1', params: [] };
    const n = this.store.scalar(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM dv_rows WHERE entity = ? AND ${where.sql} LIMIT ${MAX_PAGE})`, [e.logicalName, ...where.params]);
    return { status: 200, headers: { 'Content-Type': 'text/plain', 'OData-Version': '4.0' }, body: String(n) };
  }

  private retrieveMultiple(e: EntityMeta, query: Query, prefer: Prefer, caller: Caller): DvResponse {
    requirePrivilege(caller, 'Read', e);
    if (query.params.has('$skip')) throw new DvError(400, CODES.queryNotSupported, 'The query parameter $skip is not supported');
    rejectUnknownOptions(query, ['$select', '$filter', '$orderby', '$top', '$expand', '$count', '$skiptoken', '$deltatoken']);
    const select = this.parseSelect(e, query.params.get('$select'));
    if (query.params.has('$deltatoken')) return this.delta(e, query, select, prefer);

    const cookie = query.params.has('$skiptoken') ? decodeCookie(query.params.get('$skiptoken') as string) : undefined;
    const tracking = prefer.trackChanges || cookie?.sv !== undefined;
    if (tracking) {
      for (const p of ['$filter', '$orderby', '$expand', '$top']) {
        if (query.params.has(p)) throw new DvError(400, CODES.queryNotSupported, `The "${p}" query parameter isn't supported when Change Tracking is enabled.`);
      }
    }
    const expand = this.parseExpand(e, query.params.get('$expand'));
    const filterText = query.params.get('$filter');
    const where = filterText ? compileFilter(e, parseFilter(filterText)) : { sql: '1', params: [] as unknown[] };
    const order = parseOrderBy(e, query.params.get('$orderby'));

    const topRaw = query.params.get('$top');
    let top: number | undefined;
    if (topRaw !== undefined) {
      top = Number(topRaw);
      if (!Number.isInteger(top) || top < 0) throw badRequest(`Invalid value '${topRaw}' for $top query option found. The $top query option requires a non-negative integer value.`, CODES.queryNotSupported);
    }
    let pageSize = prefer.maxPageSize ?? MAX_PAGE;
    // Per the docs, $top is ignored when odata.maxpagesize is also sent.
    const useTop = top !== undefined && prefer.maxPageSize === undefined;
    if (useTop) pageSize = Math.min(top as number, MAX_PAGE);

    // The row key breaks ties, unless the query already orders by it (a repeated term made SQLite sort again).
    const orderSql = [...order.map((o) => `${o.col}${isStringAttr(o.attr) ? ' COLLATE NOCASE' : ''} ${o.desc ? 'DESC' : 'ASC'}`), ...(order.some((o) => o.col === 'id') ? [] : ['id ASC'])].join(', ');
    let keyset = { sql: '1', params: [] as unknown[] };
    if (cookie) keyset = keysetCondition(order, cookie);
    const rows = this.store.all(
      `SELECT id, version, data FROM dv_rows WHERE entity = ? AND ${where.sql} AND ${keyset.sql} ORDER BY ${orderSql} LIMIT ?`,
      [e.logicalName, ...where.params, ...keyset.params, pageSize + 1],
    );
    const more = !useTop && rows.length > pageSize;
    const page = rows.slice(0, pageSize);
    const startVersion = cookie?.sv ?? (tracking ? this.store.currentVersion() : undefined);
    const body: Record<string, unknown> = { '@odata.context': this.contextUrl(e, select) };
    if (query.params.get('$count') === 'true') {
      const n = this.store.scalar(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM dv_rows WHERE entity = ? AND ${where.sql} LIMIT ${MAX_PAGE + 1})`, [e.logicalName, ...where.params]);
      body['@odata.count'] = Math.min(n, MAX_PAGE);
      if (prefer.annotations) body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = n > MAX_PAGE;
    }
    body.value = page.map((r) => this.present(e, r, select, prefer.annotations, expand));
    if (more) {
      const last = page[page.length - 1];
      const next: Cookie = { v: order.map((o) => (last.data[o.attr.logicalName] ?? null) as unknown), id: last.id, n: (cookie?.n ?? 1) + 1, sv: startVersion };
      const rest = query.raw.filter((p) => !p.startsWith('$skiptoken=') && !p.startsWith('%24skiptoken='));
      rest.push(`$skiptoken=${encodeURIComponent(encodeCookie(next))}`);
      body['@odata.nextLink'] = `${this.opts.apiBase}/${e.entitySetName}?${rest.join('&')}`;
    } else if (tracking) {
      body['@odata.deltaLink'] = this.deltaLink(e, query, startVersion as number);
    }
    return json(200, body, prefer.applied(tracking));
  }

  private deltaLink(e: EntityMeta, query: Query, version: number): string {
    const rest = query.raw.filter((p) => !/^(\$|%24)(skiptoken|deltatoken)=/.test(p));
    const d = new Date(this.opts.clock());
    const pad = (n: number) => String(n).padStart(2, '0');
    const stamp = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    rest.push(`$deltatoken=${encodeURIComponent(`${version}!${stamp}`)}`);
    return `${this.opts.apiBase}/${e.entitySetName}?${rest.join('&')}`;
  }

  private delta(e: EntityMeta, query: Query, select: AttributeMeta[] | null, prefer: Prefer): DvResponse {
    const token = query.params.get('$deltatoken') as string;
    const m = /^(\d+)!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(token);
    if (!m) throw badRequest(`The $deltatoken '${token}' is not valid. Start over with a full query using Prefer: odata.track-changes.`, CODES.invalidArgument);
    const version = Number(m[1]);
    const issued = Date.UTC(Number(m[4]), Number(m[2]) - 1, Number(m[3]), Number(m[5]), Number(m[6]), Number(m[7]));
    const days = Number(this.organization().data.expirechangetrackingindays ?? 7);
    if (version < this.minDeltaVersion || this.opts.clock() - issued > days * 86_400_000) {
      throw new DvError(400, CODES.changeTrackingExpired, 'Version stamp associated with the client has expired. Please perform a full sync.');
    }
    // Delta results page like any other query. The cookie pins the upper version bound of this delta so
    // writes that land while the client pages show up in the next delta instead of shifting pages.
    const cookie = query.params.has('$skiptoken') ? decodeCookie(query.params.get('$skiptoken') as string) : undefined;
    const upto = cookie?.sv ?? this.store.currentVersion();
    const after = cookie ? Number(cookie.v[0]) : version;
    const pageSize = prefer.maxPageSize ?? MAX_PAGE;
    const rows = this.store.changedRows(e.logicalName, after, upto, pageSize + 1);
    const body: Record<string, unknown> = { '@odata.context': this.contextUrl(e, select, '/$delta') };
    const value: unknown[] = rows.slice(0, pageSize).map((r) => this.present(e, r, select, prefer.annotations));
    body.value = value;
    if (rows.length > pageSize) {
      const last = rows[pageSize - 1];
      const next: Cookie = { v: [last.version], id: last.id, n: (cookie?.n ?? 1) + 1, sv: upto };
      const rest = query.raw.filter((p) => !/^(\$|%24)skiptoken=/.test(p));
      rest.push(`$skiptoken=${encodeURIComponent(encodeCookie(next))}`);
      body['@odata.nextLink'] = `${this.opts.apiBase}/${e.entitySetName}?${rest.join('&')}`;
      return json(200, body, prefer.applied(true));
    }
    // Deletions come last, after every new/updated row (documented ordering).
    for (const d of this.store.deletedSince(e.logicalName, version, upto)) {
      value.push({ '@odata.context': `${this.opts.apiBase}/$metadata#${e.entitySetName}/$deletedEntity`, id: d.id, reason: 'deleted' });
    }
    body['@odata.deltaLink'] = this.deltaLink(e, query, upto);
    return json(200, body, prefer.applied(true));
  }

  // ------------------------------------------------------------------------------------------------ writing

  private parseBody(e: EntityMeta, body: string): Record<string, unknown> {
    if (!body.trim()) return {};
    try {
      const v = JSON.parse(body) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('the body must be a JSON object');
      return v as Record<string, unknown>;
    } catch (err) {
      throw payloadError(e, `Microsoft.OData.ODataException: Invalid JSON. ${(err as Error).message}`);
    }
  }

  /** Resolve an `@odata.bind` / `@odata.id` reference to (entity, id). */
  resolveRef(ref: string, bctx?: BatchCtx): { e: EntityMeta; id: string } {
    let u = ref.trim().replace(/^https?:\/\/[^/]+/i, '').replace(/^\/?api\/data\/v9\.[0-2]\//i, '').replace(/^\//, '');
    const cm = /^\$(\d+)$/.exec(u);
    if (cm) {
      const t = bctx?.contentIds.get(cm[1]);
      if (!t) throw badRequest(`Content-ID Reference: '$${cm[1]}' does not exist in the batch context.`);
      u = t;
    }
    const m = /^([A-Za-z0-9_]+)\((.+)\)$/.exec(u);
    const te = m ? ENTITIES_BY_SET.get(m[1]) : undefined;
    if (!m || !te || !this.visible(te)) throw badRequest(`The entity reference '${ref}' could not be resolved. Use the form '/<entityset>(<id>)'.`, CODES.payloadError);
    const r = this.resolveKey(te, m[2]);
    if (!r.id || !this.store.exists(te.logicalName, r.id)) throw r.keyAttr ? this.keyNotFound(te, m[2], r) : notFound(te.logicalName, m[2].toLowerCase());
    return { e: te, id: r.id };
  }

  /**
   * Validate a request body and merge it into `data`. With `asPatch`, `data` starts empty and becomes a merge patch
   * for `DvStore.patch` (cleared lookups then carry an explicit null for their type marker so the patch removes it).
   */
  applyBody(e: EntityMeta, body: Record<string, unknown>, data: RowData, bctx?: BatchCtx, asPatch = false): void {
    let stateSet: number | undefined;
    let statusSet = false;
    const attrs = e.attributes;
    // for-in plus the attribute lookup first: this runs for every column of every row in bulk messages, and plain
    // column names (no '@') are by far the most common keys.
    for (const k in body) {
      const v = body[k];
      const a = attrs.get(k);
      if (a !== undefined) {
        if (a.readOnly || k === e.primaryIdAttribute) continue;
        if (isLookup(a)) {
          if (v === null) { data[k] = null; clearType(data, k, asPatch); continue; }
          throw payloadError(e, `Microsoft.OData.ODataException: A 'PrimitiveValue' node with non-null value was found when trying to read the value of the navigation property '${k}'; use '${a.navs?.[0]?.nav ?? k}@odata.bind' instead.`);
        }
        const value = this.validateValue(e, a, v);
        data[k] = value;
        if (k === 'statecode') stateSet = value as number;
        else if (k === 'statuscode') statusSet = true;
        continue;
      }
      if (k.startsWith('@odata.')) {
        if (k === '@odata.type' && typeof v === 'string' && v.replace(/^#/, '') !== `Microsoft.Dynamics.CRM.${e.logicalName}`) {
          throw payloadError(e, `Microsoft.OData.ODataException: A resource with type '${v}' was found, but it is not assignable to the expected type 'Microsoft.Dynamics.CRM.${e.logicalName}'.`);
        }
        continue;
      }
      if (k.endsWith('@odata.bind')) {
        const nav = k.slice(0, -'@odata.bind'.length);
        const la = e.navToAttr.get(nav);
        if (!la) {
          throw payloadError(e, `Microsoft.OData.ODataException: An undeclared property '${nav}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`);
        }
        if (v === null) { data[la.logicalName] = null; clearType(data, la.logicalName, asPatch); continue; }
        if (typeof v !== 'string') throw payloadError(e, `The value of '${k}' must be a string entity reference like '/contacts(<id>)'.`);
        const ref = this.resolveRef(v, bctx);
        const navDef = la.navs?.find((n) => n.nav === nav);
        if (!navDef?.targets.includes(ref.e.logicalName)) {
          throw badRequest(`The navigation property '${nav}' of '${e.logicalName}' cannot reference a '${ref.e.logicalName}' record; allowed: ${navDef?.targets.join(', ')}.`, CODES.payloadError);
        }
        data[la.logicalName] = ref.id;
        if (la.targets?.length !== 1) data[`${la.logicalName}@t`] = ref.e.logicalName;
        continue;
      }
      if (k.includes('@')) continue; // instance annotations are ignored
      throw payloadError(e, `Microsoft.OData.ODataException: The property '${k}' does not exist on type 'Microsoft.Dynamics.CRM.${e.logicalName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
    }
    if (stateSet !== undefined) {
      const ss = e.attributes.get('statuscode')?.options ?? [];
      const current = ss.find((o) => o.value === data.statuscode);
      if (!statusSet || current?.state !== stateSet) {
        if (statusSet && current) throw new DvError(400, '0x80040203', `${data.statuscode} is not a valid status code for state code ${e.logicalName}State.${stateSet} on ${e.logicalName}.`);
        data.statuscode = ss.find((o) => o.state === stateSet)?.value ?? null;
      }
    } else if (statusSet) {
      const st = e.attributes.get('statuscode')?.options?.find((o) => o.value === data.statuscode);
      if (st?.state !== undefined) data.statecode = st.state;
    }
    if (e.logicalName === 'contact' && ('firstname' in body || 'lastname' in body || 'middlename' in body)) {
      data.fullname = [data.firstname, data.middlename, data.lastname].filter((x) => typeof x === 'string' && x).join(' ') || null;
    }
  }

  private validateValue(e: EntityMeta, a: AttributeMeta, v: unknown): unknown {
    if (v === null) return null;
    // No per-call closures here: this runs once per column of every row in bulk creates.
    switch (a.type) {
      case 'String': case 'Memo':
        if (typeof v !== 'string') throw badValue(e, a, v, 'Edm.String');
        if (a.maxLength && v.length > a.maxLength) {
          throw new DvError(400, CODES.validation, `A validation error occurred. The length of the '${a.logicalName}' attribute of the '${e.logicalName}' entity exceeded the maximum allowed length of '${a.maxLength}'.`);
        }
        return v;
      case 'Integer': case 'BigInt':
        if (typeof v !== 'number' || !Number.isInteger(v)) throw badValue(e, a, v, 'Edm.Int32');
        return v;
      case 'Decimal': case 'Money':
        if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
        if (typeof v !== 'number') throw badValue(e, a, v, 'Edm.Decimal');
        return v;
      case 'Boolean':
        if (typeof v !== 'boolean') throw badValue(e, a, v, 'Edm.Boolean');
        return v;
      case 'DateTime': {
        const d = typeof v === 'string' ? normalizeDateTime(v) : null;
        if (!d) throw badValue(e, a, v, 'Edm.DateTimeOffset');
        return d;
      }
      case 'Uniqueidentifier':
        if (typeof v !== 'string' || !GUID.test(v)) throw badValue(e, a, v, 'Edm.Guid');
        return v.toLowerCase();
      case 'Picklist': case 'State': case 'Status':
        if (typeof v !== 'number' || !Number.isInteger(v)) throw badValue(e, a, v, 'Edm.Int32');
        if (!a.options?.some((o) => o.value === v) && !this.addedOptions(e.logicalName, a.logicalName).some((o) => o.value === v)) {
          throw new DvError(400, '0x8004431a', `A validation error occurred. The value ${v} of '${a.logicalName}' on record of type '${e.logicalName}' is outside the valid range. Accepted Values: ${a.options?.map((o) => o.value).join(',')}`);
        }
        return v;
      default:
        return v;
    }
  }

  private baseCurrency: { id: string } | undefined;

  /** What createRow derives from metadata alone, computed once per table instead of once per row. */
  private plans = new Map<string, { status: ReturnType<typeof defaultStatus>; owned: boolean; defaultCurrency: boolean }>();
  private createPlan(e: EntityMeta) {
    let p = this.plans.get(e.logicalName);
    if (!p) {
      p = {
        status: defaultStatus(e), owned: e.attributes.has('ownerid'),
        defaultCurrency: e.attributes.has('transactioncurrencyid') && e.attributes.has('exchangerate') && e.logicalName !== 'transactioncurrency',
      };
      this.plans.set(e.logicalName, p);
    }
    return p;
  }

  /** Create one row (validation, server-maintained columns, insert). Returns the new id. */
  /** `validated`: the body already run through applyBody in patch mode (UpsertMultiple), so it is not validated twice. */
  createRow(e: EntityMeta, body: Record<string, unknown>, caller: Caller, bctx?: BatchCtx, forcedId?: string, keyAttr?: AttributeMeta, keyValue?: unknown, validated?: RowData): StoredRow {
    const row = this.newRow(e, body, caller, bctx, forcedId, keyAttr, keyValue, validated);
    if (!this.store.insert(e.logicalName, row.id, row.version, row.data)) throw new DvError(412, CODES.duplicateRecord, 'A record with matching key values already exists.');
    if (e.logicalName === 'systemuser' || e.logicalName === 'role') this.securityEpoch++;
    return row;
  }

  /** Everything createRow does except the INSERT (CreateMultiple inserts a whole request at once). */
  private newRow(e: EntityMeta, body: Record<string, unknown>, caller: Caller, bctx?: BatchCtx, forcedId?: string, keyAttr?: AttributeMeta, keyValue?: unknown, validated?: RowData): StoredRow {
    const idRaw = forcedId ?? body[e.primaryIdAttribute];
    let id: string;
    if (idRaw === undefined || idRaw === null) id = this.newId();
    else if (typeof idRaw === 'string' && GUID.test(idRaw)) id = idRaw.toLowerCase();
    else throw payloadError(e, `Microsoft.OData.ODataException: Cannot convert the literal '${String(idRaw)}' to the expected type 'Edm.Guid'.`);
    const now = this.now();
    const plan = this.createPlan(e);
    const data: RowData = {};
    if (plan.status) { data.statecode = plan.status.statecode; data.statuscode = plan.status.statuscode; }
    if (keyAttr) data[keyAttr.logicalName] = keyValue;
    if (validated) {
      for (const k in validated) {
        // A patch clears lookup type markers with null; a new row simply has none.
        if (validated[k] !== null || !k.endsWith('@t')) data[k] = validated[k];
      }
    } else this.applyBody(e, body, data, bctx);
    data[e.primaryIdAttribute] = id;
    data.createdon = now; data.modifiedon = now;
    data.createdby = caller.systemuserid;
    data.modifiedby = caller.systemuserid;
    if (plan.owned) {
      if (!data.ownerid) { data.ownerid = caller.systemuserid; data['ownerid@t'] = 'systemuser'; }
      data.owningbusinessunit = caller.businessunitid;
    }
    if (plan.defaultCurrency && !data.transactioncurrencyid) {
      this.baseCurrency ??= { id: this.organization().data.basecurrencyid as string };
      if (this.baseCurrency.id) data.transactioncurrencyid = this.baseCurrency.id;
    }
    if (e.logicalName === 'transactioncurrency' && data.isocurrencycode) {
      const dup = this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'transactioncurrency' AND json_extract(data,'$.isocurrencycode') = ? COLLATE NOCASE LIMIT 1`, [data.isocurrencycode]);
      if (dup.length) throw new DvError(400, '0x80048cf3', `Duplicate currency record: a currency with ISO code '${String(data.isocurrencycode)}' already exists.`);
    }
    const version = this.store.reserveVersion();
    data.versionnumber = version;
    return { id, version, data };
  }

  updateRow(e: EntityMeta, row: StoredRow, body: Record<string, unknown>, caller: Caller, bctx?: BatchCtx): StoredRow {
    const data = { ...row.data };
    this.applyBody(e, body, data, bctx);
    data.modifiedon = this.now();
    data.modifiedby = caller.systemuserid;
    const version = this.store.reserveVersion();
    data.versionnumber = version;
    this.store.update(e.logicalName, row.id, version, data);
    if (e.logicalName === 'systemuser' || e.logicalName === 'role') this.securityEpoch++;
    if (e.logicalName === 'organization') this.baseCurrency = undefined;
    return { id: row.id, version, data };
  }

  /**
   * Bulk update without reading the row: the changes (applyBody in patch mode) go to SQLite as a merge patch. Only for
   * bodies whose result does not depend on the stored row (see `patchable`). Returns false when the row does not exist.
   */
  private patchRow(e: EntityMeta, id: string, changes: RowData, caller: Caller): boolean {
    changes.modifiedon = this.now();
    changes.modifiedby = caller.systemuserid;
    const version = this.store.reserveVersion();
    changes.versionnumber = version;
    return this.store.patch(e.logicalName, id, version, changes);
  }

  private changesOf(e: EntityMeta, body: Record<string, unknown>): RowData {
    const changes: RowData = {};
    this.applyBody(e, body, changes, undefined, true);
    return changes;
  }

  /**
   * Whether `patchRow` gives the same row as `updateRow`: not for tables whose writes have side effects on security
   * or the cached base currency, and not when a contact's name parts change (fullname is derived from the stored
   * parts). statecode/statuscode are fine: the derived code depends only on the body.
   */
  private patchable(e: EntityMeta, body: Record<string, unknown>): boolean {
    if (e.logicalName === 'systemuser' || e.logicalName === 'role' || e.logicalName === 'organization') return false;
    return e.logicalName !== 'contact' || !('firstname' in body || 'lastname' in body || 'middlename' in body);
  }

  private entityPath(e: EntityMeta, id: string): string {
    return `${e.entitySetName}(${id})`;
  }

  private writeResponse(e: EntityMeta, row: StoredRow, created: boolean, prefer: Prefer, query: Query): DvResponse {
    const path = this.entityPath(e, row.id);
    const full = `${this.opts.apiBase}/${path}`;
    if (prefer.returnRepresentation) {
      const select = this.parseSelect(e, query.params.get('$select'));
      const body = { '@odata.context': this.contextUrl(e, select, '/$entity'), ...this.present(e, row, select, prefer.annotations) };
      return { ...json(created ? 201 : 200, body, { ETag: `W/"${row.version}"`, 'Preference-Applied': 'return=representation', Location: full }), entityPath: path };
    }
    return { status: 204, headers: { 'OData-Version': '4.0', 'OData-EntityId': full, Location: full }, entityPath: path };
  }

  private createRequest(e: EntityMeta, req: DvRequest, query: Query, prefer: Prefer, caller: Caller, bctx?: BatchCtx): DvResponse {
    requirePrivilege(caller, 'Create', e);
    const body = this.parseBody(e, req.body);
    const row = this.createRow(e, body, caller, bctx);
    return this.writeResponse(e, row, true, prefer, query);
  }

  private patch(e: EntityMeta, key: string, req: DvRequest, query: Query, prefer: Prefer, caller: Caller, bctx?: BatchCtx): DvResponse {
    const r = this.resolveKey(e, key);
    const existing = r.id ? this.store.get(e.logicalName, r.id) : undefined;
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    const body = this.parseBody(e, req.body);
    if (existing) {
      if (ifNoneMatch === '*') throw new DvError(412, CODES.duplicateRecord, 'A record with matching key values already exists.');
      if (ifMatch && ifMatch !== '*' && !etagMatches(ifMatch, existing.version)) {
        throw new DvError(412, CODES.concurrencyMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
      }
      requirePrivilege(caller, 'Write', e);
      const row = this.updateRow(e, existing, body, caller, bctx);
      return this.writeResponse(e, row, false, prefer, query);
    }
    if (ifMatch) throw this.keyNotFound(e, key, r);
    // Upsert: PATCH on a missing row creates it with the addressed key.
    requirePrivilege(caller, 'Create', e);
    const row = this.createRow(e, body, caller, bctx, r.keyAttr ? undefined : r.id, r.keyAttr, r.keyValue);
    return this.writeResponse(e, row, true, prefer, query);
  }

  private deleteRequest(e: EntityMeta, key: string, req: DvRequest, caller: Caller): DvResponse {
    requirePrivilege(caller, 'Delete', e);
    const r = this.resolveKey(e, key);
    const existing = r.id ? this.store.get(e.logicalName, r.id) : undefined;
    if (!existing) throw this.keyNotFound(e, key, r);
    const ifMatch = req.headers['if-match'];
    if (ifMatch && ifMatch !== '*' && !etagMatches(ifMatch, existing.version)) {
      throw new DvError(412, CODES.concurrencyMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
    }
    if (e.logicalName === 'organization' || (e.logicalName === 'systemuser')) {
      throw new DvError(405, CODES.notSupported, `The ${e.logicalName} entity cannot be deleted.`);
    }
    this.store.delete(e.logicalName, existing.id);
    if (e.logicalName === 'role') this.securityEpoch++;
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }

  private singleProperty(e: EntityMeta, key: string, prop: string, method: string, req: DvRequest, caller: Caller): DvResponse {
    const a = resolveProperty(e, prop);
    if (!a) throw segmentNotFound(prop);
    const r = this.resolveKey(e, key);
    const existing = r.id ? this.store.get(e.logicalName, r.id) : undefined;
    if (!existing) throw this.keyNotFound(e, key, r);
    if (method === 'GET') {
      requirePrivilege(caller, 'Read', e);
      const v = existing.data[a.logicalName] ?? null;
      if (v === null) return { status: 204, headers: { 'OData-Version': '4.0' } };
      return json(200, { '@odata.context': `${this.opts.apiBase}/$metadata#${e.entitySetName}(${existing.id})/${prop}`, value: v });
    }
    requirePrivilege(caller, 'Write', e);
    if (method === 'PUT') {
      const b = this.parseBody(e, req.body);
      if (!('value' in b)) throw payloadError(e, 'A single-property PUT needs a body like {"value": <new value>}.');
      this.updateRow(e, existing, { [a.logicalName]: b.value }, caller);
      return { status: 204, headers: { 'OData-Version': '4.0' } };
    }
    if (method === 'DELETE') {
      this.updateRow(e, existing, { [a.logicalName]: null }, caller);
      return { status: 204, headers: { 'OData-Version': '4.0' } };
    }
    throw methodNotAllowed(method, prop);
  }

  private singleRef(e: EntityMeta, key: string, nav: string, method: string, req: DvRequest, caller: Caller, bctx?: BatchCtx): DvResponse {
    if (!e.navToAttr.has(nav)) throw segmentNotFound(nav);
    const r = this.resolveKey(e, key);
    const existing = r.id ? this.store.get(e.logicalName, r.id) : undefined;
    if (!existing) throw this.keyNotFound(e, key, r);
    requirePrivilege(caller, 'Write', e);
    if (method === 'PUT') {
      const b = this.parseBody(e, req.body);
      if (typeof b['@odata.id'] !== 'string') throw payloadError(e, 'The body of a $ref PUT must be {"@odata.id": "<entityset>(<id>)"}.');
      this.updateRow(e, existing, { [`${nav}@odata.bind`]: b['@odata.id'] }, caller, bctx);
    } else if (method === 'DELETE') {
      this.updateRow(e, existing, { [`${nav}@odata.bind`]: null }, caller, bctx);
    } else throw methodNotAllowed(method, `${nav}/$ref`);
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }

  private userRoles(userKey: string, prop: Segment, segs: Segment[], method: string, req: DvRequest, query: Query, caller: Caller, bctx?: BatchCtx): DvResponse {
    const su = ENTITIES.get('systemuser') as EntityMeta;
    const role = ENTITIES.get('role') as EntityMeta;
    const user = GUID.test(userKey) ? this.store.get('systemuser', userKey.toLowerCase()) : undefined;
    if (!user) throw notFound('systemuser', userKey);
    const isRef = segs[segs.length - 1].name === '$ref';
    if (method === 'GET' && !isRef && segs.length === 2) {
      requirePrivilege(caller, 'Read', su); requirePrivilege(caller, 'Read', role);
      const select = this.parseSelect(role, query.params.get('$select'));
      const value = this.store.rolesOf(user.id).map((rid) => this.store.get('role', rid)).filter((x): x is StoredRow => !!x).map((x) => this.present(role, x, select, false));
      return json(200, { '@odata.context': this.contextUrl(role, select), value });
    }
    if (!isRef) throw segmentNotFound(segs[segs.length - 1].name);
    requirePrivilege(caller, 'Write', su);
    if (method === 'POST' && segs.length === 3 && prop.key === undefined) {
      const b = this.parseBody(su, req.body);
      if (typeof b['@odata.id'] !== 'string') throw payloadError(su, 'The body must be {"@odata.id": "<base>/roles(<roleid>)"}.');
      const ref = this.resolveRef(b['@odata.id'], bctx);
      if (ref.e.logicalName !== 'role') throw badRequest(`systemuserroles_association only accepts roles, not '${ref.e.logicalName}'.`);
      this.store.addRole(user.id, ref.id);
      this.securityEpoch++;
      return { status: 204, headers: { 'OData-Version': '4.0' } };
    }
    if (method === 'DELETE') {
      let roleId = prop.key;
      if (roleId === undefined) {
        const idParam = query.params.get('$id');
        if (!idParam) throw badRequest('Specify the role to remove: systemuserroles_association(<roleid>)/$ref or $ref?$id=<base>/roles(<roleid>).');
        roleId = this.resolveRef(idParam, bctx).id;
      }
      if (!this.store.removeRole(user.id, roleId.toLowerCase())) throw notFound('role', roleId);
      this.securityEpoch++;
      return { status: 204, headers: { 'OData-Version': '4.0' } };
    }
    throw methodNotAllowed(method, 'systemuserroles_association/$ref');
  }

  /** Bound function RetrieveUserPrivileges: the union of the user's role privileges (all at Global depth here). */
  private retrieveUserPrivileges(userKey: string, caller: Caller): DvResponse {
    requirePrivilege(caller, 'Read', ENTITIES.get('systemuser') as EntityMeta);
    const user = GUID.test(userKey) ? this.store.get('systemuser', userKey.toLowerCase()) : undefined;
    if (!user) throw notFound('systemuser', userKey);
    const bu = (user.data.businessunitid as string | undefined) ?? this.rootBusinessUnit();
    const RolePrivileges = [...privilegesOf(this.store.rolesOf(user.id))].sort().map((k) => {
      const [op, logical] = k.split(':');
      const name = privilegeName(op as 'Create', ENTITIES.get(logical) as EntityMeta);
      return { Depth: 'Global', PrivilegeId: nameGuid(`privilege:${name}`), BusinessUnitId: bu, PrivilegeName: name };
    });
    return json(200, { '@odata.context': `${this.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse`, RolePrivileges });
  }

  /** The read-only intersect set `systemuserrolescollection` (filterable by systemuserid / roleid). */
  private userRoleRows(query: Query, caller: Caller): DvResponse {
    requirePrivilege(caller, 'Read', ENTITIES.get('systemuser') as EntityMeta);
    rejectUnknownOptions(query, ['$select', '$filter']);
    const f = query.params.get('$filter');
    const expr = f ? parseFilter(f) : undefined;
    const value = this.store.allUserRoles().filter((r) => !expr || evaluateFilter(expr, r)).map((r) => ({
      '@odata.etag': 'W/"1"', systemuserroleid: metaId(`userrole:${r.systemuserid}:${r.roleid}`), systemuserid: r.systemuserid, roleid: r.roleid,
    }));
    return json(200, { '@odata.context': `${this.opts.apiBase}/$metadata#systemuserrolescollection`, value });
  }

  // ------------------------------------------------------------------------------------------------ bulk

  private bulk(e: EntityMeta, op: 'CreateMultiple' | 'UpdateMultiple' | 'UpsertMultiple', req: DvRequest, caller: Caller): DvResponse {
    const body = this.parseBody(e, req.body);
    const targets = body.Targets;
    if (!Array.isArray(targets)) throw badRequest(`${op} requires a "Targets" array of ${e.logicalName} records.`, CODES.payloadError);
    for (const t of targets) {
      if (!t || typeof t !== 'object' || typeof (t as Record<string, unknown>)['@odata.type'] !== 'string') {
        throw badRequest(`Every item in Targets must carry "@odata.type": "Microsoft.Dynamics.CRM.${e.logicalName}".`, CODES.payloadError);
      }
    }
    const ctx = `${this.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.${op}Response`;
    if (op === 'CreateMultiple') {
      requirePrivilege(caller, 'Create', e);
      const ids = this.store.transaction(() => {
        // A currency's duplicate-ISO-code check reads the rows created before it, so currencies go one by one.
        if (e.logicalName === 'transactioncurrency') return (targets as Record<string, unknown>[]).map((t) => this.createRow(e, t, caller).id);
        const rows = (targets as Record<string, unknown>[]).map((t) => this.newRow(e, t, caller));
        if (!this.store.insertMany(e.logicalName, rows)) throw new DvError(412, CODES.duplicateRecord, 'A record with matching key values already exists.');
        if (e.logicalName === 'systemuser' || e.logicalName === 'role') this.securityEpoch++;
        return rows.map((r) => r.id);
      });
      return json(200, { '@odata.context': ctx, Ids: ids });
    }
    if (op === 'UpdateMultiple') {
      requirePrivilege(caller, 'Write', e);
      this.store.transaction(() => {
        for (const t of targets as Record<string, unknown>[]) {
          const id = t[e.primaryIdAttribute];
          if (typeof id !== 'string' || !GUID.test(id)) throw badRequest(`Every UpdateMultiple target needs its primary key '${e.primaryIdAttribute}'.`, CODES.payloadError);
          const key = id.toLowerCase();
          if (this.patchable(e, t)) {
            let found: boolean;
            try {
              found = this.patchRow(e, key, this.changesOf(e, t), caller);
            } catch (err) {
              // A missing row is reported as 404 before anything is said about its body (as the read-first path does).
              if (err instanceof DvError && !this.store.exists(e.logicalName, key)) throw notFound(e.logicalName, id);
              throw err;
            }
            if (!found) throw notFound(e.logicalName, id);
            continue;
          }
          const row = this.store.get(e.logicalName, key);
          if (!row) throw notFound(e.logicalName, id);
          this.updateRow(e, row, t, caller);
        }
      });
      return { status: 204, headers: { 'OData-Version': '4.0' } };
    }
    requirePrivilege(caller, 'Write', e);
    requirePrivilege(caller, 'Create', e);
    // Results are serialised per row: the type prefix and key name are the same for every row of the request.
    const head = `{"RecordCreated":`;
    const mid = `,"Target":{"@odata.type":${JSON.stringify(`#Microsoft.Dynamics.CRM.${e.logicalName}`)},${JSON.stringify(e.primaryIdAttribute)}:"`;
    const upsertResult = (created: boolean, id: string) => `${head}${created}${mid}${id}"}}`;
    const duplicate = () => new DvError(412, CODES.duplicateRecord, 'A record with matching key values already exists.');
    const results = this.store.transaction(() => {
      // New rows wait here and go to SQLite in multi-row INSERTs. Whatever could look for them first (the same id
      // again, an alternate-key lookup, the read-modify-write path) flushes them.
      const pending = new Map<string, StoredRow>();
      // Targets addressed by their primary id: which exist is asked once for the whole request, so a new row (every
      // row of an initial sync) skips the UPDATE that would otherwise serve as its existence check. Rows created
      // below join the set (a repeated id in the same request then updates).
      const byPrimary = (targets as Record<string, unknown>[]).flatMap((t) => {
        const id = t[e.primaryIdAttribute];
        return typeof t['@odata.id'] !== 'string' && typeof id === 'string' && GUID.test(id) ? [id.toLowerCase()] : [];
      });
      const known = this.store.existingIds(e.logicalName, byPrimary);
      const flush = () => {
        if (pending.size === 0) return;
        if (!this.store.insertMany(e.logicalName, [...pending.values()])) throw duplicate();
        pending.clear();
      };
      const out = (targets as Record<string, unknown>[]).map((t) => {
        let r: ReturnType<DataverseCore['resolveKey']>;
        const odataId = t['@odata.id'];
        if (typeof odataId === 'string') {
          const m = /\(([^)]*)\)$/.exec(odataId);
          if (!m) throw badRequest(`Invalid @odata.id '${odataId}'.`, CODES.payloadError);
          flush();
          r = this.resolveKey(e, m[1]);
        } else {
          const id = t[e.primaryIdAttribute];
          r = { id: typeof id === 'string' ? id.toLowerCase() : undefined };
        }
        // applyBody skips '@odata.*' keys, so the target (with its @odata.id) is passed on as is.
        // The UPDATE doubles as the existence check; a new row is created from the same validated changes.
        if (r.id && GUID.test(r.id) && this.patchable(e, t)) {
          if (pending.has(r.id)) flush();
          const changes = this.changesOf(e, t);
          const mayExist = typeof odataId === 'string' || known.has(r.id);
          if (mayExist && this.patchRow(e, r.id, changes, caller)) return upsertResult(false, r.id);
          // Currencies check their ISO code against stored rows, so they cannot wait.
          if (r.keyAttr || e.logicalName === 'transactioncurrency') {
            const id = this.createRow(e, t, caller, undefined, r.keyAttr ? undefined : r.id, r.keyAttr, r.keyValue, changes).id;
            known.add(id);
            return upsertResult(true, id);
          }
          const row = this.newRow(e, t, caller, undefined, r.id, undefined, undefined, changes);
          pending.set(row.id, row);
          known.add(row.id);
          return upsertResult(true, row.id);
        }
        flush();
        const existing = r.id ? this.store.get(e.logicalName, r.id) : undefined;
        const row = existing ? this.updateRow(e, existing, t, caller) : this.createRow(e, t, caller, undefined, r.keyAttr ? undefined : r.id, r.keyAttr, r.keyValue);
        known.add(row.id);
        return upsertResult(!existing, row.id);
      });
      flush();
      return out;
    });
    return { status: 200, headers: { ...JSON_HEADERS }, body: `{"@odata.context":${JSON.stringify(ctx)},"Results":[${results.join(',')}]}` };
  }

  // ------------------------------------------------------------------------------------------------ batch

  private batch(req: DvRequest, caller: Caller): DvResponse {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) throw badRequest('A $batch request needs Content-Type: multipart/mixed; boundary=<boundary>.');
    const items = parseBatch(req.body, boundary);
    const total = items.reduce((n, it) => n + (it.kind === 'request' ? 1 : it.requests.length), 0);
    if (total > 1000) throw new DvError(400, CODES.batchTooLarge, `The number of requests in the batch (${total}) exceeds the maximum of 1000.`);
    const continueOnError = /odata\.continue-on-error/i.test(req.headers['prefer'] ?? '');
    const bctx: BatchCtx = { contentIds: new Map() };
    const out: BatchOutItem[] = [];
    let ran = 0;
    const inherit = (h: Record<string, string>): Record<string, string> => ({ ...h, authorization: req.headers['authorization'] ?? '' });
    for (const it of items) {
      if (it.kind === 'request') {
        const res = this.handle({ method: it.req.method, url: it.req.url, headers: inherit(it.req.headers), body: it.req.body }, caller, bctx);
        ran++;
        if (res.status >= 400) {
          res.headers.REQ_ID = randomUUID();
          if (!continueOnError) return { ...batchResponse(400, [{ kind: 'response', res }]), innerCount: ran };
        }
        out.push({ kind: 'response', res });
        continue;
      }
      const responses: { res: InnerResponse; contentId?: string }[] = [];
      let failed: DvResponse | undefined;
      const savedIds = new Map(bctx.contentIds);
      try {
        this.store.transaction(() => {
          for (const r of it.requests) {
            const res = this.handle({ method: r.method, url: r.url, headers: inherit(r.headers), body: r.body }, caller, bctx);
            ran++;
            if (res.status >= 400) { res.headers.REQ_ID = randomUUID(); failed = res; throw new RollbackSignal(); }
            if (r.contentId !== undefined && res.entityPath) bctx.contentIds.set(r.contentId, res.entityPath);
            responses.push({ res, contentId: r.contentId });
          }
        });
      } catch (err) {
        if (!(err instanceof RollbackSignal)) throw err;
      }
      if (failed) {
        bctx.contentIds = savedIds;
        if (!continueOnError) return { ...batchResponse(400, [{ kind: 'response', res: failed }]), innerCount: ran };
        out.push({ kind: 'response', res: failed });
        continue;
      }
      out.push({ kind: 'changeset', responses });
    }
    return { ...batchResponse(200, out), innerCount: ran };
  }

  // ------------------------------------------------------------------------------------------------ metadata

  private entityDefinitions(segs: Segment[], query: Query): DvResponse {
    const defs = (e: EntityMeta) => ({
      MetadataId: metaId(`entity:${e.logicalName}`), LogicalName: e.logicalName, SchemaName: e.logicalName, EntitySetName: e.entitySetName,
      PrimaryIdAttribute: e.primaryIdAttribute, PrimaryNameAttribute: e.primaryNameAttribute, ObjectTypeCode: e.objectTypeCode,
      OwnershipType: e.ownership, ChangeTrackingEnabled: e.changeTracking, IsCustomEntity: e.logicalName.includes('_'),
      DisplayName: label(e.logicalName),
    });
    const selectProps = (o: Record<string, unknown>, sel: string | undefined) => {
      if (!sel) return o;
      const keep = new Set(sel.split(',').map((s) => s.trim()));
      return Object.fromEntries(Object.entries(o).filter(([k]) => keep.has(k) || k === 'MetadataId'));
    };
    const base = `${this.opts.apiBase}/$metadata#EntityDefinitions`;
    if (segs[0].key === undefined) {
      if (segs.length > 1) throw segmentNotFound(segs[1].name);
      const f = query.params.get('$filter');
      const expr = f ? parseFilter(f) : undefined;
      const value = [...ENTITIES.values()].filter((e) => this.visible(e)).map(defs)
        .filter((d) => !expr || evaluateFilter(expr, d)).map((d) => selectProps(d, query.params.get('$select')));
      return json(200, { '@odata.context': base, value });
    }
    const m = /^LogicalName='([^']*)'$/.exec(segs[0].key) ?? /^([0-9a-f-]{36})$/.exec(segs[0].key);
    const e = m ? ([...ENTITIES.values()].find((x) => x.logicalName === m[1] || metaId(`entity:${x.logicalName}`) === m[1])) : undefined;
    if (!e || !this.visible(e)) {
      throw new DvError(404, CODES.objectDoesNotExist, `Could not find entity with logical name ${segs[0].key}. If this entity was recently created, retry with Consistency: Strong.`);
    }
    const attrSelect = (o: Record<string, unknown>, sel: string | null) => selectProps(o, sel ?? undefined);
    if (segs.length === 1) {
      const out: Record<string, unknown> = { '@odata.context': `${base}/$entity`, ...selectProps(defs(e), query.params.get('$select')) };
      const expand = query.params.get('$expand');
      if (expand) {
        const em = /^Attributes(?:\(\$select=([^)]*)\))?$/.exec(expand.trim());
        if (!em) throw badRequest(`Only $expand=Attributes($select=...) is supported on EntityDefinitions; got '${expand}'.`, CODES.queryNotSupported);
        out.Attributes = [...e.attributes.values()].map((a) => attrSelect(attributeMetadata(e, a), em[1] ?? null));
      }
      return json(200, out);
    }
    if (segs[1].name !== 'Attributes') throw segmentNotFound(segs[1].name);
    const cast = segs[2]?.name;
    let attrs = [...e.attributes.values()];
    if (segs[1].key) {
      const km = /^LogicalName='([^']*)'$/.exec(segs[1].key);
      const a = km ? e.attributes.get(km[1]) : undefined;
      if (!a) throw new DvError(404, CODES.objectDoesNotExist, `Could not find attribute ${segs[1].key} on entity ${e.logicalName}.`);
      attrs = [a];
    }
    const castType: Record<string, AttributeMeta['type'][]> = {
      'Microsoft.Dynamics.CRM.PicklistAttributeMetadata': ['Picklist'], 'Microsoft.Dynamics.CRM.StateAttributeMetadata': ['State'],
      'Microsoft.Dynamics.CRM.StatusAttributeMetadata': ['Status'], 'Microsoft.Dynamics.CRM.LookupAttributeMetadata': ['Lookup', 'Customer', 'Owner'],
      'Microsoft.Dynamics.CRM.StringAttributeMetadata': ['String'],
    };
    if (cast) {
      const types = castType[cast];
      if (!types) throw segmentNotFound(cast);
      attrs = attrs.filter((a) => types.includes(a.type));
    }
    const withOptions = /OptionSet/.test(query.params.get('$expand') ?? '');
    const value = attrs.map((a) => {
      const md = attrSelect(attributeMetadata(e, a), query.params.get('$select') ?? null);
      if (withOptions && a.options) {
        md.OptionSet = {
          MetadataId: metaId(`optionset:${e.logicalName}.${a.logicalName}`), Name: `${e.logicalName}_${a.logicalName}`,
          Options: this.optionsOf(e.logicalName, a).map((o) => ({ Value: o.value, ...(o.state !== undefined ? { State: o.state } : {}), Label: label(o.label) })),
        };
      }
      return md;
    });
    if (segs[1].key && !cast) return json(200, { '@odata.context': `${base}('${e.logicalName}')/Attributes/$entity`, ...value[0] });
    return json(200, { '@odata.context': `${base}('${e.logicalName}')/Attributes${cast ? `/${cast}` : ''}`, value });
  }

  // ------------------------------------------------------------------------------------------------ option values

  /**
   * Option values added or relabelled through InsertOptionValue / UpdateOptionValue, per `entity.attribute`. Kept in
   * dv_meta (the metadata tables are shared by every sandbox in the process), so they survive a restart like rows do.
   */
  private optionEdits = new Map<string, { value: number; label: string }[]>();
  addedOptions(entity: string, attribute: string): { value: number; label: string }[] {
    const key = `options:${entity}.${attribute}`;
    let l = this.optionEdits.get(key);
    if (!l) {
      const raw = this.store.getMeta(key);
      l = raw ? (JSON.parse(raw) as { value: number; label: string }[]) : [];
      this.optionEdits.set(key, l);
    }
    return l;
  }
  private optionsOf(entity: string, a: AttributeMeta): { value: number; label: string; state?: number }[] {
    const edits = this.addedOptions(entity, a.logicalName);
    if (edits.length === 0) return a.options ?? [];
    const byValue = new Map<number, { value: number; label: string; state?: number }>((a.options ?? []).map((o) => [o.value, { ...o }]));
    for (const o of edits) byValue.set(o.value, { ...byValue.get(o.value), value: o.value, label: o.label });
    return [...byValue.values()];
  }

  /** InsertOptionValue / UpdateOptionValue on a local option set (E.13: option mappings add BC codes as options). */
  private optionValueAction(action: 'InsertOptionValue' | 'UpdateOptionValue', req: DvRequest, caller: Caller): DvResponse {
    let b: { EntityLogicalName?: unknown; AttributeLogicalName?: unknown; Value?: unknown; Label?: { LocalizedLabels?: { Label?: unknown }[] } };
    try {
      b = JSON.parse(req.body || '{}') as typeof b;
    } catch {
      throw badRequest(`${action} expects a JSON body.`, CODES.payloadError);
    }
    const e = ENTITIES.get(String(b.EntityLogicalName ?? ''));
    if (!e) throw new DvError(404, CODES.objectDoesNotExist, `Could not find entity ${String(b.EntityLogicalName)}.`);
    requirePrivilege(caller, 'Write', e);
    const a = e.attributes.get(String(b.AttributeLogicalName ?? ''));
    if (!a || a.type !== 'Picklist') throw badRequest(`${String(b.AttributeLogicalName)} is not a local option set attribute of ${e.logicalName}.`, CODES.payloadError);
    const text = b.Label?.LocalizedLabels?.[0]?.Label;
    if (typeof text !== 'string' || text.trim() === '') throw badRequest(`${action} needs Label.LocalizedLabels[0].Label.`, CODES.payloadError);
    const key = `options:${e.logicalName}.${a.logicalName}`;
    const edits = this.addedOptions(e.logicalName, a.logicalName);
    const current = this.optionsOf(e.logicalName, a);
    let value: number;
    if (action === 'InsertOptionValue') {
      if (current.some((o) => o.label.toLowerCase() === text.toLowerCase()))
        throw new DvError(400, CODES.validation, `An option with the label '${text}' already exists in ${e.logicalName}.${a.logicalName}.`);
      // Custom values start at the publisher's option value prefix (10000 for the default publisher) × 10,000.
      value = Math.max(100000000 - 1, ...current.map((o) => o.value)) + 1;
    } else {
      value = Number(b.Value);
      if (!current.some((o) => o.value === value)) throw new DvError(404, CODES.objectDoesNotExist, `${e.logicalName}.${a.logicalName} has no option value ${String(b.Value)}.`);
    }
    const i = edits.findIndex((o) => o.value === value);
    if (i >= 0) edits[i] = { value, label: text };
    else edits.push({ value, label: text });
    this.store.setMeta(key, JSON.stringify(edits));
    return action === 'InsertOptionValue'
      ? json(200, { '@odata.context': `${this.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.InsertOptionValueResponse`, NewOptionValue: value })
      : { status: 204, headers: { 'OData-Version': '4.0' }, body: '' };
  }

  // ------------------------------------------------------------------------------------------------ solution

  private importSolutionAction(req: DvRequest, caller: Caller): DvResponse {
    requirePrivilege(caller, 'Create', ENTITIES.get('solution') as EntityMeta);
    let text: string;
    try {
      const b = JSON.parse(req.body || '{}') as { CustomizationFile?: string };
      text = Buffer.from(b.CustomizationFile ?? '', 'base64').toString('latin1');
    } catch {
      throw badRequest('ImportSolution expects a JSON body with "CustomizationFile" (base64 of the solution package).', CODES.payloadError);
    }
    // The sandbox cannot unpack real solution zips; it recognises the BC solution by its unique name or file name
    // anywhere in the package bytes (both appear uncompressed in solution.xml / the zip directory).
    if (!/MicrosoftDynamicsNavIntegration|DynamicsNAVIntegrationSolution/.test(text)) {
      throw badRequest('The sandbox can only import the Business Central integration solution (MicrosoftDynamicsNavIntegration / DynamicsNAVIntegrationSolution_v91).', '0x80048054');
    }
    const vm = /<Version>([\d.]+)<\/Version>/.exec(text);
    this.importNavSolution(caller, vm?.[1] ?? '24.0.0.0');
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }

  /** Make the BC integration solution exist: solution row, nav_* tables, the two BC roles and a nav_connection. */
  importNavSolution(caller: Caller, version: string): void {
    this.store.transaction(() => {
      const sol = ENTITIES.get('solution') as EntityMeta;
      const solId = metaId(`solution:${NAV_SOLUTION}`);
      const existing = this.store.get('solution', solId);
      if (existing) this.updateRow(sol, existing, { version, installedon: this.now() }, caller);
      else this.createRow(sol, { solutionid: solId, uniquename: NAV_SOLUTION, friendlyname: 'Dynamics 365 Business Central Integration', version, ismanaged: true, installedon: this.now() }, caller);
      this.store.setMeta(`solution:${NAV_SOLUTION}`, version);
      const role = ENTITIES.get('role') as EntityMeta;
      const bu = this.rootBusinessUnit();
      for (const r of ROLE_DEFS.filter((x) => x.solution === 'nav')) {
        if (!this.store.exists('role', r.roleid)) this.createRow(role, { roleid: r.roleid, name: r.name, 'businessunitid@odata.bind': `businessunits(${bu})` }, caller);
      }
      const nc = ENTITIES.get('nav_connection') as EntityMeta;
      const ncRows = this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'nav_connection' LIMIT 1`, []);
      if (ncRows.length === 0) this.createRow(nc, { nav_name: 'Dynamics 365 Business Central', nav_dynamicsnavurl: '' }, caller);
      this.securityEpoch++;
    });
  }

  rootBusinessUnit(): string {
    return this.store.getMeta('rootbusinessunit') ?? '';
  }
}

// -------------------------------------------------------------------------------------------------- helpers

class RollbackSignal extends Error {}

/**
 * Target table of a stored lookup value. Rows keep a `<attr>@t` marker only for lookups that can point at more than
 * one table (owner, customer, regarding); single-target lookups need none, which keeps every stored row smaller.
 * Rows written by earlier versions may still carry markers for single-target lookups; they agree with the metadata.
 */
function lookupType(a: AttributeMeta, d: RowData): string | undefined {
  const t = d[`${a.logicalName}@t`];
  if (typeof t === 'string') return t;
  return a.targets?.length === 1 && d[a.logicalName] != null ? a.targets[0] : undefined;
}

function clearType(data: RowData, attr: string, asPatch: boolean): void {
  if (asPatch) data[`${attr}@t`] = null;
  else delete data[`${attr}@t`];
}

interface Prefer {
  returnRepresentation: boolean; annotations: boolean; maxPageSize?: number; trackChanges: boolean;
  applied(tracking?: boolean): Record<string, string>;
}

export function parsePrefer(h: string | undefined): Prefer {
  const p = (h ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  let maxPageSize: number | undefined;
  let annotationsRaw: string | undefined;
  for (const x of p) {
    const m = /^odata\.maxpagesize=(\d+)$/i.exec(x);
    if (m) maxPageSize = Math.min(MAX_PAGE, Math.max(1, Number(m[1])));
    if (/^odata\.include-annotations=/i.test(x)) annotationsRaw = x.slice(x.indexOf('=') + 1);
  }
  const returnRepresentation = p.some((x) => /^return=representation$/i.test(x));
  const trackChanges = p.some((x) => /^odata\.track-changes$/i.test(x));
  return {
    returnRepresentation, trackChanges, maxPageSize, annotations: annotationsRaw !== undefined,
    applied(tracking = false): Record<string, string> {
      const a: string[] = [];
      if (maxPageSize !== undefined) a.push(`odata.maxpagesize=${maxPageSize}`);
      if (annotationsRaw !== undefined) a.push(`odata.include-annotations=${annotationsRaw}`);
      if (tracking) a.push('odata.track-changes');
      const out: Record<string, string> = {};
      if (a.length) out['Preference-Applied'] = a.join(',');
      return out;
    },
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): DvResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(err: DvError): DvResponse {
  return { status: err.status, headers: { ...JSON_HEADERS, ...err.headers }, body: JSON.stringify(err.body()) };
}

function batchResponse(status: number, items: BatchOutItem[]): DvResponse {
  const { boundary, body } = formatBatch(items);
  return { status, headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}`, 'OData-Version': '4.0' }, body };
}

const methodNotAllowed = (method: string, what: string) =>
  new DvError(405, CODES.notSupported, `The HTTP method '${method}' is not supported on '${what}'.`);

function payloadError(e: EntityMeta, inner: string): DvError {
  return new DvError(400, CODES.payloadError,
    `Error identified in Payload provided by the user for Entity :'${e.entitySetName}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : ${inner}`);
}

function badValue(e: EntityMeta, a: AttributeMeta, v: unknown, want: string): DvError {
  return payloadError(e, `Microsoft.OData.ODataException: Cannot convert the literal '${JSON.stringify(v)}' to the expected type '${want}' for property '${a.logicalName}'.`);
}

function etagMatches(header: string, version: number): boolean {
  return header.split(',').map((s) => s.trim()).some((t) => t === '*' || t.replace(/^W\//, '').replace(/"/g, '') === String(version));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`The URL contains an invalid percent-encoding: '${s.slice(0, 80)}'.`, CODES.queryNotSupported);
  }
}

/** Split a resource path on '/' but not inside parentheses or quotes (alternate keys may contain '/'). */
export function splitPath(path: string): Segment[] {
  const segs: Segment[] = [];
  for (const raw of splitTopLevel(path, '/')) {
    if (!raw) continue;
    const m = /^([^()]+)\((.*)\)$/.exec(raw);
    if (m && !/^(WhoAmI|RetrieveVersion)$/.test(m[1])) segs.push({ name: m[1], key: m[2] === '' ? undefined : m[2] });
    else segs.push({ name: m && m[2] === '' ? m[1] : raw });
  }
  return segs;
}

function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inQ = false;
  let cur = '';
  for (const c of s) {
    if (c === "'") inQ = !inQ;
    else if (!inQ && c === '(') depth++;
    else if (!inQ && c === ')') depth--;
    if (c === sep && depth === 0 && !inQ) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

function rejectUnknownOptions(q: Query, allowed: string[]): void {
  for (const k of q.params.keys()) {
    if (k.startsWith('$') && !allowed.includes(k)) {
      throw new DvError(400, CODES.queryNotSupported, `The query parameter ${k} is not supported`);
    }
  }
}

/** `col`: the SQL for the key; the primary id is the row key column itself (indexed), not a JSON path. */
interface OrderKey { attr: AttributeMeta; desc: boolean; col: string }
function parseOrderBy(e: EntityMeta, s: string | undefined): OrderKey[] {
  if (!s) return [];
  return s.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
    const [name, dir] = p.split(/\s+/);
    const a = resolveProperty(e, name);
    if (!a) throw new DvError(400, CODES.queryNotSupported, `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${e.logicalName}'.`);
    if (dir && dir !== 'asc' && dir !== 'desc') throw badRequest(`Invalid $orderby direction '${dir}'; use asc or desc.`, CODES.queryNotSupported);
    return { attr: a, desc: dir === 'desc', col: a.logicalName === e.primaryIdAttribute ? 'id' : column(a) };
  });
}

interface Cookie { v: unknown[]; id: string; n: number; sv?: number }

function encodeCookie(c: Cookie): string {
  const inner = Buffer.from(JSON.stringify(c)).toString('base64url');
  return `<cookie pagenumber="${c.n}" pagingcookie="${inner}" istracking="${c.sv !== undefined ? 'True' : 'False'}" />`;
}

function decodeCookie(s: string): Cookie {
  const m = /pagingcookie="([A-Za-z0-9_-]+)"/.exec(s);
  try {
    if (!m) throw new Error('no cookie');
    const c = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as Cookie;
    if (!Array.isArray(c.v) || typeof c.id !== 'string' || !GUID.test(c.id)) throw new Error('bad cookie');
    return c;
  } catch {
    throw badRequest('The $skiptoken is not valid. Follow @odata.nextLink exactly as returned by the previous page.', CODES.queryNotSupported);
  }
}

/**
 * Keyset condition "row comes after the cookie's last row" for ORDER BY k1..kn, id. Paging by key instead of
 * offset keeps pages stable while other clients insert rows. NULLs sort first ascending (as in SQL Server).
 */
function keysetCondition(order: OrderKey[], c: Cookie): { sql: string; params: unknown[] } {
  if (c.v.length !== order.length) throw badRequest('The $skiptoken does not match the query; follow @odata.nextLink exactly.', CODES.queryNotSupported);
  const ors: string[] = [];
  const params: unknown[] = [];
  // Booleans live in the JSON as true/false but json_extract yields 1/0, which is also what SQLite can bind.
  const v = c.v.map((x) => (typeof x === 'boolean' ? Number(x) : x));
  // All keys ascending, none a string (NOCASE) and no null among the last values (the sync's "modifiedon asc, id"):
  // one row-value comparison, which SQLite turns into an index range start (dv_rows_modifiedon). The OR form below
  // made every later page walk the index from the start of the selection again.
  if (order.length > 0 && order.every((o) => !o.desc && !isStringAttr(o.attr)) && v.every((x) => x !== null && x !== undefined)) {
    return { sql: `((${order.map((o) => o.col).join(', ')}, id) > (${order.map(() => '?').join(', ')}, ?))`, params: [...v, c.id] };
  }
  for (let i = 0; i <= order.length; i++) {
    const ands: string[] = [];
    const ps: unknown[] = [];
    for (let j = 0; j < i; j++) {
      const col = order[j].col;
      ands.push(`${col} IS ?${isStringAttr(order[j].attr) ? ' COLLATE NOCASE' : ''}`);
      ps.push(v[j]);
    }
    if (i === order.length) { ands.push('id > ?'); ps.push(c.id); }
    else {
      const { attr, desc, col } = order[i];
      const coll = isStringAttr(attr) ? ' COLLATE NOCASE' : '';
      const last = v[i];
      if (!desc) { if (last === null) ands.push(`${col} IS NOT NULL`); else { ands.push(`${col} > ?${coll}`); ps.push(last); } }
      else if (last === null) ands.push('0');
      else { ands.push(`(${col} < ?${coll} OR ${col} IS NULL)`); ps.push(last); }
    }
    ors.push(`(${ands.join(' AND ')})`);
    params.push(...ps);
  }
  return { sql: `(${ors.join(' OR ')})`, params };
}

function navFor(a: AttributeMeta, type: string | undefined): string | undefined {
  return a.navs?.find((n) => type && n.targets.includes(type))?.nav;
}

function metaId(s: string): string {
  let h = 0x811c9dc5;
  const parts: string[] = [];
  for (let k = 0; k < 4; k++) {
    for (const ch of `${k}:${s}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    parts.push(h.toString(16).padStart(8, '0'));
  }
  const x = parts.join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

function label(text: string) {
  const l = { Label: text, LanguageCode: 1033, IsManaged: true };
  return { LocalizedLabels: [l], UserLocalizedLabel: l };
}

function attributeMetadata(e: EntityMeta, a: AttributeMeta): Record<string, unknown> {
  const odataType: Record<string, string> = {
    String: 'StringAttributeMetadata', Memo: 'MemoAttributeMetadata', Integer: 'IntegerAttributeMetadata', BigInt: 'BigIntAttributeMetadata',
    Decimal: 'DecimalAttributeMetadata', Money: 'MoneyAttributeMetadata', Boolean: 'BooleanAttributeMetadata', DateTime: 'DateTimeAttributeMetadata',
    Uniqueidentifier: 'AttributeMetadata', Picklist: 'PicklistAttributeMetadata', State: 'StateAttributeMetadata', Status: 'StatusAttributeMetadata',
    Lookup: 'LookupAttributeMetadata', Customer: 'LookupAttributeMetadata', Owner: 'LookupAttributeMetadata',
  };
  const md: Record<string, unknown> = {
    '@odata.type': `#Microsoft.Dynamics.CRM.${odataType[a.type]}`, MetadataId: metaId(`attr:${e.logicalName}.${a.logicalName}`),
    LogicalName: a.logicalName, SchemaName: a.logicalName, AttributeType: a.type, EntityLogicalName: e.logicalName,
    IsPrimaryId: a.logicalName === e.primaryIdAttribute, IsPrimaryName: a.logicalName === e.primaryNameAttribute,
    IsValidForCreate: !a.readOnly, IsValidForUpdate: !a.readOnly && a.logicalName !== e.primaryIdAttribute, IsValidForRead: true,
    IsCustomAttribute: a.logicalName.startsWith('nav_') || a.logicalName.startsWith('bcbi_'),
  };
  if (a.maxLength !== undefined) md.MaxLength = a.maxLength;
  if (a.targets) md.Targets = a.targets;
  return md;
}

