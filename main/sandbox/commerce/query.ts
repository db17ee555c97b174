/**
 * F&O OData query conventions on top of the shared OData v4 filter grammar (main/sandbox/bc/odata.ts):
 * eq ne gt ge lt le and or not with grouping; "contains" as a wildcard inside eq (`Name eq '*retail*'`);
 * enum literals `Microsoft.Dynamics.DataEntities.NoYes'Yes'` (eq/ne only); no `in`, no `has`, no functions.
 * Everything compiles to prepared SQL with bound parameters.
 */
import { BcError, parseFilter, parseOrderBy, parseSelect, tokenize } from '../bc/odata';
import type { FilterNode, Literal } from '../bc/odata';
import type { EntityDef, FieldDef } from './entities';
import { fieldOf } from './entities';
import { FoError } from './errors';
import { quoteIdent } from './store';

const ENUM_LITERAL = /Microsoft\.Dynamics\.DataEntities\.([A-Za-z_][A-Za-z0-9_]*)'((?:[^']|'')*)'/g;

function translate<T>(f: () => T): T {
  try {
    return f();
  } catch (x) {
    if (x instanceof BcError) throw FoError.badRequest(x.message);
    throw x;
  }
}

export function compileFilter(e: EntityDef, text: string): { sql: string; params: unknown[] } {
  const enumTypes = new Map<string, string>();
  const plain = text.replace(ENUM_LITERAL, (_m, type: string, value: string) => {
    enumTypes.set(value.replace(/''/g, "'"), type);
    return `'${value}'`;
  });
  const toks = translate(() => tokenize(plain));
  for (let i = 1; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.t === 'ident' && (t.v === 'in' || t.v === 'has') && toks[i - 1]!.t === 'ident')
      throw FoError.badRequest(`The query specified in the URI is not valid. The '${t.v}' operator is not supported by Finance and Operations OData; combine 'eq' comparisons with 'or' instead.`);
  }
  const node = translate(() => parseFilter(plain));
  const params: unknown[] = [];
  const sql = emit(e, node, params, enumTypes);
  return { sql, params };
}

function field(e: EntityDef, name: string): FieldDef {
  const f = fieldOf(e, name);
  if (!f) throw FoError.badRequest(`Could not find a property named '${name}' on type 'Microsoft.Dynamics.DataEntities.${e.publicEntityName}'.`);
  return f;
}

function value(f: FieldDef, l: Literal, op: string, enumTypes: Map<string, string>): unknown {
  if (l.kind === 'null') return null;
  switch (f.type) {
    case 'String':
      if (l.kind === 'string') return l.value;
      if (l.kind === 'number' || l.kind === 'guid') return l.kind === 'number' ? l.text : l.value;
      break;
    case 'Enum': {
      if (l.kind !== 'string') break;
      if (op !== 'eq' && op !== 'ne') throw FoError.badRequest(`Enum property '${f.name}' supports only the 'eq' and 'ne' operators.`);
      const t = enumTypes.get(l.value);
      if (t && t !== f.enumType) throw FoError.badRequest(`The enum type 'Microsoft.Dynamics.DataEntities.${t}' does not match property '${f.name}' of type 'Microsoft.Dynamics.DataEntities.${f.enumType}'.`);
      if (!f.members!.includes(l.value)) throw FoError.badRequest(`'${l.value}' is not a member of enum 'Microsoft.Dynamics.DataEntities.${f.enumType}' (members: ${f.members!.join(', ')}).`);
      return l.value;
    }
    case 'Boolean':
      if (l.kind === 'boolean') return l.value ? 1 : 0;
      break;
    case 'Int32':
    case 'Int64':
      if (l.kind === 'number') return l.value;
      break;
    case 'Date':
      if (l.kind === 'date') return l.value;
      if (l.kind === 'datetime') return l.value.slice(0, 10);
      break;
    case 'DateTimeOffset':
      if (l.kind === 'datetime') return new Date(l.value).toISOString().replace('.000Z', 'Z');
      if (l.kind === 'date') return `${l.value}T00:00:00Z`;
      break;
  }
  throw FoError.badRequest(`A binary operator with incompatible types was detected: property '${f.name}' is Edm.${f.type === 'Enum' ? f.enumType : f.type} and the literal is ${l.kind}.`);
}

const SQL_OP: Record<string, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

