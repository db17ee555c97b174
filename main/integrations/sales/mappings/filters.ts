/**
 * Structured filters and their three text forms:
 *  - BC readable text   `Document Type=Order, Status=Released`, `Sales Code=<>''`, `Type=Item|Resource`
 *  - BC table view      `WHERE(Document Type=CONST(Order),Status=CONST(Released))` (what BC stores in the BLOB)
 *  - OData $filter      `producttypecode eq 1 and statecode eq 0` (what Dataverse is queried with)
 * The readable text and the OData form parse back (parseBcFilterText / parseODataFilter), which is what lets a
 * consultant edit filters in the XLSX workbook.
 */
import { BcFilterSyntaxError, bcConditionFromExpression, bcConditionText, quoteBcLiteral } from '../../../../preload/contract/sales/mapping-bc-filter';
import type { BcCondition, BcFilter, DvCondition, DvFilter, DvValue } from '../../../../preload/contract/sales/mapping-model';

/** A filter that does not parse or render: English text plus a stable code and parameters for the UI. */
export class FilterSyntaxError extends Error {
  constructor(message: string, readonly code: string = 'SYNTAX', readonly params: Record<string, string | number> = {}) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

// ---- BC ------------------------------------------------------------------------------------------

/**
 * A literal BC value as filter text: bare when it can be, else in single quotes with '' for a quote (one quoting
 * rule for the readable text, the table view and the filter builder: see mapping-bc-filter.ts).
 */
export const quoteBcValue = quoteBcLiteral;

/** Readable BC text, comma-separated like BC's GetFilters. Empty filter ⇒ ''. */
export function renderBcFilterText(f: BcFilter): string {
  return f.conditions.map((c) => `${c.field}=${bcConditionText(c)}`).join(', ');
}

/** AL table-view text as stored in field 14 "Table Filter": CONST for one value, FILTER otherwise. */
export function renderBcTableView(f: BcFilter): string {
  if (f.conditions.length === 0) return '';
  const parts = f.conditions.map((c) => (c.op === 'eq' ? `${c.field}=CONST(${c.values[0]!})` : `${c.field}=FILTER(${bcConditionText(c)})`));
  return `WHERE(${parts.join(',')})`;
}

/** Splits on `sep` outside single-quoted runs ('' inside quotes is an escaped quote). */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'") {
      if (quoted && text[i + 1] === "'") { cur += "''"; i++; continue; }
      quoted = !quoted;
      cur += ch;
    } else if (ch === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw new FilterSyntaxError(`Unclosed quote in "${text}": close it with ' (write '' for a quote inside a value).`, 'UNCLOSED_QUOTE', { text });
  out.push(cur);
  return out;
}

/**
 * One field's filter typed in BC syntax (`NO|SE`, `A..C`, `<>X`, `*mart*`, `@sales`, `>=10&<=20`, `''`) as the
 * simplest structured condition; syntax errors become FilterSyntaxError with the grammar's code and position.
 */
export function bcConditionOf(field: string, expression: string): BcCondition {
  try {
    return bcConditionFromExpression(field, expression);
  } catch (x) {
    if (x instanceof BcFilterSyntaxError) throw new FilterSyntaxError(x.message, x.code, { ...x.params, field });
    throw x;
  }
}

/** Parses renderBcFilterText output (and hand-typed text in the same form: Field=BC filter expression, …). */
export function parseBcFilterText(text: string): BcFilter {
  const trimmed = text.trim();
  if (trimmed === '') return { conditions: [] };
  const conditions: BcCondition[] = [];
  for (const part of splitOutsideQuotes(trimmed, ',')) {
    // The separator is ", "; only the first space after the comma belongs to it, so names keep their own spacing.
    const p = part.startsWith(' ') ? part.slice(1) : part;
    const eq = p.indexOf('=');
    if (eq <= 0) throw new FilterSyntaxError(`"${p}" is not a field filter: write Field=Value, e.g. Status=Released.`, 'NOT_FIELD_FILTER', { text: p });
    const field = p.slice(0, eq);
    if (field.trim() !== field || field === '') throw new FilterSyntaxError(`Field name "${field}" has leading or trailing spaces.`, 'FIELD_SPACES', { field });
    conditions.push(bcConditionOf(field, p.slice(eq + 1)));
  }
  return { conditions };
}

// ---- Dataverse OData -----------------------------------------------------------------------------

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Attribute kinds that matter for OData: lookups are filtered through `_name_value`, GUIDs are unquoted. */
export type ODataAttributeKind = 'lookup' | 'guid' | 'other';
export interface ODataRenderOptions {
  /** Current BC company's bcbi_company id; without it the company clause is left out (it is per connection). */
  companyId?: string;
  kindOf?: (attribute: string) => ODataAttributeKind;
}

/** OData string literal: single quotes doubled — the only escape OData needs inside '…'. */
export function odataString(v: string): string {
  return `'${v.replaceAll("'", "''")}'`;
}

function odataLiteral(v: DvValue, kind: ODataAttributeKind, attribute: string): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FilterSyntaxError(`${attribute}: ${v} is not a finite number.`, 'NOT_FINITE', { attribute, value: String(v) });
    return String(v);
  }
  if (kind === 'lookup' || kind === 'guid') {
    if (!GUID.test(v)) throw new FilterSyntaxError(`${attribute} compares with a record id: "${v}" is not a GUID.`, 'NOT_GUID', { attribute, value: v });
    return v.toLowerCase();
  }
  return odataString(v);
}

