/**
 * Business Central filter expressions — the text a BC user types in a field filter — as a small grammar shared by
 * main (table filters, previews, the sync engine's row check, the BC API $filter) and the renderer (filter builder):
 *
 *   expr   := and ('|' and)*                 `NO|SE`            OR
 *   and    := unary ('&' unary)*             `>=10&<=20`        AND (binds tighter than |)
 *   unary  := '(' expr ')' | term
 *   term   := value? '..' value?             `A..C`, `..100`, `2024..`  ranges (bounds included)
 *           | ('<>'|'<='|'>='|'<'|'>'|'=')? value
 *   value  := '@'? piece+                    `@sales*` (case-insensitive), `*mart*`, `A?C` (wildcards)
 *   piece  := "'" ( "''" | any but ' )* "'"  quoted literal (`''` = the empty value, `'A|B'` = the text A|B)
 *           | bare text without | & ( ) ' < > = and without `..`; `*` and `?` in bare text are wildcards
 *
 * Bare text is trimmed at its edges (quote a value whose edge spaces matter). Pure TypeScript, no dependencies.
 */

export type BcPart = { t: 'lit'; v: string } | { t: 'any' } | { t: 'one' };
/** A value: literal text and wildcards; `ci` = the `@` prefix (case-insensitive). */
export interface BcValue { ci: boolean; parts: BcPart[] }
export type BcCmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type BcExpr =
  | { k: 'or'; items: BcExpr[] }
  | { k: 'and'; items: BcExpr[] }
  | { k: 'cmp'; op: BcCmpOp; value: BcValue }
  | { k: 'range'; from: BcValue | null; to: BcValue | null };

/** Why an expression does not parse: a stable code (translated in the UI) with its parameters. */
export class BcFilterSyntaxError extends Error {
  constructor(
    readonly code: 'EMPTY' | 'UNCLOSED_QUOTE' | 'UNEXPECTED' | 'MISSING_PAREN' | 'MISSING_VALUE',
    readonly params: Record<string, string | number>,
    message: string,
  ) {
    super(message);
    this.name = 'BcFilterSyntaxError';
  }
}

type Tok = { t: 'or' | 'and' | 'lp' | 'rp' | 'range'; pos: number } | { t: 'op'; op: BcCmpOp; pos: number } | { t: 'val'; value: BcValue; pos: number };

const OPS: [string, BcCmpOp][] = [['<>', 'ne'], ['<=', 'le'], ['>=', 'ge'], ['<', 'lt'], ['>', 'gt'], ['=', 'eq']];
const STOP = new Set(['|', '&', '(', ')', '<', '>', '=']);

function mergeLit(parts: BcPart[], v: string) {
  const last = parts[parts.length - 1];
  if (last?.t === 'lit') last.v += v;
  else parts.push({ t: 'lit', v });
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ') { i++; continue; }
    if (ch === '|') { toks.push({ t: 'or', pos: i++ }); continue; }
    if (ch === '&') { toks.push({ t: 'and', pos: i++ }); continue; }
    if (ch === '(') { toks.push({ t: 'lp', pos: i++ }); continue; }
    if (ch === ')') { toks.push({ t: 'rp', pos: i++ }); continue; }
    if (text.startsWith('..', i)) { toks.push({ t: 'range', pos: i }); i += 2; continue; }
    const op = OPS.find(([s]) => text.startsWith(s, i));
    if (op) { toks.push({ t: 'op', op: op[1], pos: i }); i += op[0].length; continue; }
    // A value: optional @, then quoted and bare pieces up to the next operator character or "..".
    const start = i;
    const value: BcValue = { ci: false, parts: [] };
    if (ch === '@') { value.ci = true; i++; }
    let bare = '';
    const flushBare = (trimEnd: boolean) => {
      const b = trimEnd ? bare.replace(/ +$/, '') : bare;
      for (const c of b) {
        if (c === '*') value.parts.push({ t: 'any' });
        else if (c === '?') value.parts.push({ t: 'one' });
        else mergeLit(value.parts, c);
      }
      bare = '';
    };
    while (i < text.length) {
      const c = text[i]!;
      if (STOP.has(c) || text.startsWith('..', i)) break;
      if (c === "'") {
        flushBare(false);
        let lit = '';
        i++;
        for (;;) {
          if (i >= text.length) throw new BcFilterSyntaxError('UNCLOSED_QUOTE', { position: start + 1 }, `Unclosed quote in "${text}": close it with ' (write '' for a quote inside a value).`);
          if (text[i] === "'") {
            if (text[i + 1] === "'") { lit += "'"; i += 2; continue; }
            i++;
            break;
          }
          lit += text[i++];
        }
        mergeLit(value.parts, lit);
        // '' alone is the empty value: keep an empty literal so it is not "no value".
        if (value.parts.length === 0) value.parts.push({ t: 'lit', v: '' });
        continue;
      }
      if (bare === '' && c === ' ' && value.parts.length === 0) { i++; continue; }
      bare += c;
      i++;
    }
    flushBare(true);
    if (value.parts.length === 0) throw new BcFilterSyntaxError('MISSING_VALUE', { position: start + 1 }, `A value is missing at position ${start + 1} of "${text}".`);
    toks.push({ t: 'val', value, pos: start });
  }
  return toks;
}

