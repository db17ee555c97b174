import { afterAll, beforeAll } from 'vitest';
import type { SyncFinished, SyncProgress } from '../../preload/contract';
import { createApp, type ConsoleApp } from '../../main/app/create-app';
import { keyFile } from '../../main/platform/paths';
import { EmbeddedSandbox } from '../../main/app/sandbox-service';
import { KeyFileCipher } from '../../main/secrets/key-file-cipher';
import { quietLogger, tempDir } from './app';

/**
 * The console app wired to an embedded demo sandbox, as the sync integration tests drive it: calls through the
 * router (memory transport), and the sync events it emits collected in order. `finishedOf(runId)` resolves with a
 * run's sync.finished event (already received, or when it arrives) — tests await it, never poll or sleep.
 * Registers its own beforeAll/afterAll; read `app` and `sandbox` inside tests (they exist after beforeAll).
 */
export interface SyncAppHarness {
  readonly app: ConsoleApp;
  readonly sandbox: EmbeddedSandbox;
  /** Every data folder file of this harness lives under here. */
  readonly dir: string;
  readonly progress: SyncProgress[];
  readonly finished: SyncFinished[];
  /** When each progress event arrived (wall time), for rate checks. */
  readonly progressAt: Map<SyncProgress, number>;
  call<T>(method: string, payload?: unknown): Promise<T>;
  finishedOf(runId: string): Promise<SyncFinished>;
}

export function syncAppHarness(opts: { prefix: string; sandbox?: Parameters<typeof EmbeddedSandbox.start>[0]; ready?: (h: SyncAppHarness) => Promise<unknown> }): SyncAppHarness {
  const tmp = tempDir(opts.prefix);
  let app: ConsoleApp | undefined;
  let sandbox: EmbeddedSandbox | undefined;
  const progress: SyncProgress[] = [];
  const finished: SyncFinished[] = [];
  const progressAt = new Map<SyncProgress, number>();
  const waiting = new Map<string, ((f: SyncFinished) => void)[]>();

  const h: SyncAppHarness = {
    get app() {
      if (!app) throw new Error('syncAppHarness: the app exists only after beforeAll.');
      return app;
    },
    get sandbox() {
      if (!sandbox) throw new Error('syncAppHarness: the sandbox exists only after beforeAll.');
      return sandbox;
    },
    dir: tmp.dir,
    progress,
    finished,
    progressAt,
    async call<T>(method: string, payload: unknown = {}): Promise<T> {
      const r = await h.app.router.call(method, payload, { transport: 'memory' });
      if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code, params: r.error.params });
      return r.value as T;
    },
    finishedOf(runId: string): Promise<SyncFinished> {
      const f = finished.find((x) => x.runId === runId);
      if (f) return Promise.resolve(f);
      return new Promise((resolve) => waiting.set(runId, [...(waiting.get(runId) ?? []), resolve]));
    },
  };

  beforeAll(async () => {
    sandbox = await EmbeddedSandbox.start(opts.sandbox ?? {});
    app = createApp({ host: 'memory', dataDir: tmp.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
    await app.ready;
    app.events.subscribe((name, payload) => {
      if (name === 'sync.progress') {
        progress.push(payload as SyncProgress);
        progressAt.set(payload as SyncProgress, Date.now());
      }
      if (name === 'sync.finished') {
        const f = payload as SyncFinished;
        finished.push(f);
        for (const resolve of waiting.get(f.runId) ?? []) resolve(f);
        waiting.delete(f.runId);
      }
    });
    await opts.ready?.(h);
  }, 60_000);
  afterAll(async () => {
    app?.close();
    await sandbox?.close();
    tmp.cleanup();
  });
  return h;
}
