import { Card, CardHeader, Checkbox, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnstrStore } from '../../../stores/connstr';

const useStyles = makeStyles({
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, margin: 0, paddingLeft: 0, listStyle: 'none' },
  detail: { color: tokens.colorNeutralForeground3, margin: `0 0 0 32px` },
});

/** The pre-v16 checklist from the reference: what must be true on the Sales side before the string can work. */
export function ChecklistCard() {
  const { t } = useTranslation();
  const s = useStyles();
  const checklist = useConnstrStore((x) => x.checklist);
  const [done, setDone] = useState<Record<string, boolean>>({});
  return (
    <Card>
      <CardHeader header={<Text weight="semibold">{t('checklist.title')}</Text>} description={t('checklist.intro')} />
      <ol className={s.list}>
        {checklist.map((item) => (
          <li key={item.id}>
            <Checkbox
              checked={!!done[item.id]}
              onChange={(_, d) => setDone((x) => ({ ...x, [item.id]: !!d.checked }))}
              label={t(`checklist.${item.id}.title`, { ns: 'connstr', defaultValue: item.title })}
            />
            <Text as="p" block size={200} className={s.detail}>
              {t(`checklist.${item.id}.detail`, { ns: 'connstr', defaultValue: item.detail })}
            </Text>
          </li>
        ))}
      </ol>
    </Card>
  );
}
