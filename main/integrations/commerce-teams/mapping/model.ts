/**
 * Store ⇄ team mapping: the rows of Commerce's *Teams mapping between source and team* data entity
 * (reference commerce-teams-integration.md A.5, B.6: `SOURCETYPE=RetailStore`, `SOURCEID=<store number>`,
 * `TEAMID=<team/group GUID>`), its CSV and the row-level checks of an import. Pure: no I/O.
 *
 * Every finding carries a code and params (the renderer translates) and an English message (CLI, logs).
 */
import type { MappingIssueCode, MappingNoteCode } from '../../../../preload/contract/commerce-teams/mapping';
import type { CsvDelimiter, CsvRecord } from './csv';
import { parseCsv, toCsv } from './csv';

export const MAPPING_COLUMNS = ['SOURCETYPE', 'SOURCEID', 'TEAMID'] as const;
export const SOURCE_TYPE_STORE = 'RetailStore';
/** The entity's label, used to discover its public collection name at run time. */
export const MAPPING_ENTITY_LABEL = 'Teams mapping between source and team';
export const MAPPING_ENTITY_NAME = 'RetailTeamsSourceTeamMappingEntity';

export interface StoreMapping {
  storeNumber: string;
  teamId: string;
}

export interface StoreInfo {
  storeNumber: string;
  name: string;
}

export interface TeamInfo {
  id: string;
  displayName: string;
  mailNickname: string | null;
  /** False for a group that exists but has no team (resourceProvisioningOptions without 'Team'). */
  isTeam: boolean;
}

export type { MappingIssueCode, MappingNoteCode };

export interface MappingIssue {
  row: number;
  code: MappingIssueCode;
  params: Record<string, string | number>;
  message: string;
}

export interface MappingNote {
  row: number;
  code: MappingNoteCode;
  params: Record<string, string | number>;
  message: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID as Teams admin center, Excel or PowerShell may write it (braces, upper case, spaces) → lower case, or null. */
export function normaliseGuid(v: string): string | null {
  const t = v.trim().replace(/^\{(.*)\}$/, '$1').trim();
  return GUID.test(t) ? t.toLowerCase() : null;
}

// -------------------------------------------------------------------------------------------------- export

/** The entity's CSV (DMF column names, CRLF). `unmapped` stores get a row with an empty TEAMID to fill in. */
export function mappingToCsv(rows: readonly StoreMapping[], o: { unmapped?: readonly string[]; delimiter?: CsvDelimiter; bom?: boolean } = {}): string {
  const body: string[][] = [[...MAPPING_COLUMNS]];
  const sorted = [...rows].sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));
  for (const r of sorted) body.push([SOURCE_TYPE_STORE, r.storeNumber, r.teamId]);
  for (const s of [...(o.unmapped ?? [])].sort()) body.push([SOURCE_TYPE_STORE, s, '']);
  return toCsv(body, { delimiter: o.delimiter ?? ',', bom: o.bom ?? false });
}

// --------------------------------------------------------------------------------------------------- parse

export interface ParsedMappingRow {
  row: number;
  sourceType: string;
  storeNumber: string;
  teamId: string;
}

export interface ParsedMappingFile {
  delimiter: CsvDelimiter;
  /** Data rows in the file (records after the header, malformed ones included). */
  rows: number;
  parsed: ParsedMappingRow[];
  issues: MappingIssue[];
}

const issue = (row: number, code: MappingIssueCode, message: string, params: Record<string, string | number> = {}): MappingIssue => ({ row, code, params, message });

/** Header names are matched case-insensitively, trimmed, with DMF's optional quotes; extra columns are ignored. */
function headerIndex(fields: string[]): Record<(typeof MAPPING_COLUMNS)[number], number> | null {
  const names = fields.map((f) => f.trim().toUpperCase());
  const out = {} as Record<(typeof MAPPING_COLUMNS)[number], number>;
  for (const c of MAPPING_COLUMNS) {
    const i = names.indexOf(c);
    if (i < 0) return null;
    out[c] = i;
  }
  return out;
}

