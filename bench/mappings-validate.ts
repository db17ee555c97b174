/**
 * Benchmark: validation of the full default mapping set (every option combination's largest set) must stay under
 * 200 ms. Run: npx tsx bench/mappings-validate.ts  → prints {"validateMs":…} (median of the timed runs).
 */
import { defaultMappings } from '../main/integrations/sales/mappings/defaults';
import { validateMappings } from '../main/integrations/sales/mappings/validate';

const mappings = [
  ...defaultMappings({ pricing: 'legacy', unitGroups: false, orders: 'legacy', itemAvailability: true }),
  // Add the mappings that only exist with the other options, under distinct names, so every default is validated.
  ...defaultMappings({ pricing: 'pricelists', unitGroups: true, orders: 'bidirectional' })
    .filter((m) => ['UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM', 'PLHEADER-PRICE', 'PLLINE-PRODPRICE', 'SOLINE-ORDERDETAIL'].includes(m.name)),
];
const runs = 25;
const c0 = performance.now();
validateMappings(mappings); // first call: includes JIT warm-up
const firstMs = performance.now() - c0;
const times: number[] = [];
let findings = 0;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  findings = validateMappings(mappings).length;
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(runs / 2)]!;
console.log(JSON.stringify({
  validateMs: Math.round(median * 1000) / 1000,
  maxMs: Math.round(times[times.length - 1]! * 1000) / 1000,
  firstRunMs: Math.round(firstMs * 1000) / 1000,
  tableMappings: mappings.length,
  fieldMappings: mappings.reduce((n, m) => n + m.fields.length, 0),
  findings,
  budgetMs: 200,
}));
