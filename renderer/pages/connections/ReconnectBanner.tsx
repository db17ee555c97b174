import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnectionsStore } from '../../stores/connections';

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
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="reconnect-banner">
      <MessageBarBody>
        <MessageBarTitle>{t('reconnect.title', { ns: 'connections', count: needing.length })}</MessageBarTitle>
        {t('reconnect.body', { ns: 'connections', names: needing.map((p) => p.name).join(', ') })}
      </MessageBarBody>
      <MessageBarActions>
        {needing.map((p) => (
          <Button key={p.id} appearance="primary" disabled={!!signingIn[p.id]} onClick={() => void useConnectionsStore.getState().signIn(p.id)}>
            {t('reconnect.action', { ns: 'connections', name: p.name })}
          </Button>
        ))}
      </MessageBarActions>
    </MessageBar>
  );
}
