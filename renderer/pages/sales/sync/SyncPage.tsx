import { ConfirmDialog } from '../../../components/ConfirmDialog';
import {
  Badge,
  Button,
  Card,
  CardHeader,
  makeStyles,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncJobDto, SyncMappingStatus, SyncProgress } from '../../../../preload/contract';
import { NotCarriedLine } from '../../../components/NotCarried';
import { MAPPING_TEXTS } from '../../../../preload/contract/sales/mapping-texts';
import { useSyncStore } from '../../../stores/sync';
import { useBcTableCaption } from '../mappings/findings';
import { processed, progressValue, reasonText, SHOWN_COUNTERS, when } from './format';
import { JobLog } from './JobLog';
import { QueueCard, SkippedPanel } from './Panels';
import { ReviewPanel } from './ReviewPanel';
import { ErrorBar, errorText } from '../../../components/ErrorBar';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1300px' },
  bar: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  counters: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  small: { color: tokens.colorNeutralForeground3 },
  progress: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, maxWidth: '180px' },
  reason: { display: 'block', maxWidth: '420px', color: tokens.colorPaletteDarkOrangeForeground1 },
  blocked: { display: 'block', maxWidth: '260px', color: tokens.colorNeutralForeground3 },
});

/** The status names a BC table by its English caption: its id, for the caption in the UI language. */
const BC_TABLE_IDS = new Map(Object.entries(MAPPING_TEXTS.en.bcTableCaption).map(([id, caption]) => [caption, Number(id)]));

/** Reasons that hold for the whole queue: said once (the banner, the queue card), not on every row. */
const QUEUE_WIDE = new Set(['queueNotEnabled', 'heldForInitialSync', 'queueNotTicking']);

function Counters({ job }: { job: Pick<SyncJobDto, (typeof SHOWN_COUNTERS)[number]> }) {
  const { t: ts } = useTranslation('sync');
  const s = useStyles();
  return (
    <span className={s.counters}>
      {SHOWN_COUNTERS.map((c) => (
        <Badge key={c} appearance="tint" color={c === 'failed' && job[c] > 0 ? 'danger' : c === 'skipped' && job[c] > 0 ? 'warning' : 'informative'}>
          {ts(`counter.${c}`, { count: job[c] })}
        </Badge>
      ))}
    </span>
  );
}

function LastRun({ job }: { job: SyncJobDto | null }) {
  const { t: ts, i18n } = useTranslation('sync');
  const s = useStyles();
  if (!job) return <Text className={s.small}>{ts('table.never')}</Text>;
  return (
    <div>
      <Counters job={job} />
      <Text size={200} className={s.small}>
        {job.finishedAt === null ? ts('table.unfinished') : when(job.finishedAt, i18n.language)}
      </Text>
    </div>
  );
}

function Progress({ p, couplings }: { p: SyncProgress; couplings: number }) {
  const { t: ts } = useTranslation('sync');
  const s = useStyles();
  const dir = p.direction ? ts(`direction.${p.direction}`) : '';
  return (
    <div className={s.progress} data-testid={`sync-progress-${p.mapping}`} data-phase={p.phase}>
      <ProgressBar value={progressValue(p, couplings)} thickness="large" aria-label={ts('progress.label', { mapping: p.mapping })} />
      <Text size={200}>
        {ts(`phase.${p.phase}`)} {dir} · {ts('progress.processed', { count: processed(p.counters) })} · {ts('counter.failed', { count: p.counters.failed })}
      </Text>
    </div>
  );
}

