/** The console's run store (migration 0011): history kept to the newest KEEP_RUNS runs, with their stores and errors. */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/db/database';
import { KEEP_RUNS, TeamsRunStore } from '../../../main/integrations/commerce-teams/console/runs';
import { testClock } from '../../support/clock';

describe('teams run history', () => {
  it('keeps the newest runs; an old run goes with its stores and errors; a running one is never trimmed', () => {
    const { db } = openDatabase(':memory:');
    const clock = testClock();
    const runs = new TeamsRunStore(db, clock);
    const running = runs.create({ trigger: 'manual', prune: false, storeNumbers: null, parentRunId: null });
    const first = runs.create({ trigger: 'manual', prune: false, storeNumbers: ['001'], parentRunId: null });
    runs.planned(first, [{ storeNumber: '001', action: 'create', teamId: null, owners: { add: [], remove: [] }, members: { add: ['a@x'], remove: [] } }]);
    runs.storeFinished(first, '001', 'failed', [{ storeNumber: '001', code: 'X', message: 'm' }], null, 'store-failed');
    runs.finish(first, 'failed');
    for (let i = 0; i < KEEP_RUNS + 5; i++) {
      clock.advance(1000);
      runs.finish(runs.create({ trigger: 'schedule', prune: false, storeNumbers: null, parentRunId: null }), 'succeeded');
    }
    const count = (t: string) => db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${t}`).get()!.n;
    expect(count('commerce_teams_runs')).toBe(KEEP_RUNS + 1); // the newest KEEP_RUNS and the one still running
    expect(runs.get(first)).toBeNull();
    expect(count('commerce_teams_run_stores')).toBe(0);
    expect(count('commerce_teams_run_errors')).toBe(0);
    expect(runs.get(running)?.state).toBe('running');
    expect(runs.list(10)[0]!.trigger).toBe('schedule');
    db.close();
  });
});
