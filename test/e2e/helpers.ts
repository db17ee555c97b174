/**
 * Steps several E2E specs share: the language picker, the assisted-setup wizard (rail, Next, pre-flight fixes) and
 * the device-code sign-in done in a second page like a user on their phone.
 */
import type { Locator, Page } from '@playwright/test';
import { SANDBOX_USERS } from '../../main/sandbox/directory';
import { expect, shot } from './fixtures';

export const ADMIN = SANDBOX_USERS.find((u) => u.kind === 'admin')!;

export const LANGS = { en: 'English', 'nb-NO': 'Norsk bokmål', 'nl-NL': 'Nederlands', 'fi-FI': 'Suomi' } as const;
export type Lang = keyof typeof LANGS;

export async function chooseLanguage(page: Page, lang: Lang) {
  await page.getByTestId('language-picker').click();
  await page.getByRole('option', { name: LANGS[lang] }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

export const STEPS = ['start', 'business-central', 'dataverse', 'integration-user', 'advanced', 'preflight', 'salespeople', 'finish'] as const;
export type Step = (typeof STEPS)[number];

export const stepBox = (page: Page, step: Step) => page.getByTestId(`setup-step-${step}`);

/** `enabled`: the Sales connection is enabled; 'auto' when the test may run on a console another test enabled. */
export async function expectStep(page: Page, step: Step, opts: { enabled?: boolean | 'auto' } = {}) {
  await expect(stepBox(page, step)).toBeVisible();
  const enabled = opts.enabled === 'auto' ? step !== 'finish' && (await page.getByTestId('rail-step-finish').getAttribute('data-state')) === 'done' : !!opts.enabled;
  const rail = page.getByTestId(`rail-step-${step}`);
  await expect(rail).toHaveAttribute('aria-current', 'step');
  await expect(rail).toHaveAttribute('data-state', 'current');
  // Everything before the current step is done, everything after is still to do — unless the connection is
  // enabled: then every step was completed, and going back to one does not un-tick the others.
  const i = STEPS.indexOf(step);
  for (const [j, s] of STEPS.entries()) {
    if (j !== i) await expect(page.getByTestId(`rail-step-${s}`)).toHaveAttribute('data-state', enabled || j < i ? 'done' : 'todo');
  }
}

export async function next(page: Page, to: Step, opts: { enabled?: boolean | 'auto' } = {}) {
  await expect(page.getByTestId('setup-next')).toBeEnabled();
  await page.getByTestId('setup-next').click();
  await expectStep(page, to, opts);
}

/** Device-code sign-in as the sandbox admin, done in a second page like a user on their phone. */
export async function signInAdmin(page: Page, shotName: string | null) {
  await page.getByTestId('setup-dv-signin').click();
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
}

/** Callers assert on the finding they expect (web-first assertions wait for the re-run to land). */
export async function runPreflight(page: Page) {
  await page.getByTestId('setup-preflight-run').click();
  await expect(page.getByTestId('setup-findings')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('setup-preflight-progress')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('setup-preflight-run')).toBeEnabled({ timeout: 30_000 });
}

export const finding = (page: Page, id: string): Locator => page.getByTestId(`finding-${id}`);

/**
 * Click a finding's fix; fixes that change roles or the solution show their preview first. Returns once the
 * applied message is shown and the pre-flight has re-run; true when a preview was shown.
 */
export async function applyFix(page: Page, id: string, shotName: string | null, previewLists?: string): Promise<boolean> {
  await page.getByTestId(`fix-${id}`).click();
  const preview = page.getByTestId('setup-fix-preview');
  const applied = page.getByTestId('setup-fix-applied');
  await expect(preview.or(applied)).toBeVisible();
  const previewed = await preview.isVisible();
  if (previewed) {
    await expect(preview.getByTestId('setup-fix-changes').locator('li').first()).toBeVisible();
    if (previewLists) await expect(preview.getByTestId('setup-fix-changes')).toContainText(previewLists);
    if (shotName) {
      await expect(preview).toHaveCSS('opacity', '1');
      await shot(page, shotName);
    }
    await preview.getByTestId('setup-fix-apply').click();
    await expect(preview).toBeHidden({ timeout: 30_000 });
  }
  await expect(applied).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('setup-preflight-run')).toBeEnabled({ timeout: 30_000 });
  return previewed;
}

/** Fixes every error the pre-flight lists, one click each, in the order the list shows them. */
export async function fixAllFindings(page: Page, firstShot: string | null = null) {
  for (let round = 0; round < 8; round++) {
    const broken = page.locator('[data-testid^="finding-"][data-status="error"]');
    if ((await broken.count()) === 0) break;
    const id = (await broken.first().getAttribute('data-testid'))!.slice('finding-'.length);
    await expect(page.getByTestId(`fix-${id}`), `${id} is an error without a one-click fix`).toBeVisible();
    await applyFix(page, id, round === 0 ? firstShot : null);
  }
  await expect(page.locator('[data-testid^="finding-"][data-status="error"]')).toHaveCount(0);
}
