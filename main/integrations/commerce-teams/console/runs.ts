/**
 * Apply/sync runs of the console (migration 0011): one row per run with its counts and state, the stores its plan
 * listed (action, state, last phase, the planned owner/member deltas) and the per-store / per-member errors.
 * A run is written as it goes (each store when it finishes), so a crash leaves a `running` row: the next service on
 * this database shows it as `interrupted` unless the process that owns it is still alive. Prepared statements only.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { TeamsRun, TeamsRunCounts, TeamsRunDetail, TeamsRunError, TeamsRunState, TeamsRunTrigger, TeamsProgressPhase } from '../../../../preload/contract/commerce-teams/teams';
import type { TeamsPlanStore } from '../../../../preload/contract/commerce-teams/findings';
import type { Db } from '../../../db/database';
import type { Clock } from '../../../ports';

interface RunRow {
  run_id: string;
  trigger: TeamsRunTrigger;
  prune: number;
  store_numbers: string | null;
  parent_run_id: string | null;
  state: TeamsRunState;
  started_at: number;
  finished_at: number | null;
  stores_planned: number;
  stores_done: number;
  stores_failed: number;
  teams_created: number;
  owners_added: number;
  members_added: number;
  members_removed: number;
  error_code: string | null;
  error_message: string | null;
  error_params: string | null;
  owner: string;
  pid: number;
  host: string;
}
interface StoreRow {
  store_number: string;
  action: TeamsPlanStore['action'];
  reason: string | null;
  state: 'pending' | 'done' | 'failed' | 'skipped';
  team_id: string | null;
  phase: TeamsProgressPhase | null;
  delta: string;
}
interface ErrorRow {
  store_number: string;
  code: string;
  message: string;
  user_id: string | null;
  personnel_number: string | null;
}

/** Runs kept in the history (older ones are removed when a run starts). */
export const KEEP_RUNS = 500;

