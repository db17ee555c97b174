/**
 * Commerce ⇄ Teams (issue 14): the store → Microsoft 365 group link, written BEFORE the group or team exists, so
 * an apply that crashes (or a closed laptop) resumes on the same group instead of creating a second team for the
 * store. `scope` is "<Commerce environment URL> <Graph root>", so two environments never share links.
 * `state`: pending (nickname reserved, no group yet) → group (group created, id known) → team (teamified) → synced
 * (members added, mapping written back to Commerce).
 */
export default {
  id: 10,
  name: 'commerce_teams_links',
  sql: `
CREATE TABLE commerce_teams_links (
  scope TEXT NOT NULL,
  source_type TEXT NOT NULL CHECK (source_type IN ('RetailStore', 'Communications')),
  source_id TEXT NOT NULL,
  mail_nickname TEXT NOT NULL,
  display_name TEXT NOT NULL,
  group_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'group', 'team', 'synced')),
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scope, source_type, source_id)
) STRICT;
CREATE UNIQUE INDEX commerce_teams_links_group ON commerce_teams_links (scope, group_id) WHERE group_id IS NOT NULL;
`,
};
