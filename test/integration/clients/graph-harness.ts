/**
 * The Graph client against the Graph sandbox over real HTTPS (kernel host, its own CA trusted through
 * fetchTrustingCa). The host runs on a manual clock and the client's sleeps advance that clock instead of waiting,
 * so polling, replication lag and Retry-After windows run in no wall time.
 */
import { HttpClient } from '../../../main/http/client';
import type { FetchLike } from '../../../main/http/client';
import { GraphClient, fetchTrustingCa } from '../../../main/clients/graph';
import { fixedClock, startGraphHarness } from '../sandbox-graph/harness';
import type { GraphHarness } from '../sandbox-graph/harness';
import type { GraphOptions } from '../../../main/sandbox/graph';

export interface GraphClientHarness {
  h: GraphHarness;
  g: GraphClient;
  /** Every request the client sent (method + path after /v1.0). */
  calls: { method: string; path: string }[];
  /** Every wait the client asked for (ms), in order. */
  sleeps: number[];
  close(): Promise<void>;
}

export async function startGraphClient(graph: GraphOptions = { throttling: false, teamProvisioningMs: 4000 }, client: Partial<ConstructorParameters<typeof GraphClient>[0]> = {}): Promise<GraphClientHarness> {
  const h = await startGraphHarness({ clock: fixedClock(), graph });
  const calls: { method: string; path: string }[] = [];
  const sleeps: number[] = [];
  const base = fetchTrustingCa(h.host.caPem!);
  const fetch: FetchLike = (url, init) => {
    calls.push({ method: init.method, path: decodeURIComponent(url.slice(h.v1.length)) });
    return base(url, init);
  };
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    h.host.clock.advance(ms);
  };
  const http = new HttpClient({ baseUrl: h.v1, auth: { authorization: async () => `Bearer ${h.token}` }, fetch, sleep, timeoutMs: 30_000, random: () => 0.5 });
  const g = new GraphClient({ http, sleep, clock: { now: () => h.host.clock.now() }, ...client });
  return { h, g, calls, sleeps, close: () => h.close() };
}
