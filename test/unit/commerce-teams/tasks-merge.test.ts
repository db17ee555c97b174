/** The sync's field-by-field three-way merge (main/integrations/commerce-teams/tasks/sync.ts `mergeTask`), as a pure function. */
import { describe, expect, it } from 'vitest';
import type { TaskFields } from '../../../main/integrations/commerce-teams/tasks/model';
import { mergeTask } from '../../../main/integrations/commerce-teams/tasks/sync';

const base: TaskFields = { title: 'Count the till', status: 'NotStarted', dueDate: '2026-12-16', assignee: null };
const w = (f: Partial<TaskFields>): TaskFields => ({ ...base, ...f });

describe('mergeTask', () => {
  it('a field changed on one side goes to the other; changed on both to the same value only moves the base', () => {
    const m = mergeTask(base, w({ status: 'Completed', title: 'Same' }), w({ dueDate: '2026-12-18', title: 'Same' }));
    expect(m.toPlanner).toEqual({ status: 'Completed' });
    expect(m.toCommerce).toEqual({ dueDate: '2026-12-18' });
    expect(m.next).toEqual({ title: 'Same', status: 'Completed', dueDate: '2026-12-18', assignee: null });
    expect(m.conflicts).toEqual([]);
  });

  it('the same field changed on both sides to different values is a conflict: nothing written for it, the base kept', () => {
    const m = mergeTask(base, w({ title: 'HQ', status: 'InProgress' }), w({ title: 'Store' }));
    expect(m.conflicts).toEqual([{ field: 'title', commerce: 'HQ', planner: 'Store' }]);
    expect(m.toPlanner).toEqual({ status: 'InProgress' });
    expect(m.toCommerce).toEqual({});
    expect(m.next.title).toBe('Count the till');
  });

  it('Canceled: never written to Planner, a Planner status change on a canceled task is ignored and flagged; un-canceling is written', () => {
    const cancel = mergeTask(base, w({ status: 'Canceled' }), w({ status: 'InProgress' }), { plannerChanged: true });
    expect(cancel.toPlanner).toEqual({});
    expect(cancel.toCommerce).toEqual({});
    expect(cancel.next.status).toBe('Canceled');
    expect(cancel.conflicts).toEqual([]);
    const canceled = w({ status: 'Canceled' });
    const later = mergeTask(canceled, canceled, w({ status: 'Completed', dueDate: '2026-12-20' }), { plannerChanged: true });
    expect(later.canceledKept).toBe(true);
    expect(later.toCommerce).toEqual({ dueDate: '2026-12-20' });
    expect(later.next.status).toBe('Canceled');
    const revive = mergeTask(canceled, w({ status: 'InProgress' }), w({ status: 'Completed' }));
    expect(revive.toPlanner).toEqual({ status: 'InProgress' });
  });

  it('a decided conflict takes the chosen side\'s current value; an open one settles when the sides meet or one returns to the base', () => {
    const decided = mergeTask(base, w({ title: 'HQ' }), w({ title: 'Store' }), { decided: new Map([['title', 'planner']]), open: new Set(['title']) });
    expect(decided.toCommerce).toEqual({ title: 'Store' });
    expect(decided.settled).toEqual(['title']);
    expect(decided.next.title).toBe('Store');
    const met = mergeTask(base, w({ title: 'Both' }), w({ title: 'Both' }), { open: new Set(['title']) });
    expect(met.settled).toEqual(['title']);
    expect(met.conflicts).toEqual([]);
    const back = mergeTask(base, w({ title: 'HQ' }), base, { open: new Set(['title']) });
    expect(back.settled).toEqual(['title']);
    expect(back.toPlanner).toEqual({ title: 'HQ' });
    const still = mergeTask(base, w({ title: 'HQ' }), w({ title: 'Store 2' }), { open: new Set(['title']) });
    expect(still.settled).toEqual([]);
    expect(still.conflicts).toHaveLength(1);
  });
});
