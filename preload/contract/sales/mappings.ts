/**
 * mappings.* — the integration-mapping editor's calls. The set itself travels as the pure model
 * (mapping-model.ts); every edit is a list of field-level Changes, so the main process owns revisions,
 * validation, the undo/redo history and the snapshots taken before destructive operations.
 */
import { z } from 'zod';
import { Empty, method } from '../core/rpc';
import { UploadIdSchema } from '../core/uploads';
import { BcFilter, Change, ChangeSet, Direction, DvFilter, MappingOptions, MappingSet, ReviewStatus, TableMapping } from './mapping-model';

const Id = z.string().min(1).max(100);
const Revision = z.number().int().min(1);

export const MappingSetInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  revision: z.number().int(),
  updatedAt: z.string(),
  mappingCount: z.number().int(),
});
export type MappingSetInfo = z.infer<typeof MappingSetInfoSchema>;

export const MappingFindingSchema = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  mapping: z.string(),
  field: z.string().nullable(),
  code: z.string(),
  /** Catalog key of the texts (mappings: finding.<key>.message / .fix), filled with params; message/fix: English. */
  key: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  message: z.string(),
  fix: z.string(),
});
export type MappingFinding = z.infer<typeof MappingFindingSchema>;

/** Per table mapping: how it compares with the defaults for the set's options. */
export const MappingStatusSchema = z.object({
  mapping: z.string(),
  errors: z.number().int(),
  warnings: z.number().int(),
  /** default = equal to the default mapping; modified = differs; added = not among the defaults. */
  vsDefault: z.enum(['default', 'modified', 'added']),
  /** Field mappings that differ from (or are missing in) the default mapping. */
  changedFields: z.array(z.string()),
});
export type MappingStatus = z.infer<typeof MappingStatusSchema>;

export const MappingJobSchema = z.object({
  name: z.string(),
  mapping: z.string().nullable(),
  direction: Direction,
  everyMinutes: z.number(),
  inactivityTimeoutMinutes: z.number().nullable(),
  order: z.number().int(),
  description: z.string(),
});
export type MappingJob = z.infer<typeof MappingJobSchema>;

export const MappingViewSchema = z.object({
  id: z.string(),
  set: MappingSet,
  revision: z.number().int(),
  findings: z.array(MappingFindingSchema),
  statuses: z.array(MappingStatusSchema),
  /** Default mappings the set no longer has. */
  removedDefaults: z.array(z.string()),
  jobs: z.array(MappingJobSchema),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
});
export type MappingView = z.infer<typeof MappingViewSchema>;

export const MappingDiffRowSchema = z.object({
  mapping: z.string(),
  field: z.string().nullable(),
  property: z.string(),
  left: z.string(),
  right: z.string(),
});
export type MappingDiffRow = z.infer<typeof MappingDiffRowSchema>;

export const MappingSnapshotSchema = z.object({
  id: z.string(),
  label: z.string(),
  reason: z.enum(['reset', 'restore', 'reconnect', 'manual']),
  /** Revision of the set when the snapshot was taken. */
  revision: z.number().int(),
  createdAt: z.string(),
  mappingCount: z.number().int(),
});
export type MappingSnapshot = z.infer<typeof MappingSnapshotSchema>;

/** A file picked in the renderer: name plus content as base64 (XLSX) — JSON files are sent the same way. */
// A file inline (base64) or, when larger, as a finished chunked upload (uploads.*): exactly one of the two.
const FileInput = z.object({ fileName: z.string().min(1).max(260), base64: z.string().max(4_000_000).optional(), uploadId: UploadIdSchema.optional() }).strict();

export const DiffSideSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('defaults') }).strict(),
  z.object({ kind: z.literal('current') }).strict(),
  z.object({ kind: z.literal('snapshot'), snapshotId: Id }).strict(),
  z.object({ kind: z.literal('file'), fileName: z.string().min(1).max(260), base64: z.string().max(4_000_000).optional(), uploadId: UploadIdSchema.optional() }).strict(),
]);
export type DiffSide = z.infer<typeof DiffSideSchema>;

