/**
 * The job queue runs the mappings that used to be silently absent (issue 11): an overdue Ready entry of CONTACT, an
 * option mapping and POSTEDSALESLINE-INV runs on the heartbeat, and *Run now* on CONTACT runs it and leaves a job in
 * the log. Against the console's demo sandbox (the demo profiles), with the setup's rules, over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { openDatabase } from '../../../main/db/database';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { SetupStateStore } from '../../../main/integrations/sales/setup/state';
import { appSidesFactory, SyncService } from '../../../main/integrations/sales/sync/service';
import { setupDomain } from '../../../main/integrations/sales/sync/service/domain';
import { quietLogger, tempDir } from '../../support/app';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
const tmp = tempDir('d365ic-queue-all-');

beforeAll(async () => {
  sandbox = await EmbeddedSandbox.start();
  app = createApp({ host: 'memory', dataDir: tmp.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
}, 60_000);
afterAll(async () => {
  app.close();
  await sandbox.close();
  tmp.cleanup();
});

function service(file: string, now: () => number = () => Date.now()) {
  const { db } = openDatabase(`${tmp.dir}/${file}`);
  const setup = new SetupStateStore(app.db, { now: () => Date.now() });
  const svc = new SyncService({
    db, clock: { now }, logger: quietLogger, eventIntervalMs: 0, sides: appSidesFactory(app.connections, setup), domain: setupDomain(setup),
    events: { progress: () => undefined, finished: () => undefined },
  });
  return { db, svc };
}

describe('job queue entries of every default mapping', () => {
  it('Run now on CONTACT runs it: a job in the log with real counts and the attempt on the entry', async () => {
    const { db, svc } = service('run-now.sqlite');
    const entry = (await svc.queueList()).find((e) => e.mapping === 'CONTACT')!;
    expect(entry).toBeDefined();
    const f = await (await svc.queueRun(entry.name)).done;
    expect(f.results).toHaveLength(1);
    expect(f.results[0]).toMatchObject({ mapping: 'CONTACT', error: null });
    const jobs = svc.jobs('CONTACT', 0, 10).jobs;
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.finishedAt !== null)).toBe(true);
    const after = svc.queue.get(entry.name)!;
    expect(after.lastFinishedAt).not.toBeNull();
    expect(after.status).not.toBe('In Process');
    db.close();
  }, 60_000);

  it('the heartbeat runs overdue Ready entries of CONTACT, PAYMENT TERMS and VENDOR', async () => {
    let now = Date.now();
    const { db, svc } = service('tick.sqlite', () => now);
    // (BC creates no entry for POSTEDSALESLINE-INV and OPPORTUNITY: the invoice job and Run all run them.)
    const want = ['CONTACT', 'PAYMENT TERMS', 'VENDOR'];
    const entries = await svc.queueList();
    for (const e of entries) if (!want.includes(e.mapping ?? '')) svc.queue.setStatus(e.name, 'On Hold');
    // Long overdue, 0 attempts: what the issue saw stay Ready forever.
    for (const e of svc.queue.list()) if (want.includes(e.mapping ?? '')) svc.queue.update({ ...e, status: 'Ready', earliestStart: now - 3_600_000, attempts: 0 });
    now += 1000;
    const report = await svc.tick();
    const names = (m: string) => entries.find((e) => e.mapping === m)!.name;
    expect(report.failed).toEqual([]);
    expect(report.ran.sort()).toEqual(want.map(names).sort());
    for (const m of want) {
      expect(svc.jobs(m, 0, 5).jobs.length, m).toBeGreaterThan(0);
      const e = svc.queue.get(names(m))!;
      expect(e.lastFinishedAt, m).not.toBeNull();
      expect(e.earliestStart, m).toBeGreaterThan(now - 1000);
    }
    db.close();
  }, 120_000);
});
