/**
 * The BC sandbox's OData → SQL compiler: $filter trees, $orderby and keyset paging become SQL over json_extract with
 * bound parameters (field names are only ever taken from the entity model, never from the request), and $select
 * becomes a json_object projection so collection reads serialise straight from SQLite.
 */
import type { Exposure, FieldDef } from './entities';
import { TABLES } from './entities';
import type { FilterNode, Literal, OrderBy } from './odata';
import { BcError } from './odata';
import type { RawRow, StoredRow } from './storage';
import { defaultFor, fieldSql, sqlConst } from './storage';

/** A filter that is only `id eq …` terms joined by `or` (the exposure's `id` property is the row key). */
function isIdList(exp: Exposure, n: FilterNode): boolean {
  if (n.type === 'or') return isIdList(exp, n.left) && isIdList(exp, n.right);
  return n.type === 'cmp' && n.op === 'eq' && n.value.kind !== 'null' && exp.fields.get(n.field)?.from === 'id';
}

const edmOf = (d: FieldDef) =>
  ({ string: 'Edm.String', option: 'Edm.String', number: 'Edm.Decimal', int: 'Edm.Int32', boolean: 'Edm.Boolean', date: 'Edm.Date', datetime: 'Edm.DateTimeOffset', guid: 'Edm.Guid' })[d.type];
const edmOfLiteral = (l: Literal) =>
  ({ string: 'Edm.String', number: 'Edm.Decimal', boolean: 'Edm.Boolean', null: 'null', guid: 'Edm.Guid', date: 'Edm.Date', datetime: 'Edm.DateTimeOffset' })[l.kind];
