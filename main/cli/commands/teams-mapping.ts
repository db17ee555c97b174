/**
 * `d365ic teams mapping export|import FILE.csv` (issue 14): the store ⇄ team mapping in the format of Commerce's
 * *Teams mapping between source and team* data entity (`SOURCETYPE,SOURCEID,TEAMID`). Called by the `teams`
 * dispatcher (teams.ts) with the argv after `teams mapping`.
 *
 * Contract used by scripted checks: with --json the last stdout line is one JSON object
 * `{"rows","imported","errors":[{"row","message"}]}`; exit 0 on success, 1 when something failed (a row error
 * included), 2 for bad usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openTeamsConnection, parseTeamsConnectionArgs, TeamsUsageError, type TeamsConnection } from '../../integrations/commerce-teams/connect';
import { decodeText } from '../../integrations/commerce-teams/mapping/csv';
import { findCommunicationsTeam, listTeams } from '../../integrations/commerce-teams/mapping/directory';
import { exportMapping, importMapping, loadMappingEditor } from '../../integrations/commerce-teams/mapping/service';
import { searchTeams } from '../../integrations/commerce-teams/mapping/suggest';
import { defaultSleep } from '../../http/client';
import type { CliIo } from '../io';
import { parseFlags, UsageError } from '../io';
import { processIo } from '../process-io';

export const TEAMS_MAPPING_HELP = `Usage: d365ic teams mapping export FILE.csv [--all-stores] [--semicolon] [--json]
       d365ic teams mapping import FILE.csv [--dry-run] [--communications-team ID|NICKNAME] [--json]
       d365ic teams mapping suggest [--json]
       d365ic teams mapping search TEXT [--json]
with --profile NAME twice (Commerce headquarters + Microsoft Graph) or --sandbox-info FILE.

  export   writes Commerce's "Teams mapping between source and team" rows as SOURCETYPE,SOURCEID,TEAMID (UTF-8,
           CRLF); --all-stores adds every unmapped store with an empty TEAMID to fill in; --semicolon separates
           with ";" for Excel in nb-NO, nl-NL, fi-FI
  import   reads such a file (comma or semicolon, BOM, CRLF, quoted fields, UTF-8/UTF-16/Windows-1252) and writes
           the valid rows to Commerce; every other row is listed with its number (header = row 1) and why: bad
           header, unknown store, TEAMID not a GUID or not a team in Microsoft 365, a store twice, one team for two
           stores, the communications team. Rows with an empty TEAMID are skipped. --dry-run checks only.
           The communications team is found by its mail nickname (RETAILCOMMUNICATION_D365) unless given.
  suggest  unmapped stores and the team whose name matches theirs
  search   teams by name, id or mail nickname (GET /teams and groups provisioned as teams)
  --json   one JSON object as the last line of stdout: {"rows","imported","errors":[{"row","message"}]}
Exit code: 0 success, 1 something failed (a row included), 2 bad usage.
`;

interface Result {
  rows: number;
  imported: number;
  errors: { row: number; message: string }[];
}

export async function teamsMappingCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' || argv.includes('--help')) {
    io.stdout(TEAMS_MAPPING_HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const [sub, ...rest0] = argv;
  if (sub !== 'export' && sub !== 'import' && sub !== 'suggest' && sub !== 'search') throw new UsageError(`Unknown teams mapping command "${sub}".\n\n${TEAMS_MAPPING_HELP}`);
  let parsed;
  try {
    parsed = parseTeamsConnectionArgs(rest0);
  } catch (x) {
    if (x instanceof TeamsUsageError) throw new UsageError(`${x.message}\n\n${TEAMS_MAPPING_HELP}`);
    throw x;
  }
  const { flags, positionals } = parseFlags(parsed.rest, ['json', 'all-stores', 'semicolon', 'dry-run']);
  const known = ['json', 'all-stores', 'semicolon', 'dry-run', 'communications-team'];
  const unknown = Object.keys(flags).find((f) => !known.includes(f));
  if (unknown) throw new UsageError(`Unknown option --${unknown}.\n\n${TEAMS_MAPPING_HELP}`);
  if ((sub === 'export' || sub === 'import' || sub === 'search') && positionals.length !== 1) throw new UsageError(`teams mapping ${sub} takes one ${sub === 'search' ? 'search text' : 'FILE.csv'}.\n\n${TEAMS_MAPPING_HELP}`);
  if (sub === 'suggest' && positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
  if (flags['communications-team'] === true) throw new UsageError('--communications-team needs a team id or mail nickname.');
  if (sub !== 'export' && (flags['all-stores'] || flags.semicolon)) throw new UsageError('--all-stores and --semicolon go with export.');
  if (sub !== 'import' && flags['dry-run']) throw new UsageError('--dry-run goes with import.');
  const json = flags.json === true;
  const arg = positionals[0]!;
  const out = (o: unknown) => io.stdout(`${JSON.stringify(o)}\n`);
  const fail = (message: string): number => {
    const r: Result = { rows: 0, imported: 0, errors: [{ row: 0, message }] };
    if (json) out(r);
    io.stderr(`d365ic teams mapping ${sub}: ${message}\n`);
    return 1;
  };

  let text = '';
  if (sub === 'import') {
    try {
      text = decodeText(await readFile(path.resolve(arg))).text;
    } catch (x) {
      return fail(`Cannot read ${arg}: ${(x as Error).message}`);
    }
  }
  let conn: TeamsConnection;
  try {
    conn = await openTeamsConnection(parsed.conn, { env: io.env, sleep: (ms) => defaultSleep(ms) });
  } catch (x) {
    if (x instanceof TeamsUsageError) throw new UsageError(x.message);
    return fail((x as Error).message);
  }
  try {
    const commsGiven = typeof flags['communications-team'] === 'string' ? flags['communications-team'] : null;
    const comms = async () => {
      const t = await findCommunicationsTeam(conn.graph, { idOrNickname: commsGiven });
      if (!t && commsGiven) throw new UsageError(`--communications-team ${commsGiven}: no such group in Microsoft 365.`);
      return t?.id ?? null;
    };
    if (sub === 'export') {
      const e = await exportMapping({ commerce: conn.commerce }, { includeUnmapped: flags['all-stores'] === true, ...(flags.semicolon ? { delimiter: ';' as const } : {}) });
      try {
        await writeFile(path.resolve(arg), e.csv, 'utf8');
      } catch (x) {
        return fail(`Cannot write ${arg}: ${(x as Error).message}`);
      }
      const r: Result = { rows: e.rows, imported: 0, errors: [] };
      if (json) out(r);
      else io.stdout(`${e.rows} row(s) written to ${arg} (${e.mapped} store(s) mapped to a team).\n`);
      return 0;
    }
    if (sub === 'import') {
      const r = await importMapping({ commerce: conn.commerce, graph: conn.graph, communicationsTeamId: await comms() }, text, { dryRun: flags['dry-run'] === true });
      const res: Result = { rows: r.rows, imported: r.imported, errors: r.errors.map((e) => ({ row: e.row, message: e.message })) };
      if (json) out(res);
      else {
        io.stdout(`${r.rows} row(s) read, ${r.imported} valid${r.dryRun ? ' (dry run: nothing written)' : `, ${r.written} written to Commerce`}, ${r.errors.length} error(s).\n`);
        for (const e of r.errors) io.stdout(`  row ${e.row}: ${e.message}\n`);
        for (const n of r.notes.filter((x) => x.code !== 'MAPPING_UNCHANGED')) io.stdout(`  row ${n.row}: ${n.message}\n`);
      }
      return r.errors.length ? 1 : 0;
    }
    if (sub === 'suggest') {
      const e = await loadMappingEditor({ commerce: conn.commerce, graph: conn.graph, communicationsTeamId: await comms() });
      if (json) out({ suggestions: e.suggestions, unmapped: e.stores.filter((s) => !s.teamId).length });
      else for (const s of e.suggestions) io.stdout(`${s.storeNumber}  ${s.storeName}  →  ${s.teamName} (${s.teamId}, ${s.reason}, ${s.score})\n`);
      return 0;
    }
    const hits = searchTeams(await listTeams(conn.graph), arg);
    if (json) out({ teams: hits });
    else for (const t of hits) io.stdout(`${t.id}  ${t.displayName}${t.mailNickname ? `  <${t.mailNickname}>` : ''}\n`);
    return 0;
  } catch (x) {
    if (x instanceof UsageError) throw x;
    return fail((x as Error).message);
  } finally {
    await conn.close();
  }
}
