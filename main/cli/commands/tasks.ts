/**
 * `d365ic tasks <link|publish|sync|report>` — Commerce ⇄ Teams task management (issue 15). Each subcommand lives in
 * ./tasks/<name>.ts and is registered in SUBCOMMANDS; ./tasks/common.ts parses the connection options (as
 * `d365ic teams`), checks flags, connects and closes. The --json shapes are in preload/contract/commerce-teams/.
 */
import type { CliCommand } from '../io';
import { UsageError } from '../io';
import { CONNECTION_HELP, runTasksSubcommand, type TasksCommandOptions, type TasksSubcommand } from './tasks/common';
import { linkSubcommand } from './tasks/link';
import { publishSubcommand } from './tasks/publish';
import { reportSubcommand } from './tasks/report';
import { syncSubcommand } from './tasks/sync';

export type { TasksCommandOptions } from './tasks/common';

/** Register a subcommand here (one line each). */
const SUBCOMMANDS: Record<string, TasksSubcommand> = {
  link: linkSubcommand,
  publish: publishSubcommand,
  report: reportSubcommand,
  sync: syncSubcommand,
};

function help(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((k) => k.length));
  return [
    'Usage: d365ic tasks <command> [options]   (Commerce ⇄ Teams task management)',
    '',
    ...Object.entries(SUBCOMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    '',
    CONNECTION_HELP,
    'Run "d365ic tasks <command> --help" for its options.',
    '',
  ].join('\n');
}

export const tasksCommand: CliCommand = (args, io) => tasksCommandWith({})(args, io);

export const tasksCommandWith = (opts: TasksCommandOptions): CliCommand => async (args, io) => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === 'help' || sub === '-h') {
    io.stdout(help());
    return sub ? 0 : 2;
  }
  const cmd = SUBCOMMANDS[sub];
  if (!cmd) throw new UsageError(`Unknown tasks command "${sub}".\n\n${help()}`);
  return runTasksSubcommand(sub, cmd, rest, io, opts);
};
