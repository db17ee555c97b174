/**
 * The SyncService's two pieces of timing logic: the event pump (≤ 1 event per interval, latest intermediate
 * update wins, terminal events never dropped, order kept) and cooperative cancellation at a page boundary that
 * never leaves rows tied with the last selected modifiedOn behind (the watermark would skip them forever).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Row } from '../../../main/integrations/sales/sync/ports';
import { cancellable } from '../../../main/integrations/sales/sync/service';
import { EventPump } from '../../../main/kernel/runs/pump';

describe('EventPump', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends at most one event per interval, keeps only the latest update per key and every terminal event, in order', async () => {
    const sent: { s: string; at: number }[] = [];
    const pump = new EventPump(200, () => Date.now());
    const push = (key: string, s: string, replaceable = true) => pump.push({ key, replaceable, send: () => sent.push({ s, at: Date.now() }) });
    push('a', 'a1'); // first goes out at once
    push('a', 'a2');
    push('a', 'a3'); // replaces a2
    push('b', 'b1');
    push('a', 'a-done', false);
    push('a', 'a4'); // a new update after the terminal one is queued after it
    push('', 'finished', false);
    const flushed = pump.flushed();
    await vi.advanceTimersByTimeAsync(2000);
    await flushed;
    expect(sent.map((x) => x.s)).toEqual(['a1', 'a3', 'b1', 'a-done', 'a4', 'finished']);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(200);
  });

  it('resolves flushed at once when nothing is queued', async () => {
    await expect(new EventPump(200).flushed()).resolves.toBeUndefined();
  });
});

async function* pagesOf(rows: Row[], size: number): AsyncGenerator<Row[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
const row = (id: number, modifiedOn: number): Row => ({ id: String(id), modifiedOn, values: {} });

describe('cancellable selection', () => {
  it('passes every page through while not cancelled', async () => {
    const rows = [1, 2, 3, 4, 5].map((i) => row(i, i * 10));
    const out: Row[][] = [];
    for await (const p of cancellable(pagesOf(rows, 2), () => false)) out.push(p);
    expect(out.flat()).toEqual(rows);
  });

  it('stops before anything when cancelled at once (the watermark stays where it was)', async () => {
    const out: Row[][] = [];
    for await (const p of cancellable(pagesOf([row(1, 10), row(2, 20)], 1), () => true)) out.push(p);
    expect(out).toEqual([]);
  });

  it('after cancelling, hands over exactly the rows tied with the last selected modifiedOn, then stops', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 10 }),
        async (times, pageSize, cancelAfter) => {
          const rows = [...times].sort((a, b) => a - b).map((t, i) => row(i, t));
          let pages = 0;
          const seen: Row[] = [];
          for await (const p of cancellable(pagesOf(rows, pageSize), () => pages >= cancelAfter)) {
            pages++;
            seen.push(...p);
          }
          const max = seen.length ? Math.max(...seen.map((r) => r.modifiedOn)) : -Infinity;
          // Nothing left behind at or below the new watermark; nothing beyond it selected once cancelled.
          const leftBehind = rows.filter((r) => !seen.includes(r) && r.modifiedOn <= max);
          expect(leftBehind).toEqual([]);
          const fullPages = Math.min(cancelAfter, Math.ceil(rows.length / pageSize));
          const beforeCancel = rows.slice(0, fullPages * pageSize);
          const lastBefore = beforeCancel.length ? beforeCancel[beforeCancel.length - 1]!.modifiedOn : -Infinity;
          expect(seen.every((r) => beforeCancel.includes(r) || r.modifiedOn === lastBefore)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
