/**
 * Migration 12: Sales' sync_couplings (keyed by BC table number, bc_id / dv_id) moves into the kernel's generic
 * kernel_couplings (integration, mapping, sides a / b). Tested on a data folder written by the schema before it:
 * every row arrives with its id and meaning, the indexes (unique and the partial ones of migrations 7 and 8) are in
 * place and used, the Sales binding reads the moved rows as before, and a failed migration changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../main/db/database';
import { MIGRATIONS } from '../../../main/db/migrations';
import { CouplingStore, newDataverseId } from '../../../main/integrations/sales/sync/coupling/store';
import { tempDir } from '../../support/app';

const tmp = tempDir('d365ic-kernel-couplings-');
afterAll(() => tmp.cleanup());

const BEFORE = MIGRATIONS.filter((m) => m.id < 12);

interface OldRow {
  id: number; table_id: number; dv_entity: string; bc_id: string | null; dv_id: string; pending: number; idempotency_key: string | null;
  bc_modified_on: number; dv_modified_on: number; result_from: string; result_to: string; job_from: string | null; job_to: string | null;
  error_from: string | null; error_to: string | null; skipped: number; updated_at: number;
}

/** Couplings in every state the old Sales store wrote, over three BC tables; deterministic. */
function oldRows(n: number): Omit<OldRow, 'id'>[] {
  const tables = [[18, 'account'], [27, 'product'], [5050, 'contact']] as const;
  const results = ['', 'Success', 'Failure'];
  return Array.from({ length: n }, (_, i) => {
    const [table_id, dv_entity] = tables[i % 3]!;
    const kind = i % 7; // 0: pending BC → DV insert, 1: pending DV → BC insert, else coupled
    const bc = kind === 1 ? null : `bc-${i}`;
    return {
      table_id, dv_entity, bc_id: bc, dv_id: newDataverseId(), pending: kind <= 1 ? 1 : 0,
      idempotency_key: kind === 1 ? `${table_id}:dv-${i}:${i}` : null,
      bc_modified_on: i * 10, dv_modified_on: i * 10 + 1, result_from: results[i % 3]!, result_to: results[(i >> 1) % 3]!,
      job_from: i % 3 ? `job-f-${i % 5}` : null, job_to: i % 2 ? `job-t-${i % 4}` : null,
      error_from: results[i % 3] === 'Failure' ? `error from ${i % 4}` : null, error_to: results[(i >> 1) % 3] === 'Failure' ? `error to ${i % 6}` : null,
      skipped: i % 11 === 0 ? 1 : 0, updated_at: 1_700_000_000_000 + i,
    };
  });
}

function seedOld(file: string, rows: Omit<OldRow, 'id'>[]): OldRow[] {
  const { db, schemaVersion } = openDatabase(file, BEFORE);
  expect(schemaVersion).toBe(11);
  const ins = db.prepare(`INSERT INTO sync_couplings (table_id, dv_entity, bc_id, dv_id, pending, idempotency_key, bc_modified_on, dv_modified_on,
    result_from, result_to, job_from, job_to, error_from, error_to, skipped, updated_at)
    VALUES (@table_id, @dv_entity, @bc_id, @dv_id, @pending, @idempotency_key, @bc_modified_on, @dv_modified_on,
    @result_from, @result_to, @job_from, @job_to, @error_from, @error_to, @skipped, @updated_at)`);
  db.transaction(() => rows.forEach((r) => ins.run(r)))();
  // Gaps in the ids (deleted couplings) must survive too.
  db.prepare('DELETE FROM sync_couplings WHERE id % 13 = 0').run();
  const out = db.prepare('SELECT * FROM sync_couplings ORDER BY id').all() as OldRow[];
  db.close();
  return out;
}

