import {
  Badge, Button, Card, CardHeader, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody, Switch, Tab, TabList, Text, Title2,
} from '@fluentui/react-components';
import { useEffect } from 'react';
import { ErrorBar } from '../../../components/ErrorBar';
import { LinkView } from './LinkView';
import { PublishView } from './PublishView';
import { ReportView } from './ReportView';
import { SyncView } from './SyncView';
import { useTasksStyles, useTasksT } from './common';
import { useTasksStore, type TasksView } from './store';
import { useTranslation } from 'react-i18next';

const VIEWS: TasksView[] = ['link', 'publish', 'sync', 'report'];

/** What enabling starts or disabling stops, asked before the switch changes. */
function SwitchDialog() {
  const { t } = useTranslation('teamsTasksPages');
  const { code } = useTasksT();
  const s = useTasksStyles();
  const pending = useTasksStore((x) => x.pendingSwitch);
  const busy = useTasksStore((x) => !!x.busy.enable);
  if (!pending) return null;
  const store = useTasksStore.getState;
  return (
    <Dialog open modalType="alert">
      <DialogSurface data-testid="tasks-switch-dialog">
        <DialogBody>
          <DialogTitle>{pending.enabled ? t('enable.confirmTitle') : t('disable.confirmTitle')}</DialogTitle>
          <DialogContent>
            <ul className={s.list} data-testid="tasks-switch-effects">
              {pending.effects.map((e) => <li key={e.code} data-code={e.code}>{code('effect', e)}</li>)}
            </ul>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={() => store().cancelSwitch()}>{t('cancel')}</Button>
            <Button appearance="primary" disabled={busy} data-testid="tasks-switch-confirm" onClick={() => void store().confirmSwitch()}>
              {pending.enabled ? t('enable.confirm') : t('disable.confirm')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

export function TasksPage() {
  const { t } = useTranslation('teamsTasksPages');
  const { code } = useTasksT();
  const s = useTasksStyles();
  const view = useTasksStore((x) => x.view);
  const settings = useTasksStore((x) => x.settings);
  const error = useTasksStore((x) => x.error);
  const effects = useTasksStore((x) => x.effects);
  const busy = useTasksStore((x) => x.busy);
  const store = useTasksStore.getState;

  useEffect(() => {
    void store().init();
  }, [store]);

  return (
    <div className={s.page}>
      <Title2 as="h1">{t('title')}</Title2>
      <Text className={s.intro}>{t('intro')}</Text>
      {error && <ErrorBar error={error} testId="tasks-error" onDismiss={() => store().clearError()} />}
      <Card className={s.card}>
        <CardHeader
          header={<Text weight="semibold">{t('enable.title')}</Text>}
          description={<Text size={200}>{settings ? t('enable.profiles', { commerce: settings.profiles.commerce ?? t('none'), graph: settings.profiles.graph ?? t('none') }) : ''}</Text>}
        />
        <div className={s.switchRow}>
          <Switch
            data-testid="tasks-enabled"
            checked={!!settings?.enabled}
            disabled={!settings || !!busy.enable || (!settings.enabled && !settings.teamsEnabled)}
            label={settings?.enabled ? t('enable.on') : t('enable.off')}
            onChange={(_, d) => void store().askSwitch(d.checked)}
          />
          {settings && <Badge data-testid="tasks-teams-state" appearance="tint" color={settings.teamsEnabled ? 'success' : 'warning'}>{settings.teamsEnabled ? t('enable.teamsOn') : t('enable.teamsOff')}</Badge>}
        </div>
        {settings && !settings.teamsEnabled && !settings.enabled && (
          <MessageBar intent="warning" data-testid="tasks-teams-required"><MessageBarBody>{t('enable.teamsRequired')}</MessageBarBody></MessageBar>
        )}
        {effects.length > 0 && (
          <ul className={s.list} data-testid="tasks-effects">
            {effects.map((e) => <li key={e.code} data-code={e.code}>{code('effect', e)}</li>)}
          </ul>
        )}
      </Card>
      <SwitchDialog />
      <TabList selectedValue={view} onTabSelect={(_, d) => store().setView(d.value as TasksView)} aria-label={t('views.label')}>
        {VIEWS.map((v) => <Tab key={v} value={v} data-testid={`tasks-tab-${v}`}>{t(`views.${v}`)}</Tab>)}
      </TabList>
      {view === 'link' && <LinkView />}
      {view === 'publish' && <PublishView />}
      {view === 'sync' && <SyncView />}
      {view === 'report' && <ReportView />}
    </div>
  );
}
