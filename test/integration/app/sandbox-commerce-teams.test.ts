/**
 * The Commerce ⇄ Teams part of the Demo sandbox page through the console's own contract: sandbox.status names the
 * Graph (HTTPS, CA file on disk) and Commerce services and the personas; sandbox.setGraphFaultProfile switches the
 * Graph sandbox's named fault profiles, as the Graph host's own /_sandbox/faults (over real HTTPS) confirms.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_FAULT_PROFILES, type GraphFaultProfileState, type SandboxStatus } from '../../../preload/contract';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { keyFile } from '../../../main/platform/paths';
import { COMMERCE_TEAMS_PERSONAS, FINDING_CASES } from '../../../main/sandbox/commerce-teams-personas';
import { PERSONA_PASSWORD } from '../../../main/sandbox/directory';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { quietLogger, tempDir } from '../../support/app';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let cleanup: () => void;

type Failure = Error & { code: string; params?: Record<string, unknown> };
async function call<T>(a: ConsoleApp, method: string, payload: unknown = {}): Promise<T> {
  const r = await a.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code, params: r.error.params });
  return r.value as T;
}
const failure = async (p: Promise<unknown>): Promise<Failure> => {
  try {
    await p;
  } catch (x) {
    return x as Failure;
  }
  throw new Error('expected a failure');
};

/** The Graph host's own view of its active fault profiles, over HTTPS with the sandbox's CA. */
async function activeOnGraphHost(): Promise<Record<string, Record<string, number | string>>> {
  const graph = sandbox.handle!.graph.host;
  const r = await sandbox.fetch!(`${graph.origin}/_sandbox/faults`, { method: 'GET', headers: {}, signal: AbortSignal.timeout(10_000) });
  expect(r.status).toBe(200);
  return ((await r.json()) as { active: Record<string, Record<string, number | string>> }).active;
}

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  sandbox = await EmbeddedSandbox.start({ seed: 'demo' });
  app = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
}, 60_000);
afterAll(async () => {
  app?.close();
  await sandbox?.close();
  cleanup?.();
});

