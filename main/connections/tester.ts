import type { ConnectionProfile, ConnectionTestReport } from '../../preload/contract/connections';
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
  try {
    // Token first and on its own, so "cannot sign in" and "signed in but the service refuses" read differently.
    const t0 = clock.now();
    const header = await deps.tokens.authorization({ forceRefresh: false });
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
          const org = await timed<{ value: { id: string; displayName: string }[] }>('organization');
          details.organization = org.value?.[0]?.displayName ?? '';
        } else {
          const me = await timed<{ userPrincipalName?: string; displayName?: string }>('me');
          user = me.userPrincipalName ?? me.displayName ?? null;
        }
        break;
      }
      case 'commerce-hq':
        await timed<unknown>('');
        break;
    }
    if (!user && isAppFlow(profile.authMethod)) user = `Application ${profile.app?.clientId ?? ''}`.trim();
    return { profileId: profile.id, ok: true, user, version, details, tokenMs, latencyMs, error: null, at: at() };
  } catch (x) {
    let failure = explain(x, profile);
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
