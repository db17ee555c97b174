/**
 * Request dispatcher of the BC sandbox: turns (method, path, query, headers, body) into a response object.
 * Kept free of node:http so `$batch` can run its operations through exactly the same code as real requests.
 */
import { randomUUID } from 'node:crypto';
import type { ApiGroup, Exposure, ExposedField } from './entities';
import { EXPOSURES, TABLES, findExposure } from './entities';
import { legacyOData } from './legacy';
import type { ExpandItem, OrderBy } from './odata';
import { BcError, assertOrOnSameField, fieldsOf, parseExpand, parseFilter, parseOrderBy, parseSelect } from './odata';
import type { BcStore } from './store';
import type { Row, StoredRow } from './storage';
import { etagFor } from './storage';

export type BcVersion = 14 | 15 | 16 | 24;

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  /** Non-JSON payload (the $metadata document). */
  raw?: string;
  /** The JSON body already serialised (collection reads take their rows from SQLite as JSON text); see `responseBody`. */
  json?: string;
}

/** The body of a response as a value, whether it was built as an object or serialised directly. */
export function responseBody(r: ApiResponse): unknown {
  return r.json !== undefined ? JSON.parse(r.json) : r.body;
}

export interface ApiRequest {
  method: string;
  /** Path without query string, still percent-encoded. */
  path: string;
  query: string;
  headers: Record<string, string | undefined>;
  body: unknown;
}

export interface ApiContext {
  store: BcStore;
  version: BcVersion;
  tenant: string;
  tenantDomain: string;
  environment: string;
  instance: string;
  /** Absolute base URL (http://127.0.0.1:port), for nextLink and @odata.context. */
  baseUrl: string;
  maxPageSize: number;
  /**
   * Whether the Integration Console companion extension is "installed": false serves 404 on api/d365ic/integration/v1.0
   * and leaves it out of the automation API's extensions (the "Companion extension not installed" scenario).
   */
  companionExtension?: boolean;
}

export const MAX_BATCH_OPERATIONS = 100;
const JSON_HEADERS = { 'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true', 'OData-Version': '4.0' };
const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** BC appends a correlation id to every error message; support staff ask for it. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message: `${message}  CorrelationId:  ${randomUUID()}.` } };
}

export function errorResponse(e: unknown): ApiResponse {
  if (e instanceof BcError) return { status: e.status, headers: { ...JSON_HEADERS, ...e.headers }, body: errorBody(e.code, e.message) };
  const msg = e instanceof Error ? e.message : String(e);
  return { status: 500, headers: JSON_HEADERS, body: errorBody('Internal_ServerError', `Unexpected sandbox error: ${msg}`) };
}

const notFoundRoute = (path: string) =>
  new BcError(404, 'BadRequest_NotFound', `No HTTP resource was found that matches the request URI '${path}'. Check the API version and route.`);

/** Split a query string without turning '+' into spaces (datetime offsets like +01:00 travel unencoded). */
export function parseQuery(q: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!q) return m;
  for (const part of q.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = decodeURIComponent(i < 0 ? part : part.slice(0, i));
    const v = i < 0 ? '' : decodeURIComponent(part.slice(i + 1));
    m.set(k, v);
  }
  return m;
}

interface Segment {
  name: string;
  key?: string;
}

function parseSegments(rest: string[]): Segment[] {
  return rest.map((raw) => {
    const s = decodeURIComponent(raw);
    const m = /^([A-Za-z0-9_.$]+)(?:\((.*)\))?$/.exec(s);
    if (!m) throw new BcError(400, 'BadRequest_InvalidRequestUrl', `The URL segment '${s}' is not valid.`);
    let key = m[2];
    if (key !== undefined) {
      key = key.replace(/^id=/i, '').replace(/^'(.*)'$/, '$1');
      if (!GUID_RE.test(key)) throw new BcError(400, 'Application_InvalidGUID', `'${key}' is not a valid GUID key. Entities are addressed by their id, e.g. customers(5d115c9c-44e3-ea11-bb43-000d3a2feca1).`);
      key = key.toLowerCase();
    }
    return { name: m[1]!, key };
  });
}

