/**
 * Sync engine state (issue 7): the coupling cache modelled on BC's "CRM Integration Record" (table 5331) and
 * "CRM Option Mapping", per-mapping watermarks, the job log ("Integration Synch. Job" 5338 / "Job Errors" 5339)
 * and the persisted job queue (reference §D, §E.10). Times are epoch milliseconds in UTC; 0 stands for BC's 0DT.
 */
export default {
  id: 4,
  name: 'sync',
  sql: `
CREATE TABLE sync_couplings (
  id INTEGER PRIMARY KEY,
  -- BC table id: BC keeps one DV id <-> one BC record per BC table (E.1), whatever mapping wrote the row.
  table_id INTEGER NOT NULL CHECK (table_id > 0),
  dv_entity TEXT NOT NULL,
  -- BC SystemId. NULL only while a DV->BC insert is pending (then idempotency_key identifies the BC insert).
  bc_id TEXT,
  dv_id TEXT NOT NULL,
  -- 1 = written before the create request went out; cleared when the create is confirmed.
  pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1)),
  idempotency_key TEXT,
  bc_modified_on INTEGER NOT NULL DEFAULT 0,
  dv_modified_on INTEGER NOT NULL DEFAULT 0,
  -- "Last Synch. Result" (DV->BC) and "Last Synch. CRM Result" (BC->DV): '' | 'Success' | 'Failure'.
  result_from TEXT NOT NULL DEFAULT '' CHECK (result_from IN ('', 'Success', 'Failure')),
  result_to TEXT NOT NULL DEFAULT '' CHECK (result_to IN ('', 'Success', 'Failure')),
  job_from TEXT,
  job_to TEXT,
  error_from TEXT,
  error_to TEXT,
  skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
  updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX sync_couplings_bc ON sync_couplings (table_id, bc_id);
CREATE UNIQUE INDEX sync_couplings_dv ON sync_couplings (table_id, dv_id);
CREATE UNIQUE INDEX sync_couplings_idem ON sync_couplings (idempotency_key);
CREATE INDEX sync_couplings_failed_to ON sync_couplings (table_id, result_to, skipped);
CREATE INDEX sync_couplings_failed_from ON sync_couplings (table_id, result_from, skipped);
CREATE INDEX sync_couplings_skipped ON sync_couplings (skipped, table_id);

CREATE TABLE sync_option_couplings (
  mapping TEXT NOT NULL,
  bc_code TEXT NOT NULL,
  option_value INTEGER NOT NULL,
  option_caption TEXT NOT NULL,
  bc_modified_on INTEGER NOT NULL DEFAULT 0,
  result_to TEXT NOT NULL DEFAULT '' CHECK (result_to IN ('', 'Success', 'Failure')),
  skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
  PRIMARY KEY (mapping, bc_code),
  UNIQUE (mapping, option_value)
) STRICT;

-- Watermarks live here rather than in the mapping rows so a mapping edit never resets them by accident.
CREATE TABLE sync_mapping_state (
  mapping TEXT PRIMARY KEY,
  -- "Synch. Int. Tbl. Mod. On Fltr." (BC SystemModifiedAt) and "Synch. Modified On Filter" (DV modifiedon).
  bc_watermark INTEGER NOT NULL DEFAULT 0,
  dv_watermark INTEGER NOT NULL DEFAULT 0,
  full_sync_running INTEGER NOT NULL DEFAULT 0,
  full_sync_started_at INTEGER
) STRICT;

CREATE TABLE sync_jobs (
  id TEXT PRIMARY KEY,
  mapping TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('Synchronization', 'Coupling', 'Uncoupling')),
  direction TEXT NOT NULL CHECK (direction IN ('Bidirectional', 'ToIntegrationTable', 'FromIntegrationTable')),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  message TEXT NOT NULL DEFAULT '',
  inserted INTEGER NOT NULL DEFAULT 0,
  modified INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  uncoupled INTEGER NOT NULL DEFAULT 0,
  coupled INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sync_jobs_mapping ON sync_jobs (mapping, started_at);

CREATE TABLE sync_job_errors (
  no INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES sync_jobs (id) ON DELETE CASCADE,
  table_id INTEGER NOT NULL,
  source_side TEXT NOT NULL CHECK (source_side IN ('bc', 'dataverse')),
  source_id TEXT,
  destination_id TEXT,
  message TEXT NOT NULL,
  detail TEXT,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX sync_job_errors_job ON sync_job_errors (job_id);

CREATE TABLE sync_job_queue (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  mapping TEXT,
  description TEXT NOT NULL,
  category TEXT,
  recurring INTEGER NOT NULL CHECK (recurring IN (0, 1)),
  every_minutes INTEGER,
  inactivity_timeout_minutes INTEGER,
  status TEXT NOT NULL CHECK (status IN ('Ready', 'In Process', 'Error', 'On Hold', 'On Hold with Inactivity Timeout', 'Finished')),
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  attempts INTEGER NOT NULL DEFAULT 0,
  rerun_delay_seconds INTEGER NOT NULL,
  earliest_start INTEGER NOT NULL,
  disable_event_resch INTEGER NOT NULL DEFAULT 0,
  last_started_at INTEGER,
  last_finished_at INTEGER,
  last_error TEXT
) STRICT;
CREATE INDEX sync_job_queue_due ON sync_job_queue (status, earliest_start);
`,
};
