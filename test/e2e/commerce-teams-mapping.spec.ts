import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connectSandboxInfo } from '../../main/integrations/commerce-teams/connect';
import { COMMUNICATIONS_TEAM_NICKNAME } from '../../main/integrations/commerce-teams/mapping/directory';
import { COMMERCE_TEAMS_PERSONAS } from '../../main/sandbox/commerce-teams-personas';
import { COMMERCE_CLIENT, GRAPH_CLIENT } from '../../main/sandbox/directory';
import { GRAPH_SCOPE } from '../../main/sandbox/graph';
import { SANDBOX_TENANT_ID } from '../../main/sandbox/tenant';
import { expect, openConsole, shot, startHost, stopHost, test, type ConsoleHost } from './fixtures';
import { chooseLanguage } from './helpers';

/**
 * Commerce ⇄ Teams: map stores to teams that already exist (made in Microsoft 365 outside the console) on the Store ⇄
 * team mapping page — by CSV import (a dry run first: the bad rows listed with their reasons, nothing lost, then
 * applied) and by accepting a suggestion and saving after the preview — then the Targeting hierarchy page previews
 * the tree and exports the CSV with the PowerShell to upload it. Screenshots in English and one each in nb-NO, nl-NL
 * and fi-FI. A console of its own on a fresh data folder with its demo sandbox.
 */
let own: ConsoleHost;
test.beforeAll(async () => {
  own = await startHost();
});
test.afterAll(async () => {
  await stopHost(own);
});

const cell = async (page: Page, id: string) => (await page.getByTestId(`sandbox-ct-${id}`).getByRole('cell').nth(1).textContent())!.trim();

/** Teams made in the demo tenant's Microsoft 365 by someone else (the Graph app of the sandbox, over HTTPS with its CA). */
async function makeTeams(page: Page): Promise<Record<'comms' | 'oslo' | 'bergen', string>> {
  await page.getByRole('tab', { name: 'Demo sandbox' }).click();
  await expect(page.getByTestId('sandbox-ct-graph-url')).toBeVisible();
  const graphUrl = await cell(page, 'graph-url');
  const caFile = await cell(page, 'graph-ca');
  const commerceUrl = await cell(page, 'commerce-url');
  const { identityUrl } = JSON.parse(readFileSync(path.join(own.dataDir, 'demo-sandbox.json'), 'utf8')) as { identityUrl: string };
  const conn = connectSandboxInfo({
    identity: { tokenEndpoint: `${identityUrl}/${SANDBOX_TENANT_ID}/oauth2/v2.0/token` },
    graph: { url: graphUrl, scope: GRAPH_SCOPE, caFile },
    commerce: { url: commerceUrl, scope: `${commerceUrl}/.default` },
    clients: { graph: { clientId: GRAPH_CLIENT.clientId, clientSecret: GRAPH_CLIENT.clientSecret! }, commerce: { clientId: COMMERCE_CLIENT.clientId, clientSecret: COMMERCE_CLIENT.clientSecret! } },
  });
  // A team needs an owner: a regional manager of the demo tenant.
  const owner = COMMERCE_TEAMS_PERSONAS.find((p) => p.kind === 'regional-manager' && p.accountEnabled)!.objectId;
  const team = async (displayName: string, mailNickname: string) => {
    const g = await conn.graph.createGroup({ displayName, mailNickname, owners: [owner] });
    await conn.graph.teamifyGroup(g.id);
    return g.id;
  };
  return { comms: await team('Retail Communication', COMMUNICATIONS_TEAM_NICKNAME), oslo: await team('Oslo flagship team', 'oslo-flagship'), bergen: await team('Nordlys Bergen', 'nordlys-bergen') };
}

async function settled(page: Page) {
  await expect(page.locator('.fui-Spinner')).toHaveCount(0);
  await page.evaluate(() => document.fonts.ready);
}

