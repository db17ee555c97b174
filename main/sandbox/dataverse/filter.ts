/**
 * OData `$filter` for the Dataverse sandbox: tokenizer, recursive-descent parser and a compiler to SQLite
 * (json_extract over the JSON row column). User input only ever reaches SQL as bound parameters; property
 * names are resolved against entity metadata before they are spliced in as JSON paths.
 */
import type { AttributeMeta, EntityMeta } from './metadata';
import { ENTITIES, edmType, resolveProperty } from './metadata';
import { CODES, DvError } from './errors';

export type Literal =
  | { t: 'string'; v: string } | { t: 'number'; v: number; raw: string } | { t: 'guid'; v: string }
  | { t: 'datetime'; v: string } | { t: 'bool'; v: boolean } | { t: 'null' };

export type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterExpr =
  | { k: 'and' | 'or'; l: FilterExpr; r: FilterExpr }
  | { k: 'not'; e: FilterExpr }
  | { k: 'cmp'; op: CmpOp; prop: string; lit: Literal }
  | { k: 'fn'; fn: 'contains' | 'startswith' | 'endswith'; prop: string; value: string }
  | { k: 'in'; prop: string; values: Literal[]; negate: boolean };

type Tok =
  | { t: 'lit'; lit: Literal; pos: number } | { t: 'id'; v: string; pos: number }
  | { t: 'punc'; v: '(' | ')' | ',' | '[' | ']' | '='; pos: number };

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}/;
const NUM_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?/;
// One optional '/segment' for single-valued navigation paths such as parentcustomerid_account/name.
const ID_RE = /^[A-Za-z_][A-Za-z0-9_.]*(\/[A-Za-z_][A-Za-z0-9_]*)?/;

/** Dataverse stores datetimes with second precision, UTC. */
export function normalizeDateTime(s: string): string | null {
  const withZone = /T/.test(s) ? (/(Z|[+-]\d{2}:\d{2})$/.test(s) ? s : `${s}Z`) : `${s}T00:00:00Z`;
  const d = new Date(withZone);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function syntaxError(text: string, pos: number, what: string): DvError {
  return new DvError(400, CODES.queryNotSupported, `Syntax error at position ${pos} in '${text}'. ${what}`);
}

export function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '(' || c === ')' || c === ',' || c === '[' || c === ']' || c === '=') { toks.push({ t: 'punc', v: c, pos: i }); i++; continue; }
    if (c === "'") {
      let j = i + 1;
      let out = '';
      for (;;) {
        if (j >= text.length) throw syntaxError(text, i, 'Unterminated string literal.');
        if (text[j] === "'") {
          if (text[j + 1] === "'") { out += "'"; j += 2; continue; }
          break;
        }
        out += text[j++];
      }
      toks.push({ t: 'lit', lit: { t: 'string', v: out }, pos: i });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i, i + 64);
    let m: RegExpExecArray | null;
    if ((m = GUID_RE.exec(rest))) { toks.push({ t: 'lit', lit: { t: 'guid', v: m[0].toLowerCase() }, pos: i }); i += m[0].length; continue; }
    if ((m = DATETIME_RE.exec(rest)) || (m = DATE_RE.exec(rest))) {
      const v = normalizeDateTime(m[0]);
      if (v === null) throw syntaxError(text, i, `'${m[0]}' is not a valid date/time literal.`);
      toks.push({ t: 'lit', lit: { t: 'datetime', v }, pos: i }); i += m[0].length; continue;
    }
    if ((m = NUM_RE.exec(rest))) {
      const raw = m[0].replace(/[mMdDfFlL]$/, '');
      toks.push({ t: 'lit', lit: { t: 'number', v: Number(raw), raw }, pos: i }); i += m[0].length; continue;
    }
    if ((m = ID_RE.exec(text.slice(i)))) {
      const v = m[0];
      if (v === 'true' || v === 'false') toks.push({ t: 'lit', lit: { t: 'bool', v: v === 'true' }, pos: i });
      else if (v === 'null') toks.push({ t: 'lit', lit: { t: 'null' }, pos: i });
      else toks.push({ t: 'id', v, pos: i });
      i += v.length;
      continue;
    }
    throw syntaxError(text, i, `Unexpected character '${c}'.`);
  }
  return toks;
}

const CMP = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

/** Deepest nesting of parentheses / `not` accepted; deeper is a 400 (the real service refuses such filters too). */
export const MAX_FILTER_DEPTH = 100;
/** Most and/or operators in one $filter: the tree is compiled recursively, one level per operator. */
export const MAX_FILTER_TERMS = 2000;

