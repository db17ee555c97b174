import { Button, makeStyles, ProgressBar, Text, tokens } from '@fluentui/react-components';
import { DismissCircleRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../../transport/client';
import type { TasksMessage, TasksProgress } from '../../../../preload/contract';

export const useTasksStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1400px' },
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  intro: { maxWidth: '900px', color: tokens.colorNeutralForeground2 },
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'end' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
  tiles: { display: 'flex', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  tile: { display: 'flex', flexDirection: 'column', minWidth: '130px', padding: tokens.spacingHorizontalM, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground3 },
  tableWrap: { overflowX: 'auto', maxHeight: '520px', overflowY: 'auto' },
  muted: { color: tokens.colorNeutralForeground3 },
  narrow: { width: 'auto', minWidth: '200px', maxWidth: '420px' },
  switchRow: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'center', flexWrap: 'wrap' },
});

/** The translations of this area: page texts (teamsTasksPages) and the bridge's codes (teamsTasks). */
export function useTasksT() {
  const { t, i18n } = useTranslation('teamsTasksPages');
  /**
   * A code main sent, translated with its params: this page's section (effects), the publish engine's codes
   * (skips, warnings, failures: namespace teamsTasksPublish) or the sync engine's; main's text where none has it.
   */
  const code = (section: 'effect' | 'failure', m: TasksMessage & { message?: string }) => {
    const key = [`teamsTasksPages:${section}.${m.code}`, `teamsTasksPublish:codes.${m.code}`, `teamsTasksSync:codes.${m.code}`].find((k) => i18n.exists(k));
    return key ? t(key, m.params) : t('unknownCode', { code: m.code, message: m.message ?? '' });
  };
  return { t, i18n, code };
}

export function Tile({ label, value, testId }: { label: string; value: number | string; testId: string }) {
  const s = useTasksStyles();
  return (
    <div className={s.tile} data-testid={testId}>
      <Text size={200} className={s.muted}>{label}</Text>
      <Text size={600} weight="semibold">{value}</Text>
    </div>
  );
}

/**
 * The operation under way (link, publish, sync) as a progress bar with what it is doing; a publish or sync can be
 * stopped (tasks.cancel: at its next safe point, what it wrote stays and running it again finishes it).
 */
export function ProgressLine({ progress, operation }: { progress: TasksProgress | null; operation: TasksProgress['operation'] }) {
  const { t } = useTasksT();
  const [stopping, setStopping] = useState(false);
  const running = !!progress && progress.operation === operation && progress.phase !== 'done' && progress.phase !== 'failed';
  useEffect(() => {
    if (!running) setStopping(false);
  }, [running]);
  if (!running) return null;
  const value = progress.total > 0 ? Math.min(1, progress.done / progress.total) : undefined;
  const stoppable = operation === 'publish' || operation === 'sync';
  return (
    <div data-testid={`tasks-progress-${operation}`}>
      <ProgressBar value={value} thickness="large" aria-label={t('progress.label')} />
      <Text size={200}>{t(`phase.${progress.phase}`)}{progress.total > 0 ? ` · ${t('progress.count', { done: progress.done, total: progress.total })}` : ''}</Text>
      {stoppable ? (
        <Button
          appearance="subtle"
          size="small"
          icon={<DismissCircleRegular />}
          disabled={stopping}
          data-testid={`tasks-stop-${operation}`}
          onClick={() => {
            setStopping(true);
            void call('tasks.cancel', {}).catch(() => setStopping(false));
          }}
        >
          {stopping ? t('progress.stopping') : t('progress.stop')}
        </Button>
      ) : null}
    </div>
  );
}
