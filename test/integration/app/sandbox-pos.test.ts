/**
 * The POS simulator through the console's own contract (sandbox.posTasks / sandbox.posAction) on an embedded
 * sandbox: the stores with their plan, a linked store's tasks as its worker sees them, complete / start / create an
 * ad-hoc task landing in the Graph sandbox's Planner state as the store user, and an unlinked store answered with
 * POS_STORE_NOT_LINKED (a problem in posTasks, an AppFailure in posAction).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosActionOutput, PosTasksOutput } from '../../../preload/contract';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { keyFile } from '../../../main/platform/paths';
import { ENTITY_BY_COLLECTION } from '../../../main/sandbox/commerce/entities';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { quietLogger, tempDir } from '../../support/app';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let cleanup: () => void;
let planId: string;

type Failure = Error & { code: string; params?: Record<string, unknown> };
async function call<T>(a: ConsoleApp, method: string, payload: unknown = {}): Promise<T> {
  const r = await a.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code, params: r.error.params });
  return r.value as T;
}

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  sandbox = await EmbeddedSandbox.start({ seed: 'demo' });
  app = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  // Store 001005 (Bergen) has a team and a plan with one published task; 001006 has a team but no plan yet.
  const sb = sandbox.handle!;
  const conn = connectSandboxInfo(sb.info);
  const team = await conn.graph.createGroup({ displayName: 'Nordlys Bergen', mailNickname: 'nordlys-001005' });
  const post = async (url: string, body: unknown) => {
    const [r] = await conn.graph.batch([{ id: '1', method: 'POST', url, body }]);
    if (!r?.ok) throw new Error(`${url}: ${r?.status}`);
    return r.body as { id: string };
  };
  planId = (await post('/planner/plans', { title: 'Nordlys Bergen', container: { url: `https://graph.microsoft.com/v1.0/groups/${team.id}` } })).id;
  await post('/planner/tasks', { planId, title: 'Set up the Christmas display', dueDateTime: '2026-12-10T00:00:00Z' });
  sb.commerce.store.insert(ENTITY_BY_COLLECTION.get('RetailTeamsSourceTeamMappings')!, [
    { SourceType: 'RetailStore', SourceId: '001005', TeamId: team.id, PlanId: planId, PlanLinkedDateTime: '2026-12-07T08:00:00Z' },
    { SourceType: 'RetailStore', SourceId: '001006', TeamId: team.id, PlanId: null, PlanLinkedDateTime: null },
  ]);
}, 60_000);
afterAll(async () => {
  app?.close();
  await sandbox?.close();
  cleanup?.();
});

describe('sandbox.posTasks / sandbox.posAction', () => {
  it('lists the stores and shows the first linked store\'s plan tasks as its worker', async () => {
    const r = await call<PosTasksOutput>(app, 'sandbox.posTasks', {});
    expect(r.stores.length).toBeGreaterThanOrEqual(30);
    expect(r.stores.filter((s) => s.planId).map((s) => s.storeNumber)).toEqual(['001005']);
    expect(r.selected).toBe('001005');
    expect(r.problem).toBeNull();
    expect(r.store).toMatchObject({ storeNumber: '001005', storeName: 'Nordlys Bergen', planId });
    expect(r.store!.user.upn).toMatch(/@/);
    expect(r.store!.tasks.map((t) => [t.title, t.status, t.createdByUser])).toEqual([['Set up the Christmas display', 'NotStarted', null]]);
  });

  it('starts, completes and creates an ad-hoc task in Planner as the store user', async () => {
    const before = await call<PosTasksOutput>(app, 'sandbox.posTasks', { storeNumber: '001005' });
    const id = before.store!.tasks[0]!.id;
    const started = await call<PosActionOutput>(app, 'sandbox.posAction', { storeNumber: '001005', action: 'start', taskIds: [id] });
    expect(started.changed.map((t) => [t.id, t.percentComplete])).toEqual([[id, 50]]);
    const done = await call<PosActionOutput>(app, 'sandbox.posAction', { storeNumber: '001005', action: 'complete', title: 'Set up the Christmas display' });
    expect(done.store.tasks.find((t) => t.id === id)!.status).toBe('Completed');
    const state = sandbox.handle!.graph.state;
    expect(state.tasks.get(id)!.percentComplete).toBe(100);
    const userId = (state.tasks.get(id)!.completedBy as { user: { id: string } }).user.id;
    const created = await call<PosActionOutput>(app, 'sandbox.posAction', { storeNumber: '001005', action: 'createAdhoc', title: 'Fix the door bell', dueDate: '2026-12-09', assignToSelf: true });
    const t = created.changed[0]!;
    expect(t).toMatchObject({ title: 'Fix the door bell', dueDate: '2026-12-09', assignedToMe: true, createdByUser: userId });
    expect(state.tasks.get(t.id)!.planId).toBe(planId);
    expect(created.store.tasks.map((x) => x.id)).toContain(t.id);
  });

  it('answers an unlinked store with POS_STORE_NOT_LINKED (a problem when listing, a failure for an action)', async () => {
    const r = await call<PosTasksOutput>(app, 'sandbox.posTasks', { storeNumber: '001006' });
    expect(r.store).toBeNull();
    expect(r.problem).toMatchObject({ code: 'POS_STORE_NOT_LINKED', params: { storeNumber: '001006', store: 'Nordlys Stavanger' } });
    const e = await call(app, 'sandbox.posAction', { storeNumber: '001006', action: 'complete', count: 1 }).then(() => null, (x: unknown) => x as Failure);
    expect(e?.code).toBe('POS_STORE_NOT_LINKED');
    expect(e?.message).toContain('Link POS and Teams');
    // The contract refuses what the POS could not do before it reaches the sandbox.
    const bad = await call(app, 'sandbox.posAction', { storeNumber: '001005', action: 'complete', count: 0 }).then(() => null, (x: unknown) => x as Failure);
    expect(bad?.code).toBe('BAD_REQUEST');
  });
});
