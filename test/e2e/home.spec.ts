import type { Page } from '@playwright/test';
import { expect, shot, startHost, stopHost, test } from './fixtures';

/**
 * First impression (issue 11): a fresh data folder opens on Home — what the console does, where to start, the state
 * of each integration — in English and Norwegian; keyboard users get a skip link; the key-file notice is no longer
 * on every page; and a tab whose host has stopped says so.
 */
async function chooseLanguage(page: Page, label: string, code: string) {
  await page.getByTestId('language-picker').click();
  await page.getByRole('option', { name: label }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', code);
}

test('a fresh console opens on Home (en, nb-NO), with a skip link, and says so when its host stops', async ({ page }) => {
  const host = await startHost();
  let stopped = false;
  try {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeAttached();
    await chooseLanguage(page, 'English', 'en');

    // Home is the start page and the first entry of the navigation.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Home');
    const tabs = page.getByRole('navigation', { name: 'Pages' }).getByRole('tab');
    await expect(tabs.first()).toHaveText('Home');
    await expect(tabs.first()).toHaveAttribute('aria-selected', 'true');
    const steps = page.getByRole('list', { name: 'Where to start' }).getByRole('listitem');
    await expect(steps).toHaveCount(4);
    await expect(steps.nth(0)).toContainText('1. Connections');
    await expect(steps.nth(1)).toContainText('2. Assisted setup');
    await expect(steps.nth(2)).toContainText('3. Full synchronization review');
    await expect(steps.nth(3)).toContainText('4. Synchronization');
    // The state of each integration, read from the running console (demo sandbox profiles, nothing enabled yet).
    const sales = page.getByTestId('home-sales');
    await expect(sales.getByTestId('home-sales-enabled')).toHaveText('Not enabled');
    await expect(sales.getByTestId('home-profile-dataverse')).toContainText('Demo sandbox · Dataverse');
    await expect(sales.getByTestId('home-profile-bc')).toContainText('Demo sandbox · Business Central');
    await expect(sales.getByTestId('home-setup')).toHaveText('Not started');
    await expect(sales.getByTestId('home-last-sync')).toContainText('Never');
    await expect(page.getByTestId('home-step-setup')).toHaveAttribute('data-next', 'true');
    await expect(page.getByTestId('home-teams-enabled')).toHaveText('Not enabled');
    await expect(page.getByTestId('home-teams-last-run')).toHaveAttribute('data-state', 'never');
    // The key-file notice lives where secrets are entered and in About, not on every page.
    await expect(page.getByTestId('secret-notice')).toHaveCount(0);
    await shot(page, 'home-en');

    // Keyboard: the first Tab reaches the skip link, Enter moves the focus to the main content.
    await page.reload();
    await expect(page.locator('body[data-app-state="ready"]')).toBeAttached();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Home');
    await page.keyboard.press('Tab');
    const skip = page.getByTestId('skip-link');
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await shot(page, 'home-skip-link-en');
    await page.keyboard.press('Enter');
    await expect(page.locator('#main-content')).toBeFocused();

    // The next-step button leads to the assisted setup; Home is one click away again.
    await sales.getByRole('button', { name: 'Continue with the assisted setup' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Business Central ⇄ Dynamics 365 Sales');
    await tabs.first().click();

    await chooseLanguage(page, 'Norsk bokmål', 'nb-NO');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hjem');
    await expect(page.getByRole('list', { name: 'Hvor du begynner' }).getByRole('listitem')).toHaveCount(4);
    await expect(page.getByTestId('home-sales-enabled')).toHaveText('Ikke aktivert');
    await expect(page.getByTestId('home-teams-enabled')).toHaveText('Ikke aktivert');
    await shot(page, 'home-nb-NO');

    // About still shows how secrets are kept.
    await page.getByRole('tab', { name: 'Om konsollen' }).click();
    await expect(page.getByTestId('secret-notice')).toBeVisible();
    await chooseLanguage(page, 'English', 'en');
    await tabs.first().click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Home');

    // Text inputs show the keyboard focus clearly: a 2px ring around the field, not only a thicker bottom line.
    await page.getByRole('tab', { name: 'Connection string (BC < v16)' }).click();
    const box = page.getByTestId('connstr-text');
    await box.focus();
    const ring = await box.evaluate((el) => {
      const st = getComputedStyle(el.closest('.fui-Textarea')!);
      return `${st.outlineStyle} ${st.outlineWidth}`;
    });
    expect(ring).toBe('solid 2px');
    await shot(page, 'home-focus-ring-en');
    await tabs.first().click();

    // The host stops: the tab says so instead of failing action after action.
    await stopHost(host);
    stopped = true;
    await expect(page.getByTestId('host-stopped')).toContainText("The console's host has stopped");
    await expect(page.getByTestId('host-stopped')).toContainText('npm start');
    await shot(page, 'home-host-stopped-en');
    expect(errors).toEqual([]);
  } finally {
    if (!stopped) await stopHost(host);
  }
});
