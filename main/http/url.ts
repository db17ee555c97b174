/** URL rules shared by the HTTP client, the auth layer and profile validation. */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Credentials only travel over https. Plain http is allowed to loopback addresses only (the sandbox, a local
 * reverse proxy); returns a reason when the URL is refused, null when it is fine.
 */
export function insecureUrlReason(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url.slice(0, 200)}" is not a valid URL. Use the full address, e.g. https://contoso.crm4.dynamics.com.`;
  }
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return null;
  if (u.protocol === 'http:') {
    return `${u.origin} uses plain http. Credentials are only sent over https (http is allowed for this computer's own address 127.0.0.1/localhost). Use https://${u.host}${u.pathname === '/' ? '' : u.pathname}.`;
  }
  return `${u.protocol} URLs are not supported; use https://.`;
}

/** Origin without trailing slash, e.g. https://org.crm4.dynamics.com. */
export function originOf(url: string): string {
  return new URL(url).origin;
}
