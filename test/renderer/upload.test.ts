import { Blob as NodeBlob } from 'node:buffer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INLINE_FILE_MAX_BYTES, UPLOAD_MAX_BYTES } from '../../preload/contract';
import { setTransport, type RpcError } from '../../renderer/transport/client';
import { fakeTransport } from '../../renderer/transport/fake';
import { checkFileSize, fileSource, textSource } from '../../renderer/transport/upload';
import { useConnectionsStore } from '../../renderer/stores/connections';
import { LANGUAGES, resources } from '../../renderer/i18n';

const ID = '0b0d5a3e-3c9a-4c7e-9a41-0b6d3f2e9c11';

function recorder() {
  const chunks: string[] = [];
  const t = fakeTransport({
    'uploads.begin': () => ({ uploadId: ID, chunkChars: 1024 * 1024 }),
    'uploads.chunk': ({ base64 }) => {
      chunks.push(base64);
      return { received: chunks.length };
    },
  });
  setTransport(t);
  return { t, chunks };
}

afterEach(() => setTransport(fakeTransport({})));
// jsdom's Blob has no arrayBuffer(); browsers and Electron do. Node's Blob behaves like theirs.
const jsdomBlob = globalThis.Blob;
beforeAll(() => { globalThis.Blob = NodeBlob as unknown as typeof Blob; });
afterAll(() => { globalThis.Blob = jsdomBlob; });

describe('renderer size checks before anything is sent', () => {
  it('refuses a file over the limit with FILE_TOO_LARGE, its size and the limit — translated in all four languages', () => {
    let e: RpcError | null = null;
    try {
      checkFileSize({ name: 'export.xlsx', size: UPLOAD_MAX_BYTES + 5 * 1024 * 1024 });
    } catch (x) {
      e = x as RpcError;
    }
    expect(e?.error).toMatchObject({ code: 'FILE_TOO_LARGE', params: { name: 'export.xlsx', size: 21, limit: 16 } });
    for (const { code } of LANGUAGES) {
      const text = (resources[code].common as unknown as { errors: Record<string, string> }).errors.FILE_TOO_LARGE!;
      expect(text).toContain('{{limit}}');
      expect(text).toContain('{{size}}');
    }
  });

  it('sends a small file inline and a large one in chunks far below the 4 MiB message limit', async () => {
    const { t, chunks } = recorder();
    const small = Object.assign(new Blob([new Uint8Array(1000).fill(65)]), { name: 'a.json' });
    expect(await fileSource(small)).toEqual({ base64: Buffer.alloc(1000, 65).toString('base64') });
    expect(t.calls).toHaveLength(0);

    const bytes = new Uint8Array(INLINE_FILE_MAX_BYTES + 1_000_000).map((_, i) => i % 251);
    const big = Object.assign(new Blob([bytes]), { name: 'big.json' });
    expect(await fileSource(big)).toEqual({ uploadId: ID });
    expect(t.calls[0]).toMatchObject({ method: 'uploads.begin', payload: { fileName: 'big.json', size: bytes.length } });
    expect(chunks.length).toBe(Math.ceil(bytes.length / (768 * 1024)));
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(1024 * 1024);
    expect(Buffer.concat(chunks.map((c) => Buffer.from(c, 'base64'))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('sends connections text over ~2 MB of UTF-8 (fewer characters) as an upload', async () => {
    const { t } = recorder();
    expect(await textSource('c.json', '{"a":1}')).toEqual({ json: '{"a":1}' });
    const wide = '€'.repeat(1_000_000); // 1 M characters, 3 MB of UTF-8
    expect(await textSource('c.json', wide)).toEqual({ uploadId: ID });
    expect(t.calls[0]!.method).toBe('uploads.begin');
  });

  it('the connections store refuses an oversized file with the limit and sends nothing', async () => {
    const t = fakeTransport({});
    setTransport(t);
    const ok = await useConnectionsStore.getState().importJson({ name: 'huge.json', size: 400 * 1024 * 1024 });
    expect(ok).toBe(false);
    expect(useConnectionsStore.getState().error).toMatchObject({ code: 'FILE_TOO_LARGE', params: { limit: 16 } });
    expect(t.calls).toHaveLength(0);
  });
});
