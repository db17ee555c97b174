import { Button, MessageBar, MessageBarBody } from '@fluentui/react-components';
import { PlayRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { useConnectionsStore } from '../../../../stores/connections';
import { useSetupStore } from '../../../../stores/setup';
import { DEMO_PREFIX } from '../logic';
import { useSetupStyles } from '../shared';

const NEEDS = ['bc', 'admin', 'user', 'lcy'] as const;

export function StartStep() {
  const { t: ts } = useTranslation('setup');
  const s = useSetupStyles();
  const hasDemo = useConnectionsStore((x) => x.profiles.some((p) => p.name.startsWith(DEMO_PREFIX)));
  const enabled = useSetupStore((x) => x.status.enabled);
  return (
    <div className={s.stack}>
      <ul>
        {NEEDS.map((n) => (
          <li key={n}>{ts(`start.needs.${n}`)}</li>
        ))}
      </ul>
      {hasDemo ? (
        <MessageBar intent="warning" data-testid="setup-demo-note">
          <MessageBarBody>{ts('start.demo')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {enabled ? (
        <MessageBar intent="success">
          <MessageBarBody>{ts('start.alreadyEnabled')}</MessageBarBody>
        </MessageBar>
      ) : null}
      <div>
        <Button appearance="primary" icon={<PlayRegular />} data-testid="setup-start" onClick={() => void useSetupStore.getState().begin()}>
          {ts('start.begin')}
        </Button>
      </div>
    </div>
  );
}