describe('sandbox.status: Commerce ⇄ Teams', () => {
  it('names Graph v1.0/beta over HTTPS with the CA file, Commerce headquarters, and every persona', async () => {
    const s = await call<SandboxStatus>(app, 'sandbox.status');
    const ct = s.commerceTeams!;
    const info = sandbox.handle!.info;
    expect(ct.graph).toEqual({ url: info.graph.url, betaUrl: info.graph.betaUrl, caFile: info.graph.caFile });
    expect(ct.graph.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
    expect(ct.graph.betaUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/beta$/);
    expect(existsSync(ct.graph.caFile)).toBe(true);
    expect(readFileSync(ct.graph.caFile, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
    expect(ct.commerce.url).toBe(info.commerce.url);
    expect(ct.personaPassword).toBe(PERSONA_PASSWORD);

    expect(ct.personas).toHaveLength(COMMERCE_TEAMS_PERSONAS.length);
    const count = (k: string) => ct.personas.filter((p) => p.kind === k).length;
    expect(count('regional-manager')).toBe(7);
    expect(count('store-manager')).toBeGreaterThan(20);
    expect(count('worker')).toBeGreaterThan(60);
    // Every persona has its store or region; the finding cases show as account states.
    expect(ct.personas.filter((p) => !p.place)).toEqual([]);
    expect(ct.personas.find((p) => p.personnelNumber === 'NR-000001')!.place).toBe('Oslo og Viken');
    expect(ct.personas.find((p) => p.personnelNumber === 'NR-000100')).toMatchObject({ kind: 'store-manager', place: 'Nordlys Oslo Sentrum' });
    expect(ct.personas.find((p) => p.upn === FINDING_CASES.disabledUpn)).toMatchObject({ accountEnabled: false, place: 'Nordlys Utrecht' });
    expect(ct.personas.find((p) => p.upn === FINDING_CASES.unlicensedUpn)).toMatchObject({ teamsLicensed: false, place: 'Nordlys Tampere' });

    expect(ct.graphFaults.map((f) => f.name)).toEqual([...GRAPH_FAULT_PROFILES]);
    expect(ct.graphFaults.every((f) => !f.active)).toBe(true);
    expect(ct.graphFaults.find((f) => f.name === 'replication-lag')!.params).toEqual({ seconds: 60 });
  });
});

describe('sandbox.setGraphFaultProfile', () => {
  it('switches a profile on (defaults or parameters) and off on the running Graph sandbox', async () => {
    expect(await activeOnGraphHost()).toEqual({});
    let faults = await call<GraphFaultProfileState[]>(app, 'sandbox.setGraphFaultProfile', { name: 'lying-404', on: true });
    expect(faults.find((f) => f.name === 'lying-404')!.active).toBe(true);
    expect(await activeOnGraphHost()).toEqual({ 'lying-404': {} });

    faults = await call<GraphFaultProfileState[]>(app, 'sandbox.setGraphFaultProfile', { name: 'replication-lag', on: true, params: { seconds: 5 } });
    expect(faults.find((f) => f.name === 'replication-lag')).toEqual({ name: 'replication-lag', active: true, params: { seconds: 5 } });
    expect(await activeOnGraphHost()).toEqual({ 'lying-404': {}, 'replication-lag': { seconds: 5 } });
    // The status the page reloads says the same.
    const s = await call<SandboxStatus>(app, 'sandbox.status');
    expect(s.commerceTeams!.graphFaults.filter((f) => f.active).map((f) => f.name)).toEqual(['replication-lag', 'lying-404']);

    await call(app, 'sandbox.setGraphFaultProfile', { name: 'lying-404', on: false });
    faults = await call<GraphFaultProfileState[]>(app, 'sandbox.setGraphFaultProfile', { name: 'replication-lag', on: false });
    expect(faults.every((f) => !f.active)).toBe(true);
    expect(faults.find((f) => f.name === 'replication-lag')!.params).toEqual({ seconds: 60 });
    expect(await activeOnGraphHost()).toEqual({});
  });

  it('refuses unknown profiles and wrong parameters with a code the page translates', async () => {
    expect((await failure(call(app, 'sandbox.setGraphFaultProfile', { name: 'no-such-profile', on: true }))).code).toBe('BAD_REQUEST');
    const wrong = await failure(call(app, 'sandbox.setGraphFaultProfile', { name: 'replication-lag', on: true, params: { seconds: 'soon' } }));
    expect(wrong.code).toBe('SANDBOX_FAULT_PROFILE_INVALID');
    expect(wrong.params).toEqual({ name: 'replication-lag' });
    expect(wrong.message).toContain("'seconds'");
    expect(await activeOnGraphHost()).toEqual({});
  });

  it('says the sandbox is not running in a console without it, whose status has no Commerce ⇄ Teams part', async () => {
    const t = tempDir();
    const bare = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox: EmbeddedSandbox.none() });
    try {
      await bare.ready;
      expect((await call<SandboxStatus>(bare, 'sandbox.status')).commerceTeams).toBeNull();
      expect((await failure(call(bare, 'sandbox.setGraphFaultProfile', { name: 'lying-404', on: true }))).code).toBe('SANDBOX_NOT_RUNNING');
    } finally {
      bare.close();
      t.cleanup();
    }
  });
});

describe('sandbox.setGraphConsent', () => {
  async function graphToken(): Promise<string[] | undefined> {
    const info = sandbox.handle!.info;
    const r = await fetch(info.identity.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: info.clients.graph.clientId, client_secret: info.clients.graph.clientSecret, scope: info.graph.scope }),
    });
    const jwt = ((await r.json()) as { access_token: string }).access_token;
    return (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { roles?: string[] }).roles;
  }

  it('revokes the Graph app admin consent (tokens lose every role) and grants it again; status shows it', async () => {
    const before = (await call<SandboxStatus>(app, 'sandbox.status')).commerceTeams!.graphConsent;
    expect(before.roles).toEqual(before.requested);
    expect(before.adminConsentUrl).toMatch(/\/adminconsent\?client_id=/);
    const revoked = await call<{ roles: string[] }>(app, 'sandbox.setGraphConsent', { granted: false });
    expect(revoked.roles).toEqual([]);
    expect(await graphToken()).toBeUndefined();
    expect((await call<SandboxStatus>(app, 'sandbox.status')).commerceTeams!.graphConsent.roles).toEqual([]);
    await call(app, 'sandbox.setGraphConsent', { granted: true });
    expect(await graphToken()).toEqual(before.requested);
  });
});

describe('sandbox.commerceChange', () => {
  it('makes each Commerce headquarters change once and says so the second time; a bad name is refused', async () => {
    const first = await call<{ applied: boolean; storeNumber: string }>(app, 'sandbox.commerceChange', { change: 'new-store' });
    expect(first).toMatchObject({ applied: true, storeNumber: '001031' });
    expect(sandbox.handle!.commerce.store.db.prepare('SELECT COUNT(*) AS n FROM "RetailChannelWorkers" WHERE StoreNumber = ?').get('001031')).toEqual({ n: 2 });
    expect(await call(app, 'sandbox.commerceChange', { change: 'new-store' })).toMatchObject({ applied: false });
    expect((await failure(call(app, 'sandbox.commerceChange', { change: 'fire-everyone' }))).code).toBe('BAD_REQUEST');
  });
});
