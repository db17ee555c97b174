import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, openConsole, shot, test } from './fixtures';

const DIRECTIONS = ['Bidirectional', 'ToIntegrationTable', 'FromIntegrationTable'];
/** The workbook (English here) shows directions as the grid does. */
const CAPTION: Record<string, string> = { Bidirectional: 'Bidirectional', ToIntegrationTable: 'To Dataverse', FromIntegrationTable: 'From Dataverse' };
const fromCaption = (c: string) => Object.keys(CAPTION).find((k) => CAPTION[k] === c) ?? c;

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

    // 2. Match-based coupling: CUSTOMER ships without match fields (as BC's defaults); tick Name in the Match column.
    await page.getByTestId('mapping-CUSTOMER').click();
    await expect(page.getByTestId('match-summary')).toContainText('No field is used for match-based coupling');
    // Controlled by the stored set: the tick shows once main has applied the edit.
    await page.getByTestId('match-Name->name').click();
    await expect(page.getByTestId('match-Name->name')).toBeChecked();
    await expect(page.getByTestId('match-summary')).toHaveText('Match-based coupling uses 1 field: Name → name (0)');
    await page.getByTestId('field-grid').evaluate((el) => { el.scrollLeft = el.scrollWidth; });
    await shot(page, 'mappings-2b-match-column');

    // 3. Filters. BC side: BC's own syntax, "=" with NO|SE, previews as BC text, table view and the API's OData.
    await page.getByRole('tab', { name: 'Filters' }).click();
    await page.getByTestId('filter-bc-add').click();
    const bcFields = page.locator('[data-testid^="filter-bc-field-"]');
    const bcLast = (await bcFields.count()) - 1;
    await page.getByTestId(`filter-bc-field-${bcLast}`).fill('Country/Region Code');
    await page.getByTestId(`filter-bc-values-${bcLast}`).fill('NO|SE');
    await expect(page.getByTestId('filter-bc-preview')).toContainText('Country/Region Code=NO|SE');
    await expect(page.getByTestId('filter-bc-view')).toContainText('Country/Region Code=FILTER(NO|SE)');
    await expect(page.getByTestId('filter-bc-error')).toHaveCount(0);
    await expect(page.getByText(/Invalid input for/)).toHaveCount(0);
    await page.getByTestId(`filter-bc-values-${bcLast}`).fill('@*mart*|10000..20000');
    await expect(page.getByTestId('filter-bc-preview')).toContainText('Country/Region Code=@*mart*|10000..20000');
    await shot(page, 'mappings-3a-bc-filter-syntax');
    await page.getByRole('button', { name: 'Revert' }).first().click();

    // Dataverse side: the live OData preview escapes the quote.
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

    // 4. Export the XLSX workbook: the page says where the file went (browser downloads + a copy under the data folder).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('mappings-export-xlsx').click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    await expect(page.getByTestId('mappings-exported')).toContainText(download.suggestedFilename());
    await expect(page.getByTestId('mappings-exported')).toContainText(/exports[\\/]/);
    await expect(page.getByTestId('mappings-exported').getByRole('button', { name: 'Copy path' })).toBeVisible();
    await shot(page, 'mappings-3b-exported-where');
    const exported = path.join(tmp, download.suggestedFilename());
    await download.saveAs(exported);

    // 4. A consultant annotates it: one direction cell changed, one comment added.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(exported) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('CUSTOMER')!;
    const cols = new Map<string, number>();
    ws.getRow(3).eachCell((c, col) => cols.set(String(c.value), col));
    const dirCell = ws.getCell(4, cols.get('Direction')!);
    const proposed = DIRECTIONS.find((d) => d !== fromCaption(String(dirCell.value)))!;
    dirCell.value = CAPTION[proposed]!;
    ws.getCell(5, cols.get('Comment')!).value = 'Please confirm this one with sales.';
    const annotated = path.join(tmp, 'customer-review-annotated.xlsx');
    writeFileSync(annotated, Buffer.from(await wb.xlsx.writeBuffer()));

    // 5. Re-import: proposed changes and comments come back for review.
    await page.getByTestId('mappings-import-input').setInputFiles(annotated);
    const panel = page.getByTestId('review-panel');
    await expect(panel).toContainText('customer-review-annotated.xlsx');
    await expect(page.getByTestId('review-comments')).toContainText('Please confirm this one with sales.');
    const directionRow = page.getByTestId('review-rows').locator('tbody tr', { hasText: 'Direction' });
    await expect(directionRow).toHaveCount(1);
    await expect(directionRow).toContainText(CAPTION[proposed]!);
    const reviewRow = page.getByTestId('review-rows').locator('tbody tr', { hasText: 'Please confirm' });
    await expect(reviewRow).toHaveCount(1);
    await expect(reviewRow).not.toContainText('()');
    await expect(page.getByTestId('review-rows')).not.toContainText(/ToIntegrationTable|FromIntegrationTable/);
    await shot(page, 'mappings-4-import-review-diff');

    // 6. Accept part of it: the direction change, not the comment.
    await directionRow.locator('input[type=checkbox]').check();
    await page.getByTestId('review-accept').click();
    await expect(page.getByTestId('mappings-notice')).toHaveText('1 change accepted.');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('tab', { name: 'Field mappings' }).click();
    const firstRow = page.locator('[data-testid^="field-row-"]').first();
    await expect(firstRow.locator('select')).toHaveValue(proposed);
    await page.getByRole('tab', { name: 'Review' }).click();
    await expect(page.getByTestId('signoff-current')).toHaveText('Not reviewed yet.');
    await expect(page.getByTestId('signoff-submit')).toBeDisabled();
    await expect(page.getByTestId('signoff-missing')).toHaveText("Enter the reviewer's name to sign off.");
    await shot(page, 'mappings-5-partly-accepted');

    // 7. Reset to defaults: the preview lists what will be overwritten; a snapshot is kept.
    await page.getByTestId('mappings-reset').click();
    await expect(panel).toContainText('Reset to defaults: what will be overwritten');
    const resetRows = page.getByTestId('review-rows').locator('tbody tr');
    await expect(resetRows).toHaveCount(4);
    await expect(page.getByTestId('review-rows')).toContainText('Integration table filter (OData)');
    await expect(page.getByTestId('review-rows')).toContainText('Match-based coupling');
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