test('Store ⇄ team mapping by CSV import and by a suggestion, then the targeting hierarchy exported — in four languages', async ({ page }) => {
  test.setTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openConsole(page, own);
  await chooseLanguage(page, 'en');
  const teams = await makeTeams(page);

  // (1) The editor: 30 stores on the left, the teams on the right (never the communications team), a suggestion by name.
  await page.getByRole('tab', { name: 'Store ⇄ team mapping' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Store ⇄ team mapping' })).toBeVisible();
  await expect(page.getByTestId('stores').locator('tbody tr')).toHaveCount(30);
  await expect(page.getByTestId(`team-${teams.oslo}`)).toBeVisible();
  await expect(page.getByTestId(`team-${teams.comms}`)).toHaveCount(0);
  await expect(page.getByTestId('suggestion-001005')).toContainText('Nordlys Bergen');
  await settled(page);
  await shot(page, 'ct-mapping-1-editor');

  // (2) CSV import: a dry run lists every row (one valid, two errors with their reasons, the rows as read), writes nothing.
  const csv = ['SOURCETYPE,SOURCEID,TEAMID', `RetailStore,001001,${teams.oslo}`, `RetailStore,001002,${teams.comms}`, 'RetailStore,001003,not-a-guid'].join('\r\n');
  await page.getByTestId('import-file').setInputFiles({ name: 'teams-mapping.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  const report = page.getByTestId('import-report');
  await expect(report).toHaveAttribute('data-dry-run', 'true');
  await expect(page.getByTestId('import-row-2')).toHaveAttribute('data-status', 'valid');
  await expect(page.getByTestId('import-row-3')).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('import-row-3')).toContainText('is the communications team');
  await expect(page.getByTestId('import-row-4')).toContainText('is not a GUID');
  await expect(page.getByTestId('import-row-4')).toContainText('RetailStore,001003,not-a-guid');
  await expect(page.getByTestId('store-001001')).toContainText('No team');
  await settled(page);
  await shot(page, 'ct-mapping-2-import-preview');
  await page.getByTestId('import-apply').click();
  await expect(report).toHaveAttribute('data-dry-run', 'false');
  await expect(page.getByTestId('mapping-notice')).toContainText('1 written, 2 rows with errors');
  await expect(page.getByTestId('store-001001')).toContainText('Oslo flagship team');
  // The error rows are still listed after the import: nothing was lost.
  await expect(page.getByTestId('import-row-3')).toHaveAttribute('data-status', 'error');
  await page.getByRole('button', { name: 'Close' }).click();

  // (3) A suggestion accepted, checked by main, saved after the preview.
  await page.getByRole('button', { name: 'Accept team Nordlys Bergen for store 001005' }).click();
  await expect(page.getByTestId('store-001005')).toContainText('Changed');
  const save = page.getByTestId('save-button');
  await expect(save).toBeEnabled();
  await save.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('save-preview')).toContainText('001005');
  await expect(dialog.getByTestId('save-preview')).toContainText('Nordlys Bergen');
  await expect(dialog).toHaveCSS('opacity', '1');
  await shot(page, 'ct-mapping-3-save-preview');
  await dialog.getByRole('button', { name: 'Write to Commerce' }).click();
  await expect(page.getByTestId('mapping-notice')).toHaveText('1 store written to Commerce.');
  await expect(page.getByTestId('store-001005')).not.toContainText('Changed');
  await expect(page.getByTestId('store-001005')).toContainText(teams.bergen);

  // (4) The targeting hierarchy: communications team at the root, the two mapped stores as leaves; export with PowerShell.
  await page.getByRole('tab', { name: 'Targeting hierarchy' }).click();
  await expect(page.getByTestId('hierarchy-select')).toHaveValue('Retail Stores by Region');
  const tree = page.getByTestId('hierarchy-tree');
  await expect(tree.locator('li').first()).toContainText('Retail Communication');
  await expect(tree.locator('li[data-kind="store"]')).toHaveCount(2);
  await expect(page.getByTestId('node-001001')).toContainText(teams.oslo);
  await expect(page.getByTestId('node-001005')).toContainText(teams.bergen);
  await expect(page.getByTestId('hierarchy-findings')).toContainText('has no team yet');
  await settled(page);
  await shot(page, 'ct-mapping-4-hierarchy-tree');
  await page.getByTestId('hierarchy-export').click();
  const card = page.getByTestId('hierarchy-export-card');
  await expect(card.getByTestId('hierarchy-csv')).toHaveValue(new RegExp(`^TargetName,ParentName,TeamId\\nRetail Communication,,${teams.comms}\\n`));
  await expect(card.getByTestId('ps-upload')).toContainText(`Set-TeamTargetingHierarchy -FilePath '${path.join(own.dataDir, 'exports')}`);
  await expect(card.getByTestId('ps-status')).toContainText('Get-TeamTargetingHierarchyStatus');
  await settled(page);
  await shot(page, 'ct-mapping-5-hierarchy-export');

  // (5) The same pages in Norwegian, Dutch and Finnish.
  await chooseLanguage(page, 'nb-NO');
  await page.getByRole('tab', { name: 'Kobling butikk ⇄ team' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Kobling butikk ⇄ team' })).toBeVisible();
  await expect(page.getByTestId('store-001001')).toContainText('Oslo flagship team');
  await expect(page.getByRole('button', { name: 'Eksporter CSV' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Importer CSV …' })).toBeEnabled();
  await settled(page);
  await shot(page, 'ct-mapping-6-editor-nb-NO');

  await chooseLanguage(page, 'nl-NL');
  await page.getByRole('tab', { name: 'Doelhiërarchie' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Doelhiërarchie voor Teams' })).toBeVisible();
  await expect(page.getByTestId('hierarchy-tree').locator('li[data-kind="store"]')).toHaveCount(2);
  await page.getByTestId('hierarchy-export').click();
  await expect(page.getByTestId('hierarchy-export-card')).toContainText('Uploaden met PowerShell');
  await settled(page);
  await shot(page, 'ct-mapping-7-hierarchy-nl-NL');

  await chooseLanguage(page, 'fi-FI');
  await page.getByRole('tab', { name: 'Myymälä ⇄ tiimi' }).click();
  await expect(page.getByTestId('store-001001')).toBeVisible();
  await page.getByTestId('import-file').setInputFiles({ name: 'teams-mapping.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await expect(page.getByTestId('import-report')).toContainText('Tiedoston teams-mapping.csv esikatselu');
  await expect(page.getByTestId('import-row-2')).toHaveAttribute('data-status', 'unchanged');
  await expect(page.getByTestId('import-report')).toContainText('Ei kirjoitettavaa');
  await settled(page);
  await shot(page, 'ct-mapping-8-import-fi-FI');
  expect(errors).toEqual([]);
});
