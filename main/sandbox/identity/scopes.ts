/**
 * Scope grammar of the Microsoft identity platform v2 endpoint: a space-separated list of OIDC scopes
 * (openid, profile, offline_access, email) plus resource scopes `<resource>/<permission>` or `<resource>/.default`.
 * One token is for exactly one resource, so resource scopes naming two resources are rejected (AADSTS28000).
 */
import { AAD } from './errors';

export const BC_RESOURCE = 'https://api.businesscentral.dynamics.com';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const OIDC_SCOPES = ['openid', 'profile', 'offline_access', 'email'] as const;

/** Delegated permissions (scp) and application roles each known resource exposes. */
export interface ResourceDefinition {
  delegated: string[];
  appRoles: string[];
}

export const KNOWN_RESOURCES: Record<string, ResourceDefinition> = {
  [BC_RESOURCE]: { delegated: ['Financials.ReadWrite.All', 'user_impersonation'], appRoles: ['API.ReadWrite.All', 'Automation.ReadWrite.All'] },
  // Application roles the Commerce ⇄ Teams integration needs (granted with admin consent to every confidential client).
  // Delegated: what the admin's device-code sign-in on a Graph profile may ask for (the sandbox treats all as consented).
  [GRAPH_RESOURCE]: {
    delegated: ['User.Read', 'User.Read.All', 'Group.ReadWrite.All', 'Team.Create', 'TeamMember.ReadWrite.All', 'Channel.Create', 'Tasks.ReadWrite', 'openid', 'profile', 'offline_access', 'email'],
    appRoles: ['User.Read.All', 'Group.ReadWrite.All', 'Team.Create', 'TeamMember.ReadWrite.All', 'Channel.Create', 'Tasks.ReadWrite.All', 'Organization.Read.All'],
  },
};

/**
 * Finance and operations apps (Commerce headquarters): the resource is the environment URL. F&O has no application
 * roles (an app is authorized by the user it is mapped to on the Microsoft Entra applications page) and three
 * delegated permissions.
 */
export const OPERATIONS_RESOURCE: ResourceDefinition = { delegated: ['AX.FullAccess', 'CustomService.FullAccess', 'Odata.FullAccess'], appRoles: [] };

/** `https://<env>.operations.dynamics.com` (and the sovereign/sandbox variants under operations.*.dynamics.com). */
export function isOperationsResource(resource: string): boolean {
  return /^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*\.operations(\.[a-z0-9-]+)*\.dynamics\.com$/i.test(resource);
}

/**
 * Dataverse environments are identified by their URL, which in the sandbox is a loopback origin with a port chosen
 * at start. Any loopback origin is therefore a valid resource; Dataverse has no app roles (application users are
 * authorized by their Dataverse security roles, not by token roles), and one delegated permission.
 */
export const DATAVERSE_RESOURCE: ResourceDefinition = { delegated: ['user_impersonation'], appRoles: [] };

export function isLoopbackOrigin(resource: string): boolean {
  try {
    const u = new URL(resource);
    return (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && (u.pathname === '/' || u.pathname === '') && !u.search;
  } catch {
    return false;
  }
}

export function resourceDefinition(resource: string, extra: ReadonlyMap<string, ResourceDefinition> = new Map()): ResourceDefinition | undefined {
  return KNOWN_RESOURCES[resource] ?? extra.get(resource) ?? (isOperationsResource(resource) ? OPERATIONS_RESOURCE : isLoopbackOrigin(resource) ? DATAVERSE_RESOURCE : undefined);
}

export interface ParsedScopes {
  /** Resource (audience) of the token; Graph when only OIDC scopes were asked for. */
  resource: string;
  /** Permissions named for the resource (".default" kept as is). */
  permissions: string[];
  oidc: string[];
  /** The resource scopes as requested, for the token response `scope` field. */
  resourceScopes: string[];
}

/** Split one scope into resource + permission. `https://host/.default` → ['https://host', '.default']. */
export function splitScope(scope: string): { resource: string; permission: string } | null {
  const i = scope.lastIndexOf('/');
  if (i <= 0 || i === scope.length - 1) return null;
  let resource = scope.slice(0, i);
  // "https://host//.default" is a documented Entra quirk for resources whose id ends in "/": keep the bare origin.
  while (resource.endsWith('/')) resource = resource.slice(0, -1);
  if (!/^(https?|api):\/\/[^\s/]+/.test(resource) && !/^[0-9a-f-]{36}$/i.test(resource)) return null;
  return { resource, permission: scope.slice(i + 1) };
}

export function parseScopes(scopeParam: string | undefined): ParsedScopes {
  const all = (scopeParam ?? '').split(/\s+/).filter(Boolean);
  if (all.length === 0) throw AAD.invalidScope('(empty)');
  const oidc: string[] = [];
  const resourceScopes: string[] = [];
  let resource: string | undefined;
  const permissions: string[] = [];
  for (const s of all) {
    if ((OIDC_SCOPES as readonly string[]).includes(s)) {
      if (!oidc.includes(s)) oidc.push(s);
      continue;
    }
    const split = splitScope(s);
    if (!split) throw AAD.invalidScope(s);
    if (resource !== undefined && resource.toLowerCase() !== split.resource.toLowerCase()) throw AAD.multipleResources();
    resource ??= split.resource;
    if (!permissions.includes(split.permission)) permissions.push(split.permission);
    resourceScopes.push(s);
  }
  return { resource: resource ?? GRAPH_RESOURCE, permissions: resource ? permissions : ['User.Read'], oidc, resourceScopes };
}

/**
 * Delegated permissions to put in `scp`: `.default` expands to everything the resource exposes (the sandbox treats
 * every permission as consented unless the consent knob says otherwise); named permissions must exist.
 */
export function grantedDelegated(parsed: ParsedScopes, def: ResourceDefinition): string[] {
  const out = new Set<string>();
  for (const p of parsed.permissions) {
    if (p === '.default') def.delegated.filter((d) => !(OIDC_SCOPES as readonly string[]).includes(d)).forEach((d) => out.add(d));
    else {
      const known = def.delegated.find((d) => d.toLowerCase() === p.toLowerCase());
      if (!known) throw AAD.invalidScope(`${parsed.resource}/${p}`);
      out.add(known);
    }
  }
  return [...out];
}
