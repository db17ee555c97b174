// Mapping sets (issue 6). A set's mappings are stored as rows so one table mapping can be read or replaced without
// rewriting the whole set; the row body is the zod-validated JSON of TableMapping (main/integrations/sales/mappings/model.ts).
export default {
  id: 2,
  name: 'mappings',
  sql: `
CREATE TABLE mapping_sets (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  schema_version INTEGER NOT NULL,
  options_json TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- Bumped on every save: an editor saving over a newer version gets a conflict instead of losing edits.
  revision INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE table_mappings (
  set_id TEXT NOT NULL REFERENCES mapping_sets(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  bc_table_id INTEGER NOT NULL,
  dataverse_entity TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('Bidirectional', 'ToIntegrationTable', 'FromIntegrationTable')),
  body_json TEXT NOT NULL,
  PRIMARY KEY (set_id, name)
) STRICT;

CREATE TABLE mapping_reviews (
  set_id TEXT NOT NULL REFERENCES mapping_sets(id) ON DELETE CASCADE,
  mapping TEXT NOT NULL,
  field TEXT NOT NULL DEFAULT '',
  reviewer TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('Pending', 'Approved', 'Changes requested', 'Rejected')),
  comment TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (set_id, mapping, field)
) STRICT;
`,
};
