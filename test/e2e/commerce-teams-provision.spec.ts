import type { Page } from '@playwright/test';
import { COMMERCE_CLIENT } from '../../main/sandbox/directory';
import { COMMERCE_TEAMS_PERSONAS, FINDING_CASES } from '../../main/sandbox/commerce-teams-personas';
import { expect, openConsole, shot, startHost, stopHost, test, type ConsoleHost } from './fixtures';
import { chooseLanguage } from './helpers';

/**
 * Commerce ⇄ Teams from enabling to a synced change, against the console's own demo sandbox (issue 14): both profiles
 * picked, the pre-flight finds a regional manager without Retail task manager and its one-click fix is previewed and
 * applied, the integration is enabled with the data-sharing consent, Graph's members/add answers 502 (fault profile)
 * while the plan is applied — every store gets its team with its people — then changes made in Commerce
 * headquarters (a store manager made Retail task manager, a worker joins a store, a new store manager, a new store)
 * show up in the next plan and are applied; pages in nb-NO,
 * nl-NL and fi-FI.
 */
let own: ConsoleHost;
test.beforeAll(async () => {
  own = await startHost();
});
test.afterAll(async () => {
  await stopHost(own);
});

const STORES = 30;
const RM_WITHOUT_ROLE = FINDING_CASES.regionalManagerWithoutRole;
/** The store manager of store 001001, whom headquarters makes a Retail task manager mid-test. */
const OSLO_MANAGER = COMMERCE_TEAMS_PERSONAS.find((p) => p.userId === 'sm001001')!;

async function pick(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option }).click();
  await expect(page.getByTestId(testId)).toHaveText(option);
}

