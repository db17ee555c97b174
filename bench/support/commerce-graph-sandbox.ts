/**
 * Child side of the Commerce ⇄ Teams benches (bench/lib/teams-sandbox-child.ts, bench/support/tasks-sandbox-child.ts):
 * the identity service, Microsoft Graph (HTTPS with a sandbox CA in a temporary folder, Graph's published throttles
 * on, seed 'empty') and Commerce headquarters seeded with the generated org (main/sandbox/commerce/seed.ts benchSeed)
 * of `stores` × `workers`, with `latencyMs` on both hosts. `info` is the `d365ic sandbox`-style info the engines need;
 * each child adds its `bench` part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMERCE_CLIENT, GRAPH_CLIENT } from '../../main/sandbox/directory';
import { startIdentity } from '../../main/sandbox/identity';
import { OPERATIONS_RESOURCE } from '../../main/sandbox/identity/scopes';
import { startHost } from '../../main/sandbox/kernel';
import { GRAPH_SCOPE, startGraph } from '../../main/sandbox/graph';
import type { CommerceService } from '../../main/sandbox/commerce';
import '../../main/sandbox/commerce';

export async function startCommerceGraph(o: { tlsPrefix: string; stores: number; workers: number; latencyMs: number; teamProvisioningMs: number }) {
  const tlsDir = mkdtempSync(join(tmpdir(), o.tlsPrefix));
  const identity = await startIdentity({ port: 0 });
  const knobs = { latencyMs: o.latencyMs };
  const graphHost = await startHost({ port: 0, https: { dataDir: tlsDir }, authenticate: identity.authenticate, knobs });
  const graph = await startGraph(graphHost, { seed: 'empty', teamProvisioningMs: o.teamProvisioningMs, throttling: true });
  const commerceHost = await startHost({ port: 0, authenticate: identity.authenticate, knobs });
  const commerce = (await commerceHost.start('commerce', { seed: 'bench', benchSize: { stores: o.stores, workersPerStore: o.workers } })) as CommerceService;
  identity.authorityState.registerResource(commerceHost.origin, OPERATIONS_RESOURCE);
  const info = {
    identity: { authority: identity.authority, tokenEndpoint: identity.tokenEndpoint },
    graph: { url: `${graphHost.origin}/v1.0`, betaUrl: `${graphHost.origin}/beta`, scope: GRAPH_SCOPE, caFile: graphHost.caFile! },
    commerce: { url: commerceHost.origin, scope: `${commerceHost.origin}/.default` },
    clients: {
      graph: { clientId: GRAPH_CLIENT.clientId, clientSecret: GRAPH_CLIENT.clientSecret! },
      commerce: { clientId: COMMERCE_CLIENT.clientId, clientSecret: COMMERCE_CLIENT.clientSecret! },
    },
  };
  let closing = false;
  /** Closes the hosts and the identity service, removes the TLS folder, exits the process. */
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
  return { identity, graphHost, graph, commerceHost, commerce, info, stop };
}
