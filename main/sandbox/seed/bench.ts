/**
 * Benchmark data: `records` items and records/5 customers (plus the small master tables they reference),
 * generated from a seeded stream with plain string arithmetic so 100,000 items take well under a second.
 */
import type { BcDataset, Row } from './demo';
import { DEMO_COMPANY_NAME, Rng, ean13, masterTables, r2 } from './demo';
import { ADJECTIVES, COMPANY_PATTERNS, NOUNS, PLACES, VARIANTS } from './names';

export const BENCH_MAX_RECORDS = 2_000_000;

export function generateBenchData(records: number, seedValue = 1): BcDataset {
  if (!Number.isInteger(records) || records < 1 || records > BENCH_MAX_RECORDS)
    throw new Error(`--records must be an integer between 1 and ${BENCH_MAX_RECORDS} (got ${records}).`);
  const rng = new Rng(seedValue * 104729 + 3);
  const m = masterTables(rng);
  const stk = m.unitsOfMeasure!.find((u) => u.code === 'STK')!;
  const eur = m.currencies!.find((c) => c.code === 'EUR')!;
  const terms = m.paymentTerms!;
  const items: Row[] = new Array<Row>(records);
  for (let i = 0; i < records; i++) {
    const price = r2(rng.int(49, 4999) - 0.1);
    items[i] = {
      id: rng.guid(), number: `V${String(1000 + i).padStart(6, '0')}`,
      displayName: `${ADJECTIVES[i % ADJECTIVES.length]}${NOUNS[(i >> 4) % NOUNS.length]!.toLowerCase()} ${VARIANTS[(i >> 8) % VARIANTS.length]} ${i}`,
      type: i % 50 === 0 ? 'Service' : 'Inventory', blocked: i % 97 === 0, gtin: i % 10 === 0 ? ean13(rng) : '', inventory: rng.int(0, 1000),
      unitPrice: price, unitCost: r2(price * 0.55), baseUnitOfMeasureId: stk.id, baseUnitOfMeasureCode: 'STK', unitVolume: 0.01, grossWeight: r2(rng.next() * 10),
      vendorNumber: '', vendorItemNumber: '',
    };
  }
  const nCustomers = Math.max(1, Math.floor(records / 5));
  const customers: Row[] = new Array<Row>(nCustomers);
  const spCodes = m.salespeoplePurchasers!.map((s) => s.code);
  for (let i = 0; i < nCustomers; i++) {
    const place = PLACES[i % PLACES.length]!;
    const pat = COMPANY_PATTERNS[place.country];
    const t = terms[i % terms.length]!;
    const foreign = place.country !== 'NO';
    customers[i] = {
      id: rng.guid(), number: `K${String(10000 + i).padStart(6, '0')}`, type: 'Company',
      displayName: `${pat.stems[i % pat.stems.length]} ${pat.suffix[(i >> 3) % pat.suffix.length]} ${i}`,
      addressLine1: `${place.street[i % place.street.length]} ${1 + (i % 150)}`, city: place.city, state: place.state, country: place.country, postalCode: place.postalCode,
      phoneNumber: `${place.phonePrefix} ${String(100000 + (i % 900000))}`, email: `post${i}@bench.example`, salespersonCode: spCodes[i % spCodes.length],
      currencyId: foreign ? eur.id : '00000000-0000-0000-0000-000000000000', currencyCode: foreign ? 'EUR' : '', paymentTermsId: t.id, paymentTermsCode: t.code,
      creditLimit: (i % 5) * 50000, taxLiable: true, blocked: i % 113 === 0 ? 'All' : ' ',
    };
  }
  return {
    company: {
      id: rng.guid(), systemVersion: '24.1.18927.0', timestamp: 1, name: `${DEMO_COMPANY_NAME} (bench)`, displayName: `${DEMO_COMPANY_NAME} (bench ${records})`,
      businessProfileId: '', systemCreatedAt: '2026-01-01T08:00:00.000Z', systemModifiedAt: '2026-01-01T08:00:00.000Z',
    },
    tables: { ...m, items, customers },
    series: { items: 1000 + records - 1, customers: 10000 + nCustomers - 1 },
  };
}
