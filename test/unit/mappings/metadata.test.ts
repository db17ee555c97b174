import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import metadataMigration from '../../../main/db/migrations/0006_metadata_cache';
import { HttpClient } from '../../../main/http/client';
import { BC_TABLES, defaultCatalog } from '../../../main/integrations/sales/mappings/catalog';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import {
  BC_API_TABLES, CountNotExpressibleError, bcFilterToApiOData, catalogStatus, dvAttributeType, loadCatalog, overlayBcTables, parseCsdl, refreshCatalog,
  type BcApiEntity, type MetadataDeps,
} from '../../../main/integrations/sales/mappings/metadata';
import { validateMappings } from '../../../main/integrations/sales/mappings/validate';

/** A tiny Dataverse / BC API behind a fake fetch: just the metadata routes refreshCatalog reads. */
type Route = (path: string) => { status: number; body: unknown; type?: string } | undefined;
function setup(route: Route, kind: 'dataverse' | 'bc-online' = 'dataverse') {
  const db = new Database(':memory:');
  db.exec(metadataMigration.sql);
  const requests: string[] = [];
  const base = kind === 'dataverse' ? 'https://org.example.com/api/data/v9.2/' : 'https://bc.example.com/v2.0/t/prod/api/v2.0/';
  const fetch = async (url: string) => {
    const path = decodeURIComponent(url.slice(base.length));
    requests.push(path);
    const r = route(path) ?? { status: 404, body: { error: { code: '0x80060888', message: `Resource not found for the segment '${path}'.` } } };
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    return new Response(text, { status: r.status, headers: { 'content-type': r.type ?? 'application/json' } });
  };
  let tick = Date.parse('2026-11-23T10:00:00Z');
  const deps: MetadataDeps = {
    db: db as never,
    now: () => new Date((tick += 60_000)),
    connections: {
      store: { get: async (id: string) => ({ profile: { id, kind, name: `profile ${id}`, company: null } }) } as never,
      httpClientFor: async () => new HttpClient({ baseUrl: base, fetch, maxRetries: 0 }),
    },
  };
  return { db, deps, requests };
}

const productAttributes = [
  { LogicalName: 'productid', AttributeType: 'Uniqueidentifier' },
  { LogicalName: 'name', AttributeType: 'String' },
  { LogicalName: 'producttypecode', AttributeType: 'Picklist' },
  { LogicalName: 'quantitydecimal', AttributeType: 'BigInt' },
  { LogicalName: 'defaultuomid', AttributeType: 'Lookup' },
  { LogicalName: 'name_virtual', AttributeType: 'Virtual' },
];
const tinyDataverse: Route = (p) => {
  if (p.startsWith("EntityDefinitions(LogicalName='product')?")) return { status: 200, body: { LogicalName: 'product', EntitySetName: 'products', PrimaryIdAttribute: 'productid' } };
  if (p.startsWith("EntityDefinitions(LogicalName='product')/Attributes?")) return { status: 200, body: { value: productAttributes } };
  if (p.includes('StringAttributeMetadata')) return { status: 200, body: { value: [{ LogicalName: 'name', MaxLength: 50 }] } };
  if (p.includes('LookupAttributeMetadata')) return { status: 200, body: { value: [{ LogicalName: 'defaultuomid', Targets: ['uom'] }] } };
  if (p.includes('PicklistAttributeMetadata'))
    return { status: 200, body: { value: [{ LogicalName: 'producttypecode', OptionSet: { Options: [{ Value: 1, Label: { UserLocalizedLabel: { Label: 'Sales Inventory' } } }] } }] } };
  return undefined; // every other entity (and the Memo cast) is "not found"
};

