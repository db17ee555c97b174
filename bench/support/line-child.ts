/**
 * The benches' sandbox children and their parents speak one line protocol: the child prints its info as the first
 * JSON line on stdout, then answers each JSON command line on stdin with one JSON line, in order; `{"error"}` is a
 * failed command. Both ends live here (light imports only: the child side runs in every sandbox child).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export const TSX_ARGS = ['--import', 'tsx'];

/** A number argument ≥ 0 of this process (`--name N`), or `def` when absent. */
export function argNumber(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a number ≥ 0; got ${process.argv[i + 1] ?? 'nothing'}.`);
  return v;
}

// ---- parent side

export interface LineChild<I> {
  info: I;
  child: ChildProcess;
  /** One command, answered by one JSON line; throws the child's error. */
  command<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T>;
  /** SIGTERM, resolved when the child has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `script` under tsx with `args` and waits for its info line. `what` names it in errors; `nodeArgs` go before
 * the script (e.g. a CPU profile).
 */
export async function spawnLineChild<I>(script: string, args: readonly string[], what: string, nodeArgs: readonly string[] = []): Promise<LineChild<I>> {
  const child = spawn(process.execPath, [...nodeArgs, ...TSX_ARGS, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: string) => void)[] = [];
  let buf = '';
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  const info = await new Promise<I>((resolve, reject) => {
    waiting.push((line) => resolve(JSON.parse(line) as I));
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready.`)));
  });
  const command = <T,>(cmd: Record<string, unknown>) => new Promise<T>((resolve, reject) => {
    waiting.push((line) => {
      const a = JSON.parse(line) as T & { error?: string };
      if (a && typeof a === 'object' && a.error) reject(new Error(`${what} could not run ${JSON.stringify(cmd).slice(0, 200)}: ${a.error}`));
      else resolve(a);
    });
    child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  });
  return {
    info, child, command,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

// ---- child side

/**
 * Prints `info`, then answers every stdin command with `answer` (sync or async), one line each in the order the
 * commands came in; a throw answers `{"error"}`. `stop` runs on SIGTERM and when stdin closes.
 */
export function serveLineCommands(info: unknown, answer: (cmd: Record<string, unknown>) => unknown, stop: () => void): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.on('SIGTERM', stop);
  let chain: Promise<void> = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    chain = chain.then(async () => {
      let out: unknown;
      try {
        out = await answer(JSON.parse(line) as Record<string, unknown>);
      } catch (e) {
        out = { error: e instanceof Error ? e.message : String(e) };
      }
      process.stdout.write(`${JSON.stringify(out)}\n`);
    });
  });
  lines.on('close', stop);
}
