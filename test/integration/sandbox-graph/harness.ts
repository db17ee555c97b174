/** Start identity + a kernel HTTPS host with the Graph service, and talk to it over real HTTPS trusting the sandbox CA. */
import { request } from 'node:https';
import { SANDBOX_CLIENTS } from '../../../main/sandbox/directory';
import { startIdentity } from '../../../main/sandbox/identity';
import type { IdentityService } from '../../../main/sandbox/identity';
import { startGraph } from '../../../main/sandbox/graph';
import type { GraphOptions, GraphService } from '../../../main/sandbox/graph';
import { startHost } from '../../../main/sandbox/kernel';
import type { SandboxHost } from '../../../main/sandbox/kernel';

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface GraphHarness {
  identity: IdentityService;
  host: SandboxHost;
  graph: GraphService;
  token: string;
  v1: string;
  call(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string>; token?: string | null; raw?: string }): Promise<Res>;
  close(): Promise<void>;
}

export const confidential = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!;

export async function graphToken(identity: IdentityService): Promise<string> {
  const r = await fetch(identity.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: confidential.clientId, client_secret: confidential.clientSecret!, scope: 'https://graph.microsoft.com/.default' }),
  });
  const j = (await r.json()) as { access_token?: string };
  if (!j.access_token) throw new Error(`no Graph token: ${JSON.stringify(j)}`);
  return j.access_token;
}

export async function startGraphHarness(opts: { clock?: () => number; graph?: GraphOptions } = {}): Promise<GraphHarness> {
  const identity = await startIdentity();
  const host = await startHost({ https: {}, authenticate: identity.authenticate, ...(opts.clock ? { clock: opts.clock } : {}) });
  const graph = await startGraph(host, opts.graph ?? {});
  const token = await graphToken(identity);
  const v1 = `${host.origin}/v1.0`;
  const call: GraphHarness['call'] = (method, path, o = {}) =>
    new Promise((resolve, reject) => {
      const url = path.startsWith('https://') ? path : `${path.startsWith('/_sandbox') ? host.origin : v1}${path}`;
      const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
      const headers: Record<string, string> = { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...o.headers };
      const tok = o.token === undefined ? token : o.token;
      if (tok) headers.Authorization = `Bearer ${tok}`;
      // A forged Host header (DNS-rebinding checks) would otherwise fail TLS name checking before reaching the host.
      const identityCheck = headers.Host ? { checkServerIdentity: () => undefined } : {};
      const req = request(url, { method, headers, ca: host.caPem, ...identityCheck }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    identity,
    host,
    graph,
    token,
    v1,
    call,
    async close() {
      await host.close();
      await identity.close();
    },
  };
}

/** A manual clock for the host: time moves only when the test advances host.clock. */
export const fixedClock = (start = Date.UTC(2026, 11, 7, 8, 0, 0)) => () => start;