function odataName(attribute: string, kind: ODataAttributeKind): string {
  return kind === 'lookup' ? `_${attribute}_value` : attribute;
}

export function renderODataFilter(f: DvFilter, opts: ODataRenderOptions = {}): string {
  const kindOf = opts.kindOf ?? (() => 'other' as const);
  const parts = f.conditions.map((c) => {
    const kind = kindOf(c.attribute);
    const name = odataName(c.attribute, kind);
    if (c.op === 'in') {
      const ors = c.values.map((v) => `${name} eq ${odataLiteral(v, kind, c.attribute)}`);
      // Always parenthesised, even with one value, so the text parses back to `in` (lossless round trip).
      return `(${ors.join(' or ')})`;
    }
    return `${name} ${c.op} ${odataLiteral(c.values[0]!, kind, c.attribute)}`;
  });
  if (f.companyScoped && opts.companyId !== undefined) {
    const id = odataLiteral(opts.companyId, 'guid', 'bcbi_companyid');
    parts.push(`(_bcbi_companyid_value eq ${id} or _bcbi_companyid_value eq null)`);
  }
  return parts.join(' and ');
}

type Tok = { t: 'id' | 'str' | 'num' | 'guid' | 'lp' | 'rp'; v: string };

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ') { i++; continue; }
    if (ch === '(') { toks.push({ t: 'lp', v: ch }); i++; continue; }
    if (ch === ')') { toks.push({ t: 'rp', v: ch }); i++; continue; }
    if (ch === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError(`Unclosed string literal in $filter "${text}".`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") { s += "'"; i += 2; continue; }
          i++;
          break;
        }
        s += text[i++];
      }
      toks.push({ t: 'str', v: s });
      continue;
    }
    const m = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(text.slice(i));
    if (m) { toks.push({ t: 'guid', v: m[0].toLowerCase() }); i += m[0].length; continue; }
    const n = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (n) { toks.push({ t: 'num', v: n[0] }); i += n[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (id) { toks.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    throw new FilterSyntaxError(`Unexpected "${ch}" at position ${i + 1} of $filter "${text}".`);
  }
  return toks;
}

const OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

/**
 * Parses the subset renderODataFilter writes: comparisons joined by `and`, with `( a eq x or a eq y )` groups on
 * one attribute. `_x_value` comes back as `x`; the company clause comes back as companyScoped.
 */
export function parseODataFilter(text: string): DvFilter {
  const toks = tokenize(text.trim());
  let i = 0;
  const conditions: DvCondition[] = [];
  let companyScoped = false;
  const literal = (): DvValue => {
    const t = toks[i++];
    if (!t) throw new FilterSyntaxError(`$filter "${text}" ends where a value was expected.`);
    if (t.t === 'str' || t.t === 'guid') return t.v;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'id' && (t.v === 'true' || t.v === 'false')) return t.v === 'true';
    if (t.t === 'id' && t.v === 'null') return null;
    throw new FilterSyntaxError(`Expected a value in $filter "${text}" but found "${t.v}".`);
  };
  const comparison = (): { attribute: string; op: string; value: DvValue } => {
    const a = toks[i++];
    if (!a || a.t !== 'id') throw new FilterSyntaxError(`Expected an attribute name in $filter "${text}".`);
    const op = toks[i++];
    if (!op || op.t !== 'id' || !OPS.has(op.v)) throw new FilterSyntaxError(`Expected eq/ne/gt/ge/lt/le after ${a.v} in $filter "${text}".`);
    const lookup = /^_(.+)_value$/.exec(a.v);
    return { attribute: lookup ? lookup[1]! : a.v, op: op.v, value: literal() };
  };
  while (i < toks.length) {
    if (toks[i]!.t === 'lp') {
      i++;
      const group = [comparison()];
      while (toks[i]?.t === 'id' && toks[i]!.v === 'or') { i++; group.push(comparison()); }
      if (toks[i++]?.t !== 'rp') throw new FilterSyntaxError(`Missing ")" in $filter "${text}".`);
      const attr = group[0]!.attribute;
      if (group.some((g) => g.attribute !== attr || g.op !== 'eq'))
        throw new FilterSyntaxError(`Only "(a eq x or a eq y)" groups on ONE attribute are supported in $filter "${text}".`);
      const values = group.map((g) => g.value);
      if (attr === 'bcbi_companyid' && values.length === 2 && values.includes(null)) companyScoped = true;
      else conditions.push({ attribute: attr, op: 'in', values });
    } else {
      const c = comparison();
      conditions.push({ attribute: c.attribute, op: c.op as DvCondition['op'], values: [c.value] });
    }
    if (i < toks.length) {
      const t = toks[i++]!;
      if (t.t !== 'id' || t.v !== 'and') throw new FilterSyntaxError(`Expected "and" in $filter "${text}", found "${t.v}".`);
      if (i >= toks.length) throw new FilterSyntaxError(`$filter "${text}" ends with "and".`);
    }
  }
  return { conditions, companyScoped };
}

/** A renderable marker for a company-scoped filter when the company id is not known yet. */
export const COMPANY_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';
