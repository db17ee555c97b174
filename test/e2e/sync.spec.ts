import { expect, openConsole, shot, startHost, stopHost, test, type ConsoleHost } from './fixtures';

// The review test continues on the console the first test synchronized.
test.describe.configure({ mode: 'serial' });

/**
 * The sync page against the demo sandbox with the domain rules on: every default mapping is listed (one the engine
 * cannot run says why), products need their unit groups first (E.9), customers of salespeople not yet coupled to
 * Dataverse users fail with BC's own message (E.11, F.3) — grouped by cause in a drawer beside the job log — and the
 * full synchronization review never recommends a full synchronization over uncoupled records on both sides.
 */
// A console of its own: the shared one may have an enabled connection by now (setup spec), whose job queue runs by itself.
let own: ConsoleHost;
test.beforeAll(async () => {
  own = await startHost();
});
test.afterAll(async () => {
  await stopHost(own);
});

test('sync page: every mapping listed, full synchronization in dependency order, grouped errors in a drawer', async ({ page }) => {
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

  // Every mapping the defaults create has its row; one that cannot run says why instead of being absent.
  for (const mapping of ['CURRENCY', 'VENDOR', 'CONTACT', 'CUSTOMER', 'SALESPEOPLE', 'PAYMENT TERMS', 'SHIPMENT METHOD', 'SHIPPING AGENT', 'POSTEDSALESLINE-INV', 'OPPORTUNITY']) {
    const row = page.getByTestId(`sync-row-${mapping}`);
    await expect(row).toBeVisible();
    const run = page.getByTestId(`sync-run-${mapping}`);
    if (await run.isDisabled()) await expect(page.getByTestId(`sync-reason-${mapping}`)).not.toBeEmpty();
  }
  await shot(page, 'sync-0-every-mapping-en');

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

  // Customers: what they depend on (option values, salespeople coupled to users) is not synchronized yet, so they fail.
  const customer = await full('CUSTOMER');
  await expect(customer.getByText(/^[1-9]\d* failed$/).first()).toBeVisible();
  const jobs = page.getByTestId('sync-jobs');
  await expect(jobs).toContainText('ITEM-PRODUCT');
  const failedJob = jobs.locator('[data-testid^="sync-job-"]').filter({ hasText: 'CUSTOMER' }).filter({ hasText: /[1-9]\d* failed/ }).first();
  // The job's message is translated from its code ("N records failed: …").
  await expect(failedJob).toContainText(/records? failed: open the job's errors/);
  await failedJob.locator('[data-testid^="sync-show-errors-"]').click();
  // The errors open in a drawer beside the page, one line per cause with its count.
  const drawer = page.getByTestId('sync-errors');
  await expect(drawer).toBeInViewport();
  const group = drawer.locator('[data-testid^="sync-error-group-"]').first();
  await expect(group).toContainText(/^\d+ ×/);
  // A cause that names the mapping to run first offers to run it (the customers' option values, their owners' couplings…).
  const fix = drawer.getByRole('button', { name: /^Run .+ first$/ }).first();
  await expect(fix).toBeVisible();
  await shot(page, 'sync-2-errors-grouped-en');
  const dependency = /^Run (.+) first$/.exec((await fix.textContent()) ?? '')![1]!;
  await fix.click();
  await expect(page.getByTestId(`sync-row-${dependency}`)).not.toContainText('Never run', { timeout: 60_000 });
  // Every error in full on request.
  await drawer.getByTestId('sync-errors-all').click();
  await expect(drawer.locator('[data-testid^="sync-error-"]:not([data-testid^="sync-error-group-"])').first()).toBeVisible();
  await page.getByTestId('sync-errors-close').click();
  await expect(page.getByTestId('sync-errors')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('full synchronization review: salespeople on both sides need match fields, set in the mapping editor, then couple — never a full sync; in Norwegian', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openConsole(page, own);
  await page.getByRole('tab', { name: 'Synchronization' }).click();
  await page.getByTestId('sync-review-open').click();
  const sp = page.getByTestId('sync-review-line-SALESPEOPLE');
  await expect(sp).toBeVisible({ timeout: 30_000 });
  // 4 salespeople in BC and 4 users in Dataverse, none coupled: Couple, after setting match fields — never Full.
  await expect(sp).toContainText('Couple records');
  await expect(sp).not.toContainText('Full synchronization');
  await expect(sp).toContainText('Needs match fields');
  await expect(page.getByTestId('sync-review-matchfields')).toContainText('would create duplicates');
  await expect(page.getByTestId('sync-review-matchfields')).toContainText('SALESPEOPLE');
  await sp.scrollIntoViewIfNeeded();
  await shot(page, 'sync-3-review-salespeople-en');

  // Set match fields where needed: the line leads to the mapping editor on SALESPEOPLE; tick E-Mail in its Match
  // column, come back and check the line again — now it can couple.
  await page.getByTestId('sync-review-matchfields-SALESPEOPLE').getByRole('button', { name: 'Set match fields' }).click();
  const email = page.getByTestId('match-E-Mail->internalemailaddress');
  await expect(email).toBeVisible();
  await email.click();
  await expect(email).toBeChecked();
  await page.getByRole('tab', { name: 'Synchronization' }).click();
  await page.getByTestId('sync-review-recheck-SALESPEOPLE').click();
  await expect(sp).not.toContainText('Needs match fields');
  await expect(sp).toContainText('Couple records');

  // Start runs what can run (CURRENCY couples, the unit and price lines follow their dependencies).
  await page.getByTestId('sync-review-start').click();
  await page.getByTestId('sync-review-confirm').click();
  await expect(page.getByTestId('sync-review-finished')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('sync-review-line-CURRENCY')).toHaveAttribute('data-status', /Success|Error/);
  // The salespeople were coupled by e-mail, not copied: one demo salesperson has no Dataverse user, so that one stays
  // uncoupled and the line says so (a failed line can be retried once it is dealt with).
  await expect(sp).toHaveAttribute('data-status', /Success|Error/);
  await expect(sp).toContainText(/[1-9]\d* coupled, 0 created/);

  // The same review in Norwegian: results and guidance come as codes and read in the UI language.
  await page.getByTestId('language-picker').click();
  await page.getByRole('option', { name: 'Norsk bokmål' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'nb-NO');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Synkronisering');
  await expect(sp).toContainText(/koblet, 0 opprettet/);
  const currency = page.getByTestId('sync-review-line-CURRENCY');
  await expect(currency).toContainText(/koblet|mislyktes|satt inn/);
  await expect(currency).not.toContainText(/\bcoupled,|\binserted,/);
  await currency.scrollIntoViewIfNeeded();
  await shot(page, 'sync-4-review-nb-NO');
  // The console remembers the language: leave it in English for the other specs.
  await page.getByTestId('language-picker').click();
  await page.getByRole('option', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(errors).toEqual([]);
});
