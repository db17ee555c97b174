/**
 * The sandbox as its own process, so its CPU and memory are not the engine's and it survives when the sync process
 * is killed. Prints the SandboxInfo as one JSON line on stdout, then serves until stdin closes or SIGTERM.
 * Usage: tsx bench/support/sandbox-child.ts --records N [--latency-ms L] [--fault-rate R --fault-seed S]
 *
 * Preparation commands (one JSON line each on stdin, one JSON answer line on stdout; SandboxChild.command):
 *   {"touch":{"table":"items","field":"displayName","every":100,"max":N}} → {"touched":n}
 * change BC rows directly in the store (BcStore.touchEvery), as a benchmark's "1 % changed" step: through the API
 * that was ~12,000 PATCHes at a million rows, which BC's 6,000 requests / 5 min limit stretched to minutes.
 */
import { createInterface } from 'node:readline';
import { startSandbox } from '../../main/sandbox/index';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};

const sb = await startSandbox({
  port: 0, seed: 'bench', records: arg('--records', 1000), latencyMs: arg('--latency-ms', 0),
  ...(process.argv.includes('--fault-rate') ? { faultRate: arg('--fault-rate', 0), faultSeed: arg('--fault-seed', 1) } : {}),
});
process.stdout.write(`${JSON.stringify(sb.info)}\n`);
const stop = () => void sb.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let answer: unknown;
  try {
    const cmd = JSON.parse(line) as { touch?: { table: string; field: string; every: number; max: number } };
    if (!cmd.touch) throw new Error(`unknown command: ${line.slice(0, 80)}`);
    const t = cmd.touch;
    answer = { touched: sb.businessCentral.store.touchEvery(t.table, sb.businessCentral.companyId, t.field, t.every, t.max) };
  } catch (e) {
    answer = { error: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
});
lines.on('close', stop);
