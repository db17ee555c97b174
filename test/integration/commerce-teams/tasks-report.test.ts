/**
 * The completion report (issue 15, `d365ic tasks report`) against startSandbox over real HTTP: status rows of two HQ
 * task lists and ad-hoc POS tasks at stores in three regions of two countries; counts per list per store, overdue by
 * the injected clock, canceled apart, the list filter (name or id), paging, the rollup country → region from the
 * Retail reporting hierarchy, drill-down rows with assignee names, the XLSX read back with exceljs, and the CLI's
 * last stdout line parsed with the contract schema.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { ADHOC_LIST_NAME, buildTaskReport, reportContract, ReportListNotFoundError } from '../../../main/integrations/commerce-teams/tasks/report';
import { REPORT_LABELS_EN, reportWorkbook, type ReportLabels } from '../../../main/integrations/commerce-teams/tasks/report-xlsx';
import { ADHOC_PROCESS_ID, ADHOC_TASK_LIST_ID } from '../../../main/integrations/commerce-teams/tasks/model';
import { startSandbox, type Sandbox } from '../../../main/sandbox';
import { ENTITY_BY_COLLECTION } from '../../../main/sandbox/commerce/entities';
import { COMMERCE_STORES } from '../../../main/sandbox/commerce-teams-personas';
import { TaskReportSchema, TasksReportCliSchema, type TaskReport, type TaskReportCounts } from '../../../preload/contract/commerce-teams/tasks-report';
import { runCliProcess } from '../../support/cli';

const TODAY = '2026-12-08';
const clock = { now: () => Date.parse(`${TODAY}T10:00:00Z`) };
let sb: Sandbox;
let conn: ReturnType<typeof connectSandboxInfo>;
let dir: string;

type Status = 'NotStarted' | 'InProgress' | 'Completed' | 'Canceled';
/** The rows this test adds: list TL-CLOSE (process PR-0002) at Bergen, Stavanger (Vestlandet) and Amsterdam (Randstad); ad-hoc tasks at Oslo Sentrum. */
const CLOSE: { store: string; task: string; status: Status; due: string | null; assignee?: string }[] = [
  { store: '001005', task: 'C1', status: 'Completed', due: '2026-12-07' },
  { store: '001005', task: 'C2', status: 'InProgress', due: '2026-12-07' }, // overdue
  { store: '001005', task: 'C3', status: 'NotStarted', due: '2026-12-10' },
  { store: '001005', task: 'C4', status: 'Canceled', due: '2026-12-01' }, // canceled: apart, never overdue
  { store: '001006', task: 'C1', status: 'Completed', due: '2026-12-07' },
  { store: '001006', task: 'C2', status: 'Completed', due: '2026-12-07' },
  { store: '001006', task: 'C3', status: 'NotStarted', due: null },
  { store: '001013', task: 'C1', status: 'NotStarted', due: '2026-12-08' }, // due today: not overdue
  { store: '001013', task: 'C2', status: 'NotStarted', due: '2026-12-05', assignee: 'NR-001301' }, // overdue
];
const ADHOC: { id: string; status: Status; due: string | null; assignee: string | null }[] = [
  { id: 'adhoc-task-1', status: 'Completed', due: '2026-12-06', assignee: 'NR-000101' },
  { id: 'adhoc-task-2', status: 'NotStarted', due: '2026-12-06', assignee: 'NR-000101' }, // overdue
];

const cli = (args: string[]) => runCliProcess(args, dir);

