/**
 * `teamsMapping.*`: the console's store ⇄ team mapping editor over Commerce's *Teams mapping between source and
 * team* entity (reference A.5, B.6) and Graph's teams. Files come through the upload mechanism (inline base64 or
 * an `uploadId` of main/rpc/uploads.ts); exports are answered as text and copied under the data folder.
 */
import type { teamsMappingMethods, MappingChange, MappingDraftIssue, MappingEditor, MappingImportRow, MappingValidation } from '../../../../preload/contract/commerce-teams/mapping-methods';
import type { HandlersOf } from '../../../rpc/handlers';
import { AppFailure } from '../../../rpc/errors';
import { fileBytes } from '../../../rpc/uploads';
import { csvField, decodeText, parseCsv } from './csv';
import type { TeamsClients, TeamsConsoleDeps } from './console';
import { guard, openClients, saveExportCopy, stamp } from './console';
import type { MappingRecord } from './directory';
import { deleteMappings, listTeams, lookupTeams, mappingCollection, readMappings, readStores, writeMappings } from './directory';
import type { TeamInfo } from './model';
import { normaliseGuid, parseMappingCsv, planMappingImport, teamIdsOf } from './model';
import { exportMapping, loadMappingEditor } from './service';
import { searchTeams, suggestMappings } from './suggest';

type Draft = { storeNumber: string; teamId: string | null }[];

const summary = (t: TeamInfo) => ({ id: t.id, displayName: t.displayName, mailNickname: t.mailNickname, isTeam: t.isTeam });

async function editor(c: TeamsClients): Promise<MappingEditor> {
  const e = await loadMappingEditor({ commerce: c.commerce, graph: c.graph, communicationsTeamId: c.communicationsTeam?.id ?? null });
  return {
    profiles: c.profiles,
    communicationsTeam: c.communicationsTeam ? summary(c.communicationsTeam) : null,
    stores: e.stores.map((s) => ({ storeNumber: s.storeNumber, name: s.name, dataAreaId: s.dataAreaId, teamId: s.teamId, teamName: s.teamName })),
    teams: e.teams.filter((t) => t.id !== c.communicationsTeam?.id).map(summary),
    suggestions: e.suggestions,
  };
}

/** The mappings a draft leads to: Commerce's rows with the draft's stores replaced (null = removed). */
function overlay(existing: readonly MappingRecord[], draft: Draft): { storeNumber: string; teamId: string }[] {
  const m = new Map(existing.map((e) => [e.storeNumber, e.teamId]));
  for (const d of draft) {
    if (d.teamId) m.set(d.storeNumber, d.teamId.toLowerCase());
    else m.delete(d.storeNumber);
  }
  return [...m].map(([storeNumber, teamId]) => ({ storeNumber, teamId }));
}

function uniqueDraft(draft: Draft): Draft {
  const seen = new Set<string>();
  for (const d of draft) {
    if (seen.has(d.storeNumber)) throw new AppFailure('BAD_REQUEST', `Store ${d.storeNumber} is in the draft twice.`);
    seen.add(d.storeNumber);
  }
  return draft.map((d) => ({ storeNumber: d.storeNumber, teamId: d.teamId ? d.teamId.toLowerCase() : null }));
}

