import type { ConnectionProfile, ConnectionTestReport } from '../../preload/contract/core/connections';
import { tokenClockSkewSeconds } from '../auth/claims';
import { GRAPH_RESOURCE } from '../auth/scopes';
import { HttpClient, type FetchLike, type TokenProvider } from '../http/client';
import { ServiceError } from '../http/errors';
import { odataGuid } from '../http/odata';
import type { Clock, Logger } from '../ports';
import { systemClock } from '../ports';
import { AppFailure } from '../rpc/errors';
import { isAppFlow } from './model';

export const BC_API_HOST = 'https://api.businesscentral.dynamics.com';

export interface TestDeps {
  tokens: TokenProvider;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  timeoutMs?: number;
}

/** Where each kind's API lives; `url` overrides the public host (national clouds, the sandbox). */
export function apiBase(p: ConnectionProfile): string {
  switch (p.kind) {
    case 'dataverse':
      return `${p.url}/api/data/v9.2/`;
    case 'bc-online':
      return `${p.url ?? BC_API_HOST}/v2.0/${encodeURIComponent(p.app?.tenantId ?? '')}/${encodeURIComponent(p.environmentName ?? '')}/api/v2.0/`;
    case 'bc-onprem':
      return `${p.url}/api/v2.0/`;
    case 'graph':
      return `${p.url ?? GRAPH_RESOURCE}/v1.0/`;
    case 'commerce-hq':
      return `${p.url}/data/`;
  }
}

