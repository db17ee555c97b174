import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FilterNode, Literal } from '../../../main/sandbox/bc/odata';
import { assertOrOnSameField, BcError, fieldsOf, parseExpand, parseFilter, parseOrderBy, printFilter, tokenize } from '../../../main/sandbox/bc/odata';

const field = fc.constantFrom('number', 'displayName', 'city', 'lastModifiedDateTime', 'unitPrice', 'blocked', 'customerId', 'orderDate');
const literal: fc.Arbitrary<Literal> = fc.oneof(
  fc.string({ maxLength: 12 }).map((value) => ({ kind: 'string' as const, value })),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => ({ kind: 'number' as const, value: n, text: String(n) })),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((d) => Number(d.toFixed(3))).map((n) => ({ kind: 'number' as const, value: n, text: String(n) })),
  fc.boolean().map((value) => ({ kind: 'boolean' as const, value })),
  fc.constant({ kind: 'null' as const }),
  fc.uuid().map((value) => ({ kind: 'guid' as const, value })),
  fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => ({ kind: 'datetime' as const, value: d.toISOString() })),
  fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => ({ kind: 'date' as const, value: d.toISOString().slice(0, 10) })),
);
const leaf: fc.Arbitrary<FilterNode> = fc.oneof(
  fc.record({ type: fc.constant('cmp' as const), op: fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le' as const), field, value: literal }),
  fc.record({ type: fc.constant('fn' as const), fn: fc.constantFrom('startswith', 'contains', 'endswith' as const), field, value: fc.string({ maxLength: 8 }) }),
);
const tree: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ type: fc.constantFrom('and', 'or' as const), left: tie('node'), right: tie('node') }),
    fc.record({ type: fc.constant('not' as const), expr: tie('node') }),
  ),
})).node;

describe('$filter grammar', () => {
  it('parse(print(ast)) returns the same tree', () => {
    fc.assert(fc.property(tree, (n) => { expect(parseFilter(printFilter(n))).toEqual(n); }), { numRuns: 400 });
  });

  it('rejects OR across distinct fields and accepts OR on one field, at any depth', () => {
    fc.assert(
      fc.property(tree, (n) => {
        const orNodes: FilterNode[] = [];
        const walk = (x: FilterNode) => {
          if (x.type === 'or') orNodes.push(x);
          if (x.type === 'and' || x.type === 'or') { walk(x.left); walk(x.right); } else if (x.type === 'not') walk(x.expr);
        };
        walk(n);
        const shouldFail = orNodes.some((o) => fieldsOf(o).size > 1);
        let failed = false;
        try { assertOrOnSameField(n); } catch (e) {
          failed = true;
          expect((e as BcError).message).toBe("The 'OR' operator is not supported on distinct fields on an OData filter.");
        }
        expect(failed).toBe(shouldFail);
      }),
      { numRuns: 300 },
    );
  });

  it('reads unquoted datetime, date, GUID and number literals as BC clients send them', () => {
    expect(parseFilter('lastModifiedDateTime gt 2019-08-18T20:05:51.603Z')).toEqual({ type: 'cmp', op: 'gt', field: 'lastModifiedDateTime', value: { kind: 'datetime', value: '2019-08-18T20:05:51.603Z' } });
    expect(parseFilter('lastModifiedDateTime ge 2019-08-18T22:05:51+02:00').type).toBe('cmp');
    expect((parseFilter('lastModifiedDateTime ge 2019-08-18T22:05:51+02:00') as { value: Literal }).value).toEqual({ kind: 'datetime', value: '2019-08-18T20:05:51.000Z' });
    expect((parseFilter('orderDate le 2026-01-31') as { value: Literal }).value).toEqual({ kind: 'date', value: '2026-01-31' });
    expect((parseFilter('customerId eq 5D115C9C-44E3-EA11-BB43-000D3A2FECA1') as { value: Literal }).value).toEqual({ kind: 'guid', value: '5d115c9c-44e3-ea11-bb43-000d3a2feca1' });
    expect((parseFilter('unitPrice lt -12.5') as { value: Literal }).value).toMatchObject({ kind: 'number', value: -12.5 });
    expect((parseFilter("displayName eq 'O''Brien'") as { value: Literal }).value).toEqual({ kind: 'string', value: "O'Brien" });
  });

  it('binds not tighter than and, and tighter than or', () => {
    const n = parseFilter("a eq 1 or b eq 2 and not c eq 3");
    expect(n).toMatchObject({ type: 'or', left: { field: 'a' }, right: { type: 'and', right: { type: 'not' } } });
  });

  it('accepts contains(...) eq true/false', () => {
    expect(parseFilter("contains(city,'os') eq true")).toEqual({ type: 'fn', fn: 'contains', field: 'city', value: 'os' });
    expect(parseFilter("startswith(city,'Os') eq false")).toEqual({ type: 'not', expr: { type: 'fn', fn: 'startswith', field: 'city', value: 'Os' } });
  });

  it.each(["displayName eq 'open", 'city eq', 'eq 3', '(a eq 1', 'a eq 1 b', 'a foo 1', 'a eq 2026-13-45', "contains(city)", ''])('rejects %j with a 400 that says what is wrong', (src) => {
    expect(() => parseFilter(src)).toThrow(BcError);
    try { parseFilter(src); } catch (e) {
      expect((e as BcError).status).toBe(400);
      expect((e as BcError).message).toMatch(/\$filter/);
    }
  });

  it('tokenizes identifiers that start like GUIDs/dates correctly', () => {
    expect(tokenize('abc eq 1').map((t) => t.t)).toEqual(['ident', 'ident', 'lit']);
  });
});

describe('$orderby and $expand', () => {
  it('parses directions', () => {
    expect(parseOrderBy('lastModifiedDateTime desc, number')).toEqual([{ field: 'lastModifiedDateTime', desc: true }, { field: 'number', desc: false }]);
    expect(() => parseOrderBy('number sideways')).toThrow(BcError);
  });
  it('parses nested $select in $expand', () => {
    expect(parseExpand('salesOrderLines($select=quantity,unitPrice)')).toEqual([{ nav: 'salesOrderLines', select: ['quantity', 'unitPrice'] }]);
    expect(() => parseExpand('salesOrderLines($filter=quantity gt 1)')).toThrow(/Only \$select/);
  });
});
