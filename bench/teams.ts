/**
 * Commerce ⇄ Teams provisioning benchmark (issue 14, "Fast and safe").
 *
 * A generated org of `--stores` stores × `--workers` workers (one store manager each) in the Commerce sandbox, one
 * licensed Entra user per worker in the Graph sandbox, Graph's published throttles on and `--latency-ms` (40) on
 * both services; the sandboxes run in a CHILD process (bench/lib/teams-sandbox-child.ts), so peakRssMB is this
 * process only: the engine, its clients and its SQLite links.
 *
 *  1. engine: `TeamsEngine.apply()` (plan + apply) on the empty tenant, then the tenant is checked straight from the
 *     sandbox stores: one team per store, every worker in it, nobody else (the run fails otherwise).
 *  2. baseline: what a naive batch job does — store by store: create the group with its manager, create the team and
 *     wait for it, then one POST /teams/{id}/members per worker — through the same Graph client, on the first
 *     `--baseline-stores` (10) stores. It is strictly sequential, so its time is the org read plus the sample's
 *     time per store × stores (stderr says so).
 *  3. bound: the least time the configured throttles allow (bench/lib/teams-bench.ts deriveBound, printed).
 *
 *   npm run bench:teams -- --stores 200 --workers 30 [--latency-ms 40] [--baseline-stores 10] [--provisioning-ms 5000]
 * Last stdout line: {"stores","members","engine":{"seconds"},"baseline":{"seconds"},"ratio","bound":{"seconds","derivation"},"boundFraction","peakRssMB"}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../main/db/database';
import { connectSandboxInfo } from '../main/integrations/commerce-teams/connect';
import { storeMailNickname, TeamsEngine } from '../main/integrations/commerce-teams/engine';
import { TeamLinkStore } from '../main/integrations/commerce-teams/links';
import { readOrg } from '../main/integrations/commerce-teams/org';
import { THROTTLE_RULES } from '../main/sandbox/graph';
import { rssSampler } from './support/harness';
import { BenchUsageError, deriveBound, parseTeamsBenchArgs } from './lib/teams-bench';
import { startTeamsSandbox } from './lib/teams-sandbox';
import { boundHeapGrowth } from '../main/platform/heap';

let args;
try {
  args = parseTeamsBenchArgs(process.argv.slice(2));
} catch (x) {
  if (!(x instanceof BenchUsageError)) throw x;
  process.stderr.write(`bench:teams: ${x.message}\n`);
  process.exit(2);
}
const { stores, workers, latencyMs, provisioningMs, baselineStores, quiet } = args;
const log = (m: string) => void (quiet || process.stderr.write(`[bench:teams] ${m}\n`));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const secs = (t0: number) => (performance.now() - t0) / 1000;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

// This process hosts the engine as the console's processes do, with their heap policy (main/platform/heap.ts).
boundHeapGrowth();
const rss = rssSampler();
const dir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-bench-teams-'));
log(`starting the sandboxes: ${stores} stores × ${workers} workers, latency ${latencyMs} ms, team provisioning ${provisioningMs} ms, Graph throttles on`);
let t0 = performance.now();
const sb = await startTeamsSandbox({ stores, workers, latencyMs, provisioningMs });
log(`sandboxes ready in ${secs(t0).toFixed(1)} s (${sb.info.bench.users} Entra users)`);
try {
  const conn = connectSandboxInfo(sb.info, { sleep });
  const { db } = openDatabase(path.join(dir, 'teams.sqlite'));
  const links = new TeamLinkStore(db, `${sb.info.commerce.url} ${sb.info.graph.url}`);
  // Phase marks for stderr (where the time goes): plan done, first and last POST /teams answered, last store done.
  const marks: Record<string, number> = {};
  const mark = (k: string, first = false) => void ((first && marks[k] !== undefined) || (marks[k] = performance.now()));
  const engine = new TeamsEngine({
    commerce: conn.commerce, graph: conn.graph, graphAuthorization: conn.graphAuthorization, links, sleep,
    onProgress: (e) => {
      if (e.phase === 'creating-team' && e.operationStatus === 'notStarted') {
        mark('firstTeam', true);
        mark('lastTeam');
      }
      if (e.phase === 'store-done') mark('lastDone');
    },
  });

  // ---- 1. the engine
  t0 = performance.now();
  const result = await engine.apply({ onPlan: () => mark('plan') });
  const engineSec = secs(t0);
  log(`engine phases (s from start): ${Object.entries(marks).map(([k, v]) => `${k} ${((v - t0) / 1000).toFixed(2)}`).join(', ')}`);
  const throttledEngine = (await sb.command<{ throttled: number }>({ stats: true })).throttled;
  log(`engine: ${JSON.stringify({ ...result, failed: result.failed.length })} in ${engineSec.toFixed(2)} s; Graph answered 429 ${throttledEngine} times`);
  if (result.failed.length) throw new Error(`the engine failed ${result.failed.length} item(s), e.g. ${JSON.stringify(result.failed.slice(0, 3))}`);
  const check = await sb.verify();
  if (check.teams !== stores || check.duplicateTeams || check.missingMembers || check.extraMembers)
    throw new Error(`the tenant is not what Commerce says: ${JSON.stringify(check)}`);
  const members = check.stores * workers;

  // ---- 2. the naive baseline on a sample (fresh throttle buckets, own nicknames so it never meets the engine's groups)
  await sb.command({ resetThrottling: true });
  t0 = performance.now();
  const org = await readOrg(conn.commerce);
  const orgSec = secs(t0);
  const sample = org.stores.filter((s) => s.managers.length > 0).slice(0, baselineStores);
  t0 = performance.now();
  for (const store of sample) {
    const g = await conn.graph.createGroup({
      displayName: store.name, mailNickname: `BASE${storeMailNickname(store.name)}`.slice(0, 64), description: `${store.name} (baseline)`,
      visibility: 'Private', owners: store.managers.map((p) => p.objectId!).slice(0, 20),
    });
    const started = await conn.graph.startTeamCreation({ 'group@odata.bind': `https://graph.microsoft.com/v1.0/groups('${g.id}')` });
    await conn.graph.waitForTeamOperation(started.operationUrl);
    for (const w of store.workers) await conn.graph.addTeamMember(g.id, { userId: w.objectId! });
  }
  const sampleSec = secs(t0);
  const baselineSec = orgSec + (sampleSec / sample.length) * stores;
  log(`baseline: org read ${orgSec.toFixed(2)} s + ${sample.length} stores in ${sampleSec.toFixed(2)} s (${(sampleSec / sample.length).toFixed(2)} s per store, sequential) → ${baselineSec.toFixed(1)} s for ${stores} stores`);

  // ---- 3. the bound
  const bound = deriveBound({ teams: check.stores, users: sb.info.bench.users, membersPerTeam: workers, latencyMs, provisioningMs, rules: THROTTLE_RULES });
  log(`bound: ${bound.derivation}`);
  rss.stop();
  db.close();
  const out = {
    stores, members,
    engine: { seconds: round(engineSec) },
    baseline: { seconds: round(baselineSec, 1) },
    ratio: round(baselineSec / engineSec, 1),
    bound,
    boundFraction: round(bound.seconds / engineSec, 3),
    peakRssMB: rss.peakMB(),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await sb.stop();
  rmSync(dir, { recursive: true, force: true });
}
