import {
  Button,
  Card,
  CardHeader,
  makeStyles,
  mergeClasses,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Spinner,
  Switch,
  Text,
  Title2,
  tokens,
} from '@fluentui/react-components';
import { ArrowSyncRegular, PlayRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorBar } from '../../../components/ErrorBar';
import { useAppStore } from '../../../stores/app';
import { useCommonStyles, useT } from '../setup/common';
import { matches, PlanFilters, PlanTable, PlanTiles } from './PlanView';
import { LiveRunPanel, RunHistory, ScheduleCard } from './RunViews';
import { useTeamsProvisionStore } from './store';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1400px' },
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  prune: {
    display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, padding: tokens.spacingHorizontalS,
    borderLeft: `4px solid ${tokens.colorNeutralStroke1}`, backgroundColor: tokens.colorNeutralBackground2,
  },
  pruneOn: { borderLeftColor: tokens.colorPaletteRedBorder2 },
  totals: { display: 'flex', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
});

export function TeamsProvisionPage() {
  const { t: tt, i18n } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const config = useTeamsProvisionStore((x) => x.config);
  const plan = useTeamsProvisionStore((x) => x.plan);
  const prune = useTeamsProvisionStore((x) => x.prune);
  const filter = useTeamsProvisionStore((x) => x.filter);
  const busy = useTeamsProvisionStore((x) => x.busy);
  const error = useTeamsProvisionStore((x) => x.error);
  const live = useTeamsProvisionStore((x) => x.live);
  const stale = useTeamsProvisionStore((x) => x.planStale);
  const [confirm, setConfirm] = useState(false);
  const store = useTeamsProvisionStore.getState;

  useEffect(() => {
    void store().init();
  }, [store]);

  const running = !!live && !live.finished;
  const enabled = !!config?.enabled;
  const rows = plan ? plan.stores.filter((r) => matches(r, filter.action, filter.search)) : [];
  const work = plan ? plan.stores.filter((r) => r.action === 'create' || r.action === 'update') : [];
  const sum = (f: (r: NonNullable<typeof plan>['stores'][number]) => number) => (plan ? plan.stores.reduce((n, r) => n + f(r), 0) : 0);
  const totals = {
    create: plan ? plan.stores.filter((r) => r.action === 'create').length + (plan.communicationsTeam.action === 'create' ? 1 : 0) : 0,
    update: work.filter((r) => r.action === 'update').length + (plan?.communicationsTeam.action === 'update' ? 1 : 0),
    owners: sum((r) => r.owners.add.length),
    members: sum((r) => r.members.add.length) + (plan?.communicationsTeam.members.add.length ?? 0),
    removed: sum((r) => r.members.remove.length + r.owners.remove.length) + (plan?.communicationsTeam.members.remove.length ?? 0),
  };
  const nothingToDo = !!plan && totals.create + totals.update === 0;
  const findingErrors = plan ? plan.findings.filter((f) => f.severity === 'error').length : 0;

  return (
    <div className={st.page} data-testid="ct-provision-page">
      <div>
        <Title2 as="h1">{tt('provision.title')}</Title2>
        <Text as="p" block>{tt('provision.intro')}</Text>
      </div>
      {config && !enabled ? (
        <MessageBar intent="warning" data-testid="ct-provision-disabled">
          <MessageBarBody>{tt('provision.disabled')}</MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => useAppStore.getState().setPage('ct-setup')}>{tt('provision.openSetup')}</Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {error ? <ErrorBar error={error} testId="ct-provision-error" onDismiss={() => store().clearError()} /> : null}

      <LiveRunPanel />
      <Card className={st.card} data-testid="ct-plan">
        <CardHeader header={<Text as="h2" weight="semibold" size={500} className={s.h2}>{tt('plan.title')}</Text>} description={tt('plan.help')} />
        <div className={mergeClasses(st.prune, prune && st.pruneOn)} data-testid="ct-prune" data-on={String(prune)}>
          <Switch
            data-testid="ct-prune-switch"
            checked={prune}
            disabled={running}
            label={tt('plan.prune.label')}
            aria-describedby="ct-prune-state"
            onChange={(_, d) => store().setPrune(d.checked)}
          />
          <Text size={200} id="ct-prune-state" data-testid="ct-prune-state">{prune ? tt('plan.prune.on') : tt('plan.prune.off')}</Text>
        </div>
        <div className={s.row}>
          <Button appearance={plan && !stale ? 'secondary' : 'primary'} data-testid="ct-plan-run" icon={busy.plan ? <Spinner size="tiny" /> : <ArrowSyncRegular />} disabled={!!busy.plan || running} onClick={() => void store().makePlan()}>
            {plan ? tt('plan.again') : tt('plan.make')}
          </Button>
          <Button
            appearance={plan && !stale ? 'primary' : 'secondary'}
            data-testid="ct-apply"
            icon={busy.apply ? <Spinner size="tiny" /> : <PlayRegular />}
            disabled={!plan || stale || !enabled || running || !!busy.apply || nothingToDo}
            aria-describedby="ct-apply-why"
            onClick={() => setConfirm(true)}
          >
            {tt('plan.apply')}
          </Button>
          <Text id="ct-apply-why" size={200} className={s.hint} data-testid="ct-apply-why">
            {!plan ? tt('plan.why.noPlan') : stale ? tt('plan.why.stale') : !enabled ? tt('plan.why.disabled') : running ? tt('plan.why.running') : nothingToDo ? tt('plan.why.nothing') : ''}
          </Text>
        </div>
        {plan ? (
          <>
            <Text size={200} className={s.hint} data-testid="ct-plan-when">
              {tt('plan.madeAt', { when: new Date(plan.plannedAt).toLocaleTimeString(i18n.language) })} {plan.prune ? tt('plan.withPrune') : tt('plan.withoutPrune')}
            </Text>
            <div className={st.totals} data-testid="ct-plan-totals">
              <Text>{tt('plan.totals.create', { count: totals.create })}</Text>
              <Text>{tt('plan.totals.update', { count: totals.update })}</Text>
              <Text>{tt('plan.totals.owners', { count: totals.owners })}</Text>
              <Text>{tt('plan.totals.members', { count: totals.members })}</Text>
              <Text>{tt('plan.totals.removed', { count: totals.removed })}</Text>
            </div>
            {plan.findings.length ? (
              <MessageBar intent={findingErrors ? 'warning' : 'info'} data-testid="ct-plan-findings">
                <MessageBarBody>{tt('plan.findings', { count: plan.findings.length, errors: findingErrors })}</MessageBarBody>
                <MessageBarActions>
                  <Button onClick={() => useAppStore.getState().setPage('ct-setup')}>{tt('provision.openSetup')}</Button>
                </MessageBarActions>
              </MessageBar>
            ) : null}
            <PlanTiles plan={plan} />
            <PlanFilters shown={rows.length} total={plan.stores.length} />
            <PlanTable plan={plan} rows={rows} />
          </>
        ) : (
          <Text className={s.hint}>{tt('plan.none')}</Text>
        )}
      </Card>

      <RunHistory />
      <ScheduleCard />

      <ConfirmDialog
        open={confirm}
        title={tt('confirm.title')}
        cancelLabel={tt('cancel')}
        confirmLabel={tt('confirm.apply')}
        confirmTestId="ct-apply-confirm"
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          void store().apply();
        }}
      >
        <ul data-testid="ct-apply-summary">
          <li>{tt('plan.totals.create', { count: totals.create })}</li>
          <li>{tt('plan.totals.update', { count: totals.update })}</li>
          <li>{tt('plan.totals.owners', { count: totals.owners })}</li>
          <li>{tt('plan.totals.members', { count: totals.members })}</li>
          <li>{prune ? tt('confirm.prune', { count: totals.removed }) : tt('confirm.noPrune')}</li>
        </ul>
        <p>{tt('confirm.safe')}</p>
      </ConfirmDialog>
    </div>
  );
}
