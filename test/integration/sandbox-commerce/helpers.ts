import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCommerceService } from '../../../main/sandbox/commerce';
import type { CommerceService, CommerceServiceOptions } from '../../../main/sandbox/commerce';
import { startIdentity } from '../../../main/sandbox/identity';
import type { IdentityService } from '../../../main/sandbox/identity';
import { SANDBOX_CLIENTS, SANDBOX_USERS } from '../../../main/sandbox/directory';

/** The confidential app the demo seed registers on the "Microsoft Entra applications" page. */
export const APP = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!;
export const PUBLIC_CLIENT = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
export const ADMIN = SANDBOX_USERS.find((u) => u.kind === 'admin')!;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Wire = any;

export interface Harness {
  identity: IdentityService;
  service: CommerceService;
  url: string;
  appToken(scope?: string): Promise<string>;
  userToken(username: string, password: string, scope?: string): Promise<string>;
  call(method: string, path: string, opts?: { token?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; headers: Headers; text: string; body: Wire }>;
  close(): Promise<void>;
}

/** Identity sandbox + the Commerce service on a minimal node:http host (the kernel's job in the app). */
export async function startCommerce(opts: Partial<CommerceServiceOptions> = {}, identity?: IdentityService): Promise<Harness> {
  const id = identity ?? (await startIdentity());
  const service = createCommerceService({ authenticate: id.authenticate, ...opts });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void service.handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = new Map<string, string>();
  async function token(form: Record<string, string>): Promise<string> {
    const key = JSON.stringify(form);
    const cached = tokens.get(key);
    if (cached) return cached;
    const r = await fetch(id.tokenEndpoint, { method: 'POST', body: new URLSearchParams(form) });
    const body = (await r.json()) as { access_token?: string; error_description?: string };
    if (!body.access_token) throw new Error(`token request failed: ${body.error_description}`);
    tokens.set(key, body.access_token);
    return body.access_token;
  }
  const appToken = (scope = `${url}/.default`) => token({ grant_type: 'client_credentials', client_id: APP.clientId, client_secret: APP.clientSecret!, scope });
  const userToken = (username: string, password: string, scope = `${url}/.default`) =>
    token({ grant_type: 'password', client_id: PUBLIC_CLIENT.clientId, username, password, scope });
  return {
    identity: id,
    service,
    url,
    appToken,
    userToken,
    async call(method, path, o = {}) {
      const t = o.token === undefined ? await appToken() : o.token;
      const r = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(t ? { Authorization: `Bearer ${t}` } : {}),
          ...(o.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...o.headers,
        },
        body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
      });
      const text = await r.text();
      let body: Wire;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined; // not JSON ($metadata, $count, multipart): the test reads `text`
      }
      return { status: r.status, headers: r.headers, text, body };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await service.close();
      if (!identity) await id.close();
    },
  };
}
