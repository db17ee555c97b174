import { makeStyles, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { transport } from '../transport/client';
import type { ConnectionState } from '../transport/types';

// Stays in view while the page scrolls: nothing on it works any more.
const useStyles = makeStyles({ bar: { position: 'sticky', top: 0, zIndex: 10 } });

/**
 * Browser host only: once the console's host process has stopped, every action would fail with "not reachable".
 * Say so once, at the top, with what to do. Hidden again if the link comes back.
 */
export function HostStatusBanner() {
  const { t } = useTranslation();
  const s = useStyles();
  const [state, setState] = useState<ConnectionState | null>(null);
  useEffect(() => {
    let link: ReturnType<typeof transport>;
    try {
      link = transport();
    } catch {
      return undefined; // no transport at all: the page says so itself (launch token missing)
    }
    return link.onConnection?.(setState);
  }, []);
  if (state !== 'lost') return null;
  return (
    <MessageBar intent="error" layout="multiline" role="alert" className={s.bar} data-testid="host-stopped">
      <MessageBarBody>
        <MessageBarTitle>{t('host.stoppedTitle')}</MessageBarTitle>
        {t('host.stoppedBody')}
      </MessageBarBody>
    </MessageBar>
  );
}
