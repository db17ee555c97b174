/**
 * On-premises Business Central with Basic authentication: user name + Web Service Access Key (not the password).
 * Shaped as a TokenProvider so HttpClient treats it like any bearer source. Basic credentials are a long-lived
 * secret sent with every request, so the server URL must be https — plain http is accepted only for this computer
 * (127.0.0.1 / localhost), e.g. the sandbox or a local container.
 */
import type { TokenProvider } from '../../http/client';
import { ServiceError } from '../../http/errors';
import { insecureUrlReason } from '../../http/url';

export interface BasicCredentials {
  /** BC user name (or DOMAIN\user). */
  username: string;
  /** The user's Web Service Access Key from the BC user card. */
  webServiceAccessKey: string;
}

export function basicAuthProvider(serverUrl: string, creds: BasicCredentials): TokenProvider {
  const reason = insecureUrlReason(serverUrl);
  if (reason) throw new ServiceError(null, 'INSECURE_URL', `Refusing to send Business Central credentials: ${reason}`, { url: safeOrigin(serverUrl) });
  if (!creds.username || creds.username.includes(':')) throw new Error('Enter the Business Central user name (it cannot contain ":").');
  if (!creds.webServiceAccessKey) throw new Error('Enter the Web Service Access Key of the Business Central user (User card → Web Service Access Key); the password does not work here.');
  const header = `Basic ${Buffer.from(`${creds.username}:${creds.webServiceAccessKey}`, 'utf8').toString('base64')}`;
  // No refresh possible: a forced refresh after a 401 sends the same key, and the 401 reaches the caller.
  return { authorization: () => Promise.resolve(header) };
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