/** The preview of a draft (what changes) and its problems, read fresh from Commerce and Graph. */
async function validateDraft(c: TeamsClients, rawDraft: Draft): Promise<{ validation: MappingValidation; existing: MappingRecord[]; set: string }> {
  const draft = uniqueDraft(rawDraft);
  const set = await mappingCollection(c.commerce);
  const [stores, existing] = await Promise.all([readStores(c.commerce), readMappings(c.commerce, set)]);
  const current = new Map(existing.map((e) => [e.storeNumber, e.teamId]));
  const ids = [...new Set([...draft.map((d) => d.teamId), ...draft.map((d) => current.get(d.storeNumber) ?? null)].filter((x): x is string => !!x))];
  const teams = await lookupTeams(c.graph, ids);
  const storeByNumber = new Map(stores.map((s) => [s.storeNumber, s]));
  const comms = c.communicationsTeam?.id.toLowerCase() ?? null;
  const issues: MappingDraftIssue[] = [];
  const changes: MappingChange[] = [];
  const issue = (storeNumber: string, teamId: string | null, code: string, message: string, params: Record<string, string | number>) => issues.push({ storeNumber, teamId, code, params: { storeNumber, ...params }, message });
  for (const d of draft) {
    const store = storeByNumber.get(d.storeNumber);
    if (!store) {
      issue(d.storeNumber, d.teamId, 'MAPPING_STORE_UNKNOWN', `There is no store ${d.storeNumber} in Commerce.`, {});
      continue;
    }
    const from = current.get(d.storeNumber) ?? null;
    if (d.teamId) {
      const team = teams.get(d.teamId) ?? null;
      if (comms && d.teamId === comms) {
        issue(d.storeNumber, d.teamId, 'MAPPING_COMMUNICATIONS_TEAM', `Team ${d.teamId} is the communications team; it cannot be a store's team.`, { teamId: d.teamId });
        continue;
      }
      if (!team) {
        issue(d.storeNumber, d.teamId, 'MAPPING_TEAM_NOT_FOUND', `No team or group ${d.teamId} in Microsoft 365.`, { teamId: d.teamId });
        continue;
      }
      if (!team.isTeam) {
        issue(d.storeNumber, d.teamId, 'MAPPING_GROUP_NOT_TEAM', `Group ${d.teamId} (${team.displayName}) has no team.`, { teamId: d.teamId, name: team.displayName });
        continue;
      }
    }
    if (from === d.teamId) continue;
    const name = (id: string | null) => (id ? (teams.get(id)?.displayName ?? null) : null);
    changes.push({ storeNumber: d.storeNumber, storeName: store.name, action: !from ? 'add' : d.teamId ? 'change' : 'remove', fromTeamId: from, fromTeamName: name(from), toTeamId: d.teamId, toTeamName: name(d.teamId) });
  }
  // One team per store, over the state the draft leads to.
  const byTeam = new Map<string, string[]>();
  for (const m of overlay(existing, draft)) byTeam.set(m.teamId, [...(byTeam.get(m.teamId) ?? []), m.storeNumber]);
  const inDraft = new Set(draft.map((d) => d.storeNumber));
  for (const [teamId, list] of byTeam) {
    if (list.length < 2) continue;
    const stores2 = list.sort().join(', ');
    const teamName = teams.get(teamId)?.displayName ?? teamId;
    for (const s of list) if (inDraft.has(s)) issue(s, teamId, 'MAPPING_TEAM_SHARED', `Team ${teamName} would belong to stores ${stores2}; a team belongs to one store.`, { teamId, teamName, stores: stores2 });
  }
  issues.sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));
  changes.sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));
  return { validation: { ok: issues.length === 0, changes, issues }, existing, set };
}

const decode = (base64: string): Buffer => {
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(base64)) throw new AppFailure('BAD_REQUEST', 'The file was not sent as base64. Choose the file again.');
  return Buffer.from(base64, 'base64');
};

