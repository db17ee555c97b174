/**
 * The teams.* methods as the console wires them (createApp with the embedded demo sandbox and its demo profiles):
 * the Commerce and Graph demo profiles are accepted, the pre-flight and plan run through the app's router, and an
 * apply of one store reports its progress on the app's event bus and records the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { keyFile } from '../../../main/platform/paths';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import type { TeamsProgress, TeamsRun } from '../../../preload/contract';
import { quietLogger, tempDir } from '../../support/app';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let dir: ReturnType<typeof tempDir>;

async function call<T>(method: string, payload: unknown = {}): Promise<T> {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), r.error);
  return r.value as T;
}

beforeAll(async () => {
  dir = tempDir('d365ic-teams-app-');
  sandbox = await EmbeddedSandbox.start({ port: 0 });
  sandbox.handle!.graph.settings.teamProvisioningMs = 1;
  app = createApp({ host: 'memory', dataDir: dir.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
});
afterAll(async () => {
  app?.close();
  await sandbox?.handle?.close();
  dir?.cleanup();
});

describe('teams.* in the app', () => {
  it('configures with the demo profiles, checks, plans and applies one store with progress on the event bus', async () => {
    const profiles = await app.connections.store.list();
    const commerce = profiles.find((p) => p.kind === 'commerce-hq')!;
    const graph = profiles.find((p) => p.kind === 'graph' && p.authMethod === 'client-secret')!;
    await call('teams.setConfig', { commerceProfileId: commerce.id, graphProfileId: graph.id, dataSharingConsent: true });
    expect((await call<{ config: { enabled: boolean } }>('teams.enable')).config.enabled).toBe(true);

    const { findings } = await call<{ findings: { code: string }[] }>('teams.check');
    expect(findings.map((f) => f.code)).toContain('TEAMS_STORE_NO_MANAGER');
    expect(findings.map((f) => f.code)).not.toContain('TEAMS_GRAPH_PERMISSION_MISSING');
    const plan = await call<{ stores: { storeNumber: string; action: string }[] }>('teams.plan', {});
    expect(plan.stores.filter((s) => s.action === 'create').length).toBeGreaterThan(0);
    const store = plan.stores.find((s) => s.action === 'create')!.storeNumber;

    const events: TeamsProgress[] = [];
    const ended = new Promise<void>((resolve) => {
      app.events.subscribe((name, p) => {
        if (name !== 'teams.progress') return;
        events.push(p as TeamsProgress);
        if ((p as TeamsProgress).storeNumber === null && ['done', 'failed', 'cancelled'].includes((p as TeamsProgress).phase)) resolve();
      });
    });
    const { runId } = await call<{ runId: string }>('teams.apply', { storeNumbers: [store] });
    await ended;
    // The app rate-limits progress (intermediate phases may be replaced by newer ones); a store's end is never dropped.
    expect(events.filter((e) => e.storeNumber === store).at(-1)).toMatchObject({ phase: 'store-done', counts: { storesDone: 1 } });
    expect(events.at(-1)).toMatchObject({ runId, phase: 'done' });
    const run = await call<TeamsRun>('teams.run', { runId });
    expect(run).toMatchObject({ state: 'succeeded', storeNumbers: [store], counts: { storesPlanned: 1, storesDone: 1, teamsCreated: 1 } });
  });

  it('the Teams schedule shares the kernel job queue with Sales without hiding or holding the Sales entries', async () => {
    const schedule = await call<{ entry: string }>('teams.setSchedule', { enabled: true, everyMinutes: 60 });
    const queue = await call<{ name: string }[]>('sync.queue');
    // Sales still installs its defaults (the queue was not empty only because of the Teams entry) and lists only its own.
    expect(queue.length).toBeGreaterThan(5);
    expect(queue.map((e) => e.name)).not.toContain(schedule.entry);
    const entry = app.db.prepare('SELECT status FROM sync_job_queue WHERE name = ?').get(schedule.entry) as { status: string };
    expect(entry.status).toBe('Ready');
  });
});

