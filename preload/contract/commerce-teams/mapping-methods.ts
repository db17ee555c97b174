/**
 * Commerce ⇄ Teams in the console: the store ⇄ team mapping editor (`teamsMapping.*`) and the targeting hierarchy
 * (`teamsHierarchy.*`). Reference commerce-teams-integration.md A.5, B.6 (the *Teams mapping between source and
 * team* entity, its CSV `SOURCETYPE,SOURCEID,TEAMID`) and E (E.1/E.2 Teams' rules, E.4 upload and status).
 *
 * Every finding travels as `code` + `params` (the renderer translates: renderer/i18n/locales/commerce-teams/mapping)
 * plus an English `message` for logs. Which profiles: `commerceProfileId` / `graphProfileId` when given, else the
 * Commerce ⇄ Teams configuration, else the one usable profile of each kind (main says which it used).
 */
import { z } from 'zod';
import { UploadIdSchema } from '../core/uploads';
import { method } from '../core/rpc';

const Params = z.record(z.string(), z.union([z.string(), z.number()]));
const Guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
const StoreNumber = z.string().trim().min(1).max(40);

/** Optional profile choice (both kinds), accepted by every method. */
export const TeamsProfileRefs = z.object({
  commerceProfileId: z.string().uuid().optional(),
  graphProfileId: z.string().uuid().optional(),
});

export const TeamsProfilesUsedSchema = z.object({
  commerce: z.object({ id: z.string(), name: z.string() }),
  graph: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type TeamsProfilesUsed = z.infer<typeof TeamsProfilesUsedSchema>;

export const TeamSummarySchema = z.object({
  id: z.string(),
  displayName: z.string(),
  mailNickname: z.string().nullable(),
  isTeam: z.boolean(),
});
export type TeamSummary = z.infer<typeof TeamSummarySchema>;

export const MappingStoreSchema = z.object({
  storeNumber: z.string(),
  name: z.string(),
  dataAreaId: z.string(),
  teamId: z.string().nullable(),
  /** The team's name; null when unmapped or when Graph no longer has that team. */
  teamName: z.string().nullable(),
});
export type MappingStore = z.infer<typeof MappingStoreSchema>;

export const MappingSuggestionSchema = z.object({
  storeNumber: z.string(),
  storeName: z.string(),
  teamId: z.string(),
  teamName: z.string(),
  score: z.number(),
  reason: z.enum(['name', 'storeNumber', 'words']),
});
export type MappingSuggestion = z.infer<typeof MappingSuggestionSchema>;

/** A problem with one store's draft mapping (team exists, is a team, one team per store, not the communications team). */
export const MappingDraftIssueSchema = z.object({
  storeNumber: z.string(),
  teamId: z.string().nullable(),
  code: z.string(),
  params: Params,
  message: z.string(),
});
export type MappingDraftIssue = z.infer<typeof MappingDraftIssueSchema>;

export const MappingChangeSchema = z.object({
  storeNumber: z.string(),
  storeName: z.string(),
  action: z.enum(['add', 'change', 'remove']),
  fromTeamId: z.string().nullable(),
  fromTeamName: z.string().nullable(),
  toTeamId: z.string().nullable(),
  toTeamName: z.string().nullable(),
});
export type MappingChange = z.infer<typeof MappingChangeSchema>;

/** The stores the editor changed: a team id, or null to remove the store's mapping. */
const Draft = z.array(z.object({ storeNumber: StoreNumber, teamId: Guid.nullable() }).strict()).max(20_000);

export const MappingValidationSchema = z.object({
  ok: z.boolean(),
  changes: z.array(MappingChangeSchema),
  issues: z.array(MappingDraftIssueSchema),
});
export type MappingValidation = z.infer<typeof MappingValidationSchema>;

export const MappingEditorSchema = z.object({
  profiles: TeamsProfilesUsedSchema,
  communicationsTeam: TeamSummarySchema.nullable(),
  stores: z.array(MappingStoreSchema),
  teams: z.array(TeamSummarySchema),
  suggestions: z.array(MappingSuggestionSchema),
});
export type MappingEditor = z.infer<typeof MappingEditorSchema>;

/** One data row of an imported file and what became of it. `source`: the row as read (nothing is lost). */
export const MappingImportRowSchema = z.object({
  row: z.number().int().nonnegative(),
  status: z.enum(['valid', 'unchanged', 'error', 'note']),
  storeNumber: z.string().nullable(),
  teamId: z.string().nullable(),
  teamName: z.string().nullable(),
  code: z.string().nullable(),
  params: Params,
  message: z.string().nullable(),
  source: z.string(),
});
export type MappingImportRow = z.infer<typeof MappingImportRowSchema>;

export const MappingImportReportSchema = z.object({
  fileName: z.string(),
  encoding: z.string(),
  delimiter: z.enum([',', ';', '\t']),
  dryRun: z.boolean(),
  /** Data rows in the file. */
  rows: z.number().int().nonnegative(),
  /** Valid rows (to write, or already in Commerce). */
  imported: z.number().int().nonnegative(),
  /** Rows whose write changed Commerce (0 in a dry run). */
  written: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  /** Every data row, in file order. */
  lines: z.array(MappingImportRowSchema),
});
export type MappingImportReport = z.infer<typeof MappingImportReportSchema>;

const FileInput = z.object({ fileName: z.string().min(1).max(260), base64: z.string().max(4_000_000).optional(), uploadId: UploadIdSchema.optional() });

export const HierarchyChoiceSchema = z.object({
  name: z.string(),
  purposes: z.array(z.string()),
  isDefault: z.boolean(),
  retailReporting: z.boolean(),
});
export type HierarchyChoiceDto = z.infer<typeof HierarchyChoiceSchema>;

/** The tree, flattened depth-first (parents before children). */
export const HierarchyTreeNodeSchema = z.object({
  name: z.string(),
  depth: z.number().int().nonnegative(),
  parent: z.string().nullable(),
  kind: z.enum(['communications', 'node', 'store']),
  storeNumber: z.string().nullable(),
  teamId: z.string().nullable(),
  teamName: z.string().nullable(),
});
export type HierarchyTreeNode = z.infer<typeof HierarchyTreeNodeSchema>;

export const HierarchyFindingSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  params: Params,
  message: z.string(),
  storeNumber: z.string().optional(),
  node: z.string().optional(),
  row: z.number().int().optional(),
});
export type HierarchyFindingDto = z.infer<typeof HierarchyFindingSchema>;

