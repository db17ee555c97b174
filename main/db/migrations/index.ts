import core from './0001_core';
import mappings from './0002_mappings';
import connections from './0003_connections';
import sync from './0004_sync';
import mappingSnapshots from './0005_mapping_snapshots';
import metadataCache from './0006_metadata_cache';
import syncPartialIndexes from './0007_sync_partial_indexes';
import syncPendingIndex from './0008_sync_pending_index';
import syncLeases from './0009_sync_leases';
import commerceTeamsLinks from './0010_commerce_teams_links';
import commerceTeamsRuns from './0011_commerce_teams_runs';
import kernelCouplings from './0012_kernel_couplings';
import commerceTeamsTasks from './0013_commerce_teams_tasks';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/**
 * Every schema change, in order. Migrations are append-only: once released, a migration's SQL is frozen
 * (its checksum is stored in `_migrations` and checked at every start).
 */
export const MIGRATIONS: readonly Migration[] = [core, mappings, connections, sync, mappingSnapshots, metadataCache, syncPartialIndexes, syncPendingIndex, syncLeases, commerceTeamsLinks, commerceTeamsRuns, kernelCouplings, commerceTeamsTasks];
