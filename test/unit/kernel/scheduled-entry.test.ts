import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { JobQueue } from '../../../main/kernel/jobs/queue';
import { ScheduledEntry } from '../../../main/kernel/jobs/scheduled-entry';

const MIN = 60_000;
function setup() {
  const { db } = openDatabase(':memory:');
  const t = { now: 1_000_000 };
  const clock = { now: () => t.now };
  const entry = new ScheduledEntry(db, clock, { name: 'Commerce ⇄ Teams: sync things', description: 'Sync things.', category: 'TEAMS' });
  return { db, t, clock, entry, queue: new JobQueue(db, clock) };
}

describe('kernel scheduled entry (one service-owned recurring job-queue entry)', () => {
  it('runs when due, books the next start from the interval, and holds without running', async () => {
    const { t, entry } = setup();
    expect(entry.state().status).toBeNull();
    expect(entry.holdable()).toBe(false);
    entry.set(true, 15);
    expect(entry.state()).toMatchObject({ status: 'Ready', lastStartedAt: null });
    let runs = 0;
    expect(await entry.tick(async () => void runs++)).toEqual({ ran: [entry.name], failed: [] });
    expect(runs).toBe(1);
    expect(entry.state()).toMatchObject({ status: 'Ready', nextRunAt: t.now + 15 * MIN, lastStartedAt: t.now, lastError: null });
    expect(await entry.tick(async () => void runs++)).toEqual({ ran: [], failed: [] });
    t.now += 15 * MIN;
    entry.hold();
    expect(entry.state()).toMatchObject({ status: 'On Hold', nextRunAt: null });
    expect(await entry.tick(async () => void runs++)).toEqual({ ran: [], failed: [] });
    expect(runs).toBe(1);
  });

  it('a changed interval re-installs the entry and keeps its history; a failure is an attempt with the rerun delay', async () => {
    const { t, entry } = setup();
    entry.set(true, 30);
    expect((await entry.tick(async () => { throw new Error('Graph said no'); })).failed).toEqual([entry.name]);
    const failedAt = t.now;
    expect(entry.state()).toMatchObject({ status: 'Ready', nextRunAt: failedAt + 300_000, lastError: 'Graph said no', lastFinishedAt: failedAt });
    t.now += 1000;
    entry.set(false, 60);
    expect(entry.entry()!.everyMinutes).toBe(60);
    expect(entry.state()).toMatchObject({ status: 'On Hold', lastError: 'Graph said no', lastFinishedAt: failedAt });
  });

  it('steps do not overlap, and another service’s or a Sales entry is never run', async () => {
    const { queue, entry } = setup();
    queue.installDefaults([{ name: 'CUSTOMER - Dynamics 365 Sales synchronization job', mapping: 'CUSTOMER', description: 'Sales', category: 'BCI INTEG', everyMinutes: 1, inactivityTimeoutMinutes: null, initialStatus: 'Ready', maxAttempts: 3, rerunDelaySeconds: 60 }]);
    entry.set(true, 5);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const ran: string[] = [];
    const first = entry.tick(async () => { ran.push('first'); started(); await gate; });
    await running;
    expect(entry.running()).toBe(true);
    expect(await entry.tick(async () => void ran.push('second'))).toEqual({ ran: [], failed: [] });
    release();
    expect((await first).ran).toEqual([entry.name]);
    expect(ran).toEqual(['first']);
    expect(queue.get('CUSTOMER - Dynamics 365 Sales synchronization job')!.lastStartedAt).toBeNull();
  });

  it('an entry left In Process by a dead process counts as a failed attempt on the next start', () => {
    const { db, clock, queue, entry } = setup();
    entry.set(true, 5);
    queue.update({ ...queue.get(entry.name)!, status: 'In Process' });
    const again = new ScheduledEntry(db, clock, { name: entry.name, description: 'Sync things.', category: 'TEAMS' });
    expect(again.state()).toMatchObject({ status: 'Ready' });
    expect(again.state().lastError).toMatch(/Interrupted/);
    expect(again.entry()!.attempts).toBe(1);
  });
});
