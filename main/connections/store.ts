import { randomUUID } from 'node:crypto';
import type { AuthMethod, ConnectionFields, ConnectionProfile, ConnectionSecretName } from '../../preload/contract/core/connections';
import { ConnectionFieldsSchema } from '../../preload/contract/core/connections';
import type { Db } from '../db/database';
import type { Clock, SecretStore } from '../ports';
import { systemClock } from '../ports';
import { AppFailure } from '../rpc/errors';
import { validateFields } from './model';

interface Row {
  id: string;
  name: string;
  kind: string;
  url: string | null;
  environment_name: string | null;
  company: string | null;
  tier: string;
  colour: string;
  auth_method: string;
  client_id: string | null;
  app_tenant_id: string | null;
  redirect_uri: string | null;
  authority_host: string | null;
  user_name: string | null;
  certificate_thumbprint: string | null;
  home_account_id: string | null;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
}

/** Which secret slots each auth method needs. */
export const REQUIRED_SECRETS: Record<AuthMethod, ConnectionSecretName[]> = {
  interactive: [],
  'device-code': [],
  'client-secret': ['clientSecret'],
  certificate: ['certificatePem'],
  'bc-access-key': ['accessKey'],
};
const SLOTS: ConnectionSecretName[] = ['clientSecret', 'certificatePem', 'accessKey'];

export const secretName = (id: string, slot: ConnectionSecretName) => `connection.${id}.${slot}`;

export interface StoredConnection {
  profile: ConnectionProfile;
  homeAccountId: string | null;
}

/** Connection profiles in SQLite (prepared statements only) + their secrets in the SecretStore. */
export class ConnectionStore {
  private readonly clock: Clock;
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private async toProfile(r: Row): Promise<ConnectionProfile> {
    const names = new Set(await this.secrets.list(`connection.${r.id}.`));
    const secretsSet = SLOTS.filter((s) => names.has(secretName(r.id, s)));
    // Stored under a key that is gone (secret.key deleted or replaced): missing, and said so on the profile.
    const lost = new Set((await this.secrets.lost?.(`connection.${r.id}.`)) ?? []);
    const secretsLost = SLOTS.filter((s) => lost.has(secretName(r.id, s)));
    const fields = ConnectionFieldsSchema.parse({
      name: r.name,
      kind: r.kind,
      url: r.url,
      environmentName: r.environment_name,
      company: r.company,
      tier: r.tier,
      colour: r.colour,
      authMethod: r.auth_method,
      app: r.client_id ? { clientId: r.client_id, tenantId: r.app_tenant_id, redirectUri: r.redirect_uri, authorityHost: r.authority_host ?? 'https://login.microsoftonline.com' } : null,
      userName: r.user_name,
      certificateThumbprint: r.certificate_thumbprint,
    });
    return {
      id: r.id,
      ...fields,
      secretsSet,
      secretsMissing: REQUIRED_SECRETS[fields.authMethod].filter((s) => !secretsSet.includes(s)),
      secretsLost,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastUsedAt: r.last_used_at,
    };
  }

  async list(): Promise<ConnectionProfile[]> {
    const rows = this.db.prepare('SELECT * FROM connections ORDER BY name COLLATE NOCASE').all() as Row[];
    return Promise.all(rows.map((r) => this.toProfile(r)));
  }

  async find(id: string): Promise<StoredConnection | null> {
    const row = this.db.prepare('SELECT * FROM connections WHERE id = ?').get(id) as Row | undefined;
    return row ? { profile: await this.toProfile(row), homeAccountId: row.home_account_id } : null;
  }

  async get(id: string): Promise<StoredConnection> {
    const found = await this.find(id);
    if (!found) throw new AppFailure('CONNECTION_NOT_FOUND', 'This connection profile no longer exists. Refresh the list.', { id });
    return found;
  }

  nameTaken(name: string, exceptId?: string): boolean {
    const row = this.db.prepare('SELECT id FROM connections WHERE name = ? COLLATE NOCASE').get(name) as { id: string } | undefined;
    return !!row && row.id !== exceptId;
  }

