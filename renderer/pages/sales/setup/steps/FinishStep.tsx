import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowSyncRegular, PlugConnectedRegular, PlugDisconnectedRegular } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../../../stores/app';
import { useConnectionsStore } from '../../../../stores/connections';
import { useSetupStore } from '../../../../stores/setup';
import { useSyncStore } from '../../../../stores/sync';
import { useReturnFocus } from '../../../../components/useReturnFocus';
import { ErrorBar } from '../../../../components/ErrorBar';
import { ADVANCED_FLAGS, enableBlockers, itemAvailabilityMode, translateMessage } from '../logic';
import { useSetupStyles } from '../shared';

const useStyles = makeStyles({
  review: { display: 'grid', gridTemplateColumns: 'minmax(160px, max-content) minmax(0, 1fr)', gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`, margin: 0 },
  dt: { fontWeight: tokens.fontWeightSemibold },
  dd: { margin: 0, overflowWrap: 'anywhere' },
  names: { margin: 0, paddingLeft: tokens.spacingHorizontalL, maxHeight: '180px', overflowY: 'auto' },
  status: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: tokens.spacingHorizontalM, borderRadius: tokens.borderRadiusMedium, border: `1px solid ${tokens.colorNeutralStroke2}` },
  next: {
    display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalS, padding: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusMedium, border: `2px solid ${tokens.colorBrandStroke1}`, backgroundColor: tokens.colorBrandBackground2,
  },
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
  tight: { margin: 0 },
});

/**
 * After Enable: the recurring job-queue entries wait On Hold for the initial synchronization, and this panel leads
 * to the full synchronization review on the Sync page (texts in the sync namespace, where the review lives).
 */
function WhatNext() {
  const { t: tsync } = useTranslation('sync');
  const st = useStyles();
  const ref = useRef<HTMLElement>(null);
  // Enable is clicked at the end of the step: bring what comes next into view when it appears.
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'start' });
  }, []);
  return (
    <section ref={ref} className={st.next} data-testid="setup-what-next" aria-labelledby="setup-what-next-title">
      <Text as="h2" id="setup-what-next-title" size={500} weight="semibold" className={st.tight}>
        {tsync('whatNext.title')}
      </Text>
      <Text as="p" block className={st.tight}>
        {tsync('whatNext.text')}
      </Text>
      <ol className={st.steps}>
        <li>{tsync('whatNext.steps.review')}</li>
        <li>{tsync('whatNext.steps.start')}</li>
        <li>{tsync('whatNext.steps.queue')}</li>
      </ol>
      <Button
        appearance="primary"
        size="large"
        icon={<ArrowSyncRegular />}
        data-testid="setup-what-next-review"
        onClick={() => {
          useSyncStore.getState().requestReview();
          useAppStore.getState().setPage('sync');
        }}
      >
        {tsync('whatNext.open')}
      </Button>
    </section>
  );
}

function Review() {
  const { t: ts } = useTranslation('setup');
  const st = useStyles();
  const d = useSetupStore((x) => x.draft);
  const profiles = useConnectionsStore((x) => x.profiles);
  const name = (id: string | null) => (id ? (profiles.find((p) => p.id === id)?.name ?? id) : ts('review.none'));
  const a = d.advanced;
  const u = d.integrationUser;
  const rows: [string, string][] = [
    [ts('review.bc'), `${ts(d.bc.kind === 'online' ? 'bcStep.online' : 'bcStep.onprem')} · ${name(d.bc.profileId)}${d.bc.kind === 'online' && d.bc.companyName ? ` · ${d.bc.companyName}` : ''}`],
    [ts('review.bcVersion'), d.bcVersion ? ts('bcStep.version', { major: d.bcVersion.major ?? ts('bcStep.unknownMajor'), api: d.bcVersion.api, path: ts(`bcStep.path.${d.bcVersion.path}`) }) : ts('review.none')],
    [ts('review.admin'), `${name(d.dataverseProfileId)} · ${d.dataverseUrl ?? ''}`],
    [ts('review.integrationUser'), u ? (u.kind === 'user' ? u.email : ts('review.application', { id: u.applicationId })) : ts('review.none')],
    [ts('review.integrationProfile'), name(d.integrationProfileId)],
    [ts('review.lcy'), d.lcyCode ?? ts('review.none')],
    ...ADVANCED_FLAGS.map((f): [string, string] => [
      ts(`${f === 'itemAvailability' ? `adv.itemAvailability.${itemAvailabilityMode(d.bcVersion?.major ?? null)}` : `adv.${f}`}.label`),
      a[f] ? ts('review.on') : ts('review.off'),
    ]),
    [ts('adv.sdkVersion.label'), String(a.sdkVersion)],
    [ts('adv.ownership.label'), ts(`adv.ownership.${a.ownershipModel}`)],
    [ts('adv.salesUrl.label'), a.salesUrl ?? ts('review.none')],
    [ts('adv.bcWebClientUrl.label'), a.bcWebClientUrl ?? ts('review.none')],
  ];
  return (
    <dl className={st.review} data-testid="setup-review">
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt className={st.dt}>{k}</dt>
          <dd className={st.dd}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function EnableDialog() {
  const { t: ts } = useTranslation('setup');
  const st = useStyles();
  const plan = useSetupStore((x) => x.enablePlan);
  const enabling = useSetupStore((x) => x.enabling);
  useReturnFocus(Boolean(plan));
  if (!plan) return null;
  const overwrites = plan.overwrites.mappings.length + plan.overwrites.jobs.length;
  return (
    <Dialog open modalType="alert">
      <DialogSurface data-testid="setup-enable-confirm" aria-describedby="setup-enable-lead">
        <DialogBody>
          <DialogTitle>{ts('finish.confirmTitle')}</DialogTitle>
          <DialogContent>
            <Text as="p" block id="setup-enable-lead">
              {translateMessage(ts, plan.confirmation)}
            </Text>
            <Text as="h3" block weight="semibold">
              {ts('finish.creates')}
            </Text>
            <ul className={st.names} data-testid="setup-enable-creates">
              <li>{ts('finish.mappingSet', { name: plan.mappingSetName })}</li>
              <li>
                {ts('finish.mappings', { count: plan.mappings.length })}: {plan.mappings.join(', ')}
              </li>
              <li>
                {ts('finish.jobs', { count: plan.jobs.length })}: {plan.jobs.join(', ')}
              </li>
            </ul>
            <Text as="h3" block weight="semibold">
              {ts('finish.overwrites')}
            </Text>
            {overwrites ? (
              <ul className={st.names} data-testid="setup-enable-overwrites">
                {plan.overwrites.mappings.length ? (
                  <li>
                    {ts('finish.overwriteMappings', { count: plan.overwrites.mappings.length })}: {plan.overwrites.mappings.join(', ')}
                  </li>
                ) : null}
                {plan.overwrites.jobs.length ? (
                  <li>
                    {ts('finish.overwriteJobs', { count: plan.overwrites.jobs.length })}: {plan.overwrites.jobs.join(', ')}
                  </li>
                ) : null}
              </ul>
            ) : (
              <Text as="p" block data-testid="setup-enable-overwrites">
                {ts('finish.nothingOverwritten')}
              </Text>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => useSetupStore.getState().cancelEnable()}>{ts('finish.cancel')}</Button>
            <Button appearance="primary" data-testid="setup-enable-confirm-ok" disabled={enabling} icon={enabling ? <Spinner size="tiny" /> : undefined} onClick={() => void useSetupStore.getState().enable()}>
              {overwrites ? ts('finish.confirmOverwrite') : ts('finish.confirm')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

export function FinishStep() {
  const { t: ts, i18n } = useTranslation('setup');
  const s = useSetupStyles();
  const st = useStyles();
  const status = useSetupStore((x) => x.status);
  const report = useSetupStore((x) => x.report);
  const advanced = useSetupStore((x) => x.draft.advanced);
  const errors = useSetupStore((x) => x.errors);
  const enabling = useSetupStore((x) => x.enabling);
  const onHold = useSetupStore((x) => x.jobsOnHold);
  const [confirmDisable, setConfirmDisable] = useState(false);
  const store = useSetupStore.getState;
  const blockers = enableBlockers(report, advanced);
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(i18n.language) : '—');

  return (
    <div className={s.stack}>
      {/* Once enabled, what comes next is the first thing on the step (not below the summary). */}
      {status.enabled ? <WhatNext /> : null}
      <Review />
      <div className={st.status} data-testid="setup-status" data-enabled={String(status.enabled)}>
        <div className={s.row}>
          <Text weight="semibold">{ts('finish.status')}</Text>
          <Badge color={status.enabled ? 'success' : 'informative'}>{status.enabled ? ts('finish.enabled') : ts('finish.disabled')}</Badge>
        </div>
        {status.enabled ? (
          <Text>
            {ts('finish.statusLine', { when: when(status.enabledAt), crm: status.crmVersion ?? '—', solution: status.solutionVersion ?? '—', set: status.mappingSetName ?? '—' })}
          </Text>
        ) : null}
        {status.disableReason ? <Text>{translateMessage(ts, status.disableReason)}</Text> : null}
      </div>
      {onHold ? (
        <MessageBar intent="info" layout="multiline" data-testid="setup-jobs-on-hold">
          <MessageBarBody>{onHold.length ? ts('finish.onHold', { count: onHold.length, jobs: onHold.join(', ') }) : ts('finish.noneOnHold')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {blockers.length && !status.enabled ? (
        <MessageBar intent="error" layout="multiline" data-testid="setup-enable-blocked" id="setup-enable-blocked">
          <MessageBarBody>
            {ts('finish.blocked', { count: blockers.length })}
            <ul className={st.names}>
              {blockers.map((f) => (
                <li key={f.id}>{translateMessage(ts, f.title)}{f.cause ? ` — ${translateMessage(ts, f.cause)}` : ''}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {!report && !status.enabled ? <Text className={s.hint}>{ts('finish.noReport')}</Text> : null}
      {errors.enable ? <ErrorBar error={errors.enable} /> : null}
      {errors.disable ? <ErrorBar error={errors.disable} /> : null}
      <div className={s.row}>
        {status.enabled ? (
          <Button data-testid="setup-disable" icon={<PlugDisconnectedRegular />} onClick={() => setConfirmDisable(true)}>
            {ts('finish.disable')}
          </Button>
        ) : (
          <Button
            appearance="primary"
            data-testid="setup-enable"
            icon={enabling ? <Spinner size="tiny" /> : <PlugConnectedRegular />}
            disabled={blockers.length > 0 || enabling}
            aria-describedby={blockers.length ? 'setup-enable-blocked' : undefined}
            onClick={() => void store().previewEnable()}
          >
            {ts('finish.enable')}
          </Button>
        )}
      </div>
      <EnableDialog />
      {confirmDisable ? (
        <Dialog open modalType="alert">
          <DialogSurface data-testid="setup-disable-confirm">
            <DialogBody>
              <DialogTitle>{ts('finish.disableTitle')}</DialogTitle>
              <DialogContent>{ts('finish.disableText')}</DialogContent>
              <DialogActions>
                <Button onClick={() => setConfirmDisable(false)}>{ts('finish.cancel')}</Button>
                <Button
                  appearance="primary"
                  data-testid="setup-disable-confirm-ok"
                  onClick={() => {
                    setConfirmDisable(false);
                    void store().disable();
                  }}
                >
                  {ts('finish.disable')}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
    </div>
  );
}
