/**
 * Teams' targeting hierarchy CSV (reference commerce-teams-integration.md E.1/E.2): the file
 * `Set-TeamTargetingHierarchy` uploads, its rules, and the PowerShell to upload it and check its status. Pure.
 *
 * E.1: UTF-8; one row per node; the first three columns fixed and in order (`TargetName` — `DisplayName` in the
 * current docs — , `ParentName`, `TeamId`); node names unique; a team once; no cycles; several root trees allowed;
 * at most 15,000 nodes. E.2: names ≤ 100 characters (documented charset A–Z a–z 0–9, examples use spaces);
 * ParentName equals an existing node's name, several parents (`;`, ≤ 25, each ≤ 2,500 characters) only when all
 * are roots; TeamId a GUID, required on leaves; attribute columns ≤ 50, ≤ 50 distinct values, values ≤ 100;
 * `Name:Value` columns hold 0/1; bucket columns `#Name` ≤ 25. The Teams admin center upload is at most 1 MB.
 */
import type { HierarchyIssueCode } from '../../../../preload/contract/commerce-teams/mapping';
import { parseCsv, toCsv } from '../mapping/csv';

export const HIERARCHY_MAX_NODES = 15_000;
export const HIERARCHY_NAME_MAX = 100;
export const HIERARCHY_MAX_PARENTS = 25;
export const HIERARCHY_PARENT_CELL_MAX = 2_500;
export const HIERARCHY_MAX_ATTRIBUTES = 50;
export const HIERARCHY_MAX_ATTRIBUTE_VALUES = 50;
export const HIERARCHY_MAX_BUCKETS = 25;
export const HIERARCHY_ADMIN_CENTER_MAX_BYTES = 1_048_576;
export type NameColumn = 'TargetName' | 'DisplayName';

export interface HierarchyNode {
  name: string;
  /** Parent names (empty at a root). */
  parents: string[];
  teamId: string | null;
  /** Extra columns (attributes `Name`, `Name:Value`, buckets `#Name`) → cell. */
  attributes?: Record<string, string>;
}

export type { HierarchyIssueCode };

