/**
 * A FetchLike that trusts one extra CA (PEM), for the local Graph sandbox whose HTTPS certificate is issued by a CA
 * generated per data folder. Node's global fetch has no per-call CA option (only NODE_EXTRA_CA_CERTS at start-up),
 * so this goes through node:https with `ca` = the system roots plus the given PEM. Bodies are read whole (Graph
 * answers are small JSON documents); the result is a standard Response.
 */
import { Agent, request } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { FetchLike } from '../../http/client';

export function fetchTrustingCa(caPem: string): FetchLike {
  const ca = [...rootCertificates, caPem];
  // One keep-alive agent holding the CA list: passed per request, node:https would key its socket pool on the whole
  // list (~150 PEMs joined into the pool name on every request) and build a TLS context per connection — most of the
  // CPU of a bulk run. The pool is keyed on host and port only: every request of this fetch trusts the same CAs. Idle
  // sockets are closed after 4 s, before a server's 5 s keep-alive timeout (else a reused socket can be reset), as
  // node's global agent does.
  const agent = new Agent({ ca, keepAlive: true, timeout: 4000, scheduling: 'lifo' });
  agent.getName = (o?: { host?: string | null; port?: number | string | null; servername?: string }) => `${o?.host ?? ''}:${o?.port ?? ''}:${o?.servername ?? ''}`;
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const u = new URL(url);
      if (u.protocol !== 'https:') return reject(new TypeError(`fetchTrustingCa only speaks https (got ${u.protocol}).`));
      send(u, init, resolve, reject, true);
    });

  function send(u: URL, init: Parameters<FetchLike>[1], resolve: (r: Response) => void, reject: (e: unknown) => void, mayRetry: boolean): void {
    {
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
          const nullBody = status === 204 || status === 205 || status === 304;
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers }));
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed just as we reused it: the request never reached the server (Node's
        // documented keep-alive race), so sending it once more on a new socket is safe — for a POST too.
        if (mayRetry && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE') && !init.signal?.aborted) return send(u, init, resolve, reject, false);
        reject(new TypeError('fetch failed', { cause: e }));
      });
      req.end(init.body);
    }
  }
}
