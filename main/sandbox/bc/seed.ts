/**
 * Loading generated data into a BC sandbox store: `loadSeed` picks a data set from the pure generators in
 * ../seed (demo, bench or empty) and `loadDataset` writes it in one transaction with one prepared statement.
 * The generators know nothing about the store, so ../seed never imports the BC sandbox.
 */
import { TABLES } from './entities';
import type { BcStore } from './store';
import type { BcDataset } from '../seed/demo';
import { generateDemoData } from '../seed/demo';
import { generateBenchData } from '../seed/bench';

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
