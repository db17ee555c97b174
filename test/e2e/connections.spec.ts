import type { Page } from '@playwright/test';
import { SANDBOX_CLIENTS, SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../main/sandbox/directory';
import { expect, openConsole, shot, test } from './fixtures';

const PUBLIC_CLIENT = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!.clientId;
const CLIENT_SECRET = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!.clientSecret!;
const KARI = SANDBOX_USERS.find((u) => u.username.startsWith('kari.nordmann@'))!;
const APP_USER = SANDBOX_USERS.find((u) => u.kind === 'application')!;
const SANDBOX_AUTHORITY = 'https://login.sandbox.localhost';
const NEW_PROFILE = 'Kari · Dataverse (device code)';

/** Everything that crossed the renderer's WebSocket, both ways. */
function recordFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push(String(f.payload)));
    ws.on('framereceived', (f) => frames.push(String(f.payload)));
  });
  return frames;
}

/** Anything token- or secret-like in the frames: JWTs, the sandbox client secret, long base64url runs. */
function leaks(frames: string[]): string[] {
  const found: string[] = [];
  for (const f of frames) {
    const jwt = /eyJ[\w-]+\.[\w-]+\.[\w-]*/.exec(f);
    if (jwt) found.push(`JWT: ${jwt[0].slice(0, 24)}…`);
    if (f.includes(CLIENT_SECRET)) found.push('the sandbox client secret');
    const run = /[A-Za-z0-9_-]{61,}/.exec(f);
    if (run) found.push(`base64url run: ${run[0].slice(0, 24)}…`);
  }
  return found;
}

const card = (page: Page, name: string) => page.getByRole('listitem', { name, exact: true });

const LANGUAGE_CODES: Record<string, string> = { English: 'en', 'Norsk bokmål': 'nb-NO', Nederlands: 'nl-NL', Suomi: 'fi-FI' };

