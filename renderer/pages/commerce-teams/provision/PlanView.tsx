import {
  Badge,
  Button,
  makeStyles,
  mergeClasses,
  SearchBox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { TFunction } from 'i18next';
import { Fragment, useState, type ReactNode } from 'react';
import type { TeamsPlanResult, TeamsProgress } from '../../../../preload/contract';
import type { TeamsPlanStore } from '../../../../preload/contract/commerce-teams/findings';
import { CODES, secondsLeft, ShortId, useCommonStyles, useNow, useT } from '../setup/common';
import { useTeamsProvisionStore, type LiveStore, type PlanAction } from './store';

export const ACTIONS: PlanAction[] = ['create', 'update', 'none', 'skip'];
export const ACTION_COLORS: Record<PlanAction, 'brand' | 'informative' | 'success' | 'warning'> = { create: 'brand', update: 'informative', none: 'success', skip: 'warning' };
const BAR_COLORS: Record<PlanAction, string> = {
  create: tokens.colorBrandBackground,
  update: tokens.colorPaletteBlueBorderActive,
  none: tokens.colorPaletteGreenBackground3,
  skip: tokens.colorPaletteDarkOrangeBackground3,
};

const useStyles = makeStyles({
  tiles: { display: 'grid', gridTemplateColumns: 'repeat(5, minmax(0, 1fr))', gap: tokens.spacingHorizontalS },
  tile: {
    display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXXS, height: 'auto',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`, textAlign: 'start', minWidth: 0,
  },
  tileOn: { outline: `2px solid ${tokens.colorBrandStroke1}`, backgroundColor: tokens.colorBrandBackground2 },
  count: { fontSize: tokens.fontSizeHero700, lineHeight: tokens.lineHeightHero700, fontWeight: tokens.fontWeightSemibold },
  bar: { display: 'flex', height: '10px', borderRadius: tokens.borderRadiusMedium, overflow: 'hidden', backgroundColor: tokens.colorNeutralBackground3 },
  filters: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
  search: { minWidth: '320px' },
  scroll: { maxHeight: '560px', overflowY: 'auto' },
  cStore: { width: '16%' },
  cTeam: { width: '15%' },
  cAction: { width: '11%' },
  cWhy: { width: '14%' },
  cPeople: { width: '14%' },
  cProgress: { width: '16%' },
  people: { display: 'flex', flexDirection: 'column', gap: '2px', fontSize: tokens.fontSizeBase200, minWidth: 0 },
  nickname: { fontFamily: tokens.fontFamilyMonospace },
  add: { color: tokens.colorPaletteGreenForeground1 },
  remove: { color: tokens.colorPaletteRedForeground1 },
  live: { display: 'flex', flexDirection: 'column', gap: '2px', fontSize: tokens.fontSizeBase200 },
  failed: { color: tokens.colorPaletteRedForeground1, fontSize: tokens.fontSizeBase200 },
  comms: { backgroundColor: tokens.colorNeutralBackground2 },
  badge: { whiteSpace: 'nowrap' },
  more: { alignSelf: 'flex-start', minWidth: 0, padding: 0, height: 'auto', fontSize: tokens.fontSizeBase200 },
});

export function reasonText(tt: TFunction, reason: string | undefined): string {
  return reason ? tt(`reason.${reason}`, { defaultValue: reason }) : '';
}

/** Counts per action as tiles that filter the table, with one stacked bar showing the shares. */
export function PlanTiles({ plan }: { plan: TeamsPlanResult }) {
  const { t: tt } = useT();
  const st = useStyles();
  const filter = useTeamsProvisionStore((x) => x.filter.action);
  const total = plan.stores.length;
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, plan.stores.filter((s) => s.action === a).length])) as Record<PlanAction, number>;
  const pick = (a: PlanAction | 'all') => useTeamsProvisionStore.getState().setFilter({ action: filter === a ? 'all' : a });
  return (
    <div className={useCommonStyles().stack}>
      <div className={st.tiles} role="group" aria-label={tt('plan.tilesLabel')} data-testid="ct-plan-tiles">
        <Button className={mergeClasses(st.tile, filter === 'all' && st.tileOn)} aria-pressed={filter === 'all'} data-testid="ct-tile-all" onClick={() => pick('all')}>
          <span className={st.count}>{total}</span>
          <span>{tt('plan.allStores')}</span>
        </Button>
        {ACTIONS.map((a) => (
          <Button key={a} className={mergeClasses(st.tile, filter === a && st.tileOn)} aria-pressed={filter === a} data-testid={`ct-tile-${a}`} data-count={counts[a]} onClick={() => pick(a)}>
            <span className={st.count}>{counts[a]}</span>
            <Badge className={st.badge} appearance="tint" color={ACTION_COLORS[a]}>{tt(`action.${a}`)}</Badge>
          </Button>
        ))}
      </div>
      <div className={st.bar} role="img" aria-label={ACTIONS.map((a) => `${tt(`action.${a}`)}: ${counts[a]}`).join(', ')}>
        {ACTIONS.map((a) => (counts[a] ? <div key={a} style={{ width: `${(100 * counts[a]) / Math.max(1, total)}%`, backgroundColor: BAR_COLORS[a] }} /> : null))}
      </div>
    </div>
  );
}

export function matches(s: TeamsPlanStore, action: PlanAction | 'all', search: string): boolean {
  if (action !== 'all' && s.action !== action) return false;
  const q = search.trim().toLowerCase();
  if (!q) return true;
  return [s.storeNumber, s.displayName, s.mailNickname, s.teamId].some((v) => !!v && v.toLowerCase().includes(q));
}

export function PlanFilters({ shown, total }: { shown: number; total: number }) {
  const { t: tt } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const search = useTeamsProvisionStore((x) => x.filter.search);
  return (
    <div className={st.filters}>
      <SearchBox
        className={st.search}
        data-testid="ct-plan-search"
        aria-label={tt('plan.search')}
        placeholder={tt('plan.search')}
        value={search}
        onChange={(_, d) => useTeamsProvisionStore.getState().setFilter({ search: d.value })}
      />
      <Text className={s.hint} data-testid="ct-plan-shown" aria-live="polite">{tt('plan.shown', { shown, total })}</Text>
    </div>
  );
}

/** A UPN or mail nickname that may wrap only after its '@' or before its '_' (never in the middle of a name). */
function breakable(s: string): ReactNode {
  return s.split(/(?<=@)|(?=_)/).map((part, i) => (
    <Fragment key={i}>
      {i ? <wbr /> : null}
      {part}
    </Fragment>
  ));
}

/** Shown per list before "N more" (the communications team and big stores would fill the screen). */
const SHOWN_PEOPLE = 3;

function People({ label, delta }: { label: string; delta: { add: string[]; remove: string[] } }) {
  const st = useStyles();
  const { t: tt } = useT();
  const [all, setAll] = useState(false);
  if (!delta.add.length && !delta.remove.length) return <Text size={200}>—</Text>;
  const more = Math.max(0, delta.add.length - SHOWN_PEOPLE) + Math.max(0, delta.remove.length - SHOWN_PEOPLE);
  const list = (xs: string[]) => (all ? xs : xs.slice(0, SHOWN_PEOPLE)).map((x, i) => <Fragment key={x}>{i ? ', ' : ''}{breakable(x)}</Fragment>);
  return (
    <div className={st.people} aria-label={label}>
      {delta.add.length ? <span className={st.add}>{tt('plan.add', { count: delta.add.length })}: {list(delta.add)}</span> : null}
      {delta.remove.length ? <span className={st.remove}>{tt('plan.remove', { count: delta.remove.length })}: {list(delta.remove)}</span> : null}
      {more > 0 ? (
        <Button size="small" appearance="transparent" className={st.more} aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? tt('plan.fewer') : tt('plan.more', { count: more })}
        </Button>
      ) : null}
    </div>
  );
}

/** A store's live status while a run is on it: phase, the countdowns, Graph's operation status, failures per member. */
export function LiveCell({ live, now }: { live: LiveStore | undefined; now: number }) {
  const { t: tt } = useT();
  const st = useStyles();
  if (!live) return null;
  const p: TeamsProgress = live.last;
  let text = tt(`phase.${p.phase}`, { ns: CODES });
  if (p.phase === 'waiting-replication' && p.secondsLeft !== undefined) text = tt('live.replication', { seconds: secondsLeft(p.at, p.secondsLeft, now) });
  else if (p.phase === 'throttled' && p.retryAfterSeconds !== undefined) text = tt('live.throttled', { seconds: secondsLeft(p.at, p.retryAfterSeconds, now) });
  else if (p.phase === 'creating-team' && p.operationStatus) text = tt('live.operation', { status: tt(`operation.${p.operationStatus}`, { ns: CODES }) });
  else if ((p.phase === 'adding-members' || p.phase === 'removing-members') && p.count !== undefined) text = tt(`live.${p.phase}`, { count: p.count });
  return (
    <div className={st.live} data-testid={`ct-live-${p.storeNumber ?? 'run'}`} data-phase={p.phase}>
      <span>{text}</span>
      {live.errors.map((e, i) => (
        <span key={i} className={st.failed} data-testid="ct-live-error" data-personnel={e.personnelNumber ?? ''}>
          {memberErrorText(tt, e)}
        </span>
      ))}
    </div>
  );
}

/** A failure next to the Commerce worker it concerns (207 per-member results carry the personnel number). */
export function memberErrorText(tt: TFunction, e: { code: string; message: string; personnelNumber?: string; userId?: string }): string {
  const why = tt(`runError.${e.code}`, { defaultValue: '' });
  const detail = why ? `${why} (${e.message})` : e.message;
  return e.personnelNumber ? tt('live.memberFailed', { worker: e.personnelNumber, detail }) : detail;
}

export function PlanTable({ plan, rows }: { plan: TeamsPlanResult; rows: TeamsPlanStore[] }) {
  const { t: tt } = useT();
  const st = useStyles();
  const s = useCommonStyles();
  const live = useTeamsProvisionStore((x) => x.live);
  const ticking = !!live && !live.finished && Object.values(live.stores).some((l) => l.last.phase === 'waiting-replication' || l.last.phase === 'throttled');
  const now = useNow(ticking);
  const c = plan.communicationsTeam;
  return (
    <div className={st.scroll}>
      <Table aria-label={tt('plan.tableLabel')} size="small" data-testid="ct-plan-table">
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={st.cStore}>{tt('plan.col.store')}</TableHeaderCell>
            <TableHeaderCell className={st.cTeam}>{tt('plan.col.team')}</TableHeaderCell>
            <TableHeaderCell className={st.cAction}>{tt('plan.col.action')}</TableHeaderCell>
            <TableHeaderCell className={st.cWhy}>{tt('plan.col.why')}</TableHeaderCell>
            <TableHeaderCell className={st.cPeople}>{tt('plan.col.owners')}</TableHeaderCell>
            <TableHeaderCell className={st.cPeople}>{tt('plan.col.members')}</TableHeaderCell>
            <TableHeaderCell className={st.cProgress}>{tt('plan.col.progress')}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          <TableRow className={st.comms} data-testid="ct-plan-row-communications" data-action={c.action}>
            <TableCell>
              <Text weight="semibold">{tt('plan.comms.name')}</Text>
              <br />
              <Text size={200} className={s.hint}>{tt('plan.comms.who')}</Text>
            </TableCell>
            <TableCell>{c.teamId ? <TeamId id={c.teamId} /> : <Text size={200} className={s.hint}>{tt('plan.newTeam')}</Text>}</TableCell>
            <TableCell><Badge className={st.badge} appearance="tint" color={ACTION_COLORS[c.action]}>{tt(`action.${c.action}`)}</Badge></TableCell>
            <TableCell><Text size={200} data-testid="ct-plan-why-communications">{reasonText(tt, c.reason) || tt(`commsWhy.${c.action}`)}</Text></TableCell>
            <TableCell><Text size={200}>—</Text></TableCell>
            <TableCell><People label={tt('plan.col.members')} delta={c.members} /></TableCell>
            <TableCell><LiveCell live={live?.stores['communications']} now={now} /></TableCell>
          </TableRow>
          {rows.map((r) => (
            <TableRow key={r.storeNumber} data-testid={`ct-plan-row-${r.storeNumber}`} data-action={r.action}>
              <TableCell>
                <Text weight="semibold">{r.storeNumber}</Text> <Text>{r.displayName ?? ''}</Text>
                {r.mailNickname ? (
                  <>
                    <br />
                    <Text size={200} className={mergeClasses(st.nickname, s.hint)}>{breakable(r.mailNickname)}</Text>
                  </>
                ) : null}
              </TableCell>
              <TableCell>{r.teamId ? <TeamId id={r.teamId} /> : <Text size={200} className={s.hint}>{r.action === 'skip' ? '—' : tt('plan.newTeam')}</Text>}</TableCell>
              <TableCell><Badge className={st.badge} appearance="tint" color={ACTION_COLORS[r.action]}>{tt(`action.${r.action}`)}</Badge></TableCell>
              <TableCell><Text size={200} data-testid={`ct-plan-why-${r.storeNumber}`}>{reasonText(tt, r.reason) || tt(`actionWhy.${r.action}`)}</Text></TableCell>
              <TableCell><People label={tt('plan.col.owners')} delta={r.owners} /></TableCell>
              <TableCell><People label={tt('plan.col.members')} delta={r.members} /></TableCell>
              <TableCell><LiveCell live={live?.stores[r.storeNumber]} now={now} /></TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function TeamId({ id }: { id: string }) {
  const { t: tt } = useT();
  return <ShortId id={id} label={tt('copyTeamId')} />;
}
