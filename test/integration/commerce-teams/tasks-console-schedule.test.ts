/**
 * The scheduled status sync of the task console: a kernel job-queue entry that runs the sync engine only while task
 * management is enabled, through the kernel scheduler's bookkeeping (next start, last finished, last error), on an
 * injectable clock instead of waiting. The engine is a counting port; the clients open over the demo sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { TasksConsoleService, TASKS_SYNC_ENTRY } from '../../../main/integrations/commerce-teams/tasks/console/service';
import type { SyncPort } from '../../../main/integrations/commerce-teams/tasks/console/ports';
import { keyFile } from '../../../main/platform/paths';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import type { TeamsConfig } from '../../../preload/contract';
import { quietLogger, tempDir } from '../../support/app';
import { testClock } from '../../support/clock';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let dir: ReturnType<typeof tempDir>;
const MIN = 60_000;

beforeAll(async () => {
  dir = tempDir('d365ic-tasks-schedule-');
  sandbox = await EmbeddedSandbox.start({ port: 0 });
  app = createApp({ host: 'memory', dataDir: dir.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
});
afterAll(async () => {
  app?.close();
  await sandbox?.handle?.close();
  dir?.cleanup();
});

describe('the scheduled status sync', () => {
  it('runs only while task management is enabled, when due, and records the outcome on the queue entry', async () => {
    const profiles = await app.connections.store.list();
    const teams: TeamsConfig = {
      enabled: false, enabledAt: null, pruneDefault: false, dataSharingConsent: { accepted: true, acceptedAt: 1 },
      commerceProfileId: profiles.find((p) => p.kind === 'commerce-hq')!.id,
      graphProfileId: profiles.find((p) => p.kind === 'graph' && p.authMethod === 'client-secret')!.id,
    };
    const clock = testClock();
    let runs = 0;
    let fail: string | null = null;
    const sync: SyncPort = {
      async sync(ctx) {
        expect(ctx.commerce && ctx.graph).toBeTruthy();
        runs++;
        if (fail) throw new Error(fail);
        return { toPlanner: { created: 0, updated: runs }, toCommerce: { created: 0, updated: 0 }, conflicts: 0, failed: [] };
      },
      resolve: async () => false,
      conflicts: () => [],
    };
    const svc = new TasksConsoleService({ db: app.db, clock, connections: app.connections, logger: quietLogger, teams: () => teams, engines: { sync } });
    try {
      // On while disabled: the entry exists but is On Hold, and a tick runs nothing even when it would be due.
      expect(svc.setSchedule({ enabled: true, everyMinutes: 10 })).toMatchObject({ entry: TASKS_SYNC_ENTRY, status: 'On Hold', nextRunAt: null });
      clock.advance(11 * MIN);
      expect(await svc.tick()).toEqual({ ran: [], failed: [] });
      await expect(svc.setEnabled(true, false)).rejects.toMatchObject({ code: 'TASKS_TEAMS_DISABLED' });

      teams.enabled = true;
      await svc.setEnabled(true, false);
      const ready = svc.getSchedule();
      expect(ready.status).toBe('Ready');
      clock.advance(Math.max(0, ready.nextRunAt! - clock.now()) + 1000);
      const t0 = clock.now();
      expect(await svc.tick()).toEqual({ ran: [TASKS_SYNC_ENTRY], failed: [] });
      const t1 = clock.now();
      expect(runs).toBe(1);
      const after = svc.getSchedule();
      expect(after.lastFinishedAt).toBeGreaterThanOrEqual(t0);
      expect(after.lastFinishedAt).toBeLessThanOrEqual(t1);
      expect(after.nextRunAt).toBeGreaterThanOrEqual(t0 + 10 * MIN - 1000);
      const last = (await svc.getSettings()).lastSync!;
      expect(last.toPlanner.updated).toBe(1);
      expect(last.at).toBeGreaterThanOrEqual(t0);
      // Not due again before its interval.
      expect(await svc.tick()).toEqual({ ran: [], failed: [] });

      // A failing sync is recorded on the entry (the kernel's retry delay applies).
      fail = 'Planner is down';
      clock.advance(10 * MIN + 1000);
      expect((await svc.tick()).failed).toEqual([TASKS_SYNC_ENTRY]);
      expect(svc.getSchedule().lastError).toContain('Planner is down');
      fail = null;

      // Disabled again: On Hold, nothing runs however long we wait.
      await svc.setEnabled(false, false);
      expect(svc.getSchedule().status).toBe('On Hold');
      clock.advance(60 * MIN);
      expect(await svc.tick()).toEqual({ ran: [], failed: [] });
      expect(runs).toBe(2);
    } finally {
      svc.close();
    }
  });
});
