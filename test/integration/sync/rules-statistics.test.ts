/**
 * Customer statistics job against the sandbox over HTTP: the nav_accountstatistics row of a coupled customer holds
 * the figures of its BC documents, the account links to it, a rerun writes nothing, a payment updates it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusinessCentralClient } from '../../../main/clients/bc';
import { statisticsId, updateAccountStatistics } from '../../../main/integrations/sales/sync/rules/statistics';
import { tempDir } from '../../support/app';
import { applyPayment, coupleNew, engineWith, startDocSandbox, type DocSandbox } from './documents-support';

const tmp = tempDir('d365ic-rules-statistics-');
let sb: DocSandbox;
beforeAll(async () => {
  sb = await startDocSandbox(tmp.dir);
}, 30_000);
afterAll(async () => {
  await sb?.close();
  tmp.cleanup();
});

const r2 = (n: number) => Math.round(n * 100) / 100;

describe('customer statistics (sandbox)', () => {
  it('upserts the statistics of a coupled customer, links the account, and follows a payment', async () => {
    const { deps } = engineWith(`${tmp.dir}/stats.sqlite`, sb, () => () => null);
    const v2 = (sb.c.bc as unknown as { v2: BusinessCentralClient }).v2;
    const company = sb.bc.companyId;
    const open = await v2.listAll(company, 'salesInvoices', { filter: "status eq 'Open' and currencyCode eq ''" as never });
    expect(open.length).toBeGreaterThan(0);
    const custNo = String(open[0]!.customerNumber);
    const [cust] = await v2.listAll(company, 'customers', { filter: `number eq '${custNo}'` as never });
    const accountId = '5c000000-0000-4000-8000-000000000001';
    await coupleNew(sb, deps, 18, 'accounts', 'account', String(cust!.id), accountId, { name: String(cust!.displayName) });

    // Expected figures straight from BC's standard API.
    const today = new Date().toISOString().slice(0, 10);
    const posted = (await v2.listAll(company, 'salesInvoices', { filter: `customerNumber eq '${custNo}'` as never })).filter((i) => i.status === 'Open' || i.status === 'Paid');
    const remaining = posted.reduce((s, i) => s + Number(i.remainingAmount), 0);
    const overdue = posted.filter((i) => Number(i.remainingAmount) !== 0 && String(i.dueDate) < today).reduce((s, i) => s + Number(i.remainingAmount), 0);
    const sales = posted.reduce((s, i) => s + Number(i.totalAmountExcludingTax), 0);

    const r = await updateAccountStatistics(deps);
    expect(r.failures).toEqual([]);
    expect(r).toMatchObject({ customers: 1, written: 1, linked: 1 });
    const [row] = await sb.c.dataverse.getByIds('nav_accountstatisticses', [statisticsId(String(cust!.id))]);
    expect(row!.values).toMatchObject({
      nav_customerno: custNo, nav_accountid: accountId, nav_balance: cust!.balanceDue, nav_outstandinginvoices: r2(remaining),
      nav_overdueamount: r2(overdue), nav_salesinvoicesdue: r2(remaining - overdue), nav_totalsales: r2(sales),
    });
    const [account] = await sb.c.dataverse.getByIds('accounts', [accountId]);
    expect(account!.values.nav_accountstatisticsid).toBe(statisticsId(String(cust!.id)));

    const again = await updateAccountStatistics(deps);
    expect(again).toMatchObject({ written: 0, unchanged: 1, linked: 0 });

    applyPayment(sb, String(open[0]!.id), 10);
    const after = await updateAccountStatistics(deps);
    expect(after.written).toBe(1);
    const [row2] = await sb.c.dataverse.getByIds('nav_accountstatisticses', [statisticsId(String(cust!.id))]);
    expect(row2!.values.nav_outstandinginvoices).toBe(r2(remaining - 10));
    expect(row2!.values.nav_paymentsreceived).toBe(r2(Number(row!.values.nav_paymentsreceived) + 10));
  }, 30_000);
});