function emit(e: EntityDef, n: FilterNode, params: unknown[], enumTypes: Map<string, string>): string {
  switch (n.type) {
    case 'and':
    case 'or':
      return `(${emit(e, n.left, params, enumTypes)} ${n.type.toUpperCase()} ${emit(e, n.right, params, enumTypes)})`;
    case 'not':
      return `(NOT ${emit(e, n.expr, params, enumTypes)})`;
    case 'fn':
      throw FoError.badRequest(`The function '${n.fn}' is not supported in $filter. Use a wildcard inside 'eq' instead, e.g. ${n.field} eq '*${n.value}*'.`);
    case 'cmp': {
      const f = field(e, n.field);
      const col = quoteIdent(f.name);
      const v = value(f, n.value, n.op, enumTypes);
      if (v === null) {
        if (n.op === 'eq') return `${col} IS NULL`;
        if (n.op === 'ne') return `${col} IS NOT NULL`;
        throw FoError.badRequest(`null can only be compared with 'eq' or 'ne' (property '${f.name}').`);
      }
      if (f.type === 'String' && typeof v === 'string' && v.includes('*') && (n.op === 'eq' || n.op === 'ne')) {
        params.push(v.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%'));
        return `${n.op === 'ne' ? 'NOT ' : ''}(${col} LIKE ? ESCAPE '\\')`;
      }
      params.push(v);
      return `${col} ${SQL_OP[n.op]} ?`;
    }
  }
}

export function compileSelect(e: EntityDef, text: string): string[] {
  const names = translate(() => parseSelect(text));
  for (const n of names) field(e, n);
  return names;
}

export function compileOrderBy(e: EntityDef, text: string): { field: string; desc: boolean }[] {
  const items = translate(() => parseOrderBy(text));
  for (const i of items) field(e, i.field);
  return items;
}

export interface ExpandItem { nav: string; select?: string[] }

/** First-level `$expand` only (`Nav` or `Nav($select=a,b)`); nested expansions are rejected. */
export function compileExpand(e: EntityDef, text: string, entityOf: (collection: string) => EntityDef): ExpandItem[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((raw) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$/.exec(raw);
    if (!m) throw FoError.badRequest(`Invalid $expand item '${raw.trim()}'.`);
    const nav = (e.nav ?? []).find((x) => x.name === m[1]);
    if (!nav) throw FoError.badRequest(`Could not find a navigation property named '${m[1]}' on type 'Microsoft.Dynamics.DataEntities.${e.publicEntityName}'.`);
    const item: ExpandItem = { nav: nav.name };
    const opts = m[2]?.trim();
    if (opts) {
      if (/\$expand\s*=/.test(opts)) throw FoError.badRequest(`Only the first level of $expand is supported; '${m[1]}' cannot expand further.`);
      const sel = /^\$select=(.*)$/.exec(opts);
      if (!sel) throw FoError.badRequest(`Only $select is supported inside $expand (got '${opts}').`);
      item.select = compileSelect(entityOf(nav.target), sel[1]!);
    }
    return item;
  });
}

/** Parse `('x')` or `(dataAreaId='nrno',Key='x')` into key values. */
export function parseKey(e: EntityDef, text: string): Record<string, unknown> {
  const inner = text.slice(1, -1).trim();
  const out: Record<string, unknown> = {};
  const lit = (s: string): unknown => {
    const str = /^'((?:[^']|'')*)'$/.exec(s.trim());
    if (str) return str[1]!.replace(/''/g, "'");
    if (/^-?\d+$/.test(s.trim())) return s.trim();
    throw FoError.badRequest(`The key literal ${s} is not valid; quote strings like 'value'.`);
  };
  const pairs = inner.match(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^']|'')*'|-?\d+)/g);
  if (pairs && pairs.length > 0) {
    for (const p of pairs) {
      const i = p.indexOf('=');
      const name = p.slice(0, i).trim();
      if (!e.keys.includes(name)) throw FoError.badRequest(`'${name}' is not a key property of '${e.publicEntityName}'. The key is (${e.keys.join(', ')}).`);
      out[name] = lit(p.slice(i + 1));
    }
  } else if (e.keys.length === 1 && inner) out[e.keys[0]!] = lit(inner);
  const missing = e.keys.filter((k) => out[k] === undefined);
  if (missing.length)
    throw FoError.badRequest(`The key of '${e.collection}' needs every key field, including dataAreaId for company-specific entities: missing ${missing.join(', ')}. Example: ${e.collection}(${e.keys.map((k) => `${k}='…'`).join(',')}).`);
  return out;
}
