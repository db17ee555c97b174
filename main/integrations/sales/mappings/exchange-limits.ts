/**
 * Resource limits for mapping imports, checked BEFORE a file is parsed fully, so no accepted file takes more than
 * ~300 MB or a few seconds, and a refused one says which limit and by how much. A real export of a big tenant
 * (216 table mappings, 5,000 field mappings: 0.8 MB XLSX, 3.2 MB JSON, ~100k cells) is well inside them.
 *
 * XLSX: the zip's central directory is read without unpacking; each worksheet and the shared strings are then
 * inflated with a hard output cap (a zip that lies about its sizes is stopped at the cap) and scanned for rows,
 * cells and strings, byte by byte, before exceljs builds its object model.
 */
import { readFile, stat } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { MappingImportError } from './exchange-json';

const MiB = 1024 * 1024;

export const IMPORT_LIMITS = {
  /** A mapping file (JSON or XLSX) as chosen by the user. */
  fileBytes: 16 * MiB,
  /** Everything inside an XLSX, unpacked. */
  unpackedBytes: 32 * MiB,
  sheets: 500,
  rowsPerSheet: 20_000,
  cells: 200_000,
  sharedStrings: 200_000,
  /** An import stops collecting problems after this many and says so. */
  problems: 100,
} as const;

const mb = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

function limitError(code: string, message: string, params: Record<string, string | number>): MappingImportError {
  return new MappingImportError(message, code, params);
}

export function fileTooLarge(size: number, limit: number = IMPORT_LIMITS.fileBytes): MappingImportError {
  return limitError(
    'MAPPING_IMPORT_FILE_TOO_LARGE',
    `The file is ${mb(size)} MB; the largest mapping file that can be imported is ${mb(limit)} MB (${limit} bytes). Nothing was imported.`,
    { size: mb(size), limit: mb(limit) },
  );
}

/** Refuses a file over the size limit by its size alone (before it is read or decoded). */
export function checkFileSize(size: number): void {
  if (size > IMPORT_LIMITS.fileBytes) throw fileTooLarge(size);
}

/** Reads a mapping file from disk after checking its size (a 426 MB file is refused without reading it). */
export async function readImportFile(file: string): Promise<Buffer> {
  checkFileSize((await stat(file)).size);
  return readFile(file);
}

interface Entry {
  name: string;
  method: number;
  compressed: number;
  declared: number;
  localOffset: number;
}

/** The zip's central directory, or null when the data is not a zip (exceljs then says it is not a workbook). */
function centralDirectory(buf: Buffer): Entry[] | null {
  const min = Math.max(0, buf.length - 65_557);
  let eocd = -1;
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) return entries;
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      method: buf.readUInt16LE(p + 10),
      compressed: buf.readUInt32LE(p + 20),
      declared: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function inflateEntry(buf: Buffer, e: Entry, budget: number): Buffer | null {
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) return null;
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressed);
  if (e.method === 0) return data.length > budget ? Buffer.alloc(budget + 1) : data;
  if (e.method !== 8) return null;
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, budget + 1) });
  } catch (x) {
    if ((x as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || x instanceof RangeError) return Buffer.alloc(budget + 1);
    return null;
  }
}

/** Counts XML start tags by local name (`<row`, `<x:row` …) and the largest row number, without building strings. */
function scanXml(xml: Buffer): { rows: number; cells: number; strings: number; maxRow: number } {
  let rows = 0;
  let cells = 0;
  let strings = 0;
  let maxRow = 0;
  const n = xml.length;
  for (let i = xml.indexOf(0x3c); i >= 0 && i < n; i = xml.indexOf(0x3c, i + 1)) {
    let j = i + 1;
    const c0 = xml[j];
    if (c0 === 0x2f || c0 === 0x3f || c0 === 0x21) continue; // </…, <?…, <!…
    let nameStart = j;
    while (j < n) {
      const c = xml[j]!;
      if (c === 0x20 || c === 0x3e || c === 0x2f || c === 0x09 || c === 0x0a || c === 0x0d) break;
      if (c === 0x3a) nameStart = j + 1;
      j++;
    }
    const len = j - nameStart;
    if (len === 1 && xml[nameStart] === 0x63) cells++; // c
    else if (len === 3 && xml[nameStart] === 0x72 && xml[nameStart + 1] === 0x6f && xml[nameStart + 2] === 0x77) {
      rows++;
      // r="123" within the next few bytes: the row number exceljs would size the sheet to.
      const head = xml.toString('latin1', j, Math.min(n, j + 64));
      const m = / r="(\d{1,10})"/.exec(head);
      if (m) maxRow = Math.max(maxRow, Number(m[1]));
    } else if (len === 2 && xml[nameStart] === 0x73 && xml[nameStart + 1] === 0x69) strings++; // si
  }
  return { rows, cells, strings, maxRow };
}

