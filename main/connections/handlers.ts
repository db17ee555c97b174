import type { HandlersOf } from '../rpc/handlers';
import { fileBytes } from '../rpc/uploads';
import type { connectionMethods } from '../../preload/contract/core/connections';
import type { Auth } from '../auth/port';
import type { Db } from '../db/database';
import { HttpClient, type FetchLike, type HttpClientOptions } from '../http/client';
import type { Browser, Clock, Logger, SecretStore } from '../ports';
import { systemClock } from '../ports';
import { SessionService, type ConnectionEventEmitter } from './sessions';
import { ConnectionStore } from './store';
import { apiBase, defaultHeadersFor, testConnection } from './tester';
import { exportConnections, parseExport } from './transfer';

export type ConnectionMethodName = keyof typeof connectionMethods;
/** Handlers for the connections.* and auth.* methods; typed on the input side, so tests call them without the router. */
export type ConnectionHandlers = HandlersOf<typeof connectionMethods, 'input'>;

export interface ConnectionDeps {
  db: Db;
  secrets: SecretStore;
  auth: Auth;
  browser: Browser;
  logger: Logger;
  /** Wire to EventBus.emit once connectionEvents are registered in the contract. */
  emit: ConnectionEventEmitter;
  clock?: Clock;
  /** Injected fetch for service calls (tests); defaults to global fetch. */
  fetch?: FetchLike;
  interactiveTimeoutMs?: number;
  deviceCodeTimeoutMs?: number;
}

export interface Connections {
  handlers: ConnectionHandlers;
  store: ConnectionStore;
  sessions: SessionService;
  /** An HttpClient for a profile's API with its token provider: what sync services use. */
  httpClientFor(profileId: string, opts?: Partial<Omit<HttpClientOptions, 'auth'>>): Promise<HttpClient>;
}

export function createConnections(deps: ConnectionDeps): Connections {
  const clock = deps.clock ?? systemClock;
  const store = new ConnectionStore(deps.db, deps.secrets, clock);
  const sessions = new SessionService({ ...deps, store, clock });

  const handlers: ConnectionHandlers = {
    'connections.list': () => store.list(),
    'connections.save': (input) => store.save(input),
    'connections.delete': async ({ id }) => {
      const found = await store.find(id);
      if (found?.homeAccountId) await sessions.signOut(id).catch((x) => deps.logger.warn('sign-out during delete failed', (x as Error).message));
      sessions.forget(id);
      return { deleted: await store.delete(id) };
    },
    'connections.duplicate': async ({ id, name }) => {
      const { profile } = await store.get(id);
      const { id: _id, secretsSet: _s, secretsMissing: _m, secretsLost: _x, createdAt: _c, updatedAt: _u, lastUsedAt: _l, ...fields } = profile;
      return store.save({ ...fields, name: name ?? store.freeName(profile.name, 'copy') });
    },
    'connections.export': async ({ ids }) => {
      const all = await store.list();
      const chosen = ids ? all.filter((p) => ids.includes(p.id)) : all;
      return { json: exportConnections(chosen, new Date(clock.now())), count: chosen.length };
    },
    'connections.import': async ({ json, uploadId }) => {
      const entries = parseExport(fileBytes({ base64: json, uploadId }, (text) => Buffer.from(text, 'utf8')).toString('utf8'));
      const renamed: [string, string][] = [];
      const imported = [];
      // Validate all first (parseExport did), then insert in one go; store.save re-validates cross-field rules.
      for (const e of entries) {
        const name = store.nameTaken(e.name) ? store.freeName(e.name, 'imported') : e.name;
        if (name !== e.name) renamed.push([e.name, name]);
        imported.push(await store.save({ ...e, name }));
      }
      return { imported, renamed };
    },
    'connections.test': async ({ profileId }) => {
      const { profile } = await store.get(profileId);
      const report = await testConnection(profile, { tokens: sessions.tokenProvider(profileId), fetch: deps.fetch, clock, logger: deps.logger });
      if (report.ok) store.touch(profileId);
      return report;
    },
    'auth.signIn': ({ profileId, method }) => sessions.signIn(profileId, method),
    'auth.cancel': async ({ profileId }) => ({ cancelled: sessions.cancel(profileId) }),
    'auth.signOut': ({ profileId }) => sessions.signOut(profileId),
    'auth.status': async ({ profileId }) => (profileId ? [await sessions.status(profileId)] : sessions.statusAll()),
  };

  return {
    handlers,
    store,
    sessions,
    async httpClientFor(profileId, opts = {}) {
      const { profile } = await store.get(profileId);
      return new HttpClient({ baseUrl: apiBase(profile), defaultHeaders: defaultHeadersFor(profile), fetch: deps.fetch, logger: deps.logger, clock, ...opts, auth: sessions.tokenProvider(profileId) });
    },
  };
}

/** The handler map the composition root merges into the router's Handlers. */
export function createConnectionHandlers(deps: ConnectionDeps): ConnectionHandlers {
  return createConnections(deps).handlers;
}
