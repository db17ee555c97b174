/**
 * Child process for test/unit/platform/heap.test.ts: streams pages of records through a sliding window, as a sync
 * engine does (a small live set, much garbage), and prints the peak heap size as one JSON line. With the argument
 * "bounded" it first applies the engine processes' heap policy.
 */
import { boundHeapGrowth } from '../../main/platform/heap';

if (process.argv[2] === 'bounded') boundHeapGrowth();
const live: unknown[] = [];
let peak = 0;
const page = (n: number) => Array.from({ length: 3000 }, (_, i) => ({ id: `${n}-${i}`, name: `record ${n}/${i} `.repeat(4), values: { a: i, b: String(i), c: [i, n] } }));
for (let n = 0; n < 240; n++) {
  live.push(JSON.stringify(page(n)), page(n));
  if (live.length > 24) live.splice(0, 2);
  if (n % 4 === 0) await new Promise((r) => setImmediate(r));
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
process.stdout.write(`${JSON.stringify({ peakHeapMB: Math.round(peak / 1048576), pages: live.length })}\n`);
