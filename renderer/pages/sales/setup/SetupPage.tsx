import { Button, makeStyles, mergeClasses, MessageBar, MessageBarActions, MessageBarBody, Spinner, Text, Title2, tokens } from '@fluentui/react-components';
import { ArrowLeftRegular, ArrowRightRegular, CheckmarkCircleFilled, CircleRegular, RecordRegular } from '@fluentui/react-icons';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnectionsStore } from '../../../stores/connections';
import { useSetupStore } from '../../../stores/setup';
import { DeviceCodeDialog } from '../../connections/DeviceCodeDialog';
import { ErrorBar } from '../../../components/ErrorBar';
import { nextBlocker, railState, STEPS, type Step } from './logic';
import { AdvancedStep } from './steps/AdvancedStep';
import { BusinessCentralStep } from './steps/BusinessCentralStep';
import { DataverseStep } from './steps/DataverseStep';
import { FinishStep } from './steps/FinishStep';
import { IntegrationUserStep } from './steps/IntegrationUserStep';
import { PreflightStep } from './steps/PreflightStep';
import { SalespeopleStep } from './steps/SalespeopleStep';
import { StartStep } from './steps/StartStep';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1200px' },
  layout: { display: 'grid', gridTemplateColumns: '230px minmax(0, 1fr)', gap: tokens.spacingHorizontalXL, alignItems: 'start' },
  rail: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  railButton: { justifyContent: 'flex-start', width: '100%', textAlign: 'start' },
  railCurrent: { fontWeight: tokens.fontWeightSemibold, backgroundColor: tokens.colorNeutralBackground1Selected },
  done: { color: tokens.colorPaletteGreenForeground1 },
  frame: {
    display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalXL,
    backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusLarge, boxShadow: tokens.shadow4,
  },
  heading: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold, outlineOffset: '4px' },
  footer: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', justifyContent: 'flex-end', flexWrap: 'wrap', borderTop: `1px solid ${tokens.colorNeutralStroke2}`, paddingTop: tokens.spacingVerticalM },
  srOnly: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
  reason: { color: tokens.colorNeutralForeground3, marginRight: 'auto' },
});

const STEP_VIEWS: Record<Step, () => React.JSX.Element> = {
  start: StartStep,
  'business-central': BusinessCentralStep,
  dataverse: DataverseStep,
  'integration-user': IntegrationUserStep,
  advanced: AdvancedStep,
  preflight: PreflightStep,
  salespeople: SalespeopleStep,
  finish: FinishStep,
};

