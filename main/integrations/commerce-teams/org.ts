/**
 * The Commerce org structure the Teams engine needs, read from headquarters over OData with every collection name
 * discovered at run time (`/Metadata/DataEntities`, the mapping entity by its label): stores (with their operating
 * unit's name), active channel workers, their Retail staff Entra link (ExternalSubIdentifier = object id,
 * ExternalIdentityAlias = UPN) and employment type (Manager = store manager), HQ users holding Retail task manager,
 * regional managers, hierarchy purposes and the Teams mapping entity.
 *
 * [ours] Microsoft publishes no field that marks a regional manager: a worker without a Retail staff record whose
 * e-mail is an enabled HQ user's alias and who works in no store is one (what the demo seed models).
 */
import type { CommerceClient, CommerceRow } from '../../clients/commerce/client';

export const RETAIL_TASK_MANAGER_ROLE = 'RETAILTASKMANAGER';
export const RETAIL_TASK_MANAGER_ROLE_NAME = 'Retail task manager';
export const RETAIL_REPORTING_PURPOSE = 'Retail reporting';
export const MAPPING_ENTITY_LABEL = 'Teams mapping between source and team';
export const MAPPING_SOURCE_TYPE = 'RetailStore';

export interface OrgPerson {
  personnelNumber: string;
  name: string;
  /** Entra object id (Retail staff ExternalSubIdentifier), null when not linked. */
  objectId: string | null;
  /** UPN (ExternalIdentityAlias / ExternalName), null when not linked. */
  upn: string | null;
  manager: boolean;
}

export interface OrgStore {
  storeNumber: string;
  channelId: string;
  dataAreaId: string;
  name: string;
  managers: OrgPerson[];
  workers: OrgPerson[];
}

export interface OrgUser {
  userId: string;
  upn: string;
  name: string;
}

export interface OrgMappingRow {
  storeNumber: string;
  teamId: string | null;
  planId: string | null;
}

export interface OrgModel {
  stores: OrgStore[];
  /** HQ users with an enabled Retail task manager assignment (the communications team). */
  taskManagers: OrgUser[];
  /** Regional managers and whether they hold Retail task manager (R6/R7). */
  regionalManagers: (OrgUser & { personnelNumber: string; hasTaskRole: boolean })[];
  /** Hierarchy type → its purposes. */
  hierarchies: { type: string; purposes: string[] }[];
  /** Store number → the Teams mapping entity's row. */
  mapping: Map<string, OrgMappingRow>;
  /** Discovered collection names (null = the environment does not expose the entity). */
  collections: Record<OrgEntity, string | null>;
}

export const ORG_ENTITIES = {
  stores: 'RetailStoreEntity',
  operatingUnits: 'OMOperatingUnitEntity',
  workers: 'HcmWorkerEntity',
  staff: 'RetailStaffEntity',
  channelWorkers: 'RetailChannelWorkerEntity',
  users: 'SystemUserEntity',
  roles: 'SecurityUserRoleEntity',
  purposes: 'OMHierarchyPurposeEntity',
  mapping: 'RetailTeamsSourceTeamMappingEntity',
} as const;
export type OrgEntity = keyof typeof ORG_ENTITIES;
/** Without these there is nothing to provision. */
export const REQUIRED_ENTITIES: readonly OrgEntity[] = ['stores', 'staff', 'channelWorkers'];

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const yes = (v: unknown): boolean => v === true || v === 'Yes' || v === 1;

export async function discoverCollections(commerce: CommerceClient): Promise<Record<OrgEntity, string | null>> {
  const out = {} as Record<OrgEntity, string | null>;
  for (const [k, aot] of Object.entries(ORG_ENTITIES) as [OrgEntity, string][]) {
    out[k] = k === 'mapping' ? ((await commerce.collectionFor(aot)) ?? (await commerce.collectionFor(MAPPING_ENTITY_LABEL, { byLabel: true }))) : await commerce.collectionFor(aot);
  }
  return out;
}

export class OrgEntityMissing extends Error {
  constructor(readonly entities: string[]) {
    super(`Commerce headquarters does not expose ${entities.join(', ')} on OData (Data management → Data entities: enable "Public" / data service).`);
  }
}

