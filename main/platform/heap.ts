import v8 from 'node:v8';

/**
 * Heap growth of a process that runs sync engines (the Electron main process, the browser host, the d365ic CLI and
 * the benchmarks that stand for them).
 *
 * A sync streams pages of records through the process: each page is read, decided, written and dropped, so the live
 * set stays small (60–75 MB after a full collection at a million records, issue 17) while hundreds of MB per second
 * turn into garbage. V8 sizes the old generation after each full collection at up to four times what survived it,
 * and with pages that live across several scavenges (they wait on the network) it let the heap grow to ~310 MB and
 * the process to ~440–456 MB RSS: memory held for garbage, not for data. A growing factor of 1.6 collects before
 * that: `bench:sync --latency-ms 40` peaked at 284/286 MB at a million records and 272/237 MB at 100,000, with
 * initial runs at 0.89–1.07 of the bound. 1.3 held 274 MB but cost 20–30 µs more CPU per record at 100,000 (0.64 and
 * 0.72 of the bound); 2.0 was no better in one run at 100,000 (0.80 of the bound, 242 MB).
 *
 * The flag is read by V8 at every full collection, so setting it at start-up of an already running isolate takes
 * effect for the rest of the process (the Electron main process cannot take V8 flags on its command line).
 */
export const HEAP_GROWING_PERCENT = 60;

let applied: number | null = null;

export function boundHeapGrowth(percent: number = HEAP_GROWING_PERCENT): void {
  if (applied === percent) return;
  v8.setFlagsFromString(`--heap-growing-percent=${Math.max(1, Math.round(percent))}`);
  applied = percent;
}

/** The growing percent this process set (null: V8's own policy). */
export function heapGrowthBound(): number | null {
  return applied;
}
