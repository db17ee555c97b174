/**
 * The I/O around the mapping: stores and the mapping rows from Commerce headquarters, teams from Microsoft Graph,
 * and writing the rows back to the *Teams mapping between source and team* entity.
 *
 * `GET /teams` misses teams (reference commerce-hq-and-graph.md §5: it lists only some, and a team created
 * moments ago is not there yet), so the team list is GET /teams ∪ groups whose resourceProvisioningOptions hold
 * 'Team', and ids the user types are looked up one by one (`lookupTeams`).
 */
import type { CommerceClient, CommerceRow } from '../../../clients/commerce';
import { keySegment } from '../../../clients/commerce';
import type { GraphClient, GraphGroup } from '../../../clients/graph';
import { filter } from '../../../clients/odata';
import type { StoreInfo, StoreMapping, TeamInfo } from './model';
import { MAPPING_ENTITY_LABEL, MAPPING_ENTITY_NAME, SOURCE_TYPE_STORE, normaliseGuid } from './model';

export type CommercePort = Pick<CommerceClient, 'list' | 'collectionFor' | 'batch'>;
export type GraphPort = Pick<GraphClient, 'collect' | 'batch'>;

export interface StoreRecord extends StoreInfo {
  dataAreaId: string;
  operatingUnitNumber: string | null;
  partyNumber: string | null;
}

export interface MappingRecord extends StoreMapping {
  planId: string | null;
}

/** Every store (all companies) with its display name (the operating unit's name). */
export async function readStores(c: CommercePort): Promise<StoreRecord[]> {
  const storesSet = (await c.collectionFor('RetailStores')) ?? 'RetailStores';
  const ouSet = await c.collectionFor('OperatingUnits');
  const rows = await c.list(storesSet, { select: ['dataAreaId', 'StoreNumber', 'OperatingUnitNumber', 'OperatingUnitPartyNumber'] });
  const names = new Map<string, string>();
  if (ouSet) for (const o of await c.list(ouSet, { select: ['OperatingUnitNumber', 'Name'] })) names.set(String(o.OperatingUnitNumber), String(o.Name ?? ''));
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return rows
    .map((r) => {
      const ou = str(r.OperatingUnitNumber);
      const num = String(r.StoreNumber);
      return { storeNumber: num, name: (ou && names.get(ou)) || num, dataAreaId: String(r.dataAreaId ?? ''), operatingUnitNumber: ou, partyNumber: str(r.OperatingUnitPartyNumber) };
    })
    .sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));
}

/** The mapping entity's public collection: by its AOT name, else by its label (never hard-coded). */
export async function mappingCollection(c: CommercePort): Promise<string> {
  const set = (await c.collectionFor(MAPPING_ENTITY_NAME)) ?? (await c.collectionFor(MAPPING_ENTITY_LABEL, { byLabel: true }));
  if (!set) throw new MappingUnavailableError();
  return set;
}

export class MappingUnavailableError extends Error {
  readonly code = 'MAPPING_ENTITY_MISSING';
  constructor() {
    super(`Commerce does not expose the data entity "${MAPPING_ENTITY_LABEL}" on OData (missing or not enabled for the data service).`);
  }
}

export async function readMappings(c: CommercePort, set: string): Promise<MappingRecord[]> {
  const rows = await c.list(set, { select: ['SourceType', 'SourceId', 'TeamId', 'PlanId'] });
  return rows
    .filter((r) => String(r.SourceType) === SOURCE_TYPE_STORE && r.TeamId)
    .map((r) => ({ storeNumber: String(r.SourceId), teamId: String(r.TeamId).toLowerCase(), planId: r.PlanId ? String(r.PlanId) : null }))
    .sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));
}

export interface WriteResult {
  storeNumber: string;
  ok: boolean;
  status: number;
  message: string | null;
}

/**
 * Creates or changes one row per store in `$batch` requests of independent operations (no change set: one bad row
 * must not roll back the others). A changed team drops the row's plan id: that plan belongs to the old team.
 */
export async function writeMappings(c: CommercePort, set: string, rows: readonly StoreMapping[], existing: readonly MappingRecord[], o: { chunk?: number } = {}): Promise<WriteResult[]> {
  const now = new Map(existing.map((e) => [e.storeNumber, e]));
  const ops = rows
    .filter((r) => now.get(r.storeNumber)?.teamId !== r.teamId.toLowerCase())
    .map((r) => {
      const had = now.get(r.storeNumber);
      const body: CommerceRow = had ? { TeamId: r.teamId, PlanId: null, PlanLinkedDateTime: null } : { SourceType: SOURCE_TYPE_STORE, SourceId: r.storeNumber, TeamId: r.teamId };
      return { storeNumber: r.storeNumber, op: had ? { method: 'PATCH' as const, url: `${set}(${keySegment({ SourceType: SOURCE_TYPE_STORE, SourceId: r.storeNumber })})`, body, headers: { 'If-Match': '*' } } : { method: 'POST' as const, url: set, body } };
    });
  const out: WriteResult[] = [];
  const size = o.chunk ?? 100;
  for (let i = 0; i < ops.length; i += size) {
    const part = ops.slice(i, i + size);
    const res = await c.batch(part.map((p) => p.op));
    part.forEach((p, k) => {
      const r = res.find((x) => x.item === k);
      out.push({ storeNumber: p.storeNumber, ok: !!r?.ok, status: r?.status ?? 0, message: r?.ok ? null : (r?.error?.message ?? `HTTP ${r?.status ?? 0}`) });
    });
  }
  return out;
}

