import {
  Badge, Button, Card, CardHeader, Field, MessageBar, MessageBarBody, SpinButton, Switch, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text,
} from '@fluentui/react-components';
import { ArrowSyncRegular, SaveRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import type { TasksConflict } from '../../../../preload/contract';
import { ProgressLine, Tile, useTasksStyles, useTasksT } from './common';
import { useTasksStore } from './store';
import { useTranslation } from 'react-i18next';

function useValue() {
  const { t, i18n } = useTranslation('teamsTasksPages');
  return (c: TasksConflict, v: string | null) => {
    if (v === null || v === '') return t('empty');
    if (c.field === 'status') return t(`status.${v}`, { defaultValue: v });
    if (c.field === 'dueDate') return new Date(`${v.slice(0, 10)}T00:00:00Z`).toLocaleDateString(i18n.language, { timeZone: 'UTC' });
    return v;
  };
}

export function SyncView() {
  const { t, i18n } = useTranslation('teamsTasksPages');
  const { code } = useTasksT();
  const s = useTasksStyles();
  const settings = useTasksStore((x) => x.settings);
  const result = useTasksStore((x) => x.sync);
  const conflicts = useTasksStore((x) => x.conflicts);
  const progress = useTasksStore((x) => x.progress);
  const busy = useTasksStore((x) => x.busy);
  const store = useTasksStore.getState;
  const value = useValue();
  const schedule = settings?.schedule;
  const [every, setEvery] = useState(15);
  const [on, setOn] = useState(false);
  useEffect(() => {
    if (schedule) {
      setEvery(schedule.everyMinutes);
      setOn(schedule.enabled);
    }
  }, [schedule]);
  const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString(i18n.language) : t('never'));
  const engine = settings?.engines.sync ?? true;

  return (
    <>
      <Card className={s.card} data-testid="tasks-sync">
        <CardHeader header={<Text weight="semibold">{t('sync.title')}</Text>} description={<Text size={200}>{t('sync.intro')}</Text>} />
        {!engine && <MessageBar intent="warning"><MessageBarBody>{t('engineMissing')}</MessageBarBody></MessageBar>}
        {settings && !settings.enabled && <MessageBar intent="info" data-testid="tasks-sync-disabled"><MessageBarBody>{t('disabledHint')}</MessageBarBody></MessageBar>}
        <div className={s.toolbar}>
          <Button icon={<ArrowSyncRegular />} appearance="primary" disabled={!settings?.enabled || !!busy.sync || !engine} data-testid="tasks-sync-run" onClick={() => void store().runSync()}>
            {t('sync.run')}
          </Button>
          <Text size={200} className={s.muted} data-testid="tasks-sync-last">{t('sync.last', { when: when(settings?.lastSyncAt ?? null) })}</Text>
        </div>
        <ProgressLine progress={progress} operation="sync" />
        {result && (
          <>
            <div className={s.tiles} data-testid="tasks-sync-result">
              <Tile testId="tasks-sync-planner-created" label={t('sync.toPlannerCreated')} value={result.toPlanner.created} />
              <Tile testId="tasks-sync-planner-updated" label={t('sync.toPlannerUpdated')} value={result.toPlanner.updated} />
              <Tile testId="tasks-sync-commerce-created" label={t('sync.toCommerceCreated')} value={result.toCommerce.created} />
              <Tile testId="tasks-sync-commerce-updated" label={t('sync.toCommerceUpdated')} value={result.toCommerce.updated} />
              <Tile testId="tasks-sync-conflicts" label={t('sync.conflicts')} value={result.conflicts} />
              <Tile testId="tasks-sync-failed" label={t('sync.failed')} value={result.failed.length} />
            </div>
            {result.failed.length > 0 && (
              <ul className={s.list} data-testid="tasks-sync-failures">
                {result.failed.map((f) => <li key={f.key}><span className={s.mono}>{f.key}</span> — {code('failure', f)}</li>)}
              </ul>
            )}
          </>
        )}
        <Text size={200} className={s.muted}>{t('sync.mapping')}</Text>
      </Card>

      <Card className={s.card} data-testid="tasks-conflicts">
        <CardHeader header={<Text weight="semibold">{t('conflicts.title', { n: conflicts.length })}</Text>} description={<Text size={200}>{t('conflicts.intro')}</Text>} />
        {conflicts.length === 0 ? (
          <Text className={s.muted} data-testid="tasks-conflicts-none">{t('conflicts.none')}</Text>
        ) : (
          <div className={s.tableWrap}>
            <Table size="small" aria-label={t('conflicts.table')}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('col.store')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.task')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.field')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.commerce')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.planner')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.actions')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {conflicts.map((c) => (
                  <TableRow key={c.id} data-testid={`tasks-conflict-${c.id}`}>
                    <TableCell>{c.storeNumber}</TableCell>
                    <TableCell>{c.title}</TableCell>
                    <TableCell><Badge appearance="outline">{t(`field.${c.field}`)}</Badge></TableCell>
                    <TableCell data-testid={`tasks-conflict-${c.id}-commerce`}>{value(c, c.commerceValue)}</TableCell>
                    <TableCell data-testid={`tasks-conflict-${c.id}-planner`}>{value(c, c.plannerValue)}</TableCell>
                    <TableCell>
                      <div className={s.toolbar}>
                        <Button size="small" disabled={!!busy[`resolve:${c.id}`] || !engine} data-testid={`tasks-conflict-${c.id}-keep-commerce`} onClick={() => void store().resolve(c.id, 'commerce')}>{t('conflicts.keepCommerce')}</Button>
                        <Button size="small" disabled={!!busy[`resolve:${c.id}`] || !engine} data-testid={`tasks-conflict-${c.id}-keep-planner`} onClick={() => void store().resolve(c.id, 'planner')}>{t('conflicts.keepPlanner')}</Button>
                      </div>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </Card>

      {schedule && (
        <Card className={s.card} data-testid="tasks-schedule">
          <CardHeader
            header={<Text weight="semibold">{t('schedule.title')}</Text>}
            description={
              <span className={s.switchRow}>
                <Text size={200}>{t('schedule.entry', { entry: schedule.entry })}</Text>
                <Badge data-testid="tasks-schedule-status" appearance="outline" style={{ whiteSpace: 'nowrap' }}>
                  {schedule.status ? t(`queue.${schedule.status === 'On Hold with Inactivity Timeout' ? 'On Hold' : schedule.status}`) : t('schedule.noEntry')}
                </Badge>
              </span>
            }
          />
          <div className={s.toolbar}>
            <Switch checked={on} onChange={(_, d) => setOn(d.checked)} label={t('schedule.enabled')} data-testid="tasks-schedule-enabled" />
            <Field label={t('schedule.every')}>
              <SpinButton data-testid="tasks-schedule-every" value={every} min={1} max={10080} onChange={(_, d) => setEvery(Number(d.value ?? d.displayValue ?? every) || every)} />
            </Field>
            <Button icon={<SaveRegular />} disabled={!!busy.schedule} data-testid="tasks-schedule-save" onClick={() => void store().saveSchedule({ enabled: on, everyMinutes: every })}>{t('schedule.save')}</Button>
          </div>
          <Text size={200} className={s.muted}>
            {t('schedule.times', { next: when(schedule.nextRunAt), last: when(schedule.lastFinishedAt) })}
          </Text>
          {on && !settings?.enabled && <Text size={200} data-testid="tasks-schedule-held">{t('schedule.held')}</Text>}
        </Card>
      )}
    </>
  );
}