test('mapping editor in Norwegian: match column, findings, BC captions and a refused filter in words', async ({ page, host }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openConsole(page, host);
  const choose = async (label: string, lang: string) => {
    await page.getByTestId('language-picker').click();
    await page.getByRole('option', { name: label }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
  };
  await choose('Norsk bokmål', 'nb-NO');
  try {
    await page.getByRole('tab', { name: 'Integrasjonstilordninger' }).click();
    await page.getByTestId('mapping-CUSTOMER').click();
    await expect(page.getByTestId('mapping-CUSTOMER')).toContainText('Kunde ⇄ account');
    await expect(page.getByRole('columnheader', { name: 'Samsvar' })).toBeVisible();
    await expect(page.getByTestId('match-summary')).toContainText('Ingen felt brukes til samsvarsbasert kobling');
    await page.getByRole('tab', { name: 'Filtre' }).click();
    await page.getByTestId('filter-bc-add').click();
    const last = (await page.locator('[data-testid^="filter-bc-field-"]').count()) - 1;
    await page.getByTestId(`filter-bc-field-${last}`).fill('Country/Region Code');
    await page.getByTestId(`filter-bc-values-${last}`).fill("NO|'SE");
    await expect(page.getByTestId('filter-bc-error')).toContainText('lukkes aldri');
    await shot(page, 'mappings-8-nb-NO-filter-error');
    await page.getByRole('button', { name: 'Tilbakestill', exact: true }).first().click();
    await page.getByRole('tab', { name: 'Felttilordninger' }).click();
    await page.getByLabel('Retning for tabelltilordningen').selectOption('ToIntegrationTable');
    // One edit at a time: the next one goes out once main has answered this one (new revision, new findings).
    await expect(page.getByTestId('mapping-findings')).toContainText('Feltet er toveis, men CUSTOMER synkroniserer bare «Til Dataverse»');
    await page.getByLabel('Retning for Name->name').selectOption('FromIntegrationTable');
    await expect(page.getByTestId('mapping-findings')).toContainText('Feltretningen «Fra Dataverse» er ikke tillatt');
    await expect(page.getByTestId('mapping-findings')).not.toContainText('ToIntegrationTable');
    await shot(page, 'mappings-9-nb-NO-findings');
    await page.getByTestId('mappings-undo').click();
    await expect(page.getByTestId('mapping-findings')).not.toContainText('Feltretningen «Fra Dataverse»');
    await page.getByTestId('mappings-undo').click();
    await expect(page.getByTestId('mapping-findings')).toHaveCount(0);
  } finally {
    await choose('English', 'en');
  }
  expect(errors).toEqual([]);
});
