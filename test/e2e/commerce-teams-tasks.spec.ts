import type { Page } from '@playwright/test';
import { COMMERCE_REGIONS, COMMERCE_STORES } from '../../main/sandbox/commerce-teams-personas';
import { expect, openConsole, shot, startHost, stopHost, test, type ConsoleHost } from './fixtures';
import { chooseLanguage, type Lang } from './helpers';

/**
 * Commerce ⇄ Teams task management end to end (issue 15), on a console of its own (fresh data folder, the demo
 * sandbox): Teams configured, enabled and provisioned as the provisioning E2E does; then task management is enabled,
 * POS and Teams are linked (a dry run first, then the missing plans created), the seeded task list is published to a
 * region (previewed first), a store worker completes tasks and files an ad-hoc task in the Demo sandbox page's POS
 * simulator, the status sync brings them to Commerce, the report's bars move, the store's drill-down shows the ad-hoc
 * task and the report exports as XLSX; the report page in all four languages.
 */
let own: ConsoleHost;
test.beforeAll(async () => {
  own = await startHost();
});
test.afterAll(async () => {
  await stopHost(own);
});

const REGION = COMMERCE_REGIONS.find((r) => r.id === 'NO-VEST')!;
const REGION_STORES = COMMERCE_STORES.filter((s) => s.region === REGION.id);
const STORE = REGION_STORES[0]!;
const TASKS_IN_LIST = 3;
const COMPLETED_IN_POS = 2;
const ADHOC = 'Freezer door does not close';
const HEADING: Record<Lang, string> = { en: 'Task management', 'nb-NO': 'Oppgavebehandling', 'nl-NL': 'Taakbeheer', 'fi-FI': 'Tehtävienhallinta' };

async function pick(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option }).click();
  await expect(page.getByTestId(testId)).toHaveText(option);
}

const bar = (page: Page) => page.getByTestId(`tasks-chart-stores-bar-${STORE.storeNumber}`);

