/**
 * `d365ic teams hierarchy [--hierarchy NAME] --out FILE.csv` (issue 14): the targeting hierarchy CSV that
 * `Set-TeamTargetingHierarchy` uploads, built from the Commerce hierarchy with purpose *Retail reporting* (the
 * communications team at the root, stores as leaves with their team ids) and checked against Teams' rules (E.1/E.2).
 * Called by the `teams` dispatcher (teams.ts) with the argv after `teams hierarchy`.
 *
 * Contract used by scripted checks: with --json the last stdout line is one JSON object
 * `{"rows","stores","warnings":[…]}`; exit 0 on success, 1 when something failed, 2 for bad usage.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openTeamsConnection, parseTeamsConnectionArgs, TeamsUsageError, type TeamsConnection } from '../../integrations/commerce-teams/connect';
import type { TreeNode } from '../../integrations/commerce-teams/hierarchy/build';
import type { HierarchyFinding } from '../../integrations/commerce-teams/hierarchy/service';
import { exportTargetingHierarchy } from '../../integrations/commerce-teams/hierarchy/service';
import { findCommunicationsTeam } from '../../integrations/commerce-teams/mapping/directory';
import { defaultSleep } from '../../http/client';
import type { CliIo } from '../io';
import { parseFlags, UsageError } from '../io';
import { processIo } from '../process-io';

export const TEAMS_HIERARCHY_HELP = `Usage: d365ic teams hierarchy [--hierarchy NAME] --out FILE.csv [--name-column TargetName|DisplayName]
                         [--communications-team ID|NICKNAME] [--tree] [--json]
with --profile NAME twice (Commerce headquarters + Microsoft Graph) or --sandbox-info FILE.

Writes the targeting hierarchy for Teams task publishing: the communications team at the root, the nodes of the
organization hierarchy with purpose "Retail reporting" (--hierarchy NAME, else the default one) below it, stores
as leaves with their team ids (from the store ⇄ team mapping). Stores without a team and branches without a store
are left out (warnings). The file is checked against Teams' rules (header, unique names, parents exist, no
cycles, leaves have team ids, a team once, at most 15,000 nodes) and written only when it passes.
  --name-column   the first column's name: TargetName (default; Set-TeamTargetingHierarchy's examples) or
                  DisplayName (the current documentation)
  --tree          print the tree
  --json          one JSON object as the last line of stdout: {"rows","stores","warnings":[{"code","severity","message",…}]}
Upload it with PowerShell (printed after the export):
  Connect-MicrosoftTeams; Set-TeamTargetingHierarchy -FilePath FILE.csv; Get-TeamTargetingHierarchyStatus
Exit code: 0 success, 1 something failed (no Retail reporting hierarchy, the file breaks a rule), 2 bad usage.
`;

function warningView(f: HierarchyFinding) {
  return { code: f.code, severity: f.severity, message: f.message, ...(f.storeNumber ? { storeNumber: f.storeNumber } : {}), ...(f.node ? { node: f.node } : {}), ...('row' in f && f.row ? { row: f.row } : {}) };
}

function drawTree(n: TreeNode, depth = 0, lines: string[] = []): string[] {
  lines.push(`${'  '.repeat(depth)}${n.name}${n.storeNumber ? ` [${n.storeNumber}]` : ''}${n.teamId ? `  ${n.teamId}` : ''}`);
  for (const c of n.children) drawTree(c, depth + 1, lines);
  return lines;
}

export async function teamsHierarchyCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  if (argv[0] === '--help' || argv[0] === 'help' || argv.includes('--help')) {
    io.stdout(TEAMS_HIERARCHY_HELP);
    return 0;
  }
  let parsed;
  try {
    parsed = parseTeamsConnectionArgs(argv);
  } catch (x) {
    if (x instanceof TeamsUsageError) throw new UsageError(`${x.message}\n\n${TEAMS_HIERARCHY_HELP}`);
    throw x;
  }
  const { flags, positionals } = parseFlags(parsed.rest, ['json', 'tree']);
  const known = ['json', 'tree', 'hierarchy', 'out', 'name-column', 'communications-team'];
  const unknown = Object.keys(flags).find((f) => !known.includes(f));
  if (unknown) throw new UsageError(`Unknown option --${unknown}.\n\n${TEAMS_HIERARCHY_HELP}`);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n\n${TEAMS_HIERARCHY_HELP}`);
  if (typeof flags.out !== 'string' || !flags.out) throw new UsageError(`Say where to write the file: --out FILE.csv.\n\n${TEAMS_HIERARCHY_HELP}`);
  for (const k of ['hierarchy', 'name-column', 'communications-team']) if (flags[k] === true) throw new UsageError(`--${k} needs a value.`);
  const nameColumn = flags['name-column'];
  if (nameColumn !== undefined && nameColumn !== 'TargetName' && nameColumn !== 'DisplayName') throw new UsageError('--name-column takes TargetName or DisplayName.');
  const json = flags.json === true;
  const outFile = path.resolve(flags.out);
  const out = (o: unknown) => io.stdout(`${JSON.stringify(o)}\n`);
  const fail = (message: string, code = 'HIERARCHY_FAILED'): number => {
    if (json) out({ rows: 0, stores: 0, warnings: [{ code, severity: 'error', message }] });
    io.stderr(`d365ic teams hierarchy: ${message}\n`);
    return 1;
  };

  let conn: TeamsConnection;
  try {
    conn = await openTeamsConnection(parsed.conn, { env: io.env, sleep: (ms) => defaultSleep(ms) });
  } catch (x) {
    if (x instanceof TeamsUsageError) throw new UsageError(x.message);
    return fail((x as Error).message);
  }
  try {
    const given = typeof flags['communications-team'] === 'string' ? flags['communications-team'] : null;
    const comms = await findCommunicationsTeam(conn.graph, { idOrNickname: given });
    if (!comms && given) throw new UsageError(`--communications-team ${given}: no such group in Microsoft 365.`);
    const r = await exportTargetingHierarchy(conn.commerce, {
      hierarchy: typeof flags.hierarchy === 'string' ? flags.hierarchy : null,
      communicationsTeam: { teamId: comms?.id ?? null, name: comms?.displayName ?? null },
      ...(nameColumn ? { nameColumn } : {}),
      filePath: outFile,
    });
    if (r.ok && r.csv !== null) {
      try {
        await writeFile(outFile, r.csv, 'utf8');
      } catch (x) {
        return fail(`Cannot write ${flags.out}: ${(x as Error).message}`);
      }
    }
    const warnings = r.findings.map(warningView);
    if (!json) {
      if (r.hierarchy) io.stdout(`Hierarchy "${r.hierarchy.name}" (purpose Retail reporting).\n`);
      if (flags.tree && r.tree) io.stdout(`${drawTree(r.tree).join('\n')}\n`);
      for (const w of warnings) io.stdout(`${w.severity.padEnd(7)} ${w.code}${w.storeNumber ? ` [${w.storeNumber}]` : ''}  ${w.message}\n`);
      if (r.ok) {
        io.stdout(`${r.rows} node(s), ${r.stores} store(s) written to ${flags.out}.\n\nUpload it (PowerShell, as a Teams administrator):\n${r.powershell.upload.map((l) => `  ${l}`).join('\n')}\nCheck its status:\n${r.powershell.status.map((l) => `  ${l}`).join('\n')}\n`);
      } else io.stdout('Nothing written: fix the errors above.\n');
    } else out({ rows: r.rows, stores: r.stores, warnings });
    return r.ok ? 0 : 1;
  } catch (x) {
    if (x instanceof UsageError) throw x;
    return fail((x as Error).message);
  } finally {
    await conn.close();
  }
}
