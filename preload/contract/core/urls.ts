/**
 * URL rules shared by main (HTTP client, auth, profile validation) and the renderer (the connection form checks a
 * URL in the same pass as every other field, before a round trip). Pure functions: no imports.
 */

/** WHATWG URL (global in Node and browsers); declared here because the contract compiles without DOM/Node types. */
interface ParsedUrl {
  readonly protocol: string; readonly hostname: string; readonly host: string; readonly origin: string; readonly pathname: string;
  readonly username: string; readonly password: string; readonly search: string; readonly hash: string;
}
declare const URL: new (input: string) => ParsedUrl;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Credentials only travel over https. Plain http is allowed to loopback addresses only (the sandbox, a local
 * reverse proxy); returns a reason when the URL is refused, null when it is fine.
 */
export function insecureUrlReason(url: string): string | null {
  let u: ParsedUrl;
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

type UrlKind = 'dataverse' | 'bc-online' | 'bc-onprem' | 'graph' | 'commerce-hq';

const URL_EXAMPLE: Partial<Record<UrlKind, string>> = {
  dataverse: 'https://contoso.crm4.dynamics.com',
  'bc-onprem': 'https://bc.contoso.local:7048/BC',
  'commerce-hq': 'https://contoso.operations.dynamics.com',
};
const KIND_LABEL: Record<UrlKind, string> = {
  dataverse: 'Dataverse / Dynamics 365 Sales',
  'bc-online': 'Business Central online',
  'bc-onprem': 'Business Central on-premises',
  graph: 'Microsoft Graph (Teams)',
  'commerce-hq': 'Commerce headquarters',
};

/** Every rule a profile's URL must meet, in one pass; null when it is fine (or empty and optional). */
export function connectionUrlProblem(kind: UrlKind, raw: string | null): string | null {
  const url = raw ? raw.trim().replace(/\/+$/, '') : '';
  if (!url) return URL_EXAMPLE[kind] ? `Enter the ${KIND_LABEL[kind]} URL, e.g. ${URL_EXAMPLE[kind]}.` : null;
  const reason = insecureUrlReason(url);
  if (reason) return reason;
  const u = new URL(url);
  if (u.username || u.password) return 'Do not put a user name or password in the URL; use the credential fields.';
  if (u.search || u.hash) return 'The URL must not contain a query (?…) or fragment (#…).';
  return null;
}

/**
 * A Dataverse address copied from the browser's address bar (`https://org.crm4.dynamics.com/main.aspx?appid=…`)
 * names an app inside the environment: the environment URL is its origin. Returns the trimmed URL, or null when
 * the text is not such an address.
 */
export function environmentUrlFromAppLink(text: string): string | null {
  if (!/[?&]appid=/i.test(text)) return null;
  try {
    const u = new URL(text.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return u.origin;
  } catch {
    return null;
  }
}
