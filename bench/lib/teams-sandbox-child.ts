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
import { SANDBOX_TENANT_DOMAIN } from '../../main/sandbox/directory';
import { SKU_WITH_TEAMS } from '../../main/sandbox/graph/state';
import { fetchTrustingCa } from '../../main/clients/graph';
import { startCommerceGraph } from '../support/commerce-graph-sandbox';
import { argNumber, serveLineCommands } from '../support/line-child';
import { verifyTeams, type TeamsVerification } from './teams-verify';

const stores = argNumber('--stores', 200);
const workers = argNumber('--workers', 30);
const latencyMs = argNumber('--latency-ms', 40);
const provisioningMs = argNumber('--provisioning-ms', 5000);

const { graphHost, graph, commerce, info: base, stop } = await startCommerceGraph({ tlsPrefix: 'd365ic-bench-teams-', stores, workers, latencyMs, teamProvisioningMs: provisioningMs });

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

const info = { ...base, bench: { stores, workers, users: people.length, domain: SANDBOX_TENANT_DOMAIN, graphAdmin: `${graphHost.origin}/_sandbox/graph` } };
const trusting = fetchTrustingCa(graphHost.caPem!);

/**
 * Commands:
 *   {"faults": {"lying-404": {}, …}}          replace Graph's active fault profiles ({} = none) → {"faults": {...}}
 *   {"graph": {"teamProvisioningMs": n, "throttling": b}}   Graph settings → {"settings": {...}}
 *   {"resetThrottling": true}                 empty Graph's throttle buckets → {"ok": true}
 *   {"stats": true}                           → {"throttled", "groups", "teams"}
 *   {"verify": true}                          Graph's state against the Commerce org → TeamsVerification
 */
async function answer(cmd: Record<string, unknown>): Promise<unknown> {
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
  if (cmd.resetThrottling) {
    // The admin route is the one way in (the buckets are private to the service).
    const r = await trusting(`${graphHost.origin}/_sandbox/graph/reset-throttling`, { method: 'POST', headers: {}, signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`reset-throttling answered ${r.status}`);
    return { ok: true };
  }
  if (cmd.stats) return { throttled: graph.stats.throttled, groups: graph.state.groups.size, teams: [...graph.state.groups.values()].filter((g) => g.team).length };
  if (cmd.verify) return verifyTeams(commerce.store.db, graph.state) satisfies TeamsVerification;
  throw new Error(`unknown command: ${JSON.stringify(cmd).slice(0, 80)}`);
}

serveLineCommands(info, answer, stop);
