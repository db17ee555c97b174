import {
  Badge,
  Button,
  Card,
  CardHeader,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  makeStyles,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Option,
  ProgressBar,
  Spinner,
  Text,
  Title2,
  tokens,
} from '@fluentui/react-components';
import { ArrowSyncRegular, PlugConnectedRegular, PowerRegular, WrenchRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import type { ConnectionKind, TeamsConsoleFinding } from '../../../../preload/contract';
import { ErrorBar } from '../../../components/ErrorBar';
import { useReturnFocus } from '../../../components/useReturnFocus';
import { useAppStore } from '../../../stores/app';
import { useConnectionsStore } from '../../../stores/connections';
import { CODES, CopyId, findingText, messageText, SEVERITY_ICONS, useCommonStyles, useT, when } from './common';
import { useTeamsSetupStore } from './store';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1200px' },
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  profiles: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(280px, 1fr))', gap: tokens.spacingHorizontalL },
  group: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  groupHeading: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  item: {
    display: 'grid', gridTemplateColumns: '24px minmax(0, 1fr) auto', gap: tokens.spacingHorizontalM, alignItems: 'start',
    padding: tokens.spacingVerticalS, borderRadius: tokens.borderRadiusMedium, border: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  consent: {
    padding: tokens.spacingHorizontalM, borderLeft: `4px solid ${tokens.colorBrandStroke1}`, backgroundColor: tokens.colorNeutralBackground2,
    display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS,
  },
  changes: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const SEVERITIES = ['error', 'warning', 'info'] as const;

function ProfileChoice({ which, kind }: { which: 'commerce' | 'graph'; kind: ConnectionKind }) {
  const { t: tt } = useT();
  const s = useCommonStyles();
  const profiles = useConnectionsStore((x) => x.profiles).filter((p) => p.kind === kind);
  const config = useTeamsSetupStore((x) => x.config);
  const busy = useTeamsSetupStore((x) => !!x.busy.config);
  const value = which === 'commerce' ? config?.commerceProfileId ?? null : config?.graphProfileId ?? null;
  const chosen = profiles.find((p) => p.id === value);
  const label = tt(`setup.profiles.${which}`);
  return (
    <Field label={label} hint={tt(`setup.profiles.${which}Hint`)} validationMessage={value && !chosen ? tt('setup.profiles.gone') : undefined}>
      <Dropdown
        data-testid={`ct-setup-profile-${which}`}
        aria-label={label}
        disabled={busy}
        value={chosen?.name ?? ''}
        selectedOptions={value ? [value] : []}
        placeholder={profiles.length ? tt('setup.profiles.choose') : tt('setup.profiles.noneOfKind')}
        onOptionSelect={(_, d) => void useTeamsSetupStore.getState().setProfile(which, d.optionValue ?? null)}
      >
        {profiles.map((p) => (
          <Option key={p.id} value={p.id} text={p.name}>
            {p.name}
          </Option>
        ))}
      </Dropdown>
      {chosen ? <Text size={200} className={s.hint}>{chosen.url}</Text> : null}
    </Field>
  );
}

function EnableDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t: tt, i18n } = useT();
  const st = useStyles();
  const config = useTeamsSetupStore((x) => x.config);
  const busy = useTeamsSetupStore((x) => !!x.busy.enable);
  const error = useTeamsSetupStore((x) => x.errors.enable);
  const accepted = !!config?.dataSharingConsent.accepted;
  const [agree, setAgree] = useState(accepted);
  useReturnFocus(open);
  useEffect(() => setAgree(accepted), [open, accepted]);
  if (!open) return null;
  return (
    <Dialog open modalType="alert">
      <DialogSurface data-testid="ct-enable-dialog" aria-describedby="ct-consent-text">
        <DialogBody>
          <DialogTitle>{tt('setup.enable.title')}</DialogTitle>
          <DialogContent>
            <div className={st.consent} id="ct-consent-text" data-testid="ct-consent-text">
              <Text weight="semibold">{tt('setup.consent.heading')}</Text>
              <Text>{tt('setup.consent.p1')}</Text>
              <Text>{tt('setup.consent.p2')}</Text>
              <Text>{tt('setup.consent.p3')}</Text>
            </div>
            {accepted ? (
              <Text as="p" block data-testid="ct-consent-accepted">
                {tt('setup.consent.acceptedOn', { when: when(config?.dataSharingConsent.acceptedAt, i18n.language) })}
              </Text>
            ) : (
              <Checkbox data-testid="ct-consent-checkbox" checked={agree} onChange={(_, d) => setAgree(!!d.checked)} label={tt('setup.consent.agree')} />
            )}
            <Text as="p" block>{tt('setup.enable.starts')}</Text>
            {error ? <ErrorBar error={error} plain /> : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{tt('cancel')}</Button>
            <Button
              appearance="primary"
              data-testid="ct-enable-confirm"
              disabled={!agree || busy}
              icon={busy ? <Spinner size="tiny" /> : undefined}
              onClick={async () => {
                if (await useTeamsSetupStore.getState().enable(agree)) onClose();
              }}
            >
              {tt('setup.enable.confirm')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function DisableDialog() {
  const { t: tt } = useT();
  const st = useStyles();
  const preview = useTeamsSetupStore((x) => x.disablePreview);
  const busy = useTeamsSetupStore((x) => !!x.busy.disable);
  const error = useTeamsSetupStore((x) => x.errors.enable);
  useReturnFocus(!!preview);
  if (!preview) return null;
  return (
    <Dialog open modalType="alert">
      <DialogSurface data-testid="ct-disable-dialog" aria-describedby="ct-disable-lead">
        <DialogBody>
          <DialogTitle>{tt('setup.disable.title')}</DialogTitle>
          <DialogContent>
            <Text as="p" block id="ct-disable-lead">{tt('setup.disable.lead')}</Text>
            <ul className={st.changes} data-testid="ct-disable-effects">
              {preview.map((m, i) => (
                <li key={`${m.code}-${i}`} data-code={m.code}>{messageText(tt, 'effect', m)}</li>
              ))}
            </ul>
            {error ? <ErrorBar error={error} plain /> : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => useTeamsSetupStore.getState().cancelDisable()}>{tt('cancel')}</Button>
            <Button appearance="primary" data-testid="ct-disable-confirm" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} onClick={() => void useTeamsSetupStore.getState().disable()}>
              {tt('setup.disable.confirm')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function FixDialog() {
  const { t: tt } = useT();
  const st = useStyles();
  const pending = useTeamsSetupStore((x) => x.pending);
  const applying = useTeamsSetupStore((x) => x.applying);
  const error = useTeamsSetupStore((x) => x.errors.fix);
  useReturnFocus(!!pending);
  if (!pending) return null;
  return (
    <Dialog open modalType="alert">
      <DialogSurface data-testid="ct-fix-preview" aria-describedby="ct-fix-lead">
        <DialogBody>
          <DialogTitle>{tt('setup.fix.previewTitle', { fix: tt(`fixId.${pending.fix.fixId}`, { ns: CODES }) })}</DialogTitle>
          <DialogContent>
            <Text as="p" block weight="semibold">{findingText(tt, pending.finding, 'title')}</Text>
            <Text as="p" block id="ct-fix-lead">
              {pending.changes.length ? tt('setup.fix.lead', { count: pending.changes.length }) : tt('setup.fix.nothing')}
            </Text>
            <ul className={st.changes} data-testid="ct-fix-changes">
              {pending.changes.map((c, i) => (
                <li key={`${c.code}-${i}`} data-code={c.code}>{messageText(tt, 'change', c)}</li>
              ))}
            </ul>
            {error ? <ErrorBar error={error} plain /> : null}
          </DialogContent>
          <DialogActions>
            <Button data-testid="ct-fix-cancel" onClick={() => useTeamsSetupStore.getState().cancelFix()}>{tt('cancel')}</Button>
            <Button
              appearance="primary"
              data-testid="ct-fix-apply"
              disabled={applying || pending.changes.length === 0}
              icon={applying ? <Spinner size="tiny" /> : undefined}
              onClick={() => void useTeamsSetupStore.getState().confirmFix()}
            >
              {tt('setup.fix.apply')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function FindingRow({ f, index }: { f: TeamsConsoleFinding; index: number }) {
  const { t: tt } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const previewing = useTeamsSetupStore((x) => x.previewing === index);
  const busy = useTeamsSetupStore((x) => x.applying || x.checking || x.previewing !== null);
  const upn = typeof f.params?.upn === 'string' ? f.params.upn : null;
  const teamId = typeof f.params?.teamId === 'string' ? f.params.teamId : null;
  return (
    <li className={st.item} data-testid={`ct-finding-${f.code}`} data-severity={f.severity} data-store={f.storeNumber ?? ''}>
      <span role="img" aria-label={tt(`severity.${f.severity}`)}>
        {SEVERITY_ICONS[f.severity](s[f.severity])}
      </span>
      <div className={st.body}>
        <Text weight="semibold">{findingText(tt, f, 'title')}</Text>
        <Text>{findingText(tt, f, 'cause')}</Text>
        <Text size={200}>
          <strong>{tt('setup.check.fixLabel')}</strong> {findingText(tt, f, 'fix')}
        </Text>
        {upn || teamId || f.personnelNumber ? (
          <div className={s.row}>
            {f.personnelNumber ? <Text size={200} className={s.mono}>{f.personnelNumber}</Text> : null}
            {upn ? (
              <>
                <Text size={200} className={s.mono}>{upn}</Text>
                <CopyId value={upn} label={tt('copyUpn')} />
              </>
            ) : null}
            {teamId ? (
              <>
                <Text size={200} className={s.mono}>{teamId}</Text>
                <CopyId value={teamId} label={tt('copyTeamId')} />
              </>
            ) : null}
          </div>
        ) : null}
      </div>
      {f.fix ? (
        <Button
          data-testid={`ct-fix-${f.code}-${index}`}
          icon={previewing ? <Spinner size="tiny" /> : <WrenchRegular />}
          disabled={busy}
          onClick={() => void useTeamsSetupStore.getState().requestFix(index)}
        >
          {tt('setup.fix.button', { fix: tt(`fixId.${f.fix.fixId}`, { ns: CODES }) })}
        </Button>
      ) : (
        <span />
      )}
    </li>
  );
}

function Preflight() {
  const { t: tt, i18n } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const findings = useTeamsSetupStore((x) => x.findings);
  const checkedAt = useTeamsSetupStore((x) => x.checkedAt);
  const checking = useTeamsSetupStore((x) => x.checking);
  const stale = useTeamsSetupStore((x) => x.findingsStale);
  const errors = useTeamsSetupStore((x) => x.errors);
  const applied = useTeamsSetupStore((x) => (x.applied?.kind === 'fix' ? x.applied : null));
  const busy = useTeamsSetupStore((x) => x.applying || x.checking || x.previewing !== null);
  const indexed = (findings ?? []).map((f, index) => ({ f, index }));
  const counts = SEVERITIES.map((sev) => [sev, indexed.filter((x) => x.f.severity === sev).length] as const);
  return (
    <Card className={st.card} data-testid="ct-preflight">
      <CardHeader header={<Text as="h2" weight="semibold" size={500} className={s.h2}>{tt('setup.check.title')}</Text>} description={tt('setup.check.help')} />
      <div className={s.row}>
        <Button appearance="primary" data-testid="ct-check-run" icon={<ArrowSyncRegular />} disabled={busy} onClick={() => void useTeamsSetupStore.getState().check()}>
          {findings ? tt('setup.check.rerun') : tt('setup.check.run')}
        </Button>
        {checkedAt && findings ? (
          <Text data-testid="ct-check-summary">
            {tt('setup.check.summary', { when: new Date(checkedAt).toLocaleTimeString(i18n.language) })}{' '}
            {counts.map(([k, n]) => tt(`setup.check.count.${k}`, { count: n })).join(' · ')}
          </Text>
        ) : null}
      </div>
      {stale && !checking ? (
        <MessageBar intent="info" data-testid="ct-check-stale">
          <MessageBarBody>{tt('setup.check.stale')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {checking ? <ProgressBar data-testid="ct-check-progress" aria-label={tt('setup.check.running')} thickness="large" /> : null}
      {errors.check ? <ErrorBar error={errors.check} testId="ct-check-error" /> : null}
      {errors.fix ? <ErrorBar error={errors.fix} testId="ct-fix-error" /> : null}
      {applied ? (
        <MessageBar intent="success" layout="multiline" data-testid="ct-fix-applied">
          <MessageBarBody>
            {tt('setup.fix.applied')}
            <ul className={st.changes}>
              {applied.messages.map((m, i) => (
                <li key={i}>{messageText(tt, 'change', m)}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {findings && findings.length === 0 ? (
        <MessageBar intent="success" data-testid="ct-check-clean">
          <MessageBarBody>{tt('setup.check.clean')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {findings && findings.length > 0 ? (
        <MessageBar intent={counts[0]![1] > 0 ? 'error' : 'warning'}>
          <MessageBarBody>{counts[0]![1] > 0 ? tt('setup.check.blocking') : tt('setup.check.notBlocking')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {SEVERITIES.map((sev) => {
        const group = indexed.filter((x) => x.f.severity === sev);
        if (group.length === 0) return null;
        return (
          <section key={sev} className={st.group} data-testid={`ct-findings-${sev}`} aria-labelledby={`ct-findings-${sev}-h`}>
            <h3 id={`ct-findings-${sev}-h`} className={st.groupHeading}>
              {tt(`setup.check.group.${sev}`, { count: group.length })}
            </h3>
            <ul className={st.list}>
              {group.map(({ f, index }) => (
                <FindingRow key={`${f.code}-${index}`} f={f} index={index} />
              ))}
            </ul>
          </section>
        );
      })}
      {!findings && !checking ? <Text className={s.hint}>{tt('setup.check.notRun')}</Text> : null}
      <FixDialog />
    </Card>
  );
}

export function TeamsSetupPage() {
  const { t: tt, i18n } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const loaded = useTeamsSetupStore((x) => x.loaded);
  const config = useTeamsSetupStore((x) => x.config);
  const errors = useTeamsSetupStore((x) => x.errors);
  const applied = useTeamsSetupStore((x) => (x.applied && x.applied.kind !== 'fix' ? x.applied : null));
  const busyDisable = useTeamsSetupStore((x) => !!x.busy.disable);
  const [enabling, setEnabling] = useState(false);

  useEffect(() => {
    void useTeamsSetupStore.getState().load();
    void useConnectionsStore.getState().init();
  }, []);

  if (!loaded) return <Spinner label={tt('loading')} />;
  const enabled = !!config?.enabled;
  const missing = !config?.commerceProfileId || !config?.graphProfileId;
  return (
    <div className={st.page} data-testid="ct-setup-page">
      <div>
        <Title2 as="h1">{tt('setup.title')}</Title2>
        <Text as="p" block>{tt('setup.intro')}</Text>
      </div>
      {errors.page ? <ErrorBar error={errors.page} /> : null}

      <Card className={st.card} data-testid="ct-status" data-enabled={String(enabled)}>
        <CardHeader
          header={<Text as="h2" weight="semibold" size={500} className={s.h2}>{tt('setup.status.title')}</Text>}
          action={<Badge data-testid="ct-status-badge" color={enabled ? 'success' : 'informative'}>{enabled ? tt('setup.status.enabled') : tt('setup.status.disabled')}</Badge>}
        />
        <Text>{enabled ? tt('setup.status.enabledSince', { when: when(config?.enabledAt, i18n.language) }) : tt('setup.status.disabledText')}</Text>
        <Text size={200} className={s.hint} data-testid="ct-consent-state">
          {config?.dataSharingConsent.accepted ? tt('setup.consent.acceptedOn', { when: when(config.dataSharingConsent.acceptedAt, i18n.language) }) : tt('setup.consent.notAccepted')}
        </Text>
        {applied ? (
          <MessageBar intent="success" layout="multiline" data-testid={`ct-${applied.kind}-effects`}>
            <MessageBarBody>
              {tt(applied.kind === 'enable' ? 'setup.enable.done' : 'setup.disable.done')}
              <ul className={st.changes}>
                {applied.messages.map((m, i) => (
                  <li key={i} data-code={m.code}>{messageText(tt, 'effect', m)}</li>
                ))}
              </ul>
            </MessageBarBody>
            <MessageBarActions>
              <Button appearance="transparent" size="small" onClick={() => useTeamsSetupStore.getState().clearApplied()}>{tt('dismiss')}</Button>
            </MessageBarActions>
          </MessageBar>
        ) : null}
        {errors.enable && !enabling ? <ErrorBar error={errors.enable} testId="ct-enable-error" /> : null}
        <div className={s.row}>
          {enabled ? (
            <Button data-testid="ct-disable" icon={busyDisable ? <Spinner size="tiny" /> : <PowerRegular />} disabled={busyDisable} onClick={() => void useTeamsSetupStore.getState().previewDisable()}>
              {tt('setup.disable.button')}
            </Button>
          ) : (
            <Button appearance="primary" data-testid="ct-enable" icon={<PowerRegular />} disabled={missing} aria-describedby={missing ? 'ct-enable-why' : undefined} onClick={() => setEnabling(true)}>
              {tt('setup.enable.button')}
            </Button>
          )}
          {!enabled && missing ? (
            <Text id="ct-enable-why" className={s.hint}>{tt('setup.enable.needsProfiles')}</Text>
          ) : null}
        </div>
      </Card>

      <Card className={st.card} data-testid="ct-profiles">
        <CardHeader
          header={<Text as="h2" weight="semibold" size={500} className={s.h2}>{tt('setup.profiles.title')}</Text>}
          description={tt('setup.profiles.help')}
          action={
            <Button appearance="subtle" className={s.nowrap} icon={<PlugConnectedRegular />} onClick={() => useAppStore.getState().setPage('connections')}>
              {tt('setup.profiles.openConnections')}
            </Button>
          }
        />
        <div className={st.profiles}>
          <ProfileChoice which="commerce" kind="commerce-hq" />
          <ProfileChoice which="graph" kind="graph" />
        </div>
        {errors.config ? <ErrorBar error={errors.config} testId="ct-config-error" /> : null}
        {config?.commerceProfileId ? (
          <div className={s.row}>
            <Text size={200} className={s.hint}>{tt('setup.profiles.ids')}</Text>
            <Text size={200} className={s.mono}>{config.commerceProfileId}</Text>
            <CopyId value={config.commerceProfileId} label={tt('copyProfileId')} />
            {config.graphProfileId ? (
              <>
                <Text size={200} className={s.mono}>{config.graphProfileId}</Text>
                <CopyId value={config.graphProfileId} label={tt('copyProfileId')} />
              </>
            ) : null}
          </div>
        ) : null}
      </Card>

      <Preflight />
      <EnableDialog open={enabling} onClose={() => setEnabling(false)} />
      <DisableDialog />
    </div>
  );
}