  /** Insert or update. Secrets: string stores, null deletes, absent keeps. */
  async save(input: ConnectionFields & { id?: string; secrets?: Partial<Record<ConnectionSecretName, string | null>> }): Promise<ConnectionProfile> {
    const fields = validateFields(ConnectionFieldsSchema.parse(input));
    if (input.id && !this.db.prepare('SELECT 1 FROM connections WHERE id = ?').get(input.id)) {
      throw new AppFailure('CONNECTION_NOT_FOUND', 'This connection profile no longer exists. Refresh the list.', { id: input.id });
    }
    if (this.nameTaken(fields.name, input.id)) {
      throw new AppFailure('CONNECTION_NAME_TAKEN', `A connection named "${fields.name}" already exists. Choose another name.`, { name: fields.name });
    }
    const secrets = input.secrets ?? {};
    // Check before writing anything: a profile saved without the secret it was given would look half-configured.
    if (Object.values(secrets).some((v) => typeof v === 'string') && !this.secrets.status().available) {
      const s = this.secrets.status();
      throw new AppFailure('SECRETS_UNAVAILABLE', `Secrets cannot be stored on this computer: ${s.reason ?? 'no encryption available'}. Nothing was saved in plain text.`);
    }
    const now = this.now();
    const app = fields.app;
    const values = [
      fields.name, fields.kind, fields.url, fields.environmentName, fields.company, fields.tier, fields.colour, fields.authMethod,
      app?.clientId ?? null, app?.tenantId ?? null, app?.redirectUri ?? null, app?.authorityHost ?? null, fields.userName, fields.certificateThumbprint,
    ];
    let id = input.id;
    if (id) {
      const existing = this.db.prepare('SELECT client_id, app_tenant_id, authority_host FROM connections WHERE id = ?').get(id) as
        | { client_id: string | null; app_tenant_id: string | null; authority_host: string | null }
        | undefined;
      if (!existing) throw new AppFailure('CONNECTION_NOT_FOUND', 'This connection profile no longer exists. Refresh the list.', { id });
      // A different app registration or tenant means the remembered account belongs to another cache.
      const appChanged = existing.client_id !== (app?.clientId ?? null) || existing.app_tenant_id !== (app?.tenantId ?? null) || existing.authority_host !== (app?.authorityHost ?? null);
      this.db
        .prepare(
          `UPDATE connections SET name = ?, kind = ?, url = ?, environment_name = ?, company = ?, tier = ?, colour = ?, auth_method = ?,
             client_id = ?, app_tenant_id = ?, redirect_uri = ?, authority_host = ?, user_name = ?, certificate_thumbprint = ?,
             home_account_id = CASE WHEN ? THEN NULL ELSE home_account_id END, updated_at = ? WHERE id = ?`,
        )
        .run(...values, appChanged ? 1 : 0, now, id);
    } else {
      id = randomUUID();
      this.db
        .prepare(
          `INSERT INTO connections (name, kind, url, environment_name, company, tier, colour, auth_method, client_id, app_tenant_id, redirect_uri,
             authority_host, user_name, certificate_thumbprint, id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...values, id, now, now);
    }
    for (const [slot, value] of Object.entries(secrets) as [ConnectionSecretName, string | null | undefined][]) {
      if (value === undefined) continue;
      if (value === null || value === '') await this.secrets.delete(secretName(id, slot));
      else await this.secrets.set(secretName(id, slot), value);
    }
    return (await this.get(id)).profile;
  }

  async delete(id: string): Promise<boolean> {
    const res = this.db.prepare('DELETE FROM connections WHERE id = ?').run(id);
    for (const name of await this.secrets.list(`connection.${id}.`)) await this.secrets.delete(name);
    return res.changes > 0;
  }

  async readSecret(id: string, slot: ConnectionSecretName): Promise<string | null> {
    return this.secrets.get(secretName(id, slot));
  }

  setHomeAccount(id: string, homeAccountId: string | null): void {
    this.db.prepare('UPDATE connections SET home_account_id = ? WHERE id = ?').run(homeAccountId, id);
  }

  /** Other profiles signed in with the same account in the same app cache (sign-out must not strand them silently). */
  profilesUsingAccount(homeAccountId: string): string[] {
    return (this.db.prepare('SELECT id FROM connections WHERE home_account_id = ?').all(homeAccountId) as { id: string }[]).map((r) => r.id);
  }

  touch(id: string): void {
    this.db.prepare('UPDATE connections SET last_used_at = ? WHERE id = ?').run(this.now(), id);
  }

  /** A free name: "X (copy)", "X (copy 2)"… */
  freeName(base: string, suffix: string): string {
    const trimmed = base.slice(0, 80 - suffix.length - 6);
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? `${trimmed} (${suffix})` : `${trimmed} (${suffix} ${i})`;
      if (!this.nameTaken(candidate)) return candidate;
    }
  }
}