/** Read the whole org (one pass per collection, cross-company, server-driven paging). */
export async function readOrg(commerce: CommerceClient): Promise<OrgModel> {
  const collections = await discoverCollections(commerce);
  const missing = REQUIRED_ENTITIES.filter((e) => !collections[e]).map((e) => ORG_ENTITIES[e]);
  if (missing.length) throw new OrgEntityMissing(missing);
  const list = async (e: OrgEntity, select?: string[], filter?: string): Promise<CommerceRow[]> =>
    collections[e] ? commerce.list(collections[e]!, { ...(select ? { select } : {}), ...(filter ? { filter } : {}) }) : [];

  const [storeRows, units, workerRows, staffRows, channelRows, userRows, roleRows, purposeRows, mappingRows] = await Promise.all([
    list('stores', ['dataAreaId', 'RetailChannelId', 'StoreNumber', 'OperatingUnitNumber', 'OperatingUnitPartyNumber']),
    list('operatingUnits', ['OperatingUnitNumber', 'PartyNumber', 'Name']),
    list('workers', ['PersonnelNumber', 'Name', 'IdentityEmail']),
    list('staff', ['PersonnelNumber', 'ExternalSubIdentifier', 'ExternalIdentityAlias', 'ExternalName', 'EmploymentType']),
    list('channelWorkers', ['RetailChannelId', 'PersonnelNumber', 'StoreNumber', 'IsActive']),
    list('users', ['UserID', 'Alias', 'UserName', 'Enabled']),
    list('roles', ['UserId', 'SecurityRoleIdentifier', 'SecurityRoleName', 'AssignmentStatus']),
    list('purposes', ['HierarchyType', 'HierarchyPurpose']),
    list('mapping'),
  ]);

  const unitName = new Map<string, string>();
  for (const u of units) {
    unitName.set(`n:${str(u.OperatingUnitNumber)}`, str(u.Name));
    unitName.set(`p:${str(u.PartyNumber)}`, str(u.Name));
  }
  const workerName = new Map(workerRows.map((w) => [str(w.PersonnelNumber), str(w.Name)]));
  const staff = new Map(staffRows.map((s) => [str(s.PersonnelNumber), s]));
  const person = (pn: string): OrgPerson => {
    const s = staff.get(pn);
    const objectId = str(s?.ExternalSubIdentifier) || null;
    const upn = str(s?.ExternalIdentityAlias) || str(s?.ExternalName) || null;
    return { personnelNumber: pn, name: workerName.get(pn) ?? pn, objectId, upn: objectId || upn ? upn : null, manager: str(s?.EmploymentType) === 'Manager' };
  };

  const byChannel = new Map<string, OrgPerson[]>();
  const inAnyStore = new Set<string>();
  for (const c of channelRows) {
    if (!yes(c.IsActive)) continue;
    const pn = str(c.PersonnelNumber);
    inAnyStore.add(pn);
    const key = str(c.RetailChannelId);
    const arr = byChannel.get(key) ?? [];
    if (!arr.some((p) => p.personnelNumber === pn)) arr.push(person(pn));
    byChannel.set(key, arr);
  }
  const stores: OrgStore[] = storeRows
    .map((s) => {
      const people = (byChannel.get(str(s.RetailChannelId)) ?? []).sort((a, b) => a.personnelNumber.localeCompare(b.personnelNumber));
      return {
        storeNumber: str(s.StoreNumber),
        channelId: str(s.RetailChannelId),
        dataAreaId: str(s.dataAreaId),
        name: unitName.get(`p:${str(s.OperatingUnitPartyNumber)}`) ?? unitName.get(`n:${str(s.OperatingUnitNumber)}`) ?? str(s.StoreNumber),
        managers: people.filter((p) => p.manager),
        workers: people.filter((p) => !p.manager),
      };
    })
    .sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));

  const users = new Map(userRows.filter((u) => u.Enabled !== false && u.Enabled !== 'No').map((u) => [str(u.UserID), u]));
  const taskRole = new Set(
    roleRows
      .filter((r) => (str(r.SecurityRoleIdentifier).toUpperCase() === RETAIL_TASK_MANAGER_ROLE || str(r.SecurityRoleName) === RETAIL_TASK_MANAGER_ROLE_NAME) && str(r.AssignmentStatus || 'Enabled') === 'Enabled')
      .map((r) => str(r.UserId)),
  );
  const orgUser = (id: string): OrgUser | null => {
    const u = users.get(id);
    return u && str(u.Alias) ? { userId: id, upn: str(u.Alias), name: str(u.UserName) || id } : null;
  };
  const taskManagers = [...taskRole].map(orgUser).filter((u): u is OrgUser => u !== null).sort((a, b) => a.upn.localeCompare(b.upn));

  const userByAlias = new Map([...users.values()].map((u) => [str(u.Alias).toLowerCase(), str(u.UserID)]));
  const regionalManagers: OrgModel['regionalManagers'] = [];
  for (const w of workerRows) {
    const pn = str(w.PersonnelNumber);
    if (staff.has(pn) || inAnyStore.has(pn)) continue;
    const id = userByAlias.get(str(w.IdentityEmail).toLowerCase());
    const u = id ? orgUser(id) : null;
    if (u) regionalManagers.push({ ...u, personnelNumber: pn, hasTaskRole: taskRole.has(u.userId) });
  }

  const types = new Map<string, string[]>();
  for (const p of purposeRows) types.set(str(p.HierarchyType), [...(types.get(str(p.HierarchyType)) ?? []), str(p.HierarchyPurpose)]);
  const mapping = new Map<string, OrgMappingRow>();
  for (const m of mappingRows) {
    if (str(m.SourceType) !== MAPPING_SOURCE_TYPE) continue;
    mapping.set(str(m.SourceId), { storeNumber: str(m.SourceId), teamId: str(m.TeamId) || null, planId: str(m.PlanId) || null });
  }
  return { stores, taskManagers, regionalManagers, hierarchies: [...types].map(([type, purposes]) => ({ type, purposes })), mapping, collections };
}
