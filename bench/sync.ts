/**
 * Sync benchmark: BC → Dataverse initial sync of `--records` items + records/5 customers through the real HTTP
 * adapters, then an incremental run after 1 % of them changed in BC, against the sandbox with `--latency-ms` of
 * latency and its default service-protection limits. The sandbox runs in a CHILD process: peakRssMB is this
 * process only (engine + adapters + SQLite), not the sandbox.
 *
 * A baseline engine "as BC does it" (one request per record, sequential) runs in the same process on a sample of
 * min(1000, records) records of the same data; its records/s is what the ratio compares against.
 *
 *   npm run bench:sync -- --records 100000 --latency-ms 40
 *   SYNC_BENCH_PROF=/tmp/prof npm run bench:sync -- --records 20000   (CPU profile of the sandbox child)
 * Ends with one JSON line: {"records","engine","baseline","ratio","bound","boundFraction","incremental","peakRssMB","cpu","scaling"}.
 * `cpu` (added for issue #7's "halve the engine's CPU per record"): CPU time per record of the initial sync, for this
 * process (process.cpuUsage: engine, adapters, SQLite) and for the sandbox child (from /proc; null elsewhere). On a
 * shared machine the wall-clock rates swing with other load; CPU per record is the stable measure of our own cost.
 * `scaling` (issue #17): `incrementalMsPerChanged` = incremental seconds × 1000 / changed records, which stays flat
 * from 100,000 to 1,000,000 records when the incremental run is O(changed); `incrementalRequests` = the requests
 * the incremental run sent, per service and method ("dv GET", "bc POST" …); `commandSeconds` = the whole run. The 1 % change is written straight into
 * the sandbox's BC store (not measured; see changeOps).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { openDatabase } from '../main/db/database';
import { DEFAULT_LIMITS } from '../main/sandbox/dataverse/security';
import { adapterMappings } from '../main/integrations/sales/sync/adapters/connect';
import { SyncEngine } from '../main/integrations/sales/sync/engine/engine';
import type { Row } from '../main/integrations/sales/sync/ports';
import { argNumber, rssSampler, sandboxSides, startSandboxChild, TSX_ARGS } from './support/harness';
import { boundHeapGrowth } from '../main/platform/heap';

const records = argNumber('--records', 100_000);
const latencyMs = argNumber('--latency-ms', 40);
const quiet = process.argv.includes('--quiet');
const log = (m: string) => void (quiet || process.stderr.write(`[bench:sync] ${m}\n`));

// This process hosts the engine as the console's processes do, with their heap policy (main/platform/heap.ts).
boundHeapGrowth();
const rss = rssSampler();
// Requests this process sends, per service and method (the adapters' HttpClient calls the global fetch at call time).
const requests = new Map<string, number>();
const realFetch = globalThis.fetch;
globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const k = `${url.includes('/api/data/') ? 'dv' : url.includes('/token') ? 'token' : 'bc'} ${init?.method ?? 'GET'}`;
  requests.set(k, (requests.get(k) ?? 0) + 1);
  return realFetch(input, init);
}) as typeof fetch;
const countRequests = () => Object.fromEntries([...requests].sort());
const dir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-bench-sync-'));
// SYNC_BENCH_PROF=<dir> writes a V8 CPU profile of the sandbox child there (on exit; the seeding shows up in it too).
// Node refuses --cpu-prof in NODE_OPTIONS, so the flags go into the harness's node arguments for the child.
const profDir = process.env.SYNC_BENCH_PROF;
if (profDir) TSX_ARGS.unshift('--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`);
const sb = await startSandboxChild(['--records', String(records), '--latency-ms', String(latencyMs)]);
try {
  const c = await sandboxSides(sb.info);
  const { db } = openDatabase(path.join(dir, 'sync.sqlite'));
  // A page of 3,000 goes out as three concurrent UpsertMultiple of 1,000 (see SyncEngine.processRows); two pages in
  // flight per mapping keep ~6 requests in flight each, enough for the 40 ms round trips without holding more rows
  // (and heap) than that needs. BC is read 6,000 rows at a time (BcSide's readPageSize: whole engine pages).
  const engine = new SyncEngine(db, c.sides, { now: () => Date.now() }, {
    pageSize: 3000, batchSize: 1000, maxInFlight: 2, integrationUserId: c.integrationUserId, retryDelayMs: 200,
  });
  const mappings = adapterMappings();

  // ---- initial sync (both mappings at once: different BC tables, independent couplings)
  log(`initial sync of ${records} items + ${Math.floor(records / 5)} customers, latency ${latencyMs} ms`);
  const sandboxCpu0 = childCpuMs(sb.child.pid);
  const cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const initial = await Promise.all(mappings.map((m) => engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true })));
  const initialSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sandboxCpu1 = childCpuMs(sb.child.pid);
  const synced = initial.reduce((n, r) => n + (r.to?.inserted ?? 0) + (r.to?.modified ?? 0), 0);
  const failed = initial.reduce((n, r) => n + (r.to?.failed ?? 0), 0);
  if (failed > 0) throw new Error(`${failed} records failed in the initial sync; first error: ${engine.log.errors(initial.find((r) => r.to?.failed)!.to!.id)[0]?.message}`);
  // Rate over every record read and decided (blocked ones are filtered, not written).
  const totalRecords = records + Math.floor(records / 5);
  const engineRps = totalRecords / initialSec;
  const perRecord = (us: number) => Math.round((us / totalRecords) * 10) / 10;
  const cpuOut = {
    engineUsPerRecord: perRecord(cpu.user + cpu.system), engineUserMs: Math.round(cpu.user / 1000), engineSystemMs: Math.round(cpu.system / 1000),
    sandboxUsPerRecord: sandboxCpu0 !== null && sandboxCpu1 !== null ? perRecord((sandboxCpu1 - sandboxCpu0) * 1000) : null,
  };
  log(`initial: ${synced} written in ${initialSec.toFixed(1)} s → ${Math.round(engineRps)} records/s; CPU per record ${cpuOut.engineUsPerRecord} µs (sandbox ${cpuOut.sandboxUsPerRecord ?? '?'} µs); DV bulk requests ${c.dataverse.stats.bulkRequests}, limiter ${JSON.stringify(c.dataverse.limiter.stats())}`);

  // ---- baseline: one request per record, sequential (BC's own integration writes record by record)
  const sampleSize = Math.min(argNumber("--baseline-sample", 1000), records);
  // The same BC items, written as new Dataverse products (own ids, numbers prefixed BASE-) so the baseline neither
  // touches the synced rows (that would be a genuine bidirectional conflict later) nor clashes on productnumber.
  const sample: Row[] = [];
  for await (const page of c.bc.queryModified('Item', { filter: { conditions: [] }, since: null, pageSize: sampleSize })) {
    sample.push(...page);
    break;
  }
  t0 = performance.now();
  for (const r of sample) {
    const values = { productnumber: `BASE-${String(r.values['No.'])}`, name: r.values.Description, price: r.values['Unit Price'], standardcost: r.values['Unit Cost'] };
    const [res] = await c.dataverse.write('products', [{ kind: 'insert', id: randomUUID(), values, idempotencyKey: r.id, validate: [], template: null }]);
    if (!res?.ok) throw new Error(`baseline write failed: ${res && !res.ok ? res.error : '?'}`);
  }
  const baselineRps = sample.length / ((performance.now() - t0) / 1000);
  log(`baseline: ${sample.length} records one by one → ${Math.round(baselineRps)} records/s`);

  // ---- change 1 % in BC (spread over the tables), then the incremental run
  // Every 100th record (skipping blocked ones) of each table gets a new Description / Name. Written straight into the
  // sandbox's BC store (sandbox-child.ts "touch", fresh stamps as a PATCH gives): through the API this was ~12,000
  // PATCHes at a million records, which BC's 6,000 requests / 5 min limit stretched to minutes. Not what is measured.
  const changeOps = async (table: 'items' | 'customers', n: number) =>
    (await sb.command<{ touched: number }>({ touch: { table, field: 'displayName', every: 100, max: n } })).touched;
  const tPrep = performance.now();
  const changed = (await changeOps('items', Math.ceil(records / 100))) + (await changeOps('customers', Math.ceil(records / 500)));
  log(`prepared ${changed} changes in ${((performance.now() - tPrep) / 1000).toFixed(1)} s`);
  requests.clear();
  t0 = performance.now();
  const inc = await Promise.all(mappings.map((m) => engine.runMapping(m, { only: 'to' })));
  const incSec = (performance.now() - t0) / 1000;
  const modified = inc.reduce((n, r) => n + (r.to?.modified ?? 0), 0);
  if (modified !== changed) throw new Error(`incremental run modified ${modified} records, expected ${changed}: ${JSON.stringify(inc.map((r) => r.to))} ${JSON.stringify(inc.flatMap((r) => engine.log.errors(r.to!.id).slice(0, 2)))}`);
  const incRequests = countRequests();
  log(`incremental: ${changed} changed → ${incSec.toFixed(2)} s; requests ${JSON.stringify(incRequests)}`);

  // ---- the bound the configured limits allow (Dataverse is the write side; BC reads 6,000 rows per request)
  const L = DEFAULT_LIMITS;
  const rowsPerRequest = 1000;
  const reqPerSec = L.requestsPerWindow / L.windowSeconds;
  const windowBound = reqPerSec * rowsPerRequest;
  const latencyBound = (L.concurrent * rowsPerRequest) / (Math.max(latencyMs, 1) / 1000);
  const bound = Math.min(windowBound, latencyBound);
  const derivation =
    `Dataverse write side: ${L.requestsPerWindow} requests / ${L.windowSeconds} s per user = ${reqPerSec} req/s × ${rowsPerRequest} rows per UpsertMultiple = ${windowBound} rows/s; ` +
    `latency bound ${L.concurrent} concurrent × ${rowsPerRequest} rows / ${latencyMs} ms = ${Math.round(latencyBound)} rows/s; bound = min = ${Math.round(bound)} rows/s ` +
    `(BC reads: 6,000 rows per page, not binding; execution-time limit ${L.executionMsPerWindow} ms / ${L.windowSeconds} s not reached)`;

  rss.stop();
  const out = {
    records, engine: { recordsPerSec: Math.round(engineRps) }, baseline: { recordsPerSec: Math.round(baselineRps * 10) / 10 },
    ratio: Math.round((engineRps / baselineRps) * 10) / 10, bound: { recordsPerSec: Math.round(bound), derivation },
    boundFraction: Math.round((engineRps / bound) * 1000) / 1000, incremental: { changed, seconds: Math.round(incSec * 100) / 100 }, peakRssMB: rss.peakMB(),
    cpu: cpuOut,
    // Growth at a glance: ms per changed record of the 1 %-changed run (flat when the run is O(changed)) and the
    // requests that run sent per service and method (they grow with the change, never with the table).
    // commandSeconds: this process's whole run (sandbox start and seeding, every phase, preparation included).
    scaling: { incrementalMsPerChanged: Math.round((incSec * 1000 / Math.max(changed, 1)) * 1000) / 1000, incrementalRequests: incRequests, commandSeconds: Math.round(process.uptime()) },
  };
  db.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await sb.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** CPU time (user + system, ms) of another process from /proc/<pid>/stat (Linux); null where that is not available. */
function childCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}
