/**
 * XLSX workbook a consultant can annotate: an Overview sheet (one row per table mapping, with its review columns)
 * and one sheet per table mapping (one row per field mapping, with review-status and comment columns). A very hidden
 * "_baseline" sheet keeps the exported set as JSON, so importing the edited workbook yields the proposed changes and
 * comments as a reviewable ChangeSet against exactly what was sent out.
 */
import ExcelJS from 'exceljs';
import { diffSets } from './diff';
import { COMPANY_PLACEHOLDER, FilterSyntaxError, parseBcFilterText, parseODataFilter, renderBcFilterText, renderODataFilter } from './filters';
import { MappingImportError, exportJson, importJson } from './exchange-json';
import { ProblemList, checkWorkbookLimits, describeError } from './exchange-limits';
import type { ChangeSet, FieldMapping, MappingSet, Review, TableMapping } from '../../../../preload/contract/sales/mapping-model';
import {
  DIRECTIONS, DeletionConflictResolution, FieldMapping as FieldMappingSchema, MappingOptions, OptionCoupling, REVIEW_STATUSES, SCHEMA_VERSION,
  TableMapping as TableMappingSchema, UpdateConflictResolution, fieldKey,
} from '../../../../preload/contract/sales/mapping-model';
import { z } from 'zod';
import type { MappingTextLanguage, MappingTexts } from '../../../../preload/contract/sales/mapping-texts';
import { MAPPING_TEXTS, MAPPING_TEXT_LANGUAGES, findingText, interpolate } from '../../../../preload/contract/sales/mapping-texts';
import { fieldsNotCarried } from '../sync/adapters/carried';

const OVERVIEW = 'Overview';
const BASELINE = '_baseline';
const HEADER_ROW = 5;
/** Excel's cell limit is 32,767 characters; the baseline JSON is chunked below it. */
const CHUNK = 30_000;

type Cell = string | number | null;
type Texts = MappingTexts;
interface Column<T> {
  /** Legacy English header (workbooks exported before the workbook spoke the reviewer's language). */
  header: string;
  /** Model property: the header is `prop.<prop>` in the workbook's language. */
  prop: string;
  width: number;
  get: (x: T, t: Texts) => Cell;
  /** Sets the parsed value; throws Error with a message for the consultant. */
  set?: (x: Record<string, unknown>, raw: string) => void;
  /** Values offered in the cell's drop-down, in the workbook's language. */
  list?: (t: Texts) => readonly string[];
}

const ALL_TEXTS = MAPPING_TEXT_LANGUAGES.map((l) => MAPPING_TEXTS[l]);
/** Every spelling a header may have: the legacy English one and the caption in each of the four languages. */
const headerNames = (c: { header: string; prop: string }) =>
  [c.header, ...ALL_TEXTS.map((t) => (t.prop as Record<string, string>)[c.prop] ?? c.header)].map((h) => h.trim().toLowerCase());

const yesNo = (b: boolean, t: Texts) => (b ? t.xlsx.yes : t.xlsx.no);
const YES = new Set(['yes', 'true', '1', 'y', ...ALL_TEXTS.map((t) => t.xlsx.yes.toLowerCase())]);
const NO = new Set(['no', 'false', '0', 'n', '', ...ALL_TEXTS.map((t) => t.xlsx.no.toLowerCase())]);
function parseYesNo(raw: string): boolean {
  const l = raw.trim().toLowerCase();
  if (YES.has(l)) return true;
  if (NO.has(l)) return false;
  throw new Error(`"${raw}" is not Yes or No`);
}
/**
 * A value given by its name or by its caption in any of the four languages (directions: "To Dataverse",
 * "Til Dataverse"…; review statuses: "Godkjent"…).
 */
function oneOf<T extends string>(values: readonly T[], raw: string, what: string, captions?: (t: Texts) => Record<string, string>): T {
  const l = raw.trim().toLowerCase();
  const hit = values.find((v) => v.toLowerCase() === l || (captions !== undefined && ALL_TEXTS.some((t) => captions(t)[v]?.toLowerCase() === l)));
  if (!hit) throw new Error(`"${raw}" is not a valid ${what} (${values.join(', ')})`);
  return hit;
}
const directionCaptions = (t: Texts) => t.direction as Record<string, string>;
const statusCaptions = (t: Texts) => t.status as Record<string, string>;
const nullable = (raw: string) => (raw === '' ? null : raw);
function int(raw: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(raw)) throw new Error(`"${raw}" is not a whole number (${what})`);
  return Number(raw);
}

