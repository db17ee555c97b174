/**
 * The Graph sandbox over real HTTPS (kernel host with its own CA, identity sandbox tokens): directory, Teams,
 * Planner, $batch, throttling, error envelope and the named fault profiles. The host runs on a manual clock, so
 * team provisioning, replication lag and throttle windows move only when a test advances it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMERCE_TEAMS_PERSONAS, FINDING_CASES } from '../../../main/sandbox/commerce-teams-personas';
import { startGraph } from '../../../main/sandbox/graph';
import { SKU_WITH_TEAMS } from '../../../main/sandbox/graph/state';
import { startHost } from '../../../main/sandbox/kernel';
import { fixedClock, startGraphHarness } from './harness';
import type { GraphHarness } from './harness';

let h: GraphHarness;
const users = COMMERCE_TEAMS_PERSONAS.filter((p) => p.accountEnabled && p.teamsLicensed);
const bind = (id: string) => `https://graph.microsoft.com/v1.0/users('${id}')`;
const member = (id: string, owner = false) => ({ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: owner ? ['owner'] : [], 'user@odata.bind': bind(id) });
let nick = 0;

beforeAll(async () => {
  h = await startGraphHarness({ clock: fixedClock(), graph: { throttling: false, teamProvisioningMs: 4000 } });
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.call('PUT', '/_sandbox/faults', { body: { profiles: {} } });
  await h.call('PATCH', '/_sandbox/graph', { body: { throttling: false } });
});

async function unifiedGroup(ownerIds: string[], memberIds: string[] = []): Promise<string> {
  nick++;
  const r = await h.call('POST', '/groups', {
    body: { displayName: `Store ${nick}`, mailNickname: `STORE${nick}_D365`, mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'], 'owners@odata.bind': ownerIds.map(bind), 'members@odata.bind': memberIds.map(bind) },
  });
  expect(r.status).toBe(201);
  return r.json.id as string;
}

async function newTeam(name: string, owner = users[0]!.objectId): Promise<string> {
  const r = await h.call('POST', '/teams', { body: { 'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", displayName: name, members: [member(owner, true)] } });
  expect(r.status).toBe(202);
  h.host.clock.advance(4000);
  return /teams\('([^']+)'\)/.exec(String(r.headers.location))![1]!;
}

describe('envelope and auth', () => {
  it('answers 401 InvalidAuthenticationToken without a token, with request-id, date and the echoed client-request-id', async () => {
    const r = await h.call('GET', '/users', { token: null, headers: { 'client-request-id': 'abc-123' } });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('InvalidAuthenticationToken');
    expect(r.json.error.innerError['client-request-id']).toBe('abc-123');
    expect(r.json.error.innerError['request-id']).toBe(r.headers['request-id']);
    expect(r.json.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(r.headers['client-request-id']).toBe('abc-123');
  });
  it('rejects a token for another audience with the reason', async () => {
    const r = await h.call('GET', '/users', { token: 'not-a-jwt' });
    expect(r.status).toBe(401);
    expect(r.json.error.message).toMatch(/malformed/);
  });
});

describe('application permissions', () => {
  it('the identity sandbox grants the Graph application roles in the client-credentials token', () => {
    const claims = JSON.parse(Buffer.from(h.token.split('.')[1]!, 'base64url').toString('utf8')) as { aud: string; roles: string[] };
    expect(claims.aud).toBe('https://graph.microsoft.com');
    expect(claims.roles).toEqual(expect.arrayContaining(['User.Read.All', 'Group.ReadWrite.All', 'Team.Create', 'TeamMember.ReadWrite.All', 'Tasks.ReadWrite.All']));
  });
  it('an app token without the needed role gets 403 Authorization_RequestDenied naming the permissions', async () => {
    const host = await startHost({ https: {}, authenticate: () => ({ kind: 'app', objectId: 'o', appId: 'app-without-consent', audience: 'https://graph.microsoft.com', scopes: ['User.Read.All'] }) });
    try {
      await startGraph(host);
      const { request } = await import('node:https');
      const get = (path: string) =>
        new Promise<{ status: number; json: { error: { code: string; message: string } } }>((resolve, reject) =>
          request(`${host.origin}/v1.0${path}`, { ca: host.caPem, headers: { Authorization: 'Bearer x' } }, (res) => {
            let t = '';
            res.on('data', (c: Buffer) => (t += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(t) }));
          }).on('error', reject).end(),
        );
      expect((await get(`/users/${users[0]!.objectId}`)).status).toBe(200);
      const denied = await get('/groups');
      expect(denied.status).toBe(403);
      expect(denied.json.error.code).toBe('Authorization_RequestDenied');
      expect(denied.json.error.message).toMatch(/Group\.Read\.All/);
    } finally {
      await host.close();
    }
  });
});

describe('users', () => {
  it('reads by id, by UPN and by the users(\'upn\') key form, with $select', async () => {
    const p = users[3]!;
    const byId = await h.call('GET', `/users/${p.objectId}`);
    expect(byId.json.userPrincipalName).toBe(p.upn);
    const byUpn = await h.call('GET', `/users/${encodeURIComponent(p.upn)}?$select=id,accountEnabled`);
    expect(byUpn.json).toMatchObject({ id: p.objectId, accountEnabled: true });
    expect(byUpn.json.displayName).toBeUndefined();
    const key = await h.call('GET', `/users('${encodeURIComponent(p.upn)}')`);
    expect(key.json.id).toBe(p.objectId);
    const missing = await h.call('GET', '/users/nobody@nordlys.example');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('Request_ResourceNotFound');
  });
  it('pages with absolute https next links and filters accountEnabled / licences', async () => {
    let url: string | undefined = `/users?$top=40&$select=id,userPrincipalName`;
    const seen: string[] = [];
    while (url) {
      const r = await h.call('GET', url);
      expect(r.status).toBe(200);
      seen.push(...r.json.value.map((v: { id: string }) => v.id));
      url = r.json['@odata.nextLink'];
      if (url) expect(url.startsWith(`${h.v1}/users?`)).toBe(true);
    }
    expect(seen.length).toBe(h.graph.state.users.size);
    expect(new Set(seen).size).toBe(seen.length);
    const disabled = await h.call('GET', `/users?$filter=accountEnabled eq false`);
    expect(disabled.json.value.map((u: { userPrincipalName: string }) => u.userPrincipalName)).toContain(FINDING_CASES.disabledUpn);
    const unlicensed = await h.call('GET', `/users/${encodeURIComponent(FINDING_CASES.unlicensedUpn)}?$select=assignedLicenses`);
    expect(unlicensed.json.assignedLicenses.map((l: { skuId: string }) => l.skuId)).not.toContain(SKU_WITH_TEAMS);
    const noLevel = await h.call('GET', `/users?$count=true&$top=1`);
    expect(noLevel.status).toBe(400);
    const counted = await h.call('GET', `/users?$count=true&$top=1`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(counted.json['@odata.count']).toBe(h.graph.state.users.size);
    expect(counted.json['@odata.nextLink']).not.toMatch(/count/);
    const bad = await h.call('GET', `/users?$filter=endswith(mail,'x')`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('Request_UnsupportedQuery');
  });
});

describe('groups', () => {
  it('caps owners + members binds at 20 link changes with Graph\'s message, and rejects a duplicate bind and mailNickname', async () => {
    const ids = users.slice(0, 21).map((u) => u.objectId);
    const over = await h.call('POST', '/groups', { body: { displayName: 'Big', mailNickname: 'BIG_D365', mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'], 'owners@odata.bind': ids.slice(0, 1).map(bind), 'members@odata.bind': ids.slice(1).map(bind) } });
    expect(over.status).toBe(400);
    expect(over.json.error.message).toBe('A resource cannot contain more than 20 link changes');
    const dup = await h.call('POST', '/groups', { body: { displayName: 'Dup', mailNickname: 'DUP_D365', mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'], 'members@odata.bind': [bind(ids[0]!), bind(ids[0]!)] } });
    expect(dup.json.error).toMatchObject({ code: 'Request_BadRequest' });
    expect(dup.json.error.message).toMatch(/can only be present once as an add\/remove change/);
    await unifiedGroup([ids[0]!]);
    const again = await h.call('POST', '/groups', { body: { displayName: 'Again', mailNickname: `store${nick}_d365`, mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'] } });
    expect(again.json.error.message).toBe('Another object with the same value for property mailNickname already exists.');
    const badNick = await h.call('POST', '/groups', { body: { displayName: 'Bad', mailNickname: 'a b', mailEnabled: true, securityEnabled: false } });
    expect(badNick.status).toBe(400);
    const badUrl = await h.call('POST', '/groups', { body: { displayName: 'Bad', mailNickname: 'BADURL', mailEnabled: true, securityEnabled: false, 'owners@odata.bind': ['nonsense'] } });
    expect(badUrl.json.error.message).toBe('Invalid URL format specified in @odata.bind for owners');
  });
});

describe('teams', () => {
  it('POST /teams answers 202 with an empty JSON body, Location and Content-Location; the operation progresses on the clock', async () => {
    const r = await h.call('POST', '/teams', { body: { 'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", displayName: 'Nordlys Bergen', description: 'Store 001005', members: [member(users[0]!.objectId, true)] } });
    expect(r.status).toBe(202);
    expect(r.text).toBe('');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['content-length']).toBe('0');
    const loc = String(r.headers.location);
    const m = /^\/teams\('([0-9a-f-]{36})'\)\/operations\('([0-9a-f-]{36})'\)$/.exec(loc)!;
    expect(m).not.toBeNull();
    expect(r.headers['content-location']).toBe(`/teams('${m[1]}')`);
    const status = async () => (await h.call('GET', loc)).json.status as string;
    expect(await status()).toBe('notStarted');
    expect((await h.call('GET', `/teams/${m[1]}`)).status).toBe(404);
    h.host.clock.advance(1500);
    expect(await status()).toBe('inProgress');
    h.host.clock.advance(2500);
    const op = (await h.call('GET', `/teams/${m[1]}/operations/${m[2]}`)).json;
    expect(op).toMatchObject({ status: 'succeeded', operationType: 'createTeam', targetResourceId: m[1], targetResourceLocation: `/teams('${m[1]}')` });
    const team = await h.call('GET', `/teams/${m[1]}`);
    expect(team.json.displayName).toBe('Nordlys Bergen');
    const list = await h.call('GET', `/teams?$filter=startswith(displayName,'Nordlys B')`);
    expect(list.json.value).toEqual([{ id: m[1], displayName: 'Nordlys Bergen', description: 'Store 001005' }]);
    const groups = await h.call('GET', `/groups?$filter=resourceProvisioningOptions/Any(x:x eq 'Team')`);
    expect(groups.json.value.map((g: { id: string }) => g.id)).toContain(m[1]);
  });
  it('needs an owner in application context, and refuses group-inherited properties with group@odata.bind', async () => {
    const noOwner = await h.call('POST', '/teams', { body: { 'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", displayName: 'X' } });
    expect(noOwner.status).toBe(400);
    const gid = await unifiedGroup([users[1]!.objectId]);
    const inherited = await h.call('POST', '/teams', { body: { 'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", 'group@odata.bind': `https://graph.microsoft.com/v1.0/groups('${gid}')`, displayName: 'nope' } });
    expect(inherited.status).toBe(400);
  });
  it('PUT /groups/{id}/team answers 201, and 409 on an already-teamified group', async () => {
    const gid = await unifiedGroup([users[1]!.objectId]);
    const put = await h.call('PUT', `/groups/${gid}/team`, { body: {} });
    expect(put.status).toBe(201);
    expect(put.json.id).toBe(gid);
    const again = await h.call('PUT', `/groups/${gid}/team`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('Conflict');
  });
  it('members: single add 201, members/add 200 and 207 with per-item results, owner filter, owner cap 100', async () => {
    const tid = await newTeam('Members team');
    const one = await h.call('POST', `/teams/${tid}/members`, { body: member(users[1]!.objectId) });
    expect(one.status).toBe(201);
    expect(one.json).toMatchObject({ '@odata.type': '#microsoft.graph.aadUserConversationMember', userId: users[1]!.objectId, roles: [] });
    const all = await h.call('POST', `/teams/${tid}/members/add`, { body: { values: [member(users[2]!.objectId), member(users[3]!.objectId)] } });
    expect(all.status).toBe(200);
    expect(all.json.value.every((v: { error: unknown }) => v.error === null)).toBe(true);
    const some = await h.call('POST', `/teams/${tid}/members/add`, { body: { values: [member(users[4]!.objectId), member('00000000-0000-4000-8000-00000000dead')] } });
    expect(some.status).toBe(207);
    expect(some.json.value[1]).toMatchObject({ '@odata.type': '#microsoft.graph.aadUserConversationMemberResult', error: { code: 'NotFound', message: '' } });
    const owners = await h.call('GET', `/teams/${tid}/members?$filter=roles/any(r:r eq 'owner')`);
    expect(owners.json.value.map((v: { userId: string }) => v.userId)).toEqual([users[0]!.objectId]);
    const many = users.slice(1, 101).map((u) => member(u.objectId, true));
    const capped = await h.call('POST', `/teams/${tid}/members/add`, { body: { values: many } });
    expect(capped.status).toBe(207);
    const errors = capped.json.value.filter((v: { error: unknown }) => v.error);
    expect(errors).toHaveLength(1);
    expect(errors[0].error.message).toMatch(/at most 100 owners/);
  });
  it('channels: General exists, create, duplicate name refused', async () => {
    const tid = await newTeam('Channel team');
    expect((await h.call('GET', `/teams/${tid}/channels`)).json.value.map((c: { displayName: string }) => c.displayName)).toEqual(['General']);
    const c = await h.call('POST', `/teams/${tid}/channels`, { body: { displayName: 'Store news', membershipType: 'standard' } });
    expect(c.status).toBe(201);
    expect(c.json.id).toMatch(/^19:[0-9a-f]+@thread\.tacv2$/);
    expect((await h.call('POST', `/teams/${tid}/channels`, { body: { displayName: 'store NEWS' } })).status).toBe(400);
  });
});

describe('fault profiles', () => {
  it('replication-lag: a new group is 404 to Teams endpoints until the lag has passed', async () => {
    await h.call('POST', '/_sandbox/faults/replication-lag', { body: { seconds: 30 } });
    const gid = await unifiedGroup([users[2]!.objectId]);
    const early = await h.call('PUT', `/groups/${gid}/team`, { body: {} });
    expect(early.status).toBe(404);
    h.host.clock.advance(30_000);
    expect((await h.call('PUT', `/groups/${gid}/team`, { body: {} })).status).toBe(201);
  });
  it('lying-404: teamify answers 404 but succeeds; the retry gets 409', async () => {
    await h.call('POST', '/_sandbox/faults/lying-404');
    const gid = await unifiedGroup([users[2]!.objectId]);
    const body = { 'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", 'group@odata.bind': `https://graph.microsoft.com/v1.0/groups('${gid}')` };
    expect((await h.call('POST', '/teams', { body })).status).toBe(404);
    const retry = await h.call('POST', '/teams', { body });
    expect(retry.status).toBe(409);
    expect(retry.json.error.message).toBe('Team already exists');
  });
  it('members-add-502 and licence-missing', async () => {
    const tid = await newTeam('Faulty team');
    await h.call('PUT', '/_sandbox/faults', { body: { profiles: { 'members-add-502': {}, 'licence-missing': {} } } });
    const bulk = await h.call('POST', `/teams/${tid}/members/add`, { body: { values: [member(users[5]!.objectId)] } });
    expect(bulk.status).toBe(502);
    expect(bulk.json.error).toMatchObject({ code: 'BadGateway', message: 'Failed to execute backend request.' });
    expect((await h.call('POST', `/teams/${tid}/members`, { body: member(users[5]!.objectId) })).status).toBe(201);
    const unlicensed = COMMERCE_TEAMS_PERSONAS.find((p) => !p.teamsLicensed)!;
    const lic = await h.call('POST', `/teams/${tid}/members`, { body: member(unlicensed.objectId) });
    expect(lic.status).toBe(400);
    expect(lic.json.error.message).toMatch(/Sku categories/);
  });
  it('rejects an unknown profile with the list of known ones', async () => {
    const r = await h.call('POST', '/_sandbox/faults/flaky-everything');
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/replication-lag/);
  });
});

describe('throttling', () => {
  it('team creation: 6 per second per app, then 429 with Retry-After; an early retry extends the wait', async () => {
    await h.call('PATCH', '/_sandbox/graph', { body: { throttling: true } });
    await h.call('POST', '/_sandbox/graph/reset-throttling');
    const body = { 'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", displayName: 'Burst', members: [member(users[0]!.objectId, true)] };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await h.call('POST', '/teams', { body })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 429]);
    const early = await h.call('POST', '/teams', { body });
    expect(early.status).toBe(429);
    expect(early.json.error.code).toBe('TooManyRequests');
    expect(Number(early.headers['retry-after'])).toBeGreaterThanOrEqual(2);
    h.host.clock.advance(Number(early.headers['retry-after']) * 1000);
    expect((await h.call('POST', '/teams', { body })).status).toBe(202);
  });
});

describe('planner', () => {
  let planId = '';
  let groupId = '';
  beforeAll(async () => {
    groupId = await newTeam('Planner team');
    const p = await h.call('POST', '/planner/plans', { body: { title: 'Store tasks', container: { url: `https://graph.microsoft.com/v1.0/groups/${groupId}` } } });
    expect(p.status).toBe(201);
    expect(p.json.id).toHaveLength(28);
    planId = p.json.id;
  });
  const assignment = { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: ' !' };

  it('creates buckets and tasks with typed assignments; lists plans per group', async () => {
    const b = await h.call('POST', '/planner/buckets', { body: { name: 'Today', planId, orderHint: ' !' } });
    expect(b.status).toBe(201);
    const t = await h.call('POST', '/planner/tasks', { body: { planId, bucketId: b.json.id, title: 'Count the till', assignments: { [users[0]!.objectId]: assignment } } });
    expect(t.status).toBe(201);
    expect(t.json['@odata.etag']).toMatch(/^W\/"[A-Za-z0-9+/=]+"$/);
    expect(t.json.assignments[users[0]!.objectId]).toMatchObject({ '@odata.type': '#microsoft.graph.plannerAssignment', assignedBy: { application: { id: expect.any(String) } } });
    const plans = await h.call('GET', `/groups/${groupId}/planner/plans`);
    expect(plans.json.value.map((p: { id: string }) => p.id)).toEqual([planId]);
    const untyped = await h.call('POST', '/planner/tasks', { body: { planId, title: 'x', assignments: { [users[0]!.objectId]: { orderHint: ' !' } } } });
    expect(untyped.status).toBe(400);
    const asString = await h.call('POST', '/planner/tasks', { body: { planId, title: 'x', assignments: { [users[0]!.objectId]: 'yes' } } });
    expect(asString.json.error.message).toMatch(/open type property 'assignments' has an invalid type/);
    const echoed = await h.call('POST', '/planner/tasks', { body: { planId, title: 'x', orderHint: t.json.orderHint } });
    expect(echoed.json.error.message).toBe('Specified order hint is in an invalid format.');
  });

  it('enforces If-Match: missing → 412, malformed → 400 with an empty code, stale and conflicting → 412, stale without conflict accepted', async () => {
    const t = (await h.call('POST', '/planner/tasks', { body: { planId, title: 'Etags' } })).json;
    const e1 = t['@odata.etag'];
    expect((await h.call('PATCH', `/planner/tasks/${t.id}`, { body: { title: 'a' } })).status).toBe(412);
    const bad = await h.call('PATCH', `/planner/tasks/${t.id}`, { body: { title: 'a' }, headers: { 'If-Match': 'W/"garbage"' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: '', message: 'The If-Match header contains an invalid value.' });
    const okPatch = await h.call('PATCH', `/planner/tasks/${t.id}`, { body: { title: 'b' }, headers: { 'If-Match': e1 } });
    expect(okPatch.status).toBe(204);
    expect(okPatch.text).toBe('');
    const stale = await h.call('PATCH', `/planner/tasks/${t.id}`, { body: { title: 'c' }, headers: { 'If-Match': e1 } });
    expect(stale.status).toBe(412);
    const otherField = await h.call('PATCH', `/planner/tasks/${t.id}`, { body: { priority: 1 }, headers: { 'If-Match': e1, Prefer: 'return=representation' } });
    expect(otherField.status).toBe(200);
    expect(otherField.json).toMatchObject({ title: 'b', priority: 1 });
    expect(otherField.json['@odata.etag']).not.toBe(e1);
    const done = await h.call('PATCH', `/planner/tasks/${t.id}`, { body: { percentComplete: 100 }, headers: { 'If-Match': otherField.json['@odata.etag'], Prefer: 'return=representation' } });
    expect(done.json.completedDateTime).toBe(new Date(h.host.clock.now()).toISOString());
    expect(done.json.completedBy).toBeTruthy();
  });

  it('limits answer 403 with their codes (assignees, checklist items)', async () => {
    const many = Object.fromEntries(users.slice(0, 21).map((u) => [u.objectId, assignment]));
    const r = await h.call('POST', '/planner/tasks', { body: { planId, title: 'crowd', assignments: many } });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('MaximumAssigneesInTasks');
    const t = (await h.call('POST', '/planner/tasks', { body: { planId, title: 'steps' } })).json;
    const d = (await h.call('GET', `/planner/tasks/${t.id}/details`)).json;
    const checklist = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`0000000${i}-aaaa-4bbb-8ccc-000000000000`.slice(-36), { '@odata.type': 'microsoft.graph.plannerChecklistItem', title: `Step ${i}` }]));
    const c = await h.call('PATCH', `/planner/tasks/${t.id}/details`, { body: { checklist }, headers: { 'If-Match': d['@odata.etag'] } });
    expect(c.status).toBe(403);
    expect(c.json.error.code).toBe('MaximumChecklistItemsOnTask');
  });
});

describe('$batch', () => {
  it('validates size, ids and Content-Type; runs dependsOn with 424 for failed dependencies', async () => {
    const get = (id: string) => ({ id, method: 'GET', url: `/users/${users[0]!.objectId}` });
    expect((await h.call('POST', '/$batch', { body: { requests: Array.from({ length: 21 }, (_, i) => get(String(i))) } })).status).toBe(400);
    expect((await h.call('POST', '/$batch', { body: { requests: [get('1'), get('1')] } })).status).toBe(400);
    expect((await h.call('POST', '/$batch', { body: { requests: [{ id: '1', method: 'POST', url: '/groups', body: {} }] } })).status).toBe(400);
    const r = await h.call('POST', '/$batch', {
      body: { requests: [{ id: 'a', method: 'GET', url: '/users/nobody@nordlys.example' }, { id: 'b', method: 'GET', url: `/users/${users[1]!.objectId}`, dependsOn: ['a'] }, get('c')] },
    });
    expect(r.status).toBe(200);
    const by = Object.fromEntries(r.json.responses.map((x: { id: string }) => [x.id, x]));
    expect(by.a.status).toBe(404);
    expect(by.a.body.error.innerError['request-id']).toBeTruthy();
    expect(by.b.status).toBe(424);
    expect(by.c.status).toBe(200);
  });
  it('throttles inner requests individually: an inner 429 carries Retry-After', async () => {
    await h.call('PATCH', '/_sandbox/graph', { body: { throttling: true } });
    await h.call('POST', '/_sandbox/graph/reset-throttling');
    const tid = await newTeam('Batch throttle');
    await h.call('POST', '/_sandbox/graph/reset-throttling');
    const r = await h.call('POST', '/$batch', { body: { requests: Array.from({ length: 6 }, (_, i) => ({ id: String(i), method: 'GET', url: `/teams/${tid}` })) } });
    const statuses = r.json.responses.map((x: { status: number }) => x.status);
    expect(statuses.filter((s: number) => s === 200)).toHaveLength(4);
    const throttled = r.json.responses.find((x: { status: number }) => x.status === 429);
    expect(Number(throttled.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
  });
});

describe('kernel', () => {
  it('limits request bodies (413) and answers administration only for loopback Host headers (421)', async () => {
    const big = await h.call('POST', '/groups', { raw: JSON.stringify({ x: 'y'.repeat(5 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    const rebound = await h.call('GET', '/_sandbox', { headers: { Host: 'evil.example' } });
    expect(rebound.status).toBe(421);
    const summary = await h.call('GET', '/_sandbox');
    expect(summary.json.services.map((s: { name: string }) => s.name)).toEqual(['graph']);
    expect(summary.json.faults.defined.map((d: { name: string }) => d.name).sort()).toEqual(['licence-missing', 'lying-404', 'members-add-502', 'replication-lag', 'throttle-heavy']);
  });
  it('injects generic faults from /_sandbox/knobs and refuses unknown knobs', async () => {
    expect((await h.call('PATCH', '/_sandbox/knobs', { body: { faultRate: 1, faultKinds: ['429'], burstLength: 1 } })).status).toBe(200);
    const r = await h.call('GET', `/users/${users[0]!.objectId}`);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('1');
    await h.call('PATCH', '/_sandbox/knobs', { body: { faultRate: 0 } });
    expect((await h.call('GET', `/users/${users[0]!.objectId}`)).status).toBe(200);
    const bad = await h.call('PATCH', '/_sandbox/knobs', { body: { speed: 11 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/Unknown knob 'speed'/);
  });
});
