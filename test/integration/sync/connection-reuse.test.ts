/**
 * Issue 12, through the app's own wiring against the embedded sandbox:
 * - runs, manual actions and the review reuse one connection while the profiles stay the same (before: every use
 *   made new HTTP clients and asked companies() and whoAmI() again, then threw the connection away);
 * - progress is counted on one path (the engine's counters): the `written` a run reports equals the records its
 *   jobs wrote (before: a write-counting proxy also counted the rules' follow-up writes, e.g. a new product's
 *   default unit and price list update).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SyncFinished, SyncProgress } from '../../../preload/contract';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { DataverseClient } from '../../../main/clients/dataverse';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { DEFAULT_DRAFT } from '../../../main/integrations/sales/setup/state';
import { quietLogger, tempDir } from '../../support/app';

const tmp = tempDir('d365ic-sync-reuse-');
let sandbox: EmbeddedSandbox;
let app: ConsoleApp;
const progress: SyncProgress[] = [];
const finished = new Map<string, SyncFinished>();
const waiting = new Map<string, (f: SyncFinished) => void>();

async function call<T>(method: string, payload: unknown = {}): Promise<T> {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code });
  return r.value as T;
}
const finishedOf = (runId: string) => finished.get(runId) ?? new Promise<SyncFinished>((r) => waiting.set(runId, r));
async function run(mapping: string, full: boolean): Promise<SyncFinished> {
  return finishedOf((await call<{ runId: string }>('sync.run', { mapping, full })).runId);
}

beforeAll(async () => {
  sandbox = await EmbeddedSandbox.start({ seed: 'bench', records: 60 });
  app = createApp({ host: 'memory', dataDir: tmp.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  app.events.subscribe((name, payload) => {
    if (name === 'sync.progress') progress.push(payload as SyncProgress);
    if (name === 'sync.finished') {
      const f = payload as SyncFinished;
      finished.set(f.runId, f);
      waiting.get(f.runId)?.(f);
    }
  });
  // The bench company's items have no unit groups: the legacy NAV <CODE> unit rule applies (as service.test.ts).
  await call('setup.saveState', { draft: { ...DEFAULT_DRAFT, advanced: { ...DEFAULT_DRAFT.advanced, unitGroupMapping: false } } });
}, 60_000);
afterAll(async () => {
  vi.restoreAllMocks();
  app?.close();
  await sandbox?.close();
  tmp.cleanup();
});

describe('one connection while the profiles stay the same', () => {
  it('connects once for several runs, a manual action and the review', async () => {
    const whoAmI = vi.spyOn(DataverseClient.prototype, 'whoAmI');
    const clients = vi.spyOn(app.connections, 'httpClientFor');
    expect((await run('UNIT OF MEASURE', true)).results[0]!.error).toBeNull();
    expect((await run('ITEM-PRODUCT', true)).results[0]!.error).toBeNull();
    expect((await run('ITEM-PRODUCT', false)).results[0]!.error).toBeNull();
    await call('sync.uncouple', { mapping: 'CUSTOMER', bcIds: ['00000000-0000-0000-0000-000000000001'] });
    await call('sync.review', { refresh: true });
    expect((await run('CURRENCY', false)).results[0]!.error).toBeNull();
    expect(whoAmI).toHaveBeenCalledTimes(1);
    // One Dataverse and one BC client: made once, kept.
    expect(clients).toHaveBeenCalledTimes(2);
  }, 120_000);
});

describe('progress counted on one path', () => {
  it('reports as written exactly the records the jobs inserted, modified and deleted', () => {
    // The runs above: ITEM-PRODUCT's full run created the products, each create followed by the rules' own update
    // of the new product (default unit, price list), which a write-counting proxy counted as a second record.
    expect(finished.size).toBeGreaterThanOrEqual(4);
    let total = 0;
    for (const f of finished.values()) {
      for (const r of f.results) {
        const jobs = [r.to, r.from].filter((j) => j !== null);
        const written = jobs.reduce((n, j) => n + j!.inserted + j!.modified + j!.deleted, 0);
        const mine = progress.filter((p) => p.runId === f.runId && p.mapping === r.mapping);
        const last = mine[mine.length - 1]!;
        expect(last.done, r.mapping).toBe(true);
        expect(last.written, r.mapping).toBe(written);
        // Never more along the way than at the end.
        expect(Math.max(...mine.map((p) => p.written)), r.mapping).toBe(written);
        total += written;
      }
    }
    expect(total).toBeGreaterThan(0);
  });
});
