/**
 * Local evaluation of the mapping's structured filters. Adapters receive the same filters and may push them
 * down (OData $filter via renderODataFilter, which escapes values; BC API $filter), but the engine re-checks
 * every row here so correctness never depends on what an adapter could express.
 */
import { matchesBcExpression, parseBcExpression } from '../../../../../preload/contract/sales/mapping-bc-filter';
import type { BcFilter, DvFilter, DvValue } from '../../../../../preload/contract/sales/mapping-model';
import type { Row } from '../ports';

/** BC filter values are texts; booleans appear as Yes/No, everything else by its text form. */
function bcText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  return String(v);
}

export function matchesBcFilter(row: Row, f: BcFilter): boolean {
  return f.conditions.every((c) => {
    const v = bcText(row.values[c.field]);
    switch (c.op) {
      case 'eq':
        return v === c.values[0];
      case 'ne':
        return v !== c.values[0];
      case 'in':
        return c.values.includes(v);
      case 'filter':
        // A BC filter expression (ranges, wildcards, @, &, <, >): evaluated by the shared grammar.
        return matchesBcExpression(v, parseBcExpression(c.values[0]!));
    }
  });
}

function cmp(a: unknown, b: DvValue): number | null {
  if (a === null || a === undefined || b === null) return null;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b ? 0 : null;
  // Dataverse's default collation is case-insensitive.
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x === y ? 0 : x < y ? -1 : 1;
}

function dvEq(a: unknown, b: DvValue): boolean {
  if (b === null) return a === null || a === undefined;
  return cmp(a, b) === 0;
}

export function matchesDvFilter(row: Row, f: DvFilter, companyId?: string): boolean {
  const ok = f.conditions.every((c) => {
    const v = row.values[c.attribute];
    const first = c.values[0] as DvValue;
    switch (c.op) {
      case 'eq':
        return dvEq(v, first);
      case 'ne':
        return !dvEq(v, first);
      case 'in':
        return c.values.some((x) => dvEq(v, x));
      default: {
        const d = cmp(v, first);
        if (d === null) return false;
        return c.op === 'gt' ? d > 0 : c.op === 'ge' ? d >= 0 : c.op === 'lt' ? d < 0 : d <= 0;
      }
    }
  });
  if (!ok) return false;
  if (f.companyScoped && companyId !== undefined) {
    const co = row.values['bcbi_companyid'];
    return co === null || co === undefined || String(co).toLowerCase() === companyId.toLowerCase();
  }
  return true;
}
