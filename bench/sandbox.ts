/**
 * Dataverse sandbox throughput: simple GET-by-id requests/s with 16 concurrent keep-alive clients, and rows/s
 * through CreateMultiple, UpdateMultiple and UpsertMultiple (1,000 rows per request; UpdateMultiple and the first
 * UpsertMultiple phase on existing ids, the second UpsertMultiple phase on new ids as the sync engine inserts). Prints one JSON line. Run: npx tsx bench/sandbox.ts [--seconds N]
 * The server runs in a child process (as it does for real clients) so the load generator does not steal its
 * thread. Besides wall-clock rates it reports rates per second of server CPU, which stay meaningful when other
 * work shares the machine.
 *
 * `largeTableReads` (issue #17): the two reads the sync's incremental run makes against a big table, on
 * `--read-rows N` contacts (default 1,000,000; 0 skips it; stored straight into the server's store after the other
 * phases, which therefore measure the small database as before): an id filter
 * (`Microsoft.Dynamics.CRM.In` on contactid, 200 random existing ids per request, as
 * DataverseSide.getByIds sends it) and a modified-since selection (`modifiedon gt` the newest 1 %, ordered by
 * modifiedon + id, 5,000 per page, following nextLink). Both should cost the same at 10,000 rows and at a million:
 * they are answered from the (entity, id) and (entity, modifiedon, id) indexes.
 *
 * Commerce ⇄ Teams (issue 13), in a second child process with the identity sandbox, the Graph sandbox (HTTPS with
 * its own CA, route throttling off: the bench measures the sandbox, not Graph's published limits) and the
 * Commerce headquarters sandbox on its bench seed (1,000 stores × 30 workers), real tokens from the identity
 * sandbox: `graph.getByIdPerSec` (GET /v1.0/users/{id}, 16 concurrent keep-alive clients; target ≥ 3,000),
 * `graph.plannerCreatePerSec` (POST /v1.0/planner/tasks, one plan per client; target ≥ 1,000) and
 * `commerce.rowsPerSec` (GET /data/RetailChannelWorkers?cross-company=true following nextLink in pages of
 * 10,000; target ≥ 50,000 rows/s). `--only c2t` skips the Dataverse part.
 */
import http from 'node:http';
import https from 'node:https';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Authenticate } from '../main/sandbox/auth';
import { SANDBOX_USERS } from '../main/sandbox/directory';
import { startDataverse } from '../main/sandbox/dataverse/index';
import type { DvStore, StoredRow } from '../main/sandbox/dataverse/store';

const admin = SANDBOX_USERS.find((u) => u.kind === 'admin') ?? SANDBOX_USERS[0];
// Bench-only token check (the identity service's JWT verification is measured by its own engineer).
const authenticate: Authenticate = (h, audience) =>
  h === 'Bearer bench' ? { kind: 'user', objectId: admin.objectId, appId: '', audience, scopes: [] } : { error: 'invalid_token', description: 'bench token expected' };

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3;

const argAt = (name: string, def: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : def);
const readRows = argAt('--read-rows', 1_000_000);
if (!(Number.isInteger(readRows) && readRows >= 0)) throw new Error(`--read-rows needs a whole number ≥ 0; got ${readRows}.`);

if (process.argv.includes('--serve-c2t')) {
  await serveCommerceTeams();
} else if (process.argv.includes('--serve')) {
  const svc = await startDataverse({ authenticate, seed: 'demo', limits: { requestsPerWindow: 1e9, concurrent: 1000, executionMsPerWindow: 1e12 } });
  process.stdout.write(`${JSON.stringify({ apiBase: svc.apiBase })}\n`);
  // 'cpu' → this process's CPU usage; {seed: N} → N contacts stored (after the other phases, so their figures are
  // measured on the small database as before) → the BigTable.
  process.on('message', (m) => process.send?.(typeof m === 'object' && m !== null && 'seed' in m ? seedContacts(svc.core.store, Number((m as { seed: number }).seed)) : process.cpuUsage()));
  process.on('SIGTERM', () => void svc.close().then(() => process.exit(0)));
  process.on('disconnect', () => void svc.close().then(() => process.exit(0)));
} else {
  const commerceTeams = await runCommerceTeamsBench();
  if (process.argv.includes('--only') && process.argv[process.argv.indexOf('--only') + 1] === 'c2t') console.log(JSON.stringify({ ...commerceTeams, node: process.version }));
  else await runBench(commerceTeams);
}

