import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionFieldsSchema, type ConnectionFields } from '../../../preload/contract/core/connections';
import { validateFields } from '../../../main/connections/model';
import { ConnectionStore } from '../../../main/connections/store';
import { exportConnections, parseExport } from '../../../main/connections/transfer';
import type { AppFailure } from '../../../main/rpc/errors';
import { tempStore, type TestStore } from './support';

const stores: TestStore[] = [];
afterEach(() => {
  while (stores.length) stores.pop()!.cleanup();
});
function setup() {
  const s = tempStore();
  stores.push(s);
  return { s, store: new ConnectionStore(s.db, s.secrets) };
}

const base: ConnectionFields = {
  name: 'Contoso Sales PROD',
  kind: 'dataverse',
  url: 'https://contoso.crm4.dynamics.com/',
  environmentName: null,
  company: null,
  tier: 'production',
  colour: '#c62828',
  authMethod: 'client-secret',
  app: { clientId: '7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60', tenantId: 'contoso.onmicrosoft.com', redirectUri: 'http://localhost', authorityHost: 'https://login.microsoftonline.com/' },
  userName: null,
  certificateThumbprint: null,
};

const failCode = (fn: () => unknown) => {
  try {
    fn();
  } catch (x) {
    return (x as AppFailure).code + ':' + String((x as AppFailure).params?.field ?? '');
  }
  return 'ok';
};

describe('profile rules', () => {
  it('normalises and explains invalid combinations', () => {
    const v = validateFields(base);
    expect(v.url).toBe('https://contoso.crm4.dynamics.com');
    expect(v.app?.authorityHost).toBe('https://login.microsoftonline.com');
    expect(failCode(() => validateFields({ ...base, url: 'http://contoso.crm4.dynamics.com' }))).toBe('CONNECTION_INVALID:url');
    expect(failCode(() => validateFields({ ...base, url: 'http://127.0.0.1:5000' }))).toBe('ok');
    expect(failCode(() => validateFields({ ...base, url: 'https://user:pw@contoso.crm.dynamics.com' }))).toBe('CONNECTION_INVALID:url');
    expect(failCode(() => validateFields({ ...base, url: null }))).toBe('CONNECTION_INVALID:url');
    expect(failCode(() => validateFields({ ...base, authMethod: 'bc-access-key' }))).toBe('CONNECTION_INVALID:authMethod');
    expect(failCode(() => validateFields({ ...base, app: { ...base.app!, tenantId: 'organizations' } }))).toBe('CONNECTION_INVALID:app.tenantId');
    expect(failCode(() => validateFields({ ...base, app: null }))).toBe('CONNECTION_INVALID:app');
    expect(failCode(() => validateFields({ ...base, kind: 'bc-onprem', authMethod: 'bc-access-key', app: null, url: 'http://bc.contoso.local:7048/BC' }))).toBe('CONNECTION_INVALID:url');
    expect(failCode(() => validateFields({ ...base, kind: 'bc-onprem', authMethod: 'bc-access-key', app: null, url: 'https://bc.contoso.local:7048/BC' }))).toBe('CONNECTION_INVALID:userName');
    expect(failCode(() => validateFields({ ...base, kind: 'bc-online', url: null }))).toBe('CONNECTION_INVALID:environmentName');
    expect(failCode(() => validateFields({ ...base, kind: 'graph', url: null, authMethod: 'interactive', app: { ...base.app!, tenantId: null } }))).toBe('ok');
  });
});