export const ZERO_COUNTS: TeamsRunCounts = { storesPlanned: 0, storesDone: 0, storesFailed: 0, teamsCreated: 0, ownersAdded: 0, membersAdded: 0, membersRemoved: 0 };

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (x) {
    return (x as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export class TeamsRunStore {
  /** This service's id: runs it started and still holds are never called interrupted. */
  readonly owner = randomUUID();
  private readonly sql;
  constructor(private readonly db: Db, private readonly clock: Clock) {
    const p = db.prepare.bind(db);
    this.sql = {
      insert: p(`INSERT INTO commerce_teams_runs (run_id, trigger, prune, store_numbers, parent_run_id, state, started_at, owner, pid, host)
        VALUES (@runId, @trigger, @prune, @storeNumbers, @parent, 'running', @now, @owner, @pid, @host)`),
      get: p<[string], RunRow>('SELECT * FROM commerce_teams_runs WHERE run_id = ?'),
      list: p<[number], RunRow>('SELECT * FROM commerce_teams_runs ORDER BY started_at DESC, rowid DESC LIMIT ?'),
      running: p<[], RunRow>(`SELECT * FROM commerce_teams_runs WHERE state = 'running'`),
      // History kept: the newest KEEP runs (their stores and errors go with them).
      trim: p<[number]>(`DELETE FROM commerce_teams_runs WHERE state <> 'running' AND run_id NOT IN (SELECT run_id FROM commerce_teams_runs ORDER BY started_at DESC, rowid DESC LIMIT ?)`),
      counts: p(`UPDATE commerce_teams_runs SET stores_planned = @storesPlanned, stores_done = @storesDone, stores_failed = @storesFailed, teams_created = @teamsCreated,
        owners_added = @ownersAdded, members_added = @membersAdded, members_removed = @membersRemoved WHERE run_id = @runId`),
      finish: p(`UPDATE commerce_teams_runs SET state = @state, finished_at = @now, error_code = @code, error_message = @message, error_params = @params
        WHERE run_id = @runId AND state = 'running'`),
      interrupt: p(`UPDATE commerce_teams_runs SET state = 'interrupted', finished_at = @now WHERE run_id = @runId AND state = 'running'`),
      store: p(`INSERT INTO commerce_teams_run_stores (run_id, store_number, action, reason, state, team_id, phase, delta)
        VALUES (@runId, @storeNumber, @action, @reason, @state, @teamId, NULL, @delta)
        ON CONFLICT (run_id, store_number) DO UPDATE SET action = excluded.action, reason = excluded.reason, state = excluded.state, team_id = excluded.team_id, delta = excluded.delta`),
      storeState: p('UPDATE commerce_teams_run_stores SET state = @state, team_id = COALESCE(@teamId, team_id), phase = COALESCE(@phase, phase) WHERE run_id = @runId AND store_number = @storeNumber'),
      storePhase: p('UPDATE commerce_teams_run_stores SET phase = @phase WHERE run_id = @runId AND store_number = @storeNumber'),
      stores: p<[string], StoreRow>('SELECT store_number, action, reason, state, team_id, phase, delta FROM commerce_teams_run_stores WHERE run_id = ? ORDER BY store_number'),
      error: p('INSERT INTO commerce_teams_run_errors (run_id, store_number, code, message, user_id, personnel_number) VALUES (@runId, @storeNumber, @code, @message, @userId, @personnelNumber)'),
      errors: p<[string], ErrorRow>('SELECT store_number, code, message, user_id, personnel_number FROM commerce_teams_run_errors WHERE run_id = ? ORDER BY no'),
    };
  }

  /**
   * Runs left `running` by a service that is gone (this process's earlier service, or a dead process) become
   * `interrupted`. A live process on this host keeps its runs. Returns the ids changed.
   */
  recoverInterrupted(): string[] {
    const out: string[] = [];
    for (const r of this.sql.running.all()) {
      if (r.owner === this.owner) continue;
      if (r.host === os.hostname() && r.pid !== process.pid && alive(r.pid)) continue;
      this.sql.interrupt.run({ runId: r.run_id, now: this.clock.now() });
      out.push(r.run_id);
    }
    return out;
  }

  /** A run another live process on this data folder is carrying out now (a second console), if any. */
  liveForeign(): string | null {
    for (const r of this.sql.running.all()) if (r.owner !== this.owner && r.pid !== process.pid && r.host === os.hostname() && alive(r.pid)) return r.run_id;
    return null;
  }

  create(o: { trigger: TeamsRunTrigger; prune: boolean; storeNumbers: string[] | null; parentRunId: string | null }): string {
    const runId = randomUUID();
    this.sql.trim.run(KEEP_RUNS - 1);
    this.sql.insert.run({ runId, trigger: o.trigger, prune: o.prune ? 1 : 0, storeNumbers: o.storeNumbers ? JSON.stringify(o.storeNumbers) : null, parent: o.parentRunId, now: this.clock.now(), owner: this.owner, pid: process.pid, host: os.hostname() });
    return runId;
  }

  /** The plan's rows (in one transaction): what the run will do per store. */
  planned(runId: string, rows: readonly (Pick<TeamsPlanStore, 'storeNumber' | 'action' | 'reason' | 'teamId' | 'owners' | 'members'>)[]): void {
    this.db.transaction(() => {
      for (const r of rows)
        this.sql.store.run({
          runId, storeNumber: r.storeNumber, action: r.action, reason: r.reason ?? null, teamId: r.teamId,
          state: r.action === 'create' || r.action === 'update' ? 'pending' : 'skipped',
          delta: JSON.stringify({ owners: r.owners, members: r.members }),
        });
    })();
  }

  phase(runId: string, storeNumber: string, phase: TeamsProgressPhase): void {
    this.sql.storePhase.run({ runId, storeNumber, phase });
  }

  storeFinished(runId: string, storeNumber: string, state: 'done' | 'failed', errors: readonly TeamsRunError[], teamId: string | null, phase: TeamsProgressPhase): void {
    this.db.transaction(() => {
      this.sql.storeState.run({ runId, storeNumber, state, teamId, phase });
      for (const e of errors) this.sql.error.run({ runId, storeNumber: e.storeNumber, code: e.code, message: e.message, userId: e.userId ?? null, personnelNumber: e.personnelNumber ?? null });
    })();
  }

  addErrors(runId: string, errors: readonly TeamsRunError[]): void {
    this.db.transaction(() => {
      for (const e of errors) this.sql.error.run({ runId, storeNumber: e.storeNumber, code: e.code, message: e.message, userId: e.userId ?? null, personnelNumber: e.personnelNumber ?? null });
    })();
  }

  counts(runId: string, c: TeamsRunCounts): void {
    this.sql.counts.run({ runId, ...c });
  }

  finish(runId: string, state: Exclude<TeamsRunState, 'running' | 'interrupted'>, error: { code: string; message: string; params?: Record<string, string | number> } | null = null): void {
    this.sql.finish.run({ runId, state, now: this.clock.now(), code: error?.code ?? null, message: error?.message ?? null, params: error?.params ? JSON.stringify(error.params) : null });
  }

  get(runId: string): TeamsRun | null {
    const r = this.sql.get.get(runId);
    return r ? this.toRun(r) : null;
  }

  list(limit: number): TeamsRun[] {
    return this.sql.list.all(limit).map((r) => this.toRun(r));
  }

  detail(runId: string): TeamsRunDetail | null {
    const run = this.get(runId);
    if (!run) return null;
    const stores = this.sql.stores.all(runId).map((s) => {
      const delta = JSON.parse(s.delta) as { owners: { add: string[]; remove: string[] }; members: { add: string[]; remove: string[] } };
      return { storeNumber: s.store_number, action: s.action, ...(s.reason ? { reason: s.reason } : {}), state: s.state, teamId: s.team_id, phase: s.phase, owners: delta.owners, members: delta.members };
    });
    return { ...run, stores };
  }

  /** Stores of the run that failed or have errors (a member the team did not take). */
  failedStores(runId: string): string[] {
    const failed = new Set(this.sql.stores.all(runId).filter((s) => s.state === 'failed').map((s) => s.store_number));
    for (const e of this.sql.errors.all(runId)) failed.add(e.store_number);
    return [...failed].sort();
  }

  private toRun(r: RunRow): TeamsRun {
    return {
      runId: r.run_id,
      trigger: r.trigger,
      prune: r.prune === 1,
      storeNumbers: r.store_numbers ? (JSON.parse(r.store_numbers) as string[]) : null,
      parentRunId: r.parent_run_id,
      state: r.state,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      counts: {
        storesPlanned: r.stores_planned, storesDone: r.stores_done, storesFailed: r.stores_failed, teamsCreated: r.teams_created,
        ownersAdded: r.owners_added, membersAdded: r.members_added, membersRemoved: r.members_removed,
      },
      errors: this.sql.errors.all(r.run_id).map((e) => ({ storeNumber: e.store_number, code: e.code, message: e.message, ...(e.user_id ? { userId: e.user_id } : {}), ...(e.personnel_number ? { personnelNumber: e.personnel_number } : {}) })),
      error: r.error_code ? { code: r.error_code, message: r.error_message ?? '', ...(r.error_params ? { params: JSON.parse(r.error_params) as Record<string, string | number> } : {}) } : null,
    };
  }
}
