import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { HierarchyPreview } from '../../preload/contract';
import { LANGUAGES } from '../../renderer/i18n';
import { HierarchyPage } from '../../renderer/pages/commerce-teams/hierarchy/HierarchyPage';
import { useTeamsProfileChoice } from '../../renderer/pages/commerce-teams/mapping/profiles';
import { fakeTransport, type FakeHandlers } from '../../renderer/transport/fake';
import { renderWith } from './render';

const COMMS = '99999999-9999-4999-8999-999999999999';
const T1 = '11111111-1111-4111-8111-111111111111';
const profiles = { commerce: { id: 'c', name: 'HQ' }, graph: { id: 'g', name: 'M365' } };
const preview = (hierarchy: string, ok = true): HierarchyPreview => ({
  profiles, ok,
  hierarchy: { name: hierarchy, purposes: ['Retail reporting'], isDefault: true, retailReporting: true },
  communicationsTeam: { id: COMMS, displayName: 'Retail Communication', mailNickname: 'RETAILCOMMUNICATION_D365', isTeam: true },
  nodes: [
    { name: 'Retail Communication', depth: 0, parent: null, kind: 'communications', storeNumber: null, teamId: COMMS, teamName: 'Retail Communication' },
    { name: 'Vestlandet', depth: 1, parent: 'Retail Communication', kind: 'node', storeNumber: null, teamId: null, teamName: null },
    { name: 'Nordlys Bergen', depth: 2, parent: 'Vestlandet', kind: 'store', storeNumber: '001005', teamId: T1, teamName: 'Bergen team' },
  ],
  rows: 3, stores: 1,
  findings: ok
    ? [{ severity: 'warning', code: 'HIERARCHY_STORE_WITHOUT_TEAM', params: { storeNumber: '001006', name: 'Nordlys Stavanger' }, message: 'x', storeNumber: '001006' }]
    : [{ severity: 'error', code: 'HIERARCHY_NOT_RETAIL_REPORTING', params: { name: hierarchy, available: 'Retail Stores by Region' }, message: 'x' }],
});
const CSV = `TargetName,ParentName,TeamId\r\nRetail Communication,,${COMMS}\r\nVestlandet,Retail Communication,\r\nNordlys Bergen,Vestlandet,${T1}\r\n`;

function handlers(over: FakeHandlers = {}): FakeHandlers {
  return {
    'connections.list': () => [],
    'teamsHierarchy.list': () => ({
      profiles, preferred: 'Retail Stores by Region',
      hierarchies: [
        { name: 'Nordlys store clusters', purposes: ['Security'], isDefault: false, retailReporting: false },
        { name: 'Retail Stores by Region', purposes: ['Retail reporting'], isDefault: true, retailReporting: true },
      ],
    }),
    'teamsHierarchy.preview': ({ hierarchy }) => preview(hierarchy ?? '', hierarchy !== 'Nordlys store clusters'),
    'teamsHierarchy.exportCsv': ({ hierarchy }) => ({
      ...preview(hierarchy ?? ''), fileName: 'teams-targeting-hierarchy-2026-12-07.csv', csv: CSV, savedPath: '/data/exports/teams-targeting-hierarchy-2026-12-07.csv',
      powershell: { upload: ['Install-Module -Name MicrosoftTeams -Scope CurrentUser', 'Connect-MicrosoftTeams', "Set-TeamTargetingHierarchy -FilePath '/data/exports/teams-targeting-hierarchy-2026-12-07.csv'"], status: ['Get-TeamTargetingHierarchyStatus', '(Get-TeamTargetingHierarchyStatus).ErrorDetails.ErrorMessage'] },
    }),
    ...over,
  };
}

beforeEach(() => {
  useTeamsProfileChoice.setState({ commerceProfileId: '', graphProfileId: '' });
  Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() });
});

describe('targeting hierarchy page', () => {
  for (const { code } of LANGUAGES) {
    it(`previews the preferred hierarchy as a tree with findings, without a missing key (${code})`, async () => {
      const transport = fakeTransport(handlers());
      const { missing } = renderWith(<HierarchyPage />, transport, code);
      const tree = await screen.findByTestId('hierarchy-tree');
      expect(transport.calls.find((c) => c.method === 'teamsHierarchy.preview')!.payload).toMatchObject({ hierarchy: 'Retail Stores by Region', nameColumn: 'TargetName' });
      expect(within(tree).getAllByRole('listitem').map((li) => li.getAttribute('data-kind'))).toEqual(['communications', 'node', 'store']);
      expect(screen.getByTestId('node-001005').textContent).toContain(`Bergen team · ${T1}`);
      expect(screen.getByTestId('hierarchy-findings').querySelector('[data-code="HIERARCHY_STORE_WITHOUT_TEAM"]')!.textContent).toContain('001006');
      expect(missing).toEqual([]);
    });
  }

  it('a hierarchy without the Retail reporting purpose: the error is shown and export is off', async () => {
    const transport = fakeTransport(handlers());
    renderWith(<HierarchyPage />, transport, 'fi-FI');
    await screen.findByTestId('hierarchy-tree');
    fireEvent.change(screen.getByTestId('hierarchy-select'), { target: { value: 'Nordlys store clusters' } });
    await waitFor(() => expect(screen.getByTestId('hierarchy-findings').querySelector('[data-code="HIERARCHY_NOT_RETAIL_REPORTING"]')).toBeTruthy());
    expect(screen.getByTestId('hierarchy-export').hasAttribute('disabled')).toBe(true);
  });

  it('export shows the CSV and the PowerShell commands, each with a copy button that copies it', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderWith(<HierarchyPage />, fakeTransport(handlers()));
    await screen.findByTestId('hierarchy-tree');
    await waitFor(() => expect(screen.getByTestId('hierarchy-export').hasAttribute('disabled')).toBe(false));
    fireEvent.click(screen.getByTestId('hierarchy-export'));
    const card = await screen.findByTestId('hierarchy-export-card');
    // A textarea shows CRLF as LF; the copy and the download keep the file's CRLF.
    expect((within(card).getByTestId('hierarchy-csv') as HTMLTextAreaElement).value).toBe(CSV.replace(/\r\n/g, '\n'));
    expect(within(card).getByTestId('ps-upload').textContent).toContain("Set-TeamTargetingHierarchy -FilePath '/data/exports/teams-targeting-hierarchy-2026-12-07.csv'");
    expect(within(card).getByTestId('ps-status').textContent).toContain('Get-TeamTargetingHierarchyStatus');
    fireEvent.click(within(card).getByRole('button', { name: 'Copy CSV' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(CSV));
    fireEvent.click(within(card).getByRole('button', { name: 'Copy upload commands' }));
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith(expect.stringContaining('Connect-MicrosoftTeams\nSet-TeamTargetingHierarchy')));
    fireEvent.click(within(card).getByRole('button', { name: 'Copy status commands' }));
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith('Get-TeamTargetingHierarchyStatus\n(Get-TeamTargetingHierarchyStatus).ErrorDetails.ErrorMessage'));
    expect(URL.createObjectURL).toHaveBeenCalled();
  });
});
