import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `npm start` (main/launcher/start.mjs) stops what it started: a signal to the launcher reaches its child (the UI
 * build here; electron-forge on a machine that runs the desktop shell) and the launcher ends only after the child.
 */
const root = path.resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
const tmp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Launched {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves when stderr has said `text` (awaited, not polled); rejects if the launcher exits first. */
  said: (text: string) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(staticDir: string): Launched {
  const child = spawn(process.execPath, [path.join(root, 'main/launcher/start.mjs'), '--no-open', '--static-dir', staticDir], {
    cwd: root,
    env: { ...process.env, D365IC_DATA_DIR: tmp('d365ic-sig-data-'), D365IC_NO_BROWSER: '1', D365IC_BROWSER_HOST: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const said = (text: string) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!err.includes(text)) return;
      child.stderr!.off('data', check);
      resolve();
    };
    child.stderr!.on('data', check);
    check();
    void exited.then(({ code }) => reject(new Error(`the launcher exited (${code}) before saying "${text}". stderr:\n${err}`)));
  });
  return { child, stderr: () => err, said, exited };
}

/** Direct children of a process (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (x) {
    return (x as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

describe('npm start and signals (Linux: children read from /proc)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the launcher while it builds the UI stops the build too`, async () => {
      // An empty UI folder is stale: the launcher builds it in a child (vite) before it starts the host.
      const l = launch(tmp('d365ic-sig-ui-'));
      await l.said('Building the console UI');
      // The build child, once it runs vite (between fork and exec it still shows the launcher's command line).
      const vite = () => childrenOf(l.child.pid!).find((pid) => cmdline(pid).includes('vite'));
      await expect.poll(vite, { timeout: 20_000 }).toBeDefined();
      const build = vite()!;
      l.child.kill(signal);
      const outcome = await l.exited;
      // The launcher reports the signal (128 + n) rather than success, and its child is gone with it.
      expect(outcome.code).toBe(128 + os.constants.signals[signal]);
      expect(alive(build)).toBe(false);
      expect(l.stderr()).not.toContain('Integration Console is running at');
    });
  }

  it('SIGTERM to a running browser host closes it: the launcher exits and the port is released', async () => {
    const ui = tmp('d365ic-sig-ui-');
    writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>ui</title>');
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(path.join(ui, 'index.html'), future, future); // newer than the sources: no build
    const l = launch(ui);
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: l.child.stdout! }).once('line', resolve);
      l.child.once('exit', (c) => reject(new Error(`launcher exited ${c}: ${l.stderr()}`)));
    });
    const { port } = JSON.parse(first) as { port: number };
    // A connection held open (like a browser tab) must not keep the host alive.
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    l.child.kill('SIGTERM');
    expect((await l.exited).code).toBe(0);
    await closed;
    const refused = await new Promise<string>((r) => {
      const probe = net.connect(port, '127.0.0.1');
      probe.once('connect', () => (probe.destroy(), r('connected')));
      probe.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  }, 60_000);
});
