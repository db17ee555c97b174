/**
 * How sandbox resource servers (Dataverse, Business Central) learn who is calling. The identity service
 * implements `Authenticate` by verifying its own signed JWTs; resource servers receive it by injection so
 * each can be tested alone.
 */
export interface SandboxPrincipal {
  kind: 'user' | 'app';
  /** Entra object id (oid): matches systemuser.azureactivedirectoryobjectid for users. */
  objectId: string;
  /** Client id (appid/azp) of the calling app; application users are matched on it. */
  appId: string;
  /** The audience the token was issued for (e.g. the Dataverse URL). */
  audience: string;
  scopes: string[];
  /** Username (preferred_username / upn) for user tokens. */
  username?: string;
}

export type AuthFailure = { error: 'invalid_token' | 'missing_token'; description: string };

/** Verify an `Authorization` header for a resource. Never throws. */
export type Authenticate = (authorization: string | undefined, expectedAudience: string) => SandboxPrincipal | AuthFailure;

export function isAuthFailure(x: SandboxPrincipal | AuthFailure): x is AuthFailure {
  return 'error' in x;
}
