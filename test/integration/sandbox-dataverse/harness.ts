/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is inspected ad hoc in these tests */
/**
 * Test-only wiring for the Dataverse sandbox: a stub `Authenticate` (the real one is the identity service's)
 * that accepts `Bearer user:<objectId>` / `Bearer app:<clientId>` tokens for the right audience, plus a tiny
 * fetch wrapper.
 */
import type { Authenticate } from '../../../main/sandbox/auth';
import { SANDBOX_CLIENTS, SANDBOX_USERS } from '../../../main/sandbox/directory';
import type { DataverseOptions, DataverseService } from '../../../main/sandbox/dataverse/index';
import { startDataverse } from '../../../main/sandbox/dataverse/index';

export const stubAuthenticate: Authenticate = (header, audience) => {
  if (!header) return { error: 'missing_token', description: 'no Authorization header' };
  const m = /^Bearer (user|app):([^@\s]+)(?:@(\S+))?$/.exec(header);
  if (!m) return { error: 'invalid_token', description: 'malformed token' };
  if (m[3] && m[3] !== audience) return { error: 'invalid_token', description: `audience ${m[3]} does not match ${audience}` };
  return { kind: m[1] as 'user' | 'app', objectId: m[1] === 'user' ? m[2] : '', appId: m[1] === 'app' ? m[2] : '', audience, scopes: [] };
};

const user = (kind: string, n = 0) => SANDBOX_USERS.filter((u) => u.kind === kind)[n];
export const USERS = {
  admin: user('admin'), integration: user('integration'), sales: user('salesperson'), sales2: user('salesperson', 1), appUser: user('application'),
};
export const TOKENS = {
  admin: `Bearer user:${USERS.admin.objectId}`,
  integration: `Bearer user:${USERS.integration.objectId}`,
  sales: `Bearer user:${USERS.sales.objectId}`,
  sales2: `Bearer user:${USERS.sales2.objectId}`,
  app: `Bearer app:${SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')?.clientId}`,
};

export interface Res { status: number; headers: Headers; text: string; json: any }

export class Client {
  constructor(readonly svc: DataverseService, public token: string = TOKENS.admin) {}
  async req(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; token?: string | null; raw?: string } = {}): Promise<Res> {
    const url = path.startsWith('http') ? path : `${this.svc.apiBase}/${path.replace(/^\//, '')}`;
    const headers: Record<string, string> = { Accept: 'application/json', 'OData-Version': '4.0', 'OData-MaxVersion': '4.0', ...opts.headers };
    const token = opts.token === undefined ? this.token : opts.token;
    if (token) headers.Authorization = token;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) { body = JSON.stringify(opts.body); headers['Content-Type'] ??= 'application/json'; }
    const r = await fetch(url, { method, headers, body });
    const text = await r.text();
    let json: any;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.status, headers: r.headers, text, json };
  }
  get(path: string, headers?: Record<string, string>) { return this.req('GET', path, { headers }); }
  post(path: string, body: unknown, headers?: Record<string, string>) { return this.req('POST', path, { body, headers }); }
  patch(path: string, body: unknown, headers?: Record<string, string>) { return this.req('PATCH', path, { body, headers }); }
  del(path: string, headers?: Record<string, string>) { return this.req('DELETE', path, { headers }); }
}

export async function startTestDataverse(opts: Partial<DataverseOptions> = {}): Promise<{ svc: DataverseService; c: Client }> {
  const svc = await startDataverse({ authenticate: stubAuthenticate, seed: 'demo', ...opts });
  return { svc, c: new Client(svc) };
}

export const idFromEntityId = (h: string | null) => /\(([0-9a-f-]{36})\)$/.exec(h ?? '')?.[1] as string;
