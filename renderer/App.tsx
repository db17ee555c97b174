import { makeStyles, MessageBar, MessageBarBody, Tab, TabList, Text, tokens } from '@fluentui/react-components';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguagePicker } from './components/LanguagePicker';
import { SecretStoreNotice } from './components/SecretStoreNotice';
import { AboutPage } from './pages/AboutPage';
import { ConnectionsPage } from './pages/connections/ConnectionsPage';
import { ReconnectBanner } from './pages/connections/ReconnectBanner';
import { ConnectionStringPage } from './pages/connstr/ConnectionStringPage';
import { MappingsPage } from './pages/mappings/MappingsPage';
import { SandboxPage } from './pages/sandbox/SandboxPage';
import { SetupPage } from './pages/setup/SetupPage';
import { SyncPage } from './pages/sync/SyncPage';
import { useAppStore, type PageId } from './stores/app';

const useStyles = makeStyles({
  shell: { display: 'grid', gridTemplateRows: 'auto 1fr', height: '100vh', backgroundColor: tokens.colorNeutralBackground2 },
  header: {
    display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground, color: tokens.colorNeutralForegroundOnBrand,
  },
  body: { display: 'grid', gridTemplateColumns: '240px minmax(0, 1fr)', minHeight: 0 },
  nav: { padding: tokens.spacingVerticalM, backgroundColor: tokens.colorNeutralBackground1, borderRight: `1px solid ${tokens.colorNeutralStroke2}` },
  tab: { justifyContent: 'flex-start', textAlign: 'start' },
  main: { overflow: 'auto', padding: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, '& > *': { flexShrink: 0 } },
});

const PAGES: { id: PageId; label: string; Page: ComponentType }[] = [
  { id: 'connections', label: 'nav.connections', Page: ConnectionsPage },
  { id: 'setup', label: 'nav.setup', Page: SetupPage },
  { id: 'connstr', label: 'nav.connstr', Page: ConnectionStringPage },
  { id: 'mappings', label: 'nav.mappings', Page: MappingsPage },
  { id: 'sync', label: 'nav.sync', Page: SyncPage },
  { id: 'sandbox', label: 'nav.sandbox', Page: SandboxPage },
  { id: 'about', label: 'nav.about', Page: AboutPage },
];

export function App() {
  const { t } = useTranslation();
  const s = useStyles();
  const page = useAppStore((x) => x.page);
  const setPage = useAppStore((x) => x.setPage);
  const error = useAppStore((x) => x.error);
  const Current = (PAGES.find((p) => p.id === page) ?? PAGES[0]!).Page;
  return (
    <div className={s.shell}>
      <header className={s.header}>
        <Text as="span" size={500} weight="semibold">
          {t('shell.title')}
        </Text>
        <LanguagePicker />
      </header>
      <div className={s.body}>
        <nav className={s.nav} aria-label={t('shell.navigation')}>
          <TabList vertical selectedValue={page} onTabSelect={(_, d) => setPage(d.value as PageId)}>
            {PAGES.map((p) => (
              <Tab key={p.id} value={p.id} className={s.tab}>
                {t(p.label)}
              </Tab>
            ))}
          </TabList>
        </nav>
        <main className={s.main}>
          <SecretStoreNotice />
          <ReconnectBanner />
          {error ? (
            <MessageBar intent="error">
              <MessageBarBody>{t(`errors.${error.code}`, { ...(error.params ?? {}), defaultValue: error.message })}</MessageBarBody>
            </MessageBar>
          ) : null}
          <Current />
        </main>
      </div>
    </div>
  );
}
