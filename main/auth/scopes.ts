import type { ConnectionKind } from '../../preload/contract/core/connections';
import { AppFailure } from '../rpc/errors';
import { insecureUrlReason } from '../http/url';

export const BC_RESOURCE = 'https://api.businesscentral.dynamics.com';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export type Flow = 'delegated' | 'app';

/**
 * Scopes for a profile, derived from its kind and URL so nobody types them. Delegated Dataverse tokens ask for
 * user_impersonation, app tokens for /.default (the only form client credentials accept, AADSTS1002012).
 * Graph: `User.Read` covers /me; app tokens read /organization via /.default.
 */
export function scopesFor(kind: ConnectionKind, url: string | null, flow: Flow, graphResource = GRAPH_RESOURCE): string[] {
  switch (kind) {
    case 'dataverse':
    case 'commerce-hq': {
      const origin = resourceOrigin(kind, url);
      return [kind === 'dataverse' && flow === 'delegated' ? `${origin}/user_impersonation` : `${origin}/.default`];
    }
    case 'bc-online':
      return [`${BC_RESOURCE}/.default`];
    case 'graph':
      return flow === 'delegated' ? [`${graphResource}/User.Read`] : [`${graphResource}/.default`];
    case 'bc-onprem':
      throw new AppFailure('AUTH_NOT_ENTRA', 'Business Central on-premises uses a user name and web service access key, not a Microsoft sign-in.');
  }
}

function resourceOrigin(kind: ConnectionKind, url: string | null): string {
  if (!url) {
    throw new AppFailure('CONNECTION_URL_REQUIRED', kind === 'dataverse' ? 'Enter the environment URL, e.g. https://contoso.crm4.dynamics.com.' : 'Enter the Commerce headquarters URL, e.g. https://contoso.operations.dynamics.com.');
  }
  const reason = insecureUrlReason(url);
  if (reason) throw new AppFailure('CONNECTION_URL_INSECURE', reason);
  // The resource is the origin: a path (/api/data/v9.2, /main.aspx) would make Entra reject the scope.
  return new URL(url).origin;
}

/** `https://login.microsoftonline.com/<tenant>`; delegated sign-in without a tenant uses "organizations". */
export function authorityFor(authorityHost: string | null | undefined, tenant: string | null | undefined): string {
  const host = (authorityHost || DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '');
  const u = new URL(host);
  if (u.protocol !== 'https:') {
    throw new AppFailure('AUTH_AUTHORITY_INSECURE', `The sign-in authority must use https (got ${u.origin}).`);
  }
  return `${u.origin}/${(tenant || 'organizations').trim()}`;
}
