import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import type { FieldMapping, TableMapping } from '../../../preload/contract/sales/mapping-model';
import { MAPPING_DEFAULT_FIELD, fieldKey } from '../../../preload/contract/sales/mapping-model';
import type { Finding } from '../../../main/integrations/sales/mappings/validate';
import { validateMappings } from '../../../main/integrations/sales/mappings/validate';
import { options } from './arbitraries';

const SEED = { pricing: 'legacy', unitGroups: false, orders: 'legacy' } as const;
const fresh = () => defaultMappings(SEED);
const get = (ms: TableMapping[], name: string) => ms.find((m) => m.name === name)!;
const errors = (ms: TableMapping[]) => validateMappings(ms).filter((f) => f.severity === 'error');
const codes = (fs: Finding[]) => fs.map((f) => `${f.mapping}/${f.field ?? ''}/${f.code}`);
const fm = (bc: string | null, dv: string | null, direction: FieldMapping['direction'], extra: Partial<FieldMapping> = {}): FieldMapping =>
  ({ ...MAPPING_DEFAULT_FIELD, bcField: bc, dataverseField: dv, direction, ...extra });

describe('validateMappings', () => {
  it('every default set (any option combination) has no errors', () => {
    fc.assert(fc.property(options, (o) => {
      expect(codes(errors(defaultMappings(o)))).toEqual([]);
    }), { numRuns: 60 });
  });

  it('every finding names severity, mapping, code, message and fix', () => {
    const ms = fresh();
    get(ms, 'CUSTOMER').fields.push(fm('Nope', 'name2', 'Bidirectional'));
    for (const f of validateMappings(ms)) {
      expect(['error', 'warning', 'info']).toContain(f.severity);
      expect(f.mapping).toBeTruthy();
      expect(f.code).toMatch(/^[A-Z_]+$/);
      expect(f.message.length).toBeGreaterThan(10);
      expect(f.fix.length).toBeGreaterThan(5);
    }
  });

  it('unknown BC fields and Dataverse attributes', () => {
    const ms = fresh();
    get(ms, 'CUSTOMER').fields.push(fm('Colour', 'name', 'Bidirectional'), fm('Name', 'nickname', 'Bidirectional'));
    expect(codes(errors(ms))).toEqual(['CUSTOMER/Colour->name/UNKNOWN_BC_FIELD', 'CUSTOMER/Name->nickname/UNKNOWN_DV_FIELD']);
  });

  it('option ↔ text is refused both ways; a code becomes an option only through an option mapping', () => {
    const ms = fresh();
    const c = get(ms, 'CUSTOMER');
    c.fields.push(fm('Blocked', 'name', 'ToIntegrationTable'), fm('Name', 'customertypecode', 'ToIntegrationTable'));
    expect(codes(errors(ms))).toEqual(['CUSTOMER/Blocked->name/OPTION_TEXT', 'CUSTOMER/Name->customertypecode/OPTION_TEXT']);
    const without = fresh().filter((m) => m.name !== 'PAYMENT TERMS');
    expect(codes(errors(without))).toContain('CUSTOMER/Payment Terms Code->paymenttermscode/OPTION_NOT_MAPPED');
  });

  it('lookup ↔ code needs a coupled table mapping for the related table', () => {
    const ms = fresh().filter((m) => m.name !== 'CURRENCY');
    for (const d of ms) d.dependencyFilter = d.dependencyFilter.filter((x) => x !== 'CURRENCY');
    const found = codes(errors(ms));
    expect(found).toContain('CUSTOMER/Currency Code->transactioncurrencyid/LOOKUP_NOT_COUPLED');
    expect(found).toContain('CONTACT/Currency Code->transactioncurrencyid/LOOKUP_NOT_COUPLED');
    const ms2 = fresh();
    get(ms2, 'CUSTOMER').fields.push(fm('Name', 'primarycontactid', 'ToIntegrationTable'));
    expect(codes(errors(ms2))).toEqual(['CUSTOMER/Name->primarycontactid/LOOKUP_NEEDS_CODE']);
  });

  it('type mismatch between number and text', () => {
    const ms = fresh();
    get(ms, 'CUSTOMER').fields.push(fm('Credit Limit (LCY)', 'telephone1', 'ToIntegrationTable'));
    expect(codes(errors(ms))).toEqual(['CUSTOMER/Credit Limit (LCY)->telephone1/TYPE_MISMATCH']);
  });

  it('direction conflicts: a From field on a To table is an error, Bidirectional on a To table a warning', () => {
    const ms = fresh();
    const cur = get(ms, 'CURRENCY');
    cur.fields[1] = { ...cur.fields[1]!, direction: 'FromIntegrationTable' };
    cur.fields[2] = { ...cur.fields[2]!, direction: 'Bidirectional' };
    const f = validateMappings(ms).filter((x) => x.mapping === 'CURRENCY' && x.severity !== 'info');
    expect(codes(f)).toEqual(['CURRENCY/Symbol->currencysymbol/DIRECTION_CONFLICT', 'CURRENCY/Description->currencyname/FIELD_WIDER_THAN_TABLE']);
  });

  it('a table direction with no enabled field in that direction is an error', () => {
    const ms = fresh();
    const sp = get(ms, 'SALESPEOPLE');
    sp.fields = sp.fields.map((f) => ({ ...f, status: 'Disabled' as const }));
    expect(codes(errors(ms))).toEqual(['SALESPEOPLE//NO_FIELD_FOR_DIRECTION']);
  });

  it('option mappings set Bidirectional are refused', () => {
    const ms = fresh();
    get(ms, 'PAYMENT TERMS').direction = 'Bidirectional';
    expect(codes(errors(ms))).toEqual(['PAYMENT TERMS//OPTION_BIDIRECTIONAL']);
  });

  it('missing dependencies, self-dependency and cycles (reported once per cycle, with the path)', () => {
    const ms = fresh();
    get(ms, 'OPPORTUNITY').dependencyFilter.push('GHOST');
    get(ms, 'CURRENCY').dependencyFilter = ['CURRENCY'];
    expect(codes(errors(ms))).toEqual(['CURRENCY//SELF_DEPENDENCY', 'OPPORTUNITY//MISSING_DEPENDENCY']);
    const cyc = fresh();
    get(cyc, 'CUSTOMER').dependencyFilter.push('CONTACT');
    const e = errors(cyc).filter((x) => x.code === 'DEPENDENCY_CYCLE');
    expect(e).toHaveLength(1);
    expect(e[0]!.message).toMatch(/CONTACT → CUSTOMER → CONTACT|CUSTOMER → CONTACT → CUSTOMER/);
  });

  it('a lookup whose mapping is outside the dependency chain is a warning', () => {
    const ms = fresh();
    get(ms, 'SALESPRC-PRODPRICE').dependencyFilter = ['ITEM-PRODUCT'];
    const w = validateMappings(ms).filter((x) => x.code === 'LOOKUP_DEPENDENCY');
    // CURRENCY was only reachable through CUSTPRCGRP-PRICE, so both references lose their ordering guarantee.
    expect(codes(w)).toEqual(['SALESPRC-PRODPRICE/Sales Code->pricelevelid/LOOKUP_DEPENDENCY', 'SALESPRC-PRODPRICE/Currency Code->transactioncurrencyid/LOOKUP_DEPENDENCY']);
  });

  it('filters that can never match: eq A and eq B, eq X and ne X, contradicting ranges', () => {
    const ms = fresh();
    const so = get(ms, 'SALESORDER-ORDER');
    so.tableFilter.conditions.push({ field: 'Status', op: 'eq', values: ['Open'] });
    get(ms, 'ITEM-PRODUCT').integrationTableFilter.conditions.push({ attribute: 'statecode', op: 'ne', values: [0] });
    get(ms, 'RESOURCE-PRODUCT').integrationTableFilter.conditions.push({ attribute: 'quantityonhand', op: 'gt', values: [10] }, { attribute: 'quantityonhand', op: 'lt', values: [5] });
    expect(codes(errors(ms))).toEqual(['RESOURCE-PRODUCT/quantityonhand/FILTER_NEVER_MATCHES', 'ITEM-PRODUCT/statecode/FILTER_NEVER_MATCHES', 'SALESORDER-ORDER/Status/FILTER_NEVER_MATCHES']);
    // Overlapping alternatives still match something.
    const ok = fresh();
    get(ok, 'OPPORTUNITY').tableFilter.conditions.push({ field: 'Status', op: 'in', values: ['In Progress', 'Won'] });
    expect(errors(ok)).toEqual([]);
  });

  it('filter values must fit the field: option members, booleans, option-set numbers, unknown fields', () => {
    const ms = fresh();
    get(ms, 'SALESORDER-ORDER').tableFilter.conditions[1] = { field: 'Status', op: 'eq', values: ['Shipped'] };
    get(ms, 'ITEM-PRODUCT').tableFilter.conditions[0] = { field: 'Blocked', op: 'eq', values: ['Maybe'] };
    get(ms, 'CUSTOMER').integrationTableFilter.conditions[1] = { attribute: 'customertypecode', op: 'eq', values: [99] };
    get(ms, 'VENDOR').integrationTableFilter.conditions.push({ attribute: 'colour', op: 'eq', values: ['red'] });
    expect(codes(errors(ms)).sort()).toEqual([
      'CUSTOMER/customertypecode/FILTER_BAD_VALUE', 'ITEM-PRODUCT/Blocked/FILTER_BAD_VALUE', 'SALESORDER-ORDER/Status/FILTER_BAD_VALUE', 'VENDOR/colour/FILTER_UNKNOWN_FIELD',
    ]);
  });

  it('constants: missing, wrong direction, invalid for the target, ignored', () => {
    const ms = fresh();
    const c = get(ms, 'CONTACT');
    c.fields.push(fm(null, 'pager', 'ToIntegrationTable'));
    c.fields = c.fields.map((f) => (f.bcField === 'Type' ? { ...f, constant: 'Robot' } : f.dataverseField === 'parentcustomeridtype' ? { ...f, direction: 'Bidirectional' as const } : f));
    const line = get(ms, 'POSTEDSALESLINE-INV');
    line.fields = line.fields.map((f) => (f.dataverseField === 'ispriceoverridden' ? { ...f, constant: 'sometimes' } : f));
    expect(codes(errors(ms)).sort()).toEqual([
      'CONTACT/->pager/CONSTANT_MISSING'.replace('/->', '/=->'),
      'CONTACT/=->parentcustomeridtype/CONSTANT_DIRECTION',
      'CONTACT/Type->=/CONSTANT_INVALID',
      'POSTEDSALESLINE-INV/=->ispriceoverridden/CONSTANT_INVALID',
    ].sort());
    const ms2 = fresh();
    const f0 = get(ms2, 'CURRENCY').fields[1]!;
    get(ms2, 'CURRENCY').fields[1] = { ...f0, constant: 'X' };
    expect(codes(validateMappings(ms2).filter((x) => x.code === 'CONSTANT_IGNORED'))).toEqual([`CURRENCY/${fieldKey(f0)}/CONSTANT_IGNORED`]);
  });

  it('FlowFields cannot receive values; Clear Value and Not Null contradict', () => {
    const ms = fresh();
    const item = get(ms, 'ITEM-PRODUCT');
    item.fields = item.fields.map((f) => (f.bcField === 'Inventory' ? { ...f, direction: 'Bidirectional' as const } : f));
    const cust = get(ms, 'CUSTOMER');
    cust.fields = cust.fields.map((f) => (f.bcField === 'Primary Contact No.' ? { ...f, notNull: true } : f));
    expect(codes(errors(ms))).toEqual(['CUSTOMER/Primary Contact No.->primarycontactid/CLEAR_AND_NOT_NULL', 'ITEM-PRODUCT/Inventory->quantityonhand/FLOWFIELD_TARGET']);
  });

  it('Clear Value and Not Null on non-lookup destinations are warnings', () => {
    const ms = fresh();
    const cust = get(ms, 'CUSTOMER');
    cust.fields = cust.fields.map((f) => (f.bcField === 'Name' ? { ...f, clearValueOnFailedSync: true } : f.bcField === 'City' ? { ...f, notNull: true } : f));
    expect(codes(validateMappings(ms).filter((x) => x.severity === 'warning' && x.mapping === 'CUSTOMER'))).toEqual([
      'CUSTOMER/Name->name/CLEAR_VALUE_NON_LOOKUP', 'CUSTOMER/City->address1_city/NOT_NULL_NON_GUID',
    ]);
  });

  it('duplicates of mappings and field mappings', () => {
    const ms = fresh();
    ms.push(structuredClone(get(ms, 'CURRENCY')));
    const cur = get(ms, 'CURRENCY');
    cur.fields.push({ ...cur.fields[0]! });
    expect(codes(errors(ms))).toEqual(['CURRENCY//DUPLICATE_MAPPING', 'CURRENCY/Code->isocurrencycode/DUPLICATE_FIELD_MAPPING']);
  });

  it('tables outside the offline catalogue are warnings, not errors', () => {
    const ms = fresh();
    ms.push({ ...structuredClone(get(ms, 'CURRENCY')), name: 'CUSTOM', bcTable: 'My Table', bcTableId: 50100, dataverseEntity: 'new_thing', dataverseEntitySet: 'new_things', dependencyFilter: [] });
    const f = validateMappings(ms).filter((x) => x.mapping === 'CUSTOM');
    expect(codes(f)).toEqual(['CUSTOM//UNKNOWN_BC_TABLE', 'CUSTOM//UNKNOWN_DV_ENTITY']);
  });

  it('validates the full default set in well under 200 ms', () => {
    const ms = [...defaultMappings({ ...SEED, itemAvailability: true }), ...defaultMappings({ pricing: 'pricelists', unitGroups: true, orders: 'bidirectional' }).filter((m) => ['UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM', 'PLHEADER-PRICE', 'PLLINE-PRODPRICE', 'SOLINE-ORDERDETAIL'].includes(m.name))];
    validateMappings(ms);
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) validateMappings(ms);
    expect((performance.now() - t0) / 10).toBeLessThan(200);
  });
});
