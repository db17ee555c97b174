import { Button, makeStyles, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Text, tokens } from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../stores/app';

const useStyles = makeStyles({
  plain: {
    display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, alignItems: 'flex-start',
    padding: tokens.spacingVerticalS, marginBottom: tokens.spacingVerticalM, borderLeft: `3px solid ${tokens.colorPaletteDarkOrangeBorder2}`,
    backgroundColor: tokens.colorPaletteDarkOrangeBackground1,
  },
});

/**
 * How this host keeps secrets, where secrets are entered (the connection form, dismissible: the choice is kept in
 * the local settings) and in About (always). A store that cannot keep secrets at all is never dismissible.
 */
export function SecretStoreNotice({ dismissible = false, plain = false }: { dismissible?: boolean; plain?: boolean }) {
  const { t } = useTranslation();
  const s = useStyles();
  const store = useAppStore((x) => x.info?.secretStore);
  const dismissed = useAppStore((x) => x.dismissedNotices.includes('key-file'));
  if (!store || store.kind === 'os') return null;
  if (!store.available) {
    return (
      <MessageBar intent="error" layout="multiline" data-testid="secret-unavailable">
        <MessageBarBody>
          <MessageBarTitle>{t('secrets.unavailableTitle')}</MessageBarTitle>
          {t('secrets.unavailableBody', { reason: store.reason ?? '' })}
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (store.kind !== 'key-file' || (dismissible && dismissed)) return null;
  const dismiss = () => void useAppStore.getState().dismissNotice('key-file');
  if (plain) {
    // Inside a modal dialog: no MessageBar (Fluent then hides the dialog from assistive tech), a plain note.
    return (
      <div role="note" className={s.plain} data-testid="secret-notice">
        <Text weight="semibold">{t('secrets.keyFileTitle')}</Text>
        <Text size={200}>{t('secrets.keyFileBody', { path: store.location ?? '' })}</Text>
        {dismissible ? (
          <Button size="small" appearance="subtle" icon={<DismissRegular />} data-testid="secret-notice-dismiss" onClick={dismiss}>
            {t('secrets.dismiss')}
          </Button>
        ) : null}
      </div>
    );
  }
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="secret-notice">
      <MessageBarBody>
        <MessageBarTitle>{t('secrets.keyFileTitle')}</MessageBarTitle>
        {t('secrets.keyFileBody', { path: store.location ?? '' })}
      </MessageBarBody>
      {dismissible ? (
        <MessageBarActions
          containerAction={
            <Button
              appearance="transparent"
              icon={<DismissRegular />}
              aria-label={t('secrets.dismiss')}
              title={t('secrets.dismiss')}
              data-testid="secret-notice-dismiss"
              onClick={dismiss}
            />
          }
        />
      ) : null}
    </MessageBar>
  );
}