const OP_KIND: Record<string, string> = { eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual' };
const OP_SQL: Record<string, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

export interface ListQuery {
  filter?: FilterNode;
  orderBy?: OrderBy[];
  skip?: number;
  /** Keyset cursor from a previous page: order values followed by seq. */
  after?: unknown[];
  limit: number;
  count?: boolean;
  parent?: string;
}

export interface RawListResult {
  rows: RawRow[];
  next?: unknown[];
  count?: number;
}

export interface ListResult {
  rows: StoredRow[];
  /** Cursor for the row after the last one returned, when more rows exist. */
  next?: unknown[];
  count?: number;
}

export function sqlField(exp: Exposure, name: string): { sql: string; def: FieldDef } {
  const f = exp.fields.get(name);
  if (!f)
    throw new BcError(400, 'BadRequest_NotFound', `Could not find a property named '${name}' on type 'Microsoft.NAV.${exp.entityType}'. Check the spelling (names are case-sensitive).`);
  if (f.from === 'lastModifiedDateTime') return { sql: 'modified', def: f.def };
  if (f.from === 'id') return { sql: 'id', def: f.def };
  return { sql: fieldSql(TABLES[exp.table]!, f.from), def: f.def };
}

export function literalParam(def: FieldDef, lit: Literal, op: string, fieldSql: string): unknown {
  const mismatch = () =>
    new BcError(400, 'BadRequest', `A binary operator with incompatible types was detected. Found operand types '${edmOf(def)}' and '${edmOfLiteral(lit)}' for operator kind '${OP_KIND[op]}'.`);
  switch (def.type) {
    case 'string':
    case 'option':
      if (lit.kind !== 'string') throw mismatch();
      return lit.value;
    case 'number':
    case 'int':
      if (lit.kind !== 'number') throw mismatch();
      return lit.value;
    case 'boolean':
      if (lit.kind !== 'boolean') throw mismatch();
      return lit.value ? 1 : 0;
    case 'guid':
      if (lit.kind !== 'guid') throw mismatch();
      return lit.value;
    case 'date':
      if (lit.kind !== 'date') throw mismatch();
      return lit.value;
    case 'datetime':
      if (lit.kind !== 'datetime') throw mismatch();
      return fieldSql === 'modified' ? Date.parse(lit.value) : lit.value;
  }
}

export function filterSql(exp: Exposure, n: FilterNode, params: unknown[]): string {
  switch (n.type) {
    case 'or': {
      // `id eq a or id eq b …` (the adapters' reads by id, 50 per request) as one IN list: SQLite then searches the
      // (tbl, id) index per value; the nested ORs made it walk the whole table in seq order instead.
      const leaves: FilterNode[] = [];
      const collect = (x: FilterNode): void => (x.type === 'or' ? (collect(x.left), collect(x.right)) : void leaves.push(x));
      collect(n);
      const first = leaves[0]!;
      if (first.type === 'cmp' && leaves.every((l) => l.type === 'cmp' && l.op === 'eq' && l.field === first.field && l.value.kind !== 'null')) {
        const { sql, def } = sqlField(exp, first.field);
        for (const l of leaves) params.push(literalParam(def, (l as typeof first).value, 'eq', sql));
        return `(${sql} IN (${leaves.map(() => '?').join(', ')}))`;
      }
      return `(${filterSql(exp, n.left, params)} OR ${filterSql(exp, n.right, params)})`;
    }
    case 'and':
      return `(${filterSql(exp, n.left, params)} AND ${filterSql(exp, n.right, params)})`;
    case 'not':
      return `(NOT ${filterSql(exp, n.expr, params)})`;
    case 'fn': {
      const { sql, def } = sqlField(exp, n.field);
      if (def.type !== 'string' && def.type !== 'option')
        throw new BcError(400, 'BadRequest', `${n.fn}() needs a text property, but '${n.field}' is ${edmOf(def)}.`);
      const esc = n.value.replace(/[\\%_]/g, (c) => `\\${c}`);
      params.push(n.fn === 'startswith' ? `${esc}%` : n.fn === 'endswith' ? `%${esc}` : `%${esc}%`);
      return `(${sql} LIKE ? ESCAPE '\\')`;
    }
    case 'cmp': {
      const { sql, def } = sqlField(exp, n.field);
      if (n.value.kind === 'null') {
        if (n.op === 'eq') return `(${sql} IS NULL)`;
        if (n.op === 'ne') return `(${sql} IS NOT NULL)`;
        throw new BcError(400, 'BadRequest', `null can only be compared with eq or ne (got '${n.field} ${n.op} null').`);
      }
      params.push(literalParam(def, n.value, n.op, sql));
      return `(${sql} ${OP_SQL[n.op]} ?)`;
    }
  }
}

export function jsonProjection(exp: Exposure, select: string[] | undefined): string {
  const key = `${exp.group}\u0000${exp.set}\u0000${select?.join(',') ?? ''}`;
  let sql = projections.get(key);
  if (sql !== undefined) return sql;
  const table = TABLES[exp.table]!;
  // Same names, order and skipping as `project`: a repeated $select item keeps its first position.
  const names = [...new Set(select ?? exp.fields.keys())].filter((n) => exp.fields.has(n));
  const parts = [`'@odata.etag', bc_etag(ver)`];
  for (const n of names) {
    const f = exp.fields.get(n)!;
    if (f.from === 'lastModifiedDateTime') {
      // toISOString's form from the integer milliseconds (no floating-point seconds).
      parts.push(`${sqlConst(n)}, strftime('%Y-%m-%dT%H:%M:%S', modified / 1000, 'unixepoch') || printf('.%03dZ', modified % 1000)`);
      continue;
    }
    const def = table.fields.get(f.from) ?? f.def;
    // `->` yields the stored JSON text of the value, marked as JSON so json_object embeds it as is (IFNULL keeps
    // that mark; json() gives the default literal the same). No null and no upper-case GUID to normalise here:
    // every stored row went through compactRow, which leaves out nulls and defaults and lower-cases GUIDs.
    parts.push(`${sqlConst(n)}, IFNULL(data -> ${sqlConst(`$.${f.from}`)}, json(${sqlConst(JSON.stringify(defaultFor(def)))}))`);
  }
  sql = `json_object(${parts.join(', ')})`;
  projections.set(key, sql);
  return sql;
}

const projections = new Map<string, string>();

/** One page's SELECT (with k0…kn key columns for the next cursor) and, for $count, the COUNT over the same filter. */
export interface CompiledPage {
  sql: string;
  params: unknown[];
  /** Number of key columns (order values…, seq) selected as k0…kn. */
  keys: number;
  countSql: string;
  countParams: unknown[];
}

/** Compile one page of a list. Keyset pagination on (order values…, seq) so concurrent writes never shift pages. */
export function compilePage(exp: Exposure, company: string, q: ListQuery, columns: string): CompiledPage {
  const params: unknown[] = [exp.table];
  const where: string[] = ['tbl = ?'];
  if (TABLES[exp.table]!.companyScoped) {
    where.push('company = ?');
    params.push(company);
  }
  if (q.parent !== undefined) {
    where.push('parent = ?');
    params.push(q.parent);
  }
  if (exp.where) {
    where.push(`${fieldSql(TABLES[exp.table]!, exp.where.field)} IN (${exp.where.in.map(() => '?').join(', ')})`);
    params.push(...exp.where.in.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)));
  }
  if (q.filter) where.push(filterSql(exp, q.filter, params));
  const baseWhere = where.join(' AND ');
  const baseParams = [...params];

  const order = (q.orderBy ?? []).map((o) => ({ sql: sqlField(exp, o.field).sql, desc: o.desc }));
  order.push({ sql: 'seq', desc: false });
  if (q.after) {
    if (q.after.length !== order.length) throw new BcError(400, 'BadRequest', 'The $skiptoken does not belong to this query. Restart paging from the first page.');
    if (order.every((o) => !o.desc)) {
      // All ascending (the sync's "lastModifiedDateTime asc"): one row-value comparison, which SQLite turns into
      // an index range start; the expanded OR form below made every later page walk the index from the start.
      where.push(`(${order.map((o) => o.sql).join(', ')}) > (${order.map(() => '?').join(', ')})`);
      params.push(...q.after);
    } else {
      const ors: string[] = [];
      for (let i = 0; i < order.length; i++) {
        const parts: string[] = [];
        for (let j = 0; j < i; j++) {
          parts.push(`${order[j]!.sql} = ?`);
          params.push(q.after[j]);
        }
        parts.push(`${order[i]!.sql} ${order[i]!.desc ? '<' : '>'} ?`);
        params.push(q.after[i]);
        ors.push(`(${parts.join(' AND ')})`);
      }
      where.push(`(${ors.join(' OR ')})`);
    }
  }
  const keyCols = order.map((o, i) => `${o.sql} AS k${i}`).join(', ');
  // A read by ids (`id eq a or id eq b …`, ≤ 50 per request from the adapters) is ≤ 50 searches of rec_id. Left to
  // itself the planner walked rec_scan in seq order to spare the sort of those few rows: a whole table per request.
  const from = q.filter && isIdList(exp, q.filter) ? 'rec INDEXED BY rec_id' : 'rec';
  const sql = `SELECT ${columns}, ${keyCols} FROM ${from} WHERE ${where.join(' AND ')}
      ORDER BY ${order.map((o) => `${o.sql}${o.desc ? ' DESC' : ''}`).join(', ')} LIMIT ? OFFSET ?`;
  params.push(q.limit + 1, q.skip ?? 0);
  return { sql, params, keys: order.length, countSql: `SELECT COUNT(*) AS c FROM rec WHERE ${baseWhere}`, countParams: baseParams };
}
