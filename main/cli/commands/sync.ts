import { runFullSync } from '../../integrations/sales/sync/review/run';
import { ADAPTER_MAPPINGS, mappingSupport, runnableMappings } from '../../integrations/sales/sync/adapters/connect';
import { dependencyOrder } from '../../integrations/sales/sync/engine/manual';
import { initialSynchronization } from '../../integrations/sales/sync/cli-support/initial';
import type { SyncJob } from '../../integrations/sales/sync/jobs/log';
import { sandboxSession } from '../sales-sandbox-session';
import path from 'node:path';
import type { SyncFinished, SyncProgress } from '../../../preload/contract';
import { defaultDataDir } from '../../platform/paths';
import type { EmbeddedSandbox } from '../../app/sandbox-service';
import { openProfileSession, takeRepeated, type DemoSandboxRoute } from '../../integrations/sales/sync/cli-support/profiles';
import type { CliCommand, CliIo } from '../io';
import { parseFlags, UsageError } from '../io';

const HELP = `Usage: d365ic sync run [--mapping NAME | --all] [--full] --profile DATAVERSE --profile BC [--data-dir DIR] [--db FILE]
       d365ic sync run [--mapping NAME | --all] [--full] --dataverse-profile NAME --bc-profile NAME [--data-dir DIR] [--db FILE]
       d365ic sync run [--mapping NAME | --all] [--full] --sandbox [--records N] [--latency-ms N] [--db FILE]

Runs table mappings once (BC ⇄ Dataverse) and prints the result of every pass.
  --mapping NAME   one mapping (any default mapping, e.g. CUSTOMER, CONTACT, PAYMENT TERMS); --all (default) runs every
                   one the engine can run, in dependency order
  --full           full synchronization: select everything, create uncoupled records, rewrite unchanged ones.
                   Use it only when one side is still empty: records that exist on both sides but are not coupled
                   are created again (duplicates). Couple them first (match-based coupling in the console).
  --profile NAME   a connection profile of the console, by name. Give it twice: one Dataverse profile and one
                   Business Central profile (told apart by their kind, in any order). Or name the sides explicitly
                   with --dataverse-profile NAME and --bc-profile NAME. Profiles must sign in without a window
                   (client secret, certificate, BC access key) or be signed in already in the console.
  --data-dir DIR   the console's data folder holding the profiles (default: D365IC_DATA_DIR or the OS app-data folder)
  --sandbox        start the embedded sandbox (the demo company, domain rules on) and sync against it; a new sync
                   database gets the initial synchronization first (couple what both sides hold, then a full
                   synchronization, in dependency order). The demo company has records built to fail (a salesperson
                   without a Dataverse user, a blocked customer and item, EUR prices on a NOK price list): exit code 1.
                   With --records N the bench data set instead (N items + N/5 customers, ITEM-PRODUCT and CUSTOMER only)
  --db FILE        sync database (couplings, watermarks, job log); default with profiles: the console's own database
                   (shared with the console's Sync page); with --sandbox: a temporary file
Output: a progress bar on a terminal; otherwise JSON lines ({"event":"progress",…} and one {"event":"result",…} per pass).
Exit code 1 when a record or a mapping failed.
`;

/** Options a host (or a test) can give the command: the embedded sandbox whose sign-in route profiles may use. */
export interface SyncCommandOptions {
  sandbox?: EmbeddedSandbox;
}

/** The embedded sandbox as the profile session takes it: plain config (where its identity service listens, its fetch). */
export function demoSandboxOption(opts: SyncCommandOptions): { demoSandbox?: DemoSandboxRoute } {
  const handle = opts.sandbox?.handle;
  if (!opts.sandbox || !handle) return {};
  return { demoSandbox: { identityUrl: handle.identity.url, ...(opts.sandbox.fetch ? { fetch: opts.sandbox.fetch } : {}) } };
}

