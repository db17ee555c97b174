/**
 * Graph wire helpers: the call/reply shapes routes work on (so `$batch` can re-enter the router without HTTP),
 * Graph's error envelope, and the query options the sandbox honours ($filter subset, $select, $top, paging).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SandboxPrincipal } from '../auth';

export interface Call {
  method: string;
  /** Path segments after the version, OData key segments split: /teams('x')/operations('y') → teams,x,operations,y. */
  segs: string[];
  /** Path after the version as sent (for next links). */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: unknown;
  principal: SandboxPrincipal;
  /** https://127.0.0.1:P/v1.0 (or /beta). */
  base: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** undefined → no body (204) unless `emptyJson`. */
  body?: unknown;
  /** 202 from POST /teams: Content-Type application/json with an empty body. */
  emptyJson?: boolean;
}

export class GraphFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const fault = (status: number, code: string, message: string, headers?: Record<string, string>) => new GraphFault(status, code, message, headers);
export const notFoundDirectory = (id: string) =>
  fault(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
export const badRequest = (message: string, code = 'BadRequest') => fault(400, code, message);

export function errorBody(code: string, message: string, requestId: string, clientRequestId: string, date: string) {
  return { error: { code, message, innerError: { date, 'request-id': requestId, 'client-request-id': clientRequestId } } };
}

/** A v4 GUID (randomUUID draws from a pooled entropy buffer: one syscall per many ids, not one per request). */
export const newId = (): string => randomUUID();
/** Planner ids: 28 case-sensitive characters (from a pooled entropy buffer, refilled 4 KB at a time). */
let pool = Buffer.alloc(0);
let at = 0;
export const plannerId = (): string => {
  if (at + 21 > pool.length) {
    pool = randomBytes(4096);
    at = 0;
  }
  at += 21;
  return pool.toString('base64url', at - 21, at);
};

/** Split a path into segments, expanding OData key syntax name('key') / name(key). */
export function segments(path: string): string[] {
  const out: string[] = [];
  for (const raw of path.split('/').filter(Boolean)) {
    const s = decodeURIComponent(raw);
    const m = /^([A-Za-z$][\w.$]*)\((?:'((?:[^']|'')*)'|([^)]*))\)$/.exec(s);
    if (m) out.push(m[1]!, (m[2] ?? m[3] ?? '').replace(/''/g, "'"));
    else if (/^\('((?:[^']|'')*)'\)$/.test(s)) out.push(s.slice(2, -2).replace(/''/g, "'"));
    else out.push(s);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------ $filter

type Pred = (o: Record<string, unknown>) => boolean;

const unsupported = (f: string) => fault(400, 'Request_UnsupportedQuery', `Unsupported Query. The sandbox does not support this $filter: ${f}`);

function splitTop(expr: string, word: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  const w = ` ${word} `;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && expr.slice(i, i + w.length).toLowerCase() === w) {
      parts.push(expr.slice(start, i));
      start = i + w.length;
      i += w.length - 1;
    }
  }
  parts.push(expr.slice(start));
  return parts.map((p) => p.trim());
}

function literal(s: string, whole: string): unknown {
  const t = s.trim();
  if (/^'.*'$/s.test(t)) return t.slice(1, -1).replace(/''/g, "'");
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw unsupported(whole);
}

const eq = (a: unknown, b: unknown) => (typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : (a ?? null) === b);

