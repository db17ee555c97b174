/**
 * From a Commerce organization hierarchy with purpose *Retail reporting* to Teams' targeting hierarchy
 * (reference E.3 [Inf]): the communications team at the root, the hierarchy's nodes below it, stores as leaves
 * with their team ids (from the store ⇄ team mapping). Pure.
 */
import type { HierarchyBuildCode } from '../../../../preload/contract/commerce-teams/mapping';
import type { HierarchyNode } from './rules';
import { HIERARCHY_NAME_MAX } from './rules';

export const RETAIL_REPORTING_PURPOSE = 'Retail reporting';
export const DEFAULT_ROOT_NAME = 'Retail Communication';

export interface HierarchyChoice {
  name: string;
  purposes: string[];
  /** SetAsDefault on its Retail reporting purpose row. */
  isDefault: boolean;
}

export type PickResult = { ok: true; hierarchy: HierarchyChoice } | { ok: false; code: 'HIERARCHY_NOT_FOUND' | 'HIERARCHY_NOT_RETAIL_REPORTING' | 'HIERARCHY_NONE_FOR_REPORTING' | 'HIERARCHY_AMBIGUOUS'; params: Record<string, string>; message: string };

/** By name (case-insensitive; it must have the purpose), else the default Retail reporting one, else the only one. */
export function pickHierarchy(all: readonly HierarchyChoice[], name?: string | null): PickResult {
  const isReporting = (h: HierarchyChoice) => h.purposes.some((p) => p.toLowerCase() === RETAIL_REPORTING_PURPOSE.toLowerCase());
  const reporting = all.filter(isReporting);
  const list = reporting.map((h) => h.name).join(', ');
  if (name) {
    const h = all.find((x) => x.name.toLowerCase() === name.trim().toLowerCase());
    if (!h) return { ok: false, code: 'HIERARCHY_NOT_FOUND', params: { name, available: list }, message: `There is no organization hierarchy "${name}"${list ? ` (with purpose ${RETAIL_REPORTING_PURPOSE}: ${list})` : ''}.` };
    if (!isReporting(h)) return { ok: false, code: 'HIERARCHY_NOT_RETAIL_REPORTING', params: { name: h.name, available: list }, message: `The hierarchy "${h.name}" is not assigned to the purpose ${RETAIL_REPORTING_PURPOSE} (Organization administration > Setup > Organization > Organization hierarchy purposes)${list ? `; these are: ${list}` : ''}.` };
    return { ok: true, hierarchy: h };
  }
  if (reporting.length === 0) return { ok: false, code: 'HIERARCHY_NONE_FOR_REPORTING', params: {}, message: `No organization hierarchy has the purpose ${RETAIL_REPORTING_PURPOSE}; assign one in Organization hierarchy purposes.` };
  const defaults = reporting.filter((h) => h.isDefault);
  if (defaults.length === 1) return { ok: true, hierarchy: defaults[0]! };
  if (reporting.length === 1) return { ok: true, hierarchy: reporting[0]! };
  return { ok: false, code: 'HIERARCHY_AMBIGUOUS', params: { available: list }, message: `Several hierarchies have the purpose ${RETAIL_REPORTING_PURPOSE} (${list}); choose one with --hierarchy NAME.` };
}

export interface HierarchyEdge {
  partyNumber: string;
  parentPartyNumber: string | null;
  name: string;
}

export interface TreeNode {
  name: string;
  partyNumber: string | null;
  storeNumber: string | null;
  teamId: string | null;
  kind: 'communications' | 'node' | 'store';
  children: TreeNode[];
}

export type BuildWarningCode = HierarchyBuildCode;

export interface BuildWarning {
  severity: 'warning';
  code: BuildWarningCode;
  storeNumber?: string;
  node?: string;
  params: Record<string, string | number>;
  message: string;
}

export interface BuildInput {
  edges: readonly HierarchyEdge[];
  /** Store party number → store. */
  stores: readonly { storeNumber: string; name: string; partyNumber: string | null }[];
  /** Store number → team id. */
  teams: ReadonlyMap<string, string>;
  communications: { teamId: string | null; name?: string | null };
}

export interface BuiltHierarchy {
  root: TreeNode;
  /** Rows of the CSV, parents before children. */
  nodes: HierarchyNode[];
  /** Stores exported as leaves with a team id. */
  stores: number;
  warnings: BuildWarning[];
}

const w = (code: BuildWarningCode, message: string, params: Record<string, string | number> = {}, at: { storeNumber?: string; node?: string } = {}): BuildWarning => ({ severity: 'warning', code, message, params: { ...(at.node !== undefined ? { node: at.node } : {}), ...(at.storeNumber !== undefined ? { storeNumber: at.storeNumber } : {}), ...params }, ...at });

