import { Field, Input, Radio, RadioGroup } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { useConnectionsStore } from '../../../../stores/connections';
import { useSetupStore } from '../../../../stores/setup';
import { DEMO_LCY, DEMO_NAMES, isDemoProfile, isEmail, isGuid, isIsoCurrency } from '../logic';
import { DemoBadge, ProfilePicker, saveOnBlur, useSetupStyles } from '../shared';

export function IntegrationUserStep() {
  const { t: ts } = useTranslation('setup');
  const s = useSetupStyles();
  const iu = useSetupStore((x) => x.iu);
  const lcy = useSetupStore((x) => x.draft.lcyCode);
  const integrationProfileId = useSetupStore((x) => x.draft.integrationProfileId);
  const bcProfileId = useSetupStore((x) => x.draft.bc.profileId);
  const profiles = useConnectionsStore((x) => x.profiles);
  const store = useSetupStore.getState;
  const demoApp = profiles.find((p) => p.name === DEMO_NAMES.integration)?.app?.clientId;
  const demoBc = isDemoProfile(profiles.find((p) => p.id === bcProfileId));
  const emailBad = iu.kind === 'user' && iu.email.trim() !== '' && !isEmail(iu.email);
  const appBad = iu.kind === 'application' && iu.appId.trim() !== '' && !isGuid(iu.appId);
  const lcyBad = !!lcy && !isIsoCurrency(lcy);
  // Business Central's own answer for the chosen company (read at detection), when the API exposes it.
  const bcCompany = useSetupStore((x) => (x.draft.bc.kind === 'online' ? x.detect?.companies?.find((c) => c.id === (x.draft.bc.kind === 'online' ? x.draft.bc.companyId : null)) : undefined));
  const fromBc = !!lcy && bcCompany?.currencyCode === lcy;

  return (
    <div className={s.stack}>
      <RadioGroup
        aria-label={ts('iuStep.kind')}
        value={iu.kind}
        onChange={(_, d) => {
          store().setIu({ kind: d.value === 'user' ? 'user' : 'application' });
          void store().save();
        }}
      >
        <Radio value="user" label={ts('iuStep.user')} data-testid="setup-iu-kind-user" />
        <Radio value="application" label={ts('iuStep.application')} data-testid="setup-iu-kind-application" />
      </RadioGroup>
      {iu.kind === 'user' ? (
        <Field label={ts('iuStep.email')} hint={ts('iuStep.emailHint')} validationState={emailBad ? 'error' : 'none'} validationMessage={emailBad ? ts('iuStep.emailInvalid') : undefined}>
          <Input data-testid="setup-iu-email" type="email" value={iu.email} onChange={(_, d) => store().setIu({ email: d.value })} onBlur={saveOnBlur} />
        </Field>
      ) : (
        <Field label={ts('iuStep.appId')} hint={ts('iuStep.appIdHint')} validationState={appBad ? 'error' : 'none'} validationMessage={appBad ? ts('iuStep.appIdInvalid') : undefined}>
          <div className={s.row}>
            <Input data-testid="setup-iu-appid" className={s.grow} value={iu.appId} onChange={(_, d) => store().setIu({ appId: d.value })} onBlur={saveOnBlur} />
            <DemoBadge show={!!demoApp && iu.appId.trim().toLowerCase() === demoApp.toLowerCase()} />
          </div>
        </Field>
      )}
      <ProfilePicker
        testId="setup-iu-profile"
        label={ts('iuStep.profile')}
        hint={ts('iuStep.profileHint')}
        kinds={['dataverse']}
        value={integrationProfileId}
        optional
        onChange={(p) => {
          store().update({ integrationProfileId: p?.id ?? null });
          void store().save();
        }}
      />
      <Field label={ts('iuStep.lcy')} hint={fromBc ? ts('iuStep.lcyFromBc', { company: bcCompany?.displayName ?? bcCompany?.name ?? '' }) : ts('iuStep.lcyHint')} validationState={lcyBad ? 'error' : 'none'} validationMessage={lcyBad ? ts('iuStep.lcyInvalid') : undefined}>
        <div className={s.row}>
          <Input
            data-testid="setup-lcy"
            value={lcy ?? ''}
            maxLength={3}
            onChange={(_, d) => store().update({ lcyCode: d.value.toUpperCase().slice(0, 10) || null })}
            onBlur={saveOnBlur}
          />
          <DemoBadge show={demoBc && lcy === DEMO_LCY && !fromBc} />
        </div>
      </Field>
    </div>
  );
}
