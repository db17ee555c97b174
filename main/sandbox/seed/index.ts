/**
 * Data generators for the sandboxes. The generators are pure (seed value → rows) and independent of any
 * server, so benchmarks and tests call them directly; `loadSeed` writes a data set into a BC sandbox store
 * in one transaction with one prepared statement.
 */
import type { BcStore } from '../bc/store';
import { TABLES } from '../bc/entities';
import type { BcDataset } from './demo';
import { generateDemoData } from './demo';
import { generateBenchData } from './bench';

export type { BcDataset, Row } from './demo';
export { DEMO_COMPANY_NAME, DEMO_TODAY, Rng, generateDemoData } from './demo';
export { BENCH_MAX_RECORDS, generateBenchData } from './bench';
export { generateDataverseDemoData } from './dataverse';
export type { DataverseDataset } from './dataverse';

export interface SeedOptions {
  kind: 'demo' | 'bench' | 'empty';
  /** Items for 'bench' (customers = records / 5). Default 1,000. */
  records?: number;
  seedValue?: number;
}

export function generateBcData(opts: SeedOptions): BcDataset | { company: BcDataset['company']; tables: Record<string, never>; series: Record<string, never> } {
  if (opts.kind === 'bench') return generateBenchData(opts.records ?? 1000, opts.seedValue ?? 1);
  const demo = generateDemoData(opts.seedValue ?? 1);
  return opts.kind === 'demo' ? demo : { company: demo.company, tables: {}, series: {} };
}

/** Load a data set into the store; returns the company id. */
export function loadDataset(store: BcStore, data: BcDataset | ReturnType<typeof generateBcData>): string {
  const companyId = String(data.company.id);
  store.bulkLoad(() => {
    store.insertRaw('companies', '', [data.company]);
    for (const [table, rows] of Object.entries(data.tables)) {
      const def = TABLES[table];
      if (!def) throw new Error(`Seed data names an unknown table '${table}'.`);
      store.insertRaw(table, companyId, rows as Record<string, unknown>[], def.parentTable ? (r) => String(r.documentId) : undefined);
    }
    for (const [series, last] of Object.entries(data.series)) store.setSeries(series, companyId, last as number);
  });
  return companyId;
}

export function loadSeed(store: BcStore, opts: SeedOptions): string {
  return loadDataset(store, generateBcData(opts));
}
