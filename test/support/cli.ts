import { spawn } from 'node:child_process';
import path from 'node:path';
import type { CliIo } from '../../main/cli/io';

/** An in-process CliIo that records stdout/stderr and serves a fixed stdin. */
export function fakeIo(stdin = '', env: Record<string, string | undefined> = {}): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    readStdin: async () => stdin,
    isTTY: false,
    env,
    untilSignal: () => Promise.resolve('SIGTERM'),
  };
  return io;
}

/**
 * `d365ic` as a user runs it: a child process over main/cli/bin.mjs with D365IC_DATA_DIR = `dataDir`. `last` is the
 * last stdout line parsed as JSON (the `--json` contract), or null.
 */
export function runCliProcess(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string; last: unknown }> {
  const root = path.resolve(__dirname, '../..');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'main/cli/bin.mjs'), ...args], { cwd: root, env: { ...process.env, D365IC_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.trim().split('\n');
      let last: unknown;
      try {
        last = JSON.parse(lines[lines.length - 1] ?? '');
      } catch {
        last = null;
      }
      resolve({ code: code ?? -1, stdout, stderr, last });
    });
  });
}
