/**
 * Commerce ⇄ Teams in the console (issue 14): the configuration (profiles, data-sharing consent, enabled, prune
 * default, schedule options; one row), the apply/sync runs with their counts, the stores each run planned (action,
 * state, last phase, the planned owner/member deltas as JSON) and the per-store / per-member errors.
 * A run left `running` by a process that is gone is shown as `interrupted` (the engine is idempotent: resume
 * starts a new run over the same stores, `parent_run_id` says which).
 */
export default {
  id: 11,
  name: 'commerce_teams_runs',
  sql: `
CREATE TABLE commerce_teams_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
  enabled_at INTEGER,
  commerce_profile_id TEXT,
  graph_profile_id TEXT,
  consent_at INTEGER,
  prune_default INTEGER NOT NULL DEFAULT 0 CHECK (prune_default IN (0, 1)),
  schedule_enabled INTEGER NOT NULL DEFAULT 0 CHECK (schedule_enabled IN (0, 1)),
  schedule_every_minutes INTEGER NOT NULL DEFAULT 60 CHECK (schedule_every_minutes >= 1),
  schedule_prune INTEGER NOT NULL DEFAULT 0 CHECK (schedule_prune IN (0, 1)),
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE commerce_teams_runs (
  run_id TEXT PRIMARY KEY,
  trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule', 'retry', 'resume')),
  prune INTEGER NOT NULL CHECK (prune IN (0, 1)),
  store_numbers TEXT,
  parent_run_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'partial', 'failed', 'cancelled', 'interrupted')),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  stores_planned INTEGER NOT NULL DEFAULT 0,
  stores_done INTEGER NOT NULL DEFAULT 0,
  stores_failed INTEGER NOT NULL DEFAULT 0,
  teams_created INTEGER NOT NULL DEFAULT 0,
  owners_added INTEGER NOT NULL DEFAULT 0,
  members_added INTEGER NOT NULL DEFAULT 0,
  members_removed INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  error_params TEXT,
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL
) STRICT;
CREATE INDEX commerce_teams_runs_started ON commerce_teams_runs (started_at DESC);
CREATE INDEX commerce_teams_runs_running ON commerce_teams_runs (state) WHERE state = 'running';

CREATE TABLE commerce_teams_run_stores (
  run_id TEXT NOT NULL REFERENCES commerce_teams_runs (run_id) ON DELETE CASCADE,
  store_number TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('create', 'update', 'none', 'skip')),
  reason TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
  team_id TEXT,
  phase TEXT,
  delta TEXT NOT NULL,
  PRIMARY KEY (run_id, store_number)
) STRICT;

CREATE TABLE commerce_teams_run_errors (
  no INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES commerce_teams_runs (run_id) ON DELETE CASCADE,
  store_number TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  user_id TEXT,
  personnel_number TEXT
) STRICT;
CREATE INDEX commerce_teams_run_errors_run ON commerce_teams_run_errors (run_id, no);
`,
};
