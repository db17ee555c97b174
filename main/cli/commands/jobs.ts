import { defaultJobs } from '../../integrations/sales/mappings/jobs';
import { PROFILE_FLAGS_HELP, ProfileFlagError, profileOptionsFromFlags } from '../../integrations/sales/mappings/present';
import { openDatabase } from '../../db/database';
import { JobQueue } from '../../kernel/jobs/queue';
import { sandboxSession } from '../sales-sandbox-session';
import path from 'node:path';
import { databaseFile, defaultDataDir } from '../../platform/paths';
import { openProfileSession, takeRepeated } from '../../integrations/sales/sync/cli-support/profiles';
import type { CliCommand, CliIo } from '../io';
import { demoSandboxOption, printResults, progressPrinter, type SyncCommandOptions } from './sync';
import { UsageError, parseFlags } from '../io';

const HELP = `Usage: d365ic jobs defaults [--json] [profile options]
       d365ic jobs list [--db FILE] [--json]
       d365ic jobs hold NAME [--db FILE]
       d365ic jobs resume NAME [--db FILE]
       d365ic jobs run NAME --profile DATAVERSE --profile BC [--data-dir DIR] [--db FILE]
       d365ic jobs run NAME --dataverse-profile NAME --bc-profile NAME [--data-dir DIR] [--db FILE]
       d365ic jobs run NAME --sandbox [--db FILE] [--records N]

list/hold/resume/run work on the persisted job queue in the sync database (--db; with --data-dir DIR the console's
own database in DIR; otherwise ./d365ic-sync.sqlite); an empty queue is first filled with the default entries (as
"Use Default Synchronization Setup" does). hold sets an entry On Hold; resume sets it Ready (attempts reset).
run runs the entry's mapping once now (any mapping job; --sandbox: the demo company with the domain rules, or the
bench data set with --records, ITEM-PRODUCT and CUSTOMER only) and records the attempt on the entry, either
with two connection profiles of the console (see "d365ic sync --help" for --profile) or against the embedded
sandbox (--sandbox).

Prints the job-queue entries BC's "Use Default Synchronization Setup" creates for the profile, in run order:
mapping jobs (Integration Synch. Job Runner) then feature jobs (Customer Statistics, Item Availability, …).
--json prints [{"name","mapping","direction","everyMinutes","inactivityTimeoutMinutes","order",…}];
"mapping" is null for feature jobs.

${PROFILE_FLAGS_HELP}`;

export const jobsCommand: CliCommand = (args, io) => jobsCommandWith({})(args, io);