/** What an administrator does in headquarters (User's roles → Assign roles), through Commerce's OData as the Teams app. */
async function assignTaskManagerInCommerce(tokenEndpoint: string, commerceUrl: string, userId: string) {
  const token = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: COMMERCE_CLIENT.clientId, client_secret: COMMERCE_CLIENT.clientSecret!, scope: `${commerceUrl}/.default` }),
  });
  expect(token.status).toBe(200);
  const { access_token } = (await token.json()) as { access_token: string };
  const r = await fetch(`${commerceUrl}/data/SecurityUserRoles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ UserId: userId, SecurityRoleIdentifier: 'RETAILTASKMANAGER', SecurityRoleName: 'Retail task manager', AssignmentStatus: 'Enabled', AssignmentMode: 'Manual', UserLicenseType: 'Activity' }),
  });
  expect(r.status, await r.text()).toBe(201);
}

test('Commerce ⇄ Teams: enable, pre-flight fixed, plan, apply under a Graph fault, a Commerce change synced, four languages', async ({ page }) => {
  // About a minute on an idle machine; the margin is for a machine shared with other suites.
  test.setTimeout(150_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openConsole(page, own);
  await chooseLanguage(page, 'en');

  // (1) Configuration: the two demo profiles, the pre-flight, a one-click fix previewed then applied.
  await page.getByRole('tab', { name: 'Teams configuration' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Commerce ⇄ Teams configuration' })).toBeVisible();
  await expect(page.getByTestId('ct-enable')).toBeDisabled();
  await pick(page, 'ct-setup-profile-commerce', 'Demo sandbox · Commerce headquarters');
  await pick(page, 'ct-setup-profile-graph', 'Demo sandbox · Microsoft 365 (Graph)');
  await expect(page.getByTestId('ct-enable')).toBeEnabled();

  await page.getByTestId('ct-check-run').click();
  const rm = page.getByTestId('ct-finding-TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE');
  await expect(rm).toContainText(RM_WITHOUT_ROLE, { timeout: 30_000 });
  await expect(page.getByTestId('ct-finding-TEAMS_STORE_NO_MANAGER')).toContainText(FINDING_CASES.storeWithoutManager);
  await expect(page.getByTestId('ct-finding-TEAMS_USER_NO_TEAMS_LICENCE')).toContainText('Failed to retrieve appliable Sku categories for the user');
  await expect(page.getByTestId('ct-check-summary')).toContainText('warning');
  await page.getByTestId('ct-preflight').evaluate((e) => e.scrollIntoView());
  await shot(page, 'ct-provision-1-preflight');

  await rm.getByRole('button', { name: /Assign Retail task manager/ }).click();
  const preview = page.getByTestId('ct-fix-preview');
  await expect(preview.getByTestId('ct-fix-changes')).toContainText(RM_WITHOUT_ROLE);
  await expect(preview).toHaveCSS('opacity', '1');
  await shot(page, 'ct-provision-2-fix-preview');
  await preview.getByTestId('ct-fix-apply').click();
  await expect(page.getByTestId('ct-fix-applied')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('ct-finding-TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE')).toHaveCount(0);

  // Enable: the consent is read and accepted first; the status says what enabling started.
  await page.getByTestId('ct-enable').click();
  const consent = page.getByTestId('ct-enable-dialog');
  await expect(consent.getByTestId('ct-consent-text')).toContainText('another region');
  await expect(consent.getByTestId('ct-enable-confirm')).toBeDisabled();
  await consent.getByRole('checkbox').check();
  await expect(consent).toHaveCSS('opacity', '1');
  await shot(page, 'ct-provision-3-consent');
  await consent.getByTestId('ct-enable-confirm').click();
  await expect(page.getByTestId('ct-status')).toHaveAttribute('data-enabled', 'true');
  await expect(page.getByTestId('ct-enable-effects')).toBeVisible();

  // (2) The Demo sandbox: Graph's members/add answers 502 from now on; the token endpoint and Commerce for step 4.
  await page.getByRole('tab', { name: 'Demo sandbox' }).click();
  const tokenEndpoint = (await page.getByRole('row', { name: /Token endpoint/ }).locator('td').nth(1).textContent())!.trim();
  const commerceUrl = (await page.getByTestId('sandbox-ct-commerce-url').locator('td').nth(1).textContent())!.trim();
  const faults = page.getByTestId('sandbox-ct-faults');
  await faults.getByRole('switch', { name: 'members-add-502' }).click();
  await expect(page.getByTestId('sandbox-fault-state-members-add-502')).toHaveText('On');

  // (3) Plan: a team per store with a manager, the store without one skipped with its reason, removals off.
  await page.getByRole('tab', { name: 'Provision teams' }).click();
  await expect(page.getByTestId('ct-prune')).toHaveAttribute('data-on', 'false');
  await page.getByTestId('ct-plan-run').click();
  await expect(page.getByTestId('ct-plan-table')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('ct-tile-create')).toHaveAttribute('data-count', String(STORES - 1));
  await expect(page.getByTestId('ct-tile-skip')).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('ct-plan-row-communications')).toHaveAttribute('data-action', 'create');
  // Seven task managers now, the fixed regional manager among them: three shown, the rest on request.
  const comms = page.getByTestId('ct-plan-row-communications');
  await expect(comms).toContainText('+7:');
  await comms.getByRole('button', { name: 'and 4 more' }).click();
  await expect(comms).toContainText(RM_WITHOUT_ROLE);
  await comms.getByRole('button', { name: 'Show fewer' }).click();
  await page.getByTestId('ct-tile-skip').click();
  await expect(page.getByTestId(`ct-plan-why-${FINDING_CASES.storeWithoutManager}`)).toHaveText('No store manager: a team needs an owner (R5).');
  await expect(page.getByTestId('ct-plan-shown')).toHaveText(`Showing 1 of ${STORES} stores`);
  await page.getByTestId('ct-tile-all').click();
  await page.getByTestId('ct-plan-search').fill('Utrecht');
  await expect(page.getByTestId('ct-plan-shown')).toHaveText(`Showing 1 of ${STORES} stores`);
  await page.getByTestId('ct-plan-search').fill('');
  await page.getByTestId('ct-plan-search').blur();
  await shot(page, 'ct-provision-4-plan');

  // Apply with the fault on: progress per store, then every store has its team and its people (single adds).
  await page.getByTestId('ct-apply').click();
  await expect(page.getByTestId('ct-apply-summary')).toContainText('Removes nobody');
  await page.getByTestId('ct-apply-confirm').click();
  const live = page.getByTestId('ct-live-run');
  await expect(live).toBeVisible();
  await expect(page.locator('[data-testid^="ct-live-0"]').first()).toBeVisible({ timeout: 30_000 });
  await expect(live).toContainText(/[1-9]\d* of 30 stores done/, { timeout: 60_000 });
  await shot(page, 'ct-provision-5-applying');
  await expect(live).toHaveAttribute('data-ended', 'done', { timeout: 90_000 });
  const runId = (await live.getAttribute('data-run'))!;
  const run = page.getByTestId(`ct-run-${runId}`);
  await expect(run).toHaveAttribute('data-state', 'succeeded');
  await expect(run.getByTestId('ct-count-teamsCreated')).toHaveAttribute('data-count', String(STORES));
  await expect(run.getByTestId('ct-count-storesFailed')).toHaveAttribute('data-count', '0');
  await page.getByTestId('ct-history').evaluate((e) => e.scrollIntoView());
  await shot(page, 'ct-provision-6-applied');

  // (4) Changes made in headquarters: the Oslo Sentrum manager becomes a Retail task manager (through OData), and on
  // the Demo sandbox page a worker joins Oslo Sentrum, a worker there becomes a store manager and a new store opens.
  await assignTaskManagerInCommerce(tokenEndpoint, commerceUrl, OSLO_MANAGER.userId!);
  await page.getByRole('tab', { name: 'Demo sandbox' }).click();
  await page.getByTestId('sandbox-hq-worker-joins').click();
  await expect(page.getByTestId('sandbox-hq-result')).toContainText('NR-000203 now works at Nordlys Oslo Sentrum');
  await page.getByTestId('sandbox-hq-manager-change').click();
  await expect(page.getByTestId('sandbox-hq-result')).toContainText('NR-000101 is now a store manager');
  await page.getByTestId('sandbox-hq-new-store').click();
  await expect(page.getByTestId('sandbox-hq-result')).toContainText('Nordlys Oslo Pop-up (001031) is open');
  await page.getByTestId('sandbox-ct-hq').scrollIntoViewIfNeeded();
  await shot(page, 'ct-provision-6b-hq-changes');
  await page.getByRole('tab', { name: 'Provision teams' }).click();
  await page.getByTestId('ct-plan-run').click();
  await expect(page.getByTestId('ct-plan-row-communications')).toHaveAttribute('data-action', 'update', { timeout: 30_000 });
  await expect(page.getByTestId('ct-plan-row-communications')).toContainText(OSLO_MANAGER.upn);
  // The new store gets a team; Oslo Sentrum gains an owner and a member; every other store is up to date.
  await expect(page.getByTestId('ct-tile-create')).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('ct-tile-update')).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('ct-tile-none')).toHaveAttribute('data-count', String(STORES - 2));
  await page.getByTestId('ct-plan').scrollIntoViewIfNeeded();
  await shot(page, 'ct-provision-7-commerce-change');
  await page.getByTestId('ct-apply').click();
  await page.getByTestId('ct-apply-confirm').click();
  await expect(page.getByTestId('ct-live-run')).not.toHaveAttribute('data-run', runId);
  await expect(page.getByTestId('ct-live-run')).toHaveAttribute('data-ended', 'done', { timeout: 30_000 });
  await page.getByTestId('ct-plan-run').click();
  await expect(page.getByTestId('ct-plan-row-communications')).toHaveAttribute('data-action', 'none', { timeout: 30_000 });
  await expect(page.getByTestId('ct-apply-why')).toHaveText('Nothing to do: every store is up to date or skipped.');

  // (5) The same pages in the other languages.
  await chooseLanguage(page, 'nb-NO');
  await page.getByRole('tab', { name: 'Teams-konfigurasjon' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Commerce ⇄ Teams-konfigurasjon' })).toBeVisible();
  await page.getByTestId('ct-check-run').click();
  await expect(page.getByTestId('ct-findings-warning')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('ct-check-run')).toBeEnabled({ timeout: 30_000 });
  await shot(page, 'ct-provision-8-setup-nb-NO');
  await chooseLanguage(page, 'nl-NL');
  await page.getByRole('tab', { name: 'Teams inrichten' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Teams inrichten' })).toBeVisible();
  await expect(page.getByTestId('ct-plan-table')).toContainText('Communicatieteam');
  await shot(page, 'ct-provision-9-provision-nl-NL');
  await chooseLanguage(page, 'fi-FI');
  await expect(page.getByRole('heading', { level: 1, name: 'Tiimien luonti' })).toBeVisible();
  await page.getByTestId('ct-history').scrollIntoViewIfNeeded();
  await shot(page, 'ct-provision-10-history-fi-FI');
  expect(errors).toEqual([]);
});