export const syncCommand: CliCommand = (args, io) => syncCommandWith({})(args, io);

export const syncCommandWith = (opts: SyncCommandOptions): CliCommand => async (args, io) => {
  const [sub, ...args0] = args;
  const { values: profiles, rest } = takeRepeated(args0, 'profile');
  const { flags, positionals } = parseFlags(rest, ['all', 'full', 'sandbox', 'help', 'json']);
  if (!sub || sub === '--help' || sub === 'help' || flags.help) {
    io.stdout(HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'run') throw new UsageError(`Unknown sync command "${sub}".\n\n${HELP}`);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n\n${HELP}`);
  const known = ['mapping', 'all', 'full', 'sandbox', 'records', 'latency-ms', 'db', 'dataverse-profile', 'bc-profile', 'data-dir', 'help', 'json'];
  const unknown = Object.keys(flags).find((f) => !known.includes(f));
  if (unknown) throw new UsageError(`Unknown option --${unknown}.\n\n${HELP}`);
  if (flags.mapping !== undefined && flags.all) throw new UsageError('Use either --mapping NAME or --all, not both.');
  const byProfile = profiles.length > 0 || flags['dataverse-profile'] !== undefined || flags['bc-profile'] !== undefined;
  if (byProfile && flags.sandbox) throw new UsageError('Use either connection profiles (--profile) or --sandbox, not both.');
  if (byProfile) return runWithProfiles(profiles, flags, io, opts);
  if (!flags.sandbox) throw new UsageError(`Say where to sync: --profile (twice: a Dataverse and a Business Central profile) or --sandbox (the embedded sandbox).\n\n${HELP}`);
  const num = (name: string): number | undefined => {
    const v = flags[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number.`);
    return Number(v);
  };
  const json = !io.isTTY || flags.json === true;
  let lastDraw = 0;
  const progress = (written: number) => {
    const now = Date.now();
    if (now - lastDraw < 200) return;
    lastDraw = now;
    if (json) io.stdout(`${JSON.stringify({ event: 'progress', written })}\n`);
    else io.stderr(`\r  ${'█'.repeat(Math.min(30, Math.floor(Math.log2(written + 1) * 2)))} ${written} records written`);
  };
  const records = num('records');
  const latencyMs = num('latency-ms');
  // The demo company with the domain rules (every default mapping), or the bench data set when --records is given.
  const seed = records !== undefined ? 'bench' : 'demo';
  const supported = seed === 'demo' ? runnableMappings({}).map((m) => m.name) : [...ADAPTER_MAPPINGS];
  if (typeof flags.mapping === 'string' && !supported.includes(flags.mapping)) {
    const why = mappingSupport({}).find((x) => x.name === flags.mapping);
    throw new UsageError(`Unknown or unsupported mapping "${flags.mapping}"${why && !why.runnable ? ` (${why.reason.code})` : ''}. Supported${seed === 'bench' ? ' with --records' : ''}: ${supported.join(', ')}.`);
  }
  const session = await sandboxSession({
    seed, ...(records !== undefined ? { records } : {}), ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(typeof flags.db === 'string' ? { dbFile: flags.db } : {}), onWrite: progress,
  });
  let failed = 0;
  try {
    const printJob = (mapping: string, job: SyncJob, t0: number, why: string | null) => {
      const line = {
        event: 'result', mapping, type: job.type, direction: job.direction, inserted: job.inserted, modified: job.modified, unchanged: job.unchanged, skipped: job.skipped,
        failed: job.failed, coupled: job.coupled, seconds: (Date.now() - t0) / 1000, ...(why ? { note: why } : {}),
      };
      if (json) io.stdout(`${JSON.stringify(line)}\n`);
      else if (job.type === 'Coupling') io.stdout(`\n${mapping} coupling: ${job.coupled} coupled, ${job.inserted} created, ${job.failed} without a unique match\n`);
      else io.stdout(`\n${mapping} ${job.direction}: ${job.inserted} inserted, ${job.modified} modified, ${job.unchanged} unchanged, ${job.coupled} coupled, ${job.failed} failed${why ? ` — ${why}` : ''}\n`);
      if (job.failed && job.type !== 'Coupling') for (const e of session.engine.log.errors(job.id, 0, 5)) io.stderr(`  ${e.message}\n`);
    };
    // A throw-away demo company starts with the initial synchronization (E.12): couple what both sides hold, then a
    // full synchronization in dependency order. Later runs (a --db kept from before) synchronize modified records.
    const fresh = session.engine.log.count() === 0;
    if (seed === 'demo' && fresh && flags.mapping === undefined && !flags.full) {
      if (!json) io.stdout('A new sync database: initial synchronization (couple what exists on both sides, then a full synchronization, in dependency order).\n');
      const t0 = Date.now();
      for (const step of await initialSynchronization(session.engine, session.mappings)) {
        if (step.error) {
          failed++;
          if (json) io.stdout(`${JSON.stringify({ event: 'error', mapping: step.mapping, message: step.error })}\n`);
          else io.stderr(`\n${step.mapping}: ${step.error}\n`);
        }
        for (const job of step.jobs) {
          if (job.type !== 'Coupling') failed += job.failed;
          printJob(step.mapping, job, t0, null);
        }
      }
      return failed > 0 ? 1 : 0;
    }
    const wanted = typeof flags.mapping === 'string' ? session.mappings.filter((m) => m.name === flags.mapping) : dependencyOrder(session.mappings);
    for (const m of wanted) {
      const t0 = Date.now();
      const before = session.engine.watermarks(m.name);
      let r;
      try {
        r = flags.full ? await runFullSync(session.engine, m) : await session.engine.runMapping(m);
      } catch (x) {
        // A mapping that cannot run (configuration) is reported and the others still run, as Run all does.
        failed++;
        const message = x instanceof Error ? x.message : String(x);
        if (json) io.stdout(`${JSON.stringify({ event: 'error', mapping: m.name, message })}\n`);
        else io.stderr(`\n${m.name}: ${message}\n`);
        continue;
      }
      for (const job of [r.to, r.from]) {
        if (!job) continue;
        failed += job.failed;
        const why = job.inserted + job.modified + job.deleted + job.unchanged + job.skipped + job.failed + job.coupled + job.uncoupled === 0
          ? nothingToDo(job.direction === 'FromIntegrationTable' ? before.dv : before.bc, session.engine.couplings.countCoupled(m), m.synchOnlyCoupled && !flags.full)
          : null;
        printJob(m.name, job, t0, why);
      }
    }
  } finally {
    await session.close();
  }
  return failed > 0 ? 1 : 0;
};

