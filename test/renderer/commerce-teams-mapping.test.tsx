import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MappingEditor, MappingImportReport, MappingValidation } from '../../preload/contract';
import { LANGUAGES, resources } from '../../renderer/i18n';
import { MappingPage } from '../../renderer/pages/commerce-teams/mapping/MappingPage';
import { draftList, errorRowsCsv } from '../../renderer/pages/commerce-teams/mapping/logic';
import { useTeamsProfileChoice } from '../../renderer/pages/commerce-teams/mapping/profiles';
import { fakeTransport, type FakeHandlers } from '../../renderer/transport/fake';
import { renderWith } from './render';

const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
const COMMS = '99999999-9999-4999-8999-999999999999';
const profiles = { commerce: { id: 'c', name: 'HQ' }, graph: { id: 'g', name: 'M365' } };
const editor = (): MappingEditor => ({
  profiles,
  communicationsTeam: { id: COMMS, displayName: 'Retail Communication', mailNickname: 'RETAILCOMMUNICATION_D365', isTeam: true },
  stores: [
    { storeNumber: '001001', name: 'Nordlys Oslo Sentrum', dataAreaId: 'nrno', teamId: null, teamName: null },
    { storeNumber: '001005', name: 'Nordlys Bergen', dataAreaId: 'nrno', teamId: T2, teamName: 'Bergen team' },
  ],
  teams: [
    { id: T1, displayName: 'Nordlys Oslo Sentrum', mailNickname: 'oslo', isTeam: true },
    { id: T2, displayName: 'Bergen team', mailNickname: 'bergen', isTeam: true },
  ],
  suggestions: [{ storeNumber: '001001', storeName: 'Nordlys Oslo Sentrum', teamId: T1, teamName: 'Nordlys Oslo Sentrum', score: 1, reason: 'name' }],
});
const report = (dryRun: boolean): MappingImportReport => ({
  fileName: 'm.csv', encoding: 'utf-8', delimiter: ';', dryRun, rows: 3, imported: 1, written: dryRun ? 0 : 1, errors: 2,
  lines: [
    { row: 2, status: 'valid', storeNumber: '001001', teamId: T1, teamName: 'Nordlys Oslo Sentrum', code: null, params: {}, message: null, source: `RetailStore;001001;${T1}` },
    { row: 3, status: 'error', storeNumber: '001002', teamId: COMMS, teamName: null, code: 'MAPPING_COMMUNICATIONS_TEAM', params: { teamId: COMMS, storeNumber: '001002' }, message: 'x', source: `RetailStore;001002;${COMMS}` },
    { row: 4, status: 'error', storeNumber: null, teamId: null, teamName: null, code: 'CSV_UNCLOSED_QUOTE', params: {}, message: 'x', source: '"RetailStore;001003' },
  ],
});

function handlers(over: FakeHandlers = {}): FakeHandlers {
  return {
    'connections.list': () => [],
    'teamsMapping.load': () => editor(),
    'teamsMapping.validate': ({ draft }) => ({
      ok: true, issues: [],
      changes: draft.map((d) => ({ storeNumber: d.storeNumber, storeName: d.storeNumber, action: d.teamId ? 'add' : 'remove', fromTeamId: null, fromTeamName: null, toTeamId: d.teamId, toTeamName: d.teamId ? 'Nordlys Oslo Sentrum' : null })),
    } as MappingValidation),
    ...over,
  };
}

beforeEach(() => {
  useTeamsProfileChoice.setState({ commerceProfileId: '', graphProfileId: '' });
  Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() });
});
afterEach(() => vi.restoreAllMocks());

type Tree = { [k: string]: string | Tree };
const keys = (t: Tree, p = ''): string[] => Object.entries(t).flatMap(([k, v]) => (typeof v === 'string' ? [p + k] : keys(v, `${p}${k}.`)));

