/**
 * The Commerce ⇄ Teams benchmarks' sandbox, as its own process (its CPU and memory are not the engine's, and it
 * survives a SIGKILLed apply): the identity service, Microsoft Graph (HTTPS, sandbox CA, Graph's published
 * throttles on) and Commerce headquarters seeded with the generated org of `--stores` stores × `--workers`
 * workers (main/sandbox/commerce/seed.ts benchSeed: worker 0 of each store is its manager). The Graph directory
 * gets one licensed, enabled Entra user per Commerce worker, read back from the seeded Retail staff rows (object id
 * = ExternalSubIdentifier, UPN = ExternalIdentityAlias), so both services agree by construction.
 *
 *   tsx bench/lib/teams-sandbox-child.ts --stores N --workers W [--latency-ms L] [--provisioning-ms P]
 *
 * Prints one JSON line: the `d365ic sandbox`-style info the Teams engine needs (identity.tokenEndpoint, graph,
 * commerce, clients). Then one JSON command per stdin line, one JSON answer line each (see `answer` below).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { COMMERCE_CLIENT, GRAPH_CLIENT, SANDBOX_TENANT_DOMAIN } from '../../main/sandbox/directory';
import { startIdentity } from '../../main/sandbox/identity';
import { OPERATIONS_RESOURCE } from '../../main/sandbox/identity/scopes';
import { startHost } from '../../main/sandbox/kernel';
import { GRAPH_SCOPE, startGraph } from '../../main/sandbox/graph';
import { SKU_WITH_TEAMS } from '../../main/sandbox/graph/state';
import { fetchTrustingCa } from '../../main/clients/graph';
import type { CommerceService } from '../../main/sandbox/commerce';
import '../../main/sandbox/commerce';
import { verifyTeams, type TeamsVerification } from './teams-verify';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a number ≥ 0.`);
  return v;
};
const stores = arg('--stores', 200);
const workers = arg('--workers', 30);
const latencyMs = arg('--latency-ms', 40);
const provisioningMs = arg('--provisioning-ms', 5000);

const tlsDir = mkdtempSync(join(tmpdir(), 'd365ic-bench-teams-'));
const identity = await startIdentity({ port: 0 });
const knobs = { latencyMs };
const graphHost = await startHost({ port: 0, https: { dataDir: tlsDir }, authenticate: identity.authenticate, knobs });
const graph = await startGraph(graphHost, { seed: 'empty', teamProvisioningMs: provisioningMs, throttling: true });
const commerceHost = await startHost({ port: 0, authenticate: identity.authenticate, knobs });
const commerce = (await commerceHost.start('commerce', { seed: 'bench', benchSize: { stores, workersPerStore: workers } })) as CommerceService;
identity.authorityState.registerResource(commerceHost.origin, OPERATIONS_RESOURCE);

// One Entra user per Commerce worker (licensed for Teams, enabled), from the seeded rows themselves.
const people = commerce.store.db
  .prepare('SELECT s.ExternalSubIdentifier AS id, s.ExternalIdentityAlias AS upn, w.Name AS name FROM RetailStaff s JOIN Workers w ON w.PersonnelNumber = s.PersonnelNumber WHERE s.ExternalSubIdentifier IS NOT NULL')
  .all() as { id: string; upn: string; name: string }[];
const now = Date.now();
for (const p of people) {
  const [given, ...rest] = p.name.split(' ');
  graph.state.users.set(p.id, {
    id: p.id, displayName: p.name, userPrincipalName: p.upn, mail: p.upn, givenName: given ?? null, surname: rest.join(' ') || null, jobTitle: 'Sales associate',
    accountEnabled: true, assignedLicenses: [{ skuId: SKU_WITH_TEAMS, disabledPlans: [] }], createdAt: now - 30 * 86_400_000,
  });
}

const info = {
  identity: { authority: identity.authority, tokenEndpoint: identity.tokenEndpoint },
  graph: { url: `${graphHost.origin}/v1.0`, betaUrl: `${graphHost.origin}/beta`, scope: GRAPH_SCOPE, caFile: graphHost.caFile! },
  commerce: { url: commerceHost.origin, scope: `${commerceHost.origin}/.default` },
  clients: {
    graph: { clientId: GRAPH_CLIENT.clientId, clientSecret: GRAPH_CLIENT.clientSecret! },
    commerce: { clientId: COMMERCE_CLIENT.clientId, clientSecret: COMMERCE_CLIENT.clientSecret! },
  },
  bench: { stores, workers, users: people.length, domain: SANDBOX_TENANT_DOMAIN, graphAdmin: `${graphHost.origin}/_sandbox/graph` },
};
process.stdout.write(`${JSON.stringify(info)}\n`);

const trusting = fetchTrustingCa(graphHost.caPem!);
let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void Promise.allSettled([commerceHost.close(), graphHost.close()])
    .then(() => identity.close())
    .finally(() => {
      rmSync(tlsDir, { recursive: true, force: true });
      process.exit(0);
    });
};
process.on('SIGTERM', stop);

/**
 * Commands:
 *   {"faults": {"lying-404": {}, …}}          replace Graph's active fault profiles ({} = none) → {"faults": {...}}
 *   {"graph": {"teamProvisioningMs": n, "throttling": b}}   Graph settings → {"settings": {...}}
 *   {"resetThrottling": true}                 empty Graph's throttle buckets → {"ok": true}
 *   {"stats": true}                           → {"throttled", "groups", "teams"}
 *   {"verify": true}                          Graph's state against the Commerce org → TeamsVerification
 */
function answer(cmd: Record<string, unknown>): unknown {
  if (cmd.faults !== undefined) {
    graphHost.faults.set(cmd.faults as Record<string, Record<string, number | string>>);
    return { faults: graphHost.faults.list() };
  }
  if (cmd.graph !== undefined) {
    const g = cmd.graph as { teamProvisioningMs?: number; throttling?: boolean };
    if (g.teamProvisioningMs !== undefined) graph.settings.teamProvisioningMs = g.teamProvisioningMs;
    if (g.throttling !== undefined) graph.settings.throttling = g.throttling;
    return { settings: graph.settings };
  }
  if (cmd.stats) return { throttled: graph.stats.throttled, groups: graph.state.groups.size, teams: [...graph.state.groups.values()].filter((g) => g.team).length };
  if (cmd.verify) return verifyTeams(commerce.store.db, graph.state) satisfies TeamsVerification;
  throw new Error(`unknown command: ${JSON.stringify(cmd).slice(0, 80)}`);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let out: unknown;
  try {
    const cmd = JSON.parse(line) as Record<string, unknown>;
    out = cmd.resetThrottling ? null : answer(cmd);
    if (cmd.resetThrottling) {
      // The admin route is the one way in (the buckets are private to the service).
      void trusting(`${graphHost.origin}/_sandbox/graph/reset-throttling`, { method: 'POST', headers: {}, signal: AbortSignal.timeout(10_000) }).then(
        (r) => process.stdout.write(`${JSON.stringify(r.ok ? { ok: true } : { error: `reset-throttling answered ${r.status}` })}\n`),
        (e: Error) => process.stdout.write(`${JSON.stringify({ error: e.message })}\n`),
      );
      return;
    }
  } catch (e) {
    out = { error: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
});
lines.on('close', stop);
