import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost, type BrowserHost } from '../../../main/host/server';
import { testApp, tempDir } from '../../support/app';

let host: BrowserHost;
let cleanup: () => void;
const traffic: string[] = [];

beforeAll(async () => {
  const t = testApp();
  const staticDir = tempDir();
  mkdirSync(path.join(staticDir.dir, 'assets'));
  writeFileSync(path.join(staticDir.dir, 'index.html'), '<!doctype html><title>ok</title>');
  writeFileSync(path.join(staticDir.dir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(t.dir, 'outside.txt'), 'private');
  host = await startBrowserHost({ router: t.app.router, events: t.app.events, staticDir: staticDir.dir, tap: (_d, data) => traffic.push(data) });
  cleanup = () => {
    t.cleanup();
    staticDir.cleanup();
  };
});
afterAll(async () => {
  await host.close();
  cleanup();
});

function connect(opts: { origin?: string; token?: string | null; host?: string }): Promise<WebSocket> {
  const protocols = opts.token === null ? [] : [`d365ic-token.${opts.token ?? host.secret}`];
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc`, protocols, {
    origin: opts.origin ?? host.origin,
    headers: opts.host ? { host: opts.host } : {},
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function rpc(ws: WebSocket, message: unknown): Promise<{ id: unknown; result: { ok: boolean; error?: { code: string }; value?: unknown } }> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString())));
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: host.port, path: pathname, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('browser host', () => {
  it('listens on loopback only and hands out a URL carrying the launch secret', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toBe(`${host.origin}/#token=${host.secret}`);
    expect(host.secret).toMatch(/^[0-9a-f]{48}$/);
  });

  it('serves the renderer with a strict CSP and refuses path traversal', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/assets/app.js')).headers['content-type']).toMatch(/javascript/);
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/%2e%2e/%2e%2e/outside.txt']) {
      const r = await get(p);
      expect([403, 404]).toContain(r.status);
      expect(r.body).not.toContain('private');
    }
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    expect((await get('/', { host: `evil.example:${host.port}` })).status).toBe(421);
    await expect(connect({ host: `evil.example:${host.port}` })).rejects.toThrow(/421/);
  });

  it('refuses WebSocket connections from untrusted origins or without the secret', async () => {
    await expect(connect({ origin: 'https://evil.example' })).rejects.toThrow(/403/);
    await expect(connect({ origin: 'null' })).rejects.toThrow(/403/);
    await expect(connect({ origin: `http://127.0.0.1:${host.port + 1}` })).rejects.toThrow(/403/);
    await expect(connect({ token: null })).rejects.toThrow(/401/);
    await expect(connect({ token: 'a'.repeat(48) })).rejects.toThrow(/401/);
  });

  it('answers contract calls, and refuses unknown methods and malformed payloads as data', async () => {
    const ws = await connect({});
    const ok = await rpc(ws, { id: 1, method: 'app.info', payload: {} });
    expect(ok).toMatchObject({ id: 1, result: { ok: true, value: { host: 'memory' } } });
    expect(await rpc(ws, { id: 2, method: 'fs.readFile', payload: { path: '/etc/passwd' } })).toMatchObject({ id: 2, result: { ok: false, error: { code: 'UNKNOWN_METHOD' } } });
    expect(await rpc(ws, { id: 3, method: 'connstr.parse', payload: { text: 12 } })).toMatchObject({ id: 3, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    expect(await rpc(ws, 'not json')).toMatchObject({ id: null, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    ws.close();
  });

  it('pushes validated events to connected windows', async () => {
    const t = testApp();
    const h = await startBrowserHost({ router: t.app.router, events: t.app.events, staticDir: t.dir });
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/rpc`, [`d365ic-token.${h.secret}`], { origin: h.origin });
    await new Promise((r) => ws.once('open', r));
    const got = new Promise((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))));
    t.app.events.emit('app.notice', { level: 'info', code: 'HELLO', message: 'hi' });
    expect(await got).toEqual({ event: 'app.notice', payload: { level: 'info', code: 'HELLO', message: 'hi' } });
    expect(() => t.app.events.emit('app.notice', { level: 'loud' } as never)).toThrow();
    ws.close();
    await h.close();
    t.cleanup();
  });
});
