/**
 * Commerce ⇄ Teams task management (issue 15). The couplings themselves (HQ task × store ⇄ Planner task id + etag)
 * live in `kernel_couplings` (integration 'commerce-teams', mapping 'tasks'); this migration adds what the bridge
 * needs beside them:
 *  - `ct_task_settings`: task management enabled (requires the Teams integration), the sync watermark on Commerce's
 *    ModifiedDateTime, the schedule — one row;
 *  - `ct_task_baselines`: per coupling the field values both sides agreed on at the last sync (the base of the
 *    field-by-field three-way merge: a field changed on one side since the base wins, changed on both is a conflict);
 *  - `ct_task_publications`: each publication of an HQ task list (process id, list, target date, stores, counts);
 *  - `ct_task_conflicts`: the same field changed on both sides, with both values, until the user picks one.
 */
export default {
  id: 13,
  name: 'commerce_teams_tasks',
  sql: `
CREATE TABLE ct_task_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
  enabled_at INTEGER,
  commerce_watermark TEXT,
  schedule_enabled INTEGER NOT NULL DEFAULT 0 CHECK (schedule_enabled IN (0, 1)),
  schedule_every_minutes INTEGER NOT NULL DEFAULT 15 CHECK (schedule_every_minutes >= 1),
  last_sync_at INTEGER,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE ct_task_baselines (
  coupling_id INTEGER PRIMARY KEY REFERENCES kernel_couplings (id) ON DELETE CASCADE,
  process_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  store_number TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('NotStarted', 'InProgress', 'Completed', 'Canceled')),
  due_date TEXT,
  assignee TEXT,
  adhoc INTEGER NOT NULL DEFAULT 0 CHECK (adhoc IN (0, 1)),
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX ct_task_baselines_store ON ct_task_baselines (store_number, process_id);
CREATE INDEX ct_task_baselines_plan ON ct_task_baselines (plan_id);

CREATE TABLE ct_task_publications (
  process_id TEXT PRIMARY KEY,
  task_list_id TEXT NOT NULL,
  target_date TEXT NOT NULL,
  stores TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'done', 'partial', 'failed')),
  tasks_created INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL,
  finished_at INTEGER
) STRICT;

CREATE TABLE ct_task_conflicts (
  id INTEGER PRIMARY KEY,
  coupling_id INTEGER NOT NULL REFERENCES kernel_couplings (id) ON DELETE CASCADE,
  field TEXT NOT NULL CHECK (field IN ('status', 'dueDate', 'assignee', 'title')),
  base_value TEXT,
  commerce_value TEXT,
  planner_value TEXT,
  detected_at INTEGER NOT NULL,
  resolved_at INTEGER,
  resolution TEXT CHECK (resolution IN ('commerce', 'planner')),
  UNIQUE (coupling_id, field, resolved_at)
) STRICT;
CREATE INDEX ct_task_conflicts_open ON ct_task_conflicts (coupling_id) WHERE resolved_at IS NULL;
`,
};
