/**
 * `d365ic teams check | plan [--prune] | apply [--prune]` (issue 14) and the dispatch to `teams mapping …` /
 * `teams hierarchy …` (teams-mapping.ts / teams-hierarchy.ts, when present). Contract used by scripted checks:
 * with --json the last stdout line is one JSON object; exit 0 on success, 1 when something failed, 2 for bad usage.
 */
import { TeamsEngine } from '../../integrations/commerce-teams/engine';
import { openTeamsConnection, openTeamsDatabase, parseTeamsConnectionArgs, TeamsUsageError, type TeamsConnection } from '../../integrations/commerce-teams/connect';
import { TeamLinkStore } from '../../integrations/commerce-teams/links';
import { defaultSleep } from '../../http/client';
import type { CliCommand, CliIo } from '../io';
import { parseFlags, UsageError } from '../io';

const HELP = `Usage: d365ic teams check [--json]
       d365ic teams plan  [--prune] [--json]
       d365ic teams apply [--prune] [--json]
       d365ic teams mapping export|import FILE.csv
       d365ic teams hierarchy [--hierarchy NAME] --out FILE.csv
Every command takes --profile NAME twice (one Commerce headquarters and one Microsoft Graph connection profile of
the console, any order; --data-dir DIR for the console's data folder) or --sandbox-info FILE (a file holding the
first JSON line of "d365ic sandbox").

  check   pre-flight findings: stores without a manager (no team, rule R5), workers without an Entra identity, Entra
          users missing, disabled or without a Teams licence, regional managers without Retail task manager, no
          Retail reporting hierarchy, mail nickname collisions, owners over 100, Graph permissions missing
  plan    what apply would do: per store create | update | none | skip (with the reason), owners and members to
          add; --prune also lists members no longer in Commerce to remove (off by default)
  apply   carry the plan out (idempotent and resumable: run it again after a failure or a crash)
  --db FILE   the engine's database (store → team links); default: the console's database in the data folder
  --json      one JSON object as the last line of stdout
Exit code: 0 success, 1 something failed (apply: a store or member failed), 2 bad usage.
`;

type Sub = 'check' | 'plan' | 'apply';

async function optional(file: string, name: string): Promise<((argv: string[], io: CliIo) => Promise<number>) | null> {
  try {
    const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
    const fn = mod[name];
    return typeof fn === 'function' ? (fn as (argv: string[], io: CliIo) => Promise<number>) : null;
  } catch (x) {
    if ((x as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url|does not exist/i.test((x as Error).message)) return null;
    throw x;
  }
}

export async function runTeamsMapping(args: string[], io: CliIo): Promise<number> {
  const fn = await optional('./teams-mapping', 'teamsMappingCommand');
  if (!fn) throw new UsageError('d365ic teams mapping is not available in this build.');
  return fn(args, io);
}

export async function runTeamsHierarchy(args: string[], io: CliIo): Promise<number> {
  const fn = await optional('./teams-hierarchy', 'teamsHierarchyCommand');
  if (!fn) throw new UsageError('d365ic teams hierarchy is not available in this build.');
  return fn(args, io);
}

export interface TeamsCommandOptions {
  /** Tests: inject waits/clock. */
  connect?: Parameters<typeof openTeamsConnection>[1];
}

export const teamsCommand: CliCommand = (args, io) => teamsCommandWith({})(args, io);

export const teamsCommandWith = (opts: TeamsCommandOptions): CliCommand => async (args, io) => {
  const [sub, ...rest0] = args;
  if (!sub || sub === '--help' || sub === 'help' || sub === '-h') {
    io.stdout(HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'mapping') return runTeamsMapping(rest0, io);
  if (sub === 'hierarchy') return runTeamsHierarchy(rest0, io);
  if (sub !== 'check' && sub !== 'plan' && sub !== 'apply') throw new UsageError(`Unknown teams command "${sub}".\n\n${HELP}`);
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
  const { flags, positionals } = parseFlags(parsed.rest, ['json', 'prune']);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n\n${HELP}`);
  const known = ['json', 'prune', 'db'];
  const unknown = Object.keys(flags).find((f) => !known.includes(f));
  if (unknown) throw new UsageError(`Unknown option --${unknown}.\n\n${HELP}`);
  if (flags.prune && sub === 'check') throw new UsageError('--prune goes with plan or apply.');
  if (flags.db === true) throw new UsageError('--db needs a file name.');
  const json = flags.json === true;
  let conn: TeamsConnection;
  try {
    conn = await openTeamsConnection(parsed.conn, { env: io.env, sleep: (ms) => defaultSleep(ms), ...opts.connect });
  } catch (x) {
    if (x instanceof TeamsUsageError) throw new UsageError(x.message);
    throw x;
  }
  const db = openTeamsDatabase(typeof flags.db === 'string' ? flags.db : null, conn.dataDir);
  try {
    const scope = `${conn.commerce.environmentUrl} ${conn.graph.http.baseUrl.toString().replace(/\/+$/, '')}`;
    const engine = new TeamsEngine({
      commerce: conn.commerce, graph: conn.graph, graphAuthorization: conn.graphAuthorization,
      links: new TeamLinkStore(db, scope), sleep: opts.connect?.sleep ?? ((ms) => defaultSleep(ms)), ...(opts.connect?.clock ? { clock: opts.connect.clock } : {}),
    });
    return await run(sub, engine, flags.prune === true, json, io);
  } finally {
    db.close();
    await conn.close();
  }
};

async function run(sub: Sub, engine: TeamsEngine, prune: boolean, json: boolean, io: CliIo): Promise<number> {
  const out = (o: unknown) => io.stdout(`${JSON.stringify(o)}\n`);
  if (sub === 'check') {
    const r = await engine.check();
    if (json) out(r);
    else {
      for (const f of r.findings) io.stdout(`${f.severity.padEnd(7)} ${f.code}${f.storeNumber ? ` [${f.storeNumber}]` : ''}${f.personnelNumber ? ` (${f.personnelNumber})` : ''}  ${f.message}\n`);
      io.stdout(`${r.findings.length} finding(s), ${r.findings.filter((f) => f.severity === 'error').length} error(s).\n`);
    }
    return 0;
  }
  if (sub === 'plan') {
    const { internal: _internal, ...plan } = await engine.plan({ prune });
    if (json) out(plan);
    else {
      for (const s of plan.stores)
        io.stdout(`${s.storeNumber}  ${s.action.padEnd(6)} ${s.reason ? `(${s.reason}) ` : ''}owners +${s.owners.add.length}/-${s.owners.remove.length} members +${s.members.add.length}/-${s.members.remove.length}${s.teamId ? `  team ${s.teamId}` : ''}\n`);
      const c = plan.communicationsTeam;
      io.stdout(`communications team  ${c.action}  members +${c.members.add.length}/-${c.members.remove.length}\n`);
      io.stdout(`${plan.findings.length} finding(s); prune ${prune ? 'on' : 'off'}.\n`);
    }
    return 0;
  }
  const r = await engine.apply({ prune });
  if (json) out(r);
  else {
    io.stdout(`teams created ${r.teamsCreated}, owners added ${r.ownersAdded}, members added ${r.membersAdded}, members removed ${r.membersRemoved}\n`);
    for (const f of r.failed) io.stdout(`failed  ${f.storeNumber}  ${f.code}  ${f.message}\n`);
  }
  return r.failed.length ? 1 : 0;
}
