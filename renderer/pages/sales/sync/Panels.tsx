import {
  Button,
  Card,
  CardHeader,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { useSyncStore } from '../../../stores/sync';
import { reasonText, retryDirection, when } from './format';

/** Reasons that hold for the whole queue (said once above the entries). */
const QUEUE_WIDE = new Set(['queueNotEnabled', 'heldForInitialSync', 'queueNotTicking']);

const useStyles = makeStyles({
  bar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  id: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  message: { whiteSpace: 'pre-wrap', wordBreak: 'break-word' },
  why: { display: 'block', maxWidth: '320px', color: tokens.colorPaletteDarkOrangeForeground1 },
  overdue: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  last: { display: 'block', color: tokens.colorNeutralForeground3 },
});

/** Skipped records of one mapping (E.7): Restore (clear Skipped), Retry (restore + synchronize now), Delete coupling. */
export function SkippedPanel() {
  const { t: ts } = useTranslation('sync');
  const s = useStyles();
  const { skipped, status, busy, restore, uncouple, moreSkipped, closeSkipped } = useSyncStore();
  if (!skipped) return null;
  const m = status?.mappings.find((x) => x.name === skipped.mapping);
  const working = !!busy[`restore:${skipped.mapping}`] || !!busy[`uncouple:${skipped.mapping}`];
  return (
    <Card data-testid="sync-skipped">
      <CardHeader
        header={<Text weight="semibold">{ts('skipped.title', { mapping: skipped.mapping })}</Text>}
        action={
          <div className={s.bar}>
            <Button disabled={working || skipped.list.length === 0} onClick={() => void restore(skipped.mapping, 'all', null)}>
              {ts('skipped.restoreAll')}
            </Button>
            <Button appearance="subtle" onClick={closeSkipped}>
              {ts('actions.close')}
            </Button>
          </div>
        }
      />
      <Text size={200}>{ts('skipped.hint')}</Text>
      {skipped.list.length === 0 ? (
        <Text>{ts('skipped.empty')}</Text>
      ) : (
        <Table size="small" aria-label={ts('skipped.title', { mapping: skipped.mapping })}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{ts('skipped.record')}</TableHeaderCell>
              <TableHeaderCell>{ts('skipped.error')}</TableHeaderCell>
              <TableHeaderCell />
            </TableRow>
          </TableHeader>
          <TableBody>
            {skipped.list.map((r) => (
              <TableRow key={r.rowId}>
                <TableCell>
                  <div className={s.id}>BC {r.bcId ?? '—'}</div>
                  <div className={s.id}>DV {r.dataverseId}</div>
                </TableCell>
                <TableCell>
                  <span className={s.message}>{r.errorTo ?? r.errorFrom ?? ''}</span>
                </TableCell>
                <TableCell>
                  {r.bcId ? (
                    <div className={s.bar}>
                      <Button size="small" disabled={working} onClick={() => void restore(skipped.mapping, [r.bcId!], null)}>
                        {ts('skipped.restore')}
                      </Button>
                      <Button size="small" disabled={working || !m} onClick={() => m && void restore(skipped.mapping, [r.bcId!], retryDirection(m, r))}>
                        {ts('skipped.retry')}
                      </Button>
                      <Button size="small" disabled={working} onClick={() => void uncouple(skipped.mapping, [r.bcId!])}>
                        {ts('skipped.deleteCoupling')}
                      </Button>
                    </div>
                  ) : (
                    <Text size={200}>{ts('skipped.noBcRecord')}</Text>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {skipped.next !== null ? <Button onClick={() => void moreSkipped()}>{ts('skipped.more')}</Button> : null}
    </Card>
  );
}

/** Job queue entries with Hold / Resume / Run now. */
export function QueueCard() {
  const { t: ts, i18n } = useTranslation('sync');
  const s = useStyles();
  const { queue, busy, queueAction } = useSyncStore();
  // Rendering time is enough for "overdue": the page refreshes after every run and on demand.
  const now = Date.now();
  // Reasons that hold for the whole queue are said once above the table instead of on every entry.
  const wide = [...new Set(queue.flatMap((e) => (e.blockedBy && QUEUE_WIDE.has(e.blockedBy.code) ? [e.blockedBy.code] : [])))];
  return (
    <Card data-testid="sync-queue">
      <CardHeader header={<Text weight="semibold">{ts('queue.title')}</Text>} />
      <Text size={200}>{ts('queue.hint')}</Text>
      {wide.map((code) => (
        <MessageBar key={code} intent="warning" data-testid={`sync-queue-wide-${code}`}>
          <MessageBarBody>{ts('queue.wide', { count: queue.filter((e) => e.blockedBy?.code === code).length, why: reasonText(ts, { code, params: {} }) })}</MessageBarBody>
        </MessageBar>
      ))}
      <Table size="small" aria-label={ts('queue.title')}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{ts('queue.name')}</TableHeaderCell>
            <TableHeaderCell>{ts('table.status')}</TableHeaderCell>
            <TableHeaderCell>{ts('queue.every')}</TableHeaderCell>
            <TableHeaderCell>{ts('queue.next')}</TableHeaderCell>
            <TableHeaderCell>{ts('queue.lastError')}</TableHeaderCell>
            <TableHeaderCell />
          </TableRow>
        </TableHeader>
        <TableBody>
          {queue.map((e) => {
            const b = !!busy[`queue:${e.name}`];
            const held = e.status === 'On Hold';
            const overdue = e.status === 'Ready' && e.earliestStart < now - 60_000;
            return (
              <TableRow key={e.name} data-testid={`sync-queue-${e.name}`}>
                <TableCell>
                  <Text weight="semibold">{e.name}</Text>
                  <br />
                  <Text size={200}>{e.description}</Text>
                </TableCell>
                <TableCell>
                  {ts(`queueStatus.${e.status}`)}
                  {e.lastFinishedAt !== null ? (
                    <Text size={200} className={s.last} data-testid={`sync-queue-last-${e.name}`} data-at={e.lastFinishedAt}>
                      {ts('queue.lastRun', { when: when(e.lastFinishedAt, i18n.language) })}
                    </Text>
                  ) : null}
                  {e.blockedBy && !QUEUE_WIDE.has(e.blockedBy.code) ? (
                    <Text size={200} className={s.why} data-testid={`sync-queue-why-${e.name}`}>
                      {reasonText(ts, e.blockedBy)}
                    </Text>
                  ) : null}
                </TableCell>
                <TableCell>{e.everyMinutes === null ? '—' : ts('queue.minutes', { count: e.everyMinutes })}</TableCell>
                <TableCell>
                  {overdue ? <span className={s.overdue} data-testid={`sync-queue-overdue-${e.name}`}>{ts('queue.overdue', { when: when(e.earliestStart, i18n.language) })}</span> : when(e.earliestStart, i18n.language)}
                </TableCell>
                <TableCell>
                  <span className={s.message}>{e.lastError ?? ''}</span>
                </TableCell>
                <TableCell>
                  <div className={s.bar}>
                    {held ? (
                      <Button size="small" disabled={b} onClick={() => void queueAction(e.name, 'resume')}>
                        {ts('queue.resume')}
                      </Button>
                    ) : (
                      <Button size="small" disabled={b || e.status === 'In Process'} onClick={() => void queueAction(e.name, 'hold')}>
                        {ts('queue.hold')}
                      </Button>
                    )}
                    <Button size="small" disabled={b || e.status === 'In Process'} onClick={() => void queueAction(e.name, 'run')}>
                      {ts('queue.runNow')}
                    </Button>
                  </div>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Card>
  );
}
