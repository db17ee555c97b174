import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { recoverDatabase } from '../../../main/db/recovery';
import { AppFailure } from '../../../main/rpc/errors';
import { tempDir } from '../../support/app';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** A real store with enough rows to span many pages, closed cleanly (WAL checkpointed). */
function goodStore(): { dir: string; file: string } {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const file = path.join(t.dir, 'console.sqlite');
  const { db } = openDatabase(file);
  db.exec('CREATE TABLE filler (x TEXT)');
  const ins = db.prepare('INSERT INTO filler (x) VALUES (?)');
  db.transaction(() => { for (let i = 0; i < 2000; i++) ins.run('row ' + i + ' '.repeat(200)); })();
  db.close();
  return { dir: t.dir, file };
}

const fingerprint = (file: string) => (statSync(file).isDirectory() ? 'dir' : createHash('sha256').update(readFileSync(file)).digest('hex'));

const DAMAGE: Record<string, (file: string) => void> = {
  truncated: (file) => truncateSync(file, Math.floor(statSync(file).size / 3)),
  garbled: (file) => {
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from('this is not what SQLite wrote here at all, really not '.repeat(3)), 0, 150, 0);
    closeSync(fd);
  },
  'a directory': (file) => {
    rmSync(file);
    mkdirSync(file);
  },
  'zero-length': (file) => truncateSync(file, 0),
};

function refusal(file: string): AppFailure {
  try {
    openDatabase(file).db.close();
  } catch (x) {
    return x as AppFailure;
  }
  throw new Error('the damaged store was opened');
}

describe('a damaged database is explained, never used or replaced silently', () => {
  for (const [kind, damage] of Object.entries(DAMAGE)) {
    it(`${kind}: says which file and what is wrong, changes nothing, and offers the backup or a fresh store`, () => {
      const { dir, file } = goodStore();
      copyFileSync(file, `${file}.backup-v3`);
      damage(file);
      const before = fingerprint(file);
      const listing = readdirSync(dir).sort();

      const e = refusal(file);
      expect(e).toBeInstanceOf(AppFailure);
      expect(e.code).toBe('DB_DAMAGED');
      expect(e.params).toMatchObject({ file, backup: `${file}.backup-v3` });
      expect(String(e.params!.problem).length).toBeGreaterThan(5);
      expect(e.message).toContain(file);
      expect(e.message).toMatch(/Nothing was changed/);
      expect(e.message).toMatch(/--restore-backup/);
      expect(e.message).toMatch(/--fresh-store/);
      expect(fingerprint(file)).toBe(before);
      expect(readdirSync(dir).sort()).toEqual(listing);
    });
  }

  it('restore-backup moves the damaged file aside and starts from the latest automatic backup', () => {
    const { dir, file } = goodStore();
    copyFileSync(file, `${file}.backup-v3`);
    DAMAGE.garbled!(file);
    const r = recoverDatabase(file, 'backup');
    expect(r.restoredFrom).toBe(`${file}.backup-v3`);
    expect(existsSync(r.movedTo!)).toBe(true);
    expect(readdirSync(dir).some((n) => n.startsWith('console.sqlite.damaged-'))).toBe(true);
    const { db } = openDatabase(file);
    expect((db.prepare('SELECT count(*) AS n FROM filler').get() as { n: number }).n).toBe(2000);
    db.close();
  });

  it('fresh-store moves the damaged file (a directory too) aside and opens an empty store', () => {
    const { file } = goodStore();
    DAMAGE['a directory']!(file);
    const r = recoverDatabase(file, 'fresh');
    expect(r.restoredFrom).toBeNull();
    expect(statSync(r.movedTo!).isDirectory()).toBe(true);
    const { db, schemaVersion } = openDatabase(file);
    expect(schemaVersion).toBeGreaterThan(0);
    db.close();
  });

  it('restore-backup without a backup refuses and changes nothing', () => {
    const { file } = goodStore();
    DAMAGE.garbled!(file);
    const before = fingerprint(file);
    expect(() => recoverDatabase(file, 'backup')).toThrow(/no automatic backup/i);
    expect(fingerprint(file)).toBe(before);
  });
});

describe('d365ic host --restore-backup / --fresh-store', () => {
  it('acts only when the store is damaged', async () => {
    const { recoverStore } = await import('../../../main/cli/commands/host');
    const { file } = goodStore();
    const before = fingerprint(file);
    expect(recoverStore(file, 'fresh')).toMatch(/opens fine; nothing was moved/);
    expect(fingerprint(file)).toBe(before);
    copyFileSync(file, `${file}.backup-v3`);
    DAMAGE['zero-length']!(file);
    expect(recoverStore(file, 'backup')).toMatch(/Starting from the backup .*backup-v3/);
    const { db } = openDatabase(file);
    expect((db.prepare('SELECT count(*) AS n FROM filler').get() as { n: number }).n).toBe(2000);
    db.close();
  });
});
