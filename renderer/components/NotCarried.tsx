import { makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Text, tokens } from '@fluentui/react-components';
import type { TFunction } from 'i18next';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { CompanionStatus, NotCarriedFieldDto } from '../../preload/contract';
import { useCompanionStore } from '../stores/companion';

const useStyles = makeStyles({
  list: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalL },
  line: { display: 'block', color: tokens.colorPaletteDarkOrangeForeground1 },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

/** Loads the companion status once when a page that shows it opens. */
export function useCompanionStatus(): CompanionStatus | null {
  const { status, load } = useCompanionStore();
  useEffect(() => {
    void load(true);
  }, [load]);
  return status;
}

type FieldRef = { bcField: string | null; dataverseField: string | null };
const same = (a: FieldRef, b: FieldRef) => a.bcField === b.bcField && a.dataverseField === b.dataverseField;

/** The not-carried entries of one mapping, limited to the field mappings it has (an edited mapping may have fewer). */
export function notCarriedOf(status: CompanionStatus | null, mapping: string, fields?: readonly FieldRef[]): { runs: boolean; fields: NotCarriedFieldDto[] } | null {
  const m = status?.mappings.find((x) => x.mapping === mapping);
  if (!m) return null;
  return { runs: m.runs, fields: fields ? m.fields.filter((f) => fields.some((x) => same(x, f))) : m.fields };
}

const label = (f: FieldRef) => `${f.bcField ?? '—'} → ${f.dataverseField ?? '—'}`;

/**
 * Mappings editor: which field mappings of this mapping the current connection does not carry, and why — instead of
 * the adapters leaving them out silently.
 */
export function NotCarriedCard({ mapping, fields }: { mapping: string; fields: readonly FieldRef[] }) {
  const { t } = useTranslation();
  const s = useStyles();
  const status = useCompanionStatus();
  const nc = notCarriedOf(status, mapping, fields);
  if (!status || !nc || (nc.runs && nc.fields.length === 0)) return null;
  const degraded = !nc.runs || nc.fields.some((f) => f.reason === 'needsCompanion');
  return (
    <MessageBar intent={degraded ? 'warning' : 'info'} layout="multiline" data-testid={`not-carried-${mapping}`} data-count={nc.fields.length}>
      <MessageBarBody>
        <MessageBarTitle>{nc.runs ? t('companion.notCarriedTitle', { count: nc.fields.length }) : t('companion.cannotRunTitle')}</MessageBarTitle>
        <Text block>{connectionLine(t, status)}</Text>
        {nc.runs ? (
          <ul className={s.list}>
            {nc.fields.map((f) => (
              <li key={label(f)} data-testid="not-carried-field" data-reason={f.reason}>
                <span className={s.mono}>{label(f)}</span>: {t(`companion.reason.${f.reason}`)}
              </li>
            ))}
          </ul>
        ) : (
          <Text block>{t('companion.cannotRun')}</Text>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}

/** Synchronization page: one line under the mapping's name. */
export function NotCarriedLine({ mapping }: { mapping: string }) {
  const { t } = useTranslation();
  const s = useStyles();
  const status = useCompanionStatus();
  const nc = notCarriedOf(status, mapping);
  if (!nc || (nc.runs && nc.fields.length === 0)) return null;
  const byReason = new Map<string, string[]>();
  for (const f of nc.fields) byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f.bcField ?? f.dataverseField ?? '—']);
  const text = nc.runs
    ? t('companion.line', { fields: [...byReason].map(([r, names]) => `${[...new Set(names)].join(', ')} (${t(`companion.reason.${r}`)})`).join('; ') })
    : t('companion.lineCannotRun');
  return (
    <Text size={200} className={s.line} data-testid={`sync-not-carried-${mapping}`}>
      {text}
    </Text>
  );
}

function connectionLine(t: TFunction, status: CompanionStatus): string {
  if (!status.connection || !status.state) return t('companion.state.none');
  return t(`companion.state.${status.state}`, { connection: status.connection, version: status.version ?? '', minimum: status.minimumVersion });
}
