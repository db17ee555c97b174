import { makeStyles, tokens } from '@fluentui/react-components';
import type { KeyboardEvent } from 'react';
import type { TaskReportCounts } from '../../../../preload/contract';

/** The segments of a bar, in order; overdue is drawn as its own thin bar under it (overdue tasks are also open). */
export const SEGMENTS = ['completed', 'inProgress', 'notStarted', 'canceled'] as const;
export type Segment = (typeof SEGMENTS)[number] | 'overdue';
export const COLORS: Record<Segment, string> = {
  completed: tokens.colorPaletteGreenBackground3,
  inProgress: tokens.colorPaletteBlueBorderActive,
  notStarted: tokens.colorNeutralStroke1,
  canceled: tokens.colorNeutralBackground5,
  overdue: tokens.colorPaletteRedBackground3,
};

const useStyles = makeStyles({
  svg: { display: 'block', maxWidth: '100%', fontFamily: tokens.fontFamilyBase, fontSize: '12px' },
  row: { cursor: 'pointer', ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}` } },
  legend: { display: 'flex', gap: tokens.spacingHorizontalL, flexWrap: 'wrap', alignItems: 'center', margin: 0, padding: 0, listStyleType: 'none' },
  swatch: { display: 'inline-block', width: '12px', height: '12px', marginRight: tokens.spacingHorizontalXS, verticalAlign: 'middle', borderRadius: '2px' },
});

export interface Bar {
  key: string;
  label: string;
  counts: BarCounts;
  /** Indent (rollup: regions under their country). */
  depth?: number;
}

/** Completed of the tasks that count (canceled ones are kept apart, as the report does). */
export const percent = (c: Pick<TaskReportCounts, 'total' | 'completed'>) => (c.total > 0 ? Math.round((c.completed / c.total) * 100) : 0);
export type BarCounts = Omit<TaskReportCounts, 'completionPercent'>;

/**
 * Hand-made SVG stacked bars: one row per store (or rollup node), segments completed / in progress / not started /
 * canceled scaled to the row's tasks (canceled included), overdue as a red bar under it, the completion % at the end. A row with
 * `onSelect` is a button (Enter / Space) that drills down. Each segment carries its value (data-*) and a <title>.
 */
export function StackedBars({ bars, label, onSelect, testId, names }: {
  bars: Bar[];
  label: string;
  onSelect?: (key: string) => void;
  testId: string;
  names: Record<Segment, string>;
}) {
  const s = useStyles();
  const labelW = 190;
  const barW = 420;
  const rowH = 30;
  const height = bars.length * rowH + 8;
  const key = (k: string) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect?.(k);
    }
  };
  return (
    <svg className={s.svg} role="group" aria-label={label} data-testid={testId} width={labelW + barW + 60} height={height} viewBox={`0 0 ${labelW + barW + 60} ${height}`}>
      {bars.map((b, i) => {
        const y = i * rowH + 4;
        const total = Math.max(1, b.counts.total + b.counts.canceled);
        let x = labelW;
        const pct = percent(b.counts);
        return (
          <g
            key={b.key}
            data-testid={`${testId}-bar-${b.key}`}
            data-completed={b.counts.completed}
            data-in-progress={b.counts.inProgress}
            data-not-started={b.counts.notStarted}
            data-overdue={b.counts.overdue}
            data-total={b.counts.total}
            data-percent={pct}
            {...(onSelect ? { role: 'button', tabIndex: 0, className: s.row, onClick: () => onSelect(b.key), onKeyDown: key(b.key), 'aria-label': `${b.label}: ${pct}%` } : {})}
          >
            <text x={4 + (b.depth ?? 0) * 14} y={y + 14} fill={tokens.colorNeutralForeground1}>{b.label.length > 26 ? `${b.label.slice(0, 25)}…` : b.label}</text>
            {SEGMENTS.map((seg) => {
              const w = (b.counts[seg] / total) * barW;
              const r = <rect key={seg} x={x} y={y} width={w} height={16} fill={COLORS[seg]} data-segment={seg}><title>{`${names[seg]}: ${b.counts[seg]}`}</title></rect>;
              x += w;
              return r;
            })}
            <rect x={labelW} y={y + 18} width={(b.counts.overdue / total) * barW} height={4} fill={COLORS.overdue} data-segment="overdue"><title>{`${names.overdue}: ${b.counts.overdue}`}</title></rect>
            <text x={labelW + barW + 6} y={y + 14} fill={tokens.colorNeutralForeground2}>{`${pct}%`}</text>
          </g>
        );
      })}
    </svg>
  );
}

export function Legend({ names, testId }: { names: Record<Segment, string>; testId: string }) {
  const s = useStyles();
  return (
    <ul className={s.legend} data-testid={testId}>
      {([...SEGMENTS, 'overdue'] as Segment[]).map((seg) => (
        <li key={seg}><span className={s.swatch} style={{ backgroundColor: COLORS[seg] }} />{names[seg]}</li>
      ))}
    </ul>
  );
}
