import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  SearchBox,
  Spinner,
  Text,
  Title2,
  Toolbar,
  ToolbarButton,
  tokens,
} from '@fluentui/react-components';
import { UPLOAD_MAX_BYTES } from '../../../preload/contract';
import { AddRegular, ArrowDownloadRegular, ArrowUploadRegular, DismissRegular } from '@fluentui/react-icons';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionProfile } from '../../../preload/contract';
import { EnvironmentBadge } from '../../components/EnvironmentBadge';
import { useReturnFocus } from '../../components/useReturnFocus';
import { useConnectionsStore } from '../../stores/connections';
import { DeviceCodeDialog } from './DeviceCodeDialog';
import { draftOf, newDraft, type Draft } from './draft';
import { ErrorText } from './ErrorText';
import { ProfileCard } from './ProfileCard';
import { ProfileForm } from './ProfileForm';
import { downloadBlob } from '../../components/download';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1100px' },
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  hiddenInput: { display: 'none' },
});

/** Case- and accent-insensitive match on name, URL, kind, tier and environment. */
export function matches(p: ConnectionProfile, query: string): boolean {
  const fold = (x: string) => x.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const q = fold(query.trim());
  if (!q) return true;
  return q.split(/\s+/).every((w) => fold([p.name, p.url ?? '', p.kind, p.tier, p.environmentName ?? '', p.company ?? ''].join(' ')).includes(w));
}

/** FileReader rather than Blob.text(): works in every host this page runs in, including older webviews. */
function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('The file could not be read.'));
    r.readAsText(file);
  });
}

export function ConnectionsPage() {
  const { t } = useTranslation('connections');
  const s = useStyles();
  const profiles = useConnectionsStore((x) => x.profiles);
  const loaded = useConnectionsStore((x) => x.loaded);
  const error = useConnectionsStore((x) => x.error);
  const lastImport = useConnectionsStore((x) => x.lastImport);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Draft | null>(null);
  const [deleting, setDeleting] = useState<ConnectionProfile | null>(null);
  useReturnFocus(deleting !== null);
  const [exported, setExported] = useState<number | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void useConnectionsStore.getState().init();
  }, []);

  const shown = useMemo(() => [...profiles].sort((a, b) => a.name.localeCompare(b.name)).filter((p) => matches(p, query)), [profiles, query]);
  const store = useConnectionsStore.getState;

  return (
    <div className={s.page}>
      <div>
        <Title2 as="h1" block>
          {t('title', { ns: 'connections' })}
        </Title2>
        <Text as="p" block>
          {t('intro', { ns: 'connections' })}
        </Text>
      </div>

      <div className={s.toolbar}>
        <SearchBox placeholder={t('list.search', { ns: 'connections' })} aria-label={t('list.search', { ns: 'connections' })} value={query} onChange={(_, d) => setQuery(d.value)} />
        <Toolbar aria-label={t('list.toolbar', { ns: 'connections' })}>
          <ToolbarButton appearance="primary" icon={<AddRegular />} onClick={() => setEditing(newDraft())}>
            {t('actions.add', { ns: 'connections' })}
          </ToolbarButton>
          <ToolbarButton
            icon={<ArrowDownloadRegular />}
            onClick={async () => {
              const r = await store().exportJson();
              if (!r) return;
              downloadBlob(new Blob([r.json], { type: 'application/json' }), `connections-${new Date().toISOString().slice(0, 10)}.json`);
              setExported(r.count);
            }}
          >
            {t('actions.export', { ns: 'connections' })}
          </ToolbarButton>
          <ToolbarButton icon={<ArrowUploadRegular />} onClick={() => fileInput.current?.click()}>
            {t('actions.import', { ns: 'connections' })}
          </ToolbarButton>
        </Toolbar>
        <input
          ref={fileInput}
          className={s.hiddenInput}
          type="file"
          accept=".json,application/json"
          aria-label={t('actions.importFile', { ns: 'connections' })}
          data-testid="import-file"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            // A file over the limit is refused by its size, before it is read.
            if (file) await store().importJson(file.size > UPLOAD_MAX_BYTES ? file : await readText(file));
          }}
        />
      </div>

      {error ? (
        <div>
          <ErrorText error={error} />
          <Button size="small" appearance="subtle" icon={<DismissRegular />} onClick={() => store().clearError()}>
            {t('actions.dismiss', { ns: 'connections' })}
          </Button>
        </div>
      ) : null}
      {exported !== null ? (
        <MessageBar intent="success">
          <MessageBarBody>{t('transfer.exported', { ns: 'connections', count: exported })}</MessageBarBody>
          <MessageBarActions containerAction={<Button aria-label={t('actions.dismiss', { ns: 'connections' })} appearance="transparent" icon={<DismissRegular />} onClick={() => setExported(null)} />} />
        </MessageBar>
      ) : null}
      {lastImport ? (
        <MessageBar intent="success" layout="multiline" data-testid="import-result">
          <MessageBarBody>
            {t('transfer.imported', { ns: 'connections', count: lastImport.count })}
            {lastImport.renamed.map(([from, to]) => (
              <Text as="p" block key={from + to}>
                {t('transfer.renamed', { ns: 'connections', from, to })}
              </Text>
            ))}
            {lastImport.count ? <Text as="p" block>{t('transfer.secretsAgain', { ns: 'connections' })}</Text> : null}
          </MessageBarBody>
          <MessageBarActions containerAction={<Button aria-label={t('actions.dismiss', { ns: 'connections' })} appearance="transparent" icon={<DismissRegular />} onClick={() => store().clearImport()} />} />
        </MessageBar>
      ) : null}

      {!loaded ? <Spinner label={t('list.loading', { ns: 'connections' })} /> : null}
      {loaded && profiles.length === 0 ? <Text>{t('list.empty', { ns: 'connections' })}</Text> : null}
      {loaded && profiles.length > 0 && shown.length === 0 ? <Text>{t('list.noMatch', { ns: 'connections', query })}</Text> : null}
      <div role="list" aria-label={t('list.label', { ns: 'connections' })} className={s.list}>
        {shown.map((p) => (
          <ProfileCard key={p.id} profile={p} onEdit={() => setEditing(draftOf(p))} onDelete={() => setDeleting(p)} />
        ))}
      </div>

      {editing ? <ProfileForm key={editing.id ?? 'new'} initial={editing} onClose={() => setEditing(null)} /> : null}
      <DeviceCodeDialog />

      <Dialog open={deleting !== null} onOpenChange={(_, d) => !d.open && setDeleting(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{t('delete.title', { ns: 'connections', name: deleting?.name ?? '' })}</DialogTitle>
            <DialogContent>
              {deleting ? <EnvironmentBadge tier={deleting.tier} /> : null}
              <Text as="p" block>
                {t('delete.body', { ns: 'connections' })}
              </Text>
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => setDeleting(null)}>
                {t('actions.cancel', { ns: 'connections' })}
              </Button>
              <Button
                appearance="primary"
                onClick={async () => {
                  const p = deleting;
                  setDeleting(null);
                  if (p) await store().remove(p.id);
                }}
              >
                {t('delete.confirm', { ns: 'connections' })}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}
