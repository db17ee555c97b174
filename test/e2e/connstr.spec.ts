import { expect, openConsole, shot, test } from './fixtures';

const SEED =
  'AuthType=OAuth;Username=jsmith@contoso.onmicrosoft.com;Password=****;Url=https://contosotest.crm.dynamics.com;AppId=<your AppId>;RedirectUri=app://<your AppId>;TokenCacheStorePath=;LoginPrompt=Auto';
const APP_ID = '2b6f1c0e-8d4a-4f3b-9e21-7c5d3a1b0f99';

test('paste the seed string, fix the AppId, switch to Norwegian', async ({ page, host }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await openConsole(page, host);
  // The launch token is moved out of the address bar.
  expect(page.url()).not.toContain('token=');
  // The console opens on Home; the key-file notice is shown where secrets are entered (and in About), not here.
  await expect(page.getByTestId('home-page')).toBeVisible();
  await expect(page.getByTestId('secret-notice')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Connection string (BC < v16)' }).click();

  await page.getByTestId('connstr-text').fill(SEED);
  await expect(page.getByLabel('User name')).toHaveValue('jsmith@contoso.onmicrosoft.com');
  await expect(page.getByLabel('Dynamics 365 Sales URL')).toHaveValue('https://contosotest.crm.dynamics.com');
  const appId = page.getByLabel('Application (client) ID');
  await expect(appId).toHaveValue('<your AppId>');
  await expect(appId).toHaveAttribute('aria-invalid', 'true');
  await shot(page, 'connstr-1-seed-pasted-en');

  await appId.fill(APP_ID);
  await expect(page.getByTestId('connstr-text')).toHaveValue(new RegExp(`AppId=${APP_ID}`));
  await expect(appId).not.toHaveAttribute('aria-invalid', 'true');
  // The redirect still names the placeholder: the quick fix writes app://<AppId>.
  await page.getByRole('button', { name: `Use app://${APP_ID}` }).click();
  await expect(page.getByLabel('Redirect URI')).toHaveValue(`app://${APP_ID}`);
  await expect(page.getByTestId('connstr-text')).toHaveValue(new RegExp(`RedirectUri=app://${APP_ID}`));
  await shot(page, 'connstr-2-appid-fixed-en');

  await page.getByTestId('language-picker').click();
  await page.getByRole('option', { name: 'Norsk bokmål' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tilkoblingsstreng for Business Central før v16');
  await expect(page.getByLabel('Brukernavn')).toHaveValue('jsmith@contoso.onmicrosoft.com');
  await expect(page.locator('html')).toHaveAttribute('lang', 'nb-NO');
  await shot(page, 'connstr-3-norwegian');

  // The language choice is stored by main and survives a reload.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hjem');
  await page.getByRole('tab', { name: 'Tilkoblingsstreng (BC < v16)' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tilkoblingsstreng for Business Central før v16');
  expect(errors).toEqual([]);
});

test('save a profile with a password; the secret never comes back to the page', async ({ page, host }) => {
  await openConsole(page, host);
  await page.getByTestId('language-picker').click();
  await page.getByRole('option', { name: 'English' }).click();
  await page.getByRole('tab', { name: 'Connection string (BC < v16)' }).click();
  await page.getByTestId('connstr-text').fill(SEED.replace('Password=****', 'Password="Sup3r;Secret"').replace(/<your AppId>/g, APP_ID));
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('Sup3r;Secret');
  // Leaving the text box rewrites the typed string with the secret masked.
  await page.getByLabel('User name').focus();
  await expect(page.getByTestId('connstr-text')).toHaveValue(/Password=\*\*\*\*/);
  await expect(page.getByTestId('connstr-text')).not.toHaveValue(/Sup3r/);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByLabel('Profile name').fill('Contoso test (pre-v16)');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Stored securely. Type a new value to replace it.')).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
  await expect(page.getByRole('dialog')).toBeHidden();
  await shot(page, 'connstr-4-profile-saved');

  await page.reload();
  await page.getByRole('tab', { name: 'Connection string (BC < v16)' }).click();
  await page.getByRole('combobox', { name: 'Open a saved profile' }).click();
  await page.getByRole('option', { name: 'Contoso test (pre-v16)' }).click();
  await expect(page.getByLabel('Application (client) ID')).toHaveValue(APP_ID);
  await expect(page.getByText('Stored securely. Type a new value to replace it.')).toBeVisible();
  const html = await page.content();
  expect(html).not.toContain('Sup3r');

  await page.getByRole('tab', { name: 'About this console' }).click();
  await expect(page.getByRole('cell', { name: 'Encrypted with a key file' })).toBeVisible();
  await expect(page.getByTestId('secret-notice')).toBeVisible();
  await shot(page, 'about-en');
});
