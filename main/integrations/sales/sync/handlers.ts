import type { HandlersOf } from '../../../rpc/handlers';
import type { syncMethods } from '../../../../preload/contract/sales/sync';
import type { SyncService } from './service';

export type SyncHandlers = HandlersOf<typeof syncMethods>;

/** Binds the sync.* contract to a SyncService. Runs answer with their id; the work continues in the background. */
export function createSyncHandlers(svc: SyncService): SyncHandlers {
  return {
    'sync.status': async () => svc.status(),
    'sync.run': async ({ mapping, full }) => ({ runId: (await svc.run(mapping, full)).runId }),
    'sync.cancel': async ({ runId }) => ({ cancelled: svc.cancel(runId) }),
    'sync.jobs': async ({ mapping, offset, limit }) => svc.jobs(mapping, offset, limit),
    'sync.jobErrors': async ({ jobId, afterNo, limit }) => svc.jobErrors(jobId, afterNo, limit),
    'sync.jobErrorGroups': async ({ jobId }) => svc.jobErrorGroups(jobId),
    'sync.releaseInitialHold': async () => svc.releaseInitialHold(),
    'sync.retryReviewLine': async ({ name }) => svc.retryReviewLine(name),
    'sync.queue': async () => svc.queueList(),
    'sync.queueHold': async ({ name }) => svc.queueSet(name, 'On Hold'),
    'sync.queueResume': async ({ name }) => svc.queueSet(name, 'Ready'),
    'sync.queueRun': async ({ name }) => ({ runId: (await svc.queueRun(name)).runId }),
    'sync.syncRecords': async ({ mapping, ids, direction, create }) => svc.syncRecords(mapping, ids, direction, create),
    'sync.couple': async ({ mapping, bcId, dataverseId, syncNow }) => svc.couple(mapping, bcId, dataverseId, syncNow),
    'sync.uncouple': async ({ mapping, bcIds }) => svc.uncouple(mapping, bcIds),
    'sync.matchCouple': async ({ mapping, bcIds }) => svc.matchCouple(mapping, bcIds),
    'sync.restoreSkipped': async ({ mapping, bcIds, sync }) => svc.restoreSkipped(mapping, bcIds, sync),
    'sync.deleteFailedCouplings': async ({ mapping, jobId }) => svc.deleteFailedCouplings(mapping, jobId),
    'sync.skipped': async ({ mapping, afterRowId, limit }) => svc.skipped(mapping, afterRowId, limit),
    'sync.review': async ({ refresh }) => svc.review(refresh),
    'sync.startReview': async () => ({ runId: (await svc.startReview()).runId }),
  };
}
