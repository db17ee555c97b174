/**
 * Currencies (reference §C.4 CURRENCY, §E.4 implicit match, §F.5/F.6).
 *
 * CURRENCY mapping (BC Currency → transactioncurrency, To):
 * - implicit match (`currencyImplicitMatch`): an uncoupled BC currency couples to the existing, not yet coupled
 *   Dataverse currency with the same ISO code instead of creating a second one (Dataverse refuses that anyway:
 *   isocurrencycode is unique);
 * - exchangerate = units of the currency per 1 LCY, from BC's newest Currency Exchange Rate starting on or before
 *   today (relational currency resolved once), rounded to 1e-10; none → BC's "no exchange rate" error;
 * - currencyprecision on insert: the largest of BC's Amount Decimal Places ("2:2" → 2), clamped to 0..4, else 2.
 *
 * Currency lookups on every other mapping that maps a currency code to `transactioncurrencyid` (CUSTOMER, VENDOR,
 * CONTACT, and — through the same rule — price lists and documents):
 * - BC → DV: empty code (or the LCY code) → the Dataverse currency whose ISO code is the LCY code; otherwise the
 *   Dataverse currency coupled to the BC currency; not coupled → "Currency EUR must be coupled to a Dataverse
 *   transaction currency. Run the CURRENCY mapping first." (cleared instead with Clear Value on Failed Sync).
 * - DV → BC: the LCY currency → '' ; a coupled currency → its BC code; not coupled → an error naming the currency.
 * A value that already is a GUID (another rule translated it) is left alone, so this rule composes.
 */
