import {
  Badge,
  Button,
  Card,
  CardHeader,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Select,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { COMMERCE_HQ_CHANGES } from '../../../preload/contract';
import type { AppError, CommerceHqChange, CommerceHqChangeResult, CommerceTeamsSandbox, GraphConsent, GraphFaultProfileName, GraphFaultProfileState, SandboxPersona } from '../../../preload/contract';
import { CopyButton } from '../../components/CopyButton';
import { PosSimulatorCard } from './PosSimulatorCard';
import { useSandboxStore } from '../../stores/sandbox';
import { call, RpcError } from '../../transport/client';

const useStyles = makeStyles({
  code: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  labelCol: { width: '30%' },
  copyCol: { width: '170px' },
  w18: { width: '18%' },
  w34: { width: '34%' },
  w15: { width: '15%' },
  filter: { maxWidth: '320px', marginBottom: tokens.spacingVerticalS },
  scroll: { maxHeight: '420px', overflowY: 'auto' },
  faults: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  fault: { display: 'grid', gridTemplateColumns: 'minmax(220px, max-content) 1fr', gap: tokens.spacingHorizontalL, alignItems: 'center' },
  explain: { display: 'flex', flexDirection: 'column' },
  params: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace },
  flags: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
});

const KIND_FILTERS = ['all', 'regional-manager', 'store-manager', 'worker'] as const;
type KindFilter = (typeof KIND_FILTERS)[number];

/**
 * The Commerce ⇄ Teams part of the Demo sandbox page: Microsoft Graph (HTTPS with the data folder's CA) and
 * Commerce headquarters addresses, the personas that sign in (regional managers, store managers, workers) and the
 * Graph fault profiles, each switchable. Everything comes from sandbox.status; switching a profile answers with
 * every profile's state.
 */
