/**
 * main/clients/graph against the Graph sandbox over real HTTPS: paging, 20-link chunking, 202 + operation polling,
 * replication lag and the lying 404, members/add per-item results, $batch with dependsOn/424 and inner 429s,
 * Retry-After, Planner If-Match. No sleeps: the client's waits advance the sandbox clock (graph-harness.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GraphError, isGraphError } from '../../../main/clients/graph';
import type { TeamsAsyncOperation } from '../../../main/clients/graph';
import { isConcurrencyConflict } from '../../../main/clients/errors';
import { COMMERCE_TEAMS_PERSONAS } from '../../../main/sandbox/commerce-teams-personas';
import { startGraphClient } from './graph-harness';
import type { GraphClientHarness } from './graph-harness';

let t: GraphClientHarness;
const users = COMMERCE_TEAMS_PERSONAS.filter((p) => p.accountEnabled && p.teamsLicensed);
let nick = 0;
const nextNick = () => `CLIENT${++nick}_D365`;

beforeAll(async () => {
  t = await startGraphClient();
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.h.call('PUT', '/_sandbox/faults', { body: { profiles: {} } });
  await t.h.call('PATCH', '/_sandbox/graph', { body: { throttling: false } });
  t.calls.length = 0;
  t.sleeps.length = 0;
});

async function caught(p: Promise<unknown>): Promise<GraphError> {
  const x = await p.then(() => null, (e: unknown) => e);
  if (!isGraphError(x)) throw new Error(`expected a GraphError, got ${String(x)}`);
  return x;
}

describe('users', () => {
  it('reads by id and UPN with $select, and pages through every user via @odata.nextLink', async () => {
    const p = users[3]!;
    expect((await t.g.getUser(p.objectId)).userPrincipalName).toBe(p.upn);
    const byUpn = await t.g.getUser(p.upn, ['id', 'accountEnabled']);
    expect(byUpn).toMatchObject({ id: p.objectId, accountEnabled: true });
    expect(byUpn.displayName).toBeUndefined();
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of t.g.listUsers({ top: 40, select: ['id', 'userPrincipalName'] })) {
      pages.push(page.length);
      ids.push(...page.map((u) => u.id));
    }
    expect(pages.length).toBeGreaterThan(2);
    expect(ids.length).toBe(t.h.graph.state.users.size);
    expect(new Set(ids).size).toBe(ids.length);
    const disabled = await t.g.collect<{ userPrincipalName: string }>('users', { filter: 'accountEnabled eq false', select: ['userPrincipalName'] });
    expect(disabled.length).toBeGreaterThan(0);
  });

  it('maps an unknown user to a GraphError with Graph\'s code, request-id and the client-request-id it sent', async () => {
    const e = await caught(t.g.getUser('nobody@nordlys.example'));
    expect(e.status).toBe(404);
    expect(e.code).toBe('Request_ResourceNotFound');
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.clientRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.date).toMatch(/^\d{4}-/);
    expect(e.toView()).toMatchObject({ status: 404, code: 'Request_ResourceNotFound', requestId: e.requestId });
  });

  it('resolves many users in $batch and reports a missing one as null', async () => {
    const found = await t.g.resolveUsers([users[0]!.upn, users[1]!.objectId, 'ghost@nordlys.example']);
    expect(found.get(users[0]!.upn)?.id).toBe(users[0]!.objectId);
    expect(found.get(users[1]!.objectId)?.userPrincipalName).toBe(users[1]!.upn);
    expect(found.get('ghost@nordlys.example')).toBeNull();
    expect(t.calls.filter((c) => c.path === '/$batch')).toHaveLength(1);
  });
});

describe('groups', () => {
  it('creates a group with 1 owner + 30 members in one POST of 20 binds and one PATCH of 11', async () => {
    const owner = users[0]!.objectId;
    const members = users.slice(1, 31).map((u) => u.objectId);
    const g = await t.g.createGroup({ displayName: 'Big store', mailNickname: nextNick(), owners: [owner], members: [...members, members[0]!] });
    expect(t.calls.map((c) => `${c.method} ${c.path.replace(g.id, '{id}')}`)).toEqual(['POST /groups', 'PATCH /groups/{id}']);
    expect((await t.g.groupOwners(g.id)).map((u) => u.id)).toEqual([owner]);
    expect((await t.g.groupMembers(g.id)).map((u) => u.id).sort()).toEqual([...members].sort());
    expect(await t.g.addToGroup(g.id, { members: users.slice(31, 72).map((u) => u.objectId) })).toBe(3);
    expect((await t.g.groupMembers(g.id)).length).toBe(71);
  });

  it('surfaces Graph\'s duplicate mailNickname message as a typed error', async () => {
    const name = nextNick();
    await t.g.createGroup({ displayName: 'One', mailNickname: name, owners: [users[0]!.objectId] });
    const e = await caught(t.g.createGroup({ displayName: 'Two', mailNickname: name.toLowerCase(), owners: [users[0]!.objectId] }));
    expect(e.status).toBe(400);
    expect(e.serviceMessage).toBe('Another object with the same value for property mailNickname already exists.');
  });
});

describe('teams', () => {
  it('POST /teams: reads the id from the 202 headers and polls the operation with back-off until it succeeded', async () => {
    const seen: TeamsAsyncOperation['status'][] = [];
    const teamId = await t.g.createTeam({ displayName: 'Nordlys Oslo', description: 'Store 001001', owners: [users[0]!.objectId], members: [users[1]!.objectId] }, { onStatus: (op) => seen.push(op.status) });
    expect(seen[0]).toBe('notStarted');
    expect(seen).toContain('inProgress');
    expect(seen.at(-1)).toBe('succeeded');
    expect(t.sleeps).toEqual([1000, 2000, 4000].slice(0, t.sleeps.length));
    expect(t.calls.some((c) => c.path.startsWith(`/teams('${teamId}')/operations('`))).toBe(true);
    expect((await t.g.getTeam(teamId)).displayName).toBe('Nordlys Oslo');
    expect((await t.g.teamMembers(teamId)).map((m) => m.userId).sort()).toEqual([users[0]!.objectId, users[1]!.objectId].sort());
    expect((await t.g.teamMembers(teamId, { ownersOnly: true })).map((m) => m.userId)).toEqual([users[0]!.objectId]);
    const listed = await t.g.listTeams({ filter: "startswith(displayName,'Nordlys Oslo')" });
    expect(listed).toEqual([{ id: teamId, displayName: 'Nordlys Oslo', description: 'Store 001001' }]);
  });

  it('teamify under replication-lag: retries the 404s with back-off until the group is visible', async () => {
    await t.h.call('POST', '/_sandbox/faults/replication-lag', { body: { seconds: 30 } });
    const g = await t.g.createGroup({ displayName: 'Lagging', mailNickname: nextNick(), owners: [users[2]!.objectId] });
    const retries: number[] = [];
    const r = await t.g.teamifyGroup(g.id, { onRetry: (n, e) => retries.push(e.status ?? 0) });
    expect(r).toMatchObject({ teamId: g.id, alreadyExisted: false });
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries.every((s) => s === 404)).toBe(true);
    expect(t.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30_000);
  });

  it('teamify under lying-404: the retry\'s 409 "Team already exists" is success', async () => {
    await t.h.call('POST', '/_sandbox/faults/lying-404');
    const g = await t.g.createGroup({ displayName: 'Liar', mailNickname: nextNick(), owners: [users[2]!.objectId] });
    const r = await t.g.teamifyGroup(g.id);
    expect(r).toEqual({ teamId: g.id, alreadyExisted: false, attempts: 2 });
    await t.h.call('PUT', '/_sandbox/faults', { body: { profiles: {} } });
    expect((await t.g.getTeam(g.id)).id).toBe(g.id);
  });

  it('channels: General exists, a new channel is created, a duplicate name is a typed 400', async () => {
    const teamId = await t.g.createTeam({ displayName: 'Channels', owners: [users[0]!.objectId] });
    await t.g.createChannel(teamId, { displayName: 'Store news' });
    expect((await t.g.listChannels(teamId)).map((c) => c.displayName)).toEqual(['General', 'Store news']);
    expect((await caught(t.g.createChannel(teamId, { displayName: 'store NEWS' }))).status).toBe(400);
  });
});

describe('members', () => {
  it('members/add in chunks of 20 with per-item results from a 207', async () => {
    const teamId = await t.g.createTeam({ displayName: 'Bulk members', owners: [users[0]!.objectId] });
    t.calls.length = 0;
    const wanted = [...users.slice(1, 25).map((u) => ({ userId: u.objectId })), { userId: '00000000-0000-4000-8000-00000000dead' }];
    const results = await t.g.addTeamMembers(teamId, wanted);
    expect(t.calls.filter((c) => c.path.endsWith('/members/add'))).toHaveLength(2);
    expect(results).toHaveLength(25);
    expect(results.filter((r) => r.ok)).toHaveLength(24);
    expect(results.find((r) => !r.ok)).toEqual({ userId: '00000000-0000-4000-8000-00000000dead', ok: false, error: { code: 'NotFound', message: '' } });
  });

  it('members-add-502: falls back to single adds; licence-missing shows per user', async () => {
    const teamId = await t.g.createTeam({ displayName: 'Flaky bulk', owners: [users[0]!.objectId] });
    await t.h.call('PUT', '/_sandbox/faults', { body: { profiles: { 'members-add-502': {}, 'licence-missing': {} } } });
    const unlicensed = COMMERCE_TEAMS_PERSONAS.find((p) => !p.teamsLicensed)!;
    const results = await t.g.addTeamMembers(teamId, [{ userId: users[5]!.objectId }, { userId: unlicensed.objectId }]);
    expect(results[0]).toEqual({ userId: users[5]!.objectId, ok: true, error: null });
    expect(results[1]!.ok).toBe(false);
    expect(results[1]!.error!.message).toMatch(/Sku categories/);
    expect(t.calls.filter((c) => c.method === 'POST' && c.path === `/teams/${teamId}/members`)).toHaveLength(2);
  });
});

describe('$batch', () => {
  it('runs dependsOn, surfaces per-item errors and 424 for a failed dependency', async () => {
    const res = await t.g.batch([
      { id: 'a', method: 'GET', url: '/users/nobody@nordlys.example' },
      { id: 'b', method: 'GET', url: `/users/${users[1]!.objectId}`, dependsOn: ['a'] },
      { id: 'c', method: 'GET', url: `/users/${users[2]!.objectId}?$select=id` },
    ]);
    expect(res.map((r) => [r.id, r.status])).toEqual([['a', 404], ['b', 424], ['c', 200]]);
    expect(res[0]!.error).toBeInstanceOf(GraphError);
    expect(res[0]!.error!.code).toBe('Request_ResourceNotFound');
    expect(res[0]!.error!.requestId).toBeTruthy();
    expect(res[2]!.body).toMatchObject({ id: users[2]!.objectId });
  });

  it('splits 25 requests into batches of 20; a dependency in an earlier batch is honoured (424 without sending)', async () => {
    const reqs = users.slice(0, 24).map((u, i) => ({ id: `u${i}`, method: 'GET' as const, url: `/users/${u.objectId}?$select=id` }));
    const res = await t.g.batch([{ id: 'bad', method: 'GET', url: '/users/ghost@nordlys.example' }, ...reqs.slice(0, 19), ...reqs.slice(19).map((r) => ({ ...r, dependsOn: ['bad'] })), { id: 'ok-dep', method: 'GET', url: `/users/${users[0]!.objectId}`, dependsOn: ['u0'] }]);
    const batches = t.calls.filter((c) => c.path === '/$batch');
    expect(batches).toHaveLength(2);
    expect(res.filter((r) => r.status === 424).map((r) => r.attempts)).toEqual([0, 0, 0, 0, 0]);
    expect(res.find((r) => r.id === 'ok-dep')!.status).toBe(200);
    await expect(t.g.batch([{ id: 'x', method: 'GET', url: '/users' }, { id: 'x', method: 'GET', url: '/users' }])).rejects.toThrow(/used twice/);
  });

  it('retries inner 429s after their Retry-After, with the items that failed only because of them', async () => {
    const teamId = await t.g.createTeam({ displayName: 'Batch throttle', owners: [users[0]!.objectId] });
    await t.h.call('PATCH', '/_sandbox/graph', { body: { throttling: true } });
    await t.h.call('POST', '/_sandbox/graph/reset-throttling');
    t.sleeps.length = 0;
    const res = await t.g.batch([
      ...Array.from({ length: 6 }, (_, i) => ({ id: String(i), method: 'GET' as const, url: `/teams/${teamId}` })),
      { id: 'after', method: 'GET', url: `/teams/${teamId}/channels`, dependsOn: ['5'] },
    ]);
    expect(res.every((r) => r.status === 200)).toBe(true);
    expect(res.some((r) => r.attempts > 1)).toBe(true);
    expect(t.sleeps.length).toBeGreaterThanOrEqual(1);
    expect(t.sleeps[0]).toBeGreaterThanOrEqual(1000);
  });
});

describe('throttling', () => {
  it('honours Retry-After on a 429 (team creation: 6 per second) and the 7th creation succeeds after the wait', async () => {
    await t.h.call('PATCH', '/_sandbox/graph', { body: { throttling: true } });
    await t.h.call('POST', '/_sandbox/graph/reset-throttling');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await t.g.startTeamCreation({ displayName: `Burst ${i}`, members: [{ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${users[0]!.objectId}')` }] })).teamId);
    expect(new Set(ids).size).toBe(7);
    expect(t.sleeps).toHaveLength(1);
    expect(t.sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(t.sleeps[0]! % 1000).toBe(0);
    expect(t.h.graph.stats.throttled).toBeGreaterThanOrEqual(1);
  });
});

describe('planner', () => {
  it('writes with If-Match and Prefer: return=representation; a stale etag is a typed 412 concurrency conflict', async () => {
    const teamId = await t.g.createTeam({ displayName: 'Planner team', owners: [users[0]!.objectId] });
    const plan = await t.g.createPlan(teamId, 'Store tasks');
    expect((await t.g.listPlans(teamId)).map((p) => p.id)).toEqual([plan.id]);
    const bucket = await t.g.createBucket(plan.id, 'Today');
    const task = await t.g.createTask({ planId: plan.id, bucketId: bucket.id, title: 'Count the till', assignees: [users[0]!.objectId, users[0]!.objectId] });
    expect(Object.keys(task.assignments as object)).toEqual([users[0]!.objectId]);
    const first = await t.g.updateTask(task.id, task['@odata.etag'], { title: 'Count the till twice' }, { returnRepresentation: true });
    expect(first.body?.title).toBe('Count the till twice');
    expect(first.etag).toBeTruthy();
    expect(first.etag).not.toBe(task['@odata.etag']);
    const plain = await t.g.updateTask(task.id, first.etag!, { percentComplete: 50 });
    expect(plain.body).toBeNull();
    const stale = await caught(t.g.updateTask(task.id, task['@odata.etag'], { title: 'Lost update' }));
    expect([409, 412]).toContain(stale.status);
    expect(isConcurrencyConflict(stale)).toBe(true);
    const malformed = await caught(t.g.updateTask(task.id, 'not-an-etag', { title: 'x' }));
    expect(malformed.status).toBe(400);
    expect(malformed.code).toBe('');
    expect(malformed.toView().code).toBe('HTTP_400');
    expect(malformed.serviceMessage).toBe('The If-Match header contains an invalid value.');
    const details = await t.g.getTaskDetails(task.id);
    const d = await t.g.updateTaskDetails(task.id, details['@odata.etag'], { description: 'Use the blue counter' }, { returnRepresentation: true });
    expect(d.body).toMatchObject({ description: 'Use the blue counter' });
    expect((await t.g.planTasks(plan.id)).map((x) => x.title)).toEqual(['Count the till twice']);
  });
});
