/**
 * `d365ic teams apply` SIGKILLed while Graph creates a store's group (after the link row was persisted, before the
 * CLI learnt the group id), then run again: the resumed run adopts that group — one team per store, no duplicate —
 * and the next plan lists only none/skip. The kill is triggered by the sandbox storing the group (no polling, no sleeps).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sandbox from '../../../main/sandbox';
import { openDatabase } from '../../../main/db/database';

const ROOT = path.resolve(__dirname, '../../..');
let sb: Awaited<ReturnType<typeof sandbox.startSandbox>>;
let dir: string;
let info: string;
let dbFile: string;

function run(args: string[], onSpawn?: (c: ChildProcess) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; last: unknown }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'main/cli/bin.mjs'), ...args], { cwd: ROOT, env: { ...process.env, D365IC_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let last: unknown;
      try {
        last = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      } catch {
        last = null;
      }
      resolve({ code, signal, last });
    });
  });
}

beforeAll(async () => {
  sb = await sandbox.startSandbox({ port: 0 });
  sb.graph.settings.teamProvisioningMs = 0;
  sb.graph.settings.throttling = false;
  dir = mkdtempSync(path.join(tmpdir(), 'd365ic-teams-kill-'));
  info = path.join(dir, 'sandbox.json');
  dbFile = path.join(dir, 'links.sqlite');
  writeFileSync(info, `${JSON.stringify(sb.info)}\n`);
});
afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const storeGroups = (n: string) => [...sb.graph.state.groups.values()].filter((g) => (g.description ?? '').includes(`[Commerce store ${n}]`));

describe('teams apply killed and resumed', () => {
  it('SIGKILL while a group is being created; the next apply adopts it, no store gets two teams', async () => {
    const groups = sb.graph.state.groups;
    const set = groups.set.bind(groups);
    let child: ChildProcess | null = null;
    let killedAt: string | null = null;
    let created = 0;
    groups.set = (id, g) => {
      const r = set(id, g);
      if (++created === 5 && child) {
        killedAt = /\[Commerce store (\d+)\]/.exec(g.description ?? '')?.[1] ?? null;
        child.kill('SIGKILL');
      }
      return r;
    };
    const first = await run(['teams', 'apply', '--sandbox-info', info, '--db', dbFile, '--json'], (c) => (child = c));
    groups.set = set;
    expect(first.signal).toBe('SIGKILL');
    expect(killedAt).not.toBeNull();
    const { db } = openDatabase(dbFile);
    const link = db.prepare<[string], { state: string; group_id: string | null }>('SELECT state, group_id FROM commerce_teams_links WHERE source_id = ?').get(killedAt!);
    db.close();
    // The link was written before the group; the kill came before its id was recorded.
    expect(link).toMatchObject({ state: 'pending', group_id: null });
    expect(storeGroups(killedAt!)).toHaveLength(1);

    const resumed = await run(['teams', 'apply', '--sandbox-info', info, '--db', dbFile, '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.last).toMatchObject({ failed: [] });
    for (let i = 1; i <= 29; i++) expect(storeGroups(`0010${String(i).padStart(2, '0')}`), `store ${i}`).toHaveLength(1);
    const plan = await run(['teams', 'plan', '--sandbox-info', info, '--db', dbFile, '--json']);
    const p = plan.last as { stores: { action: string }[]; communicationsTeam: { action: string } };
    expect(p.stores.every((s) => s.action === 'none' || s.action === 'skip')).toBe(true);
    expect(p.communicationsTeam.action).toBe('none');
  }, 300_000);
});
