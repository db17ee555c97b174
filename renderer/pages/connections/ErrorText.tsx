import { makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Text, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../../preload/contract';

/** AUTH_REQUIRED for a profile that was never signed in (or was signed out), as opposed to an expired sign-in. */
export const notSignedIn = (e: AppError | null | undefined): boolean => e?.code === 'AUTH_REQUIRED' && e.params?.reason === 'not-signed-in';

/** The translated message for an error code, for inline use. */
export function useErrorText() {
  const { t } = useTranslation();
  // A profile nobody has signed in to yet is not "expired": main marks that AUTH_REQUIRED with reason not-signed-in.
  return (e: AppError) =>
    notSignedIn(e) ? t('notSignedInError', { ns: 'connections' }) : t(`errors.${e.code}`, { ...(e.params ?? {}), message: e.message, defaultValue: e.message });
}

/**
 * Translated, actionable message plus main's own text as "details" when it says more (AADSTS code, which field,
 * the service's answer): the catalogs hold the stable advice, main's message the specifics of this failure.
 */
const useStyles = makeStyles({
  plain: { color: tokens.colorPaletteRedForeground1, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, marginBottom: tokens.spacingVerticalM },
});

export function ErrorText({ error, intent = 'error', title, plain }: { error: AppError; intent?: 'error' | 'warning'; title?: string; plain?: boolean }) {
  const { t } = useTranslation('connections');
  const s = useStyles();
  const text = useErrorText()(error);
  if (plain) {
    // Inside a modal dialog: a plain alert. (A MessageBar there made Fluent hide the dialog from assistive tech.)
    return (
      <div role="alert" className={s.plain} data-testid="error-text" data-code={error.code}>
        <Text weight="semibold">{text}</Text>
        {error.message && error.message !== text ? <Text size={200}>{t('details', { ns: 'connections', text: error.message })}</Text> : null}
      </div>
    );
  }
  return (
    <MessageBar intent={intent} layout="multiline" data-testid="error-text" data-code={error.code}>
      <MessageBarBody>
        {title ? <MessageBarTitle>{title}</MessageBarTitle> : null}
        {text}
        {error.message && error.message !== text ? (
          <Text as="p" block size={200}>
            {t('details', { ns: 'connections', text: error.message })}
          </Text>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}
