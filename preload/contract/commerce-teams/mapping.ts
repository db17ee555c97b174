/**
 * Commerce ⇄ Teams store ⇄ team mapping and targeting hierarchy: the codes main sends (with params and an English
 * message for the CLI and logs) and the renderer translates (renderer/i18n/locales/commerce-teams/mapping/*.json,
 * one key per code), and the `--json` shapes of `d365ic teams mapping …` / `d365ic teams hierarchy …`.
 * Codes never change once released.
 */
import { z } from 'zod';

/** Row errors of a mapping import (params in docs/commerce-teams-mapping-and-hierarchy.md). */
export const MAPPING_ISSUE_CODES = [
  'CSV_TEXT_AFTER_QUOTE',
  'CSV_UNCLOSED_QUOTE',
  'MAPPING_CSV_EMPTY',
  'MAPPING_CSV_HEADER',
  'MAPPING_CSV_HEADER_MISSING',
  'MAPPING_CSV_FIELD_COUNT',
  'MAPPING_SOURCE_TYPE',
  'MAPPING_STORE_EMPTY',
  'MAPPING_STORE_UNKNOWN',
  'MAPPING_TEAM_ID_MALFORMED',
  'MAPPING_TEAM_NOT_FOUND',
  'MAPPING_GROUP_NOT_TEAM',
  'MAPPING_STORE_TWICE',
  'MAPPING_STORE_DUPLICATE_ROW',
  'MAPPING_TEAM_TWO_STORES',
  'MAPPING_TEAM_MAPPED_ELSEWHERE',
  'MAPPING_COMMUNICATIONS_TEAM',
  'MAPPING_WRITE_FAILED',
  // The console's mapping editor (a draft, not a file).
  'MAPPING_TEAM_SHARED',
] as const;
export type MappingIssueCode = (typeof MAPPING_ISSUE_CODES)[number];

/** Notes on rows that are not errors. */
export const MAPPING_NOTE_CODES = ['MAPPING_TEAM_EMPTY', 'MAPPING_STORE_ZEROS_RESTORED', 'MAPPING_UNCHANGED'] as const;
export type MappingNoteCode = (typeof MAPPING_NOTE_CODES)[number];

/** Errors the console's teamsMapping.* / teamsHierarchy.* methods answer with (params in the texts). */
export const TEAMS_CONSOLE_ERROR_CODES = ['TEAMS_PROFILE_MISSING', 'TEAMS_PROFILE_CHOOSE', 'TEAMS_SERVICE_FAILED', 'MAPPING_ENTITY_MISSING'] as const;
export type TeamsConsoleErrorCode = (typeof TEAMS_CONSOLE_ERROR_CODES)[number];

/** Targeting hierarchy: picking it, Teams' rules (E.1/E.2). */
export const HIERARCHY_ISSUE_CODES = [
  'HIERARCHY_NOT_FOUND',
  'HIERARCHY_NOT_RETAIL_REPORTING',
  'HIERARCHY_NONE_FOR_REPORTING',
  'HIERARCHY_AMBIGUOUS',
  'HIERARCHY_CSV_HEADER',
  'HIERARCHY_CSV_SYNTAX',
  'HIERARCHY_EMPTY',
  'HIERARCHY_TOO_MANY_NODES',
  'HIERARCHY_NAME_EMPTY',
  'HIERARCHY_NAME_TOO_LONG',
  'HIERARCHY_NAME_CHARSET',
  'HIERARCHY_NAME_DUPLICATE',
  'HIERARCHY_PARENT_MISSING',
  'HIERARCHY_PARENTS_NOT_ROOTS',
  'HIERARCHY_TOO_MANY_PARENTS',
  'HIERARCHY_PARENT_CELL_TOO_LONG',
  'HIERARCHY_CYCLE',
  'HIERARCHY_LEAF_WITHOUT_TEAM',
  'HIERARCHY_TEAM_ID_MALFORMED',
  'HIERARCHY_TEAM_TWICE',
  'HIERARCHY_TOO_MANY_ATTRIBUTES',
  'HIERARCHY_ATTRIBUTE_VALUES',
  'HIERARCHY_ATTRIBUTE_VALUE_TOO_LONG',
  'HIERARCHY_ATTRIBUTE_NOT_BINARY',
  'HIERARCHY_TOO_MANY_BUCKETS',
  'HIERARCHY_FILE_TOO_BIG_FOR_ADMIN_CENTER',
] as const;
export type HierarchyIssueCode = (typeof HIERARCHY_ISSUE_CODES)[number];

/** Building the tree from Commerce (warnings: the file is still written). */
export const HIERARCHY_BUILD_CODES = [
  'HIERARCHY_STORE_WITHOUT_TEAM',
  'HIERARCHY_BRANCH_EMPTY',
  'HIERARCHY_NAME_RENAMED',
  'HIERARCHY_NAME_TRUNCATED',
  'HIERARCHY_NO_COMMUNICATIONS_TEAM',
  'HIERARCHY_SOURCE_PARENT_MISSING',
  'HIERARCHY_SOURCE_CYCLE',
  'HIERARCHY_STORE_TEAM_REUSED',
] as const;
export type HierarchyBuildCode = (typeof HIERARCHY_BUILD_CODES)[number];

/** `d365ic teams mapping export|import --json` (last stdout line). Row 0 = the file or the connection. */
export const teamsMappingResultSchema = z.object({
  rows: z.number().int().nonnegative(),
  imported: z.number().int().nonnegative(),
  errors: z.array(z.object({ row: z.number().int().nonnegative(), message: z.string() }).strict()),
}).strict();
export type TeamsMappingResult = z.infer<typeof teamsMappingResultSchema>;

/** `d365ic teams hierarchy --json` (last stdout line). */
export const teamsHierarchyResultSchema = z.object({
  rows: z.number().int().nonnegative(),
  stores: z.number().int().nonnegative(),
  warnings: z.array(z.object({
    code: z.string(),
    severity: z.enum(['error', 'warning']),
    message: z.string(),
    storeNumber: z.string().optional(),
    node: z.string().optional(),
    row: z.number().int().optional(),
  }).strict()),
}).strict();
export type TeamsHierarchyResult = z.infer<typeof teamsHierarchyResultSchema>;