describe('ConnectionStore', () => {
  it('saves, lists and updates profiles; secrets are write-only and reported by name', async () => {
    const { s, store } = setup();
    const p = await store.save({ ...base, secrets: { clientSecret: 'sup3r-s3cret-value' } });
    expect(p.secretsSet).toEqual(['clientSecret']);
    expect(p.secretsMissing).toEqual([]);
    expect(JSON.stringify(p)).not.toContain('sup3r');
    expect(await s.secrets.get(`connection.${p.id}.clientSecret`)).toBe('sup3r-s3cret-value');
    const row = s.db.prepare("SELECT ciphertext FROM secrets WHERE name LIKE 'connection.%'").get() as { ciphertext: Buffer };
    expect(row.ciphertext.toString('latin1')).not.toContain('sup3r');

    // absent keeps, null deletes
    const renamed = await store.save({ ...base, id: p.id, name: 'Contoso Sales (prod)' });
    expect(renamed.secretsSet).toEqual(['clientSecret']);
    const cleared = await store.save({ ...base, id: p.id, name: 'Contoso Sales (prod)', secrets: { clientSecret: null } });
    expect(cleared.secretsSet).toEqual([]);
    expect(cleared.secretsMissing).toEqual(['clientSecret']);
    expect((await store.list()).map((x) => x.name)).toEqual(['Contoso Sales (prod)']);
  });

  it('refuses duplicate names (case-insensitive) and unknown ids with actionable errors', async () => {
    const { store } = setup();
    await store.save(base);
    await expect(store.save({ ...base, name: base.name.toLowerCase() })).rejects.toMatchObject({ code: 'CONNECTION_NAME_TAKEN' });
    await expect(store.save({ ...base, id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'CONNECTION_NOT_FOUND' });
    expect(store.freeName(base.name, 'copy')).toBe(`${base.name} (copy)`);
  });

  it('forgets the signed-in account when the app registration changes, and delete removes secrets', async () => {
    const { s, store } = setup();
    const p = await store.save({ ...base, secrets: { clientSecret: 'x1' } });
    store.setHomeAccount(p.id, 'uid.tid');
    await store.save({ ...base, id: p.id });
    expect((await store.get(p.id)).homeAccountId).toBe('uid.tid');
    await store.save({ ...base, id: p.id, app: { ...base.app!, clientId: 'a4c2e6f8-1b3d-4f5a-9c7e-2d4f6a8b0c1e' } });
    expect((await store.get(p.id)).homeAccountId).toBeNull();
    expect(await store.delete(p.id)).toBe(true);
    expect(await s.secrets.list('connection.')).toEqual([]);
    expect(await store.delete(p.id)).toBe(false);
  });
});

const fieldsArb: fc.Arbitrary<ConnectionFields> = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 60 }).filter((n) => n.trim().length > 0 && n.trim() === n),
    host: fc.domain(),
    tier: fc.constantFrom('development' as const, 'test' as const, 'uat' as const, 'production' as const),
    colour: fc.integer({ min: 0, max: 0xffffff }).map((n) => '#' + n.toString(16).padStart(6, '0')),
    authMethod: fc.constantFrom('interactive' as const, 'device-code' as const, 'client-secret' as const, 'certificate' as const),
    clientId: fc.uuid(),
    tenant: fc.constantFrom('contoso.onmicrosoft.com', '5e1f0c3a-7d2b-4c8e-9a41-0b6d3f2e9c11'),
    thumb: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: null }),
  })
  .map((r) => ({
    name: r.name,
    kind: 'dataverse' as const,
    url: `https://${r.host}`,
    environmentName: null,
    company: null,
    tier: r.tier,
    colour: r.colour,
    authMethod: r.authMethod,
    app: { clientId: r.clientId, tenantId: r.tenant, redirectUri: null, authorityHost: 'https://login.microsoftonline.com' },
    userName: null,
    certificateThumbprint: r.thumb,
  }));

describe('export / import', () => {
  it('round-trips every field and never carries a secret', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fieldsArb, { minLength: 1, maxLength: 4, selector: (f) => f.name.toLowerCase() }), async (list) => {
        const { store } = setup();
        for (const f of list) await store.save({ ...f, secrets: { clientSecret: 'THE-SECRET-abc123', certificatePem: '-----BEGIN PRIVATE KEY-----x' } });
        const json = exportConnections(await store.list(), new Date('2026-11-23T10:00:00Z'));
        expect(json).not.toContain('THE-SECRET');
        expect(json).not.toContain('PRIVATE KEY');
        const back = parseExport(json);
        const sortByName = (a: ConnectionFields, b: ConnectionFields) => a.name.localeCompare(b.name);
        expect(back.sort(sortByName)).toEqual(list.map((f) => ConnectionFieldsSchema.parse(validateFields(f))).sort(sortByName));
        stores.pop()!.cleanup();
      }),
      { numRuns: 15 },
    );
  });

  it('explains files it cannot import', () => {
    expect(() => parseExport('{nope')).toThrow(/not valid JSON/);
    expect(() => parseExport(JSON.stringify({ format: 'other', version: 1, exportedAt: '', connections: [] }))).toThrow(/not an Integration Console connections export/);
    expect(() => parseExport(JSON.stringify({ format: 'd365ic.connections', version: 9, exportedAt: '', connections: [] }))).toThrow(/newer Integration Console/);
    const bad = JSON.stringify({ format: 'd365ic.connections', version: 1, exportedAt: '', connections: [{ ...base, colour: 'red' }] });
    expect(() => parseExport(bad)).toThrow(/Connection 1 .* "colour"/);
    // Unknown fields such as a hand-added secret are dropped, not imported.
    const smuggled = JSON.stringify({ format: 'd365ic.connections', version: 1, exportedAt: '', connections: [{ ...base, clientSecret: 'abc' }] });
    expect(JSON.stringify(parseExport(smuggled))).not.toContain('abc');
  });
});

describe('loopback redirect port', () => {
  it('uses the registered port only for http loopback redirects', async () => {
    const { loopbackPort } = await import('../../../main/connections/sessions');
    expect(loopbackPort('http://localhost:3874')).toBe(3874);
    expect(loopbackPort('http://127.0.0.1:5000/')).toBe(5000);
    expect(loopbackPort('http://localhost')).toBeUndefined();
    expect(loopbackPort('https://app.example:443/cb')).toBeUndefined();
    expect(loopbackPort('app://x')).toBeUndefined();
    expect(loopbackPort(null)).toBeUndefined();
  });
});
