/**
 * What the console's mapping and hierarchy handlers share: which Commerce and Graph profiles to use, the clients
 * over them, the communications team, a copy of exported files under the data folder, and service failures as
 * translated errors.
 *
 * Profiles: the ids the call names, else the Commerce ⇄ Teams configuration's (when it has them), else the one
 * usable profile of each kind (a client secret or certificate, or a user sign-in that is signed in). Several
 * usable ones → TEAMS_PROFILE_CHOOSE with their names; none → TEAMS_PROFILE_MISSING.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConnectionProfile } from '../../../../preload/contract/core/connections';
import type { TeamsProfilesUsed } from '../../../../preload/contract/commerce-teams/mapping-methods';
import { CommerceError, type CommerceClient } from '../../../clients/commerce';
import { GraphError, type GraphClient } from '../../../clients/graph';
import type { Connections } from '../../../connections';
import { isUserFlow } from '../../../connections/model';
import { isServiceError } from '../../../http/errors';
import type { Logger } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';
import type { ConnectOptions } from '../connect';
import { connectProfiles } from '../connect';
import { findCommunicationsTeam, MappingUnavailableError } from './directory';
import type { TeamInfo } from './model';

export interface TeamsProfileConfig {
  commerceProfileId: string | null;
  graphProfileId: string | null;
  /** The communications team's id or mail nickname, when configured. */
  communicationsTeam?: string | null;
}

export interface TeamsConsoleDeps {
  connections: Connections;
  logger: Logger;
  /** Where exported files are copied (the data folder's exports/); none in memory. */
  exportDir?: string;
  /** The Commerce ⇄ Teams configuration's profiles (teams.getConfig), when the configuration exists. */
  config?: () => Promise<TeamsProfileConfig | null>;
  /** Client tuning (tests: waits, retries). */
  connect?: ConnectOptions;
  now?: () => Date;
}

export interface ProfileRefs {
  commerceProfileId?: string | undefined;
  graphProfileId?: string | undefined;
}

type Kind = 'commerce-hq' | 'graph';
const KIND_LABEL: Record<Kind, string> = { 'commerce-hq': 'Commerce headquarters', graph: 'Microsoft 365 (Graph)' };

async function pick(deps: TeamsConsoleDeps, kind: Kind, id: string | null | undefined): Promise<ConnectionProfile> {
  if (id) {
    const { profile } = await deps.connections.store.get(id);
    if (profile.kind !== kind)
      throw new AppFailure('TEAMS_PROFILE_WRONG_KIND', `Connection "${profile.name}" is a ${profile.kind} profile; this needs a ${KIND_LABEL[kind]} profile.`, { profile: profile.name });
    return profile;
  }
  const all = (await deps.connections.store.list()).filter((p) => p.kind === kind);
  if (all.length === 0) throw new AppFailure('TEAMS_PROFILE_MISSING', `There is no ${KIND_LABEL[kind]} connection profile. Add one on the Connections page.`, { kind, service: KIND_LABEL[kind] });
  const usable: ConnectionProfile[] = [];
  for (const p of all) {
    if (!isUserFlow(p.authMethod)) usable.push(p);
    else if ((await deps.connections.store.find(p.id))?.homeAccountId) usable.push(p);
  }
  if (usable.length === 1) return usable[0]!;
  if (usable.length === 0 && all.length === 1) return all[0]!; // connectProfiles says it needs a sign-in
  const names = (usable.length ? usable : all).map((p) => p.name).join(', ');
  throw new AppFailure('TEAMS_PROFILE_CHOOSE', `Several ${KIND_LABEL[kind]} profiles could be used (${names}). Choose one.`, { kind, service: KIND_LABEL[kind], profiles: names });
}

export interface TeamsClients {
  commerce: CommerceClient;
  graph: GraphClient;
  profiles: TeamsProfilesUsed;
  communicationsTeam: TeamInfo | null;
}

/** Both clients over the chosen profiles, and the communications team (never a store's team). */
export async function openClients(deps: TeamsConsoleDeps, refs: ProfileRefs): Promise<TeamsClients> {
  const cfg = deps.config ? await deps.config().catch(() => null) : null;
  // A configured profile that was deleted since is not an error here: the choice falls back to the usable one.
  const configured = async (id: string | null | undefined) => (id && (await deps.connections.store.find(id)) ? id : null);
  const commerceProfile = await pick(deps, 'commerce-hq', refs.commerceProfileId ?? (await configured(cfg?.commerceProfileId)));
  const graphProfile = await pick(deps, 'graph', refs.graphProfileId ?? (await configured(cfg?.graphProfileId)));
  const c = await connectProfiles(deps.connections, commerceProfile, graphProfile, deps.connect ?? {});
  const communicationsTeam = await guard(() => findCommunicationsTeam(c.graph, { idOrNickname: cfg?.communicationsTeam ?? null }));
  return {
    commerce: c.commerce,
    graph: c.graph,
    profiles: { commerce: { id: commerceProfile.id, name: commerceProfile.name }, graph: { id: graphProfile.id, name: graphProfile.name } },
    communicationsTeam,
  };
}

/** A remote failure as an error the UI translates (which service, its status and words); the rest unchanged. */
export function asTeamsFailure(x: unknown): unknown {
  if (x instanceof AppFailure) return x;
  if (x instanceof MappingUnavailableError) return new AppFailure('MAPPING_ENTITY_MISSING', x.message, {});
  if (isServiceError(x)) {
    const service = x instanceof GraphError ? 'Microsoft Graph' : x instanceof CommerceError ? 'Commerce headquarters' : 'the service';
    return new AppFailure('TEAMS_SERVICE_FAILED', `${service} answered ${x.status ?? '-'} ${x.code}: ${x.serviceMessage}`, { service, status: x.status ?? 0, code: x.code, reason: x.serviceMessage });
  }
  return x;
}

export async function guard<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (x) {
    throw asTeamsFailure(x);
  }
}

/** A copy of an exported file in the data folder's exports/ (null when there is none or it cannot be written). */
export async function saveExportCopy(deps: Pick<TeamsConsoleDeps, 'exportDir' | 'logger'>, fileName: string, text: string): Promise<string | null> {
  if (!deps.exportDir) return null;
  try {
    await mkdir(deps.exportDir, { recursive: true });
    const file = path.join(deps.exportDir, path.basename(fileName));
    await writeFile(file, text, 'utf8');
    return file;
  } catch (x) {
    deps.logger.warn(`Could not save a copy of ${fileName} in ${deps.exportDir}: ${(x as Error).message}`);
    return null;
  }
}

export const stamp = (d: Date) => d.toISOString().slice(0, 10);
