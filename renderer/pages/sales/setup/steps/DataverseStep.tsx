import { Button, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { PersonArrowRightRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { useConnectionsStore } from '../../../../stores/connections';
import { useSetupStore } from '../../../../stores/setup';
import { ErrorBar } from '../../../../components/ErrorBar';
import { DEMO_NAMES } from '../logic';
import { ProfilePicker, UrlField, useSetupStyles } from '../shared';

export function DataverseStep() {
  const { t: ts } = useTranslation('setup');
  const s = useSetupStyles();
  const profileId = useSetupStore((x) => x.draft.dataverseProfileId);
  const url = useSetupStore((x) => x.draft.dataverseUrl);
  const whoami = useSetupStore((x) => (profileId ? x.whoami[profileId] : undefined));
  const signingIn = useSetupStore((x) => x.signingIn);
  const error = useSetupStore((x) => x.errors.dv);
  const profile = useConnectionsStore((x) => x.profiles.find((p) => p.id === profileId));
  const status = useConnectionsStore((x) => (profileId ? x.statuses[profileId] : undefined));
  const store = useSetupStore.getState;
  const appFlow = profile && (profile.authMethod === 'client-secret' || profile.authMethod === 'certificate');
  const name = whoami ?? (status?.state === 'signed-in' ? (status.account?.name ?? status.account?.username) : undefined);

  return (
    <div className={s.stack}>
      <ProfilePicker
        testId="setup-dv-profile"
        label={ts('dvStep.profile')}
        hint={ts('dvStep.profileHint')}
        kinds={['dataverse']}
        value={profileId}
        onChange={(p) => {
          store().update({ dataverseProfileId: p?.id ?? null, dataverseUrl: p?.url?.slice(0, 250) ?? null });
          void store().save();
        }}
      />
      {appFlow ? (
        <MessageBar intent="warning" layout="multiline" data-testid="setup-dv-app-warning">
          <MessageBarBody>{profile.name === DEMO_NAMES.integration ? ts('dvStep.demoAppProfile', { admin: DEMO_NAMES.admin }) : ts('dvStep.appProfile')}</MessageBarBody>
        </MessageBar>
      ) : null}
      <UrlField testId="setup-dv-url" label={ts('dvStep.url')} value={url ?? ''} hint={ts('dvStep.urlHint')} />
      <div className={s.row}>
        <Button
          appearance="primary"
          data-testid="setup-dv-signin"
          icon={signingIn ? <Spinner size="tiny" /> : <PersonArrowRightRegular />}
          disabled={!profileId || signingIn}
          onClick={() => void store().signInDataverse()}
        >
          {ts('dvStep.signIn')}
        </Button>
        {name ? (
          <Text data-testid="setup-dv-whoami" weight="semibold">
            {ts('dvStep.whoami', { name })}
          </Text>
        ) : null}
      </div>
      {error ? <ErrorBar error={error} /> : null}
    </div>
  );
}
