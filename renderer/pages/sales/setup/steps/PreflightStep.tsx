import {
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
  ProgressBar,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowSyncRegular,
  CheckmarkCircleFilled,
  DismissCircleFilled,
  PeopleSyncRegular,
  SubtractCircleRegular,
  WarningFilled,
  WrenchRegular,
} from '@fluentui/react-icons';
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { SetupFinding } from '../../../../../preload/contract/sales/setup';
import { useReturnFocus } from '../../../../components/useReturnFocus';
import { useSetupStore, type Applied } from '../../../../stores/setup';
import { ErrorBar } from '../../../../components/ErrorBar';
import { fixNeedsPreview, translateMessage } from '../logic';
import { useSetupStyles } from '../shared';

const useStyles = makeStyles({
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  item: {
    display: 'grid', gridTemplateColumns: '24px minmax(0, 1fr) auto', gap: tokens.spacingHorizontalM, alignItems: 'start',
    padding: tokens.spacingVerticalS, borderRadius: tokens.borderRadiusMedium, border: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  error: { color: tokens.colorPaletteRedForeground1 },
  skipped: { color: tokens.colorNeutralForeground3 },
  changes: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const ICONS: Record<SetupFinding['status'], (cls: string) => ReactElement> = {
  ok: (c) => <CheckmarkCircleFilled className={c} />,
  warning: (c) => <WarningFilled className={c} />,
  error: (c) => <DismissCircleFilled className={c} />,
  skipped: (c) => <SubtractCircleRegular className={c} />,
};

export function useAppliedText() {
  const { t: ts } = useTranslation('setup');
  return (a: Applied) => ('message' in a ? translateMessage(ts, a.message) : ts(a.key, a.params));
}

function FixPreviewDialog() {
  const { t: ts } = useTranslation('setup');
  const st = useStyles();
  const pending = useSetupStore((x) => x.pending);
  const applying = useSetupStore((x) => x.applying);
  const error = useSetupStore((x) => x.errors.fix);
  useReturnFocus(!!pending);
  if (!pending) return null;
  const blocked = pending.blockers.length > 0;
  const title = pending.kind === 'redeploy' ? ts('pre.preview.redeploy') : pending.kind === 'resetRoles' ? ts('pre.preview.resetRoles') : ts('pre.preview.fix', { check: pending.finding ? translateMessage(ts, pending.finding) : '' });
  return (
    <Dialog open modalType="alert">
      <DialogSurface data-testid="setup-fix-preview" aria-describedby="setup-fix-preview-lead">
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>
            <Text as="p" block id="setup-fix-preview-lead">
              {pending.changes.length ? ts('pre.preview.lead', { count: pending.changes.length }) : ts('pre.preview.nothing')}
            </Text>
            <ul className={st.changes} data-testid="setup-fix-changes">
              {pending.changes.map((c, i) => (
                <li key={`${c.kind}-${c.target}-${i}`} data-kind={c.kind}>
                  {translateMessage(ts, c.message)}
                </li>
              ))}
            </ul>
            {blocked ? (
              <div role="alert" data-testid="setup-fix-blockers">
                <Text weight="semibold">{ts('pre.preview.blocked')}</Text>
                <ul className={st.changes}>
                  {pending.blockers.map((b, i) => (
                    <li key={i}>{translateMessage(ts, b)}</li>
                  ))}
                </ul>
              </div>
            ) : null}
            {error ? <ErrorBar error={error} plain /> : null}
          </DialogContent>
          <DialogActions>
            <Button data-testid="setup-fix-cancel" onClick={() => useSetupStore.getState().cancelPending()}>
              {ts('pre.preview.cancel')}
            </Button>
            <Button appearance="primary" data-testid="setup-fix-apply" disabled={blocked || applying} icon={applying ? <Spinner size="tiny" /> : undefined} onClick={() => void useSetupStore.getState().confirmPending()}>
              {ts('pre.preview.apply')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function FindingRow({ f }: { f: SetupFinding }) {
  const { t: ts } = useTranslation('setup');
  const st = useStyles();
  const previewing = useSetupStore((x) => x.previewing === f.id);
  const busy = useSetupStore((x) => x.applying || x.running || x.previewing !== null);
  return (
    <li className={st.item} data-testid={`finding-${f.id}`} data-status={f.status}>
      <span role="img" aria-label={ts(`pre.status.${f.status}`)}>
        {ICONS[f.status](st[f.status])}
      </span>
      <div className={st.body}>
        <Text weight="semibold">{translateMessage(ts, f.title)}</Text>
        {f.cause ? <Text>{translateMessage(ts, f.cause)}</Text> : null}
        {f.fix ? (
          <Text size={200}>
            <strong>{ts('pre.fixLabel')}</strong> {translateMessage(ts, f.fix)}
          </Text>
        ) : null}
      </div>
      {f.fixAction ? (
        <Button
          data-testid={`fix-${f.id}`}
          icon={previewing ? <Spinner size="tiny" /> : <WrenchRegular />}
          disabled={busy}
          onClick={() => void useSetupStore.getState().requestFix(f)}
        >
          {ts(fixNeedsPreview(f) ? 'pre.fixPreview' : 'pre.fixNow', { action: ts(`pre.action.${f.fixAction.kind}`) })}
        </Button>
      ) : (
        <span />
      )}
    </li>
  );
}

export function PreflightStep() {
  const { t: ts, i18n } = useTranslation('setup');
  const s = useSetupStyles();
  const st = useStyles();
  const report = useSetupStore((x) => x.report);
  const running = useSetupStore((x) => x.running);
  const applied = useSetupStore((x) => x.applied);
  const errors = useSetupStore((x) => x.errors);
  const busy = useSetupStore((x) => x.applying || x.running || x.previewing !== null);
  const appliedText = useAppliedText();
  const store = useSetupStore.getState;
  const counts = report ? (['error', 'warning', 'ok', 'skipped'] as const).map((k) => [k, report.findings.filter((f) => f.status === k).length] as const) : [];
  // Errors first, then warnings: what needs doing is on top.
  const order = { error: 0, warning: 1, skipped: 2, ok: 3 } as const;
  const findings = report ? [...report.findings].sort((a, b) => order[a.status] - order[b.status]) : [];

  return (
    <div className={s.stack}>
      <div className={s.row}>
        <Button appearance="primary" data-testid="setup-preflight-run" icon={<ArrowSyncRegular />} disabled={busy} onClick={() => void store().runPreflight()}>
          {report ? ts('pre.rerun') : ts('pre.run')}
        </Button>
        <Button data-testid="setup-redeploy" icon={<ArrowSyncRegular />} disabled={busy} onClick={() => void store().requestRedeploy()}>
          {ts('pre.redeploy')}
        </Button>
        <Button data-testid="setup-reset-roles" icon={<PeopleSyncRegular />} disabled={busy} onClick={() => void store().requestResetRoles()}>
          {ts('pre.resetRoles')}
        </Button>
      </div>
      {running ? <ProgressBar data-testid="setup-preflight-progress" aria-label={ts('pre.running')} thickness="large" /> : null}
      {running ? <Text>{ts('pre.running')}</Text> : null}
      {errors.preflight ? <ErrorBar error={errors.preflight} /> : null}
      {errors.fix ? <ErrorBar error={errors.fix} /> : null}
      {applied ? (
        <MessageBar intent="success" data-testid="setup-fix-applied">
          <MessageBarBody>{appliedText(applied)}</MessageBarBody>
        </MessageBar>
      ) : null}
      {report ? (
        <>
          <Text data-testid="setup-preflight-summary">
            {ts('pre.summary', { when: new Date(report.checkedAt).toLocaleTimeString(i18n.language) })}{' '}
            {counts.map(([k, n]) => ts(`pre.count.${k}`, { count: n })).join(' · ')}
          </Text>
          <MessageBar intent={report.ok ? 'success' : 'error'}>
            <MessageBarBody>{report.ok ? ts('pre.ok') : ts('pre.notOk')}</MessageBarBody>
          </MessageBar>
          <ul className={st.list} data-testid="setup-findings" aria-label={ts('pre.listLabel')}>
            {findings.map((f) => (
              <FindingRow key={f.id} f={f} />
            ))}
          </ul>
        </>
      ) : !running ? (
        <Text className={s.hint}>{ts('pre.notRun')}</Text>
      ) : null}
      <FixPreviewDialog />
    </div>
  );
}
