/**
 * Benchmark: the mapping editor's field grid stays interactive with 2,000 field rows. Starts the console host in a
 * temporary data folder, builds a set whose CUSTOMER mapping has 2,000 field mappings (imported through the UI as a
 * JSON file and accepted, like a user would), then times filtering in Chromium: performance.now() from the filter
 * input's event until the filtered rows are in the DOM and the next frame has been produced.
 *
 * Run (after `npm run build:renderer`): npx tsx bench/mappings-grid.ts  → {"rows":2000,"filterMs":…} (median), budget 100 ms.
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { newDefaultSet } from '../main/integrations/sales/mappings/exchange-json';
import { MAPPING_DEFAULT_FIELD, type FieldMapping } from '../preload/contract/sales/mapping-model';

const ROWS = 2000;

/**
 * Runs in the page. Kept as source text: tsx (esbuild keepNames) would wrap functions passed to page.evaluate in a
 * __name() helper that does not exist in the page.
 */
const IN_PAGE_FILTER = `async function (query) {
  var input = document.querySelector('[data-testid="field-filter"]');
  var count = document.querySelector('[data-testid="field-count"]');
  var before = count.textContent;
  var setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  var t0 = performance.now();
  setValue.call(input, query);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  // Rendered = React committed the new rows (the count line changed) and the browser produced the next frame. When
  // the count does not change (same number of matches), a zero timeout lets the commit run first.
  await new Promise(function (resolve) {
    function done() { requestAnimationFrame(function () { resolve(); }); }
    if (count.textContent !== before) return done();
    var obs = new MutationObserver(function () { obs.disconnect(); done(); });
    obs.observe(count, { childList: true, characterData: true, subtree: true });
    setTimeout(function () { obs.disconnect(); done(); }, 0);
  });
  return performance.now() - t0;
}`;
const root = path.resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-bench-grid-'));

async function main() {
  const host = spawn(process.execPath, [path.join(root, 'main/cli/bin.mjs'), 'host', '--port', '0', '--no-open', '--no-sandbox', '--data-dir', dataDir], {
    cwd: root, env: { ...process.env, D365IC_NO_BROWSER: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  host.stderr!.on('data', (d) => logs.push(String(d)));
  const { url } = JSON.parse(await new Promise<string>((resolve, reject) => {
    createInterface({ input: host.stdout! }).once('line', resolve);
    host.once('exit', (code) => reject(new Error(`host exited with ${code}: ${logs.join('')}`)));
  })) as { url: string };
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    await page.goto(url);
    await page.locator('body[data-app-state="ready"]').waitFor({ state: 'attached' });
    await page.getByRole('tab', { name: 'Integration mappings' }).click();
    await page.getByTestId('mapping-CUSTOMER').waitFor();

    // The set to import: the defaults plus 2,000 generated field mappings on CUSTOMER (minus the ones it has).
    const set = newDefaultSet('Default mappings');
    const customer = set.mappings.find((m) => m.name === 'CUSTOMER')!;
    const extra = ROWS - customer.fields.length;
    for (let i = 0; i < extra; i++) {
      const n = String(i).padStart(4, '0');
      const f: FieldMapping = { ...MAPPING_DEFAULT_FIELD, bcField: `Bench Field ${n}`, dataverseField: `bench_field_${n}`, direction: i % 3 === 0 ? 'ToIntegrationTable' : 'Bidirectional' };
      customer.fields.push(f);
    }
    const file = path.join(dataDir, 'bench-2000.mapping-set.json');
    writeFileSync(file, JSON.stringify(set));
    await page.getByTestId('mappings-import-input').setInputFiles(file);
    await page.getByLabel('Select all differences').check({ timeout: 60_000 });
    await page.getByTestId('review-accept').click();
    await page.getByTestId('mappings-notice').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('mapping-CUSTOMER').click();
    await page.getByTestId('field-count').filter({ hasText: `${ROWS} of ${ROWS}` }).waitFor({ timeout: 60_000 });

    const queries = ['bench', 'field 1', 'field 12', 'field 123', 'bench_field_19', 'zzz', '', 'todataverse', 'name', 'bidirectional'];
    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const q of queries) {
        times.push(await page.evaluate<number>(`(${IN_PAGE_FILTER})(${JSON.stringify(q)})`));
      }
    }
    const rowsRendered = await page.locator('[data-testid^="field-row-"]').count();
    times.sort((a, b) => a - b);
    const r = (x: number) => Math.round(x * 10) / 10;
    console.log(JSON.stringify({
      rows: ROWS, filterMs: r(times[Math.floor(times.length / 2)]!), maxMs: r(times[times.length - 1]!), samples: times.length, rowsInDom: rowsRendered, budgetMs: 100,
    }));
  } finally {
    await browser.close();
    const exited = new Promise((res) => host.once('exit', res));
    host.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((x) => {
  console.error(x);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
});
