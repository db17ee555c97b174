/**
 * What the task console needs from the bridge's engines (publish, sync, report), as ports: the console service
 * depends on these shapes only; ./engines.ts binds them to the engines in ../ (publish.ts, sync.ts, report.ts).
 * An engine a build does not carry is simply absent: the service answers TASKS_ENGINE_UNAVAILABLE and the pages
 * say so.
 */
import type { TaskReport, TasksConflict, TasksPreview, TasksPublishInput, TasksPublishOutcome, TasksSyncOutcome, TasksXlsxLabels } from '../../../../../preload/contract/commerce-teams/tasks-methods';
import type { CommerceClient } from '../../../../clients/commerce';
import type { GraphClient } from '../../../../clients/graph';
import type { Db } from '../../../../db/database';
import type { Clock, Logger } from '../../../../ports';

export interface TaskProgress {
  phase: 'reading' | 'planning' | 'writing';
  done: number;
  total: number;
}

/** What every engine call gets: the clients over the Teams configuration's profiles and the console DB. */
export interface TaskEngineContext {
  commerce: CommerceClient;
  graph: GraphClient;
  db: Db;
  clock: Clock;
  logger?: Logger;
  signal?: AbortSignal;
  onProgress?: (p: TaskProgress) => void;
}

export interface PublishPort {
  preview(ctx: TaskEngineContext, input: TasksPublishInput): Promise<TasksPreview>;
  publish(ctx: TaskEngineContext, input: TasksPublishInput): Promise<TasksPublishOutcome>;
}

export interface SyncPort {
  sync(ctx: TaskEngineContext): Promise<Omit<TasksSyncOutcome, 'at'>>;
  /** Keep one side's value of an open conflict (written to the other side now); false when it is not open. */
  resolve(ctx: TaskEngineContext, conflictId: number, keep: 'commerce' | 'planner'): Promise<boolean>;
  /** The open conflicts, both values (the console DB only). */
  conflicts(db: Db): TasksConflict[];
}

export interface ReportPort {
  report(ctx: TaskEngineContext, input: { taskListId?: string; store?: string }): Promise<TaskReport>;
  /** The report as an XLSX workbook. */
  xlsx(ctx: TaskEngineContext, input: { taskListId?: string; labels?: TasksXlsxLabels }): Promise<Uint8Array>;
}

export interface TaskEngines {
  publish?: PublishPort;
  sync?: SyncPort;
  report?: ReportPort;
}
