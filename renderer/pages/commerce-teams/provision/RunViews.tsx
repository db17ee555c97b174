import {
  Badge,
  Button,
  Card,
  CardHeader,
  Checkbox,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular, DismissRegular } from '@fluentui/react-icons';
import { Fragment, useEffect, useState } from 'react';
import type { TeamsRun, TeamsRunCounts, TeamsRunDetail } from '../../../../preload/contract';
import { ErrorBar, errorText } from '../../../components/ErrorBar';
import { CODES, CopyId, secondsLeft, ShortId, useCommonStyles, useNow, useT, when } from '../setup/common';
import { ACTION_COLORS, memberErrorText, reasonText } from './PlanView';
import { useTeamsProvisionStore } from './store';

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  counts: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  detail: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: tokens.spacingVerticalS },
  errors: { margin: 0, paddingLeft: tokens.spacingHorizontalL, color: tokens.colorPaletteRedForeground1 },
  scroll: { maxHeight: '320px', overflowY: 'auto' },
  w14: { width: '14%' },
  w16: { width: '16%' },
  w22: { width: '22%' },
  schedule: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'flex-end', flexWrap: 'wrap' },
  minutes: { width: '140px' },
});

const STATE_COLORS: Record<TeamsRun['state'], 'informative' | 'success' | 'warning' | 'danger' | 'subtle'> = {
  running: 'informative', succeeded: 'success', partial: 'warning', failed: 'danger', cancelled: 'subtle', interrupted: 'warning',
};
const SHOWN: (keyof TeamsRunCounts)[] = ['teamsCreated', 'ownersAdded', 'membersAdded', 'membersRemoved', 'storesFailed'];

export function Counts({ counts }: { counts: TeamsRunCounts }) {
  const { t: tt } = useT();
  const st = useStyles();
  return (
    <span className={st.counts}>
      {SHOWN.map((k) => (
        <Badge key={k} appearance="tint" color={k === 'storesFailed' && counts[k] > 0 ? 'danger' : 'informative'} data-testid={`ct-count-${k}`} data-count={counts[k]}>
          {tt(`count.${k}`, { count: counts[k] })}
        </Badge>
      ))}
    </span>
  );
}