/** Where a path points, after the deployment prefix is removed. */
interface Route {
  kind: 'api' | 'odatav4' | 'none';
  /** Path up to and including the API version segment (for nextLink/@odata.context/batch relative URLs). */
  root: string;
  group?: ApiGroup | 'automation';
  rest: string[];
}

export function route(ctx: ApiContext, path: string): Route & { online: boolean } {
  const segs = path.split('/').filter(Boolean);
  let online = false;
  let i: number;
  if (segs[0] === 'v2.0') {
    online = true;
    // /v2.0/{tenant}/{env}/… or the common endpoint /v2.0/{env}/… (tenant from the token)
    const tenantOk = (s: string | undefined) => !!s && [ctx.tenant.toLowerCase(), ctx.tenantDomain.toLowerCase()].includes(s.toLowerCase());
    if (tenantOk(segs[1])) {
      if (segs[2] !== ctx.environment)
        throw new BcError(404, 'NoEnvironment', `Environment '${segs[2] ?? ''}' does not exist for tenant ${ctx.tenant}. The sandbox environment is '${ctx.environment}'.`);
      i = 3;
    } else if (segs[1] === ctx.environment) i = 2;
    else throw new BcError(404, 'NoEnvironment', `Unknown tenant or environment '${segs[1] ?? ''}'. Use /v2.0/${ctx.tenant}/${ctx.environment}/api/v2.0.`);
  } else if (segs[0] === ctx.instance) i = 1;
  else return { kind: 'none', root: '', rest: [], online };
  const prefix = '/' + segs.slice(0, i).join('/');
  const head = segs[i];
  if (head === 'ODataV4') return { kind: 'odatav4', root: `${prefix}/ODataV4`, rest: segs.slice(i + 1), online };
  if (head !== 'api') return { kind: 'none', root: '', rest: [], online };
  const a = segs.slice(i + 1);
  const v = ctx.version;
  const has = (ok: boolean, n: number, group: Route['group']): Route & { online: boolean } =>
    ok ? { kind: 'api', root: `${prefix}/api/${a.slice(0, n).join('/')}`, group, rest: a.slice(n), online } : { kind: 'none', root: '', rest: [], online };
  if (a[0] === 'v2.0') return has(v >= 17, 1, 'v2.0');
  if (a[0] === 'v1.0') return has(v >= 16, 1, 'v1.0');
  if (a[0] === 'd365ic' && a[1] === 'integration' && a[2] === 'v1.0') return has(v >= 16 && ctx.companionExtension !== false, 3, 'custom');
  if (a[0] === 'microsoft' && a[1] === 'automation' && (a[2] === 'v1.0' || a[2] === 'v2.0')) return has(v >= 16 && (a[2] === 'v1.0' || v >= 17), 3, 'automation');
  return { kind: 'none', root: '', rest: [], online };
}

// ---------- request body mapping ----------

function checkValue(f: ExposedField, v: unknown): unknown {
  const d = f.def;
  const bad = (what: string) =>
    new BcError(400, 'BadRequest', `Cannot convert the literal '${JSON.stringify(v)}' to the expected type '${what}' of property '${f.name}'.`);
  switch (d.type) {
    case 'string':
      if (typeof v !== 'string') throw bad('Edm.String');
      if (d.maxLength && v.length > d.maxLength)
        throw new BcError(400, 'Application_StringExceededLength', `The length of the string is ${v.length}, but it must be less than or equal to ${d.maxLength} characters. Value: ${v}`);
      return v;
    case 'option':
      if (typeof v !== 'string') throw bad('Edm.String');
      if (!d.options!.includes(v))
        throw new BcError(400, 'BadRequest', `'${v}' is not an option. The existing options are: ${d.options!.map((o) => (o === ' ' ? "' '" : o)).join(',')}`);
      return v;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad('Edm.Decimal');
      return v;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw bad('Edm.Int32');
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw bad('Edm.Boolean');
      return v;
    case 'guid':
      if (typeof v !== 'string' || !GUID_RE.test(v)) throw new BcError(400, 'Application_InvalidGUID', `'${String(v)}' is not a valid GUID for property '${f.name}'.`);
      return v.toLowerCase();
    case 'date':
      if (typeof v !== 'string' || !DATE_RE.test(v)) throw bad('Edm.Date');
      return v;
    case 'datetime':
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw bad('Edm.DateTimeOffset');
      return new Date(v).toISOString();
  }
}

