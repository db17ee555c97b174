/**
 * `d365ic tasks link [--create-missing] [--dry-run]` (issue 15, *Link POS and Teams* / HQ's Setup task management).
 * Contract used by scripted checks: with --json the last stdout line is
 * `{"stores":[{"storeNumber","teamId","planId":string|null,"state":"linked|missing|ambiguous"}]}`
 * (preload/contract/commerce-teams/tasks.ts); exit 0 on success, 1 when something failed (a mapped team Graph does
 * not know, a plan not created, a row not saved), 2 for bad usage. Connection options as `d365ic teams`.
 */
import { openTeamsConnection, parseTeamsConnectionArgs, TeamsUsageError, type TeamsConnection } from '../../integrations/commerce-teams/connect';
import { linkContract, linkStorePlans } from '../../integrations/commerce-teams/tasks/link';
import { MappingUnavailableError } from '../../integrations/commerce-teams/mapping/directory';
import { defaultSleep } from '../../http/client';
import type { CliCommand } from '../io';
import { parseFlags, UsageError } from '../io';

const HELP = `Usage: d365ic tasks link [--create-missing] [--dry-run] [--stores N,N,…] [--json]
Every command takes --profile NAME twice (one Commerce headquarters and one Microsoft Graph connection profile of
the console, any order; --data-dir DIR for the console's data folder) or --sandbox-info FILE (a file holding the
first JSON line of "d365ic sandbox").

  link    Link POS and Teams (Setup task management): for every store mapped to a team in Commerce (Teams mapping
          between source and team), find the team's Planner plan — the single one, or the one holding published
          tasks when there are several — and save store → team → plan on the mapping row, which the channel reads
          (what distribution job 1070 pushes in Commerce). Per store: linked, missing (no plan yet: the first
          task list published to the store from Teams creates it) or ambiguous (several plans, none clearly used).
  --create-missing   create a plan in every store team that has none (then linked)
  --dry-run          report only: create nothing, save nothing
  --stores N,N,…     only these store numbers
  --json             one JSON object as the last line of stdout
Exit code: 0 success, 1 something failed, 2 bad usage.
`;

export interface TasksCommandOptions {
  /** Tests: inject waits/clock. */
  connect?: Parameters<typeof openTeamsConnection>[1];
}

export const tasksCommand: CliCommand = (args, io) => tasksCommandWith({})(args, io);

export const tasksCommandWith = (opts: TasksCommandOptions): CliCommand => async (args, io) => {
  const [sub, ...rest0] = args;
  if (!sub || sub === '--help' || sub === 'help' || sub === '-h') {
    io.stdout(HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'link') throw new UsageError(`Unknown tasks command "${sub}".\n\n${HELP}`);
  if (rest0.includes('--help')) {
    io.stdout(HELP);
    return 0;
  }
  let parsed;
  try {
    parsed = parseTeamsConnectionArgs(rest0);
  } catch (x) {
    if (x instanceof TeamsUsageError) throw new UsageError(`${x.message}\n\n${HELP}`);
    throw x;
  }
  const { flags, positionals } = parseFlags(parsed.rest, ['json', 'create-missing', 'dry-run']);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n\n${HELP}`);
  const known = ['json', 'create-missing', 'dry-run', 'stores'];
  const unknown = Object.keys(flags).find((f) => !known.includes(f));
  if (unknown) throw new UsageError(`Unknown option --${unknown}.\n\n${HELP}`);
  if (flags.stores === true) throw new UsageError('--stores needs a comma-separated list of store numbers.');
  if (flags['create-missing'] && flags['dry-run']) throw new UsageError('--create-missing and --dry-run exclude each other.');
  const stores = typeof flags.stores === 'string' ? flags.stores.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  if (stores && !stores.length) throw new UsageError('--stores needs a comma-separated list of store numbers.');
  const json = flags.json === true;
  let conn: TeamsConnection;
  try {
    conn = await openTeamsConnection(parsed.conn, { env: io.env, sleep: (ms) => defaultSleep(ms), ...opts.connect });
  } catch (x) {
    if (x instanceof TeamsUsageError) throw new UsageError(x.message);
    throw x;
  }
  try {
    const r = await linkStorePlans(
      { commerce: conn.commerce, graph: conn.graph, ...(opts.connect?.clock ? { clock: opts.connect.clock } : {}) },
      { createMissing: flags['create-missing'] === true, dryRun: flags['dry-run'] === true, ...(stores ? { stores } : {}) },
    );
    const failed = r.stores.filter((s) => s.code !== null && s.code !== 'TASKS_LINK_NO_PLAN' && s.code !== 'TASKS_LINK_SEVERAL_PLANS');
    if (!json) {
      for (const s of r.stores) {
        io.stdout(`${s.storeNumber}  ${s.state.padEnd(9)} team ${s.teamId}  plan ${s.planId ?? '-'}${s.created ? '  (created)' : ''}${s.persisted ? '  (saved)' : ''}\n`);
        if (s.fix) io.stdout(`          ${s.fix}\n`);
      }
      const n = (st: string) => r.stores.filter((s) => s.state === st).length;
      io.stdout(`${r.stores.length} store team(s): ${n('linked')} linked, ${n('missing')} missing, ${n('ambiguous')} ambiguous; ${r.plansCreated} plan(s) created, ${r.rowsWritten} mapping row(s) saved.\n`);
      io.stdout('The plan ids are on the Teams mapping rows the channel reads (in Commerce: run distribution job 1070, Channel configuration).\n');
    }
    if (json) io.stdout(`${JSON.stringify(linkContract(r))}\n`);
    return failed.length ? 1 : 0;
  } catch (x) {
    if (x instanceof MappingUnavailableError) {
      io.stderr(`${x.message}\n`);
      if (json) io.stdout(`${JSON.stringify({ stores: [] })}\n`);
      return 1;
    }
    throw x;
  } finally {
    await conn.close();
  }
};
