/**
 * POS → sync → report, end to end over real HTTP(S): tasks published to a store plan (coupled as a publication
 * leaves them), the sandbox's POS simulator completes one and starts one as a worker of the store and creates an
 * ad-hoc task; the task sync carries it to Commerce; the completion report moves (completed +1, in progress +1) and
 * shows the ad-hoc task in its own list, assigned to the POS user's personnel number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADHOC_LIST_NAME, buildTaskReport } from '../../../main/integrations/commerce-teams/tasks/report';
import { startTasksSync, type TasksSyncHarness } from './tasks-sync-harness';

const STORE = '001001';
let h: TasksSyncHarness;

beforeAll(async () => {
  h = await startTasksSync([STORE]);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('POS simulator → task sync → completion report', () => {
  it('moves the report: completed and in-progress counts, and the ad-hoc list', async () => {
    await h.coupled(STORE, 'P1', { title: 'Price the new arrivals', dueDate: '2099-01-10' });
    await h.coupled(STORE, 'P2', { title: 'Change the window display', dueDate: '2099-01-11' });
    await h.coupled(STORE, 'P3', { title: 'Count the safe', dueDate: '2099-01-12' });
    const report = () => buildTaskReport({ commerce: h.conn.commerce, clock: h.clock }, { rows: { store: STORE } });
    const before = await report();
    const opening = (r: typeof before) => r.lists.find((l) => l.taskListId === 'TL-OPEN')!.stores.find((s) => s.storeNumber === STORE)!;
    const b = opening(before);
    expect(before.lists.some((l) => l.adhoc)).toBe(false);

    const done = await h.sb.pos.complete(STORE, { title: 'Price the new arrivals' });
    expect(done.changed).toHaveLength(1);
    await h.sb.pos.start(STORE, { title: 'Change the window display' });
    const created = await h.sb.pos.createTask(STORE, { title: 'Mop the entrance', dueDate: '2099-01-09', assignToSelf: true });
    h.clock.advance(1100);
    const sync = await h.sync();
    expect(sync.failed).toEqual([]);

    const after = await report();
    const a = opening(after);
    expect(a.completed).toBe(b.completed + 1);
    expect(a.inProgress).toBe(b.inProgress + 1);
    expect(a.notStarted).toBe(b.notStarted - 2);
    expect(a.total).toBe(b.total);
    expect(a.completionPercent!).toBeGreaterThan(b.completionPercent!);

    const adhoc = after.lists.find((l) => l.adhoc)!;
    expect(adhoc.name).toBe(ADHOC_LIST_NAME);
    expect(adhoc.stores).toEqual([expect.objectContaining({ storeNumber: STORE, total: 1, notStarted: 1, overdue: 0 })]);
    const row = after.rows.find((r) => r.adhoc)!;
    expect(row).toMatchObject({ title: 'Mop the entrance', dueDate: '2099-01-09', plannerTaskId: created.created.id, assignee: created.user.personnelNumber });
    expect(row.assigneeName).toBe(created.user.displayName);
  });
});
