import {
  Badge,
  Button,
  Card,
  CardHeader,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Dropdown,
  makeStyles,
  OverlayDrawer,
  Option,
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
import type { SyncErrorGroupDto, SyncJobErrorDto } from '../../../../preload/contract';
import { CopyButton } from '../../../components/CopyButton';
import { useReturnFocus } from '../../../components/useReturnFocus';
import { JOBS_PAGE, useSyncStore } from '../../../stores/sync';
import { codeText, when } from './format';
import { openMappingEditor } from './navigate';

const useStyles = makeStyles({
  bar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  message: { whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: tokens.fontFamilyBase },
  id: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground3 },
  errors: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  error: { borderLeft: `3px solid ${tokens.colorPaletteRedBorder2}`, paddingLeft: tokens.spacingHorizontalM },
  group: {
    display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, padding: tokens.spacingVerticalS,
    borderLeft: `3px solid ${tokens.colorPaletteRedBorder2}`, backgroundColor: tokens.colorNeutralBackground2,
  },
  count: { fontVariantNumeric: 'tabular-nums', fontWeight: tokens.fontWeightSemibold },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

const errorText = (e: SyncJobErrorDto) => [e.message, e.sourceId ? `source: ${e.sourceSide} ${e.sourceId}` : '', e.destinationId ? `destination: ${e.destinationId}` : '', e.detail ?? ''].filter(Boolean).join('\n');

/** The job log (newest first, paged) and the errors of one job, messages in full with a copy button. */
export function JobLog({ mappings }: { mappings: string[] }) {
  const { t: ts, i18n } = useTranslation('sync');
  const s = useStyles();
  const { jobs, busy, loadJobs, openErrors } = useSyncStore();
  const all = ts('jobs.allMappings');
  return (
    <>
      <Card data-testid="sync-jobs">
        <CardHeader
          header={<Text weight="semibold">{ts('jobs.title')}</Text>}
          action={
            <Dropdown
              aria-label={ts('jobs.filter')}
              value={jobs.mapping ?? all}
              selectedOptions={[jobs.mapping ?? '*']}
              onOptionSelect={(_, d) => void loadJobs(d.optionValue === '*' ? null : (d.optionValue ?? null), 0)}
            >
              <Option value="*">{all}</Option>
              {mappings.map((m) => (
                <Option key={m} value={m}>
                  {m}
                </Option>
              ))}
            </Dropdown>
          }
        />
        {jobs.list.length === 0 ? (
          <Text>{ts('jobs.empty')}</Text>
        ) : (
          <Table size="small" aria-label={ts('jobs.title')}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{ts('jobs.started')}</TableHeaderCell>
                <TableHeaderCell>{ts('table.mapping')}</TableHeaderCell>
                <TableHeaderCell>{ts('jobs.type')}</TableHeaderCell>
                <TableHeaderCell>{ts('table.direction')}</TableHeaderCell>
                <TableHeaderCell>{ts('jobs.counters')}</TableHeaderCell>
                <TableHeaderCell>{ts('jobs.message')}</TableHeaderCell>
                <TableHeaderCell />
              </TableRow>
            </TableHeader>
            <TableBody>
              {jobs.list.map((j) => (
                <TableRow key={j.id} data-testid={`sync-job-${j.id}`}>
                  <TableCell>{when(j.startedAt, i18n.language)}</TableCell>
                  <TableCell>{j.mapping}</TableCell>
                  <TableCell>{ts(`jobType.${j.type}`)}</TableCell>
                  <TableCell>{ts(`mappingDirection.${j.direction}`)}</TableCell>
                  <TableCell>
                    {ts('jobs.summary', { inserted: j.inserted, modified: j.modified, unchanged: j.unchanged, failed: j.failed, skipped: j.skipped, coupled: j.coupled, uncoupled: j.uncoupled })}
                  </TableCell>
                  <TableCell>
                    <span className={s.message}>{j.finishedAt === null ? ts('table.unfinished') : codeText(ts, j.message, j.messageCode)}</span>
                  </TableCell>
                  <TableCell>
                    {j.failed > 0 ? (
                      <Button size="small" data-testid={`sync-show-errors-${j.id}`} onClick={() => void openErrors(j)} disabled={!!busy.errors}>
                        {ts('jobs.showErrors', { count: j.failed })}
                      </Button>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <div className={s.bar}>
          <Button size="small" disabled={jobs.offset === 0} onClick={() => void loadJobs(jobs.mapping, Math.max(0, jobs.offset - JOBS_PAGE))}>
            {ts('jobs.newer')}
          </Button>
          <Button size="small" data-testid="sync-jobs-older" disabled={jobs.offset + JOBS_PAGE >= jobs.total} onClick={() => void loadJobs(jobs.mapping, jobs.offset + JOBS_PAGE)}>
            {ts('jobs.older')}
          </Button>
          <Text size={200}>{ts('jobs.range', { from: jobs.total === 0 ? 0 : jobs.offset + 1, to: Math.min(jobs.total, jobs.offset + JOBS_PAGE), total: jobs.total })}</Text>
        </div>
      </Card>

      <ErrorsDrawer />
    </>
  );
}

/** One cause: how many records failed with it, the message, and the action that fixes it when known. */
function ErrorGroup({ g, onDone }: { g: SyncErrorGroupDto; onDone: () => void }) {
  const { t: ts } = useTranslation('sync');
  const s = useStyles();
  const { run, requestReview, busy } = useSyncStore();
  const fix = g.fix;
  return (
    <div className={s.group} data-testid={`sync-error-group-${g.firstNo}`} data-count={g.count} data-message={g.message}>
      <div className={s.message}>
        <span className={s.count}>{ts('errors.times', { count: g.count })}</span> {codeText(ts, g.message, g.messageCode)}
      </div>
      <div className={s.bar}>
        {fix?.kind === 'run' ? (
          <Button size="small" appearance="primary" disabled={!!busy[`run:${fix.mapping}`]} onClick={() => void run(fix.mapping, false)}>
            {ts('errors.fix.run', { mapping: fix.mapping })}
          </Button>
        ) : null}
        {fix?.kind === 'couple' ? (
          <Button
            size="small"
            appearance="primary"
            onClick={() => {
              onDone();
              requestReview();
            }}
          >
            {ts('errors.fix.couple', { mapping: fix.mapping })}
          </Button>
        ) : null}
        {fix?.kind === 'matchFields' ? (
          <Button size="small" appearance="primary" onClick={() => void openMappingEditor(fix.mapping)}>
            {ts('errors.fix.matchFields', { mapping: fix.mapping })}
          </Button>
        ) : null}
        <CopyButton label={ts('errors.copy')} getText={async () => `${g.count} × ${g.message}`} />
      </div>
    </div>
  );
}

/**
 * A job's errors in a drawer beside the job log (not at the end of a long page): identical causes grouped, largest
 * first, with the action that fixes each; every error in full on request.
 */
function ErrorsDrawer() {
  const { t: ts, i18n } = useTranslation('sync');
  const s = useStyles();
  const { errors, busy, moreErrors, showAllErrors, closeErrors, deleteFailedCouplings } = useSyncStore();
  // Closing the drawer puts the focus back on the "Show errors" button that opened it.
  useReturnFocus(errors !== null);
  return (
    <OverlayDrawer open={errors !== null} position="end" size="large" onOpenChange={(_, d) => (!d.open ? closeErrors() : undefined)}>
      {errors ? (
        <>
          <DrawerHeader>
            <DrawerHeaderTitle
              action={
                <Button appearance="subtle" data-testid="sync-errors-close" onClick={closeErrors}>
                  {ts('actions.close')}
                </Button>
              }
            >
              {ts('errors.title', { mapping: errors.job.mapping, when: when(errors.job.startedAt, i18n.language) })}
            </DrawerHeaderTitle>
          </DrawerHeader>
          <DrawerBody>
            <div className={s.section} data-testid="sync-errors">
              <Text>{ts('errors.summary', { count: errors.total, groups: errors.groups.length })}</Text>
              <div className={s.errors}>
                {errors.groups.map((g) => (
                  <ErrorGroup key={g.key} g={g} onDone={closeErrors} />
                ))}
              </div>
              <div className={s.bar}>
                <CopyButton label={ts('errors.copyAll')} getText={async () => errors.groups.map((g) => `${g.count} × ${g.message}`).join('\n')} />
                <Button onClick={() => void deleteFailedCouplings(errors.job)} disabled={!!busy[`delete:${errors.job.id}`]}>
                  {ts('errors.deleteCouplings')}
                </Button>
                {!errors.all ? (
                  <Button appearance="subtle" data-testid="sync-errors-all" disabled={!!busy.errors} onClick={() => void showAllErrors()}>
                    {ts('errors.showAll')}
                  </Button>
                ) : null}
              </div>
              <Text size={200}>{ts('errors.deleteHint')}</Text>
              {errors.all ? (
                <>
                  <div className={s.errors}>
                    {errors.list.map((e) => (
                      <div key={e.no} className={s.error} data-testid={`sync-error-${e.no}`}>
                        <div className={s.message}>{e.message}</div>
                        {e.detail ? <div className={s.message}>{e.detail}</div> : null}
                        <div className={s.id}>
                          {e.sourceId ? ts('errors.source', { side: ts(`side.${e.sourceSide}`), id: e.sourceId }) : null}
                          {e.destinationId ? ` · ${ts('errors.destination', { id: e.destinationId })}` : null}
                        </div>
                        <CopyButton label={ts('errors.copy')} getText={async () => errorText(e)} />
                      </div>
                    ))}
                  </div>
                  {errors.next !== null ? (
                    <Button onClick={() => void moreErrors()} disabled={!!busy.errors}>
                      {ts('errors.more')}
                    </Button>
                  ) : (
                    <Badge appearance="outline">{ts('errors.count', { count: errors.list.length })}</Badge>
                  )}
                </>
              ) : null}
            </div>
          </DrawerBody>
        </>
      ) : null}
    </OverlayDrawer>
  );
}
