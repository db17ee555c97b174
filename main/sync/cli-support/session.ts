/**
 * `d365ic sync run --sandbox` / `d365ic jobs run --sandbox`: a SQLite database with the sync tables, connected sides
 * and an engine over an embedded sandbox started for the command. Runs with connection profiles (--profile) go
 * through the app's SyncService instead: see profiles.ts.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { openDatabase } from '../../db/database';
import type { Db } from '../../db/database';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { connectSandbox, type ConnectedSides } from '../adapters/connect';
import { SyncEngine } from '../engine/engine';
import type { SyncSides, WriteOp, WriteResult } from '../ports';

export interface SessionOptions {
  /** SQLite file; default: a temporary file removed at close (the sandbox is temporary too). */
  dbFile?: string;
  records?: number;
  latencyMs?: number;
  /** Called with the number of records written so far (both sides). */
  onWrite?: (written: number) => void;
}

export interface Session {
  db: Db;
  engine: SyncEngine;
  sides: ConnectedSides;
  sandbox: Sandbox;
  close(): Promise<void>;
}

/** Counts written records for progress output without touching the engine. */
function counting(sides: SyncSides, onWrite: (n: number) => void): SyncSides {
  let written = 0;
  const wrap = <S extends SyncSides['bc']>(s: S): S => new Proxy(s, {
    get(target, prop, recv) {
      if (prop !== 'write') return Reflect.get(target, prop, recv) as unknown;
      return async (entity: string, ops: readonly WriteOp[]): Promise<WriteResult[]> => {
        const res = await target.write(entity, ops);
        written += res.filter((r) => r.ok).length;
        onWrite(written);
        return res;
      };
    },
  });
  return { bc: wrap(sides.bc), dataverse: wrap(sides.dataverse) };
}

export async function sandboxSession(o: SessionOptions = {}): Promise<Session> {
  const sandbox = await startSandbox({ port: 0, seed: 'bench', records: o.records ?? 1000, ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}) });
  const tmp = o.dbFile ? null : mkdtempSync(path.join(os.tmpdir(), 'd365ic-sync-'));
  try {
    const sides = await connectSandbox(sandbox.info);
    const { db } = openDatabase(o.dbFile ?? path.join(tmp!, 'sync.sqlite'));
    const engine = new SyncEngine(db, o.onWrite ? counting(sides.sides, o.onWrite) : sides.sides, { now: () => Date.now() }, {
      pageSize: 5000, batchSize: 1000, maxInFlight: 8, integrationUserId: sides.integrationUserId,
    });
    return {
      db, engine, sides, sandbox,
      close: async () => {
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
