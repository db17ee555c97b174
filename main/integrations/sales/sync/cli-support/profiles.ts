/**
 * `--profile` runs for `d365ic sync run` and `d365ic jobs run`: the connection profiles are looked up by name in the
 * console's own data folder (same SQLite store and key-file secrets as `d365ic host`), one for Dataverse and one for
 * Business Central, and the run goes through the same SyncService as the app, so couplings, watermarks, the job log
 * and the queue are shared with the console.
 */
import { existsSync } from 'node:fs';
import type { ConnectionProfile } from '../../../../../preload/contract/core/connections';
import type { SyncFinished, SyncProgress } from '../../../../../preload/contract/sales/sync';
import { MsalAuth, type AuthorityRoute } from '../../../../auth';
import { createConnections } from '../../../../connections';
import type { FetchLike } from '../../../../http/client';
import { DbSecretStore } from '../../../../secrets/store';
import { SetupStateStore } from '../../setup/state';
import { setupDomain } from '../service/domain';
import { demoSandboxNotRunning, readDemoSandboxInfo, SANDBOX_AUTHORITY_HOST } from '../../../../connections/demo-sandbox';
import { databaseFile, keyFile } from '../../../../platform/paths';
import { openDatabase, type Db } from '../../../../db/database';
import { systemClock, type Logger } from '../../../../ports';
import { AppFailure } from '../../../../rpc/errors';
import { KeyFileCipher } from '../../../../secrets/key-file-cipher';
import { isUserFlow } from '../../../../connections/model';
import { checkKind, connectProfiles, type SidesFactory } from '../service/sides';
import { SyncService } from '../service/service';

/** Pulls every `--name VALUE` / `--name=VALUE` out of args (parseFlags keeps only the last of repeated flags). */
export function takeRepeated(args: readonly string[], name: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) throw new AppFailure('SYNC_PROFILE_NOT_FOUND', `--${name} needs a connection profile name.`, { profile: '' });
      values.push(v);
      i++;
    } else if (a.startsWith(`--${name}=`)) values.push(a.slice(name.length + 3));
    else rest.push(a);
  }
  return { values, rest };
}

export interface ProfileChoice {
  /** Names given with --profile (one Dataverse and one BC profile, in any order). */
  profiles: string[];
  dataverse?: string;
  bc?: string;
}

export interface ProfileSession {
  service: SyncService;
  dataverse: ConnectionProfile;
  bc: ConnectionProfile;
  /** Path of the sync database actually used. */
  dbFile: string;
  close(): Promise<void>;
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Sign-in for user flows happens in the console's window; a CLI run can only use a signed-in (cached) account. */
function checkSignIn(profile: ConnectionProfile, homeAccountId: string | null): void {
  if (isUserFlow(profile.authMethod) && !homeAccountId)
    throw new AppFailure('SYNC_PROFILE_SIGN_IN_REQUIRED',
      `Connection "${profile.name}" signs in as a user (${profile.authMethod}) and is not signed in. Sign in once in the console ` +
      `(npm start, or "d365ic host --data-dir <this folder>" → Connections → Sign in), or use a profile with a client secret or certificate; the CLI never opens a sign-in window.`,
      { profile: profile.name });
}

function pick(all: ConnectionProfile[], name: string): ConnectionProfile {
  const p = all.find((x) => x.name === name) ?? all.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!p)
    throw new AppFailure('SYNC_PROFILE_NOT_FOUND',
      `There is no connection profile named "${name}" in this data folder. Profiles: ${all.map((x) => `"${x.name}"`).join(', ') || 'none'}. ` +
      'Create it in the console (Connections), or pass --data-dir with the folder the console uses.', { profile: name });
  return p;
}

/** Which profile is Dataverse and which is BC: explicit flags win; --profile names are told apart by their kind. */
export function chooseProfiles(all: ConnectionProfile[], c: ProfileChoice): { dataverse: ConnectionProfile; bc: ConnectionProfile } {
  let dataverse = c.dataverse ? pick(all, c.dataverse) : undefined;
  let bc = c.bc ? pick(all, c.bc) : undefined;
  if (dataverse) checkKind(dataverse, 'dataverse');
  if (bc) checkKind(bc, 'bc');
  for (const name of c.profiles) {
    const p = pick(all, name);
    if (p.kind === 'dataverse') {
      if (dataverse && dataverse.id !== p.id) throw new AppFailure('SYNC_PROFILE_WRONG_KIND', `Both "${dataverse.name}" and "${p.name}" are Dataverse profiles: give one Dataverse and one Business Central profile.`, { profile: p.name, kind: p.kind, side: 'bc' });
      dataverse = p;
    } else if (p.kind === 'bc-online' || p.kind === 'bc-onprem') {
      if (bc && bc.id !== p.id) throw new AppFailure('SYNC_PROFILE_WRONG_KIND', `Both "${bc.name}" and "${p.name}" are Business Central profiles: give one Dataverse and one Business Central profile.`, { profile: p.name, kind: p.kind, side: 'dataverse' });
      bc = p;
    } else {
      throw new AppFailure('SYNC_PROFILE_WRONG_KIND', `Connection "${p.name}" is a ${p.kind} profile; sync needs one Dataverse and one Business Central profile.`, { profile: p.name, kind: p.kind, side: 'dataverse' });
    }
  }
  if (!dataverse || !bc) {
    const missing = !dataverse ? 'Dataverse' : 'Business Central';
    throw new AppFailure('SYNC_PROFILE_NOT_FOUND', `Give a ${missing} profile too: --profile "<${missing} profile>" (or --${!dataverse ? 'dataverse' : 'bc'}-profile).`, { profile: '' });
  }
  return { dataverse, bc };
}

