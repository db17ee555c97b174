/**
 * What every `d365ic tasks …` subcommand shares: the connection options of `d365ic teams` (--profile twice or
 * --sandbox-info FILE), flag checking, and opening / closing the Commerce + Graph connection. A subcommand is a
 * `TasksSubcommand` registered in ../tasks.ts.
 */
import { openTeamsConnection, parseTeamsConnectionArgs, TeamsUsageError, type TeamsConnection } from '../../../integrations/commerce-teams/connect';
import { defaultSleep } from '../../../http/client';
import type { CliIo } from '../../io';
import { parseFlags, UsageError } from '../../io';

export interface TasksCommandOptions {
  /** Tests: inject waits/clock. */
  connect?: Parameters<typeof openTeamsConnection>[1];
}

export const CONNECTION_HELP = `Every command takes --profile NAME twice (one Commerce headquarters and one Microsoft Graph connection profile of
the console, any order; --data-dir DIR for the console's data folder) or --sandbox-info FILE (a file holding the
first JSON line of "d365ic sandbox"). --json prints one JSON object as the last line of stdout.
Exit code: 0 success, 1 something failed, 2 bad usage.`;

export interface TasksSubcommand {
  /** One line for `d365ic tasks --help`. */
  summary: string;
  /** The subcommand's own help (options). */
  help: string;
  /** Flags that take no value. */
  booleans: readonly string[];
  /** Every flag it accepts (booleans included). */
  flags: readonly string[];
  run(ctx: { flags: Record<string, string | true>; json: boolean; conn: TeamsConnection; io: CliIo; opts: TasksCommandOptions }): Promise<number>;
  /** Checks the flags before connecting (throw UsageError). */
  check?(flags: Record<string, string | true>): void;
}

/** Parses, checks, connects, runs, closes. */
export async function runTasksSubcommand(name: string, cmd: TasksSubcommand, args: string[], io: CliIo, opts: TasksCommandOptions): Promise<number> {
  const help = `Usage: d365ic tasks ${name} ${cmd.help}\n${CONNECTION_HELP}\n`;
  if (args.includes('--help')) {
    io.stdout(help);
    return 0;
  }
  let parsed;
  try {
    parsed = parseTeamsConnectionArgs(args);
  } catch (x) {
    if (x instanceof TeamsUsageError) throw new UsageError(`${x.message}\n\n${help}`);
    throw x;
  }
  const { flags, positionals } = parseFlags(parsed.rest, ['json', ...cmd.booleans]);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n\n${help}`);
  const unknown = Object.keys(flags).find((f) => f !== 'json' && !cmd.flags.includes(f));
  if (unknown) throw new UsageError(`Unknown option --${unknown}.\n\n${help}`);
  for (const [k, v] of Object.entries(flags)) if (v === true && !cmd.booleans.includes(k) && k !== 'json') throw new UsageError(`--${k} needs a value.\n\n${help}`);
  cmd.check?.(flags);
  let conn: TeamsConnection;
  try {
    conn = await openTeamsConnection(parsed.conn, { env: io.env, sleep: (ms) => defaultSleep(ms), ...opts.connect });
  } catch (x) {
    if (x instanceof TeamsUsageError) throw new UsageError(x.message);
    throw x;
  }
  try {
    return await cmd.run({ flags, json: flags.json === true, conn, io, opts });
  } finally {
    await conn.close();
  }
}

/** `--stores N,N,…` → the list (undefined when absent); an empty list is a usage error. */
export function storesFlag(flags: Record<string, string | true>): string[] | undefined {
  if (flags.stores === undefined) return undefined;
  const stores = typeof flags.stores === 'string' ? flags.stores.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (!stores.length) throw new UsageError('--stores needs a comma-separated list of store numbers.');
  return stores;
}
