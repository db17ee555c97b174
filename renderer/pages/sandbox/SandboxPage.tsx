import {
  Badge,
  Card,
  CardHeader,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  SpinButton,
  Switch,
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
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { KnobsDto } from '../../../preload/contract';
import { CopyButton } from '../../components/CopyButton';
import { useSandboxStore } from '../../stores/sandbox';
import { CommerceTeamsSandboxCards } from './CommerceTeamsSandbox';
import { ScenariosCard } from './ScenariosCard';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1100px' },
  knobs: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))', gap: tokens.spacingHorizontalL },
  code: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
  two: { display: 'grid', gridTemplateColumns: '1fr 1fr', gap: tokens.spacingHorizontalL },
});

export function SandboxPage() {
  const { t } = useTranslation();
  const s = useStyles();
  const { status, error, load, setKnobs, setAdminMode } = useSandboxStore();
  useEffect(() => {
    void load();
  }, [load]);

  if (!status) return null;
  const e = status.endpoints;
  const endpointRows: [string, string][] = e
    ? [
        [t('sandbox.endpoints.authority'), e.authority],
        [t('sandbox.endpoints.tokenEndpoint'), e.tokenEndpoint],
        [t('sandbox.endpoints.dataverseUrl'), e.dataverseUrl],
        [t('sandbox.endpoints.dataverseApiBase'), e.dataverseApiBase],
        [t('sandbox.endpoints.businessCentralApiBase'), e.businessCentralApiBase],
        [t('sandbox.endpoints.tenant'), e.tenant],
        [t('sandbox.endpoints.environment'), e.environment],
        [t('sandbox.endpoints.companyId'), e.companyId],
        [t('sandbox.endpoints.integrationClientId'), e.integrationClientId],
      ]
    : [];

  const knobCard = (service: 'dataverse' | 'businessCentral', k: KnobsDto) => (
    <Card key={service}>
      <CardHeader header={<Text weight="semibold">{t(`sandbox.services.${service}`)}</Text>} />
      <div className={s.knobs}>
        <Field label={t('sandbox.knobs.latencyMs')}>
          <SpinButton value={k.latencyMs} min={0} max={60000} step={10} onChange={(_, d) => d.value != null && void setKnobs(service, { latencyMs: d.value })} />
        </Field>
        <Field label={t('sandbox.knobs.faultRate')} hint={t('sandbox.knobs.faultRateHint')}>
          <SpinButton
            value={Math.round(k.faultRate * 100)}
            min={0}
            max={100}
            displayValue={`${Math.round(k.faultRate * 100)} %`}
            onChange={(_, d) => {
              const v = d.value ?? Number.parseInt(d.displayValue ?? '', 10);
              if (Number.isFinite(v)) void setKnobs(service, { faultRate: Math.min(100, Math.max(0, v)) / 100 });
            }}
          />
        </Field>
        <Field label={t('sandbox.knobs.faultSeed')}>
          <SpinButton value={k.faultSeed} onChange={(_, d) => d.value != null && void setKnobs(service, { faultSeed: d.value })} />
        </Field>
        <Field label={t('sandbox.knobs.burstLength')}>
          <SpinButton value={k.burstLength} min={1} max={1000} onChange={(_, d) => d.value != null && void setKnobs(service, { burstLength: d.value })} />
        </Field>
      </div>
    </Card>
  );

  return (
    <div className={s.page}>
      <div>
        <Title2 as="h1" block>
          {t('sandbox.title')} <Badge color={status.running ? 'success' : 'informative'}>{status.running ? t('sandbox.running') : t('sandbox.off')}</Badge>
        </Title2>
        <Text as="p" block>{t('sandbox.intro')}</Text>
      </div>
      {error ? (
        <MessageBar intent="error">
          <MessageBarBody>{t(`errors.${error.code}`, { ...(error.params ?? {}), defaultValue: error.message })}</MessageBarBody>
        </MessageBar>
      ) : null}
      {!status.running ? (
        <MessageBar intent="info">
          <MessageBarBody>{t('sandbox.notRunning')}</MessageBarBody>
        </MessageBar>
      ) : (
        <>
          <Card>
            <CardHeader header={<Text weight="semibold">{t('sandbox.endpointsTitle')}</Text>} />
            <Table aria-label={t('sandbox.endpointsTitle')} size="small">
              <TableBody>
                {endpointRows.map(([k, v]) => (
                  <TableRow key={k}>
                    <TableCell>{k}</TableCell>
                    <TableCell className={s.code}>{v}</TableCell>
                    <TableCell>
                      <CopyButton label={t('copy.copy')} getText={async () => v} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Card>
          <Card>
            <CardHeader header={<Text weight="semibold">{t('sandbox.usersTitle')}</Text>} description={t('sandbox.usersHint')} />
            <Table aria-label={t('sandbox.usersTitle')} size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('sandbox.user')}</TableHeaderCell>
                  <TableHeaderCell>{t('sandbox.password')}</TableHeaderCell>
                  <TableHeaderCell>{t('sandbox.roles')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {status.users.map((u) => (
                  <TableRow key={u.username}>
                    <TableCell className={s.code}>{u.username}</TableCell>
                    <TableCell className={s.code}>{u.password}</TableCell>
                    <TableCell>{u.roles.join(', ')}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Card>
          {status.commerceTeams ? <CommerceTeamsSandboxCards ct={status.commerceTeams} /> : null}
          <Card>
            <CardHeader header={<Text weight="semibold">{t('sandbox.knobsTitle')}</Text>} description={t('sandbox.knobsHint')} />
            <Switch label={t('sandbox.adminMode')} checked={status.adminMode} onChange={(_, d) => void setAdminMode(d.checked)} />
          </Card>
          <div className={s.two}>{status.knobs ? [knobCard('dataverse', status.knobs.dataverse), knobCard('businessCentral', status.knobs.businessCentral)] : null}</div>
          <ScenariosCard />
        </>
      )}
    </div>
  );
}