export function CommerceTeamsSandboxCards({ ct }: { ct: CommerceTeamsSandbox }) {
  const { t } = useTranslation();
  const s = useStyles();
  const [filter, setFilter] = useState<KindFilter>('all');
  const [faults, setFaults] = useState<GraphFaultProfileState[] | null>(null);
  const [busy, setBusy] = useState<GraphFaultProfileName | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const reload = useSandboxStore((x) => x.load);
  const shownFaults = faults ?? ct.graphFaults;
  const [consent, setConsent] = useState<GraphConsent | null>(null);
  const [consentBusy, setConsentBusy] = useState(false);
  const shownConsent = consent ?? ct.graphConsent;
  const consented = shownConsent.roles.length > 0;

  const [hqBusy, setHqBusy] = useState<CommerceHqChange | null>(null);
  const [hqDone, setHqDone] = useState<CommerceHqChangeResult | null>(null);
  const hqChange = async (change: CommerceHqChange) => {
    setHqBusy(change);
    setError(null);
    try {
      setHqDone(await call('sandbox.commerceChange', { change }));
    } catch (x) {
      setError(x instanceof RpcError ? x.error : { code: 'INTERNAL', message: (x as Error).message });
    } finally {
      setHqBusy(null);
    }
  };

  const toggleConsent = async (granted: boolean) => {
    setConsentBusy(true);
    setError(null);
    try {
      setConsent(await call('sandbox.setGraphConsent', { granted }));
    } catch (x) {
      setError(x instanceof RpcError ? x.error : { code: 'INTERNAL', message: (x as Error).message });
    } finally {
      setConsentBusy(false);
    }
    await reload();
    setConsent(null);
  };

  const toggle = async (name: GraphFaultProfileName, on: boolean) => {
    setBusy(name);
    setError(null);
    try {
      setFaults(await call('sandbox.setGraphFaultProfile', { name, on }));
    } catch (x) {
      setError(x instanceof RpcError ? x.error : { code: 'INTERNAL', message: (x as Error).message });
    } finally {
      setBusy(null);
    }
    await reload();
    setFaults(null);
  };

  const rows: [string, string, string][] = [
    ['graph-url', t('sandbox.ct.graphUrl'), ct.graph.url],
    ['graph-beta', t('sandbox.ct.graphBetaUrl'), ct.graph.betaUrl],
    ['graph-ca', t('sandbox.ct.graphCaFile'), ct.graph.caFile],
    ['commerce-url', t('sandbox.ct.commerceUrl'), ct.commerce.url],
  ];
  const personas = ct.personas.filter((p) => filter === 'all' || p.kind === filter);
  const flags = (p: SandboxPersona) => (
    <span className={s.flags}>
      {!p.accountEnabled ? <Badge color="danger">{t('sandbox.ct.accountDisabled')}</Badge> : null}
      {!p.teamsLicensed ? <Badge color="warning">{t('sandbox.ct.noTeamsLicence')}</Badge> : null}
    </span>
  );

  return (
    <>
      <Card data-testid="sandbox-ct-services">
        <CardHeader header={<Text weight="semibold">{t('sandbox.ct.servicesTitle')}</Text>} description={t('sandbox.ct.servicesHint')} />
        <Table aria-label={t('sandbox.ct.servicesTitle')} size="small">
          <TableBody>
            {rows.map(([id, k, v]) => (
              <TableRow key={id} data-testid={`sandbox-ct-${id}`}>
                <TableCell className={s.labelCol}>{k}</TableCell>
                <TableCell className={s.code}>{v}</TableCell>
                <TableCell className={s.copyCol}>
                  <CopyButton label={id === 'graph-ca' ? t('sandbox.ct.copyCaPath') : t('copy.copy')} getText={async () => v} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>

      <Card data-testid="sandbox-ct-personas">
        <CardHeader header={<Text weight="semibold">{t('sandbox.ct.personasTitle')}</Text>} description={t('sandbox.ct.personasHint', { password: ct.personaPassword })} />
        <Field label={t('sandbox.ct.personaFilter')} className={s.filter}>
          <Select value={filter} onChange={(_, d) => setFilter(d.value as KindFilter)} data-testid="sandbox-ct-persona-filter">
            {KIND_FILTERS.map((k) => (
              <option key={k} value={k}>
                {t(`sandbox.ct.kind.${k}`)} ({k === 'all' ? ct.personas.length : ct.personas.filter((p) => p.kind === k).length})
              </option>
            ))}
          </Select>
        </Field>
        <div className={s.scroll}>
          <Table aria-label={t('sandbox.ct.personasTitle')} size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell className={s.w18}>{t('sandbox.ct.persona')}</TableHeaderCell>
                <TableHeaderCell className={s.w34}>{t('sandbox.user')}</TableHeaderCell>
                <TableHeaderCell className={s.w15}>{t('sandbox.ct.role')}</TableHeaderCell>
                <TableHeaderCell className={s.w18}>{t('sandbox.ct.place')}</TableHeaderCell>
                <TableHeaderCell className={s.w15}>{t('sandbox.ct.state')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {personas.map((p) => (
                <TableRow key={p.upn} data-testid={`sandbox-persona-${p.personnelNumber}`}>
                  <TableCell>{p.displayName}</TableCell>
                  <TableCell className={s.code}>{p.upn}</TableCell>
                  <TableCell>{t(`sandbox.ct.kindOne.${p.kind}`)}</TableCell>
                  <TableCell>{p.place ?? ''}</TableCell>
                  <TableCell>{flags(p)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      </Card>

      <Card data-testid="sandbox-ct-hq">
        <CardHeader header={<Text weight="semibold">{t('sandbox.ct.hqTitle')}</Text>} description={t('sandbox.ct.hqHint')} />
        <div className={s.faults}>
          {COMMERCE_HQ_CHANGES.map((c) => (
            <div key={c} className={s.fault}>
              <Button data-testid={`sandbox-hq-${c}`} disabled={hqBusy !== null} onClick={() => void hqChange(c)}>
                {t(`sandbox.ct.hq.${c}.button`)}
              </Button>
              <Text>{t(`sandbox.ct.hq.${c}.explain`)}</Text>
            </div>
          ))}
        </div>
        {hqDone ? (
          <MessageBar intent={hqDone.applied ? 'success' : 'info'} data-testid="sandbox-hq-result">
            <MessageBarBody>
              {t(hqDone.applied ? `sandbox.ct.hq.${hqDone.change}.done` : 'sandbox.ct.hqAlready', { store: hqDone.storeName, storeNumber: hqDone.storeNumber, worker: hqDone.personnelNumber })}
            </MessageBarBody>
          </MessageBar>
        ) : null}
      </Card>

      <PosSimulatorCard />

      <Card data-testid="sandbox-ct-consent">
        <CardHeader header={<Text weight="semibold">{t('sandbox.ct.consentTitle')}</Text>} description={t('sandbox.ct.consentHint')} />
        <Switch
          data-testid="sandbox-ct-consent-switch"
          label={consented ? t('sandbox.ct.consentGranted') : t('sandbox.ct.consentRevoked')}
          checked={consented}
          disabled={consentBusy}
          onChange={(_, d) => void toggleConsent(d.checked)}
        />
        <Text size={200} className={s.params} data-testid="sandbox-ct-consent-roles">
          {consented ? t('sandbox.ct.consentRoles', { roles: shownConsent.roles.join(', ') }) : t('sandbox.ct.consentNone', { roles: shownConsent.requested.join(', ') })}
        </Text>
        <Table aria-label={t('sandbox.ct.consentTitle')} size="small">
          <TableBody>
            <TableRow data-testid="sandbox-ct-consent-url">
              <TableCell className={s.labelCol}>{t('sandbox.ct.consentUrl')}</TableCell>
              <TableCell className={s.code}>{shownConsent.adminConsentUrl}</TableCell>
              <TableCell className={s.copyCol}>
                <CopyButton label={t('copy.copy')} getText={async () => shownConsent.adminConsentUrl} />
              </TableCell>
            </TableRow>
          </TableBody>
        </Table>
      </Card>

      <Card data-testid="sandbox-ct-faults">
        <CardHeader header={<Text weight="semibold">{t('sandbox.ct.faultsTitle')}</Text>} description={t('sandbox.ct.faultsHint')} />
        {error ? (
          <MessageBar intent="error">
            <MessageBarBody>{t(`errors.${error.code}`, { ...(error.params ?? {}), defaultValue: error.message })}</MessageBarBody>
          </MessageBar>
        ) : null}
        <div className={s.faults}>
          {shownFaults.map((f) => (
            <div key={f.name} className={s.fault}>
              <Switch
                data-testid={`sandbox-fault-${f.name}`}
                label={f.name}
                checked={f.active}
                disabled={busy !== null}
                onChange={(_, d) => void toggle(f.name, d.checked)}
              />
              <div className={s.explain}>
                <Text>{t(`sandbox.ct.faults.${f.name}`, Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, String(v)])))}</Text>
                <Text size={200} className={s.params} data-testid={`sandbox-fault-state-${f.name}`}>
                  {f.active ? t('sandbox.ct.faultOn') : t('sandbox.ct.faultOff')}
                  {Object.keys(f.params).length ? ` · ${Object.entries(f.params).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}
                </Text>
              </div>
            </div>
          ))}
        </div>
      </Card>
    </>
  );
}
