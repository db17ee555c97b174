import { SANDBOX_TENANT_DOMAIN } from '../../sandbox/directory';
import type { SandboxOptions } from '../../sandbox';
import { startSandbox } from '../../sandbox';
import { resolve } from 'node:path';
import type { CliCommand } from '../io';
import { parseFlags, UsageError } from '../io';

const HELP = `Usage: d365ic sandbox [--port N] [--seed demo|bench] [--records N] [--latency-ms N] [--fault-rate F] [--fault-seed N] [--bc-version 14|15|16|24] [--data-dir DIR]

Starts the local sandbox on 127.0.0.1: an Entra-like identity service (port N), Dataverse Web API (N+1), the
Business Central API (N+2), Microsoft Graph over HTTPS (N+3) and Commerce headquarters OData (N+4). --port 0
(default) picks free ports. Prints ONE JSON line first (endpoints, the apps' client ids/secrets, the Graph CA file
and the demo users), then notes on stderr. Stops on Ctrl+C / SIGTERM.

  --seed demo|bench   demo data (default) or generated benchmark master data in Business Central
  --records N         number of records for --seed bench (implies it)
  --latency-ms N      added to every Dataverse and Business Central response
  --fault-rate F      0..1: share of API requests answered with a 5xx, a reset connection or a 429 burst
  --fault-seed N      seed of the fault sequence (same seed, same faults)
  --bc-version V      Business Central version to imitate (24 = API v2.0; 14-16 = older on-premises)
  --data-dir DIR      keep the Graph sandbox's CA in DIR/sandbox-tls/ across runs (default: a new temporary CA per run)
`;

function intFlag(flags: Record<string, string | true>, name: string, min: number, max: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}${v === true ? ' (the value is missing)' : `, not "${v}"`}.\n\n${HELP}`);
  return n;
}

/** Parse the flags of `d365ic sandbox` into orchestrator options. Throws UsageError with the help text. */
export function parseSandboxArgs(args: string[]): SandboxOptions & { help?: boolean } {
  const { flags, positionals } = parseFlags(args, ['help']);
  if (flags.help) return { help: true };
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n\n${HELP}`);
  const known = ['port', 'seed', 'records', 'latency-ms', 'fault-rate', 'fault-seed', 'bc-version', 'data-dir', 'help'];
  const unknown = Object.keys(flags).find((f) => !known.includes(f));
  if (unknown) throw new UsageError(`Unknown option --${unknown}.\n\n${HELP}`);
  const out: SandboxOptions = {};
  const port = intFlag(flags, 'port', 0, 65531);
  if (port !== undefined) out.port = port;
  if (flags.seed !== undefined) {
    if (flags.seed !== 'demo' && flags.seed !== 'bench') throw new UsageError(`--seed must be "demo" or "bench", not "${String(flags.seed)}".\n\n${HELP}`);
    out.seed = flags.seed;
  }
  const records = intFlag(flags, 'records', 1, 10_000_000);
  if (records !== undefined) {
    // --records alone means a benchmark run; with an explicit --seed demo it is a contradiction worth reporting.
    if (out.seed === 'demo') throw new UsageError(`--records only applies with --seed bench (the demo data set has a fixed size).\n\n${HELP}`);
    out.seed = 'bench';
    out.records = records;
  }
  const latency = intFlag(flags, 'latency-ms', 0, 60_000);
  if (latency !== undefined) out.latencyMs = latency;
  if (flags['fault-rate'] !== undefined) {
    const v = flags['fault-rate'];
    const f = typeof v === 'string' && /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(v) ? Number(v) : NaN;
    if (Number.isNaN(f)) throw new UsageError(`--fault-rate must be a number from 0 to 1 (e.g. 0.05), not "${String(v)}".\n\n${HELP}`);
    out.faultRate = f;
  }
  const seed = intFlag(flags, 'fault-seed', 0, 2 ** 32 - 1);
  if (seed !== undefined) out.faultSeed = seed;
  const bcVersion = intFlag(flags, 'bc-version', 14, 24);
  if (bcVersion !== undefined) {
    if (bcVersion !== 14 && bcVersion !== 15 && bcVersion !== 16 && bcVersion !== 24) throw new UsageError(`--bc-version must be 14, 15, 16 or 24, not ${bcVersion}.\n\n${HELP}`);
    out.bcVersion = bcVersion;
  }
  if (flags['data-dir'] !== undefined) {
    const dir = flags['data-dir'];
    if (typeof dir !== 'string' || !dir.trim()) throw new UsageError(`--data-dir needs a folder path.\n\n${HELP}`);
    out.dataDir = resolve(dir);
  }
  return out;
}

export const sandboxCommand: CliCommand = async (args, io) => {
  const opts = parseSandboxArgs(args);
  if (opts.help) {
    io.stdout(HELP);
    return 0;
  }
  const sandbox = await startSandbox(opts);
  const { info } = sandbox;
  // The contract: the FIRST stdout line is this JSON object and nothing else goes to stdout.
  io.stdout(JSON.stringify(info) + '\n');
  io.stderr(
    [
      '',
      '  Integration Console sandbox is running (loopback only; plain HTTP, Graph over HTTPS — see docs/sandbox.md).',
      `  Identity authority:  ${info.identity.authority}`,
      `  Token endpoint:      ${info.identity.tokenEndpoint}`,
      `  Dataverse Web API:   ${info.dataverse.apiBase}`,
      `  Business Central:    ${info.businessCentral.apiBase}  (company ${info.businessCentral.companyId})`,
      `  Microsoft Graph:     ${info.graph.url}  (trust the CA ${info.graph.caFile}, e.g. NODE_EXTRA_CA_CERTS)`,
      `  Commerce HQ:         ${info.commerce.url}/data/  (scope ${info.commerce.scope})`,
      `  Integration app:     client id ${info.clients.integration.clientId} (secret in the JSON line above)`,
      `  Graph app:           client id ${info.clients.graph.clientId}; Commerce app: client id ${info.clients.commerce.clientId}`,
      `  Demo users (tenant ${SANDBOX_TENANT_DOMAIN}): ${info.users.map((u) => u.username).join(', ')}`,
      opts.latencyMs || opts.faultRate ? `  Knobs: latency ${opts.latencyMs ?? 0} ms, fault rate ${opts.faultRate ?? 0}${opts.faultSeed !== undefined ? `, seed ${opts.faultSeed}` : ''}` : '',
      '  Press Ctrl+C to stop.',
      '',
    ]
      .filter((l, i, all) => l !== '' || i === 0 || i === all.length - 1)
      .join('\n') + '\n',
  );
  const signal = await io.untilSignal();
  io.stderr(`  ${signal}: stopping the sandbox...\n`);
  await sandbox.close();
  return 0;
};