async function runBench(extra: Record<string, unknown> = {}): Promise<void> {
  // DV_BENCH_PROF=<dir> writes a V8 CPU profile of the server process there.
  const prof = process.env.DV_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.DV_BENCH_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const { apiBase } = await new Promise<{ apiBase: string }>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as { apiBase: string });
    });
    child.once('exit', (code) => reject(new Error(`sandbox child exited with ${code}`)));
  });
  const serverCpuMs = () => new Promise<number>((resolve) => {
    child.once('message', (u) => resolve(((u as NodeJS.CpuUsage).user + (u as NodeJS.CpuUsage).system) / 1000));
    child.send('cpu');
  });
  let agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const headers = { Authorization: 'Bearer bench', Accept: 'application/json', 'OData-Version': '4.0', 'Content-Type': 'application/json' };
  const request = (method: string, path: string, body?: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(`${apiBase}/${path}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });

  // --- bulk messages, 1,000 rows per request (the documented sweet spot) ---
  const batches = 30;
  const perBatch = 1000;
  const account = (b: number, i: number) => ({
    '@odata.type': 'Microsoft.Dynamics.CRM.account', name: `Bench ${b}-${i}`, accountnumber: `B${b}-${i}`, telephone1: '+47 22 00 00 00',
    address1_city: 'Oslo', revenue: i * 10.5, numberofemployees: i, customertypecode: 3,
  });
  const payloads = Array.from({ length: batches }, (_, b) => JSON.stringify({ Targets: Array.from({ length: perBatch }, (_, i) => account(b, i)) }));
  /** Runs payloads[1..] (payloads[0] is the warm-up: JIT, statement cache) and measures only those. */
  const bulkPhase = async (op: string, bodies: string[], expect: number) => {
    const w = await request('POST', `accounts/Microsoft.Dynamics.CRM.${op}`, bodies[0]);
    if (w.status !== expect) throw new Error(`${op} failed: ${w.status} ${w.body.slice(0, 200)}`);
    const cpu0 = await serverCpuMs();
    const t0 = performance.now();
    const results: string[] = [];
    for (let b = 1; b < bodies.length; b++) {
      const r = await request('POST', `accounts/Microsoft.Dynamics.CRM.${op}`, bodies[b]);
      if (r.status !== expect) throw new Error(`${op} failed: ${r.status} ${r.body.slice(0, 200)}`);
      results.push(r.body);
    }
    const ms = performance.now() - t0;
    const cpuMs = (await serverCpuMs()) - cpu0;
    const rows = (bodies.length - 1) * perBatch;
    return { results, rowsPerSecond: Math.round(rows / (ms / 1000)), rowsPerCpuSecond: Math.round(rows / (cpuMs / 1000)), cpuUsPerRow: Math.round((cpuMs * 1000 / rows) * 10) / 10 };
  };
  const created = await bulkPhase('CreateMultiple', payloads, 200);
  const ids = created.results.flatMap((b) => (JSON.parse(b) as { Ids: string[] }).Ids);
  // UpdateMultiple and UpsertMultiple address the rows just created (existing ids), as the sync engine does for
  // changed records; UpsertMultiple of new ids goes through the create path measured above.
  const measured = batches - 1;
  const idBatches = Array.from({ length: batches }, (_, b) => ids.slice((b % measured) * perBatch, ((b % measured) + 1) * perBatch));
  const updated = await bulkPhase('UpdateMultiple', idBatches.map((batch, b) => JSON.stringify({
    Targets: batch.map((id, i) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: id, telephone1: `+47 23 ${b} ${i}`, revenue: i * 11.5, numberofemployees: i + 1 })),
  })), 204);
  const upserted = await bulkPhase('UpsertMultiple', idBatches.map((batch, b) => JSON.stringify({
    Targets: batch.map((id, i) => ({ ...account(b, i), accountid: id, name: `Upserted ${b}-${i}` })),
  })), 200);
  // The sync engine's insert path: UpsertMultiple of ids the server has not seen (client-chosen, so random GUIDs).
  const inserted = await bulkPhase('UpsertMultiple', Array.from({ length: batches }, (_, b) => JSON.stringify({
    Targets: Array.from({ length: perBatch }, (_, i) => ({ ...account(b, i), accountid: randomUUID(), accountnumber: `U${b}-${i}` })),
  })), 200);

  // --- simple GET by id, 16 concurrent keep-alive clients ---
  let done = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async (w: number) => {
    let i = w;
    while (performance.now() < deadline) {
      const r = await request('GET', `accounts(${ids[(i += 16) % ids.length]})?$select=name,accountnumber,modifiedon`);
      if (r.status === 200) done++; else errors++;
    }
  };
  const cpu0 = await serverCpuMs();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
  const getMs = performance.now() - t0;
  const getCpuMs = (await serverCpuMs()) - cpu0;

  const big = readRows > 0 ? await new Promise<BigTable>((resolve) => {
    child.once('message', (m) => resolve(m as BigTable));
    child.send({ seed: readRows });
  }) : null;
  // Seeding blocks the server for longer than its keep-alive timeout: the pooled sockets it closes meanwhile would be
  // reused by the next request ("socket hang up"). Start the reads on fresh connections.
  if (big) {
    agent.destroy();
    agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  }
  const largeTableReads = big ? await measureLargeTableReads(big, request) : null;

  console.log(JSON.stringify({
    getByIdRequestsPerSecond: Math.round(done / (getMs / 1000)), getErrors: errors, concurrency: 16,
    createMultipleRowsPerSecond: created.rowsPerSecond, bulkRows: ids.length, bulkBatchSize: perBatch,
    getByIdPerServerCpuSecond: Math.round(done / (getCpuMs / 1000)), rowsPerServerCpuSecond: created.rowsPerCpuSecond,
    updateMultipleRowsPerSecond: updated.rowsPerSecond, upsertMultipleRowsPerSecond: upserted.rowsPerSecond,
    updateMultipleRowsPerServerCpuSecond: updated.rowsPerCpuSecond, upsertMultipleRowsPerServerCpuSecond: upserted.rowsPerCpuSecond,
    upsertMultipleNewRowsPerSecond: inserted.rowsPerSecond, upsertMultipleNewRowsPerServerCpuSecond: inserted.rowsPerCpuSecond,
    serverCpuUsPerRow: { createMultiple: created.cpuUsPerRow, updateMultiple: updated.cpuUsPerRow, upsertMultiple: upserted.cpuUsPerRow, upsertMultipleNew: inserted.cpuUsPerRow },
    targets: { requestsPerSecond: 3000, rowsPerSecond: 50000 }, node: process.version,
    largeTableReads,
    ...extra,
  }));
  agent.destroy();
  child.kill('SIGTERM');
}

interface BigTable { rows: number; sampleIds: string[]; newestOnePercentAfter: string; onePercent: number }

/**
 * `rows` contacts written straight into the store (one transaction of multi-row INSERTs), modifiedon one second
 * apart and ending now, so "the newest 1 %" is a modifiedon range. Returns 2,000 random ids and that range's start.
 */
function seedContacts(store: DvStore, rows: number): BigTable {
  const t0 = Date.now() - rows * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const sampleIds: string[] = [];
  const every = Math.max(1, Math.floor(rows / 2000));
  const chunk: StoredRow[] = [];
  store.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const id = randomUUID();
      if (i % every === 0 && sampleIds.length < 2000) sampleIds.push(id);
      const when = iso(t0 + i * 1000);
      const version = store.reserveVersion();
      chunk.push({ id, version, data: { contactid: id, firstname: 'Big', lastname: `Contact ${i}`, fullname: `Big Contact ${i}`, statecode: 0, statuscode: 1, createdon: when, modifiedon: when, versionnumber: version } });
      if (chunk.length === 10_000 || i === rows - 1) {
        if (!store.insertMany('contact', chunk)) throw new Error('seeding the large contact table hit a duplicate id');
        chunk.length = 0;
      }
    }
  });
  const onePercent = Math.max(1, Math.floor(rows / 100));
  return { rows, sampleIds, newestOnePercentAfter: iso(t0 + (rows - onePercent - 1) * 1000), onePercent };
}

async function measureLargeTableReads(big: BigTable, request: (method: string, path: string) => Promise<{ status: number; body: string }>) {
  const ID_BATCH = 200;
  const rounds = 20;
  let t = performance.now();
  let got = 0;
  for (let r = 0; r < rounds; r++) {
    const ids = Array.from({ length: ID_BATCH }, (_, i) => big.sampleIds[(r * 37 + i * 13) % big.sampleIds.length]!);
    const filter = `Microsoft.Dynamics.CRM.In(PropertyName='contactid',PropertyValues=[${[...new Set(ids)].map((id) => `'${id}'`).join(',')}])`;
    const res = await request('GET', `contacts?$select=fullname,modifiedon&$filter=${encodeURIComponent(filter)}`);
    if (res.status !== 200) throw new Error(`id filter read failed: ${res.status} ${res.body.slice(0, 200)}`);
    got += (JSON.parse(res.body) as { value: unknown[] }).value.length;
  }
  const idMs = (performance.now() - t) / rounds;
  // modifiedon gt <start of the newest 1 %>, in pages of 5,000 as DataverseSide.queryModified reads it.
  const modRounds = 3;
  t = performance.now();
  let modRows = 0;
  let pages = 0;
  for (let r = 0; r < modRounds; r++) {
    let next: string | null = `contacts?$select=fullname,modifiedon&$filter=${encodeURIComponent(`modifiedon gt ${big.newestOnePercentAfter}`)}&$orderby=${encodeURIComponent('modifiedon asc,contactid asc')}`;
    while (next) {
      const res = await request('GET', next);
      if (res.status !== 200) throw new Error(`modified-since read failed: ${res.status} ${res.body.slice(0, 200)}`);
      const body = JSON.parse(res.body) as { value: unknown[]; '@odata.nextLink'?: string };
      modRows += body.value.length;
      pages++;
      const link = body['@odata.nextLink'];
      next = link ? link.slice(link.indexOf('/contacts?') + 1) : null;
    }
  }
  const modMs = (performance.now() - t) / modRounds;
  return {
    rows: big.rows,
    idFilter: { idsPerRequest: ID_BATCH, msPerRequest: Math.round(idMs * 10) / 10, rowsPerRequest: Math.round(got / rounds) },
    modifiedSince: { rows: Math.round(modRows / modRounds), pages: Math.round(pages / modRounds), msPerSelection: Math.round(modMs), msPer1000Rows: Math.round((modMs * 1000 / Math.max(1, modRows / modRounds)) * 10) / 10 },
  };
}

// ------------------------------------------------------------------------------------------- Commerce ⇄ Teams

interface C2tEndpoints { graphOrigin: string; caPem: string; commerceUrl: string; graphToken: string; commerceToken: string }

async function serveCommerceTeams(): Promise<void> {
  const { startSandbox } = await import('../main/sandbox/index');
  const sb = await startSandbox({ port: 0, commerceSeed: 'bench' });
  sb.graph.settings.throttling = false;
  const token = async (c: { clientId: string; clientSecret: string }, scope: string) => {
    const r = await fetch(sb.info.identity.tokenEndpoint, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope }),
    });
    const j = (await r.json()) as { access_token?: string };
    if (!j.access_token) throw new Error(`bench: no token for ${scope}: ${JSON.stringify(j)}`);
    return j.access_token;
  };
  const out: C2tEndpoints = {
    graphOrigin: sb.graph.host.origin, caPem: sb.graph.host.caPem!, commerceUrl: sb.info.commerce.url,
    graphToken: await token(sb.info.clients.graph, sb.info.graph.scope), commerceToken: await token(sb.info.clients.commerce, sb.info.commerce.scope),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.on('message', () => process.send?.(process.cpuUsage()));
  process.on('SIGTERM', () => void sb.close().then(() => process.exit(0)));
  process.on('disconnect', () => void sb.close().then(() => process.exit(0)));
}

async function runCommerceTeamsBench(): Promise<{ graph: Record<string, number>; commerce: Record<string, number>; commerceTeamsTargets: Record<string, number> }> {
  const prof = process.env.C2T_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.C2T_BENCH_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', fileURLToPath(import.meta.url), '--serve-c2t'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  try {
    const ep = await new Promise<C2tEndpoints>((resolve, reject) => {
      let buf = '';
      child.stdout?.on('data', (c: Buffer) => {
        buf += c.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as C2tEndpoints);
      });
      child.once('exit', (code) => reject(new Error(`Commerce ⇄ Teams sandbox child exited with ${code}`)));
    });
    const serverCpuMs = () => new Promise<number>((resolve) => {
      child.once('message', (u) => resolve(((u as NodeJS.CpuUsage).user + (u as NodeJS.CpuUsage).system) / 1000));
      child.send('cpu');
    });
    const CONCURRENCY = 16;
    const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: ep.caPem });
    const plainAgent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const call = (url: string, token: string, method = 'GET', body?: unknown) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(url);
      const mod = u.protocol === 'https:' ? https : http;
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = mod.request(u, {
        method, agent: u.protocol === 'https:' ? tlsAgent : plainAgent,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(payload);
    });
    const v1 = `${ep.graphOrigin}/v1.0`;
    /** `seconds` of CONCURRENCY workers calling `one(worker, i)`; returns requests/s (wall and per server CPU second). */
    const timed = async (one: (w: number, i: number) => Promise<boolean>) => {
      let done = 0;
      let errors = 0;
      const deadline = performance.now() + seconds * 1000;
      const cpu0 = await serverCpuMs();
      const t0 = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
        for (let i = 0; performance.now() < deadline; i++) if (await one(w, i)) done++; else errors++;
      }));
      const ms = performance.now() - t0;
      const cpuMs = (await serverCpuMs()) - cpu0;
      if (errors) throw new Error(`Commerce ⇄ Teams bench: ${errors} failed requests`);
      return { perSec: Math.round(done / (ms / 1000)), perCpuSec: Math.round(done / (cpuMs / 1000)), count: done };
    };

    // Graph GET user by id.
    const list = await call(`${v1}/users?$top=999&$select=id`, ep.graphToken);
    if (list.status !== 200) throw new Error(`Graph users: ${list.status} ${list.body.slice(0, 200)}`);
    const userIds = (JSON.parse(list.body) as { value: { id: string }[] }).value.map((u) => u.id);
    await timed(async (w, i) => (await call(`${v1}/users/${userIds[(w * 31 + i) % userIds.length]}`, ep.graphToken)).status === 200).catch(() => undefined); // warm-up (JIT)
    const getById = await timed(async (w, i) => (await call(`${v1}/users/${userIds[(w * 31 + i) % userIds.length]}`, ep.graphToken)).status === 200);

    // Planner task create: one plan per worker (a plan holds at most 2,400 active tasks; roll to a new plan when full).
    const groupIds = await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
      const r = await call(`${v1}/groups`, ep.graphToken, 'POST', { displayName: `Bench group ${w}`, mailNickname: `bench-group-${w}`, mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'] });
      if (r.status !== 201) throw new Error(`Graph group: ${r.status} ${r.body.slice(0, 200)}`);
      return (JSON.parse(r.body) as { id: string }).id;
    }));
    const newPlan = async (w: number) => {
      const r = await call(`${v1}/planner/plans`, ep.graphToken, 'POST', { title: `Bench plan ${w}`, container: { containerId: groupIds[w % groupIds.length], type: 'group' } });
      if (r.status !== 201) throw new Error(`Planner plan: ${r.status} ${r.body.slice(0, 200)}`);
      return { id: (JSON.parse(r.body) as { id: string }).id, tasks: 0 };
    };
    const plans = await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => newPlan(w)));
    const createTask = async (w: number, i: number) => {
      if (plans[w]!.tasks >= 2400) plans[w] = await newPlan(w);
      plans[w]!.tasks++;
      const r = await call(`${v1}/planner/tasks`, ep.graphToken, 'POST', { planId: plans[w]!.id, title: `Bench task ${w}-${i}` });
      return r.status === 201;
    };
    const plannerCreate = await timed(createTask);

    // Commerce collection reads: all channel workers of the bench seed, following nextLink.
    const first = `${ep.commerceUrl}/data/RetailChannelWorkers?cross-company=true`;
    const readAll = async () => {
      let rows = 0;
      let next: string | undefined = first;
      while (next) {
        const r = await call(next, ep.commerceToken);
        if (r.status !== 200) throw new Error(`Commerce read: ${r.status} ${r.body.slice(0, 200)}`);
        const body = JSON.parse(r.body) as { value: unknown[]; '@odata.nextLink'?: string };
        rows += body.value.length;
        next = body['@odata.nextLink'];
      }
      return rows;
    };
    await readAll(); // warm-up
    let rows = 0;
    const cpu0 = await serverCpuMs();
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) rows += await readAll();
    const readMs = performance.now() - t0;
    const readCpuMs = (await serverCpuMs()) - cpu0;
    tlsAgent.destroy();
    plainAgent.destroy();
    return {
      graph: { getByIdPerSec: getById.perSec, getByIdPerServerCpuSec: getById.perCpuSec, plannerCreatePerSec: plannerCreate.perSec, plannerCreatePerServerCpuSec: plannerCreate.perCpuSec, plannerTasksCreated: plannerCreate.count, concurrency: CONCURRENCY },
      commerce: { rowsPerSec: Math.round(rows / (readMs / 1000)), rowsPerServerCpuSec: Math.round(rows / (readCpuMs / 1000)), rowsRead: rows, pageSize: 10_000 },
      commerceTeamsTargets: { graphGetByIdPerSec: 3000, plannerCreatePerSec: 1000, commerceRowsPerSec: 50_000 },
    };
  } finally {
    child.kill('SIGTERM');
  }
}
