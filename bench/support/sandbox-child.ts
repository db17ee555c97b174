/**
 * The sandbox as its own process, so its CPU and memory are not the engine's and it survives when the sync process
 * is killed. Prints the SandboxInfo as one JSON line on stdout, then serves until stdin closes or SIGTERM.
 * Usage: tsx bench/support/sandbox-child.ts --records N [--latency-ms L] [--fault-rate R --fault-seed S]
 */
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
process.stdin.on('end', stop);
process.stdin.resume();
