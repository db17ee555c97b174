/**
 * Pending couplings only (issue 17). Every run of a mapping starts by finishing pending creates
 * (SyncEngine.recoverPending: `table_id = ? AND pending = 1 AND bc_id IS [NOT] NULL AND id > ? ORDER BY id`). With no
 * index on `pending` that query walked sync_couplings_bc over every coupling of the table and read each row to test
 * `pending`: a million couplings cost every incremental run a whole-table walk to find none. A partial index holds
 * just the pending rows (usually none), and its rowid keeps the keyset paging.
 */
export default {
  id: 8,
  name: 'sync_pending_index',
  sql: `
CREATE INDEX sync_couplings_pending ON sync_couplings (table_id) WHERE pending = 1;
`,
};
