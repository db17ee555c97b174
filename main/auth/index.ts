export type { Auth, AuthAccount, AuthTarget, AppCredential, DeviceCodePrompt, TokenResult } from './port';
export { MsalAuth, type MsalAuthOptions } from './msal-auth';
export type { AuthorityRoute } from './network';
export { mapAuthError } from './errors';
export { scopesFor, authorityFor, BC_RESOURCE, GRAPH_RESOURCE, DEFAULT_AUTHORITY_HOST } from './scopes';
