/**
 * An independent OData v4 client (@odata/client, unmodified) against the Commerce sandbox: it fetches its own
 * client-credentials token from the identity sandbox, reads $metadata (parsed with fast-xml-parser) and every
 * entity set it declares, filters, counts, retrieves by key and writes the Teams mapping entity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OData } from '@odata/client';
import { XMLParser } from 'fast-xml-parser';
import { APP, startCommerce } from './helpers';
import type { Harness, Wire } from './helpers';

interface Mapping {
  SourceType: string;
  SourceId: string;
  TeamId?: string;
  PlanId?: string | null;
}

let h: Harness;
let client: ReturnType<typeof OData.New4>;

beforeAll(async () => {
  h = await startCommerce();
  client = OData.New4({
    serviceEndpoint: `${h.url}/data/`,
    credential: { clientId: APP.clientId, clientSecret: APP.clientSecret!, tokenUrl: h.identity.tokenEndpoint, tokenRetrieveType: 'form', scope: `${h.url}/.default` },
  });
});
afterAll(async () => {
  await h.close();
});

describe('@odata/client against the Commerce sandbox', () => {
  it('reads $metadata and every declared entity set', async () => {
    // The client's own request pipeline (token, headers); a non-JSON answer comes back as text.
    const xml = (await client.newRequest({ collection: '$metadata' })) as unknown as string;
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as Wire;
    const schema = doc['edmx:Edmx']['edmx:DataServices'].Schema;
    expect(schema.Namespace).toBe('Microsoft.Dynamics.DataEntities');
    const sets = ([] as Wire[]).concat(schema.EntityContainer.EntitySet);
    expect(sets.length).toBeGreaterThanOrEqual(17);
    const types = new Map<string, Wire>(([] as Wire[]).concat(schema.EntityType).map((t: Wire) => [t.Name, t]));
    for (const set of sets) {
      const type = types.get(String(set.EntityType).split('.').pop()!)!;
      const declared = ([] as Wire[]).concat(type.Property).map((p: Wire) => p.Name);
      const rows = await client.getEntitySet(set.Name).query(client.newOptions().top(2).custom('cross-company', 'true'));
      expect(Array.isArray(rows), set.Name).toBe(true);
      for (const r of rows) expect(Object.keys(r).filter((k) => !k.startsWith('@')), set.Name).toEqual(declared);
    }
  });

  it('filters, counts and retrieves by key', async () => {
    const stores = client.getEntitySet('RetailStores');
    const nl = await stores.query(client.newOptions().custom('cross-company', 'true').filter(client.newFilter().field('dataAreaId').eqString('nrnl')).select(['StoreNumber', 'Currency']));
    expect(nl).toHaveLength(10);
    expect(new Set(nl.map((s: Wire) => s.Currency))).toEqual(new Set(['EUR']));
    expect(await client.getEntitySet('Companies').count()).toBe(3);
    const user = await client.getEntitySet('SystemUsers').retrieve('admin');
    expect(user.UserID).toBe('admin');
    const store = await stores.retrieve({ dataAreaId: 'nrno', RetailChannelId: 'NR-001001' });
    expect(store.StoreNumber).toBe('001001');
  });

  it('works with the filters the client builds (its in() becomes eq/or) and surfaces F&O refusals as errors', async () => {
    const filter = client.newFilter().field('StoreNumber').in(['001001', '001002']);
    const rows = await client.getEntitySet('RetailStores').query(filter);
    expect(rows.map((r: Wire) => r.StoreNumber)).toEqual(['001001', '001002']);
    const refused = client.getEntitySet('OperatingUnits').query(client.newOptions().filter("contains(Name,'Oslo')"));
    await expect(refused).rejects.toThrow('An error has occurred.');
  });

  it('writes the Teams mapping entity', async () => {
    const mappings = client.getEntitySet<Mapping>('RetailTeamsSourceTeamMappings');
    const created = await mappings.create({ SourceType: 'RetailStore', SourceId: '001005', TeamId: '0b1c2d3e-4f50-4617-8283-94a5b6c7d8e9' });
    expect(created.SourceId).toBe('001005');
    await mappings.update({ SourceType: 'RetailStore', SourceId: '001005' }, { PlanId: 'plan-001005' });
    const read = await mappings.retrieve({ SourceType: 'RetailStore', SourceId: '001005' });
    expect(read.PlanId).toBe('plan-001005');
    await mappings.delete({ SourceType: 'RetailStore', SourceId: '001005' });
    expect(await mappings.count()).toBe(0);
  });
});
