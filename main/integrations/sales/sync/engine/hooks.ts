/**
 * Domain-rule hooks (reference §E.9, E.11, E.14): what BC's integration subscribers (codeunit 5341 "CRM Int. Table.
 * Subscriber" and friends) do around the generic per-record algorithm — owner from the coupled salesperson,
 * currency by ISO code, unit groups, price lists, document lines and totals. The engine stays generic: a RuleSet
 * gives it, per table mapping, a `MappingRules` object whose hooks run at fixed points of a pass.
 *
 * Order within one batch of a pass:
 *   beforeBatch(rows)            prefetch what `prepare` will need (one query for the whole batch, not one per row)
 *   prepare(ctx, values) per row after field transfer; may add/replace destination values or refuse the record
 *   … bulk write …
 *   afterWrite(records)          follow-up writes that need the destination id (price levels, lines, statistics)
 *
 * Contracts the rules must keep (crash safety, see docs/sync-engine.md):
 * - `prepare` must be deterministic for the same source and coupling state, so a retried batch writes the same.
 * - `afterWrite` must be idempotent (upsert on ids derived from the record, never a blind insert): it is called
 *   again for a record whose follow-up failed before, because that record is then retried first.
 * - A returned message fails the record exactly like a failed write (coupling Failure, job error, skip after the
 *   same message twice).
 */
import type { TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { Coupling, PassDirection } from '../coupling/store';
import type { Row } from '../ports';
import type { JobLog, SyncJob } from '../jobs/log';

export interface RuleContext {
  mapping: TableMapping;
  dir: PassDirection;
  /** The source row as read. */
  source: Row;
  /** The destination row on modify (as read this batch); null on insert. */
  dest: Row | null;
  /** The coupling, when there is one (null for a first insert; pending on a retried create). */
  coupling: Coupling | null;
  /** Forced write (Synchronize Now, full sync, restore). */
  force: boolean;
}

export interface WrittenRecord {
  source: Row;
  /** Id of the destination record (DV primary id lower-case / BC SystemId). */
  destId: string;
  /** 'insert' / 'update': written in this batch; 'retry': nothing to write, but its follow-up failed last time or it was just coupled by an implicit match. */
  kind: 'insert' | 'update' | 'retry';
  /** What was written (after `prepare`); empty for 'retry'. */
  values: Record<string, unknown>;
  /**
   * Set by an afterWrite that wrote the destination record itself again (e.g. a follow-up PATCH): its new
   * modifiedon, so the coupling is stamped with it and the next run does not see our own write as a change.
   * Only raises the stamp of records written in this batch ('insert' / 'update').
   */
  destModifiedOn?: number;
}

export interface MappingRules {
  /** Prefetch for a batch of source rows (e.g. resolve every salesperson code on the page in one query). */
  beforeBatch?(mapping: TableMapping, dir: PassDirection, rows: readonly Row[]): Promise<void>;
  /**
   * Adjust the values about to be written (`values` may be mutated; on modify put only what differs from
   * `ctx.dest`, see `setIfChanged`). Return an error message to fail the record instead, null to go on.
   */
  prepare?(ctx: RuleContext, values: Record<string, unknown>): Promise<string | null> | string | null;
  /** Follow-up work per written record; return failure messages by index into `records`. */
  afterWrite?(mapping: TableMapping, dir: PassDirection, records: readonly WrittenRecord[]): Promise<Map<number, string>>;
  /**
   * A mapping the generic passes cannot select (child line tables without a modification stamp, e.g.
   * POSTEDSALESLINE-INV): the rule runs it instead, as its parent's rule writes it, and logs its own job.
   */
  runInstead?(mapping: TableMapping, run: DelegatedRun): Promise<{ to: SyncJob | null; from: SyncJob | null; changed: boolean }>;
}

/** What a delegated run may use of the engine: its job log, watermarks and forced-run flag. */
export interface DelegatedRun {
  log: JobLog;
  watermarks(mapping: string): { bc: number; dv: number };
  advanceWatermark(mapping: string, side: 'bc' | 'dv', value: number): void;
  /** Full synchronization: everything, not only what changed since the watermark. */
  all: boolean;
}

/** Rules per mapping; null = the generic algorithm only. */
export type RuleSet = (mapping: TableMapping) => MappingRules | null;

/** Combines several rule objects for one mapping, in order (first error wins; afterWrite failures are merged). */
export function combineRules(...parts: (MappingRules | null | undefined)[]): MappingRules | null {
  const rules = parts.filter((r): r is MappingRules => !!r);
  if (rules.length === 0) return null;
  if (rules.length === 1) return rules[0]!;
  return {
    async beforeBatch(m, d, rows) {
      for (const r of rules) await r.beforeBatch?.(m, d, rows);
    },
    async prepare(ctx, values) {
      for (const r of rules) {
        const e = r.prepare ? await r.prepare(ctx, values) : null;
        if (e) return e;
      }
      return null;
    },
    ...(rules.some((r) => r.runInstead) ? { runInstead: rules.find((r) => r.runInstead)!.runInstead } : {}),
    async afterWrite(m, d, records) {
      const out = new Map<number, string>();
      for (const r of rules) {
        if (!r.afterWrite) continue;
        for (const [i, msg] of await r.afterWrite(m, d, records)) if (!out.has(i)) out.set(i, msg);
      }
      return out;
    },
  };
}

/** Puts `value` under `key` unless the destination already holds it (GUIDs compared case-insensitively). */
export function setIfChanged(values: Record<string, unknown>, dest: Row | null, key: string, value: unknown): void {
  if (dest) {
    const cur = dest.values[key];
    const norm = (v: unknown) => (v === undefined || v === '' ? null : typeof v === 'string' ? v.toLowerCase() : v);
    if (norm(cur) === norm(value)) {
      delete values[key];
      return;
    }
  }
  values[key] = value;
}
