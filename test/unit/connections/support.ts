import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthStatus, DeviceCodeInfo } from '../../../preload/contract/core/connections';
import type { ConnectionEventEmitter } from '../../../main/connections/sessions';
import { openDatabase, type Db } from '../../../main/db/database';
import { MIGRATIONS, type Migration } from '../../../main/db/migrations';
import connections from '../../../main/db/migrations/0003_connections';
import type { Logger } from '../../../main/ports';
import type { SecretCipher } from '../../../main/secrets/cipher';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { DbSecretStore } from '../../../main/secrets/store';

export const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Migrations up to and including 0003_connections. Until the lead registers 0002 (mappings) and 0003 in
 * MIGRATIONS, a no-op stands in for the missing ids so the numbering stays gapless.
 */
export function migrationsWithConnections(): Migration[] {
  const list: Migration[] = MIGRATIONS.filter((m) => m.id < 3);
  while (list.length < 2) list.push({ id: list.length + 1, name: `placeholder-${list.length + 1}`, sql: 'SELECT 1;' });
  const registered = MIGRATIONS.find((m) => m.id === 3);
  list.push(registered ?? connections);
  return list;
}

export interface TestStore {
  dir: string;
  db: Db;
  secrets: DbSecretStore;
  /** Close and open the same files again: what a restart of the main process does. */
  reopen(cipher?: SecretCipher): TestStore;
  cleanup(): void;
}

export function tempStore(cipherFor: (dir: string) => SecretCipher = (d) => new KeyFileCipher(path.join(d, 'secret.key')), existingDir?: string): TestStore {
  const dir = existingDir ?? mkdtempSync(path.join(os.tmpdir(), 'd365ic-conn-'));
  const { db } = openDatabase(path.join(dir, 'console.db'), migrationsWithConnections());
  const secrets = new DbSecretStore(db, cipherFor(dir));
  const store: TestStore = {
    dir,
    db,
    secrets,
    reopen(cipher) {
      db.close();
      return tempStore(cipher ? () => cipher : cipherFor, dir);
    },
    cleanup() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return store;
}

/**
 * Collects emitted events (and checks they are emitted through the typed port). `deviceCode(n)` resolves with the
 * n-th auth.deviceCode event, already emitted or when it arrives: tests await it instead of polling `events`.
 */
export function recorder() {
  const events: { name: string; payload: AuthStatus | DeviceCodeInfo }[] = [];
  const waiters: (() => void)[] = [];
  const emit = ((name: 'auth.status' | 'auth.deviceCode', payload: AuthStatus | DeviceCodeInfo) => {
    events.push({ name, payload: structuredClone(payload) });
    for (const w of waiters.splice(0)) w();
  }) as ConnectionEventEmitter;
  const deviceCodes = () => events.filter((e) => e.name === 'auth.deviceCode').map((e) => e.payload as DeviceCodeInfo);
  const deviceCode = (n = 1): Promise<DeviceCodeInfo> =>
    new Promise((resolve) => {
      const check = () => {
        const c = deviceCodes()[n - 1];
        if (c) resolve(c);
        else waiters.push(check);
      };
      check();
    });
  return { events, emit, deviceCode, statuses: () => events.filter((e) => e.name === 'auth.status').map((e) => e.payload as AuthStatus) };
}
