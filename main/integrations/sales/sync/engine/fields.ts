/**
 * Field transfer (E.4 steps 1 and 6): which field mappings apply to a pass, and the values to write.
 */
import type { FieldMapping, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { PassDirection } from '../coupling/store';
import type { Row } from '../ports';

export const NULL_GUID = '00000000-0000-0000-0000-000000000000';

export interface FieldPlan {
  field: FieldMapping;
  /** Source field name, or null when the constant is written. */
  source: string | null;
  dest: string;
  constant: string | null;
  /** Field mapping is Bidirectional: only those raise an update conflict (E.4 step 7). */
  bidirectional: boolean;
  /** Validate flag for the destination side, carried to the adapter. */
  validate: boolean;
  /** The BC end is a Code field: compared upper-cased and trimmed. */
  code: boolean;
}

/** Lookup translation (e.g. Salesperson Code → ownerid). `undefined` = not a lookup field, copy as is. */
export type LookupResolver = (ctx: {
  mapping: TableMapping;
  field: FieldMapping;
  dir: PassDirection;
  value: unknown;
}) => { ok: true; value: unknown } | { ok: false; message: string } | undefined;

export type IsCodeField = (mapping: TableMapping, bcField: string) => boolean;

export function planFields(mapping: TableMapping, dir: PassDirection, isCode: IsCodeField): FieldPlan[] {
  const want = dir === 'to' ? 'ToIntegrationTable' : 'FromIntegrationTable';
  const plans: FieldPlan[] = [];
  for (const f of mapping.fields) {
    if (f.status !== 'Enabled' || (f.direction !== want && f.direction !== 'Bidirectional')) continue;
    const source = dir === 'to' ? f.bcField : f.dataverseField;
    const dest = dir === 'to' ? f.dataverseField : f.bcField;
    // A constant goes toward DV when the BC field is empty and toward BC when the DV field is empty; a field
    // mapping without a destination on this side does nothing in this pass.
    if (dest === null) continue;
    if (source === null && f.constant === null) continue;
    plans.push({
      field: f, source, dest, constant: source === null ? f.constant : null, bidirectional: f.direction === 'Bidirectional',
      validate: dir === 'to' ? f.validateIntegrationField : f.validateField,
      code: f.bcField !== null && isCode(mapping, f.bcField),
    });
  }
  return plans;
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';

export function sameValue(a: unknown, b: unknown, code: boolean): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (isEmpty(a) || isEmpty(b)) return false;
  if (code) return String(a).trim().toUpperCase() === String(b).trim().toUpperCase();
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return String(a) === String(b);
}

export interface Transfer {
  values: Record<string, unknown>;
  validate: string[];
  /** At least one Bidirectional field mapping changed the destination. */
  changedBidirectional: boolean;
  error: string | null;
}

/**
 * Computes what to write. On modify (`dest` given) only values that differ are included, so the adapters send
 * minimal PATCHes and an unchanged record becomes IgnoreUnchanged.
 */
export function transferFields(mapping: TableMapping, dir: PassDirection, plans: readonly FieldPlan[], source: Row, dest: Row | null, lookups?: LookupResolver): Transfer {
  const values: Record<string, unknown> = {};
  const validate: string[] = [];
  let changedBidirectional = false;
  for (const p of plans) {
    // A BC field the adapter did not read (no such property on this connection: BC without the companion extension,
    // adapters/carried.ts) is not carried: the Dataverse value is left alone instead of being cleared.
    if (dir === 'to' && p.source !== null && !(p.source in source.values)) continue;
    let v: unknown = p.source === null ? p.constant : source.values[p.source];
    const looked = lookups?.({ mapping, field: p.field, dir, value: v });
    if (looked) {
      if (looked.ok) v = looked.value;
      else if (p.field.clearValueOnFailedSync) v = null;
      else return { values: {}, validate: [], changedBidirectional: false, error: `The data could not be updated because of the following error: ${looked.message}` };
    }
    // Not Null (OwnerId): never overwrite with an empty GUID.
    if (p.field.notNull && (isEmpty(v) || String(v).toLowerCase() === NULL_GUID)) continue;
    if (dest && sameValue(v, dest.values[p.dest], p.code)) continue;
    values[p.dest] = v ?? null;
    if (p.validate) validate.push(p.dest);
    if (p.bidirectional) changedBidirectional = true;
  }
  return { values, validate, changedBidirectional, error: null };
}
