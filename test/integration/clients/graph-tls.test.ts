/**
 * fetchTrustingCa (main/clients/graph/tls.ts): a kept-alive socket the server drops as it is reused (the keep-alive
 * race: the request never reached the server) is sent once more on a new socket; a reset on a fresh socket is not.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrustingCa } from '../../../main/clients/graph/tls';
import { ensureSandboxTls } from '../../../main/sandbox/kernel/tls';

const dir = mkdtempSync(path.join(os.tmpdir(), 'd365ic-tls-'));
const tls = ensureSandboxTls(dir);
let mode: 'drop-reused' | 'drop-all' = 'drop-reused';
const handled: string[] = [];
const server = createServer({ cert: tls.cert, key: tls.key, keepAliveTimeout: 60_000 }, (req, res) => {
  const socket = req.socket as typeof req.socket & { served?: number };
  socket.served = (socket.served ?? 0) + 1;
  // The second request on a socket, or every request: the connection is destroyed before anything is handled.
  if (mode === 'drop-all' || socket.served > 1) return void socket.destroy();
  handled.push(`${req.method} ${req.url}`);
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('fetchTrustingCa and reused sockets', () => {
  it('sends a POST once more on a new socket when the reused one is dropped, and the server handles it once', async () => {
    mode = 'drop-reused';
    handled.length = 0;
    const fetch = fetchTrustingCa(tls.caPem);
    const first = await fetch(`${base}/a`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: new AbortController().signal });
    expect(first.status).toBe(200);
    // Kept alive → reused → dropped by the server → sent again on a new socket.
    const second = await fetch(`${base}/b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: new AbortController().signal });
    expect(second.status).toBe(200);
    expect(handled).toEqual(['POST /a', 'POST /b']);
  });

  it('does not resend when a new socket is dropped (the request may have reached the server)', async () => {
    mode = 'drop-all';
    handled.length = 0;
    const fetch = fetchTrustingCa(tls.caPem);
    await expect(fetch(`${base}/c`, { method: 'POST', headers: {}, body: '{}', signal: new AbortController().signal })).rejects.toThrow('fetch failed');
    expect(handled).toEqual([]);
  });
});
