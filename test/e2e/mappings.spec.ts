import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, openConsole, shot, test } from './fixtures';

const DIRECTIONS = ['Bidirectional', 'ToIntegrationTable', 'FromIntegrationTable'];

test('mapping editor: edit, validate, XLSX review round trip, accept part, reset with preview', async ({ page, host }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'd365ic-e2e-xlsx-'));
  try {
    await openConsole(page, host);
    await page.getByRole('tab', { name: 'Integration mappings' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Integration mappings');
    await expect(page.getByTestId('mapping-CUSTOMER')).toBeVisible();
    await shot(page, 'mappings-1-editor-open');

    // 1. Change a direction: CURRENCY is pushed to Dataverse, so pulling one of its fields can never sync.
    await page.getByTestId('mapping-CURRENCY').click();
    await expect(page.getByTestId('selected-mapping')).toHaveText('CURRENCY');
    await expect(page.getByTestId('status-errors-CURRENCY')).toHaveCount(0);
    await page.getByLabel('Direction of Code->isocurrencycode').selectOption('FromIntegrationTable');
    await expect(page.getByTestId('status-errors-CURRENCY')).toBeVisible();
    await expect(page.getByTestId('status-modified-CURRENCY')).toHaveText('Modified');
    await expect(page.getByTestId('mapping-findings')).toContainText('never synchronizes');
    await shot(page, 'mappings-2-direction-changed-validation');

    // 2. Change a filter, with the live OData preview escaping the quote.
    await page.getByTestId('mapping-CUSTOMER').click();
    await page.getByRole('tab', { name: 'Filters' }).click();
    await page.getByTestId('filter-dv-add').click();
    const dvFields = page.locator('[data-testid^="filter-dv-field-"]');
    const last = (await dvFields.count()) - 1;
    await page.getByTestId(`filter-dv-field-${last}`).fill('name');
    await page.getByTestId(`filter-dv-values-${last}`).fill("O'Brien");
    await expect(page.getByTestId('filter-dv-preview')).toContainText("name eq 'O''Brien'");
    await shot(page, 'mappings-3-filter-preview');
    await page.getByTestId('filter-dv-apply').click();
    await expect(page.getByTestId('status-modified-CUSTOMER')).toBeVisible();
    await expect(page.getByTestId('filter-dv-apply')).toBeDisabled();

    // 3. Export the XLSX workbook.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('mappings-export-xlsx').click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const exported = path.join(tmp, download.suggestedFilename());
    await download.saveAs(exported);

    // 4. A consultant annotates it: one direction cell changed, one comment added.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(exported) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('CUSTOMER')!;
    const cols = new Map<string, number>();
    ws.getRow(3).eachCell((c, col) => cols.set(String(c.value), col));
    const dirCell = ws.getCell(4, cols.get('Direction')!);
    const proposed = DIRECTIONS.find((d) => d !== String(dirCell.value))!;
    dirCell.value = proposed;
    ws.getCell(5, cols.get('Comment')!).value = 'Please confirm this one with sales.';
    const annotated = path.join(tmp, 'customer-review-annotated.xlsx');
    writeFileSync(annotated, Buffer.from(await wb.xlsx.writeBuffer()));

    // 5. Re-import: proposed changes and comments come back for review.
    await page.getByTestId('mappings-import-input').setInputFiles(annotated);
    const panel = page.getByTestId('review-panel');
    await expect(panel).toContainText('customer-review-annotated.xlsx');
    await expect(page.getByTestId('review-comments')).toContainText('Please confirm this one with sales.');
    const directionRow = page.getByTestId('review-rows').locator('tbody tr', { hasText: 'direction' });
    await expect(directionRow).toHaveCount(1);
    await expect(directionRow).toContainText(proposed);
    await expect(page.getByTestId('review-rows').locator('tbody tr', { hasText: '(review)' })).toHaveCount(1);
    await shot(page, 'mappings-4-import-review-diff');

    // 6. Accept part of it: the direction change, not the comment.
    await directionRow.locator('input[type=checkbox]').check();
    await page.getByTestId('review-accept').click();
    await expect(page.getByTestId('mappings-notice')).toContainText('1 change(s) accepted, 0 no longer applied');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('tab', { name: 'Field mappings' }).click();
    const firstRow = page.locator('[data-testid^="field-row-"]').first();
    await expect(firstRow.locator('select')).toHaveValue(proposed);
    await page.getByRole('tab', { name: 'Review' }).click();
    await expect(page.getByTestId('signoff-current')).toHaveText('Not reviewed yet.');
    await shot(page, 'mappings-5-partly-accepted');

    // 7. Reset to defaults: the preview lists what will be overwritten; a snapshot is kept.
    await page.getByTestId('mappings-reset').click();
    await expect(panel).toContainText('Reset to defaults: what will be overwritten');
    const resetRows = page.getByTestId('review-rows').locator('tbody tr');
    await expect(resetRows).toHaveCount(3);
    await expect(page.getByTestId('review-rows')).toContainText('integrationTableFilter');
    await expect(page.getByTestId('review-rows')).toContainText('CURRENCY');
    await shot(page, 'mappings-6-reset-preview');
    await page.getByTestId('review-confirm-reset').click();
    await expect(page.getByTestId('mappings-notice')).toContainText('reset to the defaults');
    await expect(page.locator('[data-testid^="status-modified-"]')).toHaveCount(0);
    await expect(page.getByTestId('status-errors-CURRENCY')).toHaveCount(0);
    await expect(page.getByTestId('snapshot-list')).toContainText('Before reset to defaults');
    await shot(page, 'mappings-7-after-reset-snapshot-kept');

    expect(errors).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
