export default {
  id: 1,
  name: 'core',
  sql: `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Saved connection profiles. Non-secret values only; secrets live in the secrets table, encrypted.
CREATE TABLE profiles (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  kind TEXT NOT NULL,
  values_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- Secrets encrypted by the host's cipher (Electron safeStorage or the browser host's AES-GCM key file).
CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  ciphertext BLOB NOT NULL,
  cipher TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
`,
};
