/**
 * What the Commerce ⇄ Teams configuration and plan pages share: the catalog namespace, finding and message texts,
 * an icon-sized copy button for ids, and a ticking clock for countdowns.
 */
import { Button, makeStyles, Text, tokens, Tooltip } from '@fluentui/react-components';
import { CheckmarkRegular, CopyRegular, DismissCircleFilled, InfoFilled, WarningFilled } from '@fluentui/react-icons';
import type { TFunction } from 'i18next';
import { useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { TeamsFinding } from '../../../../preload/contract/commerce-teams/findings';
import type { TeamsMessage } from '../../../../preload/contract';

/** The pages' catalog (renderer/i18n/locales/commerce-teams/pages). */
export const NS = 'teamsPages';
/** The texts of the codes main sends (renderer/i18n/locales/commerce-teams/provision): effects, fixes, phases, states. */
export const CODES = 'teamsProvision';
export const useT = () => useTranslation(NS);

export const useCommonStyles = makeStyles({
  mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  hint: { color: tokens.colorNeutralForeground3 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  error: { color: tokens.colorPaletteRedForeground1 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  info: { color: tokens.colorBrandForeground1 },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  /** A card's heading: no browser margins inside Fluent's card header. */
  h2: { margin: 0 },
  nowrap: { whiteSpace: 'nowrap', display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXXS },
});

/** A finding's catalog key: the communications team's nickname collision names no store, so it has its own text. */
export function findingKey(f: Pick<TeamsFinding, 'code' | 'storeNumber'>): string {
  return f.code === 'TEAMS_MAIL_NICKNAME_COLLISION' && !f.storeNumber ? 'TEAMS_MAIL_NICKNAME_COLLISION_COMMS' : f.code;
}

/** The values a finding's texts may use: the store and personnel number plus main's params (never a raw {{placeholder}}). */
export function findingParams(f: Pick<TeamsFinding, 'storeNumber' | 'personnelNumber' | 'params'>): Record<string, string | number> {
  return { storeNumber: f.storeNumber ?? '', personnelNumber: f.personnelNumber ?? '', upn: '', userId: '', ...(f.params ?? {}) };
}

export function findingText(tt: TFunction, f: TeamsFinding, part: 'title' | 'cause' | 'fix'): string {
  return tt(`finding.${findingKey(f)}.${part}`, { ns: NS, ...findingParams(f), defaultValue: part === 'cause' ? f.message : '' });
}

/** A code + params from main (what a fix changes, what enabling/disabling does) in the UI language. */
export function messageText(tt: TFunction, group: 'change' | 'effect', m: TeamsMessage): string {
  return tt(`${group === 'change' ? 'fix' : 'effect'}.${m.code}`, { ns: CODES, ...m.params });
}

export const SEVERITY_ICONS: Record<TeamsFinding['severity'], (cls: string) => ReactElement> = {
  error: (c) => <DismissCircleFilled className={c} />,
  warning: (c) => <WarningFilled className={c} />,
  info: (c) => <InfoFilled className={c} />,
};

/** A compact copy button for an id (team id, run id, UPN); the label says what is copied. */
export function CopyId({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const { t: tt } = useT();
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!done) return undefined;
    const id = setTimeout(() => setDone(false), 1500);
    return () => clearTimeout(id);
  }, [done]);
  return (
    <Tooltip content={done ? tt('copied') : label} relationship="label">
      <Button
        size="small"
        appearance="subtle"
        data-testid={testId}
        icon={done ? <CheckmarkRegular /> : <CopyRegular />}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setDone(true);
          } catch {
            // Clipboard refused (no permission): the id stays visible and selectable next to the button.
          }
        }}
      />
    </Tooltip>
  );
}

/** A GUID shown by its first 8 characters (the whole id in the tooltip, the copy button and search). */
export function ShortId({ id, label }: { id: string; label: string }) {
  const s = useCommonStyles();
  return (
    <span className={s.nowrap}>
      <Tooltip content={id} relationship="description">
        <Text size={200} className={s.mono} data-id={id}>{id.length > 12 ? `${id.slice(0, 8)}…` : id}</Text>
      </Tooltip>
      <CopyId value={id} label={label} />
    </span>
  );
}

/** The current time, ticking every second while `active` (countdowns); tests drive it with fake timers. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [active]);
  return now;
}

/** Seconds left of a wait that had `seconds` to go at `at` (main's clock) — never below zero. */
export const secondsLeft = (at: number, seconds: number, now: number): number => Math.max(0, Math.ceil((at + seconds * 1000 - now) / 1000));

export const when = (ms: number | null | undefined, language: string): string => (ms ? new Date(ms).toLocaleString(language) : '—');
