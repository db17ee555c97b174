/**
 * What sync runs (issue 11): every default mapping for the setup's options is listed, the ones the engine can run
 * are runnable, the others carry the reason why not; the stored mapping set's match-based coupling choices apply.
 */
import type { SyncMessageCode } from '../../../../../preload/contract/sales/sync';
import type { MappingOptions, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { Db } from '../../../../db/database';
import type { Logger } from '../../../../ports';
import { AppFailure } from '../../../../rpc/errors';
import { defaultMappings, SALES_MAPPING_SET } from '../../mappings/defaults';
import { MappingStore } from '../../mappings/store';
import * as connect from '../adapters/connect';
import { ADAPTER_MAPPINGS, adapterMappings, DOCUMENT_MAPPINGS, MASTER_DATA_MAPPINGS, PRODUCT_MAPPINGS } from '../adapters/connect';
import type { RuleSettings } from '../rules/types';

/** Every mapping the adapters carry with the domain rules on, in the reference's dependency order. */
export const RULED_MAPPINGS = [...MASTER_DATA_MAPPINGS, ...ADAPTER_MAPPINGS, ...PRODUCT_MAPPINGS, ...DOCUMENT_MAPPINGS] as const;

/** Per default mapping: whether the engine can run it, and if not why (adapters/connect.ts `mappingSupport`). */
export type MappingSupport = { name: string; runnable: true } | { name: string; runnable: false; reason: SyncMessageCode };

/**
 * The adapters' own answer when they give one (`mappingSupport(options)`); otherwise the mappings the adapters
 * carry with the rules run and every other default mapping says so (code notCarried) instead of being left out.
 */
export function mappingSupport(options: Partial<MappingOptions>): MappingSupport[] {
  const fromAdapters = (connect as unknown as { mappingSupport?: (o: Partial<MappingOptions>) => MappingSupport[] }).mappingSupport;
  if (typeof fromAdapters === 'function') return fromAdapters(options);
  const carried = new Set<string>(RULED_MAPPINGS);
  return defaultMappings(options).map((m): MappingSupport => (carried.has(m.name) ? { name: m.name, runnable: true } : { name: m.name, runnable: false, reason: { code: 'notCarried', params: { mapping: m.name } } }));
}

/** What the console lists (every default mapping) and what of it the engine can run. */
export interface Catalog {
  listed: TableMapping[];
  runnable: TableMapping[];
  reasons: Map<string, SyncMessageCode>;
}

/**
 * The administrator's match-based coupling choices from the stored mapping set (the mapping editor's *Use for
 * match-based coupling*, priority, case sensitivity, Create New in Case of No Match) over the mapping sync runs.
 */
function withMatchChoices(m: TableMapping, stored: TableMapping | undefined): TableMapping {
  if (!stored) return m;
  const same = (a: TableMapping['fields'][number], b: TableMapping['fields'][number]) => a.bcField === b.bcField && a.dataverseField === b.dataverseField;
  return {
    ...m,
    createNewInCaseOfNoMatch: stored.createNewInCaseOfNoMatch,
    synchAfterBulkCoupling: stored.synchAfterBulkCoupling,
    fields: m.fields.map((f) => {
      const s = stored.fields.find((x) => same(x, f));
      return s ? { ...f, useForMatchBasedCoupling: s.useForMatchBasedCoupling, matchPriority: s.matchPriority, caseSensitiveMatching: s.caseSensitiveMatching } : f;
    }),
  };
}

/** What the catalog reads: the database (stored sets), the fixed mappings of tests, the setup's options. */
export interface CatalogDeps {
  db: Db;
  logger?: Logger;
  mappings?: () => TableMapping[];
  domain?: () => { settings: RuleSettings; options: Partial<MappingOptions> };
}

export class MappingCatalog {
  private stored: { revision: string; byName: Map<string, TableMapping> } | null = null;
  private cat: { key: string; value: Catalog } | null = null;

  constructor(private readonly d: CatalogDeps) {}

  /**
   * Every default mapping for the setup's options (listed, never silently left out) and the ones the engine can
   * run, with the stored set's match-based coupling choices. Without domain rules: the plain ITEM-PRODUCT / CUSTOMER.
   */
  catalog(): Catalog {
    const d = this.d;
    if (d.mappings) {
      const all = d.mappings();
      return { listed: all, runnable: all, reasons: new Map() };
    }
    if (!d.domain) {
      const plain = adapterMappings().map((m) => withMatchChoices(m, this.storedMappings().get(m.name)));
      return { listed: plain, runnable: plain, reasons: new Map() };
    }
    const options = d.domain().options;
    const stored = this.storedMappings();
    // Building the catalog takes ~13 ms; the status, the queue and every run ask for it: keep it while nothing changed.
    const key = `${JSON.stringify(options)}|${this.stored?.revision ?? ''}`;
    if (this.cat?.key === key) return this.cat.value;
    const support = mappingSupport(options);
    const reasons = new Map(support.flatMap((x) => (x.runnable ? [] : [[x.name, x.reason] as const])));
    const runnable = adapterMappings(options, support.filter((x) => x.runnable).map((x) => x.name), { withRules: true }).map((m) => withMatchChoices(m, stored.get(m.name)));
    const byName = new Map(runnable.map((m) => [m.name, m]));
    const listed = defaultMappings(options).map((m) => byName.get(m.name) ?? withMatchChoices(m, stored.get(m.name)));
    this.cat = { key, value: { listed, runnable, reasons } };
    return this.cat.value;
  }

  /**
   * The stored set whose match-based coupling choices sync follows, by mapping name: "Dynamics 365 Sales" (the one
   * enabling creates); before that, the set the mapping editor opens first (a new console's "Default mappings"), so
   * match fields ticked in the editor count on the demo connection too.
   */
  private storedMappings(): Map<string, TableMapping> {
    try {
      const store = new MappingStore(this.d.db);
      const sets = store.list();
      const info = sets.find((x) => x.name === SALES_MAPPING_SET) ?? sets[0];
      if (!info) {
        this.stored = null;
        return new Map();
      }
      const revision = `${info.id}:${info.revision}:${info.updatedAt}`;
      if (this.stored?.revision !== revision) this.stored = { revision, byName: new Map(store.load(info.id).set.mappings.map((m) => [m.name, m])) };
      return this.stored.byName;
    } catch (x) {
      // A set that does not load (another version wrote it) must not stop sync: the defaults' choices apply.
      this.d.logger?.warn('The stored mapping set could not be read for sync', x instanceof Error ? x.message : String(x));
      return new Map();
    }
  }

  mapping(name: string): TableMapping {
    const cat = this.catalog();
    const m = cat.runnable.find((x) => x.name === name);
    if (m) return m;
    const reason = cat.reasons.get(name);
    if (reason)
      throw new AppFailure('SYNC_MAPPING_NOT_RUNNABLE', `${name} cannot be synchronized by the console yet (${reason.code}).`, { mapping: name, reason: reason.code, ...reason.params });
    throw new AppFailure('SYNC_MAPPING_NOT_FOUND', `There is no table mapping "${name}" that can be synchronized. Available: ${cat.runnable.map((x) => x.name).join(', ')}.`, { mapping: name });
  }
}