/** Parses a BC filter expression; throws BcFilterSyntaxError with a code, the position and what to do. */
export function parseBcExpression(text: string): BcExpr {
  if (text.trim() === '') throw new BcFilterSyntaxError('EMPTY', {}, 'The filter is empty: enter a value, or \'\' for an empty value.');
  const toks = tokenize(text);
  let i = 0;
  const unexpected = (): never => {
    const t = toks[i];
    const pos = t ? t.pos + 1 : text.length;
    const what = t ? text.slice(t.pos, t.pos + (t.t === 'range' || (t.t === 'op' && t.op !== 'eq' && t.op !== 'lt' && t.op !== 'gt') ? 2 : 1)) : '';
    throw new BcFilterSyntaxError('UNEXPECTED', { position: pos, token: what }, `Unexpected "${what}" at position ${pos} of "${text}". Quote a value that contains | & ( ) < > = or .. ('A|B').`);
  };
  const value = (): BcValue | null => {
    const t = toks[i];
    if (t?.t === 'val') { i++; return t.value; }
    return null;
  };
  const term = (): BcExpr => {
    const t = toks[i];
    if (t?.t === 'op') {
      i++;
      const v = value();
      if (!v) return unexpected();
      return { k: 'cmp', op: t.op, value: v };
    }
    const from = value();
    if (toks[i]?.t === 'range') {
      i++;
      const to = value();
      if (!from && !to) { i--; return unexpected(); }
      return { k: 'range', from, to };
    }
    if (!from) return unexpected();
    return { k: 'cmp', op: 'eq', value: from };
  };
  const unary = (): BcExpr => {
    if (toks[i]?.t === 'lp') {
      const open = toks[i]!;
      i++;
      const e = or();
      if (toks[i]?.t !== 'rp') throw new BcFilterSyntaxError('MISSING_PAREN', { position: open.pos + 1 }, `The "(" at position ${open.pos + 1} of "${text}" is never closed.`);
      i++;
      return e;
    }
    return term();
  };
  const and = (): BcExpr => {
    const items = [unary()];
    while (toks[i]?.t === 'and') { i++; items.push(unary()); }
    return items.length === 1 ? items[0]! : { k: 'and', items: items.flatMap((x) => (x.k === 'and' ? x.items : [x])) };
  };
  const or = (): BcExpr => {
    const items = [and()];
    while (toks[i]?.t === 'or') { i++; items.push(and()); }
    return items.length === 1 ? items[0]! : { k: 'or', items: items.flatMap((x) => (x.k === 'or' ? x.items : [x])) };
  };
  const e = or();
  if (i < toks.length) unexpected();
  return e;
}

