import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../stores/app';

/** The browser host keeps secrets with a key file, not the OS vault: say so, always visible. */
export function SecretStoreNotice() {
  const { t } = useTranslation();
  const store = useAppStore((x) => x.info?.secretStore);
  if (!store || store.kind === 'os') return null;
  if (!store.available) {
    return (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{t('secrets.unavailableTitle')}</MessageBarTitle>
          {t('secrets.unavailableBody', { reason: store.reason ?? '' })}
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (store.kind !== 'key-file') return null;
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="secret-notice">
      <MessageBarBody>
        <MessageBarTitle>{t('secrets.keyFileTitle')}</MessageBarTitle>
        {t('secrets.keyFileBody', { path: store.location ?? '' })}
      </MessageBarBody>
    </MessageBar>
  );
}
