/**
 * Crash harness: the sync runs in a child process that the parent SIGKILLs at random (seeded) moments and restarts
 * until it completes, against a sandbox in ANOTHER child process (so Dataverse and BC state survive the kills) with
 * faults on (5xx, connection resets, 429 bursts). Each run: initial BC → Dataverse sync of `--records` items +
 * records/5 customers under kills, then 10 % of the BC records changed and a few added, synced again under kills.
 * After each run both sides are compared with the state a clean run produces (every unblocked BC item has exactly
 * one product with its current values; every unblocked customer exactly one account with its current name).
 *
 *   npm run bench:crash -- --runs 50 [--records 300] [--seed 1] [--fault-rate 0.05]
 * Ends with one JSON line: {"runs","kills","duplicates","lostUpdates","mismatches"}.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../main/db/database';
import type { SandboxInfo } from '../main/sandbox/index';
import { prng } from '../main/sandbox/kernel/knobs';
import { adapterMappings } from '../main/integrations/sales/sync/adapters/connect';
import { SyncEngine } from '../main/integrations/sales/sync/engine/engine';
import type { Row, WriteOp } from '../main/integrations/sales/sync/ports';
import { argNumber, patchKnobs, sandboxSides, startSandboxChild, TSX_ARGS } from './support/harness';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--worker') await worker(process.argv[3]!, process.argv[4]!);
else await main();

/** One sync attempt: run both mappings until a run finishes with nothing failed (failed records are retried first). */
async function worker(infoFile: string, dbFile: string): Promise<void> {
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as SandboxInfo;
  const c = await sandboxSides(info, { retryBaseMs: 20, maxRetryAfterMs: 5000 });
  const { db } = openDatabase(dbFile);
  const engine = new SyncEngine(db, c.sides, { now: () => Date.now() }, {
    pageSize: 100, batchSize: 50, maxInFlight: 3, integrationUserId: c.integrationUserId, retryDelayMs: 20, maxRetries: 3,
  });
  process.stdout.write('started\n');
  let last = '';
  for (let attempt = 0; attempt < 30; attempt++) {
    // allSettled, not all: when one mapping's pass fails, the other must finish before the next attempt starts,
    // or the next attempt would find that mapping still running.
    const settled = await Promise.allSettled(adapterMappings().map((m) => engine.runMapping(m, { only: 'to', ignoreSynchOnlyCoupled: true })));
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failures.length > 0) {
      // A whole-pass failure (a read that kept failing): the next attempt resumes from the unchanged watermark.
      last = failures.map((f) => (f.reason as Error).message).join('; ');
      continue;
    }
    const res = settled.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof engine.runMapping>>>).value);
    if (res.every((r) => (r.to?.failed ?? 0) === 0)) {
      db.close();
      process.exit(0);
    }
    last = JSON.stringify(res.flatMap((r) => (r.to ? engine.log.errors(r.to.id, 0, 2).map((e) => e.message) : [])));
  }
  process.stderr.write(`[crash worker] records still failing after 30 attempts: ${last.slice(0, 1500)}\n`);
  process.exit(3);
}