/** rows[i] describes changes[i]: a review screen shows rows and sends back the chosen changes. */
export const MappingProposalSchema = z.object({
  source: z.string(),
  changes: z.array(Change),
  rows: z.array(MappingDiffRowSchema),
  comments: ChangeSet.shape.comments,
});
export type MappingProposal = z.infer<typeof MappingProposalSchema>;

export const CatalogSchema = z.object({
  bc: z.array(z.object({
    table: z.string(),
    tableId: z.number().int(),
    fields: z.array(z.object({ name: z.string(), type: z.string(), length: z.number().int().optional(), options: z.array(z.string()).optional() })),
  })),
  dataverse: z.array(z.object({
    entity: z.string(),
    entitySet: z.string(),
    attributes: z.array(z.object({
      name: z.string(), type: z.string(), maxLength: z.number().int().optional(), targets: z.array(z.string()).optional(),
      options: z.array(z.object({ value: z.number(), label: z.string() })).optional(),
    })),
  })),
});
export type MappingCatalog = z.infer<typeof CatalogSchema>;

/** Metadata catalog fetched from a connection (issue 6): what is cached, per connection profile and side. */
export const CatalogStatusSchema = z.object({
  profileId: z.string(),
  side: z.enum(['dataverse', 'bc']),
  entities: z.number().int(),
  oldestFetchedAt: z.string(),
  fetchedAt: z.string(),
});
export type CatalogStatus = z.infer<typeof CatalogStatusSchema>;

export const CountMatchingSchema = z.object({
  count: z.number().int(),
  /** Dataverse caps $count at 5,000: the real number is at least `count`. */
  capped: z.boolean(),
  /** The $filter the service was asked to count with. */
  filter: z.string(),
  entitySet: z.string(),
});
export type CountMatching = z.infer<typeof CountMatchingSchema>;

const Changes = z.array(Change).max(20_000);
const SetRef = z.object({ id: Id, revision: Revision }).strict();

