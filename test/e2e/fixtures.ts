import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(root, 'test-results', 'screenshots');

export interface ConsoleHost {
  url: string;
  origin: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the host wrote to stderr (logs), for assertions and debugging. */
  logs: string[];
}

/** Start `d365ic host` exactly as `npm start` does (minus opening a browser), in a fresh data folder. */
export async function startHost(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<ConsoleHost> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-e2e-'));
  const child = spawn(process.execPath, [path.join(root, 'main/cli/bin.mjs'), 'host', '--port', '0', '--no-open', '--data-dir', dataDir, ...extraArgs], {
    cwd: root,
    env: { ...process.env, D365IC_NO_BROWSER: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stderr!.on('data', (d) => logs.push(String(d)));
  const first = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${logs.join('')}`)));
  });
  const info = JSON.parse(first) as { url: string; origin: string };
  return { ...info, dataDir, process: child, logs };
}

export async function stopHost(h: ConsoleHost): Promise<void> {
  const exited = new Promise((r) => h.process.once('exit', r));
  h.process.kill('SIGTERM');
  await exited;
  rmSync(h.dataDir, { recursive: true, force: true });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function openConsole(page: Page, host: ConsoleHost): Promise<void> {
  await page.goto(host.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeAttached();
}

export const test = base.extend<object, { host: ConsoleHost }>({
  host: [
    // Playwright requires the fixture's first argument to be an object pattern, even when it uses no other fixture.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const h = await startHost(process.env.E2E_NO_SANDBOX ? ['--no-sandbox'] : []);
      await use(h);
      await stopHost(h);
    },
    { scope: 'worker' },
  ],
});
export { expect };
