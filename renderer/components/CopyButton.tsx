import { Button, Tooltip } from '@fluentui/react-components';
import { CheckmarkRegular, CopyRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies text produced on demand; shows a check mark for a moment so keyboard users get feedback too. */
export function CopyButton({ getText, label, onError }: { getText: () => Promise<string>; label: string; onError?: (x: unknown) => void }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  return (
    <Tooltip content={done ? t('copy.done') : label} relationship="label">
      <Button
        icon={done ? <CheckmarkRegular /> : <CopyRegular />}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(await getText());
            setDone(true);
            setTimeout(() => setDone(false), 1500);
          } catch (x) {
            onError?.(x);
          }
        }}
      >
        {label}
      </Button>
    </Tooltip>
  );
}
