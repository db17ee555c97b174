import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type ConsoleApp } from '../../main/app/create-app';
import { keyFile } from '../../main/platform/paths';
import type { Logger } from '../../main/ports';
import { KeyFileCipher } from '../../main/secrets/key-file-cipher';

export const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function tempDir(prefix = 'd365ic-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real console app (real SQLite file, real key-file encryption) in a temporary data folder. */
export function testApp(): { app: ConsoleApp; dir: string; cleanup: () => void } {
  const t = tempDir();
  const app = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger });
  return {
    app,
    dir: t.dir,
    cleanup: () => {
      app.close();
      t.cleanup();
    },
  };
}
