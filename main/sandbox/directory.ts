/**
 * The sandbox's tenant directory: one source of truth for the demo users and app registrations that the
 * identity service signs in, and that Dataverse, Business Central, Graph and Commerce map tokens to. A user is an
 * Entra account plus one facet per service that knows it (`user.dataverse?.roles`, `user.bc?.webServiceAccessKey`,
 * `user.graph?.teamsLicensed`, `user.commerce?.personnelNumber`); a service adds its own facet instead of fields on
 * the shared user. Deterministic ids so tests and screenshots are stable.
 */
import { COMMERCE_TEAMS_PERSONAS } from './commerce-teams-personas';
import type { CommerceTeamsPersonaKind } from './commerce-teams-personas';
import { SANDBOX_TENANT_DOMAIN } from './tenant';

export { SANDBOX_TENANT_ID, SANDBOX_TENANT_DOMAIN } from './tenant';

/** Well-known Dataverse role ids from the BC integration solution and the platform. */
export const ROLE_IDS = {
  systemAdministratorTemplate: '627090ff-40a3-4053-8790-584edc5be201',
  bcIntegrationAdministrator: '8c8d4f51-a72b-e511-80d9-3863bb349780',
  bcIntegrationUser: '6f960e32-a72b-e511-80d9-3863bb349780',
} as const;

/** The Commerce ⇄ Teams personas (commerce-teams-personas.ts) sign in too, with their persona kind. */
export type SandboxUserKind = 'admin' | 'integration' | 'application' | 'salesperson' | CommerceTeamsPersonaKind;

/** A directory user: the Entra account every service sees, plus one optional facet per service that knows the user. */
export interface SandboxUser {
  /** Entra object id (oid claim, azureactivedirectoryobjectid). */
  objectId: string;
  username: string;
  displayName: string;
  /** Demo password (sandbox only; printed by `d365ic sandbox` so testers can sign in). */
  password: string;
  /** On-premises style DOMAIN\user, used by AD/IFD lookups. */
  domainName: string;
  kind: SandboxUserKind;
  /** Entra account enabled: a disabled account cannot sign in (Graph shows it as accountEnabled false). */
  accountEnabled: boolean;
  /** Dataverse: the systemuser seeded for this user (absent: no Dataverse user). */
  dataverse?: DataverseUserFacet;
  /** Business Central: on-premises credentials and the salesperson the user is. */
  bc?: BcUserFacet;
  /** Microsoft Graph: what the Graph sandbox's directory shows beyond the Entra account. */
  graph?: GraphUserFacet;
  /** Commerce headquarters: the worker behind the user. */
  commerce?: CommerceUserFacet;
}

export interface DataverseUserFacet {
  /** Dataverse systemuserid. */
  systemUserId: string;
  /** Dataverse role names granted at seed time. */
  roles: string[];
  islicensed: boolean;
  isdisabled: boolean;
}

export interface BcUserFacet {
  /** BC on-premises web service access key (Basic auth). */
  webServiceAccessKey?: string;
  /** Business Central salesperson code coupled by name/e-mail suggestions (salespeople only). */
  salespersonCode?: string;
}

export interface GraphUserFacet {
  /** A licence that includes Teams (assignedLicenses). */
  teamsLicensed: boolean;
  jobTitle: string | null;
}

export interface CommerceUserFacet {
  /** HcmWorker.PersonnelNumber. */
  personnelNumber: string;
  /** F&O SystemUsers.UserID, for users who sign in to headquarters (managers). */
  userId?: string;
}

export interface SandboxClient {
  clientId: string;
  displayName: string;
  kind: 'public' | 'confidential';
  clientSecret?: string;
  /** For confidential clients: the Dataverse application user the token maps to. */
  applicationUserId?: string;
  /** Object id of the app's service principal (the `oid` of its app-only tokens) when it has no Dataverse application user. */
  servicePrincipalObjectId?: string;
  redirectUris: string[];
}

const u = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** A demo Dataverse + BC user: licensed, enabled, Teams-licensed in Graph. */
function demoUser(
  n: number, name: string, displayName: string, password: string, kind: SandboxUserKind, roles: string[],
  bc: BcUserFacet = {}, jobTitle: string | null = null,
): SandboxUser {
  return {
    objectId: u(0x200 + n), username: `${name}@${SANDBOX_TENANT_DOMAIN}`, displayName, password, domainName: `NORDLYS\\${name}`, kind, accountEnabled: true,
    dataverse: { systemUserId: u(0x100 + n), roles, islicensed: true, isdisabled: false },
    bc, graph: { teamsLicensed: true, jobTitle },
  };
}

const BC_INTEGRATION_ROLES = ['Dynamics 365 Business Central Integration Administrator', 'Dynamics 365 Business Central Integration User'];

