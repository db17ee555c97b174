import { describe, expect, it } from 'vitest';
import { defaultJobs } from '../../../main/integrations/sales/mappings/jobs';
import { JobQueue, Scheduler, type QueueEntry } from '../../../main/kernel/jobs/queue';
import { mappingProbe, mappingRunner } from '../../../main/integrations/sales/sync/jobs/runner';
import { FakeClock, item, itemMapping, syncDb, world } from './fakes';

const MIN = 60_000;

function setup(opts: { changed?: boolean; fail?: string | null } = {}) {
  const clock = new FakeClock();
  const db = syncDb();
  const queue = new JobQueue(db, clock);
  const state = { changed: opts.changed ?? true, fail: opts.fail ?? null, bcChanges: false, dvChanges: false, runs: [] as string[] };
  const scheduler = () =>
    new Scheduler({
      queue, clock,
      run: async (e: QueueEntry) => {
        state.runs.push(e.name);
        if (state.fail) throw new Error(state.fail);
        return { changed: state.changed };
      },
      probe: async (_e, side) => (side === 'bc' ? state.bcChanges : state.dvChanges),
    });
  queue.installDefaults([
    { name: 'CUSTOMER', mapping: 'CUSTOMER', everyMinutes: 30, inactivityTimeoutMinutes: 720,
      description: ' CUSTOMER - Dataverse synchronization job.', category: 'BCI CUST', maxAttempts: 3, rerunDelaySeconds: 30, initialStatus: 'Ready' },
  ]);
  return { clock, db, queue, state, scheduler };
}

