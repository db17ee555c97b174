import { Badge, Button, Card, CardHeader, makeStyles, MessageBar, MessageBarBody, Spinner, Text, Title2, Title3, tokens } from '@fluentui/react-components';
import { ArrowRightRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, SetupDraft, SetupStatus, SyncStatus, TasksSettings, TeamsConfig, TeamsRun } from '../../../preload/contract';
import { useAppStore, type PageId } from '../../stores/app';
import { asAppError } from '../../transport/client';
import { useConnectionsStore } from '../../stores/connections';
import { call } from '../../transport/client';
import { salesSummary, type HomeStep, type ProfileState } from './summary';
import { errorText } from '../../components/ErrorBar';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1100px' },
  steps: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(230px, 1fr))', gap: tokens.spacingHorizontalM, listStyleType: 'none', margin: 0, padding: 0 },
  step: { height: '100%', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: tokens.spacingVerticalM },
  next: { outline: `2px solid ${tokens.colorBrandStroke1}` },
  grow: { flexGrow: 1 },
  badge: { alignSelf: 'flex-start' },
  cards: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(380px, 1fr))', gap: tokens.spacingHorizontalM },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalXS, margin: 0, alignItems: 'center' },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap', alignItems: 'center' },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalM}` },
  muted: { color: tokens.colorNeutralForeground3 },
});

const STEPS: { id: HomeStep; page: PageId }[] = [
  { id: 'connections', page: 'connections' },
  { id: 'setup', page: 'setup' },
  { id: 'review', page: 'sync' },
  { id: 'sync', page: 'sync' },
];

const PROFILE_COLOUR: Record<ProfileState, 'success' | 'informative' | 'warning' | 'danger'> = {
  'signed-in': 'success',
  app: 'informative',
  'not-signed-in': 'warning',
  'needs-sign-in': 'danger',
  missing: 'warning',
};

interface Loaded {
  setup: { draft: SetupDraft; status: SetupStatus; savedAt: string | null } | null;
  sync: SyncStatus | null;
  teams: { config: TeamsConfig; lastRun: TeamsRun | null } | null;
  tasks: { settings: TasksSettings; conflicts: number | null } | null;
  errors: AppError[];
}

const RUN_COLOUR: Record<TeamsRun['state'], 'success' | 'informative' | 'warning' | 'danger'> = {
  running: 'informative',
  succeeded: 'success',
  partial: 'warning',
  failed: 'danger',
  cancelled: 'warning',
  interrupted: 'warning',
};

/** The start page: what the console does, where to start, and the current state of each integration. */
export function HomePage() {
  const { t: th, i18n } = useTranslation('home');
  const s = useStyles();
  const setPage = useAppStore((x) => x.setPage);
  const profiles = useConnectionsStore((x) => x.profiles);
  const statuses = useConnectionsStore((x) => x.statuses);
  const [data, setData] = useState<Loaded | null>(null);

  const load = useCallback(async () => {
    const [, setup, sync, teamsConfig, teamsRuns, tasksSettings, tasksConflicts] = await Promise.allSettled([
      useConnectionsStore.getState().init(),
      call('setup.getState', {}),
      call('sync.status', {}),
      call('teams.getConfig', {}),
      call('teams.runs', { limit: 1 }),
      call('tasks.getSettings', {}),
      call('tasks.conflicts', {}),
    ]);
    setData({
      setup: setup.status === 'fulfilled' ? setup.value : null,
      sync: sync.status === 'fulfilled' ? sync.value : null,
      teams: teamsConfig.status === 'fulfilled' ? { config: teamsConfig.value, lastRun: teamsRuns.status === 'fulfilled' ? (teamsRuns.value.runs[0] ?? null) : null } : null,
      tasks: tasksSettings.status === 'fulfilled' ? { settings: tasksSettings.value, conflicts: tasksConflicts.status === 'fulfilled' ? tasksConflicts.value.conflicts.length : null } : null,
      errors: [setup, sync, teamsConfig, tasksSettings].flatMap((r) => (r.status === 'rejected' ? [asAppError(r.reason)] : [])),
    });
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const summary = data ? salesSummary({ profiles, statuses, setup: data.setup, sync: data.sync }) : null;
  const others = profiles.filter((p) => p.kind === 'graph' || p.kind === 'commerce-hq').length;
  const teams = data?.teams ?? null;
  const tasks = data?.tasks ?? null;

  return (
    <section className={s.page} aria-labelledby="home-title" data-testid="home-page">
      <Title2 as="h1" id="home-title">
        {th('title')}
      </Title2>
      <Text>{th('intro')}</Text>

      <Title3 as="h2">{th('steps.title')}</Title3>
      <ol className={s.steps} aria-label={th('steps.title')}>
        {STEPS.map((step, i) => {
          const isNext = summary?.next === step.id;
          return (
            <li key={step.id}>
              <Card className={isNext ? `${s.step} ${s.next}` : s.step} data-testid={`home-step-${step.id}`} data-next={isNext ? 'true' : 'false'}>
                <Text weight="semibold" size={400}>
                  {th('steps.number', { n: i + 1 })} {th(`steps.${step.id}.title`)}
                </Text>
                {isNext ? (
                  <Badge appearance="filled" color="brand" className={s.badge}>
                    {th('steps.next')}
                  </Badge>
                ) : null}
                <Text className={s.grow}>{th(`steps.${step.id}.body`)}</Text>
                <Button appearance={isNext ? 'primary' : 'secondary'} icon={<ArrowRightRegular />} iconPosition="after" onClick={() => setPage(step.page)}>
                  {th(`steps.${step.id}.open`)}
                </Button>
              </Card>
            </li>
          );
        })}
      </ol>

      <Title3 as="h2">{th('state.title')}</Title3>
      <div className={s.cards}>
        <Card data-testid="home-sales">
          <CardHeader
            header={<Text weight="semibold">{th('sales.title')}</Text>}
            action={
              summary ? (
                <Badge appearance="tint" color={summary.enabled ? 'success' : 'warning'} data-testid="home-sales-enabled">
                  {summary.enabled ? th('sales.enabled') : th('sales.notEnabled')}
                </Badge>
              ) : undefined
            }
          />
          <div className={s.body}>
            {!summary ? (
              <Spinner size="small" label={th('loading')} />
            ) : (
              <>
                {data?.errors.map((e) => (
                  <MessageBar key={e.code + e.message} intent="warning">
                    <MessageBarBody>{th('readFailed', { message: errorText(i18n.t, e) })}</MessageBarBody>
                  </MessageBar>
                ))}
                <dl className={s.facts}>
                  {summary.profiles.map((p) => (
                    <div key={p.role} style={{ display: 'contents' }}>
                      <dt className={s.dt}>{th(`sales.profile.${p.role}`)}</dt>
                      <dd className={s.dd} data-testid={`home-profile-${p.role}`} data-state={p.state}>
                        {p.name ? <Text>{p.name}</Text> : null}
                        <Badge appearance="tint" color={PROFILE_COLOUR[p.state]}>
                          {th(`sales.profileState.${p.state}`)}
                        </Badge>
                      </dd>
                    </div>
                  ))}
                  <dt className={s.dt}>{th('sales.setup')}</dt>
                  <dd className={s.dd} data-testid="home-setup">
                    {summary.enabled
                      ? th('sales.setupEnabled', { when: summary.enabledAt ? new Date(summary.enabledAt).toLocaleString(i18n.language) : '' })
                      : summary.setupStep
                        ? th('sales.setupInProgress', { step: th(`sales.wizardStep.${summary.setupStep}`) })
                        : th('sales.setupNotStarted')}
                  </dd>
                  <dt className={s.dt}>{th('sales.lastSync')}</dt>
                  <dd className={s.dd} data-testid="home-last-sync">
                    {summary.lastRunAt === null ? th('sales.never') : new Date(summary.lastRunAt).toLocaleString(i18n.language)}
                    {summary.mappings > 0 ? <Text className={s.muted}>{th('sales.neverRun', { count: summary.neverRun, total: summary.mappings })}</Text> : null}
                  </dd>
                  <dt className={s.dt}>{th('sales.failures')}</dt>
                  <dd className={s.dd} data-testid="home-failures">
                    {summary.failedMappings.length === 0 && summary.queueErrors.length === 0 ? (
                      <Badge appearance="tint" color="success">
                        {th('sales.noFailures')}
                      </Badge>
                    ) : (
                      <>
                        {summary.failedMappings.length ? (
                          <Badge appearance="tint" color="danger">
                            {th('sales.failedMappings', { count: summary.failedMappings.length, names: summary.failedMappings.join(', ') })}
                          </Badge>
                        ) : null}
                        {summary.queueErrors.length ? (
                          <Badge appearance="tint" color="danger">
                            {th('sales.queueErrors', { count: summary.queueErrors.length, names: summary.queueErrors.join(', ') })}
                          </Badge>
                        ) : null}
                      </>
                    )}
                  </dd>
                </dl>
                {summary.source === 'demo' ? <Text className={s.muted}>{th('sales.demoSource')}</Text> : null}
                <div>
                  <Button appearance="primary" icon={<ArrowRightRegular />} iconPosition="after" onClick={() => setPage(STEPS.find((x) => x.id === summary.next)!.page)}>
                    {th(`next.${summary.next}`)}
                  </Button>
                </div>
              </>
            )}
          </div>
        </Card>

        <IntegrationCard
          testId="home-teams"
          title={th('teams.title')}
          enabled={teams ? teams.config.enabled : null}
          loading={!data}
          openLabel={teams?.config.enabled ? th('teams.openProvision') : th('teams.openSetup')}
          onOpen={() => setPage(teams?.config.enabled ? 'ct-provision' : 'ct-setup')}
        >
                <Text>{th('teams.body')}</Text>
                <dl className={s.facts}>
                  {(['commerce', 'graph'] as const).map((role) => {
                    const id = role === 'commerce' ? teams?.config.commerceProfileId : teams?.config.graphProfileId;
                    const name = profiles.find((p) => p.id === id)?.name ?? null;
                    return (
                      <div key={role} style={{ display: 'contents' }}>
                        <dt className={s.dt}>{th(`teams.profile.${role}`)}</dt>
                        <dd className={s.dd} data-testid={`home-teams-profile-${role}`}>
                          {name ? <Text>{name}</Text> : <Badge appearance="tint" color="warning">{th('sales.profileState.missing')}</Badge>}
                        </dd>
                      </div>
                    );
                  })}
                  <dt className={s.dt}>{th('teams.lastRun')}</dt>
                  <dd className={s.dd} data-testid="home-teams-last-run" data-state={teams?.lastRun?.state ?? 'never'}>
                    {teams?.lastRun ? (
                      <>
                        <Text>{new Date(teams.lastRun.startedAt).toLocaleString(i18n.language)}</Text>
                        <Badge appearance="tint" color={RUN_COLOUR[teams.lastRun.state]}>
                          {i18n.t(`state.${teams.lastRun.state}`, { ns: 'teamsProvision' })}
                        </Badge>
                        <Text className={s.muted}>
                          {th('teams.runCounts', { created: teams.lastRun.counts.teamsCreated, failed: teams.lastRun.counts.storesFailed })}
                        </Text>
                      </>
                    ) : (
                      th('sales.never')
                    )}
                  </dd>
                </dl>
                <Text className={s.muted}>{th('teams.profiles', { count: others })}</Text>
        </IntegrationCard>

        <IntegrationCard
          testId="home-tasks"
          title={th('tasks.title')}
          enabled={tasks ? tasks.settings.enabled : null}
          loading={!data}
          openLabel={tasks?.settings.teamsEnabled ? th('tasks.open') : th('teams.openSetup')}
          onOpen={() => setPage(tasks?.settings.teamsEnabled ? 'ct-tasks' : 'ct-setup')}
        >
                <Text>{th('tasks.body')}</Text>
                <dl className={s.facts}>
                  <dt className={s.dt}>{th('tasks.lastSync')}</dt>
                  <dd className={s.dd} data-testid="home-tasks-last-sync" data-state={tasks?.settings.lastSyncAt ? 'ran' : 'never'}>
                    {tasks?.settings.lastSyncAt ? (
                      <>
                        <Text>{new Date(tasks.settings.lastSyncAt).toLocaleString(i18n.language)}</Text>
                        {tasks.settings.lastSync ? (
                          <Text className={s.muted}>
                            {th('tasks.syncCounts', {
                              toPlanner: tasks.settings.lastSync.toPlanner.created + tasks.settings.lastSync.toPlanner.updated,
                              toCommerce: tasks.settings.lastSync.toCommerce.created + tasks.settings.lastSync.toCommerce.updated,
                            })}
                          </Text>
                        ) : null}
                      </>
                    ) : (
                      th('sales.never')
                    )}
                  </dd>
                  <dt className={s.dt}>{th('tasks.conflicts')}</dt>
                  <dd className={s.dd} data-testid="home-tasks-conflicts" data-count={tasks?.conflicts ?? ''}>
                    {tasks?.conflicts ? (
                      <Badge appearance="tint" color="warning">
                        {th('tasks.conflictsWaiting', { count: tasks.conflicts })}
                      </Badge>
                    ) : (
                      <Text>{tasks?.conflicts === 0 ? th('tasks.noConflicts') : '—'}</Text>
                    )}
                  </dd>
                  <dt className={s.dt}>{th('tasks.schedule')}</dt>
                  <dd className={s.dd} data-testid="home-tasks-schedule">
                    {tasks?.settings.schedule.enabled ? th('tasks.every', { count: tasks.settings.schedule.everyMinutes }) : th('tasks.scheduleOff')}
                  </dd>
                </dl>
                {tasks && !tasks.settings.teamsEnabled ? <Text className={s.muted}>{th('tasks.needsTeams')}</Text> : null}
        </IntegrationCard>
      </div>
    </section>
  );
}

/** A Commerce ⇄ Teams card on Home: title, an Enabled / Not enabled badge once read, the facts, and the way in. */
function IntegrationCard({ testId, title, enabled, loading, openLabel, onOpen, children }: {
  testId: string; title: string; enabled: boolean | null; loading: boolean; openLabel: string; onOpen: () => void; children: ReactNode;
}) {
  const { t: th } = useTranslation('home');
  const s = useStyles();
  return (
    <Card data-testid={testId}>
      <CardHeader
        header={<Text weight="semibold">{title}</Text>}
        action={
          enabled === null ? undefined : (
            <Badge appearance="tint" color={enabled ? 'success' : 'warning'} data-testid={`${testId}-enabled`}>
              {enabled ? th('teams.enabled') : th('teams.notEnabled')}
            </Badge>
          )
        }
      />
      <div className={s.body}>
        {loading ? (
          <Spinner size="small" label={th('loading')} />
        ) : (
          <>
            {children}
            <div>
              <Button appearance="secondary" icon={<ArrowRightRegular />} iconPosition="after" data-testid={`${testId}-open`} onClick={onOpen}>
                {openLabel}
              </Button>
            </div>
          </>
        )}
      </div>
    </Card>
  );
}
