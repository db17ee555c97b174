/** Cooperative cancel: a cancelled run's pass stops selecting at the next page boundary (in-flight batches finish). */
import type { Row, SidePort, SyncSides } from '../ports';

/**
 * Ends the selection early once cancelled, at a page boundary. Rows tied with the last selected modifiedOn are
 * still handed over: the engine moves the watermark to the largest modifiedOn it saw and selects strictly after
 * it next time, so a tie left behind would never be selected again.
 */
export async function* cancellable(pages: AsyncIterable<Row[]>, cancelled: () => boolean): AsyncGenerator<Row[]> {
  let max = -Infinity;
  for await (const page of pages) {
    if (cancelled()) {
      const ties = page.filter((r) => r.modifiedOn <= max);
      if (ties.length > 0) yield ties;
      if (ties.length < page.length) return;
      continue;
    }
    for (const r of page) if (r.modifiedOn > max) max = r.modifiedOn;
    yield page;
  }
}

/** Sides as the engine sees them: selecting an entity stops between pages once `cancelled(entity)` says so. */
export function cancellableSides(sides: SyncSides, cancelled: (entity: string) => boolean): SyncSides {
  const wrap = (s: SidePort): SidePort => new Proxy(s, {
    get: (target, prop, recv) => {
      if (prop === 'queryModified')
        return (entity: string, q: Parameters<SidePort['queryModified']>[1]) => cancellable(target.queryModified(entity, q), () => cancelled(entity));
      return Reflect.get(target, prop, recv) as unknown;
    },
  });
  return { bc: wrap(sides.bc), dataverse: wrap(sides.dataverse) };
}