interface MappedBody {
  data: Row;
  lines?: Row[];
}

function mapBody(exp: Exposure, body: unknown, mode: 'create' | 'update', current?: StoredRow, topLevelLine = false): MappedBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BcError(400, 'BadRequest', 'The request body must be a JSON object with the properties to set.');
  let src = body as Record<string, unknown>;
  if (exp.shape === 'v1-address' && typeof src.address === 'object' && src.address) {
    const a = src.address as Record<string, unknown>;
    const { address: _drop, ...restBody } = src;
    void _drop;
    src = { ...restBody };
    const map: Record<string, string> = { street: 'addressLine1', city: 'city', state: 'state', countryLetterCode: 'country', postalCode: 'postalCode' };
    for (const [k, v] of Object.entries(a)) if (map[k]) src[map[k]] = v;
  }
  const data: Row = {};
  let lines: Row[] | undefined;
  for (const [k, v] of Object.entries(src)) {
    if (k.startsWith('@odata.')) continue;
    if (exp.lines && k === exp.lines.nav) {
      if (mode !== 'create') throw new BcError(400, 'BadRequest', `Deep update is not supported: PATCH the ${k} rows individually.`);
      if (!Array.isArray(v)) throw new BcError(400, 'BadRequest', `${k} must be an array of line objects for a deep insert.`);
      const lexp = findExposure(exp.group, exp.lines.set)!;
      lines = v.map((l) => mapBody(lexp, l, 'create').data);
      continue;
    }
    const f = exp.fields.get(k);
    if (!f)
      throw new BcError(400, 'BadRequest', `The property '${k}' does not exist on type 'Microsoft.NAV.${exp.entityType}'. Make sure to only use property names that are defined by the type.`);
    if (k === 'id') {
      if (mode === 'create') {
        data.id = checkValue(f, v);
        continue;
      }
      if (current && String(v).toLowerCase() === current.id) continue;
    }
    if (f.from === 'documentId' && (topLevelLine || mode === 'update')) {
      const val = checkValue(f, v);
      if (mode === 'update' && current && val !== current.parent)
        throw new BcError(400, 'BadRequest_InvalidOperation', 'documentId cannot be changed: a line cannot move to another document. Delete it and create a new line.');
      data.documentId = val;
      continue;
    }
    if (f.def.readOnly) throw new BcError(400, 'BadRequest_InvalidOperation', `Control '${k}' is read-only. Remove it from the request body.`);
    data[f.from] = v === null ? null : checkValue(f, v);
    if (data[f.from] === null) delete data[f.from];
  }
  return { data, lines };
}

// ---------- output ----------

export function project(exp: Exposure, row: StoredRow, select?: string[]): Row {
  const out: Row = { '@odata.etag': etagFor(row.ver) };
  const names = select ?? [...exp.fields.keys()];
  for (const n of names) {
    const f = exp.fields.get(n);
    if (!f) continue;
    out[n] = f.from === 'lastModifiedDateTime' ? new Date(row.modified).toISOString() : row.data[f.from];
  }
  if (exp.shape === 'v1-address') {
    const a = { street: out.addressLine1, city: out.city, state: out.state, countryLetterCode: out.country, postalCode: out.postalCode };
    for (const k of ['addressLine1', 'addressLine2', 'city', 'state', 'country', 'postalCode']) delete out[k];
    if (!select || select.includes('addressLine1')) out.address = a;
  }
  return out;
}