/** The run this window follows: overall progress, Graph's throttling with its Retry-After countdown, Cancel. */
export function LiveRunPanel() {
  const { t: tt } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const live = useTeamsProvisionStore((x) => x.live);
  const busyCancel = useTeamsProvisionStore((x) => !!x.busy.cancel);
  const throttledLeft = live?.throttled && live.throttled.retryAfterSeconds !== undefined ? live.throttled : null;
  const now = useNow(!!throttledLeft && !live?.finished);
  if (!live) return null;
  const counts = live.counts ?? live.last?.counts ?? null;
  const ended = live.finished ? live.last?.phase ?? 'done' : null;
  const total = counts?.storesPlanned ?? 0;
  const finished = counts ? counts.storesDone + counts.storesFailed : 0;
  const wait = throttledLeft ? secondsLeft(throttledLeft.at, throttledLeft.retryAfterSeconds!, now) : 0;
  return (
    <Card className={st.card} data-testid="ct-live-run" data-run={live.runId} data-ended={ended ?? ''}>
      <CardHeader
        header={<Text as="h2" weight="semibold" size={500} className={s.h2}>{ended ? tt(`runEnded.${ended}`) : tt('run.running')}</Text>}
        description={
          <span className={s.row}>
            <Text size={200} className={s.hint}>{tt('run.id')}</Text>
            <Text size={200} className={s.mono}>{live.runId}</Text>
            <CopyId value={live.runId} label={tt('copyRunId')} />
          </span>
        }
        action={
          !ended ? (
            <Button data-testid="ct-cancel" className={s.nowrap} icon={<DismissRegular />} disabled={busyCancel} onClick={() => void useTeamsProvisionStore.getState().cancel()}>
              {tt('run.cancel')}
            </Button>
          ) : undefined
        }
      />
      {!ended && wait > 0 ? (
        <MessageBar intent="warning" data-testid="ct-throttle-banner" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{tt('run.throttledTitle')}</MessageBarTitle>
            <span data-testid="ct-throttle-seconds" data-seconds={wait}>{tt('run.throttled', { seconds: wait })}</span>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {!ended ? (
        <>
          <ProgressBar data-testid="ct-run-progress" thickness="large" value={total ? finished / total : undefined} aria-label={tt('run.progressLabel')} />
          <Text size={200}>{total ? tt('run.stores', { done: finished, total }) : tt(`phase.${live.last?.phase ?? 'planning'}`, { ns: CODES })}</Text>
        </>
      ) : null}
      {live.last?.phase === 'failed' && live.last.error ? <Text className={useCommonStyles().error}>{memberErrorText(tt, live.last.error)}</Text> : null}
      {counts ? <Counts counts={counts} /> : null}
      <Text size={200} className={s.hint}>{ended ? tt('run.endedHint') : tt('run.hint')}</Text>
    </Card>
  );
}

function RunDetail({ d }: { d: TeamsRunDetail }) {
  const { t: tt } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const changed = d.stores.filter((x) => x.action === 'create' || x.action === 'update' || x.state === 'failed');
  const byStore = new Map<string, TeamsRunDetail['errors']>();
  for (const e of d.errors) byStore.set(e.storeNumber, [...(byStore.get(e.storeNumber) ?? []), e]);
  return (
    <div className={st.detail} data-testid={`ct-run-detail-${d.runId}`}>
      {d.error ? <ErrorBar error={d.error} /> : null}
      <Text weight="semibold">{tt('history.changed', { count: changed.length })}</Text>
      {changed.length ? (
        <div className={st.scroll}>
        <Table size="extra-small" aria-label={tt('history.changedLabel')}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{tt('plan.col.store')}</TableHeaderCell>
              <TableHeaderCell>{tt('plan.col.team')}</TableHeaderCell>
              <TableHeaderCell>{tt('plan.col.action')}</TableHeaderCell>
              <TableHeaderCell>{tt('history.state')}</TableHeaderCell>
              <TableHeaderCell>{tt('plan.col.owners')}</TableHeaderCell>
              <TableHeaderCell>{tt('plan.col.members')}</TableHeaderCell>
              <TableHeaderCell>{tt('history.errors')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {changed.map((x) => (
              <TableRow key={x.storeNumber} data-testid={`ct-run-store-${x.storeNumber}`} data-state={x.state}>
                <TableCell>{x.storeNumber === 'communications' ? tt('plan.comms.name') : x.storeNumber}</TableCell>
                <TableCell>
                  {x.teamId ? <ShortId id={x.teamId} label={tt('copyTeamId')} /> : '—'}
                </TableCell>
                <TableCell>
                  <Badge className={s.nowrap} appearance="tint" color={ACTION_COLORS[x.action]}>{tt(`action.${x.action}`)}</Badge> <Text size={200}>{reasonText(tt, x.reason)}</Text>
                </TableCell>
                <TableCell>{tt(`storeState.${x.state}`, { ns: CODES })}</TableCell>
                <TableCell>{x.owners.add.length || x.owners.remove.length ? `+${x.owners.add.length} / −${x.owners.remove.length}` : '—'}</TableCell>
                <TableCell>{x.members.add.length || x.members.remove.length ? `+${x.members.add.length} / −${x.members.remove.length}` : '—'}</TableCell>
                <TableCell>
                  {(byStore.get(x.storeNumber) ?? []).length ? (
                    <ul className={st.errors}>
                      {byStore.get(x.storeNumber)!.map((e, i) => (
                        <li key={i}>{memberErrorText(tt, e)}</li>
                      ))}
                    </ul>
                  ) : (
                    '—'
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        </div>
      ) : null}
      {[...byStore.entries()].filter(([sn]) => !changed.some((x) => x.storeNumber === sn)).map(([sn, errs]) => (
        <div key={sn}>
          <Text weight="semibold">{sn === 'communications' ? tt('plan.comms.name') : sn}</Text>
          <ul className={st.errors}>
            {errs.map((e, i) => (
              <li key={i}>{memberErrorText(tt, e)}</li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

export function RunHistory() {
  const { t: tt, i18n } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const runs = useTeamsProvisionStore((x) => x.runs);
  const details = useTeamsProvisionStore((x) => x.details);
  const busy = useTeamsProvisionStore((x) => x.busy);
  const enabled = useTeamsProvisionStore((x) => !!x.config?.enabled);
  const anyRunning = runs.some((r) => r.state === 'running');
  const store = useTeamsProvisionStore.getState;
  return (
    <Card className={st.card} data-testid="ct-history">
      <CardHeader
        header={<Text as="h2" weight="semibold" size={500} className={s.h2}>{tt('history.title')}</Text>}
        description={tt('history.help')}
        action={<Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void store().loadRuns()}>{tt('history.refresh')}</Button>}
      />
      {runs.length === 0 ? <Text className={s.hint}>{tt('history.none')}</Text> : null}
      {runs.length ? (
        <Table size="small" aria-label={tt('history.title')}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={st.w16}>{tt('history.started')}</TableHeaderCell>
              <TableHeaderCell className={st.w16}>{tt('history.trigger')}</TableHeaderCell>
              <TableHeaderCell className={st.w14}>{tt('history.state')}</TableHeaderCell>
              <TableHeaderCell>{tt('history.what')}</TableHeaderCell>
              <TableHeaderCell className={st.w22}>{tt('history.actions')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {runs.map((r) => {
              const open = !!details[r.runId];
              return (
                <Fragment key={r.runId}>
                  <TableRow data-testid={`ct-run-${r.runId}`} data-state={r.state}>
                    <TableCell>
                      <Text size={200}>{when(r.startedAt, i18n.language)}</Text>
                      <br />
                      <span className={s.row}>
                        <Text size={200} className={s.mono}>{r.runId.slice(0, 8)}</Text>
                        <CopyId value={r.runId} label={tt('copyRunId')} />
                      </span>
                    </TableCell>
                    <TableCell>
                      <Text size={200}>{tt(`trigger.${r.trigger}`, { ns: CODES })}</Text>
                      {r.prune ? <><br /><Badge size="small" color="warning">{tt('history.pruned')}</Badge></> : null}
                      {r.storeNumbers ? <><br /><Text size={200}>{tt('history.stores', { count: r.storeNumbers.length })}</Text></> : null}
                    </TableCell>
                    <TableCell>
                      <Badge color={STATE_COLORS[r.state]}>{tt(`state.${r.state}`, { ns: CODES })}</Badge>
                      {r.error ? <><br /><Text size={200} className={s.error}>{errorText(tt, r.error)}</Text></> : null}
                    </TableCell>
                    <TableCell><Counts counts={r.counts} /></TableCell>
                    <TableCell>
                      <span className={s.row}>
                        <Button size="small" aria-expanded={open} data-testid={`ct-run-details-${r.runId}`} disabled={!!busy[`detail:${r.runId}`]} onClick={() => void (open ? store().closeRun(r.runId) : store().openRun(r.runId))}>
                          {open ? tt('history.hide') : tt('history.details')}
                        </Button>
                        {r.counts.storesFailed > 0 && r.state !== 'running' ? (
                          <Button size="small" appearance="primary" data-testid={`ct-retry-${r.runId}`} disabled={!enabled || anyRunning || !!busy[`retry:${r.runId}`]} onClick={() => void store().retryFailed(r.runId)}>
                            {tt('history.retry', { count: r.counts.storesFailed })}
                          </Button>
                        ) : null}
                        {r.state === 'interrupted' || r.state === 'cancelled' ? (
                          <Button size="small" data-testid={`ct-resume-${r.runId}`} disabled={!enabled || anyRunning || !!busy[`resume:${r.runId}`]} onClick={() => void store().resume(r.runId)}>
                            {tt('history.resume')}
                          </Button>
                        ) : null}
                      </span>
                    </TableCell>
                  </TableRow>
                  {open ? (
                    <TableRow>
                      <TableCell colSpan={5}>
                        <RunDetail d={details[r.runId]!} />
                      </TableCell>
                    </TableRow>
                  ) : null}
                </Fragment>
              );
            })}
          </TableBody>
        </Table>
      ) : null}
    </Card>
  );
}

export function ScheduleCard() {
  const { t: tt, i18n } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const schedule = useTeamsProvisionStore((x) => x.schedule);
  const error = useTeamsProvisionStore((x) => x.scheduleError);
  const busy = useTeamsProvisionStore((x) => !!x.busy.schedule);
  const [draft, setDraft] = useState({ enabled: false, everyMinutes: '60', prune: false });
  useEffect(() => {
    if (schedule) setDraft({ enabled: schedule.enabled, everyMinutes: String(schedule.everyMinutes), prune: schedule.prune });
  }, [schedule]);
  const minutes = Number(draft.everyMinutes);
  const invalid = !Number.isInteger(minutes) || minutes < 5 || minutes > 7 * 24 * 60;
  const dirty = !!schedule && (schedule.enabled !== draft.enabled || String(schedule.everyMinutes) !== draft.everyMinutes || schedule.prune !== draft.prune);
  return (
    <Card className={st.card} data-testid="ct-schedule">
      <CardHeader header={<Text as="h2" weight="semibold" size={500} className={s.h2}>{tt('schedule.title')}</Text>} description={tt('schedule.help')} />
      <div className={st.schedule}>
        <Switch data-testid="ct-schedule-enabled" checked={draft.enabled} label={draft.enabled ? tt('schedule.on') : tt('schedule.off')} onChange={(_, d) => setDraft({ ...draft, enabled: d.checked })} />
        <Field label={tt('schedule.every')} validationMessage={invalid ? tt('schedule.invalid') : undefined} className={st.minutes}>
          <Input data-testid="ct-schedule-minutes" type="number" min={5} max={10080} value={draft.everyMinutes} onChange={(_, d) => setDraft({ ...draft, everyMinutes: d.value })} />
        </Field>
        <Checkbox data-testid="ct-schedule-prune" checked={draft.prune} label={tt('schedule.prune')} onChange={(_, d) => setDraft({ ...draft, prune: !!d.checked })} />
        <Button appearance="primary" data-testid="ct-schedule-save" disabled={invalid || !dirty || busy} onClick={() => void useTeamsProvisionStore.getState().saveSchedule({ enabled: draft.enabled, everyMinutes: minutes, prune: draft.prune })}>
          {tt('schedule.save')}
        </Button>
      </div>
      {error ? <ErrorBar error={error} testId="ct-schedule-error" /> : null}
      {schedule ? (
        <Text size={200} className={s.hint} data-testid="ct-schedule-state">
          {tt('schedule.state', {
            entry: schedule.entry,
            status: schedule.status ? tt(`queueStatus.${schedule.status}`) : tt('schedule.noEntry'),
            next: when(schedule.nextRunAt, i18n.language),
            last: when(schedule.lastFinishedAt, i18n.language),
          })}
          {schedule.lastError ? ` ${tt('schedule.lastError', { error: schedule.lastError })}` : ''}
        </Text>
      ) : null}
    </Card>
  );
}
