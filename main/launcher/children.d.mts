import type { ChildProcess, SpawnOptions } from 'node:child_process';

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  received: NodeJS.Signals | null;
}
export function spawnForwarding(command: string, args: string[], options: SpawnOptions): { child: ChildProcess; done: Promise<ChildOutcome> };
export function exitStatus(outcome: ChildOutcome): number;
