/** Start bench/support/tasks-sandbox-child.ts as a child process and talk to it (one JSON line per command, answers in order). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TeamsSandboxInfo } from '../../main/integrations/commerce-teams/connect';
import { TSX_ARGS } from './harness';

export type TasksBenchInfo = TeamsSandboxInfo & { bench: { stores: number; tasks: number; list: string; storeNumbers: string[] } };

/** [id, planId, title, percentComplete, due YYYY-MM-DD | null, createdAt (sandbox clock, ms)] */
export type SnapTask = [string, string, string, number, string | null, number];
/** [ProcessId, TaskId, StoreNumber, Status, DueDate, PlannerTaskId, TaskName] */
export type SnapRow = [string, string, string, string, string | null, string | null, string | null];
export interface TasksSnapshot {
  tasks: SnapTask[];
  rows: SnapRow[];
  /** plan id → store number */
  plans: Record<string, string>;
}

export interface TasksSandboxChild {
  info: TasksBenchInfo;
  child: ChildProcess;
  command<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T>;
  snapshot(): Promise<TasksSnapshot>;
  stop(): Promise<void>;
}

export async function startTasksSandbox(o: { stores: number; tasks: number; latencyMs: number; workers?: number }): Promise<TasksSandboxChild> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tasks-sandbox-child.ts');
  const args = ['--stores', String(o.stores), '--tasks', String(o.tasks), '--latency-ms', String(o.latencyMs), '--workers', String(o.workers ?? 2)];
  // BENCH_CPU_PROF_DIR=dir: a V8 CPU profile of the sandbox process too (where the time goes).
  const prof = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...prof, ...TSX_ARGS, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
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
  const info = await new Promise<TasksBenchInfo>((resolve, reject) => {
    waiting.push((line) => resolve(JSON.parse(line) as TasksBenchInfo));
    child.once('exit', (code) => reject(new Error(`The tasks bench sandbox exited (${code}) before it was ready.`)));
  });
  const command = <T,>(cmd: Record<string, unknown>) => new Promise<T>((resolve, reject) => {
    waiting.push((line) => {
      const a = JSON.parse(line) as T & { error?: string };
      if (a && typeof a === 'object' && a.error) reject(new Error(`The sandbox could not run ${JSON.stringify(cmd).slice(0, 200)}: ${a.error}`));
      else resolve(a);
    });
    child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  });
  return {
    info, child, command,
    snapshot: () => command<TasksSnapshot>({ snapshot: true }),
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
