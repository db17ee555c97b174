/**
 * Issue 12: a `--profile` CLI run builds the services it needs on the console's data folder, never the console's
 * job queue heartbeat (before: createApp without schedulerIntervalMs started the 30 s tick inside the CLI, a second
 * scheduler next to the console's), and it tells other processes who holds a table ("the d365ic CLI").
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../main/app/create-app';
import { keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { openProfileSession } from '../../../main/integrations/sales/sync/cli-support/profiles';
import { quietLogger, tempDir } from '../../support/app';

const tmp = tempDir('d365ic-sync-cli-scheduler-');
let sandbox: EmbeddedSandbox;

beforeAll(async () => {
  sandbox = await EmbeddedSandbox.start({ seed: 'bench', records: 20 });
  const app = createApp({ host: 'memory', dataDir: tmp.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  app.close();
}, 60_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await sandbox?.close();
  tmp.cleanup();
});

describe('the CLI profile session', () => {
  it('starts no job queue heartbeat and names itself as the d365ic CLI', async () => {
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const session = await openProfileSession({
      dataDir: tmp.dir, profiles: ['Demo sandbox · Dataverse', 'Demo sandbox · Business Central'], demoSandbox: { identityUrl: sandbox.handle!.identity.url },
    });
    try {
      expect(intervals.mock.calls.filter(([, ms]) => ms === 30_000)).toEqual([]);
      expect(session.service.leases.label).toBe('the d365ic CLI');
    } finally {
      await session.close();
    }
  }, 60_000);
});
