import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { closeSync, openSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportJson, importJsonBytes, newDefaultSet, type MappingImportError } from '../../../main/integrations/sales/mappings/exchange-json';
import { IMPORT_LIMITS, readImportFile } from '../../../main/integrations/sales/mappings/exchange-limits';
import { exportXlsx, importXlsx } from '../../../main/integrations/sales/mappings/exchange-xlsx';
import { tempDir } from '../../support/app';
import { bigTenant } from '../../support/big-tenant';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function refusal(p: Promise<unknown>): Promise<MappingImportError> {
  try {
    await p;
  } catch (x) {
    return x as MappingImportError;
  }
  throw new Error('accepted');
}

/** A minimal workbook zip written by hand: the limits must refuse it before exceljs builds anything. */
async function zipWorkbook(sheets: { name: string; xml: string | Buffer }[], sharedStrings?: string | Buffer): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  zip.file(
    'xl/workbook.xml',
    `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets
      .map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('')}</sheets></workbook>`,
  );
  zip.file(
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
      .map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
      .join('')}</Relationships>`,
  );
  sheets.forEach((s, i) => zip.file(`xl/worksheets/sheet${i + 1}.xml`, s.xml));
  if (sharedStrings !== undefined) zip.file('xl/sharedStrings.xml', sharedStrings);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}
const sheetXml = (rows: string) => `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;

describe('JSON mapping files are refused by size first, with the limit', () => {
  it('refuses bytes over the limit before decoding them', () => {
    const e = (() => {
      try {
        importJsonBytes(Buffer.alloc(IMPORT_LIMITS.fileBytes + 1, 0x20));
      } catch (x) {
        return x as MappingImportError;
      }
      throw new Error('accepted');
    })();
    expect(e.code).toBe('MAPPING_IMPORT_FILE_TOO_LARGE');
    expect(e.params).toMatchObject({ limit: 16 });
    expect(e.message).toContain(String(IMPORT_LIMITS.fileBytes));
  });

  it('refuses a 426 MB file on disk by its size, without reading it', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'huge.json');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 426 * 1024 * 1024); // sparse: nothing is written, nothing may be read
    closeSync(fd);
    const before = process.memoryUsage().rss;
    const e = await refusal(readImportFile(file));
    expect(e.code).toBe('MAPPING_IMPORT_FILE_TOO_LARGE');
    expect(e.message).toMatch(/426 MB.*16 MB/);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('still imports a real export of a big tenant (216 table mappings, 5,000 field mappings)', () => {
    const set = bigTenant();
    const bytes = Buffer.from(exportJson(set));
    expect(bytes.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(importJsonBytes(bytes).mappings).toHaveLength(set.mappings.length);
  });
});

