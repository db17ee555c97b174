/** Reading: row presentation (annotations, $expand), retrieve, $count, RetrieveMultiple with keyset paging, change tracking (delta). */
import type { RowData, StoredRow } from '../store';
import type { AttributeMeta, EntityMeta } from '../metadata';
import { ENTITIES, isLookup } from '../metadata';
import { CODES, DvError, badRequest } from '../errors';
import { compileFilter, isStringAttr, parseFilter } from '../filter';
import type { Caller } from '../security';
import { requirePrivilege } from '../security';
import type { DvResponse, Query, Prefer, DvContext } from './shared';
import { MAX_PAGE, json, etagMatches, rejectUnknownOptions } from './shared';
import { parseSelect, parseExpand, contextUrl, resolveKey, keyNotFound, parseOrderBy, encodeCookie, decodeCookie, keysetCondition } from './query';
import type { ExpandItem, Cookie } from './query';

/**
 * Target table of a stored lookup value. Rows keep a `<attr>@t` marker only for lookups that can point at more than
 * one table (owner, customer, regarding); single-target lookups need none, which keeps every stored row smaller.
 * Rows written by earlier versions may still carry markers for single-target lookups; they agree with the metadata.
 */
export function lookupType(a: AttributeMeta, d: RowData): string | undefined {
  const t = d[`${a.logicalName}@t`];
  if (typeof t === 'string') return t;
  return a.targets?.length === 1 && d[a.logicalName] != null ? a.targets[0] : undefined;
}

export function navFor(a: AttributeMeta, type: string | undefined): string | undefined {
  return a.navs?.find((n) => type && n.targets.includes(type))?.nav;
}

