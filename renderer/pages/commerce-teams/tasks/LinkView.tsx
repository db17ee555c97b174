import { Badge, Button, Card, CardHeader, MessageBar, MessageBarBody, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { AddRegular, LinkRegular, SearchRegular } from '@fluentui/react-icons';
import { CopyButton } from '../../../components/CopyButton';
import { ProgressLine, Tile, useTasksStyles } from './common';
import { useTasksStore } from './store';
import { useTranslation } from 'react-i18next';

const STATE_COLOR = { linked: 'success', missing: 'warning', ambiguous: 'danger' } as const;

/** Link POS and Teams: a dry run first, then link (and create the missing plans, previewed by the dry run). */
export function LinkView() {
  const { t } = useTranslation('teamsTasksPages');
  const s = useTasksStyles();
  const link = useTasksStore((x) => x.link);
  const busy = useTasksStore((x) => !!x.busy.link);
  const progress = useTasksStore((x) => x.progress);
  const store = useTasksStore.getState;
  const missing = link?.stores.filter((r) => r.code === 'TASKS_LINK_NO_PLAN') ?? [];
  const count = (state: string) => link?.stores.filter((r) => r.state === state).length ?? 0;

  return (
    <Card className={s.card} data-testid="tasks-link">
      <CardHeader header={<Text weight="semibold">{t('link.title')}</Text>} description={<Text size={200}>{t('link.intro')}</Text>} />
      <div className={s.toolbar}>
        <Button icon={<SearchRegular />} appearance={link ? 'secondary' : 'primary'} disabled={busy} data-testid="tasks-link-preview" onClick={() => void store().runLink({ createMissing: false, dryRun: true })}>
          {t('link.preview')}
        </Button>
        <Button icon={<LinkRegular />} appearance={link?.dryRun ? 'primary' : 'secondary'} disabled={busy || !link} data-testid="tasks-link-run" onClick={() => void store().runLink({ createMissing: false, dryRun: false })}>
          {t('link.run')}
        </Button>
        {link?.dryRun && missing.length > 0 && (
          <Button icon={<AddRegular />} disabled={busy} data-testid="tasks-link-create" onClick={() => void store().runLink({ createMissing: true, dryRun: false, stores: missing.map((m) => m.storeNumber) })}>
            {t('link.createMissing', { n: missing.length })}
          </Button>
        )}
      </div>
      <ProgressLine progress={progress} operation="link" />
      {link && (
        <>
          <MessageBar intent={link.dryRun ? 'info' : 'success'} data-testid="tasks-link-summary">
            <MessageBarBody>
              {link.dryRun ? t('link.dryRunDone', { missing: missing.length }) : t('link.done', { written: link.rowsWritten, created: link.plansCreated })}
            </MessageBarBody>
          </MessageBar>
          <div className={s.tiles}>
            <Tile testId="tasks-link-linked" label={t('link.linked')} value={count('linked')} />
            <Tile testId="tasks-link-missing" label={t('link.missing')} value={count('missing')} />
            <Tile testId="tasks-link-ambiguous" label={t('link.ambiguous')} value={count('ambiguous')} />
          </div>
          <div className={s.tableWrap}>
            <Table size="small" aria-label={t('link.table')} data-testid="tasks-link-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell style={{ width: '90px' }}>{t('col.store')}</TableHeaderCell>
                  <TableHeaderCell style={{ width: '300px' }}>{t('col.team')}</TableHeaderCell>
                  <TableHeaderCell style={{ width: '260px' }}>{t('col.plan')}</TableHeaderCell>
                  <TableHeaderCell style={{ width: '130px' }}>{t('col.state')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.reason')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {link.stores.map((r) => (
                  <TableRow key={r.storeNumber} data-testid={`tasks-link-row-${r.storeNumber}`} data-state={r.state}>
                    <TableCell>{r.storeNumber}</TableCell>
                    <TableCell><span className={s.mono}>{r.teamId}</span></TableCell>
                    <TableCell>
                      {r.planId ? (
                        <span>
                          <span className={s.mono}>{r.plans.find((p) => p.id === r.planId)?.title || r.planId}</span>{' '}
                          <CopyButton label={t('link.copyPlan')} getText={async () => r.planId!} />
                        </span>
                      ) : (
                        r.plans.length > 1 ? (
                          <ul className={s.list} data-testid={`tasks-link-plans-${r.storeNumber}`}>
                            {r.plans.map((p) => (
                              <li key={p.id}>
                                <span className={s.mono}>{p.title || p.id}</span> · {p.tasks === null ? t('link.tasksUnknown') : t('link.planTasks', { n: p.tasks })}{' '}
                                <CopyButton label={t('link.copyPlan')} getText={async () => p.id} />
                              </li>
                            ))}
                          </ul>
                        ) : (
                          <span className={s.muted}>{t('none')}</span>
                        )
                      )}
                    </TableCell>
                    <TableCell>
                      <Badge color={STATE_COLOR[r.state]}>{t(`states.${r.state}`, { ns: 'teamsTasks' })}</Badge>
                      {r.created && <Badge appearance="outline">{t('link.created')}</Badge>}
                    </TableCell>
                    <TableCell>{r.code ? t(`codes.${r.code}`, { ns: 'teamsTasks', ...r.params }) : ''}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </>
      )}
    </Card>
  );
}
