import { Button, Tooltip } from '@fluentui/react-components';
import { CheckmarkRegular, CopyRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies text produced on demand; shows a check mark for a moment so keyboard users get feedback too. */
export function CopyButton({ getText, label, onError }: { getText: () => Promise<string>; label: string; onError?: (x: unknown) => void }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  // The check mark goes back after a moment; the timer ends with the button (no state update after unmount).
  useEffect(() => {
    if (!done) return undefined;
    const id = setTimeout(() => setDone(false), 1500);
    return () => clearTimeout(id);
  }, [done]);
  return (
    <Tooltip content={done ? t('copy.done') : label} relationship="label">
      <Button
        icon={done ? <CheckmarkRegular /> : <CopyRegular />}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(await getText());
            setDone(true);
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
