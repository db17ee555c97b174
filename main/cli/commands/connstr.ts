import type { Finding } from '../../../preload/contract/sales/connstr';
import { buildConnectionString, parseConnectionString, PRE_V16_CHECKLIST, SDK_VERSIONS } from '../../integrations/sales/connstr';
import type { CliCommand, CliIo } from '../io';
import { parseFlags } from '../io';

const HELP = `Usage: d365ic connstr <subcommand>

  parse '<connection string>'   Parse and validate an XRM-tooling connection string. Prints one JSON line
                                {"values","authType","errors","warnings"}; exit 0 when the string can be read
                                (validation problems are in "errors"), 2 when it is malformed (details on stderr).
                                Use "-" instead of the string to read it from standard input, which keeps a
                                password out of your shell history and the process list.
  build [--mask-secrets]        Read {"values":{...}} as JSON on standard input and print the connection string.
                                Problems go to stderr as JSON {"errors","warnings"}; exit 1 when there are errors.
  sdk-versions                  Print the Dynamics 365 SDK versions (ProxyVersion) and their solution packages as JSON.
  checklist                     Print the pre-v16 connection checklist as JSON.
`;

/** The CLI contract shows only key, code and message; params are for the translated UI. */
const slim = (fs: Finding[]) => fs.map((f) => ({ key: f.key, code: f.code, message: f.message }));

function usage(io: CliIo, problem: string): number {
  io.stderr(`${problem}\n\n${HELP}`);
  return 2;
}

async function parse(args: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseFlags(args, ['help']);
  if (flags.help) {
    io.stdout(HELP);
    return 0;
  }
  const unknownFlag = Object.keys(flags)[0];
  if (unknownFlag !== undefined) return usage(io, `connstr parse has no option --${unknownFlag}.`);
  if (positionals.length === 0) return usage(io, 'connstr parse needs the connection string as its argument (in single quotes), or "-" to read it from standard input.');
  if (positionals.length > 1) {
    return usage(io, `connstr parse takes one argument but got ${positionals.length}: put the whole connection string in single quotes so the shell keeps it together.`);
  }
  let text = positionals[0]!;
  if (text === '-') text = (await io.readStdin()).replace(/\r?\n$/, '');
  const r = parseConnectionString(text);
  if (r.syntaxError) {
    io.stderr(JSON.stringify({ error: r.syntaxError }) + '\n');
    return 2;
  }
  io.stdout(JSON.stringify({ values: r.values, authType: r.authType, errors: slim(r.errors), warnings: slim(r.warnings) }) + '\n');
  return 0;
}

function readValues(input: string): { values: Record<string, string> } | { problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(input);
  } catch (x) {
    return { problem: `Standard input is not valid JSON (${(x as Error).message}). Send an object like {"values":{"AuthType":"OAuth","Url":"https://contoso.crm.dynamics.com"}}.` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('values' in data)) {
    return { problem: 'Standard input must be a JSON object with a "values" member, like {"values":{"AuthType":"OAuth"}}.' };
  }
  const raw = (data as { values: unknown }).values;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problem: '"values" must be a JSON object that maps key names to values.' };
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    // ProxyVersion: 91 or RequireNewInstance: true are natural to write in JSON; nothing else has a string form.
    if (typeof v === 'string') values[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') values[k] = String(v);
    else return { problem: `The value of "${k}" must be a string (or a number or true/false), not ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}.` };
  }
  return { values };
}

async function build(args: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseFlags(args, ['mask-secrets', 'help']);
  if (flags.help) {
    io.stdout(HELP);
    return 0;
  }
  const unknownFlag = Object.keys(flags).find((f) => f !== 'mask-secrets');
  if (unknownFlag !== undefined) return usage(io, `connstr build has no option --${unknownFlag}; did you mean --mask-secrets?`);
  if (positionals.length) return usage(io, 'connstr build reads its input from standard input and takes no arguments.');
  const input = await io.readStdin();
  if (input.trim() === '') return usage(io, 'connstr build needs {"values":{...}} as JSON on standard input.');
  const read = readValues(input);
  if ('problem' in read) {
    io.stderr(read.problem + '\n');
    return 2;
  }
  const r = buildConnectionString(read.values, { maskSecrets: flags['mask-secrets'] === true });
  io.stdout(r.text + '\n');
  if (r.errors.length || r.warnings.length) io.stderr(JSON.stringify({ errors: slim(r.errors), warnings: slim(r.warnings) }) + '\n');
  return r.errors.length ? 1 : 0;
}

export const connstrCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(HELP);
    return 0;
  }
  switch (sub) {
    case 'parse':
      return parse(rest, io);
    case 'build':
      return build(rest, io);
    case 'sdk-versions':
      io.stdout(JSON.stringify(SDK_VERSIONS) + '\n');
      return 0;
    case 'checklist':
      io.stdout(JSON.stringify(PRE_V16_CHECKLIST) + '\n');
      return 0;
    case undefined:
      return usage(io, 'connstr needs a subcommand.');
    default:
      return usage(io, `Unknown connstr subcommand "${sub}".`);
  }
};
