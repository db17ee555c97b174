import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../main/sandbox/directory';
import { findExposure } from '../../../main/sandbox/bc/entities';
import { BcStore } from '../../../main/sandbox/bc/store';
import { etagFor } from '../../../main/sandbox/bc/storage';
import { generateBenchData, generateDataverseDemoData, generateDemoData } from '../../../main/sandbox/seed';
import { loadDataset } from '../../../main/sandbox/bc/seed';

describe('demo generator', () => {
  it('is deterministic per seed value and differs between seeds', () => {
    const a = generateDemoData(7);
    const b = generateDemoData(7);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(generateDemoData(8).company.id).not.toBe(a.company.id);
    expect(generateDemoData(8).tables.customers!.map((c) => c.id)).not.toEqual(a.tables.customers!.map((c) => c.id));
  });

  it('builds the Nordlys company with the required master data', () => {
    const d = generateDemoData(1);
    expect(d.company.name).toBe('Nordlys Handel AS');
    const sp = d.tables.salespeoplePurchasers!.map((s) => s.code);
    for (const u of SANDBOX_USERS.filter((x) => x.bc?.salespersonCode)) {
      expect(sp).toContain(u.bc?.salespersonCode);
      expect(d.tables.salespeoplePurchasers!.find((s) => s.code === u.bc?.salespersonCode)!.email).toBe(u.username);
    }
    // exactly one salesperson that no directory user maps to
    expect(sp.filter((c) => !SANDBOX_USERS.some((u) => u.bc?.salespersonCode === c))).toHaveLength(1);
    expect(d.tables.currencies!.map((c) => c.code).sort()).toEqual(['EUR', 'NOK', 'SEK', 'USD']);
    expect(new Set(d.tables.currencyExchangeRates!.map((r) => r.currencyCode))).toEqual(new Set(['EUR', 'SEK', 'USD']));
    expect(new Set(d.tables.customers!.map((c) => c.country))).toEqual(expect.objectContaining({}));
    const countries = new Set(d.tables.customers!.map((c) => c.country));
    for (const c of ['NO', 'NL', 'FI']) expect(countries.has(c)).toBe(true);
    const statuses = new Set(d.tables.salesOrders!.map((o) => o.status));
    expect(statuses).toEqual(new Set(['Open', 'Released']));
    expect(d.tables.salesInvoices!.some((i) => i.status === 'Paid') && d.tables.salesInvoices!.some((i) => i.status === 'Open')).toBe(true);
    for (const t of ['resources', 'customerPriceGroups', 'salesPrices', 'opportunities', 'salesQuotes', 'itemUnitsOfMeasure', 'vendors', 'paymentTerms', 'shipmentMethods'])
      expect(d.tables[t]!.length, t).toBeGreaterThan(0);
  });

  it('keeps references consistent (contacts→companies, lines→headers, totals = sum of lines)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const d = generateDemoData(seed);
        const contactNos = new Map(d.tables.contacts!.map((c) => [c.number, c]));
        for (const c of d.tables.contacts!) if (c.companyNumber) expect(contactNos.get(c.companyNumber)!.type).toBe('Company');
        const itemNos = new Set(d.tables.items!.map((i) => i.number));
        for (const p of d.tables.salesPrices!) expect(itemNos.has(p.itemNo)).toBe(true);
        for (const u of d.tables.itemUnitsOfMeasure!) expect(itemNos.has(u.itemNumber)).toBe(true);
        for (const o of d.tables.opportunities!) expect(contactNos.get(o.contactNumber)!.companyNumber).toBe(o.contactCompanyNumber);
        for (const [h, l] of [['salesOrders', 'salesOrderLines'], ['salesInvoices', 'salesInvoiceLines'], ['salesQuotes', 'salesQuoteLines']] as const) {
          for (const header of d.tables[h]!) {
            const lines = d.tables[l]!.filter((x) => x.documentId === header.id);
            expect(lines.length).toBeGreaterThan(0);
            const sum = Math.round(lines.reduce((s, x) => s + Number(x.amountIncludingTax), 0) * 100) / 100;
            expect(header.totalAmountIncludingTax).toBeCloseTo(sum, 2);
          }
        }
        const numbers = d.tables.customers!.map((c) => c.number);
        expect(new Set(numbers).size).toBe(numbers.length);
      }),
      { numRuns: 5 },
    );
  });

  it('produces Dataverse master data that overlaps BC by name', () => {
    const dv = generateDataverseDemoData(1);
    const bcNames = new Set(generateDemoData(1).tables.customers!.map((c) => c.displayName));
    expect(dv.accounts.filter((a) => bcNames.has(a.name)).length).toBeGreaterThan(5);
    expect(dv.accounts.filter((a) => !bcNames.has(a.name)).length).toBeGreaterThan(0);
    expect(JSON.stringify(generateDataverseDemoData(1))).toBe(JSON.stringify(dv));
  });
});

describe('bench generator', () => {
  it('generates N items and N/5 customers deterministically', () => {
    const a = generateBenchData(500, 3);
    expect(a.tables.items).toHaveLength(500);
    expect(a.tables.customers).toHaveLength(100);
    expect(JSON.stringify(generateBenchData(500, 3))).toBe(JSON.stringify(a));
    expect(() => generateBenchData(0)).toThrow(/--records/);
  });

  it('generates and loads 100,000 items + 20,000 customers in under 5 s', () => {
    // CPU time of this process is the budget: wall time on a shared 2-core box mostly measures the neighbours.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const data = generateBenchData(100_000, 1);
    const store = new BcStore(undefined, Date.now);
    const companyId = loadDataset(store, data);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const items = store.list(findExposure('v2.0', 'items')!, companyId, { limit: 1, count: true }).count;
    const customers = store.list(findExposure('v2.0', 'customers')!, companyId, { limit: 1, count: true }).count;
    store.close();
    expect(items).toBe(100_000);
    expect(customers).toBe(20_000);
    console.log(`bench seed 100k items + 20k customers: ${cpuMs.toFixed(0)} ms CPU, ${wall.toFixed(0)} ms wall`);
    expect(cpuMs).toBeLessThan(5000);
  });
});

describe('store stamps', () => {
  it('hands out strictly increasing lastModifiedDateTime and fresh etags even with a frozen clock', () => {
    const store = new BcStore(undefined, () => 1_700_000_000_000);
    const companyId = loadDataset(store, generateBenchData(5, 1));
    const exp = findExposure('v2.0', 'items')!;
    let row = store.list(exp, companyId, { limit: 1 }).rows[0]!;
    const seen = new Set<string>([etagFor(row.ver)]);
    let last = row.modified;
    for (let i = 0; i < 50; i++) {
      row = store.update(exp, row, { displayName: `n${i}` }, '*');
      expect(row.modified).toBeGreaterThan(last);
      expect(seen.has(etagFor(row.ver))).toBe(false);
      seen.add(etagFor(row.ver));
      last = row.modified;
    }
    store.close();
  });
});
