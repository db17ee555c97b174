/** carried.ts: what a connection carries with and without the companion extension, and why not (issue 18). */
import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import { bcEntityFor, companionImpact, fieldsNotCarried, runsWithoutCompanion, STANDARD_FALLBACK } from '../../../main/integrations/sales/sync/adapters/carried';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import { BC_ENTITIES } from '../../../main/integrations/sales/sync/adapters/entities';
import { COMPANION_CONTRACT } from '../../../main/integrations/sales/companion/contract';

const mapping = (name: string) => defaultMappings({ ownership: 'person' }).find((m) => m.name === name)!;
const reasons = (name: string, companionExtension: boolean) =>
  Object.fromEntries(fieldsNotCarried(mapping(name), { companionExtension, withRules: true }).map((f) => [`${f.bcField}→${f.dataverseField}`, f.reason]));

describe('fieldsNotCarried', () => {
  it('CUSTOMER: with the extension only what the console cannot carry anywhere; without it the Details-only fields need it', () => {
    expect(reasons('CUSTOMER', true)).toEqual({ 'Primary Contact No.→primarycontactid': 'notSupported' });
    expect(reasons('CUSTOMER', false)).toEqual({
      'Contact→address1_primarycontactname': 'needsCompanion', 'Fax No.→fax': 'needsCompanion', 'Shipment Method Code→address1_freighttermscode': 'needsCompanion',
      'Shipping Agent Code→address1_shippingmethodcode': 'needsCompanion', 'Payment Terms Code→paymenttermscode': 'needsCompanion',
      // Not carried on any connection: the extension would not help, so it stays "not supported".
      'Primary Contact No.→primarycontactid': 'notSupported',
    });
  });

  it('a table only the extension publishes: every field needs it, and the mapping cannot run', () => {
    expect(runsWithoutCompanion('Opportunity')).toBe(false);
    expect(bcEntityFor('Opportunity', false)).toBeNull();
    const r = Object.values(reasons('OPPORTUNITY', false));
    expect(r.length).toBeGreaterThan(0);
    expect(r.every((x) => x === 'needsCompanion' || x === 'notSupported')).toBe(true);
    expect(r).toContain('needsCompanion');
  });

  it('the standard fallbacks are v2.0 pages over fields the full entity has; every companion read set is in the contract', () => {
    for (const [table, e] of Object.entries(STANDARD_FALLBACK)) {
      expect(e.readApi, table).toBe('v2');
      for (const f of Object.keys(e.fields)) expect(BC_ENTITIES[table]?.fields[f], `${table}.${f}`).toBeDefined();
    }
    // Every companion read set the adapters use is in the contract.
    const sets = new Set(COMPANION_CONTRACT.entities.map((x) => x.entitySet));
    for (const e of Object.values(BC_ENTITIES)) if (e.readApi === 'custom') expect(sets.has(e.readSet), e.readSet).toBe(true);
  });

  it('adapterMappings drops exactly the fields fieldsNotCarried names, per connection', () => {
    const withExt = adapterMappings({ ownership: 'person' }, ['CUSTOMER'], { withRules: true })[0]!;
    const without = adapterMappings({ ownership: 'person' }, ['CUSTOMER'], { withRules: true, companionExtension: false })[0]!;
    expect(withExt.fields.map((f) => f.bcField)).toContain('Fax No.');
    expect(without.fields.map((f) => f.bcField)).not.toContain('Fax No.');
    expect(mapping('CUSTOMER').fields.length - without.fields.length).toBe(Object.keys(reasons('CUSTOMER', false)).length);
  });

  it('companionImpact lists what only the extension carries', () => {
    const impact = companionImpact(defaultMappings({ ownership: 'person' }));
    expect(impact.unavailable).toEqual(expect.arrayContaining(['OPPORTUNITY', 'POSTEDSALESINV-INV', 'RESOURCE-PRODUCT']));
    expect(impact.degraded.find((d) => d.mapping === 'ITEM-PRODUCT')?.fields).toEqual(['Unit Volume', 'Gross Weight']);
    expect(impact.degraded.find((d) => d.mapping === 'CUSTOMER')?.fields).not.toContain('Primary Contact No.');
  });
});
