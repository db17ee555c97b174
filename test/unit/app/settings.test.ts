import { afterEach, describe, expect, it } from 'vitest';
import { keyFile } from '../../../main/platform/paths';
import { createApp } from '../../../main/app/create-app';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { quietLogger, tempDir } from '../../support/app';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const ctx = { transport: 'memory' as const };

describe('local settings: a dismissed notice stays dismissed', () => {
  it('app.dismissNotice is stored in the data folder and answered by app.getSettings after a restart; unknown notices are refused', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const open = () => createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger });
    const first = open();
    expect(await first.router.call('app.getSettings', {}, ctx)).toEqual({ ok: true, value: { language: null, dismissedNotices: [] } });
    expect(await first.router.call('app.dismissNotice', { notice: 'key-file' }, ctx)).toEqual({ ok: true, value: { dismissedNotices: ['key-file'] } });
    // Twice is still once.
    expect(await first.router.call('app.dismissNotice', { notice: 'key-file' }, ctx)).toEqual({ ok: true, value: { dismissedNotices: ['key-file'] } });
    const bad = await first.router.call('app.dismissNotice', { notice: 'everything' }, ctx);
    expect(bad.ok).toBe(false);
    first.close();
    const again = open();
    cleanups.unshift(() => again.close());
    expect(await again.router.call('app.getSettings', {}, ctx)).toEqual({ ok: true, value: { language: null, dismissedNotices: ['key-file'] } });
  });
});
