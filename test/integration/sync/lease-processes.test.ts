/**
 * Issue 12 with real processes on one data folder: the console (the app built by createApp in this process, with
 * its embedded sandbox) and `d365ic sync run --profile …` (a child process through bin.mjs) both asked to run
 * CUSTOMER. The per-table lease lives in the database: whoever runs first holds the table, the other refuses and
 * says who holds it (English for the CLI, a code + params the renderer translates for the console). No job is
 * closed as Interrupted while its owner lives; a CLI killed with SIGKILL leaves a lease the next process takes
 * over, closing the dead run's jobs as Interrupted. The sandbox's latency knob keeps each run going while the
 * other side asks; the test waits for events and lines, never for time.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncFinished, SyncProgress } from '../../../preload/contract';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { databaseFile, keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { openDatabase } from '../../../main/db/database';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { DEFAULT_DRAFT } from '../../../main/integrations/sales/setup/state';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import { INTERRUPTED_MESSAGE } from '../../../main/kernel/runs/lease';
import { quietLogger, tempDir } from '../../support/app';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DV = 'Demo sandbox · Dataverse';
const BC = 'Demo sandbox · Business Central';
const tmp = tempDir('d365ic-sync-lease-');
let sandbox: EmbeddedSandbox;
let app: ConsoleApp;
const finished = new Map<string, SyncFinished>();
const waitingFinished = new Map<string, (f: SyncFinished) => void>();
const progressWaiters: { test: (p: SyncProgress) => boolean; resolve: () => void }[] = [];

async function call<T>(method: string, payload: unknown = {}): Promise<T> {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code, params: r.error.params });
  return r.value as T;
}
const finishedOf = (runId: string) => finished.get(runId) ?? new Promise<SyncFinished>((r) => waitingFinished.set(runId, r));
const progressWhere = (test: (p: SyncProgress) => boolean) => new Promise<void>((resolve) => progressWaiters.push({ test, resolve }));
const latency = (ms: number) => {
  sandbox.setKnobs('dataverse', { latencyMs: ms });
  sandbox.setKnobs('businessCentral', { latencyMs: ms });
};
const jobs = () => app.db.prepare("SELECT id, owner, finished_at AS finishedAt, message FROM sync_jobs WHERE mapping = 'CUSTOMER' ORDER BY rowid").all() as
  { id: string; owner: string | null; finishedAt: number | null; message: string }[];

/** `d365ic sync run --mapping CUSTOMER --profile … --profile …` on the console's data folder, as a user types it. */
function cliRun(extra: string[] = []) {
  const child = spawn(process.execPath, [path.join(repo, 'main/cli/bin.mjs'), 'sync', 'run', '--mapping', 'CUSTOMER', '--profile', DV, '--profile', BC, '--data-dir', tmp.dir, '--json', ...extra], {
    cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const lineWaiters: { test: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  lines.on('line', (l) => {
    stdout += `${l}\n`;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(l) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const w of lineWaiters.splice(0)) {
      if (w.test(parsed)) w.resolve(parsed);
      else lineWaiters.push(w);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return {
    child, exited,
    out: () => stdout,
    err: () => stderr,
    line: (test: (l: Record<string, unknown>) => boolean) => new Promise<Record<string, unknown>>((resolve, reject) => {
      lineWaiters.push({ test, resolve });
      void exited.then(({ code }) => reject(new Error(`d365ic exited (${code}) before the expected line.\nstdout:\n${stdout}\nstderr:\n${stderr}`)));
    }),
  };
}

beforeAll(async () => {
  sandbox = await EmbeddedSandbox.start({ seed: 'bench', records: 60 });
  // The console on the temp data folder: it saves the demo profiles and records its sandbox for the CLI.
  app = createApp({ host: 'browser', schedulerIntervalMs: 0, dataDir: tmp.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  app.events.subscribe((name, payload) => {
    if (name === 'sync.progress')
      for (const w of progressWaiters.splice(0)) {
        if (w.test(payload as SyncProgress)) w.resolve();
        else progressWaiters.push(w);
      }
    if (name === 'sync.finished') {
      const f = payload as SyncFinished;
      finished.set(f.runId, f);
      waitingFinished.get(f.runId)?.(f);
    }
  });
  await call('setup.saveState', { draft: { ...DEFAULT_DRAFT, advanced: { ...DEFAULT_DRAFT.advanced, unitGroupMapping: false } } });
}, 60_000);
afterAll(async () => {
  app?.close();
  await sandbox?.close();
  tmp.cleanup();
});

describe('one data folder, two processes, one table', () => {
  it('the console runs CUSTOMER; the CLI asked meanwhile refuses and names the console; nothing is Interrupted', async () => {
    latency(2_000);
    // Listening first: the run's first event may come before the call's answer is handed back.
    const running = progressWhere((p) => p.mapping === 'CUSTOMER' && p.phase === 'running');
    const { runId } = await call<{ runId: string }>('sync.run', { mapping: 'CUSTOMER', full: true });
    await running;
    // BC table 18 (Customer) is the console's in the database now.
    expect(app.db.prepare('SELECT label, pid FROM sync_leases WHERE table_id = 18').get()).toEqual({ label: 'the Integration Console', pid: process.pid });

    const cli = cliRun();
    const { code } = await cli.exited;
    expect(code, cli.err()).toBe(1);
    expect(cli.err()).toMatch(new RegExp(`Customer is being synchronized by the Integration Console \\(process ${process.pid} on .+, mapping CUSTOMER\\).*Wait for it to finish`));

    latency(0);
    const f = await finishedOf(runId);
    expect(f.results[0]!.error).toBeNull();
    const all = jobs();
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((j) => j.message.startsWith('Interrupted'))).toEqual([]);
    expect(all.every((j) => j.finishedAt !== null)).toBe(true);
    expect(app.db.prepare('SELECT COUNT(*) AS n FROM sync_leases WHERE table_id = 18').get()).toEqual({ n: 0 });
  }, 120_000);

  it('the CLI runs CUSTOMER; the console refuses with code + params naming it; after SIGKILL the console takes over and closes its jobs as Interrupted', async () => {
    latency(1_000);
    const before = new Set(jobs().map((j) => j.id));
    const cli = cliRun(['--full']);
    // A progress line with a direction: the engine's passes have started, so the CLI's jobs are open.
    await cli.line((l) => l.event === 'progress' && l.mapping === 'CUSTOMER' && l.direction !== null);
    const open = jobs().filter((j) => !before.has(j.id) && j.finishedAt === null);
    expect(open.length).toBeGreaterThan(0);
    const owner = open[0]!.owner!;

    const refused = await call('sync.run', { mapping: 'CUSTOMER', full: false }).then(() => null, (x: unknown) => x as { code: string; params: Record<string, unknown> });
    expect(refused).toMatchObject({ code: 'SYNC_TABLE_LEASED', params: { table: 'Customer', mapping: 'CUSTOMER', holder: 'the d365ic CLI', pid: cli.child.pid } });
    // The console's UI shows it from the code and params (the renderer's catalogs hold SYNC_TABLE_LEASED).

    // Another process starting on this database (a new engine) leaves the live CLI's jobs open.
    const other = openDatabase(databaseFile(tmp.dir)).db;
    try {
      new SyncEngine(other, {} as never, { now: () => Date.now() });
    } finally {
      other.close();
    }
    expect(jobs().filter((j) => j.owner === owner).every((j) => j.finishedAt === null || !j.message.startsWith('Interrupted'))).toBe(true);
    expect(jobs().filter((j) => open.some((o) => o.id === j.id)).every((j) => j.finishedAt === null)).toBe(true);

    cli.child.kill('SIGKILL');
    expect((await cli.exited).signal).toBe('SIGKILL');
    latency(0);
    // The dead CLI's lease is still in the table, but its process is gone: the console takes the table over.
    expect(app.db.prepare('SELECT owner FROM sync_leases WHERE table_id = 18').get()).toEqual({ owner });
    const f = await finishedOf((await call<{ runId: string }>('sync.run', { mapping: 'CUSTOMER', full: false })).runId);
    expect(f.results[0]!.error).toBeNull();
    const dead = jobs().filter((j) => open.some((o) => o.id === j.id));
    expect(dead.length).toBe(open.length);
    for (const j of dead) expect(j).toMatchObject({ message: INTERRUPTED_MESSAGE });
    expect(dead.every((j) => j.finishedAt !== null)).toBe(true);
    expect(jobs().filter((j) => j.owner !== owner && j.message.startsWith('Interrupted'))).toEqual([]);
  }, 120_000);
});