export const mappingMethods = {
  'mappings.list': method(Empty, z.array(MappingSetInfoSchema), 'Mapping sets; a new console gets a "Default mappings" set.'),
  'mappings.create': method(
    z.object({ name: z.string().trim().min(1).max(200), options: MappingOptions.partial().default({}) }).strict(),
    MappingSetInfoSchema, 'Create a mapping set with the default mappings for the options.'),
  'mappings.get': method(
    // catalogProfileId: validate against that connection's cached metadata from now on (null: the built-in catalogue).
    z.object({ id: Id, catalogProfileId: Id.nullable().optional() }).strict(), MappingViewSchema,
    'A set with its findings, status vs defaults and jobs.'),
  'mappings.apply': method(SetRef.extend({ changes: Changes.min(1) }).strict(), MappingViewSchema,
    'Apply changes as one undoable step (refused when the revision is stale).'),
  'mappings.undo': method(SetRef, MappingViewSchema, 'Undo the last step applied in this console session.'),
  'mappings.redo': method(SetRef, MappingViewSchema, 'Redo the last undone step.'),
  'mappings.previewReset': method(
    z.object({ id: Id, options: MappingOptions.partial().optional() }).strict(), MappingProposalSchema,
    'What a reset to defaults (or a re-connect with other options) would overwrite.'),
  'mappings.reset': method(SetRef.extend({ options: MappingOptions.partial().optional() }).strict(),
    z.object({ view: MappingViewSchema, snapshot: MappingSnapshotSchema }),
    'Snapshot the set, then replace it by the defaults (for new options when re-connecting).'),
  'mappings.snapshots': method(z.object({ id: Id }).strict(), z.array(MappingSnapshotSchema), 'Restorable snapshots of a set, newest first.'),
  'mappings.restoreSnapshot': method(SetRef.extend({ snapshotId: Id }).strict(),
    z.object({ view: MappingViewSchema, snapshot: MappingSnapshotSchema }),
    'Snapshot the current state, then restore an earlier snapshot.'),
  'mappings.exportFile': method(
    // language: the reviewer's (UI) language for the workbook's headers, captions and findings; JSON is language-free.
    z.object({ id: Id, format: z.enum(['json', 'xlsx']), language: z.enum(['en', 'nb-NO', 'nl-NL', 'fi-FI']).optional() }).strict(),
    z.object({
      fileName: z.string(), mimeType: z.string(), base64: z.string().nullable(), text: z.string().nullable(),
      /** Where main also saved the file (the data folder's exports/), so the UI can say where it went; null when not saved. */
      savedPath: z.string().nullable(),
    }),
    'Export the set as versioned JSON (text) or as an annotatable XLSX workbook (base64) in the reviewer\'s language; a copy is saved under the data folder.'),
  'mappings.importFile': method(FileInput.extend({ id: Id }).strict(), MappingProposalSchema,
    'Read an exported (and possibly annotated) JSON or XLSX file as a reviewable change set.'),
  'mappings.acceptChanges': method(SetRef.extend({ changes: Changes.min(1) }).strict(),
    // reason: English; code + params: what the UI translates (mappings: conflict.<code>).
    z.object({ view: MappingViewSchema, rejected: z.array(z.object({ index: z.number().int(), reason: z.string(), code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) })) }),
    'Apply the chosen proposed changes as one undoable step; changes that no longer apply are reported.'),
  'mappings.diff': method(z.object({ id: Id, left: DiffSideSchema, right: DiffSideSchema }).strict(),
    z.object({ rows: z.array(MappingDiffRowSchema), changes: z.array(Change) }),
    'Side-by-side differences of two sets (defaults, current, a snapshot or a file).'),
  'mappings.signOff': method(
    SetRef.extend({
      mapping: z.string().min(1).max(20), field: z.string().max(200).nullable().default(null), reviewer: z.string().trim().min(1).max(200),
      status: ReviewStatus, comment: z.string().max(4000).default(''),
    }).strict(),
    MappingViewSchema, 'Record a review sign-off (stored with the set; undoable).'),
  'mappings.catalog': method(z.object({ profileId: Id.optional() }).strict(), CatalogSchema,
    'BC fields and Dataverse attributes with their types, for the pickers (a profile\'s cached metadata when given).'),
  'mappings.refreshCatalog': method(z.object({ profileId: Id }).strict(),
    z.object({ side: z.enum(['dataverse', 'bc']), entities: z.array(z.string()), missing: z.array(z.string()), fetchedAt: z.string() }),
    'Fetch entity/attribute metadata from a Dataverse or BC connection and cache it for offline validation.'),
  'mappings.catalogStatus': method(Empty, z.array(CatalogStatusSchema), 'When each connection\'s metadata was last fetched.'),
  'mappings.countMatching': method(
    z.object({ profileId: Id, side: z.enum(['dataverse', 'bc']), mapping: TableMapping }).strict(), CountMatchingSchema,
    'Records matching a mapping\'s filter (integration table filter on Dataverse, table filter on BC), counted by the service.'),
  'mappings.previewFilter': method(
    z.discriminatedUnion('side', [
      // BC side: each condition as typed, in BC filter syntax (NO|SE, A..C, <>X, *mart*, @sales, >=10&<=20, '').
      z.object({
        side: z.literal('bc'),
        conditions: z.array(z.object({ field: z.string().max(200), expression: z.string().max(1000) }).strict()).max(50),
        tableId: z.number().int().positive().optional(),
      }).strict(),
      z.object({ side: z.literal('dataverse'), filter: DvFilter, entity: z.string().max(100).optional() }).strict(),
    ]),
    z.object({
      text: z.string(),
      view: z.string().nullable(),
      /** BC side: the same filter as the BC API's OData $filter (null when the table or a field has no API form). */
      odata: z.string().nullable(),
      /** BC side: the structured filter the typed conditions amount to (what Apply stores). */
      filter: BcFilter.nullable(),
      /** English fallback; errorCode + errorParams are what the UI translates (mappings: filterError.<code>). */
      error: z.string().nullable(),
      errorCode: z.string().nullable(),
      errorParams: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
    }),
    'The filter texts a structured (BC: typed) filter produces: BC text, table view and OData $filter.'),
};