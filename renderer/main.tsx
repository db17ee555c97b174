import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
import { createI18n, pickLanguage } from './i18n';
import { useAppStore } from './stores/app';

async function boot() {
  const root = createRoot(document.getElementById('root')!);
  const settings = await useAppStore.getState().load();
  const language = pickLanguage([...(settings.language ? [settings.language] : []), ...navigator.languages]);
  document.documentElement.lang = language;
  const i18n = createI18n(language);
  root.render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <FluentProvider theme={webLightTheme}>
          <App />
        </FluentProvider>
      </I18nextProvider>
    </StrictMode>,
  );
  document.body.dataset.appState = 'ready';
}

void boot();