export function createTeamsMappingHandlers(deps: TeamsConsoleDeps): HandlersOf<typeof teamsMappingMethods> {
  const now = deps.now ?? (() => new Date());
  const open = (refs: { commerceProfileId?: string | undefined; graphProfileId?: string | undefined }) => guard(() => openClients(deps, refs));
  return {
    'teamsMapping.load': async (refs) => {
      const c = await open(refs);
      return guard(() => editor(c));
    },

    'teamsMapping.suggest': async ({ draft, ...refs }) => {
      const c = await open(refs);
      return guard(async () => {
        const set = await mappingCollection(c.commerce);
        const [stores, existing, teams] = await Promise.all([readStores(c.commerce), readMappings(c.commerce, set), listTeams(c.graph)]);
        return { suggestions: suggestMappings(stores, teams, overlay(existing, uniqueDraft(draft)), { communicationsTeamId: c.communicationsTeam?.id ?? null }) };
      });
    },

    'teamsMapping.searchTeams': async ({ query, limit, ...refs }) => {
      const c = await open(refs);
      return guard(async () => {
        const comms = c.communicationsTeam?.id ?? null;
        const teams = (await listTeams(c.graph)).filter((t) => t.id !== comms);
        const found = searchTeams(teams, query, limit);
        const id = normaliseGuid(query);
        // GET /teams (and the groups query) can miss a team that exists: an id is looked up directly.
        if (id && id !== comms && !found.some((t) => t.id === id)) {
          const direct = (await lookupTeams(c.graph, [id])).get(id) ?? null;
          return { teams: direct ? [summary(direct)] : [], lookedUp: true };
        }
        return { teams: found.map(summary), lookedUp: false };
      });
    },

    'teamsMapping.validate': async ({ draft, ...refs }) => {
      const c = await open(refs);
      return guard(async () => (await validateDraft(c, draft)).validation);
    },

    'teamsMapping.save': async ({ draft, expected, ...refs }) => {
      const c = await open(refs);
      return guard(async () => {
        const { validation, existing, set } = await validateDraft(c, draft);
        if (!validation.ok || validation.changes.length === 0) return { stale: false, written: 0, failed: [], validation, editor: null };
        if (expected) {
          const now = new Map(existing.map((e) => [e.storeNumber, e.teamId]));
          const moved = expected.filter((x) => (now.get(x.storeNumber) ?? null) !== (x.fromTeamId?.toLowerCase() ?? null));
          if (moved.length) {
            deps.logger.info(`Teams mapping not saved: Commerce changed since the preview for store(s) ${moved.map((m) => m.storeNumber).join(', ')}.`);
            return { stale: true, written: 0, failed: [], validation, editor: null };
          }
        }
        const upserts = validation.changes.filter((x) => x.toTeamId).map((x) => ({ storeNumber: x.storeNumber, teamId: x.toTeamId! }));
        const removals = validation.changes.filter((x) => !x.toTeamId).map((x) => x.storeNumber);
        const results = [...(await writeMappings(c.commerce, set, upserts, existing)), ...(await deleteMappings(c.commerce, set, removals))];
        const failed: MappingDraftIssue[] = results.filter((r) => !r.ok).map((r) => ({
          storeNumber: r.storeNumber, teamId: upserts.find((u) => u.storeNumber === r.storeNumber)?.teamId ?? null, code: 'MAPPING_WRITE_FAILED',
          params: { storeNumber: r.storeNumber, status: r.status, reason: r.message ?? '' }, message: `Commerce refused the row for store ${r.storeNumber} (${r.status}): ${r.message ?? ''}`,
        }));
        const written = results.filter((r) => r.ok).length;
        deps.logger.info(`Teams mapping saved to ${c.profiles.commerce.name}: ${written} store(s) written, ${failed.length} refused.`);
        return { stale: false, written, failed, validation, editor: await editor(c) };
      });
    },

    'teamsMapping.exportCsv': async ({ includeUnmapped, delimiter, ...refs }) => {
      const c = await open(refs);
      return guard(async () => {
        const r = await exportMapping({ commerce: c.commerce }, { includeUnmapped, delimiter });
        const fileName = `teams-mapping-${stamp(now())}.csv`;
        return { fileName, text: r.csv, rows: r.rows, mapped: r.mapped, savedPath: await saveExportCopy(deps, fileName, r.csv) };
      });
    },

    'teamsMapping.importCsv': async ({ fileName, base64, uploadId, apply, ...refs }) => {
      const { text, encoding } = decodeText(fileBytes({ base64, uploadId }, decode));
      const c = await open(refs);
      return guard(async () => {
        const file = parseMappingCsv(text);
        const set = await mappingCollection(c.commerce);
        const [stores, existing, teams] = await Promise.all([readStores(c.commerce), readMappings(c.commerce, set), lookupTeams(c.graph, teamIdsOf(file))]);
        const plan = planMappingImport(file, { stores, existing, teams, communicationsTeamId: c.communicationsTeam?.id ?? null });
        const errors = [...plan.errors];
        let written = 0;
        let valid = plan.valid;
        if (apply) {
          const results = await writeMappings(c.commerce, set, plan.valid.filter((v) => !v.unchanged), existing);
          const refused = new Set<string>();
          for (const r of results) {
            if (r.ok) {
              written++;
              continue;
            }
            const v = plan.valid.find((x) => x.storeNumber === r.storeNumber)!;
            refused.add(r.storeNumber);
            errors.push({ row: v.row, code: 'MAPPING_WRITE_FAILED', params: { storeNumber: r.storeNumber, status: r.status, reason: r.message ?? '' }, message: `Commerce refused the row for store ${r.storeNumber} (${r.status}): ${r.message ?? ''}` });
          }
          valid = valid.filter((v) => !refused.has(v.storeNumber));
          deps.logger.info(`Teams mapping import ${fileName} into ${c.profiles.commerce.name}: ${written} written, ${errors.length} row error(s).`);
        }
        return { fileName, encoding, delimiter: file.delimiter, dryRun: !apply, rows: plan.rows, imported: valid.length, written, errors: errors.length, lines: importLines(text, file.delimiter, errors, plan.notes, valid, teams) };
      });
    },
  };
}