describe('refreshCatalog + loadCatalog (Dataverse)', () => {
  it('caches what the org reports, with a timestamp, and validation then uses it with no network', async () => {
    const { db, deps, requests } = setup(tinyDataverse);
    const r = await refreshCatalog(deps, 'p1', ['product', 'nosuchentity']);
    expect(r).toEqual({ side: 'dataverse', entities: ['product'], missing: ['nosuchentity'], fetchedAt: '2026-11-23T10:01:00.000Z' });
    const rows = db.prepare('SELECT entity, fetched_at FROM metadata_cache WHERE profile_id = ? ORDER BY entity').all('p1');
    expect(rows).toEqual([{ entity: 'nosuchentity', fetched_at: r.fetchedAt }, { entity: 'product', fetched_at: r.fetchedAt }]);

    const sent = requests.length;
    const { catalog, fetchedAt } = loadCatalog(deps.db, 'p1');
    expect(requests.length).toBe(sent);
    expect(fetchedAt).toBe(r.fetchedAt);
    expect(catalog.dvAttribute('product', 'name')).toEqual({ name: 'name', type: 'String', maxLength: 50 });
    expect(catalog.dvAttribute('product', 'quantitydecimal')?.type).toBe('Integer');
    expect(catalog.dvAttribute('product', 'defaultuomid')).toEqual({ name: 'defaultuomid', type: 'Lookup', targets: ['uom'] });
    expect(catalog.dvAttribute('product', 'producttypecode')?.options).toEqual([{ value: 1, label: 'Sales Inventory' }]);
    expect(catalog.dvAttribute('product', 'name_virtual')).toBeUndefined();
    // Never fetched: the built-in entity stays; fetched and absent: gone.
    expect(catalog.dvEntity('account')).toBe(defaultCatalog.dvEntity('account'));
    expect(catalog.dvEntity('nosuchentity')).toBeUndefined();

    // The built-in catalogue has product.vendorid, this org does not: the default ITEM-PRODUCT mapping gets a finding.
    const item = defaultMappings({}).find((m) => m.name === 'ITEM-PRODUCT')!;
    const unknown = (c?: typeof catalog) => validateMappings([item], c ? { catalog: c } : {}).filter((f) => f.code === 'UNKNOWN_DV_FIELD').map((f) => f.field);
    expect(unknown()).toEqual([]);
    expect(unknown(catalog)).toEqual(expect.arrayContaining(['Vendor No.->vendorid']));
  });

  it('falls back to the built-in catalogue for a profile with nothing cached', () => {
    const { deps } = setup(tinyDataverse);
    expect(loadCatalog(deps.db, 'never')).toMatchObject({ catalog: defaultCatalog, fetchedAt: null });
  });

  it('keeps the previous cache when a refresh fails, and reports the failure with a code', async () => {
    let denied = false;
    const { db, deps } = setup((p) => (denied ? { status: 403, body: { error: { code: '0x80040220', message: 'Principal user is missing prvReadEntity privilege.' } } } : tinyDataverse(p)));
    const first = await refreshCatalog(deps, 'p1', ['product']);
    denied = true;
    await expect(refreshCatalog(deps, 'p1', ['product'])).rejects.toMatchObject({ code: 'MAPPING_METADATA_FETCH_FAILED', message: expect.stringContaining('prvReadEntity') });
    expect(db.prepare('SELECT fetched_at FROM metadata_cache WHERE profile_id = ?').all('p1')).toEqual([{ fetched_at: first.fetchedAt }]);
    expect(catalogStatus(deps.db)).toEqual([{ profileId: 'p1', side: 'dataverse', entities: 1, oldestFetchedAt: first.fetchedAt, fetchedAt: first.fetchedAt }]);
  });

  it('refuses a connection that is neither Dataverse nor BC', async () => {
    const { deps } = setup(tinyDataverse);
    deps.connections.store = { get: async () => ({ profile: { kind: 'graph', name: 'Teams', company: null } }) } as never;
    await expect(refreshCatalog(deps, 'g', [])).rejects.toMatchObject({ code: 'MAPPING_METADATA_WRONG_KIND' });
  });

  it('maps attribute types: known ones kept, BigInt as Integer, unmappable ones dropped', () => {
    expect(dvAttributeType('Money')).toBe('Money');
    expect(dvAttributeType('BigInt')).toBe('Integer');
    for (const t of ['Virtual', 'ManagedProperty', 'PartyList', 'CalendarRules', 'Image']) expect(dvAttributeType(t)).toBeNull();
  });
});