/** The $filter subset Graph supports by default on directory objects: eq/ne, in, startswith, any() on collections, and/or, not. */
export function compileFilter(filter: string): Pred {
  const whole = filter;
  const one = (e: string): Pred => {
    const x = e.trim();
    if (/^\(.*\)$/s.test(x)) return compile(x.slice(1, -1));
    if (/^not\s+/i.test(x)) {
      const p = one(x.replace(/^not\s+/i, ''));
      return (o) => !p(o);
    }
    let m = /^startswith\(\s*([\w/]+)\s*,\s*('(?:[^']|'')*')\s*\)$/i.exec(x);
    if (m) {
      const prop = m[1]!;
      const v = String(literal(m[2]!, whole)).toLowerCase();
      return (o) => typeof o[prop] === 'string' && (o[prop] as string).toLowerCase().startsWith(v);
    }
    m = /^([\w]+)\/any\(\s*(\w+)\s*:\s*\2(?:\/(\w+))?\s+eq\s+('(?:[^']|'')*')\s*\)$/i.exec(x);
    if (m) {
      const prop = m[1]!;
      const sub = m[3];
      const v = literal(m[4]!, whole);
      return (o) => Array.isArray(o[prop]) && (o[prop] as unknown[]).some((it) => eq(sub ? (it as Record<string, unknown>)?.[sub] : it, v));
    }
    m = /^([\w]+)\s+in\s+\((.*)\)$/is.exec(x);
    if (m) {
      const prop = m[1]!;
      const vals = splitTop(m[2]!.replace(/,/g, ' , '), ',').map((v) => literal(v, whole));
      return (o) => vals.some((v) => eq(o[prop], v));
    }
    m = /^([\w]+)\s+(eq|ne)\s+(.+)$/i.exec(x);
    if (m) {
      const prop = m[1]!;
      const v = literal(m[3]!, whole);
      const neg = m[2]!.toLowerCase() === 'ne';
      return (o) => eq(o[prop], v) !== neg;
    }
    throw unsupported(whole);
  };
  const compile = (e: string): Pred => {
    const ors = splitTop(e, 'or').map((o) => splitTop(o, 'and').map(one));
    return (o) => ors.some((ands) => ands.every((p) => p(o)));
  };
  return compile(filter);
}

export function applySelect<T extends Record<string, unknown>>(o: T, select: string | null): Record<string, unknown> {
  if (!select) return o;
  const keys = select.split(',').map((s) => s.trim()).filter(Boolean);
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in o) out[k] = o[k];
  for (const k of Object.keys(o)) if (k.startsWith('@odata.')) out[k] = o[k];
  return out;
}

/** $filter, $select, $top, $skiptoken and $count over a list; next links are absolute https URLs with a $skiptoken. */
export function page(call: Call, items: Record<string, unknown>[], context: string, opts: { defaultTop?: number; maxTop?: number; advancedCount?: boolean } = {}) {
  // Directory objects (users, groups) count only as an advanced query: ConsistencyLevel: eventual is required.
  if (opts.advancedCount && call.query.get('$count') === 'true' && (call.headers.consistencylevel ?? '').toLowerCase() !== 'eventual')
    throw badRequest("$count is only supported on directory objects with the header 'ConsistencyLevel: eventual' (an advanced query).", 'Request_BadRequest');
  const f = call.query.get('$filter');
  const filtered = f ? items.filter(compileFilter(f)) : items;
  const topRaw = call.query.get('$top');
  const maxTop = opts.maxTop ?? 999;
  const top = topRaw === null ? (opts.defaultTop ?? 100) : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > maxTop) throw badRequest(`Invalid page size specified: '${topRaw}'. Must be between 1 and ${maxTop} inclusive.`, 'Request_BadRequest');
  const tok = call.query.get('$skiptoken');
  let offset = 0;
  if (tok !== null) {
    const m = /^X(\d+)$/.exec(tok);
    if (!m) throw badRequest('The $skiptoken is invalid: follow @odata.nextLink exactly as returned.', 'Request_BadRequest');
    offset = Number(m[1]);
  }
  const slice = filtered.slice(offset, offset + top);
  const out: Record<string, unknown> = { '@odata.context': `${call.base}/$metadata#${context}` };
  if (call.query.get('$count') === 'true' && tok === null) out['@odata.count'] = filtered.length;
  if (offset + top < filtered.length) {
    const q = new URLSearchParams(call.query);
    q.delete('$skiptoken');
    q.delete('$count');
    q.set('$top', String(top));
    q.set('$skiptoken', `X${offset + top}`);
    out['@odata.nextLink'] = `${call.base}/${call.path.replace(/^\//, '')}?${q.toString()}`;
  }
  out.value = slice.map((o) => applySelect(o, call.query.get('$select')));
  return out;
}

export function asObject(body: unknown, what = 'request body'): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`Write requests require a JSON object as the ${what}.`);
  return body as Record<string, unknown>;
}