export const HierarchyPreviewSchema = z.object({
  profiles: TeamsProfilesUsedSchema,
  ok: z.boolean(),
  hierarchy: HierarchyChoiceSchema.nullable(),
  communicationsTeam: TeamSummarySchema.nullable(),
  nodes: z.array(HierarchyTreeNodeSchema),
  rows: z.number().int().nonnegative(),
  stores: z.number().int().nonnegative(),
  findings: z.array(HierarchyFindingSchema),
});
export type HierarchyPreview = z.infer<typeof HierarchyPreviewSchema>;

const HierarchyInput = TeamsProfileRefs.extend({
  hierarchy: z.string().trim().min(1).max(200).optional(),
  nameColumn: z.enum(['TargetName', 'DisplayName']).default('TargetName'),
}).strict();

export const teamsMappingMethods = {
  'teamsMapping.load': method(TeamsProfileRefs.strict(), MappingEditorSchema,
    'The mapping editor: every store with its team (Teams mapping between source and team), every team (GET /teams ∪ groups with a team), suggestions by name.'),
  'teamsMapping.suggest': method(TeamsProfileRefs.extend({ draft: Draft.default([]) }).strict(), z.object({ suggestions: z.array(MappingSuggestionSchema) }),
    'Suggestions by name for the stores without a team, leaving out the teams the draft already uses.'),
  'teamsMapping.searchTeams': method(TeamsProfileRefs.extend({ query: z.string().max(200), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    z.object({ teams: z.array(TeamSummarySchema), lookedUp: z.boolean() }),
    'Teams by name, id or mail nickname; an id GET /teams does not list is looked up in Graph ($batch).'),
  'teamsMapping.validate': method(TeamsProfileRefs.extend({ draft: Draft }).strict(), MappingValidationSchema,
    'The changes a draft makes (the preview) and its problems: team exists and is a team, one team per store, not the communications team.'),
  'teamsMapping.save': method(TeamsProfileRefs.extend({
    draft: Draft.min(1),
    /** Each store's team as the confirmed preview showed it: when Commerce holds another by now, nothing is written. */
    expected: z.array(z.object({ storeNumber: StoreNumber, fromTeamId: Guid.nullable() }).strict()).max(20_000).optional(),
  }).strict(),
    z.object({
      /** Commerce changed since the preview (`validation` is the new one): nothing was written. */
      stale: z.boolean(),
      written: z.number().int().nonnegative(),
      failed: z.array(MappingDraftIssueSchema),
      validation: MappingValidationSchema,
      editor: MappingEditorSchema.nullable(),
    }),
    'Write the draft to Commerce (Teams mapping between source and team) after validating it again; refused rows are reported per store.'),
  'teamsMapping.exportCsv': method(TeamsProfileRefs.extend({ includeUnmapped: z.boolean().default(false), delimiter: z.enum([',', ';']).default(',') }).strict(),
    z.object({ fileName: z.string(), text: z.string(), rows: z.number().int(), mapped: z.number().int(), savedPath: z.string().nullable() }),
    'The mapping as the data entity\'s CSV (SOURCETYPE,SOURCEID,TEAMID); a copy is saved under the data folder.'),
  'teamsMapping.importCsv': method(TeamsProfileRefs.merge(FileInput).extend({ apply: z.boolean().default(false) }).strict(), MappingImportReportSchema,
    'Read a mapping CSV: a dry run lists every row (valid, unchanged, error with the reason, note); apply writes the valid rows.'),
};

export const teamsHierarchyMethods = {
  'teamsHierarchy.list': method(TeamsProfileRefs.strict(),
    z.object({ profiles: TeamsProfilesUsedSchema, hierarchies: z.array(HierarchyChoiceSchema), preferred: z.string().nullable() }),
    'Organization hierarchies with their purposes; the preferred one is the default (or only) Retail reporting hierarchy.'),
  'teamsHierarchy.preview': method(HierarchyInput, HierarchyPreviewSchema,
    'The targeting hierarchy as a tree (communications team at the root, stores as leaves with their team ids) and its findings (Teams\' rules E.1/E.2).'),
  'teamsHierarchy.exportCsv': method(HierarchyInput,
    HierarchyPreviewSchema.extend({
      fileName: z.string(),
      csv: z.string().nullable(),
      savedPath: z.string().nullable(),
      powershell: z.object({ upload: z.array(z.string()), status: z.array(z.string()) }),
    }),
    'The CSV Set-TeamTargetingHierarchy uploads (only when no rule is broken), saved under the data folder, with the PowerShell to upload it and check its status.'),
};
