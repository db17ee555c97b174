/**
 * `teamsHierarchy.*`: Teams' targeting hierarchy from a Commerce organization hierarchy with purpose *Retail
 * reporting* (reference E): the list to pick from, the tree preview with its findings (E.1/E.2), and the CSV that
 * `Set-TeamTargetingHierarchy` uploads with the PowerShell to upload it and check its status (E.4).
 */
import type { HierarchyFindingDto, HierarchyPreview, HierarchyTreeNode, teamsHierarchyMethods } from '../../../../preload/contract/commerce-teams/mapping-methods';
import type { HandlersOf } from '../../../rpc/handlers';
import type { TeamsClients, TeamsConsoleDeps } from '../mapping/console';
import { guard, openClients, saveExportCopy, stamp } from '../mapping/console';
import { listTeams } from '../mapping/directory';
import type { TreeNode } from './build';
import { pickHierarchy, RETAIL_REPORTING_PURPOSE } from './build';
import type { NameColumn } from './rules';
import { powerShellCommands } from './rules';
import type { HierarchyExport } from './service';
import { exportTargetingHierarchy, listHierarchies } from './service';

const isReporting = (purposes: readonly string[]) => purposes.some((p) => p.toLowerCase() === RETAIL_REPORTING_PURPOSE.toLowerCase());

function flatten(root: TreeNode | null, names: ReadonlyMap<string, string>): HierarchyTreeNode[] {
  const out: HierarchyTreeNode[] = [];
  const walk = (n: TreeNode, depth: number, parent: string | null) => {
    out.push({ name: n.name, depth, parent, kind: n.kind, storeNumber: n.storeNumber, teamId: n.teamId, teamName: n.teamId ? (names.get(n.teamId.toLowerCase()) ?? null) : null });
    for (const k of n.children) walk(k, depth + 1, n.name);
  };
  if (root) walk(root, 0, null);
  return out;
}

function findings(r: HierarchyExport): HierarchyFindingDto[] {
  return r.findings.map((f) => ({
    severity: f.severity, code: f.code, params: f.params, message: f.message,
    ...(f.storeNumber !== undefined ? { storeNumber: f.storeNumber } : {}),
    ...(f.node !== undefined ? { node: f.node } : {}),
    ...('row' in f && f.row !== undefined ? { row: f.row } : {}),
  }));
}

export function createTeamsHierarchyHandlers(deps: TeamsConsoleDeps): HandlersOf<typeof teamsHierarchyMethods> {
  const now = deps.now ?? (() => new Date());
  const open = (refs: { commerceProfileId?: string | undefined; graphProfileId?: string | undefined }) => guard(() => openClients(deps, refs));

  const preview = async (c: TeamsClients, o: { hierarchy?: string | undefined; nameColumn: NameColumn; filePath?: string }): Promise<{ preview: HierarchyPreview; raw: HierarchyExport }> => {
    const comms = c.communicationsTeam;
    const [raw, teams] = await Promise.all([
      exportTargetingHierarchy(c.commerce, { hierarchy: o.hierarchy ?? null, communicationsTeam: { teamId: comms?.id ?? null, name: comms?.displayName ?? null }, nameColumn: o.nameColumn, now: now(), ...(o.filePath ? { filePath: o.filePath } : {}) }),
      listTeams(c.graph),
    ]);
    const names = new Map(teams.map((t) => [t.id, t.displayName]));
    if (comms) names.set(comms.id, comms.displayName);
    return {
      raw,
      preview: {
        profiles: c.profiles,
        ok: raw.ok,
        hierarchy: raw.hierarchy ? { ...raw.hierarchy, retailReporting: isReporting(raw.hierarchy.purposes) } : null,
        communicationsTeam: comms ? { id: comms.id, displayName: comms.displayName, mailNickname: comms.mailNickname, isTeam: comms.isTeam } : null,
        nodes: flatten(raw.tree, names),
        rows: raw.rows,
        stores: raw.stores,
        findings: findings(raw),
      },
    };
  };

  return {
    'teamsHierarchy.list': async (refs) => {
      const c = await open(refs);
      return guard(async () => {
        const all = await listHierarchies(c.commerce);
        const picked = pickHierarchy(all, null);
        return { profiles: c.profiles, hierarchies: all.map((h) => ({ ...h, retailReporting: isReporting(h.purposes) })), preferred: picked.ok ? picked.hierarchy.name : null };
      });
    },

    'teamsHierarchy.preview': async ({ hierarchy, nameColumn, ...refs }) => {
      const c = await open(refs);
      return guard(async () => (await preview(c, { hierarchy, nameColumn })).preview);
    },

    'teamsHierarchy.exportCsv': async ({ hierarchy, nameColumn, ...refs }) => {
      const c = await open(refs);
      return guard(async () => {
        const fileName = `teams-targeting-hierarchy-${stamp(now())}.csv`;
        const { preview: p, raw } = await preview(c, { hierarchy, nameColumn });
        // Written only when no rule of Teams is broken (the upload would be refused as a whole).
        const csv = p.ok ? raw.csv : null;
        const savedPath = csv ? await saveExportCopy(deps, fileName, csv) : null;
        return { ...p, fileName, csv, savedPath, powershell: powerShellCommands(savedPath ?? fileName) };
      });
    },
  };
}
