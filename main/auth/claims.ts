/**
 * Read the time claims of an access token we were just given, to spot a wrong computer clock. The token is not
 * verified here (the resource does that); only iat/nbf are read, and nothing of the token is returned or logged.
 */
export function tokenClockSkewSeconds(authorization: string, nowMs: number): number | null {
  const m = /^Bearer (eyJ[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/.exec(authorization);
  if (!m) return null; // opaque token or Basic auth: nothing to compare
  try {
    const claims = JSON.parse(Buffer.from(m[2]!, 'base64url').toString('utf8')) as { iat?: unknown; nbf?: unknown };
    const issued = typeof claims.iat === 'number' ? claims.iat : typeof claims.nbf === 'number' ? claims.nbf : null;
    return issued === null ? null : Math.round(issued - nowMs / 1000);
  } catch {
    return null;
  }
}
