/**
 * CSV grammar for the Commerce ⇄ Teams files (the *Teams mapping between source and team* data entity's
 * `SOURCETYPE,SOURCEID,TEAMID` and the targeting hierarchy's `TargetName,ParentName,TeamId`).
 *
 * RFC 4180 plus what real files bring: a UTF-8 BOM, CRLF / LF / CR line ends, quoted fields with the delimiter,
 * doubled quotes and line breaks inside, blank lines, and `;` as the separator (Excel in nb-NO, nl-NL and fi-FI
 * saves "CSV" with semicolons because the decimal separator is a comma). The separator is read from the header line.
 *
 * Nothing is lost: a malformed record (text after a closing quote, a quote never closed) becomes an error for that
 * row and parsing goes on with the next line. Rows are numbered like a spreadsheet shows them: the header is row 1,
 * blank lines count, a record with line breaks inside quotes takes one row.
 */

export type CsvDelimiter = ',' | ';' | '\t';

export interface CsvRecord {
  /** Spreadsheet row (1 = the header). */
  row: number;
  fields: string[];
}

export interface CsvIssue {
  row: number;
  code: 'CSV_TEXT_AFTER_QUOTE' | 'CSV_UNCLOSED_QUOTE';
  message: string;
}

export interface CsvParsed {
  delimiter: CsvDelimiter;
  hadBom: boolean;
  records: CsvRecord[];
  issues: CsvIssue[];
}

/** The separator of the first line outside quotes: `;` or tab when they occur and no comma does, else `,`. */
export function detectDelimiter(text: string): CsvDelimiter {
  let inQ = false;
  const counts = { ',': 0, ';': 0, '\t': 0 };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') inQ = !inQ;
    else if (!inQ && (c === '\n' || c === '\r')) break;
    else if (!inQ && (c === ',' || c === ';' || c === '\t')) counts[c]++;
  }
  if (counts[','] === 0 && counts[';'] > 0) return ';';
  if (counts[','] === 0 && counts[';'] === 0 && counts['\t'] > 0) return '\t';
  if (counts[';'] > counts[','] ) return ';';
  return ',';
}

/** Index just past the line end starting at i (CRLF, LF or CR), or i when text[i] is no line end. */
function lineEnd(text: string, i: number): number {
  if (text[i] === '\r') return text[i + 1] === '\n' ? i + 2 : i + 1;
  if (text[i] === '\n') return i + 1;
  return i;
}

export function parseCsv(input: string, opts: { delimiter?: CsvDelimiter } = {}): CsvParsed {
  const hadBom = input.charCodeAt(0) === 0xfeff;
  const text = hadBom ? input.slice(1) : input;
  const delimiter = opts.delimiter ?? detectDelimiter(text);
  const records: CsvRecord[] = [];
  const issues: CsvIssue[] = [];
  let i = 0;
  let row = 1;
  const n = text.length;
  while (i < n) {
    // One record starting at i (row `row`).
    const start = i;
    const startRow = row;
    const fields: string[] = [];
    let field = '';
    let bad: CsvIssue | null = null;
    let rowsUsed = 1;
    // A blank line is no record (but counts as a row).
    const blank = lineEnd(text, i);
    if (blank !== i) {
      i = blank;
      row++;
      continue;
    }
    for (;;) {
      if (i >= n) {
        fields.push(field);
        break;
      }
      const c = text[i]!;
      if (c === '"' && field === '' ) {
        // Quoted field.
        let j = i + 1;
        let val = '';
        let closed = false;
        let lines = 0;
        while (j < n) {
          const d = text[j]!;
          if (d === '"') {
            if (text[j + 1] === '"') {
              val += '"';
              j += 2;
              continue;
            }
            closed = true;
            j++;
            break;
          }
          const le = lineEnd(text, j);
          if (le !== j) {
            lines++;
            val += text.slice(j, le);
            j = le;
            continue;
          }
          val += d;
          j++;
        }
        if (!closed) {
          // Never closed: this row is an error; go on with the line after the row's start.
          bad = { row: startRow, code: 'CSV_UNCLOSED_QUOTE', message: 'A quoted field is never closed (a " without its closing ").' };
          let k = start;
          while (k < n && lineEnd(text, k) === k) k++;
          i = lineEnd(text, k);
          rowsUsed = 1;
          break;
        }
        rowsUsed += lines;
        field = val;
        i = j;
        if (i < n && text[i] !== delimiter && lineEnd(text, i) === i) {
          bad ??= { row: startRow, code: 'CSV_TEXT_AFTER_QUOTE', message: 'There is text after a closing quote; put the whole field in quotes and double the quotes inside ("").' };
          while (i < n && text[i] !== delimiter && lineEnd(text, i) === i) field += text[i++];
        }
        continue;
      }
      if (c === delimiter) {
        fields.push(field);
        field = '';
        i++;
        continue;
      }
      const le = lineEnd(text, i);
      if (le !== i) {
        fields.push(field);
        i = le;
        break;
      }
      field += c;
      i++;
    }
    row = startRow + rowsUsed;
    if (bad) issues.push(bad);
    else records.push({ row: startRow, fields });
  }
  return { delimiter, hadBom, records, issues };
}

function needsQuotes(v: string, delimiter: string): boolean {
  return v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r') || /^\s|\s$/.test(v);
}

export function csvField(v: string, delimiter: CsvDelimiter = ','): string {
  return needsQuotes(v, delimiter) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Rows to CSV text: quotes only where needed, CRLF line ends (what Excel and DMF write), optional BOM. */
export function toCsv(rows: readonly (readonly string[])[], opts: { delimiter?: CsvDelimiter; bom?: boolean; eol?: '\r\n' | '\n' } = {}): string {
  const d = opts.delimiter ?? ',';
  const eol = opts.eol ?? '\r\n';
  const body = rows.map((r) => r.map((v) => csvField(v, d)).join(d)).join(eol) + (rows.length ? eol : '');
  return (opts.bom ? '\ufeff' : '') + body;
}

/**
 * File bytes → text: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1252
 * (Excel's plain "CSV" in Western European locales writes the ANSI code page).
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}