describe('XLSX limits are checked before the workbook is parsed', () => {
  it('refuses 300k rows on a sheet (and a single row numbered beyond the limit) naming the sheet', async () => {
    const many = await zipWorkbook([{ name: 'Overview', xml: sheetXml('<row r="1"><c r="A1"><v>1</v></c></row>'.repeat(300_000)) }]);
    const e = await refusal(importXlsx(many));
    expect(e.code).toBe('MAPPING_IMPORT_TOO_MANY_ROWS');
    expect(e.params).toMatchObject({ sheet: 'Overview', found: 300_000, limit: IMPORT_LIMITS.rowsPerSheet });
    const far = await zipWorkbook([{ name: 'Customers', xml: sheetXml('<row r="1048576"><c r="A1048576"><v>1</v></c></row>') }]);
    expect((await refusal(importXlsx(far))).params).toMatchObject({ sheet: 'Customers', found: 1_048_576 });
  });

  it('refuses 20 M shared strings packed into a small file (unpacked size), before building anything', async () => {
    const sst = Buffer.from(`<?xml version="1.0"?><sst count="20000000">${'<si><t>a</t></si>'.repeat(4_000_000)}</sst>`);
    const bomb = await zipWorkbook([{ name: 'Overview', xml: sheetXml('') }], sst);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = process.memoryUsage().rss;
    const e = await refusal(importXlsx(bomb));
    expect(['MAPPING_IMPORT_UNPACKED_TOO_LARGE', 'MAPPING_IMPORT_TOO_MANY_TEXTS']).toContain(e.code);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('stops a zip that lies about its unpacked size at the cap', async () => {
    const big = Buffer.from(sheetXml(`<row r="1"><c r="A1" t="inlineStr"><is><t>${'x'.repeat(IMPORT_LIMITS.unpackedBytes + 1024)}</t></is></c></row>`));
    const zip = await zipWorkbook([{ name: 'Overview', xml: big }]);
    // Rewrite every declared uncompressed size in the central directory to 100 bytes.
    for (let i = 0; i < zip.length - 4; i++) if (zip.readUInt32LE(i) === 0x02014b50) zip.writeUInt32LE(100, i + 24);
    expect((await refusal(importXlsx(zip))).code).toBe('MAPPING_IMPORT_UNPACKED_TOO_LARGE');
  });

  it('refuses too many sheets and too many cells', async () => {
    const sheets = Array.from({ length: IMPORT_LIMITS.sheets + 1 }, (_, i) => ({ name: `S${i}`, xml: sheetXml('') }));
    expect((await refusal(importXlsx(await zipWorkbook(sheets)))).code).toBe('MAPPING_IMPORT_TOO_MANY_SHEETS');
    const row = (r: number) => `<row r="${r}">${'<c><v>1</v></c>'.repeat(20)}</row>`;
    const cells = await zipWorkbook([{ name: 'Overview', xml: sheetXml(Array.from({ length: 15_000 }, (_, i) => row(i + 1)).join('')) }]);
    expect((await refusal(importXlsx(cells))).code).toBe('MAPPING_IMPORT_TOO_MANY_CELLS');
  });
});

async function exported(edit: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await exportXlsx(newDefaultSet('Default mappings'))) as never);
  edit(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
const mappingSheet = (wb: ExcelJS.Workbook) => wb.worksheets.find((w) => w.name !== 'Overview' && w.state === 'visible' && w.getCell('A1').value !== null && w.getRow(3).cellCount > 5)!;

describe('XLSX import says what it found', () => {
  it('reports a formula cell without a saved result by its address (never "[object Object]")', async () => {
    let where = '';
    const file = await exported((wb) => {
      const ws = mappingSheet(wb);
      where = `${ws.name}!C4`;
      ws.getCell('C4').value = { formula: 'A4&"x"' } as never;
    });
    const e = await refusal(importXlsx(file));
    expect(e.message).toContain(where);
    expect(e.message).toMatch(/formula/);
    expect(e.message).not.toContain('[object Object]');
  });

  it('takes the saved result of a formula cell', async () => {
    const file = await exported((wb) => {
      const ws = mappingSheet(wb);
      const v = String(ws.getCell('C4').value);
      ws.getCell('C4').value = { formula: `"${v}"`, result: v } as never;
    });
    await expect(importXlsx(file)).resolves.toBeTruthy();
  });

  it('gives zod messages in full (not cut to "([")', async () => {
    const file = await exported((wb) => {
      const ov = wb.getWorksheet('Overview')!;
      ov.getCell('B2').value = '{"syncMode": 12}';
    });
    const e = await refusal(importXlsx(file));
    expect(e.message).toMatch(/Overview!B2: the options are not valid \(\w/);
    expect(e.message).not.toContain('([');
  });

  it('refuses a cleared header row, naming the missing columns', async () => {
    const file = await exported((wb) => {
      const ws = mappingSheet(wb);
      ws.getRow(3).eachCell((c) => { c.value = null; });
    });
    const e = await refusal(importXlsx(file));
    expect(e.message).toMatch(/header row is missing the column\(s\) "BC field", "Dataverse field"/);
  });

  it('refuses an Overview row that points at _baseline', async () => {
    const file = await exported((wb) => {
      wb.getWorksheet('Overview')!.getCell('A6').value = '_baseline';
    });
    const e = await refusal(importXlsx(file));
    expect(e.message).toMatch(/points at the sheet "_baseline", which is not a mapping sheet/);
  });

  it('stops after the first problems and says how many it counted', async () => {
    const file = await exported((wb) => {
      for (const ws of wb.worksheets.filter((w) => w.state === 'visible' && w.name !== 'Overview')) {
        for (let r = 4; r <= ws.rowCount; r++) if (ws.getCell(r, 3).value) ws.getCell(r, 3).value = 'Sideways';
      }
    });
    const e = await refusal(importXlsx(file));
    expect(e.message).toMatch(new RegExp(`at least ${IMPORT_LIMITS.problems} problems`));
    expect(e.message.split('\n').length).toBeLessThan(30);
  });
});

describe('memory for an accepted workbook', () => {
  it('a workbook just inside the unpacked-size limit (≈31 MB of text in 90,000 cells) imports with under 300 MB more memory', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Overview');
    for (let r = 1; r <= 4500; r++) ws.getRow(r).values = Array.from({ length: 20 }, (_, c) => `v${r}_${c}`.padEnd(300, 'x'));
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    try {
      await refusal(importXlsx(file)); // accepted by the limits, then refused for its content (no header row)
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    console.info(`[limits] accepted 31 MB workbook: +${Math.round((peak - base) / 1e6)} MB peak RSS`);
    expect(peak - base).toBeLessThan(300 * 1024 * 1024);
  }, 180_000);
});