const str = <T>(header: string, width: number, key: keyof T & string, opts: { nullable?: boolean } = {}): Column<T> => ({
  header, prop: key, width,
  get: (x) => (x[key] as string | null) ?? null,
  set: (o, raw) => { o[key] = opts.nullable ? nullable(raw) : raw; },
});
const bool = <T>(header: string, key: keyof T & string): Column<T> => ({
  header, prop: key, width: 10, list: (t) => [t.xlsx.yes, t.xlsx.no], get: (x, t) => yesNo(x[key] as boolean, t), set: (o, raw) => { o[key] = parseYesNo(raw); },
});
const choice = <T>(header: string, width: number, key: keyof T & string, values: readonly string[], opts: { nullable?: boolean; captions?: (t: Texts) => Record<string, string> } = {}): Column<T> => ({
  header, prop: key, width,
  list: (t) => values.map((v) => opts.captions?.(t)[v] ?? v),
  get: (x, t) => { const v = (x[key] as string | null) ?? null; return v === null ? null : (opts.captions?.(t)[v] ?? v); },
  set: (o, raw) => { o[key] = opts.nullable && raw === '' ? null : oneOf(values, raw, header, opts.captions); },
});

const TABLE_COLUMNS: Column<TableMapping>[] = [
  str('Mapping', 22, 'name'),
  str('BC table', 24, 'bcTable'),
  { header: 'BC table ID', prop: 'bcTableId', width: 10, get: (m) => m.bcTableId, set: (o, raw) => { o.bcTableId = int(raw, 'BC table ID'); } },
  str('Dataverse table', 20, 'dataverseEntity'),
  str('Entity set', 20, 'dataverseEntitySet'),
  choice('Direction', 20, 'direction', DIRECTIONS, { captions: directionCaptions }),
  { header: 'Table filter (BC)', prop: 'tableFilter', width: 40, get: (m) => renderBcFilterText(m.tableFilter), set: (o, raw) => { o.tableFilter = parseBcFilterText(raw); } },
  {
    // The company clause is shown with a placeholder id so the consultant sees it and it survives the round trip.
    header: 'Integration table filter (OData)', prop: 'integrationTableFilter', width: 50,
    get: (m) => renderODataFilter(m.integrationTableFilter, { companyId: COMPANY_PLACEHOLDER }),
    set: (o, raw) => { o.integrationTableFilter = parseODataFilter(raw); },
  },
  bool('Synch. only coupled records', 'synchOnlyCoupled'),
  { header: 'Dependency filter', prop: 'dependencyFilter', width: 40, get: (m) => m.dependencyFilter.join('|'), set: (o, raw) => { o.dependencyFilter = raw.trim() === '' ? [] : raw.split('|').map((s) => s.trim()); } },
  choice('Update conflicts', 24, 'updateConflictResolution', UpdateConflictResolution.options),
  choice('Deletion conflicts', 18, 'deletionConflictResolution', DeletionConflictResolution.options),
  str('Config template (BC)', 12, 'tableConfigTemplateCode', { nullable: true }),
  str('Config template (Dataverse)', 12, 'integrationTableConfigTemplateCode', { nullable: true }),
  str('Integration UID field', 20, 'integrationUidField'),
  str('Modified-on field', 14, 'integrationModifiedOnField', { nullable: true }),
  bool('Option mapping', 'isOptionMapping'),
  str('Caption prefix', 14, 'intTblCaptionPrefix'),
  bool('Synch. after bulk coupling', 'synchAfterBulkCoupling'),
  bool('Create new in case of no match', 'createNewInCaseOfNoMatch'),
  choice('Coupling codeunit', 20, 'couplingCodeunit', ['CDS Int. Table Couple', 'CDS Int. Option Couple'], { nullable: true }),
  choice('Uncouple codeunit', 20, 'uncoupleCodeunit', ['CDS Int. Table Uncouple'], { nullable: true }),
  bool('Disable event job resch.', 'disableEventJobResch'),
  bool('Multi-company synch.', 'multiCompanySynchEnabled'),
  bool('Delete after synchronization', 'deleteAfterSynchronization'),
  str('Parent name', 12, 'parentName', { nullable: true }),
  bool('User defined', 'userDefined'),
  choice('Created by', 12, 'createdBy', ['Dataverse', 'Sales', 'User']),
  {
    header: 'Option couplings (JSON)', prop: 'optionCouplings', width: 30, get: (m) => JSON.stringify(m.optionCouplings),
    set: (o, raw) => { o.optionCouplings = z.array(OptionCoupling).parse(raw.trim() === '' ? [] : JSON.parse(raw)); },
  },
];