export function parseMappingCsv(text: string): ParsedMappingFile {
  const csv = parseCsv(text);
  const issues: MappingIssue[] = csv.issues.map((x) => issue(x.row, x.code, x.message));
  const records = csv.records;
  const headerRow = records[0]?.row ?? 1;
  const dataRows = (recs: CsvRecord[]) => recs.length + csv.issues.filter((x) => x.row > headerRow).length;
  if (records.length === 0 && csv.issues.length === 0) return { delimiter: csv.delimiter, rows: 0, parsed: [], issues: [issue(1, 'MAPPING_CSV_EMPTY', 'The file is empty: expected the header SOURCETYPE,SOURCEID,TEAMID.')] };
  const first = records[0];
  let idx = first ? headerIndex(first.fields) : null;
  let data = records;
  if (first && idx) data = records.slice(1);
  else if (first && first.fields[0]?.trim().toLowerCase() === SOURCE_TYPE_STORE.toLowerCase()) {
    // No header, the first row is data: read every row in the entity's column order (nothing is lost).
    issues.push(issue(first.row, 'MAPPING_CSV_HEADER_MISSING', 'The header row is missing: rows were read as SOURCETYPE,SOURCEID,TEAMID. Add the header.'));
    idx = { SOURCETYPE: 0, SOURCEID: 1, TEAMID: 2 };
  } else {
    const got = first ? first.fields.join(csv.delimiter) : '';
    issues.push(issue(first?.row ?? 1, 'MAPPING_CSV_HEADER', `The header must name the columns SOURCETYPE, SOURCEID and TEAMID (found "${got.slice(0, 120)}"). No row was read.`, { found: got.slice(0, 120) }));
    const rest = records.slice(1);
    return { delimiter: csv.delimiter, rows: dataRows(rest), parsed: [], issues };
  }
  const width = data !== records ? first!.fields.length : 3;
  const parsed: ParsedMappingRow[] = [];
  for (const r of data) {
    const need = Math.max(idx.SOURCETYPE, idx.SOURCEID, idx.TEAMID) + 1;
    const extra = r.fields.slice(width).some((f) => f.trim() !== '');
    if (r.fields.length < need || extra) {
      issues.push(issue(r.row, 'MAPPING_CSV_FIELD_COUNT', `The row has ${r.fields.length} fields, the header ${width}. Is there a separator inside a value that is not quoted?`, { fields: r.fields.length, expected: width }));
      continue;
    }
    parsed.push({ row: r.row, sourceType: r.fields[idx.SOURCETYPE]!.trim(), storeNumber: r.fields[idx.SOURCEID]!.trim(), teamId: r.fields[idx.TEAMID]!.trim() });
  }
  return { delimiter: csv.delimiter, rows: dataRows(data), parsed, issues };
}

// ------------------------------------------------------------------------------------------------ validate

export interface MappingContext {
  stores: readonly StoreInfo[];
  /** The rows Commerce holds now. */
  existing: readonly StoreMapping[];
  /** Graph's answer for every team id the file names (missing key or null = not found). */
  teams: ReadonlyMap<string, TeamInfo | null>;
  communicationsTeamId: string | null;
}

export interface MappingPlan {
  rows: number;
  /** Valid rows, one per store (to write; `unchanged` ones already hold that team). */
  valid: (StoreMapping & { row: number; unchanged: boolean })[];
  errors: MappingIssue[];
  notes: MappingNote[];
}

/** Team ids the file names that parse as GUIDs (what Graph has to be asked about). */
export function teamIdsOf(file: ParsedMappingFile): string[] {
  return [...new Set(file.parsed.map((r) => normaliseGuid(r.teamId)).filter((x): x is string => x !== null))];
}

/**
 * Row checks (source type, store exists, GUID, team exists and is a team, not the communications team) and the
 * checks across rows and against Commerce (a store twice with different teams, a team for two stores, a team that
 * another store keeps). Every data row ends up valid, an error, or a note (empty TEAMID: nothing to import).
 */
