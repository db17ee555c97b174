import {
  Badge, Card, makeStyles, MessageBar, MessageBarActions, MessageBarBody, Select, Spinner, Tab, TabList, Text, Title2, Toolbar, ToolbarButton, tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, ArrowRedoRegular, ArrowResetRegular, ArrowUndoRegular, ArrowUploadRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MappingStatus } from '../../../../preload/contract';
import type { Change } from '../../../../preload/contract/sales/mapping-model';
import { NotCarriedCard } from '../../../components/NotCarried';
import { CopyButton } from '../../../components/CopyButton';
import { useMappingsStore } from '../../../stores/mappings';
import { DependencyGraph } from './DependencyGraph';
import { FieldGrid } from './FieldGrid';
import { FilterBuilder } from './FilterBuilder';
import { useBcTableCaption, useFindingText } from './findings';
import { MetadataBar } from './MetadataBar';
import { ReviewPanel } from './ReviewPanel';
import { CompareCard, ReconnectCard, SignOffCard } from './SideCards';
import { ErrorBar } from '../../../components/ErrorBar';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  layout: { display: 'grid', gridTemplateColumns: '280px minmax(0, 1fr)', gap: tokens.spacingHorizontalL, alignItems: 'start' },
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, maxHeight: '640px', overflow: 'auto', padding: tokens.spacingHorizontalS },
  item: {
    display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: '2px', textAlign: 'left', width: '100%', cursor: 'pointer',
    border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium, padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground1, font: 'inherit',
  },
  itemSelected: { border: `2px solid ${tokens.colorBrandStroke1}`, backgroundColor: tokens.colorBrandBackground2 },
  badges: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  main: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  input: { width: '100%', boxSizing: 'border-box', font: 'inherit', padding: '4px 6px' },
  findings: { margin: 0, paddingLeft: tokens.spacingHorizontalL, fontSize: tokens.fontSizeBase200 },
  error: { color: tokens.colorPaletteRedForeground1 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  side: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(340px, 1fr))', gap: tokens.spacingHorizontalL, alignItems: 'start' },
});

type TabId = 'fields' | 'filters' | 'graph' | 'review';

/** `ids` only in the list, so tests and E2E address one badge per mapping. */
function StatusBadges({ status, ids = false }: { status: MappingStatus | undefined; ids?: boolean }) {
  const { t: tm } = useTranslation('mappings');
  const s = useStyles();
  if (!status) return null;
  return (
    <span className={s.badges}>
      {status.errors ? <Badge color="danger" data-testid={ids ? `status-errors-${status.mapping}` : undefined}>{tm('list.errors', { count: status.errors })}</Badge> : null}
      {status.warnings ? <Badge color="warning">{tm('list.warnings', { count: status.warnings })}</Badge> : null}
      {!status.errors && !status.warnings ? <Badge color="success">{tm('list.valid')}</Badge> : null}
      {status.vsDefault !== 'default' ? <Badge appearance="outline" color="informative" data-testid={ids ? `status-modified-${status.mapping}` : undefined}>{tm(`vsDefault.${status.vsDefault}`)}</Badge> : null}
    </span>
  );
}

