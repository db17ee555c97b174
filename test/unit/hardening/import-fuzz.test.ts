import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJson, importJson, MappingImportError, newDefaultSet } from '../../../main/integrations/sales/mappings/exchange-json';
import { IMPORT_LIMITS } from '../../../main/integrations/sales/mappings/exchange-limits';
import { exportXlsx, importXlsx } from '../../../main/integrations/sales/mappings/exchange-xlsx';

/**
 * Import fuzz (size, structure, formulas): whatever the file, an import either gives a mapping set or a
 * MappingImportError with a readable message — never a TypeError, "[object Object]", a cut zod dump, or a
 * process that runs out of memory. Peak memory is sampled while the fuzzers run.
 */
let workbook: Buffer;
let baseRss = 0;
let peakRss = 0;
let timer: NodeJS.Timeout;
const tried = { xlsxModel: 0, xlsxBytes: 0, json: 0 };

beforeAll(async () => {
  workbook = await exportXlsx(newDefaultSet('Default mappings'));
  global.gc?.();
  baseRss = process.memoryUsage().rss;
  peakRss = baseRss;
  timer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 5);
});
afterAll(() => {
  clearInterval(timer);
  console.info(`[fuzz] import: XLSX model edits ${tried.xlsxModel}, XLSX byte edits ${tried.xlsxBytes}, JSON edits ${tried.json}; crashes 0; ` +
    `peak RSS ${Math.round(peakRss / 1e6)} MB (start ${Math.round(baseRss / 1e6)} MB, +${Math.round((peakRss - baseRss) / 1e6)} MB)`);
});

function readable(x: unknown): void {
  expect(x).toBeInstanceOf(MappingImportError);
  const m = (x as Error).message;
  expect(m).not.toContain('[object Object]');
  expect(m).not.toMatch(/\(\[\s*$|\(\[\)/m);
  expect(m.length).toBeLessThan(20_000);
}

async function outcome(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (x) {
    readable(x);
  }
}

const cellValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.record({ formula: fc.constantFrom('A1&"x"', 'SUM(1,2)', '1/0', 'NOW()') }),
  fc.record({ formula: fc.constantFrom('A1', '1+1'), result: fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.record({ error: fc.constantFrom('#N/A', '#DIV/0!') })) }),
  fc.record({ richText: fc.array(fc.record({ text: fc.string({ maxLength: 10 }) }), { maxLength: 3 }) }),
  fc.record({ error: fc.constantFrom('#REF!', '#VALUE!') }),
  fc.string({ maxLength: 3000 }),
).map((v) => (v && typeof v === 'object' && !(v instanceof Date) ? (JSON.parse(JSON.stringify(v)) as unknown) : v)); // plain objects, as exceljs expects

type Edit =
  | { k: 'cell'; sheet: number; row: number; col: number; value: unknown }
  | { k: 'clearRow'; sheet: number; row: number }
  | { k: 'dropSheet'; sheet: number }
  | { k: 'renameSheet'; sheet: number; name: string }
  | { k: 'pointAt'; row: number; target: string }
  | { k: 'addRows'; sheet: number; count: number; value: unknown };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('cell' as const), sheet: fc.nat(20), row: fc.integer({ min: 1, max: 40 }), col: fc.integer({ min: 1, max: 40 }), value: cellValue }), weight: 6 },
  fc.record({ k: fc.constant('clearRow' as const), sheet: fc.nat(20), row: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ k: fc.constant('dropSheet' as const), sheet: fc.nat(20) }),
  fc.record({ k: fc.constant('renameSheet' as const), sheet: fc.nat(20), name: fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.replace(/[\\/?*[\]:']/g, '-')) }),
  fc.record({ k: fc.constant('pointAt' as const), row: fc.integer({ min: 6, max: 30 }), target: fc.constantFrom('_baseline', 'Overview', 'Not carried', 'nope', '') }),
  fc.record({ k: fc.constant('addRows' as const), sheet: fc.nat(20), count: fc.integer({ min: 1, max: 3000 }), value: cellValue }),
);

function apply(wb: ExcelJS.Workbook, e: Edit): void {
  const sheets = wb.worksheets;
  const ws = sheets[e.k === 'pointAt' ? 0 : e.sheet % sheets.length];
  if (!ws) return;
  switch (e.k) {
    case 'cell': ws.getCell(e.row, e.col).value = e.value as ExcelJS.CellValue; break;
    case 'clearRow': ws.getRow(e.row).eachCell((c) => { c.value = null; }); break;
    case 'dropSheet': wb.removeWorksheet(ws.id); break;
    case 'renameSheet': if (!sheets.some((s) => s.name.toLowerCase() === e.name.toLowerCase())) ws.name = e.name; break;
    case 'pointAt': ws.getCell(e.row, 1).value = e.target; break;
    case 'addRows': for (let i = 0; i < e.count; i++) ws.addRow([e.value as ExcelJS.CellValue, 'x', 'Bidirectional']); break;
  }
}

describe('import fuzz', () => {
  it('XLSX: random edits of an exported workbook (cells, formulas, headers, sheets, sizes) import or fail readably', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
        tried.xlsxModel++;
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(workbook as never);
        for (const e of edits) apply(wb, e);
        await outcome(importXlsx(Buffer.from(await wb.xlsx.writeBuffer())));
      }),
      { numRuns: 40 },
    );
  }, 600_000);

  it('XLSX: truncated, bit-flipped and spliced files fail readably', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.nat().map((n) => (b: Buffer) => b.subarray(0, n % b.length)),
          fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 20 }).map((flips) => (b: Buffer) => {
            const c = Buffer.from(b);
            for (const [at, v] of flips) c[at % c.length] = v;
            return c;
          }),
          fc.uint8Array({ maxLength: 2000 }).map((junk) => (b: Buffer) => Buffer.concat([b.subarray(0, 1000), Buffer.from(junk), b.subarray(1000)])),
          fc.uint8Array({ maxLength: 4000 }).map((junk) => () => Buffer.from(junk)),
        ),
        async (mutate) => {
          tried.xlsxBytes++;
          await outcome(importXlsx(mutate(workbook)));
        },
      ),
      { numRuns: 400 },
    );
  }, 600_000);

  it('JSON: random edits of an exported set (values, structure, truncation, size) import or fail readably', () => {
    const text = exportJson(newDefaultSet('Default mappings'));
    const data = JSON.parse(text) as Record<string, unknown>;
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      paths.push(p);
      if (paths.length > 5000) return;
      if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => walk(x, [...p, k]));
    };
    walk(data, []);
    const mutation = fc.oneof(
      fc.tuple(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 })).map(([p, v]) => () => {
        const copy = JSON.parse(text);
        if (p.length === 0) return JSON.stringify(v);
        let o = copy;
        for (const k of p.slice(0, -1)) o = o[k];
        o[p[p.length - 1]!] = v;
        return JSON.stringify(copy);
      }),
      fc.nat().map((n) => () => text.slice(0, n % text.length)),
      fc.constantFrom('', 'null', '[]', '{}', '"x"', '{"schemaVersion": 99}', '{"schemaVersion": "1"}').map((t) => () => t),
      fc.constant(() => ' '.repeat(IMPORT_LIMITS.fileBytes + 1)),
    );
    fc.assert(
      fc.property(mutation, (make) => {
        tried.json++;
        try {
          importJson(make());
        } catch (x) {
          readable(x);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('kept memory bounded while importing', () => {
    expect(peakRss - baseRss).toBeLessThan(300 * 1024 * 1024);
  });
});
