/**
 * The CLI contract of `d365ic teams mapping …` and `d365ic teams hierarchy …` through a child process
 * (`node main/cli/bin.mjs teams …`) against the sandbox of this process (--sandbox-info FILE): with --json the last
 * stdout line is one JSON object; exit 0 success, 1 something failed, 2 bad usage.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMUNICATIONS_TEAM } from '../../../main/integrations/commerce-teams/engine';
import { COMMUNICATIONS_TEAM_NICKNAME } from '../../../main/integrations/commerce-teams/mapping/directory';
import { teamsHierarchyResultSchema, teamsMappingResultSchema } from '../../../preload/contract/commerce-teams/mapping';
import { startTeamsSandbox } from './harness';

const ROOT = path.resolve(__dirname, '../../..');
let h: Awaited<ReturnType<typeof startTeamsSandbox>>;
let dir: string;
let info: string;
const teams: Record<string, string> = {};

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: Record<string, unknown> | null }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'main/cli/bin.mjs'), ...args], { cwd: ROOT, env: { ...process.env, D365IC_DATA_DIR: dir }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      const last = stdout.trim().split('\n').pop() ?? '';
      let json: Record<string, unknown> | null;
      try {
        json = JSON.parse(last) as Record<string, unknown>;
      } catch {
        json = null;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

beforeAll(async () => {
  h = await startTeamsSandbox();
  dir = mkdtempSync(path.join(tmpdir(), 'teams-cli-'));
  info = path.join(dir, 'sandbox.json');
  writeFileSync(info, `${JSON.stringify(h.sb.info)}\n`);
  for (const n of ['001001', '001002', '001013']) teams[n] = await h.group(`Store ${n}`, `store-${n}`);
});
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('d365ic teams mapping / hierarchy (child process, --sandbox-info)', () => {
  it('the engine and the mapping agree on the communications team nickname', () => {
    expect(COMMUNICATIONS_TEAM_NICKNAME).toBe(COMMUNICATIONS_TEAM.mailNickname);
  });

  it('import: valid rows imported, the others listed by row; exit 1; then export writes the entity format', async () => {
    const file = path.join(dir, 'in.csv');
    writeFileSync(file, `\ufeffSOURCETYPE;SOURCEID;TEAMID\r\nRetailStore;001001;${teams['001001']}\r\nRetailStore;001002;${h.comms}\r\nRetailStore;001013;${teams['001013']}\r\nRetailStore;001099;${teams['001002']}\r\n`);
    const imp = await cli(['teams', 'mapping', 'import', file, '--sandbox-info', info, '--json']);
    expect(imp.code).toBe(1);
    teamsMappingResultSchema.parse(imp.json);
    expect(imp.json).toEqual({ rows: 4, imported: 2, errors: [{ row: 3, message: expect.stringContaining('communications team') }, { row: 5, message: expect.stringContaining('001099') }] });

    const out = path.join(dir, 'out.csv');
    const exp = await cli(['teams', 'mapping', 'export', out, '--sandbox-info', info, '--json']);
    expect(exp.code).toBe(0);
    teamsMappingResultSchema.parse(exp.json);
    expect(exp.json).toEqual({ rows: 2, imported: 0, errors: [] });
    expect(readFileSync(out, 'utf8')).toBe(`SOURCETYPE,SOURCEID,TEAMID\r\nRetailStore,001001,${teams['001001']}\r\nRetailStore,001013,${teams['001013']}\r\n`);

    const again = await cli(['teams', 'mapping', 'import', out, '--sandbox-info', info, '--json']);
    expect(again.code).toBe(0);
    expect(again.json).toEqual({ rows: 2, imported: 2, errors: [] });
  });

  it('hierarchy: writes the CSV and prints rows, stores and warnings; a non-reporting hierarchy exits 1', async () => {
    const out = path.join(dir, 'hierarchy.csv');
    const r = await cli(['teams', 'hierarchy', '--out', out, '--sandbox-info', info, '--json']);
    expect(r.code).toBe(0);
    teamsHierarchyResultSchema.parse(r.json);
    expect(r.json).toMatchObject({ rows: expect.any(Number), stores: 2 });
    expect((r.json!.warnings as { code: string }[]).some((w) => w.code === 'HIERARCHY_STORE_WITHOUT_TEAM')).toBe(true);
    const csv = readFileSync(out, 'utf8');
    expect(csv.split('\r\n')[1]).toBe(`Retail Communication,,${h.comms}`);
    expect(csv).toContain(`Nordlys Amsterdam,Randstad,${teams['001013']}`);
    expect(r.json!.rows).toBe(csv.trim().split('\r\n').length - 1);

    const bad = await cli(['teams', 'hierarchy', '--hierarchy', 'Nordlys store clusters', '--out', path.join(dir, 'x.csv'), '--sandbox-info', info, '--json']);
    expect(bad.code).toBe(1);
    teamsHierarchyResultSchema.parse(bad.json);
    expect(bad.json).toMatchObject({ rows: 0, stores: 0, warnings: [{ code: 'HIERARCHY_NOT_RETAIL_REPORTING', severity: 'error' }] });

    const text = await cli(['teams', 'hierarchy', '--out', out, '--sandbox-info', info]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Set-TeamTargetingHierarchy -FilePath');
  });

  it('bad usage exits 2', async () => {
    expect((await cli(['teams', 'mapping', 'import', '--sandbox-info', info, '--json'])).code).toBe(2);
    expect((await cli(['teams', 'mapping', 'export', path.join(dir, 'a.csv'), '--json'])).code).toBe(2);
    expect((await cli(['teams', 'hierarchy', '--sandbox-info', info, '--json'])).code).toBe(2);
    expect((await cli(['teams', 'hierarchy', '--out', 'x.csv', '--sandbox-info', info, '--bogus'])).code).toBe(2);
  });

  it('an unreadable file exits 1 with the JSON line', async () => {
    const r = await cli(['teams', 'mapping', 'import', path.join(dir, 'missing.csv'), '--sandbox-info', info, '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toEqual({ rows: 0, imported: 0, errors: [{ row: 0, message: expect.stringContaining('Cannot read') }] });
  });
});
