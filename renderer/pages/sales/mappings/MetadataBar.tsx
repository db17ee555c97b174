import { Badge, Button, makeStyles, Select, Text, tokens } from '@fluentui/react-components';
import { ArrowSyncRegular } from '@fluentui/react-icons';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useMappingsStore } from '../../../stores/mappings';
import { formatAgo } from './logic';

const useStyles = makeStyles({
  bar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
});

/** "Metadata from: [connection] Refresh · fetched 5 minutes ago": which org's metadata validation uses. */
export function MetadataBar() {
  const { t: tm, i18n } = useTranslation('mappings');
  const s = useStyles();
  const sources = useMappingsStore((x) => x.metadataSources);
  const chosen = useMappingsStore((x) => x.catalogProfileId);
  const status = useMappingsStore((x) => x.catalogStatus);
  const mode = useMappingsStore((x) => x.metadataMode);
  const busy = useMappingsStore((x) => x.busy);
  useEffect(() => {
    void useMappingsStore.getState().loadMetadataSources();
  }, []);
  if (!sources.length) return null;
  const fetched = chosen ? status.find((x) => x.profileId === chosen) : undefined;
  return (
    <div className={s.bar} data-testid="metadata-bar">
      <Text id="metadata-from-label">{tm('metadata.from')}</Text>
      <Select
        aria-labelledby="metadata-from-label"
        data-testid="metadata-source"
        value={chosen ?? ''}
        onChange={(_, d) => void useMappingsStore.getState().chooseCatalogProfile(d.value || null)}
      >
        <option value="">{tm('metadata.builtIn')}</option>
        {sources.map((x) => <option key={x.id} value={x.id}>{`${x.name} (${tm(`metadata.side.${x.side}`)})`}</option>)}
      </Select>
      <Button icon={<ArrowSyncRegular />} disabled={!chosen || busy} data-testid="metadata-refresh" onClick={() => void useMappingsStore.getState().refreshCatalog()}>
        {tm('metadata.refresh')}
      </Button>
      {chosen ? (
        <Text size={200} data-testid="metadata-fetched">
          {fetched ? tm('metadata.fetched', { when: formatAgo(fetched.fetchedAt, Date.now(), i18n.language), entities: fetched.entities }) : tm('metadata.never')}
        </Text>
      ) : null}
      {chosen && fetched && mode === 'cache' ? <Badge appearance="outline" color="warning" data-testid="metadata-offline">{tm('metadata.offline')}</Badge> : null}
    </div>
  );
}
