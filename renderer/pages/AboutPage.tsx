import { Card, CardHeader, makeStyles, Table, TableBody, TableCell, TableRow, Text, Title2, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { SecretStoreNotice } from '../components/SecretStoreNotice';
import { useAppStore } from '../stores/app';

const useStyles = makeStyles({ page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '900px' } });

export function AboutPage() {
  const { t } = useTranslation();
  const s = useStyles();
  const info = useAppStore((x) => x.info);
  if (!info) return null;
  const rows: [string, string][] = [
    [t('about.version'), info.version],
    [t('about.host'), t(`about.hosts.${info.host}`)],
    [t('about.dataDir'), info.dataDir],
    [t('about.schema'), String(info.dbSchemaVersion)],
    [t('about.secretStore'), t(`about.secretStores.${info.secretStore.kind}`)],
    [t('about.platform'), info.platform],
  ];
  return (
    <div className={s.page}>
      <Title2 as="h1" block>{t('about.title')}</Title2>
      {/* Always here, even once dismissed on the connection form: this is where to look it up. */}
      <SecretStoreNotice />
      <Card>
        <CardHeader header={<Text weight="semibold">{t('about.runtime')}</Text>} />
        <Table aria-label={t('about.runtime')} size="small">
          <TableBody>
            {rows.map(([k, v]) => (
              <TableRow key={k}>
                <TableCell>{k}</TableCell>
                <TableCell>
                  <code>{v}</code>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}