function Rail({ current }: { current: Step }) {
  const { t: ts } = useTranslation('setup');
  const s = useStyles();
  const enabled = useSetupStore((x) => x.status.enabled);
  return (
    <nav aria-label={ts('rail.label')}>
      <ol className={s.rail} data-testid="setup-rail">
        {STEPS.map((step, i) => {
          const state = railState(step, current, enabled);
          return (
            <li key={step}>
              <Button
                appearance="subtle"
                className={mergeClasses(s.railButton, state === 'current' && s.railCurrent)}
                data-testid={`rail-step-${step}`}
                data-state={state}
                aria-current={state === 'current' ? 'step' : undefined}
                // Only steps already done can be revisited from the rail; later ones are reached with Next.
                disabledFocusable={state === 'todo'}
                icon={state === 'done' ? <CheckmarkCircleFilled className={s.done} /> : state === 'current' ? <RecordRegular /> : <CircleRegular />}
                onClick={() => state === 'done' && void useSetupStore.getState().goTo(step)}
              >
                {ts('rail.item', { n: i + 1, title: ts(`steps.${step}.title`) })}
                <span className={s.srOnly}>{state === 'done' ? ` (${ts('rail.done')})` : ''}</span>
              </Button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

export function SetupPage() {
  const { t: ts, i18n } = useTranslation('setup');
  const s = useStyles();
  const loaded = useSetupStore((x) => x.loaded);
  const draft = useSetupStore((x) => x.draft);
  const resumed = useSetupStore((x) => x.resumed);
  const savedAt = useSetupStore((x) => x.savedAt);
  const errors = useSetupStore((x) => x.errors);
  const report = useSetupStore((x) => x.report);
  const whoami = useSetupStore((x) => x.whoami);
  const dvStatus = useConnectionsStore((x) => (draft.dataverseProfileId ? x.statuses[draft.dataverseProfileId] : undefined));
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  useEffect(() => {
    void useSetupStore.getState().load();
  }, []);
  // Focus follows the step (not on first render: opening the page must not steal focus from the navigation).
  useEffect(() => {
    if (!loaded) return;
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [draft.step, loaded]);

  if (!loaded) return <Spinner label={ts('page.loading')} />;
  const step = draft.step;
  const View = STEP_VIEWS[step];
  const signedIn = !!draft.dataverseProfileId && (!!whoami[draft.dataverseProfileId] || dvStatus?.state === 'signed-in');
  const blocker = nextBlocker(draft, { dataverseSignedIn: signedIn, report });
  const store = useSetupStore.getState;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Enter in a text field moves on when the step is complete; buttons, switches and lists keep their own Enter.
    const el = e.target as HTMLElement;
    if (e.key !== 'Enter' || e.defaultPrevented || !(el instanceof HTMLInputElement) || !['text', 'email', 'url', 'search'].includes(el.type)) return;
    if (blocker || step === 'start' || step === 'finish') return;
    e.preventDefault();
    void store().next();
  };

  return (
    <div className={s.page} data-testid="setup-page">
      <div>
        <Title2 as="h1">{ts('page.title')}</Title2>
        <Text as="p" block>
          {ts('page.intro')}
        </Text>
      </div>
      {errors.page ? <ErrorBar error={errors.page} /> : null}
      {resumed ? (
        <MessageBar intent="info" data-testid="setup-resumed">
          <MessageBarBody>
            {ts('page.resumed', { step: ts(`steps.${step}.title`), when: savedAt ? new Date(savedAt).toLocaleString(i18n.language) : '' })}
          </MessageBarBody>
          <MessageBarActions>
            <Button data-testid="setup-start-over" onClick={() => void store().startOver()}>
              {ts('page.startOver')}
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      <div className={s.layout}>
        <Rail current={step} />
        <section className={s.frame} data-testid={`setup-step-${step}`} aria-labelledby="setup-step-heading" onKeyDown={onKeyDown}>
          <h2 id="setup-step-heading" ref={heading} tabIndex={-1} className={s.heading}>
            {ts('page.stepOf', { n: STEPS.indexOf(step) + 1, total: STEPS.length, title: ts(`steps.${step}.title`) })}
          </h2>
          <Text as="p" block>
            {ts(`steps.${step}.help`)}
          </Text>
          <View />
          {errors.save ? <ErrorBar error={errors.save} title={ts('page.notSaved')} /> : null}
          <div className={s.footer}>
            {blocker && step !== 'finish' ? (
              <Text className={s.reason} data-testid="setup-next-reason" id="setup-next-reason">
                {ts(blocker)}
              </Text>
            ) : null}
            {step !== 'start' ? (
              <Button data-testid="setup-back" icon={<ArrowLeftRegular />} onClick={() => void store().back()}>
                {ts('page.back')}
              </Button>
            ) : null}
            {step !== 'finish' && step !== 'start' ? (
              <Button
                appearance="primary"
                data-testid="setup-next"
                icon={<ArrowRightRegular />}
                iconPosition="after"
                disabled={!!blocker}
                aria-describedby={blocker ? 'setup-next-reason' : undefined}
                onClick={() => void store().next()}
              >
                {ts('page.next')}
              </Button>
            ) : null}
          </div>
        </section>
      </div>
      <DeviceCodeDialog />
    </div>
  );
}