// ---- BC ------------------------------------------------------------------------------------------

const xmlEscape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
function csdl(entities: BcApiEntity[]): string {
  const types = entities.map((e) => `<EntityType Name="${xmlEscape(e.entityType)}"><Key><PropertyRef Name="id"/></Key>${e.properties
    .map((p) => `<Property Name="${xmlEscape(p.name)}" Type="${xmlEscape(p.type)}"${p.maxLength !== undefined ? ` MaxLength="${p.maxLength}"` : ''}/>`).join('')}</EntityType>`);
  const sets = entities.map((e) => `<EntitySet Name="${xmlEscape(e.entitySet)}" EntityType="Microsoft.NAV.${xmlEscape(e.entityType)}"/>`);
  return `<?xml version="1.0"?><edmx:Edmx Version="4.0"><edmx:DataServices><Schema Namespace="Microsoft.NAV">${types.join('')}<EntityContainer Name="NAV">${sets.join('')}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}
const ident = fc.stringMatching(/^[a-z][A-Za-z0-9]{0,15}$/);
const apiEntities = fc.uniqueArray(
  fc.record({
    entitySet: ident,
    entityType: ident,
    properties: fc.uniqueArray(fc.record({ name: ident, type: fc.constantFrom('Edm.String', 'Edm.Decimal', 'Edm.Guid', 'Edm.Boolean'), maxLength: fc.option(fc.integer({ min: 1, max: 2048 }), { nil: undefined }) }, { requiredKeys: ['name', 'type'] }), { selector: (p) => p.name, maxLength: 8 }),
  }),
  { selector: (e) => e.entityType, maxLength: 6 },
).map((es) => es.filter((e, i) => es.findIndex((x) => x.entitySet === e.entitySet) === i));

describe('BC API metadata', () => {
  it('parseCsdl reads back every entity set and property a CSDL document declares (property)', () => {
    fc.assert(fc.property(apiEntities, (es) => {
      const strip = (e: BcApiEntity) => ({ ...e, properties: e.properties.map((p) => (p.maxLength === undefined ? { name: p.name, type: p.type } : p)) });
      expect(parseCsdl(csdl(es))).toEqual(es.map(strip));
    }));
  });

  it('overlays API lengths on text fields it maps, and nothing else (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 250 }), fc.integer({ min: 1, max: 250 }), (numberLen, nameLen) => {
      const api: BcApiEntity[] = [{ entitySet: 'items', entityType: 'item', properties: [
        { name: 'number', type: 'Edm.String', maxLength: numberLen }, { name: 'displayName', type: 'Edm.String', maxLength: nameLen },
        { name: 'blocked', type: 'Edm.Boolean', maxLength: 7 },
      ] }];
      const tables = overlayBcTables(BC_TABLES, api);
      const item = tables.find((t) => t.id === 27)!;
      expect(item.fields.find((f) => f.name === 'No.')!.length).toBe(numberLen);
      expect(item.fields.find((f) => f.name === 'Description')!.length).toBe(nameLen);
      expect(item.fields.find((f) => f.name === 'Blocked')).toEqual(BC_TABLES.find((t) => t.id === 27)!.fields.find((f) => f.name === 'Blocked'));
      expect(tables.filter((t) => t.id !== 27)).toEqual(BC_TABLES.filter((t) => t.id !== 27));
    }));
  });

  it('refreshCatalog stores one row per API entity set from $metadata', async () => {
    const es: BcApiEntity[] = [{ entitySet: 'items', entityType: 'item', properties: [{ name: 'number', type: 'Edm.String', maxLength: 30 }] },
      { entitySet: 'customers', entityType: 'customer', properties: [{ name: 'displayName', type: 'Edm.String', maxLength: 100 }] }];
    const { deps } = setup((p) => (p === '$metadata' ? { status: 200, body: csdl(es), type: 'application/xml' } : undefined), 'bc-online');
    const r = await refreshCatalog(deps, 'bc1');
    expect(r.entities.sort()).toEqual(['customers', 'items']);
    const loaded = loadCatalog(deps.db, 'bc1');
    expect(loaded.catalog.bcField(27, 'No.')?.length).toBe(30);
    expect(loaded.bcApi.map((e) => e.entitySet).sort()).toEqual(['customers', 'items']);
  });
});

describe('bcFilterToApiOData', () => {
  const unescape = (lit: string) => {
    expect(lit.startsWith("'") && lit.endsWith("'")).toBe(true);
    const inner = lit.slice(1, -1);
    expect(inner.replaceAll("''", '')).not.toContain("'"); // every quote inside is doubled
    return inner.replaceAll("''", "'");
  };

  it('writes text values as escaped OData literals that decode to the same value (property)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 40 }), (v) => {
      const r = bcFilterToApiOData(27, { conditions: [{ field: 'Description', op: 'eq', values: [v] }] });
      expect(r.entitySet).toBe('items');
      const m = /^displayName eq ('.*')$/s.exec(r.filter);
      expect(m).not.toBeNull();
      expect(unescape(m![1]!)).toBe(v);
    }));
  });

  it('joins conditions with and, in-lists with or, upper-cases Code values, translates Boolean and Option values', () => {
    expect(bcFilterToApiOData(27, { conditions: [{ field: 'Blocked', op: 'eq', values: ['No'] }, { field: 'No.', op: 'in', values: ['a1', "b'2"] }] }).filter)
      .toBe("blocked eq false and (number eq 'A1' or number eq 'B''2')");
    expect(bcFilterToApiOData(18, { conditions: [{ field: 'Blocked', op: 'ne', values: [' '] }] }).filter).toBe("blocked ne '_'");
    expect(bcFilterToApiOData(18, { conditions: [] })).toEqual({ entitySet: 'customers', filter: '' });
  });

  it('refuses what the API cannot express, naming the reason', () => {
    const no = (tableId: number, field: string, value: string, live: BcApiEntity[] = []) => {
      try {
        bcFilterToApiOData(tableId, { conditions: [{ field, op: 'eq', values: [value] }] }, live);
        return null;
      } catch (x) {
        expect(x).toBeInstanceOf(CountNotExpressibleError);
        return (x as Error).message;
      }
    };
    expect(no(5050, 'No.', 'x')).toMatch(/no standard API entity/);
    expect(no(36, 'No.', 'x')).toMatch(/no standard API entity/);
    expect(no(27, 'Inventory Posting Group', 'x')).toMatch(/does not expose/);
    expect(no(27, 'Blocked', 'maybe')).toMatch(/Yes or No/);
    expect(no(27, 'Unit Price', '1,5')).toMatch(/not a number/);
    expect(no(18, 'Blocked', 'Sometimes')).toMatch(/not an option/);
    // The connection's API lacks the property: say so rather than send a filter BC rejects.
    expect(no(27, 'No.', 'x', [{ entitySet: 'items', entityType: 'item', properties: [{ name: 'displayName', type: 'Edm.String' }] }])).toMatch(/no number property/);
  });

  it('maps only fields that exist in the static catalogue', () => {
    for (const [id, t] of Object.entries(BC_API_TABLES)) {
      const table = BC_TABLES.find((x) => x.id === Number(id));
      expect(table, `table ${id}`).toBeDefined();
      for (const f of Object.keys(t.fields)) expect(table!.fields.some((x) => x.name === f), `${table!.name}.${f}`).toBe(true);
    }
  });
});