/** Ctrl+Z / Ctrl+Y (and Ctrl+Shift+Z) for the editor; text boxes keep their own text undo. */
function useUndoKeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const el = e.target as HTMLElement | null;
      if (el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes((el as HTMLInputElement).type)))) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) {
        e.preventDefault();
        void useMappingsStore.getState().undo();
      } else if (k === 'y' || (k === 'z' && e.shiftKey)) {
        e.preventDefault();
        void useMappingsStore.getState().redo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function MappingsPage() {
  const { t: tm, i18n } = useTranslation('mappings');
  const s = useStyles();
  const findingText = useFindingText();
  const bcCaption = useBcTableCaption();
  const store = useMappingsStore();
  const [search, setSearch] = useState('');
  const [tab, setTab] = useState<TabId>('fields');
  const fileInput = useRef<HTMLInputElement>(null);
  useUndoKeys();
  useEffect(() => {
    void useMappingsStore.getState().init();
  }, []);

  const view = store.view;
  const statuses = useMemo(() => new Map((view?.statuses ?? []).map((x) => [x.mapping, x])), [view]);
  const visible = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (view?.set.mappings ?? []).filter((m) => !q || `${m.name} ${m.bcTable} ${bcCaption(m)} ${m.dataverseEntity}`.toLowerCase().includes(q));
  }, [view, search, bcCaption]);
  const mapping = view?.set.mappings.find((m) => m.name === store.selected) ?? null;
  const findings = useMemo(() => (view?.findings ?? []).filter((f) => f.mapping === mapping?.name), [view, mapping?.name]);
  // Info findings (e.g. possible truncation) stay in the grid's tooltips; the list above the grid is for what needs action.
  const actionable = useMemo(() => findings.filter((f) => f.severity !== 'info'), [findings]);
  const apply = useCallback((changes: Change[]) => useMappingsStore.getState().apply(changes), []);
  const totals = useMemo(() => ({
    errors: (view?.findings ?? []).filter((f) => f.severity === 'error').length,
    warnings: (view?.findings ?? []).filter((f) => f.severity === 'warning').length,
  }), [view]);

  return (
    <div className={s.page}>
      <Title2 as="h1">{tm('title')}</Title2>
      <div className={s.row}>
        <Select aria-label={tm('toolbar.set')} value={view?.id ?? ''} onChange={(_, d) => void store.open(d.value)}>
          {store.sets.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
        </Select>
        <Toolbar aria-label={tm('toolbar.label')}>
          <ToolbarButton icon={<ArrowUndoRegular />} disabled={!view?.canUndo} onClick={() => void store.undo()} data-testid="mappings-undo">{tm('toolbar.undo')}</ToolbarButton>
          <ToolbarButton icon={<ArrowRedoRegular />} disabled={!view?.canRedo} onClick={() => void store.redo()} data-testid="mappings-redo">{tm('toolbar.redo')}</ToolbarButton>
          <ToolbarButton icon={<ArrowDownloadRegular />} disabled={!view} onClick={() => void store.exportFile('json', i18n.language)} data-testid="mappings-export-json">{tm('toolbar.exportJson')}</ToolbarButton>
          <ToolbarButton icon={<ArrowDownloadRegular />} disabled={!view} onClick={() => void store.exportFile('xlsx', i18n.language)} data-testid="mappings-export-xlsx">{tm('toolbar.exportXlsx')}</ToolbarButton>
          <ToolbarButton icon={<ArrowUploadRegular />} disabled={!view} onClick={() => fileInput.current?.click()}>{tm('toolbar.import')}</ToolbarButton>
          <ToolbarButton icon={<ArrowResetRegular />} disabled={!view} onClick={() => void store.previewReset()} data-testid="mappings-reset">{tm('toolbar.reset')}</ToolbarButton>
        </Toolbar>
        <input
          ref={fileInput}
          type="file"
          hidden
          accept=".xlsx,.json"
          data-testid="mappings-import-input"
          aria-label={tm('toolbar.import')}
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (f) void store.importFile(f);
          }}
        />
        {store.busy ? <Spinner size="tiny" /> : null}
        {view ? <Text data-testid="mappings-totals">{`${tm('list.errors', { count: totals.errors })}, ${tm('list.warnings', { count: totals.warnings })} · ${tm('toolbar.revision', { revision: view.revision })}`}</Text> : null}
      </div>
      <MetadataBar />
      {store.error ? <ErrorBar error={store.error} testId="mappings-error" /> : null}
      {store.notice ? (
        <MessageBar intent="success" data-testid="mappings-notice">
          <MessageBarBody>{tm(store.notice.key, store.notice.params ?? {})}</MessageBarBody>
        </MessageBar>
      ) : null}
      {store.lastExport ? (
        <MessageBar intent="success" data-testid="mappings-exported">
          <MessageBarBody>
            {store.lastExport.savedPath
              ? tm('export.saved', { file: store.lastExport.fileName, path: store.lastExport.savedPath })
              : tm('export.downloaded', { file: store.lastExport.fileName })}
          </MessageBarBody>
          {store.lastExport.savedPath ? (
            <MessageBarActions>
              <CopyButton label={tm('export.copyPath')} getText={async () => store.lastExport?.savedPath ?? ''} />
            </MessageBarActions>
          ) : null}
        </MessageBar>
      ) : null}
      {store.panel ? <ReviewPanel panel={store.panel} /> : null}
      {view ? (
        <div className={s.layout}>
          <Card>
            <input className={s.input} type="search" aria-label={tm('list.search')} placeholder={tm('list.search')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} />
            {view.removedDefaults.length ? <Text size={200}>{tm('list.removedDefaults', { names: view.removedDefaults.join(', ') })}</Text> : null}
            <div className={s.list} role="list" aria-label={tm('list.label')} data-testid="mapping-list">
              {visible.map((m) => (
                <button
                  key={m.name}
                  role="listitem"
                  type="button"
                  aria-current={m.name === store.selected}
                  data-testid={`mapping-${m.name}`}
                  className={`${s.item}${m.name === store.selected ? ` ${s.itemSelected}` : ''}`}
                  onClick={() => store.select(m.name)}
                >
                  <Text weight="semibold">{m.name}</Text>
                  <Text size={200}>{`${bcCaption(m)} ⇄ ${m.dataverseEntity} · ${tm(`direction.${m.direction}`)}`}</Text>
                  <StatusBadges ids status={statuses.get(m.name)} />
                </button>
              ))}
            </div>
          </Card>
          <div className={s.main}>
            {mapping ? (
              <>
                <div className={s.row}>
                  <Text size={500} weight="semibold" data-testid="selected-mapping">{mapping.name}</Text>
                  <Text>{`${bcCaption(mapping)} (${mapping.bcTableId}) ⇄ ${mapping.dataverseEntity}`}</Text>
                  <Select
                    aria-label={tm('table.direction')}
                    value={mapping.direction}
                    onChange={(_, d) => void apply([{ op: 'setMapping', mapping: mapping.name, prop: 'direction', from: mapping.direction, to: d.value }])}
                  >
                    {(['Bidirectional', 'ToIntegrationTable', 'FromIntegrationTable'] as const).map((d) => <option key={d} value={d}>{tm(`direction.${d}`)}</option>)}
                  </Select>
                  <StatusBadges status={statuses.get(mapping.name)} />
                </div>
                {actionable.length ? (
                  <ul className={s.findings} data-testid="mapping-findings">
                    {actionable.slice(0, 20).map((f, i) => (
                      <li key={i} className={f.severity === 'error' ? s.error : f.severity === 'warning' ? s.warning : undefined}>
                        {`${f.field ? `${f.field}: ` : ''}${findingText(f)}`}
                      </li>
                    ))}
                  </ul>
                ) : null}
                <NotCarriedCard mapping={mapping.name} fields={mapping.fields} />
                <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(d.value as TabId)}>
                  <Tab value="fields">{tm('tabs.fields')}</Tab>
                  <Tab value="filters">{tm('tabs.filters')}</Tab>
                  <Tab value="graph">{tm('tabs.graph')}</Tab>
                  <Tab value="review">{tm('tabs.review')}</Tab>
                </TabList>
                {tab === 'fields' ? (
                  <FieldGrid key={mapping.name} mapping={mapping} catalog={store.catalog} findings={findings} changedFields={statuses.get(mapping.name)?.changedFields ?? []} onApply={apply} />
                ) : tab === 'filters' ? (
                  <FilterBuilder key={mapping.name} mapping={mapping} catalog={store.catalog} onApply={apply} />
                ) : tab === 'graph' ? (
                  <DependencyGraph mappings={view.set.mappings} selected={mapping.name} onSelect={(n) => store.select(n)} />
                ) : (
                  <div className={s.side}>
                    <SignOffCard mapping={mapping.name} />
                    <CompareCard />
                    <ReconnectCard />
                  </div>
                )}
              </>
            ) : (
              <Text>{tm('list.empty')}</Text>
            )}
          </div>
        </div>
      ) : null}
    </div>
  );
}
