import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { compileFilter, normalizeDateTime, parseFilter, tokenize } from '../../../main/sandbox/dataverse/filter';
import { DvError } from '../../../main/sandbox/dataverse/errors';
import { ENTITIES } from '../../../main/sandbox/dataverse/metadata';
import type { EntityMeta } from '../../../main/sandbox/dataverse/metadata';

const account = ENTITIES.get('account') as EntityMeta;

// Small alphabet with the characters that break naive implementations: quotes, LIKE wildcards, mixed case.
const str = fc.string({ unit: fc.constantFrom('a', 'B', 'c', "'", '%', '_', ' ', '\\'), maxLength: 5 });
const row = fc.record({
  name: fc.option(str, { nil: null }),
  numberofemployees: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
  creditonhold: fc.option(fc.boolean(), { nil: null }),
});
type Row = { name: string | null; numberofemployees: number | null; creditonhold: boolean | null };

type Ast =
  | { k: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; prop: 'name' | 'numberofemployees' | 'creditonhold'; v: string | number | boolean | null }
  | { k: 'fn'; fn: 'contains' | 'startswith' | 'endswith'; v: string }
  | { k: 'not'; e: Ast } | { k: 'and' | 'or'; l: Ast; r: Ast };

const op = fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le') as fc.Arbitrary<'eq'>;
const leaf: fc.Arbitrary<Ast> = fc.oneof(
  fc.record({ k: fc.constant('cmp' as const), op, prop: fc.constant('name' as const), v: fc.option(str, { nil: null }) }),
  fc.record({ k: fc.constant('cmp' as const), op, prop: fc.constant('numberofemployees' as const), v: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }) }),
  fc.record({ k: fc.constant('cmp' as const), op: fc.constantFrom('eq', 'ne') as fc.Arbitrary<'eq'>, prop: fc.constant('creditonhold' as const), v: fc.option(fc.boolean(), { nil: null }) }),
  fc.record({ k: fc.constant('fn' as const), fn: fc.constantFrom('contains', 'startswith', 'endswith') as fc.Arbitrary<'contains'>, v: str }),
);
const ast: fc.Arbitrary<Ast> = fc.letrec<{ e: Ast }>((tie) => ({
  e: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf,
    fc.record({ k: fc.constant('not' as const), e: tie('e') }),
    fc.record({ k: fc.constantFrom('and', 'or') as fc.Arbitrary<'and'>, l: tie('e'), r: tie('e') })),
})).e;

const lit = (v: string | number | boolean | null) => (v === null ? 'null' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));
function print(a: Ast): string {
  switch (a.k) {
    case 'cmp': return `${a.prop} ${a.op} ${lit(a.v)}`;
    case 'fn': return `${a.fn}(name,${lit(a.v)})`;
    case 'not': return `not (${print(a.e)})`;
    default: return `(${print(a.l)}) ${a.k} (${print(a.r)})`;
  }
}

/** Reference semantics: case-insensitive strings (ASCII), a comparison against a NULL column is false except `ne`. */
function evaluate(a: Ast, r: Row): boolean {
  switch (a.k) {
    case 'not': return !evaluate(a.e, r);
    case 'and': return evaluate(a.l, r) && evaluate(a.r, r);
    case 'or': return evaluate(a.l, r) || evaluate(a.r, r);
    case 'fn': {
      if (r.name === null) return false;
      const n = r.name.toLowerCase(); const v = a.v.toLowerCase();
      return a.fn === 'contains' ? n.includes(v) : a.fn === 'startswith' ? n.startsWith(v) : n.endsWith(v);
    }
    case 'cmp': {
      const raw = r[a.prop];
      if (a.v === null) return a.op === 'eq' ? raw === null : a.op === 'ne' ? raw !== null : false;
      if (raw === null) return a.op === 'ne';
      const norm = (x: string | number | boolean) => (typeof x === 'string' ? x.toLowerCase() : typeof x === 'boolean' ? Number(x) : x);
      const x = norm(raw); const y = norm(a.v);
      switch (a.op) {
        case 'eq': return x === y;
        case 'ne': return x !== y;
        case 'gt': return x > y;
        case 'ge': return x >= y;
        case 'lt': return x < y;
        case 'le': return x <= y;
      }
    }
  }
}

describe('$filter grammar and SQL compiler', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE dv_rows (entity TEXT, id TEXT, version INTEGER, data TEXT)');

  it('compiled SQL agrees with the reference semantics on random rows and filters', () => {
    fc.assert(fc.property(fc.array(row, { maxLength: 12 }), ast, (rows, a) => {
      db.exec('DELETE FROM dv_rows');
      const ins = db.prepare("INSERT INTO dv_rows VALUES ('account', ?, 1, ?)");
      rows.forEach((r, i) => ins.run(String(i), JSON.stringify(r)));
      const text = print(a);
      const c = compileFilter(account, parseFilter(text));
      const got = (db.prepare(`SELECT id FROM dv_rows WHERE entity = 'account' AND ${c.sql} ORDER BY CAST(id AS INTEGER)`).all(...c.params) as { id: string }[]).map((x) => Number(x.id));
      const want = rows.map((r, i) => (evaluate(a, r) ? i : -1)).filter((i) => i >= 0);
      expect(got, text).toEqual(want);
    }), { numRuns: 400 });
  });

  it('string literals round-trip through quote escaping', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const toks = tokenize(`'${s.replace(/'/g, "''")}'`);
      expect(toks).toHaveLength(1);
      expect(toks[0]).toMatchObject({ t: 'lit', lit: { t: 'string', v: s } });
    }));
  });

  it('never lets user input into the SQL text: the SQL is the same whatever the literal', () => {
    const q = (s: string) => `name eq '${s.replace(/'/g, "''")}' or contains(name,'${s.replace(/'/g, "''")}')`;
    const reference = compileFilter(account, parseFilter(q('x'))).sql;
    fc.assert(fc.property(fc.string(), (s) => {
      const c = compileFilter(account, parseFilter(q(s)));
      expect(c.sql).toBe(reference);
      expect(c.params[0]).toBe(s);
    }));
  });

  it('fails arbitrary garbage only with a DvError 400', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => {
      try {
        compileFilter(account, parseFilter(s));
      } catch (err) {
        expect(err).toBeInstanceOf(DvError);
        expect((err as DvError).status).toBe(400);
      }
    }));
  });

  it('parses GUID, datetime, date, decimal and bool literals', () => {
    const g = 'A1B2C3D4-0000-4000-8000-000000000001';
    const c = compileFilter(account, parseFilter(`accountid eq ${g} and createdon gt 2024-05-01T10:00:00+02:00 and modifiedon le 2024-05-02 and revenue ge 12.50 and creditonhold eq false`));
    expect(c.params).toEqual([g.toLowerCase(), '2024-05-01T08:00:00Z', '2024-05-02T00:00:00Z', 12.5, 0]);
    expect(normalizeDateTime('2024-05-01T10:00:00.123Z')).toBe('2024-05-01T10:00:00Z');
  });

  it('reports type clashes and unknown properties like the service', () => {
    expect(() => compileFilter(account, parseFilter("numberofemployees eq '5'"))).toThrow(/incompatible types .*'Edm.Int32' and 'Edm.String'/);
    expect(() => compileFilter(account, parseFilter("accountid eq '00000000-0000-0000-0000-000000000000'"))).toThrow(/Edm.Guid/);
    expect(() => compileFilter(account, parseFilter('parentaccountid eq null'))).toThrow(/Could not find a property named 'parentaccountid'/);
    expect(() => parseFilter('name eq')).toThrow(/Syntax error at position/);
  });
});
