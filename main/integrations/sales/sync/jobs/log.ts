/** The kernel's job log bound to Sales' directions (ToIntegrationTable/FromIntegrationTable/Bidirectional) and sides (bc/dataverse). */
import * as kernel from '../../../../kernel/jobs/log';
import type { Direction } from '../../../../../preload/contract/sales/mapping-model';
import type { Side } from '../ports';

export { COUNTERS, zeroCounters, type Counter, type Counters, type JobType } from '../../../../kernel/jobs/log';
export type SyncJob = kernel.SyncJob<Direction>;
export type JobError = kernel.JobError<Side>;
export class JobLog extends kernel.JobLog<Direction, Side> {}
