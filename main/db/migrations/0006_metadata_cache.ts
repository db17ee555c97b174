// Metadata catalog cache (issue 6): entity/attribute definitions fetched from a connection, one row per entity, so
// mapping validation can use the real org's metadata while offline. `json` is written by main/integrations/sales/mappings/metadata.ts.
export default {
  id: 6,
  name: 'metadata_cache',
  sql: `
CREATE TABLE metadata_cache (
  profile_id TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('dataverse', 'bc')),
  entity TEXT NOT NULL,
  json TEXT NOT NULL,
  fetched_at TEXT NOT NULL,
  PRIMARY KEY (profile_id, side, entity)
) STRICT;
`,
};
