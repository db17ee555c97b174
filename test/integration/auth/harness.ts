import { SANDBOX_CLIENTS, SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../../main/sandbox/directory';
import { startBusinessCentral, type BusinessCentralService } from '../../../main/sandbox/bc';
import { startDataverse, type DataverseService } from '../../../main/sandbox/dataverse';
import { startIdentity, type IdentityService } from '../../../main/sandbox/identity';
import type { ConnectionFields } from '../../../preload/contract/core/connections';
import { MsalAuth } from '../../../main/auth/msal-auth';
import type { FetchFn } from '../../../main/auth/network';
import { createConnections } from '../../../main/connections/handlers';
import type { Browser, Clock, Logger } from '../../../main/ports';
import { quiet, recorder, type TestStore } from '../../unit/connections/support';

export const ALIAS = 'https://login.sandbox.d365ic.localhost';
export const PUBLIC_CLIENT = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
export const CONFIDENTIAL_CLIENT = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!;
export const ADMIN = SANDBOX_USERS.find((u) => u.kind === 'admin')!;
export const INTEGRATION = SANDBOX_USERS.find((u) => u.kind === 'integration')!;

export interface Sandboxes {
  identity: IdentityService;
  dataverse: DataverseService;
  bc: BusinessCentralService;
  close(): Promise<void>;
}

/** `clock` is the identity service's time (token and refresh-token lifetimes): a test advances it instead of sleeping. */
export async function startSandboxes(opts: { clock?: Clock } = {}): Promise<Sandboxes> {
  const identity = await startIdentity(opts.clock ? { clock: () => opts.clock!.now() } : {});
  const [dataverse, bc] = await Promise.all([
    startDataverse({ authenticate: identity.authenticate, seed: 'demo', solutionImported: true }),
    startBusinessCentral({ authenticate: identity.authenticate, seed: 'demo' }),
  ]);
  return { identity, dataverse, bc, close: async () => void (await Promise.all([dataverse.close(), bc.close(), identity.close()])) };
}

/** Counts identity calls by grant type, so tests can prove "served from cache" and "refreshed silently". */
export function countingFetch() {
  const grants: string[] = [];
  const fetchFn: FetchFn = async (url, init) => {
    if (url.includes('/oauth2/v2.0/token') && init.body) grants.push(new URLSearchParams(init.body).get('grant_type') ?? '?');
    return fetch(url, init);
  };
  return { grants, fetchFn };
}

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The first <form> of a page: absolute action and its hidden inputs. */
export function parseForm(html: string, pageUrl: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on page: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const m of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]*)"[^>]*value="([^"]*)"[^>]*>/gi)) fields[decode(m[1]!)] = decode(m[2]!);
  return { action: new URL(decode(form[1]!), pageUrl).toString(), fields };
}

async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

/**
 * A headless "system browser": loads the authorize page, fills in the sign-in form, and lets the form_post page
 * submit itself to MSAL's loopback redirect, as a real browser would. `mode: 'ignore'` just records the URL (for
 * cancel/timeout tests).
 */
export function headlessBrowser(user: { username: string; password: string }, mode: 'sign-in' | 'ignore' = 'sign-in') {
  const opened: string[] = [];
  const pages: string[] = [];
  const errors: unknown[] = [];
  let wasOpened!: (url: string) => void;
  /** The first URL the app opens (awaited by tests instead of polling `opened`). */
  const firstOpened = new Promise<string>((r) => (wasOpened = r));
  async function drive(url: string) {
    const signIn = await (await fetch(url)).text();
    pages.push(signIn);
    const form = parseForm(signIn, url);
    const response = await postForm(form.action, { ...form.fields, username: user.username, password: user.password });
    const post = await response.text();
    pages.push(post);
    const callback = parseForm(post, form.action);
    // MSAL listens on 127.0.0.1 but advertises http://localhost:<port>; a browser would try both families.
    const target = new URL(callback.action);
    if (target.hostname === 'localhost') target.hostname = '127.0.0.1';
    const done = await postForm(target.toString(), callback.fields);
    pages.push(await done.text());
  }
  const browser: Browser = {
    openExternal: async (url) => {
      opened.push(url);
      wasOpened(url);
      if (mode === 'sign-in') void drive(url).catch((x: unknown) => errors.push(x));
    },
  };
  return { browser, opened, firstOpened, pages, errors };
}

export function dataverseProfile(sb: Sandboxes, over: Partial<ConnectionFields> = {}): ConnectionFields {
  return {
    name: 'Sales test',
    kind: 'dataverse',
    url: sb.dataverse.url,
    environmentName: null,
    company: null,
    tier: 'test',
    colour: '#1565c0',
    authMethod: 'interactive',
    app: { clientId: PUBLIC_CLIENT.clientId, tenantId: SANDBOX_TENANT_ID, redirectUri: 'http://localhost', authorityHost: ALIAS },
    userName: null,
    certificateThumbprint: null,
    ...over,
  };
}

export function wire(store: TestStore, sb: Sandboxes, browser: Browser, extra: { clock?: Clock; fetchFn?: FetchFn; interactiveTimeoutMs?: number; logger?: Logger } = {}) {
  const rec = recorder();
  const logger = extra.logger ?? quiet;
  const auth = new MsalAuth({ secrets: store.secrets, logger, routes: [{ authorityHost: ALIAS, target: sb.identity.url }], fetch: extra.fetchFn, clock: extra.clock });
  const c = createConnections({
    db: store.db,
    secrets: store.secrets,
    auth,
    browser,
    logger,
    emit: rec.emit,
    clock: extra.clock,
    interactiveTimeoutMs: extra.interactiveTimeoutMs,
  });
  return { ...c, auth, rec };
}
