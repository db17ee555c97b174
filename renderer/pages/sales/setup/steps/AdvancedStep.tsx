import { Dropdown, Field, Input, makeStyles, MessageBar, MessageBarBody, Option, Radio, RadioGroup, Switch, Text, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { useSetupStore } from '../../../../stores/setup';
import { CopyButton } from '../../../../components/CopyButton';
import { ADVANCED_FLAGS, advancedProblem, allowedSdkVersions, itemAvailabilityMode, lockedFlags, toggleAdvanced, type AdvancedFlag } from '../logic';
import { saveOnBlur, useSetupStyles } from '../shared';

const useStyles = makeStyles({
  flag: { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr)', gap: tokens.spacingVerticalXXS, paddingBottom: tokens.spacingVerticalS, borderBottom: `1px solid ${tokens.colorNeutralStroke3}` },
  help: { color: tokens.colorNeutralForeground3, paddingLeft: '44px' },
});

export function AdvancedStep() {
  const { t: ts } = useTranslation('setup');
  const s = useSetupStyles();
  const st = useStyles();
  const draft = useSetupStore((x) => x.draft);
  const detect = useSetupStore((x) => x.detect);
  const enabled = useSetupStore((x) => x.status.enabled);
  const installed = useSetupStore((x) => x.report?.findings.some((f) => f.id === 'solution.installed' && f.status === 'ok') ?? false);
  const store = useSetupStore.getState;
  const a = draft.advanced;
  const locked = lockedFlags(a, enabled);
  const major = draft.bcVersion?.major ?? null;
  const itemMode = itemAvailabilityMode(major);
  // detectBc's list (when this session detected) within what main accepts for the draft.
  const allowed = allowedSdkVersions(draft);
  const sdkVersions = detect ? detect.sdkVersions.filter((v) => allowed.includes(v)) : allowed;
  const problem = advancedProblem(draft);

  const setFlag = (flag: AdvancedFlag, on: boolean) => {
    store().update((d) => ({ ...d, advanced: toggleAdvanced(d.advanced, flag, on) }));
    void store().save();
  };
  const labelKey = (flag: AdvancedFlag) => (flag === 'itemAvailability' ? `adv.itemAvailability.${itemMode}` : `adv.${flag}`);

  return (
    <div className={s.stack}>
      {ADVANCED_FLAGS.map((flag) => (
        <div key={flag} className={st.flag}>
          <Switch
            data-testid={`setup-adv-${flag}`}
            checked={a[flag]}
            disabled={!!locked[flag]}
            label={ts(`${labelKey(flag)}.label`)}
            aria-describedby={`setup-adv-${flag}-help`}
            onChange={(_, d) => setFlag(flag, d.checked)}
          />
          <Text size={200} className={st.help} id={`setup-adv-${flag}-help`}>
            {ts(`${labelKey(flag)}.help`)}
            {locked[flag] ? ` ${ts(locked[flag])}` : ''}
            {flag === 'importSolution' && installed ? ` ${ts('adv.importSolution.installed')}` : ''}
          </Text>
        </div>
      ))}
      <Field label={ts('adv.sdkVersion.label')} hint={ts('adv.sdkVersion.help')}>
        <Dropdown
          data-testid="setup-adv-sdkVersion"
          aria-label={ts('adv.sdkVersion.label')}
          value={String(a.sdkVersion)}
          selectedOptions={[String(a.sdkVersion)]}
          onOptionSelect={(_, d) => {
            const v = Number(d.optionValue) as 8 | 9 | 91 | 100;
            store().update((dr) => ({ ...dr, advanced: { ...dr.advanced, sdkVersion: v } }));
            void store().save();
          }}
        >
          {sdkVersions.map((v) => (
            <Option key={v} value={String(v)} text={String(v)}>
              {ts('adv.sdkVersion.option', { version: v, meaning: ts(`adv.sdkVersion.meaning.${v}`) })}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label={ts('adv.ownership.label')} hint={ts('adv.ownership.help')}>
        <RadioGroup
          layout="horizontal"
          value={a.ownershipModel}
          onChange={(_, d) => {
            store().update((dr) => ({ ...dr, advanced: { ...dr.advanced, ownershipModel: d.value === 'team' ? 'team' : 'person' } }));
            void store().save();
          }}
        >
          <Radio value="person" label={ts('adv.ownership.person')} data-testid="setup-adv-ownership-person" />
          <Radio value="team" label={ts('adv.ownership.team')} data-testid="setup-adv-ownership-team" />
        </RadioGroup>
      </Field>
      {(['salesUrl', 'bcWebClientUrl'] as const).map((key) => (
        <Field key={key} label={ts(`adv.${key}.label`)} hint={ts(`adv.${key}.help`)}>
          <div className={s.row}>
            <Input
              data-testid={`setup-adv-${key}`}
              className={s.grow}
              type="url"
              value={a[key] ?? ''}
              maxLength={250}
              onChange={(_, d) => store().update((dr) => ({ ...dr, advanced: { ...dr.advanced, [key]: d.value.trim() ? d.value.slice(0, 250) : null } }))}
              onBlur={saveOnBlur}
            />
            {a[key] ? <CopyButton label={ts('copy')} getText={async () => a[key] ?? ''} /> : null}
          </div>
        </Field>
      ))}
      {problem ? (
        <MessageBar intent="error" data-testid="setup-adv-problem">
          <MessageBarBody>{ts(problem, { versions: allowed.join(', ') })}</MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}