const GROUP_SELECT = 'id,displayName,mailNickname,resourceProvisioningOptions';

function teamInfo(g: Partial<GraphGroup> & { id: string; displayName?: string }): TeamInfo {
  return { id: g.id.toLowerCase(), displayName: g.displayName ?? '', mailNickname: g.mailNickname ?? null, isTeam: (g.resourceProvisioningOptions ?? []).includes('Team') };
}

/** GET /teams ∪ groups with resourceProvisioningOptions 'Team' (GET /teams alone misses some). */
export async function listTeams(g: GraphPort): Promise<TeamInfo[]> {
  const byId = new Map<string, TeamInfo>();
  const groups = await g.collect<GraphGroup>('groups', { filter: "resourceProvisioningOptions/Any(x:x eq 'Team')", select: GROUP_SELECT.split(','), top: 999 });
  for (const x of groups) byId.set(x.id.toLowerCase(), { ...teamInfo(x), isTeam: true });
  // GET /teams needs Team.ReadBasic.All, which a least-privilege app may lack: the groups query above is the main source.
  const teams = await g.collect<{ id: string; displayName: string }>('teams', { top: 999 }).catch(() => [] as { id: string; displayName: string }[]);
  for (const t of teams) if (!byId.has(t.id.toLowerCase())) byId.set(t.id.toLowerCase(), { id: t.id.toLowerCase(), displayName: t.displayName, mailNickname: null, isTeam: true });
  return [...byId.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** Each id's group (null when Graph answers 404), in `$batch` requests. */
export async function lookupTeams(g: GraphPort, ids: readonly string[]): Promise<Map<string, TeamInfo | null>> {
  const out = new Map<string, TeamInfo | null>();
  const valid = [...new Set(ids.map((i) => normaliseGuid(i)).filter((x): x is string => !!x))];
  if (!valid.length) return out;
  const res = await g.batch(valid.map((id, k) => ({ id: String(k + 1), method: 'GET' as const, url: `/groups/${id}?$select=${GROUP_SELECT}` })));
  for (const r of res) {
    const id = valid[Number(r.id) - 1]!;
    if (r.ok && r.body) out.set(id, teamInfo(r.body as GraphGroup));
    else if (r.status === 404) out.set(id, null);
    else throw r.error ?? new Error(`Graph answered ${r.status} for group ${id}.`);
  }
  return out;
}

/** The mail nickname the provisioning engine gives the communications team (engine.ts COMMUNICATIONS_TEAM). */
export const COMMUNICATIONS_TEAM_NICKNAME = 'RETAILCOMMUNICATION_D365';

/** The communications team: by id or nickname when given, else the group with the engine's nickname; null when none. */
export async function findCommunicationsTeam(g: GraphPort, o: { idOrNickname?: string | null } = {}): Promise<TeamInfo | null> {
  const given = o.idOrNickname?.trim() || null;
  const id = given ? normaliseGuid(given) : null;
  if (id) return (await lookupTeams(g, [id])).get(id) ?? null;
  const nick = given ?? COMMUNICATIONS_TEAM_NICKNAME;
  const hits = await g.collect<GraphGroup>('groups', { filter: filter.eq('mailNickname', nick), select: GROUP_SELECT.split(',') });
  return hits[0] ? teamInfo(hits[0]) : null;
}

/** Removes the rows of these stores (the store is then provisioned or mapped anew); independent operations. */
export async function deleteMappings(c: CommercePort, set: string, storeNumbers: readonly string[], o: { chunk?: number } = {}): Promise<WriteResult[]> {
  const out: WriteResult[] = [];
  const size = o.chunk ?? 100;
  for (let i = 0; i < storeNumbers.length; i += size) {
    const part = storeNumbers.slice(i, i + size);
    const res = await c.batch(part.map((s) => ({ method: 'DELETE' as const, url: `${set}(${keySegment({ SourceType: SOURCE_TYPE_STORE, SourceId: s })})`, headers: { 'If-Match': '*' } })));
    part.forEach((storeNumber, k) => {
      const r = res.find((x) => x.item === k);
      // Already gone is what was wanted.
      const ok = !!r?.ok || r?.status === 404;
      out.push({ storeNumber, ok, status: r?.status ?? 0, message: ok ? null : (r?.error?.message ?? `HTTP ${r?.status ?? 0}`) });
    });
  }
  return out;
}