test('Commerce ⇄ Teams task management: link, publish to a region, POS completes tasks, sync, the report moves; four languages', async ({ page }) => {
  test.setTimeout(150_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openConsole(page, own);
  await chooseLanguage(page, 'en');

  // (0) Teams: the two demo profiles, enabled with the consent, every store's team provisioned.
  await page.getByRole('tab', { name: 'Teams configuration' }).click();
  await pick(page, 'ct-setup-profile-commerce', 'Demo sandbox · Commerce headquarters');
  await pick(page, 'ct-setup-profile-graph', 'Demo sandbox · Microsoft 365 (Graph)');
  await page.getByTestId('ct-enable').click();
  const consent = page.getByTestId('ct-enable-dialog');
  await consent.getByRole('checkbox').check();
  await consent.getByTestId('ct-enable-confirm').click();
  await expect(page.getByTestId('ct-status')).toHaveAttribute('data-enabled', 'true');
  await page.getByRole('tab', { name: 'Provision teams' }).click();
  await page.getByTestId('ct-plan-run').click();
  await expect(page.getByTestId('ct-plan-table')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('ct-apply').click();
  await page.getByTestId('ct-apply-confirm').click();
  await expect(page.getByTestId('ct-live-run')).toHaveAttribute('data-ended', 'done', { timeout: 90_000 });

  // (1) Task management: enabling asks first and says what it starts.
  await page.getByRole('tab', { name: 'Task management' }).click();
  await expect(page.getByRole('heading', { level: 1, name: HEADING.en })).toBeVisible();
  await expect(page.getByTestId('tasks-teams-state')).toHaveText('Teams integration enabled');
  await page.getByTestId('tasks-enabled').click();
  const dialog = page.getByTestId('tasks-switch-dialog');
  await expect(dialog.getByTestId('tasks-switch-effects')).toContainText('Task lists can be published and statuses synced.');
  await dialog.getByTestId('tasks-switch-confirm').click();
  await expect(page.getByTestId('tasks-effects')).toBeVisible();
  await expect(page.getByTestId('tasks-enabled')).toBeChecked();

  // (2) Link POS and Teams: the dry run says no store team has a plan yet; then the missing plans are created and linked.
  await page.getByTestId('tasks-link-preview').click();
  await expect(page.getByTestId('tasks-link-summary')).toContainText('Preview only: nothing was written.', { timeout: 30_000 });
  await expect(page.getByTestId(`tasks-link-row-${STORE.storeNumber}`)).toHaveAttribute('data-state', 'missing');
  await expect(page.getByTestId(`tasks-link-row-${STORE.storeNumber}`)).toContainText('has no Planner plan yet');
  await page.getByTestId('tasks-link-table').scrollIntoViewIfNeeded();
  await shot(page, 'ct-tasks-1-link-preview');
  await page.getByTestId('tasks-link-create').click();
  await expect(page.getByTestId('tasks-link-summary')).toContainText('Linked:', { timeout: 30_000 });
  await expect(page.getByTestId(`tasks-link-row-${STORE.storeNumber}`)).toHaveAttribute('data-state', 'linked');
  await expect(page.getByTestId('tasks-link-missing')).toContainText('0');
  await page.getByTestId('tasks-link-table').scrollIntoViewIfNeeded();
  await shot(page, 'ct-tasks-2-linked');

  // (3) Publish the seeded list to a region: preview (tasks per store, limits), then publish.
  await page.getByTestId('tasks-tab-publish').click();
  await expect(page.getByTestId('tasks-publish-tasks')).toContainText('Unlock doors and disarm alarm', { timeout: 30_000 });
  await page.getByTestId('tasks-publish-target').getByRole('radio').nth(1).check();
  await page.getByTestId('tasks-publish-node').selectOption(REGION.name);
  await page.getByTestId('tasks-publish-preview').click();
  await expect(page.getByTestId('tasks-preview-tasks')).toContainText(String(TASKS_IN_LIST * REGION_STORES.length), { timeout: 30_000 });
  await expect(page.getByTestId(`tasks-preview-store-${STORE.storeNumber}`)).toContainText(String(TASKS_IN_LIST));
  await page.getByTestId('tasks-publish-preview-result').scrollIntoViewIfNeeded();
  await shot(page, 'ct-tasks-3-publish-preview');
  await page.getByTestId('tasks-publish-run').click();
  await expect(page.getByTestId('tasks-published')).toContainText(`Published ${TASKS_IN_LIST * REGION_STORES.length} tasks to ${REGION_STORES.length} stores`, { timeout: 60_000 });
  await page.getByTestId('tasks-published').scrollIntoViewIfNeeded();
  await shot(page, 'ct-tasks-4-published');

  // (4) The report before any task is done: the store's bar, nothing completed.
  await page.getByTestId('tasks-tab-report').click();
  await expect(bar(page)).toHaveAttribute('data-total', String(TASKS_IN_LIST), { timeout: 30_000 });
  const completedBefore = Number(await bar(page).getAttribute('data-completed'));
  const percentBefore = Number(await bar(page).getAttribute('data-percent'));
  await page.getByTestId('tasks-chart-rollup').scrollIntoViewIfNeeded();
  await shot(page, 'ct-tasks-5-report-before');

  // (5) On the Demo sandbox page, a worker of the store completes tasks in the POS simulator.
  await page.getByRole('tab', { name: 'Demo sandbox' }).click();
  const pos = page.getByTestId('sandbox-pos');
  await pos.getByTestId('sandbox-pos-store').selectOption(STORE.storeNumber);
  await expect(pos.locator('[data-testid^="sandbox-pos-task-"]')).toHaveCount(TASKS_IN_LIST, { timeout: 30_000 });
  await pos.getByTestId('sandbox-pos-count').fill(String(COMPLETED_IN_POS));
  await pos.getByTestId('sandbox-pos-complete-count').click();
  await expect(pos.getByTestId('sandbox-pos-done')).toContainText(`Completed ${COMPLETED_IN_POS} tasks`, { timeout: 30_000 });
  // …and files an ad-hoc task of its own in the store plan.
  await pos.getByTestId('sandbox-pos-new-title').fill(ADHOC);
  await pos.getByTestId('sandbox-pos-create').click();
  await expect(pos.getByTestId('sandbox-pos-done')).toContainText(ADHOC, { timeout: 30_000 });
  await pos.scrollIntoViewIfNeeded();
  await shot(page, 'ct-tasks-6-pos-completed');

  // (6) Sync: the completions reach Commerce.
  await page.getByRole('tab', { name: 'Task management' }).click();
  await page.getByTestId('tasks-tab-sync').click();
  await page.getByTestId('tasks-sync-run').click();
  await expect(page.getByTestId('tasks-sync-commerce-updated')).toContainText(String(COMPLETED_IN_POS), { timeout: 60_000 });
  await expect(page.getByTestId('tasks-sync-commerce-created')).toContainText('1');
  await expect(page.getByTestId('tasks-sync-failed')).toContainText('0');
  await page.getByTestId('tasks-schedule').scrollIntoViewIfNeeded();
  await shot(page, 'ct-tasks-7-synced');

  // (7) The report's bars move: the store's completed segment grows by what POS completed.
  await page.getByTestId('tasks-tab-report').click();
  await expect(bar(page)).toHaveAttribute('data-completed', String(completedBefore + COMPLETED_IN_POS), { timeout: 30_000 });
  expect(Number(await bar(page).getAttribute('data-percent'))).toBeGreaterThan(percentBefore);
  await expect(page.getByTestId(`tasks-chart-rollup-bar-region-${REGION.name}`)).toHaveAttribute('data-completed', String(completedBefore + COMPLETED_IN_POS));
  await bar(page).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('tasks-drill').locator('[data-status="Completed"]')).toHaveCount(COMPLETED_IN_POS);
  // The ad-hoc POS task is in HQ's view of the store's tasks, marked as from POS.
  await expect(page.getByTestId('tasks-drill').getByRole('row', { name: new RegExp(ADHOC) })).toContainText('POS');
  await page.getByTestId('tasks-report-export').click();
  await expect(page.getByTestId('tasks-report-exported')).toContainText('.xlsx');
  await page.getByTestId('tasks-drill').scrollIntoViewIfNeeded();
  await shot(page, 'ct-tasks-8-report-after');

  // (8) The report page in every language.
  for (const lang of ['nb-NO', 'nl-NL', 'fi-FI', 'en'] as const) {
    await chooseLanguage(page, lang);
    await expect(page.getByRole('heading', { level: 1, name: HEADING[lang] })).toBeVisible();
    await expect(bar(page)).toHaveAttribute('data-completed', String(completedBefore + COMPLETED_IN_POS));
    await page.getByTestId('tasks-chart-rollup').scrollIntoViewIfNeeded();
    await shot(page, `ct-tasks-9-report-${lang}`);
  }

  // (9) Home shows task management at a glance: enabled, the last status sync with what it carried.
  await page.getByRole('tab', { name: 'Home' }).click();
  const home = page.getByTestId('home-tasks');
  await expect(home.getByTestId('home-tasks-enabled')).toHaveText('Enabled');
  await expect(home.getByTestId('home-tasks-last-sync')).toHaveAttribute('data-state', 'ran');
  await expect(home.getByTestId('home-tasks-last-sync')).toContainText('to Commerce');
  await expect(home.getByTestId('home-tasks-conflicts')).toHaveText('None');
  await home.scrollIntoViewIfNeeded();
  await shot(page, 'ct-tasks-10-home');
  expect(errors).toEqual([]);
});