/** Sheet names by part name (xl/worksheets/sheet1.xml → "Overview") from workbook.xml and its relationships. */
function sheetNames(buf: Buffer, entries: Entry[], budget: number): Map<string, string> {
  const text = (name: string) => {
    const e = entries.find((x) => x.name === name);
    const b = e ? inflateEntry(buf, e, budget) : null;
    return b && b.length <= budget ? b.toString('utf8') : '';
  };
  const targets = new Map<string, string>();
  for (const m of text('xl/_rels/workbook.xml.rels').matchAll(/<Relationship\b[^>]*>/g)) {
    const id = /\bId="([^"]+)"/.exec(m[0])?.[1];
    const target = /\bTarget="([^"]+)"/.exec(m[0])?.[1];
    if (id && target) targets.set(id, target.replace(/^\/?(xl\/)?/, 'xl/'));
  }
  const names = new Map<string, string>();
  for (const m of text('xl/workbook.xml').matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(m[0])?.[1];
    const rid = /\br:id="([^"]+)"/.exec(m[0])?.[1] ?? /\b\w+:id="([^"]+)"/.exec(m[0])?.[1];
    const part = rid ? targets.get(rid) : undefined;
    if (name !== undefined && part) names.set(part, name.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'"));
  }
  return names;
}

/**
 * Refuses a workbook over any limit before exceljs reads it. A file that is not a zip passes through (exceljs then
 * reports that it is not a workbook).
 */
export function checkWorkbookLimits(data: Buffer | ArrayBuffer | Uint8Array): void {
  const buf = Buffer.isBuffer(data) ? data : data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  checkFileSize(buf.length);
  const entries = centralDirectory(buf);
  if (!entries) return;
  const L = IMPORT_LIMITS;
  const declared = entries.reduce((s, e) => s + e.declared, 0);
  const unpacked = () =>
    limitError(
      'MAPPING_IMPORT_UNPACKED_TOO_LARGE',
      `The workbook unpacks to more than ${mb(L.unpackedBytes)} MB (the limit). Remove sheets or rows it does not need and import again. Nothing was imported.`,
      { size: mb(Math.max(declared, L.unpackedBytes + 1)), limit: mb(L.unpackedBytes) },
    );
  if (declared > L.unpackedBytes) throw unpacked();
  const sheets = entries.filter((e) => /^xl\/worksheets\/[^/]+\.xml$/i.test(e.name));
  if (sheets.length > L.sheets) {
    throw limitError('MAPPING_IMPORT_TOO_MANY_SHEETS', `The workbook has ${sheets.length} sheets; the limit is ${L.sheets}. Nothing was imported.`, {
      found: sheets.length,
      limit: L.sheets,
    });
  }
  let budget = L.unpackedBytes;
  const names = sheetNames(buf, entries, budget);
  let cells = 0;
  for (const e of [...sheets, ...entries.filter((x) => /^xl\/sharedStrings\.xml$/i.test(x.name))]) {
    const xml = inflateEntry(buf, e, budget);
    if (!xml) continue; // unreadable part: exceljs reports it
    if (xml.length > budget) throw unpacked();
    budget -= xml.length;
    const s = scanXml(xml);
    if (/sharedStrings/i.test(e.name)) {
      if (s.strings > L.sharedStrings) {
        throw limitError('MAPPING_IMPORT_TOO_MANY_TEXTS', `The workbook has ${s.strings} distinct texts; the limit is ${L.sharedStrings}. Nothing was imported.`, {
          found: s.strings,
          limit: L.sharedStrings,
        });
      }
      continue;
    }
    const rows = Math.max(s.rows, s.maxRow);
    if (rows > L.rowsPerSheet) {
      const sheet = names.get(e.name) ?? e.name;
      throw limitError(
        'MAPPING_IMPORT_TOO_MANY_ROWS',
        `The sheet "${sheet}" has ${rows} rows; the limit is ${L.rowsPerSheet}. Delete the rows it does not need and import again. Nothing was imported.`,
        { sheet, found: rows, limit: L.rowsPerSheet },
      );
    }
    cells += s.cells;
    if (cells > L.cells) {
      throw limitError('MAPPING_IMPORT_TOO_MANY_CELLS', `The workbook has more than ${L.cells} cells (the limit). Nothing was imported.`, { found: cells, limit: L.cells });
    }
  }
}

/** Thrown by a ProblemList that is full: the import stops and says how many it found before stopping. */
export class ProblemList extends Array<string> {
  static override get [Symbol.species]() {
    return Array;
  }
  override push(...items: string[]): number {
    const n = super.push(...items);
    if (n >= IMPORT_LIMITS.problems) {
      throw new MappingImportError(
        `The workbook has at least ${n} problems (the import stops counting at ${IMPORT_LIMITS.problems}); fix these first and import again:\n` +
          this.slice(0, 20).map((e) => `  - ${e}`).join('\n') + `\n  … and ${n - 20} more`,
      );
    }
    return n;
  }
}

/** A readable one-line description of an error: every zod issue with its path (zod's message is a JSON dump). */
export function describeError(x: unknown): string {
  const issues = (x as { issues?: unknown })?.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    return issues
      .slice(0, 5)
      .map((i: { path?: PropertyKey[]; message?: string }) => `${(i.path ?? []).map(String).join('.') || 'value'}: ${i.message ?? 'invalid'}`)
      .join('; ') + (issues.length > 5 ? `; … and ${issues.length - 5} more` : '');
  }
  return x instanceof Error ? x.message.split('\n')[0]! : String(x);
}
