/**
 * The sandbox's POS simulator (issue 15) against startSandbox over real HTTP(S): a store user signs in through the
 * identity sandbox (a delegated Graph token: Graph sees a user principal), reads the store plan from the Commerce
 * mapping row, lists the plan's tasks, completes / starts them with If-Match (percentComplete and etag change,
 * completedBy is the user), creates an ad-hoc task created by (and assigned to) the user, and says what to do for
 * an unlinked store — programmatically and through the admin routes /_sandbox/pos on the Commerce host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { startSandbox, type Sandbox } from '../../../main/sandbox';
import { ENTITY_BY_COLLECTION } from '../../../main/sandbox/commerce/entities';
import { decodeJwt } from '../../../main/sandbox/identity/jwt';
import { PERSONA_USERS } from '../../../main/sandbox/directory';
import { PosError } from '../../../main/sandbox/pos';

const STORE = '001001';
const UNLINKED = '001002';
let sb: Sandbox;
let conn: ReturnType<typeof connectSandboxInfo>;
let planId: string;
let teamId: string;

async function graphPost(url: string, body: unknown): Promise<{ id: string }> {
  const [r] = await conn.graph.batch([{ id: '1', method: 'POST', url, body }]);
  if (!r?.ok) throw new Error(`${url}: ${r?.status} ${r?.error?.message}`);
  return r.body as { id: string };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers read field by field
type Json = any;
async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${sb.commerce.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, body: await r.json() };
}

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  conn = connectSandboxInfo(sb.info);
  const g = await conn.graph.createGroup({ displayName: 'Nordlys Oslo Sentrum', mailNickname: 'nordlys-001001' });
  teamId = g.id;
  planId = (await graphPost('/planner/plans', { title: 'Nordlys Oslo Sentrum', container: { url: `https://graph.microsoft.com/v1.0/groups/${teamId}` } })).id;
  // A publication from HQ (the integration's app token): three tasks in the store plan.
  for (const [title, due] of [['Unlock doors', '2026-12-07'], ['Open the cash drawer', '2026-12-07'], ['Read the campaign brief', '2026-12-06']] as const)
    await graphPost('/planner/tasks', { planId, title, dueDateTime: `${due}T00:00:00Z` });
  const e = ENTITY_BY_COLLECTION.get('RetailTeamsSourceTeamMappings')!;
  sb.commerce.store.insert(e, [
    { SourceType: 'RetailStore', SourceId: STORE, TeamId: teamId, PlanId: planId, PlanLinkedDateTime: '2026-12-07T08:00:00Z' },
    { SourceType: 'RetailStore', SourceId: UNLINKED, TeamId: teamId, PlanId: null, PlanLinkedDateTime: null },
  ]);
}, 60_000);
afterAll(async () => {
  await sb?.close();
});

describe('POS simulator', () => {
  it('signs in as a worker of the store with a delegated Graph token (a user principal, not the app)', async () => {
    const { accessToken, user } = await sb.pos.signIn(STORE);
    const claims = decodeJwt(accessToken)!.payload as Record<string, unknown>;
    expect(claims.idtyp).toBe('user');
    expect(claims.scp).toContain('Tasks.ReadWrite');
    expect(claims.roles).toBeUndefined();
    expect(claims.oid).toBe(user.objectId);
    expect(claims.aud).toBe('https://graph.microsoft.com');
    // A worker of Oslo Sentrum (personnel numbers 100..103 work there); a worker ranks before the manager.
    const persona = PERSONA_USERS.find((p) => p.username === user.upn)!;
    expect(persona.kind).toBe('worker');
    expect(['NR-000101', 'NR-000102', 'NR-000103']).toContain(user.personnelNumber);
  });

  it('lists the store plan\'s tasks read from the mapping row, by due date', async () => {
    const r = await sb.pos.listTasks(STORE);
    expect(r.planId).toBe(planId);
    expect(r.storeName).toBe('Nordlys Oslo Sentrum');
    expect(r.tasks.map((t) => t.title)).toEqual(['Read the campaign brief', 'Open the cash drawer', 'Unlock doors']);
    expect(r.tasks.every((t) => t.status === 'NotStarted' && t.percentComplete === 0 && t.createdByUser === null)).toBe(true);
  });

  it('completes a task with If-Match: percentComplete 100, a new etag, completed by the store user', async () => {
    const before = await sb.pos.listTasks(STORE);
    const t = before.tasks.find((x) => x.title === 'Unlock doors')!;
    const r = await sb.pos.complete(STORE, { taskIds: [t.id] });
    expect(r.changed).toHaveLength(1);
    expect(r.changed[0]).toMatchObject({ id: t.id, percentComplete: 100, status: 'Completed' });
    expect(r.changed[0]!.etag).not.toBe(t.etag);
    const stored = sb.graph.state.tasks.get(t.id)!;
    expect(stored.percentComplete).toBe(100);
    expect(stored.completedBy).toEqual({ user: { id: r.user.objectId, displayName: null } });
    // A second complete skips it.
    const again = await sb.pos.complete(STORE, { taskIds: [t.id] });
    expect(again.changed).toEqual([]);
    expect(again.skipped).toEqual([{ taskId: t.id, reason: 'already-completed' }]);
  });

  it('starts a task (50) and re-reads once when the etag it read is stale (412)', async () => {
    const listed = await sb.pos.listTasks(STORE);
    const t = listed.tasks.find((x) => x.title === 'Open the cash drawer')!;
    // Someone else changes the due date between the POS read and its tap: the tap still lands on the new version.
    const stored = sb.graph.state.tasks.get(t.id)!;
    stored.version = ++sb.graph.state.seq;
    stored.history.push({ version: stored.version, fields: ['percentComplete'] });
    const r = await sb.pos.start(STORE, { title: 'open the cash drawer' });
    expect(r.changed.map((x) => [x.id, x.percentComplete, x.status])).toEqual([[t.id, 50, 'InProgress']]);
    expect(sb.graph.state.tasks.get(t.id)!.percentComplete).toBe(50);
  });

  it('completes the first N open tasks (count)', async () => {
    const r = await sb.pos.complete(STORE, { count: 1 });
    // The open tasks by due date: the brief (06) first.
    expect(r.changed.map((x) => x.title)).toEqual(['Read the campaign brief']);
    const after = await sb.pos.listTasks(STORE);
    expect(after.tasks.filter((x) => x.status === 'Completed').map((x) => x.title).sort()).toEqual(['Read the campaign brief', 'Unlock doors']);
  });

  it('creates an ad-hoc task in the store plan, created by the user and assigned to them', async () => {
    const r = await sb.pos.createTask(STORE, { title: 'Clean the fitting rooms', dueDate: '2026-12-09', assignToSelf: true });
    expect(r.created).toMatchObject({ title: 'Clean the fitting rooms', dueDate: '2026-12-09', status: 'NotStarted', assignedToMe: true, createdByUser: r.user.objectId });
    const stored = sb.graph.state.tasks.get(r.created.id)!;
    expect(stored.planId).toBe(planId);
    expect(stored.createdBy).toEqual({ user: { id: r.user.objectId, displayName: null } });
    expect(Object.keys(stored.assignments)).toEqual([r.user.objectId]);
    const unassigned = await sb.pos.createTask(STORE, { title: 'Count the float', assignToSelf: false });
    expect(unassigned.created.assignees).toEqual([]);
    expect(unassigned.created.dueDate).toBeNull();
  });

  it('says to run Link POS and Teams for a store without a plan, and names unknown stores and tasks', async () => {
    const e = await sb.pos.listTasks(UNLINKED).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PosError);
    expect((e as PosError).code).toBe('POS_STORE_NOT_LINKED');
    expect((e as PosError).message).toContain('Link POS and Teams');
    const none = await sb.pos.complete('001029', { count: 1 }).then(() => { throw new Error('expected a failure'); }, (x: unknown) => x as PosError);
    expect(none.code).toBe('POS_STORE_NOT_LINKED');
    const unknown = await sb.pos.listTasks('999999').then(() => { throw new Error('expected a failure'); }, (x: unknown) => x as PosError);
    expect(unknown.code).toBe('POS_STORE_UNKNOWN');
    const task = await sb.pos.complete(STORE, { taskIds: ['nope'] }).then(() => { throw new Error('expected a failure'); }, (x: unknown) => x as PosError);
    expect(task.code).toBe('POS_TASK_NOT_FOUND');
    const nothing = await sb.pos.complete(STORE, {}).then(() => { throw new Error('expected a failure'); }, (x: unknown) => x as PosError);
    expect(nothing.code).toBe('POS_NOTHING_SELECTED');
  });

  it('answers the same through the admin routes on the Commerce host', async () => {
    const stores = await admin('GET', '/_sandbox/pos');
    expect(stores.status).toBe(200);
    expect(stores.body.stores.find((s: { storeNumber: string }) => s.storeNumber === STORE)).toMatchObject({ planId, teamId });
    expect(stores.body.stores.find((s: { storeNumber: string }) => s.storeNumber === '001003')).toMatchObject({ planId: null, teamId: null });

    const created = await admin('POST', `/_sandbox/pos/${STORE}/tasks`, { title: 'Restock the window', dueDate: '2026-12-10' });
    expect(created.status).toBe(201);
    expect(created.body.created).toMatchObject({ title: 'Restock the window', assignedToMe: true });
    const done = await admin('POST', `/_sandbox/pos/${STORE}/tasks/complete`, { taskIds: [created.body.created.id] });
    expect(done.status).toBe(200);
    expect(done.body.changed[0]).toMatchObject({ id: created.body.created.id, percentComplete: 100 });
    const list = await admin('GET', `/_sandbox/pos/${STORE}/tasks`);
    expect(list.body.tasks.find((t: { id: string }) => t.id === created.body.created.id).status).toBe('Completed');

    const unlinked = await admin('GET', `/_sandbox/pos/${UNLINKED}/tasks`);
    expect(unlinked.status).toBe(409);
    expect(unlinked.body.error.code).toBe('POS_STORE_NOT_LINKED');
    expect(unlinked.body.error.message).toContain('Link POS and Teams');
    const bad = await admin('POST', `/_sandbox/pos/${STORE}/tasks`, { title: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('POS_BAD_REQUEST');
  });
});
