import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChangeConflictError, History, applyChange, applyChanges, invertChange, tryApplyChanges } from '../../../main/integrations/sales/mappings/changes';
import { diffRows, diffSets, renderDiffText } from '../../../main/integrations/sales/mappings/diff';
import { newDefaultSet } from '../../../main/integrations/sales/mappings/exchange-json';
import { fieldKey, type MappingSet } from '../../../preload/contract/sales/mapping-model';
import { isSignedOff, reviewSummary, signOff, signOffChange } from '../../../main/integrations/sales/mappings/review';
import { mappingSet } from './arbitraries';

/**
 * Reviews and the fields inside a mapping compare as sets: the diff is keyed by field (mapping fields are processed by
 * key, not by position), so two option combinations that list the same fields in another order are equal.
 */
const canonical = (s: MappingSet) => ({
  ...s,
  mappings: s.mappings.map((m) => ({ ...m, fields: [...m.fields].sort((a, b) => fieldKey(a).localeCompare(fieldKey(b))) })),
  reviews: [...s.reviews].sort((a, b) => `${a.mapping}|${a.field}`.localeCompare(`${b.mapping}|${b.field}`)),
});

describe('diff and change sets', () => {
  it('diff-accept: applying diff(a, b) to a gives b (up to review order)', () => {
    fc.assert(fc.property(mappingSet, mappingSet, (a, b) => {
      const target = { ...b, name: a.name, options: a.options };
      expect(canonical(applyChanges(a, diffSets(a, target)))).toEqual(canonical(target));
    }), { numRuns: 150 });
    // Reordering is a change too (setup order is job order).
    fc.assert(fc.property(mappingSet, fc.func(fc.integer()), (a, rank) => {
      const target = { ...a, mappings: [...a.mappings].sort((x, y) => rank(x.name) - rank(y.name)) };
      expect(applyChanges(a, diffSets(a, target)).mappings.map((m) => m.name)).toEqual(target.mappings.map((m) => m.name));
    }), { numRuns: 100 });
  });

  it('diff of a set with itself is empty; every change undoes with its inverse', () => {
    fc.assert(fc.property(mappingSet, mappingSet, (a, b) => {
      expect(diffSets(a, a)).toEqual([]);
      let cur = a;
      const undo: ReturnType<typeof invertChange>[] = [];
      for (const c of diffSets(a, { ...b, name: a.name, options: a.options })) {
        undo.push(invertChange(c, cur));
        cur = applyChange(cur, c);
      }
      expect(canonical(applyChanges(cur, undo.reverse()))).toEqual(canonical(a));
    }), { numRuns: 100 });
  });

  it('per-field rows for a side-by-side view', () => {
    const a = newDefaultSet('a', { unitGroups: false });
    const b = structuredClone(a);
    b.mappings[0]!.fields[1]!.direction = 'Bidirectional';
    b.mappings = b.mappings.filter((m) => m.name !== 'OPPORTUNITY');
    const rows = diffRows(diffSets(a, b));
    expect(rows).toEqual([
      { mapping: 'OPPORTUNITY', field: null, property: '(table mapping)', left: 'Opportunity ⇄ opportunity, 7 fields', right: '' },
      { mapping: 'CURRENCY', field: 'Symbol->currencysymbol', property: 'direction', left: 'ToIntegrationTable', right: 'Bidirectional' },
    ]);
    const text = renderDiffText(rows, 'before', 'after');
    expect(text.split('\n')[0]).toMatch(/^Mapping\s+│ Field\s+│ Property\s+│ before\s+│ after$/);
    expect(renderDiffText([])).toBe('No differences.\n');
  });

  it('a change whose expected old value no longer holds is a conflict, not a silent overwrite', () => {
    const set = newDefaultSet('a');
    const change = { op: 'setField' as const, mapping: 'CURRENCY', key: 'Symbol->currencysymbol', prop: 'direction' as const, from: 'FromIntegrationTable', to: 'Bidirectional' };
    expect(() => applyChange(set, change)).toThrow(ChangeConflictError);
    const r = tryApplyChanges(set, [change, { ...change, from: 'ToIntegrationTable' }]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.reason).toMatch(/is "ToIntegrationTable", not "FromIntegrationTable"/);
    expect(r.set.mappings[0]!.fields[1]!.direction).toBe('Bidirectional');
    expect(() => applyChange(set, { ...change, from: 'ToIntegrationTable', to: 'Sideways' })).toThrow(/is not allowed/);
    expect(() => applyChange(set, { op: 'setMapping', mapping: 'CURRENCY', prop: 'bcTableId', from: 4, to: -1 })).toThrow(/CURRENCY.bcTableId: -1 is not allowed/);
  });

  it('History: undo and redo walk back and forth; a new change clears redo', () => {
    const set = newDefaultSet('a');
    const h = new History(set);
    h.apply({ op: 'setMapping', mapping: 'CURRENCY', prop: 'synchOnlyCoupled', from: true, to: false });
    h.apply(signOffChange(h.current, { mapping: 'CURRENCY', reviewer: 'Ann', status: 'Approved', at: new Date(0) }));
    expect(h.current.reviews).toHaveLength(1);
    h.undo();
    expect(h.current.reviews).toHaveLength(0);
    h.undo();
    expect(h.current).toBe(set);
    expect(h.canUndo).toBe(false);
    h.redo();
    expect(h.current.mappings[0]!.synchOnlyCoupled).toBe(false);
    h.apply({ op: 'setMapping', mapping: 'CURRENCY', prop: 'direction', from: 'ToIntegrationTable', to: 'Bidirectional' });
    expect(h.canRedo).toBe(false);
    expect(set.mappings[0]!.synchOnlyCoupled).toBe(true);
  });
});

describe('review sign-off', () => {
  it('stores reviewer, status, comment and timestamp per mapping; the latest replaces the previous', () => {
    let set = newDefaultSet('a', { unitGroups: false });
    set = signOff(set, { mapping: 'CUSTOMER', reviewer: 'Ann', status: 'Changes requested', comment: 'Check blocked filter', at: new Date('2026-11-23T09:00:00Z') });
    set = signOff(set, { mapping: 'CUSTOMER', reviewer: 'Ann', status: 'Approved', comment: 'OK now', at: new Date('2026-11-23T10:00:00Z') });
    set = signOff(set, { mapping: 'CUSTOMER', field: 'Fax No.->fax', reviewer: 'Bob', status: 'Rejected', comment: 'drop fax' });
    const c = reviewSummary(set).find((s) => s.mapping === 'CUSTOMER')!;
    expect(c).toEqual({ mapping: 'CUSTOMER', status: 'Approved', reviewer: 'Ann', at: '2026-11-23T10:00:00.000Z', comment: 'OK now', openFieldNotes: 1 });
    expect(reviewSummary(set).find((s) => s.mapping === 'VENDOR')!.status).toBe('Pending');
    expect(isSignedOff(set)).toBe(false);
    for (const m of set.mappings) set = signOff(set, { mapping: m.name, reviewer: 'Ann', status: 'Approved' });
    expect(isSignedOff(set)).toBe(false);
    set = signOff(set, { mapping: 'CUSTOMER', field: 'Fax No.->fax', reviewer: 'Bob', status: 'Approved' });
    expect(isSignedOff(set)).toBe(true);
    expect(() => signOff(set, { mapping: 'NOPE', reviewer: 'x', status: 'Approved' })).toThrow(/no table mapping NOPE/);
    expect(() => signOff(set, { mapping: 'CUSTOMER', reviewer: ' ', status: 'Approved' })).toThrow(/reviewer/);
  });
});
