/**
 * Commerce ⇄ Teams task management crash benchmark (issue 15, "Fast and safe").
 *
 * Per run, a fresh sandbox in a child process (bench/support/tasks-sandbox-child.ts: `--stores` stores with team,
 * plan and mapping, the HQ list TL-BENCH of `--tasks` tasks), Graph faults on: the `throttle-heavy` profile (Graph's
 * limits divided by `--throttle-factor`: 429 + Retry-After) and the host's random faults on the Graph $batch POSTs
 * (`--fault-rate`: 5xx, connection resets, 429s). Then, each step in a worker process (this script with --worker)
 * that is SIGKILLed at random (seeded) moments and started again until it finishes cleanly (exit 0: nothing skipped,
 * nothing failed), on the same SQLite file:
 *  1. publish TL-BENCH to every store (kills during publish);
 *  2. changes on both sides: Planner tasks completed as the POS does (store user token), other Commerce rows get a new
 *     due date or status in HQ, and some tasks both (POS completes, HQ moves the due date: a field-by-field merge);
 *  3. sync (kills during sync).
 * Then checked straight from the sandbox stores and the SQLite couplings:
 *  - duplicateTasks: per store plan and HQ task, Planner tasks beyond the one expected;
 *  - lostUpdates: changes of step 2 not on both sides after the final sync;
 *  - mismatches: a task missing in a plan, a status row without its Planner task (or pointing elsewhere), status /
 *    due date / title different between the row and its task, a coupling missing, pending or pointing elsewhere,
 *    a Planner task no coupling claims.
 *
 *   npm run bench:tasks-crash -- [--runs 5] [--stores 20] [--tasks 5] [--seed 1] [--latency-ms 5] [--max-kills 3]
 *                                [--throttle-factor 20] [--fault-rate 0.05]
 * Last stdout line: {"runs","kills","duplicateTasks","lostUpdates","mismatches"}; exit 1 when any count is not 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../main/db/database';
import { connectSandboxInfo, parseSandboxInfo } from '../main/integrations/commerce-teams/connect';
import { TASKS_INTEGRATION, TASKS_MAPPING, statusFromPercent, statusKey } from '../main/integrations/commerce-teams/tasks/model';
import { publicationProcessId, publishTaskList } from '../main/integrations/commerce-teams/tasks/publish';
import { syncTasks } from '../main/integrations/commerce-teams/tasks/sync';
import { CouplingStore } from '../main/kernel/couplings/store';
import { prng } from '../main/sandbox/kernel/knobs';
import { TSX_ARGS, argNumber } from './support/harness';
import { startTasksSandbox, type TasksSnapshot } from './support/tasks-sandbox';

const self = fileURLToPath(import.meta.url);
const TARGET_DATE = '2026-12-14';
const STATUSES = 'RetailTaskStoreStatuses';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------ worker
if (process.argv[2] === '--worker') {
  const [, , , step, infoFile, dbFile] = process.argv;
  const info = parseSandboxInfo(readFileSync(infoFile!, 'utf8')) as ReturnType<typeof parseSandboxInfo> & { bench: { list: string; storeNumbers: string[] } };
  const conn = connectSandboxInfo(info, { sleep });
  const { db } = openDatabase(dbFile!);
  process.stdout.write('started\n');
  let ok: boolean;
  if (step === 'publish') {
    const r = await publishTaskList({ commerce: conn.commerce, graph: conn.graph, db }, { list: info.bench.list, stores: info.bench.storeNumbers, targetDate: TARGET_DATE });
    process.stdout.write(`${JSON.stringify({ tasksCreated: r.tasksCreated, recovered: r.recovered, stores: r.stores, skipped: r.skipped.map((s) => `${s.storeNumber} ${s.reason}`).slice(0, 5) })}\n`);
    ok = r.skipped.length === 0;
  } else {
    const r = await syncTasks({ commerce: conn.commerce, graph: conn.graph, db });
    process.stdout.write(`${JSON.stringify({ toPlanner: r.toPlanner, toCommerce: r.toCommerce, conflicts: r.conflicts.length, failed: r.failed.map((f) => `${f.storeNumber} ${f.code} ${f.message.slice(0, 80)}`).slice(0, 5) })}\n`);
    ok = r.failed.length === 0 && r.conflicts.length === 0;
  }
  db.close();
  process.exit(ok ? 0 : 1);
}

// ------------------------------------------------------------------------------------------ parent
const runs = argNumber('--runs', 5);
const stores = argNumber('--stores', 20);
const tasksPerStore = argNumber('--tasks', 5);
const seed = argNumber('--seed', 1);
const latencyMs = argNumber('--latency-ms', 5);
const maxKills = argNumber('--max-kills', 3);
const throttleFactor = argNumber('--throttle-factor', 20);
const faultRate = argNumber('--fault-rate', 0.05);
const quiet = process.argv.includes('--quiet');
/** A step that keeps ending unfinished (exit 1) is run again this many times before the run counts as failed. */
const MAX_ATTEMPTS = 15;
const log = (m: string) => void (quiet || process.stderr.write(`[bench:tasks-crash] ${m}\n`));
const rand = prng(seed);