export function parseFilter(text: string): FilterExpr {
  const toks = tokenize(text);
  let p = 0;
  let depth = 0;
  let terms = 0;
  const tooComplex = (what: string): never => {
    throw new DvError(400, CODES.queryNotSupported, `The $filter is too complex: ${what}. Simplify the filter.`);
  };
  const enter = () => {
    if (++depth > MAX_FILTER_DEPTH) tooComplex(`more than ${MAX_FILTER_DEPTH} nested parentheses or 'not'`);
  };
  const term = () => {
    if (++terms > MAX_FILTER_TERMS) tooComplex(`more than ${MAX_FILTER_TERMS} 'and'/'or' conditions`);
  };
  const peek = () => toks[p];
  const fail = (what: string): never => { throw syntaxError(text, peek()?.pos ?? text.length, what); };
  const expectPunc = (v: string) => {
    const t = toks[p];
    if (!t || t.t !== 'punc' || t.v !== v) fail(`'${v}' expected.`);
    p++;
  };
  const isId = (v: string) => { const t = peek(); return t?.t === 'id' && t.v === v; };
  const literal = (): Literal => {
    const t = toks[p];
    if (!t || t.t !== 'lit') return fail('Literal expected.');
    p++;
    return t.lit;
  };
  const property = (): string => {
    const t = toks[p];
    if (!t || t.t !== 'id') return fail('Property name expected.');
    p++;
    return t.v;
  };

  function orExpr(): FilterExpr {
    let l = andExpr();
    while (isId('or')) { p++; term(); l = { k: 'or', l, r: andExpr() }; }
    return l;
  }
  function andExpr(): FilterExpr {
    let l = unary();
    while (isId('and')) { p++; term(); l = { k: 'and', l, r: unary() }; }
    return l;
  }
  function unary(): FilterExpr {
    if (isId('not')) { p++; enter(); const e = unary(); depth--; return { k: 'not', e }; }
    return primary();
  }
  function primary(): FilterExpr {
    const t = peek();
    if (!t) return fail('Expression expected.');
    if (t.t === 'punc' && t.v === '(') { p++; enter(); const e = orExpr(); expectPunc(')'); depth--; return e; }
    if (t.t !== 'id') return fail('Property name or function expected.');
    const name = t.v;
    const next = toks[p + 1];
    if (next?.t === 'punc' && next.v === '(') {
      p += 2;
      if (name === 'contains' || name === 'startswith' || name === 'endswith') {
        const prop = property(); expectPunc(',');
        const lit = literal();
        if (lit.t !== 'string') fail(`The function '${name}' requires a string literal.`);
        expectPunc(')');
        return { k: 'fn', fn: name, prop, value: (lit as { v: string }).v };
      }
      if (name === 'Microsoft.Dynamics.CRM.In' || name === 'Microsoft.Dynamics.CRM.NotIn') {
        // Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['a','b'])
        let prop = '';
        const values: Literal[] = [];
        for (let n = 0; n < 2; n++) {
          const key = property(); expectPunc('=');
          if (key === 'PropertyName') { const l = literal(); if (l.t !== 'string') fail('PropertyName must be a string.'); prop = (l as { v: string }).v; }
          else if (key === 'PropertyValues') {
            expectPunc('[');
            while (!(peek()?.t === 'punc' && (peek() as { v: string }).v === ']')) {
              values.push(literal());
              if (peek()?.t === 'punc' && (peek() as { v: string }).v === ',') p++;
            }
            expectPunc(']');
          } else fail(`Unknown parameter '${key}'.`);
          if (n === 0) expectPunc(',');
        }
        expectPunc(')');
        return { k: 'in', prop, values, negate: name.endsWith('NotIn') };
      }
      return fail(`Unknown function '${name}'.`);
    }
    p++;
    const opTok = peek();
    if (opTok?.t === 'id' && opTok.v === 'in') {
      p++; expectPunc('(');
      const values: Literal[] = [literal()];
      while (peek()?.t === 'punc' && (peek() as { v: string }).v === ',') { p++; values.push(literal()); }
      expectPunc(')');
      return { k: 'in', prop: name, values, negate: false };
    }
    if (!opTok || opTok.t !== 'id' || !CMP.has(opTok.v)) return fail('Comparison operator expected.');
    p++;
    return { k: 'cmp', op: opTok.v as CmpOp, prop: name, lit: literal() };
  }

  const e = orExpr();
  if (p < toks.length) fail('Unexpected token.');
  return e;
}

export interface CompiledFilter { sql: string; params: unknown[] }

const SAFE_NAME = /^[a-z0-9_]+$/;
export function column(a: AttributeMeta, table = ''): string {
  if (!SAFE_NAME.test(a.logicalName)) throw new Error(`unsafe attribute name ${a.logicalName}`);
  return `json_extract(${table ? `${table}.` : ''}data,'$.${a.logicalName}')`;
}

