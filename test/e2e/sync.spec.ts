import { expect, openConsole, shot, startHost, stopHost, test, type ConsoleHost } from './fixtures';

test.skip(!!process.env.E2E_NO_SANDBOX, 'needs the demo sandbox');

/**
 * The sync page against the demo sandbox with the domain rules on: products need their unit groups first (E.9), and
 * customers of salespeople not yet coupled to Dataverse users fail with BC's own message (E.11, F.3) — shown in full
 * in the job's errors.
 */
// A console of its own: the shared one may have an enabled connection by now (setup spec), whose job queue runs by itself.
let own: ConsoleHost;
test.beforeAll(async () => {
  own = await startHost();
});
test.afterAll(async () => {
  await stopHost(own);
});

test('sync page: full synchronization in dependency order, progress, counters, the F.3 owner error in the job log', async ({ page }) => {
  const host = own;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await openConsole(page, host);
  await page.getByRole('tab', { name: 'Synchronization' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Synchronization');
  await expect(page.getByTestId('sync-page')).toBeVisible();
  // Setup is not enabled in a fresh console: the page says it uses the demo sandbox profiles.
  await expect(page.getByTestId('sync-source')).toContainText('Demo sandbox · Dataverse');

  const full = async (mapping: string) => {
    const row = page.getByTestId(`sync-row-${mapping}`);
    await expect(row).toContainText('Never run');
    // A first run into an empty Dataverse is a full one, confirmed after the duplicates warning.
    await page.getByTestId(`sync-full-${mapping}`).click();
    await expect(page.getByRole('dialog')).toContainText('duplicates');
    await page.getByTestId('sync-full-confirm').click();
    await expect(page.getByTestId(`sync-progress-${mapping}`).or(row.getByText(/^\d+ inserted$/)).first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId(`sync-run-${mapping}`)).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId(`sync-progress-${mapping}`)).toHaveCount(0);
    return row;
  };

  // Units first, then products: every product gets its unit group, the default price list and its price rows.
  for (const mapping of ['UNIT GROUP', 'ITEM UOM', 'ITEM-PRODUCT']) {
    const row = await full(mapping);
    await expect(row.getByText(/^[1-9]\d* inserted$/).first()).toBeVisible();
    await expect(row.getByText('0 failed').first()).toBeVisible();
  }
  // A normal run afterwards finds nothing new.
  await page.getByTestId('sync-run-ITEM-PRODUCT').click();
  await expect(page.getByTestId('sync-run-ITEM-PRODUCT')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('sync-progress-ITEM-PRODUCT')).toHaveCount(0);
  await expect(page.getByTestId('sync-row-ITEM-PRODUCT').getByText('OK')).toBeVisible();
  await shot(page, 'sync-1-products-done-en');

  // Customers: the demo salespeople are not coupled yet (that is a setup step), so their customers fail.
  const customer = await full('CUSTOMER');
  await expect(customer.getByText(/^[1-9]\d* failed$/).first()).toBeVisible();
  const jobs = page.getByTestId('sync-jobs');
  await expect(jobs).toContainText('ITEM-PRODUCT');
  await jobs.locator('[data-testid^="sync-job-"]').filter({ hasText: 'CUSTOMER' }).filter({ hasText: /[1-9]\d* failed/ }).first().getByRole('button').first().click();
  await expect(page.getByTestId('sync-errors')).toContainText(/Salesperson\/Purchaser \w+ must be coupled to a Dataverse User record\./);
  await shot(page, 'sync-2-owner-errors-en');
  expect(errors).toEqual([]);
});
