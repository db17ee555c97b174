/** Query parsing: URL splitting, $select, $expand, $orderby, keys and alternate keys, paging cookies and keyset SQL. */
import type { AttributeMeta, EntityMeta } from '../metadata';
import { isLookup, resolveProperty } from '../metadata';
import { CODES, DvError, badRequest, notFound } from '../errors';
import { column, isStringAttr } from '../filter';
import type { BatchCtx, Query, DvContext } from './shared';
import { GUID, safeDecode, splitTopLevel } from './shared';

export interface ExpandItem { nav: string; select: string[] | null }

/** `col`: the SQL for the key; the primary id is the row key column itself (indexed), not a JSON path. */
export interface OrderKey { attr: AttributeMeta; desc: boolean; col: string }

export function parseOrderBy(e: EntityMeta, s: string | undefined): OrderKey[] {
  if (!s) return [];
  return s.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
    const [name, dir] = p.split(/\s+/);
    const a = resolveProperty(e, name);
    if (!a) throw new DvError(400, CODES.queryNotSupported, `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${e.logicalName}'.`);
    if (dir && dir !== 'asc' && dir !== 'desc') throw badRequest(`Invalid $orderby direction '${dir}'; use asc or desc.`, CODES.queryNotSupported);
    return { attr: a, desc: dir === 'desc', col: a.logicalName === e.primaryIdAttribute ? 'id' : column(a) };
  });
}

export interface Cookie { v: unknown[]; id: string; n: number; sv?: number }

export function encodeCookie(c: Cookie): string {
  const inner = Buffer.from(JSON.stringify(c)).toString('base64url');
  return `<cookie pagenumber="${c.n}" pagingcookie="${inner}" istracking="${c.sv !== undefined ? 'True' : 'False'}" />`;
}

export function decodeCookie(s: string): Cookie {
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
export function keysetCondition(order: OrderKey[], c: Cookie): { sql: string; params: unknown[] } {
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

export function splitUrl(core: DvContext, url: string, bctx?: BatchCtx): { path: string; query: Query } {
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

export function parseSelect(core: DvContext, e: EntityMeta, select: string | undefined): AttributeMeta[] | null {
  if (select === undefined || select.trim() === '') return null;
  return select.split(',').map((s) => s.trim()).filter(Boolean).map((p) => {
    const a = resolveProperty(e, p) ?? (e.attributes.get(p) && isLookup(e.attributes.get(p) as AttributeMeta) ? e.attributes.get(p) : undefined);
    if (!a) throw new DvError(400, CODES.queryNotSupported, `Could not find a property named '${p}' on type 'Microsoft.Dynamics.CRM.${e.logicalName}'.`);
    return a;
  });
}

export function parseExpand(core: DvContext, e: EntityMeta, expand: string | undefined): ExpandItem[] {
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

export function contextUrl(core: DvContext, e: EntityMeta, select: AttributeMeta[] | null, suffix = ''): string {
  const cols = select ? `(${select.map((a) => (isLookup(a) ? `_${a.logicalName}_value` : a.logicalName)).join(',')})` : '';
  return `${core.opts.apiBase}/$metadata#${e.entitySetName}${cols}${suffix}`;
}

/** `set(guid)` or `set(key='value')`: returns the existing row or undefined plus how to create it. */
export function resolveKey(core: DvContext, e: EntityMeta, key: string): ResolvedKey {
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
    const rows = core.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = ? AND ${column(a)} = ?${isStringAttr(a) ? ' COLLATE NOCASE' : ''} LIMIT 1`, [e.logicalName, value]);
    return { id: rows[0]?.id, keyAttr: a, keyValue: value };
  }
  throw badRequest(`Bad Request - Error in query syntax: the key '${key}' is neither a GUID nor an alternate key expression.`, CODES.queryNotSupported);
}

export function keyNotFound(core: DvContext, e: EntityMeta, key: string, r: { keyAttr?: AttributeMeta }): DvError {
  if (r.keyAttr) return new DvError(404, CODES.keyNotFound, `A record with the specified key values does not exist in ${e.logicalName} entity`);
  return notFound(e.logicalName, key.toLowerCase());
}

export interface ResolvedKey { id: string | undefined; keyAttr?: AttributeMeta; keyValue?: unknown }

