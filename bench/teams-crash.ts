/**
 * Commerce ⇄ Teams crash benchmark (issue 14, "Fast and safe"): `d365ic teams apply --sandbox-info FILE --json` as a
 * child process, SIGKILLed at random (seeded) moments and started again until it finishes, with Graph's fault
 * profiles on — lying-404 (teamify answers 404 but succeeds; the retry gets 409), replication-lag (new groups are 404
 * to Teams for a few seconds), throttle-heavy (Graph's limits halved: 429 + Retry-After) and members-add-502 (bulk
 * member adds answer 502). The sandboxes live in another child process (bench/lib/teams-sandbox-child.ts), so Graph
 * and Commerce keep their state across the kills; the engine keeps its links in a SQLite file (--db) across them.
 *
 * After each run the tenant is checked straight from the sandbox stores (bench/lib/teams-verify.ts): one team per
 * store with a manager, every Commerce worker in it (managers as owners), nobody else.
 *
 *   npm run bench:teams-crash -- --runs 5 [--stores 12] [--workers 8] [--seed 1] [--max-kills 3] [--latency-ms 5]
 * Last stdout line: {"runs","kills","duplicateTeams","missingMembers","extraMembers"}
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../main/sandbox/kernel/knobs';
import { BenchUsageError, parseTeamsCrashArgs } from './lib/teams-bench';
import { startTeamsSandbox } from './lib/teams-sandbox';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FAULTS = { 'lying-404': {}, 'replication-lag': { seconds: 3 }, 'throttle-heavy': { factor: 2 }, 'members-add-502': {} };
/** An apply that keeps failing (exit 1) is run again this many times before the run counts as failed. */
const MAX_ATTEMPTS = 12;

let args;
try {
  args = parseTeamsCrashArgs(process.argv.slice(2));
} catch (x) {
  if (!(x instanceof BenchUsageError)) throw x;
  process.stderr.write(`bench:teams-crash: ${x.message}\n`);
  process.exit(2);
}
const { runs, stores, workers, seed, latencyMs, maxKills, quiet } = args;
const log = (m: string) => void (quiet || process.stderr.write(`[bench:teams-crash] ${m}\n`));
const rand = prng(seed);
const dir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-bench-teams-crash-'));
const totals = { runs, kills: 0, duplicateTeams: 0, missingMembers: 0, extraMembers: 0 };

/** One `teams apply`; SIGKILLed after `killAfterMs` when given and still running. */
function apply(info: string, db: string, killAfterMs: number | null): Promise<{ code: number | null; killed: boolean; last: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'main/cli/bin.mjs'), 'teams', 'apply', '--sandbox-info', info, '--db', db, '--json'], {
      cwd: ROOT, env: { ...process.env, D365IC_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, killed: signal === 'SIGKILL', last: out.trim().split('\n').pop() || err.trim().split('\n').slice(-3).join(' | ') });
    });
  });
}

try {
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const sb = await startTeamsSandbox({ stores, workers, latencyMs, provisioningMs: 1000 });
    try {
      const info = path.join(dir, `sandbox-${run}.json`);
      writeFileSync(info, `${JSON.stringify(sb.info)}\n`);
      const db = path.join(dir, `links-${run}.sqlite`);
      await sb.setFaults(FAULTS);
      let kills = 0;
      let failures = 0;
      for (;;) {
        // Kill points spread over the whole apply: the plan, group creation, the replication waits, member adds.
        const killAfter = kills < maxKills ? Math.round(500 + rand() * 30_000) : null;
        const r = await apply(info, db, killAfter);
        if (r.killed) {
          kills++;
          log(`run ${run + 1}: SIGKILL after ${killAfter} ms (kill ${kills})`);
          continue;
        }
        if (r.code === 0) break;
        if (r.code !== 1 || ++failures >= MAX_ATTEMPTS) throw new Error(`teams apply exited ${r.code} (attempt ${failures}): ${r.last.slice(0, 600)}`);
        log(`run ${run + 1}: apply exited 1 (resumed): ${r.last.slice(0, 300)}`);
      }
      const v = await sb.verify();
      const { throttled } = await sb.command<{ throttled: number }>({ stats: true });
      totals.kills += kills;
      totals.duplicateTeams += v.duplicateTeams;
      totals.missingMembers += v.missingMembers;
      totals.extraMembers += v.extraMembers;
      log(`run ${run + 1}: ${kills} kill(s), ${v.teams}/${v.stores} teams, duplicates ${v.duplicateTeams}, missing ${v.missingMembers}, extra ${v.extraMembers}, Graph 429s ${throttled}, in ${((performance.now() - t0) / 1000).toFixed(1)} s${v.problems.length ? `; ${v.problems.join('; ')}` : ''}`);
    } finally {
      await sb.stop();
    }
  }
  process.stdout.write(`${JSON.stringify(totals)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