/** Counts the straightforward way from the fixture rows (the engine must agree). */
function expected(rows: { status: Status; due: string | null }[]): Omit<TaskReportCounts, 'completionPercent'> {
  const open = (s: Status) => s === 'NotStarted' || s === 'InProgress';
  return {
    total: rows.filter((r) => r.status !== 'Canceled').length,
    completed: rows.filter((r) => r.status === 'Completed').length,
    inProgress: rows.filter((r) => r.status === 'InProgress').length,
    notStarted: rows.filter((r) => r.status === 'NotStarted').length,
    overdue: rows.filter((r) => open(r.status) && r.due !== null && r.due < TODAY).length,
    canceled: rows.filter((r) => r.status === 'Canceled').length,
  };
}
const listOf = (r: TaskReport, name: string) => r.lists.find((l) => l.name === name)!;
const storeOf = (r: TaskReport, list: string, store: string) => listOf(r, list).stores.find((s) => s.storeNumber === store)!;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, clock });
  conn = connectSandboxInfo(sb.info, { clock });
  const e = (c: string) => ENTITY_BY_COLLECTION.get(c)!;
  sb.commerce.store.insert(e('RetailTaskLists'), [{ TaskListId: 'TL-CLOSE', Name: 'Store closing checklist', Description: 'Evening routine', Owner: 'rm1' }]);
  sb.commerce.store.insert(e('RetailTaskProcesses'), [{ ProcessId: 'PR-0002', Name: 'Closing week 50', TaskListId: 'TL-CLOSE', TargetDate: '2026-12-07', Recurrence: 'No', RecurrenceTargetDateOffsetDays: 0, HierarchyType: 'Retail Stores by Region' }]);
  sb.commerce.store.insert(e('RetailTaskStoreStatuses'), [
    // TaskListId left empty on purpose: the list comes from the process.
    ...CLOSE.map((r) => ({ ProcessId: 'PR-0002', TaskId: r.task, StoreNumber: r.store, TaskListId: null, TaskName: `Close ${r.task}`, Status: r.status, AssignedToPersonnelNumber: r.assignee ?? null, DueDate: r.due, PlannerTaskId: null, ModifiedDateTime: '2026-12-07T18:00:00Z' })),
    ...ADHOC.map((r) => ({ ProcessId: ADHOC_PROCESS_ID, TaskId: r.id, StoreNumber: '001001', TaskListId: ADHOC_TASK_LIST_ID, TaskName: `Ad-hoc ${r.id}`, Status: r.status, AssignedToPersonnelNumber: r.assignee, DueDate: r.due, PlannerTaskId: r.id, ModifiedDateTime: '2026-12-07T12:00:00Z' })),
  ]);
  dir = mkdtempSync(path.join(tmpdir(), 'd365ic-tasks-report-'));
}, 60_000);
afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('completion report', () => {
  it('counts per list per store: overdue by the clock, canceled apart, completion %', async () => {
    const r = await buildTaskReport({ commerce: conn.commerce, clock });
    expect(TaskReportSchema.parse(r)).toEqual(r);
    expect(r.asOf).toBe(TODAY);
    expect(r.hierarchy).toBe('Retail Stores by Region');
    expect(r.lists.map((l) => l.name)).toEqual(['Store closing checklist', 'Store opening checklist', ADHOC_LIST_NAME]);

    for (const store of ['001005', '001006', '001013']) {
      expect(storeOf(r, 'Store closing checklist', store)).toMatchObject(expected(CLOSE.filter((x) => x.store === store)));
    }
    const bergen = storeOf(r, 'Store closing checklist', '001005');
    expect(bergen).toMatchObject({ total: 3, completed: 1, inProgress: 1, notStarted: 1, overdue: 1, canceled: 1, completionPercent: 33.3, name: 'Nordlys Bergen', country: 'Nordlys Retail Norge AS', region: 'Vestlandet' });
    // Due today is not overdue; due before today and open is.
    expect(storeOf(r, 'Store closing checklist', '001013')).toMatchObject({ overdue: 1, notStarted: 2, completionPercent: 0, country: 'Nordlys Retail Nederland B.V.', region: 'Randstad' });

    // The seed's opening list (due 2026-12-07, T1 completed) at the four Oslo stores: two open tasks overdue each.
    const oslo = COMMERCE_STORES.filter((s) => s.region === 'NO-OSLO').map((s) => s.storeNumber);
    const opening = listOf(r, 'Store opening checklist');
    expect(opening.stores.map((s) => s.storeNumber)).toEqual(oslo);
    for (const s of opening.stores) expect(s).toMatchObject({ total: 3, completed: 1, notStarted: 2, overdue: 2, canceled: 0 });

    const adhoc = listOf(r, ADHOC_LIST_NAME);
    expect(adhoc).toMatchObject({ taskListId: ADHOC_TASK_LIST_ID, adhoc: true });
    expect(adhoc.stores).toEqual([expect.objectContaining({ storeNumber: '001001', ...expected(ADHOC) })]);
  });

  it('rolls up country → region from the Retail reporting hierarchy (flat rollup and tree)', async () => {
    const r = await buildTaskReport({ commerce: conn.commerce, clock });
    const closing = listOf(r, 'Store closing checklist');
    const all = expected(CLOSE);
    expect(closing.totals).toMatchObject(all);
    expect(closing.rollup.map((x) => [x.level, x.name, x.parent])).toEqual([
      ['country', 'Nordlys Retail Nederland B.V.', null],
      ['region', 'Randstad', 'Nordlys Retail Nederland B.V.'],
      ['country', 'Nordlys Retail Norge AS', null],
      ['region', 'Vestlandet', 'Nordlys Retail Norge AS'],
    ]);
    const norway = closing.rollup.find((x) => x.name === 'Nordlys Retail Norge AS')!;
    expect(norway).toMatchObject(expected(CLOSE.filter((x) => x.store === '001005' || x.store === '001006')));
    expect(norway.completionPercent).toBe(50); // 3 of 6 active (the canceled one apart)
    // The tree: country → region → stores, counts summed on the way up.
    const no = closing.tree.find((n) => n.name === 'Nordlys Retail Norge AS')!;
    expect(no.level).toBe('country');
    expect(no.children.map((n) => [n.level, n.name])).toEqual([['region', 'Vestlandet']]);
    expect(no.children[0]!.children.map((n) => [n.level, n.storeNumber])).toEqual([['store', '001005'], ['store', '001006']]);
    expect(no.children[0]!.total).toBe(no.total);
    const sum = closing.tree.reduce((a, n) => a + n.total, 0);
    expect(sum).toBe(closing.totals.total);
  });

  it('filters one list by name or id (server-side), pages, and names the lists when none matches', async () => {
    const byName = await buildTaskReport({ commerce: conn.commerce, clock }, { listName: 'store CLOSING checklist', pageSize: 2 });
    expect(byName.lists.map((l) => l.name)).toEqual(['Store closing checklist']);
    const byId = await buildTaskReport({ commerce: conn.commerce, clock }, { taskListId: 'TL-CLOSE' });
    expect(byId.lists).toEqual(byName.lists);
    const adhoc = await buildTaskReport({ commerce: conn.commerce, clock }, { listName: ADHOC_LIST_NAME });
    expect(adhoc.lists.map((l) => l.stores.map((s) => s.storeNumber))).toEqual([['001001']]);
    const e = await buildTaskReport({ commerce: conn.commerce, clock }, { listName: 'Nope' }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ReportListNotFoundError);
    expect((e as Error).message).toContain('Store closing checklist');
  });

  it('gives a store\'s tasks for the drill-down (status, due, overdue, assignee with name, ad-hoc)', async () => {
    const r = await buildTaskReport({ commerce: conn.commerce, clock }, { rows: { store: '001001' } });
    expect(new Set(r.rows.map((x) => x.storeNumber))).toEqual(new Set(['001001']));
    const adhoc = r.rows.filter((x) => x.adhoc);
    expect(adhoc.map((x) => [x.taskId, x.status, x.overdue, x.assignee])).toEqual([
      ['adhoc-task-1', 'Completed', false, 'NR-000101'],
      ['adhoc-task-2', 'NotStarted', true, 'NR-000101'],
    ]);
    expect(adhoc[0]!.assigneeName).toBeTruthy();
    expect(adhoc[0]).toMatchObject({ listName: ADHOC_LIST_NAME, storeName: 'Nordlys Oslo Sentrum', plannerTaskId: 'adhoc-task-1' });
    expect(r.rows.filter((x) => !x.adhoc)).toHaveLength(3);
  });

  it('writes an XLSX that exceljs opens, with the numbers and translated headers', async () => {
    const r = await buildTaskReport({ commerce: conn.commerce, clock }, { rows: 'all' });
    const labels: ReportLabels = { ...REPORT_LABELS_EN, sheets: { summary: 'Sammendrag', stores: 'Butikker', tasks: 'Oppgaver' }, columns: { ...REPORT_LABELS_EN.columns, overdue: 'Forfalt' }, status: { ...REPORT_LABELS_EN.status, Completed: 'Fullført' } };
    for (const [l, names] of [[REPORT_LABELS_EN, ['Summary', 'Stores', 'Tasks']], [labels, ['Sammendrag', 'Butikker', 'Oppgaver']]] as const) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await reportWorkbook(r, l)) as unknown as ArrayBuffer);
      expect(wb.worksheets.map((w) => w.name)).toEqual(names);
      const stores = wb.worksheets[1]!;
      const header = (stores.getRow(1).values as unknown[]).slice(1) as string[];
      expect(header).toContain(l.columns.overdue);
      const col = (h: string) => header.indexOf(h) + 1;
      const bergen = [...Array(stores.rowCount).keys()].map((i) => stores.getRow(i + 1)).find((row) => row.getCell(col(l.columns.storeNumber)).value === '001005')!;
      expect(bergen.getCell(col(l.columns.list)).value).toBe('Store closing checklist');
      expect(bergen.getCell(col(l.columns.total)).value).toBe(3);
      expect(bergen.getCell(col(l.columns.overdue)).value).toBe(1);
      expect(bergen.getCell(col(l.columns.canceled)).value).toBe(1);
      expect(bergen.getCell(col(l.columns.completionPercent)).value).toBe(33.3);
      const tasks = wb.worksheets[2]!;
      expect(tasks.rowCount - 1).toBe(r.rows.length);
      const statuses = new Set([...Array(tasks.rowCount - 1).keys()].map((i) => tasks.getRow(i + 2).getCell(5).value));
      expect(statuses.has(l.status.Completed)).toBe(true);
      const summary = wb.worksheets[0]!;
      const sumHeader = (summary.getRow(3).values as unknown[]).slice(1) as string[];
      const vest = [...Array(summary.rowCount).keys()].map((i) => summary.getRow(i + 1)).find((row) => row.getCell(3).value === 'Vestlandet')!;
      expect(vest.getCell(sumHeader.indexOf(l.columns.total) + 1).value).toBe(listOf(r, 'Store closing checklist').rollup.find((x) => x.name === 'Vestlandet')!.total);
    }
  });

  it('CLI: --json last line is the contract; --list filters; --xlsx writes the workbook; an unknown list exits 1', async () => {
    const info = path.join(dir, 'sandbox.json');
    writeFileSync(info, JSON.stringify(sb.info));
    const xlsx = path.join(dir, 'report.xlsx');
    const run = await cli(['tasks', 'report', '--sandbox-info', info, '--json', '--xlsx', xlsx]);
    expect(run.code, run.stderr).toBe(0);
    const parsed = TasksReportCliSchema.parse(run.last);
    // The CLI runs on the real clock: compare with the engine on the same clock.
    const now = await buildTaskReport({ commerce: conn.commerce });
    expect(parsed).toEqual(reportContract(now));
    expect(Object.keys(parsed.lists[0]!.stores[0]!)).toEqual(['storeNumber', 'total', 'completed', 'inProgress', 'notStarted', 'overdue']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Stores', 'Tasks']);

    const one = await cli(['tasks', 'report', '--sandbox-info', info, '--json', '--list', 'TL-CLOSE']);
    expect(one.code, one.stderr).toBe(0);
    expect(TasksReportCliSchema.parse(one.last).lists.map((l) => l.name)).toEqual(['Store closing checklist']);

    const text = await cli(['tasks', 'report', '--sandbox-info', info, '--list', 'Store closing checklist']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Store closing checklist');
    expect(text.stdout).toContain('Vestlandet');
    expect(text.stdout).toMatch(/001005 {2}Nordlys Bergen/);

    const bad = await cli(['tasks', 'report', '--sandbox-info', info, '--json', '--list', 'Nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('There is no task list "Nope"');
    expect(TasksReportCliSchema.parse(bad.last)).toEqual({ lists: [] });
  }, 60_000);
});
