/**
 * Pure helpers of the store ⇄ team mapping editor: the draft (stores whose team the user changed), texts of main's
 * codes, and the file of rows an import could not take (so nothing is lost: fix them and import that file).
 */
import type { TFunction } from 'i18next';
import type { MappingImportReport, MappingStore } from '../../../../preload/contract';
import type { ShownError } from '../../../components/ErrorBar';

/** storeNumber → the team the user chose (null: remove the store's mapping). */
export type Draft = Record<string, string | null>;

/** The draft as main takes it: only stores whose chosen team differs from Commerce's. */
export function draftList(draft: Draft, stores: readonly MappingStore[]): { storeNumber: string; teamId: string | null }[] {
  const current = new Map(stores.map((s) => [s.storeNumber, s.teamId]));
  return Object.entries(draft)
    .filter(([storeNumber, teamId]) => current.has(storeNumber) && (current.get(storeNumber) ?? null) !== teamId)
    .map(([storeNumber, teamId]) => ({ storeNumber, teamId }))
    .sort((a, b) => a.storeNumber.localeCompare(b.storeNumber));
}

/** The team a store shows: the draft's choice, else Commerce's. */
export function teamOf(store: MappingStore, draft: Draft): string | null {
  return store.storeNumber in draft ? draft[store.storeNumber]! : store.teamId;
}

/** A code main sent (mapping, hierarchy and console errors), translated with its params; main's English as fallback. */
export function codeText(t: TFunction, code: string, params: Record<string, string | number> = {}, message?: string | null): string {
  return t(code, { ns: 'teamsCodes', ...params, defaultValue: message ?? code });
}

/** An error for ErrorBar: codes of this area translated from its own catalog, the rest from the common one. */
export function shownError(t: TFunction, e: ShownError, has: (key: string) => boolean): ShownError {
  return has(`teamsCodes:${e.code}`) ? { ...e, message: codeText(t, e.code, e.params ?? {}, e.message) } : e;
}

/** The header and the rows an import refused, in the file's separator: fix them and import this file again. */
export function errorRowsCsv(report: MappingImportReport): string {
  const d = report.delimiter;
  const rows = report.lines.filter((l) => l.status === 'error' && l.row > 1).map((l) => l.source);
  return [['SOURCETYPE', 'SOURCEID', 'TEAMID'].join(d), ...rows].join('\r\n') + '\r\n';
}

export const GUID_RE = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
