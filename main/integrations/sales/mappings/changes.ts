/**
 * Pure, field-level edits of a mapping set. Every Change carries the value it expects to replace (`from`), so the
 * same list serves undo (invertChange), redo (applyChange again), an annotated-workbook import (proposed changes
 * checked against the set they were proposed for) and diff-accept.
 */
import type { Change, MappingSet, Review } from '../../../../preload/contract/sales/mapping-model';
import { FieldMapping, TableMapping, fieldKey } from '../../../../preload/contract/sales/mapping-model';

/** A change that no longer fits the set: English text, plus a code and params the UI translates (mappings: conflict.*). */
export class ChangeConflictError extends Error {
  constructor(message: string, readonly change: Change, readonly code: string = 'CHANGED', readonly params: Record<string, string | number> = {}) {
    super(message);
  }
}

/** A change whose new value is not valid for the property (e.g. an imported direction "Sideways"). */
export class InvalidChangeError extends ChangeConflictError {}

function checkValue(schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown, what: string, change: Change) {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidChangeError(`${what}: ${JSON.stringify(value)} is not allowed (${r.error?.issues[0]?.message ?? 'invalid'}).`, change);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const reviewKey = (r: Pick<Review, 'mapping' | 'field'>) => `${r.mapping}\u0000${r.field ?? ''}`;

export function findReview(set: MappingSet, mapping: string, field: string | null): Review | null {
  return set.reviews.find((r) => r.mapping === mapping && r.field === field) ?? null;
}

function withMapping(set: MappingSet, name: string, change: Change, edit: (m: TableMapping) => TableMapping): MappingSet {
  const i = set.mappings.findIndex((m) => m.name === name);
  if (i < 0) throw new ChangeConflictError(`Table mapping ${name} is not in the set.`, change, 'MAPPING_MISSING', { mapping: name });
  const mappings = set.mappings.slice();
  mappings[i] = edit(set.mappings[i]!);
  return { ...set, mappings };
}

/** Returns a new set with the change applied; throws ChangeConflictError when the set is not in the expected state. */
export function applyChange(set: MappingSet, change: Change): MappingSet {
  switch (change.op) {
    case 'addMapping': {
      if (set.mappings.some((m) => m.name === change.mapping.name))
        throw new ChangeConflictError(`Table mapping ${change.mapping.name} already exists.`, change, 'MAPPING_EXISTS', { mapping: change.mapping.name });
      const mappings = set.mappings.slice();
      mappings.splice(Math.min(change.index ?? mappings.length, mappings.length), 0, change.mapping);
      return { ...set, mappings };
    }
    case 'removeMapping': {
      const current = set.mappings.find((m) => m.name === change.mapping.name);
      if (!current) throw new ChangeConflictError(`Table mapping ${change.mapping.name} is not in the set.`, change, 'MAPPING_MISSING', { mapping: change.mapping.name });
      if (!deepEqual(current, change.mapping)) throw new ChangeConflictError(`Table mapping ${change.mapping.name} was changed since; review it again before deleting.`, change, 'MAPPING_CHANGED', { mapping: change.mapping.name });
      return { ...set, mappings: set.mappings.filter((m) => m !== current) };
    }
    case 'moveMapping': {
      if (set.mappings[change.from]?.name !== change.mapping || change.to >= set.mappings.length)
        throw new ChangeConflictError(`Table mapping ${change.mapping} is no longer at position ${change.from + 1}.`, change, 'MAPPING_MOVED', { mapping: change.mapping, position: change.from + 1 });
      const mappings = set.mappings.slice();
      const [moved] = mappings.splice(change.from, 1);
      mappings.splice(change.to, 0, moved!);
      return { ...set, mappings };
    }
    case 'setMapping':
      return withMapping(set, change.mapping, change, (m) => {
        if (!deepEqual(m[change.prop], change.from))
          throw new ChangeConflictError(`${change.mapping}.${change.prop} is ${JSON.stringify(m[change.prop])}, not ${JSON.stringify(change.from)} as the change expects.`, change, 'PROP_CHANGED', { mapping: change.mapping, prop: change.prop, current: JSON.stringify(m[change.prop]) ?? '', expected: JSON.stringify(change.from) ?? '' });
        checkValue(TableMapping.shape[change.prop], change.to, `${change.mapping}.${change.prop}`, change);
        return { ...m, [change.prop]: change.to } as TableMapping;
      });
    case 'addField':
      return withMapping(set, change.mapping, change, (m) => {
        const key = fieldKey(change.field);
        if (m.fields.some((f) => fieldKey(f) === key)) throw new ChangeConflictError(`${change.mapping} already maps ${key}.`, change, 'FIELD_EXISTS', { mapping: change.mapping, key });
        const fields = m.fields.slice();
        fields.splice(Math.min(change.index ?? fields.length, fields.length), 0, change.field);
        return { ...m, fields };
      });
    case 'removeField':
      return withMapping(set, change.mapping, change, (m) => {
        const key = fieldKey(change.field);
        const current = m.fields.find((f) => fieldKey(f) === key);
        if (!current) throw new ChangeConflictError(`${change.mapping} does not map ${key}.`, change, 'FIELD_MISSING', { mapping: change.mapping, key });
        if (!deepEqual(current, change.field)) throw new ChangeConflictError(`${change.mapping} ${key} was changed since; review it again before deleting.`, change, 'FIELD_CHANGED', { mapping: change.mapping, key });
        return { ...m, fields: m.fields.filter((f) => f !== current) };
      });
    case 'setField':
      return withMapping(set, change.mapping, change, (m) => {
        const i = m.fields.findIndex((f) => fieldKey(f) === change.key);
        if (i < 0) throw new ChangeConflictError(`${change.mapping} does not map ${change.key}.`, change, 'FIELD_MISSING', { mapping: change.mapping, key: change.key });
        const f = m.fields[i]!;
        if (!deepEqual(f[change.prop], change.from))
          throw new ChangeConflictError(`${change.mapping} ${change.key}.${change.prop} is ${JSON.stringify(f[change.prop])}, not ${JSON.stringify(change.from)} as the change expects.`, change, 'FIELD_PROP_CHANGED', { mapping: change.mapping, key: change.key, prop: change.prop, current: JSON.stringify(f[change.prop]) ?? '', expected: JSON.stringify(change.from) ?? '' });
        checkValue(FieldMapping.shape[change.prop], change.to, `${change.mapping} ${change.key}.${change.prop}`, change);
        const fields = m.fields.slice();
        fields[i] = { ...f, [change.prop]: change.to } as FieldMapping;
        return { ...m, fields };
      });
    case 'setReview': {
      const current = findReview(set, change.review.mapping, change.review.field);
      if (!deepEqual(current, change.previous)) throw new ChangeConflictError(`The review of ${change.review.mapping} changed since.`, change, 'REVIEW_CHANGED', { mapping: change.review.mapping });
      const i = set.reviews.findIndex((r) => reviewKey(r) === reviewKey(change.review));
      const reviews = set.reviews.slice();
      if (i < 0) reviews.push(change.review);
      else reviews[i] = change.review;
      return { ...set, reviews };
    }
    case 'removeReview': {
      const current = findReview(set, change.review.mapping, change.review.field);
      if (!deepEqual(current, change.review)) throw new ChangeConflictError(`The review of ${change.review.mapping} changed since.`, change, 'REVIEW_CHANGED', { mapping: change.review.mapping });
      return { ...set, reviews: set.reviews.filter((r) => r !== current) };
    }
  }
}

/** The change that undoes `change` (applied to the set `change` produced). */
export function invertChange(change: Change, before?: MappingSet): Change {
  switch (change.op) {
    case 'addMapping':
      return { op: 'removeMapping', mapping: change.mapping };
    case 'removeMapping': {
      const index = before?.mappings.findIndex((m) => m.name === change.mapping.name);
      return { op: 'addMapping', mapping: change.mapping, ...(index !== undefined && index >= 0 ? { index } : {}) };
    }
    case 'moveMapping':
      return { ...change, from: change.to, to: change.from };
    case 'setMapping':
      return { ...change, from: change.to, to: change.from };
    case 'addField':
      return { op: 'removeField', mapping: change.mapping, field: change.field };
    case 'removeField': {
      const index = before?.mappings.find((m) => m.name === change.mapping)?.fields.findIndex((f) => fieldKey(f) === fieldKey(change.field));
      return { op: 'addField', mapping: change.mapping, field: change.field, ...(index !== undefined && index >= 0 ? { index } : {}) };
    }
    case 'setField':
      return { ...change, from: change.to, to: change.from };
    case 'setReview':
      return change.previous ? { op: 'setReview', review: change.previous, previous: change.review } : { op: 'removeReview', review: change.review };
    case 'removeReview':
      return { op: 'setReview', review: change.review, previous: null };
  }
}

export function applyChanges(set: MappingSet, changes: readonly Change[]): MappingSet {
  return changes.reduce(applyChange, set);
}

/** Applies what applies, and reports the rest (for a review screen that accepts changes one by one). */
export function tryApplyChanges(set: MappingSet, changes: readonly Change[]): { set: MappingSet; rejected: { change: Change; reason: string }[] } {
  const rejected: { change: Change; reason: string }[] = [];
  let current = set;
  for (const c of changes) {
    try {
      current = applyChange(current, c);
    } catch (x) {
      if (!(x instanceof ChangeConflictError)) throw x;
      rejected.push({ change: c, reason: x.message });
    }
  }
  return { set: current, rejected };
}

/** Undo/redo stack over pure changes; an editor keeps one per open set. */
export class History {
  private done: { change: Change; before: MappingSet }[] = [];
  private undone: Change[] = [];
  constructor(public current: MappingSet) {}
  apply(change: Change): MappingSet {
    const before = this.current;
    this.current = applyChange(before, change);
    this.done.push({ change, before });
    this.undone = [];
    return this.current;
  }
  undo(): MappingSet {
    const last = this.done.pop();
    if (!last) return this.current;
    this.current = last.before;
    this.undone.push(last.change);
    return this.current;
  }
  redo(): MappingSet {
    const next = this.undone.pop();
    if (!next) return this.current;
    const before = this.current;
    this.current = applyChange(before, next);
    this.done.push({ change: next, before });
    return this.current;
  }
  get canUndo() { return this.done.length > 0; }
  get canRedo() { return this.undone.length > 0; }
}
