/** Start bench/support/tasks-sandbox-child.ts as a child process and talk to it (one JSON line per command, answers in order). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TeamsSandboxInfo } from '../../main/integrations/commerce-teams/connect';
import { spawnLineChild, type LineChild } from './line-child';

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

export interface TasksSandboxChild extends LineChild<TasksBenchInfo> {
  snapshot(): Promise<TasksSnapshot>;
}

export async function startTasksSandbox(o: { stores: number; tasks: number; latencyMs: number; workers?: number }): Promise<TasksSandboxChild> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tasks-sandbox-child.ts');
  const args = ['--stores', String(o.stores), '--tasks', String(o.tasks), '--latency-ms', String(o.latencyMs), '--workers', String(o.workers ?? 2)];
  // BENCH_CPU_PROF_DIR=dir: a V8 CPU profile of the sandbox process too (where the time goes).
  const prof = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const c = await spawnLineChild<TasksBenchInfo>(script, args, 'The tasks bench sandbox', prof);
  return { ...c, snapshot: () => c.command<TasksSnapshot>({ snapshot: true }) };
}
