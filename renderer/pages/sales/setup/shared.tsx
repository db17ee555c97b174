import { Badge, Dropdown, Field, Input, makeStyles, Option, tokens, Tooltip } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { ConnectionKind, ConnectionProfile } from '../../../../preload/contract';
import { CopyButton } from '../../../components/CopyButton';
import { useConnectionsStore } from '../../../stores/connections';
import { useSetupStore } from '../../../stores/setup';
import { isDemoProfile } from './logic';

export const useSetupStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'flex-end', flexWrap: 'wrap' },
  grow: { flexGrow: 1, minWidth: '260px' },
  hint: { color: tokens.colorNeutralForeground3 },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

/** Marks a value the wizard preselected from the demo sandbox, so a demo value is never mistaken for a real one. */
export function DemoBadge({ show }: { show: boolean }) {
  const { t: ts } = useTranslation('setup');
  if (!show) return null;
  return (
    <Tooltip content={ts('demo.tooltip')} relationship="description">
      <Badge appearance="tint" color="warning" data-testid="setup-demo-badge">
        {ts('demo.badge')}
      </Badge>
    </Tooltip>
  );
}

/** Connection profiles of the given kinds as a combobox; "none" only where the choice is optional. */
export function ProfilePicker(props: {
  testId: string;
  label: string;
  hint: string;
  kinds: readonly ConnectionKind[];
  value: string | null;
  optional?: boolean;
  onChange(p: ConnectionProfile | null): void;
}) {
  const { t: ts } = useTranslation('setup');
  const s = useSetupStyles();
  const profiles = useConnectionsStore((x) => x.profiles).filter((p) => props.kinds.includes(p.kind));
  const chosen = profiles.find((p) => p.id === props.value);
  return (
    <Field label={props.label} hint={props.hint} className={s.grow}>
      <div className={s.row}>
        <Dropdown
          data-testid={props.testId}
          aria-label={props.label}
          value={chosen?.name ?? (props.optional ? ts('profile.none') : '')}
          selectedOptions={props.value ? [props.value] : props.optional ? [''] : []}
          placeholder={profiles.length ? ts('profile.choose') : ts('profile.noneOfKind')}
          onOptionSelect={(_, d) => props.onChange(profiles.find((p) => p.id === d.optionValue) ?? null)}
        >
          {props.optional ? <Option value="">{ts('profile.none')}</Option> : null}
          {profiles.map((p) => (
            <Option key={p.id} value={p.id} text={p.name}>
              {p.name}
            </Option>
          ))}
        </Dropdown>
        <DemoBadge show={isDemoProfile(chosen)} />
      </div>
    </Field>
  );
}

/** A URL shown read-only with a copy button. */
export function UrlField({ testId, label, value, hint }: { testId: string; label: string; value: string; hint?: string }) {
  const { t: ts } = useTranslation('setup');
  const s = useSetupStyles();
  return (
    <Field label={label} hint={hint} className={s.grow}>
      <div className={s.row}>
        <Input data-testid={testId} readOnly value={value} className={s.grow} aria-label={label} />
        {value ? <CopyButton label={ts('copy')} getText={async () => value} /> : null}
      </div>
    </Field>
  );
}

/** Save the draft when a field loses focus (the wizard is resumable: what was typed survives leaving). */
export const saveOnBlur = () => void useSetupStore.getState().save();
