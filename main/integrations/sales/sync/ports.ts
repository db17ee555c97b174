/**
 * Side ports: what the sync engine needs from Business Central and from Dataverse. The HTTP adapters (BC API /
 * Dataverse Web API) implement these; tests use in-memory fakes. Everything is paged or chunked: the engine
 * never asks a side for a whole table.
 */
import type { BcFilter, DvFilter } from '../../../../preload/contract/sales/mapping-model';

export type Side = 'bc' | 'dataverse';

/** One record as the engine sees it. `id` is the BC SystemId or the Dataverse primary id (lower-case GUID). */
export interface Row {
  id: string;
  /** BC SystemModifiedAt / DV modifiedon, epoch ms UTC. */
  modifiedOn: number;
  /** DV `_modifiedby_value` (systemuserid); unused on BC. */
  modifiedBy?: string | null;
  /** Field values keyed by BC field name / DV attribute logical name. */
  values: Record<string, unknown>;
}

export interface QueryModified {
  /** Mapping's Table Filter (BC) or Integration Table Filter (DV). The engine re-checks it locally, so an
   *  adapter may push down what its API supports and ignore the rest. */
  filter: BcFilter | DvFilter;
  /** Rows with modifiedOn strictly greater; null = no watermark (everything matching the filter). */
  since: number | null;
  /** Echo suppression (E.6): leave out rows last modified by this user. */
  excludeModifiedBy?: string | null;
  pageSize: number;
}

export type WriteOp =
  | { kind: 'insert'; id: string | null; values: Record<string, unknown>; idempotencyKey: string; validate: string[]; template: string | null }
  | { kind: 'update'; id: string; values: Record<string, unknown>; etag?: string; validate: string[] }
  | { kind: 'delete'; id: string; etag?: string };

/** Per-op outcome. `transient` errors (throttling, timeouts) are retried by the engine; others fail the record. */
export type WriteResult =
  | { ok: true; id: string; modifiedOn: number }
  | { ok: false; error: string; transient?: boolean };

/** Match-based coupling (E.8): one field condition of the current priority. */
export interface MatchCondition {
  field: string;
  value: unknown;
  caseSensitive: boolean;
}

export interface SidePort {
  readonly side: Side;
  /** Paged selection; each yielded page holds at most `pageSize` rows. */
  queryModified(entity: string, q: QueryModified): AsyncIterable<Row[]>;
  /** Rows by id; the engine calls it with at most 400 ids (BC's OR-chunk size). Missing ids are simply absent. */
  getByIds(entity: string, ids: readonly string[]): Promise<Row[]>;
  /**
   * Bulk write, in op order, one result per op. Inserts with `id` set must use that id (Dataverse lets the
   * caller choose the primary key); inserts with `id: null` (BC) must check `idempotencyKey` first and return the
   * record created earlier under the same key instead of inserting twice.
   */
  write(entity: string, ops: readonly WriteOp[]): Promise<WriteResult[]>;
  /** Which of `ids` still exist (≤ 400 ids per call). */
  exists(entity: string, ids: readonly string[]): Promise<Set<string>>;
  /** Up to `limit` rows matching all conditions within `filter` (match-based coupling). */
  findMatches(entity: string, conditions: readonly MatchCondition[], filter: BcFilter | DvFilter, limit: number): Promise<Row[]>;
  /** Cheap "anything modified after `since`?" probe used by the job queue to wake up (E.10). */
  hasChangesSince(entity: string, filter: BcFilter | DvFilter, since: number | null): Promise<boolean>;
  /** The side's clock (ms). Used to cap watermarks at job start. */
  now(): Promise<number>;
}

/** Thrown by adapters for whole-call failures; `transient` ones are retried with backoff. */
export class SideError extends Error {
  constructor(message: string, readonly transient: boolean) {
    super(message);
    this.name = 'SideError';
  }
}

export interface SyncSides {
  bc: SidePort;
  dataverse: SidePort;
}
