// Restorable snapshots of a mapping set (issue 6): taken before a reset to defaults, a re-connect or a restore, so
// every destructive editor operation can be undone even after the console restarts (the undo history is per session).
export default {
  id: 5,
  name: 'mapping_snapshots',
  sql: `
CREATE TABLE mapping_snapshots (
  id TEXT PRIMARY KEY,
  set_id TEXT NOT NULL REFERENCES mapping_sets(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('reset', 'restore', 'reconnect', 'manual')),
  revision INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  mapping_count INTEGER NOT NULL,
  -- The whole MappingSet as exported JSON (exchange-json.ts), reviews included.
  body_json TEXT NOT NULL
) STRICT;

CREATE INDEX mapping_snapshots_by_set ON mapping_snapshots (set_id, created_at);
`,
};
