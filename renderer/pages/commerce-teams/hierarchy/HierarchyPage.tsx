import { Badge, Button, Card, CardHeader, Field, makeStyles, MessageBar, MessageBarBody, Select, Spinner, Text, Textarea, Title2, tokens } from '@fluentui/react-components';
import { ArrowDownloadRegular, ArrowSyncRegular, BuildingRetailRegular, FolderRegular, PeopleTeamRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, HierarchyChoiceDto, HierarchyPreview, HierarchyTreeNode, MethodOutput } from '../../../../preload/contract';
import { CopyButton } from '../../../components/CopyButton';
import { downloadBlob } from '../../../components/download';
import { ErrorBar } from '../../../components/ErrorBar';
import { asAppError, call } from '../../../transport/client';
import { codeText, shownError } from '../mapping/logic';
import { ProfilePicker, profileRefs, useTeamsProfileChoice } from '../mapping/profiles';

const useStyles = makeStyles({
  intro: { maxWidth: '900px', color: tokens.colorNeutralForeground2 },
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'end' },
  columns: { display: 'grid', gridTemplateColumns: 'minmax(0, 3fr) minmax(300px, 2fr)', gap: tokens.spacingHorizontalL, alignItems: 'start' },
  tree: { listStyleType: 'none', margin: 0, padding: 0, maxHeight: '560px', overflow: 'auto' },
  node: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'baseline', padding: `${tokens.spacingVerticalXXS} 0`, flexWrap: 'wrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  findings: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, maxHeight: '560px', overflow: 'auto' },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, whiteSpace: 'pre', overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground3, padding: tokens.spacingHorizontalS, borderRadius: tokens.borderRadiusMedium, margin: 0 },
  csv: { width: '100%', fontFamily: tokens.fontFamilyMonospace },
  narrow: { width: 'auto', minWidth: '160px', maxWidth: '420px' },
});

type Exported = MethodOutput<'teamsHierarchy.exportCsv'>;

const KIND_ICON = { communications: <PeopleTeamRegular />, node: <FolderRegular />, store: <BuildingRetailRegular /> } as const;

