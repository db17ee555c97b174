/**
 * Commerce headquarters (Finance and Operations OData) sandbox service: a plain request handler the sandbox
 * kernel mounts on its loopback host. See docs/sandbox-commerce.md for entities, conventions and the seeds.
 *
 * Routes: GET /data/ (service document), GET /data/$metadata (CSDL), /data/<Collection>[(<key>)][/$count]
 * (GET/POST/PATCH/PUT/DELETE), POST /data/$batch (multipart, atomic change sets), GET /Metadata/DataEntities,
 * /Metadata/PublicEntities(Name='…'), /Metadata/Labels(Id='…',Language='…'). Every route needs a bearer token
 * that passes the F&O checks (section 1.1 of the reference): exact audience, tenant, oid, registered app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Authenticate, AuthFailure, SandboxPrincipal } from '../auth';
import { isAuthFailure } from '../auth';
import { registerService } from '../kernel/registry';
import type { SandboxService, ServiceFactory } from '../kernel/types';
import { decodeJwt } from '../identity/jwt';
import { boundaryOf, formatBatch, parseBatch } from '../dataverse/batch';
import type { BatchOutItem, InnerRequest, InnerResponse } from '../dataverse/batch';
import { SANDBOX_TENANT_ID } from '../directory';
import type { EntityDef, FieldDef } from './entities';
import { ENTITIES, ENTITY_BY_COLLECTION } from './entities';
import { FoError } from './errors';
import { csdl, DATA_ENTITIES_DEF, dataEntityRows, labels } from './metadata';
import { compileExpand, compileFilter, compileOrderBy, compileSelect, parseKey } from './query';
import type { ExpandItem } from './query';
import { benchSeed, demoSeed } from './seed';
import type { CommerceSeed } from './seed';
import { CommerceStore } from './store';
import type { Row } from './store';

export type CommercePriority = 'Low' | 'Medium' | 'High';

export interface CommerceThrottle {
  windowSeconds: number;
  /** Requests the environment processes per window before it throttles callers of this priority. */
  requestsPerWindow: Record<CommercePriority, number>;
}

export const MAX_PAGE_SIZE = 10_000;
export const THROTTLE_MESSAGE =
  'This request could not be processed at this time due to system experiencing high resource utilization. Please retry after the time specified in the Retry-After response header.';

export interface CommerceServiceOptions {
  /** Token verification from the identity sandbox (its `authenticate`, header-based)… */
  authenticate?: Authenticate;
  /** …or the kernel's request-based verifier (KernelContext.authenticate). One of the two is required. */
  authenticateRequest?: (req: IncomingMessage, audience: string) => SandboxPrincipal | AuthFailure;
  /** Environment URL (the token audience). Default: the request's own origin (scheme + Host header). */
  url?: string | (() => string);
  /** Tenant the environment belongs to (default: the sandbox directory's tenant). */
  tenantId?: string;
  seed?: 'demo' | 'bench' | 'empty';
  benchSize?: { stores: number; workersPerStore: number };
  /** SQLite file (default in memory). */
  file?: string;
  clock?: () => number;
  /** Server-driven page size (capped at 10,000). */
  pageSize?: number;
  throttle?: Partial<CommerceThrottle>;
  /** Throttling priority mapping: client id (apps) or UserID (users) → priority. Unmapped callers are Medium. */
  priorities?: Record<string, CommercePriority>;
  /** Extra rows for the "Microsoft Entra applications" page (SysAADClients). */
  registeredApps?: { AADClientId: string; Name: string; UserId: string }[];
}

/** The kernel's SandboxService plus test/orchestrator handles. */
export interface CommerceService extends SandboxService {
  readonly name: 'commerce';
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
  close(): Promise<void>;
  readonly store: CommerceStore;
  setThrottle(t: Partial<CommerceThrottle>): void;
  setPriority(principal: string, priority: CommercePriority): void;
}

interface Ctx {
  base: string;
  userId: string;
  company: string;
}