/** Headers each service expects on every call (Dataverse wants the OData version pinned). */
export function defaultHeadersFor(p: ConnectionProfile): Record<string, string> {
  return p.kind === 'dataverse' || p.kind === 'bc-online' || p.kind === 'bc-onprem' ? { 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' } : {};
}

const CLOCK_SKEW_WARN_MS = 5 * 60_000;

/**
 * Connection test: get a token (silently — a test never prompts), make one identifying call, report who we are,
 * the service version and the latency. Failures come back in the report as actionable errors, not as exceptions.
 */
export async function testConnection(profile: ConnectionProfile, deps: TestDeps): Promise<ConnectionTestReport> {
  const clock = deps.clock ?? systemClock;
  const at = () => new Date(clock.now()).toISOString();
  const details: Record<string, string> = {};
  let tokenMs: number | null = null;
  let latencyMs: number | null = null;
  let headerOf: string | null = null;
  try {
    // Token first and on its own, so "cannot sign in" and "signed in but the service refuses" read differently.
    const t0 = clock.now();
    const header = await deps.tokens.authorization({ forceRefresh: false });
    headerOf = header;
    tokenMs = clock.now() - t0;
    // A token issued "in the future" or long ago means one of the clocks is wrong; services reject such tokens
    // with a bare 401, so say it up front.
    const skew = tokenClockSkewSeconds(header, clock.now());
    if (skew !== null && Math.abs(skew) * 1000 > CLOCK_SKEW_WARN_MS) {
      details.clockSkew = `This computer's clock differs from the identity service's by about ${Math.round(Math.abs(skew) / 60)} minutes.`;
    }
    let first = true;
    const tokens: TokenProvider = {
      authorization: async (o) => {
        if (first && !o.forceRefresh) {
          first = false;
          return header;
        }
        return deps.tokens.authorization(o);
      },
    };
    const http = new HttpClient({ baseUrl: apiBase(profile), defaultHeaders: defaultHeadersFor(profile), auth: tokens, fetch: deps.fetch, clock, logger: deps.logger, timeoutMs: deps.timeoutMs ?? 30_000, maxRetries: 1, retryBaseMs: 500, maxRetryAfterMs: 10_000 });
    const timed = async <T>(path: string) => {
      const r = await http.get<T>(path);
      latencyMs ??= r.durationMs;
      const date = r.headers.get('date');
      if (date && Math.abs(Date.parse(date) - clock.now()) > CLOCK_SKEW_WARN_MS) {
        details.clockSkew = `The server's clock differs from this computer's by ${Math.round(Math.abs(Date.parse(date) - clock.now()) / 60_000)} minutes; sign-in may fail until the clock is corrected.`;
      }
      return r.body;
    };
    let user: string | null = null;
    let version: string | null = null;
    switch (profile.kind) {
      case 'dataverse': {
        const who = await timed<{ UserId: string; OrganizationId: string; BusinessUnitId: string }>('WhoAmI');
        details.organizationId = who.OrganizationId;
        details.userId = who.UserId;
        const v = await http.get<{ Version: string }>('RetrieveVersion').catch(() => null);
        version = v?.body.Version ?? null;
        const u = await http.get<{ fullname?: string; domainname?: string }>(`systemusers(${odataGuid(who.UserId)})`, { query: { $select: 'fullname,domainname' } }).catch(() => null);
        user = u?.body.domainname || u?.body.fullname || who.UserId;
        if (u?.body.fullname) details.fullName = u.body.fullname;
        break;
      }
      case 'bc-online':
      case 'bc-onprem': {
        const body = await timed<{ value: { id: string; name: string; displayName?: string }[] }>('companies');
        const companies = body.value ?? [];
        details.companies = String(companies.length);
        if (profile.company) {
          const found = companies.find((c) => c.name === profile.company || c.displayName === profile.company);
          if (!found) {
            throw new AppFailure('CONNECTION_COMPANY_NOT_FOUND', `Company "${profile.company}" was not found. Available: ${companies.map((c) => c.name).slice(0, 10).join(', ') || 'none'}. Correct the company on the profile.`);
          }
          details.companyId = found.id;
        }
        user = profile.kind === 'bc-onprem' ? profile.userName : null;
        break;
      }
      case 'graph': {
        if (isAppFlow(profile.authMethod)) {
          const org = await timed<{ value: { id: string; displayName: string }[] }>('organization').catch(async (x: unknown) => {
            // Reading /organization needs Organization.Read.All (or Directory.Read.All), which a least-privilege
            // integration app does not have: then a read the integration does need (users) proves the token is
            // accepted, and the permission check below says what is missing.
            if (x instanceof ServiceError && (x.status === 403 || x.status === 404)) {
              try {
                return (await timed<{ value: unknown[] }>('users?$top=1&$select=id'), { value: [] });
              } catch (y) {
                // Refused twice: a token with no application permission at all means no admin consent — say that.
                checkGraphAppRoles(header, details);
                throw y;
              }
            }
            throw x;
          });
          details.organization = org.value?.[0]?.displayName ?? '';
          checkGraphAppRoles(header, details);
        } else {
          const me = await timed<{ userPrincipalName?: string; displayName?: string }>('me');
          user = me.userPrincipalName ?? me.displayName ?? null;
        }
        break;
      }
      case 'commerce-hq': {
        // The cheapest authenticated read, then discovery: the collections the integration reads must be on OData.
        const companies = await timed<{ value?: { DataArea?: string; Name?: string }[] }>('Companies?$top=1');
        if (companies.value?.[0]?.DataArea) details.company = companies.value[0].DataArea;
        const ents = await http.get<{ value?: { PublicCollectionName?: string; DataServiceEnabled?: boolean }[] }>('../Metadata/DataEntities?$select=PublicCollectionName,DataServiceEnabled');
        const exposed = new Set((ents.body.value ?? []).filter((e) => e.DataServiceEnabled !== false).map((e) => e.PublicCollectionName));
        details.dataEntities = String(ents.body.value?.length ?? 0);
        const missing = COMMERCE_REQUIRED_COLLECTIONS.filter((c) => !exposed.has(c));
        if (missing.length) details.missingCollections = missing.join(', ');
        break;
      }
    }
    if (!user && isAppFlow(profile.authMethod)) user = `Application ${profile.app?.clientId ?? ''}`.trim();
    return { profileId: profile.id, ok: true, user, version, details, tokenMs, latencyMs, error: null, at: at() };
  } catch (x) {
    let failure = explainSpecific(x, profile, headerOf) ?? explain(x, profile);
    if (details.clockSkew && failure.code === 'CONNECTION_UNAUTHORIZED') {
      failure = new AppFailure('AUTH_CLOCK_SKEW', `${details.clockSkew} The service refused the token because of it. Set the clock to synchronise automatically (Windows: Settings → Time → Sync now) and test again.`);
    }
    if (!(x instanceof AppFailure) && !(x instanceof ServiceError)) deps.logger?.error('connection test failed', x);
    return { profileId: profile.id, ok: false, user: null, version: null, details, tokenMs, latencyMs, error: failure.toData(), at: at() };
  }
}

/** Service answers → what the admin should do. */
export function explain(x: unknown, profile: ConnectionProfile): AppFailure {
  if (x instanceof AppFailure) return x;
  if (!(x instanceof ServiceError)) return new AppFailure('CONNECTION_TEST_FAILED', 'The connection test failed unexpectedly. The details were written to the log.');
  const ref = x.details.requestId ? ` (request id ${x.details.requestId})` : '';
  const msg = x.serviceMessage;
  if (x.code === 'NETWORK' || x.code === 'TIMEOUT' || x.code === 'INSECURE_URL') return new AppFailure('CONNECTION_UNREACHABLE', msg);
  if (x.code === 'THROTTLED') return new AppFailure('CONNECTION_THROTTLED', msg);
  // Dataverse: 0x80040225 disabled user, 0x8004d24b user not in an environment security group / unlicensed.
  if (/0x80040225|is disabled/i.test(`${x.code} ${msg}`)) {
    return new AppFailure('CONNECTION_USER_DISABLED', `The user is disabled in this environment: ${msg}. Ask an administrator to enable the user${isAppFlow(profile.authMethod) ? ' (application user)' : ''}.`);
  }
  if (x.status === 401) {
    const hint = isAppFlow(profile.authMethod)
      ? 'Create the application user for this app in the environment (Power Platform admin center → Application users) and give it a security role.'
      : 'Check that the account has access to this environment and sign in again.';
    return new AppFailure('CONNECTION_UNAUTHORIZED', `The service refused the sign-in: ${msg}. ${hint}${ref}`);
  }
  if (x.status === 403) return new AppFailure('CONNECTION_FORBIDDEN', `Signed in, but not allowed: ${msg}. Ask an administrator for a security role / permission set${ref}.`);
  if (x.status === 404) {
    const what = profile.kind === 'bc-online' ? `environment "${profile.environmentName}" in tenant ${profile.app?.tenantId}` : 'the URL';
    return new AppFailure('CONNECTION_NOT_FOUND_REMOTE', `The service was not found: check ${what}. (${msg})${ref}`);
  }
  return new AppFailure('CONNECTION_SERVICE_ERROR', `The service answered ${x.status ?? ''} ${x.code}: ${msg}${ref}`.replace(/\s+/g, ' '));
}

/**
 * Application permissions the Commerce ⇄ Teams integration needs on Microsoft Graph (reference W1 D.2, least
 * privilege): groups and teams (Group.ReadWrite.All covers Team.Create and Channel.Create), users, team members,
 * Planner. Each is also satisfied by the broader permissions listed with it.
 */
export const GRAPH_APP_PERMISSIONS: Record<string, string[]> = {
  'Group.ReadWrite.All': ['Directory.ReadWrite.All'],
  'User.Read.All': ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'TeamMember.ReadWrite.All': [],
  'Tasks.ReadWrite.All': [],
};

/** Public collections the integration reads; reported (not failed) when /Metadata/DataEntities does not list them. */
export const COMMERCE_REQUIRED_COLLECTIONS = ['RetailStores', 'Workers', 'SystemUsers', 'SecurityUserRoles', 'Companies'];

/** Claims of the access token we were just given (not verified here: the service does that). */
function tokenClaims(authorization: string | null): Record<string, unknown> | null {
  const m = /^Bearer [A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/.exec(authorization ?? '');
  if (!m) return null;
  try {
    const c = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as unknown;
    return c && typeof c === 'object' ? (c as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** App-only Graph token: every permission the integration needs must be in `roles` (granted with admin consent). */
export function checkGraphAppRoles(authorization: string, details: Record<string, string>): void {
  const claims = tokenClaims(authorization);
  if (!claims) return; // opaque token: the service decides
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  details.roles = roles.join(', ');
  if (roles.length === 0) {
    throw new AppFailure('CONNECTION_GRAPH_NO_ADMIN_CONSENT', `The token carries no application permissions: the app's Microsoft Graph application permissions have not been granted admin consent. In Microsoft Entra admin center → App registrations → ${String(claims.appid ?? claims.azp ?? 'the app')} → API permissions, add ${Object.keys(GRAPH_APP_PERMISSIONS).join(', ')} (type Application) and select "Grant admin consent".`);
  }
  const missing = Object.entries(GRAPH_APP_PERMISSIONS).filter(([p, wider]) => !roles.includes(p) && !wider.some((w) => roles.includes(w))).map(([p]) => p);
  if (missing.length) {
    throw new AppFailure('CONNECTION_GRAPH_PERMISSION_MISSING', `The app lacks these Microsoft Graph application permissions: ${missing.join(', ')}. Add them (type Application) under API permissions and grant admin consent; the token has ${roles.join(', ')}.`, { permissions: missing.join(', ') });
  }
}

/** Explanations only Graph and F&O give reasons for (403 with the missing permission, F&O's 401 token checks). */
export function explainSpecific(x: unknown, profile: ConnectionProfile, authorization: string | null): AppFailure | null {
  if (!(x instanceof ServiceError)) return null;
  const ref = x.details.requestId ? ` (request id ${x.details.requestId})` : '';
  if (profile.kind === 'graph' && x.status === 403 && /Authorization_RequestDenied/.test(x.code)) {
    const needed = /permissions[^:]*:\s*(.+?)\.?$/.exec(x.serviceMessage)?.[1];
    const list = needed ?? Object.keys(GRAPH_APP_PERMISSIONS).join(', ');
    return new AppFailure('CONNECTION_GRAPH_PERMISSION_MISSING', `Microsoft Graph refused the request: ${x.serviceMessage} Add the application permission (${list}) and grant admin consent${ref}.`, { permissions: list });
  }
  if (profile.kind !== 'commerce-hq' || x.status !== 401) return null;
  const inner = (x.details.body as { error?: { innererror?: { message?: unknown } } } | null)?.error?.innererror?.message;
  const reason = typeof inner === 'string' && inner ? inner : x.serviceMessage;
  const claims = tokenClaims(authorization);
  const aud = typeof claims?.aud === 'string' ? claims.aud : null;
  const env = (profile.url ?? '').replace(/\/+$/, '');
  if (/not registered|Microsoft Entra applications page/i.test(reason) && /application/i.test(reason) && !/mapped to/i.test(reason)) {
    return new AppFailure('CONNECTION_COMMERCE_APP_NOT_REGISTERED', `Finance and Operations does not know this app: ${reason} In Commerce headquarters go to System administration → Setup → Microsoft Entra applications, add the client id ${profile.app?.clientId ?? ''} and map it to an integration user.`, { clientId: profile.app?.clientId ?? '' });
  }
  if (/audience|\baud\b/i.test(reason) || (aud !== null && env && aud !== env.toLowerCase())) {
    const why = aud === null ? '' : aud.endsWith('/') ? ` The token's audience "${aud}" ends with a slash.` : aud !== aud.toLowerCase() ? ` The token's audience "${aud}" is not all lower case.` : aud !== env.toLowerCase() ? ` The token is for "${aud}", not "${env.toLowerCase()}".` : '';
    return new AppFailure('CONNECTION_COMMERCE_AUDIENCE', `Finance and Operations refused the token's audience: ${reason}${why} The environment URL on the profile must be exactly the environment's URL in lower case without a trailing slash (the scope is "<url>/.default").`, { expected: env.toLowerCase() });
  }
  if (/tenant/i.test(reason)) {
    return new AppFailure('CONNECTION_COMMERCE_WRONG_TENANT', `The token comes from another tenant than the environment's: ${reason} Set the tenant id on the profile to the tenant of the Commerce environment (sign in through the tenant's own endpoint, not /organizations).`);
  }
  return new AppFailure('CONNECTION_UNAUTHORIZED', `Finance and Operations refused the sign-in: ${reason}${ref}`);
}
