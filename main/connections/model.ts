import { METHODS_BY_KIND, TIER_COLOURS, type AuthMethod, type ConnectionFields, type ConnectionKind } from '../../preload/contract/core/connections';

export { METHODS_BY_KIND, TIER_COLOURS };
import { connectionUrlProblem } from '../../preload/contract/core/urls';
import { AppFailure } from '../rpc/errors';


export const isAppFlow = (m: AuthMethod) => m === 'client-secret' || m === 'certificate';
export const isUserFlow = (m: AuthMethod) => m === 'interactive' || m === 'device-code';


const KIND_LABEL: Record<ConnectionKind, string> = {
  dataverse: 'Dataverse / Dynamics 365 Sales',
  'bc-online': 'Business Central online',
  'bc-onprem': 'Business Central on-premises',
  graph: 'Microsoft Graph (Teams)',
  'commerce-hq': 'Commerce headquarters',
};

/**
 * Cross-field rules the schema cannot express. Returns normalised fields (URL without trailing slash).
 * Throws CONNECTION_INVALID with a message naming the field and what to enter.
 */
export function validateFields(f: ConnectionFields): ConnectionFields {
  const bad = (field: string, message: string): never => {
    throw new AppFailure('CONNECTION_INVALID', message, { field });
  };
  const kind = KIND_LABEL[f.kind];
  if (!METHODS_BY_KIND[f.kind].includes(f.authMethod)) {
    bad('authMethod', `${kind} cannot use "${f.authMethod}". Choose one of: ${METHODS_BY_KIND[f.kind].join(', ')}.`);
  }
  let url = f.url ? f.url.trim().replace(/\/+$/, '') : null;
  if (url === '') url = null;
  // The same rules, in the same pass, as the connection form applies before saving.
  const urlProblem = connectionUrlProblem(f.kind, url);
  if (urlProblem) bad('url', urlProblem);
  if (f.kind === 'bc-onprem') {
    if (!f.userName) bad('userName', 'Enter the Business Central user name whose web service access key you use.');
  } else {
    if (!f.app) bad('app', `${kind} needs an app registration (client id and tenant). Register your own app; the shared Microsoft sample app is blocked by many tenants.`);
    const authority = new URL(f.app!.authorityHost);
    if (authority.protocol !== 'https:') bad('app.authorityHost', 'The sign-in authority must use https, e.g. https://login.microsoftonline.com.');
    if (isAppFlow(f.authMethod) && (!f.app!.tenantId || ['common', 'organizations', 'consumers'].includes(f.app!.tenantId.toLowerCase()))) {
      bad('app.tenantId', 'App sign-in (client secret / certificate) needs the tenant id or domain, not "common" or "organizations".');
    }
  }
  if (f.kind === 'bc-online') {
    if (!f.environmentName) bad('environmentName', 'Enter the Business Central environment name, e.g. Production or Sandbox.');
    if (!f.app?.tenantId) bad('app.tenantId', 'Business Central online URLs contain the tenant: enter the tenant id or domain.');
  }
  return { ...f, url, app: f.app ? { ...f.app, authorityHost: new URL(f.app.authorityHost).origin } : null };
}
