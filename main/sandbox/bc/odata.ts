/**
 * The subset of OData v4 query syntax Business Central's API accepts, with BC's own restrictions:
 * `$filter` (eq/ne/gt/ge/lt/le, and/or/not, parentheses, startswith/contains/endswith), `$orderby`, `$select`,
 * `$expand`. Literals follow OData ABNF: strings in single quotes ('' escapes a quote), unquoted numbers,
 * booleans, null, GUIDs, dates (2024-01-31) and date-times (2024-01-31T10:00:00.123Z).
 *
 * Pure functions; no SQL here (see store.ts). `printFilter` is the inverse of `parseFilter` so property tests
 * can check the grammar round-trips.
 */

export class BcError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FnName = 'startswith' | 'contains' | 'endswith';

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'guid'; value: string }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: string };

export type FilterNode =
  | { type: 'cmp'; op: CmpOp; field: string; value: Literal }
  | { type: 'fn'; fn: FnName; field: string; value: string }
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; expr: FilterNode };

type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'lit'; v: Literal; pos: number }
  | { t: '(' | ')' | ','; pos: number };

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z_-])/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})(?![0-9A-Za-z_])/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?![0-9A-Za-z_:T-])/;
const NUMBER_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?(?![0-9A-Za-z_-])/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

const filterError = (detail: string) =>
  new BcError(400, 'BadRequest', `Invalid $filter: ${detail}. Check the syntax against the OData v4 URL conventions.`);

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= src.length) throw filterError(`unterminated string literal starting at position ${i}`);
        if (src[j] === "'") {
          if (src[j + 1] === "'") {
            s += "'";
            j += 2;
            continue;
          }
          break;
        }
        s += src[j];
        j++;
      }
      out.push({ t: 'lit', v: { kind: 'string', value: s }, pos: i });
      i = j + 1;
      continue;
    }
    const rest = src.slice(i);
    let m = GUID_RE.exec(rest);
    if (m) {
      out.push({ t: 'lit', v: { kind: 'guid', value: m[0].toLowerCase() }, pos: i });
      i += m[0].length;
      continue;
    }
    m = DATETIME_RE.exec(rest);
    if (m) {
      const d = new Date(m[0]);
      if (Number.isNaN(d.getTime())) throw filterError(`'${m[0]}' is not a valid date-time`);
      out.push({ t: 'lit', v: { kind: 'datetime', value: d.toISOString() }, pos: i });
      i += m[0].length;
      continue;
    }
    m = DATE_RE.exec(rest);
    if (m) {
      if (Number.isNaN(new Date(`${m[0]}T00:00:00Z`).getTime())) throw filterError(`'${m[0]}' is not a valid date`);
      out.push({ t: 'lit', v: { kind: 'date', value: m[0] }, pos: i });
      i += m[0].length;
      continue;
    }
    m = NUMBER_RE.exec(rest);
    if (m) {
      out.push({ t: 'lit', v: { kind: 'number', value: Number(m[0]), text: m[0] }, pos: i });
      i += m[0].length;
      continue;
    }
    m = IDENT_RE.exec(rest);
    if (m) {
      const w = m[0];
      if (w === 'true' || w === 'false') out.push({ t: 'lit', v: { kind: 'boolean', value: w === 'true' }, pos: i });
      else if (w === 'null') out.push({ t: 'lit', v: { kind: 'null' }, pos: i });
      else out.push({ t: 'ident', v: w, pos: i });
      i += w.length;
      continue;
    }
    throw filterError(`unexpected character '${c}' at position ${i}`);
  }
  return out;
}

const CMP_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FNS = new Set<string>(['startswith', 'contains', 'endswith']);

