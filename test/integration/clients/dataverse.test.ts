import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdaptiveLimiter } from '../../../main/clients/concurrency';
import { DataverseClient } from '../../../main/clients/dataverse';
import { ChangeTrackingExpiredError, isAlreadyExists, isConcurrencyConflict, isNotFound } from '../../../main/clients/errors';
import { filter } from '../../../main/clients/odata';
import { isServiceError } from '../../../main/http/errors';
import type { Sandbox } from '../../../main/sandbox/index';
import { startSandbox } from '../../../main/sandbox/index';
import { clientCredentials, guid, httpClient, patchKnobs, recordingFetch, userPassword } from './harness';

let sb: Sandbox;
let dv: DataverseClient;
let auth: ReturnType<typeof clientCredentials>;
const rec = recordingFetch();

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  auth = clientCredentials(sb.info, sb.info.dataverse.url);
  dv = new DataverseClient({ http: httpClient(sb.info.dataverse.apiBase, auth, { fetch: rec.fetch }), auth });
});
afterAll(async () => sb?.close());

describe('DataverseClient against the sandbox', () => {
  it('whoAmI, retrieveVersion and entity definitions with picklist options', async () => {
    const me = await dv.whoAmI();
    expect(me.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await dv.retrieveVersion()).toMatch(/^9\.2\./);
    const def = await dv.entityDefinitions('account', ['name', 'paymenttermscode', 'statecode']);
    expect(def).toMatchObject({ entitySetName: 'accounts', primaryIdAttribute: 'accountid' });
    const terms = def.attributes!.find((a) => a.logicalName === 'paymenttermscode')!;
    expect(terms.options).toContainEqual({ value: 1, label: 'Net 30' });
    expect(def.attributes!.find((a) => a.logicalName === 'statecode')!.options!.length).toBeGreaterThanOrEqual(2);
    await expect(dv.entityDefinitions('account', ['nosuchcolumn'])).rejects.toThrow(/nosuchcolumn/);
    // Required headers on every request (protocols.md §1.1); If-None-Match: null on GETs.
    const get = rec.calls.find((c) => c.url.includes('WhoAmI'))!;
    expect(get.headers).toMatchObject({ 'OData-MaxVersion': '4.0', 'OData-Version': '4.0', Accept: 'application/json', 'If-None-Match': 'null' });
  });

  it('bulk-creates 10,000 rows in chunks of 1,000, then pages them back across > 5,000 rows via nextLink only', async () => {
    const targets = Array.from({ length: 10_000 }, (_, i) => ({ accountid: guid(i + 1, 'b0b0'), name: `bulk-${String(i).padStart(5, '0')}`, accountnumber: `B${i}` }));
    const chunks: string[] = [];
    const t0 = performance.now();
    const ids = await dv.createMultiple('accounts', 'account', targets, { onChunk: (c) => chunks.push(`${c.rows}:${c.via}`) });
    const createMs = performance.now() - t0;
    expect(chunks).toEqual(Array(10).fill('1000:bulk'));
    expect(ids).toEqual(targets.map((t) => t.accountid));

    rec.calls.length = 0;
    const seen = new Set<string>();
    let pages = 0;
    const t1 = performance.now();
    for await (const page of dv.retrieveMultiple<{ accountid: string; name: string }>('accounts', { select: ['accountid', 'name'], filter: filter.startswith('name', 'bulk-'), orderby: 'name asc', maxPageSize: 4000 })) {
      pages++;
      expect(page.value.length).toBeLessThanOrEqual(4000);
      for (const r of page.value) seen.add(r.accountid);
    }
    const readMs = performance.now() - t1;
    expect(pages).toBe(3);
    expect(seen.size).toBe(10_000);
    expect(rec.calls.every((c) => !/[?&](\$|%24)skip=/.test(c.url) && c.headers.Prefer === 'odata.maxpagesize=4000')).toBe(true);
    expect(rec.calls.slice(1).every((c) => c.url.includes('skiptoken'))).toBe(true);
    console.info(`[clients] Dataverse: CreateMultiple 10,000 rows in ${Math.round(createMs)} ms; read back 10,000 in 3 pages in ${Math.round(readMs)} ms`);
  });

  it('create with a client-chosen id, 304 on unchanged etag, etag conflicts, If-Match * never re-creates', async () => {
    const id = guid(1, 'e7a9');
    const created = await dv.create('accounts', { name: "O'Brien & Co" }, { id });
    expect(created.id).toBe(id);
    await expect(dv.create('accounts', { name: 'dup' }, { id })).rejects.toSatisfy(isAlreadyExists);

    const first = await dv.retrieve<{ name: string }>('accounts', id, { select: ['name'] });
    if (first.notModified) throw new Error('unexpected 304');
    expect(first.row.name).toBe("O'Brien & Co");
    const etag = first.etag!;
    expect(await dv.retrieve('accounts', id, { select: ['name'], ifNoneMatch: etag })).toEqual({ notModified: true, etag });

    // Someone else changes the row: our etag is stale now.
    await dv.update('accounts', id, { telephone1: '+47 1' });
    const stale = await dv.update('accounts', id, { name: 'mine' }, { ifMatch: etag }).catch((e: unknown) => e);
    expect(isConcurrencyConflict(stale)).toBe(true);
    expect(isServiceError(stale) && stale.status).toBe(412);
    const fresh = await dv.retrieve('accounts', id);
    if (fresh.notModified) throw new Error('unexpected 304');
    const upd = await dv.update<{ name: string }>('accounts', id, { name: 'mine' }, { ifMatch: fresh.etag!, returnRepresentation: true });
    expect(upd.row?.name).toBe('mine');

    await dv.delete('accounts', id);
    // Default If-Match: * — a PATCH to a deleted row must not bring it back.
    await expect(dv.update('accounts', id, { name: 'zombie' })).rejects.toSatisfy(isNotFound);
    await expect(dv.retrieve('accounts', id)).rejects.toSatisfy(isNotFound);
    await dv.createOnly('accounts', id, { name: 'again' });
    await expect(dv.createOnly('accounts', id, { name: 'twice' })).rejects.toSatisfy(isAlreadyExists);
    await dv.upsert('accounts', id, { name: 'upserted' });
    const after = await dv.retrieve<{ name: string }>('accounts', id, { select: ['name'] });
    expect(!after.notModified && after.row.name).toBe('upserted');
  });

  it('$batch: a failing change set is rolled back, the rest runs with continue-on-error', async () => {
    const a = guid(1, 'ba7c');
    const b = guid(2, 'ba7c');
    const missing = guid(3, 'ba7c');
    const { responses } = await dv.batch([
      { changeSet: [{ method: 'POST', url: 'accounts', body: { accountid: a, name: 'batch-a' } }] },
      { changeSet: [
        { method: 'POST', url: 'accounts', body: { accountid: b, name: 'batch-b' } },
        { method: 'PATCH', url: `accounts(${missing})`, body: { name: 'x' }, headers: { 'If-Match': '*' } },
      ] },
      { method: 'GET', url: `accounts(${a})?$select=name` },
    ], { continueOnError: true });
    expect(responses.map((r) => r.status)).toEqual([204, 404, 200]);
    expect(responses[0]).toMatchObject({ contentId: '1', changeSet: 0 });
    expect(responses[0]!.headers['odata-entityid']).toContain(a);
    expect(responses[2]!.body).toMatchObject({ name: 'batch-a' });
    await expect(dv.retrieve('accounts', b)).rejects.toSatisfy(isNotFound);

    // Without continue-on-error the batch stops at the failure.
    const stop = await dv.batch([
      { changeSet: [{ method: 'PATCH', url: `accounts(${missing})`, body: { name: 'x' }, headers: { 'If-Match': '*' } }] },
      { method: 'GET', url: `accounts(${a})?$select=name` },
    ]);
    expect(stop.responses.map((r) => r.status)).toEqual([404]);
  });

  it('bulk falls back to $batch change sets when asked (tables without bulk messages)', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ contactid: guid(i + 1, 'fa11'), lastname: `fallback-${i}` }));
    const via: string[] = [];
    const ids = await dv.createMultiple('contacts', 'contact', rows, { mode: 'batch', chunkSize: 10, onChunk: (c) => via.push(c.via) });
    expect(via).toEqual(['batch', 'batch', 'batch']);
    expect(ids).toEqual(rows.map((r) => r.contactid));
    await dv.updateMultiple('contacts', 'contact', rows.map((r) => ({ contactid: r.contactid, jobtitle: 'Buyer' })), { mode: 'batch' });
    const back = await dv.retrieveAll<{ jobtitle: string }>('contacts', { select: ['jobtitle'], filter: filter.startswith('lastname', 'fallback-') });
    expect(back).toHaveLength(30);
    expect(back.every((r) => r.jobtitle === 'Buyer')).toBe(true);
  });

  it('upsertMultiple reports created vs updated', async () => {
    const existing = guid(1, '0b5e');
    await dv.create('accounts', { name: 'up-1' }, { id: existing });
    const fresh = guid(2, '0b5e');
    const res = await dv.upsertMultiple('accounts', 'account', [{ accountid: existing, name: 'up-1b' }, { accountid: fresh, name: 'up-2' }]);
    expect(res).toEqual([{ id: existing, created: false }, { id: fresh, created: true }]);
  });

  it('associates and disassociates N:N (systemuserroles_association) as an administrator', async () => {
    // The integration app user lacks prvWriteUser (as in a real org); role assignment is an admin's one-click fix.
    const admin = sb.info.users.find((u) => u.roles.includes('System Administrator'))!;
    const adminAuth = userPassword(sb.info, sb.info.dataverse.url, admin.username, admin.password);
    const dvAdmin = new DataverseClient({ http: httpClient(sb.info.dataverse.apiBase, adminAuth), auth: adminAuth });
    const users = await dv.retrieveAll<{ systemuserid: string; domainname: string }>('systemusers', { select: ['systemuserid', 'domainname'], filter: filter.eq('domainname', 'kari.nordmann@nordlys.example') });
    const roles = await dv.retrieveAll<{ roleid: string }>('roles', { select: ['roleid'], filter: filter.eq('name', 'Basic User') });
    if (users.length === 0 || roles.length === 0) throw new Error('demo seed lacks kari or the Basic User role');
    const uid = users[0]!.systemuserid;
    const rid = roles[0]!.roleid;
    const has = async () => (await dv.retrieveAll('systemuserrolescollection', { filter: filter.and(filter.eqGuid('systemuserid', uid), filter.eqGuid('roleid', rid)) })).length;
    expect(await has()).toBe(0);
    await expect(dv.associate('systemusers', uid, 'systemuserroles_association', 'roles', rid)).rejects.toThrow(/prvWriteUser/);
    await dvAdmin.associate('systemusers', uid, 'systemuserroles_association', 'roles', rid);
    expect(await has()).toBe(1);
    await dvAdmin.disassociate('systemusers', uid, 'systemuserroles_association', rid);
    expect(await has()).toBe(0);
  });

  it('change tracking: initial read → delta with changes and deletions → expired token is a typed error', async () => {
    const ids = [guid(1, 'de17'), guid(2, 'de17'), guid(3, 'de17')];
    for (const [i, id] of ids.entries()) await dv.create('contacts', { lastname: `delta-${i}` }, { id });
    const initial = await dv.trackChanges<{ contactid: string }>('contacts', { select: ['lastname'], maxPageSize: 20 });
    expect(initial.rows.map((r) => r.contactid)).toEqual(expect.arrayContaining(ids));
    const quiet = await dv.nextDelta(initial.deltaLink);
    expect(quiet).toMatchObject({ changed: [], deleted: [] });

    const added = guid(4, 'de17');
    await dv.create('contacts', { lastname: 'delta-new' }, { id: added });
    await dv.update('contacts', ids[0]!, { lastname: 'delta-changed' });
    await dv.delete('contacts', ids[1]!);
    const d = await dv.nextDelta<{ contactid: string; lastname: string }>(quiet.deltaLink);
    expect(d.changed.map((r) => r.contactid).sort()).toEqual([ids[0], added].sort());
    expect(d.changed.find((r) => r.contactid === ids[0])!.lastname).toBe('delta-changed');
    expect(d.deleted).toEqual([ids[1]]);
    expect(d.deltaLink).not.toBe(quiet.deltaLink);

    await patchKnobs(sb.info.dataverse.url, { expireChangeTracking: true });
    const err = await dv.nextDelta(d.deltaLink).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChangeTrackingExpiredError);
    expect((err as ChangeTrackingExpiredError).message).toMatch(/full resync of contacts/);
  });

  it('429s from the service: the limiter backs off and all 3,000 rows still land', async () => {
    // maxRetries 0: the limiter, not the HttpClient, handles throttling so it can adapt the concurrency.
    const limiter = new AdaptiveLimiter({ initial: 8, max: 52 });
    const throttled = new DataverseClient({ http: httpClient(sb.info.dataverse.apiBase, auth, { maxRetries: 0 }), auth, limiter, bulkChunkSize: 100 });
    await patchKnobs(sb.info.dataverse.url, { faultRate: 0.08, faultKinds: ['429'], faultSeed: 7, burstLength: 2 });
    try {
      const rows = Array.from({ length: 3000 }, (_, i) => ({ accountid: guid(i + 1, '4290'), name: `thr-${i}` }));
      const t0 = performance.now();
      const ids = await throttled.createMultiple('accounts', 'account', rows);
      const ms = performance.now() - t0;
      expect(ids).toHaveLength(3000);
      const stats = limiter.stats();
      expect(stats.throttles).toBeGreaterThan(0);
      expect(stats.decreases).toBeGreaterThan(0);
      console.info(`[clients] Dataverse 429 run: 30 chunks, ${stats.throttles} throttles, ${stats.decreases} halvings, final limit ${stats.limit}, ${Math.round(ms)} ms`);
    } finally {
      await patchKnobs(sb.info.dataverse.url, { faultRate: 0 });
    }
    const back = await dv.retrieveAll('accounts', { select: ['accountid'], filter: filter.startswith('name', 'thr-') });
    expect(back).toHaveLength(3000);
  });

  it('adapts to the concurrent-request limit (service protection, not injected faults)', async () => {
    const limiter = new AdaptiveLimiter({ initial: 16, max: 52 });
    const http = httpClient(sb.info.dataverse.apiBase, auth, { maxRetries: 0 });
    const plain = new DataverseClient({ http, auth });
    await patchKnobs(sb.info.dataverse.url, { limits: { concurrent: 4 }, latencyMs: 15 });
    try {
      const ids = Array.from({ length: 20 }, (_, i) => guid(i + 1, 'c0c0'));
      const made = await limiter.map(ids, (id) => plain.create('accounts', { name: `conc-${id.slice(-2)}` }, { id }));
      expect(made.map((m) => m.id)).toEqual(ids);
      const s = limiter.stats();
      // 16 at once against a limit of 4: the service refuses some, the limiter halves (16 → 8 → 4 …) and finishes.
      expect(s.throttles).toBeGreaterThan(0);
      expect(s.limit).toBeLessThan(16);
    } finally {
      await patchKnobs(sb.info.dataverse.url, { limits: { concurrent: 52 }, latencyMs: 0 });
    }
  });
});
