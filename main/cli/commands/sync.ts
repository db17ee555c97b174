import { runFullSync } from '../../sync/review/run';
import { ADAPTER_MAPPINGS, adapterMappings } from '../../sync/adapters/connect';
import { sandboxSession } from '../../sync/cli-support/session';
import type { CliCommand } from '../io';
import { parseFlags, UsageError } from '../io';

const HELP = `Usage: d365ic sync run [--mapping NAME | --all] [--full] --sandbox [--records N] [--latency-ms N] [--db FILE]

Runs table mappings once (BC ⇄ Dataverse) and prints the result of every pass.
  --mapping NAME   one mapping (${ADAPTER_MAPPINGS.join(', ')}); --all (default) runs every one, in dependency order
  --full           full synchronization: select everything, create uncoupled records, rewrite unchanged ones
  --sandbox        start the embedded sandbox (bench data, --records items + records/5 customers) and sync against it
  --db FILE        sync database (couplings, watermarks, job log); default: a temporary file
  --profile NAME   (not available yet: connection profiles are not wired into sync; use --sandbox)
Output: a progress bar on a terminal; otherwise JSON lines ({"event":"progress",…} and one {"event":"result",…} per mapping).
`;

export const syncCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  const { flags, positionals } = parseFlags(rest, ['all', 'full', 'sandbox', 'help', 'json']);
  if (!sub || sub === '--help' || sub === 'help' || flags.help) {
    io.stdout(HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'run') throw new UsageError(`Unknown sync command "${sub}".\n\n${HELP}`);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n\n${HELP}`);
  const known = ['mapping', 'all', 'full', 'sandbox', 'records', 'latency-ms', 'db', 'profile', 'help', 'json'];
  const unknown = Object.keys(flags).find((f) => !known.includes(f));
  if (unknown) throw new UsageError(`Unknown option --${unknown}.\n\n${HELP}`);
  if (flags.profile !== undefined) throw new UsageError('--profile is not available yet: sync runs against connection profiles are not wired. Use --sandbox to try the sync against the embedded sandbox.');
  if (!flags.sandbox) throw new UsageError(`Say where to sync: --sandbox (the embedded sandbox).\n\n${HELP}`);
  if (flags.mapping !== undefined && flags.all) throw new UsageError('Use either --mapping NAME or --all, not both.');
  const all = adapterMappings();
  const wanted = typeof flags.mapping === 'string' ? all.filter((m) => m.name === flags.mapping) : all;
  if (flags.mapping !== undefined && wanted.length === 0) throw new UsageError(`Unknown or unsupported mapping "${String(flags.mapping)}". Supported: ${ADAPTER_MAPPINGS.join(', ')}.`);
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
  const session = await sandboxSession({
    ...(records !== undefined ? { records } : {}), ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(typeof flags.db === 'string' ? { dbFile: flags.db } : {}), onWrite: progress,
  });
  let failed = 0;
  try {
    for (const m of wanted) {
      const t0 = Date.now();
      const r = flags.full
        ? await runFullSync(session.engine, m)
        : await session.engine.runMapping(m);
      for (const job of [r.to, r.from]) {
        if (!job) continue;
        failed += job.failed;
        const line = { event: 'result', mapping: m.name, direction: job.direction, inserted: job.inserted, modified: job.modified, unchanged: job.unchanged, skipped: job.skipped, failed: job.failed, seconds: (Date.now() - t0) / 1000 };
        if (json) io.stdout(`${JSON.stringify(line)}\n`);
        else io.stdout(`\n${m.name} ${job.direction}: ${job.inserted} inserted, ${job.modified} modified, ${job.unchanged} unchanged, ${job.failed} failed\n`);
        if (job.failed) for (const e of session.engine.log.errors(job.id, 0, 5)) io.stderr(`  ${e.message}\n`);
      }
    }
  } finally {
    await session.close();
  }
  return failed > 0 ? 1 : 0;
};