describe('store ⇄ team mapping page', () => {
  it('the page catalog has the same keys in all four languages, translated', () => {
    const en = keys(resources.en.teamsMapping as unknown as Tree).sort();
    for (const { code } of LANGUAGES) {
      expect(keys(resources[code].teamsMapping as unknown as Tree).sort(), code).toEqual(en);
      expect(keys(resources[code].teamsHierarchy as unknown as Tree).sort(), code).toEqual(keys(resources.en.teamsHierarchy as unknown as Tree).sort());
    }
    expect((resources['fi-FI'].teamsMapping as unknown as Tree).title).not.toBe((resources.en.teamsMapping as unknown as Tree).title);
  });

  for (const { code } of LANGUAGES) {
    it(`renders stores, teams and suggestions without a missing key (${code})`, async () => {
      const { missing } = renderWith(<MappingPage />, fakeTransport(handlers()), code);
      await screen.findByTestId('store-001001');
      expect(screen.getByTestId('suggestion-001001')).toBeTruthy();
      expect(screen.getByTestId(`team-${T1}`)).toBeTruthy();
      expect(missing).toEqual([]);
    });
  }

  it('accepting a suggestion makes a draft main validates; save shows the preview, then writes and shows the result', async () => {
    const save = vi.fn(({ draft }: { draft: { storeNumber: string; teamId: string | null }[] }) => ({
      stale: false, written: draft.length, failed: [], validation: { ok: true, issues: [], changes: [] },
      editor: { ...editor(), stores: editor().stores.map((s) => (s.storeNumber === '001001' ? { ...s, teamId: T1, teamName: 'Nordlys Oslo Sentrum' } : s)), suggestions: [] },
    }));
    const transport = fakeTransport(handlers({ 'teamsMapping.save': save }));
    renderWith(<MappingPage />, transport);
    await screen.findByTestId('suggestion-001001');
    fireEvent.click(within(screen.getByTestId('suggestion-001001')).getByRole('button', { name: /Accept team Nordlys Oslo Sentrum for store 001001/ }));
    await waitFor(() => expect(transport.calls.some((c) => c.method === 'teamsMapping.validate')).toBe(true));
    expect(transport.calls.find((c) => c.method === 'teamsMapping.validate')!.payload).toMatchObject({ draft: [{ storeNumber: '001001', teamId: T1 }] });
    const button = await screen.findByRole('button', { name: 'Save 1 change…' });
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('save-preview').textContent).toContain('Map');
    expect(save).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Write to Commerce', hidden: true }));
    await screen.findByText('1 store written to Commerce.');
    expect(save).toHaveBeenCalledWith(expect.objectContaining({ draft: [{ storeNumber: '001001', teamId: T1 }], expected: [{ storeNumber: '001001', fromTeamId: null }] }));
  });

  it('when Commerce changed since the preview, nothing is written and the new preview asks again', async () => {
    const save = vi.fn(() => ({
      stale: true, written: 0, failed: [], editor: null,
      validation: { ok: true, issues: [], changes: [{ storeNumber: '001001', storeName: 'Nordlys Oslo Sentrum', action: 'change' as const, fromTeamId: T2, fromTeamName: 'Bergen team', toTeamId: T1, toTeamName: 'Nordlys Oslo Sentrum' }] },
    }));
    renderWith(<MappingPage />, fakeTransport(handlers({ 'teamsMapping.save': save })), 'nl-NL');
    await screen.findByTestId('suggestion-001001');
    fireEvent.click(within(screen.getByTestId('suggestion-001001')).getByRole('button'));
    const button = await screen.findByTestId('save-button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByTestId('save-confirm'));
    expect((await within(dialog).findByTestId('save-stale')).textContent).toContain('Commerce is gewijzigd sinds dit voorbeeld');
    expect(within(dialog).getByTestId('save-preview').textContent).toContain('Team wijzigen');
    expect(within(dialog).getByTestId('save-preview').textContent).toContain('Bergen team');
    expect(screen.queryByTestId('mapping-notice')).toBeNull();
  });

  it('validation problems from main are shown on the store and block the save', async () => {
    const transport = fakeTransport(handlers({
      'teamsMapping.validate': ({ draft }) => ({
        ok: false, changes: [],
        issues: draft.map((d) => ({ storeNumber: d.storeNumber, teamId: d.teamId, code: 'MAPPING_TEAM_SHARED', params: { storeNumber: d.storeNumber, teamId: T2, teamName: 'Bergen team', stores: '001001, 001005' }, message: 'x' })),
      }),
    }));
    renderWith(<MappingPage />, transport, 'nb-NO');
    await screen.findByTestId('store-001001');
    fireEvent.click(within(screen.getByTestId('store-001001')).getByRole('button', { name: /butikk 001001/ }));
    // Keyboard users land in the team search after choosing the store.
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Søk etter navn, e-postkallenavn eller team-ID' }));
    fireEvent.click(within(screen.getByTestId(`team-${T2}`)).getByRole('button'));
    const v = await screen.findByTestId('validation');
    expect(v.textContent).toContain('Teamet Bergen team ville høre til butikkene 001001, 001005');
    expect(within(screen.getByTestId('store-001001')).getByText(/ville høre til/)).toBeTruthy();
  });

  it('search sends the query; an id found by a direct lookup is said so', async () => {
    const transport = fakeTransport(handlers({ 'teamsMapping.searchTeams': () => ({ teams: [{ id: T2, displayName: 'Hidden team', mailNickname: null, isTeam: true }], lookedUp: true }) }));
    renderWith(<MappingPage />, transport);
    const box = await screen.findByTestId('team-search');
    fireEvent.change(box.querySelector('input') ?? box, { target: { value: T2 } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await within(screen.getByTestId('teams')).findByText('Hidden team');
    expect(screen.getByText(/found by looking the id up directly/)).toBeTruthy();
    expect(transport.calls.find((c) => c.method === 'teamsMapping.searchTeams')!.payload).toMatchObject({ query: T2 });
  });

  it('import: a dry run lists every row with its reason; apply sends the file again with apply', async () => {
    const importCsv = vi.fn(({ apply }: { apply: boolean }) => report(!apply));
    const transport = fakeTransport(handlers({ 'teamsMapping.importCsv': importCsv }));
    renderWith(<MappingPage />, transport);
    await screen.findByTestId('store-001001');
    const text = `SOURCETYPE;SOURCEID;TEAMID\r\nRetailStore;001001;${T1}\r\n`;
    // jsdom's File has no arrayBuffer(); the browser's does.
    const file = Object.assign(new File([text], 'm.csv', { type: 'text/csv' }), { arrayBuffer: async () => new TextEncoder().encode(text).buffer });
    await act(async () => {
      fireEvent.change(screen.getByTestId('import-file'), { target: { files: [file] } });
    });
    await waitFor(() => expect(screen.queryByTestId('import-report') ?? screen.queryByTestId('mapping-error')).toBeTruthy());
    expect(screen.queryByTestId('mapping-error')?.textContent ?? '').toBe('');
    const card = screen.getByTestId('import-report');
    expect(card.getAttribute('data-dry-run')).toBe('true');
    expect(importCsv).toHaveBeenCalledWith(expect.objectContaining({ fileName: 'm.csv', apply: false, base64: btoa(text) }));
    expect(within(screen.getByTestId('import-row-3')).getByText('Team 99999999-9999-4999-8999-999999999999 is the communications team. It cannot be a store\'s team.')).toBeTruthy();
    expect(screen.getByTestId('import-row-4').getAttribute('data-status')).toBe('error');
    expect(screen.getByTestId('import-row-4').textContent).toContain('"RetailStore;001003');
    fireEvent.click(screen.getByTestId('import-apply'));
    await waitFor(() => expect(importCsv).toHaveBeenCalledWith(expect.objectContaining({ apply: true })));
    await screen.findByTestId('mapping-notice');
  });

  it('profile errors of this area are translated from its catalog', async () => {
    renderWith(<MappingPage />, fakeTransport(handlers({ 'teamsMapping.load': () => { throw Object.assign(new Error('x'), { code: 'TEAMS_PROFILE_CHOOSE' }); } })), 'nl-NL');
    const bar = await screen.findByTestId('mapping-error');
    expect(bar.getAttribute('data-code')).toBe('TEAMS_PROFILE_CHOOSE');
    expect(bar.textContent).toContain('Kies er hierboven een');
  });
});

describe('mapping logic', () => {
  it('the draft holds only real changes; the error file keeps the separator and the rows as read', () => {
    expect(draftList({ '001001': T1, '001005': T2, '009': T1 }, editor().stores)).toEqual([{ storeNumber: '001001', teamId: T1 }]);
    expect(draftList({ '001005': null }, editor().stores)).toEqual([{ storeNumber: '001005', teamId: null }]);
    expect(errorRowsCsv(report(true))).toBe(`SOURCETYPE;SOURCEID;TEAMID\r\nRetailStore;001002;${COMMS}\r\n"RetailStore;001003\r\n`);
  });
});
