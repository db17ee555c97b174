import { describe, expect, it } from 'vitest';
import { BC_TABLES, DV_ENTITIES, createCatalog, defaultCatalog } from '../../../main/integrations/sales/mappings/catalog';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';

describe('offline metadata catalogue', () => {
  it('knows every table, field, entity and attribute the defaults use (all option combinations)', () => {
    const missing: string[] = [];
    for (const pricing of ['legacy', 'pricelists'] as const)
      for (const unitGroups of [true, false])
        for (const orders of ['none', 'legacy', 'bidirectional'] as const)
          for (const m of defaultMappings({ pricing, unitGroups, orders, itemAvailability: true })) {
            const t = defaultCatalog.bcTable(m.bcTableId);
            if (!t || t.name !== m.bcTable) missing.push(`table ${m.bcTableId}`);
            if (!defaultCatalog.dvEntity(m.dataverseEntity)) missing.push(`entity ${m.dataverseEntity}`);
            if (!defaultCatalog.dvAttribute(m.dataverseEntity, m.integrationUidField)) missing.push(`${m.dataverseEntity}.${m.integrationUidField}`);
            for (const f of m.fields) {
              if (f.bcField && !defaultCatalog.bcField(m.bcTableId, f.bcField)) missing.push(`${m.bcTable}.${f.bcField}`);
              if (f.dataverseField && !defaultCatalog.dvAttribute(m.dataverseEntity, f.dataverseField)) missing.push(`${m.dataverseEntity}.${f.dataverseField}`);
            }
            for (const c of m.tableFilter.conditions) if (!defaultCatalog.bcField(m.bcTableId, c.field)) missing.push(`filter ${m.bcTable}.${c.field}`);
            for (const c of m.integrationTableFilter.conditions) if (!defaultCatalog.dvAttribute(m.dataverseEntity, c.attribute)) missing.push(`filter ${m.dataverseEntity}.${c.attribute}`);
          }
    expect([...new Set(missing)]).toEqual([]);
  });

  it('carries field numbers, types, lengths and relations', () => {
    expect(defaultCatalog.bcField(18, 'Payment Terms Code')).toEqual({ no: 27, name: 'Payment Terms Code', type: 'Code', length: 10, relation: [3] });
    expect(defaultCatalog.bcField('Item', 'inventory')).toMatchObject({ no: 68, type: 'Decimal', flowField: true });
    expect(defaultCatalog.bcField(156, 'Base Unit of Measure')).toMatchObject({ no: 18, length: 10 });
    expect(defaultCatalog.bcField(36, 'Status')!.options).toEqual(['Open', 'Released', 'Pending Approval', 'Pending Prepayment']);
    expect(defaultCatalog.bcField(18, 'Blocked')!.options).toEqual([' ', 'Ship', 'Invoice', 'All']);
  });

  it('carries the Dataverse option sets with their values (reference §C.4, §H)', () => {
    const labels = (e: string, a: string) => defaultCatalog.dvAttribute(e, a)!.options!.map((o) => `${o.value} ${o.label}`);
    expect(labels('account', 'paymenttermscode')).toEqual(['1 Net 30', '2 2% 10; Net 30', '3 Net 45', '4 Net 60']);
    expect(labels('account', 'address1_freighttermscode')).toEqual(['1 FOB', '2 No Charge']);
    expect(labels('account', 'address1_shippingmethodcode')).toEqual(['1 Airborne', '2 DHL', '3 FedEx', '4 UPS', '5 Postal Mail', '6 Full Load', '7 Will Call']);
    expect(labels('account', 'customertypecode')).toEqual(expect.arrayContaining(['3 Customer', '11 Vendor']));
    expect(labels('product', 'producttypecode')).toEqual(expect.arrayContaining(['1 Sales Inventory', '3 Services']));
    expect(defaultCatalog.dvAttribute('account', 'primarycontactid')).toEqual({ name: 'primarycontactid', type: 'Lookup', targets: ['contact'] });
    expect(defaultCatalog.dvEntity('transactioncurrency')!.entitySetName).toBe('transactioncurrencies');
  });

  it('has no duplicate field numbers or names per table, nor duplicate attributes per entity', () => {
    for (const t of BC_TABLES) {
      expect(new Set(t.fields.map((f) => f.no)).size, t.name).toBe(t.fields.length);
      expect(new Set(t.fields.map((f) => f.name.toLowerCase())).size, t.name).toBe(t.fields.length);
    }
    for (const e of DV_ENTITIES) expect(new Set(e.attributes.map((a) => a.name)).size, e.logicalName).toBe(e.attributes.length);
  });

  it('can be replaced by a live catalogue', () => {
    const c = createCatalog([{ id: 50100, name: 'Thing', fields: [{ no: 1, name: 'Code', type: 'Code', length: 20 }] }], []);
    expect(c.bcField(50100, 'code')!.no).toBe(1);
    expect(c.bcTable(18)).toBeUndefined();
  });
});