export function isStringAttr(a: AttributeMeta): boolean {
  return a.type === 'String' || a.type === 'Memo';
}

function litName(l: Literal): string {
  switch (l.t) {
    case 'string': return 'Edm.String';
    case 'number': return Number.isInteger(l.v) && !l.raw.includes('.') ? 'Edm.Int32' : 'Edm.Decimal';
    case 'guid': return 'Edm.Guid';
    case 'datetime': return 'Edm.DateTimeOffset';
    case 'bool': return 'Edm.Boolean';
    case 'null': return 'null';
  }
}

const OP_KIND: Record<CmpOp, string> = { eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual' };

/** Convert a literal to the stored representation of the attribute, or explain the type clash like the service. */
export function coerce(a: AttributeMeta, l: Literal, op: CmpOp | 'in', lenientStrings = false): unknown {
  if (l.t === 'null') return null;
  const clash = () => new DvError(400, CODES.queryNotSupported,
    `A binary operator with incompatible types was detected. Found operand types '${edmType(a)}' and '${litName(l)}' for operator kind '${op === 'in' ? 'In' : OP_KIND[op]}'.`);
  const str = lenientStrings && l.t === 'string' ? l.v : undefined;
  switch (a.type) {
    case 'String': case 'Memo':
      if (l.t !== 'string') throw clash();
      return l.v;
    case 'Integer': case 'BigInt': case 'Decimal': case 'Money': case 'Picklist': case 'State': case 'Status':
      if (l.t === 'number') return l.v;
      if (str !== undefined && str.trim() !== '' && !Number.isNaN(Number(str))) return Number(str);
      throw clash();
    case 'Boolean':
      if (l.t === 'bool') return l.v ? 1 : 0;
      if (str === 'true' || str === 'false') return str === 'true' ? 1 : 0;
      throw clash();
    case 'DateTime': {
      if (l.t === 'datetime') return l.v;
      const d = str !== undefined ? normalizeDateTime(str) : null;
      if (d) return d;
      throw clash();
    }
    case 'Uniqueidentifier': case 'Lookup': case 'Customer': case 'Owner':
      if (l.t === 'guid') return l.v;
      if (str !== undefined && GUID_RE.test(str)) return str.toLowerCase();
      throw clash();
  }
}

export function compileFilter(e: EntityMeta, expr: FilterExpr): CompiledFilter {
  const params: unknown[] = [];
  const unknownProp = (prop: string, on: EntityMeta) =>
    new DvError(400, CODES.queryNotSupported, `Could not find a property named '${prop}' on type 'Microsoft.Dynamics.CRM.${on.logicalName}'.`);
  /**
   * Resolve a property or a single-valued navigation path. A path becomes an EXISTS over the related row, so a
   * row whose lookup is empty never matches (also not for `eq null` on the path).
   */
  const target = (prop: string): { a: AttributeMeta; col: string; wrap: (sql: string) => string } => {
    const slash = prop.indexOf('/');
    if (slash < 0) {
      const a = resolveProperty(e, prop);
      if (!a) throw unknownProp(prop, e);
      // The primary id is the row key (dv_rows.id, the same lower-cased value as in the JSON): a filter on it is
      // answered from the (entity, id) primary-key index, as Dataverse answers it from its clustered index. Through
      // json_extract every `productid eq …` / In(…) read scanned the whole table.
      if (a.logicalName === e.primaryIdAttribute) return { a, col: 'id', wrap: (sql) => sql };
      return { a, col: column(a), wrap: (sql) => sql };
    }
    const nav = prop.slice(0, slash);
    const la = e.navToAttr.get(nav);
    const navDef = la?.navs?.find((n) => n.nav === nav);
    if (!la || !navDef) throw unknownProp(nav, e);
    if (navDef.targets.length !== 1) throw new DvError(400, CODES.queryNotSupported, `Filtering through the polymorphic navigation property '${nav}' is not supported; use a typed one such as '${nav}_account'.`);
    const te = ENTITIES.get(navDef.targets[0]) as EntityMeta;
    const a = resolveProperty(te, prop.slice(slash + 1));
    if (!a) throw unknownProp(prop.slice(slash + 1), te);
    if (!SAFE_NAME.test(te.logicalName)) throw new Error(`unsafe entity name ${te.logicalName}`);
    return {
      a, col: column(a, 't'),
      wrap: (sql) => `EXISTS (SELECT 1 FROM dv_rows t WHERE t.entity = '${te.logicalName}' AND t.id = ${column(la, 'dv_rows')} AND ${sql})`,
    };
  };
  const likeEscape = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);
  function go(x: FilterExpr): string {
    switch (x.k) {
      case 'and': return `(${go(x.l)} AND ${go(x.r)})`;
      case 'or': return `(${go(x.l)} OR ${go(x.r)})`;
      case 'not': return `(NOT COALESCE(${go(x.e)},0))`;
      case 'fn': {
        const { a, col, wrap } = target(x.prop);
        if (!isStringAttr(a)) throw new DvError(400, CODES.queryNotSupported, `The '${x.fn}' function is only supported on string columns; '${x.prop}' is ${edmType(a)}.`);
        const pattern = x.fn === 'contains' ? `%${likeEscape(x.value)}%` : x.fn === 'startswith' ? `${likeEscape(x.value)}%` : `%${likeEscape(x.value)}`;
        params.push(pattern);
        return wrap(`(${col} LIKE ? ESCAPE '\\')`);
      }
      case 'in': {
        const { a, col, wrap } = target(x.prop);
        if (x.values.length === 0) return x.negate ? '1' : '0';
        // Microsoft.Dynamics.CRM.In sends every value as a string literal, so coercion is lenient here.
        const vals = x.values.map((l) => coerce(a, l, 'in', true));
        params.push(...vals);
        const coll = isStringAttr(a) ? ' COLLATE NOCASE' : '';
        const list = vals.map(() => '?').join(',');
        return wrap(x.negate ? `(${col}${coll} NOT IN (${list}) OR ${col} IS NULL)` : `(${col}${coll} IN (${list}))`);
      }
      case 'cmp': {
        const { a, col, wrap } = target(x.prop);
        const v = coerce(a, x.lit, x.op);
        if (v === null) {
          if (x.op === 'eq') return wrap(`(${col} IS NULL)`);
          if (x.op === 'ne') return wrap(`(${col} IS NOT NULL)`);
          return '0';
        }
        params.push(v);
        const coll = isStringAttr(a) ? ' COLLATE NOCASE' : '';
        switch (x.op) {
          case 'eq': return wrap(`(${col} = ?${coll})`);
          // [unverified] Dataverse's "ne" is modelled as also matching rows where the column is null (FetchXML
          // 'ne' semantics as commonly reported). Check against a live org before relying on it either way.
          case 'ne': return wrap(`(${col} <> ?${coll} OR ${col} IS NULL)`);
          case 'gt': return wrap(`(${col} > ?${coll})`);
          case 'ge': return wrap(`(${col} >= ?${coll})`);
          case 'lt': return wrap(`(${col} < ?${coll})`);
          case 'le': return wrap(`(${col} <= ?${coll})`);
        }
      }
    }
  }
  return { sql: go(expr), params };
}

