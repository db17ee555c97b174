/**
 * Per-table run leases shared by every process on one data folder (issue 12). The console and a CLI run used to
 * lock a BC table in memory only, so both could synchronize CUSTOMER at once (the double create the lock exists to
 * prevent), and each new engine closed every unfinished job, marking the other process's live jobs Interrupted.
 * A lease row says who runs a table (owner id, a label and pid/host for messages) and until when: the owner's
 * heartbeat moves `expires_at` on; a lease past it (or whose process is gone on this host) may be taken over.
 * `sync_jobs.owner` names the process that opened a job, so only jobs whose owner holds no live lease are closed.
 */
export default {
  id: 9,
  name: 'sync_leases',
  sql: `
CREATE TABLE sync_leases (
  table_id INTEGER PRIMARY KEY CHECK (table_id > 0),
  mapping TEXT NOT NULL,
  owner TEXT NOT NULL,
  label TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sync_leases_owner ON sync_leases (owner);
ALTER TABLE sync_jobs ADD COLUMN owner TEXT;
CREATE INDEX sync_jobs_open ON sync_jobs (owner) WHERE finished_at IS NULL;
`,
};