/**
 * Why a pass wrote and read nothing (all counters 0): nothing changed since the watermark, and how many records are
 * coupled — with Synch. Only Coupled Records, uncoupled records are never picked up by a plain run.
 */
export function nothingToDo(watermark: number | null, coupled: number, onlyCoupled: boolean): string {
  const since = watermark ? `nothing changed since ${new Date(watermark).toISOString()}` : 'nothing synchronized yet (uncoupled records are left alone)';
  return `${since}; ${coupled} coupled${onlyCoupled && coupled === 0 ? ' — run a full synchronization (--full, or the Full synchronization review in the console) or couple records first' : ''}`;
}

const str = (v: string | true | undefined, name: string): string | undefined => {
  if (v === true) throw new UsageError(`--${name} needs a value.`);
  return v;
};

/** Renders service events: a bar per mapping on a terminal, JSON lines otherwise. */
export function progressPrinter(io: CliIo, json: boolean): (p: SyncProgress) => void {
  return (p) => {
    const c = p.counters;
    if (json) {
      if (!p.done) io.stdout(`${JSON.stringify({ event: 'progress', mapping: p.mapping, direction: p.direction, phase: p.phase, written: p.written, ...c })}\n`);
      return;
    }
    const dir = p.direction === 'from' ? 'DV → BC' : p.direction === 'to' ? 'BC → DV' : '';
    const done = c.inserted + c.modified + c.unchanged + c.failed + c.skipped;
    io.stderr(`\r  ${p.mapping} ${dir} ${'█'.repeat(Math.min(30, Math.floor(Math.log2(done + 1) * 2))).padEnd(30, '░')} ${done} processed, ${c.failed} failed${p.done ? '\n' : ''}`);
  };
}

