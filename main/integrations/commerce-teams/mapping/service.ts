/**
 * Export and import of the store ⇄ team mapping (CSV in the data entity's format), on top of ./model (checks),
 * ./directory (Commerce and Graph I/O) and ./suggest. Used by the CLI (`d365ic teams mapping …`) and the console.
 */
import type { CommercePort, GraphPort, MappingRecord, StoreRecord } from './directory';
import { listTeams, lookupTeams, mappingCollection, readMappings, readStores, writeMappings } from './directory';
import type { MappingIssue, MappingNote, TeamInfo } from './model';
import { mappingToCsv, parseMappingCsv, planMappingImport, teamIdsOf } from './model';
import type { Suggestion } from './suggest';
import { suggestMappings } from './suggest';

export interface MappingPorts {
  commerce: CommercePort;
  graph: GraphPort;
  /** The communications team (the hierarchy's root): never a store's team. */
  communicationsTeamId?: string | null;
}

export interface MappingExport {
  csv: string;
  /** Data rows written. */
  rows: number;
  mapped: number;
}

export async function exportMapping(p: Pick<MappingPorts, 'commerce'>, o: { includeUnmapped?: boolean; delimiter?: ',' | ';' } = {}): Promise<MappingExport> {
  const set = await mappingCollection(p.commerce);
  const rows = await readMappings(p.commerce, set);
  let unmapped: string[] = [];
  if (o.includeUnmapped) {
    const have = new Set(rows.map((r) => r.storeNumber));
    unmapped = (await readStores(p.commerce)).map((s) => s.storeNumber).filter((s) => !have.has(s));
  }
  return { csv: mappingToCsv(rows, { unmapped, ...(o.delimiter ? { delimiter: o.delimiter } : {}) }), rows: rows.length + unmapped.length, mapped: rows.length };
}

export interface MappingImportResult {
  rows: number;
  /** Valid rows (written, or already holding that team). */
  imported: number;
  /** Rows whose write changed Commerce. */
  written: number;
  errors: MappingIssue[];
  notes: MappingNote[];
  dryRun: boolean;
}

export async function importMapping(p: MappingPorts, text: string, o: { dryRun?: boolean } = {}): Promise<MappingImportResult> {
  const file = parseMappingCsv(text);
  const set = await mappingCollection(p.commerce);
  const [stores, existing, teams] = await Promise.all([readStores(p.commerce), readMappings(p.commerce, set), lookupTeams(p.graph, teamIdsOf(file))]);
  const plan = planMappingImport(file, { stores, existing, teams, communicationsTeamId: p.communicationsTeamId ?? null });
  const errors = [...plan.errors];
  let imported = plan.valid.length;
  let written = 0;
  if (!o.dryRun) {
    const results = await writeMappings(p.commerce, set, plan.valid.filter((v) => !v.unchanged), existing);
    for (const r of results) {
      if (r.ok) {
        written++;
        continue;
      }
      const v = plan.valid.find((x) => x.storeNumber === r.storeNumber)!;
      imported--;
      errors.push({ row: v.row, code: 'MAPPING_WRITE_FAILED', params: { storeNumber: r.storeNumber, status: r.status, reason: r.message ?? '' }, message: `Commerce refused the row for store ${r.storeNumber} (${r.status}): ${r.message ?? ''}` });
    }
    errors.sort((a, b) => a.row - b.row);
  }
  return { rows: plan.rows, imported, written, errors, notes: plan.notes, dryRun: !!o.dryRun };
}

export interface MappingEditorData {
  stores: (StoreRecord & { teamId: string | null; teamName: string | null })[];
  teams: TeamInfo[];
  mappings: MappingRecord[];
  suggestions: Suggestion[];
}

/** What the mapping editor shows: stores with their team, every team, suggestions by name for unmapped stores. */
export async function loadMappingEditor(p: MappingPorts): Promise<MappingEditorData> {
  const set = await mappingCollection(p.commerce);
  const [stores, mappings, teams] = await Promise.all([readStores(p.commerce), readMappings(p.commerce, set), listTeams(p.graph)]);
  const byStore = new Map(mappings.map((m) => [m.storeNumber, m.teamId]));
  const names = new Map(teams.map((t) => [t.id, t.displayName]));
  return {
    stores: stores.map((s) => {
      const teamId = byStore.get(s.storeNumber) ?? null;
      return { ...s, teamId, teamName: teamId ? (names.get(teamId) ?? null) : null };
    }),
    teams,
    mappings,
    suggestions: suggestMappings(stores, teams, mappings, { communicationsTeamId: p.communicationsTeamId ?? null }),
  };
}
