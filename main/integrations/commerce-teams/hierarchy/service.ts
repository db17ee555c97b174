/**
 * Targeting hierarchy export: reads the organization hierarchies and their purposes, the chosen hierarchy's
 * published edges (valid today), the stores and the store ⇄ team mapping from Commerce, builds the tree
 * (./build) and checks it against Teams' rules (./rules). Used by `d365ic teams hierarchy` and the console.
 */
import { filter } from '../../../clients/odata';
import type { CommercePort } from '../mapping/directory';
import { mappingCollection, readMappings, readStores } from '../mapping/directory';
import type { BuildWarning, HierarchyChoice, HierarchyEdge, TreeNode } from './build';
import { buildTargetingHierarchy, pickHierarchy } from './build';
import type { HierarchyIssue, NameColumn, PowerShellSteps } from './rules';
import { hierarchyToCsv, powerShellCommands, validateHierarchy } from './rules';

export async function listHierarchies(c: CommercePort): Promise<HierarchyChoice[]> {
  const purposesSet = (await c.collectionFor('OrganizationHierarchyPurposes')) ?? 'OrganizationHierarchyPurposes';
  const typesSet = await c.collectionFor('OrganizationHierarchyTypes');
  const purposes = await c.list(purposesSet, { select: ['HierarchyType', 'HierarchyPurpose', 'SetAsDefault'] });
  const byName = new Map<string, HierarchyChoice>();
  if (typesSet) for (const t of await c.list(typesSet, { select: ['HierarchyType'] })) byName.set(String(t.HierarchyType), { name: String(t.HierarchyType), purposes: [], isDefault: false });
  for (const p of purposes) {
    const name = String(p.HierarchyType);
    const h = byName.get(name) ?? { name, purposes: [], isDefault: false };
    h.purposes.push(String(p.HierarchyPurpose));
    if (String(p.HierarchyPurpose).toLowerCase() === 'retail reporting' && (p.SetAsDefault === 'Yes' || p.SetAsDefault === true)) h.isDefault = true;
    byName.set(name, h);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The hierarchy's published edges valid at `at` (ValidFrom ≤ at ≤ ValidTo). */
export async function readEdges(c: CommercePort, hierarchy: string, at: Date): Promise<HierarchyEdge[]> {
  const set = (await c.collectionFor('OrganizationHierarchiesPublished')) ?? 'OrganizationHierarchiesPublished';
  const rows = await c.list(set, { filter: filter.eq('HierarchyType', hierarchy), select: ['ChildOrganizationPartyNumber', 'ParentOrganizationPartyNumber', 'ChildOrganizationName', 'ValidFrom', 'ValidTo'] });
  const t = at.getTime();
  return rows
    .filter((r) => (!r.ValidFrom || Date.parse(String(r.ValidFrom)) <= t) && (!r.ValidTo || Date.parse(String(r.ValidTo)) >= t))
    .map((r) => ({ partyNumber: String(r.ChildOrganizationPartyNumber), parentPartyNumber: r.ParentOrganizationPartyNumber ? String(r.ParentOrganizationPartyNumber) : null, name: String(r.ChildOrganizationName ?? '') }));
}

export type HierarchyFinding = (BuildWarning | HierarchyIssue) & { storeNumber?: string };

export interface HierarchyExport {
  ok: boolean;
  hierarchy: HierarchyChoice | null;
  tree: TreeNode | null;
  csv: string | null;
  rows: number;
  stores: number;
  /** Build warnings, then the rules' warnings and errors (severity says which). */
  findings: HierarchyFinding[];
  powershell: PowerShellSteps;
}

export interface HierarchyExportOptions {
  hierarchy?: string | null;
  communicationsTeam: { teamId: string | null; name?: string | null };
  nameColumn?: NameColumn;
  /** The path shown in the PowerShell commands. */
  filePath?: string;
  now?: Date;
}

export async function exportTargetingHierarchy(c: CommercePort, o: HierarchyExportOptions): Promise<HierarchyExport> {
  const powershell = powerShellCommands(o.filePath ?? 'hierarchy.csv');
  const picked = pickHierarchy(await listHierarchies(c), o.hierarchy ?? null);
  if (!picked.ok) return { ok: false, hierarchy: null, tree: null, csv: null, rows: 0, stores: 0, findings: [{ severity: 'error', code: picked.code, params: picked.params, message: picked.message }], powershell };
  const set = await mappingCollection(c);
  const [edges, stores, mappings] = await Promise.all([readEdges(c, picked.hierarchy.name, o.now ?? new Date()), readStores(c), readMappings(c, set)]);
  const built = buildTargetingHierarchy({ edges, stores, teams: new Map(mappings.map((m) => [m.storeNumber, m.teamId])), communications: o.communicationsTeam });
  const csv = hierarchyToCsv(built.nodes, o.nameColumn ? { nameColumn: o.nameColumn } : {});
  const issues = validateHierarchy(built.nodes, { csvBytes: Buffer.byteLength(csv, 'utf8') });
  const ok = !issues.some((i) => i.severity === 'error');
  return { ok, hierarchy: picked.hierarchy, tree: built.root, csv, rows: built.nodes.length, stores: built.stores, findings: [...built.warnings, ...issues], powershell };
}