async function runWithProfiles(profiles: string[], flags: Record<string, string | true>, io: CliIo, opts: SyncCommandOptions): Promise<number> {
  const dataDir = flags['data-dir'] !== undefined ? path.resolve(str(flags['data-dir'], 'data-dir')!) : defaultDataDir(io.env);
  const json = !io.isTTY || flags.json === true;
  const dv = str(flags['dataverse-profile'], 'dataverse-profile');
  const bc = str(flags['bc-profile'], 'bc-profile');
  const dbFile = str(flags.db, 'db');
  const session = await openProfileSession({
    dataDir, profiles, ...(dv ? { dataverse: dv } : {}), ...(bc ? { bc } : {}), ...(dbFile ? { dbFile: path.resolve(dbFile) } : {}),
    onProgress: progressPrinter(io, json), ...demoSandboxOption(opts),
  });
  try {
    const mapping = typeof flags.mapping === 'string' ? flags.mapping : null;
    const t0 = Date.now();
    const { done } = await session.service.run(mapping, flags.full === true);
    const f = await done;
    const status = await session.service.status();
    const explain: Explain = (name, direction) => {
      const m = status.mappings.find((x) => x.name === name);
      if (!m) return null;
      return nothingToDo(direction === 'FromIntegrationTable' ? m.watermarks.dataverse : m.watermarks.bc, m.couplings, flags.full !== true);
    };
    return printResults(io, json, f.results, (Date.now() - t0) / 1000, (id, n) => session.service.jobErrors(id, 0, n).errors.map((e) => e.message), explain);
  } finally {
    await session.close();
  }
}

/** Why a pass with all counters 0 did nothing (see nothingToDo), or null. */
export type Explain = (mapping: string, direction: string) => string | null;

type Finished = SyncFinished['results'];

export function printResults(io: CliIo, json: boolean, results: Finished, seconds: number, errors: (jobId: string, n: number) => string[], explain?: Explain): number {
  let failed = 0;
  for (const r of results) {
    if (r.error) {
      failed++;
      if (json) io.stdout(`${JSON.stringify({ event: 'error', mapping: r.mapping, code: r.error.code, message: r.error.message })}\n`);
      else io.stderr(`${r.mapping}: ${r.error.message}\n`);
      continue;
    }
    for (const job of [r.to, r.from]) {
      if (!job) continue;
      failed += job.failed;
      const idle = job.inserted + job.modified + job.deleted + job.unchanged + job.skipped + job.failed + job.coupled + job.uncoupled === 0;
      const note = idle && explain ? explain(r.mapping, job.direction) : null;
      const line = {
        event: 'result', mapping: r.mapping, direction: job.direction, inserted: job.inserted, modified: job.modified, unchanged: job.unchanged, skipped: job.skipped,
        failed: job.failed, message: job.message, seconds, ...(note ? { note } : {}),
      };
      if (json) io.stdout(`${JSON.stringify(line)}\n`);
      else io.stdout(`${r.mapping} ${job.direction}: ${job.inserted} inserted, ${job.modified} modified, ${job.unchanged} unchanged, ${job.failed} failed${job.message ? ` — ${job.message}` : ''}${note ? ` — ${note}` : ''}\n`);
      if (job.failed) for (const m of errors(job.id, 5)) io.stderr(`  ${m}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
