import type { CliCommand, CliIo } from './io';
import { boundHeapGrowth } from '../platform/heap';
import { UsageError } from './io';
import { processIo } from './process-io';

/** Commands load lazily so `d365ic connstr …` does not pay for the sandbox or the mapping workbook code. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  connstr: { summary: 'parse | build | sdk-versions | checklist — XRM-tooling connection strings (BC < v16)', load: async () => (await import('./commands/connstr')).connstrCommand },
  mappings: { summary: 'defaults | export | import | diff | validate — integration table/field mappings', load: async () => (await import('./commands/mappings')).mappingsCommand },
  jobs: { summary: 'defaults | list | run | hold | resume — synchronization job-queue entries', load: async () => (await import('./commands/jobs')).jobsCommand },
  sync: { summary: 'run — synchronize table mappings once (BC ⇄ Dataverse; --sandbox for the embedded sandbox)', load: async () => (await import('./commands/sync')).syncCommand },
  teams: { summary: 'check | plan | apply | mapping | hierarchy — Commerce ⇄ Teams: provision one team per store', load: async () => (await import('./commands/teams')).teamsCommand },
  tasks: { summary: 'link | publish | sync | report — Commerce ⇄ Teams task management (Planner ⇄ POS)', load: async () => (await import('./commands/tasks')).tasksCommand },
  sandbox: { summary: 'start the local Dataverse, Business Central and identity services', load: async () => (await import('./commands/sandbox')).sandboxCommand },
  host: { summary: 'serve the console in a browser on 127.0.0.1 (what npm start does without Electron)', load: async () => (await import('./commands/host')).hostCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'Integration Console CLI',
    '',
    'Usage: d365ic <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "d365ic <command> --help" for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  // Every command may run a sync engine (the browser host runs the console's): the engine process's heap policy.
  boundHeapGrowth();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    io.stdout('0.1.0\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (x) {
    if (x instanceof UsageError) {
      io.stderr(`${x.message}\n`);
      return 2;
    }
    io.stderr(`d365ic ${name}: ${(x as Error).message}\n`);
    return 1;
  }
}
