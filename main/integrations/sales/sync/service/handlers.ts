import type { z } from 'zod';
import type { syncMethods } from '../../../../../preload/contract/sales/sync';
import type { SyncService } from './service';

type M = typeof syncMethods;
/** Typed on the parsed input side, like the other handler maps, so it fits rpc Handlers. */
export type SyncHandlers = { [K in keyof M]: (input: z.output<M[K]['input']>) => Promise<z.output<M[K]['output']>> | z.output<M[K]['output']> };

/** Binds the sync.* contract to a SyncService. Runs answer with their id; the work continues in the background. */
export function createSyncHandlers(svc: SyncService): SyncHandlers {
  return {
    'sync.status': () => svc.status(),
    'sync.run': async ({ mapping, full }) => ({ runId: (await svc.run(mapping, full)).runId }),
    'sync.cancel': ({ runId }) => ({ cancelled: svc.cancel(runId) }),
    'sync.jobs': ({ mapping, offset, limit }) => svc.jobs(mapping, offset, limit),
    'sync.jobErrors': ({ jobId, afterNo, limit }) => svc.jobErrors(jobId, afterNo, limit),
    'sync.jobErrorGroups': ({ jobId }) => svc.jobErrorGroups(jobId),
    'sync.releaseInitialHold': () => svc.releaseInitialHold(),
    'sync.retryReviewLine': ({ name }) => svc.retryReviewLine(name),
    'sync.queue': () => svc.queueList(),
    'sync.queueHold': ({ name }) => svc.queueSet(name, 'On Hold'),
    'sync.queueResume': ({ name }) => svc.queueSet(name, 'Ready'),
    'sync.queueRun': async ({ name }) => ({ runId: (await svc.queueRun(name)).runId }),
    'sync.syncRecords': ({ mapping, ids, direction, create }) => svc.syncRecords(mapping, ids, direction, create),
    'sync.couple': ({ mapping, bcId, dataverseId, syncNow }) => svc.couple(mapping, bcId, dataverseId, syncNow),
    'sync.uncouple': ({ mapping, bcIds }) => svc.uncouple(mapping, bcIds),
    'sync.matchCouple': ({ mapping, bcIds }) => svc.matchCouple(mapping, bcIds),
    'sync.restoreSkipped': ({ mapping, bcIds, sync }) => svc.restoreSkipped(mapping, bcIds, sync),
    'sync.deleteFailedCouplings': ({ mapping, jobId }) => svc.deleteFailedCouplings(mapping, jobId),
    'sync.skipped': ({ mapping, afterRowId, limit }) => svc.skipped(mapping, afterRowId, limit),
    'sync.review': ({ refresh }) => svc.review(refresh),
    'sync.startReview': async () => ({ runId: (await svc.startReview()).runId }),
  };
}
