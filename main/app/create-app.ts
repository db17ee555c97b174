import { METHOD_NAMES, type AppInfo, type EventName, type EventPayload } from '../../preload/contract';
import { MsalAuth, type AuthorityRoute } from '../auth';
import { createConnections, type Connections } from '../connections';
import { openSystemBrowser } from '../host/open-browser';
import { createConnstrHandlers, createProfileHandlers } from '../integrations/sales/connstr/handlers';
import { openDatabase, type Db } from '../db/database';
import { systemClock, type Browser, type Logger, type SecretStore } from '../ports';
import { ProfileService } from '../integrations/sales/connstr/profiles';
import { EventBus } from '../rpc/events';
import { createRouter, type Handlers, type Router } from '../rpc/router';
import { missingHandlers } from '../rpc/handlers';
import type { SecretCipher } from '../secrets/cipher';
import { DbSecretStore } from '../secrets/store';
import { createMappingHandlers } from '../integrations/sales/mappings/handlers';
import { createSetupHandlers, SetupStateStore } from '../integrations/sales/setup';
import { createSyncHandlers } from '../integrations/sales/sync/handlers';
import { appSidesFactory, setupDomain, SyncService } from '../integrations/sales/sync/service';
import { ensureDemoProfiles } from './demo-profiles';
import { consoleLogger } from '../platform/logger';
import { EmbeddedSandbox } from './sandbox-service';
import { createCompanionHandlers } from '../integrations/sales/companion/handlers';
import { createTeamsHandlers } from '../integrations/commerce-teams/handlers';
import { TeamsConsoleService } from '../integrations/commerce-teams/console/service';
import { CompanionService } from '../integrations/sales/companion/service';
import { createAppHandlers } from './app-handlers';
import { createSandboxHandlers } from './sandbox-handlers';
import { createUploadHandlers } from './upload-handlers';
import { createTeamsMappingHandlers } from '../integrations/commerce-teams/mapping/handlers';
import { createTeamsHierarchyHandlers } from '../integrations/commerce-teams/hierarchy/handlers';
import { createTasksHandlers } from '../integrations/commerce-teams/tasks/console/handlers';
import { TasksConsoleService } from '../integrations/commerce-teams/tasks/console/service';
import { taskEngines } from '../integrations/commerce-teams/tasks/console/engines';
import { databaseFile, exportsDir } from '../platform/paths';
import { removeDemoSandboxInfo, SANDBOX_AUTHORITY_HOST, writeDemoSandboxInfo } from '../connections/demo-sandbox';

export const APP_VERSION = '0.1.0';

export interface AppOptions {
  host: AppInfo['host'];
  /** Data folder; ':memory:' keeps everything in memory (tests). */
  dataDir: string;
  /** Chosen by the host: safeStorage in Electron, key file in the browser host/CLI. */
  cipher: (dataDir: string) => SecretCipher;
  logger?: Logger;
  /** The demo sandbox the host started (or EmbeddedSandbox.none()). */
  sandbox?: EmbeddedSandbox;
  /** Opens sign-in pages in the system browser (Electron: shell.openExternal). */
  browser?: Browser;
  /**
   * Job queue heartbeat in ms (E.10: BC's job queue looks every ~30 s). While the Sales connection is enabled the
   * app wakes and runs due sync jobs on this interval; 0 turns it off (tests, CLI). Default 30,000.
   */
  schedulerIntervalMs?: number;
  /** Extra sign-in routes: the CLI maps the running console's demo sandbox (sync/cli-support/demo-sandbox.ts). */
  authorityRoutes?: AuthorityRoute[];
}

/** The https name MSAL sees for the sandbox's identity service (mapped onto its loopback URL). */
export { SANDBOX_AUTHORITY_HOST };

