/**
 * The sandbox's tenant directory: one source of truth for the demo users and app registrations that the
 * identity service signs in, and that Dataverse and Business Central map tokens to. Deterministic ids so
 * tests and screenshots are stable.
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

export interface SandboxUser {
  /** Dataverse systemuserid. */
  systemUserId: string;
  /** Entra object id (oid claim, azureactivedirectoryobjectid). */
  objectId: string;
  username: string;
  displayName: string;
  /** Demo password (sandbox only; printed by `d365ic sandbox` so testers can sign in). */
  password: string;
  /** On-premises style DOMAIN\user, used by AD/IFD lookups. */
  domainName: string;
  kind: SandboxUserKind;
  /** Dataverse role names granted at seed time. */
  roles: string[];
  /** Business Central salesperson code coupled by name/e-mail suggestions (salespeople only). */
  salespersonCode?: string;
  islicensed: boolean;
  isdisabled: boolean;
  /** BC on-premises web service access key (Basic auth). */
  webServiceAccessKey?: string;
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

export const SANDBOX_USERS: SandboxUser[] = [
  {
    systemUserId: u(0x101), objectId: u(0x201), username: `admin@${SANDBOX_TENANT_DOMAIN}`, displayName: 'Ingrid Admin',
    password: 'Sandbox!Admin1', domainName: 'NORDLYS\\admin', kind: 'admin', roles: ['System Administrator'],
    islicensed: true, isdisabled: false, webServiceAccessKey: 'wsk-admin-8f3c2a91d4e6b7a0c5f1',
  },
  {
    systemUserId: u(0x102), objectId: u(0x202), username: `bc-integration@${SANDBOX_TENANT_DOMAIN}`, displayName: 'BC Integration',
    password: 'Sandbox!Integration1', domainName: 'NORDLYS\\bc-integration', kind: 'integration',
    roles: ['Dynamics 365 Business Central Integration Administrator', 'Dynamics 365 Business Central Integration User'],
    islicensed: true, isdisabled: false, webServiceAccessKey: 'wsk-integration-3b9d7e21a6c4f08e',
  },
  {
    systemUserId: u(0x103), objectId: u(0x203), username: `kari.nordmann@${SANDBOX_TENANT_DOMAIN}`, displayName: 'Kari Nordmann',
    password: 'Sandbox!Sales1', domainName: 'NORDLYS\\kari.nordmann', kind: 'salesperson', roles: ['Salesperson'],
    salespersonCode: 'KN', islicensed: true, isdisabled: false,
  },
  {
    systemUserId: u(0x104), objectId: u(0x204), username: `jan.devries@${SANDBOX_TENANT_DOMAIN}`, displayName: 'Jan de Vries',
    password: 'Sandbox!Sales2', domainName: 'NORDLYS\\jan.devries', kind: 'salesperson', roles: ['Salesperson'],
    salespersonCode: 'JDV', islicensed: true, isdisabled: false,
  },
  {
    systemUserId: u(0x105), objectId: u(0x205), username: `aino.virtanen@${SANDBOX_TENANT_DOMAIN}`, displayName: 'Aino Virtanen',
    password: 'Sandbox!Sales3', domainName: 'NORDLYS\\aino.virtanen', kind: 'salesperson', roles: ['Salesperson'],
    salespersonCode: 'AV', islicensed: true, isdisabled: false,
  },
  {
    systemUserId: u(0x106), objectId: u(0x206), username: `integration-app@${SANDBOX_TENANT_DOMAIN}`, displayName: '# Business Central Integration (app)',
    password: '', domainName: '', kind: 'application',
    roles: ['Dynamics 365 Business Central Integration Administrator', 'Dynamics 365 Business Central Integration User'],
    islicensed: false, isdisabled: false,
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
export const PERSONA_USERS: SandboxUser[] = COMMERCE_TEAMS_PERSONAS.map((p) => ({
  systemUserId: p.objectId, objectId: p.objectId, username: p.upn, displayName: p.displayName, password: PERSONA_PASSWORD,
  domainName: `NORDLYS\\${p.upn.split('@')[0]!}`, kind: p.kind, roles: [], islicensed: p.teamsLicensed, isdisabled: !p.accountEnabled,
}));

export function findUserByUsername(username: string): SandboxUser | undefined {
  const n = username.trim().toLowerCase();
  return SANDBOX_USERS.find((x) => x.username.toLowerCase() === n || x.domainName.toLowerCase() === n)
    ?? PERSONA_USERS.find((x) => x.username.toLowerCase() === n || x.domainName.toLowerCase() === n);
}