/** Parse a `$filter` expression. Precedence: not > and > or (OData). Throws BcError 400 on bad syntax. */
export function parseFilter(src: string): FilterNode {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isWord = (w: string) => {
    const t = toks[p];
    return t?.t === 'ident' && t.v === w;
  };
  const expect = (t: '(' | ')' | ',') => {
    const k = toks[p];
    if (k?.t !== t) throw filterError(`expected '${t}' ${k ? `at position ${k.pos}` : 'at the end'}`);
    p++;
  };
  function parseOr(): FilterNode {
    let left = parseAnd();
    while (isWord('or')) {
      p++;
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): FilterNode {
    let left = parseUnary();
    while (isWord('and')) {
      p++;
      left = { type: 'and', left, right: parseUnary() };
    }
    return left;
  }
  function parseUnary(): FilterNode {
    if (isWord('not')) {
      p++;
      return { type: 'not', expr: parseUnary() };
    }
    const t = peek();
    if (!t) throw filterError('the expression ends too early');
    if (t.t === '(') {
      p++;
      const e = parseOr();
      expect(')');
      return e;
    }
    if (t.t !== 'ident') throw filterError(`expected a property name at position ${t.pos}`);
    p++;
    if (FNS.has(t.v) && peek()?.t === '(') {
      p++;
      const f = peek();
      if (f?.t !== 'ident') throw filterError(`${t.v}() expects a property name as its first argument`);
      p++;
      expect(',');
      const s = peek();
      if (s?.t !== 'lit' || s.v.kind !== 'string') throw filterError(`${t.v}() expects a quoted string as its second argument`);
      p++;
      expect(')');
      // BC accepts the bare call and the explicit "eq true" form.
      if (isWord('eq') && toks[p + 1]?.t === 'lit') {
        const b = toks[p + 1] as { t: 'lit'; v: Literal };
        if (b.v.kind === 'boolean') {
          p += 2;
          const node: FilterNode = { type: 'fn', fn: t.v as FnName, field: f.v, value: s.v.value };
          return b.v.value ? node : { type: 'not', expr: node };
        }
      }
      return { type: 'fn', fn: t.v as FnName, field: f.v, value: s.v.value };
    }
    const op = peek();
    if (op?.t !== 'ident' || !CMP_OPS.has(op.v))
      throw filterError(`expected a comparison operator (eq, ne, gt, ge, lt, le) after '${t.v}'`);
    p++;
    const lit = peek();
    if (lit?.t !== 'lit') throw filterError(`expected a literal value after '${t.v} ${op.v}'`);
    p++;
    return { type: 'cmp', op: op.v as CmpOp, field: t.v, value: lit.v };
  }
  if (toks.length === 0) throw filterError('the expression is empty');
  const node = parseOr();
  if (p < toks.length) throw filterError(`unexpected token at position ${toks[p]!.pos}`);
  return node;
}

export function printLiteral(l: Literal): string {
  switch (l.kind) {
    case 'string':
      return `'${l.value.replace(/'/g, "''")}'`;
    case 'number':
      return l.text;
    case 'boolean':
      return String(l.value);
    case 'null':
      return 'null';
    case 'guid':
    case 'date':
    case 'datetime':
      return l.value;
  }
}

/** Canonical text of a filter (fully parenthesised binary nodes). parseFilter(printFilter(n)) deep-equals n. */
export function printFilter(n: FilterNode): string {
  switch (n.type) {
    case 'cmp':
      return `${n.field} ${n.op} ${printLiteral(n.value)}`;
    case 'fn':
      return `${n.fn}(${n.field},${printLiteral({ kind: 'string', value: n.value })})`;
    case 'not':
      return `not (${printFilter(n.expr)})`;
    case 'and':
    case 'or':
      return `(${printFilter(n.left)}) ${n.type} (${printFilter(n.right)})`;
  }
}

export function fieldsOf(n: FilterNode, into = new Set<string>()): Set<string> {
  if (n.type === 'cmp' || n.type === 'fn') into.add(n.field);
  else if (n.type === 'not') fieldsOf(n.expr, into);
  else {
    fieldsOf(n.left, into);
    fieldsOf(n.right, into);
  }
  return into;
}

/** BC translates $filter into AL record filters, which can only OR values of one field. */
export function assertOrOnSameField(n: FilterNode): void {
  if (n.type === 'or' && fieldsOf(n).size > 1)
    throw new BcError(400, 'BadRequest_NotSupported', "The 'OR' operator is not supported on distinct fields on an OData filter.");
  if (n.type === 'and' || n.type === 'or') {
    assertOrOnSameField(n.left);
    assertOrOnSameField(n.right);
  } else if (n.type === 'not') assertOrOnSameField(n.expr);
}

export interface OrderBy {
  field: string;
  desc: boolean;
}

export function parseOrderBy(src: string): OrderBy[] {
  return src.split(',').map((part) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/.exec(part);
    if (!m) throw new BcError(400, 'BadRequest', `Invalid $orderby clause '${part.trim()}'. Use "field" or "field asc|desc", comma-separated.`);
    return { field: m[1]!, desc: m[2] === 'desc' };
  });
}

export function parseSelect(src: string): string[] {
  const names = src.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new BcError(400, 'BadRequest', `Invalid $select item '${n}'. List property names separated by commas.`);
  return names;
}

export interface ExpandItem {
  nav: string;
  select?: string[];
}

/** `$expand=salesOrderLines` or `salesOrderLines($select=a,b)`; nested options other than $select are rejected. */
export function parseExpand(src: string): ExpandItem[] {
  const items: ExpandItem[] = [];
  let depth = 0;
  let cur = '';
  const parts: string[] = [];
  for (const ch of src) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$/.exec(raw);
    if (!m) throw new BcError(400, 'BadRequest', `Invalid $expand item '${raw.trim()}'.`);
    const item: ExpandItem = { nav: m[1]! };
    if (m[2] !== undefined && m[2].trim() !== '') {
      const opt = /^\$select=(.*)$/.exec(m[2].trim());
      if (!opt) throw new BcError(400, 'BadRequest', `Only $select is supported inside $expand (got '${m[2]}').`);
      item.select = parseSelect(opt[1]!);
    }
    items.push(item);
  }
  return items;
}
