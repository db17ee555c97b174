/**
 * The console trusts the embedded sandbox's CA for the sandbox's own HTTPS origin(s) only (the Graph sandbox listens
 * on https://127.0.0.1:P with a certificate from a CA generated per data folder). Requests to those origins go
 * through node:https with that CA; every other request goes to the normal fetch with the system's trust store.
 * TLS verification is never switched off, and nothing is trusted process-wide (no NODE_EXTRA_CA_CERTS, no
 * NODE_TLS_REJECT_UNAUTHORIZED).
 */
import { Agent, request } from 'node:https';
import type { FetchLike } from '../http/client';

export function fetchTrustingSandboxCa(origins: string[], caPem: string, fallback: FetchLike = (url, init) => fetch(url, init)): FetchLike {
  const trusted = new Set(origins.map((o) => new URL(o).origin));
  // Keep-alive like fetch's own pool; `ca` replaces the default roots for this agent only.
  const agent = new Agent({ keepAlive: true, ca: caPem });
  return (url, init) => {
    const u = new URL(url);
    if (u.protocol !== 'https:' || !trusted.has(u.origin)) return fallback(url, init);
    return new Promise<Response>((resolve, reject) => {
      const req = request(u, { method: init.method, headers: init.headers, agent, signal: init.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined) continue;
            for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
          }
          const status = res.statusCode ?? 0;
          const noBody = init.method === 'HEAD' || status === 204 || status === 304;
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers }));
        });
      });
      req.on('error', reject);
      req.end(init.body);
    });
  };
}
