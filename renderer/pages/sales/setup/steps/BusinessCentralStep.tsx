import { Button, Dropdown, Field, MessageBar, MessageBarActions, MessageBarBody, Option, Radio, RadioGroup, Spinner, Text } from '@fluentui/react-components';
import { PlugConnectedRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import type { SetupDraft } from '../../../../../preload/contract/sales/setup';
import { useAppStore } from '../../../../stores/app';
import { useSetupStore } from '../../../../stores/setup';
import { ErrorBar } from '../../../../components/ErrorBar';
import { translateMessage, withAllowedSdk, withBcLcy } from '../logic';
import { ProfilePicker, UrlField, useSetupStyles } from '../shared';

export function BusinessCentralStep() {
  const { t: ts } = useTranslation('setup');
  const s = useSetupStyles();
  const bc = useSetupStore((x) => x.draft.bc);
  const version = useSetupStore((x) => x.draft.bcVersion);
  const detect = useSetupStore((x) => x.detect);
  const detecting = useSetupStore((x) => x.detecting);
  const error = useSetupStore((x) => x.errors.bc);
  const store = useSetupStore.getState;

  const setBc = (next: SetupDraft['bc']) => {
    // Another system means another version: what was detected for the old one no longer applies.
    store().update((d) => withAllowedSdk({ ...d, bc: next, bcVersion: null }));
    useSetupStore.setState({ detect: null });
    void store().save();
  };
  const companies = detect?.companies ?? [];
  const online = bc.kind === 'online' ? bc : null;
  // After a resume only the saved company is known (detection is not repeated on its own).
  const companyOptions = companies.length ? companies.map((c) => ({ id: c.id, name: c.displayName ?? c.name })) : online?.companyId ? [{ id: online.companyId, name: online.companyName ?? online.companyId }] : [];

  return (
    <div className={s.stack}>
      <RadioGroup
        layout="horizontal"
        aria-label={ts('bcStep.kind')}
        value={bc.kind}
        onChange={(_, d) =>
          setBc(d.value === 'onprem' ? { kind: 'onprem', url: null, userName: null, profileId: null } : { kind: 'online', profileId: null, companyId: null, companyName: null })
        }
      >
        <Radio value="online" label={ts('bcStep.online')} data-testid="setup-bc-kind-online" />
        <Radio value="onprem" label={ts('bcStep.onprem')} data-testid="setup-bc-kind-onprem" />
      </RadioGroup>
      <div className={s.row}>
        <ProfilePicker
          testId="setup-bc-profile"
          label={ts('bcStep.profile')}
          hint={ts(bc.kind === 'online' ? 'bcStep.profileHintOnline' : 'bcStep.profileHintOnprem')}
          kinds={bc.kind === 'online' ? ['bc-online'] : ['bc-onprem']}
          value={bc.profileId}
          onChange={(p) =>
            setBc(bc.kind === 'onprem'
              ? { kind: 'onprem', profileId: p?.id ?? null, url: p?.url?.slice(0, 250) ?? null, userName: p?.userName?.slice(0, 250) ?? null }
              : { kind: 'online', profileId: p?.id ?? null, companyId: null, companyName: null })
          }
        />
        <Button
          data-testid="setup-bc-detect"
          icon={detecting ? <Spinner size="tiny" /> : <PlugConnectedRegular />}
          disabled={!bc.profileId || detecting}
          onClick={() => void store().detectBc()}
        >
          {ts('bcStep.detect')}
        </Button>
      </div>
      {bc.kind === 'onprem' && bc.profileId ? (
        <div className={s.row}>
          <UrlField testId="setup-bc-url" label={ts('bcStep.url')} value={bc.url ?? ''} hint={ts('bcStep.onpremCredentials')} />
          <Field label={ts('bcStep.userName')}>
            <Text className={s.mono}>{bc.userName ?? '—'}</Text>
          </Field>
        </div>
      ) : null}
      {error ? <ErrorBar error={error} /> : null}
      {version ? (
        <div className={s.stack} data-testid="setup-bc-version" data-major={version.major ?? ''} data-path={version.path}>
          <Text weight="semibold">
            {ts('bcStep.version', { major: version.major ?? ts('bcStep.unknownMajor'), api: version.api, path: ts(`bcStep.path.${version.path}`) })}
          </Text>
          {detect ? <Text>{translateMessage(ts, detect.message)}</Text> : null}
          {version.path === 'connection-string' ? (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>{ts('bcStep.legacy')}</MessageBarBody>
              <MessageBarActions>
                <Button data-testid="setup-bc-connstr" onClick={() => useAppStore.getState().setPage('connstr')}>
                  {ts('bcStep.openConnstr')}
                </Button>
              </MessageBarActions>
            </MessageBar>
          ) : null}
        </div>
      ) : null}
      {online ? (
        <Field label={ts('bcStep.company')} hint={ts(companyOptions.length ? 'bcStep.companyHint' : 'bcStep.companyAfterDetect')}>
          <Dropdown
            data-testid="setup-bc-company"
            aria-label={ts('bcStep.company')}
            disabled={!companyOptions.length}
            value={companyOptions.find((c) => c.id === online.companyId)?.name ?? ''}
            selectedOptions={online.companyId ? [online.companyId] : []}
            placeholder={ts('bcStep.companyPlaceholder')}
            onOptionSelect={(_, d) => {
              const c = companyOptions.find((x) => x.id === d.optionValue);
              // Another company may keep its books in another currency: take its LCY unless one was chosen by hand.
              store().update((dr) => withBcLcy({ ...dr, bc: { ...online, companyId: c?.id ?? null, companyName: c?.name.slice(0, 250) ?? null } }, companies));
              void store().save();
            }}
          >
            {companyOptions.map((c) => (
              <Option key={c.id} value={c.id} text={c.name}>
                {c.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
      ) : null}
    </div>
  );
}
