import { randomUUID } from 'node:crypto';
import type { Profile } from '../../../../preload/contract/sales/profiles';
import { SECRET_KEYS } from '../../../../preload/contract/sales/connstr';
import { canonicalKey } from './keys';
import type { Db } from '../../../db/database';
import type { SecretStore } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';

interface Row {
  id: string;
  name: string;
  kind: Profile['kind'];
  values_json: string;
  created_at: string;
  updated_at: string;
}

export interface SaveProfileInput {
  id?: string;
  name: string;
  kind: Profile['kind'];
  values: Record<string, string>;
  /** string = store/replace, null = delete, absent = keep. */
  secrets: Record<string, string | null>;
}

const secretName = (profileId: string, key: string) => `profile:${profileId}:${key}`;

/**
 * Which setting a key names, by the connection-string grammar's own rules (canonicalKey: .NET white space trimmed,
 * case-insensitive, every alias), so `" ClientSecret"`, `"PASSWORD "` and `Secret` are all the ClientSecret /
 * Password slot. Keys the grammar does not know are compared by their letters and digits only.
 */
function slotOf(key: string): string {
  return canonicalKey(key) ?? compact(key);
}
const compact = (key: string) => key.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
/** Secret-like names that are not connection-string keys but must never be stored in clear either (BC's web service access key, pwd…). */
const SECRET_LIKE = new Set(['password', 'pwd', 'passwd', 'passphrase', 'clientsecret', 'secret', 'accesskey', 'webserviceaccesskey', 'apikey', 'accesstoken', 'refreshtoken', 'token', 'privatekey', 'certificatepassword']);
function isSecretKey(key: string): boolean {
  const canonical = canonicalKey(key);
  if (canonical) return (SECRET_KEYS as readonly string[]).includes(canonical);
  return SECRET_LIKE.has(compact(key));
}

/**
 * Named profiles: the non-secret values in SQLite, the secrets in the SecretStore under
 * `profile:<id>:<key>`. Secrets are write-only: nothing here returns them to a caller of the contract.
 */
export class ProfileService {
  constructor(
    private db: Db,
    private secrets: SecretStore,
    private now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<Profile[]> {
    const rows = this.db.prepare('SELECT * FROM profiles ORDER BY name COLLATE NOCASE').all() as Row[];
    return Promise.all(rows.map((r) => this.toProfile(r)));
  }

  async save(input: SaveProfileInput): Promise<Profile> {
    const secretSlots = new Set(Object.keys(input.secrets).map(slotOf));
    const leaked = Object.keys(input.values).filter((k) => secretSlots.has(slotOf(k)) || isSecretKey(k));
    if (leaked.length) {
      throw new AppFailure('PROFILE_SECRET_IN_VALUES', `Secrets must be sent as secrets, not values: ${leaked.join(', ')}.`);
    }
    const stamp = this.now().toISOString();
    const id = input.id ?? randomUUID();
    const existing = this.db.prepare('SELECT * FROM profiles WHERE id = ?').get(id) as Row | undefined;
    if (input.id && !existing) throw new AppFailure('PROFILE_NOT_FOUND', 'That profile no longer exists. Save it as a new profile.');
    const clash = this.db.prepare('SELECT id FROM profiles WHERE name = ? COLLATE NOCASE AND id <> ?').get(input.name, id);
    if (clash) throw new AppFailure('PROFILE_NAME_TAKEN', `A profile named "${input.name}" already exists. Choose another name.`, { name: input.name });
    // Secrets first: if the OS refuses to encrypt, nothing is half-saved.
    for (const [key, value] of Object.entries(input.secrets)) {
      if (value === null) await this.secrets.delete(secretName(id, key));
      else await this.secrets.set(secretName(id, key), value);
    }
    const values = JSON.stringify(input.values);
    if (existing) {
      this.db.prepare('UPDATE profiles SET name = ?, kind = ?, values_json = ?, updated_at = ? WHERE id = ?').run(input.name, input.kind, values, stamp, id);
    } else {
      this.db
        .prepare('INSERT INTO profiles (id, name, kind, values_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, input.name, input.kind, values, stamp, stamp);
    }
    return this.toProfile(this.db.prepare('SELECT * FROM profiles WHERE id = ?').get(id) as Row);
  }

  async delete(id: string): Promise<boolean> {
    const removed = this.db.prepare('DELETE FROM profiles WHERE id = ?').run(id).changes > 0;
    for (const name of await this.secrets.list(`profile:${id}:`)) await this.secrets.delete(name);
    return removed;
  }

  /** For main-process consumers only (e.g. a connection test); never exposed through the contract. */
  async secret(id: string, key: string): Promise<string | null> {
    return this.secrets.get(secretName(id, key));
  }

  private async toProfile(r: Row): Promise<Profile> {
    const prefix = `profile:${r.id}:`;
    const secretsSet = (await this.secrets.list(prefix)).map((n) => n.slice(prefix.length));
    // Stored under a key that is gone (secret.key deleted or replaced): shown as "enter them again", not as set.
    const secretsLost = ((await this.secrets.lost?.(prefix)) ?? []).map((n) => n.slice(prefix.length));
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      values: JSON.parse(r.values_json) as Record<string, string>,
      secretsSet,
      secretsLost,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}
