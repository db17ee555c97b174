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
import { startSandbox } from '../../main/sandbox/index';
import { argNumber, serveLineCommands } from './line-child';

const sb = await startSandbox({
  port: 0, seed: 'bench', records: argNumber('--records', 1000), latencyMs: argNumber('--latency-ms', 0),
  ...(process.argv.includes('--fault-rate') ? { faultRate: argNumber('--fault-rate', 0), faultSeed: argNumber('--fault-seed', 1) } : {}),
});
serveLineCommands(sb.info, (cmd) => {
  const t = (cmd as { touch?: { table: string; field: string; every: number; max: number } }).touch;
  if (!t) throw new Error(`unknown command: ${JSON.stringify(cmd).slice(0, 80)}`);
  return { touched: sb.businessCentral.store.touchEvery(t.table, sb.businessCentral.companyId, t.field, t.every, t.max) };
}, () => void sb.close().finally(() => process.exit(0)));
