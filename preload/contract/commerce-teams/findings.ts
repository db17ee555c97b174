/**
 * Commerce ⇄ Teams pre-flight findings and the shapes of `d365ic teams check|plan|apply --json` (issue 14).
 * Main sends a finding as a stable `code` + `params` (+ an English `message` for the CLI and logs); the renderer
 * translates the code (renderer/i18n: `teams.finding.<CODE>`), so codes never change once released.
 */
import { z } from 'zod';

/** Every finding code, in the order the pre-flight page lists them. */
export const TEAMS_FINDING_CODES = [
  /** Microsoft Graph application permissions (or admin consent) missing from the app's token (params: permissions). */
  'TEAMS_GRAPH_PERMISSION_MISSING',
  /** A Commerce entity the engine reads is not exposed on OData (params: entity). */
  'TEAMS_ENTITY_MISSING',
  /** Rule R5: a store without a store manager gets no team (params: storeNumber). */
  'TEAMS_STORE_NO_MANAGER',
  /** A worker (store manager or worker) has no Entra identity on its Retail staff record (params: personnelNumber, storeNumber). */
  'TEAMS_WORKER_NO_IDENTITY',
  /** The worker's Entra user does not exist (params: personnelNumber, upn). */
  'TEAMS_USER_NOT_FOUND',
  /** The worker's Entra account is disabled (params: personnelNumber, upn). */
  'TEAMS_USER_DISABLED',
  /** The worker's Entra user holds no licence that includes Teams (params: personnelNumber, upn). */
  'TEAMS_USER_NO_TEAMS_LICENCE',
  /** Rules R6/R7: a regional manager is not a Retail task manager (params: userId, upn). */
  'TEAMS_REGIONAL_MANAGER_NO_TASK_ROLE',
  /** No user holds Retail task manager: the communications team would be empty (no params). */
  'TEAMS_NO_TASK_MANAGERS',
  /** No organization hierarchy has the purpose Retail reporting (no params). */
  'TEAMS_NO_RETAIL_REPORTING_HIERARCHY',
  /** A hierarchy exists but lacks the Retail reporting purpose, so it cannot be downloaded (params: hierarchy). */
  'TEAMS_HIERARCHY_NOT_RETAIL_REPORTING',
  /** The store's team mail nickname is taken by another store or by a group the console did not create (params: storeNumber, mailNickname, other). */
  'TEAMS_MAIL_NICKNAME_COLLISION',
  /** A team would get more than 100 owners (params: storeNumber, owners). */
  'TEAMS_OWNERS_OVER_LIMIT',
  /** The Teams mapping entity names a team that does not exist (params: storeNumber, teamId). */
  'TEAMS_MAPPED_TEAM_NOT_FOUND',
] as const;
export type TeamsFindingCode = (typeof TEAMS_FINDING_CODES)[number];

export const TeamsFindingSeveritySchema = z.enum(['error', 'warning', 'info']);

export const TeamsFindingSchema = z.object({
  code: z.enum(TEAMS_FINDING_CODES),
  severity: TeamsFindingSeveritySchema,
  storeNumber: z.string().optional(),
  personnelNumber: z.string().optional(),
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type TeamsFinding = z.infer<typeof TeamsFindingSchema>;

const Delta = z.object({ add: z.array(z.string()), remove: z.array(z.string()) });

/** Why a store is skipped or what its plan row means (codes for the renderer, like finding codes). */
export const TEAMS_PLAN_REASONS = ['no-manager', 'mail-nickname-collision', 'owners-over-limit', 'mapped-team-not-found', 'mapped', 'teamify-pending', 'rename'] as const;

export const TeamsPlanStoreSchema = z.object({
  storeNumber: z.string(),
  teamId: z.string().nullable(),
  action: z.enum(['create', 'update', 'none', 'skip']),
  reason: z.string().optional(),
  displayName: z.string().optional(),
  mailNickname: z.string().optional(),
  owners: Delta,
  members: Delta,
});
export type TeamsPlanStore = z.infer<typeof TeamsPlanStoreSchema>;

export const TeamsPlanSchema = z.object({
  stores: z.array(TeamsPlanStoreSchema),
  communicationsTeam: z.object({ teamId: z.string().nullable(), action: z.enum(['create', 'update', 'none', 'skip']), reason: z.string().optional(), members: Delta }),
  findings: z.array(TeamsFindingSchema),
});
export type TeamsPlan = z.infer<typeof TeamsPlanSchema>;

export const TeamsApplyResultSchema = z.object({
  teamsCreated: z.number().int(),
  ownersAdded: z.number().int(),
  membersAdded: z.number().int(),
  membersRemoved: z.number().int(),
  failed: z.array(z.object({ storeNumber: z.string(), code: z.string(), message: z.string(), userId: z.string().optional(), personnelNumber: z.string().optional() })),
});
export type TeamsApplyResult = z.infer<typeof TeamsApplyResultSchema>;
