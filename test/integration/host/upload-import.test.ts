import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost, type BrowserHost } from '../../../main/host/server';
import { exportJson } from '../../../main/integrations/sales/mappings/exchange-json';
import { exportXlsx } from '../../../main/integrations/sales/mappings/exchange-xlsx';
import { UploadStore } from '../../../main/rpc/uploads';
import { INLINE_FILE_MAX_BYTES, UPLOAD_CHUNK_CHARS, UPLOAD_MAX_BYTES } from '../../../preload/contract';
import { testApp, tempDir } from '../../support/app';
import { bigTenant } from '../../support/big-tenant';

/** A real mapping export of a big tenant imports through the browser host: in chunks well below the message limit. */
let host: BrowserHost;
let ws: WebSocket;
let cleanup: () => void;
let nextId = 1;

beforeAll(async () => {
  const t = testApp();
  const s = tempDir();
  host = await startBrowserHost({ router: t.app.router, events: t.app.events, staticDir: s.dir });
  ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc`, [`d365ic-token.${host.secret}`], { origin: host.origin });
  await new Promise((r) => ws.once('open', r));
  cleanup = () => {
    t.cleanup();
    s.cleanup();
  };
});
afterAll(async () => {
  ws.close();
  await host.close();
  cleanup();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several methods, checked field by field
type R = { ok: boolean; value?: any; error?: { code: string; params?: Record<string, unknown> } };
function call(method: string, payload: unknown): Promise<R> {
  const id = nextId++;
  return new Promise((resolve) => {
    const on = (d: WebSocket.RawData) => {
      const m = JSON.parse(d.toString());
      if (m.id !== id) return;
      ws.off('message', on);
      resolve(m.result);
    };
    ws.on('message', on);
    ws.send(JSON.stringify({ id, method, payload }));
  });
}

/** What the renderer's upload helper does (renderer/transport/upload.ts), over the real socket. */
async function upload(fileName: string, data: Buffer): Promise<string> {
  const begin = await call('uploads.begin', { fileName, size: data.length });
  expect(begin.ok).toBe(true);
  const bytes = (begin.value.chunkChars / 4) * 3;
  for (let i = 0, off = 0; off < data.length; i++, off += bytes) {
    const r = await call('uploads.chunk', { uploadId: begin.value.uploadId, index: i, base64: data.subarray(off, off + bytes).toString('base64') });
    expect(r.ok).toBe(true);
  }
  return begin.value.uploadId;
}

describe('large imports go in chunks', () => {
  it('a big tenant JSON export (over 3 MB) imports through an upload; inline it is answered MESSAGE_TOO_LARGE, not a crash', async () => {
    const sets = await call('mappings.list', {});
    const id = sets.value[0].id;
    const json = Buffer.from(exportJson(bigTenant()));
    expect(json.length).toBeGreaterThan(INLINE_FILE_MAX_BYTES);
    const inline = await call('mappings.importFile', { id, fileName: 'big.json', base64: json.toString('base64') });
    expect(inline.error?.code).toBe('MESSAGE_TOO_LARGE');
    const r = await call('mappings.importFile', { id, fileName: 'big.json', uploadId: await upload('big.json', json) });
    expect(r.ok).toBe(true);
    expect(r.value.changes.length).toBeGreaterThan(100);
  });

  it('a big tenant XLSX export imports through an upload', async () => {
    const sets = await call('mappings.list', {});
    const xlsx = await exportXlsx(bigTenant());
    const r = await call('mappings.importFile', { id: sets.value[0].id, fileName: 'big.xlsx', uploadId: await upload('big.xlsx', xlsx) });
    expect(r.ok).toBe(true);
  }, 120_000);

  it('a connections export over 4 MiB in UTF-8 imports through an upload', async () => {
    const exp = await call('connections.export', {});
    const padded = JSON.stringify({ ...JSON.parse(exp.value.json), note: '€'.repeat(1_500_000) });
    expect(Buffer.byteLength(padded)).toBeGreaterThan(4 * 1024 * 1024);
    const r = await call('connections.import', { uploadId: await upload('connections.json', Buffer.from(padded)) });
    expect(r.error?.code ?? 'ok').not.toBe('MESSAGE_TOO_LARGE');
  });

  it('refuses an upload over the limit with the limit, and a taken or unknown upload', async () => {
    const big = await call('uploads.begin', { fileName: 'x.xlsx', size: UPLOAD_MAX_BYTES + 1 });
    expect(big.error).toMatchObject({ code: 'UPLOAD_TOO_LARGE', params: { limit: 16 } });
    const sets = await call('mappings.list', {});
    const r = await call('mappings.importFile', { id: sets.value[0].id, fileName: 'x.json', uploadId: '0b0d5a3e-3c9a-4c7e-9a41-0b6d3f2e9c11' });
    expect(r.error?.code).toBe('UPLOAD_NOT_FOUND');
    const both = await call('mappings.importFile', { id: sets.value[0].id, fileName: 'x.json', base64: 'e30=', uploadId: '0b0d5a3e-3c9a-4c7e-9a41-0b6d3f2e9c11' });
    expect(both.error?.code).toBe('BAD_REQUEST');
  });
});

describe('UploadStore', () => {
  it('takes chunks in order only, refuses more than announced, forgets incomplete and expired uploads', () => {
    let now = 0;
    const s = new UploadStore(() => now);
    const a = s.begin('a', 6);
    expect(() => s.chunk(a.uploadId, 1, 'YWJj')).toThrow(/interrupted/);
    const b = s.begin('b', 6);
    s.chunk(b.uploadId, 0, 'YWJj');
    expect(() => s.take(b.uploadId)).toThrow(/incomplete/);
    const c = s.begin('c', 3);
    expect(() => s.chunk(c.uploadId, 0, 'YWJjZGVm')).toThrow(/larger than announced/);
    const d = s.begin('d', 3);
    now += 11 * 60_000;
    expect(() => s.chunk(d.uploadId, 0, 'YWJj')).toThrow(/expired/);
    const e = s.begin('e', 3);
    s.chunk(e.uploadId, 0, 'YWJj');
    expect(s.take(e.uploadId).data.toString()).toBe('abc');
    expect(() => s.take(e.uploadId)).toThrow();
    expect(UPLOAD_CHUNK_CHARS * 2).toBeLessThan(4 * 1024 * 1024);
  });
});
