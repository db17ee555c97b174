import {
  Badge,
  Button,
  Card,
  CardHeader,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, ArrowSyncRegular, ArrowUploadRegular, CheckmarkRegular, DismissRegular, SaveRegular, SearchRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, MappingEditor, MappingImportReport, MappingValidation, TeamSummary } from '../../../../preload/contract';
import { downloadBlob } from '../../../components/download';
import { ErrorBar } from '../../../components/ErrorBar';
import { asAppError, call } from '../../../transport/client';
import { fileSource } from '../../../transport/upload';
import { codeText, draftList, errorRowsCsv, shownError, teamOf, type Draft } from './logic';
import { ProfilePicker, profileRefs, useTeamsProfileChoice } from './profiles';

const useStyles = makeStyles({
  intro: { maxWidth: '900px', color: tokens.colorNeutralForeground2 },
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'end' },
  columns: { display: 'grid', gridTemplateColumns: 'minmax(0, 3fr) minmax(280px, 2fr)', gap: tokens.spacingHorizontalL, alignItems: 'start' },
  column: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  scroll: { maxHeight: '520px', overflow: 'auto' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: 'break-all' },
  issue: { color: tokens.colorPaletteRedForeground1, display: 'block' },
  selected: { backgroundColor: tokens.colorBrandBackground2 },
  teamRow: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS, alignItems: 'center', padding: `${tokens.spacingVerticalXS} 0`, borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  teamText: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  suggestion: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  hidden: { display: 'none' },
  dialogIntro: { marginBottom: tokens.spacingVerticalM },
  fileBar: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap', alignItems: 'center', padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`, backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium },
  narrow: { width: 'auto', maxWidth: '340px' },
  grow: { flexGrow: 1, minWidth: '200px' },
});

const STORE_LIMIT = 300;

