import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { MIGRATIONS, type Migration } from '../../../main/db/migrations';
import { AppFailure } from '../../../main/rpc/errors';
import { tempDir } from '../../support/app';

const m1: Migration = { id: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER) STRICT;' };
const m2: Migration = { id: 2, name: 'two', sql: 'CREATE TABLE b (y TEXT) STRICT; INSERT INTO b VALUES (\'seed\');' };
const broken: Migration = { id: 3, name: 'broken', sql: 'CREATE TABLE c (z INTEGER); INSERT INTO nope VALUES (1);' };

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const dbFile = () => {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return path.join(t.dir, 'store.sqlite');
};
const failure = (f: () => unknown): AppFailure => {
  try {
    f();
  } catch (x) {
    if (x instanceof AppFailure) return x;
    throw x;
  }
  throw new Error('expected an AppFailure');
};

describe('openDatabase', () => {
  it('applies every migration to a new file in WAL mode and records checksums', () => {
    const file = dbFile();
    const o = openDatabase(file, [m1, m2]);
    expect(o.schemaVersion).toBe(2);
    expect(o.applied).toEqual([1, 2]);
    expect(o.backupPath).toBeNull();
    expect(o.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(o.db.prepare('SELECT id, name FROM _migrations ORDER BY id').all()).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ]);
    o.db.close();
  });

  it('migrates an older file, keeping a backup copy of it first', () => {
    const file = dbFile();
    openDatabase(file, [m1]).db.close();
    const o = openDatabase(file, [m1, m2]);
    expect(o.applied).toEqual([2]);
    expect(o.backupPath).toBe(`${file}.backup-v1`);
    expect(existsSync(o.backupPath!)).toBe(true);
    const backup = new Database(o.backupPath!, { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    backup.close();
    o.db.close();
    // Nothing pending → no new backup.
    expect(openDatabase(file, [m1, m2]).backupPath).toBeNull();
  });

  it('applies pending migrations in one transaction: a failure changes nothing', () => {
    const file = dbFile();
    openDatabase(file, [m1]).db.close();
    const f = failure(() => openDatabase(file, [m1, m2, broken]));
    expect(f.code).toBe('DB_MIGRATION_FAILED');
    expect(f.message).toContain('Migration 3 (broken)');
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('b','c')").all()).toEqual([]);
    db.close();
  });

  it('refuses a migration edited after it was applied', () => {
    const file = dbFile();
    openDatabase(file, [m1, m2]).db.close();
    const edited = { ...m2, sql: m2.sql + ' -- tweak' };
    const f = failure(() => openDatabase(file, [m1, edited]));
    expect(f.code).toBe('DB_MIGRATION_EDITED');
    expect(f.message).toMatch(/Migration 2 \(two\).*never be edited/);
  });

  it('refuses a database written by a newer console, with a message that says what to do', () => {
    const file = dbFile();
    openDatabase(file, [m1, m2]).db.close();
    const f = failure(() => openDatabase(file, [m1]));
    expect(f.code).toBe('DB_FROM_FUTURE');
    expect(f.message).toContain('schema 2');
    expect(f.message).toContain('D365IC_DATA_DIR');
    expect(statSync(file).size).toBeGreaterThan(0);
  });

  it('rejects a migration list with gaps', () => {
    expect(() => openDatabase(':memory:', [m1, { ...m2, id: 3 }])).toThrow(/without gaps/);
  });

  it('opens the real migration list on a fresh in-memory store', () => {
    const o = openDatabase(':memory:');
    expect(o.schemaVersion).toBe(MIGRATIONS.length);
    o.db.close();
  });
});
