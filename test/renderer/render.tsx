import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { createI18n, type LanguageCode } from '../../renderer/i18n';
import { setTransport } from '../../renderer/transport/client';
import type { Transport } from '../../renderer/transport/types';

/** Render with the real providers and a transport; any missing translation key fails the test. */
export function renderWith(ui: ReactElement, transport: Transport, language: LanguageCode = 'en') {
  const missing: string[] = [];
  setTransport(transport);
  const i18n = createI18n(language, (lng, ns, key) => missing.push(`${lng}:${ns}:${key}`));
  const result = render(
    <I18nextProvider i18n={i18n}>
      <FluentProvider theme={webLightTheme}>{ui}</FluentProvider>
    </I18nextProvider>,
  );
  return { ...result, i18n, missing };
}
