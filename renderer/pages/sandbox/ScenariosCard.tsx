import { Button, Card, CardHeader, makeStyles, MessageBar, MessageBarBody, Spinner, Text, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SANDBOX_SCENARIO_FINDINGS, SANDBOX_SCENARIOS, type AppError, type SandboxScenario, type SandboxScenarioResult } from '../../../preload/contract';
import { useSandboxStore } from '../../stores/sandbox';
import { call, RpcError } from '../../transport/client';

const useStyles = makeStyles({
  list: { display: 'grid', gridTemplateColumns: 'minmax(240px, max-content) 1fr', gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`, alignItems: 'center' },
  explain: { display: 'flex', flexDirection: 'column' },
  finding: { color: tokens.colorNeutralForeground3 },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

type Outcome = { kind: 'result'; result: SandboxScenarioResult } | { kind: 'error'; error: AppError };

/**
 * One button per failure scenario (issue 5): each breaks the demo environment in the one way a setup pre-flight
 * finding reports. The result line says what changed; the store reloads so the administration-mode switch follows.
 */
export function ScenariosCard() {
  const { t } = useTranslation();
  const s = useStyles();
  const reload = useSandboxStore((x) => x.load);
  const [busy, setBusy] = useState<SandboxScenario | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const run = async (scenario: SandboxScenario) => {
    setBusy(scenario);
    try {
      setOutcome({ kind: 'result', result: await call('sandbox.scenario', { scenario }) });
    } catch (x) {
      setOutcome({ kind: 'error', error: x instanceof RpcError ? x.error : { code: 'INTERNAL', message: (x as Error).message } });
    } finally {
      setBusy(null);
    }
    await reload();
  };

  return (
    <Card>
      <CardHeader header={<Text weight="semibold">{t('sandbox.scenariosTitle')}</Text>} description={t('sandbox.scenariosHint')} />
      <div className={s.list}>
        {SANDBOX_SCENARIOS.map((id) => {
          const finding = SANDBOX_SCENARIO_FINDINGS[id];
          return [
            <Button
              key={`${id}-button`}
              data-testid={`sandbox-scenario-${id}`}
              appearance={id === 'reset' ? 'primary' : 'secondary'}
              disabled={busy !== null}
              icon={busy === id ? <Spinner size="tiny" aria-label={t('sandbox.scenarioRunning')} /> : undefined}
              onClick={() => void run(id)}
            >
              {t(`sandbox.scenarios.${id}.label`)}
            </Button>,
            <div key={`${id}-explain`} className={s.explain}>
              <Text>{t(`sandbox.scenarios.${id}.explain`)}</Text>
              {finding ? (
                <Text size={200} className={s.finding}>
                  {t('sandbox.scenarioFinding')}: <span className={s.mono}>{finding}</span>
                </Text>
              ) : null}
            </div>,
          ];
        })}
      </div>
      {outcome ? (
        <MessageBar
          data-testid="sandbox-scenario-result"
          data-applied={outcome.kind === 'result' ? String(outcome.result.applied) : 'false'}
          intent={outcome.kind === 'error' ? 'error' : outcome.result.applied ? 'success' : 'info'}
          layout="multiline"
        >
          <MessageBarBody>
            {outcome.kind === 'error'
              ? t(`errors.${outcome.error.code}`, { ...(outcome.error.params ?? {}), defaultValue: outcome.error.message })
              : t(outcome.result.message.code, { ...outcome.result.message.params, defaultValue: outcome.result.message.text })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </Card>
  );
}