/** One worker step; SIGKILLed `killAfterMs` after it said "started" (when given and still running). */
function runWorker(step: 'publish' | 'sync', infoFile: string, dbFile: string, killAfterMs: number | null): Promise<{ result: number | 'killed'; last: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TSX_ARGS, self, '--worker', step, infoFile, dbFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let killed = false;
    let started = 0;
    let out = '';
    let err = '';
    child.stdout!.on('data', (b: Buffer) => {
      const first = !out.includes('started');
      out += b.toString();
      if (first && out.includes('started')) started = performance.now();
      if (first && killAfterMs !== null && out.includes('started')) {
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) {
            killed = true;
            child.kill('SIGKILL');
          }
        }, killAfterMs);
      }
    });
    child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-3000)));
    child.on('error', reject);
    child.once('close', (code) => resolve({
      result: killed ? 'killed' : (code ?? 1), ms: started ? Math.round(performance.now() - started) : 0,
      // The result line, or (a crash) the end of stderr.
      last: (out.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? err.trim().split('\n').slice(-4).join(' | ')) || 'no output',
    }));
  });
}

/** Runs a step until it ends cleanly: up to `maxKills` SIGKILLs at random moments in [minMs, maxMs] after start. */
async function underKills(run: number, step: 'publish' | 'sync', infoFile: string, dbFile: string, minMs: number, maxMs: number): Promise<number> {
  let kills = 0;
  let attempts = 0;
  for (;;) {
    const killAfter = kills < maxKills ? Math.round(minMs + rand() * (maxMs - minMs)) : null;
    const r = await runWorker(step, infoFile, dbFile, killAfter);
    if (r.result === 'killed') {
      kills++;
      log(`run ${run}: ${step} SIGKILLed after ${killAfter} ms (kill ${kills})`);
      continue;
    }
    if (r.result === 0) {
      log(`run ${run}: ${step} finished in ${r.ms} ms${killAfter !== null ? ` (before the kill at ${killAfter} ms)` : ''}: ${r.last.slice(0, 300)}`);
      return kills;
    }
    if (++attempts >= MAX_ATTEMPTS) throw new Error(`${step} did not finish in ${MAX_ATTEMPTS} attempts (exit ${r.result}): ${r.last.slice(0, 600)}`);
    log(`run ${run}: ${step} exited ${r.result}, started again: ${r.last.slice(0, 300)}`);
  }
}

interface Expected {
  /** key ProcessId|TaskId|StoreNumber → the fields that must be on both sides after the final sync. */
  changes: Map<string, { status?: 'Completed' | 'InProgress'; dueDate?: string }>;
}