export function MappingPage() {
  const { t, i18n } = useTranslation('teamsMapping');
  const s = useStyles();
  const choice = useTeamsProfileChoice();
  const refs = useMemo(() => profileRefs(choice), [choice]);
  const [editor, setEditor] = useState<MappingEditor | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [draft, setDraft] = useState<Draft>({});
  const [validation, setValidation] = useState<MappingValidation | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [storeFilter, setStoreFilter] = useState('');
  const [unmappedOnly, setUnmappedOnly] = useState(false);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<{ teams: TeamSummary[]; lookedUp: boolean } | null>(null);
  const [preview, setPreview] = useState(false);
  const [saving, setSaving] = useState(false);
  const [stale, setStale] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failed, setFailed] = useState<{ storeNumber: string; code: string; params: Record<string, string | number>; message: string }[]>([]);
  const [allStores, setAllStores] = useState(false);
  const [delimiter, setDelimiter] = useState<',' | ';'>(',');
  const [report, setReport] = useState<MappingImportReport | null>(null);
  const [importing, setImporting] = useState(false);
  const file = useRef<File | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const searchBox = useRef<HTMLInputElement>(null);

  const fail = useCallback((x: unknown) => setError(shownError(i18n.t.bind(i18n), asAppError(x), (k) => i18n.exists(k)) as AppError), [i18n]);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setEditor(await call('teamsMapping.load', refs));
      setDraft({});
      setValidation(null);
    } catch (x) {
      fail(x);
    } finally {
      setLoading(false);
    }
  }, [refs, fail]);
  useEffect(() => {
    void load();
  }, [load]);

  const stores = editor?.stores ?? [];
  const changes = useMemo(() => draftList(draft, stores), [draft, stores]);
  const teamName = useMemo(() => {
    const m = new Map((editor?.teams ?? []).map((x) => [x.id, x.displayName]));
    for (const x of results?.teams ?? []) m.set(x.id, x.displayName);
    return (id: string | null) => (id ? (m.get(id) ?? null) : null);
  }, [editor, results]);

  // Every draft change is checked in main (team exists and is a team, one team per store, not the communications team).
  useEffect(() => {
    if (changes.length === 0) {
      setValidation(null);
      return;
    }
    let live = true;
    call('teamsMapping.validate', { ...refs, draft: changes }).then((v) => live && setValidation(v), (x) => live && fail(x));
    return () => {
      live = false;
    };
  }, [changes, refs, fail]);

  const issuesOf = (storeNumber: string) => validation?.issues.filter((i) => i.storeNumber === storeNumber) ?? [];
  const assign = (storeNumber: string, teamId: string | null) => {
    setNotice(null);
    setDraft((d) => ({ ...d, [storeNumber]: teamId }));
  };

  const search = async () => {
    try {
      setResults(await call('teamsMapping.searchTeams', { ...refs, query }));
    } catch (x) {
      fail(x);
    }
  };

  const save = async () => {
    setSaving(true);
    try {
      const expected = (validation?.changes ?? []).map((c) => ({ storeNumber: c.storeNumber, fromTeamId: c.fromTeamId }));
      const r = await call('teamsMapping.save', { ...refs, draft: changes, expected });
      setStale(r.stale);
      if (r.stale) {
        // Commerce changed since this preview: show the new one and let the user confirm again.
        setValidation(r.validation);
        return;
      }
      if (!r.validation.ok) {
        setValidation(r.validation);
      } else {
        setNotice(t('save.done', { count: r.written }));
        setFailed(r.failed);
        if (r.editor) setEditor(r.editor);
        setDraft({});
      }
      setPreview(false);
    } catch (x) {
      fail(x);
    } finally {
      setSaving(false);
    }
  };

  const exportCsv = async () => {
    try {
      const r = await call('teamsMapping.exportCsv', { ...refs, includeUnmapped: allStores, delimiter });
      downloadBlob(new Blob([r.text], { type: 'text/csv;charset=utf-8' }), r.fileName);
      setNotice(r.savedPath ? t('export.saved', { count: r.rows, path: r.savedPath }) : t('export.done', { count: r.rows }));
    } catch (x) {
      fail(x);
    }
  };

  const runImport = async (apply: boolean) => {
    const f = file.current;
    if (!f) return;
    setImporting(true);
    try {
      const src = await fileSource(f);
      const r = await call('teamsMapping.importCsv', { ...refs, fileName: f.name || 'mapping.csv', ...src, apply });
      setReport(r);
      if (apply) {
        setNotice(t('import.applied', { written: r.written, errors: r.errors }));
        setEditor(await call('teamsMapping.load', refs));
        setDraft({});
      }
    } catch (x) {
      fail(x);
    } finally {
      setImporting(false);
    }
  };

  const filtered = stores.filter((st) => {
    if (unmappedOnly && teamOf(st, draft)) return false;
    const q = storeFilter.trim().toLowerCase();
    return !q || st.storeNumber.toLowerCase().includes(q) || st.name.toLowerCase().includes(q);
  });
  const teamsShown = results?.teams ?? editor?.teams ?? [];
  const usedBy = new Map<string, string>();
  for (const st of stores) {
    const id = teamOf(st, draft);
    if (id) usedBy.set(id, st.storeNumber);
  }
  const suggestions = (editor?.suggestions ?? []).filter((x) => !(x.storeNumber in draft) && !usedBy.has(x.teamId));
  const selectedStore = stores.find((x) => x.storeNumber === selected) ?? null;

  return (
    <>
      <Title2 as="h1">{t('title')}</Title2>
      <Text className={s.intro}>{t('intro')}</Text>
      <ProfilePicker used={editor?.profiles ?? null} />
      {error ? <ErrorBar error={error} testId="mapping-error" onDismiss={() => setError(null)} /> : null}
      {notice ? (
        <MessageBar intent="success" data-testid="mapping-notice">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      ) : null}
      {failed.length ? (
        <MessageBar intent="error" layout="multiline" data-testid="save-failed">
          <MessageBarBody>
            {failed.map((f) => (
              <div key={f.storeNumber}>{codeText(t, f.code, f.params, f.message)}</div>
            ))}
          </MessageBarBody>
        </MessageBar>
      ) : null}

      <div className={s.toolbar}>
        <Button icon={<ArrowSyncRegular />} onClick={() => void load()} disabled={loading}>
          {t('refresh')}
        </Button>
        <Button appearance="primary" icon={<SaveRegular />} disabled={changes.length === 0 || !validation} onClick={() => {
            setStale(false);
            setPreview(true);
          }} data-testid="save-button">
          {changes.length ? t('save.button', { count: changes.length }) : t('save.buttonNone')}
        </Button>
        <Button icon={<DismissRegular />} disabled={changes.length === 0} onClick={() => setDraft({})}>
          {t('discard')}
        </Button>
        {loading || importing ? <Spinner size="tiny" label={t('working')} /> : null}
      </div>
      <div className={s.fileBar} role="group" aria-label={t('file.label')}>
        <Text weight="semibold">{t('file.label')}</Text>
        <Button icon={<ArrowDownloadRegular />} onClick={() => void exportCsv()} disabled={!editor}>
          {t('export.button')}
        </Button>
        <Checkbox label={t('export.allStores')} checked={allStores} onChange={(_, d) => setAllStores(!!d.checked)} />
        <Select className={s.narrow} aria-label={t('export.delimiter')} title={t('export.delimiterHint')} value={delimiter} onChange={(_, d) => setDelimiter(d.value as ',' | ';')}>
          <option value=",">{t('export.comma')}</option>
          <option value=";">{t('export.semicolon')}</option>
        </Select>
        <Button icon={<ArrowUploadRegular />} onClick={() => fileInput.current?.click()} disabled={!editor || importing}>
          {t('import.button')}
        </Button>
        <input
          ref={fileInput}
          type="file"
          accept=".csv,text/csv,text/plain"
          className={s.hidden}
          data-testid="import-file"
          aria-label={t('import.button')}
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            e.target.value = '';
            file.current = f;
            setReport(null);
            if (f) void runImport(false);
          }}
        />
      </div>

      {report ? <ImportReport report={report} busy={importing} onApply={() => void runImport(true)} onClose={() => setReport(null)} /> : null}

      {validation && validation.issues.length ? (
        <MessageBar intent="warning" layout="multiline" data-testid="validation">
          <MessageBarBody>
            <Text weight="semibold">{t('validation.title', { count: validation.issues.length })}</Text>
            {validation.issues.map((i) => (
              <div key={`${i.storeNumber}-${i.code}`}>{codeText(t, i.code, i.params, i.message)}</div>
            ))}
          </MessageBarBody>
        </MessageBar>
      ) : null}

      {suggestions.length ? (
        <Card data-testid="suggestions">
          <CardHeader
            header={<Text weight="semibold">{t('suggestions.title', { count: suggestions.length })}</Text>}
            action={
              <Button icon={<CheckmarkRegular />} onClick={() => setDraft((d) => ({ ...d, ...Object.fromEntries(suggestions.map((x) => [x.storeNumber, x.teamId])) }))}>
                {t('suggestions.acceptAll')}
              </Button>
            }
          />
          {suggestions.map((x) => (
            <div key={x.storeNumber} className={s.suggestion} data-testid={`suggestion-${x.storeNumber}`}>
              <Text>
                {t('suggestions.line', { store: `${x.storeNumber} ${x.storeName}`, team: x.teamName })} <Badge appearance="tint">{t(`suggestions.reason.${x.reason}`)}</Badge>
              </Text>
              <Button size="small" onClick={() => assign(x.storeNumber, x.teamId)} aria-label={t('suggestions.acceptFor', { store: x.storeNumber, team: x.teamName })}>
                {t('suggestions.accept')}
              </Button>
            </div>
          ))}
        </Card>
      ) : null}

      <div className={s.columns}>
        <section className={s.column} aria-labelledby="stores-heading">
          <Text as="h2" id="stores-heading" weight="semibold" size={400}>
            {t('stores.title', { count: stores.length })}
          </Text>
          <div className={s.toolbar}>
            <Input className={s.grow} placeholder={t('stores.filter')} aria-label={t('stores.filter')} value={storeFilter} onChange={(_, d) => setStoreFilter(d.value)} />
            <Checkbox label={t('stores.unmappedOnly')} checked={unmappedOnly} onChange={(_, d) => setUnmappedOnly(!!d.checked)} />
          </div>
          <div className={s.scroll}>
            <Table size="small" aria-label={t('stores.title', { count: stores.length })} data-testid="stores">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('stores.number')}</TableHeaderCell>
                  <TableHeaderCell>{t('stores.name')}</TableHeaderCell>
                  <TableHeaderCell>{t('stores.team')}</TableHeaderCell>
                  <TableHeaderCell>{t('stores.actions')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {filtered.slice(0, STORE_LIMIT).map((st) => {
                  const id = teamOf(st, draft);
                  const changed = st.storeNumber in draft && draft[st.storeNumber] !== st.teamId;
                  const issues = issuesOf(st.storeNumber);
                  return (
                    <TableRow key={st.storeNumber} className={selected === st.storeNumber ? s.selected : undefined} data-testid={`store-${st.storeNumber}`} aria-selected={selected === st.storeNumber}>
                      <TableCell>{st.storeNumber}</TableCell>
                      <TableCell>{st.name}</TableCell>
                      <TableCell>
                        {id ? (
                          <>
                            <Text>{teamName(id) ?? (id === st.teamId ? st.teamName : null) ?? t('stores.unknownTeam')}</Text>
                            <Text block className={s.mono}>{id}</Text>
                          </>
                        ) : (
                          <Text italic>{t('stores.noTeam')}</Text>
                        )}
                        {changed ? <Badge appearance="tint" color="brand">{t('stores.changed')}</Badge> : null}
                        {issues.map((i) => (
                          <Text key={i.code} size={200} className={s.issue}>
                            {codeText(t, i.code, i.params, i.message)}
                          </Text>
                        ))}
                      </TableCell>
                      <TableCell>
                        <Button size="small" appearance={selected === st.storeNumber ? 'primary' : 'secondary'} onClick={() => {
                            setSelected(st.storeNumber);
                            // Keyboard users go on where the team is chosen.
                            searchBox.current?.focus();
                          }} aria-pressed={selected === st.storeNumber} aria-label={t('stores.chooseFor', { store: st.storeNumber })}>
                          {t('stores.choose')}
                        </Button>{' '}
                        {id ? (
                          <Button size="small" appearance="subtle" onClick={() => assign(st.storeNumber, null)} aria-label={t('stores.clearFor', { store: st.storeNumber })}>
                            {t('stores.clear')}
                          </Button>
                        ) : null}
                        {changed ? (
                          <Button size="small" appearance="subtle" onClick={() => setDraft(({ [st.storeNumber]: _, ...rest }) => rest)} aria-label={t('stores.undoFor', { store: st.storeNumber })}>
                            {t('stores.undo')}
                          </Button>
                        ) : null}
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
            {filtered.length > STORE_LIMIT ? <Text size={200}>{t('stores.more', { count: filtered.length - STORE_LIMIT })}</Text> : null}
          </div>
        </section>

        <section className={s.column} aria-labelledby="teams-heading">
          <Text as="h2" id="teams-heading" weight="semibold" size={400}>
            {t('teams.title')}
          </Text>
          <form
            className={s.toolbar}
            onSubmit={(e) => {
              e.preventDefault();
              void search();
            }}
          >
            <Input ref={searchBox} className={s.grow} placeholder={t('teams.search')} aria-label={t('teams.search')} value={query} onChange={(_, d) => setQuery(d.value)} data-testid="team-search" />
            <Button type="submit" icon={<SearchRegular />}>
              {t('teams.searchButton')}
            </Button>
          </form>
          <Text size={200}>{selectedStore ? t('teams.assignHint', { store: `${selectedStore.storeNumber} ${selectedStore.name}` }) : t('teams.pickStore')}</Text>
          {results?.lookedUp ? <Text size={200}>{t('teams.lookedUp')}</Text> : null}
          {results && results.teams.length === 0 ? <Text>{t('teams.none')}</Text> : null}
          <div className={s.scroll} data-testid="teams">
            {teamsShown.map((team) => {
              const owner = usedBy.get(team.id);
              return (
                <div key={team.id} className={s.teamRow} data-testid={`team-${team.id}`}>
                  <div className={s.teamText}>
                    <Text weight="semibold">{team.displayName}</Text>
                    <Text className={s.mono}>{team.id}</Text>
                    {team.mailNickname ? <Text size={200}>{t('teams.nickname', { nickname: team.mailNickname })}</Text> : null}
                    {!team.isTeam ? <Text size={200} className={s.issue}>{t('teams.notTeam')}</Text> : null}
                    {owner ? <Text size={200}>{t('teams.usedBy', { store: owner })}</Text> : null}
                  </div>
                  <Button size="small" disabled={!selectedStore || !team.isTeam} onClick={() => selectedStore && assign(selectedStore.storeNumber, team.id)} aria-label={t('teams.assignTo', { team: team.displayName, store: selectedStore?.storeNumber ?? '' })}>
                    {t('teams.assign')}
                  </Button>
                </div>
              );
            })}
          </div>
        </section>
      </div>

      <Dialog open={preview} onOpenChange={(_, d) => setPreview(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{t('save.previewTitle', { count: validation?.changes.length ?? 0 })}</DialogTitle>
            <DialogContent>
              <Text block className={s.dialogIntro}>{t('save.previewIntro')}</Text>
              <Table size="small" aria-label={t('save.previewTitle', { count: validation?.changes.length ?? 0 })} data-testid="save-preview">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t('stores.number')}</TableHeaderCell>
                    <TableHeaderCell>{t('save.action')}</TableHeaderCell>
                    <TableHeaderCell>{t('save.from')}</TableHeaderCell>
                    <TableHeaderCell>{t('save.to')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {(validation?.changes ?? []).map((c) => (
                    <TableRow key={c.storeNumber}>
                      <TableCell>{`${c.storeNumber} ${c.storeName}`}</TableCell>
                      <TableCell>{t(`save.actions.${c.action}`)}</TableCell>
                      <TableCell>{c.fromTeamId ? (c.fromTeamName ?? c.fromTeamId) : '—'}</TableCell>
                      <TableCell>{c.toTeamId ? (c.toTeamName ?? c.toTeamId) : '—'}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
              {validation && !validation.ok ? <Text className={s.issue}>{t('save.blocked')}</Text> : null}
              {stale ? (
                <Text block className={s.issue} data-testid="save-stale">
                  {t('save.stale')}
                </Text>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setPreview(false)}>{t('cancel')}</Button>
              <Button appearance="primary" disabled={saving || !validation?.ok} onClick={() => void save()} data-testid="save-confirm">
                {saving ? t('working') : t('save.confirm')}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}

const STATUS_COLOUR = { valid: 'success', unchanged: 'informative', error: 'danger', note: 'warning' } as const;

function ImportReport({ report, busy, onApply, onClose }: { report: MappingImportReport; busy: boolean; onApply: () => void; onClose: () => void }) {
  const { t } = useTranslation('teamsMapping');
  const s = useStyles();
  const toWrite = report.lines.filter((l) => l.status === 'valid').length;
  return (
    <Card data-testid="import-report" data-dry-run={report.dryRun}>
      <CardHeader
        header={<Text weight="semibold">{report.dryRun ? t('import.previewTitle', { file: report.fileName }) : t('import.appliedTitle', { file: report.fileName })}</Text>}
        description={<Text size={200}>{t('import.summary', { rows: report.rows, valid: report.imported, write: report.dryRun ? toWrite : report.written, errors: report.errors })}</Text>}
      />
      {report.errors ? <Text>{t('import.nothingLost')}</Text> : null}
      <div className={s.scroll}>
        <Table size="small" aria-label={t('import.rowsLabel')} data-testid="import-rows">
          <TableHeader>
            <TableRow>
              <TableHeaderCell style={{ width: '56px' }}>{t('import.row')}</TableHeaderCell>
              <TableHeaderCell style={{ width: '120px' }}>{t('import.status')}</TableHeaderCell>
              <TableHeaderCell style={{ width: '90px' }}>{t('stores.number')}</TableHeaderCell>
              <TableHeaderCell style={{ width: '170px' }}>{t('stores.team')}</TableHeaderCell>
              <TableHeaderCell>{t('import.message')}</TableHeaderCell>
              <TableHeaderCell style={{ width: '300px' }}>{t('import.source')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {report.lines.map((l) => (
              <TableRow key={l.row} data-testid={`import-row-${l.row}`} data-status={l.status}>
                <TableCell>{l.row}</TableCell>
                <TableCell>
                  <Badge appearance="tint" color={STATUS_COLOUR[l.status]}>{t(`import.statuses.${l.status}`)}</Badge>
                </TableCell>
                <TableCell>{l.storeNumber ?? ''}</TableCell>
                <TableCell>{l.teamName ?? l.teamId ?? ''}</TableCell>
                <TableCell>{l.code ? codeText(t, l.code, l.params, l.message) : ''}</TableCell>
                <TableCell className={s.mono}>{l.source}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      <div className={s.toolbar}>
        {report.dryRun && toWrite > 0 ? (
          <Button appearance="primary" disabled={busy} onClick={onApply} data-testid="import-apply">
            {t('import.apply', { count: toWrite })}
          </Button>
        ) : null}
        {report.dryRun && toWrite === 0 ? <Text>{t('import.nothingToWrite')}</Text> : null}
        {report.errors ? (
          <Button icon={<ArrowDownloadRegular />} onClick={() => downloadBlob(new Blob([errorRowsCsv(report)], { type: 'text/csv;charset=utf-8' }), report.fileName.replace(/\.csv$/i, '') + '-errors.csv')}>
            {t('import.downloadErrors')}
          </Button>
        ) : null}
        <Button onClick={onClose}>{t('import.close')}</Button>
      </div>
    </Card>
  );
}
