import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Link, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { isLoopbackHost } from '../../../preload/contract';
import { CopyButton } from '../../components/CopyButton';
import { useReturnFocus } from '../../components/useReturnFocus';
import { useConnectionsStore } from '../../stores/connections';
import { formatCountdown, useNow } from './time';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeHero800, letterSpacing: '0.15em', fontWeight: tokens.fontWeightSemibold },
  row: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
});

/** The demo sandbox's identity service: its own authority name, or a page served from this computer. */
export function isSandboxSignIn(verificationUri: string, authorityHost: string | null): boolean {
  try {
    if (authorityHost && new URL(authorityHost).hostname.endsWith('.sandbox.localhost')) return true;
    return isLoopbackHost(new URL(verificationUri).hostname);
  } catch {
    return false;
  }
}

/**
 * Device-code sign-in: the code, where to enter it, a copy button and the time left. Closes by itself when the
 * profile's status leaves "signing-in" (the store clears the code), or cancels the sign-in in main.
 */
export function DeviceCodeDialog() {
  const { t } = useTranslation('connections');
  const s = useStyles();
  const info = useConnectionsStore((x) => x.deviceCode);
  const profile = useConnectionsStore((x) => x.profiles.find((p) => p.id === x.deviceCode?.profileId));
  const now = useNow();
  useReturnFocus(!!info);
  if (!info) return null;
  const left = (Date.parse(info.expiresAt) - now) / 1000;
  const sandbox = isSandboxSignIn(info.verificationUri, profile?.app?.authorityHost ?? null);
  return (
    <Dialog open modalType="alert">
      <DialogSurface aria-describedby="device-code-help">
        <DialogBody>
          <DialogTitle>{t('deviceCode.title', { ns: 'connections', name: profile?.name ?? '' })}</DialogTitle>
          <DialogContent className={s.content}>
            <Text id="device-code-help">{t('deviceCode.instructions', { ns: 'connections' })}</Text>
            <div className={s.row}>
              <Text className={s.code} data-testid="device-code">
                {info.userCode}
              </Text>
              <CopyButton label={t('deviceCode.copy', { ns: 'connections' })} getText={async () => info.userCode} />
            </div>
            <Text>
              {t('deviceCode.openUrl', { ns: 'connections' })}{' '}
              <Link href={info.verificationUri} target="_blank" rel="noreferrer" data-testid="device-code-url">
                {info.verificationUri}
              </Link>
            </Text>
            {sandbox ? (
              <Text data-testid="device-code-sandbox-hint" weight="semibold">
                {t('deviceCode.sandboxHint', { ns: 'connections' })}
              </Text>
            ) : null}
            <Text data-testid="device-code-countdown">{left > 0 ? t('deviceCode.expiresIn', { ns: 'connections', time: formatCountdown(left) }) : t('deviceCode.expired', { ns: 'connections' })}</Text>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={() => void useConnectionsStore.getState().cancelSignIn(info.profileId)}>
              {t('actions.cancelSignIn', { ns: 'connections' })}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
