import type { TFunction } from 'i18next';
import type { SyncCounters, SyncMappingStatus, SyncPassDirection, SyncProgress } from '../../../../preload/contract';

/** The counters the mappings table shows, in BC's order. */
export const SHOWN_COUNTERS = ['inserted', 'modified', 'unchanged', 'failed', 'skipped'] as const;

/** Records handled so far by a pass (what the progress bar counts). */
export const processed = (c: SyncCounters): number => c.inserted + c.modified + c.unchanged + c.failed + c.skipped + c.uncoupled;

/**
 * The bar's value 0..1. The total a pass will select is unknown up front (the sides stream pages), so the bar
 * grows towards the number of records coupled last time, and is indeterminate (undefined) before anything is known.
 */
export function progressValue(p: SyncProgress, couplings: number): number | undefined {
  if (p.done) return 1;
  const n = processed(p.counters);
  if (couplings <= 0 || n === 0) return undefined;
  return Math.min(0.95, n / couplings);
}

/** Which pass a "Retry" of a skipped record should run: the direction that failed, within the mapping's direction. */
export function retryDirection(m: Pick<SyncMappingStatus, 'direction'>, r: { errorTo: string | null; errorFrom: string | null }): SyncPassDirection {
  if (m.direction === 'ToIntegrationTable') return 'to';
  if (m.direction === 'FromIntegrationTable') return 'from';
  return r.errorTo === null && r.errorFrom !== null ? 'from' : 'to';
}

/** Epoch ms → local date and time in the UI language. */
export const when = (ms: number | null, language: string): string => (ms === null ? '' : new Date(ms).toLocaleString(language));

type Translate = TFunction<'sync'>;
type Coded = { code: string; params: Record<string, string | number> } | null;

/**
 * A runtime text from main in the UI language: its code (sync:msg.<code>) with the params, or main's English
 * message when the console has no text for the code (a newer main, an engine text without a code).
 */
export function codeText(ts: Translate, message: string, coded: Coded): string {
  if (!coded) return message;
  return ts(`msg.${coded.code}`, { ...coded.params, defaultValue: message });
}

/** Why a mapping (or a queue entry) cannot run, in the UI language (sync:reason.<code>). */
export function reasonText(ts: Translate, reason: NonNullable<Coded>): string {
  return ts(`reason.${reason.code}`, { ...reason.params, defaultValue: ts('reason.unknown', { code: reason.code }) });
}