/** Characters that make a literal need quotes when it is written as a plain value. */
const NEEDS_QUOTES = /[&|<>=()'*?@,"]|\.\./;

/** A literal value as BC filter text: bare when it can be, else quoted with '' for a quote. */
export function quoteBcLiteral(v: string): string {
  if (v === '' || v.trim() !== v || NEEDS_QUOTES.test(v) || v.startsWith('.') || v.endsWith('.')) return `'${v.replaceAll("'", "''")}'`;
  return v;
}

function renderValue(v: BcValue): string {
  const out = v.parts.map((p) => (p.t === 'any' ? '*' : p.t === 'one' ? '?' : quoteBcLiteral(p.v))).join('');
  return `${v.ci ? '@' : ''}${out}`;
}

const OP_TEXT: Record<BcCmpOp, string> = { eq: '', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** Canonical text of an expression (parseBcExpression(renderBcExpression(e)) deep-equals e). */
export function renderBcExpression(e: BcExpr, nested = false): string {
  switch (e.k) {
    case 'cmp': return `${OP_TEXT[e.op]}${renderValue(e.value)}`;
    case 'range': return `${e.from ? renderValue(e.from) : ''}..${e.to ? renderValue(e.to) : ''}`;
    case 'and': return e.items.map((x) => renderBcExpression(x, true)).join('&');
    case 'or': {
      const s = e.items.map((x) => renderBcExpression(x, true)).join('|');
      return nested ? `(${s})` : s;
    }
  }
}

/** The literal text of a value without wildcards or @, else null. */
export function plainLiteral(v: BcValue): string | null {
  if (v.ci || v.parts.some((p) => p.t !== 'lit')) return null;
  return v.parts.map((p) => (p.t === 'lit' ? p.v : '')).join('');
}

/** Every literal text in an expression (for checking values against the field's type). */
export function bcLiterals(e: BcExpr): string[] {
  const ofValue = (v: BcValue | null) => (v ? [v.parts.map((p) => (p.t === 'lit' ? p.v : '')).join('')] : []);
  switch (e.k) {
    case 'cmp': return ofValue(e.value);
    case 'range': return [...ofValue(e.from), ...ofValue(e.to)];
    default: return e.items.flatMap(bcLiterals);
  }
}

/**
 * A filter typed for one field as the structured condition it amounts to: one plain value = eq, `<>value` = ne,
 * plain values joined by | = in, anything else (ranges, wildcards, @, &, <, >) = filter with the canonical text.
 */
export function bcConditionFromExpression(field: string, text: string): { field: string; op: 'eq' | 'ne' | 'in' | 'filter'; values: string[] } {
  const e = parseBcExpression(text);
  if (e.k === 'cmp' && (e.op === 'eq' || e.op === 'ne')) {
    const lit = plainLiteral(e.value);
    if (lit !== null) return { field, op: e.op, values: [lit] };
  }
  if (e.k === 'or' && e.items.every((x) => x.k === 'cmp' && x.op === 'eq' && plainLiteral(x.value) !== null)) {
    return { field, op: 'in', values: e.items.map((x) => plainLiteral((x as { value: BcValue }).value)!) };
  }
  return { field, op: 'filter', values: [renderBcExpression(e)] };
}

/** The expression a structured condition stands for (eq/ne/in are shorthands). */
export function bcConditionExpression(c: { op: 'eq' | 'ne' | 'in' | 'filter'; values: readonly string[] }): BcExpr {
  const lit = (v: string): BcValue => ({ ci: false, parts: [{ t: 'lit', v }] });
  switch (c.op) {
    case 'eq': return { k: 'cmp', op: 'eq', value: lit(c.values[0]!) };
    case 'ne': return { k: 'cmp', op: 'ne', value: lit(c.values[0]!) };
    case 'in': return { k: 'or', items: c.values.map((v) => ({ k: 'cmp', op: 'eq', value: lit(v) })) };
    case 'filter': return parseBcExpression(c.values[0]!);
  }
}

/** The text to show in a filter box for a structured condition (round-trips through bcConditionFromExpression). */
export function bcConditionText(c: { op: 'eq' | 'ne' | 'in' | 'filter'; values: readonly string[] }): string {
  return c.op === 'filter' ? c.values[0]! : renderBcExpression(bcConditionExpression(c));
}

// ---- evaluation -----------------------------------------------------------------------------------

function patternRegex(v: BcValue): RegExp {
  const src = v.parts.map((p) => (p.t === 'any' ? '[\\s\\S]*' : p.t === 'one' ? '[\\s\\S]' : p.v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${src}$`, v.ci ? 'iu' : 'u');
}

/** BC compares numbers as numbers; everything else as text (case-sensitively unless @). */
function compare(a: string, b: string, ci: boolean): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const x = ci ? a.toLowerCase() : a;
  const y = ci ? b.toLowerCase() : b;
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Whether a field value (as BC text) satisfies the expression. */
export function matchesBcExpression(value: string, e: BcExpr): boolean {
  switch (e.k) {
    case 'or': return e.items.some((x) => matchesBcExpression(value, x));
    case 'and': return e.items.every((x) => matchesBcExpression(value, x));
    case 'range': {
      const lo = e.from ? plainText(e.from) : null;
      const hi = e.to ? plainText(e.to) : null;
      const ci = !!(e.from?.ci || e.to?.ci);
      return (lo === null || compare(value, lo, ci) >= 0) && (hi === null || compare(value, hi, ci) <= 0);
    }
    case 'cmp': {
      const lit = plainLiteral(e.value);
      if (e.op === 'eq' || e.op === 'ne') {
        const hit = lit !== null ? value === lit : patternRegex(e.value).test(value);
        return e.op === 'eq' ? hit : !hit;
      }
      const d = compare(value, plainText(e.value), e.value.ci);
      return e.op === 'lt' ? d < 0 : e.op === 'le' ? d <= 0 : e.op === 'gt' ? d > 0 : d >= 0;
    }
  }
}
const plainText = (v: BcValue) => v.parts.map((p) => (p.t === 'lit' ? p.v : '')).join('');

// ---- OData ---------------------------------------------------------------------------------------

/** Why an expression has no OData form (e.g. `A?C`, `a*b*c`): a code the UI translates. */
export class BcODataError extends Error {
  constructor(readonly code: 'PATTERN', readonly params: Record<string, string>, message: string) {
    super(message);
    this.name = 'BcODataError';
  }
}

/** OData string literal: single quotes doubled. */
const odataStr = (v: string) => `'${v.replaceAll("'", "''")}'`;

/**
 * The expression as an OData $filter on one property. `literal` writes a plain value as the property's literal
 * (it must escape it); wildcard patterns become contains/startswith/endswith over escaped strings, `@` compares
 * tolower(property). Patterns with ? or a * in the middle have no OData form and throw BcODataError.
 */
export function bcExpressionToOData(e: BcExpr, property: string, literal: (v: string) => string = odataStr, nested = false): string {
  const cmpOf = (op: BcCmpOp, v: BcValue): string => {
    const lit = plainLiteral(v);
    if (lit !== null) return `${property} ${op} ${literal(lit)}`;
    const name = v.ci ? `tolower(${property})` : property;
    const fold = (s: string) => (v.ci ? s.toLowerCase() : s);
    if (op === 'eq' || op === 'ne') {
      const p = v.parts;
      const inner = p.slice(p[0]?.t === 'any' ? 1 : 0, p[p.length - 1]?.t === 'any' && p.length > 1 ? -1 : undefined);
      const lead = p[0]?.t === 'any';
      const trail = p.length > 1 && p[p.length - 1]?.t === 'any';
      let out: string;
      if (inner.length === 0) out = `${property} ne null`;
      else if (inner.length === 1 && inner[0]!.t === 'lit') {
        const s = odataStr(fold(inner[0]!.v));
        out = lead && trail ? `contains(${name},${s})` : lead ? `endswith(${name},${s})` : trail ? `startswith(${name},${s})` : `${name} eq ${s}`;
      } else throw new BcODataError('PATTERN', { pattern: renderValue(v) }, `The pattern ${renderValue(v)} has no OData form (only *text, text*, *text* and @text are translated).`);
      return op === 'eq' ? out : `not(${out})`;
    }
    return `${name} ${op} ${odataStr(fold(plainText(v)))}`;
  };
  switch (e.k) {
    case 'cmp': return cmpOf(e.op, e.value);
    case 'range': {
      const parts = [...(e.from ? [cmpOf('ge', e.from)] : []), ...(e.to ? [cmpOf('le', e.to)] : [])];
      return parts.length > 1 ? `(${parts.join(' and ')})` : parts[0]!;
    }
    case 'and': {
      const s = e.items.map((x) => bcExpressionToOData(x, property, literal, true)).join(' and ');
      return nested ? `(${s})` : s;
    }
    case 'or': {
      const s = e.items.map((x) => bcExpressionToOData(x, property, literal, true)).join(' or ');
      return `(${s})`;
    }
  }
}