function validateSelect(exp: Exposure, sel: string[]): void {
  for (const s of sel)
    if (!exp.fields.has(s) && s !== exp.lines?.nav)
      throw new BcError(400, 'BadRequest_NotFound', `Could not find a property named '${s}' on type 'Microsoft.NAV.${exp.entityType}'.`);
}

// ---------- dispatcher ----------

interface Scope {
  ctx: ApiContext;
  req: ApiRequest;
  root: string;
  group: ApiGroup;
  company?: StoredRow;
}

function resolveCompany(ctx: ApiContext, key: string): StoredRow {
  const c = ctx.store.companies().find((r) => r.id === key.toLowerCase() || r.data.name === key);
  if (!c) throw new BcError(404, 'Internal_CompanyNotFound', `Company '${key}' does not exist. List companies with GET …/companies and use one of the ids.`);
  return c;
}

export function dispatch(ctx: ApiContext, req: ApiRequest): ApiResponse {
  try {
    return dispatchInner(ctx, req);
  } catch (e) {
    return errorResponse(e);
  }
}

function dispatchInner(ctx: ApiContext, req: ApiRequest): ApiResponse {
  const r = route(ctx, req.path);
  if (r.kind === 'odatav4') return legacyOData(ctx, req, r.root, r.rest);
  if (r.kind !== 'api') throw notFoundRoute(req.path);
  const segs = parseSegments(r.rest);
  const q = parseQuery(req.query);
  if (r.group === 'automation') return automation(ctx, req, r.root, segs);
  const group = r.group!;
  const scope: Scope = { ctx, req, root: r.root, group };
  if (segs.length === 0) return { status: 200, headers: JSON_HEADERS, body: serviceDocument(ctx, r.root, group) };
  if (segs[0]!.name === '$metadata')
    return { status: 200, headers: { 'Content-Type': 'application/xml', 'OData-Version': '4.0' }, body: undefined, raw: metadataXml(group) };
  let rest = segs;
  if (segs[0]!.name === 'companies') {
    if (segs[0]!.key === undefined || segs.length === 1) return entitySet(scope, findExposure(group, 'companies')!, segs.slice(0, 1), q);
    scope.company = resolveCompany(ctx, segs[0]!.key);
    rest = segs.slice(1);
  } else {
    const cq = q.get('company') ?? req.headers.company;
    if (cq === undefined) throw new BcError(400, 'BadRequest_NotFound', `No company specified. Address it as companies({id})/${segs[0]!.name} or add ?company={id}.`);
    scope.company = resolveCompany(ctx, cq.replace(/^'(.*)'$/, '$1'));
  }
  const exp = findExposure(group, rest[0]!.name);
  if (!exp || exp.set === 'companies') throw new BcError(404, 'BadRequest_NotFound', `The resource '${rest[0]!.name}' does not exist in API ${group === 'custom' ? 'd365ic/integration/v1.0' : group}. Check the entity set name (case-sensitive).`);
  return entitySet(scope, exp, rest, q);
}

function serviceDocument(ctx: ApiContext, root: string, group: ApiGroup): unknown {
  return {
    '@odata.context': `${ctx.baseUrl}${root}/$metadata`,
    value: EXPOSURES.filter((e) => e.group === group).map((e) => ({ name: e.set, kind: 'EntitySet', url: e.set })),
  };
}

const single = (status: number, exp: Exposure, context: string, row: StoredRow, extra?: Row): ApiResponse => ({
  status,
  headers: { ...JSON_HEADERS, ETag: etagFor(row.ver) },
  body: { '@odata.context': context, ...project(exp, row), ...extra },
});

