/**
 * `d365ic sync run --profile …` and `d365ic jobs run … --dataverse-profile/--bc-profile`: profiles are read by
 * name from a console data folder whose profiles point at a sandbox started in this process; the run lands in the
 * console's own database (shared with the Sync page). Missing, wrong-kind and not-signed-in profiles fail with
 * messages that say what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../main/app/create-app';
import { databaseFile, keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { jobsCommandWith } from '../../../main/cli/commands/jobs';
import { syncCommandWith } from '../../../main/cli/commands/sync';
import { openDatabase } from '../../../main/db/database';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { quietLogger, tempDir } from '../../support/app';
import { fakeIo } from '../../support/cli';

const DV = 'Demo sandbox · Dataverse';
const BC = 'Demo sandbox · Business Central';
const DV_USER = 'Demo sandbox · Dataverse (user sign-in)';
let sandbox: EmbeddedSandbox;
const tmp = tempDir('d365ic-sync-cli-');
const lines = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  sandbox = await EmbeddedSandbox.start({ seed: 'bench', records: 60 });
  // The console, run once: it saves the demo profiles (secrets encrypted with the data folder's key file).
  const app = createApp({ host: 'memory', dataDir: tmp.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  app.close();
}, 60_000);
afterAll(async () => {
  await sandbox.close();
  tmp.cleanup();
});

describe('d365ic sync run --profile', () => {
  const sync = () => syncCommandWith({ sandbox });

  it('runs a mapping with one Dataverse and one BC profile given in any order, into the console database', async () => {
    const io = fakeIo();
    // CURRENCY: the profile session runs with the setup's rules (as the console does), and currencies need no other mapping.
    const code = await sync()(['run', '--mapping', 'CURRENCY', '--full', '--profile', BC, '--profile', DV, '--data-dir', tmp.dir], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const out = lines(io.out);
    const result = out.find((l) => l.event === 'result' && l.direction === 'ToIntegrationTable')!;
    expect(result).toMatchObject({ mapping: 'CURRENCY', failed: 0 });
    expect((result.inserted as number) + (result.modified as number) + (result.unchanged as number)).toBeGreaterThan(0);
    expect(out.some((l) => l.event === 'progress' && l.mapping === 'CURRENCY')).toBe(true);
    // Same store as the app: the job is in the console's database.
    const { db } = openDatabase(databaseFile(tmp.dir));
    const n = (db.prepare("SELECT inserted FROM sync_jobs WHERE mapping = 'CURRENCY' AND direction = 'ToIntegrationTable'").get() as { inserted: number }).inserted;
    db.close();
    expect(n).toBe(result.inserted);
  }, 60_000);

  it('runs a job queue entry with --dataverse-profile / --bc-profile and records the attempt on the entry', async () => {
    const jobs = jobsCommandWith({ sandbox });
    const list = fakeIo();
    expect(await jobs(['list', '--data-dir', tmp.dir, '--json'], list)).toBe(0);
    const entry = (JSON.parse(list.out) as { name: string; mapping: string | null }[]).find((e) => e.mapping === 'CUSTOMER')!;
    const io = fakeIo();
    const code = await jobs(['run', entry.name, '--dataverse-profile', DV, '--bc-profile', BC, '--data-dir', tmp.dir], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(lines(io.out).filter((l) => l.event === 'result').map((l) => l.mapping)).toContain('CUSTOMER');
    const after = fakeIo();
    await jobs(['list', '--data-dir', tmp.dir, '--json'], after);
    const e = (JSON.parse(after.out) as { name: string; lastFinishedAt: number | null; lastError: string | null }[]).find((x) => x.name === entry.name)!;
    expect(e.lastFinishedAt).not.toBeNull();
    expect(e.lastError).toBeNull();
  }, 60_000);

  it('says the console must be running when the demo profiles are used without it', async () => {
    // No sandbox handed in and no console on the folder (the app that saved the profiles has closed): the demo
    // profiles' sign-in route does not exist in this process.
    await expect(syncCommandWith({})(['run', '--mapping', 'CURRENCY', '--profile', DV, '--profile', BC, '--data-dir', tmp.dir], fakeIo()))
      .rejects.toThrow(/embedded demo sandbox, which runs only while the console runs.*d365ic host --data-dir/s);
  });

  it('says which profiles exist when a name is unknown', async () => {
    await expect(sync()(['run', '--profile', 'Nope', '--profile', BC, '--data-dir', tmp.dir], fakeIo())).rejects.toThrow(/no connection profile named "Nope".*"Demo sandbox · Business Central"/s);
  });

  it('refuses a profile of the wrong kind for a side, and two profiles of the same kind', async () => {
    await expect(sync()(['run', '--dataverse-profile', BC, '--bc-profile', BC, '--data-dir', tmp.dir], fakeIo())).rejects.toThrow(/"Demo sandbox · Business Central" is a bc-online profile, but the Dataverse side needs a dataverse profile/);
    await expect(sync()(['run', '--profile', DV, '--profile', DV_USER, '--data-dir', tmp.dir], fakeIo())).rejects.toThrow(/are Dataverse profiles: give one Dataverse and one Business Central profile/);
    await expect(sync()(['run', '--profile', DV, '--data-dir', tmp.dir], fakeIo())).rejects.toThrow(/Give a Business Central profile too/);
  });

  it('says to sign in in the console when a user-sign-in profile has no account yet', async () => {
    await expect(sync()(['run', '--profile', DV_USER, '--profile', BC, '--data-dir', tmp.dir], fakeIo())).rejects.toThrow(/is not signed in\. Sign in once in the console .*Connections → Sign in/);
  });

  it('points at --data-dir when the folder holds no console data, and refuses --profile with --sandbox', async () => {
    const empty = tempDir('d365ic-sync-cli-empty-');
    try {
      await expect(sync()(['run', '--profile', DV, '--profile', BC, '--data-dir', empty.dir], fakeIo())).rejects.toThrow(/There is no console data in .*--data-dir/);
    } finally {
      empty.cleanup();
    }
    await expect(sync()(['run', '--profile', DV, '--sandbox'], fakeIo())).rejects.toThrow(/either connection profiles \(--profile\) or --sandbox/);
  });

  it('documents the profile options in sync --help', async () => {
    const io = fakeIo();
    await sync()(['--help'], io);
    expect(io.out).toMatch(/--profile NAME .*Give it twice: one Dataverse profile and one\s+Business Central profile/s);
    expect(io.out).toMatch(/--dataverse-profile NAME and --bc-profile NAME/);
    expect(io.out).toMatch(/only when one side is still empty/);
  });
});
