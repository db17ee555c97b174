import { describe, expect, it } from 'vitest';
import { matchScore, normaliseName, searchTeams, suggestMappings } from '../../../main/integrations/commerce-teams/mapping/suggest';
import type { TeamInfo } from '../../../main/integrations/commerce-teams/mapping/model';

const t = (id: string, displayName: string, mailNickname: string | null = null, isTeam = true): TeamInfo => ({ id, displayName, mailNickname, isTeam });
const stores = [
  { storeNumber: '001001', name: 'Nordlys Oslo Sentrum' },
  { storeNumber: '001002', name: 'Nordlys Oslo Storo' },
  { storeNumber: '001021', name: 'Nordlys Jyväskylä' },
  { storeNumber: '001022', name: 'Nordlys Tampere' },
];
const teams = [
  t('a1', 'Nordlys Oslo Sentrum'),
  t('a2', 'Storo butikk', 'store-001002'),
  t('a3', 'Jyvaskyla'),
  t('cc', 'Retail Communication'),
  t('a4', 'Tampere A'),
  t('a5', 'Tampere B'),
];

describe('suggestions and search', () => {
  it('normalises names (accents, ø, punctuation)', () => {
    expect(normaliseName('Nordlys Jyväskylä – Ø.')).toBe('nordlys jyvaskyla o');
  });
  it('scores name, store number and shared words', () => {
    expect(matchScore(stores[0]!, teams[0]!)).toEqual({ score: 1, reason: 'name' });
    expect(matchScore(stores[1]!, teams[1]!)).toEqual({ score: 0.95, reason: 'storeNumber' });
    expect(matchScore(stores[2]!, teams[2]!).score).toBeGreaterThanOrEqual(0.6);
  });
  it('suggests a free team per unmapped store, never the communications team, not on ties', () => {
    const s = suggestMappings(stores, teams, [{ storeNumber: '001001', teamId: 'zz' }], { communicationsTeamId: 'cc' });
    expect(s.map((x) => [x.storeNumber, x.teamId])).toEqual([['001002', 'a2'], ['001021', 'a3']]);
    expect(suggestMappings([{ storeNumber: '9', name: 'Retail Communication' }], teams, [], { communicationsTeamId: 'cc' })).toEqual([]);
  });
  it('searches by id, mail nickname and name words', () => {
    expect(searchTeams(teams, 'A2').map((x) => x.id)).toEqual(['a2']);
    expect(searchTeams(teams, 'store-001002').map((x) => x.id)).toEqual(['a2']);
    expect(searchTeams(teams, 'oslo sentrum').map((x) => x.id)).toEqual(['a1']);
    expect(searchTeams(teams, 'tampere').map((x) => x.id)).toEqual(['a4', 'a5']);
    expect(searchTeams(teams, 'jyväskylä').map((x) => x.id)).toEqual(['a3']);
  });
});

describe('team list: GET /teams misses teams', () => {
  it('takes the union of groups provisioned as teams and GET /teams, and looks ids up in $batch (404 = not found)', async () => {
    const { listTeams, lookupTeams } = await import('../../../main/integrations/commerce-teams/mapping/directory');
    const calls: string[] = [];
    const port = {
      collect: async (path: string, q: { filter?: unknown }) => {
        calls.push(`${path} ${String(q.filter ?? '')}`);
        if (path === 'groups') return [{ id: 'A1', displayName: 'From groups', mailNickname: 'from-groups', resourceProvisioningOptions: ['Team'] }];
        return [{ id: 'b2', displayName: 'Only in /teams' }, { id: 'a1', displayName: 'From groups' }];
      },
      batch: async (reqs: { id: string; url: string }[]) =>
        reqs.map((r) => (r.url.includes('00000000-0000-4000-8000-000000000001') ? { id: r.id, status: 200, ok: true, headers: {}, attempts: 1, body: { id: '00000000-0000-4000-8000-000000000001', displayName: 'G', mailNickname: 'g', resourceProvisioningOptions: [] } } : { id: r.id, status: 404, ok: false, headers: {}, attempts: 1, body: null })),
    } as unknown as Parameters<typeof listTeams>[0];
    const teams = await listTeams(port);
    expect(teams.map((t) => [t.id, t.mailNickname])).toEqual([['a1', 'from-groups'], ['b2', null]]);
    expect(calls[0]).toBe("groups resourceProvisioningOptions/Any(x:x eq 'Team')");
    const found = await lookupTeams(port, ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'junk']);
    expect([...found.entries()]).toEqual([
      ['00000000-0000-4000-8000-000000000001', { id: '00000000-0000-4000-8000-000000000001', displayName: 'G', mailNickname: 'g', isTeam: false }],
      ['00000000-0000-4000-8000-000000000002', null],
    ]);
  });
});
