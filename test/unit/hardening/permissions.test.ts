import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_FOLDER, keyFile } from '../../../main/platform/paths';
import { createApp } from '../../../main/app/create-app';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { quietLogger, tempDir } from '../../support/app';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('data folder permissions (POSIX): only the user can read connection metadata, mappings and logs', () => {
  it('creates the data folder 0700 and console.sqlite, -wal, -shm and secret.key 0600, whatever the umask', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = path.join(t.dir, 'nested', APP_FOLDER);
    const old = process.umask(0o022);
    try {
      const app = createApp({ host: 'memory', dataDir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger });
      cleanups.unshift(() => app.close());
      app.db.prepare('SELECT 1').get();
    } finally {
      process.umask(old);
    }
    expect(mode(dataDir)).toBe(0o700);
    for (const f of ['console.sqlite', 'console.sqlite-wal', 'console.sqlite-shm', 'secret.key']) {
      const p = path.join(dataDir, f);
      expect(existsSync(p), f).toBe(true);
      expect(mode(p), f).toBe(0o600);
    }
  });

  it('tightens an existing data folder and store left readable by an older version', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = path.join(t.dir, APP_FOLDER);
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const first = createApp({ host: 'memory', dataDir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger });
    first.close();
    chmodSync(dataDir, 0o755);
    chmodSync(path.join(dataDir, 'console.sqlite'), 0o644);
    const again = createApp({ host: 'memory', dataDir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger });
    cleanups.unshift(() => again.close());
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(path.join(dataDir, 'console.sqlite'))).toBe(0o600);
  });
});
