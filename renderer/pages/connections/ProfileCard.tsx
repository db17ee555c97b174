import { Badge, Button, Card, makeStyles, Spinner, Text, tokens, Tooltip } from '@fluentui/react-components';
import {
  ArrowSyncRegular,
  CopyRegular,
  DeleteRegular,
  EditRegular,
  PersonArrowRightRegular,
  PersonDeleteRegular,
  PlugConnectedRegular,
} from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import type { AuthStatus, ConnectionProfile, ConnectionTestReport } from '../../../preload/contract';
import { EnvironmentBadge, EnvironmentBar } from '../../components/EnvironmentBadge';
import { useConnectionsStore } from '../../stores/connections';
import { ErrorText, notSignedIn, useErrorText } from './ErrorText';
import { isUserFlow } from './kinds';
import { formatCountdown, formatRelative, useNow } from './time';

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'row', gap: tokens.spacingHorizontalM, padding: tokens.spacingVerticalM },
  prod: { border: `2px solid ${tokens.colorPaletteRedBorder2}`, backgroundColor: tokens.colorPaletteRedBackground1 },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: 0, flexGrow: 1 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  result: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalXXS, margin: 0 },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, overflowWrap: 'anywhere' },
});

const STATE_COLOUR: Record<AuthStatus['state'], 'informative' | 'brand' | 'success' | 'warning' | 'danger'> = {
  'signed-out': 'informative',
  'signing-in': 'brand',
  'signed-in': 'success',
  'auth-required': 'warning',
  error: 'danger',
};

/** Sign-in state chips: state, who, live token countdown, scopes. Status only: tokens never reach the renderer. */
export function StatusChips({ status, app = false }: { status: AuthStatus | undefined; app?: boolean }) {
  const { t } = useTranslation('connections');
  const s = useStyles();
  const now = useNow();
  const state = status?.state ?? 'signed-out';
  const left = status?.expiresAt ? (Date.parse(status.expiresAt) - now) / 1000 : null;
  const never = state === 'auth-required' && notSignedIn(status?.error);
  const account = status?.account;
  // Apps sign in as themselves: name the app (its display name from the token), the client id goes in a tooltip.
  const label =
    state === 'signed-in' && account
      ? app
        ? t('status.signedInAsApp', { ns: 'connections', name: account.name ?? account.username })
        : t('status.signedInAs', { ns: 'connections', user: account.username })
      : never
        ? t('status.notSignedIn', { ns: 'connections' })
        : app && state === 'signed-out'
          ? t('status.appSignedOut', { ns: 'connections' })
          : t(`status.${state}`);
  const badge = (
    <Badge appearance="tint" color={never ? 'warning' : STATE_COLOUR[state]} data-testid="status-label">
      {label}
    </Badge>
  );
  return (
    <div className={s.row} data-testid="status" data-state={state}>
      {state === 'signed-in' && account && app ? (
        <Tooltip content={t('status.appId', { ns: 'connections', id: account.username })} relationship="description">
          {badge}
        </Tooltip>
      ) : (
        badge
      )}
      {state === 'signed-in' && left !== null ? (
        <Badge appearance="outline" color={left < 300 ? 'warning' : 'informative'} data-testid="expires">
          {left > 0 ? t('status.expiresIn', { ns: 'connections', time: formatCountdown(left) }) : t('status.expired', { ns: 'connections' })}
        </Badge>
      ) : null}
      {state === 'signed-in' && status?.scopes.length ? (
        <Tooltip content={status.scopes.join(' ')} relationship="description">
          <Badge appearance="outline" color="informative">
            {t('status.scopes', { ns: 'connections', count: status.scopes.length })}
          </Badge>
        </Tooltip>
      ) : null}
    </div>
  );
}

export function TestResult({ report }: { report: ConnectionTestReport }) {
  const { t, i18n } = useTranslation('connections');
  const s = useStyles();
  const errorText = useErrorText();
  const rows: [string, string][] = [];
  if (report.user) rows.push([t('test.user', { ns: 'connections' }), report.user]);
  if (report.version) rows.push([t('test.version', { ns: 'connections' }), report.version]);
  if (report.latencyMs !== null) rows.push([t('test.latency', { ns: 'connections' }), t('test.ms', { ns: 'connections', ms: report.latencyMs })]);
  if (report.tokenMs !== null) rows.push([t('test.tokenTime', { ns: 'connections' }), t('test.ms', { ns: 'connections', ms: report.tokenMs })]);
  // Detail keys are main's (organizationId, companies…): labelled when known, shown as-is otherwise.
  for (const [k, v] of Object.entries(report.details)) rows.push([i18n.exists(`test.detail.${k}`, { ns: 'connections' }) ? t(`test.detail.${k}`) : k, v]);
  const list = (
    <dl className={s.result}>
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt className={s.dt}>{k}</dt>
          <dd className={s.dd}>{v}</dd>
        </div>
      ))}
    </dl>
  );
  if (!report.ok && report.error) {
    return (
      <div data-testid="test-result" data-ok="false" aria-label={errorText(report.error)}>
        <ErrorText error={report.error} title={t('test.failed', { ns: 'connections' })} />
        {rows.length ? list : null}
      </div>
    );
  }
  return (
    <div data-testid="test-result" data-ok="true">
      <Text weight="semibold">{t('test.ok', { ns: 'connections' })}</Text>
      {list}
    </div>
  );
}

