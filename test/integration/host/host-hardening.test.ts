import fc from 'fast-check';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES, startBrowserHost, type BrowserHost } from '../../../main/host/server';
import { testApp, tempDir } from '../../support/app';

/**
 * Nothing a local page (with the token) or a clumsy client sends may kill the browser host: every message gets an
 * answer (BAD_REQUEST for a malformed one) and the host keeps serving. Before the hardening, each case below took
 * the Node process down (unhandled 'error' on the socket, TypeError on `null`, throwing String(method), stack overflow).
 */
let host: BrowserHost;
let cleanup: () => void;
let outside: string;

beforeAll(async () => {
  const t = testApp();
  const staticDir = tempDir();
  writeFileSync(path.join(staticDir.dir, 'index.html'), '<!doctype html><title>ok</title>');
  const secretDir = tempDir();
  outside = path.join(secretDir.dir, 'private.txt');
  writeFileSync(outside, 'private-data');
  mkdirSync(path.join(staticDir.dir, 'assets'));
  symlinkSync(outside, path.join(staticDir.dir, 'assets', 'link.txt'));
  symlinkSync(secretDir.dir, path.join(staticDir.dir, 'dirlink'));
  host = await startBrowserHost({ router: t.app.router, events: t.app.events, staticDir: staticDir.dir });
  cleanup = () => {
    t.cleanup();
    staticDir.cleanup();
    secretDir.cleanup();
  };
});
afterAll(async () => {
  await host.close();
  cleanup();
});

function connect(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc`, [`d365ic-token.${host.secret}`], { origin: host.origin, maxPayload: 64 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

type Answer = { id: unknown; result: { ok: boolean; error?: { code: string; message: string; params?: Record<string, unknown> }; value?: unknown } };

/** Sends raw text and resolves with the next answer, or rejects when the socket closes first. */
function send(ws: WebSocket, text: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number) => reject(new Error(`socket closed (${code}) without an answer`));
    ws.once('close', onClose);
    ws.once('message', (data) => {
      ws.off('close', onClose);
      resolve(JSON.parse(data.toString()));
    });
    ws.send(text);
  });
}

async function alive(): Promise<void> {
  const ws = await connect();
  const r = await send(ws, JSON.stringify({ id: 'ping', method: 'app.info', payload: {} }));
  expect(r).toMatchObject({ id: 'ping', result: { ok: true } });
  ws.close();
}

function get(pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: host.port, path: pathname }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

describe('browser host: hostile and clumsy messages', () => {
  it('answers well-formed JSON that is not a request with BAD_REQUEST', async () => {
    const ws = await connect();
    for (const text of ['null', '1', '"x"', 'true', '[]', '[1,2]', '{}', '{"id":5}']) {
      const r = await send(ws, text);
      expect(r.result.ok, text).toBe(false);
      expect(r.result.error!.code, text).toBe('BAD_REQUEST');
    }
    ws.close();
    await alive();
  });

  it('answers a method that is an object, an array or deeply nested with BAD_REQUEST', async () => {
    const ws = await connect();
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    for (const method of ['{"toString":1,"valueOf":2}', '{"toString":{}}', '[[1],[2]]', deep, '12', 'null']) {
      const r = await send(ws, `{"id":7,"method":${method},"payload":{}}`);
      expect(r.id).toBe(7);
      expect(r.result.error!.code).toBe('BAD_REQUEST');
    }
    const deepPayload = await send(ws, `{"id":8,"method":"connstr.parse","payload":${deep}}`);
    expect(deepPayload.result.error!.code).toBe('BAD_REQUEST');
    ws.close();
    await alive();
  });

  it('answers a message over the size limit with the limit, and the connection stays usable', async () => {
    const ws = await connect();
    const big = JSON.stringify({ id: 9, method: 'mappings.importFile', payload: { id: 'x', fileName: 'a.json', base64: 'A'.repeat(MAX_MESSAGE_BYTES) } });
    const r = await send(ws, big);
    expect(r.id).toBe(9);
    expect(r.result.error).toMatchObject({ code: 'MESSAGE_TOO_LARGE', params: { limit: MAX_MESSAGE_BYTES } });
    // A connections.import within its character limit but over the byte limit in UTF-8.
    const wide = JSON.stringify({ id: 10, method: 'connections.import', payload: { json: '€'.repeat(1_900_000) } });
    expect((await send(ws, wide)).result.error!.code).toBe('MESSAGE_TOO_LARGE');
    expect((await send(ws, JSON.stringify({ id: 11, method: 'app.info', payload: {} }))).result.ok).toBe(true);
    ws.close();
    await alive();
  });

  it('survives a frame beyond what the socket accepts at all (the socket closes, the host lives)', async () => {
    const ws = await connect();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(Buffer.alloc(40 * 1024 * 1024, 0x20));
    expect(await closed).toBe(1009);
    await alive();
  });

  it('survives thousands of random message shapes, answering every one (fast-check)', async () => {
    const ws = await connect();
    const method = fc.oneof(
      fc.constantFrom('app.info', 'connstr.parse', 'connstr.build', '__proto__', 'constructor', 'toString', ''),
      fc.string(),
      fc.jsonValue({ maxDepth: 4 }),
      fc.nat(3000).map((n) => ({ toString: n, valueOf: n })),
    );
    const message = fc.oneof(
      fc.jsonValue({ maxDepth: 5 }),
      fc.record({ id: fc.oneof(fc.integer(), fc.string(), fc.jsonValue({ maxDepth: 2 })), method, payload: fc.jsonValue({ maxDepth: 5 }) }, { requiredKeys: [] }),
    );
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        tried++;
        const r = await send(ws, JSON.stringify(m) ?? 'null');
        return typeof r.result?.ok === 'boolean' && (r.result.ok || typeof r.result.error?.code === 'string');
      }),
      { numRuns: 3000 },
    );
    // Also text that is not JSON at all, and binary frames.
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a))), async (raw) => {
        tried++;
        const r = await send(ws, raw);
        return r.result.ok === false;
      }),
      { numRuns: 1000 },
    );
    console.info(`[fuzz] browser host message shapes tried: ${tried}, crashes: 0`);
    ws.close();
    await alive();
  }, 120_000);
});

describe('browser host: static files', () => {
  it('does not follow symbolic links out of the static folder', async () => {
    for (const p of ['/assets/link.txt', '/dirlink/private.txt']) {
      const r = await get(p);
      expect([403, 404]).toContain(r.status);
      expect(r.body).not.toContain('private-data');
    }
    expect((await get('/')).status).toBe(200);
  });
});
