/**
 * Integration mapping model: BC's "Integration Table Mapping" (table 5335) and "Integration Field Mapping"
 * (table 5336) with every field that matters outside BC's runtime, plus the review sign-off and the
 * field-level ChangeSet that import, diff-accept and an editor's undo/redo are all built on.
 *
 * Everything here is plain data validated by zod, so a set round-trips through JSON, XLSX and SQLite.
 */
import { z } from 'zod';
import { BcFilterSyntaxError, parseBcExpression } from './mapping-bc-filter';

const bcExpressionProblem = (text: string): string | null => {
  try {
    parseBcExpression(text);
    return null;
  } catch (x) {
    if (x instanceof BcFilterSyntaxError) return x.message;
    throw x;
  }
};

export const SCHEMA_VERSION = 1 as const;

/** BC's option names (0 Bidirectional, 1 ToIntegrationTable = BC → DV, 2 FromIntegrationTable = DV → BC). */
export const DIRECTIONS = ['Bidirectional', 'ToIntegrationTable', 'FromIntegrationTable'] as const;
export const Direction = z.enum(DIRECTIONS);
export type Direction = z.infer<typeof Direction>;

/** Enum 5337 "Integration Deletion Conflict Resolution". */
export const DeletionConflictResolution = z.enum(['None', 'Restore Records', 'Remove Coupling']);
export type DeletionConflictResolution = z.infer<typeof DeletionConflictResolution>;
/** Enum 5338 "Integration Update Conflict Resolution". */
export const UpdateConflictResolution = z.enum(['None', 'Send Update to Integration', 'Get Update from Integration']);
export type UpdateConflictResolution = z.infer<typeof UpdateConflictResolution>;

// ---- structured filters -------------------------------------------------------------------------

/**
 * One BC field filter. Values are BC texts (option captions, codes, "Yes"/"No"); `in` = OR of values; `filter` = one
 * BC filter expression in BC's own syntax (`A..C`, `<>X&<>Y`, `*mart*`, `@sales`, `>=10`; see mapping-bc-filter.ts),
 * kept for what eq/ne/in cannot say (bcConditionFromExpression picks the simplest form).
 */
