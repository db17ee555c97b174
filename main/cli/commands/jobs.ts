import { defaultJobs } from '../../mappings/jobs';
import { PROFILE_FLAGS_HELP, ProfileFlagError, profileOptionsFromFlags } from '../../mappings/present';
import type { CliCommand } from '../io';
import { UsageError, parseFlags } from '../io';

const HELP = `Usage: d365ic jobs defaults [--json] [profile options]

Prints the job-queue entries BC's "Use Default Synchronization Setup" creates for the profile, in run order:
mapping jobs (Integration Synch. Job Runner) then feature jobs (Customer Statistics, Item Availability, …).
--json prints [{"name","mapping","direction","everyMinutes","inactivityTimeoutMinutes","order",…}];
"mapping" is null for feature jobs.

${PROFILE_FLAGS_HELP}`;

export const jobsCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  const { flags } = parseFlags(rest, ['json', 'help']);
  if (!sub || sub === '--help' || sub === 'help' || flags.help) {
    io.stdout(HELP);
    return sub ? 0 : 2;
  }
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