export function buildTargetingHierarchy(input: BuildInput): BuiltHierarchy {
  const warnings: BuildWarning[] = [];
  const storeByParty = new Map(input.stores.filter((s) => s.partyNumber).map((s) => [s.partyNumber!, s]));
  const byParty = new Map<string, HierarchyEdge>();
  for (const e of input.edges) byParty.set(e.partyNumber, e);
  const children = new Map<string | null, HierarchyEdge[]>();
  for (const e of byParty.values()) {
    let parent = e.parentPartyNumber;
    if (parent !== null && !byParty.has(parent)) {
      warnings.push(w('HIERARCHY_SOURCE_PARENT_MISSING', `The parent ${parent} of "${e.name}" is not in the hierarchy; "${e.name}" is placed under the root.`, { parent, name: e.name }, { node: e.name }));
      parent = null;
    }
    children.set(parent, [...(children.get(parent) ?? []), e]);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name) || a.partyNumber.localeCompare(b.partyNumber));

  const comms = input.communications;
  const rootName = (comms.name ?? '').trim() || DEFAULT_ROOT_NAME;
  if (!comms.teamId) warnings.push(w('HIERARCHY_NO_COMMUNICATIONS_TEAM', `There is no communications team: the root "${rootName}" has no team, so nobody can publish task lists. Provision the teams first.`, { name: rootName }));
  const root: TreeNode = { name: rootName, partyNumber: null, storeNumber: null, teamId: comms.teamId ?? null, kind: 'communications', children: [] };

  const seen = new Set<string>();
  const usedTeams = new Set<string>(comms.teamId ? [comms.teamId.toLowerCase()] : []);
  const walk = (e: HierarchyEdge): TreeNode | null => {
    seen.add(e.partyNumber);
    const store = storeByParty.get(e.partyNumber);
    const kids = (children.get(e.partyNumber) ?? []).filter((c) => !seen.has(c.partyNumber)).map(walk).filter((x): x is TreeNode => x !== null);
    let teamId: string | null = null;
    if (store) {
      teamId = input.teams.get(store.storeNumber)?.toLowerCase() ?? null;
      if (teamId && usedTeams.has(teamId)) {
        warnings.push(w('HIERARCHY_STORE_TEAM_REUSED', `Store ${store.storeNumber}'s team ${teamId} is already in the hierarchy (a team may appear once); fix the store ⇄ team mapping.`, { storeNumber: store.storeNumber, teamId }, { storeNumber: store.storeNumber, node: e.name }));
        teamId = null;
      }
      if (teamId) usedTeams.add(teamId);
      else if (!kids.length) warnings.push(w('HIERARCHY_STORE_WITHOUT_TEAM', `Store ${store.storeNumber} (${e.name}) has no team yet: it is left out (leaves need a TeamId). Provision it or map it to a team.`, { storeNumber: store.storeNumber, name: e.name }, { storeNumber: store.storeNumber, node: e.name }));
    }
    if (!teamId && !kids.length) {
      if (!store) warnings.push(w('HIERARCHY_BRANCH_EMPTY', `"${e.name}" has no store with a team below it: it is left out.`, { name: e.name }, { node: e.name }));
      return null;
    }
    return { name: e.name.trim() || e.partyNumber, partyNumber: e.partyNumber, storeNumber: store?.storeNumber ?? null, teamId, kind: store ? 'store' : 'node', children: kids };
  };
  root.children = (children.get(null) ?? []).map(walk).filter((x): x is TreeNode => x !== null);
  const unreachable = [...byParty.values()].filter((e) => !seen.has(e.partyNumber));
  if (unreachable.length) warnings.push(w('HIERARCHY_SOURCE_CYCLE', `${unreachable.length} node(s) are not below any root (a cycle in the hierarchy): ${unreachable.slice(0, 5).map((e) => e.name).join(', ')}; they are left out.`, { count: unreachable.length, nodes: unreachable.map((e) => e.name).join(', ') }));

  // Names: ≤ 100 characters and unique (the root keeps its name; later duplicates get their store/party number).
  const taken = new Set<string>();
  const fix = (n: TreeNode) => {
    let name = n.name;
    if (name.length > HIERARCHY_NAME_MAX) {
      const cut = name.slice(0, HIERARCHY_NAME_MAX).trimEnd();
      warnings.push(w('HIERARCHY_NAME_TRUNCATED', `"${name.slice(0, 40)}…" is longer than ${HIERARCHY_NAME_MAX} characters; shortened.`, { name }, { node: cut, ...(n.storeNumber ? { storeNumber: n.storeNumber } : {}) }));
      name = cut;
    }
    if (taken.has(name.toLowerCase())) {
      // Suffix in the documented charset (letters, digits, space): the store or party number.
      const tag = (n.storeNumber ?? n.partyNumber ?? '').replace(/[^A-Za-z0-9]/g, '') || String(taken.size);
      const withSuffix = (sfx: string) => name.slice(0, HIERARCHY_NAME_MAX - sfx.length).trimEnd() + sfx;
      let next = withSuffix(` ${tag}`);
      for (let k = 2; taken.has(next.toLowerCase()); k++) next = withSuffix(` ${tag} ${k}`);
      warnings.push(w('HIERARCHY_NAME_RENAMED', `Two nodes are called "${name}"; this one is exported as "${next}" (names must be unique).`, { name, renamed: next }, { node: next, ...(n.storeNumber ? { storeNumber: n.storeNumber } : {}) }));
      name = next;
    }
    taken.add(name.toLowerCase());
    n.name = name;
    n.children.forEach(fix);
  };
  fix(root);

  const nodes: HierarchyNode[] = [];
  let stores = 0;
  const emit = (n: TreeNode, parent: string | null) => {
    nodes.push({ name: n.name, parents: parent === null ? [] : [parent], teamId: n.teamId });
    if (n.kind === 'store' && n.teamId) stores++;
    n.children.forEach((c) => emit(c, n.name));
  };
  emit(root, null);
  return { root, nodes, stores, warnings };
}