async function main(): Promise<void> {
  const runs = argNumber('--runs', 50);
  const records = argNumber('--records', 300);
  const seed = argNumber('--seed', 1);
  const faultRate = argNumber('--fault-rate', 0.05);
  const rand = prng(seed);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-bench-crash-'));
  const totals = { runs, kills: 0, duplicates: 0, lostUpdates: 0, mismatches: 0 };
  try {
    for (let run = 0; run < runs; run++) {
      const sb = await startSandboxChild(['--records', String(records), '--latency-ms', '2']);
      try {
        const infoFile = path.join(dir, `info-${run}.json`);
        writeFileSync(infoFile, JSON.stringify(sb.info));
        const dbFile = path.join(dir, `sync-${run}.sqlite`);
        const faults = async (on: boolean) => {
          const k = on ? { faultRate, faultSeed: seed * 1000 + run, faultKinds: ['5xx', 'reset', '429'] } : { faultRate: 0 };
          await patchKnobs(sb.info.dataverse.url, k);
          await patchKnobs(new URL(sb.info.businessCentral.apiBase).origin, k);
        };
        const syncUnderKills = async () => {
          await faults(true);
          for (let attempt = 0; ; attempt++) {
            // Kill at a random moment inside the sync (after the worker said it started); from the 4th attempt on let it finish.
            const killAfter = attempt < 3 ? Math.floor(rand() * 400) : null;
            const outcome = await runWorker(infoFile, dbFile, killAfter);
            if (outcome === 'killed') totals.kills++;
            else if (outcome === 0) break;
            else {
              // Stuck (records failing every time): counted as mismatches by the comparison below; go on.
              process.stderr.write(`[bench:crash] run ${run + 1}: the sync worker gave up (exit ${outcome}).\n`);
              break;
            }
          }
          await faults(false);
        };
        const c = await sandboxSides(sb.info);
        // The Dataverse seed has a few accounts of its own; they are not part of the comparison.
        const preexisting = new Set((await all(c.dataverse, 'accounts')).map((a) => a.id));
        await syncUnderKills();
        await changeBc(c, run);
        await syncUnderKills();
        const d = await compare(c, preexisting);
        if (d.lostUpdates + d.duplicates + d.mismatches > 0) {
          // Say why: skipped couplings (repeated failures) and their last errors.
          const { db } = openDatabase(dbFile);
          const rows = db.prepare("SELECT a_id AS bc_id, b_id AS dv_id, skipped, result_to_b AS result_to, error_to_b AS error_to, pending_to FROM kernel_couplings WHERE skipped = 1 OR result_to_b = 'Failure' OR pending_to IS NOT NULL LIMIT 3").all();
          process.stderr.write(`[bench:crash] run ${run + 1} couplings needing attention: ${JSON.stringify(rows)}\n`);
          db.close();
        }
        totals.duplicates += d.duplicates;
        totals.lostUpdates += d.lostUpdates;
        totals.mismatches += d.mismatches;
        process.stderr.write(`[bench:crash] run ${run + 1}/${runs}: kills so far ${totals.kills}, ${JSON.stringify(d)}\n`);
      } finally {
        await sb.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(totals)}\n`);
}

function runWorker(infoFile: string, dbFile: string, killAfterMs: number | null): Promise<number | 'killed'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TSX_ARGS, self, '--worker', infoFile, dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let killed = false;
    child.stdout!.on('data', (b: Buffer) => {
      if (killAfterMs !== null && b.toString().includes('started')) {
        setTimeout(() => {
          if (child.exitCode === null) {
            killed = true;
            child.kill('SIGKILL');
          }
        }, killAfterMs);
      }
    });
    child.once('exit', (code) => resolve(killed ? 'killed' : (code ?? 1)));
  });
}

type Sides = Awaited<ReturnType<typeof sandboxSides>>;

async function all(side: Sides['bc'] | Sides['dataverse'], entity: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const p of side.queryModified(entity, { filter: { conditions: [] }, since: null, pageSize: 5000 })) out.push(...p);
  return out;
}

/** 10 % of the items and customers get new values; a few items are added. */
async function changeBc(c: Sides, run: number): Promise<void> {
  const items = await all(c.bc, 'Item');
  const customers = await all(c.bc, 'Customer');
  const itemOps: WriteOp[] = items.filter((_, i) => i % 10 === run % 10).map((r) => ({ kind: 'update', id: r.id, values: { Description: `${String(r.values.Description)} v2`, 'Unit Price': 1 + Number(r.values['Unit Price']) }, validate: [] }));
  for (let k = 0; k < 5; k++) itemOps.push({ kind: 'insert', id: null, values: { 'No.': `NEW-${run}-${k}`, Description: `New item ${k}`, 'Unit Price': 10 + k }, idempotencyKey: `crash:${run}:${k}`, validate: [], template: null });
  const custOps: WriteOp[] = customers.filter((_, i) => i % 10 === run % 10).map((r) => ({ kind: 'update', id: r.id, values: { Name: `${String(r.values.Name)} v2` }, validate: [] }));
  for (const [entity, ops] of [['Item', itemOps], ['Customer', custOps]] as const) {
    const res = await c.bc.write(entity, ops);
    const bad = res.find((r) => !r.ok);
    if (bad) throw new Error(`Changing BC ${entity} failed: ${JSON.stringify(bad)}`);
  }
}

/** The state a clean run produces, derived from BC, against what Dataverse has. */
async function compare(c: Sides, preexisting: ReadonlySet<string>): Promise<{ duplicates: number; lostUpdates: number; mismatches: number }> {
  let duplicates = 0;
  let lostUpdates = 0;
  let mismatches = 0;
  const items = (await all(c.bc, 'Item')).filter((r) => r.values.Blocked === false);
  const products = await all(c.dataverse, 'products');
  const byNo = new Map<string, Row[]>();
  for (const p of products) byNo.set(String(p.values.productnumber), [...(byNo.get(String(p.values.productnumber)) ?? []), p]);
  for (const i of items) {
    const rows = byNo.get(String(i.values['No.'])) ?? [];
    if (rows.length > 1) duplicates += rows.length - 1;
    if (rows.length === 0) {
      mismatches++;
      continue;
    }
    if (rows[0]!.values.name !== i.values.Description || rows[0]!.values.price !== i.values['Unit Price']) {
      if (lostUpdates++ < 2) process.stderr.write(`[bench:crash] lost update: BC ${JSON.stringify({ id: i.id, m: i.modifiedOn, ...i.values })} DV ${JSON.stringify({ id: rows[0]!.id, m: rows[0]!.modifiedOn, name: rows[0]!.values.name, price: rows[0]!.values.price })}\n`);
    }
  }
  // Products that belong to no unblocked BC item (e.g. a copy under another number) are mismatches too.
  const numbers = new Set(items.map((i) => String(i.values['No.'])));
  const strays = products.filter((p) => !numbers.has(String(p.values.productnumber)));
  if (strays.length && process.env.CRASH_DEBUG) process.stderr.write(`strays: ${JSON.stringify(strays.slice(0, 3))}\n`);
  mismatches += strays.length;
  const customers = (await all(c.bc, 'Customer')).filter((r) => r.values.Blocked === ' ');
  const accounts = (await all(c.dataverse, 'accounts')).filter((a) => !preexisting.has(a.id));
  const names = new Map<string, number>();
  for (const a of accounts) names.set(String(a.values.name), (names.get(String(a.values.name)) ?? 0) + 1);
  for (const cu of customers) {
    const n = names.get(String(cu.values.Name)) ?? 0;
    if (n > 1) duplicates += n - 1;
    if (n === 0) lostUpdates++;
  }
  if (accounts.length !== customers.length) {
    if (process.env.CRASH_DEBUG) process.stderr.write(`accounts ${accounts.length} vs customers ${customers.length}\n`);
    mismatches += Math.abs(accounts.length - customers.length);
  }
  return { duplicates, lostUpdates, mismatches };
}
