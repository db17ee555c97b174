// BC filter expressions (preload/contract/sales/mapping-bc-filter.ts): grammar round trip, meaning kept by the structured
// form, OData with every literal escaped, and the examples a BC user types.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BcExpr, BcPart, BcValue } from '../../../preload/contract/sales/mapping-bc-filter';
import {
  BcFilterSyntaxError, bcConditionExpression, bcConditionFromExpression, bcExpressionToOData, matchesBcExpression, parseBcExpression, renderBcExpression,
} from '../../../preload/contract/sales/mapping-bc-filter';
import { matchesBcFilter } from '../../../main/integrations/sales/sync/engine/filters';
import { BcCondition, BcFilter } from '../../../preload/contract/sales/mapping-model';
import { parseBcFilterText, renderBcFilterText, renderBcTableView } from '../../../main/integrations/sales/mappings/filters';
import { bcFilter } from './arbitraries';

/** Text with every filter metacharacter, quotes, dots, spaces and non-ASCII letters. */
const chars = [...'abAB09 .-_/&|<>=*?@()\',"é€😀'];
const litText = fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength: 6 });

function mergeParts(parts: BcPart[]): BcPart[] {
  const out: BcPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.t === 'lit' && last?.t === 'lit') out[out.length - 1] = { t: 'lit', v: last.v + p.v };
    else out.push(p);
  }
  return out;
}
const part: fc.Arbitrary<BcPart> = fc.oneof(
  { weight: 3, arbitrary: litText.map((v): BcPart => ({ t: 'lit', v })) },
  fc.constant<BcPart>({ t: 'any' }),
  fc.constant<BcPart>({ t: 'one' }),
);
export const bcValue: fc.Arbitrary<BcValue> = fc.oneof(
  fc.record({ ci: fc.boolean(), parts: fc.array(part, { minLength: 1, maxLength: 4 }).map(mergeParts) }),
  fc.constant<BcValue>({ ci: false, parts: [{ t: 'lit', v: '' }] }),
);
const leaf: fc.Arbitrary<BcExpr> = fc.oneof(
  fc.record({ k: fc.constant('cmp' as const), op: fc.constantFrom('eq' as const, 'ne' as const, 'lt' as const, 'le' as const, 'gt' as const, 'ge' as const), value: bcValue }),
  fc.record({ k: fc.constant('range' as const), from: fc.option(bcValue, { nil: null }), to: fc.option(bcValue, { nil: null }) }).filter((r) => r.from !== null || r.to !== null),
);
/** Canonical expressions: and/or with two or more items, never directly nested in their own kind. */
export const bcExpr: fc.Arbitrary<BcExpr> = fc.letrec<{ expr: BcExpr; and: BcExpr; or: BcExpr }>((tie) => ({
  expr: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('and'), tie('or')),
  and: fc.array(fc.oneof({ depthSize: 'small' }, leaf, tie('or')), { minLength: 2, maxLength: 3 }).map((items): BcExpr => ({ k: 'and', items })),
  or: fc.array(fc.oneof({ depthSize: 'small' }, leaf, tie('and')), { minLength: 2, maxLength: 3 }).map((items): BcExpr => ({ k: 'or', items })),
})).expr;

const values = fc.oneof(litText, fc.constantFrom('', 'NO', 'SE', 'no', '10', '9', '100', 'A', 'C', 'Smart', 'mart', "o'brien"));

