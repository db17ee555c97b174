/**
 * Issue 11's "Done when": a new user's whole path on a fresh data folder with the demo sandbox, through the UI only.
 * Home → assisted setup (device-code sign-in, pre-flight fixes, salespeople) → Enable (the job queue is held) →
 * What next → Full synchronization review → match fields set in the mapping editor where the review asks → Start
 * (couple / full sync as recommended) → Run all → every default mapping has a finished job, every failure in the job
 * log is one the demo data is built to cause → the queue, resumed, runs on its schedule. Once in English, once in
 * Norwegian, each on a console of its own. Screenshots: test-results/screenshots/journey-<n>-<step>-<lang>.png.
 */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, openConsole, shot, startHost, stopHost, test, type ConsoleHost } from './fixtures';
import { chooseLanguage, expectStep, fixAllFindings, next, runPreflight, signInAdmin, type Lang } from './helpers';

/**
 * Failures the demo company is built to produce (main/sandbox/seed/demo.ts DEMO_BUILT_TO_FAIL), matched on the
 * cause's English source text (the group's data-message; the page shows it in the UI language). Anything else in the
 * job log fails the test.
 */
const EXPLAINED: { cause: RegExp; why: string }[] = [
  // Ola Lund (OL) is a BC salesperson with no Dataverse user, so SALESPEOPLE cannot couple him, and the customers,
  // vendors and contacts he owns have no owner to write (reference E.11/F.3: BC's own message).
  { cause: /Salesperson\/Purchaser OL must be coupled/, why: 'salesperson OL has no Dataverse user' },
  // Customer K10005 (and the demo's blocked vendors) are outside the table filters (Blocked = ' '), so they are never
  // synchronized; contacts, invoices and prices that belong to them wait for a coupling that cannot come.
  { cause: /belongs to (Customer K10005|Vendor L\d+), which is not coupled/, why: 'blocked customer K10005 / vendors are filtered out' },
  { cause: /is blocked/, why: 'blocked customer K10005 / item V001015' },
  // Item V001015 is blocked, so ITEM-PRODUCT leaves it out and its prices and invoice lines cannot be written.
  { cause: /Item V001015 is not coupled/, why: 'blocked item V001015 is filtered out' },
  // Customer price groups with EUR prices whose Sales price list is the NOK default list (E.9 price list currency).
  { cause: /is in currency EUR but the Dynamics 365 Sales price list \S+ is in another currency/, why: 'EUR prices on a NOK price list' },
];

/**
 * Before the full synchronizations that follow the review (step 7) only: match-based coupling cannot match the records
 * the demo's Dataverse does not hold (most of BC's items, contacts and part of its customers, and Ola Lund's
 * salesperson record), and the review's dependants that ran meanwhile could not write what points at them.
 */
const BEFORE_FULL_SYNC: { cause: RegExp; why: string }[] = [
  { cause: /^There is no unique uncoupled matching \S+ row for /, why: 'BC records without a Dataverse counterpart, created by the full synchronization' },
  // "… is not coupled / must be coupled … Synchronize CUSTOMER first", "(ITEM-PRODUCT) first", "CONTACT, after CUSTOMER":
  // the record it points at was one of those, created right after by the full synchronization.
  { cause: /(is not coupled|must be coupled)\b.*\b(CUSTOMER|CONTACT|ITEM-PRODUCT|CUSTPRCGRP-PRICE)\b.* first\b/, why: 'waited for a record created by the full synchronization' },
];

/** The field to tick in the Match column of each mapping the review may ask about (BC field → Dataverse column). */
const MATCH: Record<string, string> = {
  SALESPEOPLE: 'E-Mail->internalemailaddress',
  CUSTOMER: 'Name->name',
  VENDOR: 'Name->name',
  CONTACT: 'E-Mail->emailaddress1',
  'ITEM-PRODUCT': 'No.->productnumber',
  'RESOURCE-PRODUCT': 'No.->productnumber',
};