/** One line per data row (and row 1 when the file itself is wrong): error before valid before note; the row as read. */
function importLines(
  text: string, delimiter: ',' | ';' | '\t',
  errors: ReturnType<typeof planMappingImport>['errors'], notes: ReturnType<typeof planMappingImport>['notes'],
  valid: ReturnType<typeof planMappingImport>['valid'], teams: ReadonlyMap<string, TeamInfo | null>,
): MappingImportRow[] {
  const csv = parseCsv(text, { delimiter });
  const records = new Map(csv.records.map((r) => [r.row, r.fields]));
  const rawLines = text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/);
  const source = (row: number) => records.get(row)?.map((f) => csvField(f, delimiter)).join(delimiter) ?? rawLines[row - 1] ?? '';
  const fieldsOf = (row: number) => records.get(row) ?? [];
  const lines = new Map<number, MappingImportRow>();
  const base = (row: number): MappingImportRow => ({ row, status: 'note', storeNumber: null, teamId: null, teamName: null, code: null, params: {}, message: null, source: source(row) });
  for (const e of errors) {
    if (lines.get(e.row)?.status === 'error') continue;
    const storeNumber = typeof e.params.storeNumber === 'string' ? e.params.storeNumber : (fieldsOf(e.row)[1]?.trim() || null);
    const teamId = typeof e.params.teamId === 'string' ? e.params.teamId : (fieldsOf(e.row)[2]?.trim() || null);
    lines.set(e.row, { ...base(e.row), status: 'error', storeNumber, teamId, teamName: teamId ? (teams.get(teamId)?.displayName ?? null) : null, code: e.code, params: e.params, message: e.message });
  }
  for (const v of valid) {
    if (lines.has(v.row)) continue;
    const note = notes.find((n) => n.row === v.row);
    lines.set(v.row, { ...base(v.row), status: v.unchanged ? 'unchanged' : 'valid', storeNumber: v.storeNumber, teamId: v.teamId, teamName: teams.get(v.teamId)?.displayName ?? null, code: note?.code ?? null, params: note?.params ?? {}, message: note?.message ?? null });
  }
  for (const n of notes) {
    if (lines.has(n.row)) continue;
    lines.set(n.row, { ...base(n.row), storeNumber: typeof n.params.storeNumber === 'string' ? n.params.storeNumber : null, code: n.code, params: n.params, message: n.message });
  }
  // A header that names no column: no row was read, and every row says so (nothing silently dropped).
  const header = errors.find((e) => e.code === 'MAPPING_CSV_HEADER');
  if (header) for (const r of csv.records) if (r.row > header.row && !lines.has(r.row)) lines.set(r.row, { ...base(r.row), status: 'error', code: header.code, params: header.params, message: header.message });
  return [...lines.values()].sort((a, b) => a.row - b.row);
}
