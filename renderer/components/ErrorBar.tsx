import { Button, makeStyles, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Text, tokens } from '@fluentui/react-components';
import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../preload/contract';

/** What an error shown to the user carries: main's code, params and (English, for logs and details) message. */
export type ShownError = Pick<AppError, 'code' | 'message' | 'params'>;

/** AUTH_REQUIRED for a profile that was never signed in (or was signed out), as opposed to an expired sign-in. */
export const notSignedIn = (e: ShownError | null | undefined): boolean => e?.code === 'AUTH_REQUIRED' && e.params?.reason === 'not-signed-in';

/**
 * The one lookup of an error's text: the common catalog's `errors.<code>` with main's params (and its message as
 * `{{message}}`), main's own message where no catalog has the code yet.
 */
export function errorText(t: TFunction, e: ShownError): string {
  // A profile nobody has signed in to yet is not "expired": main marks that AUTH_REQUIRED with reason not-signed-in.
  if (notSignedIn(e)) return t('notSignedInError', { ns: 'connections' });
  return t(`errors.${e.code}`, { ns: 'common', ...(e.params ?? {}), message: e.message, defaultValue: e.message });
}

/** The translated message for an error code, for inline use (a sentence, a list item, a field's message). */
export function useErrorText(): (e: ShownError) => string {
  const { t } = useTranslation();
  return (e) => errorText(t, e);
}

const useStyles = makeStyles({
  plain: { color: tokens.colorPaletteRedForeground1, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, marginBottom: tokens.spacingVerticalM },
});

export interface ErrorBarProps {
  error: ShownError;
  intent?: 'error' | 'warning';
  title?: string;
  /** Inside a modal dialog: a plain alert (a MessageBar there made Fluent hide the dialog from assistive tech). */
  plain?: boolean;
  /** Shows a Dismiss button. */
  onDismiss?: () => void;
  /** The page's own test id (default `error-text`). */
  testId?: string;
  /** More below the message (a list, an action). */
  children?: ReactNode;
}

/**
 * Every error bar of the console: the translated, actionable message plus main's own text as "details" when it
 * says more (AADSTS code, which field, the service's answer): the catalogs hold the stable advice, main's message
 * the specifics of this failure.
 */
export function ErrorBar({ error, intent = 'error', title, plain, onDismiss, testId = 'error-text', children }: ErrorBarProps) {
  const { t } = useTranslation();
  const s = useStyles();
  const text = errorText(t, error);
  const details = error.message && error.message !== text ? t('details', { ns: 'connections', text: error.message }) : null;
  if (plain) {
    return (
      <div role="alert" className={s.plain} data-testid={testId} data-code={error.code}>
        <Text weight="semibold">{text}</Text>
        {details ? <Text size={200}>{details}</Text> : null}
        {children}
      </div>
    );
  }
  return (
    <MessageBar intent={intent} layout="multiline" data-testid={testId} data-code={error.code}>
      <MessageBarBody>
        {title ? <MessageBarTitle>{title}</MessageBarTitle> : null}
        {text}
        {details ? (
          <Text as="p" block size={200}>
            {details}
          </Text>
        ) : null}
        {children}
      </MessageBarBody>
      {onDismiss ? (
        <MessageBarActions>
          <Button appearance="transparent" size="small" onClick={onDismiss}>
            {t('errorBar.dismiss', { ns: 'shell' })}
          </Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}
