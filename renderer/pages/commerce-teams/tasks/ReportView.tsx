import {
  Badge, Button, Card, CardHeader, Field, Link, MessageBar, MessageBarBody, Select, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, ArrowSyncRegular, DismissRegular } from '@fluentui/react-icons';
import { useEffect, useMemo } from 'react';
import type { TasksReport, TasksXlsxLabels } from '../../../../preload/contract';
import { CopyButton } from '../../../components/CopyButton';
import { Legend, percent, StackedBars, type Bar, type BarCounts, type Segment } from './Charts';
import { useTasksStyles } from './common';
import { useTasksStore } from './store';
import { useTranslation } from 'react-i18next';

const ZERO: BarCounts = { total: 0, completed: 0, inProgress: 0, notStarted: 0, overdue: 0, canceled: 0 };
const add = (a: BarCounts, b: BarCounts): BarCounts => ({
  total: a.total + b.total, completed: a.completed + b.completed, inProgress: a.inProgress + b.inProgress,
  notStarted: a.notStarted + b.notStarted, overdue: a.overdue + b.overdue, canceled: a.canceled + b.canceled,
});
const counts = (c: BarCounts): BarCounts => ({ total: c.total, completed: c.completed, inProgress: c.inProgress, notStarted: c.notStarted, overdue: c.overdue, canceled: c.canceled });

/** The lists shown (one, or all summed per store and per rollup node). */
export function combine(report: TasksReport) {
  const stores = new Map<string, { storeNumber: string; name: string; country: string | null; region: string | null; counts: BarCounts }>();
  const rollup = new Map<string, { level: 'country' | 'region'; name: string; parent: string | null; counts: BarCounts }>();
  for (const l of report.lists) {
    for (const s of l.stores) {
      const cur = stores.get(s.storeNumber);
      stores.set(s.storeNumber, { storeNumber: s.storeNumber, name: s.name, country: s.country, region: s.region, counts: add(cur?.counts ?? ZERO, counts(s)) });
    }
    for (const r of l.rollup) {
      const k = `${r.level}|${r.parent ?? ''}|${r.name}`;
      rollup.set(k, { level: r.level, name: r.name, parent: r.parent, counts: add(rollup.get(k)?.counts ?? ZERO, counts(r)) });
    }
  }
  const countries = [...rollup.values()].filter((r) => r.level === 'country').sort((a, b) => a.name.localeCompare(b.name));
  const regions = [...rollup.values()].filter((r) => r.level === 'region');
  const rollupBars: Bar[] = countries.flatMap((c) => [
    { key: `country-${c.name}`, label: c.name, counts: c.counts },
    ...regions.filter((r) => r.parent === c.name).sort((a, b) => a.name.localeCompare(b.name)).map((r) => ({ key: `region-${r.name}`, label: r.name, counts: r.counts, depth: 1 })),
  ]);
  // Regions whose country is not among the countries (a shallow hierarchy) still show.
  for (const r of regions) if (!countries.some((c) => c.name === r.parent)) rollupBars.push({ key: `region-${r.name}`, label: r.name, counts: r.counts });
  return { stores: [...stores.values()].sort((a, b) => a.storeNumber.localeCompare(b.storeNumber)), rollupBars };
}

/** The XLSX's sheet names, headers and status names in the user's language (main fills the workbook). */
export function xlsxLabels(t: (k: string, o?: Record<string, string>) => string): TasksXlsxLabels {
  const keys = <K extends string>(prefix: string, ks: readonly K[]) => Object.fromEntries(ks.map((k) => [k, t(`${prefix}.${k}`)])) as Record<K, string>;
  return {
    sheets: keys('xlsx.sheets', ['summary', 'stores', 'tasks'] as const),
    columns: keys('xlsx.columns', [
      'list', 'level', 'name', 'parent', 'storeNumber', 'store', 'country', 'region', 'total', 'completed', 'inProgress', 'notStarted', 'overdue', 'canceled',
      'completionPercent', 'task', 'status', 'dueDate', 'assignee', 'assigneeName', 'adhoc', 'processId', 'taskId', 'plannerTaskId',
    ] as const),
    levels: keys('xlsx.levels', ['list', 'country', 'region'] as const),
    status: keys('status', ['NotStarted', 'InProgress', 'Completed', 'Canceled'] as const),
    yes: t('xlsx.yes'),
    no: t('xlsx.no'),
    // main replaces the placeholders: they go out as they are.
    title: t('xlsx.title', { asOf: '{{asOf}}', hierarchy: '{{hierarchy}}' }),
  };
}