export const SANDBOX_USERS: SandboxUser[] = [
  demoUser(1, 'admin', 'Ingrid Admin', 'Sandbox!Admin1', 'admin', ['System Administrator'], { webServiceAccessKey: 'wsk-admin-8f3c2a91d4e6b7a0c5f1' }),
  demoUser(2, 'bc-integration', 'BC Integration', 'Sandbox!Integration1', 'integration', BC_INTEGRATION_ROLES, { webServiceAccessKey: 'wsk-integration-3b9d7e21a6c4f08e' }),
  demoUser(3, 'kari.nordmann', 'Kari Nordmann', 'Sandbox!Sales1', 'salesperson', ['Salesperson'], { salespersonCode: 'KN' }, 'Salesperson'),
  demoUser(4, 'jan.devries', 'Jan de Vries', 'Sandbox!Sales2', 'salesperson', ['Salesperson'], { salespersonCode: 'JDV' }, 'Salesperson'),
  demoUser(5, 'aino.virtanen', 'Aino Virtanen', 'Sandbox!Sales3', 'salesperson', ['Salesperson'], { salespersonCode: 'AV' }, 'Salesperson'),
  {
    // The application user of the confidential client: a Dataverse user only (no password, no mailbox, no Graph profile).
    objectId: u(0x206), username: `integration-app@${SANDBOX_TENANT_DOMAIN}`, displayName: '# Business Central Integration (app)',
    password: '', domainName: '', kind: 'application', accountEnabled: true,
    dataverse: { systemUserId: u(0x106), roles: BC_INTEGRATION_ROLES, islicensed: false, isdisabled: false },
  },
];

export const SANDBOX_CLIENTS: SandboxClient[] = [
  {
    clientId: '7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60', displayName: 'Integration Console (public client)', kind: 'public',
    redirectUris: ['http://localhost', 'http://127.0.0.1', 'app://7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60'],
  },
  {
    clientId: 'a4c2e6f8-1b3d-4f5a-9c7e-2d4f6a8b0c1e', displayName: 'Business Central Integration (confidential)', kind: 'confidential',
    clientSecret: 'sandbox-secret-5Qv8~tR2xW9zK4mN7pL1', applicationUserId: u(0x106), redirectUris: [],
  },
  {
    // Commerce ⇄ Teams: Microsoft Graph application permissions (Group.ReadWrite.All, User.Read.All, Tasks.ReadWrite.All, …).
    clientId: 'b7e3d1c9-4a2f-4e8b-9d6c-3f5a7b9c1d2e', displayName: 'Commerce Teams Integration (Microsoft Graph, confidential)', kind: 'confidential',
    clientSecret: 'sandbox-graph-secret-8Hc3~vN6qT1yB4wR9', servicePrincipalObjectId: u(0x301), redirectUris: [],
  },
  {
    // Commerce ⇄ Teams: registered on Commerce headquarters' "Microsoft Entra applications" page (commerce/seed.ts).
    clientId: 'c8f4e2da-5b3a-4f9c-8e7d-4a6b8c0d2e3f', displayName: 'Commerce Teams Integration (Commerce headquarters, confidential)', kind: 'confidential',
    clientSecret: 'sandbox-commerce-secret-2Fk7~pX5mL8zQ3dW6', servicePrincipalObjectId: u(0x302), redirectUris: [],
  },
];

/** The Commerce ⇄ Teams app registrations, by role (the JSON line's clients.graph / clients.commerce). */
export const GRAPH_CLIENT = SANDBOX_CLIENTS.find((c) => c.clientId === 'b7e3d1c9-4a2f-4e8b-9d6c-3f5a7b9c1d2e')!;
export const COMMERCE_CLIENT = SANDBOX_CLIENTS.find((c) => c.clientId === 'c8f4e2da-5b3a-4f9c-8e7d-4a6b8c0d2e3f')!;

/** Demo password of every Commerce ⇄ Teams persona (sandbox only). */
export const PERSONA_PASSWORD = 'Sandbox!Persona1';

/**
 * The Commerce ⇄ Teams personas as sign-in users (regional managers, store managers, workers): the identity
 * sandbox signs them in with PERSONA_PASSWORD; a persona whose Entra account is disabled cannot sign in. They are
 * not Dataverse users (no systemuser rows) — Dataverse and Business Central seed from SANDBOX_USERS only.
 */
const PERSONA_TITLES = { 'regional-manager': 'Regional manager', 'store-manager': 'Store manager', worker: 'Sales associate' } as const;

export const PERSONA_USERS: SandboxUser[] = COMMERCE_TEAMS_PERSONAS.map((p) => ({
  objectId: p.objectId, username: p.upn, displayName: p.displayName, password: PERSONA_PASSWORD,
  domainName: `NORDLYS\\${p.upn.split('@')[0]!}`, kind: p.kind, accountEnabled: p.accountEnabled,
  graph: { teamsLicensed: p.teamsLicensed, jobTitle: PERSONA_TITLES[p.kind] },
  commerce: { personnelNumber: p.personnelNumber, ...(p.userId ? { userId: p.userId } : {}) },
}));

export function findUserByUsername(username: string): SandboxUser | undefined {
  const n = username.trim().toLowerCase();
  return SANDBOX_USERS.find((x) => x.username.toLowerCase() === n || x.domainName.toLowerCase() === n)
    ?? PERSONA_USERS.find((x) => x.username.toLowerCase() === n || x.domainName.toLowerCase() === n);
}
