import Database from 'better-sqlite3';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { ProfileService } from '../../../main/integrations/sales/connstr/profiles';
import { AppFailure } from '../../../main/rpc/errors';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { DbSecretStore, UnavailableCipher } from '../../../main/secrets/store';
import { tempDir } from '../../support/app';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function setup() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const file = path.join(t.dir, 'store.sqlite');
  const { db } = openDatabase(file);
  cleanups.unshift(() => db.close());
  const cipher = new KeyFileCipher(path.join(t.dir, 'secret.key'));
  return { dir: t.dir, file, db, cipher, store: new DbSecretStore(db, cipher) };
}

describe('key-file secret store', () => {
  it('creates a 0600 key file and round-trips secrets without writing plaintext', async () => {
    const { dir, file, db, store } = setup();
    const secret = 'P@ss;word"with\'quotes-ÆØÅ-äö-🔐';
    await store.set('profile:1:Password', secret);
    expect(await store.get('profile:1:Password')).toBe(secret);
    if (process.platform !== 'win32') expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const raw = readFileSync(file);
    expect(raw.includes(Buffer.from('P@ss;word'))).toBe(false);
    expect(await store.list('profile:1:')).toEqual(['profile:1:Password']);
  });

  it('uses a fresh IV every time and detects tampering', () => {
    const { cipher } = setup();
    const a = cipher.encrypt('same');
    const b = cipher.encrypt('same');
    expect(a.equals(b)).toBe(false);
    a[a.length - 1]! ^= 0xff;
    expect(() => cipher.decrypt(a)).toThrow();
  });

  it('cannot decrypt with another key file', async () => {
    const one = setup();
    await one.store.set('k', 'v');
    const row = one.db.prepare('SELECT ciphertext FROM secrets').get() as { ciphertext: Buffer };
    const other = setup();
    expect(() => other.cipher.decrypt(row.ciphertext)).toThrow();
  });

  it('refuses to store anything when no encryption is available — never plaintext', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE secrets (name TEXT PRIMARY KEY, ciphertext BLOB NOT NULL, cipher TEXT NOT NULL, updated_at TEXT NOT NULL)');
    const store = new DbSecretStore(db, new UnavailableCipher('no keyring'));
    await expect(store.set('x', 'secret')).rejects.toBeInstanceOf(AppFailure);
    await expect(store.set('x', 'secret')).rejects.toMatchObject({ code: 'SECRETS_UNAVAILABLE' });
    expect(db.prepare('SELECT count(*) AS n FROM secrets').get()).toEqual({ n: 0 });
    expect(store.status()).toMatchObject({ available: false, reason: 'no keyring' });
  });
});

describe('profiles keep secrets write-only', () => {
  it('stores secrets encrypted, reports only their names, and deletes them with the profile', async () => {
    const { db, store } = setup();
    const profiles = new ProfileService(db, store);
    const p = await profiles.save({ name: 'Contoso test', kind: 'bc-onprem-connstr', values: { Url: 'https://contosotest.crm.dynamics.com' }, secrets: { Password: 'hunter2' } });
    expect(p.secretsSet).toEqual(['Password']);
    expect(JSON.stringify(p)).not.toContain('hunter2');
    expect(JSON.stringify(await profiles.list())).not.toContain('hunter2');
    expect(await profiles.secret(p.id, 'Password')).toBe('hunter2');
    // Absent = keep, null = delete.
    const kept = await profiles.save({ id: p.id, name: 'Contoso test', kind: 'bc-onprem-connstr', values: {}, secrets: {} });
    expect(kept.secretsSet).toEqual(['Password']);
    const cleared = await profiles.save({ id: p.id, name: 'Contoso test', kind: 'bc-onprem-connstr', values: {}, secrets: { Password: null } });
    expect(cleared.secretsSet).toEqual([]);
    await profiles.save({ id: p.id, name: 'Contoso test', kind: 'bc-onprem-connstr', values: {}, secrets: { ClientSecret: 's' } });
    expect(await profiles.delete(p.id)).toBe(true);
    expect(await store.list()).toEqual([]);
  });

  it('refuses secrets sent as plain values and duplicate names', async () => {
    const { db, store } = setup();
    const profiles = new ProfileService(db, store);
    await expect(profiles.save({ name: 'a', kind: 'bc-onprem-connstr', values: { Password: 'x' }, secrets: {} })).rejects.toMatchObject({ code: 'PROFILE_SECRET_IN_VALUES' });
    await profiles.save({ name: 'Prod', kind: 'bc-onprem-connstr', values: {}, secrets: {} });
    await expect(profiles.save({ name: 'prod', kind: 'bc-onprem-connstr', values: {}, secrets: {} })).rejects.toMatchObject({ code: 'PROFILE_NAME_TAKEN' });
  });
});
