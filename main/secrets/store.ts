import type { Db } from '../db/database';
import type { SecretStore, SecretStoreStatus } from '../ports';
import { AppFailure } from '../rpc/errors';
import type { SecretCipher } from './cipher';

/** SecretStore over the `secrets` table: values are encrypted by the host's cipher before they touch disk. */
export class DbSecretStore implements SecretStore {
  constructor(
    private db: Db,
    private cipher: SecretCipher,
  ) {}
  status(): SecretStoreStatus {
    return this.cipher.status();
  }
  private requireAvailable(): void {
    const s = this.cipher.status();
    if (!s.available) {
      throw new AppFailure('SECRETS_UNAVAILABLE', `Secrets cannot be stored on this computer: ${s.reason ?? 'no encryption available'}. Nothing was saved in plain text.`);
    }
  }
  async set(name: string, value: string): Promise<void> {
    this.requireAvailable();
    const blob = this.cipher.encrypt(value);
    this.db
      .prepare('INSERT INTO secrets (name, ciphertext, cipher, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET ciphertext = excluded.ciphertext, cipher = excluded.cipher, updated_at = excluded.updated_at')
      .run(name, blob, this.cipher.id, new Date().toISOString());
  }
  async get(name: string): Promise<string | null> {
    const row = this.db.prepare('SELECT ciphertext, cipher FROM secrets WHERE name = ?').get(name) as { ciphertext: Buffer; cipher: string } | undefined;
    if (!row) return null;
    this.requireAvailable();
    if (row.cipher !== this.cipher.id) {
      throw new AppFailure('SECRET_OTHER_HOST', `The secret "${name}" was saved by another host of the console (${row.cipher}) and cannot be read here. Enter it again.`);
    }
    // Encrypted with a key that is gone (secret.key deleted or replaced, OS vault reset): the secret is missing,
    // not an error to sign in with. lost() names it so the profile can say "enter it again".
    return this.tryDecrypt(row.ciphertext);
  }
  async delete(name: string): Promise<void> {
    this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name);
  }
  /** Names of the secrets that can be read with this host's key (a secret whose key is gone is not "set"). */
  async list(prefix = ''): Promise<string[]> {
    return this.rows(prefix)
      .filter((r) => r.cipher !== this.cipher.id || !this.cipher.status().available || this.tryDecrypt(r.ciphertext) !== null)
      .map((r) => r.name);
  }
  /** Names of the secrets stored with this host's cipher that its current key cannot decrypt: the key that encrypted them is gone. */
  async lost(prefix = ''): Promise<string[]> {
    if (!this.cipher.status().available) return [];
    return this.rows(prefix)
      .filter((r) => r.cipher === this.cipher.id && this.tryDecrypt(r.ciphertext) === null)
      .map((r) => r.name);
  }
  private rows(prefix: string): { name: string; ciphertext: Buffer; cipher: string }[] {
    return this.db
      .prepare('SELECT name, ciphertext, cipher FROM secrets WHERE substr(name, 1, length(?)) = ? ORDER BY name')
      .all(prefix, prefix) as { name: string; ciphertext: Buffer; cipher: string }[];
  }
  private tryDecrypt(blob: Buffer): string | null {
    try {
      return this.cipher.decrypt(blob);
    } catch (x) {
      if (x instanceof AppFailure) throw x;
      return null;
    }
  }
}

/** A cipher that refuses everything: used when the OS offers no encryption. */
export class UnavailableCipher implements SecretCipher {
  readonly id = 'unavailable';
  constructor(private reason: string) {}
  status(): SecretStoreStatus {
    return { kind: 'unavailable', available: false, reason: this.reason, location: null };
  }
  encrypt(): Buffer {
    throw new AppFailure('SECRETS_UNAVAILABLE', this.reason);
  }
  decrypt(): string {
    throw new AppFailure('SECRETS_UNAVAILABLE', this.reason);
  }
}
