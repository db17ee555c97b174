import type { Locator, Page } from '@playwright/test';
import path from 'node:path';
import { COMMERCE_CLIENT, GRAPH_CLIENT, SANDBOX_CLIENTS, SANDBOX_TENANT_ID } from '../../main/sandbox/directory';
import { expect, openConsole, shot, startHost, stopHost, test, type ConsoleHost } from './fixtures';
import { ADMIN, chooseLanguage } from './helpers';

const PUBLIC_CLIENT = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!.clientId;
/** The Graph app used for Commerce by mistake: a real app of the tenant, but not on headquarters' Microsoft Entra applications page. */
const WRONG_APP = GRAPH_CLIENT;
const SANDBOX_AUTHORITY = 'https://login.sandbox.localhost';

/**
 * Commerce headquarters and Microsoft 365 (Graph) on the Connections page, against the console's own sandbox: the demo
 * profiles test green, a Commerce profile with an app that headquarters does not know fails with the explained fix,
 * an administrator signs in to Graph (and to headquarters) with a device code through profiles made in the form; then
 * the Demo sandbox page shows the new services, the personas and the Graph fault profiles, and switches one.
 */
// A console of its own on a fresh data folder: this spec creates profiles and switches sandbox faults.
let own: ConsoleHost;
test.beforeAll(async () => {
  own = await startHost();
});
test.afterAll(async () => {
  await stopHost(own);
});

const card = (page: Page, name: string) => page.getByRole('listitem', { name, exact: true });

async function testConnection(c: Locator): Promise<Locator> {
  await c.getByRole('button', { name: 'Test connection' }).click();
  const result = c.getByTestId('test-result');
  await expect(result).toBeVisible({ timeout: 30_000 });
  await result.scrollIntoViewIfNeeded();
  return result;
}

/** A field's value in the demo profile's edit form (the sandbox's ports change every launch). */
async function demoField(page: Page, profile: string, label: RegExp): Promise<string> {
  await card(page, profile).getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  const value = await dialog.getByLabel(label).inputValue();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  return value;
}

interface NewProfile {
  name: string;
  kind: 'graph' | 'commerce-hq';
  url: string;
  method: 'client-secret' | 'device-code';
  clientId: string;
  secret?: string;
}

async function addProfile(page: Page, p: NewProfile, shotName: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Add connection' }).click();
  const form = page.getByRole('dialog');
  await form.getByLabel(/^Name/).fill(p.name);
  await form.getByLabel(/^Service/).selectOption(p.kind);
  await form.getByLabel(p.kind === 'graph' ? /^API host/ : /^Headquarters URL/).fill(p.url);
  await form.getByLabel(/^Sign-in method/).selectOption(p.method);
  await form.getByLabel(/^Application \(client\) ID/).fill(p.clientId);
  await form.getByLabel(/^Tenant/).fill(SANDBOX_TENANT_ID);
  await form.getByLabel(/^Sign-in authority/).fill(SANDBOX_AUTHORITY);
  if (p.secret) await form.getByLabel(/^Client secret/).fill(p.secret);
  // The kind's setup help and what the method needs there.
  await expect(form.getByTestId('kind-help')).toHaveAttribute('data-kind', p.kind);
  await expect(form.getByTestId('method-hint')).not.toBeEmpty();
  await expect(form).toHaveCSS('opacity', '1');
  await shot(page, shotName);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();
  return card(page, p.name);
}

