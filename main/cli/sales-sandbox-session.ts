/**
 * `d365ic sync run --sandbox` / `d365ic jobs run --sandbox`: a SQLite database with the sync tables, connected sides
 * and an engine over an embedded sandbox started for the command (the demo company with the domain rules, or the
 * bench data set with --records). Runs with connection profiles (--profile) go
 * through the app's SyncService instead: see integrations/sales/sync/cli-support/profiles.ts. Here, in the CLI and not
 * in the integration, because it starts the sandbox (only the app's sandbox service, the CLI, bench and tests do).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { openDatabase } from '../db/database';
import type { Db } from '../db/database';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { adapterMappings, connectSandbox, runnableMappings, type ConnectedSides } from '../integrations/sales/sync/adapters/connect';
import type { TableMapping } from '../../preload/contract/sales/mapping-model';
import { domainEngineOptions, type RuleSettings } from '../integrations/sales/sync/rules';
import { SyncEngine, type SyncProgress } from '../integrations/sales/sync/engine/engine';

export interface SessionOptions {
  /** SQLite file; default: a temporary file removed at close (the sandbox is temporary too). */
  dbFile?: string;
  /**
   * 'demo' (default): the demo company (customers, vendors, contacts, options, prices, documents) with the domain
   * rules, so every default mapping runs; 'bench': `records` items + records/5 customers, ITEM-PRODUCT / CUSTOMER only.
   */
  seed?: 'demo' | 'bench';
  records?: number;
  latencyMs?: number;
  /** Called with the number of records written so far (both sides): the engine's counters, summed over its jobs. */
  onWrite?: (written: number) => void;
}

export interface Session {
  db: Db;
  engine: SyncEngine;
  seed: 'demo' | 'bench';
  /** The mappings this session can run: every runnable default mapping (demo, rules on) or ITEM-PRODUCT / CUSTOMER (bench). */
  mappings: TableMapping[];
  sides: ConnectedSides;
  sandbox: Sandbox;
  close(): Promise<void>;
}

/**
 * Records written so far from the engine's progress (inserted + modified + deleted per job, summed): the one path
 * progress is counted on, as the console's SyncService does.
 */
export function writtenCounter(onWrite: (written: number) => void): (p: SyncProgress) => void {
  const perJob = new Map<string, number>();
  let total = 0;
  return (p) => {
    const n = p.counters.inserted + p.counters.modified + p.counters.deleted;
    total += n - (perJob.get(p.jobId) ?? 0);
    perJob.set(p.jobId, n);
    onWrite(total);
  };
}

/** The rule settings of the demo company (Person ownership, LCY NOK, unit groups) as the setup guide proposes them. */
export const DEMO_RULE_SETTINGS: RuleSettings = { ownershipModel: 'person', lcyCode: 'NOK', unitGroupMapping: true, salesOrderMode: 'none' };

export async function sandboxSession(o: SessionOptions = {}): Promise<Session> {
  const seed = o.seed ?? (o.records !== undefined ? 'bench' : 'demo');
  const sandbox = await startSandbox({ port: 0, seed, ...(seed === 'bench' ? { records: o.records ?? 1000 } : {}), ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}) });
  const tmp = o.dbFile ? null : mkdtempSync(path.join(os.tmpdir(), 'd365ic-sync-'));
  try {
    const sides = await connectSandbox(sandbox.info);
    const { db } = openDatabase(o.dbFile ?? path.join(tmp!, 'sync.sqlite'));
    const clock = { now: () => Date.now() };
    const rules = seed === 'demo' ? domainEngineOptions({ db, clock, sides: sides.sides, settings: DEMO_RULE_SETTINGS }) : {};
    const engine = new SyncEngine(db, sides.sides, clock, {
      pageSize: 5000, batchSize: 1000, maxInFlight: 8, integrationUserId: sides.integrationUserId, ...rules,
      ...(o.onWrite ? { onProgress: writtenCounter(o.onWrite) } : {}),
    });
    return {
      db, engine, sides, sandbox, seed,
      mappings: seed === 'demo' ? runnableMappings({}) : adapterMappings(),
      close: async () => {
        engine.leases.close();
        db.close();
        await sandbox.close();
        if (tmp) rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (x) {
    await sandbox.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    throw x;
  }
}
