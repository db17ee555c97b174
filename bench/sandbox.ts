/**
 * Dataverse sandbox throughput: simple GET-by-id requests/s with 16 concurrent keep-alive clients, and rows/s
 * through CreateMultiple, UpdateMultiple and UpsertMultiple (1,000 rows per request; UpdateMultiple and the first
 * UpsertMultiple phase on existing ids, the second UpsertMultiple phase on new ids as the sync engine inserts). Prints one JSON line. Run: npx tsx bench/sandbox.ts [--seconds N]
 * The server runs in a child process (as it does for real clients) so the load generator does not steal its
 * thread. Besides wall-clock rates it reports rates per second of server CPU, which stay meaningful when other
 * work shares the machine.
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Authenticate } from '../main/sandbox/auth';
import { SANDBOX_USERS } from '../main/sandbox/directory';
import { startDataverse } from '../main/sandbox/dataverse/index';

const admin = SANDBOX_USERS.find((u) => u.kind === 'admin') ?? SANDBOX_USERS[0];
// Bench-only token check (the identity service's JWT verification is measured by its own engineer).
const authenticate: Authenticate = (h, audience) =>
  h === 'Bearer bench' ? { kind: 'user', objectId: admin.objectId, appId: '', audience, scopes: [] } : { error: 'invalid_token', description: 'bench token expected' };

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3;

if (process.argv.includes('--serve')) {
  const svc = await startDataverse({ authenticate, seed: 'demo', limits: { requestsPerWindow: 1e9, concurrent: 1000, executionMsPerWindow: 1e12 } });
  process.stdout.write(`${JSON.stringify({ apiBase: svc.apiBase })}\n`);
  process.on('message', () => process.send?.(process.cpuUsage()));
  process.on('SIGTERM', () => void svc.close().then(() => process.exit(0)));
  process.on('disconnect', () => void svc.close().then(() => process.exit(0)));
} else {
  await runBench();
}

async function runBench(): Promise<void> {
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
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
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

  console.log(JSON.stringify({
    getByIdRequestsPerSecond: Math.round(done / (getMs / 1000)), getErrors: errors, concurrency: 16,
    createMultipleRowsPerSecond: created.rowsPerSecond, bulkRows: ids.length, bulkBatchSize: perBatch,
    getByIdPerServerCpuSecond: Math.round(done / (getCpuMs / 1000)), rowsPerServerCpuSecond: created.rowsPerCpuSecond,
    updateMultipleRowsPerSecond: updated.rowsPerSecond, upsertMultipleRowsPerSecond: upserted.rowsPerSecond,
    updateMultipleRowsPerServerCpuSecond: updated.rowsPerCpuSecond, upsertMultipleRowsPerServerCpuSecond: upserted.rowsPerCpuSecond,
    upsertMultipleNewRowsPerSecond: inserted.rowsPerSecond, upsertMultipleNewRowsPerServerCpuSecond: inserted.rowsPerCpuSecond,
    serverCpuUsPerRow: { createMultiple: created.cpuUsPerRow, updateMultiple: updated.cpuUsPerRow, upsertMultiple: upserted.cpuUsPerRow, upsertMultipleNew: inserted.cpuUsPerRow },
    targets: { requestsPerSecond: 3000, rowsPerSecond: 50000 }, node: process.version,
  }));
  agent.destroy();
  child.kill('SIGTERM');
}
