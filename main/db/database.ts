import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, openSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, makePrivateFile } from '../platform/paths';
import { AppFailure } from '../rpc/errors';
import { MIGRATIONS, type Migration } from './migrations';
import { damagedDatabase, diagnoseDatabaseFile, isDamageError } from './recovery';

export type Db = Database.Database;

export interface OpenedDatabase {
  db: Db;
  /** Schema version after migrating (= PRAGMA user_version). */
  schemaVersion: number;
  /** Copy taken before migrating an existing file, or null. */
  backupPath: string | null;
  applied: number[];
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Open (or create) the console's store: WAL, foreign keys, then every pending numbered migration in ONE
 * transaction, recorded with a checksum. Refuses, with a message that says what to do:
 *  - a database written by a newer console (user_version beyond the migrations we know),
 *  - a migration that was edited after it was applied (checksum mismatch).
 * An existing file is copied to `<file>.backup-v<N>` before it is migrated.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): OpenedDatabase {
  checkMigrationList(migrations);
  const inMemory = file === ':memory:';
  if (!inMemory) ensurePrivateDir(path.dirname(file));
  const existed = !inMemory && existsSync(file);
  // Created 0600 before SQLite opens it: SQLite gives -wal and -shm the permissions of the database file.
  if (!inMemory && !existed) closeSync(openSync(file, 'a', 0o600));
  // A damaged file is reported before SQLite touches it (a zero-length file would silently become a new store).
  const problem = existed ? diagnoseDatabaseFile(file) : null;
  if (problem) throw damagedDatabase(file, problem);
  let db: Db;
  try {
    db = new Database(file);
  } catch (x) {
    if (!inMemory && isDamageError(x)) throw damagedDatabase(file, `SQLite cannot open it (${(x as Error).message})`);
    throw x;
  }
  try {
    if (!inMemory) {
      db.pragma('journal_mode = WAL');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) makePrivateFile(f);
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const current = db.pragma('user_version', { simple: true }) as number;
    const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.id;
    if (current > latest) {
      throw new AppFailure(
        'DB_FROM_FUTURE',
        `The data folder was written by a newer version of Integration Console (schema ${current}; this version knows up to ${latest}). ` +
          'Install the newer version again, or start this one with another data folder (D365IC_DATA_DIR).',
        { found: current, supported: latest, file },
      );
    }
    db.exec(`CREATE TABLE IF NOT EXISTS _migrations (
      id INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    const recorded = new Map(
      (db.prepare('SELECT id, name, sha256 FROM _migrations').all() as { id: number; name: string; sha256: string }[]).map((r) => [r.id, r]),
    );
    for (const m of migrations.filter((x) => x.id <= current)) {
      const row = recorded.get(m.id);
      if (!row || row.sha256 !== sha256(m.sql)) {
        throw new AppFailure(
          'DB_MIGRATION_EDITED',
          `Migration ${m.id} (${m.name}) differs from the one applied to this data folder. Applied migrations must never be edited: ` +
            'restore the original migration and add a new one for the change.',
          { id: m.id, name: m.name },
        );
      }
    }
    const pending = migrations.filter((m) => m.id > current);
    let backupPath: string | null = null;
    if (pending.length > 0 && existed && current > 0) {
      db.pragma('wal_checkpoint(TRUNCATE)');
      backupPath = `${file}.backup-v${current}`;
      copyFileSync(file, backupPath);
      makePrivateFile(backupPath);
    }
    const insert = db.prepare('INSERT OR REPLACE INTO _migrations (id, name, sha256, applied_at) VALUES (?, ?, ?, ?)');
    const apply = db.transaction(() => {
      for (const m of pending) {
        try {
          db.exec(m.sql);
        } catch (x) {
          throw new AppFailure('DB_MIGRATION_FAILED', `Migration ${m.id} (${m.name}) failed: ${(x as Error).message}. Nothing was changed.`, {
            id: m.id,
          });
        }
        insert.run(m.id, m.name, sha256(m.sql), new Date().toISOString());
      }
      if (pending.length > 0) db.pragma(`user_version = ${Number(pending[pending.length - 1]!.id)}`);
    });
    apply();
    return { db, schemaVersion: db.pragma('user_version', { simple: true }) as number, backupPath, applied: pending.map((m) => m.id) };
  } catch (x) {
    db.close();
    if (!inMemory && isDamageError(x)) throw damagedDatabase(file, `SQLite reports that it is damaged (${(x as Error).message})`);
    throw x;
  }
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new Error(`Migrations must be numbered 1..N without gaps; found ${m.id} at position ${i + 1}`);
  });
}
