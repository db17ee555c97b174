import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportJson } from '../../main/integrations/sales/mappings/exchange-json';
import { bigTenant } from '../support/big-tenant';
import { expect, openConsole, shot, test } from './fixtures';

/**
 * Issue 16: a mapping file over ~3 MB used to crash the browser host (one WebSocket message over 4 MiB). A big
 * tenant's export now goes in chunks and imports; a file over the limit is refused in the page with the limit,
 * before anything is sent; the host keeps serving.
 */
test('large mapping import: a big tenant export imports in chunks, an oversized file is refused with the limit', async ({ page, host }) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'd365ic-e2e-large-'));
  try {
    const big = path.join(tmp, 'big-tenant.json');
    writeFileSync(big, exportJson(bigTenant()));
    const huge = path.join(tmp, 'huge.json');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 20 * 1024 * 1024);
    closeSync(fd);

    await openConsole(page, host);
    await page.getByRole('tab', { name: 'Integration mappings' }).click();
    await expect(page.getByTestId('mapping-CUSTOMER')).toBeVisible();

    await page.getByTestId('mappings-import-input').setInputFiles(huge);
    await expect(page.getByTestId('mappings-error')).toContainText('huge.json');
    await expect(page.getByTestId('mappings-error')).toContainText('16 MB');
    await shot(page, 'large-import-1-refused-with-limit');

    await page.getByTestId('mappings-import-input').setInputFiles(big);
    await expect(page.getByTestId('review-panel')).toContainText('big-tenant.json', { timeout: 60_000 });
    await expect(page.getByTestId('mappings-error')).toHaveCount(0);
    await shot(page, 'large-import-2-big-tenant-review');
    // The host is still serving.
    await page.getByRole('tab', { name: 'Connections' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connections');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