interface Result {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

const JSON_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';
const ODATA_HEADERS = { 'OData-Version': '4.0' };

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Result => ({
  status,
  headers: { 'Content-Type': JSON_TYPE, ...ODATA_HEADERS, ...headers },
  body: JSON.stringify(body),
});

const errorResult = (x: unknown): Result => {
  if (x instanceof FoError) return json(x.status, x.body(), x.headers);
  const msg = x instanceof Error ? x.message : String(x);
  return json(500, new FoError(500, 'An error has occurred.', { message: msg, type: 'System.Exception' }).body());
};

const etagOf = (r: Row) => String(r.ETag);
function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    throw FoError.badRequest(`The request URI '${p.slice(0, 120)}' is not valid: it contains a malformed percent-encoding.`);
  }
}

const keyLiteral = (v: unknown) => `'${String(v).replace(/'/g, "''")}'`;

export function createCommerceService(opts: CommerceServiceOptions): CommerceService {
  const verify =
    opts.authenticateRequest ??
    ((req: IncomingMessage, audience: string) => {
      if (!opts.authenticate) throw new Error('createCommerceService needs authenticate or authenticateRequest (the identity sandbox verifier).');
      const h = req.headers.authorization;
      return opts.authenticate(Array.isArray(h) ? h[0] : h, audience);
    });
  const clock = opts.clock ?? Date.now;
  const tenantId = opts.tenantId ?? SANDBOX_TENANT_ID;
  const store = new CommerceStore(opts.file ?? ':memory:', [...ENTITIES, DATA_ENTITIES_DEF]);
  const seed: CommerceSeed =
    opts.seed === 'empty' ? {} : opts.seed === 'bench' ? benchSeed(opts.benchSize?.stores, opts.benchSize?.workersPerStore) : demoSeed();
  store.transaction(() => {
    for (const e of ENTITIES) if (seed[e.collection]) store.insert(e, seed[e.collection]!);
    store.insert(ENTITY_BY_COLLECTION.get('SysAADClients')!, opts.registeredApps ?? []);
    store.insert(DATA_ENTITIES_DEF, dataEntityRows());
  });
  store.stampClock = clock;
  const labelTexts = labels();
  const metadataXml = csdl();
  let throttle: CommerceThrottle = {
    windowSeconds: opts.throttle?.windowSeconds ?? 300,
    requestsPerWindow: { Low: Infinity, Medium: Infinity, High: Infinity, ...opts.throttle?.requestsPerWindow },
  };
  const priorities = new Map(Object.entries(opts.priorities ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  let hits: number[] = [];
  const maxPage = Math.max(1, Math.min(MAX_PAGE_SIZE, opts.pageSize ?? MAX_PAGE_SIZE));
  const entityOf = (c: string) => ENTITY_BY_COLLECTION.get(c)!;

  function environmentUrl(req: IncomingMessage): string {
    const u = typeof opts.url === 'function' ? opts.url() : opts.url;
    const raw = u ?? `${(req.socket as TLSSocket).encrypted ? 'https' : 'http'}://${req.headers.host ?? '127.0.0.1'}`;
    return raw.replace(/\/+$/, '').toLowerCase();
  }

  // ------------------------------------------------------------------------------------------ authentication

  function authorize(req: IncomingMessage, envUrl: string): Ctx & { principal: string } {
    const authorization = req.headers.authorization;
    const p = verify(req, envUrl);
    if (isAuthFailure(p)) throw FoError.unauthorized(p.description);
    if (p.audience !== envUrl)
      throw FoError.unauthorized(
        `The token audience '${p.audience}' does not match the environment URL '${envUrl}' exactly: Finance and Operations requires the URL in lower case without a trailing slash. Request the scope '${envUrl}/.default'.`,
      );
    const payload = decodeJwt(/^Bearer\s+(\S+)/i.exec(authorization ?? '')?.[1] ?? '')?.payload ?? {};
    if (payload.tid !== tenantId)
      throw FoError.unauthorized(
        `The token was issued by tenant '${String(payload.tid)}', but this environment belongs to tenant '${tenantId}'. Request the token from that tenant's endpoint (not /common or /organizations).`,
      );
    if (!p.objectId)
      throw FoError.unauthorized('The token has no oid claim: the application has no service principal in the tenant. Grant admin consent to the app in the tenant so its service principal exists.');
    const users = entityOf('SystemUsers');
    if (p.kind === 'app') {
      const apps = store.select(entityOf('SysAADClients'), { where: { sql: '"AADClientId" = ?', params: [p.appId] }, limit: 1, offset: 0 });
      const app = apps[0];
      if (!app)
        throw FoError.unauthorized(
          `The application '${p.appId}' is not registered in Finance and Operations. Add its client id on System administration > Setup > Microsoft Entra applications and map it to a user.`,
        );
      const user = store.get(users, { UserID: app.UserId });
      if (!user || !user.Enabled)
        throw FoError.unauthorized(`The user '${String(app.UserId)}' that application '${p.appId}' is mapped to on the Microsoft Entra applications page does not exist or is disabled. Map the app to an enabled user.`);
      return { base: envUrl, userId: String(user.UserID), company: String(user.Company ?? 'dat'), principal: p.appId };
    }
    const found = store.select(users, { where: { sql: '"Alias" = ?', params: [p.username ?? ''] }, limit: 1, offset: 0 })[0];
    if (!found)
      throw FoError.unauthorized(`The user '${p.username ?? ''}' is not a user of this Finance and Operations environment. Import the user on System administration > Users.`);
    if (!found.Enabled) throw FoError.unauthorized(`The user '${p.username ?? ''}' is disabled in Finance and Operations. Enable the user on System administration > Users.`);
    return { base: envUrl, userId: String(found.UserID), company: String(found.Company ?? 'dat'), principal: String(found.UserID) };
  }

  // ------------------------------------------------------------------------------------------ throttling

  function admit(principal: string, userId: string): void {
    const now = clock();
    const windowMs = throttle.windowSeconds * 1000;
    let i = 0;
    while (i < hits.length && hits[i]! <= now - windowMs) i++;
    if (i > 0) hits = hits.slice(i);
    const priority = priorities.get(principal.toLowerCase()) ?? priorities.get(userId.toLowerCase()) ?? 'Medium';
    if (hits.length >= throttle.requestsPerWindow[priority]) {
      const retry = Math.max(1, Math.ceil((hits[0]! + windowMs - now) / 1000));
      throw new FoError(429, THROTTLE_MESSAGE, { message: THROTTLE_MESSAGE, type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.ThrottlingException' }, '', {
        'Retry-After': String(retry),
      });
    }
    hits.push(now);
  }

  // ------------------------------------------------------------------------------------------ shaping

  function shape(e: EntityDef, r: Row, select: string[] | null, annotate: boolean): Row {
    const out: Row = annotate ? { '@odata.etag': etagOf(r) } : {};
    for (const f of e.fields) if (!select || select.includes(f.name)) out[f.name] = r[f.name] ?? null;
    return out;
  }

  function expandRows(e: EntityDef, rows: Row[], shaped: Row[], items: ExpandItem[], annotate: boolean): void {
    for (const it of items) {
      const nav = e.nav!.find((n) => n.name === it.nav)!;
      const target = entityOf(nav.target);
      const where = nav.on.map(([, t]) => `"${t}" = ?`).join(' AND ');
      rows.forEach((r, i) => {
        const related = store.select(target, { where: { sql: where, params: nav.on.map(([s]) => r[s]) }, limit: nav.many ? MAX_PAGE_SIZE : 1, offset: 0 });
        const out = related.map((x) => shape(target, x, it.select ?? null, annotate));
        shaped[i]![nav.name] = nav.many ? out : (out[0] ?? null);
      });
    }
  }

  function keyPath(e: EntityDef, r: Row): string {
    return `${e.collection}(${e.keys.map((k) => `${k}=${keyLiteral(r[k])}`).join(',')})`;
  }

  // ------------------------------------------------------------------------------------------ data routes

  function validateBody(e: EntityDef, body: string, forUpdate: boolean): Row {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body || '{}');
    } catch {
      throw FoError.badRequest('The request body is not valid JSON.');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw FoError.badRequest('The request body must be one JSON object.');
    const out: Row = {};
    for (const [k, v] of Object.entries(parsed as Row)) {
      if (k.startsWith('@')) continue;
      const f: FieldDef | undefined = e.fields.find((x) => x.name === k);
      if (!f) throw FoError.badRequest(`The property '${k}' does not exist on type 'Microsoft.Dynamics.DataEntities.${e.publicEntityName}'. Make sure to only use property names that are defined by the type.`);
      if (forUpdate && e.keys.includes(k)) throw FoError.writeFailed(e.aotName, `The key field '${k}' cannot be changed.`, 400);
      if (v !== null) {
        const ok =
          f.type === 'Boolean' ? typeof v === 'boolean'
            : f.type === 'Int32' || f.type === 'Int64' ? Number.isInteger(v)
              : f.type === 'Enum' ? typeof v === 'string' && f.members!.includes(v)
                : typeof v === 'string';
        if (!ok)
          throw FoError.badRequest(
            f.type === 'Enum'
              ? `Cannot convert '${String(v)}' to enum 'Microsoft.Dynamics.DataEntities.${f.enumType}' for property '${k}' (members: ${f.members!.join(', ')}).`
              : `Cannot convert the literal '${JSON.stringify(v)}' to the expected type 'Edm.${f.type}' of property '${k}'.`,
          );
      }
      out[k] = v;
    }
    return out;
  }

  function executeData(method: string, pathAndQuery: string, headers: Record<string, string | undefined>, body: string, ctx: Ctx): Result {
    const qi = pathAndQuery.indexOf('?');
    const path = qi < 0 ? pathAndQuery : pathAndQuery.slice(0, qi);
    const sp = new URLSearchParams(qi < 0 ? '' : pathAndQuery.slice(qi + 1));
    const base = ctx.base;
    if (path === '' ) {
      if (method !== 'GET') throw new FoError(405, 'The requested resource does not support this HTTP method.', null);
      return json(200, { '@odata.context': `${base}/data/$metadata`, value: ENTITIES.map((e) => ({ name: e.collection, kind: 'EntitySet', url: e.collection })) });
    }
    if (path === '$metadata') return { status: 200, headers: { 'Content-Type': 'application/xml', ...ODATA_HEADERS }, body: metadataXml };
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(\(.*\))?(\/\$count)?$/.exec(decodePath(path));
    const e = m ? ENTITY_BY_COLLECTION.get(m[1]!) : undefined;
    if (!m || !e) {
      const near = m ? ENTITIES.find((x) => x.collection.toLowerCase() === m[1]!.toLowerCase()) : undefined;
      throw FoError.notFound(
        `No entity set named '${m?.[1] ?? path}' exists.${near ? ` Collection names are case-sensitive: did you mean '${near.collection}'?` : ' Look up public collection names at /Metadata/DataEntities.'}`,
      );
    }
    const annotate = !/odata\.metadata=none/i.test(sp.get('$format') ?? headers.accept ?? '');
    const cross = sp.get('cross-company') === 'true';
    const companyWhere = (where: { sql: string; params: unknown[] } | undefined) => {
      if (!e.companySpecific || cross) return where;
      const c = { sql: '"dataAreaId" = ?', params: [ctx.company] };
      return where ? { sql: `(${where.sql}) AND ${c.sql}`, params: [...where.params, ctx.company] } : c;
    };
    const select = sp.get('$select') ? compileSelect(e, sp.get('$select')!) : null;
    const expand = sp.get('$expand') ? compileExpand(e, sp.get('$expand')!, entityOf) : [];

    if (m[2]) {
      const key = parseKey(e, m[2]);
      const row = store.get(e, key);
      const visible = row && (!e.companySpecific || cross || row.dataAreaId === ctx.company || key.dataAreaId !== undefined);
      if (method === 'GET') {
        if (!row || !visible) throw FoError.notFound(`No ${e.publicEntityName} record matches the key ${m[2]}.`);
        const shaped = shape(e, row, select, annotate);
        expandRows(e, [row], [shaped], expand, annotate);
        return json(200, { ...(annotate ? { '@odata.context': `${base}/data/$metadata#${e.collection}/$entity` } : {}), ...shaped });
      }
      if (e.readOnly) throw FoError.writeFailed(e.aotName, `The data entity '${e.publicEntityName}' is read-only on this environment.`, 400);
      if (!row) throw FoError.notFound(`No ${e.publicEntityName} record matches the key ${m[2]}.`);
      const ifMatch = headers['if-match'];
      if (ifMatch && ifMatch !== '*' && ifMatch !== etagOf(row))
        throw new FoError(412, 'An error has occurred.', { message: `The record was changed by another user (ETag ${etagOf(row)}). Read it again and retry.`, type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.ODataConcurrencyException' });
      if (method === 'DELETE') {
        store.delete(e, key);
        return { status: 204, headers: { ...ODATA_HEADERS } };
      }
      if (method === 'PATCH' || method === 'PUT') {
        const patch = validateBody(e, body, true);
        if (Object.keys(patch).length) store.update(e, key, patch);
        return { status: 204, headers: { ...ODATA_HEADERS } };
      }
      throw new FoError(405, 'The requested resource does not support this HTTP method.', null);
    }

    if (method === 'POST') {
      if (m[3]) throw new FoError(405, 'The requested resource does not support this HTTP method.', null);
      if (e.readOnly) throw FoError.writeFailed(e.aotName, `The data entity '${e.publicEntityName}' is read-only on this environment.`, 400);
      const row = validateBody(e, body, false);
      for (const k of e.keys)
        if (row[k] === undefined || row[k] === null || row[k] === '') throw FoError.writeFailed(e.aotName, `Field '${k}' must be filled in.`, 400);
      try {
        store.insert(e, [row]);
      } catch (x) {
        if ((x as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
          throw FoError.writeFailed(e.aotName, `Cannot create a record in ${e.label} (${e.aotName}). The record already exists.`);
        throw x;
      }
      const created = store.get(e, Object.fromEntries(e.keys.map((k) => [k, row[k]])))!;
      return json(201, { '@odata.context': `${base}/data/$metadata#${e.collection}/$entity`, ...shape(e, created, null, true) }, { Location: `${base}/data/${keyPath(e, created)}` });
    }
    if (method !== 'GET') throw new FoError(405, 'The requested resource does not support this HTTP method.', null);

    const filterText = sp.get('$filter');
    const where = companyWhere(filterText ? compileFilter(e, filterText) : undefined);
    if (m[3]) return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...ODATA_HEADERS }, body: String(store.count(e, where)) };
    const orderBy = sp.get('$orderby') ? compileOrderBy(e, sp.get('$orderby')!) : undefined;
    const int = (name: string): number | undefined => {
      const v = sp.get(name);
      if (v === null) return undefined;
      if (!/^\d+$/.test(v)) throw FoError.badRequest(`Invalid value '${v}' for ${name}: use a non-negative integer.`);
      return Number(v);
    };
    const top = int('$top');
    const skip = int('$skip') ?? 0;
    const token = sp.get('$skiptoken');
    let consumed = 0;
    if (token !== null) {
      const decoded = /^\d+$/.test(token) ? Number(token) : NaN;
      if (!Number.isFinite(decoded)) throw FoError.badRequest(`The $skiptoken '${token}' is not valid; follow @odata.nextLink as returned.`);
      consumed = decoded;
    }
    const prefer = /odata\.maxpagesize=(\d+)/i.exec(headers.prefer ?? '');
    const pageSize = Math.min(maxPage, prefer ? Math.max(1, Number(prefer[1])) : maxPage);
    const remaining = top === undefined ? Infinity : Math.max(0, top - consumed);
    const limit = Math.min(pageSize, remaining);
    let nextLink: string | undefined;
    const page = (n: number) => {
      if (n > limit && remaining > limit) {
        const next = new URLSearchParams(sp);
        next.set('$skiptoken', String(consumed + limit));
        nextLink = `${base}/data/${e.collection}?${[...next].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&').replace(/%24/g, '$')}`;
      }
    };
    const head: Row = {};
    if (annotate) head['@odata.context'] = `${base}/data/$metadata#${e.collection}${select ? `(${select.join(',')})` : ''}`;
    if (sp.get('$count') === 'true') head['@odata.count'] = store.count(e, where);
    const preferHeaders: Record<string, string> = prefer ? { 'Preference-Applied': `odata.maxpagesize=${pageSize}` } : {};
    if (!expand.length) {
      // Fast path: rows rendered to JSON by SQLite.
      const texts = limit === 0 ? [] : store.selectJson(e, { where, orderBy, limit: limit + 1, offset: skip + consumed }, select ? e.fields.filter((x) => select.includes(x.name)) : e.fields, annotate);
      page(texts.length);
      if (texts.length > limit) texts.length = limit;
      const headText = JSON.stringify(head);
      const body = `${headText.slice(0, -1)}${headText.length > 2 ? ',' : ''}"value":[${texts.join(',')}]${nextLink ? `,"@odata.nextLink":${JSON.stringify(nextLink)}` : ''}}`;
      return { status: 200, headers: { 'Content-Type': JSON_TYPE, ...ODATA_HEADERS, ...preferHeaders }, body };
    }
    const rows = limit === 0 ? [] : store.select(e, { where, orderBy, limit: limit + 1, offset: skip + consumed });
    page(rows.length);
    if (rows.length > limit) rows.length = limit;
    const shaped = rows.map((r) => shape(e, r, select, annotate));
    expandRows(e, rows, shaped, expand, annotate);
    const out: Row = { ...head, value: shaped };
    if (nextLink) out['@odata.nextLink'] = nextLink;
    return json(200, out, preferHeaders);
  }

  // ------------------------------------------------------------------------------------------ metadata service

  function executeMetadata(path: string, search: string, ctx: Ctx): Result {
    const sp = new URLSearchParams(search);
    const base = ctx.base;
    const de = DATA_ENTITIES_DEF;
    if (path === 'DataEntities') {
      const filterText = sp.get('$filter');
      const select = sp.get('$select') ? compileSelect(de, sp.get('$select')!) : null;
      const top = sp.get('$top') && /^\d+$/.test(sp.get('$top')!) ? Number(sp.get('$top')) : MAX_PAGE_SIZE;
      const rows = store.select(de, { where: filterText ? compileFilter(de, filterText) : undefined, limit: top, offset: 0 });
      return json(200, { '@odata.context': `${base}/Metadata/$metadata#DataEntities`, value: rows.map((r) => shape(de, r, select, false)) });
    }
    let m = /^DataEntities\((.*)\)$/.exec(path);
    if (m) {
      const row = store.get(de, parseKey(de, `(${m[1]})`));
      if (!row) throw FoError.notFound(`No data entity named ${m[1]}.`);
      return json(200, { '@odata.context': `${base}/Metadata/$metadata#DataEntities/$entity`, ...shape(de, row, null, false) });
    }
    m = /^PublicEntities\((?:Name=)?'([^']*)'\)$/.exec(path);
    if (m) {
      const e = ENTITIES.find((x) => x.publicEntityName === m![1]);
      if (!e) throw FoError.notFound(`No public entity named '${m[1]}'.`);
      return json(200, {
        '@odata.context': `${base}/Metadata/$metadata#PublicEntities/$entity`,
        Name: e.publicEntityName, EntitySetName: e.collection, LabelId: e.labelId, IsReadOnly: e.readOnly,
        Properties: e.fields.map((f) => ({
          Name: f.name, TypeName: f.type === 'Enum' ? f.enumType : `Edm.${f.type}`, DataType: f.type, IsKey: e.keys.includes(f.name),
          IsMandatory: e.keys.includes(f.name) || f.nullable === false, AllowEdit: !e.readOnly && !e.keys.includes(f.name), LabelId: '',
        })),
        NavigationProperties: (e.nav ?? []).map((n) => ({ Name: n.name, RelatedEntity: entityOf(n.target).publicEntityName, Cardinality: n.many ? 'ZeroMore' : 'ZeroOne' })),
      });
    }
    m = /^Labels\(Id='([^']*)',Language='([^']*)'\)$/.exec(path);
    if (m) {
      const text = labelTexts.get(m[1]!);
      if (!text) throw FoError.notFound(`No label '${m[1]}'.`);
      return json(200, { '@odata.context': `${base}/Metadata/$metadata#Labels/$entity`, Id: m[1], Language: m[2], Value: text });
    }
    throw FoError.notFound(`No metadata resource '${path}'. Available: DataEntities, PublicEntities(Name='…'), Labels(Id='…',Language='en-us').`);
  }

  // ------------------------------------------------------------------------------------------ $batch

  function innerPath(url: string): string {
    let u = url.replace(/^https?:\/\/[^/]+/i, '');
    if (u.startsWith('/data/')) u = u.slice('/data/'.length);
    else if (u.startsWith('/')) u = u.slice(1);
    return u;
  }

  function executeInner(r: InnerRequest, ctx: Ctx, refs: Map<string, string>): Result {
    try {
      let path = innerPath(r.url);
      const ref = /^\$(\d+)(.*)$/.exec(path);
      if (ref) {
        const target = refs.get(ref[1]!);
        if (!target) throw FoError.badRequest(`The Content-ID reference $${ref[1]} does not name an earlier request of this change set.`);
        path = target + ref[2];
      }
      return executeData(r.method, path, r.headers, r.body, ctx);
    } catch (x) {
      return errorResult(x);
    }
  }

  function batch(body: string, contentType: string | undefined, ctx: Ctx): Result {
    const boundary = boundaryOf(contentType);
    if (!boundary) throw FoError.badRequest("The batch request must have Content-Type 'multipart/mixed' with a boundary.");
    let items;
    try {
      items = parseBatch(body, boundary);
    } catch (x) {
      throw FoError.badRequest((x as Error).message);
    }
    const toInner = (r: Result): InnerResponse => ({ status: r.status, headers: r.headers, body: r.body });
    const out: BatchOutItem[] = [];
    for (const it of items) {
      if (it.kind === 'request') {
        out.push({ kind: 'response', res: toInner(executeInner(it.req, ctx, new Map())) });
        continue;
      }
      const refs = new Map<string, string>();
      const responses: { res: InnerResponse; contentId?: string }[] = [];
      let failed: { res: InnerResponse; contentId?: string } | null = null;
      try {
        store.transaction(() => {
          for (const r of it.requests) {
            const res = executeInner(r, ctx, refs);
            if (res.status >= 400) {
              failed = { res: toInner(res), contentId: r.contentId };
              throw new Error('changeset failed');
            }
            const loc = res.headers.Location;
            if (r.contentId && loc) refs.set(r.contentId, innerPath(loc));
            responses.push({ res: toInner(res), contentId: r.contentId });
          }
        });
      } catch (x) {
        if (!failed) throw x;
      }
      // A failed change set is rolled back as a whole and answered with the failing operation only (OData 4.0).
      out.push(failed ? { kind: 'response', res: (failed as { res: InnerResponse }).res } : { kind: 'changeset', responses });
    }
    const formatted = formatBatch(out);
    return { status: 200, headers: { 'Content-Type': `multipart/mixed; boundary=${formatted.boundary}`, ...ODATA_HEADERS }, body: formatted.body };
  }

  // ------------------------------------------------------------------------------------------ entry point

  function route(req: IncomingMessage, body: Buffer): Result {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    const envUrl = environmentUrl(req);
    const isData = url.pathname === '/data' || url.pathname.startsWith('/data/');
    const isMeta = url.pathname.startsWith('/Metadata/');
    if (!isData && !isMeta) throw FoError.notFound(`No HTTP resource was found at '${url.pathname}'. The OData service root is ${envUrl}/data/.`);
    const ctx = authorize(req, envUrl);
    admit(ctx.principal, ctx.userId);
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    if (isMeta) {
      if (method !== 'GET') throw new FoError(405, 'The requested resource does not support this HTTP method.', null);
      return executeMetadata(decodePath(url.pathname.slice('/Metadata/'.length)), url.search, ctx);
    }
    const rest = url.pathname === '/data' ? '' : url.pathname.slice('/data/'.length);
    if (rest === '$batch') {
      if (method !== 'POST') throw new FoError(405, 'The requested resource does not support this HTTP method.', null);
      return batch(body.toString('utf8'), req.headers['content-type'], ctx);
    }
    return executeData(method, `${rest}${url.search}`, headers, body.toString('utf8'), ctx);
  }

  return {
    name: 'commerce',
    store,
    async handle(req, res, body) {
      let result: Result;
      try {
        result = route(req, body);
      } catch (x) {
        result = errorResult(x);
      }
      res.writeHead(result.status, result.headers);
      res.end(result.body);
    },
    async close() {
      store.close();
    },
    setThrottle(t) {
      throttle = { windowSeconds: t.windowSeconds ?? throttle.windowSeconds, requestsPerWindow: { ...throttle.requestsPerWindow, ...t.requestsPerWindow } };
      hits = [];
    },
    setPriority(principal, priority) {
      priorities.set(principal.toLowerCase(), priority);
    },
  };
}

/**
 * Kernel plug-in: `host.register('commerce', commerceServiceFactory, options)`. The environment URL (token
 * audience) is the host's origin, the clock is the sandbox clock, tokens are checked with the kernel's verifier.
 */
export const commerceServiceFactory: ServiceFactory<Partial<Omit<CommerceServiceOptions, 'authenticate' | 'authenticateRequest'>>> = (ctx, options) =>
  createCommerceService({ url: ctx.origin, clock: () => ctx.clock.now(), ...options, authenticateRequest: (req, audience) => ctx.authenticate(req, audience) });

registerService('commerce', commerceServiceFactory);