function entitySet(scope: Scope, exp: Exposure, segs: Segment[], q: Map<string, string>): ApiResponse {
  const { ctx, req } = scope;
  const store = ctx.store;
  const method = req.method.toUpperCase();
  const companyId = scope.company?.id ?? '';
  const ctxBase = `${ctx.baseUrl}${scope.root}/$metadata#${scope.company ? `companies(${companyId})/` : ''}`;
  const [first, second, third] = segs as [Segment, Segment | undefined, Segment | undefined];
  const fetchRow = (e: Exposure, id: string): StoredRow => {
    const row = store.get(e.table, id);
    const visible = row && (!TABLES[e.table]!.companyScoped || row.company === companyId) && (!e.where || e.where.in.includes(row.data[e.where.field] as string | boolean));
    if (!visible) throw new BcError(404, 'BadRequest_NotFound', `The ${e.entityType} with id ${id} does not exist. It may have been deleted; re-read the collection.`);
    return row;
  };

  // Collection: GET list / POST create
  if (first.key === undefined && !second) {
    if (method === 'GET') {
      if (TABLES[exp.table]!.parentTable && !exp.where) requireDocumentFilter(q);
      return list(scope, exp, q, `${ctxBase}${exp.set}`);
    }
    if (method === 'POST') {
      if (!exp.insertable) throw new BcError(405, 'BadRequest_MethodNotAllowed', `'POST' requests for '${exp.set}' are not allowed: this API page is read-only.`);
      const isLine = !!TABLES[exp.table]!.parentTable;
      const mb = mapBody(exp, req.body, 'create', undefined, isLine);
      const row = store.transaction(() => store.create(exp, companyId, mb.data, isLine ? (mb.data.documentId as string | undefined) : undefined, mb.lines));
      const created = single(201, exp, `${ctxBase}${exp.set}/$entity`, row, expandLines(scope, exp, row, mb.lines ? [{ nav: exp.lines!.nav }] : []));
      created.headers.Location = `${ctx.baseUrl}${scope.root}/${scope.company ? `companies(${companyId})/` : ''}${exp.set}(${row.id})`;
      return created;
    }
    throw methodNotAllowed(method, exp.set);
  }
  if (first.key === undefined) throw notFoundRoute(req.path);
  const row = fetchRow(exp, first.key);

  // Bound actions
  if (second && second.name.startsWith('Microsoft.NAV.')) {
    if (method !== 'POST') throw methodNotAllowed(method, second.name);
    const action = second.name.slice('Microsoft.NAV.'.length);
    if (exp.group !== 'custom' && exp.table === 'salesInvoices' && action === 'post') {
      store.transaction(() => store.postInvoice(row));
      return { status: 204, headers: { 'OData-Version': '4.0' } };
    }
    if (exp.group !== 'custom' && exp.table === 'salesOrders' && action === 'shipAndInvoice') {
      store.transaction(() => store.shipAndInvoice(row));
      return { status: 204, headers: { 'OData-Version': '4.0' } };
    }
    throw new BcError(400, 'BadRequest_MethodNotImplemented', `The bound action '${second.name}' is not available on ${exp.set} in the sandbox.`);
  }

  // Nested lines: salesOrders(id)/salesOrderLines[(lineId)]
  if (second) {
    if (!exp.lines || second.name !== exp.lines.nav || third) throw notFoundRoute(req.path);
    const lexp = findExposure(exp.group, exp.lines.set)!;
    if (second.key === undefined) {
      if (method === 'GET') return list(scope, lexp, q, `${ctxBase}${exp.set}(${row.id})/${second.name}`, row.id);
      if (method === 'POST') {
        if (!lexp.insertable) throw methodNotAllowed(method, lexp.set);
        const mb = mapBody(lexp, req.body, 'create');
        const line = store.transaction(() => store.create(lexp, companyId, mb.data, row.id));
        const created = single(201, lexp, `${ctxBase}${exp.set}(${row.id})/${second.name}/$entity`, line);
        created.headers.Location = `${ctx.baseUrl}${scope.root}/companies(${companyId})/${exp.set}(${row.id})/${second.name}(${line.id})`;
        return created;
      }
      throw methodNotAllowed(method, second.name);
    }
    const line = fetchRow(lexp, second.key);
    if (line.parent !== row.id) throw new BcError(404, 'BadRequest_NotFound', `Line ${second.key} does not belong to ${exp.entityType} ${row.id}.`);
    return entity(scope, lexp, line, `${ctxBase}${exp.set}(${row.id})/${second.name}/$entity`, q);
  }
  return entity(scope, exp, row, `${ctxBase}${exp.set}/$entity`, q);
}

