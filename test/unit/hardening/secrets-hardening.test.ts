import { rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { ProfileService } from '../../../main/integrations/sales/connstr/profiles';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { DbSecretStore } from '../../../main/secrets/store';
import { tempDir } from '../../support/app';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function setup() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const { db } = openDatabase(path.join(t.dir, 'store.sqlite'));
  cleanups.unshift(() => db.close());
  const keyFile = path.join(t.dir, 'secret.key');
  return { dir: t.dir, db, keyFile, store: () => new DbSecretStore(db, new KeyFileCipher(keyFile)) };
}

describe('a lost or replaced secret.key is detected, never used silently', () => {
  for (const how of ['deleted', 'replaced'] as const) {
    it(`${how}: undecryptable secrets are missing (not "set") and named as lost`, async () => {
      const { db, keyFile, store } = setup();
      const before = new ProfileService(db, store());
      const p = await before.save({ name: 'Prod', kind: 'bc-onprem-connstr', values: { Url: 'https://x' }, secrets: { Password: 'hunter2' } });
      expect(p.secretsSet).toEqual(['Password']);

      if (how === 'deleted') rmSync(keyFile);
      else writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });

      const after = new ProfileService(db, store());
      const [q] = await after.list();
      expect(q!.secretsSet).toEqual([]);
      expect(q!.secretsLost).toEqual(['Password']);
      expect(await after.secret(p.id, 'Password')).toBeNull();

      // Entering it again makes it readable (and no longer lost).
      const again = await after.save({ id: p.id, name: 'Prod', kind: 'bc-onprem-connstr', values: { Url: 'https://x' }, secrets: { Password: 'new' } });
      expect(again.secretsSet).toEqual(['Password']);
      expect(again.secretsLost).toEqual([]);
      expect(await after.secret(p.id, 'Password')).toBe('new');
    });
  }
});

describe('profiles.save classifies secrets with the connection-string key rules', () => {
  it('refuses every spelling the connection string reads as a secret, and secret-like names, as plain values', async () => {
    const { db, store } = setup();
    const profiles = new ProfileService(db, store());
    for (const key of [' ClientSecret', 'PASSWORD ', 'password', 'Secret', '\tsecret', 'pwd', 'Client Secret', 'client_secret', 'AccessKey', 'Access Key', 'Web Service Access Key', 'passwd']) {
      await expect(profiles.save({ name: `p-${key}`, kind: 'bc-onprem-connstr', values: { [key]: 'x' }, secrets: {} }), JSON.stringify(key)).rejects.toMatchObject({
        code: 'PROFILE_SECRET_IN_VALUES',
      });
    }
    // A value key that is the same slot as a secret sent alongside (alias or spacing) is refused too.
    await expect(profiles.save({ name: 'dup', kind: 'bc-onprem-connstr', values: { ' Secret ': 'x' }, secrets: { ClientSecret: 'y' } })).rejects.toMatchObject({
      code: 'PROFILE_SECRET_IN_VALUES',
    });
    // Ordinary keys are fine.
    await expect(profiles.save({ name: 'ok', kind: 'bc-onprem-connstr', values: { Url: 'https://x', 'User Name': 'u', AuthType: 'AD', SecretHint: '' }, secrets: {} })).resolves.toBeTruthy();
  });
});

describe('connection profiles after the key is gone', () => {
  it('report the client secret as lost and missing (not set), so sign-in asks for it instead of failing', async () => {
    const { createApp } = await import('../../../main/app/create-app');
    const { keyFile } = await import('../../../main/platform/paths');
    const { quietLogger } = await import('../../support/app');
    const t = tempDir();
    cleanups.push(t.cleanup);
    const open = () => createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger });
    const first = open();
    const savedR = await first.router.call('connections.save', {
      name: 'Sales', kind: 'dataverse', url: 'https://contoso.crm4.dynamics.com', environmentName: null, company: null, tier: 'test', colour: '#1565c0',
      authMethod: 'client-secret', app: { clientId: '7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60', tenantId: '11111111-2222-3333-4444-555555555555', redirectUri: null, authorityHost: 'https://login.microsoftonline.com' },
      userName: null, certificateThumbprint: null, secrets: { clientSecret: 's3cret' },
    }, { transport: 'memory' });
    expect(savedR).toMatchObject({ ok: true });
    const saved = (savedR as { value: { secretsSet: string[] } }).value;
    expect(saved.secretsSet).toEqual(['clientSecret']);
    first.close();
    rmSync(keyFile(t.dir));
    const second = open();
    cleanups.unshift(() => second.close());
    const r = await second.router.call('connections.list', {}, { transport: 'memory' });
    expect(r.ok).toBe(true);
    const [p] = (r.ok ? r.value : []) as { secretsSet: string[]; secretsMissing: string[]; secretsLost?: string[] }[];
    expect(p!.secretsSet).toEqual([]);
    expect(p!.secretsMissing).toEqual(['clientSecret']);
    expect(p!.secretsLost).toEqual(['clientSecret']);
  });
});