function verify(snap: TasksSnapshot, dbFile: string, processId: string, titles: string[], storeNumbers: string[], exp: Expected): { duplicateTasks: number; lostUpdates: number; mismatches: number; problems: string[] } {
  let duplicateTasks = 0;
  let lostUpdates = 0;
  let mismatches = 0;
  const problems: string[] = [];
  const say = (m: string) => void (problems.length < 8 && problems.push(m));
  const planOf = new Map(Object.entries(snap.plans).map(([p, s]) => [s, p]));
  const taskById = new Map(snap.tasks.map((t) => [t[0], t]));
  // Duplicates / missing: per store plan and HQ task exactly one Planner task.
  const count = new Map<string, number>();
  const dupes: { store: string; title: string }[] = [];
  for (const [, planId, title] of snap.tasks) count.set(`${planId}|${title}`, (count.get(`${planId}|${title}`) ?? 0) + 1);
  for (const s of storeNumbers) {
    for (const t of titles) {
      const n = count.get(`${planOf.get(s)}|${t}`) ?? 0;
      if (n > 1) {
        duplicateTasks += n - 1;
        dupes.push({ store: s, title: t });
      }
      if (n === 0) {
        mismatches++;
        say(`store ${s}: no task "${t}"`);
      }
    }
  }
  // Rows ⇄ tasks ⇄ couplings.
  const { db } = openDatabase(dbFile);
  const couplings = new CouplingStore(db, TASKS_INTEGRATION);
  const rows = snap.rows.filter((r) => r[0] === processId);
  const byKey = couplings.byIds('a', TASKS_MAPPING, rows.map((r) => statusKey(r[0], r[1], r[2])));
  const claimed = couplings.byIds('b', TASKS_MAPPING, snap.tasks.map((t) => t[0]));
  // Say what each duplicate is: its tasks (created when, claimed by which coupling) and the coupling of its key.
  for (const d of dupes.slice(0, 3)) {
    const ts = snap.tasks.filter((t) => t[1] === planOf.get(d.store) && t[2] === d.title);
    const row = snap.rows.find((r) => r[0] === processId && r[2] === d.store && r[6] === d.title);
    const c = row ? couplings.byIds('a', TASKS_MAPPING, [statusKey(row[0], row[1], row[2])]).values().next().value : undefined;
    say(`store ${d.store} has ${ts.length} tasks "${d.title}": ${ts.map((t) => `${t[0]} created ${new Date(t[5]).toISOString()} claimed by ${claimed.get(t[0])?.aId ?? 'none'}`).join(', ')}; ` +
      `coupling of the row: ${c ? JSON.stringify({ bId: c.bId, pendingTo: c.pendingTo, updatedAt: new Date(c.updatedAt).toISOString(), resultToB: c.resultToB, errorToB: c.errorToB }) : 'none'}`);
  }
  db.close();
  if (rows.length !== storeNumbers.length * titles.length) {
    mismatches += Math.abs(storeNumbers.length * titles.length - rows.length);
    say(`${rows.length} status rows, expected ${storeNumbers.length * titles.length}`);
  }
  const rowByKey = new Map(rows.map((r) => [`${r[0]}|${r[1]}|${r[2]}`, r]));
  for (const r of rows) {
    const t = r[5] ? taskById.get(r[5]) : undefined;
    const c = byKey.get(statusKey(r[0], r[1], r[2]));
    if (!t || snap.plans[t[1]] !== r[2]) {
      mismatches++;
      say(`row ${r[1]}/${r[2]} → ${r[5]}: no such task in the store's plan`);
      continue;
    }
    if (!c || c.bId !== t[0] || c.pendingTo) {
      mismatches++;
      say(`row ${r[1]}/${r[2]}: coupling ${c ? `${c.bId} pending ${c.pendingTo}` : 'missing'}, task ${t[0]}`);
    }
    const expected = exp.changes.get(`${r[0]}|${r[1]}|${r[2]}`);
    const same = r[3] === statusFromPercent(t[3]) && r[4] === t[4] && r[6] === t[2];
    if (!same) {
      if (expected) lostUpdates++;
      else mismatches++;
      say(`row ${r[1]}/${r[2]} ${JSON.stringify([r[3], r[4], r[6]])} ≠ task ${JSON.stringify([statusFromPercent(t[3]), t[4], t[2]])}`);
      continue;
    }
    if (expected && ((expected.status && r[3] !== expected.status) || (expected.dueDate && r[4] !== expected.dueDate))) {
      lostUpdates++;
      say(`row ${r[1]}/${r[2]}: ${JSON.stringify(expected)} lost (now ${r[3]}, ${r[4]})`);
    }
  }
  for (const k of exp.changes.keys()) {
    if (!rowByKey.has(k)) {
      lostUpdates++;
      say(`changed row ${k} is gone`);
    }
  }
  for (const t of snap.tasks) {
    if (!claimed.has(t[0])) {
      mismatches++;
      say(`Planner task ${t[0]} "${t[2]}" in store ${snap.plans[t[1]]} has no coupling`);
    }
  }
  return { duplicateTasks, lostUpdates, mismatches, problems };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-bench-tasks-crash-'));
const totals = { runs, kills: 0, duplicateTasks: 0, lostUpdates: 0, mismatches: 0 };
log(`${runs} run(s): ${stores} stores × ${tasksPerStore} tasks, latency ${latencyMs} ms, Graph throttle-heavy ÷${throttleFactor}, host faults ${faultRate} on Graph, ≤ ${maxKills} kills per step; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  for (let run = 1; run <= runs; run++) {
    const t0 = performance.now();
    const sb = await startTasksSandbox({ stores, tasks: tasksPerStore, latencyMs });
    try {
      const infoFile = path.join(dir, `sandbox-${run}.json`);
      writeFileSync(infoFile, `${JSON.stringify(sb.info)}\n`);
      const dbFile = path.join(dir, `tasks-${run}.sqlite`);
      const storeNumbers = sb.info.bench.storeNumbers;
      await sb.command({ faults: { 'throttle-heavy': { factor: throttleFactor } } });
      await sb.command({ knobs: { faultRate, faultSeed: seed + run, faultKinds: ['5xx', 'reset', '429'] } });

      // 1. publish under kills
      let kills = await underKills(run, 'publish', infoFile, dbFile, 100, 3000);
      const processId = publicationProcessId(sb.info.bench.list, TARGET_DATE, storeNumbers);

      // 2. changes on both sides (faults paused for the changers only: they are not the engine under test)
      await sb.command({ knobs: { faultRate: 0 } });
      let snap = await sb.snapshot();
      const rows = snap.rows.filter((r) => r[0] === processId).sort((a, b) => (a[2] + a[1]).localeCompare(b[2] + b[1]));
      const titles = [...new Set(rows.map((r) => r[6]!))].sort();
      const changes: Expected['changes'] = new Map();
      const pos: { id: string; percentComplete: number }[] = [];
      const hq: { r: (typeof rows)[number]; patch: Record<string, unknown> }[] = [];
      const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      rows.forEach((r, i) => {
        const key = `${r[0]}|${r[1]}|${r[2]}`;
        const kind = (i + run) % 10;
        if (kind === 0) {
          pos.push({ id: r[5]!, percentComplete: 100 });
          changes.set(key, { status: 'Completed' });
        } else if (kind === 3) {
          hq.push({ r, patch: { DueDate: dayAfter(r[4]!) } });
          changes.set(key, { dueDate: dayAfter(r[4]!) });
        } else if (kind === 6) {
          hq.push({ r, patch: { Status: 'InProgress' } });
          changes.set(key, { status: 'InProgress' });
        } else if (kind === 8) {
          // both sides, different fields: POS completes, HQ moves the due date — both must survive
          pos.push({ id: r[5]!, percentComplete: 100 });
          hq.push({ r, patch: { DueDate: dayAfter(r[4]!) } });
          changes.set(key, { status: 'Completed', dueDate: dayAfter(r[4]!) });
        }
      });
      await sb.command({ pos: { tasks: pos } });
      const conn = connectSandboxInfo(sb.info, { sleep });
      for (const { r, patch } of hq) await conn.commerce.update(STATUSES, { ProcessId: r[0], TaskId: r[1], StoreNumber: r[2] }, patch);
      log(`run ${run}: changed ${pos.length} Planner tasks as the POS and ${hq.length} Commerce rows in HQ (${changes.size} tasks)`);
      await sb.command({ knobs: { faultRate } });

      // 3. sync under kills
      kills += await underKills(run, 'sync', infoFile, dbFile, 20, 700);

      snap = await sb.snapshot();
      const v = verify(snap, dbFile, processId, titles, storeNumbers, { changes });
      const { throttled } = await sb.command<{ throttled: number }>({ stats: true });
      totals.kills += kills;
      totals.duplicateTasks += v.duplicateTasks;
      totals.lostUpdates += v.lostUpdates;
      totals.mismatches += v.mismatches;
      log(`run ${run}/${runs}: ${kills} kill(s), ${snap.tasks.length} Planner tasks, duplicates ${v.duplicateTasks}, lost updates ${v.lostUpdates}, mismatches ${v.mismatches}, Graph route 429s ${throttled}, in ${((performance.now() - t0) / 1000).toFixed(1)} s${v.problems.length ? `; ${v.problems.join('; ')}` : ''}`);
    } finally {
      await sb.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
process.stdout.write(`${JSON.stringify(totals)}\n`);
process.exit(totals.duplicateTasks + totals.lostUpdates + totals.mismatches > 0 ? 1 : 0);
