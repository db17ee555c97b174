/**
 * Connection profiles for the BC ⇄ Sales integration (issue 4). Non-secret values only: client secrets,
 * certificate keys and access keys live in the `secrets` table (encrypted) under `connection.<id>.<slot>`,
 * MSAL token caches under `auth.cache.<clientId>.<authority hash>`.
 */
export default {
  id: 3,
  name: 'connections',
  sql: `
CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('dataverse', 'bc-online', 'bc-onprem', 'graph', 'commerce-hq')),
  url TEXT,
  environment_name TEXT,
  company TEXT,
  tier TEXT NOT NULL CHECK (tier IN ('development', 'test', 'uat', 'production')),
  colour TEXT NOT NULL,
  auth_method TEXT NOT NULL CHECK (auth_method IN ('interactive', 'device-code', 'client-secret', 'certificate', 'bc-access-key')),
  client_id TEXT,
  app_tenant_id TEXT,
  redirect_uri TEXT,
  authority_host TEXT,
  user_name TEXT,
  certificate_thumbprint TEXT,
  -- MSAL homeAccountId of the signed-in user, to pick the account from the shared cache (not a secret).
  home_account_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_used_at TEXT
) STRICT;
CREATE INDEX connections_client ON connections (client_id);
`,
};
