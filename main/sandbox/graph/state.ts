/**
 * In-memory state of the Graph sandbox tenant and its seed: the demo directory users (main/sandbox/directory.ts)
 * plus the Commerce ⇄ Teams personas (main/sandbox/commerce-teams-personas.ts, shared with the Commerce sandbox).
 */
import { COMMERCE_TEAMS_PERSONAS } from '../commerce-teams-personas';
import { SANDBOX_TENANT_DOMAIN, SANDBOX_TENANT_ID, SANDBOX_USERS } from '../directory';

/** Microsoft 365 E3 (includes Teams) and a "no Teams" variant (E3 EEA without Teams). */
export const SKU_WITH_TEAMS = '05e9a617-0261-4cee-bb44-138d3ef5d965';
export const SKU_WITHOUT_TEAMS = 'dcf0408c-aaec-446c-afd4-43e3683943ea';
export const TEAMS_SERVICE_PLAN = '57ff2da0-773e-42df-b2af-ffb7a2317929';

export interface GUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
  createdAt: number;
}

export interface GGroup {
  id: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  visibility: string | null;
  owners: Set<string>;
  members: Set<string>;
  createdAt: number;
  team?: GTeam;
  /** lying-404: the team exists but the next teamify call is the retry that gets 409. */
}

export interface GChannel {
  id: string;
  displayName: string;
  description: string | null;
  membershipType: 'standard' | 'private' | 'shared';
  createdAt: number;
}

export interface GTeam {
  id: string;
  /** Sandbox time at which the team becomes readable (its creating operation succeeds). */
  readyAt: number;
  createdAt: number;
  isArchived: boolean;
  memberSettings: Record<string, unknown>;
  channels: GChannel[];
}

export interface GOperation {
  id: string;
  teamId: string;
  operationType: 'createTeam' | 'teamifyGroup';
  createdAt: number;
  readyAt: number;
}

export interface Versioned {
  version: number;
  /** Fields changed by each accepted version (for Planner's "older etag accepted when it does not conflict"). */
  history: { version: number; fields: string[] }[];
}

export interface PPlan extends Versioned {
  id: string;
  title: string;
  groupId: string;
  createdAt: number;
  createdBy: unknown;
}
export interface PBucket extends Versioned {
  id: string;
  name: string;
  planId: string;
  orderHint: string;
}
export interface PTask extends Versioned {
  id: string;
  planId: string;
  bucketId: string | null;
  title: string;
  orderHint: string;
  assigneePriority: string;
  percentComplete: number;
  priority: number;
  startDateTime: string | null;
  dueDateTime: string | null;
  createdAt: number;
  createdBy: unknown;
  completedAt: number | null;
  completedBy: unknown;
  assignments: Record<string, { '@odata.type': string; orderHint: string; assignedBy: unknown; assignedDateTime: string }>;
  appliedCategories: Record<string, boolean>;
  conversationThreadId: string | null;
  details: PDetails;
}
export interface PDetails extends Versioned {
  description: string;
  previewType: string;
  checklist: Record<string, { '@odata.type': string; title: string; isChecked: boolean; orderHint: string; lastModifiedDateTime: string; lastModifiedBy: unknown }>;
  references: Record<string, { '@odata.type': string; alias: string | null; type: string | null; previewPriority: string; lastModifiedDateTime: string; lastModifiedBy: unknown }>;
}

export class GraphState {
  users = new Map<string, GUser>();
  groups = new Map<string, GGroup>();
  operations = new Map<string, GOperation>();
  plans = new Map<string, PPlan>();
  buckets = new Map<string, PBucket>();
  tasks = new Map<string, PTask>();
  /** Task ids per plan (the plan limits and GET /planner/plans/{id}/tasks read one plan, not every task). */
  tasksByPlan = new Map<string, Set<string>>();
  /** Global Planner version counter (etags). */
  seq = 1;
  readonly tenantId = SANDBOX_TENANT_ID;
  readonly domain = SANDBOX_TENANT_DOMAIN;

  userByKey(key: string): GUser | undefined {
    const u = this.users.get(key);
    if (u) return u;
    const k = key.toLowerCase();
    for (const x of this.users.values()) if (x.userPrincipalName.toLowerCase() === k) return x;
    return undefined;
  }

  teamsLicensed(u: GUser): boolean {
    return u.assignedLicenses.some((l) => l.skuId === SKU_WITH_TEAMS && !l.disabledPlans.includes(TEAMS_SERVICE_PLAN));
  }
}

function split(name: string): [string, string] {
  const i = name.indexOf(' ');
  return i < 0 ? [name, ''] : [name.slice(0, i), name.slice(i + 1)];
}

/** Demo seed: directory users + personas. Deterministic ids (the personas' object ids are shared with Commerce). */
export function seedGraph(state: GraphState, now: number): void {
  const add = (id: string, displayName: string, upn: string, opts: { enabled: boolean; teams: boolean; jobTitle: string | null }) => {
    const [g, s] = split(displayName);
    state.users.set(id, {
      id,
      displayName,
      userPrincipalName: upn,
      mail: upn,
      givenName: g,
      surname: s || null,
      jobTitle: opts.jobTitle,
      accountEnabled: opts.enabled,
      assignedLicenses: [{ skuId: opts.teams ? SKU_WITH_TEAMS : SKU_WITHOUT_TEAMS, disabledPlans: [] }],
      createdAt: now - 30 * 86_400_000,
    });
  };
  for (const u of SANDBOX_USERS) {
    if (u.kind === 'application') continue;
    add(u.objectId, u.displayName, u.username, { enabled: u.accountEnabled, teams: u.graph?.teamsLicensed ?? false, jobTitle: u.graph?.jobTitle ?? null });
  }
  const titles = { 'regional-manager': 'Regional manager', 'store-manager': 'Store manager', worker: 'Sales associate' } as const;
  for (const p of COMMERCE_TEAMS_PERSONAS) add(p.objectId, p.displayName, p.upn, { enabled: p.accountEnabled, teams: p.teamsLicensed, jobTitle: titles[p.kind] });
}