export const BcCondition = z
  .strictObject({
    // No = , | or quote in a name, no edge spaces: those delimit the filter text.
    field: z.string().regex(/^[^=,|'\s](?:[^=,|']{0,78}[^=,|'\s])?$/, 'a BC field name'),
    op: z.enum(['eq', 'ne', 'in', 'filter']),
    values: z.array(z.string().max(250)).min(1),
  })
  .refine((c) => (c.op === 'in' ? c.values.length >= 2 : c.values.length === 1), { message: 'eq/ne/filter take one value; in takes two or more', path: ['values'] })
  .refine((c) => c.op !== 'filter' || bcExpressionProblem(c.values[0] ?? '') === null, { message: 'not a valid BC filter expression', path: ['values', 0] });
export type BcCondition = z.infer<typeof BcCondition>;
/** BC table filter: every condition must hold (BC table views AND their field filters). */
export const BcFilter = z.strictObject({ conditions: z.array(BcCondition) });
export type BcFilter = z.infer<typeof BcFilter>;

export const DvValue = z.union([z.string().max(4000), z.number().finite(), z.boolean(), z.null()]);
export type DvValue = z.infer<typeof DvValue>;
export const DvCondition = z
  .strictObject({
    attribute: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a Dataverse logical name (lower-case letters, digits, _)'),
    op: z.enum(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in']),
    values: z.array(DvValue).min(1),
  })
  .refine((c) => c.op === 'in' || c.values.length === 1, { message: 'only "in" takes several values', path: ['values'] });
export type DvCondition = z.infer<typeof DvCondition>;
/**
 * Dataverse row filter. `companyScoped` is BC's "bcbi_companyid = current company OR empty" clause: kept as
 * a flag because its value is only known per connection (see renderODataFilter's companyId option).
 */
export const DvFilter = z.strictObject({ conditions: z.array(DvCondition), companyScoped: z.boolean() });
export type DvFilter = z.infer<typeof DvFilter>;

// ---- field mapping (table 5336) ------------------------------------------------------------------

export const FieldMapping = z.strictObject({
  /** BC field name (table 5336 field 3); null ⇒ the constant is written toward Dataverse (BC stores field 3 = 0). */
  bcField: z.string().min(1).max(80).nullable(),
  /** Dataverse attribute logical name (field 4); null ⇒ the constant is written toward BC. */
  dataverseField: z.string().min(1).max(100).nullable(),
  direction: Direction,
  /** Constant Value (Text[100]); options accept caption, member name or ordinal. */
  /** Blank in BC means "no constant", so there is no empty-string constant: null. */
  constant: z.string().min(1).max(100).nullable(),
  validateField: z.boolean(),
  validateIntegrationField: z.boolean(),
  clearValueOnFailedSync: z.boolean(),
  status: z.enum(['Enabled', 'Disabled']),
  notNull: z.boolean(),
  transformationRule: z.string().min(1).max(20).nullable(),
  transformationDirection: z.enum(['ToIntegrationTable', 'FromIntegrationTable']).nullable(),
  useForMatchBasedCoupling: z.boolean(),
  caseSensitiveMatching: z.boolean(),
  matchPriority: z.number().int().min(0),
  userDefined: z.boolean(),
});
export type FieldMapping = z.infer<typeof FieldMapping>;

/** CRM Option Mapping row: a BC code coupled to a Dataverse option value. */
export const OptionCoupling = z.strictObject({
  bcCode: z.string().min(1).max(20),
  optionValue: z.number().int(),
  optionCaption: z.string().max(250),
});
export type OptionCoupling = z.infer<typeof OptionCoupling>;

// ---- table mapping (table 5335) ------------------------------------------------------------------

export const MAPPING_NAME = /^[A-Z0-9][A-Z0-9 ._&/-]{0,19}$/;
export const TableMapping = z.strictObject({
  name: z.string().regex(MAPPING_NAME, 'Code[20]: upper-case, at most 20 characters'),
  bcTable: z.string().min(1).max(80),
  bcTableId: z.number().int().positive(),
  dataverseEntity: z.string().regex(/^[a-z_][a-z0-9_]*$/),
  dataverseEntitySet: z.string().min(1),
  /** Integration Table UID field; for option mappings the account picklist attribute. */
  integrationUidField: z.string().min(1),
  integrationModifiedOnField: z.string().min(1).nullable(),
  /** True when the UID field is an option (field 7 = Option): never Bidirectional, couples in CRM Option Mapping. */
  isOptionMapping: z.boolean(),
  direction: Direction,
  tableFilter: BcFilter,
  integrationTableFilter: DvFilter,
  synchOnlyCoupled: z.boolean(),
  deletionConflictResolution: DeletionConflictResolution,
  updateConflictResolution: UpdateConflictResolution,
  /** Mapping names that must be synced first (BC stores them `|`-joined in Text[250]). */
  dependencyFilter: z.array(z.string().regex(MAPPING_NAME)),
  tableConfigTemplateCode: z.string().min(1).max(10).nullable(),
  integrationTableConfigTemplateCode: z.string().min(1).max(10).nullable(),
  intTblCaptionPrefix: z.string().max(30),
  synchAfterBulkCoupling: z.boolean(),
  createNewInCaseOfNoMatch: z.boolean(),
  couplingCodeunit: z.enum(['CDS Int. Table Couple', 'CDS Int. Option Couple']).nullable(),
  uncoupleCodeunit: z.enum(['CDS Int. Table Uncouple']).nullable(),
  disableEventJobResch: z.boolean(),
  multiCompanySynchEnabled: z.boolean(),
  deleteAfterSynchronization: z.boolean(),
  parentName: z.string().min(1).max(20).nullable(),
  userDefined: z.boolean(),
  /** Which setup created it: the Dataverse connection (table 7200) or the Sales connection (5330). */
  createdBy: z.enum(['Dataverse', 'Sales', 'User']),
  fields: z.array(FieldMapping),
  optionCouplings: z.array(OptionCoupling),
});
export type TableMapping = z.infer<typeof TableMapping>;

// ---- profile options that decide the defaults ----------------------------------------------------

export const MappingOptions = z.strictObject({
  pricing: z.enum(['legacy', 'pricelists']),
  unitGroups: z.boolean(),
  orders: z.enum(['none', 'legacy', 'bidirectional']),
  ownership: z.enum(['person', 'team']),
  itemAvailability: z.boolean(),
  /** BC major version; < 16 means the pre-Dataverse (legacy CRM) defaults. */
  bcVersion: z.number().int().min(9).max(99),
  autoCreateSalesOrders: z.boolean(),
  autoProcessSalesQuotes: z.boolean(),
});
export type MappingOptions = z.infer<typeof MappingOptions>;

// ---- review sign-off -------------------------------------------------------------------------------

export const REVIEW_STATUSES = ['Pending', 'Approved', 'Changes requested', 'Rejected'] as const;
export const ReviewStatus = z.enum(REVIEW_STATUSES);
export type ReviewStatus = z.infer<typeof ReviewStatus>;
export const Review = z.strictObject({
  mapping: z.string(),
  /** Field key (see fieldKey) when the note is about one field mapping; null for the table mapping. */
  field: z.string().nullable(),
  reviewer: z.string().max(200),
  status: ReviewStatus,
  comment: z.string().max(4000),
  at: z.iso.datetime(),
});
export type Review = z.infer<typeof Review>;

export const MappingSet = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  name: z.string().min(1).max(200),
  options: MappingOptions.nullable(),
  mappings: z.array(TableMapping),
  reviews: z.array(Review),
});
export type MappingSet = z.infer<typeof MappingSet>;

// ---- ChangeSet: field-level operations (undo/redo, annotated import, diff-accept) ------------------

export const TABLE_PROPS = [
  'bcTable', 'bcTableId', 'dataverseEntity', 'dataverseEntitySet', 'integrationUidField', 'integrationModifiedOnField',
  'isOptionMapping', 'direction', 'tableFilter', 'integrationTableFilter', 'synchOnlyCoupled', 'deletionConflictResolution',
  'updateConflictResolution', 'dependencyFilter', 'tableConfigTemplateCode', 'integrationTableConfigTemplateCode',
  'intTblCaptionPrefix', 'synchAfterBulkCoupling', 'createNewInCaseOfNoMatch', 'couplingCodeunit', 'uncoupleCodeunit',
  'disableEventJobResch', 'multiCompanySynchEnabled', 'deleteAfterSynchronization', 'parentName', 'userDefined', 'createdBy',
  'optionCouplings',
] as const satisfies readonly (keyof TableMapping)[];
export type TableProp = (typeof TABLE_PROPS)[number];
export const FIELD_PROPS = [
  'direction', 'constant', 'validateField', 'validateIntegrationField', 'clearValueOnFailedSync', 'status', 'notNull',
  'transformationRule', 'transformationDirection', 'useForMatchBasedCoupling', 'caseSensitiveMatching', 'matchPriority', 'userDefined',
] as const satisfies readonly (keyof FieldMapping)[];
export type FieldProp = (typeof FIELD_PROPS)[number];

export const Change = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('addMapping'), mapping: TableMapping, index: z.number().int().min(0).optional() }),
  z.strictObject({ op: z.literal('removeMapping'), mapping: TableMapping }),
  /** Setup order matters (it is the job and full-sync order), so reordering is a change of its own. */
  z.strictObject({ op: z.literal('moveMapping'), mapping: z.string(), from: z.number().int().min(0), to: z.number().int().min(0) }),
  z.strictObject({ op: z.literal('setMapping'), mapping: z.string(), prop: z.enum(TABLE_PROPS), from: z.unknown(), to: z.unknown() }),
  z.strictObject({ op: z.literal('addField'), mapping: z.string(), field: FieldMapping, index: z.number().int().min(0).optional() }),
  z.strictObject({ op: z.literal('removeField'), mapping: z.string(), field: FieldMapping }),
  z.strictObject({ op: z.literal('setField'), mapping: z.string(), key: z.string(), prop: z.enum(FIELD_PROPS), from: z.unknown(), to: z.unknown() }),
  z.strictObject({ op: z.literal('setReview'), review: Review, previous: Review.nullable() }),
  z.strictObject({ op: z.literal('removeReview'), review: Review }),
]);
export type Change = z.infer<typeof Change>;
export const ChangeSet = z.strictObject({
  source: z.string(),
  changes: z.array(Change),
  /** Reviewer notes that came with the changes (annotated workbook comments). */
  comments: z.array(z.strictObject({ mapping: z.string(), field: z.string().nullable(), comment: z.string(), status: ReviewStatus.nullable() })),
});
export type ChangeSet = z.infer<typeof ChangeSet>;