/** Device-code sign-in as the sandbox administrator, done in a second page like on a phone. */
async function signInWithDeviceCode(page: Page, c: Locator, shotName: string | null) {
  await c.getByRole('button', { name: 'Sign in' }).click();
  const dialog = page.getByRole('alertdialog');
  const code = dialog.getByTestId('device-code');
  await expect(code).toHaveText(/\S+/);
  if (shotName) {
    await expect(dialog).toHaveCSS('opacity', '1');
    await shot(page, shotName);
  }
  const userCode = (await code.textContent())!.trim();
  const verificationUri = (await dialog.getByTestId('device-code-url').getAttribute('href'))!;
  const phone = await page.context().newPage();
  await phone.goto(verificationUri);
  await phone.locator('#user_code').fill(userCode);
  await phone.locator('#username').fill(ADMIN.username);
  await phone.locator('#password').fill(ADMIN.password);
  await phone.getByRole('button', { name: 'Sign in and allow' }).click();
  await expect(phone.getByText(`as ${ADMIN.username}`)).toBeVisible();
  await phone.close();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(c.getByTestId('status')).toHaveAttribute('data-state', 'signed-in');
  await expect(c).toContainText(`Signed in as ${ADMIN.username}`);
}

test('Commerce headquarters and Microsoft 365 (Graph): demo tests, an explained failure, admin device-code sign-in, and the sandbox page', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openConsole(page, own);
  await chooseLanguage(page, 'en');
  await page.getByRole('tab', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Connections' })).toBeVisible();

  // (1) The demo profiles of both kinds test green: Graph with the Commerce ⇄ Teams app, Commerce with its registered app.
  const graphDemo = card(page, 'Demo sandbox · Microsoft 365 (Graph)');
  const commerceDemo = card(page, 'Demo sandbox · Commerce headquarters');
  const graphOk = await testConnection(graphDemo);
  await expect(graphOk).toHaveAttribute('data-ok', 'true');
  await expect(graphOk).toContainText(`Application ${GRAPH_CLIENT.clientId}`);
  await expect(graphOk).toContainText('Group.ReadWrite.All');
  const commerceOk = await testConnection(commerceDemo);
  await expect(commerceOk).toHaveAttribute('data-ok', 'true');
  await expect(commerceOk).toContainText(`Application ${COMMERCE_CLIENT.clientId}`);
  await shot(page, 'ct-connections-1-demo-tests-ok');

  const commerceUrl = await demoField(page, 'Demo sandbox · Commerce headquarters', /^Headquarters URL/);
  const graphUrl = await demoField(page, 'Demo sandbox · Microsoft 365 (Graph)', /^API host/);
  expect(commerceUrl).toMatch(/^https?:\/\/127\.0\.0\.1:\d+$/);
  expect(graphUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

  // (2) Commerce with an app headquarters does not know: the test says so, translated, with the page to fix it on.
  const wrongApp = await addProfile(
    page,
    { name: 'Commerce · unregistered app', kind: 'commerce-hq', url: commerceUrl, method: 'client-secret', clientId: WRONG_APP.clientId, secret: WRONG_APP.clientSecret! },
    'ct-connections-2-commerce-form',
  );
  const failed = await testConnection(wrongApp);
  await expect(failed).toHaveAttribute('data-ok', 'false');
  await expect(failed.getByTestId('error-text')).toHaveAttribute('data-code', 'CONNECTION_COMMERCE_APP_NOT_REGISTERED');
  await expect(failed).toContainText(`Commerce headquarters does not know this app. Add client id ${WRONG_APP.clientId} on System administration → Setup → Microsoft Entra applications and map it to a user.`);
  // Main's own words (the service's reason) under the translated advice.
  await expect(failed).toContainText('Details:');
  await shot(page, 'ct-connections-3-commerce-app-not-registered');

  // (3) Graph: the administrator signs in with a device code on a profile made in the form, and the test reads /me.
  const graphAdmin = await addProfile(
    page,
    { name: 'Ingrid · Microsoft 365 (device code)', kind: 'graph', url: graphUrl, method: 'device-code', clientId: PUBLIC_CLIENT },
    'ct-connections-4-graph-form',
  );
  await expect(graphAdmin.getByTestId('status')).toHaveAttribute('data-state', 'signed-out');
  await signInWithDeviceCode(page, graphAdmin, 'ct-connections-5-graph-device-code');
  const graphMe = await testConnection(graphAdmin);
  await expect(graphMe).toHaveAttribute('data-ok', 'true');
  await expect(graphMe).toContainText(ADMIN.username);
  await shot(page, 'ct-connections-6-graph-admin-signed-in');

  // (4) Commerce headquarters with the administrator's own sign-in (a user of headquarters).
  const commerceAdmin = await addProfile(
    page,
    { name: 'Ingrid · Commerce (device code)', kind: 'commerce-hq', url: commerceUrl, method: 'device-code', clientId: PUBLIC_CLIENT },
    'ct-connections-7-commerce-device-form',
  );
  await signInWithDeviceCode(page, commerceAdmin, null);
  const commerceMe = await testConnection(commerceAdmin);
  await expect(commerceMe).toHaveAttribute('data-ok', 'true');
  await shot(page, 'ct-connections-8-commerce-admin-signed-in');

  // (5) The Demo sandbox page: Graph (v1.0, beta, its CA file) and Commerce, the personas, the fault profiles.
  await page.getByRole('tab', { name: 'Demo sandbox' }).click();
  const services = page.getByTestId('sandbox-ct-services');
  await expect(services.getByTestId('sandbox-ct-graph-url')).toContainText(`${graphUrl}/v1.0`);
  await expect(services.getByTestId('sandbox-ct-graph-beta')).toContainText(`${graphUrl}/beta`);
  // The CA lives in the console's data folder, so trusting it once holds across launches.
  await expect(services.getByTestId('sandbox-ct-graph-ca')).toContainText(path.join(own.dataDir, 'sandbox-tls', 'ca.pem'));
  await expect(services.getByTestId('sandbox-ct-commerce-url')).toContainText(commerceUrl);
  const caPath = (await services.getByTestId('sandbox-ct-graph-ca').locator('td').nth(1).textContent())!;
  await services.getByTestId('sandbox-ct-graph-ca').getByRole('button', { name: 'Copy path' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(caPath);
  await services.scrollIntoViewIfNeeded();
  await shot(page, 'ct-connections-9-sandbox-services');

  const personas = page.getByTestId('sandbox-ct-personas');
  await expect(personas.getByTestId('sandbox-persona-NR-000001')).toContainText('Regional manager');
  await personas.getByTestId('sandbox-ct-persona-filter').selectOption('worker');
  await expect(personas.getByTestId('sandbox-persona-NR-001602')).toContainText('Account disabled');
  await expect(personas.getByTestId('sandbox-persona-NR-002702')).toContainText('No Teams licence');
  await expect(personas.getByTestId('sandbox-persona-NR-000001')).toHaveCount(0);
  await personas.scrollIntoViewIfNeeded();
  await shot(page, 'ct-connections-10-sandbox-personas');

  const faults = page.getByTestId('sandbox-ct-faults');
  for (const name of ['replication-lag', 'lying-404', 'throttle-heavy', 'members-add-502', 'licence-missing']) {
    await expect(faults.getByRole('switch', { name })).not.toBeChecked();
  }
  await faults.getByRole('switch', { name: 'lying-404' }).click();
  await expect(faults.getByRole('switch', { name: 'lying-404' })).toBeChecked();
  await expect(page.getByTestId('sandbox-fault-state-lying-404')).toHaveText('On');
  // The switch survives a reload of the page: it is the sandbox's state, not the page's.
  await page.reload();
  await expect(page.locator('body[data-app-state="ready"]')).toBeAttached();
  await page.getByRole('tab', { name: 'Demo sandbox' }).click();
  await expect(page.getByTestId('sandbox-ct-faults').getByRole('switch', { name: 'lying-404' })).toBeChecked();
  await page.getByTestId('sandbox-ct-faults').scrollIntoViewIfNeeded();
  await shot(page, 'ct-connections-11-sandbox-fault-on');
  await page.getByTestId('sandbox-ct-faults').getByRole('switch', { name: 'lying-404' }).click();
  await expect(page.getByTestId('sandbox-fault-state-lying-404')).toHaveText('Off');

  expect(errors).toEqual([]);
});