function catalogFile<T>(file: string): T {
  return JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../..', file), 'utf8')) as T;
}
const catalog = <T>(file: string): T => catalogFile<T>(`renderer/i18n/locales/${file}`);
interface SyncTexts {
  table: { never: string };
  status: Record<string, string>;
  actions: { runAll: string };
}
const texts = (lang: Lang) => ({
  nav: catalog<{ nav: Record<string, string> }>(`${lang}.json`).nav,
  sync: catalog<SyncTexts>(`sales/sync/${lang}.json`),
});

async function tab(page: Page, lang: Lang, name: 'home' | 'setup' | 'sync' | 'mappings') {
  await page.getByRole('tab', { name: texts(lang).nav[name], exact: true }).click();
}

async function journey(page: Page, host: ConsoleHost, lang: Lang) {
  const T = texts(lang);
  let n = 0;
  const step = async (name: string) => shot(page, `journey-${++n}-${name}-${lang}`);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // 1. A fresh data folder opens on Home, which says where to start.
  await openConsole(page, host);
  await expect(page.getByTestId('home-page')).toBeVisible();
  if (lang !== 'en') await chooseLanguage(page, lang);
  await expect(page.getByTestId('home-sales-enabled')).toBeVisible();
  await step('home');

  // 2. Assisted setup against the demo sandbox: BC detected, Dataverse signed in by device code, roles fixed.
  await tab(page, lang, 'setup');
  await expectStep(page, 'start');
  await page.getByTestId('setup-start').click();
  await expectStep(page, 'business-central');
  await page.getByTestId('setup-bc-detect').click();
  await expect(page.getByTestId('setup-bc-version')).toHaveAttribute('data-path', 'api');
  await next(page, 'dataverse');
  await signInAdmin(page, `journey-${++n}-sign-in-${lang}`);
  await expect(page.getByTestId('setup-dv-whoami')).not.toBeEmpty();
  await next(page, 'integration-user');
  await expect(page.getByTestId('setup-lcy')).toHaveValue('NOK');
  await next(page, 'advanced');
  await next(page, 'preflight');
  await runPreflight(page);
  await fixAllFindings(page);
  await step('preflight');
  await next(page, 'salespeople');
  await page.getByTestId('setup-sp-couple').click();
  await expect(page.getByTestId('setup-sp-result')).toContainText('3');
  await next(page, 'finish');

  // 3. Enable: the recurring job-queue entries stay on hold for the initial synchronization; What next leads on.
  await page.getByTestId('setup-enable').click();
  const confirm = page.getByTestId('setup-enable-confirm');
  await expect(confirm).toBeVisible();
  await confirm.getByTestId('setup-enable-confirm-ok').click();
  await expect(page.getByTestId('setup-status')).toHaveAttribute('data-enabled', 'true', { timeout: 30_000 });
  const whatNext = page.getByTestId('setup-what-next');
  await expect(whatNext).toBeInViewport();
  await step('enabled-what-next');

  // 4. What next → the Synchronization page with the review open; the queue says it is held.
  await page.getByTestId('setup-what-next-review').click();
  await expect(page.getByTestId('sync-page')).toBeVisible();
  await expect(page.getByTestId('sync-initial-hold')).toBeVisible();
  await expect(page.getByTestId('sync-queue-wide-heldForInitialSync')).toBeVisible();
  await expect(page.getByTestId('sync-queue-last-CUSTOMER')).toHaveCount(0);
  const review = page.getByTestId('sync-review');
  await expect(review.locator('[data-testid^="sync-review-line-"]').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('sync-review-start')).toBeVisible();
  await review.scrollIntoViewIfNeeded();
  await step('review');

  // 5. Set match fields where the review asks: the mapping editor opens on the mapping; tick the field, check again.
  for (let round = 0; round < Object.keys(MATCH).length; round++) {
    const asks = review.locator('[data-testid^="sync-review-matchfields-"]');
    if ((await asks.count()) === 0) break;
    const name = (await asks.first().getAttribute('data-testid'))!.slice('sync-review-matchfields-'.length);
    expect(MATCH[name], `the review asks for match fields of ${name}`).toBeDefined();
    await asks.first().getByRole('button').first().click();
    const box = page.getByTestId(`match-${MATCH[name]}`);
    await expect(box).toBeVisible();
    await box.click();
    await expect(box).toBeChecked();
    if (round === 0) await step('match-fields');
    await tab(page, lang, 'sync');
    await page.getByTestId(`sync-review-recheck-${name}`).click();
    await expect(page.getByTestId(`sync-review-matchfields-${name}`)).toHaveCount(0, { timeout: 30_000 });
  }
  await expect(page.getByTestId('sync-review-matchfields')).toHaveCount(0);

  // 6. Start: couple / full sync as recommended, in dependency order.
  await page.getByTestId('sync-review-start').click();
  await page.getByTestId('sync-review-confirm').click();
  await expect(page.getByTestId('sync-review-finished')).toBeVisible({ timeout: 180_000 });
  await expect(review.locator('[data-testid^="sync-review-line-"][data-status="In Process"]')).toHaveCount(0);
  await review.scrollIntoViewIfNeeded();
  await step('review-done');
  // Dependants started once their parents' jobs finished, even with records left over (BC's review waits for the
  // job, not for every record): nothing is left blocked.
  await expect(review.locator('[data-testid^="sync-review-line-"][data-status="blank"]')).toHaveCount(0);

  // 7. Couple left the records without a counterpart uncoupled (the demo's Dataverse holds only part of BC's
  // customers, contacts and items): the review's closing note says regular runs synchronize coupled records only, so
  // the records that had no match are created by a full synchronization of those mappings — safe now, as every
  // record that had a match is coupled (what the CLI's initial synchronization does after coupling). Not for
  // SALESPEOPLE: salespeople are never created from users (Ola Lund simply has no user).
  // Dependencies first (the review's "Depends on" column, mapping names): contacts after their customers.
  const dependsOn = new Map<string, string[]>();
  for (const line of await review.locator('[data-testid^="sync-review-line-"][data-status="Error"]').all()) {
    const name = (await line.getAttribute('data-testid'))!.slice('sync-review-line-'.length);
    if (name === 'SALESPEOPLE') continue;
    dependsOn.set(name, ((await line.locator('td').nth(1).textContent()) ?? '').split(',').map((x) => x.trim()));
  }
  expect([...dependsOn.keys()]).toEqual(expect.arrayContaining(['CUSTOMER', 'CONTACT']));
  const order: string[] = [];
  while (order.length < dependsOn.size) {
    const free = [...dependsOn].find(([n, deps]) => !order.includes(n) && deps.every((d) => !dependsOn.has(d) || order.includes(d)));
    expect(free, 'the left-over mappings have an order').toBeDefined();
    order.push(free![0]);
  }
  expect(order.indexOf('CUSTOMER')).toBeLessThan(order.indexOf('CONTACT'));
  let fullShot = true;
  for (const name of order) {
    await page.getByTestId(`sync-full-${name}`).click();
    await expect(page.getByTestId('sync-full-confirm')).toBeVisible();
    if (fullShot) {
      await expect(page.getByRole('dialog')).toHaveCSS('opacity', '1');
      await step('full-sync-confirm');
      fullShot = false;
    }
    await page.getByTestId('sync-full-confirm').click();
    await expect(page.getByTestId(`sync-run-${name}`)).toBeHidden({ timeout: 30_000 });
    await expect(page.getByTestId(`sync-run-${name}`)).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId(`sync-progress-${name}`)).toHaveCount(0);
  }
  const beforeRunAll = await page.getByTestId('sync-jobs').locator('[data-testid^="sync-job-"]').first().getAttribute('data-testid');

  // 8. Run all: every default mapping, dependencies first; then each row has a finished job.
  await page.getByTestId('sync-run-all').click();
  await expect(page.locator('[data-testid^="sync-progress-"]').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('[data-testid^="sync-progress-"]')).toHaveCount(0, { timeout: 240_000 });
  const rows = page.locator('[data-testid^="sync-row-"]:not([data-testid^="sync-row-blocked-"])');
  expect(await rows.count()).toBeGreaterThan(10);
  for (const row of await rows.all()) {
    await expect(row).not.toContainText(T.sync.table.never);
    await expect(row).not.toContainText(T.sync.status.cannotRun);
  }
  // BC tables by their caption in the UI language (Customer → Kunde), as in the mapping editor.
  const customerCaption = catalogFile<{ bcTableCaption: Record<string, string> }>(`preload/contract/sales/mapping-texts/${lang}.json`).bcTableCaption['18']!;
  await expect(page.getByTestId('sync-row-CUSTOMER')).toContainText(`${customerCaption} ⇄ account`);
  await page.getByTestId('sync-page').locator('table').first().scrollIntoViewIfNeeded();
  await step('run-all');

  // 9. The job log, newest first: every failure of Run all is one the demo data explains; before it (the review and
  // the full synchronizations) also the records coupling could not match and what waited for them.
  const jobs = page.getByTestId('sync-jobs');
  const unexplained: string[] = [];
  let shotErrors = true;
  let afterRunAll = true;
  for (let pageNo = 0; pageNo < 20; pageNo++) {
    for (const job of await jobs.locator('[data-testid^="sync-job-"]').all()) {
      if ((await job.getAttribute('data-testid')) === beforeRunAll) afterRunAll = false;
      const show = job.locator('[data-testid^="sync-show-errors-"]');
      if ((await show.count()) === 0) continue;
      const cells = job.locator('td');
      const jobName = `${afterRunAll ? 'Run all' : 'before Run all'} · ${await cells.nth(1).textContent()} ${await cells.nth(2).textContent()}`;
      await show.click();
      const drawer = page.getByTestId('sync-errors');
      const groups = drawer.locator('[data-testid^="sync-error-group-"]');
      await expect(groups.first()).toBeVisible();
      if (shotErrors) {
        // The drawer has slid in completely before the screenshot.
        await page.getByRole('dialog').evaluate((d) => Promise.all(d.getAnimations({ subtree: true }).map((a) => a.finished)));
        await step('errors-grouped');
        shotErrors = false;
      }
      for (const g of await groups.all()) {
        const cause = (await g.getAttribute('data-message')) ?? '';
        const allowed = afterRunAll ? EXPLAINED : [...EXPLAINED, ...BEFORE_FULL_SYNC];
        if (!allowed.some((x) => x.cause.test(cause))) unexplained.push(`${jobName}: ${await g.getAttribute('data-count')} × ${cause}`);
      }
      await page.getByTestId('sync-errors-close').click();
      await expect(drawer).toHaveCount(0);
    }
    const older = jobs.getByTestId('sync-jobs-older');
    if (await older.isDisabled()) break;
    const first = await jobs.locator('[data-testid^="sync-job-"]').first().getAttribute('data-testid');
    await older.click();
    await expect(jobs.locator('[data-testid^="sync-job-"]').first()).not.toHaveAttribute('data-testid', first!);
  }
  expect(unexplained, 'failures the demo data does not explain').toEqual([]);

  // 10. Resume the queue: its entries run on their schedule by themselves; a last run appears on the queue card.
  if (await page.getByTestId('sync-initial-hold').isVisible()) await page.getByTestId('sync-initial-hold-resume').click();
  await expect(page.getByTestId('sync-initial-hold')).toHaveCount(0);
  await expect(page.getByTestId('sync-queue-wide-heldForInitialSync')).toHaveCount(0);
  const last = page.getByTestId('sync-queue-last-CUSTOMER');
  await expect(last).toBeVisible({ timeout: 60_000 });
  expect(Number(await last.getAttribute('data-at'))).toBeGreaterThan(0);
  await last.scrollIntoViewIfNeeded();
  await step('queue-ran');
  expect(errors).toEqual([]);
}

for (const lang of ['en', 'nb-NO'] as const) {
  test(`journey (${lang}): fresh install → setup → review → Run all → the queue runs on schedule`, async ({ page }) => {
    test.setTimeout(600_000);
    // A console of its own, with a 1-second job-queue heartbeat instead of BC's ~30 s.
    const host = await startHost([], { D365IC_SCHEDULER_INTERVAL_MS: '1000' });
    try {
      await journey(page, host, lang);
    } finally {
      await stopHost(host);
    }
  });
}
