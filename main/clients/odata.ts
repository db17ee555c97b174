/**
 * OData query building shared by the Dataverse and Business Central clients.
 *
 * Query strings are built here rather than through URLSearchParams: URLSearchParams encodes a space as '+', which
 * OData services (and our sandbox) read as a literal '+' inside $filter. Values are percent-encoded with
 * encodeURIComponent; option names keep their literal '$'.
 *
 * `filter` is a tiny typed builder so callers never splice raw values into $filter text; every value goes through
 * main/http/odata's literal helpers (quotes doubled, GUIDs validated, dates as unquoted ISO literals).
 */
import { odataGuid, odataLiteral } from '../http/odata';

export type ODataScalar = string | number | boolean | null | Date;

const PROPERTY = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

function prop(name: string): string {
  if (!PROPERTY.test(name)) throw new Error(`"${name.slice(0, 60)}" is not a property name; $filter fields must be plain (navigation) property paths.`);
  return name;
}

/** A $filter expression built from escaped parts. `toString()` gives the filter text. */
export class Filter {
  private constructor(readonly text: string) {}
  static raw(text: string): Filter {
    return new Filter(text);
  }
  toString(): string {
    return this.text;
  }
}

type Cmp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const cmp = (op: Cmp) => (field: string, value: ODataScalar) => Filter.raw(`${prop(field)} ${op} ${odataLiteral(value)}`);

export const filter = {
  eq: cmp('eq'),
  ne: cmp('ne'),
  gt: cmp('gt'),
  ge: cmp('ge'),
  lt: cmp('lt'),
  le: cmp('le'),
  /** GUID comparison: GUIDs are unquoted literals in OData v4 (e.g. `_parentcustomerid_value eq <guid>`). */
  eqGuid: (field: string, id: string) => Filter.raw(`${prop(field)} eq ${odataGuid(id)}`),
  contains: (field: string, value: string) => Filter.raw(`contains(${prop(field)},${odataLiteral(value)})`),
  startswith: (field: string, value: string) => Filter.raw(`startswith(${prop(field)},${odataLiteral(value)})`),
  endswith: (field: string, value: string) => Filter.raw(`endswith(${prop(field)},${odataLiteral(value)})`),
  and: (...parts: (Filter | undefined)[]) => join('and', parts),
  or: (...parts: (Filter | undefined)[]) => join('or', parts),
  not: (f: Filter) => Filter.raw(`not (${f.text})`),
  /** `field eq a or field eq b …` — the same-field form BC accepts (it rejects `or` across different fields). */
  in: (field: string, values: readonly ODataScalar[]) => {
    if (values.length === 0) throw new Error(`filter.in(${field}) needs at least one value.`);
    return join('or', values.map((v) => filter.eq(field, v)));
  },
};

function join(op: 'and' | 'or', parts: (Filter | undefined)[]): Filter {
  const present = parts.filter((p): p is Filter => p !== undefined);
  if (present.length === 0) throw new Error(`filter.${op}() needs at least one expression.`);
  if (present.length === 1) return present[0]!;
  return Filter.raw(present.map((p) => `(${p.text})`).join(` ${op} `));
}

export interface QueryOptions {
  select?: readonly string[];
  filter?: Filter | string;
  orderby?: readonly string[] | string;
  top?: number;
  count?: boolean;
  /** Raw $expand text, e.g. `salesOrderLines($select=id,quantity)`. */
  expand?: string;
}

/**
 * Build `?$select=…&$filter=…` (empty string when nothing is set). A plain string `filter` is passed through as
 * written — only use that for constant text; build anything with values through `filter.*`.
 */
export function queryString(q: QueryOptions, extra: Record<string, string | undefined> = {}): string {
  const parts: string[] = [];
  const add = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') parts.push(`${k}=${encodeURIComponent(v)}`);
  };
  if (q.select?.length) add('$select', q.select.map(prop).join(','));
  if (q.filter !== undefined) add('$filter', String(q.filter));
  if (q.orderby !== undefined) add('$orderby', typeof q.orderby === 'string' ? q.orderby : q.orderby.join(','));
  if (q.top !== undefined) {
    if (!Number.isInteger(q.top) || q.top < 0) throw new Error(`$top must be a whole number ≥ 0; got ${q.top}.`);
    add('$top', String(q.top));
  }
  if (q.count) add('$count', 'true');
  add('$expand', q.expand);
  for (const [k, v] of Object.entries(extra)) add(k, v);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** `set(<guid>)` — validates the id so a crafted value cannot change the path. */
export function keyPath(set: string, id: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(set)) throw new Error(`"${set.slice(0, 60)}" is not an entity set name.`);
  return `${set}(${odataGuid(id)})`;
}

/** The GUID inside `…/accounts(<guid>)` (OData-EntityId / Location headers). */
export function idFromEntityUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const m = /\(([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)\/?$/.exec(url);
  return m ? m[1]!.toLowerCase() : null;
}

/** Split a list into chunks of `size` (bulk requests, BC's 100-operation batches). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`Chunk size must be a whole number ≥ 1; got ${size}.`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