async function chooseLanguage(page: Page, label: string) {
  await page.getByTestId('language-picker').click();
  await page.getByRole('option', { name: label }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', LANGUAGE_CODES[label]!);
}

test('the list in Norwegian, Dutch and Finnish marks the same things', async ({ page, host }) => {
  const frames = recordFrames(page);
  await openConsole(page, host);
  await chooseLanguage(page, 'English');
  await page.getByRole('tab', { name: 'Connections' }).click();
  await expect(card(page, 'Demo sandbox · Dataverse')).toBeVisible();
  for (const [label, code, heading, testButton] of [
    ['Norsk bokmål', 'nb-NO', 'Tilkoblinger', 'Test tilkoblingen'],
    ['Nederlands', 'nl-NL', 'Verbindingen', 'Verbinding testen'],
    ['Suomi', 'fi-FI', 'Yhteydet', 'Testaa yhteys'],
  ] as const) {
    await chooseLanguage(page, label);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expect(card(page, 'Demo sandbox · Dataverse').getByRole('button', { name: testButton })).toBeVisible();
    await shot(page, `connections-list-${code}`);
  }
  await chooseLanguage(page, 'English');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connections');
  expect(leaks(frames)).toEqual([]);
});

test('demo connection test, device-code sign-in on a new profile, and no token or secret on the wire', async ({ page, host }) => {
  const frames = recordFrames(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await openConsole(page, host);
  await chooseLanguage(page, 'English');
  await page.getByRole('tab', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Connections' })).toBeVisible();
  const demo = card(page, 'Demo sandbox · Dataverse');
  await expect(demo).toBeVisible();
  await expect(card(page, 'Demo sandbox · Business Central')).toBeVisible();
  await shot(page, 'connections-1-list-en');

  // (1) The demo profile (integration app + client secret) → Test connection → the WhoAmI user.
  await demo.getByRole('button', { name: 'Test connection' }).click();
  const demoResult = demo.getByTestId('test-result');
  await expect(demoResult).toHaveAttribute('data-ok', 'true');
  await expect(demoResult).toContainText(APP_USER.displayName);
  await expect(demoResult).toContainText(/9\.2\./);
  await expect(demoResult).toContainText('Latency');
  await shot(page, 'connections-2-demo-test-result-en');

  // The sandbox's Dataverse URL, read from the demo profile's form (it changes every launch).
  await demo.getByRole('button', { name: 'Edit' }).click();
  const editDialog = page.getByRole('dialog');
  const dataverseUrl = await editDialog.getByLabel(/^Environment URL/).inputValue();
  expect(dataverseUrl).toMatch(/^https?:\/\//);
  await expect(editDialog.getByText('Stored securely. Type a new value to replace it; it is never shown again.')).toBeVisible();
  await expect(editDialog.getByLabel(/^Client secret/)).toHaveValue('');
  await editDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(editDialog).toBeHidden();

  // (2) A new Dataverse profile with device-code sign-in through the sandbox's identity service.
  await page.getByRole('button', { name: 'Add connection' }).click();
  const form = page.getByRole('dialog');
  await form.getByLabel(/^Name/).fill(NEW_PROFILE);
  await form.getByLabel(/^Environment URL/).fill(dataverseUrl);
  await form.getByLabel(/^Sign-in method/).selectOption('device-code');
  await form.getByLabel(/^Application \(client\) ID/).fill(PUBLIC_CLIENT);
  await form.getByLabel(/^Tenant/).fill(SANDBOX_TENANT_ID);
  await form.getByLabel(/^Sign-in authority/).fill(SANDBOX_AUTHORITY);
  await expect(form).toHaveCSS('opacity', '1');
  await shot(page, 'connections-3-form-en');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();
  const mine = card(page, NEW_PROFILE);
  await expect(mine.getByTestId('status')).toHaveAttribute('data-state', 'signed-out');

  await mine.getByRole('button', { name: 'Sign in' }).click();
  const deviceDialog = page.getByRole('alertdialog');
  const code = deviceDialog.getByTestId('device-code');
  await expect(code).toHaveText(/\S+/);
  await expect(deviceDialog.getByTestId('device-code-countdown')).toHaveText(/The code expires in \d+:\d\d\./);
  await expect(deviceDialog).toHaveCSS('opacity', '1');
  await shot(page, 'connections-4-device-code-en');
  const userCode = (await code.textContent())!.trim();
  const verificationUri = (await deviceDialog.getByTestId('device-code-url').getAttribute('href'))!;

  const browser2 = await page.context().newPage();
  await browser2.goto(verificationUri);
  await browser2.locator('#user_code').fill(userCode);
  await browser2.locator('#username').fill(KARI.username);
  await browser2.locator('#password').fill(KARI.password);
  await browser2.getByRole('button', { name: 'Sign in and allow' }).click();
  await expect(browser2.getByText(`as ${KARI.username}`)).toBeVisible();
  await browser2.close();

  await expect(deviceDialog).toBeHidden({ timeout: 30_000 });
  await expect(mine.getByTestId('status')).toHaveAttribute('data-state', 'signed-in');
  await expect(mine).toContainText(`Signed in as ${KARI.username}`);
  await mine.scrollIntoViewIfNeeded();
  await expect(mine.getByTestId('expires')).toHaveText(/Token expires in \d/);
  await shot(page, 'connections-5-signed-in-en');

  await mine.getByRole('button', { name: 'Test connection' }).click();
  const result = mine.getByTestId('test-result');
  await expect(result).toHaveAttribute('data-ok', 'true');
  await expect(result).toContainText('kari.nordmann');
  await result.scrollIntoViewIfNeeded();
  await shot(page, 'connections-6-test-result-en');

  // Production is marked wherever the profile is shown.
  await mine.getByRole('button', { name: 'Edit' }).click();
  const editMine = page.getByRole('dialog');
  await editMine.getByLabel(/^Environment tier/).selectOption('production');
  await expect(editMine.getByTestId('tier-production')).toHaveText('PRODUCTION');
  await editMine.getByRole('button', { name: 'Save' }).click();
  await expect(editMine).toBeHidden();
  await expect(mine.getByTestId('tier-production')).toHaveText('PRODUCTION');
  await expect(mine).toHaveAttribute('data-tier', 'production');
  await mine.scrollIntoViewIfNeeded();
  await shot(page, 'connections-7-production-en');

  // Export downloads a JSON file without secrets; importing it back renames the clashing profiles.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^connections-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = await (async () => {
    const chunks: Buffer[] = [];
    for await (const c of (await download.createReadStream())!) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  })();
  expect(JSON.parse(exported).connections.map((c: { name: string }) => c.name)).toContain(NEW_PROFILE);
  expect(exported).not.toContain(CLIENT_SECRET);
  await page.getByTestId('import-file').setInputFiles({ name: 'connections.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
  const imported = page.getByTestId('import-result');
  await expect(imported).toContainText(/Imported \d+ connections\./);
  await expect(imported).toContainText(`"${NEW_PROFILE}" already existed and was imported as`);
  await shot(page, 'connections-8-imported-en');

  // Delete asks first, naming the profile.
  const renamed = page.getByRole('listitem', { name: new RegExp(`^${NEW_PROFILE.replace(/[()]/g, '\\$&')} \\(`) }).first();
  const renamedName = (await renamed.getAttribute('aria-label'))!;
  await renamed.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog');
  await expect(confirm).toContainText(`Delete "${renamedName}"?`);
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(card(page, renamedName)).toHaveCount(0);

  // (3) Nothing token- or secret-like crossed the WebSocket, and the scan itself can fail.
  expect(frames.length).toBeGreaterThan(10);
  expect(frames.some((f) => f.includes('auth.deviceCode'))).toBe(true);
  expect(leaks(frames)).toEqual([]);
  const planted = JSON.stringify({ event: 'auth.status', payload: { note: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrYXJpIn0.c2lnbmF0dXJl' } });
  expect(leaks([...frames, planted])).toEqual([expect.stringMatching(/^JWT: /)]);
  expect(leaks([`{"x":"${CLIENT_SECRET}"}`])).toContain('the sandbox client secret');
  expect(leaks([`{"x":"${'A'.repeat(61)}"}`])).toEqual([expect.stringMatching(/^base64url run: /)]);
  expect(leaks([`{"x":"${'A'.repeat(60)}"}`])).toEqual([]);

  await mine.getByRole('button', { name: 'Sign out' }).click();
  await expect(mine.getByTestId('status')).toHaveAttribute('data-state', 'signed-out');
  expect(errors).toEqual([]);
});