const FIELD_COLUMNS: Column<FieldMapping>[] = [
  str('BC field', 28, 'bcField', { nullable: true }),
  str('Dataverse field', 28, 'dataverseField', { nullable: true }),
  choice('Direction', 20, 'direction', DIRECTIONS, { captions: directionCaptions }),
  str('Constant', 14, 'constant', { nullable: true }),
  bool('Validate field', 'validateField'),
  bool('Validate integration field', 'validateIntegrationField'),
  bool('Clear value on failed sync', 'clearValueOnFailedSync'),
  choice('Status', 12, 'status', ['Enabled', 'Disabled'], { captions: (t) => t.fieldStatus }),
  bool('Not null', 'notNull'),
  str('Transformation rule', 14, 'transformationRule', { nullable: true }),
  choice('Transformation direction', 20, 'transformationDirection', ['ToIntegrationTable', 'FromIntegrationTable'], { nullable: true, captions: directionCaptions }),
  bool('Match-based coupling', 'useForMatchBasedCoupling'),
  bool('Case-sensitive matching', 'caseSensitiveMatching'),
  { header: 'Match priority', prop: 'matchPriority', width: 8, get: (f) => f.matchPriority, set: (o, raw) => { o.matchPriority = int(raw, 'Match priority'); } },
  bool('User defined', 'userDefined'),
];
/** Review columns: legacy English header and the xlsx.* caption key. */
const REVIEW_COLUMNS = [
  { header: 'Review status', key: 'reviewStatus' }, { header: 'Reviewer', key: 'reviewer' }, { header: 'Comment', key: 'comment' }, { header: 'Reviewed at', key: 'reviewedAt' },
] as const;
const reviewHeaders = (t: Texts) => REVIEW_COLUMNS.map((c) => t.xlsx[c.key]);
const reviewHeaderNames = (c: (typeof REVIEW_COLUMNS)[number]) => [c.header, ...ALL_TEXTS.map((t) => t.xlsx[c.key])].map((h) => h.trim().toLowerCase());
/** The Overview sheet's name in each language (import finds it under any of them). */
const OVERVIEW_NAMES = [OVERVIEW, ...ALL_TEXTS.map((t) => t.xlsx.overview)];

