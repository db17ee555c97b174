import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTargetingHierarchy, listHierarchies, readEdges } from '../../../main/integrations/commerce-teams/hierarchy/service';
import { parseHierarchyCsv, validateHierarchy } from '../../../main/integrations/commerce-teams/hierarchy/rules';
import { importMapping } from '../../../main/integrations/commerce-teams/mapping/service';
import { startTeamsSandbox } from './harness';

let h: Awaited<ReturnType<typeof startTeamsSandbox>>;
const teams: Record<string, string> = {};

beforeAll(async () => {
  h = await startTeamsSandbox();
  // Teams for the Oslo region's four stores and two Bergen-region stores; the other stores have none yet.
  for (const n of ['001001', '001002', '001003', '001004', '001005', '001006']) teams[n] = await h.group(`Store ${n}`, `store-${n}`);
  const csv = ['SOURCETYPE,SOURCEID,TEAMID', ...Object.entries(teams).map(([n, id]) => `RetailStore,${n},${id}`)].join('\r\n');
  const r = await importMapping({ commerce: h.conn.commerce, graph: h.conn.graph, communicationsTeamId: h.comms }, csv);
  expect(r.errors).toEqual([]);
});
afterAll(() => h?.close());

describe('targeting hierarchy from the Commerce sandbox', () => {
  it('lists hierarchies with their purposes and reads the published edges valid today', async () => {
    const all = await listHierarchies(h.conn.commerce);
    expect(all).toEqual([
      { name: 'Nordlys store clusters', purposes: ['Security'], isDefault: false },
      { name: 'Retail Stores by Region', purposes: expect.arrayContaining(['Retail reporting', 'Retail assortment']), isDefault: true },
    ]);
    const edges = await readEdges(h.conn.commerce, 'Retail Stores by Region', new Date());
    expect(edges).toHaveLength(3 + 7 + 30);
    expect(await readEdges(h.conn.commerce, 'Retail Stores by Region', new Date('2020-01-01'))).toEqual([]);
  });

  it('exports the communications team at the root, regions below, mapped stores as leaves; unmapped ones are warnings', async () => {
    const r = await exportTargetingHierarchy(h.conn.commerce, { communicationsTeam: { teamId: h.comms, name: 'Retail Communication' }, filePath: 'C:\\temp\\h.csv' });
    expect(r.ok).toBe(true);
    expect(r.hierarchy?.name).toBe('Retail Stores by Region');
    expect(r.stores).toBe(6);
    const lines = r.csv!.split('\r\n');
    expect(lines[0]).toBe('TargetName,ParentName,TeamId');
    expect(lines[1]).toBe(`Retail Communication,,${h.comms}`);
    expect(lines).toContain('Nordlys Retail Norge AS,Retail Communication,');
    expect(lines).toContain('Oslo og Viken,Nordlys Retail Norge AS,');
    expect(lines).toContain(`Nordlys Oslo Sentrum,Oslo og Viken,${teams['001001']}`);
    expect(lines).toContain(`Nordlys Bergen,Vestlandet,${teams['001005']}`);
    // Only Norway has stores with teams: NL and FI and the empty Norwegian region are left out.
    expect(r.rows).toBe(1 + 1 + 2 + 6);
    const codes = r.findings.map((f) => f.code);
    expect(codes.filter((c) => c === 'HIERARCHY_STORE_WITHOUT_TEAM')).toHaveLength(24);
    expect(codes).toContain('HIERARCHY_BRANCH_EMPTY');
    expect(r.findings.find((f) => f.code === 'HIERARCHY_STORE_WITHOUT_TEAM' && f.storeNumber === '001007')).toBeTruthy();
    const back = parseHierarchyCsv(r.csv!);
    expect(back.issues).toEqual([]);
    expect(validateHierarchy(back.nodes).filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.powershell.upload).toContain("Set-TeamTargetingHierarchy -FilePath 'C:\\temp\\h.csv'");
  });

  it('a hierarchy without the Retail reporting purpose, or an unknown one, is refused with the reason', async () => {
    const clusters = await exportTargetingHierarchy(h.conn.commerce, { hierarchy: 'Nordlys store clusters', communicationsTeam: { teamId: h.comms } });
    expect(clusters).toMatchObject({ ok: false, csv: null, findings: [expect.objectContaining({ code: 'HIERARCHY_NOT_RETAIL_REPORTING', severity: 'error' })] });
    const none = await exportTargetingHierarchy(h.conn.commerce, { hierarchy: 'Nope', communicationsTeam: { teamId: h.comms } });
    expect(none.findings[0]!.code).toBe('HIERARCHY_NOT_FOUND');
    const byName = await exportTargetingHierarchy(h.conn.commerce, { hierarchy: 'retail stores by region', communicationsTeam: { teamId: null } });
    expect(byName.ok).toBe(true);
    expect(byName.findings.map((f) => f.code)).toContain('HIERARCHY_NO_COMMUNICATIONS_TEAM');
  });
});