export interface HierarchyIssue {
  severity: 'error' | 'warning';
  code: HierarchyIssueCode;
  /** Spreadsheet row (header = 1) when the issue is about one node. */
  row?: number;
  node?: string;
  params: Record<string, string | number>;
  message: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOC_CHARSET = /^[A-Za-z0-9 ]*$/;

/** `row` and `node` also go into params, so a translation can name them. */
const withAt = (params: Record<string, string | number>, at: { row?: number; node?: string }) => ({ ...(at.row !== undefined ? { row: at.row } : {}), ...(at.node !== undefined ? { node: at.node } : {}), ...params });
function err(code: HierarchyIssueCode, message: string, params: Record<string, string | number> = {}, at: { row?: number; node?: string } = {}): HierarchyIssue {
  return { severity: 'error', code, message, params: withAt(params, at), ...at };
}
function warn(code: HierarchyIssueCode, message: string, params: Record<string, string | number> = {}, at: { row?: number; node?: string } = {}): HierarchyIssue {
  return { severity: 'warning', code, message, params: withAt(params, at), ...at };
}

/** Every E.1/E.2 rule over a list of nodes in file order (row = index + 2). */
export function validateHierarchy(nodes: readonly HierarchyNode[], o: { csvBytes?: number } = {}): HierarchyIssue[] {
  const out: HierarchyIssue[] = [];
  if (nodes.length === 0) return [err('HIERARCHY_EMPTY', 'The hierarchy has no node.')];
  if (nodes.length > HIERARCHY_MAX_NODES) out.push(err('HIERARCHY_TOO_MANY_NODES', `The hierarchy has ${nodes.length} nodes; Teams accepts at most ${HIERARCHY_MAX_NODES} (Microsoft can raise the limit on request).`, { count: nodes.length, max: HIERARCHY_MAX_NODES }));
  const rowOf = new Map<string, number>();
  const byName = new Map<string, HierarchyNode>();
  const odd: string[] = [];
  nodes.forEach((n, i) => {
    const row = i + 2;
    const at = { row, node: n.name };
    if (!n.name.trim()) out.push(err('HIERARCHY_NAME_EMPTY', `Row ${row} has no node name.`, { row }, at));
    if (n.name.length > HIERARCHY_NAME_MAX) out.push(err('HIERARCHY_NAME_TOO_LONG', `"${n.name.slice(0, 40)}…" is ${n.name.length} characters long; at most ${HIERARCHY_NAME_MAX}.`, { length: n.name.length, max: HIERARCHY_NAME_MAX }, at));
    if (!DOC_CHARSET.test(n.name)) odd.push(n.name);
    if (rowOf.has(n.name)) out.push(err('HIERARCHY_NAME_DUPLICATE', `"${n.name}" is in rows ${rowOf.get(n.name)} and ${row}; node names must be unique.`, { firstRow: rowOf.get(n.name)!, name: n.name }, at));
    else {
      rowOf.set(n.name, row);
      byName.set(n.name, n);
    }
  });
  if (odd.length)
    out.push(warn('HIERARCHY_NAME_CHARSET', `${odd.length} node name(s) use characters beyond the documented A–Z, a–z, 0–9 and space (e.g. "${odd[0]}"); Teams' own examples use more, so this is only a warning.`, { count: odd.length, example: odd[0]! }));
  const teams = new Map<string, number>();
  const hasChild = new Set<string>();
  for (const n of nodes) for (const p of n.parents) hasChild.add(p);
  nodes.forEach((n, i) => {
    const row = i + 2;
    const at = { row, node: n.name };
    if (n.parents.length > HIERARCHY_MAX_PARENTS) out.push(err('HIERARCHY_TOO_MANY_PARENTS', `"${n.name}" has ${n.parents.length} parents; at most ${HIERARCHY_MAX_PARENTS}.`, { count: n.parents.length, max: HIERARCHY_MAX_PARENTS }, at));
    if (n.parents.join(';').length > HIERARCHY_PARENT_CELL_MAX) out.push(err('HIERARCHY_PARENT_CELL_TOO_LONG', `The ParentName cell of "${n.name}" is longer than ${HIERARCHY_PARENT_CELL_MAX} characters.`, { max: HIERARCHY_PARENT_CELL_MAX }, at));
    for (const p of n.parents) if (!byName.has(p)) out.push(err('HIERARCHY_PARENT_MISSING', `The parent "${p}" of "${n.name}" is not a node of the file (ParentName must equal the parent's name exactly).`, { parent: p }, at));
    if (n.parents.length > 1) {
      const notRoot = n.parents.filter((p) => (byName.get(p)?.parents.length ?? 0) > 0);
      if (notRoot.length) out.push(err('HIERARCHY_PARENTS_NOT_ROOTS', `"${n.name}" has several parents, which Teams allows only when all of them are root nodes ("${notRoot[0]}" is not).`, { parent: notRoot[0]! }, at));
    }
    if (n.teamId) {
      if (!GUID.test(n.teamId)) out.push(err('HIERARCHY_TEAM_ID_MALFORMED', `The TeamId of "${n.name}" is not a GUID: "${n.teamId.slice(0, 60)}".`, { value: n.teamId.slice(0, 60) }, at));
      const k = n.teamId.toLowerCase();
      if (teams.has(k)) out.push(err('HIERARCHY_TEAM_TWICE', `Team ${n.teamId} is in rows ${teams.get(k)} and ${row}; a team may appear once.`, { teamId: n.teamId, firstRow: teams.get(k)! }, at));
      else teams.set(k, row);
    } else if (!hasChild.has(n.name)) out.push(err('HIERARCHY_LEAF_WITHOUT_TEAM', `"${n.name}" is a leaf without a TeamId; leaves must have one.`, {}, at));
  });
  // Cycles: walk every node's parents; a node reached again on its own path is in a cycle.
  const state = new Map<string, 1 | 2>();
  const inCycle = new Set<string>();
  const visit = (name: string, path: string[]) => {
    const s = state.get(name);
    if (s === 2) return;
    if (s === 1) {
      for (const x of path.slice(path.indexOf(name))) inCycle.add(x);
      return;
    }
    state.set(name, 1);
    for (const p of byName.get(name)?.parents ?? []) if (byName.has(p)) visit(p, [...path, name]);
    state.set(name, 2);
  };
  for (const n of byName.keys()) visit(n, []);
  if (inCycle.size) {
    const names = [...inCycle].sort((a, b) => rowOf.get(a)! - rowOf.get(b)!);
    out.push(err('HIERARCHY_CYCLE', `These nodes are their own ancestors (a cycle): ${names.slice(0, 10).join(' → ')}.`, { nodes: names.join(', ') }, { row: rowOf.get(names[0]!)!, node: names[0]! }));
  }
  // Attribute and bucket columns.
  const columns = new Set<string>();
  for (const n of nodes) for (const k of Object.keys(n.attributes ?? {})) columns.add(k);
  const buckets = [...columns].filter((c) => c.startsWith('#'));
  const attrs = [...columns].filter((c) => !c.startsWith('#'));
  const attrNames = new Set(attrs.map((c) => (c.includes(':') ? c.slice(0, c.indexOf(':')) : c)));
  if (attrNames.size > HIERARCHY_MAX_ATTRIBUTES) out.push(err('HIERARCHY_TOO_MANY_ATTRIBUTES', `${attrNames.size} attribute columns; at most ${HIERARCHY_MAX_ATTRIBUTES}.`, { count: attrNames.size, max: HIERARCHY_MAX_ATTRIBUTES }));
  if (buckets.length > HIERARCHY_MAX_BUCKETS) out.push(err('HIERARCHY_TOO_MANY_BUCKETS', `${buckets.length} bucket columns; at most ${HIERARCHY_MAX_BUCKETS}.`, { count: buckets.length, max: HIERARCHY_MAX_BUCKETS }));
  for (const c of attrs) {
    const values = nodes.map((n) => n.attributes?.[c] ?? '').filter((v) => v !== '');
    if (c.includes(':')) {
      const bad = values.find((v) => v !== '0' && v !== '1');
      if (bad !== undefined) out.push(err('HIERARCHY_ATTRIBUTE_NOT_BINARY', `Column "${c}" is a multi-valued attribute: its cells hold 0 or 1, not "${bad.slice(0, 20)}".`, { column: c }));
    } else {
      const distinct = new Set(values);
      if (distinct.size > HIERARCHY_MAX_ATTRIBUTE_VALUES) out.push(err('HIERARCHY_ATTRIBUTE_VALUES', `Column "${c}" has ${distinct.size} distinct values; at most ${HIERARCHY_MAX_ATTRIBUTE_VALUES}.`, { column: c, count: distinct.size, max: HIERARCHY_MAX_ATTRIBUTE_VALUES }));
      const long = values.find((v) => v.length > HIERARCHY_NAME_MAX);
      if (long) out.push(err('HIERARCHY_ATTRIBUTE_VALUE_TOO_LONG', `A value in column "${c}" is longer than ${HIERARCHY_NAME_MAX} characters.`, { column: c, max: HIERARCHY_NAME_MAX }));
    }
  }
  if (o.csvBytes !== undefined && o.csvBytes > HIERARCHY_ADMIN_CENTER_MAX_BYTES)
    out.push(warn('HIERARCHY_FILE_TOO_BIG_FOR_ADMIN_CENTER', `The file is ${o.csvBytes} bytes: fine for Set-TeamTargetingHierarchy, too big for the Teams admin center upload (1 MB).`, { bytes: o.csvBytes }));
  return out;
}

/** The CSV (UTF-8 without BOM, CRLF), nodes in the given order (parents before children). */
export function hierarchyToCsv(nodes: readonly HierarchyNode[], o: { nameColumn?: NameColumn } = {}): string {
  const extra: string[] = [];
  for (const n of nodes) for (const k of Object.keys(n.attributes ?? {})) if (!extra.includes(k)) extra.push(k);
  const rows = [[o.nameColumn ?? 'TargetName', 'ParentName', 'TeamId', ...extra], ...nodes.map((n) => [n.name, n.parents.join(';'), n.teamId ?? '', ...extra.map((k) => n.attributes?.[k] ?? '')])];
  return toCsv(rows, { delimiter: ',', bom: false });
}

/** Reads a hierarchy CSV (to validate a file someone edited): header checks plus the nodes. */
export function parseHierarchyCsv(text: string): { nodes: HierarchyNode[]; issues: HierarchyIssue[] } {
  const csv = parseCsv(text, { delimiter: ',' });
  const issues: HierarchyIssue[] = csv.issues.map((x) => err('HIERARCHY_CSV_SYNTAX', x.message, {}, { row: x.row }));
  if (csv.hadBom) issues.push(warn('HIERARCHY_CSV_SYNTAX', 'The file starts with a byte order mark; save it as UTF-8 without BOM.', {}, { row: 1 }));
  const [head, ...data] = csv.records;
  const h = head?.fields.map((f) => f.trim()) ?? [];
  if (!head || !['targetname', 'displayname'].includes((h[0] ?? '').toLowerCase()) || (h[1] ?? '').toLowerCase() !== 'parentname' || (h[2] ?? '').toLowerCase() !== 'teamid') {
    issues.push(err('HIERARCHY_CSV_HEADER', 'The first three columns must be TargetName (or DisplayName), ParentName and TeamId, in this order.', { found: h.slice(0, 3).join(',') }, { row: 1 }));
    return { nodes: [], issues };
  }
  const nodes = data.map((r) => ({
    name: r.fields[0] ?? '',
    parents: (r.fields[1] ?? '').split(';').map((p) => p.trim()).filter(Boolean),
    teamId: (r.fields[2] ?? '').trim() || null,
    attributes: Object.fromEntries(h.slice(3).map((k, i) => [k, r.fields[i + 3] ?? ''])),
  }));
  return { nodes, issues };
}

function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export interface PowerShellSteps {
  /** Commands to upload the file (one per line). */
  upload: string[];
  /** Commands to check the upload's status. */
  status: string[];
}

/** `Connect-MicrosoftTeams`, `Set-TeamTargetingHierarchy -FilePath …` and the status checks (reference E.4). */
export function powerShellCommands(filePath: string): PowerShellSteps {
  return {
    upload: ['Install-Module -Name MicrosoftTeams -Scope CurrentUser', 'Connect-MicrosoftTeams', `Set-TeamTargetingHierarchy -FilePath ${psQuote(filePath)}`],
    status: ['Get-TeamTargetingHierarchyStatus', '(Get-TeamTargetingHierarchyStatus).ErrorDetails.ErrorMessage'],
  };
}
