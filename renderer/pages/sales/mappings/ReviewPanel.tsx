import { Button, Card, CardHeader, makeStyles, MessageBar, MessageBarBody, Text, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMappingsStore, type ReviewPanel as Panel } from '../../../stores/mappings';
import { useDiffText } from './findings';

const useStyles = makeStyles({
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalM}` },
  table: { borderCollapse: 'collapse', width: '100%', fontSize: tokens.fontSizeBase200, '& td, & th': { borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, padding: '3px 6px', textAlign: 'left', verticalAlign: 'top' } },
  scroll: { maxHeight: '360px', overflow: 'auto' },
  left: { backgroundColor: tokens.colorPaletteRedBackground1, wordBreak: 'break-word' },
  right: { backgroundColor: tokens.colorPaletteGreenBackground1, wordBreak: 'break-word' },
  rejected: { color: tokens.colorPaletteRedForeground1 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
});

/**
 * One review surface for three flows: an imported file's proposed changes (pick and accept), a reset preview (what
 * the reset overwrites, confirm) and a comparison of two sets (side by side; accept into the current set when the
 * left side is the current set).
 */
export function ReviewPanel({ panel }: { panel: Panel }) {
  const { t: tm } = useTranslation('mappings');
  const s = useStyles();
  const diffText = useDiffText();
  const store = useMappingsStore();
  const rows = panel.proposal.rows;
  const selectable = panel.kind === 'import' || (panel.kind === 'diff' && panel.acceptable);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  useEffect(() => setChosen(new Set()), [panel.proposal]);
  // Why a change no longer applied, in the UI language (property names as the grid and the diff call them).
  const rejected = new Map(panel.kind === 'reset' ? [] : panel.rejected.map((r) => [r.index, tm(`conflict.${r.code}`, {
    ...r.params, ...(typeof r.params.prop === 'string' ? { prop: tm(`prop.${r.params.prop}`, { defaultValue: r.params.prop }) } : {}), defaultValue: r.reason,
  })]));
  const title =
    panel.kind === 'import' ? tm('review.importTitle', { source: panel.proposal.source })
      : panel.kind === 'reset' ? tm(panel.options ? 'review.reconnectTitle' : 'review.resetTitle')
        : tm('review.diffTitle', { left: panel.left, right: panel.right });
  const [leftHead, rightHead] =
    panel.kind === 'diff' ? [panel.left, panel.right] : panel.kind === 'reset' ? [tm('side.current'), tm('side.defaults')] : [tm('review.exported'), tm('review.proposed')];
  const toggle = (i: number) => setChosen((c) => { const n = new Set(c); if (n.has(i)) n.delete(i); else n.add(i); return n; });

  return (
    <Card data-testid="review-panel">
      <CardHeader header={<Text weight="semibold" as="h2">{title}</Text>} description={<Text size={200}>{tm('review.count', { count: rows.length })}</Text>} />
      <div className={s.body}>
        {panel.kind === 'reset' ? (
          <MessageBar intent="warning"><MessageBarBody>{rows.length ? tm('review.resetWarning') : tm('review.resetNothing')}</MessageBarBody></MessageBar>
        ) : null}
        {panel.proposal.comments.length ? (
          <div data-testid="review-comments">
            <Text weight="semibold">{tm('review.comments')}</Text>
            <ul>
              {panel.proposal.comments.map((c, i) => (
                <li key={i}>{`${c.mapping}${c.field ? ` · ${c.field}` : ''}: ${c.comment}${c.status ? ` (${tm(`status.${c.status}`)})` : ''}`}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <div className={s.scroll}>
          <table className={s.table} data-testid="review-rows">
            <thead>
              <tr>
                {selectable ? <th><input type="checkbox" aria-label={tm('review.selectAll')} checked={rows.length > 0 && chosen.size === rows.length} onChange={(e) => setChosen(e.currentTarget.checked ? new Set(rows.map((_, i) => i)) : new Set())} /></th> : null}
                <th>{tm('review.mapping')}</th>
                <th>{tm('review.field')}</th>
                <th>{tm('review.property')}</th>
                <th>{leftHead}</th>
                <th>{rightHead}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((raw, i) => {
                const r = { ...raw, ...diffText(raw) };
                return (
                <tr key={i} data-testid={`review-row-${i}`}>
                  {selectable ? <td><input type="checkbox" aria-label={tm('review.selectRow', { mapping: r.mapping, field: r.field ?? '', property: r.property })} checked={chosen.has(i)} onChange={() => toggle(i)} /></td> : null}
                  <td>{r.mapping}</td>
                  <td>{r.field ?? ''}</td>
                  <td>{r.property}</td>
                  <td className={s.left}>{r.left}</td>
                  <td className={s.right}>
                    {r.right}
                    {rejected.has(i) ? <div className={s.rejected} role="alert">{tm('review.rejected', { reason: rejected.get(i)! })}</div> : null}
                  </td>
                </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div className={s.row}>
          {selectable ? (
            <Button appearance="primary" data-testid="review-accept" disabled={chosen.size === 0 || store.busy} onClick={() => void store.accept([...chosen].sort((a, b) => a - b))}>
              {tm('review.accept', { count: chosen.size })}
            </Button>
          ) : null}
          {panel.kind === 'reset' ? (
            <Button appearance="primary" data-testid="review-confirm-reset" disabled={store.busy} onClick={() => void store.reset()}>{tm('review.confirmReset')}</Button>
          ) : null}
          <Button onClick={() => store.closePanel()}>{tm('review.close')}</Button>
        </div>
      </div>
    </Card>
  );
}