function requireDocumentFilter(q: Map<string, string>): void {
  const f = q.get('$filter');
  if (!f || !fieldsOf(parseFilter(f)).has('documentId'))
    throw new BcError(400, 'BadRequest', 'You must specify a document id to get the lines: add $filter=documentId eq {id} or use the nested route {document}({id})/{lines}.');
}

const methodNotAllowed = (method: string, what: string) =>
  new BcError(405, 'BadRequest_MethodNotAllowed', `'${method}' requests for '${what}' of EdmType 'Entity' are not allowed within Microsoft Dynamics 365 Business Central OData web services.`);

function entity(scope: Scope, exp: Exposure, row: StoredRow, context: string, q: Map<string, string>): ApiResponse {
  const { ctx, req } = scope;
  const method = req.method.toUpperCase();
  const ifMatch = req.headers['if-match'];
  if (method === 'GET') {
    const sel = q.has('$select') ? parseSelect(q.get('$select')!) : undefined;
    if (sel) validateSelect(exp, sel);
    const exps = q.has('$expand') ? parseExpand(q.get('$expand')!) : [];
    return { status: 200, headers: { ...JSON_HEADERS, ETag: etagFor(row.ver) }, body: { '@odata.context': context, ...project(exp, row, sel), ...expandLines(scope, exp, row, exps) } };
  }
  if (method === 'PATCH') {
    if (!exp.modifiable) throw methodNotAllowed(method, exp.set);
    const mb = mapBody(exp, req.body, 'update', row);
    const out = ctx.store.transaction(() => ctx.store.update(exp, row, mb.data, ifMatch));
    return single(200, exp, context, out);
  }
  if (method === 'DELETE') {
    if (!exp.deletable) throw methodNotAllowed(method, exp.set);
    ctx.store.transaction(() => ctx.store.remove(exp, row, ifMatch));
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }
  throw methodNotAllowed(method, exp.set);
}

function expandLines(scope: Scope, exp: Exposure, row: StoredRow, items: ExpandItem[]): Row {
  const out: Row = {};
  for (const it of items) {
    if (!exp.lines || it.nav !== exp.lines.nav)
      throw new BcError(400, 'BadRequest_NotFound', `Could not find a navigation property named '${it.nav}' on type 'Microsoft.NAV.${exp.entityType}'.`);
    const lexp = findExposure(exp.group, exp.lines.set)!;
    if (it.select) validateSelect(lexp, it.select);
    out[it.nav] = scope.ctx.store.children(lexp.table, row.id).map((l) => project(lexp, l, it.select));
  }
  return out;
}

interface PageToken {
  a: unknown[];
  r?: number;
}