export function present(core: DvContext, e: EntityMeta, row: StoredRow, select: AttributeMeta[] | null, annotations: boolean, expand: ExpandItem[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': `W/"${row.version}"` };
  const attrs = select ?? [...e.attributes.values()];
  const d = row.data;
  for (const a of attrs) {
    if (isLookup(a)) {
      const k = `_${a.logicalName}_value`;
      const v = d[a.logicalName] ?? null;
      if (annotations && v !== null) {
        const t = lookupType(a, d);
        out[`${k}@OData.Community.Display.V1.FormattedValue`] = lookupName(core, t, v as string);
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
      const sel = parseSelect(core, role, x.select?.join(','));
      out[x.nav] = core.store.rolesOf(row.id).map((rid) => core.store.get('role', rid)).filter((r): r is StoredRow => !!r).map((r) => present(core, role, r, sel, false));
      continue;
    }
    const a = e.navToAttr.get(x.nav) as AttributeMeta;
    const id = d[a.logicalName] as string | undefined;
    const t = lookupType(a, d);
    const nav = a.navs?.find((n) => n.nav === x.nav);
    if (!id || !t || !nav?.targets.includes(t)) { out[x.nav] = null; continue; }
    const te = ENTITIES.get(t) as EntityMeta;
    const target = core.store.get(t, id);
    out[x.nav] = target ? present(core, te, target, parseSelect(core, te, x.select?.join(',')), false) : null;
  }
  return out;
}

export function lookupName(core: DvContext, type: string | undefined, id: string): string | null {
  const te = type ? ENTITIES.get(type) : undefined;
  if (!te) return null;
  const r = core.store.get(te.logicalName, id);
  return r ? ((r.data[te.primaryNameAttribute] as string | undefined) ?? null) : null;
}

export function retrieve(core: DvContext, e: EntityMeta, key: string, query: Query, prefer: Prefer, caller: Caller, headers: Record<string, string>): DvResponse {
  requirePrivilege(caller, 'Read', e);
  rejectUnknownOptions(query, ['$select', '$expand']);
  const r = resolveKey(core, e, key);
  const row = r.id ? core.store.get(e.logicalName, r.id) : undefined;
  if (!row) throw keyNotFound(core, e, key, r);
  const select = parseSelect(core, e, query.params.get('$select'));
  const expand = parseExpand(core, e, query.params.get('$expand'));
  const inm = headers['if-none-match'];
  // 304 is skipped for $expand/annotations: the row version says nothing about related rows or labels.
  if (inm && inm !== 'null' && expand.length === 0 && !prefer.annotations && etagMatches(inm, row.version)) {
    return { status: 304, headers: { ETag: `W/"${row.version}"`, 'OData-Version': '4.0' } };
  }
  const body = { '@odata.context': contextUrl(core, e, select, '/$entity'), ...present(core, e, row, select, prefer.annotations, expand) };
  return json(200, body, { ETag: `W/"${row.version}"`, ...prefer.applied() });
}

export function countRequest(core: DvContext, e: EntityMeta, query: Query, caller: Caller): DvResponse {
  requirePrivilege(caller, 'Read', e);
  const f = query.params.get('$filter');
  const where = f ? compileFilter(e, parseFilter(f)) : { sql: '1', params: [] };
  const n = core.store.scalar(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM dv_rows WHERE entity = ? AND ${where.sql} LIMIT ${MAX_PAGE})`, [e.logicalName, ...where.params]);
  return { status: 200, headers: { 'Content-Type': 'text/plain', 'OData-Version': '4.0' }, body: String(n) };
}

export function retrieveMultiple(core: DvContext, e: EntityMeta, query: Query, prefer: Prefer, caller: Caller): DvResponse {
  requirePrivilege(caller, 'Read', e);
  if (query.params.has('$skip')) throw new DvError(400, CODES.queryNotSupported, 'The query parameter $skip is not supported');
  rejectUnknownOptions(query, ['$select', '$filter', '$orderby', '$top', '$expand', '$count', '$skiptoken', '$deltatoken']);
  const select = parseSelect(core, e, query.params.get('$select'));
  if (query.params.has('$deltatoken')) return delta(core, e, query, select, prefer);

  const cookie = query.params.has('$skiptoken') ? decodeCookie(query.params.get('$skiptoken') as string) : undefined;
  const tracking = prefer.trackChanges || cookie?.sv !== undefined;
  if (tracking) {
    for (const p of ['$filter', '$orderby', '$expand', '$top']) {
      if (query.params.has(p)) throw new DvError(400, CODES.queryNotSupported, `The "${p}" query parameter isn't supported when Change Tracking is enabled.`);
    }
  }
  const expand = parseExpand(core, e, query.params.get('$expand'));
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
  const rows = core.store.all(
    `SELECT id, version, data FROM dv_rows WHERE entity = ? AND ${where.sql} AND ${keyset.sql} ORDER BY ${orderSql} LIMIT ?`,
    [e.logicalName, ...where.params, ...keyset.params, pageSize + 1],
  );
  const more = !useTop && rows.length > pageSize;
  const page = rows.slice(0, pageSize);
  const startVersion = cookie?.sv ?? (tracking ? core.store.currentVersion() : undefined);
  const body: Record<string, unknown> = { '@odata.context': contextUrl(core, e, select) };
  if (query.params.get('$count') === 'true') {
    const n = core.store.scalar(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM dv_rows WHERE entity = ? AND ${where.sql} LIMIT ${MAX_PAGE + 1})`, [e.logicalName, ...where.params]);
    body['@odata.count'] = Math.min(n, MAX_PAGE);
    if (prefer.annotations) body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = n > MAX_PAGE;
  }
  body.value = page.map((r) => present(core, e, r, select, prefer.annotations, expand));
  if (more) {
    const last = page[page.length - 1];
    const next: Cookie = { v: order.map((o) => (last.data[o.attr.logicalName] ?? null) as unknown), id: last.id, n: (cookie?.n ?? 1) + 1, sv: startVersion };
    const rest = query.raw.filter((p) => !p.startsWith('$skiptoken=') && !p.startsWith('%24skiptoken='));
    rest.push(`$skiptoken=${encodeURIComponent(encodeCookie(next))}`);
    body['@odata.nextLink'] = `${core.opts.apiBase}/${e.entitySetName}?${rest.join('&')}`;
  } else if (tracking) {
    body['@odata.deltaLink'] = deltaLink(core, e, query, startVersion as number);
  }
  return json(200, body, prefer.applied(tracking));
}

export function deltaLink(core: DvContext, e: EntityMeta, query: Query, version: number): string {
  const rest = query.raw.filter((p) => !/^(\$|%24)(skiptoken|deltatoken)=/.test(p));
  const d = new Date(core.opts.clock());
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  rest.push(`$deltatoken=${encodeURIComponent(`${version}!${stamp}`)}`);
  return `${core.opts.apiBase}/${e.entitySetName}?${rest.join('&')}`;
}

export function delta(core: DvContext, e: EntityMeta, query: Query, select: AttributeMeta[] | null, prefer: Prefer): DvResponse {
  const token = query.params.get('$deltatoken') as string;
  const m = /^(\d+)!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(token);
  if (!m) throw badRequest(`The $deltatoken '${token}' is not valid. Start over with a full query using Prefer: odata.track-changes.`, CODES.invalidArgument);
  const version = Number(m[1]);
  const issued = Date.UTC(Number(m[4]), Number(m[2]) - 1, Number(m[3]), Number(m[5]), Number(m[6]), Number(m[7]));
  const days = Number(core.organization().data.expirechangetrackingindays ?? 7);
  if (version < core.minDeltaVersion || core.opts.clock() - issued > days * 86_400_000) {
    throw new DvError(400, CODES.changeTrackingExpired, 'Version stamp associated with the client has expired. Please perform a full sync.');
  }
  // Delta results page like any other query. The cookie pins the upper version bound of this delta so
  // writes that land while the client pages show up in the next delta instead of shifting pages.
  const cookie = query.params.has('$skiptoken') ? decodeCookie(query.params.get('$skiptoken') as string) : undefined;
  const upto = cookie?.sv ?? core.store.currentVersion();
  const after = cookie ? Number(cookie.v[0]) : version;
  const pageSize = prefer.maxPageSize ?? MAX_PAGE;
  const rows = core.store.changedRows(e.logicalName, after, upto, pageSize + 1);
  const body: Record<string, unknown> = { '@odata.context': contextUrl(core, e, select, '/$delta') };
  const value: unknown[] = rows.slice(0, pageSize).map((r) => present(core, e, r, select, prefer.annotations));
  body.value = value;
  if (rows.length > pageSize) {
    const last = rows[pageSize - 1];
    const next: Cookie = { v: [last.version], id: last.id, n: (cookie?.n ?? 1) + 1, sv: upto };
    const rest = query.raw.filter((p) => !/^(\$|%24)skiptoken=/.test(p));
    rest.push(`$skiptoken=${encodeURIComponent(encodeCookie(next))}`);
    body['@odata.nextLink'] = `${core.opts.apiBase}/${e.entitySetName}?${rest.join('&')}`;
    return json(200, body, prefer.applied(true));
  }
  // Deletions come last, after every new/updated row (documented ordering).
  for (const d of core.store.deletedSince(e.logicalName, version, upto)) {
    value.push({ '@odata.context': `${core.opts.apiBase}/$metadata#${e.entitySetName}/$deletedEntity`, id: d.id, reason: 'deleted' });
  }
  body['@odata.deltaLink'] = deltaLink(core, e, query, upto);
  return json(200, body, prefer.applied(true));
}
