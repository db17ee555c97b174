/**
 * Data generators for the sandboxes. The generators are pure (seed value → rows) and independent of any
 * server, so benchmarks and tests call them directly. Loading a data set into the BC sandbox's store is the BC
 * sandbox's business (main/sandbox/bc/seed.ts: loadSeed, loadDataset); nothing here imports a sandbox service.
 */

export type { BcDataset, Row } from './demo';
export { DEMO_COMPANY_NAME, DEMO_TODAY, Rng, generateDemoData } from './demo';
export { BENCH_MAX_RECORDS, generateBenchData } from './bench';
export { generateDataverseDemoData } from './dataverse';
export type { DataverseDataset } from './dataverse';
