/**
 * Runtime texts of sync as codes with parameters (issue 11): the engine, the rules and the job log write English
 * messages (kept for logs, the CLI and rows written by earlier versions); this module recognises them and answers
 * `{ code, params }` the renderer translates (sync:msg.<code>). A message it does not recognise keeps `null`, and the
 * renderer shows the English text.
 *
 * It also gives the normalised cause of a record error (record ids and numbers stripped) so identical causes can be
 * grouped, and the action that fixes a cause when the message names one ("Synchronize CUSTPRCGRP-PRICE first.").
 */
import type { SyncMessageCode } from '../../../../../preload/contract/sales/sync';
import { SKIPPED_NOTE } from '../coupling/store';

type Params = SyncMessageCode['params'];
const code = (c: string, params: Params = {}): SyncMessageCode => ({ code: c, params });

/** Codes made in main (not parsed from English). */
export const msg = {
  results: (inserted: number, modified: number, failed: number) => code('results', { inserted, modified, failed }),
  coupleResults: (coupled: number, created: number, unmatched: number) => code('coupleResults', { coupled, created, unmatched }),
  countFailed: (detail: string) => code('countFailed', { detail }),
  notRunnable: (reason: SyncMessageCode) => reason,
};

/** English message patterns → code. The first match wins; capture groups become the named params. */
const PATTERNS: { re: RegExp; code: string; names: string[] }[] = [
  { re: /^(\d+) record\(s\) failed: open the job's errors to see why\.$/, code: 'recordsFailed', names: ['count'] },
  { re: /^(\d+) record\(s\) had no unique uncoupled match\.$/, code: 'noUniqueMatchCount', names: ['count'] },
  { re: /^You must specify which fields to use for match-based coupling of (.+?): set "Use For Match-Based Coupling" on at least one field mapping\.$/, code: 'matchFieldsMissing', names: ['mapping'] },
  { re: /^Interrupted: the console stopped during this run\. The next run resumed it\.$/, code: 'interrupted', names: [] },
  { re: /^There are no field mapping rows for the (.+?) table mapping in the (BC → Dataverse|Dataverse → BC) direction\./, code: 'noFieldRows', names: ['mapping', 'direction'] },
  { re: /^A synchronization of (.+?) \((.+?)\) is already running\./, code: 'alreadyRunning', names: ['table', 'mapping'] },
  { re: /^(\d+) inserted, (\d+) modified, (\d+) failed\.$/, code: 'results', names: ['inserted', 'modified', 'failed'] },
  { re: /^(\d+) coupled, (\d+) created, (\d+) without a unique match\.$/, code: 'coupleResults', names: ['coupled', 'created', 'unmatched'] },
  { re: /^There is no unique uncoupled matching (.+?) row for (.+?) [0-9a-fA-F-]{36}\./, code: 'noUniqueMatch', names: ['entity', 'table'] },
  { re: /^(.+?) is not coupled to a Dynamics 365 Sales record\. Synchronize (.+?) first\.$/, code: 'notCoupled', names: ['subject', 'mapping'] },
  { re: /^Currency (.+?) must be coupled to a Dataverse transaction currency\. Run the CURRENCY mapping first\.$/, code: 'currencyNotCoupled', names: ['currency'] },
  { re: /^Salesperson\/Purchaser (.+?) must be coupled to a Dataverse User record\.$/, code: 'salespersonNotCoupled', names: ['code'] },
  { re: /^The price for (.+?) is in currency (\S+) but the Dynamics 365 Sales price list (.+?) is in another currency\./, code: 'priceListCurrency', names: ['asset', 'currency', 'list'] },
  { re: /^The contact (\S+) belongs to (?:Customer|Vendor) (\S+), which is not coupled to a Dataverse account\. Synchronize (CUSTOMER|VENDOR) \(or couple the (?:customer|vendor)\) first\.$/, code: 'contactPartyNotCoupled', names: ['contact', 'party', 'mapping'] },
  { re: /^(.+) (\S+) must be coupled to a Dataverse option value\. Run the (.+?) mapping \(or couple its records\) first\.$/, code: 'optionNotCoupled', names: ['field', 'value', 'mapping'] },
];

/** The engine wraps a field's lookup failure in this; the cause inside is what the user acts on. */
const WRAPPED = 'The data could not be updated because of the following error: ';

/** Every code this module (and the review) answers: the renderer has a text for each (test/renderer/sync-catalogs). */
export const MESSAGE_CODES = [...new Set([...PATTERNS.map((p) => p.code), 'results', 'coupleResults', 'countFailed'])];
/** Why a mapping or a queue entry does not run (sync:reason.<code>): the service's own codes and adapters/connect.ts's. */
export const REASON_CODES = [
  'notCarried', 'noBcTable', 'noDataverseEntity', 'linesRunWithParent',
  'heldForInitialSync', 'mappingMissing', 'featureNotSupported', 'attemptsExhausted', 'queueNotEnabled', 'tableBusy', 'queueNotTicking',
] as const;

const numeric = new Set(['count', 'inserted', 'modified', 'failed', 'coupled', 'created', 'unmatched']);

/** The code of an English runtime text, or null. The "will be skipped" note is left out (the job says it). */
export function messageCode(message: string): SyncMessageCode | null {
  let text = stripSkippedNote(message);
  if (text.startsWith(WRAPPED)) text = text.slice(WRAPPED.length);
  if (!text) return null;
  for (const p of PATTERNS) {
    const m = p.re.exec(text);
    if (!m) continue;
    const params: Params = {};
    p.names.forEach((n, i) => {
      const v = m[i + 1] ?? '';
      params[n] = numeric.has(n) ? Number(v) : v;
    });
    return code(p.code, params);
  }
  return null;
}

export function stripSkippedNote(message: string): string {
  return message.endsWith(SKIPPED_NOTE) ? message.slice(0, -SKIPPED_NOTE.length).trimEnd() : message.trim();
}

const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;

/**
 * The cause of a record error without what is specific to the record: GUIDs always; for messages without a code,
 * also numbers and quoted names (a record's own number), so "Customer 10000 must be coupled … invoice 103001" and
 * "… invoice 103002" are one cause. Coded messages keep their params: "Customer price group DETALJ is not coupled"
 * and "… GROSS …" are two causes with two fixes.
 */
export function causeKey(message: string): string {
  const text = stripSkippedNote(message);
  const c = messageCode(text);
  if (c) return `${c.code}:${JSON.stringify(c.params)}`;
  return text.replace(GUID, '#').replace(/"[^"]*"/g, '"#"').replace(/\b\d[\d.,-]*\b/g, '#');
}

/**
 * The action that fixes a cause, when the message (or the mapping) says which: run a dependency mapping first,
 * couple through the review, or set match fields.
 */
export function fixOf(message: string, known: ReadonlySet<string>, jobMapping: string): { kind: 'run' | 'couple' | 'matchFields'; mapping: string } | null {
  const text = stripSkippedNote(message);
  const c = messageCode(text);
  if (c?.code === 'matchFieldsMissing' || c?.code === 'noUniqueMatch') return { kind: 'matchFields', mapping: c.code === 'matchFieldsMissing' ? String(c.params.mapping) : jobMapping };
  // "Synchronize X first", "Run the X mapping first", "synchronize X, after Y) first", "Couple it (X / Y) first".
  const named = [...text.matchAll(/\b([A-Z][A-Z0-9]*(?:[ -][A-Z0-9]+)*)\b/g)].map((m) => m[1]!).filter((n) => known.has(n) && n !== jobMapping);
  if (named.length === 0) return null;
  const run = /\b(synchroni[sz]e|run)\b/i.test(text);
  const couple = /\bcouple\b/i.test(text);
  if (run) return { kind: 'run', mapping: named[0]! };
  if (couple) return { kind: 'couple', mapping: named[0]! };
  return null;
}
