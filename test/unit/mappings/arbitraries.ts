// fast-check generators shared by the mapping property tests.
import fc from 'fast-check';
import { defaultMappings } from '../../../main/integrations/sales/mappings/defaults';
import type { BcCondition, BcFilter, DvCondition, DvFilter, FieldMapping, MappingOptions, MappingSet, Review, TableMapping } from '../../../preload/contract/sales/mapping-model';
import { FIELD_PROPS, MappingSet as MappingSetSchema, fieldKey } from '../../../preload/contract/sales/mapping-model';

/** Printable text with every BC/OData metacharacter, quotes, edge spaces and non-ASCII letters. */
const chars = [...'abcXYZ09 -_./&|<>=*@()\',"é€ü😀%$#'];
export const text = (maxLength = 12) => fc.string({ unit: fc.constantFrom(...chars), maxLength });
export const nonEmptyText = (maxLength = 12) => fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength });

const bcFieldName = fc.string({ unit: fc.constantFrom(...'AbZ09 ./()-%'), minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s);
export const bcCondition: fc.Arbitrary<BcCondition> = fc.oneof(
  fc.record({ field: bcFieldName, op: fc.constantFrom('eq' as const, 'ne' as const), values: text(10).map((v) => [v]) }),
  fc.record({ field: bcFieldName, op: fc.constant('in' as const), values: fc.array(text(10), { minLength: 2, maxLength: 4 }) }),
);
export const bcFilter: fc.Arbitrary<BcFilter> = fc.record({ conditions: fc.array(bcCondition, { maxLength: 4 }) });

const attribute = fc.stringMatching(/^[a-z][a-z0-9_]{0,14}$/).filter((a) => a !== 'bcbi_companyid');
const dvValue = fc.oneof(
  fc.string({ maxLength: 10 }),
  text(10),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.boolean(),
  fc.constant(null),
);
export const dvCondition: fc.Arbitrary<DvCondition> = fc.oneof(
  fc.record({ attribute, op: fc.constantFrom('eq' as const, 'ne' as const, 'gt' as const, 'ge' as const, 'lt' as const, 'le' as const), values: dvValue.map((v) => [v]) }),
  fc.record({ attribute, op: fc.constant('in' as const), values: fc.array(dvValue, { minLength: 1, maxLength: 3 }) }),
);
export const dvFilter: fc.Arbitrary<DvFilter> = fc.record({ conditions: fc.array(dvCondition, { maxLength: 4 }), companyScoped: fc.boolean() });

export const options: fc.Arbitrary<MappingOptions> = fc.record({
  pricing: fc.constantFrom('legacy' as const, 'pricelists' as const),
  unitGroups: fc.boolean(),
  orders: fc.constantFrom('none' as const, 'legacy' as const, 'bidirectional' as const),
  ownership: fc.constantFrom('person' as const, 'team' as const),
  itemAvailability: fc.boolean(),
  bcVersion: fc.constantFrom(14, 15, 16, 20, 26),
  autoCreateSalesOrders: fc.boolean(),
  autoProcessSalesQuotes: fc.boolean(),
});

const fieldEdit = fc.record({
  prop: fc.constantFrom(...FIELD_PROPS),
  bool: fc.boolean(),
  str: nonEmptyText(10),
  n: fc.nat(20),
  dir: fc.constantFrom('Bidirectional' as const, 'ToIntegrationTable' as const, 'FromIntegrationTable' as const),
});
type FieldEdit = { prop: (typeof FIELD_PROPS)[number]; bool: boolean; str: string; n: number; dir: FieldMapping['direction'] };
function editField(f: FieldMapping, e: FieldEdit): FieldMapping {
  switch (e.prop) {
    case 'direction': return { ...f, direction: e.dir };
    case 'constant': return { ...f, constant: e.bool ? e.str : null };
    case 'transformationRule': return { ...f, transformationRule: e.bool ? e.str.slice(0, 20) : null };
    case 'transformationDirection': return { ...f, transformationDirection: e.bool ? 'ToIntegrationTable' : null };
    case 'status': return { ...f, status: e.bool ? 'Enabled' : 'Disabled' };
    case 'matchPriority': return { ...f, matchPriority: e.n };
    default: return { ...f, [e.prop]: e.bool };
  }
}

/** A mapping set: some option combination's defaults, with random edits, filters and reviews. */
export const mappingSet: fc.Arbitrary<MappingSet> = fc
  .record({
    options,
    name: nonEmptyText(30),
    keep: fc.nat(30),
    edits: fc.array(fc.record({ m: fc.nat(), f: fc.nat(), e: fieldEdit }), { maxLength: 8 }),
    filters: fc.array(fc.record({ m: fc.nat(), bc: bcFilter, dv: dvFilter }), { maxLength: 3 }),
    tableEdits: fc.array(fc.record({ m: fc.nat(), prefix: text(20), tpl: fc.option(nonEmptyText(10), { nil: null }), deps: fc.array(fc.constantFrom('CURRENCY', 'X/Y', 'ITEM-PRODUCT'), { maxLength: 2 }) }), { maxLength: 3 }),
    reviews: fc.array(fc.record({ m: fc.nat(), f: fc.option(fc.nat(), { nil: null }), reviewer: text(12), status: fc.constantFrom('Pending' as const, 'Approved' as const, 'Changes requested' as const, 'Rejected' as const), comment: text(40), at: fc.integer({ min: 0, max: 4e12 }) }), { maxLength: 5 }),
  })
  .map(({ options: o, name, keep, edits, filters, tableEdits, reviews }) => {
    let mappings: TableMapping[] = defaultMappings(o);
    mappings = mappings.slice(0, Math.max(1, keep % (mappings.length + 1)));
    const at = (i: number) => mappings[i % mappings.length]!;
    for (const { m, f, e } of edits) {
      const mm = at(m);
      if (mm.fields.length === 0) continue;
      const i = f % mm.fields.length;
      mm.fields[i] = editField(mm.fields[i]!, e);
    }
    for (const { m, bc, dv } of filters) Object.assign(at(m), { tableFilter: bc, integrationTableFilter: dv });
    for (const { m, prefix, tpl, deps } of tableEdits) Object.assign(at(m), { intTblCaptionPrefix: prefix, tableConfigTemplateCode: tpl, dependencyFilter: deps });
    const rv = new Map<string, Review>();
    for (const r of reviews) {
      const mm = at(r.m);
      const field = r.f === null || mm.fields.length === 0 ? null : fieldKey(mm.fields[r.f % mm.fields.length]!);
      rv.set(`${mm.name}|${field}`, { mapping: mm.name, field, reviewer: r.reviewer, status: r.status, comment: r.comment, at: new Date(r.at).toISOString() });
    }
    return MappingSetSchema.parse({ schemaVersion: 1, name, options: o, mappings, reviews: [...rv.values()] });
  });