describe('job queue', () => {
  it('runs a ready recurring entry and schedules the next run N minutes after the start', async () => {
    const { clock, queue, scheduler, state } = setup();
    const s = scheduler();
    const start = clock.t;
    expect((await s.tick()).ran).toEqual(['CUSTOMER']);
    expect(queue.get('CUSTOMER')).toMatchObject({ status: 'Ready', earliestStart: start + 30 * MIN, attempts: 0 });
    clock.t = start + 29 * MIN;
    expect((await s.tick()).ran).toEqual([]);
    clock.t = start + 30 * MIN;
    await s.tick();
    expect(state.runs).toEqual(['CUSTOMER', 'CUSTOMER']);
  });

  it('goes On Hold with Inactivity Timeout after a run that changed nothing, and a BC change wakes it', async () => {
    const { clock, queue, scheduler, state } = setup({ changed: false });
    const s = scheduler();
    await s.tick();
    const e = queue.get('CUSTOMER')!;
    expect(e.status).toBe('On Hold with Inactivity Timeout');
    expect(e.earliestStart).toBe(clock.t + 720 * MIN);
    clock.t += 5 * MIN;
    expect((await s.tick()).ran).toEqual([]);
    state.bcChanges = true;
    const t = await s.tick();
    expect(t.woken).toEqual(['CUSTOMER']);
    expect(t.ran).toEqual(['CUSTOMER']);
  });

  it('does not wake on BC changes when event rescheduling is disabled', async () => {
    const { db, queue, scheduler, state } = setup({ changed: false });
    const s = scheduler();
    await s.tick();
    db.prepare('UPDATE sync_job_queue SET disable_event_resch = 1').run();
    state.bcChanges = true;
    expect((await s.tick()).woken).toEqual([]);
    expect(queue.get('CUSTOMER')!.status).toBe('On Hold with Inactivity Timeout');
  });

  it('after the timeout runs only if Dataverse has rows to pull, else waits another period', async () => {
    const { clock, queue, scheduler, state } = setup({ changed: false });
    const s = scheduler();
    await s.tick();
    clock.t += 720 * MIN;
    expect((await s.tick()).ran).toEqual([]);
    expect(queue.get('CUSTOMER')!.earliestStart).toBe(clock.t + 720 * MIN);
    clock.t += 720 * MIN;
    state.dvChanges = true;
    expect((await s.tick()).ran).toEqual(['CUSTOMER']);
  });

  it('retries after the rerun delay and ends in Error after the maximum attempts', async () => {
    const { clock, queue, scheduler } = setup({ fail: 'Dataverse is unreachable. Check the connection.' });
    const s = scheduler();
    expect((await s.tick()).failed).toEqual(['CUSTOMER']);
    expect(queue.get('CUSTOMER')).toMatchObject({ status: 'Ready', attempts: 1, earliestStart: clock.t + 30_000, lastError: 'Dataverse is unreachable. Check the connection.' });
    clock.t += 30_000;
    await s.tick();
    clock.t += 30_000;
    await s.tick();
    expect(queue.get('CUSTOMER')).toMatchObject({ status: 'Error', attempts: 3 });
    clock.t += 60 * MIN;
    expect((await s.tick()).ran).toEqual([]);
    queue.setStatus('CUSTOMER', 'Ready');
    expect(queue.get('CUSTOMER')).toMatchObject({ status: 'Ready', attempts: 0 });
  });

  it('survives a restart: an entry left In Process counts as a failed attempt and is retried', async () => {
    const { db, queue, clock } = setup();
    db.prepare("UPDATE sync_job_queue SET status = 'In Process'").run();
    const restarted = new Scheduler({ queue: new JobQueue(db, clock), clock, run: async () => ({ changed: true }), probe: async () => false });
    expect(queue.get('CUSTOMER')).toMatchObject({ status: 'Ready', attempts: 1, earliestStart: clock.t + 30_000 });
    expect(queue.get('CUSTOMER')!.lastError).toMatch(/Interrupted/);
    clock.t += 30_000;
    expect((await restarted.tick()).ran).toEqual(['CUSTOMER']);
  });

  it('runs one-off jobs 1 s after enqueueing and marks them Finished; On Hold entries never run', async () => {
    const { clock, queue, scheduler } = setup();
    queue.setStatus('CUSTOMER', 'On Hold');
    const e = queue.enqueueOneOff('CUSTOMER-NOW', 'CUSTOMER', ' CUSTOMER synchronize now.');
    expect(e).toMatchObject({ recurring: false, maxAttempts: 2, rerunDelaySeconds: 30, category: 'BCI INTEG' });
    const s = scheduler();
    expect((await s.tick()).ran).toEqual([]);
    clock.t += 1000;
    expect((await s.tick()).ran).toEqual(['CUSTOMER-NOW']);
    expect(queue.get('CUSTOMER-NOW')!.status).toBe('Finished');
    expect(queue.get('CUSTOMER')!.status).toBe('On Hold');
    expect(() => queue.enqueueOneOff('CUSTOMER-NOW', 'CUSTOMER', 'again')).not.toThrow();
    expect(() => queue.enqueueOneOff('CUSTOMER-NOW', 'CUSTOMER', 'again')).toThrow(/already queued/);
  });

  it('installs the default jobs once, feature jobs on hold until their timeout', () => {
    const { queue, clock } = setup();
    const jobs = defaultJobs({});
    queue.installDefaults(jobs);
    queue.installDefaults(jobs);
    expect(queue.list().length).toBe(new Set([...jobs.map((j) => j.name), 'CUSTOMER']).size);
    const feature = jobs.find((j) => j.mapping === null)!;
    expect(queue.get(feature.name)).toMatchObject({ status: 'On Hold with Inactivity Timeout', earliestStart: clock.t + (feature.inactivityTimeoutMinutes ?? feature.everyMinutes) * MIN });
  });

  it('wires mapping jobs to the engine: runs the mapping and probes BC by watermark', async () => {
    const w = world();
    const m = itemMapping({ direction: 'ToIntegrationTable' });
    const find = (n: string) => (n === m.name ? m : undefined);
    const queue = new JobQueue(w.db, w.clock);
    queue.installDefaults([{ name: m.name, mapping: m.name, everyMinutes: 30, inactivityTimeoutMinutes: 1440, description: 'x', category: null, maxAttempts: 10, rerunDelaySeconds: 30, initialStatus: 'Ready' }]);
    const s = new Scheduler({ queue, clock: w.clock, run: mappingRunner(w.engine, find), probe: mappingProbe(w.engine, find) });
    w.bc.put('Item', 'bc-1', item('1', 'One'));
    await s.tick();
    expect(w.dv.all('products')).toHaveLength(1);
    w.clock.t += 30 * 60_000;
    await s.tick();
    expect(queue.get(m.name)!.status).toBe('On Hold with Inactivity Timeout');
    w.clock.t += 60_000;
    expect((await s.tick()).woken).toEqual([]);
    w.bc.edit('Item', 'bc-1', { Description: 'Uno' });
    expect((await s.tick()).woken).toEqual([m.name]);
    expect(w.dv.all('products')[0]!.values.name).toBe('Uno');
    await expect(mappingRunner(w.engine, () => undefined)(queue.get(m.name)!)).rejects.toThrow(/does not exist/);
  });
});
