/**
 * Fidelity: the official @microsoft/microsoft-graph-client 3.0.7, unmodified, against the Graph sandbox over HTTPS.
 * The client runs in a child process with NODE_EXTRA_CA_CERTS = the sandbox CA (read by Node only at start).
 * The host uses the real clock here: the client's RetryHandler waits the real Retry-After.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMERCE_TEAMS_PERSONAS } from '../../../main/sandbox/commerce-teams-personas';
import { startGraphHarness } from './harness';
import type { GraphHarness } from './harness';

let h: GraphHarness;
let out: any; // eslint-disable-line @typescript-eslint/no-explicit-any
const ids = COMMERCE_TEAMS_PERSONAS.filter((p) => p.accountEnabled && p.teamsLicensed).slice(0, 2).map((p) => p.objectId);

beforeAll(async () => {
  h = await startGraphHarness();
  const script = fileURLToPath(new URL('./graph-client.child.mjs', import.meta.url));
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: h.host.caFile!, GRAPH_ORIGIN: h.host.origin, GRAPH_TOKEN: h.token, USER_IDS: ids.join(',') }, timeout: 45_000 }, (err, so, se) =>
      err ? reject(new Error(`graph client child failed: ${err.message}\n${se}`)) : resolve(so),
    ),
  );
  out = JSON.parse(stdout.trim().split('\n').pop()!);
}, 60_000);
afterAll(() => h.close());

describe('@microsoft/microsoft-graph-client 3.0.7 against the Graph sandbox', () => {
  it('creates a team and reads its id from Location with ResponseType.RAW (and falls into the empty-body trap without it)', () => {
    expect(out.create.status).toBe(202);
    expect(out.create.body).toBe('');
    expect(out.create.location).toMatch(/^\/teams\('[0-9a-f-]{36}'\)\/operations\('[0-9a-f-]{36}'\)$/);
    expect(out.create.contentLocation).toMatch(/^\/teams\('[0-9a-f-]{36}'\)$/);
    expect(out.trap).toEqual({ threw: true, isGraphError: true, statusCode: 202 });
  });
  it('PageIterator follows the https next links over every user', () => {
    expect(out.pages).toEqual({ count: h.graph.state.users.size, unique: h.graph.state.users.size, complete: true });
  });
  it('BatchRequestContent / BatchResponseContent round-trip with per-request statuses', () => {
    expect(out.batch).toMatchObject({ s1: 200, s2: 404, code2: 'Request_ResourceNotFound', s3: 201 });
    expect(out.batch.upn1).toBe(COMMERCE_TEAMS_PERSONAS.find((p) => p.objectId === ids[1])!.upn);
  });
  it('a 429 with Retry-After is retried by the RetryHandler until it succeeds', () => {
    expect(out.throttle.statuses).toEqual([202, 202, 202, 202, 202, 202, 202]);
    expect(h.graph.stats.throttled).toBeGreaterThanOrEqual(1);
  });
  it('a Planner PATCH with a stale etag fails as GraphError 412', () => {
    expect(out.stale).toMatchObject({ threw: true, isGraphError: true, statusCode: 412, code: 'PreconditionFailed' });
    expect(out.stale.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