/**
 * Evaluate a filter over a plain object (for small virtual sets such as EntityDefinitions and
 * systemuserrolescollection that are not stored as rows). Strings compare case-insensitively like SQL.
 */
export function evaluateFilter(x: FilterExpr, obj: Record<string, unknown>): boolean {
  const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : typeof v === 'boolean' ? Number(v) : v);
  const litValue = (l: Literal): unknown => (l.t === 'null' ? null : l.t === 'bool' ? Number(l.v) : l.t === 'string' || l.t === 'guid' || l.t === 'datetime' ? l.v.toLowerCase() : l.v);
  const known = (p: string) => {
    if (!(p in obj)) throw new DvError(400, CODES.queryNotSupported, `Could not find a property named '${p}' on this type.`);
    return norm(obj[p]);
  };
  switch (x.k) {
    case 'and': return evaluateFilter(x.l, obj) && evaluateFilter(x.r, obj);
    case 'or': return evaluateFilter(x.l, obj) || evaluateFilter(x.r, obj);
    case 'not': return !evaluateFilter(x.e, obj);
    case 'fn': {
      const v = known(x.prop);
      if (typeof v !== 'string') return false;
      const t = x.value.toLowerCase();
      return x.fn === 'contains' ? v.includes(t) : x.fn === 'startswith' ? v.startsWith(t) : v.endsWith(t);
    }
    case 'in': {
      const v = known(x.prop);
      const hit = x.values.some((l) => litValue(l) === v);
      return x.negate ? !hit : hit;
    }
    case 'cmp': {
      const v = known(x.prop) as number | string | null;
      const l = litValue(x.lit) as number | string | null;
      if (l === null) return x.op === 'eq' ? v === null : x.op === 'ne' ? v !== null : false;
      if (v === null) return x.op === 'ne';
      switch (x.op) {
        case 'eq': return v === l;
        case 'ne': return v !== l;
        case 'gt': return v > l;
        case 'ge': return v >= l;
        case 'lt': return v < l;
        case 'le': return v <= l;
      }
    }
  }
}
