import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTargetingHierarchy, pickHierarchy } from '../../../main/integrations/commerce-teams/hierarchy/build';
import type { HierarchyNode } from '../../../main/integrations/commerce-teams/hierarchy/rules';
import { hierarchyToCsv, parseHierarchyCsv, powerShellCommands, validateHierarchy } from '../../../main/integrations/commerce-teams/hierarchy/rules';

const g = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const codes = (nodes: HierarchyNode[]) => validateHierarchy(nodes).map((i) => [i.code, i.row ?? null]);
const node = (name: string, parent: string | null, teamId: string | null = null): HierarchyNode => ({ name, parents: parent ? [parent] : [], teamId });

describe('hierarchy rules (E.1/E.2)', () => {
  it('a valid tree has no issue', () => {
    expect(codes([node('Root', null, g(1)), node('West', 'Root'), node('Seattle', 'West', g(2))])).toEqual([]);
  });
  it('unique names, parents exist, leaves have teams, a team once, GUIDs', () => {
    expect(codes([node('Root', null, g(1)), node('A', 'Root', g(2)), node('A', 'Root', g(3)), node('B', 'Nowhere', g(4)), node('C', 'Root'), node('D', 'Root', g(2)), node('E', 'Root', 'xyz')])).toEqual([
      ['HIERARCHY_NAME_DUPLICATE', 4],
      ['HIERARCHY_PARENT_MISSING', 5],
      ['HIERARCHY_LEAF_WITHOUT_TEAM', 6],
      ['HIERARCHY_TEAM_TWICE', 7],
      ['HIERARCHY_TEAM_ID_MALFORMED', 8],
    ]);
  });
  it('cycles, several parents only when all are roots, name length, size limits', () => {
    expect(codes([node('Root', null, g(1)), node('A', 'B', g(2)), node('B', 'A', g(3))])).toEqual([['HIERARCHY_CYCLE', 3]]);
    expect(codes([node('R1', null, g(1)), node('R2', null, g(2)), node('Mid', 'R1', g(3)), { name: 'Leaf', parents: ['R1', 'R2'], teamId: g(4) }, { name: 'Bad', parents: ['R1', 'Mid'], teamId: g(5) }])).toEqual([['HIERARCHY_PARENTS_NOT_ROOTS', 6]]);
    expect(codes([node('x'.repeat(101), null, g(1))])).toEqual([['HIERARCHY_NAME_TOO_LONG', 2]]);
    const big = Array.from({ length: 15_001 }, (_, i) => node(`N${i}`, i ? 'N0' : null, g(i + 1)));
    expect(validateHierarchy(big).map((i) => i.code)).toEqual(['HIERARCHY_TOO_MANY_NODES']);
    expect(validateHierarchy([]).map((i) => i.code)).toEqual(['HIERARCHY_EMPTY']);
  });
  it('attribute and bucket columns', () => {
    const n = (i: number, a: Record<string, string>) => ({ ...node(`S${i}`, i ? 'S0' : null, g(i + 1)), attributes: a });
    const issues = validateHierarchy([n(0, { 'Departments:Food': '2' }), ...Array.from({ length: 51 }, (_, i) => n(i + 1, { Layout: `L${i}` }))]).map((i) => i.code);
    expect(issues).toEqual(['HIERARCHY_ATTRIBUTE_NOT_BINARY', 'HIERARCHY_ATTRIBUTE_VALUES']);
  });
  it('warns about names outside the documented charset and files over 1 MB', () => {
    const w = validateHierarchy([node('Jyväskylä', null, g(1))], { csvBytes: 2_000_000 });
    expect(w.map((i) => [i.severity, i.code])).toEqual([['warning', 'HIERARCHY_NAME_CHARSET'], ['warning', 'HIERARCHY_FILE_TOO_BIG_FOR_ADMIN_CENTER']]);
  });
  it('CSV: header TargetName,ParentName,TeamId (or DisplayName), no BOM, round trip', () => {
    const nodes = [node('Retail Communication', null, g(1)), node('West, "North"', 'Retail Communication'), node('Seattle', 'West, "North"', g(2))];
    const csv = hierarchyToCsv(nodes);
    expect(csv.startsWith('TargetName,ParentName,TeamId\r\n')).toBe(true);
    expect(csv.charCodeAt(0)).not.toBe(0xfeff);
    expect(hierarchyToCsv(nodes, { nameColumn: 'DisplayName' }).startsWith('DisplayName,')).toBe(true);
    const back = parseHierarchyCsv(csv);
    expect(back.issues).toEqual([]);
    expect(back.nodes.map((n) => ({ name: n.name, parents: n.parents, teamId: n.teamId }))).toEqual(nodes);
    expect(parseHierarchyCsv('Name,Parent,Team\r\n').issues.map((i) => i.code)).toEqual(['HIERARCHY_CSV_HEADER']);
  });
  it('PowerShell: upload and status commands, path quoted', () => {
    const ps = powerShellCommands("C:\\Users\\o'neil\\h.csv");
    expect(ps.upload).toContain("Set-TeamTargetingHierarchy -FilePath 'C:\\Users\\o''neil\\h.csv'");
    expect(ps.upload).toContain('Connect-MicrosoftTeams');
    expect(ps.status).toEqual(['Get-TeamTargetingHierarchyStatus', '(Get-TeamTargetingHierarchyStatus).ErrorDetails.ErrorMessage']);
  });
});

