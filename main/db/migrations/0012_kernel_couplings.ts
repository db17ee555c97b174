/**
 * The coupling store moves into the kernel (issue 12: "coupling store keyed by (integration, mapping) — generic, no BC
 * table numbers"; issue 15 couples Planner tasks in it next). `sync_couplings` was Sales' own: keyed by a BC table
 * number with `bc_id` / `dv_id` columns. `kernel_couplings` keys every row by (integration, mapping) and names its two
 * sides neutrally, a and b; each integration says what they are (Sales: integration 'sales', mapping = the BC table id
 * as text — Sales couples per BC table across mappings, E.1 — a = Business Central, b = Dataverse).
 *
 * Per row: the two ids (either may be NULL while a create on that side is pending), `pending_to` = the side whose
 * create request was written down before it went out (NULL once confirmed; replaces `pending` 0/1 — a Sales pending
 * row without a BC id was a DV → BC insert, so 'a', else 'b'), the idempotency key of that request, per side the
 * modified-on stamp of the last sync and the ETag (Planner needs them; Sales leaves them NULL), per target side the
 * last result / job / error, skipped, updated_at.
 *
 * Every sync_couplings row is moved with its id (keyset cursors and the review's row ids stay valid), in the
 * migration runner's one transaction, and the old table is dropped. The partial indexes of migrations 7 and 8 are
 * kept, translated: failed per target side, skipped, pending (now with the side, so the pending page is ordered by
 * rowid inside the index), idempotency keys (unique per integration).
 */
export default {
  id: 12,
  name: 'kernel_couplings',
  sql: `
CREATE TABLE kernel_couplings (
  id INTEGER PRIMARY KEY,
  integration TEXT NOT NULL CHECK (integration <> ''),
  mapping TEXT NOT NULL CHECK (mapping <> ''),
  a_entity TEXT NOT NULL DEFAULT '',
  b_entity TEXT NOT NULL DEFAULT '',
  a_id TEXT,
  b_id TEXT,
  pending_to TEXT CHECK (pending_to IN ('a', 'b')),
  idempotency_key TEXT,
  a_modified_on INTEGER NOT NULL DEFAULT 0,
  b_modified_on INTEGER NOT NULL DEFAULT 0,
  a_etag TEXT,
  b_etag TEXT,
  result_to_a TEXT NOT NULL DEFAULT '' CHECK (result_to_a IN ('', 'Success', 'Failure')),
  result_to_b TEXT NOT NULL DEFAULT '' CHECK (result_to_b IN ('', 'Success', 'Failure')),
  job_to_a TEXT,
  job_to_b TEXT,
  error_to_a TEXT,
  error_to_b TEXT,
  skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
  updated_at INTEGER NOT NULL,
  CHECK (a_id IS NOT NULL OR b_id IS NOT NULL)
) STRICT;

INSERT INTO kernel_couplings (id, integration, mapping, a_entity, b_entity, a_id, b_id, pending_to, idempotency_key,
  a_modified_on, b_modified_on, result_to_a, result_to_b, job_to_a, job_to_b, error_to_a, error_to_b, skipped, updated_at)
SELECT id, 'sales', CAST(table_id AS TEXT), '', dv_entity, bc_id, dv_id,
  CASE WHEN pending = 0 THEN NULL WHEN bc_id IS NULL THEN 'a' ELSE 'b' END, idempotency_key,
  bc_modified_on, dv_modified_on, result_from, result_to, job_from, job_to, error_from, error_to, skipped, updated_at
FROM sync_couplings ORDER BY id;

DROP TABLE sync_couplings;

CREATE UNIQUE INDEX kernel_couplings_a ON kernel_couplings (integration, mapping, a_id);
CREATE UNIQUE INDEX kernel_couplings_b ON kernel_couplings (integration, mapping, b_id);
CREATE UNIQUE INDEX kernel_couplings_idem ON kernel_couplings (integration, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX kernel_couplings_failed_to_a ON kernel_couplings (integration, mapping) WHERE result_to_a = 'Failure' AND skipped = 0;
CREATE INDEX kernel_couplings_failed_to_b ON kernel_couplings (integration, mapping) WHERE result_to_b = 'Failure' AND skipped = 0;
CREATE INDEX kernel_couplings_skipped ON kernel_couplings (integration, mapping) WHERE skipped = 1;
CREATE INDEX kernel_couplings_pending ON kernel_couplings (integration, mapping, pending_to) WHERE pending_to IS NOT NULL;
`,
};