export function HierarchyPage() {
  const { t, i18n } = useTranslation('teamsHierarchy');
  const s = useStyles();
  const choice = useTeamsProfileChoice();
  const refs = useMemo(() => profileRefs(choice), [choice]);
  const [list, setList] = useState<{ hierarchies: HierarchyChoiceDto[]; preferred: string | null; profiles: HierarchyPreview['profiles'] } | null>(null);
  const [hierarchy, setHierarchy] = useState('');
  const [nameColumn, setNameColumn] = useState<'TargetName' | 'DisplayName'>('TargetName');
  const [preview, setPreview] = useState<HierarchyPreview | null>(null);
  const [exported, setExported] = useState<Exported | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const fail = useCallback((x: unknown) => setError(shownError(i18n.t.bind(i18n), asAppError(x), (k) => i18n.exists(k)) as AppError), [i18n]);

  useEffect(() => {
    let live = true;
    setError(null);
    call('teamsHierarchy.list', refs).then(
      (l) => {
        if (!live) return;
        setList(l);
        setHierarchy((h) => h || l.preferred || '');
      },
      (x) => live && fail(x),
    );
    return () => {
      live = false;
    };
  }, [refs, fail]);

  const input = useMemo(() => ({ ...refs, nameColumn, ...(hierarchy ? { hierarchy } : {}) }), [refs, nameColumn, hierarchy]);
  const runPreview = useCallback(async () => {
    setBusy(true);
    setError(null);
    setExported(null);
    try {
      setPreview(await call('teamsHierarchy.preview', input));
    } catch (x) {
      fail(x);
    } finally {
      setBusy(false);
    }
  }, [input, fail]);
  useEffect(() => {
    if (list) void runPreview();
  }, [list, runPreview]);

  const runExport = async () => {
    setBusy(true);
    try {
      const r = await call('teamsHierarchy.exportCsv', input);
      setExported(r);
      setPreview(r);
      if (r.csv) downloadBlob(new Blob([r.csv], { type: 'text/csv;charset=utf-8' }), r.fileName);
    } catch (x) {
      fail(x);
    } finally {
      setBusy(false);
    }
  };

  const errors = preview?.findings.filter((f) => f.severity === 'error') ?? [];
  const warnings = preview?.findings.filter((f) => f.severity === 'warning') ?? [];

  return (
    <>
      <Title2 as="h1">{t('title')}</Title2>
      <Text className={s.intro}>{t('intro')}</Text>
      <ProfilePicker used={list?.profiles ?? preview?.profiles ?? null} />
      {error ? <ErrorBar error={error} testId="hierarchy-error" onDismiss={() => setError(null)} /> : null}
      <div className={s.toolbar}>
        <Field label={t('pick')}>
          <Select className={s.narrow} value={hierarchy} onChange={(_, d) => setHierarchy(d.value)} data-testid="hierarchy-select">
            {!hierarchy ? <option value="">{t('pickNone')}</option> : null}
            {(list?.hierarchies ?? []).map((h) => (
              <option key={h.name} value={h.name}>
                {h.retailReporting ? t(h.isDefault ? 'optionDefault' : 'optionReporting', { name: h.name }) : t('optionOther', { name: h.name })}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('nameColumn')}>
          <Select className={s.narrow} title={t('nameColumnHint')} value={nameColumn} onChange={(_, d) => setNameColumn(d.value as 'TargetName' | 'DisplayName')}>
            <option value="TargetName">TargetName</option>
            <option value="DisplayName">DisplayName</option>
          </Select>
        </Field>
        <Button icon={<ArrowSyncRegular />} onClick={() => void runPreview()} disabled={busy}>
          {t('refresh')}
        </Button>
        <Button appearance="primary" icon={<ArrowDownloadRegular />} onClick={() => void runExport()} disabled={busy || !preview || !preview.ok} data-testid="hierarchy-export">
          {t('export')}
        </Button>
        {busy ? <Spinner size="tiny" label={t('working')} /> : null}
      </div>

      {preview ? (
        <MessageBar intent={preview.ok ? (warnings.length ? 'warning' : 'success') : 'error'} data-testid="hierarchy-summary">
          <MessageBarBody>
            {preview.ok
              ? t('summaryOk', { rows: preview.rows, stores: preview.stores, count: warnings.length, hierarchy: preview.hierarchy?.name ?? '' })
              : t('summaryBroken', { count: errors.length })}
            {preview.communicationsTeam ? null : <Text block>{t('noCommunicationsTeam')}</Text>}
          </MessageBarBody>
        </MessageBar>
      ) : null}

      {exported ? <ExportCard exported={exported} /> : null}

      {preview ? (
        <div className={s.columns}>
          <Card>
            <CardHeader header={<Text as="h2" weight="semibold">{t('tree', { count: preview.nodes.length })}</Text>} />
            <ul className={s.tree} aria-label={t('tree', { count: preview.nodes.length })} data-testid="hierarchy-tree">
              {preview.nodes.map((n) => (
                <TreeLine key={n.name} n={n} />
              ))}
            </ul>
          </Card>
          <Card>
            <CardHeader header={<Text as="h2" weight="semibold">{t('findings', { count: preview.findings.length })}</Text>} />
            <div className={s.findings} data-testid="hierarchy-findings">
              {preview.findings.length === 0 ? <Text>{t('noFindings')}</Text> : null}
              {[...errors, ...warnings].map((f, i) => (
                <div key={`${f.code}-${i}`} data-code={f.code} data-severity={f.severity}>
                  <Badge appearance="tint" color={f.severity === 'error' ? 'danger' : 'warning'}>{t(`severity.${f.severity}`)}</Badge>{' '}
                  <Text>{codeText(t, f.code, f.params, f.message)}</Text>
                </div>
              ))}
            </div>
          </Card>
        </div>
      ) : null}
    </>
  );
}

function TreeLine({ n }: { n: HierarchyTreeNode }) {
  const { t } = useTranslation('teamsHierarchy');
  const s = useStyles();
  return (
    <li className={s.node} style={{ paddingInlineStart: `${n.depth * 20}px` }} data-kind={n.kind} data-testid={n.storeNumber ? `node-${n.storeNumber}` : undefined}>
      {KIND_ICON[n.kind]}
      <Text weight={n.kind === 'store' ? 'regular' : 'semibold'}>{n.name}</Text>
      {n.kind === 'communications' ? <Badge appearance="tint" color="brand">{t('kind.communications')}</Badge> : null}
      {n.storeNumber ? <Text size={200}>{t('storeNumber', { store: n.storeNumber })}</Text> : null}
      {n.teamId ? (
        <Text size={200} className={s.mono} title={n.teamId}>
          {n.teamName ? `${n.teamName} · ${n.teamId}` : n.teamId}
        </Text>
      ) : null}
    </li>
  );
}

function ExportCard({ exported }: { exported: Exported }) {
  const { t } = useTranslation('teamsHierarchy');
  const s = useStyles();
  if (!exported.csv) return null;
  const upload = exported.powershell.upload.join('\n');
  const status = exported.powershell.status.join('\n');
  return (
    <Card data-testid="hierarchy-export-card">
      <CardHeader
        header={<Text as="h2" weight="semibold">{t('exported', { file: exported.fileName })}</Text>}
        description={<Text size={200}>{exported.savedPath ? t('savedAt', { path: exported.savedPath }) : t('downloaded')}</Text>}
      />
      <Field label={t('csv')}>
        <Textarea className={s.csv} readOnly value={exported.csv} rows={Math.min(12, exported.csv.split('\n').length)} data-testid="hierarchy-csv" />
      </Field>
      <div className={s.toolbar}>
        <CopyButton label={t('copyCsv')} getText={async () => exported.csv ?? ''} />
        <Button icon={<ArrowDownloadRegular />} onClick={() => downloadBlob(new Blob([exported.csv ?? ''], { type: 'text/csv;charset=utf-8' }), exported.fileName)}>
          {t('downloadAgain')}
        </Button>
      </div>
      <Text weight="semibold">{t('uploadTitle')}</Text>
      <Text size={200}>{t('uploadHint')}</Text>
      <pre className={s.code} data-testid="ps-upload">{upload}</pre>
      <div>
        <CopyButton label={t('copyUpload')} getText={async () => upload} />
      </div>
      <Text weight="semibold">{t('statusTitle')}</Text>
      <Text size={200}>{t('statusHint')}</Text>
      <pre className={s.code} data-testid="ps-status">{status}</pre>
      <div>
        <CopyButton label={t('copyStatus')} getText={async () => status} />
      </div>
    </Card>
  );
}
