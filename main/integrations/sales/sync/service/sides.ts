/**
 * Where the sync connects: two connection profiles (Dataverse, Business Central), turned into side adapters whose
 * HTTP clients carry the profiles' token providers, so tokens never leave the main process.
 *
 * In the app the profiles come from the enabled setup (integration profile for Dataverse, the BC profile and
 * company); while setup is not enabled the demo sandbox profiles are used and reported as such.
 */
import type { ConnectionProfile } from '../../../../../preload/contract/core/connections';
import type { SyncSource } from '../../../../../preload/contract/sales/sync';
import type { BusinessCentralClient } from '../../../../clients/bc';
import type { Connections } from '../../../../connections';
import { AppFailure } from '../../../../rpc/errors';
import { connectSides, SIDE_HTTP, type ConnectedSides } from '../adapters/connect';
import type { SetupReader } from './domain';

/** What the SyncService needs to reach both sides. */
export interface SidesFactory {
  /** Which profiles would be used now (cheap, no network). */
  source(): Promise<SyncSource>;
  /** Connected sides for the current source; `key` changes when the profiles or the company change. */
  connect(): Promise<{ key: string; sides: ConnectedSides }>;
  /**
   * The key `connect()` would answer, without connecting (no network): the service connects again only when it
   * changes. Without it every use connects.
   */
  key?(): Promise<string>;
}

/** The connection key of a resolved source: which profiles, which company. */
const keyOf = (s: { dataverse: { profileId: string } | null; bc: { profileId: string } | null; companyId: string | null }): string =>
  `${s.dataverse?.profileId ?? ''}|${s.bc?.profileId ?? ''}|${s.companyId ?? ''}`;

export type ProfileConnections = Pick<Connections, 'httpClientFor' | 'store' | 'sessions'>;

/** Refuses a profile of the wrong kind with a message that says which kind is needed. */
export function checkKind(profile: ConnectionProfile, side: 'dataverse' | 'bc'): void {
  const ok = side === 'dataverse' ? profile.kind === 'dataverse' : profile.kind === 'bc-online' || profile.kind === 'bc-onprem';
  if (!ok)
    throw new AppFailure('SYNC_PROFILE_WRONG_KIND',
      `Connection "${profile.name}" is a ${profile.kind} profile, but the ${side === 'dataverse' ? 'Dataverse' : 'Business Central'} side needs a ` +
      `${side === 'dataverse' ? 'dataverse' : 'bc-online or bc-onprem'} profile. Choose another connection.`,
      { profile: profile.name, kind: profile.kind, side });
}

/**
 * Side adapters over two profiles. The BC company is `companyId`, else the profile's company (by name), else the
 * only company of the environment; several companies without a choice is an error that says what to set.
 */
export async function connectProfiles(c: ProfileConnections, dataverseProfileId: string, bcProfileId: string, companyId: string | null): Promise<ConnectedSides> {
  const [{ profile: dvProfile }, { profile: bcProfile }] = await Promise.all([c.store.get(dataverseProfileId), c.store.get(bcProfileId)]);
  checkKind(dvProfile, 'dataverse');
  checkKind(bcProfile, 'bc');
  const dataverse = await c.httpClientFor(dataverseProfileId, SIDE_HTTP);
  const bc = await c.httpClientFor(bcProfileId, SIDE_HTTP);
  return connectSides({
    dataverse, dataverseAuth: c.sessions.tokenProvider(dataverseProfileId), bc,
    bcCompany: companyId ?? ((client) => companyOf(client, bcProfile)),
  });
}

/** The profile's company (by name), else the only company of the environment. */
async function companyOf(client: BusinessCentralClient, bcProfile: ConnectionProfile): Promise<string> {
  const companies = await client.companies();
  const named = bcProfile.company ? companies.find((x) => x.name === bcProfile.company || x.displayName === bcProfile.company) : undefined;
  if (bcProfile.company && !named)
    throw new AppFailure('CONNECTION_COMPANY_NOT_FOUND', `Company "${bcProfile.company}" was not found. Available: ${companies.map((x) => x.name).slice(0, 10).join(', ') || 'none'}. Correct the company on the profile.`);
  if (!named && companies.length !== 1)
    throw new AppFailure('SYNC_BC_COMPANY_REQUIRED', `"${bcProfile.name}" has ${companies.length} companies: enter the company on the connection profile (or choose it in the setup) so the sync knows which one to use.`, { profile: bcProfile.name, count: companies.length });
  return (named ?? companies[0]!).id;
}

export const DEMO_DATAVERSE = 'Demo sandbox · Dataverse';
export const DEMO_BC = 'Demo sandbox · Business Central';

/**
 * The app's factory: the enabled setup's integration (else Dataverse) profile and BC profile + company; while
 * setup is not enabled, the demo sandbox's client-secret profiles.
 */
export function appSidesFactory(c: ProfileConnections, setup: SetupReader): SidesFactory {
  const resolve = async (): Promise<SyncSource & { companyId: string | null }> => {
    const status = setup.status();
    if (status.enabled) {
      const d = setup.draft();
      const dvId = d.integrationProfileId ?? d.dataverseProfileId;
      const bcId = d.bc.profileId;
      const name = async (id: string | null) => (id ? ((await c.store.find(id))?.profile.name ?? null) : null);
      const [dvName, bcName] = await Promise.all([name(dvId), name(bcId)]);
      if (dvId && bcId && dvName && bcName)
        return { kind: 'setup', dataverse: { profileId: dvId, name: dvName }, bc: { profileId: bcId, name: bcName }, message: null, companyId: d.bc.kind === 'online' ? d.bc.companyId : null };
      return {
        kind: 'none', dataverse: null, bc: null, companyId: null,
        message: 'The setup is enabled but its Dataverse or Business Central connection no longer exists. Open the setup and choose the connections again.',
      };
    }
    const all = await c.store.list();
    const dv = all.find((p) => p.name === DEMO_DATAVERSE);
    const bc = all.find((p) => p.name === DEMO_BC);
    if (dv && bc) return { kind: 'demo', dataverse: { profileId: dv.id, name: dv.name }, bc: { profileId: bc.id, name: bc.name }, message: null, companyId: null };
    return {
      kind: 'none', dataverse: null, bc: null, companyId: null,
      message: 'Nothing to synchronize with yet: complete and enable the setup (or start the console with its demo sandbox).',
    };
  };
  return {
    async source() {
      const { companyId: _c, ...s } = await resolve();
      return s;
    },
    async connect() {
      const s = await resolve();
      if (s.kind === 'none' || !s.dataverse || !s.bc) throw new AppFailure('SYNC_NOT_CONFIGURED', s.message ?? 'Nothing to synchronize with.');
      const sides = await connectProfiles(c, s.dataverse.profileId, s.bc.profileId, s.companyId);
      return { key: keyOf(s), sides };
    },
    async key() {
      return keyOf(await resolve());
    },
  };
}