/** Excel sheet names: ≤ 31 chars, none of \ / ? * [ ] :, unique case-insensitively. */
function sheetNames(mappings: readonly TableMapping[]): string[] {
  const used = new Set([...OVERVIEW_NAMES.map((n) => n.toLowerCase()), BASELINE.toLowerCase(), NOT_CARRIED_SHEET.toLowerCase()]);
  return mappings.map((m) => {
    const base = m.name.replace(/[\\/?*[\]:]/g, '-').slice(0, 28);
    let name = base;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base}~${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}

function reviewCells(r: Review | undefined, t: Texts): Cell[] {
  return r ? [statusCaptions(t)[r.status] ?? r.status, r.reviewer, r.comment, r.at] : ['', '', '', ''];
}

function styleHeader(row: ExcelJS.Row) {
  row.font = { bold: true };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE7F3' } };
}

function addLists<T>(ws: ExcelJS.Worksheet, columns: Column<T>[], offset: number, firstRow: number, lastRow: number, t: Texts) {
  if (lastRow < firstRow) return;
  const all: { col: number; list: readonly string[] }[] = columns.flatMap((c, i) => (c.list ? [{ col: i + 1 + offset, list: c.list(t) }] : []));
  all.push({ col: columns.length + 1 + offset, list: REVIEW_STATUSES.map((x) => statusCaptions(t)[x] ?? x) });
  for (const { col, list } of all) {
    const letter = ws.getColumn(col).letter;
    // Excel validation lists are a comma-separated formula; values here contain no comma or quote.
    const formula = `"${list.join(',')}"`;
    if (formula.length > 255) continue;
    for (let r = firstRow; r <= lastRow; r++) {
      ws.getCell(`${letter}${r}`).dataValidation = { type: 'list', allowBlank: true, formulae: [formula], showErrorMessage: true, errorTitle: t.xlsx.invalidTitle, error: interpolate(t.xlsx.invalidText, { values: list.join(', ') }) };
    }
  }
}

/** Why the console does not carry a field (sync/adapters/carried.ts), in the review's words. */
const NOT_CARRIED_TEXT = {
  needsCompanion: 'needs the companion extension',
  notInStandardApi: "not in BC's standard API",
  notSupported: 'not supported by the console yet',
} as const;
export const NOT_CARRIED_SHEET = 'Not carried';

/**
 * Review sheet (issue 18): every field mapping the console does not carry, with and without the Business Central
 * companion extension, and why. Information only: import reads the sheets the overview lists, not this one.
 */
function notCarriedSheet(wb: ExcelJS.Workbook, mappings: readonly TableMapping[]) {
  const ws = wb.addWorksheet(NOT_CARRIED_SHEET, { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.getCell('A1').value = 'Field mappings the console does not carry: with the Integration Console companion extension installed in Business Central, and without it (bc-extension/README.md).';
  ws.getRow(2).values = ['Mapping', 'BC field', 'Dataverse field', 'With the companion extension', 'Without it'];
  styleHeader(ws.getRow(2));
  [22, 28, 32, 34, 34].forEach((w, i) => { ws.getColumn(i + 1).width = w; });
  let r = 3;
  for (const m of mappings) {
    const key = (f: { bcField: string | null; dataverseField: string | null }) => `${f.bcField}\u0000${f.dataverseField}`;
    const withExt = new Map(fieldsNotCarried(m, { companionExtension: true, withRules: true }).map((x) => [key(x), x.reason]));
    const without = new Map(fieldsNotCarried(m, { companionExtension: false, withRules: true }).map((x) => [key(x), x.reason]));
    for (const f of m.fields) {
      const a = withExt.get(key(f));
      const b = without.get(key(f));
      if (!a && !b) continue;
      ws.getRow(r++).values = [m.name, f.bcField ?? '', f.dataverseField ?? '', a ? NOT_CARRIED_TEXT[a] : 'carried', b ? NOT_CARRIED_TEXT[b] : 'carried'];
    }
  }
}

export interface XlsxExportOptions {
  /** The reviewer's language: headers, captions (directions, Yes/No, review statuses) and findings. Default English. */
  language?: MappingTextLanguage;
  /** Validation findings to list (read only; import ignores the column). */
  findings?: readonly { mapping: string; field: string | null; key: string; params: Record<string, string | number>; message: string; fix: string; severity: string }[];
}

export async function exportXlsx(set: MappingSet, opts: XlsxExportOptions = {}): Promise<Buffer> {
  const lang = opts.language ?? 'en';
  const t = MAPPING_TEXTS[lang];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Integration Console';
  const names = sheetNames(set.mappings);
  const review = (mapping: string, field: string | null) => set.reviews.find((r) => r.mapping === mapping && r.field === field);
  const header = (c: { header: string; prop: string }) => (t.prop as Record<string, string>)[c.prop] ?? c.header;
  const findingsOf = (mapping: string, field: string | null) => (opts.findings ?? [])
    .filter((f) => f.mapping === mapping && (field === null ? true : f.field === field) && f.severity !== 'info')
    .map((f) => { const x = findingText(lang, f); return `${field === null && f.field ? `${f.field}: ` : ''}${x.message} ${x.fix}`; })
    .join('\n');

  const ov = wb.addWorksheet(t.xlsx.overview, { views: [{ state: 'frozen', ySplit: HEADER_ROW, xSplit: 1 }] });
  ov.getCell('A1').value = t.xlsx.setName;
  ov.getCell('B1').value = set.name;
  ov.getCell('A2').value = t.xlsx.options;
  ov.getCell('B2').value = JSON.stringify(set.options);
  ov.getCell('A3').value = t.xlsx.format;
  ov.getCell('B3').value = `mapping-set.v${SCHEMA_VERSION}`;
  ov.getCell('C3').value = t.xlsx.language;
  ov.getCell('D3').value = lang;
  ov.getCell('A4').value = t.xlsx.instructions;
  ov.getRow(1).font = { bold: true };
  const ovHeaders = [t.xlsx.sheet, ...TABLE_COLUMNS.map(header), ...reviewHeaders(t), t.xlsx.findings];
  ov.getRow(HEADER_ROW).values = ovHeaders;
  styleHeader(ov.getRow(HEADER_ROW));
  ovHeaders.forEach((_, i) => { ov.getColumn(i + 1).width = i === 0 ? 20 : i === ovHeaders.length - 1 ? 60 : (TABLE_COLUMNS[i - 1]?.width ?? 24); });
  set.mappings.forEach((m, i) => {
    ov.getRow(HEADER_ROW + 1 + i).values = [names[i]!, ...TABLE_COLUMNS.map((c) => c.get(m, t)), ...reviewCells(review(m.name, null), t), findingsOf(m.name, null)];
    ov.getCell(HEADER_ROW + 1 + i, 1).value = { text: names[i]!, hyperlink: `#'${names[i]!}'!A1` };
  });
  addLists(ov, TABLE_COLUMNS, 1, HEADER_ROW + 1, HEADER_ROW + set.mappings.length, t);

  set.mappings.forEach((m, i) => {
    const ws = wb.addWorksheet(names[i]!, { views: [{ state: 'frozen', ySplit: 3 }] });
    ws.getCell('A1').value = t.xlsx.mapping;
    ws.getCell('B1').value = m.name;
    ws.getCell('C1').value = `${(t.bcTableCaption as Record<string, string>)[String(m.bcTableId)] ?? m.bcTable} (${m.bcTableId}) ⇄ ${m.dataverseEntity}, ${directionCaptions(t)[m.direction] ?? m.direction}`;
    ws.getRow(1).font = { bold: true };
    ws.getRow(3).values = [...FIELD_COLUMNS.map(header), ...reviewHeaders(t), t.xlsx.findings];
    styleHeader(ws.getRow(3));
    [...FIELD_COLUMNS.map((c) => c.width), 16, 16, 40, 24, 60].forEach((w, ci) => { ws.getColumn(ci + 1).width = w; });
    m.fields.forEach((f, fi) => {
      ws.getRow(4 + fi).values = [...FIELD_COLUMNS.map((c) => c.get(f, t)), ...reviewCells(review(m.name, fieldKey(f)), t), findingsOf(m.name, fieldKey(f))];
    });
    addLists(ws, FIELD_COLUMNS, 0, 4, 3 + m.fields.length, t);
  });

  notCarriedSheet(wb, set.mappings);

  const base = wb.addWorksheet(BASELINE, { state: 'veryHidden' });
  const json = exportJson(set);
  for (let i = 0, r = 1; i < json.length; i += CHUNK, r++) base.getCell(r, 1).value = json.slice(i, i + CHUNK);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Text of a cell whatever exceljs made of it (rich text, hyperlink, number, date, formula result). */
function cellTextOf(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('formula' in v || 'sharedFormula' in v) {
      const result = (v as { result?: unknown }).result;
      if (result instanceof Date) return result.toISOString();
      if (typeof result === 'string' || typeof result === 'number' || typeof result === 'boolean') return String(result);
      if (result && typeof result === 'object' && 'error' in result) throw new CellProblem(cell, `the formula =${formulaOf(v)} gives the error ${String((result as { error: unknown }).error)}; type the value instead`);
      throw new CellProblem(cell, `the formula =${formulaOf(v)} has no saved result; type the value instead of a formula (or open the workbook in Excel and save it again)`);
    }
    if ('result' in v && v.result !== undefined && v.result !== null) return typeof v.result === 'object' ? '' : String(v.result);
    if ('error' in v) throw new CellProblem(cell, `the cell holds the error ${String((v as { error: unknown }).error)}; type the value instead`);
  }
  throw new CellProblem(cell, 'the cell holds a value that is not text or a number; type the value instead');
}

const formulaOf = (v: object) => String((v as { formula?: unknown; sharedFormula?: unknown }).formula ?? (v as { sharedFormula?: unknown }).sharedFormula ?? '').slice(0, 80);

/** A cell the import cannot read as text (a formula without a saved result, an error value): reported with its address. */
class CellProblem extends Error {
  constructor(cell: ExcelJS.Cell, what: string) {
    super(`${cell.worksheet?.name ?? '?'}!${cell.address}: ${what}`);
  }
}

/** The column of a header in any of its spellings (legacy English, or a caption in one of the four languages). */
function colOf(cols: Map<string, number>, c: { header: string; prop: string }): number | undefined {
  return headerNames(c).map((h) => cols.get(h)).find((x) => x !== undefined);
}

export interface XlsxImport {
  /** The set as the workbook now describes it (edits and annotations included). */
  set: MappingSet;
  /** What was exported, when the workbook still has its baseline sheet. */
  baseline: MappingSet | null;
  /** Proposed changes and comments relative to the baseline (empty when there is no baseline). */
  changeSet: ChangeSet;
}

export async function importXlsx(data: Buffer | ArrayBuffer | Uint8Array, opts: { source?: string; now?: Date } = {}): Promise<XlsxImport> {
  // Size, sheets, rows, cells and texts are checked before exceljs builds its object model (memory stays bounded).
  checkWorkbookLimits(data);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as ArrayBuffer);
  } catch (x) {
    throw new MappingImportError(`The file is not an XLSX workbook (${(x as Error).message}). Save it as .xlsx and try again.`);
  }
  const errors: string[] = new ProblemList();
  const at = (opts.now ?? new Date()).toISOString();
  const cellText = (cell: ExcelJS.Cell): string => {
    try {
      return cellTextOf(cell);
    } catch (x) {
      if (!(x instanceof CellProblem)) throw x;
      errors.push(`${x.message}.`);
      return '';
    }
  };
  const ov = OVERVIEW_NAMES.map((n) => wb.getWorksheet(n)).find((w) => w !== undefined);
  if (!ov) throw new MappingImportError(`The workbook has no "${OVERVIEW}" sheet; import a workbook exported by "d365ic mappings export --format xlsx".`);

  let baseline: MappingSet | null = null;
  const base = wb.getWorksheet(BASELINE);
  if (base) {
    let json = '';
    for (let r = 1; r <= base.rowCount; r++) json += cellText(base.getCell(r, 1));
    if (json) baseline = importJson(json);
  }

  const name = cellText(ov.getCell('B1')) || baseline?.name || 'Imported mapping set';
  let options: MappingOptions | null = null;
  try {
    const raw = cellText(ov.getCell('B2'));
    options = raw ? MappingOptions.nullable().parse(JSON.parse(raw)) : null;
  } catch (x) {
    errors.push(`Overview!B2: the options are not valid (${describeError(x)}).`);
  }

  const headerIndex = (ws: ExcelJS.Worksheet, row: number) => {
    const map = new Map<string, number>();
    ws.getRow(row).eachCell((c, col) => map.set(cellText(c).trim().toLowerCase(), col));
    return map;
  };
  const readReview = (ws: ExcelJS.Worksheet, row: number, cols: Map<string, number>, mapping: string, field: string | null): Review | null => {
    const [status, reviewer, comment, when] = REVIEW_COLUMNS.map((rc) => {
      const c = reviewHeaderNames(rc).map((h) => cols.get(h)).find((x) => x !== undefined);
      return c ? cellText(ws.getCell(row, c)) : '';
    }) as [string, string, string, string];
    if (!status && !reviewer && !comment && !when) return null;
    try {
      return {
        mapping, field, reviewer, comment,
        status: status ? oneOf(REVIEW_STATUSES, status, 'review status', statusCaptions) : 'Pending',
        at: when ? new Date(when).toISOString() : at,
      };
    } catch (x) {
      errors.push(`${ws.name}!row ${row}: ${(x as Error).message}.`);
      return null;
    }
  };
  const readRow = <T>(ws: ExcelJS.Worksheet, row: number, cols: Map<string, number>, columns: Column<T>[], target: Record<string, unknown>) => {
    for (const c of columns) {
      const col = colOf(cols, c);
      if (!col) {
        errors.push(`${ws.name}: column "${c.header}" is missing; do not delete or rename columns.`);
        continue;
      }
      try {
        c.set!(target, cellText(ws.getCell(row, col)));
      } catch (x) {
        const msg = x instanceof FilterSyntaxError ? x.message.split('\n')[0] : describeError(x);
        errors.push(`${ws.name}!${ws.getColumn(col).letter}${row} (${c.header}): ${msg}.`);
      }
    }
  };

  const mappings: TableMapping[] = [];
  const reviews: Review[] = [];
  const ovCols = headerIndex(ov, HEADER_ROW);
  // A cleared or damaged header row would read every row as empty and propose deleting everything: refuse instead.
  const ovMissing = TABLE_COLUMNS.filter((c) => !colOf(ovCols, c)).map((c) => c.header);
  if (ovMissing.length) {
    throw new MappingImportError(`${ov.name} row ${HEADER_ROW}: the header row is missing the column(s) ${ovMissing.map((h) => `"${h}"`).join(', ')}; restore the header row (do not delete or rename columns) and import again. Nothing was imported.`);
  }
  const notMappingSheets = new Set([...OVERVIEW_NAMES, BASELINE, NOT_CARRIED_SHEET].map((n) => n.toLowerCase()));
  for (let r = HEADER_ROW + 1; r <= ov.rowCount; r++) {
    const sheetName = cellText(ov.getCell(r, 1)).trim();
    const mappingName = cellText(ov.getCell(r, colOf(ovCols, TABLE_COLUMNS[0]!) ?? 2)).trim();
    if (!sheetName && !mappingName) continue;
    const raw: Record<string, unknown> = {};
    readRow(ov, r, ovCols, TABLE_COLUMNS, raw);
    const ws = wb.getWorksheet(sheetName);
    const fields: FieldMapping[] = [];
    if (!ws) errors.push(`Overview row ${r}: sheet "${sheetName}" for mapping ${mappingName} is missing.`);
    else {
      const cols = headerIndex(ws, 3);
      if (notMappingSheets.has(ws.name.toLowerCase())) {
        errors.push(`Overview row ${r}: mapping ${mappingName} points at the sheet "${ws.name}", which is not a mapping sheet; put the name of its own sheet in the first column.`);
        continue;
      }
      const missing = FIELD_COLUMNS.filter((c) => !colOf(cols, c)).map((c) => c.header);
      if (missing.length) {
        errors.push(`${ws.name} row 3: the header row is missing the column(s) ${missing.map((h) => `"${h}"`).join(', ')}; restore it (do not delete or rename columns). Mapping ${mappingName} was not read.`);
        continue;
      }
      for (let fr = 4; fr <= ws.rowCount; fr++) {
        const rowEmpty = FIELD_COLUMNS.every((c) => { const col = colOf(cols, c); return !col || cellText(ws.getCell(fr, col)) === ''; });
        if (rowEmpty) continue;
        const f: Record<string, unknown> = {};
        readRow(ws, fr, cols, FIELD_COLUMNS, f);
        const parsed = FieldMappingSchema.safeParse(f);
        if (!parsed.success) {
          errors.push(`${ws.name} row ${fr}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
          continue;
        }
        fields.push(parsed.data);
        const rv = readReview(ws, fr, cols, mappingName, fieldKey(parsed.data));
        if (rv) reviews.push(rv);
      }
    }
    const parsed = TableMappingSchema.safeParse({ ...raw, fields });
    if (!parsed.success) {
      errors.push(`Overview row ${r} (${mappingName}): ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
      continue;
    }
    mappings.push(parsed.data);
    const rv = readReview(ov, r, ovCols, parsed.data.name, null);
    if (rv) reviews.unshift(rv);
  }
  if (errors.length) throw new MappingImportError(`The workbook has ${errors.length} problem(s); fix them and import again:\n${errors.slice(0, 20).map((e) => `  - ${e}`).join('\n')}`);
  // Table reviews first in mapping order, then field reviews in sheet order: canonical order for a stable round trip.
  const order = new Map(mappings.map((m, i) => [m.name, i]));
  reviews.sort((a, b) => (a.field === null ? 0 : 1) - (b.field === null ? 0 : 1) || (order.get(a.mapping)! - order.get(b.mapping)!));
  const set: MappingSet = { schemaVersion: SCHEMA_VERSION, name, options, mappings, reviews };
  const changes = baseline ? diffSets(baseline, set) : [];
  const comments = changes.flatMap((c) => (c.op === 'setReview' ? [{ mapping: c.review.mapping, field: c.review.field, comment: c.review.comment, status: c.review.status }] : []));
  return { set, baseline, changeSet: { source: opts.source ?? 'workbook', changes, comments } };
}