export function ReportView() {
  const { t, i18n } = useTranslation('teamsTasksPages');
  const s = useTasksStyles();
  const report = useTasksStore((x) => x.report);
  const reportList = useTasksStore((x) => x.reportList);
  const drill = useTasksStore((x) => x.drill);
  const exported = useTasksStore((x) => x.exported);
  const settings = useTasksStore((x) => x.settings);
  const busy = useTasksStore((x) => x.busy);
  const store = useTasksStore.getState;
  const engine = settings?.engines.report ?? true;

  useEffect(() => {
    const st = useTasksStore.getState();
    if (!st.report && (st.settings?.engines.report ?? true)) void st.loadReport();
  }, [settings?.engines.report]);

  const names: Record<Segment, string> = { completed: t('chart.completed'), inProgress: t('chart.inProgress'), notStarted: t('chart.notStarted'), canceled: t('chart.canceled'), overdue: t('chart.overdue') };
  const shown = useMemo(() => (report ? combine(report) : null), [report]);
  const reportLists = useTasksStore((x) => x.reportLists);

  return (
    <Card className={s.card} data-testid="tasks-report">
      <CardHeader header={<Text weight="semibold">{t('report.title')}</Text>} description={<Text size={200}>{t('report.intro')}</Text>} />
      {!engine && <MessageBar intent="warning"><MessageBarBody>{t('engineMissing')}</MessageBarBody></MessageBar>}
      <div className={s.toolbar}>
        <Field label={t('report.list')}>
          <Select data-testid="tasks-report-list" value={reportList} onChange={(_, d) => void store().loadReport(d.value)}>
            <option value="">{t('report.allLists')}</option>
            {reportLists.map((l) => <option key={l.taskListId} value={l.taskListId}>{l.name}</option>)}
          </Select>
        </Field>
        <Button icon={<ArrowSyncRegular />} disabled={!!busy.report || !engine} data-testid="tasks-report-refresh" onClick={() => void store().loadReport()}>{t('report.refresh')}</Button>
        <Button icon={<ArrowDownloadRegular />} disabled={!!busy.export || !report} data-testid="tasks-report-export" onClick={() => void store().exportReport(xlsxLabels((k, o) => t(k, o ?? {})))}>{t('report.export')}</Button>
      </div>
      {exported && (
        <MessageBar intent="success" data-testid="tasks-report-exported">
          <MessageBarBody>{t('report.exported', { path: exported })} <CopyButton label={t('report.copyPath')} getText={async () => exported} /></MessageBarBody>
        </MessageBar>
      )}
      {shown && report && (
        <>
          <Legend names={names} testId="tasks-chart-legend" />
          <Text size={200} className={s.muted} data-testid="tasks-status-mapping">{t('sync.mapping')}</Text>
          <Text weight="semibold">{t('report.perStore')}</Text>
          {shown.stores.length === 0 ? (
            <Text className={s.muted} data-testid="tasks-report-empty">{t('report.empty')}</Text>
          ) : (
            <StackedBars
              testId="tasks-chart-stores"
              label={t('report.perStore')}
              names={names}
              bars={shown.stores.map((x) => ({ key: x.storeNumber, label: `${x.storeNumber} ${x.name}`, counts: x.counts }))}
              onSelect={(k) => void store().drillDown(k)}
            />
          )}
          {shown.rollupBars.length > 0 && (
            <>
              <Text weight="semibold">{t('report.rollup')}</Text>
              <StackedBars testId="tasks-chart-rollup" label={t('report.rollup')} names={names} bars={shown.rollupBars} />
            </>
          )}
          <div className={s.tableWrap}>
            <Table size="small" aria-label={t('report.table')} data-testid="tasks-report-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('col.store')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.country')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.region')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.total')}</TableHeaderCell>
                  <TableHeaderCell>{names.completed}</TableHeaderCell>
                  <TableHeaderCell>{names.inProgress}</TableHeaderCell>
                  <TableHeaderCell>{names.notStarted}</TableHeaderCell>
                  <TableHeaderCell>{names.overdue}</TableHeaderCell>
                  <TableHeaderCell>{t('col.percent')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {shown.stores.map((x) => (
                  <TableRow key={x.storeNumber} data-testid={`tasks-report-row-${x.storeNumber}`}>
                    <TableCell><Link as="button" onClick={() => void store().drillDown(x.storeNumber)}>{`${x.storeNumber} ${x.name}`}</Link></TableCell>
                    <TableCell>{x.country ?? '–'}</TableCell>
                    <TableCell>{x.region ?? '–'}</TableCell>
                    <TableCell>{x.counts.total}</TableCell>
                    <TableCell>{x.counts.completed}</TableCell>
                    <TableCell>{x.counts.inProgress}</TableCell>
                    <TableCell>{x.counts.notStarted}</TableCell>
                    <TableCell>{x.counts.overdue}</TableCell>
                    <TableCell>{`${percent(x.counts)}%`}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          <Text size={200} className={s.muted}>{t('report.generated', { when: new Date(report.generatedAt).toLocaleString(i18n.language) })}</Text>
        </>
      )}
      {drill && (
        <Card className={s.card} data-testid="tasks-drill">
          <CardHeader
            header={<Text weight="semibold">{t('report.drillTitle', { store: drill.store })}</Text>}
            action={<Button icon={<DismissRegular />} aria-label={t('report.closeDrill')} onClick={() => void store().drillDown(null)} />}
          />
          <Table size="small" aria-label={t('report.drillTitle', { store: drill.store })}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('col.task')}</TableHeaderCell>
                <TableHeaderCell>{t('col.status')}</TableHeaderCell>
                <TableHeaderCell>{t('col.due')}</TableHeaderCell>
                <TableHeaderCell>{t('col.assignee')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {drill.report.rows.map((r) => (
                <TableRow key={`${r.processId}|${r.taskId}`} data-testid={`tasks-drill-row-${r.taskId}`} data-status={r.status}>
                  <TableCell>
                    {r.title} {r.adhoc && <Badge appearance="outline">{t('report.adhoc')}</Badge>}
                  </TableCell>
                  <TableCell>{t(`status.${r.status}`)} {r.overdue && <Badge color="danger">{names.overdue}</Badge>}</TableCell>
                  <TableCell>{r.dueDate ? new Date(`${r.dueDate}T00:00:00Z`).toLocaleDateString(i18n.language, { timeZone: 'UTC' }) : '–'}</TableCell>
                  <TableCell>{r.assigneeName ?? r.assignee ?? '–'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </Card>
  );
}
