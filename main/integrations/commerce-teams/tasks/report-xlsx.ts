/**
 * The completion report as an XLSX workbook (exceljs): **Summary** (per list: its totals, then the hierarchy
 * rollup — country, region), **Stores** (per list, per store, with country and region) and **Tasks** (the drill-down:
 * every store's tasks with status, due date, overdue, assignee). Numbers are cells of type number (filters and
 * pivots work), the header rows are frozen and auto-filtered. `labels` carries the headers, sheet names and status
 * names in the console user's language (English by default, the CLI's).
 */
import ExcelJS from 'exceljs';
import type { TaskReport, TaskReportCounts, TaskReportStatus } from '../../../../preload/contract/commerce-teams/tasks-report';

export interface ReportLabels {
  sheets: { summary: string; stores: string; tasks: string };
  columns: {
    list: string; level: string; name: string; parent: string; storeNumber: string; store: string; country: string; region: string;
    total: string; completed: string; inProgress: string; notStarted: string; overdue: string; canceled: string; completionPercent: string;
    task: string; status: string; dueDate: string; assignee: string; assigneeName: string; adhoc: string; processId: string; taskId: string; plannerTaskId: string;
  };
  levels: { list: string; country: string; region: string };
  status: Record<TaskReportStatus, string>;
  yes: string;
  no: string;
  /** Title line of the Summary sheet; {{asOf}} and {{hierarchy}} are replaced. */
  title: string;
}

export const REPORT_LABELS_EN: ReportLabels = {
  sheets: { summary: 'Summary', stores: 'Stores', tasks: 'Tasks' },
  columns: {
    list: 'Task list', level: 'Level', name: 'Name', parent: 'Part of', storeNumber: 'Store number', store: 'Store', country: 'Country', region: 'Region',
    total: 'Total', completed: 'Completed', inProgress: 'In progress', notStarted: 'Not started', overdue: 'Overdue', canceled: 'Canceled', completionPercent: 'Completion %',
    task: 'Task', status: 'Status', dueDate: 'Due date', assignee: 'Assigned to (personnel number)', assigneeName: 'Assigned to', adhoc: 'Ad-hoc (POS)', processId: 'Process', taskId: 'Task id', plannerTaskId: 'Planner task id',
  },
  levels: { list: 'All stores', country: 'Country', region: 'Region' },
  status: { NotStarted: 'Not started', InProgress: 'In progress', Completed: 'Completed', Canceled: 'Canceled' },
  yes: 'Yes',
  no: 'No',
  title: 'Task completion as of {{asOf}} (hierarchy: {{hierarchy}})',
};

type Cell = string | number | null;
const COUNT_KEYS = ['total', 'completed', 'inProgress', 'notStarted', 'overdue', 'canceled'] as const;
const counts = (c: TaskReportCounts): Cell[] => [...COUNT_KEYS.map((k) => c[k]), c.completionPercent];

/** Excel sheet names: ≤ 31 characters, none of []:*?/\ . */
const sheetName = (s: string) => s.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31).trim() || 'Sheet';

function table(ws: ExcelJS.Worksheet, headerRow: number, headers: string[], rows: Cell[][], widths: number[]): void {
  const h = ws.getRow(headerRow);
  headers.forEach((text, i) => {
    const cell = h.getCell(i + 1);
    cell.value = text;
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
    ws.getColumn(i + 1).width = widths[i] ?? 14;
  });
  rows.forEach((r, k) => {
    const row = ws.getRow(headerRow + 1 + k);
    r.forEach((v, i) => (row.getCell(i + 1).value = v));
  });
  ws.views = [{ state: 'frozen', ySplit: headerRow }];
  ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: headers.length } };
}

/** The workbook as bytes. `labels` defaults to English (the CLI); the console passes its translation. */
export async function reportWorkbook(report: TaskReport, labels: ReportLabels = REPORT_LABELS_EN): Promise<Uint8Array> {
  const L = labels;
  const C = L.columns;
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Integration Console';
  const countHeaders = [C.total, C.completed, C.inProgress, C.notStarted, C.overdue, C.canceled, C.completionPercent];

  const summary = wb.addWorksheet(sheetName(L.sheets.summary));
  summary.getCell('A1').value = L.title.replace('{{asOf}}', report.asOf).replace('{{hierarchy}}', report.hierarchy ?? '—');
  summary.getCell('A1').font = { bold: true, size: 13 };
  const sumRows: Cell[][] = [];
  for (const l of report.lists) {
    sumRows.push([l.name, L.levels.list, l.name, null, ...counts(l.totals)]);
    for (const r of l.rollup) sumRows.push([l.name, r.level === 'country' ? L.levels.country : L.levels.region, r.name, r.parent, ...counts(r)]);
  }
  table(summary, 3, [C.list, C.level, C.name, C.parent, ...countHeaders], sumRows, [30, 14, 32, 28, 9, 11, 11, 11, 9, 9, 13]);

  const stores = wb.addWorksheet(sheetName(L.sheets.stores));
  table(
    stores, 1, [C.list, C.storeNumber, C.store, C.country, C.region, ...countHeaders],
    report.lists.flatMap((l) => l.stores.map((s) => [l.name, s.storeNumber, s.name, s.country, s.region, ...counts(s)])),
    [30, 13, 28, 28, 24, 9, 11, 11, 11, 9, 9, 13],
  );

  const tasks = wb.addWorksheet(sheetName(L.sheets.tasks));
  table(
    tasks, 1, [C.list, C.storeNumber, C.store, C.task, C.status, C.dueDate, C.overdue, C.assignee, C.assigneeName, C.adhoc, C.processId, C.taskId, C.plannerTaskId],
    report.rows.map((r) => [r.listName, r.storeNumber, r.storeName, r.title, L.status[r.status], r.dueDate, r.overdue ? L.yes : L.no, r.assignee, r.assigneeName, r.adhoc ? L.yes : L.no, r.processId, r.taskId, r.plannerTaskId]),
    [30, 13, 28, 40, 13, 12, 9, 16, 24, 11, 18, 30, 30],
  );

  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}