/** Stable identity of a field mapping inside its table mapping: (BC field, DV attribute) is unique in BC's defaults. */
export function fieldKey(f: Pick<FieldMapping, 'bcField' | 'dataverseField'>): string {
  return `${f.bcField ?? '='}->${f.dataverseField ?? '='}`;
}

export const MAPPING_DEFAULT_FIELD: Omit<FieldMapping, 'bcField' | 'dataverseField' | 'direction'> = {
  constant: null,
  validateField: false,
  validateIntegrationField: false,
  clearValueOnFailedSync: false,
  status: 'Enabled',
  notNull: false,
  transformationRule: null,
  transformationDirection: null,
  useForMatchBasedCoupling: false,
  caseSensitiveMatching: false,
  matchPriority: 0,
  userDefined: false,
};

/**
 * The field mappings match-based coupling uses (BC "Use For Match-Based Coupling"): enabled, marked, and mapping a
 * BC field to a Dataverse attribute (a constant cannot be matched on). Sorted by Match Priority (0 = first).
 * BC's defaults set them only where the reference names them (CURRENCY, the option mappings, UNIT GROUP, ITEM UOM,
 * RESOURCE UOM); CUSTOMER, CONTACT, VENDOR, ITEM-PRODUCT… have none until the user marks some.
 */
export function matchFields(m: Pick<TableMapping, 'fields'>): FieldMapping[] {
  return m.fields
    .filter((f) => f.status === 'Enabled' && f.useForMatchBasedCoupling && f.bcField !== null && f.dataverseField !== null)
    .sort((a, b) => a.matchPriority - b.matchPriority);
}

/** Whether "Couple records" (match-based coupling) can run for the mapping; without match fields BC refuses it. */
export const hasMatchFields = (m: Pick<TableMapping, 'fields'>): boolean => matchFields(m).length > 0;