function list(scope: Scope, exp: Exposure, q: Map<string, string>, context: string, parent?: string): ApiResponse {
  const { ctx, req } = scope;
  for (const k of q.keys())
    if (k.startsWith('$') && !['$filter', '$select', '$orderby', '$top', '$skip', '$count', '$expand', '$skiptoken', '$schemaversion'].includes(k))
      throw new BcError(400, 'BadRequest', `The query parameter '${k}' is not supported.`);
  const filter = q.has('$filter') ? parseFilter(q.get('$filter')!) : undefined;
  if (filter) assertOrOnSameField(filter);
  const orderBy: OrderBy[] | undefined = q.has('$orderby') ? parseOrderBy(q.get('$orderby')!) : undefined;
  const sel = q.has('$select') ? parseSelect(q.get('$select')!) : undefined;
  if (sel) validateSelect(exp, sel);
  const exps = q.has('$expand') ? parseExpand(q.get('$expand')!) : [];
  const int = (name: string) => {
    const v = q.get(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new BcError(400, 'BadRequest', `${name} must be a non-negative integer (got '${v}').`);
    return Number(v);
  };
  const top = int('$top');
  const skip = int('$skip');
  const count = q.get('$count') === 'true';
  let pageSize = ctx.maxPageSize;
  let preferenceApplied: string | undefined;
  const prefer = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(req.headers.prefer ?? '');
  if (prefer) {
    pageSize = Math.max(1, Math.min(Number(prefer[1]), ctx.maxPageSize));
    preferenceApplied = `odata.maxpagesize=${pageSize}`;
  }
  let token: PageToken | undefined;
  if (q.has('$skiptoken')) {
    try {
      token = JSON.parse(Buffer.from(q.get('$skiptoken')!, 'base64url').toString('utf8')) as PageToken;
      if (!Array.isArray(token.a)) throw new Error('shape');
    } catch {
      throw new BcError(400, 'BadRequest', 'The $skiptoken is not valid. Follow @odata.nextLink exactly as returned.');
    }
  }
  const remaining = token ? token.r : top;
  const limit = remaining !== undefined ? Math.min(remaining, pageSize) : pageSize;
  const query = { filter, orderBy, skip: token ? 0 : skip, after: token?.a, limit, count, parent };
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (preferenceApplied) headers['Preference-Applied'] = preferenceApplied;
  const nextLink = (rows: number, next: unknown[] | undefined): string | undefined => {
    const left = remaining !== undefined ? remaining - rows : undefined;
    if (!next || (left !== undefined && left <= 0)) return undefined;
    const t: PageToken = { a: next, ...(left !== undefined ? { r: left } : {}) };
    const keep = [...q.entries()].filter(([k]) => k !== '$skiptoken' && k !== '$skip');
    keep.push(['$skiptoken', Buffer.from(JSON.stringify(t)).toString('base64url')]);
    return `${ctx.baseUrl}${req.path}?${keep.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
  };
  if (exps.length === 0 && exp.shape !== 'v1-address') {
    // The common case, and the sync's hot read: rows come out of SQLite as JSON text (same text as the path below).
    const res = ctx.store.listJson(exp, scope.company?.id ?? '', query, sel);
    let json = `{"@odata.context":${JSON.stringify(context)}`;
    if (count) json += `,"@odata.count":${JSON.stringify(res.count)}`;
    json += `,"value":[${res.rows.join(',')}]`;
    const link = nextLink(res.rows.length, res.next);
    if (link !== undefined) json += `,"@odata.nextLink":${JSON.stringify(link)}`;
    return { status: 200, headers, json: `${json}}` };
  }
  const res = ctx.store.list(exp, scope.company?.id ?? '', query);
  const body: Row = { '@odata.context': context };
  if (count) body['@odata.count'] = res.count;
  body.value = res.rows.map((row) => ({ ...project(exp, row, sel), ...expandLines(scope, exp, row, exps) }));
  const link = nextLink(res.rows.length, res.next);
  if (link !== undefined) body['@odata.nextLink'] = link;
  return { status: 200, headers, body };
}

// ---------- $metadata ----------

const EDM: Record<string, string> = { string: 'Edm.String', option: 'Edm.String', number: 'Edm.Decimal', int: 'Edm.Int32', boolean: 'Edm.Boolean', date: 'Edm.Date', datetime: 'Edm.DateTimeOffset', guid: 'Edm.Guid' };
const xmlEscape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** CSDL for one API group, generated from the entity model so it can never drift from what is served. */
export function metadataXml(group: ApiGroup): string {
  const exps = EXPOSURES.filter((e) => e.group === group);
  const types = exps.map((e) => {
    const props = [...e.fields.values()].map((f) => {
      const len = f.def.maxLength ? ` MaxLength="${f.def.maxLength}"` : '';
      const nullable = f.name === 'id' ? ' Nullable="false"' : '';
      const ro = f.def.readOnly ? '<Annotation Term="Org.OData.Core.V1.Computed" Bool="true"/>' : '';
      return ro ? `<Property Name="${f.name}" Type="${EDM[f.def.type]}"${len}${nullable}>${ro}</Property>` : `<Property Name="${f.name}" Type="${EDM[f.def.type]}"${len}${nullable}/>`;
    });
    if (e.shape === 'v1-address') props.push('<Property Name="address" Type="Microsoft.NAV.postaladdresstype"/>');
    const nav = e.lines ? `<NavigationProperty Name="${e.lines.nav}" Type="Collection(Microsoft.NAV.${findExposure(group, e.lines.set)!.entityType})" ContainsTarget="true"/>` : '';
    return `<EntityType Name="${xmlEscape(e.entityType)}"><Key><PropertyRef Name="id"/></Key>${props.join('')}${nav}</EntityType>`;
  });
  const unique = [...new Map(types.map((t, i) => [exps[i]!.entityType, t])).values()];
  const sets = exps.map((e) => `<EntitySet Name="${e.set}" EntityType="Microsoft.NAV.${e.entityType}"/>`);
  const address = group === 'v1.0' ? '<ComplexType Name="postaladdresstype"><Property Name="street" Type="Edm.String"/><Property Name="city" Type="Edm.String"/><Property Name="state" Type="Edm.String"/><Property Name="countryLetterCode" Type="Edm.String"/><Property Name="postalCode" Type="Edm.String"/></ComplexType>' : '';
  return `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">${address}${unique.join('')}<Action Name="post" IsBound="true"><Parameter Name="bindingParameter" Type="Microsoft.NAV.salesInvoice"/></Action><Action Name="shipAndInvoice" IsBound="true"><Parameter Name="bindingParameter" Type="Microsoft.NAV.salesOrder"/></Action><EntityContainer Name="NAV">${sets.join('')}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}

// ---------- automation API: version probe ----------

export function appVersion(v: BcVersion): [number, number, number, number] {
  return ({ 14: [14, 0, 29530, 0], 15: [15, 4, 41023, 0], 16: [16, 5, 15897, 0], 24: [24, 1, 18927, 0] } as const)[v] as [number, number, number, number];
}

function automation(ctx: ApiContext, req: ApiRequest, root: string, segs: Segment[]): ApiResponse {
  if (req.method.toUpperCase() !== 'GET') throw methodNotAllowed(req.method.toUpperCase(), 'automation');
  if (segs.length === 1 && segs[0]!.name === 'companies' && !segs[0]!.key) {
    const exp = findExposure('v2.0', 'companies')!;
    return { status: 200, headers: JSON_HEADERS, body: { '@odata.context': `${ctx.baseUrl}${root}/$metadata#companies`, value: ctx.store.companies().map((c) => project(exp, c)) } };
  }
  if (segs.length === 2 && segs[0]!.name === 'companies' && segs[0]!.key && segs[1]!.name === 'extensions') {
    const company = resolveCompany(ctx, segs[0]!.key);
    const [maj, min, build, rev] = appVersion(ctx.version);
    const ext = (packageId: string, id: string, displayName: string, publisher: string, v: number[]) => ({
      '@odata.etag': etagFor(1),
      packageId, id, displayName, publisher,
      versionMajor: v[0], versionMinor: v[1], versionBuild: v[2], versionRevision: v[3],
      isInstalled: true, publishedAs: ' Global', scope: 'Global',
    });
    const value = [
      ext('f3552374-a1f2-4356-848e-196002525837', '63ca2fa4-4f03-4f2b-a480-172fef340d3f', 'System Application', 'Microsoft', [maj, min, build, rev]),
      ext('80d6ee48-5a4e-4bd7-8cb2-2f9b5c6a0c52', '437dbf0e-84ff-417a-965d-ed2bb9650972', 'Base Application', 'Microsoft', [maj, min, build, rev]),
      ...(ctx.companionExtension !== false ? [ext('1a5e9c0d-2f7b-4e61-9c3a-8d4b6f2e0a17', '6f1c5e0a-d365-4ac0-8e11-000000000001', 'Integration Console Companion', 'd365ic', [1, 0, 0, 0])] : []),
    ];
    return { status: 200, headers: JSON_HEADERS, body: { '@odata.context': `${ctx.baseUrl}${root}/$metadata#companies(${company.id})/extensions`, value } };
  }
  throw notFoundRoute(req.path);
}