export function planMappingImport(file: ParsedMappingFile, ctx: MappingContext): MappingPlan {
  const errors = [...file.issues];
  const notes: MappingNote[] = [];
  const stores = new Map(ctx.stores.map((s) => [s.storeNumber.toLowerCase(), s]));
  const byStrippedZeros = new Map<string, StoreInfo[]>();
  for (const s of ctx.stores) {
    const k = s.storeNumber.replace(/^0+/, '').toLowerCase();
    byStrippedZeros.set(k, [...(byStrippedZeros.get(k) ?? []), s]);
  }
  const comms = ctx.communicationsTeamId?.toLowerCase() ?? null;
  const candidates: (StoreMapping & { row: number })[] = [];
  for (const r of file.parsed) {
    if (r.sourceType.toLowerCase() !== SOURCE_TYPE_STORE.toLowerCase()) {
      errors.push(issue(r.row, 'MAPPING_SOURCE_TYPE', `SOURCETYPE must be ${SOURCE_TYPE_STORE}, not "${r.sourceType}".`, { value: r.sourceType }));
      continue;
    }
    if (!r.storeNumber) {
      errors.push(issue(r.row, 'MAPPING_STORE_EMPTY', 'SOURCEID (the store number) is empty.'));
      continue;
    }
    let store = stores.get(r.storeNumber.toLowerCase());
    if (!store && /^\d+$/.test(r.storeNumber)) {
      const same = byStrippedZeros.get(r.storeNumber.replace(/^0+/, '')) ?? [];
      if (same.length === 1) {
        store = same[0]!;
        notes.push({ row: r.row, code: 'MAPPING_STORE_ZEROS_RESTORED', params: { value: r.storeNumber, storeNumber: store.storeNumber }, message: `Store "${r.storeNumber}" read as ${store.storeNumber} (a spreadsheet dropped the leading zeros).` });
      }
    }
    if (!store) {
      errors.push(issue(r.row, 'MAPPING_STORE_UNKNOWN', `There is no store ${r.storeNumber} in Commerce.`, { storeNumber: r.storeNumber }));
      continue;
    }
    if (!r.teamId) {
      notes.push({ row: r.row, code: 'MAPPING_TEAM_EMPTY', params: { storeNumber: store.storeNumber }, message: `Store ${store.storeNumber} has no TEAMID: nothing to import for it.` });
      continue;
    }
    const teamId = normaliseGuid(r.teamId);
    if (!teamId) {
      errors.push(issue(r.row, 'MAPPING_TEAM_ID_MALFORMED', `TEAMID "${r.teamId.slice(0, 60)}" is not a GUID (the team's Group ID, e.g. 0b4f8c2e-…).`, { value: r.teamId.slice(0, 60), storeNumber: store.storeNumber }));
      continue;
    }
    if (comms && teamId === comms) {
      errors.push(issue(r.row, 'MAPPING_COMMUNICATIONS_TEAM', `Team ${teamId} is the communications team; it cannot be a store's team.`, { teamId, storeNumber: store.storeNumber }));
      continue;
    }
    const team = ctx.teams.get(teamId) ?? null;
    if (!team) {
      errors.push(issue(r.row, 'MAPPING_TEAM_NOT_FOUND', `No team or group ${teamId} in Microsoft 365 (take the Group ID from Teams admin center).`, { teamId, storeNumber: store.storeNumber }));
      continue;
    }
    if (!team.isTeam) {
      errors.push(issue(r.row, 'MAPPING_GROUP_NOT_TEAM', `Group ${teamId} (${team.displayName}) has no team.`, { teamId, name: team.displayName, storeNumber: store.storeNumber }));
      continue;
    }
    candidates.push({ row: r.row, storeNumber: store.storeNumber, teamId });
  }

  // A store more than once: the same team → the first row counts, the others are duplicates; different teams → all fail.
  const byStore = new Map<string, (StoreMapping & { row: number })[]>();
  for (const c of candidates) byStore.set(c.storeNumber, [...(byStore.get(c.storeNumber) ?? []), c]);
  const once: (StoreMapping & { row: number })[] = [];
  for (const [storeNumber, list] of byStore) {
    if (list.length === 1) {
      once.push(list[0]!);
      continue;
    }
    const teams = new Set(list.map((c) => c.teamId));
    const rowsText = list.map((c) => c.row).join(', ');
    if (teams.size === 1) {
      once.push(list[0]!);
      for (const c of list.slice(1)) errors.push(issue(c.row, 'MAPPING_STORE_DUPLICATE_ROW', `Store ${storeNumber} is already in row ${list[0]!.row} with the same team.`, { storeNumber, firstRow: list[0]!.row }));
    } else {
      for (const c of list) errors.push(issue(c.row, 'MAPPING_STORE_TWICE', `Store ${storeNumber} is mapped to different teams in rows ${rowsText}; keep one.`, { storeNumber, rows: rowsText }));
    }
  }

  // One team for two stores, in the file or against what Commerce keeps for stores the file does not change.
  const byTeam = new Map<string, (StoreMapping & { row: number })[]>();
  for (const c of once) byTeam.set(c.teamId, [...(byTeam.get(c.teamId) ?? []), c]);
  const fileStores = new Set(once.map((c) => c.storeNumber));
  const keptElsewhere = new Map<string, string>();
  for (const e of ctx.existing) if (!fileStores.has(e.storeNumber)) keptElsewhere.set(e.teamId.toLowerCase(), e.storeNumber);
  const valid: MappingPlan['valid'] = [];
  const current = new Map(ctx.existing.map((e) => [e.storeNumber, e.teamId.toLowerCase()]));
  for (const [teamId, list] of byTeam) {
    if (list.length > 1) {
      const stores2 = list.map((c) => c.storeNumber).join(', ');
      const rowsText = list.map((c) => c.row).join(', ');
      for (const c of list) errors.push(issue(c.row, 'MAPPING_TEAM_TWO_STORES', `Team ${teamId} is given to stores ${stores2} (rows ${rowsText}); a team belongs to one store.`, { teamId, stores: stores2, rows: rowsText }));
      continue;
    }
    const c = list[0]!;
    const other = keptElsewhere.get(teamId);
    if (other) {
      errors.push(issue(c.row, 'MAPPING_TEAM_MAPPED_ELSEWHERE', `Team ${teamId} is already store ${other}'s team in Commerce; map store ${other} to another team in the same file first.`, { teamId, storeNumber: c.storeNumber, otherStore: other }));
      continue;
    }
    const unchanged = current.get(c.storeNumber) === teamId;
    if (unchanged) notes.push({ row: c.row, code: 'MAPPING_UNCHANGED', params: { storeNumber: c.storeNumber }, message: `Store ${c.storeNumber} already has this team.` });
    valid.push({ ...c, unchanged });
  }
  errors.sort((a, b) => a.row - b.row);
  valid.sort((a, b) => a.row - b.row);
  return { rows: file.rows, valid, errors, notes: notes.sort((a, b) => a.row - b.row) };
}
