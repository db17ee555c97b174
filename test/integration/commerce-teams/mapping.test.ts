import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCommunicationsTeam, listTeams, mappingCollection, readMappings, readStores } from '../../../main/integrations/commerce-teams/mapping/directory';
import { exportMapping, importMapping, loadMappingEditor } from '../../../main/integrations/commerce-teams/mapping/service';
import { searchTeams } from '../../../main/integrations/commerce-teams/mapping/suggest';
import { startTeamsSandbox } from './harness';

let h: Awaited<ReturnType<typeof startTeamsSandbox>>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startTeamsSandbox();
  ids.oslo = await h.group('Nordlys Oslo Sentrum', 'oslo-sentrum');
  ids.storo = await h.group('Storo butikk', 'NR-001002');
  ids.bergen = await h.group('Bergen team', 'bergen');
  ids.plain = await h.group('Just a group', 'plain-group', false);
});
afterAll(() => h?.close());

describe('store ⇄ team mapping against the Commerce and Graph sandboxes', () => {
  it('reads the 30 stores with names, finds the entity by discovery, lists teams beyond GET /teams', async () => {
    const stores = await readStores(h.conn.commerce);
    expect(stores).toHaveLength(30);
    expect(stores[0]).toMatchObject({ storeNumber: '001001', name: 'Nordlys Oslo Sentrum', partyNumber: 'P-OU-001001' });
    expect(await mappingCollection(h.conn.commerce)).toBe('RetailTeamsSourceTeamMappings');
    const teams = await listTeams(h.conn.graph);
    expect(teams.map((t) => t.id).sort()).toEqual([ids.oslo, ids.storo, ids.bergen, h.comms].sort());
    expect(searchTeams(teams, 'nr-001002').map((t) => t.id)).toEqual([ids.storo]);
    expect(searchTeams(teams, ids.bergen!.toUpperCase()).map((t) => t.id)).toEqual([ids.bergen]);
    expect((await findCommunicationsTeam(h.conn.graph))?.id).toBe(h.comms);
  });

  it('imports the valid rows into Commerce, lists the others by row, and exports them back in the entity format', async () => {
    const csv = [
      '\ufeffSOURCETYPE;SOURCEID;TEAMID', // nb-NO Excel
      `RetailStore;001001;${ids.oslo}`,
      `RetailStore;1002;{${ids.storo!.toUpperCase()}}`,
      `RetailStore;001003;${h.comms}`,
      `RetailStore;001004;${ids.plain}`,
      `RetailStore;001005;00000000-0000-4000-8000-000000000999`,
      `RetailStore;009999;${ids.bergen}`,
      'RetailStore;001006;nope',
    ].join('\r\n');
    const r = await importMapping({ commerce: h.conn.commerce, graph: h.conn.graph, communicationsTeamId: h.comms }, csv);
    expect(r.rows).toBe(7);
    expect(r.imported).toBe(2);
    expect(r.written).toBe(2);
    expect(r.errors.map((e) => [e.row, e.code])).toEqual([
      [4, 'MAPPING_COMMUNICATIONS_TEAM'],
      [5, 'MAPPING_GROUP_NOT_TEAM'],
      [6, 'MAPPING_TEAM_NOT_FOUND'],
      [7, 'MAPPING_STORE_UNKNOWN'],
      [8, 'MAPPING_TEAM_ID_MALFORMED'],
    ]);
    const set = await mappingCollection(h.conn.commerce);
    expect((await readMappings(h.conn.commerce, set)).map((m) => [m.storeNumber, m.teamId])).toEqual([['001001', ids.oslo], ['001002', ids.storo]]);
    const out = await exportMapping({ commerce: h.conn.commerce });
    expect(out.csv).toBe(`SOURCETYPE,SOURCEID,TEAMID\r\nRetailStore,001001,${ids.oslo}\r\nRetailStore,001002,${ids.storo}\r\n`);
    expect(out.rows).toBe(2);
    // The same file again changes nothing; the exported file imports as is.
    const again = await importMapping({ commerce: h.conn.commerce, graph: h.conn.graph, communicationsTeamId: h.comms }, out.csv);
    expect(again).toMatchObject({ rows: 2, imported: 2, written: 0, errors: [] });
  });

  it('moves a team from one store to another in one file; a team kept by another store is refused', async () => {
    const deps = { commerce: h.conn.commerce, graph: h.conn.graph, communicationsTeamId: h.comms };
    const refused = await importMapping(deps, `SOURCETYPE,SOURCEID,TEAMID\nRetailStore,001003,${ids.oslo}\n`);
    expect(refused.errors.map((e) => [e.row, e.code])).toEqual([[2, 'MAPPING_TEAM_MAPPED_ELSEWHERE']]);
    const moved = await importMapping(deps, `SOURCETYPE,SOURCEID,TEAMID\nRetailStore,001003,${ids.oslo}\nRetailStore,001001,${ids.bergen}\n`);
    expect(moved).toMatchObject({ imported: 2, written: 2, errors: [] });
    const set = await mappingCollection(h.conn.commerce);
    expect((await readMappings(h.conn.commerce, set)).map((m) => [m.storeNumber, m.teamId])).toEqual([['001001', ids.bergen], ['001002', ids.storo], ['001003', ids.oslo]]);
  });

  it('the editor data: stores with their teams and suggestions by name for the unmapped ones', async () => {
    const more = await h.group('NORDLYS TROMSO', 'tromso');
    const e = await loadMappingEditor({ commerce: h.conn.commerce, graph: h.conn.graph, communicationsTeamId: h.comms });
    expect(e.stores.find((s) => s.storeNumber === '001001')).toMatchObject({ teamId: ids.bergen, teamName: 'Bergen team' });
    const tromso = e.stores.find((s) => s.name === 'Nordlys Tromsø');
    expect(tromso).toBeTruthy();
    expect(e.suggestions).toContainEqual(expect.objectContaining({ storeNumber: tromso!.storeNumber, teamId: more, reason: 'name' }));
    expect(e.suggestions.some((s) => s.teamId === h.comms)).toBe(false);
  });
});
