/**
 * Dataverse sandbox throughput: simple GET-by-id requests/s with 16 concurrent keep-alive clients, and rows/s
 * through CreateMultiple. Prints one JSON line. Run: npx tsx bench/sandbox.ts [--seconds N]
 * The server runs in a child process (as it does for real clients) so the load generator does not steal its
 * thread. Besides wall-clock rates it reports rates per second of server CPU, which stay meaningful when other
 * work shares the machine.
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
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

  // --- bulk: CreateMultiple, 1,000 rows per request (the documented sweet spot) ---
  const batches = 30;
  const perBatch = 1000;
  const payloads = Array.from({ length: batches }, (_, b) => JSON.stringify({
    Targets: Array.from({ length: perBatch }, (_, i) => ({
      '@odata.type': 'Microsoft.Dynamics.CRM.account', name: `Bench ${b}-${i}`, accountnumber: `B${b}-${i}`, telephone1: '+47 22 00 00 00',
      address1_city: 'Oslo', revenue: i * 10.5, numberofemployees: i, customertypecode: 3,
    })),
  }));
  await request('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', payloads[0]); // warm-up (JIT, statement cache)
  let cpu0 = await serverCpuMs();
  let t0 = performance.now();
  let ids: string[] = [];
  for (let b = 1; b < batches; b++) {
    const r = await request('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', payloads[b]);
    if (r.status !== 200) throw new Error(`CreateMultiple failed: ${r.status} ${r.body.slice(0, 200)}`);
    ids = ids.concat((JSON.parse(r.body) as { Ids: string[] }).Ids);
  }
  const bulkMs = performance.now() - t0;
  const bulkCpuMs = (await serverCpuMs()) - cpu0;

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
  cpu0 = await serverCpuMs();
  t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
  const getMs = performance.now() - t0;
  const getCpuMs = (await serverCpuMs()) - cpu0;

  console.log(JSON.stringify({
    getByIdRequestsPerSecond: Math.round(done / (getMs / 1000)), getErrors: errors, concurrency: 16,
    createMultipleRowsPerSecond: Math.round(ids.length / (bulkMs / 1000)), bulkRows: ids.length, bulkBatchSize: perBatch,
    getByIdPerServerCpuSecond: Math.round(done / (getCpuMs / 1000)), rowsPerServerCpuSecond: Math.round(ids.length / (bulkCpuMs / 1000)),
    targets: { requestsPerSecond: 3000, rowsPerSecond: 50000 }, node: process.version,
  }));
  agent.destroy();
  child.kill('SIGTERM');
}