export function SyncPage() {
  const { t: ts, i18n } = useTranslation('sync');
  const s = useStyles();
  const bcCaption = useBcTableCaption();
  const { status, live, busy, error, notice, init, refresh, run, cancel, openSkipped, clearError, clearNotice, releaseInitialHold, requestReview, lastFinished, clearFinished } = useSyncStore();
  // A run that ended without a job for some mapping (it cannot run, the connection failed) says so here, never silently.
  const problems = (lastFinished?.results ?? []).filter((r) => r.error && r.error.code !== 'SYNC_REVIEW_LINE_FAILED' && r.mapping !== '');
  const [confirmFull, setConfirmFull] = useState<{ mapping: string | null } | null>(null);
  useEffect(() => {
    void init();
  }, [init]);

  const source = status?.source;
  const anyRunning = !!status?.mappings.some((m) => m.running) || Object.values(live).some((p) => !p.done);
  const held = status?.heldForInitialSync ?? [];
  const statusOf = (m: SyncMappingStatus): { key: string; color: 'success' | 'danger' | 'informative' | 'warning' } => {
    const p = live[m.name];
    if (!m.runnable) return { key: 'status.cannotRun', color: 'warning' };
    if (m.running || (p && !p.done)) return { key: 'status.running', color: 'informative' };
    const jobs = [m.lastTo, m.lastFrom].filter((j): j is SyncJobDto => j !== null);
    if (jobs.length === 0) return { key: 'status.never', color: 'warning' };
    // The engine leaves the message empty on a clean pass; failures, configuration problems and interruptions say why.
    if (jobs.some((j) => j.failed > 0 || j.message !== '')) return { key: 'status.attention', color: 'danger' };
    return { key: 'status.ok', color: 'success' };
  };

  return (
    <section className={s.page} data-testid="sync-page" aria-labelledby="sync-title">
      <Title2 as="h1" id="sync-title">{ts('title')}</Title2>
      <Text>{ts('intro')}</Text>
      {source?.kind === 'demo' ? (
        <MessageBar intent="info" data-testid="sync-source">
          <MessageBarBody>{ts('source.demo', { dataverse: source.dataverse?.name ?? '', bc: source.bc?.name ?? '' })}</MessageBarBody>
        </MessageBar>
      ) : source?.kind === 'setup' ? (
        <Text data-testid="sync-source">{ts('source.setup', { dataverse: source.dataverse?.name ?? '', bc: source.bc?.name ?? '' })}</Text>
      ) : source ? (
        <MessageBar intent="warning" data-testid="sync-source">
          <MessageBarBody>{ts('source.none')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {error ? <ErrorBar error={error} testId="sync-error" onDismiss={clearError} /> : null}
      {notice ? (
        <MessageBar intent="success">
          <MessageBarBody>
            {ts(notice.key, notice.params ?? {})}{' '}
            <Button appearance="transparent" size="small" onClick={clearNotice}>
              {ts('actions.dismiss')}
            </Button>
          </MessageBarBody>
        </MessageBar>
      ) : null}

      {problems.length > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="sync-run-problems">
          <MessageBarBody>
            {ts('finished.problems', { count: problems.length })}
            <ul>
              {problems.map((r) => (
                <li key={r.mapping}>
                  <strong>{r.mapping}</strong>: {errorText(ts, r.error!)}
                </li>
              ))}
            </ul>
            <Button appearance="transparent" size="small" onClick={clearFinished}>
              {ts('actions.dismiss')}
            </Button>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {held.length > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="sync-initial-hold">
          <MessageBarBody>
            {ts('initialHold.text', { count: held.length })}{' '}
            <Button size="small" appearance="primary" data-testid="sync-initial-hold-review" onClick={requestReview}>
              {ts('initialHold.openReview')}
            </Button>{' '}
            <Button size="small" data-testid="sync-initial-hold-resume" disabled={!!busy.releaseHold} onClick={() => void releaseInitialHold()}>
              {ts('initialHold.resume')}
            </Button>
          </MessageBarBody>
        </MessageBar>
      ) : null}

      <div className={s.bar}>
        <Button appearance="primary" data-testid="sync-run-all" disabled={source?.kind === 'none' || !!busy['run:*']} onClick={() => void run(null, false)}>
          {ts('actions.runAll')}
        </Button>
        <Button data-testid="sync-full-all" disabled={source?.kind === 'none'} onClick={() => setConfirmFull({ mapping: null })}>
          {ts('actions.fullAll')}
        </Button>
        <Button appearance="subtle" onClick={() => void refresh()} disabled={!!busy.refresh}>
          {ts('actions.refresh')}
        </Button>
        {anyRunning ? <Text className={s.small}>{ts('progress.hint')}</Text> : null}
      </div>

      <Card>
        <CardHeader header={<Text weight="semibold">{ts('table.title')}</Text>} />
        <Table aria-label={ts('table.title')} size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{ts('table.mapping')}</TableHeaderCell>
              <TableHeaderCell>{ts('table.direction')}</TableHeaderCell>
              <TableHeaderCell>{ts('table.lastTo')}</TableHeaderCell>
              <TableHeaderCell>{ts('table.lastFrom')}</TableHeaderCell>
              <TableHeaderCell>{ts('table.status')}</TableHeaderCell>
              <TableHeaderCell>{ts('table.nextRun')}</TableHeaderCell>
              <TableHeaderCell>{ts('table.actions')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {(status?.mappings ?? []).map((m) => {
              const p = live[m.name];
              const st = statusOf(m);
              const runningId = m.running?.runId ?? (p && !p.done ? p.runId : null);
              return (
                <TableRow key={m.name} data-testid={`sync-row-${m.name}`}>
                  <TableCell>
                    <Text weight="semibold">{m.name}</Text>
                    <br />
                    <Text size={200} className={s.small}>
                      {bcCaption({ bcTableId: BC_TABLE_IDS.get(m.bcTable) ?? -1, bcTable: m.bcTable })} ⇄ {m.dataverseEntity} · {ts('table.couplings', { count: m.couplings })}
                    </Text>
                    {m.reason ? (
                      <Text size={200} className={s.reason} data-testid={`sync-reason-${m.name}`}>
                        {reasonText(ts, m.reason)}
                      </Text>
                    ) : null}
                    <NotCarriedLine mapping={m.name} />
                  </TableCell>
                  <TableCell>{ts(`mappingDirection.${m.direction}`)}</TableCell>
                  <TableCell>{m.direction === 'FromIntegrationTable' ? '—' : <LastRun job={m.lastTo} />}</TableCell>
                  <TableCell>{m.direction === 'ToIntegrationTable' ? '—' : <LastRun job={m.lastFrom} />}</TableCell>
                  <TableCell>
                    {p ? <Progress p={p} couplings={m.couplings} /> : <Badge color={st.color}>{ts(st.key)}</Badge>}
                  </TableCell>
                  <TableCell>
                    {m.queue ? (
                      <>
                        <Text size={200}>{ts(`queueStatus.${m.queue.status}`)}</Text>
                        <br />
                        <Text size={200} className={s.small}>
                          {when(m.queue.earliestStart, i18n.language)}
                        </Text>
                        {m.queue.blockedBy && m.runnable && !QUEUE_WIDE.has(m.queue.blockedBy.code) ? (
                          <Text size={200} className={s.blocked} data-testid={`sync-row-blocked-${m.name}`}>
                            {reasonText(ts, m.queue.blockedBy)}
                          </Text>
                        ) : null}
                      </>
                    ) : (
                      '—'
                    )}
                  </TableCell>
                  <TableCell>
                    <div className={s.bar}>
                      {runningId ? (
                        <Button size="small" onClick={() => void cancel(runningId)} disabled={!!busy[`cancel:${runningId}`]}>
                          {ts('actions.cancel')}
                        </Button>
                      ) : (
                        <>
                          <Button size="small" appearance="primary" data-testid={`sync-run-${m.name}`} disabled={source?.kind === 'none' || !m.runnable || !!busy[`run:${m.name}`]} onClick={() => void run(m.name, false)}>
                            {ts('actions.run')}
                          </Button>
                          <Button size="small" data-testid={`sync-full-${m.name}`} disabled={source?.kind === 'none' || !m.runnable} onClick={() => setConfirmFull({ mapping: m.name })}>
                            {ts('actions.full')}
                          </Button>
                        </>
                      )}
                      {m.skipped > 0 ? (
                        <Button size="small" appearance="subtle" onClick={() => void openSkipped(m.name)}>
                          {ts('actions.skipped', { count: m.skipped })}
                        </Button>
                      ) : null}
                    </div>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Card>

      <SkippedPanel />
      <ReviewPanel />
      <JobLog mappings={(status?.mappings ?? []).map((m) => m.name)} />
      <QueueCard />

      <ConfirmDialog
        open={confirmFull !== null}
        title={confirmFull?.mapping ? ts('full.titleOne', { mapping: confirmFull.mapping }) : ts('full.titleAll')}
        cancelLabel={ts('actions.cancelDialog')}
        confirmLabel={ts('full.confirm')}
        confirmTestId="sync-full-confirm"
        onCancel={() => setConfirmFull(null)}
        onConfirm={() => {
          const m = confirmFull?.mapping ?? null;
          setConfirmFull(null);
          void run(m, true);
        }}
      >
        <p>{ts('full.what')}</p>
        <p>
          <strong>{ts('full.risk')}</strong>
        </p>
        <p>{ts('full.advice')}</p>
      </ConfirmDialog>
    </section>
  );
}
