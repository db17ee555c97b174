/**
 * Option-set fields of accounts (reference §C.4 CUSTOMER / VENDOR, §E.13): Payment Terms Code ⇄ paymenttermscode,
 * Shipment Method Code ⇄ address1_freighttermscode, Shipping Agent Code ⇄ address1_shippingmethodcode. The values
 * are translated through the option mappings' couplings ("CRM Option Mapping", CouplingStore.optionByCode /
 * optionByValue) — the same store the option algorithm (engine/options.ts) writes:
 * - BC → DV: empty code → no option (null); a coupled code → its option value; not coupled → the record fails with
 *   "… must be coupled …; run PAYMENT TERMS first" (cleared instead with Clear Value on Failed Sync).
 * - DV → BC: no option → ''; a coupled option value → its BC code; not coupled → the record fails.
 * The translation runs as the engine's `lookups` (engine/fields.ts), before the engine compares source and
 * destination, so an unchanged code never reads as a change (nor as an update conflict on Bidirectional mappings).
 */
import type { FieldMapping, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { LookupResolver } from '../engine/fields';
import { setIfChanged } from '../engine/hooks';
import type { RuleDeps, RuleModule } from './types';

/** Account option-set attribute → the option mapping that couples its values. */
export const ACCOUNT_OPTION_MAPPINGS: Readonly<Record<string, string>> = {
  paymenttermscode: 'PAYMENT TERMS',
  address1_freighttermscode: 'SHIPMENT METHOD',
  address1_shippingmethodcode: 'SHIPPING AGENT',
};

/** The option mapping behind a field mapping of a (non-option) account mapping, if it maps an account option set. */
export function optionMappingOf(mapping: TableMapping, field: FieldMapping): string | null {
  if (mapping.isOptionMapping || mapping.dataverseEntity !== 'account' || field.bcField === null || field.dataverseField === null) return null;
  return ACCOUNT_OPTION_MAPPINGS[field.dataverseField] ?? null;
}

export const optionNotCoupled = (field: string, code: string, optionMapping: string): string =>
  `${field} ${code} must be coupled to a Dataverse option value. Run the ${optionMapping} mapping (or couple its records) first.`;
export const optionValueNotCoupled = (attribute: string, value: number, optionMapping: string): string =>
  `The Dataverse option value ${value} of ${attribute} is not coupled to a Business Central code. Couple it in ${optionMapping} ` +
  '(or add the code in Business Central and synchronize the option mapping), then synchronize again.';

/** The engine's lookups for account option sets (chain it with the other resolvers). */
export function optionLookups(deps: Pick<RuleDeps, 'couplings'>): LookupResolver {
  return ({ mapping, field, dir, value }) => {
    const optionMapping = optionMappingOf(mapping, field);
    if (!optionMapping) return undefined;
    if (dir === 'to') {
      const code = typeof value === 'string' ? value.trim() : value === null || value === undefined ? '' : String(value);
      if (code === '') return { ok: true, value: null };
      const c = deps.couplings.optionByCode(optionMapping, code) ?? deps.couplings.optionByCode(optionMapping, code.toUpperCase());
      return c ? { ok: true, value: c.optionValue } : { ok: false, message: optionNotCoupled(field.bcField!, code, optionMapping) };
    }
    if (value === null || value === undefined || value === '') return { ok: true, value: '' };
    const n = Number(value);
    const c = Number.isInteger(n) ? deps.couplings.optionByValue(optionMapping, n) : undefined;
    return c ? { ok: true, value: c.bcCode } : { ok: false, message: optionValueNotCoupled(field.dataverseField!, n, optionMapping) };
  };
}

/**
 * The same translation as a rule (`prepare`), for engines built with `rules` but without `lookups`, and for values a
 * lookup could not answer: a BC code still in the values on the way to Dataverse (or an option value on the way to
 * BC) is translated here or fails the record with the same message.
 */
export const optionRules: RuleModule = (deps) => (mapping) => {
  const fields = mapping.fields.filter((f) => f.status === 'Enabled' && optionMappingOf(mapping, f) !== null);
  if (fields.length === 0) return null;
  const resolve = optionLookups(deps);
  return {
    prepare(ctx, values) {
      for (const f of fields) {
        const key = ctx.dir === 'to' ? f.dataverseField! : f.bcField!;
        if (!(key in values) || (ctx.dir === 'to' ? f.direction === 'FromIntegrationTable' : f.direction === 'ToIntegrationTable')) continue;
        const v = values[key];
        // Already translated (by the engine's lookups): an option value toward Dataverse, a code (text) toward BC.
        if (ctx.dir === 'to' ? v === null || typeof v === 'number' : typeof v === 'string' || v === null) continue;
        const r = resolve({ mapping, field: f, dir: ctx.dir, value: v });
        if (!r) continue;
        if (!r.ok && !f.clearValueOnFailedSync) return `The data could not be updated because of the following error: ${r.message}`;
        setIfChanged(values, ctx.dest, key, r.ok ? r.value : ctx.dir === 'to' ? null : '');
      }
      return null;
    },
  };
};