describe('picking the hierarchy', () => {
  const all = [
    { name: 'Retail Stores by Region', purposes: ['Retail reporting', 'Retail assortment'], isDefault: true },
    { name: 'Other reporting', purposes: ['Retail reporting'], isDefault: false },
    { name: 'Nordlys store clusters', purposes: ['Security'], isDefault: false },
  ];
  it('by name, else the default Retail reporting one', () => {
    expect(pickHierarchy(all)).toMatchObject({ ok: true, hierarchy: { name: 'Retail Stores by Region' } });
    expect(pickHierarchy(all, 'other REPORTING')).toMatchObject({ ok: true, hierarchy: { name: 'Other reporting' } });
    expect(pickHierarchy(all, 'Nordlys store clusters')).toMatchObject({ ok: false, code: 'HIERARCHY_NOT_RETAIL_REPORTING' });
    expect(pickHierarchy(all, 'Nope')).toMatchObject({ ok: false, code: 'HIERARCHY_NOT_FOUND' });
    expect(pickHierarchy(all.map((h) => ({ ...h, isDefault: false })))).toMatchObject({ ok: false, code: 'HIERARCHY_AMBIGUOUS' });
    expect(pickHierarchy([all[2]!])).toMatchObject({ ok: false, code: 'HIERARCHY_NONE_FOR_REPORTING' });
  });
});

describe('building the targeting hierarchy', () => {
  const edges = [
    { partyNumber: 'NO', parentPartyNumber: null, name: 'Norge' },
    { partyNumber: 'OSLO', parentPartyNumber: 'NO', name: 'Oslo' },
    { partyNumber: 'EMPTY', parentPartyNumber: 'NO', name: 'Empty region' },
    { partyNumber: 'S1', parentPartyNumber: 'OSLO', name: 'Oslo Sentrum' },
    { partyNumber: 'S2', parentPartyNumber: 'OSLO', name: 'Oslo Sentrum' },
    { partyNumber: 'S3', parentPartyNumber: 'OSLO', name: 'Storo' },
    { partyNumber: 'ORPHAN', parentPartyNumber: 'GONE', name: 'Orphan' },
    { partyNumber: 'S4', parentPartyNumber: 'ORPHAN', name: 'Drammen' },
    { partyNumber: 'C1', parentPartyNumber: 'C2', name: 'Loop 1' },
    { partyNumber: 'C2', parentPartyNumber: 'C1', name: 'Loop 2' },
  ];
  const stores = [
    { storeNumber: '1', name: 'Oslo Sentrum', partyNumber: 'S1' },
    { storeNumber: '2', name: 'Oslo Sentrum', partyNumber: 'S2' },
    { storeNumber: '3', name: 'Storo', partyNumber: 'S3' },
    { storeNumber: '4', name: 'Drammen', partyNumber: 'S4' },
  ];
  it('communications team at the root, stores as leaves with teams, empty branches out, names unique, warnings', () => {
    const b = buildTargetingHierarchy({ edges, stores, teams: new Map([['1', g(11)], ['2', g(12)], ['4', g(14)]]), communications: { teamId: g(1), name: 'Nordlys Communication' } });
    expect(b.nodes).toEqual([
      node('Nordlys Communication', null, g(1)),
      node('Norge', 'Nordlys Communication'),
      node('Oslo', 'Norge'),
      node('Oslo Sentrum', 'Oslo', g(11)),
      node('Oslo Sentrum 2', 'Oslo', g(12)),
      node('Orphan', 'Nordlys Communication'),
      node('Drammen', 'Orphan', g(14)),
    ]);
    expect(b.stores).toBe(3);
    expect(b.warnings.map((w) => [w.code, w.storeNumber ?? w.node ?? null])).toEqual([
      ['HIERARCHY_SOURCE_PARENT_MISSING', 'Orphan'],
      ['HIERARCHY_BRANCH_EMPTY', 'Empty region'],
      ['HIERARCHY_STORE_WITHOUT_TEAM', '3'],
      ['HIERARCHY_SOURCE_CYCLE', null],
      ['HIERARCHY_NAME_RENAMED', '2'],
    ]);
    expect(validateHierarchy(b.nodes)).toEqual([]);
    expect(b.root.children[0]!.children[0]!.children.map((c) => c.kind)).toEqual(['store', 'store']);
  });
  it('without a communications team the root has no team (warning) and a reused team is dropped', () => {
    const b = buildTargetingHierarchy({ edges: edges.slice(0, 6), stores, teams: new Map([['1', g(11)], ['2', g(11)], ['3', g(13)]]), communications: { teamId: null } });
    expect(b.nodes[0]).toEqual(node('Retail Communication', null, null));
    expect(b.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['HIERARCHY_NO_COMMUNICATIONS_TEAM', 'HIERARCHY_STORE_TEAM_REUSED']));
    expect(validateHierarchy(b.nodes).filter((i) => i.severity === 'error')).toEqual([]);
  });
  it('property: any forest of stores builds a hierarchy that passes the rules', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(6), fc.constantFrom('Oslo', 'Oslo', 'Bergen', 'x'.repeat(120), ''), fc.boolean()), { maxLength: 30 }), (spec) => {
        const es = spec.map(([p, name], i) => ({ partyNumber: `P${i}`, parentPartyNumber: i === 0 || p >= i ? null : `P${p}`, name }));
        const st = spec.map(([, name, , ], i) => ({ storeNumber: `S${i}`, name, partyNumber: `P${i}` })).filter((_, i) => spec[i]![2]);
        const teams = new Map(st.map((s, i) => [s.storeNumber, g(100 + i)]));
        const b = buildTargetingHierarchy({ edges: es, stores: st, teams, communications: { teamId: g(1) } });
        expect(validateHierarchy(b.nodes).filter((i) => i.severity === 'error')).toEqual([]);
        expect(b.stores).toBe(b.nodes.filter((n) => n.teamId && n.teamId !== g(1)).length);
      }),
      { numRuns: 200 },
    );
  });
});
