/**
 * Metadata catalog against the real embedded sandbox: refresh from the demo Dataverse and BC profiles, the cache
 * rows and timestamps, offline validation after the sandbox is gone, and "count matching records" compared with an
 * independent count of the same rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { BusinessCentralClient } from '../../../main/clients/bc/client';
import { DataverseClient } from '../../../main/clients/dataverse/client';
import { DV_ENTITIES } from '../../../main/integrations/sales/mappings/catalog';
import type { TableMapping } from '../../../preload/contract/sales/mapping-model';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { quietLogger, tempDir } from '../../support/app';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox | null;
let cleanup: () => void;
let dvProfile: string;
let bcProfile: string;
let setId: string;

type Finding = { mapping: string; field: string | null; code: string; severity: string };
type View = { id: string; revision: number; findings: Finding[]; set: { mappings: TableMapping[] } };
const call = async <T = unknown>(method: string, payload: unknown = {}): Promise<T> => {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code });
  return r.value as T;
};
const code = (p: Promise<unknown>) => p.then(() => 'ok', (x: { code?: string }) => x.code ?? 'no code');

beforeAll(async () => {
  const t = tempDir();
  sandbox = await EmbeddedSandbox.start({ seed: 'demo' });
  app = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  cleanup = t.cleanup;
  const list = await call<{ id: string; name: string }[]>('connections.list');
  dvProfile = list.find((p) => p.name === 'Demo sandbox · Dataverse')!.id;
  bcProfile = list.find((p) => p.name === 'Demo sandbox · Business Central')!.id;
  setId = (await call<{ id: string }[]>('mappings.list'))[0]!.id;
}, 60_000);
afterAll(async () => {
  app.close();
  await sandbox?.close();
  cleanup();
});

const itemProduct = async () => (await call<View>('mappings.get', { id: setId })).set.mappings.find((m) => m.name === 'ITEM-PRODUCT')!;

describe('metadata catalog from the demo sandbox', () => {
  it('counts the ITEM-PRODUCT filter on Dataverse as the service holds the rows', async () => {
    const r = await call<{ count: number; filter: string; capped: boolean }>('mappings.countMatching', { profileId: dvProfile, side: 'dataverse', mapping: await itemProduct() });
    // Independent oracle: read every product and apply the default filter (Sales Inventory, active) here.
    const dv = new DataverseClient({ http: await app.connections.httpClientFor(dvProfile) });
    const all = await dv.retrieveAll<{ producttypecode: number; statecode: number }>('products', { select: ['producttypecode', 'statecode'] });
    const expected = all.filter((p) => p.producttypecode === 1 && p.statecode === 0).length;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(all.length + 1);
    expect(r.count).toBe(expected);
    expect(r.capped).toBe(false);
    expect(r.filter).toBe('producttypecode eq 1 and statecode eq 0');
  });

  it('counts the ITEM-PRODUCT table filter (Blocked = No) on BC, and a changed filter changes the count', async () => {
    const m = await itemProduct();
    const r = await call<{ count: number; entitySet: string }>('mappings.countMatching', { profileId: bcProfile, side: 'bc', mapping: m });
    const bc = new BusinessCentralClient({ http: await app.connections.httpClientFor(bcProfile) });
    const company = (await bc.companies())[0]!;
    const items = await bc.listAll<{ blocked: boolean; number: string }>(company.id, 'items');
    expect(r.entitySet).toBe('items');
    expect(r.count).toBe(items.filter((i) => !i.blocked).length);
    // A filter on one item number: exactly that row.
    const one = { ...m, tableFilter: { conditions: [{ field: 'No.', op: 'eq' as const, values: [items[0]!.number] }] } };
    expect((await call<{ count: number }>('mappings.countMatching', { profileId: bcProfile, side: 'bc', mapping: one })).count).toBe(1);
  });

  it('says clearly when a BC filter cannot be counted through the API, and when the side does not match the connection', async () => {
    const m = await itemProduct();
    const unsupported = { ...m, tableFilter: { conditions: [{ field: 'Inventory Posting Group', op: 'eq' as const, values: ['RESALE'] }] } };
    expect(await code(call('mappings.countMatching', { profileId: bcProfile, side: 'bc', mapping: unsupported }))).toBe('MAPPING_COUNT_UNSUPPORTED');
    expect(await code(call('mappings.countMatching', { profileId: dvProfile, side: 'bc', mapping: m }))).toBe('MAPPING_COUNT_WRONG_CONNECTION');
  });

  it('refreshes both sides into the cache with a timestamp', async () => {
    const before = Date.now();
    const dv = await call<{ side: string; entities: string[]; missing: string[]; fetchedAt: string }>('mappings.refreshCatalog', { profileId: dvProfile });
    expect(dv.side).toBe('dataverse');
    expect(dv.entities).toEqual(expect.arrayContaining(['account', 'product', 'salesorder']));
    expect(Date.parse(dv.fetchedAt)).toBeGreaterThanOrEqual(before - 1000);
    const bc = await call<{ side: string; entities: string[] }>('mappings.refreshCatalog', { profileId: bcProfile });
    expect(bc.side).toBe('bc');
    expect(bc.entities).toEqual(expect.arrayContaining(['customers', 'items']));

    const status = await call<{ profileId: string; side: string; entities: number; fetchedAt: string }[]>('mappings.catalogStatus');
    expect(status.find((s) => s.profileId === dvProfile)).toMatchObject({ side: 'dataverse', entities: dv.entities.length + dv.missing.length, fetchedAt: dv.fetchedAt });
    expect(status.find((s) => s.profileId === bcProfile)).toMatchObject({ side: 'bc', entities: bc.entities.length });
    const rows = app.db.prepare('SELECT side, entity, fetched_at FROM metadata_cache WHERE profile_id = ?').all(dvProfile) as { entity: string; fetched_at: string }[];
    expect(rows.map((r) => r.entity)).toEqual(expect.arrayContaining(['product']));
    expect(new Set(rows.map((r) => r.fetched_at))).toEqual(new Set([dv.fetchedAt]));
  });

  it('validates offline against the cached org metadata once the sandbox is gone', async () => {
    await sandbox!.close();
    sandbox = null;
    // The org has no product.vendorid although the built-in catalogue does: only the live catalog can say so.
    expect(DV_ENTITIES.find((e) => e.logicalName === 'product')!.attributes.some((a) => a.name === 'vendorid')).toBe(true);
    const builtIn = await call<View>('mappings.get', { id: setId, catalogProfileId: null });
    const offline = await call<View>('mappings.get', { id: setId, catalogProfileId: dvProfile });
    const vendorFinding = (v: View) => v.findings.find((f) => f.mapping === 'ITEM-PRODUCT' && f.code === 'UNKNOWN_DV_FIELD' && f.field?.endsWith('vendorid'));
    expect(vendorFinding(builtIn)).toBeUndefined();
    expect(vendorFinding(offline)).toMatchObject({ severity: 'error' });

    // The choice sticks for later views (an edit returns the view validated the same way).
    const m = offline.set.mappings.find((x) => x.name === 'ITEM-PRODUCT')!;
    const f = m.fields.find((x) => x.dataverseField === 'name')!;
    const edited = await call<View>('mappings.apply', {
      id: setId, revision: offline.revision, changes: [{ op: 'addField', mapping: 'ITEM-PRODUCT', field: { ...f, dataverseField: 'nav_notacolumn' } }],
    });
    expect(edited.findings.some((x) => x.mapping === 'ITEM-PRODUCT' && x.code === 'UNKNOWN_DV_FIELD' && x.field?.includes('nav_notacolumn'))).toBe(true);
    expect(vendorFinding(edited)).toBeDefined();

    // Refreshing needs the network: it fails with a clear code and leaves the cache as it was.
    expect(await code(call('mappings.refreshCatalog', { profileId: dvProfile }))).toBe('MAPPING_METADATA_FETCH_FAILED');
    expect(vendorFinding(await call<View>('mappings.get', { id: setId }))).toBeDefined();
  }, 30_000);
});