describe('BC filter grammar', () => {
  it('parse(render(e)) = e for any expression (quotes, wildcards, @, ranges, & and | nesting)', () => {
    fc.assert(fc.property(bcExpr, (e) => {
      expect(parseBcExpression(renderBcExpression(e))).toEqual(e);
    }), { numRuns: 600 });
  });

  it('the structured form of a typed filter means the same as the typed text (for any field value)', () => {
    fc.assert(fc.property(bcExpr, fc.array(values, { minLength: 1, maxLength: 5 }), (e, vs) => {
      const text = renderBcExpression(e);
      fc.pre(text.length <= 250); // Text[250] in the model
      const c = bcConditionFromExpression('Name', text);
      expect(BcCondition.safeParse(c).success).toBe(true);
      const back = bcConditionExpression(c);
      for (const v of vs) {
        expect(matchesBcExpression(v, back), `${text} on "${v}"`).toBe(matchesBcExpression(v, e));
        expect(matchesBcFilter({ values: { Name: v } } as never, { conditions: [c] })).toBe(matchesBcExpression(v, e));
      }
    }), { numRuns: 400 });
  });

  it('OData: every literal is one well-formed, escaped string; nothing outside a literal comes from the value', () => {
    const literal = /'(?:[^']|'')*'/g;
    fc.assert(fc.property(bcExpr, (e) => {
      let odata: string;
      try {
        odata = bcExpressionToOData(e, 'displayName');
      } catch (x) {
        expect((x as Error).name).toBe('BcODataError'); // ? and inner * have no OData form: said, not guessed
        return;
      }
      const outside = odata.replace(literal, '');
      expect(outside).not.toContain("'");
      // What remains is OData syntax only: the property, operators, functions, parentheses, null.
      expect(outside).toMatch(/^(?:\s|\(|\)|,|displayName|tolower|contains|startswith|endswith|not|and|or|eq|ne|lt|le|gt|ge|null)*$/);
    }), { numRuns: 600 });
  });

  it('structured filters with expressions round-trip through the readable text', () => {
    const withFilter = fc.record({
      conditions: fc.array(fc.oneof(
        fc.record({ field: fc.constantFrom('Name', 'No.', 'Country/Region Code'), expr: bcExpr }).map(({ field, expr }) => bcConditionFromExpression(field, renderBcExpression(expr))).filter((c) => c.values.every((v) => v.length <= 250)),
        bcFilter.chain((f) => fc.constant(f.conditions)).map((cs) => cs[0]).filter((c) => c !== undefined),
      ), { maxLength: 4 }),
    }) as fc.Arbitrary<BcFilter>;
    fc.assert(fc.property(withFilter, (f) => {
      expect(BcFilter.safeParse(f).success).toBe(true);
      expect(parseBcFilterText(renderBcFilterText(f))).toEqual(f);
    }), { numRuns: 300 });
  });

  it('reads what BC users type', () => {
    expect(bcConditionFromExpression('Country/Region Code', 'NO|SE')).toEqual({ field: 'Country/Region Code', op: 'in', values: ['NO', 'SE'] });
    expect(bcConditionFromExpression('Country/Region Code', ' NO | SE ')).toEqual({ field: 'Country/Region Code', op: 'in', values: ['NO', 'SE'] });
    expect(bcConditionFromExpression('Code', '<>X')).toEqual({ field: 'Code', op: 'ne', values: ['X'] });
    expect(bcConditionFromExpression('Code', "''")).toEqual({ field: 'Code', op: 'eq', values: [''] });
    expect(bcConditionFromExpression('Code', "'A|B'")).toEqual({ field: 'Code', op: 'eq', values: ['A|B'] });
    expect(bcConditionFromExpression('No.', '10000..20000')).toEqual({ field: 'No.', op: 'filter', values: ['10000..20000'] });
    expect(bcConditionFromExpression('Name', '@*mart*')).toEqual({ field: 'Name', op: 'filter', values: ['@*mart*'] });
    expect(bcConditionFromExpression('Amount', '>=10 & <=20')).toEqual({ field: 'Amount', op: 'filter', values: ['>=10&<=20'] });
    const e = parseBcExpression('A..C|>=X&<>Y');
    expect(['B', 'C', 'Z', 'Y', 'D'].map((v) => matchesBcExpression(v, e))).toEqual([true, true, true, false, false]);
    expect(matchesBcExpression('SMART shop', parseBcExpression('@*mart*'))).toBe(true);
    expect(matchesBcExpression('9', parseBcExpression('10..20'))).toBe(false); // numbers compare as numbers
    expect(bcExpressionToOData(parseBcExpression("NO|'S''E'"), 'country')).toBe("(country eq 'NO' or country eq 'S''E')");
    expect(bcExpressionToOData(parseBcExpression('@Smart*'), 'name')).toBe("startswith(tolower(name),'smart')");
    expect(bcExpressionToOData(parseBcExpression('<>*x'), 'name')).toBe("not(endswith(name,'x'))");
    expect(renderBcTableView({ conditions: [{ field: 'No.', op: 'filter', values: ['10000..20000'] }] })).toBe('WHERE(No.=FILTER(10000..20000))');
  });

  it('says where a typed filter is broken', () => {
    const code = (t: string) => { try { parseBcExpression(t); return null; } catch (x) { return x instanceof BcFilterSyntaxError ? [x.code, x.params.position] : x; } };
    expect(code('')).toEqual(['EMPTY', undefined]);
    expect(code("NO|'SE")).toEqual(['UNCLOSED_QUOTE', 4]);
    expect(code('NO||SE')).toEqual(['UNEXPECTED', 4]);
    expect(code('(NO|SE')).toEqual(['MISSING_PAREN', 1]);
    expect(code('..')).toEqual(['UNEXPECTED', 1]);
    expect(BcCondition.safeParse({ field: 'Name', op: 'filter', values: ['a||b'] }).success).toBe(false);
  });
});
