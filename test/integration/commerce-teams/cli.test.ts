/**
 * `d365ic teams check|plan|apply --sandbox-info FILE --json` in a child process against startSandbox (the contract
 * scripted checks rely on): the last stdout line is one JSON object of the documented shape; exit codes 0/1/2;
 * apply twice → the second plan has only none/skip. The sandbox provisions teams at once and does not throttle,
 * so the CLI's own waits are short; the test itself never sleeps.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sandbox from '../../../main/sandbox';
import { TeamsApplyResultSchema, TeamsFindingSchema, TeamsPlanSchema } from '../../../preload/contract/commerce-teams/findings';
import { runCliProcess } from '../../support/cli';

let sb: Awaited<ReturnType<typeof sandbox.startSandbox>>;
let dir: string;
let info: string;

const cli = (args: string[]) => runCliProcess(args, dir);

beforeAll(async () => {
  sb = await sandbox.startSandbox({ port: 0 });
  sb.graph.settings.teamProvisioningMs = 0;
  sb.graph.settings.throttling = false;
  dir = mkdtempSync(path.join(tmpdir(), 'd365ic-teams-cli-'));
  info = path.join(dir, 'sandbox.json');
  writeFileSync(info, `${JSON.stringify(sb.info)}\nstarted\n`);
});
afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('d365ic teams (child process)', () => {
  it('check --json: {"findings":[…]} on the last line, exit 0', async () => {
    const r = await cli(['teams', 'check', '--sandbox-info', info, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.last as { findings: unknown[] };
    expect(Object.keys(out)).toEqual(['findings']);
    const findings = out.findings.map((f) => TeamsFindingSchema.parse(f));
    expect(findings.find((f) => f.code === 'TEAMS_STORE_NO_MANAGER')).toMatchObject({ severity: 'warning', storeNumber: '001030' });
  }, 120_000);

  it('plan, apply, apply again, plan: the contract shapes; the second plan lists only none/skip', async () => {
    const plan = await cli(['teams', 'plan', '--sandbox-info', info, '--json']);
    expect(plan.code).toBe(0);
    const p = TeamsPlanSchema.parse(plan.last);
    expect(Object.keys(plan.last as object).sort()).toEqual(['communicationsTeam', 'findings', 'stores']);
    expect(p.stores.filter((s) => s.action === 'create')).toHaveLength(29);
    expect(p.stores.find((s) => s.storeNumber === '001001')!.owners.add[0]).toMatch(/@nordlys\.example$/);

    const apply = await cli(['teams', 'apply', '--sandbox-info', info, '--json']);
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    const a = TeamsApplyResultSchema.parse(apply.last);
    expect(Object.keys(apply.last as object).sort()).toEqual(['failed', 'membersAdded', 'membersRemoved', 'ownersAdded', 'teamsCreated']);
    expect(a).toMatchObject({ teamsCreated: 30, failed: [] });

    const again = await cli(['teams', 'apply', '--sandbox-info', info, '--json']);
    expect(again.last).toEqual({ teamsCreated: 0, ownersAdded: 0, membersAdded: 0, membersRemoved: 0, failed: [] });
    const plan2 = await cli(['teams', 'plan', '--prune', '--sandbox-info', info, '--json']);
    const p2 = TeamsPlanSchema.parse(plan2.last);
    expect(p2.stores.every((s) => s.action === 'none' || s.action === 'skip')).toBe(true);
    expect(p2.communicationsTeam.action).toBe('none');
  }, 300_000);

  it('bad usage exits 2', async () => {
    expect((await cli(['teams', 'plan', '--json'])).code).toBe(2);
    expect((await cli(['teams', 'plan', '--sandbox-info', info, '--profile', 'x', '--json'])).code).toBe(2);
    expect((await cli(['teams', 'check', '--sandbox-info', info, '--bogus'])).code).toBe(2);
    expect((await cli(['teams', 'frobnicate'])).code).toBe(2);
  }, 120_000);

  it('exit 1 when the connection fails (unreadable Commerce): the error on stderr', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...sb.info, clients: { ...sb.info.clients, commerce: sb.info.clients.graph } }));
    const r = await cli(['teams', 'check', '--sandbox-info', bad, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not registered|401/i);
  }, 120_000);
});