const indexes = (db: Db) =>
  Object.fromEntries((db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'kernel_couplings' AND sql IS NOT NULL").all() as { name: string; sql: string }[])
    .map((r) => [r.name, r.sql.replace(/\s+/g, ' ')]));

const plan = (db: Db, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');

describe('migration 12: sync_couplings → kernel_couplings', () => {
  it('moves every coupling with its id and meaning, drops the old table, and keeps the indexes', () => {
    const file = `${tmp.dir}/moved.sqlite`;
    const old = seedOld(file, oldRows(4_000));
    expect(old.length).toBeGreaterThan(3_500);

    const opened = openDatabase(file);
    const { db } = opened;
    expect(opened.applied).toContain(12);
    expect(opened.backupPath).toMatch(/backup-v11$/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'sync_couplings'").get()).toBeUndefined();

    // Nothing lost, nothing changed: each old row maps onto exactly one new row with the same id.
    const moved = db.prepare("SELECT * FROM kernel_couplings ORDER BY id").all() as Record<string, unknown>[];
    expect(moved).toHaveLength(old.length);
    moved.forEach((n, i) => {
      const o = old[i]!;
      expect(n).toEqual({
        id: o.id, integration: 'sales', mapping: String(o.table_id), a_entity: '', b_entity: o.dv_entity, a_id: o.bc_id, b_id: o.dv_id,
        pending_to: o.pending === 0 ? null : o.bc_id === null ? 'a' : 'b', idempotency_key: o.idempotency_key,
        a_modified_on: o.bc_modified_on, b_modified_on: o.dv_modified_on, a_etag: null, b_etag: null,
        result_to_a: o.result_from, result_to_b: o.result_to, job_to_a: o.job_from, job_to_b: o.job_to, error_to_a: o.error_from, error_to_b: o.error_to,
        skipped: o.skipped, updated_at: o.updated_at,
      });
    });

    // The unique indexes and the partial ones of migrations 7 and 8, translated.
    expect(indexes(db)).toEqual({
      kernel_couplings_a: 'CREATE UNIQUE INDEX kernel_couplings_a ON kernel_couplings (integration, mapping, a_id)',
      kernel_couplings_b: 'CREATE UNIQUE INDEX kernel_couplings_b ON kernel_couplings (integration, mapping, b_id)',
      kernel_couplings_idem: 'CREATE UNIQUE INDEX kernel_couplings_idem ON kernel_couplings (integration, idempotency_key) WHERE idempotency_key IS NOT NULL',
      kernel_couplings_failed_to_a: "CREATE INDEX kernel_couplings_failed_to_a ON kernel_couplings (integration, mapping) WHERE result_to_a = 'Failure' AND skipped = 0",
      kernel_couplings_failed_to_b: "CREATE INDEX kernel_couplings_failed_to_b ON kernel_couplings (integration, mapping) WHERE result_to_b = 'Failure' AND skipped = 0",
      kernel_couplings_skipped: 'CREATE INDEX kernel_couplings_skipped ON kernel_couplings (integration, mapping) WHERE skipped = 1',
      kernel_couplings_pending: 'CREATE INDEX kernel_couplings_pending ON kernel_couplings (integration, mapping, pending_to) WHERE pending_to IS NOT NULL',
    });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

    // The Sales binding reads the moved rows as the old store did.
    const s = new CouplingStore(db);
    for (const table of [18, 27, 5050]) {
      const mine = old.filter((o) => o.table_id === table);
      expect(s.count(table)).toBe(mine.length);
      expect(s.countSkipped(table)).toBe(mine.filter((o) => o.skipped).length);
      expect(s.countCoupled({ bcTableId: table, name: 'X', isOptionMapping: false })).toBe(mine.filter((o) => !o.pending).length);
      expect(s.failedPage('to', table, 0, 10_000).map((c) => c.rowId)).toEqual(mine.filter((o) => o.result_to === 'Failure' && !o.skipped).map((o) => o.id));
      expect(s.failedPage('from', table, 0, 10_000).map((c) => c.rowId)).toEqual(mine.filter((o) => o.result_from === 'Failure' && !o.skipped).map((o) => o.id));
      expect(s.skippedPage(table, 0, 10_000).map((c) => c.rowId)).toEqual(mine.filter((o) => o.skipped).map((o) => o.id));
      expect(s.pendingSources('to', table, 0, 10_000)).toEqual(mine.filter((o) => o.pending && o.bc_id !== null).map((o) => ({ id: o.bc_id, rowId: o.id })));
      expect(s.pendingSources('from', table, 0, 10_000)).toEqual(mine.filter((o) => o.pending && o.bc_id === null).map((o) => ({ id: o.dv_id, rowId: o.id })));
      expect([...s.coupledPages(table, 100)].flat().map((c) => c.rowId).sort((a, b) => a - b)).toEqual(mine.filter((o) => !o.pending).map((o) => o.id));
    }
    const sample = old.find((o) => o.bc_id !== null && !o.pending && o.result_from === 'Failure')!;
    expect(s.byBc(sample.table_id, sample.bc_id!)).toEqual({
      rowId: sample.id, tableId: sample.table_id, dvEntity: sample.dv_entity, bcId: sample.bc_id, dvId: sample.dv_id, pending: false, idempotencyKey: null,
      bcModifiedOn: sample.bc_modified_on, dvModifiedOn: sample.dv_modified_on, resultFrom: 'Failure', resultTo: sample.result_to, jobFrom: sample.job_from,
      jobTo: sample.job_to, errorFrom: sample.error_from, errorTo: sample.error_to, skipped: sample.skipped === 1,
    });
    expect(s.byDv(sample.table_id, sample.dv_id.toUpperCase())?.rowId).toBe(sample.id);
    // Per BC table, as before: the same BC id is taken in its table, free in another.
    expect(() => s.insert({ tableId: sample.table_id, dvEntity: sample.dv_entity, bcId: sample.bc_id, dvId: newDataverseId() })).toThrow(/UNIQUE/);
    expect(s.insert({ tableId: 9999, dvEntity: 'x', bcId: sample.bc_id, dvId: newDataverseId() }).rowId).toBeGreaterThan(old[old.length - 1]!.id);
    const pendingFrom = old.find((o) => o.idempotency_key !== null)!;
    expect(s.kernel.byIdempotencyKey(pendingFrom.idempotency_key!)?.rowId).toBe(pendingFrom.id);
    expect(() => s.insert({ tableId: 18, dvEntity: 'account', bcId: null, dvId: newDataverseId(), idempotencyKey: pendingFrom.idempotency_key })).toThrow(/UNIQUE/);

    // The engine's lookups on the moved data are index searches, as they were on sync_couplings.
    const K = "integration = 'sales' AND mapping = '27'";
    expect(plan(db, `SELECT * FROM kernel_couplings WHERE ${K} AND a_id IN (SELECT value FROM json_each(?))`, '["bc-1"]')).toMatch(/SEARCH kernel_couplings USING INDEX kernel_couplings_a \(integration=\? AND mapping=\? AND a_id=\?\)/);
    expect(plan(db, `SELECT * FROM kernel_couplings WHERE ${K} AND b_id IN (SELECT value FROM json_each(?))`, '["x"]')).toMatch(/SEARCH kernel_couplings USING INDEX kernel_couplings_b \(integration=\? AND mapping=\? AND b_id=\?\)/);
    expect(plan(db, `SELECT * FROM kernel_couplings WHERE ${K} AND pending_to = 'a' AND id > 0 ORDER BY id LIMIT 500`)).toBe('SEARCH kernel_couplings USING INDEX kernel_couplings_pending (integration=? AND mapping=? AND pending_to=? AND rowid>?)');
    expect(plan(db, `SELECT * FROM kernel_couplings WHERE ${K} AND result_to_b = 'Failure' AND skipped = 0 AND id > 0 ORDER BY id LIMIT 500`)).toBe('SEARCH kernel_couplings USING INDEX kernel_couplings_failed_to_b (integration=? AND mapping=? AND rowid>?)');
    expect(plan(db, `SELECT COUNT(*) FROM kernel_couplings WHERE skipped = 1 AND ${K}`)).toBe('SEARCH kernel_couplings USING COVERING INDEX kernel_couplings_skipped (integration=? AND mapping=?)');
    expect(plan(db, `SELECT COUNT(*) FROM kernel_couplings WHERE ${K}`)).toMatch(/USING COVERING INDEX kernel_couplings_[ab] \(integration=\? AND mapping=\?\)/);
    db.close();

    // Opening again applies nothing (the migration is recorded with its checksum).
    const again = openDatabase(file);
    expect(again.applied).toEqual([]);
    // (The moved couplings and the one inserted for table 9999 above.)
    expect((again.db.prepare('SELECT COUNT(*) AS n FROM kernel_couplings').get() as { n: number }).n).toBe(old.length + 1);
    again.db.close();
  });

  it('a data folder without couplings migrates to an empty store', () => {
    const file = `${tmp.dir}/empty.sqlite`;
    seedOld(file, []);
    const { db } = openDatabase(file);
    expect(db.prepare('SELECT COUNT(*) AS n FROM kernel_couplings').get()).toEqual({ n: 0 });
    expect(Object.keys(indexes(db))).toHaveLength(7);
    db.close();
  });

  it('a failed migration changes nothing: the couplings stay in sync_couplings at schema 11', () => {
    const file = `${tmp.dir}/failed.sqlite`;
    const old = seedOld(file, oldRows(50));
    // Something already named like the new table makes the migration fail half way.
    const pre = openDatabase(file, BEFORE);
    pre.db.exec('CREATE TABLE kernel_couplings_pending (x INTEGER)');
    pre.db.close();
    expect(() => openDatabase(file)).toThrow(/Migration 12 \(kernel_couplings\) failed/);
    const after = openDatabase(file, BEFORE);
    expect(after.schemaVersion).toBe(11);
    expect(after.db.prepare('SELECT * FROM sync_couplings ORDER BY id').all()).toEqual(old);
    expect(after.db.prepare("SELECT name FROM sqlite_master WHERE name = 'kernel_couplings'").get()).toBeUndefined();
    after.db.close();
  });
});