export interface ConsoleApp {
  router: Router;
  /** The handlers behind `router` (inputs unchecked: call through the router unless the input is already parsed). */
  handlers: Handlers;
  events: EventBus;
  db: Db;
  secrets: SecretStore;
  profiles: ProfileService;
  connections: Connections;
  logger: Logger;
  info(): AppInfo;
  /** Work that needs async I/O after construction (demo profiles). */
  ready: Promise<void>;
  close(): void;
}

/**
 * Composition root shared by every host (Electron shell, browser host, CLI, tests): opens the store,
 * builds the services on their ports and binds them to the contract. Hosts differ only in the cipher
 * and the transport they put in front of `router`.
 */
export function createApp(opts: AppOptions): ConsoleApp {
  const logger = opts.logger ?? consoleLogger();
  const file = opts.dataDir === ':memory:' ? ':memory:' : databaseFile(opts.dataDir);
  const opened = openDatabase(file);
  if (opened.backupPath) logger.info(`Store migrated to schema ${opened.schemaVersion}; previous copy kept at ${opened.backupPath}`);
  const { db } = opened;
  const secrets = new DbSecretStore(db, opts.cipher(opts.dataDir));
  const events = new EventBus();
  const profiles = new ProfileService(db, secrets);
  const sandbox = opts.sandbox ?? EmbeddedSandbox.none();
  const browser: Browser = opts.browser ?? { openExternal: async (url) => void openSystemBrowser(url) };
  const routes: AuthorityRoute[] = [...(sandbox.handle ? [{ authorityHost: SANDBOX_AUTHORITY_HOST, target: sandbox.handle.identity.url }] : []), ...(opts.authorityRoutes ?? [])];
  // Another process on this data folder (the CLI with the "Demo sandbox" profiles) finds this launch's sandbox here.
  if (sandbox.handle) {
    const i = sandbox.handle.info;
    try {
      writeDemoSandboxInfo(opts.dataDir, { identityUrl: sandbox.handle.identity.url, dataverseUrl: i.dataverse.url, businessCentralApiBase: i.businessCentral.apiBase, graphCaFile: i.graph.caFile });
    } catch (x) {
      logger.warn('Could not record the demo sandbox in the data folder (the CLI cannot use the demo profiles)', (x as Error).message);
    }
  }
  const connections = createConnections({
    db,
    secrets,
    auth: new MsalAuth({ secrets, logger, routes }),
    browser,
    logger,
    emit: ((name: EventName, payload: EventPayload<EventName>) => events.emit(name, payload)) as never,
    // The Graph sandbox's CA is trusted for its origin only (sandbox-fetch.ts); other services use the system store.
    ...(sandbox.fetch ? { fetch: sandbox.fetch } : {}),
  });

  const ready = sandbox.handle
    ? ensureDemoProfiles(connections.store, sandbox.handle, SANDBOX_AUTHORITY_HOST).catch((x) => logger.warn('Could not refresh the demo sandbox profiles', (x as Error).message))
    : Promise.resolve();

  const info = (): AppInfo => ({
    version: APP_VERSION,
    host: opts.host,
    dataDir: opts.dataDir,
    dbSchemaVersion: opened.schemaVersion,
    secretStore: secrets.status(),
    platform: process.platform,
  });

  // Sync (issue 7): one engine per process over the setup's profiles (demo sandbox profiles until setup is enabled).
  const sync = new SyncService({
    db, clock: systemClock, logger,
    sides: appSidesFactory(connections, new SetupStateStore(db, systemClock)),
    domain: setupDomain(new SetupStateStore(db, systemClock)),
    events: { progress: (p) => events.emit('sync.progress', p), finished: (f) => events.emit('sync.finished', f), changed: (c) => events.emit('sync.changed', c) },
    owner: 'the Integration Console',
  });

  // The job queue runs in the main process (E.10), but only for an enabled connection: the demo profiles are for
  // trying things by hand, never for jobs running by themselves.
  const setupState = new SetupStateStore(db, systemClock);
  const interval = opts.schedulerIntervalMs ?? (opts.host === 'memory' ? 0 : 30_000);
  const heartbeat = interval > 0
    ? setInterval(() => {
      if (!setupState.status().enabled) return;
      sync.tick().catch((x: unknown) => logger.warn(`Job queue: ${x instanceof Error ? x.message : String(x)}`));
    }, interval)
    : null;
  heartbeat?.unref();

  // Commerce ⇄ Teams (issue 14): its scheduled sync has its own heartbeat and runs only while provisioning is enabled.
  const teams = new TeamsConsoleService({
    db, clock: systemClock, connections, logger, schedulerIntervalMs: interval,
    events: { progress: (p) => events.emit('teams.progress', p), changed: (c) => events.emit('teams.changed', c) },
    ...(sandbox.fetch ? { graphFetch: sandbox.fetch } : {}),
  });

  // The mapping and hierarchy pages use the profiles of the Commerce ⇄ Teams configuration when it names them.
  const teamsConsole = { connections, logger, config: async () => teams.getConfig(), ...(opts.dataDir === ':memory:' ? {} : { exportDir: exportsDir(opts.dataDir) }) };
  // Commerce ⇄ Teams task management (issue 15): over the Teams configuration's profiles; its scheduled status sync
  // runs only while task management is enabled.
  const tasks = new TasksConsoleService({
    db, clock: systemClock, connections, logger, schedulerIntervalMs: interval, teams: () => teams.getConfig(), engines: taskEngines(),
    events: { progress: (p) => events.emit('tasks.progress', p), changed: (c) => events.emit('tasks.changed', c) },
    ...(opts.dataDir === ':memory:' ? {} : { exportDir: exportsDir(opts.dataDir) }),
  });
  // The composition root: every domain's handler module, nothing inline (a method a domain forgets is a type error there).
  const handlers: Handlers = {
    ...createAppHandlers({ db, info }),
    ...createConnstrHandlers(),
    ...createProfileHandlers(profiles),
    ...createSandboxHandlers({ sandbox, draft: () => new SetupStateStore(db, systemClock).draft() }),
    ...createUploadHandlers(),
    ...connections.handlers,
    ...createMappingHandlers({ db, logger, connections, ...(opts.dataDir === ':memory:' ? {} : { exportDir: exportsDir(opts.dataDir) }) }),
    ...createSetupHandlers({ db, logger, connections }),
    ...createSyncHandlers(sync),
    // The companion extension on the BC connection sync uses, and per mapping what that connection does not carry (issue 18).
    ...createCompanionHandlers(new CompanionService({
      connections, source: appSidesFactory(connections, new SetupStateStore(db, systemClock)), clock: systemClock, logger,
      options: () => setupDomain(new SetupStateStore(db, systemClock))().options,
    })),
    // Commerce ⇄ Teams: store ⇄ team mapping and the targeting hierarchy (issue 14).
    ...createTeamsMappingHandlers(teamsConsole),
    ...createTeamsHierarchyHandlers(teamsConsole),
    // Commerce ⇄ Teams provisioning (issue 14): configuration, pre-flight, plan, apply runs, schedule.
    ...createTeamsHandlers(teams),
    // Commerce ⇄ Teams task management (issue 15).
    ...createTasksHandlers(tasks),
  };
  const missing = missingHandlers(METHOD_NAMES, handlers);
  if (missing.length) {
    if (heartbeat) clearInterval(heartbeat);
    teams.close();
    tasks.close();
    db.close();
    throw new Error(`No handler for ${missing.join(', ')}: every contract method needs one.`);
  }

  return {
    router: createRouter(handlers, logger),
    handlers,
    events,
    db,
    secrets,
    profiles,
    connections,
    logger,
    info,
    ready,
    close: () => {
      if (heartbeat) clearInterval(heartbeat);
      teams.close();
      tasks.close();
      if (sandbox.handle) removeDemoSandboxInfo(opts.dataDir);
      db.close();
    },
  };
}
