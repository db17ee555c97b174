import { ConfirmDialog } from '../../../components/ConfirmDialog';
import {
  Badge,
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
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncReview, SyncReviewLineDto } from '../../../../preload/contract';
import { useSyncStore } from '../../../stores/sync';
import { codeText, reasonText } from './format';
import { openMappingEditor } from './navigate';

const useStyles = makeStyles({
  // The page is a flex column inside a fixed-height scroller: without this the card shrinks and clips its rows.
  card: { flexShrink: 0 },
  bar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  small: { color: tokens.colorNeutralForeground3 },
  message: { whiteSpace: 'pre-wrap', wordBreak: 'break-word' },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  uncoupled: { display: 'block', color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  guide: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXS, maxWidth: '360px' },
});

const RECOMMENDATION = {
  'Full Synchronization': { key: 'full', color: 'warning' },
  'Couple Records': { key: 'couple', color: 'informative' },
  'No Records Found': { key: 'none', color: 'subtle' },
} as const;

type BadgeColor = 'success' | 'danger' | 'informative' | 'warning' | 'subtle';

function statusOf(l: SyncReviewLineDto, blocked: boolean): { key: string; color: BadgeColor } {
  if (!l.runnable && l.jobStatus === '') return { key: 'cannotRun', color: 'warning' };
  if (l.needsMatchFields && l.jobStatus === '') return { key: 'needsMatchFields', color: 'warning' };
  if (l.jobStatus === 'Success') return { key: 'success', color: 'success' };
  if (l.jobStatus === 'Error') return { key: 'error', color: 'danger' };
  if (l.jobStatus === 'In Process') return { key: 'inProcess', color: 'informative' };
  if (l.recommendation === 'No Records Found') return { key: 'nothing', color: 'subtle' };
  return blocked ? { key: 'blocked', color: 'warning' } : { key: 'notStarted', color: 'subtle' };
}

/**
 * The full synchronization review (E.12, BC page "CRM Full Synch. Review"): per Dataverse mapping its dependencies,
 * record counts on both sides and the Initial Synch Recommendation; Start runs the dependency cascade in main.
 */
