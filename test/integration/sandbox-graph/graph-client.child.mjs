/**
 * Runs the official @microsoft/microsoft-graph-client 3.0.7, unmodified, against the Graph sandbox. Started by
 * graph-client.test.ts as a child process with NODE_EXTRA_CA_CERTS set to the sandbox CA (Node reads it only at
 * process start). Input: GRAPH_ORIGIN, GRAPH_TOKEN, USER_IDS (comma-separated). Output: one JSON line on stdout.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client, ResponseType, PageIterator, BatchRequestContent, BatchResponseContent, GraphError } = require('@microsoft/microsoft-graph-client');

const origin = process.env.GRAPH_ORIGIN;
const token = process.env.GRAPH_TOKEN;
const userIds = (process.env.USER_IDS ?? '').split(',');
const client = Client.init({
  authProvider: (done) => done(null, token),
  baseUrl: `${origin}/`,
  defaultVersion: 'v1.0',
  customHosts: new Set(['127.0.0.1']),
});
const teamBody = (name) => ({
  'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
  displayName: name,
  members: [{ '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'], 'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${userIds[0]}')` }],
});
const out = {};

// 1. A 429 retried by the RetryHandler: team creation allows 6 per second per app; the 7th is throttled. Sent at
// once: one after the other, a loaded machine can take longer than the bucket's refill and never reach the limit.
const created = (await Promise.all(Array.from({ length: 7 }, (_, i) => client.api('/teams').responseType(ResponseType.RAW).post(teamBody(`Burst ${i}`))))).map((r) => r.status);
out.throttle = { statuses: created };

// 2. Create a team and read its id from Location (RAW); without RAW the empty JSON body is a GraphError with the 2xx status.
const raw = await client.api('/teams').responseType(ResponseType.RAW).post(teamBody('Nordlys Oslo Sentrum'));
out.create = { status: raw.status, location: raw.headers.get('Location'), contentLocation: raw.headers.get('Content-Location'), body: await raw.text() };
try {
  await client.api('/teams').post(teamBody('Without RAW'));
  out.trap = { threw: false };
} catch (x) {
  out.trap = { threw: true, isGraphError: x instanceof GraphError, statusCode: x.statusCode };
}

// 3. PageIterator over users (absolute https next links).
const seen = [];
const first = await client.api('/users').top(25).select('id,userPrincipalName').get();
const it = new PageIterator(client, first, (u) => {
  seen.push(u.id);
  return true;
});
await it.iterate();
out.pages = { count: seen.length, unique: new Set(seen).size, complete: it.isComplete() };

// 4. BatchRequestContent / BatchResponseContent.
const batch = new BatchRequestContent([
  { id: '1', request: new Request(`${origin}/v1.0/users/${userIds[1]}`, { method: 'GET' }) },
  { id: '2', request: new Request(`${origin}/v1.0/users/nobody@nordlys.example`, { method: 'GET' }) },
  {
    id: '3',
    request: new Request(`${origin}/v1.0/groups`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'Batch group', mailNickname: 'BATCH_D365', mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'] }),
    }),
  },
]);
const batchResponse = new BatchResponseContent(await client.api('/$batch').post(await batch.getContent()));
const r1 = batchResponse.getResponseById('1');
const r2 = batchResponse.getResponseById('2');
const r3 = batchResponse.getResponseById('3');
out.batch = { s1: r1.status, upn1: (await r1.json()).userPrincipalName, s2: r2.status, code2: (await r2.json()).error.code, s3: r3.status };

// 5. Planner PATCH with a stale etag → GraphError 412.
const teamId = /teams\('([^']+)'\)/.exec(out.create.location)[1];
const plan = await client.api('/planner/plans').post({ title: 'Store tasks', container: { url: `https://graph.microsoft.com/v1.0/groups/${teamId}` } });
const task = await client.api('/planner/tasks').post({ planId: plan.id, title: 'Open the store' });
await client.api(`/planner/tasks/${task.id}`).header('If-Match', task['@odata.etag']).patch({ title: 'Open the store at 9' });
try {
  await client.api(`/planner/tasks/${task.id}`).header('If-Match', task['@odata.etag']).patch({ title: 'Open the store at 10' });
  out.stale = { threw: false };
} catch (x) {
  out.stale = { threw: true, isGraphError: x instanceof GraphError, statusCode: x.statusCode, code: x.code, requestId: x.requestId };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
