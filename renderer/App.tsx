import { makeStaticStyles, makeStyles, Tab, TabList, Text, tokens } from '@fluentui/react-components';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBar } from './components/ErrorBar';
import { LanguagePicker } from './components/LanguagePicker';
import { HostStatusBanner } from './components/HostStatusBanner';
import { AboutPage } from './pages/AboutPage';
import { ConnectionsPage } from './pages/connections/ConnectionsPage';
import { ReconnectBanner } from './pages/connections/ReconnectBanner';
import { ConnectionStringPage } from './pages/sales/connstr/ConnectionStringPage';
import { HomePage } from './pages/home/HomePage';
import { MappingsPage } from './pages/sales/mappings/MappingsPage';
import { SandboxPage } from './pages/sandbox/SandboxPage';
import { SetupPage } from './pages/sales/setup/SetupPage';
import { SyncPage } from './pages/sales/sync/SyncPage';
import { TeamsProvisionPage } from './pages/commerce-teams/provision/TeamsProvisionPage';
import { TeamsSetupPage } from './pages/commerce-teams/setup/TeamsSetupPage';
import { MappingPage as TeamsMappingPage } from './pages/commerce-teams/mapping/MappingPage';
import { HierarchyPage as TeamsHierarchyPage } from './pages/commerce-teams/hierarchy/HierarchyPage';
import { TasksPage as TeamsTasksPage } from './pages/commerce-teams/tasks/TasksPage';
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
  group: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, marginBottom: tokens.spacingVerticalM },
  groupLabel: { margin: 0, padding: `0 ${tokens.spacingHorizontalMNudge}`, color: tokens.colorNeutralForeground3, textTransform: 'none' },
  coming: { margin: 0, padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalMNudge}`, color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
  skip: {
    position: 'absolute', left: tokens.spacingHorizontalS, top: '-100px', zIndex: 1000,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`, backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorBrandForegroundLink, borderRadius: tokens.borderRadiusMedium, boxShadow: tokens.shadow16,
    ':focus': { top: tokens.spacingVerticalS },
  },
  main: { outlineStyle: 'none', overflow: 'auto', padding: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, '& > *': { flexShrink: 0 } },
});

/**
 * Keyboard focus must be easy to see everywhere: Fluent's inputs only thicken their bottom line, which is hard to
 * spot; every text field, drop-down and plain input gets a clear ring while it holds the focus.
 */
const useGlobalFocusStyles = makeStaticStyles({
  '.fui-Input:focus-within, .fui-Textarea:focus-within, .fui-Dropdown:focus-within, .fui-Combobox:focus-within, .fui-SpinButton:focus-within, .fui-Select:focus-within':
    { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '2px' },
  'input:not([type="checkbox"]):not([type="radio"]):focus-visible, textarea:focus-visible, select:focus-visible': {
    outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '2px',
  },
});

type NavPage = { id: PageId; label: string; Page: ComponentType };
/** The navigation, grouped: the general pages, then one group per integration (a group with no pages says it is coming). */
const GROUPS: { id: string; label: string; pages: NavPage[] }[] = [
  {
    id: 'general', label: 'nav.group.general',
    pages: [
      { id: 'home', label: 'nav.home', Page: HomePage },
      { id: 'connections', label: 'nav.connections', Page: ConnectionsPage },
    ],
  },
  {
    id: 'sales', label: 'nav.group.sales',
    pages: [
      { id: 'setup', label: 'nav.setup', Page: SetupPage },
      { id: 'connstr', label: 'nav.connstr', Page: ConnectionStringPage },
      { id: 'mappings', label: 'nav.mappings', Page: MappingsPage },
      { id: 'sync', label: 'nav.sync', Page: SyncPage },
    ],
  },
  {
    id: 'commerce-teams', label: 'nav.group.commerceTeams',
    pages: [
      { id: 'ct-setup', label: 'teamsPages:nav.setup', Page: TeamsSetupPage },
      { id: 'ct-provision', label: 'teamsPages:nav.provision', Page: TeamsProvisionPage },
      { id: 'ct-mapping', label: 'teamsMapping:nav', Page: TeamsMappingPage },
      { id: 'ct-hierarchy', label: 'teamsHierarchy:nav', Page: TeamsHierarchyPage },
      { id: 'ct-tasks', label: 'teamsTasksPages:nav', Page: TeamsTasksPage },
    ],
  },
  {
    id: 'more', label: 'nav.group.more',
    pages: [
      { id: 'sandbox', label: 'nav.sandbox', Page: SandboxPage },
      { id: 'about', label: 'nav.about', Page: AboutPage },
    ],
  },
];
const PAGES = GROUPS.flatMap((g) => g.pages);

export function App() {
  const { t } = useTranslation();
  const { t: tsh } = useTranslation('shell');
  const s = useStyles();
  useGlobalFocusStyles();
  const page = useAppStore((x) => x.page);
  const setPage = useAppStore((x) => x.setPage);
  const error = useAppStore((x) => x.error);
  const Current = (PAGES.find((p) => p.id === page) ?? PAGES[0]!).Page;
  return (
    <div className={s.shell}>
      <a
        href="#main-content"
        className={s.skip}
        data-testid="skip-link"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main-content')?.focus();
        }}
      >
        {t('shell.skipToContent')}
      </a>
      <header className={s.header}>
        <Text as="span" size={500} weight="semibold">
          {t('shell.title')}
        </Text>
        <LanguagePicker />
      </header>
      <div className={s.body}>
        <nav className={s.nav} aria-label={t('shell.navigation')}>
          {GROUPS.map((g) => (
            <section key={g.id} className={s.group} data-testid={`nav-group-${g.id}`}>
              <Text as="h2" id={`nav-group-${g.id}`} size={200} weight="semibold" className={s.groupLabel}>
                {tsh(g.label)}
              </Text>
              {g.pages.length > 0 ? (
                <TabList vertical aria-labelledby={`nav-group-${g.id}`} selectedValue={page} onTabSelect={(_, d) => setPage(d.value as PageId)}>
                  {g.pages.map((p) => (
                    <Tab key={p.id} value={p.id} className={s.tab}>
                      {t(p.label)}
                    </Tab>
                  ))}
                </TabList>
              ) : (
                <Text as="p" size={200} className={s.coming}>
                  {tsh('nav.comingSoon')}
                </Text>
              )}
            </section>
          ))}
        </nav>
        <main className={s.main} id="main-content" tabIndex={-1}>
          <HostStatusBanner />
          <ReconnectBanner />
          {error ? <ErrorBar error={error} testId="app-error" /> : null}
          <Current />
        </main>
      </div>
    </div>
  );
}
