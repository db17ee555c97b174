/** Difference of two mapping sets as a list of field-level Changes (diff-accept = applyChanges(a, diff(a, b))). */
import { deepEqual, findReview } from './changes';
import type { Change, MappingSet } from '../../../../preload/contract/sales/mapping-model';
import { FIELD_PROPS, TABLE_PROPS, fieldKey } from '../../../../preload/contract/sales/mapping-model';

export function diffSets(a: MappingSet, b: MappingSet): Change[] {
  const changes: Change[] = [];
  const aByName = new Map(a.mappings.map((m) => [m.name, m]));
  const bByName = new Map(b.mappings.map((m) => [m.name, m]));
  for (const m of a.mappings) if (!bByName.has(m.name)) changes.push({ op: 'removeMapping', mapping: m });
  b.mappings.forEach((m, index) => {
    const old = aByName.get(m.name);
    if (!old) {
      changes.push({ op: 'addMapping', mapping: m, index });
      return;
    }
    for (const prop of TABLE_PROPS) if (!deepEqual(old[prop], m[prop])) changes.push({ op: 'setMapping', mapping: m.name, prop, from: old[prop], to: m[prop] });
    const oldFields = new Map(old.fields.map((f) => [fieldKey(f), f]));
    const newKeys = new Set(m.fields.map(fieldKey));
    for (const f of old.fields) if (!newKeys.has(fieldKey(f))) changes.push({ op: 'removeField', mapping: m.name, field: f });
    m.fields.forEach((f, fi) => {
      const key = fieldKey(f);
      const of = oldFields.get(key);
      if (!of) {
        changes.push({ op: 'addField', mapping: m.name, field: f, index: fi });
        return;
      }
      for (const prop of FIELD_PROPS) if (!deepEqual(of[prop], f[prop])) changes.push({ op: 'setField', mapping: m.name, key, prop, from: of[prop], to: f[prop] });
    });
  });
  // Reorder last: simulate the order after removals and additions, then move each mapping to its place in b.
  const order = a.mappings.map((m) => m.name).filter((n) => bByName.has(n));
  b.mappings.forEach((m, i) => { if (!aByName.has(m.name)) order.splice(i, 0, m.name); });
  b.mappings.forEach((m, i) => {
    const from = order.indexOf(m.name);
    if (from === i) return;
    changes.push({ op: 'moveMapping', mapping: m.name, from, to: i });
    order.splice(from, 1);
    order.splice(i, 0, m.name);
  });
  for (const r of a.reviews) if (!findReview(b, r.mapping, r.field)) changes.push({ op: 'removeReview', review: r });
  for (const r of b.reviews) {
    const prev = findReview(a, r.mapping, r.field);
    if (!deepEqual(prev, r)) changes.push({ op: 'setReview', review: r, previous: prev });
  }
  return changes;
}

export interface DiffRow {
  mapping: string;
  field: string | null;
  property: string;
  left: string;
  right: string;
}

/** "Status: comment (reviewer)", leaving out what is empty (no "()" or dangling colon). */
const reviewText = (r: { status: string; comment: string; reviewer: string }): string =>
  `${r.status}${r.comment ? `: ${r.comment}` : ''}${r.reviewer ? ` (${r.reviewer})` : ''}`;
const show = (v: unknown): string => (v === undefined ? '' : v === null ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

/** Side-by-side rows: one per changed property; added/removed mappings and fields get one row each. */
export function diffRows(changes: readonly Change[]): DiffRow[] {
  return changes.map((c): DiffRow => {
    switch (c.op) {
      case 'addMapping': return { mapping: c.mapping.name, field: null, property: '(table mapping)', left: '', right: `${c.mapping.bcTable} ⇄ ${c.mapping.dataverseEntity}, ${c.mapping.fields.length} fields` };
      case 'removeMapping': return { mapping: c.mapping.name, field: null, property: '(table mapping)', left: `${c.mapping.bcTable} ⇄ ${c.mapping.dataverseEntity}, ${c.mapping.fields.length} fields`, right: '' };
      case 'setMapping': return { mapping: c.mapping, field: null, property: c.prop, left: show(c.from), right: show(c.to) };
      case 'moveMapping': return { mapping: c.mapping, field: null, property: '(position)', left: String(c.from + 1), right: String(c.to + 1) };
      case 'addField': return { mapping: c.mapping, field: fieldKey(c.field), property: '(field mapping)', left: '', right: `${c.field.direction}${c.field.constant !== null ? ` = ${c.field.constant}` : ''}` };
      case 'removeField': return { mapping: c.mapping, field: fieldKey(c.field), property: '(field mapping)', left: `${c.field.direction}${c.field.constant !== null ? ` = ${c.field.constant}` : ''}`, right: '' };
      case 'setField': return { mapping: c.mapping, field: c.key, property: c.prop, left: show(c.from), right: show(c.to) };
      case 'setReview': return { mapping: c.review.mapping, field: c.review.field, property: '(review)', left: c.previous ? reviewText(c.previous) : '', right: reviewText(c.review) };
      case 'removeReview': return { mapping: c.review.mapping, field: c.review.field, property: '(review)', left: reviewText(c.review), right: '' };
    }
  });
}

export function renderDiffText(rows: readonly DiffRow[], leftTitle = 'left', rightTitle = 'right'): string {
  if (rows.length === 0) return 'No differences.\n';
  const cols = [
    ['Mapping', ...rows.map((r) => r.mapping)],
    ['Field', ...rows.map((r) => r.field ?? '')],
    ['Property', ...rows.map((r) => r.property)],
    [leftTitle, ...rows.map((r) => r.left)],
    [rightTitle, ...rows.map((r) => r.right)],
  ].map((col) => col.map((c) => (c.length > 60 ? `${c.slice(0, 57)}...` : c)));
  const widths = cols.map((col) => Math.max(...col.map((c) => c.length)));
  const lines = cols[0]!.map((_, i) => cols.map((col, ci) => col[i]!.padEnd(widths[ci]!)).join(' │ ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '─'.repeat(w)).join('─┼─'));
  return lines.join('\n') + '\n';
}