export function ReviewPanel() {
  const { t: ts } = useTranslation('sync');
  const s = useStyles();
  const { review, busy, loadReview, startReview, cancel, retryReviewLine, focusReview, reviewShown } = useSyncStore();
  const [confirm, setConfirm] = useState(false);
  const running = review?.runId ?? null;
  const card = useRef<HTMLDivElement>(null);
  // Asked for from elsewhere (the setup's What next, the initial-hold banner, an error's Couple action): open it here.
  useEffect(() => {
    if (!focusReview) return;
    reviewShown();
    card.current?.scrollIntoView?.({ block: 'start' });
    if (!useSyncStore.getState().review) void loadReview(false);
  }, [focusReview, reviewShown, loadReview]);
  const count = (r: SyncReview, n: number) => (n >= r.countCap ? ts('review.atLeast', { cap: r.countCap }) : String(n));
  const uncoupled = (r: SyncReview, n: number, of: number) =>
    of > 0 ? <span className={s.uncoupled}>{n >= r.countCap ? ts('review.uncoupledAtLeast', { cap: r.countCap }) : ts('review.uncoupled', { count: n })}</span> : null;

  return (
    <Card className={s.card} data-testid="sync-review" ref={card}>
      <CardHeader
        header={<Text weight="semibold">{ts('review.title')}</Text>}
        action={
          review ? (
            <div className={s.bar}>
              {running ? (
                <Button onClick={() => void cancel(running)} disabled={!!busy[`cancel:${running}`]}>
                  {ts('actions.cancel')}
                </Button>
              ) : (
                <Button appearance="primary" data-testid="sync-review-start" disabled={review.startable.length === 0 || !!busy.startReview} onClick={() => setConfirm(true)}>
                  {ts('review.start')}
                </Button>
              )}
              <Button appearance="subtle" data-testid="sync-review-refresh" disabled={!!running || !!busy.review} onClick={() => void loadReview(true)}>
                {ts('review.recount')}
              </Button>
            </div>
          ) : null
        }
      />
      <Text size={200}>{ts('review.intro')}</Text>
      {!review ? (
        <div className={s.bar}>
          <Button data-testid="sync-review-open" disabled={!!busy.review} onClick={() => void loadReview(false)}>
            {busy.review ? ts('review.counting') : ts('review.open')}
          </Button>
        </div>
      ) : (
        <>
          {running ? <Text className={s.small}>{ts('review.running')}</Text> : null}
          {!running && review.finishedAt !== null ? (
            <MessageBar intent={review.cancelled ? 'warning' : 'info'} data-testid="sync-review-finished">
              <MessageBarBody>
                {review.cancelled ? `${ts('review.cancelled')} ` : ''}
                {ts('review.onlyCoupledReminder')}
              </MessageBarBody>
            </MessageBar>
          ) : null}
          {review.lines.some((l) => l.needsMatchFields && l.jobStatus === '') ? (
            <MessageBar intent="warning" layout="multiline" data-testid="sync-review-matchfields">
              <MessageBarBody>{ts('review.matchFieldsBanner', { names: review.lines.filter((l) => l.needsMatchFields && l.jobStatus === '').map((l) => l.name).join(', ') })}</MessageBarBody>
            </MessageBar>
          ) : null}
          <Table size="small" aria-label={ts('review.title')}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{ts('table.mapping')}</TableHeaderCell>
                <TableHeaderCell>{ts('review.dependencies')}</TableHeaderCell>
                <TableHeaderCell>{ts('table.direction')}</TableHeaderCell>
                <TableHeaderCell>{ts('review.bcCount')}</TableHeaderCell>
                <TableHeaderCell>{ts('review.dvCount')}</TableHeaderCell>
                <TableHeaderCell>{ts('review.recommendation')}</TableHeaderCell>
                <TableHeaderCell>{ts('table.status')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {review.lines.map((l) => {
                const waiting = review.blocked.find((b) => b.name === l.name)?.waitingFor ?? null;
                const st = statusOf(l, waiting !== null);
                const rec = RECOMMENDATION[l.recommendation];
                return (
                  <TableRow key={l.name} data-testid={`sync-review-line-${l.name}`} data-status={l.jobStatus || 'blank'}>
                    <TableCell>
                      <Text weight="semibold">{l.name}</Text>
                    </TableCell>
                    <TableCell>{l.dependencyFilter.length > 0 ? l.dependencyFilter.join(', ') : '—'}</TableCell>
                    <TableCell>{ts(`mappingDirection.${l.direction}`)}</TableCell>
                    <TableCell className={s.num}>
                      {count(review, l.counts.bc)}
                      {uncoupled(review, l.uncoupled.bc, l.counts.bc)}
                    </TableCell>
                    <TableCell className={s.num}>
                      {count(review, l.counts.dv)}
                      {uncoupled(review, l.uncoupled.dv, l.counts.dv)}
                    </TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={rec.color}>{ts(`review.rec.${rec.key}`)}</Badge>
                      {l.needsMatchFields && l.jobStatus === '' ? (
                        <div className={s.guide} data-testid={`sync-review-matchfields-${l.name}`}>
                          <Text size={200}>{ts('review.needsMatchFields', { mapping: l.name })}</Text>
                          <div className={s.bar}>
                            <Button size="small" appearance="primary" onClick={() => void openMappingEditor(l.name)}>
                              {ts('review.setMatchFields')}
                            </Button>
                            <Button size="small" data-testid={`sync-review-recheck-${l.name}`} disabled={!!running || !!busy[`retry:${l.name}`]} onClick={() => void retryReviewLine(l.name)}>
                              {ts('review.checkAgain')}
                            </Button>
                          </div>
                        </div>
                      ) : null}
                    </TableCell>
                    <TableCell>
                      <Badge color={st.color}>{ts(`review.status.${st.key}`)}</Badge>
                      {!l.runnable && l.reason ? (
                        <>
                          <br />
                          <Text size={200} className={s.message}>{reasonText(ts, l.reason)}</Text>
                        </>
                      ) : null}
                      {l.message ? (
                        <>
                          <br />
                          <Text size={200} className={s.message}>{codeText(ts, l.message, l.messageCode)}</Text>
                        </>
                      ) : null}
                      {l.jobStatus === 'Error' && !running ? (
                        <>
                          <br />
                          <Button size="small" data-testid={`sync-review-retry-${l.name}`} disabled={!!busy[`retry:${l.name}`]} onClick={() => void retryReviewLine(l.name)}>
                            {ts('review.retry')}
                          </Button>
                        </>
                      ) : null}
                      {waiting && waiting.length > 0 && !l.message ? (
                        <>
                          <br />
                          <Text size={200} className={s.small}>{ts('review.waitingFor', { names: waiting.join(', ') })}</Text>
                        </>
                      ) : null}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </>
      )}

      <ConfirmDialog
        open={confirm}
        title={ts('review.confirmTitle')}
        cancelLabel={ts('actions.cancelDialog')}
        confirmLabel={ts('review.start')}
        confirmTestId="sync-review-confirm"
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          void startReview();
        }}
      >
        <p>{ts('review.confirmStarts', { count: review?.startable.length ?? 0, names: review?.startable.join(', ') ?? '' })}</p>
        <p>{ts('review.confirmFull')}</p>
        <p>{ts('review.confirmCouple')}</p>
        <p>
          <strong>{ts('full.risk')}</strong>
        </p>
        <p>{ts('review.confirmAdvice')}</p>
      </ConfirmDialog>
    </Card>
  );
}