export interface OpenOptions extends ProfileChoice {
  dataDir: string;
  /** Sync database; default: the console's own database in the data folder (shared couplings and job log). */
  dbFile?: string;
  onProgress?: (p: SyncProgress) => void;
  onFinished?: (f: SyncFinished) => void;
  eventIntervalMs?: number;
  /** A demo sandbox running in this process whose sign-in route the profiles use (tests hand in their own). */
  demoSandbox?: DemoSandboxRoute;
}

/** Where a demo sandbox's identity service listens, and the fetch that trusts its CA: plain config from the caller. */
export interface DemoSandboxRoute {
  identityUrl: string;
  fetch?: FetchLike;
}

/** The CLI never opens a sign-in window (checkSignIn refuses user flows that are not signed in). */
const noBrowser = { openExternal: async (): Promise<void> => { throw new Error('The d365ic CLI does not open sign-in windows.'); } };

export async function openProfileSession(o: OpenOptions): Promise<ProfileSession> {
  if (!existsSync(databaseFile(o.dataDir)))
    throw new AppFailure('SYNC_PROFILE_NOT_FOUND', `There is no console data in ${o.dataDir}. Start the console once and create the connections (npm start), or pass --data-dir with the folder it uses.`, { profile: '' });
  // The CLI builds the services it needs (store, secrets, connections) and never the console's job queue heartbeat:
  // the console runs the queue. It reads secrets with the key file, as the browser host does (profiles saved by the
  // Electron app are encrypted with the OS keychain instead and need their secret entered again for CLI use).
  // The "Demo sandbox" profiles sign in through the running console's sandbox (demo-sandbox.ts): map it like the console does.
  const running = o.demoSandbox ? null : readDemoSandboxInfo(o.dataDir);
  const identityUrl = o.demoSandbox?.identityUrl ?? running?.identityUrl;
  const routes: AuthorityRoute[] = identityUrl ? [{ authorityHost: SANDBOX_AUTHORITY_HOST, target: identityUrl }] : [];
  const { db } = openDatabase(databaseFile(o.dataDir));
  let own: Db | null = null;
  try {
    const secrets = new DbSecretStore(db, new KeyFileCipher(keyFile(o.dataDir)));
    const connections = createConnections({
      db, secrets, auth: new MsalAuth({ secrets, logger: quiet, routes }), browser: noBrowser, logger: quiet, emit: () => undefined,
      ...(o.demoSandbox?.fetch ? { fetch: o.demoSandbox.fetch } : {}),
    });
    const all = await connections.store.list();
    const chosen = chooseProfiles(all, o);
    for (const p of [chosen.dataverse, chosen.bc])
      if (!o.demoSandbox && !running && p.app?.authorityHost === SANDBOX_AUTHORITY_HOST)
        throw new AppFailure('SYNC_DEMO_SANDBOX_NOT_RUNNING', demoSandboxNotRunning(p.name, o.dataDir), { profile: p.name });
    for (const p of [chosen.dataverse, chosen.bc]) checkSignIn(p, (await connections.store.get(p.id)).homeAccountId);
    const key = `${chosen.dataverse.id}|${chosen.bc.id}`;
    const sides: SidesFactory = {
      key: async () => key,
      source: async () => ({ kind: 'setup', dataverse: { profileId: chosen.dataverse.id, name: chosen.dataverse.name }, bc: { profileId: chosen.bc.id, name: chosen.bc.name }, message: null }),
      connect: async () => {
        try {
          return { key, sides: await connectProfiles(connections, chosen.dataverse.id, chosen.bc.id, null) };
        } catch (x) {
          if (x instanceof AppFailure && x.code === 'AUTH_REQUIRED')
            throw new AppFailure('SYNC_PROFILE_SIGN_IN_REQUIRED', `${x.message} The CLI cannot sign in interactively: sign in in the console (Connections → Sign in), then run this command again.`, { profile: '' });
          throw x;
        }
      },
    };
    const dbFile = o.dbFile ?? databaseFile(o.dataDir);
    if (o.dbFile) own = openDatabase(o.dbFile).db;
    const service = new SyncService({
      db: own ?? db, clock: systemClock, sides, logger: quiet,
      // The setup's rules and options, as the console's own service runs them (every default mapping, rules on).
      domain: setupDomain(new SetupStateStore(db, systemClock)),
      events: { progress: (p) => o.onProgress?.(p), finished: (f) => o.onFinished?.(f) },
      owner: 'the d365ic CLI',
      ...(o.eventIntervalMs !== undefined ? { eventIntervalMs: o.eventIntervalMs } : {}),
    });
    return {
      service, dataverse: chosen.dataverse, bc: chosen.bc, dbFile,
      close: async () => {
        service.leases.close();
        own?.close();
        db.close();
      },
    };
  } catch (x) {
    own?.close();
    db.close();
    throw x;
  }
}
