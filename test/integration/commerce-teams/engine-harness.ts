/**
 * The Teams engine against startSandbox over real HTTP(S) (Commerce HTTP, Graph HTTPS with its CA), on a test
 * clock: every wait of the engine and its clients advances the sandboxes' clock instead of sleeping.
 */
import * as sandbox from '../../../main/sandbox';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { TeamsEngine, type EngineDeps } from '../../../main/integrations/commerce-teams/engine';
import { TeamLinkStore } from '../../../main/integrations/commerce-teams/links';
import { openDatabase, type Db } from '../../../main/db/database';
import { testClock, type TestClock } from '../../support/clock';

export type Sandbox = Awaited<ReturnType<typeof sandbox.startSandbox>>;

export interface EngineHarness {
  sb: Sandbox;
  clock: TestClock;
  db: Db;
  /** Every wait asked for (ms). */
  sleeps: number[];
  engine(extra?: Partial<EngineDeps>): TeamsEngine;
  /** Groups in the Graph sandbox whose description marks them as a store's team. */
  groupsOfStore(storeNumber: string): string[];
  close(): Promise<void>;
}

export async function startEngineHarness(o: { teamProvisioningMs?: number; throttling?: boolean } = {}): Promise<EngineHarness> {
  const clock = testClock();
  const sb = await sandbox.startSandbox({ port: 0, clock });
  sb.graph.settings.teamProvisioningMs = o.teamProvisioningMs ?? 4000;
  sb.graph.settings.throttling = o.throttling ?? false;
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  const conn = connectSandboxInfo(sb.info, { sleep, clock, graph: { pollStartMs: 1000 } });
  const db = openDatabase(':memory:').db;
  const links = new TeamLinkStore(db, `${sb.info.commerce.url} ${sb.info.graph.url}`, clock);
  return {
    sb, clock, db, sleeps,
    engine: (extra = {}) => new TeamsEngine({ commerce: conn.commerce, graph: conn.graph, graphAuthorization: conn.graphAuthorization, links, sleep, clock, ...extra }),
    groupsOfStore: (storeNumber) => [...sb.graph.state.groups.values()].filter((g) => (g.description ?? '').includes(`[Commerce store ${storeNumber}]`)).map((g) => g.id),
    close: async () => {
      db.close();
      await sb.close();
    },
  };
}
