import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { TableMapping } from '../../../../preload/contract/sales/mapping-model';
import { runOrder } from './logic';

const BOX_W = 170;
const BOX_H = 26;
const GAP_X = 50;
const GAP_Y = 10;

const useStyles = makeStyles({
  wrap: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, overflowX: 'auto' },
  blocked: { color: tokens.colorPaletteRedForeground1 },
});

/**
 * Run order from the dependency filters: column n holds the mappings whose dependencies all sit in earlier columns,
 * so a full synchronization runs the columns left to right. The ordered list below the drawing says the same for
 * screen readers and keyboard users.
 */
export function DependencyGraph({ mappings, selected, onSelect }: { mappings: TableMapping[]; selected: string | null; onSelect(name: string): void }) {
  const { t: tm } = useTranslation('mappings');
  const s = useStyles();
  const { layers, blocked } = useMemo(() => runOrder(mappings), [mappings]);
  const pos = new Map<string, { x: number; y: number }>();
  layers.forEach((l, li) => l.mappings.forEach((n, i) => pos.set(n, { x: li * (BOX_W + GAP_X), y: i * (BOX_H + GAP_Y) })));
  const width = Math.max(1, layers.length) * (BOX_W + GAP_X);
  const height = Math.max(1, ...layers.map((l) => l.mappings.length)) * (BOX_H + GAP_Y) + 20;
  const edges = mappings.flatMap((m) => m.dependencyFilter.filter((d) => pos.has(d) && pos.has(m.name)).map((d) => ({ from: pos.get(d)!, to: pos.get(m.name)!, key: `${d}>${m.name}` })));
  return (
    <div className={s.wrap} data-testid="dependency-graph">
      <svg width={width} height={height} role="img" aria-label={tm('graph.label')}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#888" />
          </marker>
        </defs>
        {layers.map((l, li) => (
          <text key={l.level} x={li * (BOX_W + GAP_X)} y={height - 4} fontSize="11" fill="#666">{tm('graph.step', { n: l.level })}</text>
        ))}
        {edges.map((e) => (
          <line key={e.key} x1={e.from.x + BOX_W} y1={e.from.y + BOX_H / 2} x2={e.to.x} y2={e.to.y + BOX_H / 2} stroke="#999" markerEnd="url(#arrow)" />
        ))}
        {[...pos.entries()].map(([name, p]) => (
          <g key={name} onClick={() => onSelect(name)} style={{ cursor: 'pointer' }}>
            <rect x={p.x} y={p.y} width={BOX_W} height={BOX_H} rx={4} fill={name === selected ? '#cfe4fa' : '#fff'} stroke="#0f6cbd" />
            <text x={p.x + 8} y={p.y + 17} fontSize="12">{name}</text>
          </g>
        ))}
      </svg>
      <ol data-testid="run-order">
        {layers.map((l) => (
          <li key={l.level}>{tm('graph.layer', { n: l.level, names: l.mappings.join(', ') })}</li>
        ))}
      </ol>
      {blocked.length ? <Text className={s.blocked} role="alert">{tm('graph.blocked', { names: blocked.join(', ') })}</Text> : null}
    </div>
  );
}
