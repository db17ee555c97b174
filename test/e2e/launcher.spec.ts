import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect, shot, test } from './fixtures';

const root = path.resolve(import.meta.dirname, '../..');

test('npm start serves the console in a browser host with the demo sandbox', async ({ page }) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-start-'));
  const child = spawn(process.execPath, [path.join(root, 'main/launcher/start.mjs'), '--no-open'], {
    cwd: root,
    env: { ...process.env, D365IC_DATA_DIR: dataDir, D365IC_NO_BROWSER: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  /** Resolves when stderr has said `text` (awaited as it arrives, not polled); rejects if the launcher exits first. */
  const said = (text: string) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!stderr.includes(text)) return;
      child.stderr!.off('data', check);
      resolve();
    };
    child.stderr!.on('data', check);
    child.once('exit', (c) => reject(new Error(`npm start exited ${c} before saying "${text}": ${stderr}`)));
    check();
  });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (c) => reject(new Error(`npm start exited ${c}: ${stderr}`)));
    });
    const { url, dataDir: reported } = JSON.parse(first) as { url: string; dataDir: string };
    expect(reported).toBe(dataDir);
    expect(stderr).toContain('Starting the browser host');
    await said('Integration Console is running at');
    await said('Demo sandbox: Dataverse http://127.0.0.1:');
    await page.goto(url);
    await expect(page.locator('body[data-app-state="ready"]')).toBeAttached();
    await page.getByRole('tab', { name: 'Demo sandbox' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Demo sandbox');
    await expect(page.getByText('/api/data/v9.2', { exact: false }).first()).toBeVisible();
    await expect(page.getByText('bc-integration@nordlys.example')).toBeVisible();
    await shot(page, 'sandbox-en');
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
