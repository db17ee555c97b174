import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnectionsStore } from '../../stores/connections';
import { notSignedIn } from './ErrorText';

/**
 * Global banner while any profile needs its user to sign in again. It only ever acts on a click: an expired
 * sign-in must not open browsers or dialogs on its own (no prompt loop), and other connections keep working.
 */
export function ReconnectBanner() {
  const { t } = useTranslation('connections');
  const profiles = useConnectionsStore((x) => x.profiles);
  const statuses = useConnectionsStore((x) => x.statuses);
  const signingIn = useConnectionsStore((x) => x.signingIn);
  useEffect(() => {
    // The banner is mounted on every page, so it starts the status subscription (idempotent per transport).
    void useConnectionsStore.getState().init();
  }, []);
  const needing = profiles.filter((p) => statuses[p.id]?.state === 'auth-required');
  if (!needing.length) return null;
  // Never signed in is not "expired": those get their own banner with "Sign in", so each says one true thing.
  const never = needing.filter((p) => notSignedIn(statuses[p.id]?.error));
  const expired = needing.filter((p) => !never.includes(p));
  const bar = (list: typeof needing, kind: 'expired' | 'never') =>
    list.length ? (
      <MessageBar intent="warning" layout="multiline" data-testid={kind === 'expired' ? 'reconnect-banner' : 'sign-in-banner'}>
        <MessageBarBody>
          <MessageBarTitle>
            {kind === 'expired' ? t('reconnect.title', { ns: 'connections', count: list.length }) : t('reconnect.notSignedInTitle', { ns: 'connections', count: list.length })}
          </MessageBarTitle>
          {kind === 'expired'
            ? t('reconnect.body', { ns: 'connections', names: list.map((p) => p.name).join(', ') })
            : t('reconnect.notSignedInBody', { ns: 'connections', names: list.map((p) => p.name).join(', ') })}
        </MessageBarBody>
        <MessageBarActions>
          {list.map((p) => (
            <Button key={p.id} appearance="primary" disabled={!!signingIn[p.id]} onClick={() => void useConnectionsStore.getState().signIn(p.id)}>
              {kind === 'expired' ? t('reconnect.action', { ns: 'connections', name: p.name }) : t('reconnect.signInAction', { ns: 'connections', name: p.name })}
            </Button>
          ))}
        </MessageBarActions>
      </MessageBar>
    ) : null;
  return (
    <>
      {bar(expired, 'expired')}
      {bar(never, 'never')}
    </>
  );
}
