/**
 * POSTEDSALESINV-INV against the sandbox over HTTP: an invoice posted in BC becomes a Dataverse invoice with its lines,
 * BC's totals, the default price list and the Billed state; payments posted later in BC move it to Paid Partial and
 * Complete on the next runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import type { BusinessCentralClient } from '../../../main/clients/bc';
import { combineRules } from '../../../main/integrations/sales/sync/engine/hooks';
import { domainRules } from '../../../main/integrations/sales/sync/rules/index';
import { INVOICE_MAPPING, INVOICE_STATE, invoiceRules } from '../../../main/integrations/sales/sync/rules/invoices';
import { CURRENCY_IDS } from '../../../main/sandbox/dataverse/seed';
import { tempDir } from '../../support/app';
import { allRows, applyPayment, coupleNew, engineWith, startDocSandbox, type DocSandbox } from './documents-support';

const tmp = tempDir('d365ic-rules-invoices-');
let sb: DocSandbox;
beforeAll(async () => {
  sb = await startDocSandbox(tmp.dir);
}, 30_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

// Owner, currency and option-set fields belong to the other rule modules; this file checks the invoice rules alone.
const OTHER_RULES = new Set(['ownerid', 'owneridtype', 'transactioncurrencyid', 'paymenttermscode']);
const mapping = (() => {
  const m = adapterMappings({}, [INVOICE_MAPPING])[0]!;
  return { ...m, fields: m.fields.filter((f) => !OTHER_RULES.has(f.dataverseField ?? '')) };
})();

describe('posted sales invoices → Dataverse invoices (sandbox)', () => {
  it('creates the invoice with lines and BC totals, then follows payments to Paid Partial and Complete', async () => {
    const { engine, deps } = engineWith(`${tmp.dir}/inv.sqlite`, sb, (d) => (m) => combineRules(invoiceRules(d)(m)));
    const v2 = (sb.c.bc as unknown as { v2: BusinessCentralClient }).v2;
    const company = sb.bc.companyId;
    const customers = await v2.listAll(company, 'customers', { filter: "currencyCode eq '' and blocked eq ' '" as never, top: 1 });
    const items = (await v2.listAll(company, 'items', { filter: 'blocked eq false' as never, top: 2 }));
    expect(customers).toHaveLength(1);
    expect(items).toHaveLength(2);
    const cust = customers[0]!;

    // Couple the customer and the items (as match-based coupling or their own mappings would).
    await coupleNew(sb, deps, 18, 'accounts', 'account', String(cust.id), '5a000000-0000-4000-8000-000000000001', { name: String(cust.displayName) });
    for (const [k, it] of items.entries())
      await coupleNew(sb, deps, 27, 'products', 'product', String(it.id), `5b000000-0000-4000-8000-00000000000${k + 1}`, { name: String(it.displayName), productnumber: `T-${String(it.number)}` });

    // Post an invoice in BC: two item lines (one with a line discount) and a comment line.
    const draft = await v2.create(company, 'salesInvoices', {
      customerNumber: cust.number,
      salesInvoiceLines: [
        { lineType: 'Item', lineObjectNumber: items[0]!.number, quantity: 3 },
        { lineType: 'Item', lineObjectNumber: items[1]!.number, quantity: 1, discountPercent: 10 },
        { lineType: 'Comment', description: 'Levert til port 3' },
      ],
    });
    const [posted] = await v2.batch([{ method: 'POST', url: `${v2.entityUrl(company, 'salesInvoices', String(draft.id))}/Microsoft.NAV.post` }]);
    expect(posted!.status).toBe(204);
    const bcInv = await v2.get(company, 'salesInvoices', String(draft.id));

    const r = await engine.runMapping(mapping, { ids: [String(draft.id)], ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    expect(r.to).toMatchObject({ inserted: 1, failed: 0 });
    const dvId = deps.couplings.byBc(112, String(draft.id))!.dvId;
    const [inv] = await sb.c.dataverse.getByIds('invoices', [dvId]);
    expect(inv!.values).toMatchObject({
      invoicenumber: bcInv.number, name: bcInv.number, customerid: '5a000000-0000-4000-8000-000000000001',
      totalamount: bcInv.totalAmountIncludingTax, totaltax: bcInv.totalTaxAmount, discountamount: 0,
      totallineitemamount: bcInv.totalAmountExcludingTax, ...INVOICE_STATE.billed,
    });
    // The default price list (rules/pricelists.ts) in the LCY currency.
    const [list] = await sb.c.dataverse.getByIds('pricelevels', [String(inv!.values.pricelevelid)]);
    expect(list?.values.name).toBe('Business Central Default Price List');

    const lines = (await sb.c.dataverse.findMatches('invoicedetails', [{ field: 'invoiceid', value: dvId, caseSensitive: false }], { conditions: [], companyScoped: false }, 50))
      .sort((a, b) => Number(a.values.lineitemnumber) - Number(b.values.lineitemnumber));
    const withLines = await v2.get<{ salesInvoiceLines: Record<string, unknown>[] }>(company, 'salesInvoices', String(draft.id), { expand: 'salesInvoiceLines' });
    const bcLines = withLines.salesInvoiceLines.filter((l) => l.lineType === 'Item');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.values.productid)).toEqual(['5b000000-0000-4000-8000-000000000001', '5b000000-0000-4000-8000-000000000002']);
    lines.forEach((l, k) => expect(l.values).toMatchObject({
      quantity: bcLines[k]!.quantity, priceperunit: bcLines[k]!.unitPrice, baseamount: bcLines[k]!.amountExcludingTax, extendedamount: bcLines[k]!.amountIncludingTax,
      manualdiscountamount: bcLines[k]!.discountAmount,
    }));
    expect(Math.round(lines.reduce((s, l) => s + Number(l.values.extendedamount), 0) * 100) / 100).toBe(bcInv.totalAmountIncludingTax);

    // A first scheduled run sees the invoice as synced; then payments in BC move the state on the next runs.
    const settle = await engine.runMapping(mapping);
    expect(settle.to?.failed).toBe(0);
    applyPayment(sb, String(draft.id), 100);
    const r2 = await engine.runMapping(mapping);
    expect(engine.log.errors(r2.to!.id)).toEqual([]);
    expect(r2.to).toMatchObject({ modified: 1, failed: 0 });
    expect((await sb.c.dataverse.getByIds('invoices', [dvId]))[0]!.values).toMatchObject(INVOICE_STATE.partial);
    applyPayment(sb, String(draft.id), Number(bcInv.totalAmountIncludingTax) - 100);
    const r3 = await engine.runMapping(mapping);
    expect(r3.to).toMatchObject({ modified: 1, failed: 0 });
    expect((await sb.c.dataverse.getByIds('invoices', [dvId]))[0]!.values).toMatchObject(INVOICE_STATE.complete);
    // Still exactly one invoice and two lines (no duplicates from the updates).
    expect((await allRows(sb.c.dataverse, 'invoices')).filter((x) => x.values.invoicenumber === bcInv.number)).toHaveLength(1);
    expect(await sb.c.dataverse.findMatches('invoicedetails', [{ field: 'invoiceid', value: dvId, caseSensitive: false }], { conditions: [], companyScoped: false }, 50)).toHaveLength(2);
  }, 30_000);

  it('with every domain rule (Team ownership, currency, price list): owner, currency and lines all set', async () => {
    const [team] = await allRows(sb.c.dataverse, 'teams');
    const { engine, deps } = engineWith(`${tmp.dir}/all.sqlite`, sb, (d) => domainRules(d), { ownershipModel: 'team', defaultOwningTeamId: team!.id });
    const v2 = (sb.c.bc as unknown as { v2: BusinessCentralClient }).v2;
    const company = sb.bc.companyId;
    const [cust] = await v2.listAll(company, 'customers', { filter: "currencyCode eq '' and blocked eq ' '" as never, top: 1 });
    const [item] = await v2.listAll(company, 'items', { filter: 'blocked eq false' as never, top: 1 });
    await coupleNew(sb, deps, 18, 'accounts', 'account', String(cust!.id), '5a000000-0000-4000-8000-000000000009', { name: String(cust!.displayName) });
    await coupleNew(sb, deps, 27, 'products', 'product', String(item!.id), '5b000000-0000-4000-8000-000000000009', { name: String(item!.displayName), productnumber: `U-${String(item!.number)}` });
    const draft = await v2.create(company, 'salesInvoices', { customerNumber: cust!.number, salesInvoiceLines: [{ lineType: 'Item', lineObjectNumber: item!.number, quantity: 4 }] });
    await v2.batch([{ method: 'POST', url: `${v2.entityUrl(company, 'salesInvoices', String(draft.id))}/Microsoft.NAV.post` }]);
    const m = adapterMappings({ ownership: 'team' }, [INVOICE_MAPPING], { withRules: true })[0]!;
    const r = await engine.runMapping(m, { ids: [String(draft.id)], ignoreSynchOnlyCoupled: true });
    expect(engine.log.errors(r.to!.id)).toEqual([]);
    const dvId = deps.couplings.byBc(112, String(draft.id))!.dvId;
    const [inv] = await sb.c.dataverse.getByIds('invoices', [dvId]);
    const nok = CURRENCY_IDS.NOK.toLowerCase();
    expect(inv!.values).toMatchObject({ ownerid: team!.id, transactioncurrencyid: nok, customerid: '5a000000-0000-4000-8000-000000000009', ...INVOICE_STATE.billed });
    const lines = await sb.c.dataverse.findMatches('invoicedetails', [{ field: 'invoiceid', value: dvId, caseSensitive: false }], { conditions: [], companyScoped: false }, 10);
    expect(lines.map((l) => [l.values.productid, l.values.quantity, l.values.transactioncurrencyid])).toEqual([['5b000000-0000-4000-8000-000000000009', 4, nok]]);
  }, 30_000);
});