/** See SyncCommandOptions: a host (or a test) may hand in the embedded sandbox whose sign-in route profiles use. */
export const jobsCommandWith = (opts: SyncCommandOptions): CliCommand => async (args, io) => {
  const [sub, ...rest] = args;
  const { flags } = parseFlags(rest, ['json', 'help']);
  if (!sub || sub === '--help' || sub === 'help' || flags.help) {
    io.stdout(HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'list' || sub === 'hold' || sub === 'resume' || sub === 'run') return queueCommand(sub, rest, io, opts);
  if (sub !== 'defaults') throw new UsageError(`Unknown jobs command "${sub}".\n\n${HELP}`);
  let options;
  try {
    options = profileOptionsFromFlags(flags);
  } catch (x) {
    if (x instanceof ProfileFlagError) throw new UsageError(`${x.message}\n\n${HELP}`);
    throw x;
  }
  const jobs = defaultJobs(options);
  if (flags.json) {
    io.stdout(JSON.stringify(jobs, null, 2) + '\n');
    return 0;
  }
  const rows = [['#', 'Job', 'Direction', 'Every (min)', 'Inactivity timeout (min)'], ...jobs.map((j) => [String(j.order), j.name, j.direction, String(j.everyMinutes), j.inactivityTimeoutMinutes === null ? 'n/a' : String(j.inactivityTimeoutMinutes)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  io.stdout(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
  return 0;
};

async function queueCommand(sub: 'list' | 'hold' | 'resume' | 'run', args: string[], io: CliIo, opts: SyncCommandOptions): Promise<number> {
  const { values: profiles, rest } = takeRepeated(args, 'profile');
  const { flags, positionals } = parseFlags(rest, ['json', 'sandbox', 'help']);
  const dataDir = typeof flags['data-dir'] === 'string' ? path.resolve(flags['data-dir']) : null;
  const dbFile = typeof flags.db === 'string' ? flags.db : dataDir ? databaseFile(dataDir) : 'd365ic-sync.sqlite';
  const name = positionals[0];
  if (sub !== 'list' && !name) throw new UsageError(`jobs ${sub} needs the job name (see "d365ic jobs list").\n\n${HELP}`);
  const byProfile = profiles.length > 0 || flags['dataverse-profile'] !== undefined || flags['bc-profile'] !== undefined;
  if (sub === 'run' && byProfile) {
    if (flags.sandbox) throw new UsageError('Use either connection profiles (--profile) or --sandbox, not both.');
    const json = !io.isTTY || flags.json === true;
    const session = await openProfileSession({
      dataDir: dataDir ?? defaultDataDir(io.env), profiles,
      ...(typeof flags['dataverse-profile'] === 'string' ? { dataverse: flags['dataverse-profile'] } : {}),
      ...(typeof flags['bc-profile'] === 'string' ? { bc: flags['bc-profile'] } : {}),
      ...(typeof flags.db === 'string' ? { dbFile: path.resolve(flags.db) } : {}),
      onProgress: progressPrinter(io, json), ...demoSandboxOption(opts),
    });
    try {
      const t0 = Date.now();
      const { done } = await session.service.queueRun(name!);
      const f = await done;
      return printResults(io, json, f.results, (Date.now() - t0) / 1000, (id, n) => session.service.jobErrors(id, 0, n).errors.map((e) => e.message));
    } finally {
      await session.close();
    }
  }
  if (sub === 'run') {
    if (!flags.sandbox) throw new UsageError(`jobs run needs connections: --profile (twice: a Dataverse and a Business Central profile) or --sandbox.\n\n${HELP}`);
    const records = typeof flags.records === 'string' && /^\d+$/.test(flags.records) ? Number(flags.records) : undefined;
    const session = await sandboxSession({ dbFile, ...(records !== undefined ? { records } : {}) });
    try {
      const q = new JobQueue(session.db, { now: () => Date.now() });
      if (q.list().length === 0) q.installDefaults(defaultJobs());
      const entry = q.get(name!);
      if (!entry) throw new UsageError(`No job named "${name}". See "d365ic jobs list --db ${dbFile}".`);
      const m = session.mappings.find((x) => x.name === entry.mapping);
      if (!m) throw new UsageError(`Job "${name}" runs ${entry.mapping ?? 'no mapping'}, which this sandbox session cannot run (it runs: ${session.mappings.map((x) => x.name).join(', ')}).`);
      const r = await session.engine.runMapping(m);
      for (const job of [r.to, r.from]) if (job) io.stdout(`${JSON.stringify({ job: name, mapping: m.name, direction: job.direction, inserted: job.inserted, modified: job.modified, unchanged: job.unchanged, failed: job.failed })}\n`);
      return [r.to, r.from].some((j) => (j?.failed ?? 0) > 0) ? 1 : 0;
    } finally {
      await session.close();
    }
  }
  const { db } = openDatabase(dbFile);
  try {
    const q = new JobQueue(db, { now: () => Date.now() });
    if (q.list().length === 0) q.installDefaults(defaultJobs());
    if (sub === 'list') {
      const now = Date.now();
      // An overdue Ready entry never runs by itself from here: say so instead of a silent "Ready" (issue 11).
      const note = (e: (typeof entries)[number]): string | null => {
        if (e.status === 'Error') return `Stopped after ${e.attempts} of ${e.maxAttempts} attempts: fix the last error, then "d365ic jobs resume ${e.name}".`;
        if (e.status !== 'Ready' || now - e.earliestStart < 2 * 60_000) return null;
        return `Overdue since ${new Date(e.earliestStart).toISOString()}: the job queue runs in the console while its Sales connection is enabled; run it now with "d365ic jobs run ${e.name} --profile … --profile …".`;
      };
      const entries = q.list();
      if (flags.json) io.stdout(JSON.stringify(entries.map((e) => ({ ...e, note: note(e) })), null, 2) + '\n');
      else {
        const rows = [['Job', 'Mapping', 'Status', 'Every (min)', 'Attempts', 'Last error / note'], ...entries.map((e) => [e.name, e.mapping ?? '', e.status, String(e.everyMinutes ?? ''), String(e.attempts), (e.lastError ?? note(e) ?? '').slice(0, 120)])];
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        io.stdout(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
      }
      return 0;
    }
    if (!q.get(name!)) throw new UsageError(`No job named "${name}". See "d365ic jobs list --db ${dbFile}".`);
    q.setStatus(name!, sub === 'hold' ? 'On Hold' : 'Ready');
    io.stdout(`${name}: ${sub === 'hold' ? 'On Hold' : 'Ready'}\n`);
    return 0;
  } finally {
    db.close();
  }
}
