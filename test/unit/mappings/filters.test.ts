import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FilterSyntaxError, odataString, parseBcFilterText, parseODataFilter, quoteBcValue, renderBcFilterText, renderBcTableView, renderODataFilter,
} from '../../../main/integrations/sales/mappings/filters';
import { BcFilter, DvFilter } from '../../../preload/contract/sales/mapping-model';
import { bcFilter, dvFilter } from './arbitraries';

describe('BC filter text', () => {
  it('renders readable text and the AL table view', () => {
    const f: BcFilter = { conditions: [{ field: 'Document Type', op: 'eq', values: ['Order'] }, { field: 'Status', op: 'eq', values: ['Released'] }] };
    expect(renderBcFilterText(f)).toBe('Document Type=Order, Status=Released');
    expect(renderBcTableView(f)).toBe('WHERE(Document Type=CONST(Order),Status=CONST(Released))');
    expect(renderBcTableView({ conditions: [{ field: 'Blocked', op: 'eq', values: [' '] }] })).toBe('WHERE(Blocked=CONST( ))');
    expect(renderBcTableView({ conditions: [{ field: 'Sales Code', op: 'ne', values: [''] }] })).toBe("WHERE(Sales Code=FILTER(<>''))");
  });

  it('quotes values with filter characters, blanks and edge spaces, doubling quotes', () => {
    expect(quoteBcValue('A')).toBe('A');
    expect(quoteBcValue('')).toBe("''");
    expect(quoteBcValue('A|B')).toBe("'A|B'");
    expect(quoteBcValue("O'Neil")).toBe("'O''Neil'");
    expect(quoteBcValue(' x')).toBe("' x'");
    expect(parseBcFilterText("Name='O''Neil, Ltd.'|'<>'")).toEqual({ conditions: [{ field: 'Name', op: 'in', values: ["O'Neil, Ltd.", '<>'] }] });
  });

  it('round-trips: parse(render(f)) = f for any structured filter', () => {
    fc.assert(fc.property(bcFilter, (f) => {
      expect(BcFilter.safeParse(f).success).toBe(true);
      expect(parseBcFilterText(renderBcFilterText(f))).toEqual(f);
    }), { numRuns: 400 });
  });

  it('rejects malformed text with a message that says what to do', () => {
    expect(() => parseBcFilterText('Status')).toThrow(/write Field=Value/);
    expect(() => parseBcFilterText("Name='abc")).toThrow(/Unclosed quote/);
    expect(() => parseBcFilterText("Name=a|(b")).toThrow(/never closed/);
    expect(() => parseBcFilterText('Name=a||b')).toThrow(/Unexpected "\|"/);
    // BC syntax beyond plain values is a filter of its own, not an error.
    expect(parseBcFilterText('Name=a|b*')).toEqual({ conditions: [{ field: 'Name', op: 'filter', values: ['a|b*'] }] });
  });
});

describe('OData $filter', () => {
  it('renders lookups as _x_value, GUIDs bare, strings quoted with quotes doubled, and the company clause', () => {
    const kindOf = (a: string) => (a === 'parentcustomerid' ? 'lookup' as const : 'other' as const);
    const f: DvFilter = { conditions: [{ attribute: 'parentcustomerid', op: 'ne', values: [null] }, { attribute: 'name', op: 'eq', values: ["O'Neil"] }, { attribute: 'statecode', op: 'in', values: [0, 1] }], companyScoped: true };
    expect(renderODataFilter(f, { kindOf })).toBe("_parentcustomerid_value ne null and name eq 'O''Neil' and (statecode eq 0 or statecode eq 1)");
    expect(renderODataFilter(f, { kindOf, companyId: 'AAAAAAAA-0000-4000-8000-000000000001' })).toMatch(/ and \(_bcbi_companyid_value eq aaaaaaaa-0000-4000-8000-000000000001 or _bcbi_companyid_value eq null\)$/);
    expect(odataString("a'b''c")).toBe("'a''b''''c'");
  });

  it('refuses to put a non-GUID where a record id goes (no injection through lookups)', () => {
    const f: DvFilter = { conditions: [{ attribute: 'ownerid', op: 'eq', values: ["x' or 1 eq 1 or name eq '"] }], companyScoped: false };
    expect(() => renderODataFilter(f, { kindOf: () => 'lookup' })).toThrow(FilterSyntaxError);
    expect(() => renderODataFilter({ conditions: [], companyScoped: true }, { companyId: "1' or true" })).toThrow(/not a GUID/);
  });

  it('injection attempts in string values stay inside one literal', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const text = renderODataFilter({ conditions: [{ attribute: 'name', op: 'eq', values: [s] }], companyScoped: false });
      expect(parseODataFilter(text)).toEqual({ conditions: [{ attribute: 'name', op: 'eq', values: [s] }], companyScoped: false });
    }), { numRuns: 300 });
  });

  it('round-trips: parse(render(f, company)) = f for any structured filter', () => {
    fc.assert(fc.property(dvFilter, (f) => {
      expect(DvFilter.safeParse(f).success).toBe(true);
      expect(parseODataFilter(renderODataFilter(f, { companyId: '00000000-0000-0000-0000-000000000000' }))).toEqual(f);
    }), { numRuns: 400 });
  });

  it('reports syntax errors with the position or the missing piece', () => {
    expect(() => parseODataFilter('statecode eq')).toThrow(/ends where a value was expected/);
    expect(() => parseODataFilter('statecode eq 0 and')).toThrow(/ends with "and"/);
    expect(() => parseODataFilter('(a eq 1 or b eq 2)')).toThrow(/ONE attribute/);
    expect(() => parseODataFilter("name eq 'x")).toThrow(/Unclosed string/);
    expect(() => parseODataFilter('a eq 1 # 2')).toThrow(/Unexpected "#"/);
  });
});
