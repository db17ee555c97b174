import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunk, filter, idFromEntityUrl, keyPath, queryString } from '../../../main/clients/odata';
import { parseFilter } from '../../../main/sandbox/dataverse/filter';

// The sandbox's $filter parser is an independent implementation of the OData grammar: whatever we build must
// parse back to exactly the value we put in, whatever characters it contains.
describe('filter builder escaping', () => {
  it('any string survives as one literal (quotes, ampersands, parentheses, keywords)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      const text = filter.eq('name', s).text;
      const ast = parseFilter(text);
      expect(ast).toEqual({ k: 'cmp', op: 'eq', prop: 'name', lit: { t: 'string', v: s } });
    }), { numRuns: 300 });
  });

  it('an injection attempt stays inside the literal', () => {
    const evil = "x' or name ne 'y";
    const ast = parseFilter(filter.and(filter.eq('name', evil), filter.eq('statecode', 0)).text);
    expect(ast).toMatchObject({ k: 'and', l: { k: 'cmp', lit: { t: 'string', v: evil } }, r: { k: 'cmp', prop: 'statecode', lit: { v: 0 } } });
  });

  it('dates are unquoted ISO literals, GUIDs validated and unquoted', () => {
    const d = new Date('2024-05-01T10:00:00.000Z');
    expect(filter.gt('modifiedon', d).text).toBe('modifiedon gt 2024-05-01T10:00:00.000Z');
    expect(parseFilter(filter.gt('modifiedon', d).text)).toMatchObject({ lit: { t: 'datetime' } });
    const g = 'AAAAAAAA-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    expect(filter.eqGuid('_parentcustomerid_value', g).text).toBe(`_parentcustomerid_value eq ${g.toLowerCase()}`);
    expect(() => filter.eqGuid('x', "1' or 1 eq 1")).toThrow(/Not a GUID/);
  });

  it('refuses property names that could smuggle an expression', () => {
    expect(() => filter.eq('name eq name or x', 'a')).toThrow(/not a property name/);
    expect(() => queryString({ select: ['name,(x)'] })).toThrow(/not a property name/);
  });

  it('in() expands to same-field or (what BC accepts)', () => {
    expect(filter.in('code', ['A', "B'"]).text).toBe("(code eq 'A') or (code eq 'B''')");
  });
});

describe('queryString', () => {
  it('encodes values so decoding gives the filter back, with no raw + & # or spaces', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => {
      const f = filter.eq('name', s);
      const qs = queryString({ filter: f, select: ['name', 'accountid'], top: 5 });
      const params = qs.slice(1).split('&');
      expect(params).toHaveLength(3);
      const fp = params.find((p) => p.startsWith('$filter='))!;
      expect(fp.slice('$filter='.length)).not.toMatch(/[ +&#]/);
      expect(decodeURIComponent(fp.slice('$filter='.length))).toBe(f.text);
    }), { numRuns: 200 });
  });

  it('is empty with no options and rejects a negative $top', () => {
    expect(queryString({})).toBe('');
    expect(() => queryString({ top: -1 })).toThrow(/\$top/);
  });
});

describe('paths and helpers', () => {
  it('keyPath validates set and id', () => {
    expect(keyPath('accounts', '00000000-0000-4000-8000-0000000000AB')).toBe('accounts(00000000-0000-4000-8000-0000000000ab)');
    expect(() => keyPath('accounts/../x', '00000000-0000-4000-8000-000000000001')).toThrow(/entity set/);
  });
  it('idFromEntityUrl reads OData-EntityId', () => {
    expect(idFromEntityUrl('https://o.crm4.dynamics.com/api/data/v9.2/accounts(7D577253-3EF0-4A0A-BB7F-8335C2596E70)')).toBe('7d577253-3ef0-4a0a-bb7f-8335c2596e70');
    expect(idFromEntityUrl('https://x/accounts(accountnumber=\'1\')')).toBeNull();
  });
  it('chunk keeps order and sizes', () => {
    fc.assert(fc.property(fc.array(fc.integer(), { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (xs, n) => {
      const parts = chunk(xs, n);
      expect(parts.flat()).toEqual(xs);
      expect(parts.every((p, i) => p.length === n || (i === parts.length - 1 && p.length > 0))).toBe(true);
    }));
  });
});
