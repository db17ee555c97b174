import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openDatabase } from '../../../main/db/database';
import { CouplingStore } from '../../../main/kernel/couplings/store';
import { TaskBaselineStore } from '../../../main/integrations/commerce-teams/tasks/baselines';
import { addDays, parseStatusKey, percentFromStatus, statusFromPercent, statusKey, TASKS_INTEGRATION, TASKS_MAPPING } from '../../../main/integrations/commerce-teams/tasks/model';

describe('task bridge model', () => {
  it('maps Planner percentComplete to Commerce statuses and back (0 / 1–99 / 100; in progress writes 50; Canceled stays in Commerce)', () => {
    expect(statusFromPercent(0)).toBe('NotStarted');
    expect(statusFromPercent(1)).toBe('InProgress');
    expect(statusFromPercent(99)).toBe('InProgress');
    expect(statusFromPercent(100)).toBe('Completed');
    expect(percentFromStatus('InProgress')).toBe(50);
    expect(percentFromStatus('Canceled')).toBeNull();
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), (p) => {
      const s = statusFromPercent(p);
      expect(statusFromPercent(percentFromStatus(s)!)).toBe(s);
    }));
  });

  it('round-trips status keys and refuses parts that would make them ambiguous', () => {
    fc.assert(fc.property(fc.tuple(...[0, 1, 2].map(() => fc.string({ minLength: 1 }).filter((s) => !s.includes('|')))), ([a, b, c]) => {
      expect(parseStatusKey(statusKey(a!, b!, c!))).toEqual({ processId: a, taskId: b, storeNumber: c });
    }));
    expect(() => statusKey('P|1', 'T', 'S')).toThrow();
    expect(() => parseStatusKey('a|b')).toThrow();
  });

  it('adds due-date offsets across month ends', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('keeps a merge base per coupling and drops it with the coupling', () => {
    const { db } = openDatabase(':memory:');
    const couplings = new CouplingStore(db, TASKS_INTEGRATION);
    const c = couplings.insert({ mapping: TASKS_MAPPING, aId: statusKey('PR-1', 'T1', '001'), bId: 'planner-task-1' });
    const store = new TaskBaselineStore(db, () => 5);
    store.upsertMany([{ couplingId: c.rowId, processId: 'PR-1', taskId: 'T1', storeNumber: '001', planId: 'plan', title: 'Open', status: 'NotStarted', dueDate: '2026-12-07', assignee: null, adhoc: false }]);
    store.upsertMany([{ couplingId: c.rowId, processId: 'PR-1', taskId: 'T1', storeNumber: '001', planId: 'plan', title: 'Open', status: 'Completed', dueDate: '2026-12-07', assignee: 'u1', adhoc: false }]);
    expect(store.get(c.rowId)).toMatchObject({ status: 'Completed', assignee: 'u1', updatedAt: 5 });
    expect(store.byStore('001')).toHaveLength(1);
    db.pragma('foreign_keys = ON');
    couplings.remove(c.rowId);
    expect(store.get(c.rowId)).toBeUndefined();
  });
});