import type { BcFilter, DvFilter, FieldMapping, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { PassDirection } from '../coupling/store';
import type { LookupResolver } from '../engine/fields';
import type { MappingRules } from '../engine/hooks';
import { setIfChanged } from '../engine/hooks';
import type { Row } from '../ports';
import type { RuleDeps, RuleModule } from './types';
import { isLegacyUomMapping, unitImplicitMatch } from './units';

export const CURRENCY_TABLE_ID = 4;
const ALL_BC: BcFilter = { conditions: [] };
const ALL_DV: DvFilter = { conditions: [], companyScoped: false };

const normCode = (v: unknown): string => (typeof v === 'string' ? v.trim().toUpperCase() : '');
const isGuid = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

export const isCurrencyMapping = (m: TableMapping): boolean => m.bcTable === 'Currency' && m.dataverseEntity === 'transactioncurrency';

export const currencyNotCoupled = (code: string): string =>
  `Currency ${code} must be coupled to a Dataverse transaction currency. Run the CURRENCY mapping first.`;
export const noExchangeRate = (code: string): string =>
  `Cannot create or update the currency ${code} in Dataverse because no exchange rate is defined for it in Business Central. ` +
  `Add a Currency Exchange Rate for ${code} (starting today or earlier), then synchronize again.`;
export const lcyNotInDataverse = (lcy: string): string =>
  `Your local currency code ${lcy} does not match any ISO Currency Code in the Dataverse currency table. ` +
  `Create a Dataverse currency with ISO code ${lcy}, then synchronize again.`;

/** BC's (amount, relational amount, relational code) for one currency, newest first up to `day` (YYYY-MM-DD). */
async function rateRow(deps: RuleDeps, code: string, day: string): Promise<Row | null> {
  const rows = await deps.sides.bc.findMatches('Currency Exchange Rate', [{ field: 'Currency Code', value: code, caseSensitive: false }], ALL_BC, 1000);
  let best: Row | null = null;
  for (const r of rows) {
    const start = String(r.values['Starting Date'] ?? '');
    if (start > day) continue;
    if (!best || start > String(best.values['Starting Date'] ?? '')) best = r;
  }
  return best;
}

/**
 * Units of `code` per 1 LCY (Dataverse exchangerate with LCY as the base currency), or null when BC has no rate.
 * BC stores "Exchange Rate Amount of the currency = Relational Exch. Rate Amount of the relational currency (LCY
 * when blank)"; a relational currency is itself converted through its own rate (one level, as BC does).
 */
export async function exchangeRate(deps: RuleDeps, code: string, day: string): Promise<number | null> {
  const c = normCode(code);
  if (!c || c === normCode(deps.settings.lcyCode)) return 1;
  const r = await rateRow(deps, c, day);
  if (!r) return null;
  const amount = Number(r.values['Exchange Rate Amount']);
  const relational = Number(r.values['Relational Exch. Rate Amount']);
  if (!(amount > 0 && relational > 0)) return null;
  let perRelational = amount / relational;
  const rel = normCode(r.values['Relational Currency Code']);
  if (rel && rel !== normCode(deps.settings.lcyCode)) {
    const relRow = await rateRow(deps, rel, day);
    const ra = Number(relRow?.values['Exchange Rate Amount']);
    const rr = Number(relRow?.values['Relational Exch. Rate Amount']);
    if (!(ra > 0 && rr > 0)) return null;
    // 1 LCY = ra/rr units of the relational currency; 1 relational = amount/relational units of the currency.
    perRelational *= ra / rr;
  }
  return Math.round(perRelational * 1e10) / 1e10;
}

/** Decimal places for Dataverse from BC's Amount Decimal Places ("2:2", "0:0", "2:5" → the largest, 0..4). */
export function currencyPrecision(amountDecimalPlaces: unknown): number {
  const parts = String(amountDecimalPlaces ?? '').split(':').map((x) => Number.parseInt(x, 10)).filter((n) => Number.isFinite(n));
  return parts.length ? Math.min(4, Math.max(0, Math.max(...parts))) : 2;
}

const today = (deps: RuleDeps): string => new Date(deps.clock.now()).toISOString().slice(0, 10);

/** The Dataverse currency of BC's local currency (by ISO code), or null. */
export async function lcyCurrencyId(deps: RuleDeps): Promise<string | null> {
  const lcy = normCode(deps.settings.lcyCode);
  if (!lcy) return null;
  const rows = await deps.sides.dataverse.findMatches('transactioncurrencies', [{ field: 'isocurrencycode', value: lcy, caseSensitive: false }], ALL_DV, 2);
  return rows[0]?.id.toLowerCase() ?? null;
}

/** OnFindUncoupledDestinationRecord for CURRENCY: the uncoupled Dataverse currency with the same ISO code. */
export async function currencyImplicitMatch(deps: RuleDeps, mapping: TableMapping, source: Row): Promise<string | null> {
  const code = normCode(source.values.Code);
  if (!code) return null;
  const rows = await deps.sides.dataverse.findMatches('transactioncurrencies', [{ field: 'isocurrencycode', value: code, caseSensitive: false }], ALL_DV, 5);
  const free = rows.filter((r) => !deps.couplings.byDv(mapping.bcTableId, r.id));
  return free.length === 1 ? free[0]!.id.toLowerCase() : null;
}

/**
 * The engine's `implicitMatch` option for the master-data mappings (CURRENCY by ISO code, UNIT OF MEASURE by
 * `NAV <CODE>`). Pass it to SyncEngine next to `rules: domainRules(deps)`.
 */
export function masterDataImplicitMatch(deps: RuleDeps): (mapping: TableMapping, dir: PassDirection, source: Row) => Promise<string | null> {
  return async (mapping, dir, source) => {
    if (dir !== 'to') return null;
    if (isCurrencyMapping(mapping)) return currencyImplicitMatch(deps, mapping, source);
    if (isLegacyUomMapping(mapping)) return unitImplicitMatch(deps, mapping, source);
    return null;
  };
}

function currencyMappingRules(deps: RuleDeps): MappingRules {
  const rates = new Map<string, number | null>();
  return {
    async beforeBatch(_m, dir, rows) {
      if (dir !== 'to') return;
      const day = today(deps);
      const codes = [...new Set(rows.map((r) => normCode(r.values.Code)).filter((c) => c && !rates.has(c)))];
      await Promise.all(codes.map(async (c) => rates.set(c, await exchangeRate(deps, c, day))));
    },
    async prepare(ctx, values) {
      if (ctx.dir !== 'to') return null;
      const code = normCode(ctx.source.values.Code);
      if (!rates.has(code)) rates.set(code, await exchangeRate(deps, code, today(deps)));
      const rate = rates.get(code);
      if (rate === null || rate === undefined) return noExchangeRate(code);
      setIfChanged(values, ctx.dest, 'exchangerate', rate);
      if (ctx.dest === null) values.currencyprecision = currencyPrecision(ctx.source.values['Amount Decimal Places']);
      return null;
    },
  };
}

/** Field mappings between a BC currency code and transactioncurrencyid. */
function currencyFields(m: TableMapping): FieldMapping[] {
  return m.fields.filter((f) => f.status === 'Enabled' && f.dataverseField === 'transactioncurrencyid' && f.bcField !== null);
}

/** Per pass: BC currency code ⇄ BC SystemId ⇄ coupled Dataverse currency. */
class CurrencyDirectory {
  private byCode: Map<string, Row> | null = null;
  private byId = new Map<string, Row>();
  private loading: Promise<void> | null = null;
  private lcy: Promise<string | null> | null = null;
  /** The LCY currency id once known (for the synchronous lookup resolver). */
  lcyKnown: string | null | undefined = undefined;
  constructor(private readonly deps: RuleDeps) {}

  get loaded(): boolean {
    return this.byCode !== null && this.lcyKnown !== undefined;
  }

  load(): Promise<void> {
    this.loading ??= (async () => {
      const byCode = new Map<string, Row>();
      for await (const page of this.deps.sides.bc.queryModified('Currency', { filter: ALL_BC, since: null, pageSize: 1000 })) {
        for (const r of page) {
          byCode.set(normCode(r.values.Code), r);
          this.byId.set(r.id.toLowerCase(), r);
        }
      }
      this.byCode = byCode;
    })();
    return this.loading;
  }
  lcyId(): Promise<string | null> {
    this.lcy ??= lcyCurrencyId(this.deps).then((id) => (this.lcyKnown = id));
    return this.lcy;
  }
  dvIdOf(code: string): string | null {
    const r = this.byCode?.get(code);
    return r ? (this.deps.couplings.byBc(CURRENCY_TABLE_ID, r.id.toLowerCase())?.dvId ?? null) : null;
  }
  codeOf(dvId: string): string | null {
    const c = this.deps.couplings.byDv(CURRENCY_TABLE_ID, dvId.toLowerCase());
    const r = c?.bcId ? this.byId.get(c.bcId.toLowerCase()) : undefined;
    return r ? normCode(r.values.Code) : null;
  }
}

/** The directory of the newest pass per deps, read by `masterDataLookups` (currencies do not depend on the mapping). */
const current = new WeakMap<RuleDeps, CurrencyDirectory>();

/**
 * The engine's `lookups` option (engine/fields.ts LookupResolver): translates Currency Code ⇄ transactioncurrencyid
 * BEFORE the engine compares source and destination, from what `beforeBatch` loaded. Without it the engine compares a
 * BC code with a Dataverse id, so on Bidirectional mappings (CUSTOMER, VENDOR, CONTACT) a record changed on both sides
 * reads as an update conflict on the currency field even when the currency did not change. Anything it cannot answer
 * synchronously is left to `prepare` (which also produces the error messages).
 */
export function masterDataLookups(deps: RuleDeps): LookupResolver {
  return ({ field, dir, value }) => {
    if (field.dataverseField !== 'transactioncurrencyid' || field.bcField === null) return undefined;
    const d = current.get(deps);
    if (!d?.loaded) return undefined;
    if (dir === 'to') {
      const code = normCode(value);
      const id = !code || code === normCode(deps.settings.lcyCode) ? d.lcyKnown : d.dvIdOf(code);
      return id ? { ok: true, value: id } : undefined;
    }
    if (value === null || value === undefined || value === '') return { ok: true, value: '' };
    if (!isGuid(value)) return undefined;
    if (value.toLowerCase() === d.lcyKnown) return { ok: true, value: '' };
    const code = d.codeOf(value);
    return code === null ? undefined : { ok: true, value: code === normCode(deps.settings.lcyCode) ? '' : code };
  };
}

function currencyLookupRules(deps: RuleDeps, fields: FieldMapping[]): MappingRules {
  const dir = new CurrencyDirectory(deps);
  current.set(deps, dir);
  const lcy = normCode(deps.settings.lcyCode);
  return {
    async beforeBatch(_m, d, rows) {
      if (rows.length === 0) return;
      const relevant = fields.filter((f) => (d === 'to' ? f.direction !== 'FromIntegrationTable' : f.direction !== 'ToIntegrationTable'));
      if (relevant.length === 0) return;
      await Promise.all([dir.load(), dir.lcyId()]);
    },
    async prepare(ctx, values) {
      for (const f of fields) {
        if (ctx.dir === 'to') {
          // Always from the source code: an empty code means LCY even where the transfer saw "nothing to write".
          if (f.direction === 'FromIntegrationTable' || isGuid(values.transactioncurrencyid)) continue;
          const code = normCode(ctx.source.values[f.bcField!]);
          let id: string | null;
          if (!code || code === lcy) {
            id = await dir.lcyId();
            if (!id && !f.clearValueOnFailedSync) return lcyNotInDataverse(lcy);
          } else {
            await dir.load();
            id = dir.dvIdOf(code);
            if (!id && !f.clearValueOnFailedSync) return currencyNotCoupled(code);
          }
          setIfChanged(values, ctx.dest, 'transactioncurrencyid', id);
        } else {
          const field = f.bcField!;
          if (f.direction === 'ToIntegrationTable' || !(field in values)) continue;
          const v = ctx.source.values.transactioncurrencyid;
          let code = '';
          if (isGuid(v) && v.toLowerCase() !== (await dir.lcyId())) {
            await dir.load();
            const c = dir.codeOf(v);
            if (c === null) {
              if (!f.clearValueOnFailedSync) {
                return `The Dataverse transaction currency ${v.toLowerCase()} is not coupled to a Business Central currency. ` +
                  'Run the CURRENCY mapping (or couple the currency), then synchronize again.';
              }
            } else code = c === lcy ? '' : c;
          }
          setIfChanged(values, ctx.dest, field, code);
        }
      }
      return null;
    },
  };
}

/** Rule module: the CURRENCY mapping itself, and currency lookups on every mapping that maps transactioncurrencyid. */
export const currencyRules: RuleModule = (deps) => (mapping) => {
  if (isCurrencyMapping(mapping)) return currencyMappingRules(deps);
  const fields = currencyFields(mapping);
  return fields.length ? currencyLookupRules(deps, fields) : null;
};
