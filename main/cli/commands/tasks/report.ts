/**
 * `d365ic tasks report [--list NAME] [--hierarchy NAME] [--xlsx FILE]` (issue 15, the completion report). Contract
 * used by scripted checks: with --json the last stdout line is
 * `{"lists":[{"name","stores":[{"storeNumber","total","completed","inProgress","notStarted","overdue"}]}]}`
 * (preload/contract/commerce-teams/tasks-report.ts); text mode prints a table per list with the rollup country →
 * region. Exit 0 on success, 1 when the report could not be made (no such list, a file not written), 2 bad usage.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TaskReportCounts, TaskReportList } from '../../../../preload/contract/commerce-teams/tasks-report';
import { buildTaskReport, ReportListNotFoundError, reportContract } from '../../../integrations/commerce-teams/tasks/report';
import { reportWorkbook } from '../../../integrations/commerce-teams/tasks/report-xlsx';
import { UsageError } from '../../io';
import type { TasksSubcommand } from './common';

const pct = (c: TaskReportCounts) => (c.completionPercent === null ? '-' : `${c.completionPercent.toFixed(1)}%`);
const COLS = ['Total', 'Completed', 'In progress', 'Not started', 'Overdue', 'Canceled', 'Done %'];
const W = 12;
const nums = (c: TaskReportCounts) => [c.total, c.completed, c.inProgress, c.notStarted, c.overdue, c.canceled].map((n) => String(n).padStart(W)).join('') + pct(c).padStart(W);

function listTable(l: TaskReportList): string {
  const out: string[] = [];
  const head = (label: string) => `${label.padEnd(44)}${COLS.map((h) => h.padStart(W)).join('')}`;
  out.push(`${l.name}${l.adhoc ? '  (created in POS)' : ''}`);
  out.push(head('Store'));
  for (const s of l.stores) out.push(`${`${s.storeNumber}  ${s.name}`.slice(0, 43).padEnd(44)}${nums(s)}`);
  out.push(`${'All stores'.padEnd(44)}${nums(l.totals)}`);
  if (l.rollup.length) {
    out.push('');
    out.push(head('Rollup (country → region)'));
    for (const r of l.rollup) out.push(`${(r.level === 'country' ? r.name : `  ${r.name}`).slice(0, 43).padEnd(44)}${nums(r)}`);
  }
  return `${out.join('\n')}\n\n`;
}

export const reportSubcommand: TasksSubcommand = {
  summary: 'Completion report: per task list, per store, rolled up country → region (table, JSON, XLSX)',
  help: `[--list NAME] [--hierarchy NAME] [--xlsx FILE] [--json]

Completion of the task lists at the stores (HQ task lists published to store plans and the ad-hoc tasks stores
create in POS), read from Commerce's task status per store: per store total (completed + in progress + not
started), overdue (due before today, not completed), canceled apart and completion %, rolled up the Retail
reporting hierarchy (country → region → store).
  --list NAME        only this task list (its name or id)
  --hierarchy NAME   roll up this organization hierarchy (default: the Retail reporting one)
  --xlsx FILE        also write the workbook (Summary, Stores, Tasks sheets)`,
  booleans: [],
  flags: ['list', 'hierarchy', 'xlsx'],
  check(flags) {
    for (const f of ['list', 'hierarchy', 'xlsx'] as const) if (flags[f] !== undefined && (typeof flags[f] !== 'string' || !String(flags[f]).trim())) throw new UsageError(`--${f} needs a value.`);
  },
  async run({ flags, json, conn, io, opts }) {
    const xlsx = typeof flags.xlsx === 'string' ? resolve(flags.xlsx) : null;
    try {
      const report = await buildTaskReport(
        { commerce: conn.commerce, ...(opts.connect?.clock ? { clock: opts.connect.clock } : {}) },
        { ...(typeof flags.list === 'string' ? { listName: flags.list } : {}), ...(typeof flags.hierarchy === 'string' ? { hierarchy: flags.hierarchy } : {}), rows: xlsx ? 'all' : 'none' },
      );
      if (!json) {
        io.stdout(`Task completion as of ${report.asOf}${report.hierarchy ? ` — hierarchy "${report.hierarchy}"` : ''}\n\n`);
        if (report.hierarchyProblem) io.stdout(`No rollup: ${report.hierarchyProblem.message}\n\n`);
        if (!report.lists.length) io.stdout('No task list has tasks at any store yet. Publish a task list to stores first (d365ic tasks publish).\n');
        for (const l of report.lists) io.stdout(listTable(l));
      }
      if (xlsx) {
        try {
          await writeFile(xlsx, await reportWorkbook(report));
        } catch (x) {
          io.stderr(`The workbook could not be written to ${xlsx}: ${(x as Error).message}. Check the folder exists and the file is not open in Excel, then run again.\n`);
          if (json) io.stdout(`${JSON.stringify(reportContract(report))}\n`);
          return 1;
        }
        if (!json) io.stdout(`Workbook written: ${xlsx}\n`);
      }
      if (json) io.stdout(`${JSON.stringify(reportContract(report))}\n`);
      return 0;
    } catch (x) {
      if (x instanceof ReportListNotFoundError) {
        io.stderr(`${x.message}\n`);
        if (json) io.stdout(`${JSON.stringify({ lists: [] })}\n`);
        return 1;
      }
      throw x;
    }
  },
};