export function ProfileCard({ profile, onEdit, onDelete }: { profile: ConnectionProfile; onEdit(): void; onDelete(): void }) {
  const { t, i18n } = useTranslation('connections');
  const s = useStyles();
  const now = useNow(30_000);
  const status = useConnectionsStore((x) => x.statuses[profile.id]);
  const report = useConnectionsStore((x) => x.tests[profile.id]);
  const testing = useConnectionsStore((x) => !!x.testing[profile.id]);
  const signingIn = useConnectionsStore((x) => !!x.signingIn[profile.id]);
  const store = useConnectionsStore.getState;
  const prod = profile.tier === 'production';
  const signedIn = status?.state === 'signed-in';
  const user = isUserFlow(profile.authMethod);
  /** Signed in once and the sign-in ran out (Reconnect), as opposed to never signed in (Sign in). */
  const expired = status?.state === 'auth-required' && !notSignedIn(status.error);

  return (
    <Card className={prod ? `${s.card} ${s.prod}` : s.card} role="listitem" aria-label={profile.name} data-testid="profile" data-tier={profile.tier}>
      <EnvironmentBar tier={profile.tier} colour={profile.colour} />
      <div className={s.body}>
        <div className={s.row}>
          <Text weight="semibold" size={400}>
            {profile.name}
          </Text>
          <EnvironmentBadge tier={profile.tier} />
          <Badge appearance="outline">{t(`kind.${profile.kind}`)}</Badge>
          <Badge appearance="outline" color="informative">
            {t(`method.${profile.authMethod}`)}
          </Badge>
        </div>
        {profile.url ? <Text className={`${s.mono} ${s.muted}`}>{profile.url}</Text> : null}
        <StatusChips status={status} app={!user} />
        {status?.error && (status.state === 'error' || status.state === 'auth-required') && !notSignedIn(status.error) ? <ErrorText error={status.error} intent="warning" /> : null}
        {profile.secretsMissing.length ? (
          <Text className={s.muted}>{t('list.secretsMissing', { ns: 'connections', names: profile.secretsMissing.map((n) => t(`form.secret.${n}`)).join(', ') })}</Text>
        ) : null}
        {profile.secretsLost?.length ? (
          <Text className={s.muted} role="alert">{t('secrets.keyLost', { ns: 'common', names: profile.secretsLost.map((n) => t(`form.secret.${n}`)).join(', ') })}</Text>
        ) : null}
        <Text size={200} className={s.muted}>
          {profile.lastUsedAt ? t('list.lastUsed', { ns: 'connections', when: formatRelative(profile.lastUsedAt, now, i18n.language) }) : t('list.neverUsed', { ns: 'connections' })}
        </Text>
        <div className={s.row}>
          <Button icon={testing ? <Spinner size="tiny" /> : <PlugConnectedRegular />} disabled={testing} onClick={() => void store().test(profile.id)}>
            {t('actions.test', { ns: 'connections' })}
          </Button>
          {signingIn || status?.state === 'signing-in' ? (
            <Button onClick={() => void store().cancelSignIn(profile.id)}>{t('actions.cancelSignIn', { ns: 'connections' })}</Button>
          ) : signedIn ? (
            <Button icon={<PersonDeleteRegular />} onClick={() => void store().signOut(profile.id)}>
              {t('actions.signOut', { ns: 'connections' })}
            </Button>
          ) : (
            <Button
              appearance={status?.state === 'auth-required' ? 'primary' : 'secondary'}
              icon={expired ? <ArrowSyncRegular /> : <PersonArrowRightRegular />}
              onClick={() => void store().signIn(profile.id)}
            >
              {expired ? t('actions.reconnect', { ns: 'connections' }) : user ? t('actions.signIn', { ns: 'connections' }) : t('actions.signInApp', { ns: 'connections' })}
            </Button>
          )}
          <Button icon={<EditRegular />} onClick={onEdit}>
            {t('actions.edit', { ns: 'connections' })}
          </Button>
          <Button icon={<CopyRegular />} onClick={() => void store().duplicate(profile.id)}>
            {t('actions.duplicate', { ns: 'connections' })}
          </Button>
          <Button icon={<DeleteRegular />} onClick={onDelete}>
            {t('actions.delete', { ns: 'connections' })}
          </Button>
        </div>
        {report ? <TestResult report={report} /> : null}
      </div>
    </Card>
  );
}
