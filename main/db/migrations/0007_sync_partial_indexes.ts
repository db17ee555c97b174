/**
 * Coupling indexes only for the rows they are queried for (issue 7, "Fast"). The failed / skipped / idempotency
 * indexes of 0004 held an entry for EVERY coupling, although only failed, skipped or pending-BC-insert rows are ever
 * looked up through them; each coupling insert paid four extra index writes and each successful sync one more
 * (result_to/result_from moved between index keys). As partial indexes they hold just the rows the queries select
 * (CouplingStore.failedPage / skippedPage / countSkipped and the sync service's skipped list, which all carry the
 * same predicates), and the rowid that every index carries keeps the keyset paging (`id > ? ORDER BY id`) on them.
 */
export default {
  id: 7,
  name: 'sync_partial_indexes',
  sql: `
DROP INDEX sync_couplings_idem;
CREATE UNIQUE INDEX sync_couplings_idem ON sync_couplings (idempotency_key) WHERE idempotency_key IS NOT NULL;
DROP INDEX sync_couplings_failed_to;
CREATE INDEX sync_couplings_failed_to ON sync_couplings (table_id) WHERE result_to = 'Failure' AND skipped = 0;
DROP INDEX sync_couplings_failed_from;
CREATE INDEX sync_couplings_failed_from ON sync_couplings (table_id) WHERE result_from = 'Failure' AND skipped = 0;
DROP INDEX sync_couplings_skipped;
CREATE INDEX sync_couplings_skipped ON sync_couplings (table_id) WHERE skipped = 1;
`,
};
